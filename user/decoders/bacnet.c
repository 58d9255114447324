// SPDX-License-Identifier: GPL-2.0-only
/*
 * BACnet/IP (UDP ports 47808-47823), after ANSI/ASHRAE 135 (clauses 6, 20, 21 and annex J): BVLC (type 0x81,
 * function, length; the originator address of a Forwarded-NPDU), NPDU (version 1, control, optional DNET/DADR,
 * SNET/SADR, hop count, network layer messages), APDU (confirmed and unconfirmed requests, complex ACKs). Tags
 * are parsed with bounds on every length and a bound on their number.
 *
 * The speaker of an APDU is the packet's source, or the originator named in a Forwarded-NPDU (recorded as
 * OBS_IP). An APDU relayed from another network (SNET present) is about a device that has no IP address of its
 * own: only bacnet_remote_device is recorded for it, on the router.
 *
 * Keys (on the device the fact is about unless said):
 *   app_protocol            "BACnet" on each endpoint on a BACnet port (and on a forwarded originator)
 *   bacnet_device_instance  device object instance, from I-Am, I-Have and device ReadProperty answers
 *   bacnet_vendor_id        vendor identifier (I-Am, vendor-identifier property)
 *   bacnet_vendor           vendor name from the ASHRAE vendor id registry
 *   bacnet_max_apdu, bacnet_segmentation
 *                           from I-Am
 *   bacnet_object_name, bacnet_model_name, bacnet_firmware, bacnet_app_version, bacnet_vendor_name,
 *   bacnet_description, bacnet_location
 *                           properties of the device object (ReadProperty / ReadPropertyMultiple ACK)
 *   bacnet_remote_device    "net=5 mac=0a instance=1234 vendor_id=8": a routed I-Am, on the router
 *   bacnet_role             "router" for the sender of I-Am-Router-To-Network
 *   bacnet_service          service of a request ("readProperty", "who-Is"), on the requester
 *   bacnet_write            writeProperty, writePropertyMultiple, createObject, deleteObject, atomicWriteFile,
 *                           add/removeListElement ("writeProperty analog-value,1 property=85 priority=8"),
 *                           on the requester and on the target
 *   bacnet_control          reinitializeDevice, deviceCommunicationControl ("reinitializeDevice warmstart"),
 *                           on the requester and on the target
 */
#include "decoder.h"
#include "ot_util.h"

#define BACNET_PORT 47808 /* 0xBAC0; BACnet/IP may use 0xBAC0-0xBACF */
#define BAC_MAX_TAGS 64	  /* tags examined per APDU */
#define BAC_MAX_PROPS 16  /* properties read per ReadPropertyMultiple ACK */
#define BAC_DEVICE 8	  /* object type of the device object */
#define BAC_WILDCARD_INSTANCE 4194303

/* ASHRAE BACnet vendor ids; names as in the registry without commas, as Zeek/ICSNPP logs spell them. */
static const struct {
	uint16_t id;
	const char *name;
} bac_vendors[] = {
	{ 0, "ASHRAE" },
	{ 1, "NIST" },
	{ 2, "The Trane Company" },
	{ 3, "Daikin Applied Americas" },
	{ 4, "PolarSoft" },
	{ 5, "Johnson Controls Inc." },
	{ 6, "ABB (Formerly American Auto-Matrix)" },
	{ 7, "Siemens Schweiz AG (Formerly: Landis & Staefa Division Europe)" },
	{ 8, "Delta Controls" },
	{ 9, "Siemens Schweiz AG" },
	{ 10, "Schneider Electric" },
	{ 11, "TAC" },
	{ 12, "Orion Analysis Corporation" },
	{ 13, "Teletrol Systems Inc." },
	{ 14, "Cimetrics Technology" },
	{ 15, "Cornell University" },
	{ 16, "United Technologies Carrier" },
	{ 17, "Honeywell Inc." },
	{ 18, "Alerton / Honeywell" },
	{ 19, "TAC AB" },
	{ 20, "Hewlett-Packard Company" },
	{ 21, "Dorsette’s Inc." },
	{ 22, "Siemens Schweiz AG (Formerly: Cerberus AG)" },
	{ 23, "York Controls Group" },
	{ 24, "Automated Logic Corporation" },
	{ 25, "CSI Control Systems International" },
	{ 26, "Phoenix Controls Corporation" },
	{ 27, "Innovex Technologies Inc." },
	{ 28, "KMC Controls Inc." },
	{ 29, "Xn Technologies Inc." },
	{ 30, "Hyundai Information Technology Co. Ltd." },
	{ 31, "Tokimec Inc." },
	{ 32, "Simplex" },
	{ 33, "North Building Technologies Limited" },
	{ 34, "Notifier" },
	{ 35, "Reliable Controls Corporation" },
	{ 36, "Tridium Inc." },
	{ 37, "MSA Safety" },
	{ 38, "Silicon Energy" },
	{ 39, "Kieback & Peter GmbH & Co KG" },
	{ 40, "Anacon Systems Inc." },
	{ 41, "Systems Controls & Instruments LLC" },
	{ 42, "Acuity Brands Lighting Inc." },
	{ 43, "Micropower Manufacturing" },
	{ 44, "Matrix Controls" },
	{ 45, "METALAIRE" },
	{ 46, "ESS Engineering" },
	{ 47, "Sphere Systems Pty Ltd." },
	{ 48, "Walker Technologies Corporation" },
	{ 49, "H I Solutions Inc." },
	{ 50, "MBS GmbH" },
	{ 51, "SAMSON AG" },
	{ 52, "Badger Meter Inc." },
	{ 53, "DAIKIN Industries Ltd." },
	{ 54, "NARA Controls Inc." },
	{ 55, "Mammoth Inc." },
	{ 56, "Liebert Corporation" },
	{ 57, "SEMCO Incorporated" },
	{ 58, "Air Monitor Corporation" },
	{ 59, "TRIATEK LLC" },
	{ 60, "NexLight" },
	{ 61, "Multistack" },
	{ 62, "TSI Incorporated" },
	{ 63, "Weather-Rite Inc." },
	{ 64, "Dunham-Bush" },
	{ 65, "Reliance Electric" },
	{ 66, "LCS Inc." },
	{ 67, "Regulator Australia PTY Ltd." },
	{ 68, "Touch-Plate Lighting Controls" },
	{ 69, "Amann GmbH" },
	{ 70, "RLE Technologies" },
	{ 71, "Cardkey Systems" },
	{ 72, "SECOM Co. Ltd." },
	{ 73, "ABB Gebäudetechnik AG Bereich NetServ" },
	{ 74, "KNX Association cvba" },
	{ 75, "Institute of Electrical Installation Engineers of Japan (IEIEJ)" },
	{ 76, "Nohmi Bosai Ltd." },
	{ 77, "Carel Industries S.p.A." },
	{ 78, "UTC Fire & Security España S.L." },
	{ 79, "Hochiki Corporation" },
	{ 80, "Fr. Sauter AG" },
	{ 81, "Matsushita Electric Works Ltd." },
	{ 82, "Mitsubishi Electric Corporation Inazawa Works" },
	{ 83, "Mitsubishi Heavy Industries Ltd." },
	{ 84, "Xylem Inc." },
	{ 85, "Yamatake Building Systems Co. Ltd." },
	{ 86, "The Watt Stopper Inc." },
	{ 87, "Aichi Tokei Denki Co. Ltd." },
	{ 88, "Activation Technologies LLC" },
	{ 89, "Saia-Burgess Controls Ltd." },
	{ 90, "Hitachi Ltd." },
	{ 91, "Novar Corp./Trend Control Systems Ltd." },
	{ 92, "Mitsubishi Electric Lighting Corporation" },
	{ 93, "Argus Control Systems Ltd." },
	{ 94, "Kyuki Corporation" },
	{ 95, "Richards-Zeta Building Intelligence Inc." },
	{ 96, "Scientech R&D Inc." },
	{ 97, "VCI Controls Inc." },
	{ 98, "Toshiba Corporation" },
	{ 99, "Mitsubishi Electric Corporation Air Conditioning & Refrigeration Systems Works" },
	{ 100, "Custom Mechanical Equipment LLC" },
	{ 101, "ClimateMaster" },
	{ 102, "ICP Panel-Tec Inc." },
	{ 103, "D-Tek Controls" },
	{ 104, "NEC Engineering Ltd." },
	{ 105, "PRIVA BV" },
	{ 106, "Meidensha Corporation" },
	{ 107, "JCI Systems Integration Services" },
	{ 108, "Freedom Corporation" },
	{ 109, "Neuberger Gebäudeautomation GmbH" },
	{ 110, "eZi Controls" },
	{ 111, "Leviton Manufacturing" },
	{ 112, "Fujitsu Limited" },
	{ 113, "Vertiv (Formerly Emerson Network Power)" },
	{ 114, "S. A. Armstrong Ltd." },
	{ 115, "Visonet AG" },
	{ 116, "M&M Systems Inc." },
	{ 117, "Custom Software Engineering" },
	{ 118, "Nittan Company Limited" },
	{ 119, "Elutions Inc. (Wizcon Systems SAS)" },
	{ 120, "Pacom Systems Pty. Ltd." },
	{ 121, "Unico Inc." },
	{ 122, "Ebtron Inc." },
	{ 123, "Scada Engine" },
	{ 124, "Lenze Americas (Formerly: AC Technology Corporation)" },
	{ 125, "Eagle Technology" },
	{ 126, "Data Aire Inc." },
	{ 127, "ABB Inc." },
	{ 128, "Transbit Sp. z o. o." },
	{ 129, "Toshiba Carrier Corporation" },
	{ 130, "Shenzhen Junzhi Hi-Tech Co. Ltd." },
	{ 131, "Tokai Soft" },
	{ 132, "Blue Ridge Technologies" },
	{ 133, "Veris Industries" },
	{ 134, "Centaurus Prime" },
	{ 135, "Sand Network Systems" },
	{ 136, "Regulvar Inc." },
	{ 137, "AFDtek Division of Fastek International Inc." },
	{ 138, "PowerCold Comfort Air Solutions Inc." },
	{ 139, "I Controls" },
	{ 140, "Viconics Electronics Inc." },
	{ 141, "Yaskawa America Inc." },
	{ 142, "DEOS control systems GmbH" },
	{ 143, "Digitale Mess- und Steuersysteme AG" },
	{ 144, "Fujitsu General Limited" },
	{ 145, "Project Engineering S.r.l." },
	{ 146, "Sanyo Electric Co. Ltd." },
	{ 147, "Integrated Information Systems Inc." },
	{ 148, "Temco Controls Ltd." },
	{ 149, "Airtek International Inc." },
	{ 150, "Advantech Corporation" },
	{ 151, "Titan Products Ltd." },
	{ 152, "Regel Partners" },
	{ 153, "National Environmental Product" },
	{ 154, "Unitec Corporation" },
	{ 155, "Kanden Engineering Company" },
	{ 156, "Messner Gebäudetechnik GmbH" },
	{ 157, "Integrated.CH" },
	{ 158, "Price Industries" },
	{ 159, "SE-Elektronic GmbH" },
	{ 160, "Rockwell Automation" },
	{ 161, "Enflex Corp." },
	{ 162, "ASI Controls" },
	{ 163, "SysMik GmbH Dresden" },
	{ 164, "HSC Regelungstechnik GmbH" },
	{ 165, "Smart Temp Australia Pty. Ltd." },
	{ 166, "Cooper Controls" },
	{ 167, "Duksan Mecasys Co. Ltd." },
	{ 168, "Fuji IT Co. Ltd." },
	{ 169, "Vacon Plc" },
	{ 170, "Leader Controls" },
	{ 171, "ABB (Formerly Cylon Controls Ltd)" },
	{ 172, "Compas" },
	{ 173, "Mitsubishi Electric Building Techno-Service Co. Ltd." },
	{ 174, "Building Control Integrators" },
	{ 175, "ITG Worldwide (M) Sdn Bhd" },
	{ 176, "Lutron Electronics Co. Inc." },
	{ 177, "Cooper-Atkins Corporation" },
	{ 178, "LOYTEC Electronics GmbH" },
	{ 179, "ProLon" },
	{ 180, "Mega Controls Limited" },
	{ 181, "Micro Control Systems Inc." },
	{ 182, "Kiyon Inc." },
	{ 183, "Dust Networks" },
	{ 184, "Advanced Building Automation Systems" },
	{ 185, "Hermos AG" },
	{ 186, "CEZIM" },
	{ 187, "Softing" },
	{ 188, "Lynxspring Inc." },
	{ 189, "Schneider Toshiba Inverter Europe" },
	{ 190, "Danfoss Drives A/S" },
	{ 191, "Eaton Corporation" },
	{ 192, "Matyca S.A." },
	{ 193, "Botech AB" },
	{ 194, "Noveo Inc." },
	{ 195, "AMEV" },
	{ 196, "Yokogawa Electric Corporation" },
	{ 197, "Bosch Building Automation GmbH" },
	{ 198, "Exact Logic" },
	{ 199, "Mass Electronics Pty Ltd dba Innotech Control Systems Australia" },
	{ 200, "Kandenko Co. Ltd." },
	{ 201, "DTF Daten-Technik Fries" },
	{ 202, "Klimasoft Ltd." },
	{ 203, "Toshiba Schneider Inverter Corporation" },
	{ 204, "Control Applications Ltd." },
	{ 205, "CIMON CO. Ltd." },
	{ 206, "Onicon Incorporated" },
	{ 207, "Automation Displays Inc." },
	{ 208, "Control Solutions Inc." },
	{ 209, "Remsdaq Limited" },
	{ 210, "NTT Facilities Inc." },
	{ 211, "VIPA GmbH" },
	{ 212, "TSC21 Association of Japan" },
	{ 213, "Strato Automation" },
	{ 214, "HRW Limited" },
	{ 215, "Lighting Control & Design Inc." },
	{ 216, "Mercy Electronic and Electrical Industries" },
	{ 217, "Samsung SDS Co. Ltd" },
	{ 218, "Impact Facility Solutions Inc." },
	{ 219, "Aircuity" },
	{ 220, "Control Techniques Ltd." },
	{ 221, "OpenGeneral Pty. Ltd." },
	{ 222, "WAGO Kontakttechnik GmbH & Co. KG" },
	{ 223, "Franklin Electric" },
	{ 224, "Chloride Power Protection Company" },
	{ 225, "Computrols Inc." },
	{ 226, "Phoenix Contact GmbH & Co. KG" },
	{ 227, "Grundfos Management A/S" },
	{ 228, "Ridder Drive Systems" },
	{ 229, "Soft Device SDN BHD" },
	{ 230, "Integrated Control Technology Limited" },
	{ 231, "AIRxpert Systems Inc." },
	{ 232, "Microtrol Limited" },
	{ 233, "Red Lion Controls" },
	{ 234, "Digital Electronics Corporation" },
	{ 235, "Ennovatis GmbH" },
	{ 236, "Serotonin Software Technologies Inc." },
	{ 237, "LS Industrial Systems Co. Ltd." },
	{ 238, "Square D Company" },
	{ 239, "S Squared Innovations Inc." },
	{ 240, "Aricent Ltd." },
	{ 241, "EtherMetrics LLC" },
	{ 242, "Industrial Control Communications Inc." },
	{ 243, "Paragon Controls Inc." },
	{ 244, "A. O. Smith Corporation" },
	{ 245, "Contemporary Control Systems Inc." },
	{ 246, "HMS Industrial Networks SLU" },
	{ 247, "Ingenieurgesellschaft N. Hartleb mbH" },
	{ 248, "Heat-Timer Corporation" },
	{ 249, "Ingrasys Technology Inc." },
	{ 250, "Costerm Building Automation" },
	{ 251, "WILO SE" },
	{ 252, "Embedia Technologies Corp." },
	{ 253, "Technilog" },
	{ 254, "HR Controls Ltd. & Co. KG" },
	{ 255, "Lennox International Inc." },
	{ 256, "RK-Tec Rauchklappen-Steuerungssysteme GmbH & Co. KG" },
	{ 257, "Thermomax Ltd." },
	{ 258, "ELCON Electronic Control Ltd." },
	{ 259, "Larmia Control AB" },
	{ 260, "BACnet Stack at SourceForge" },
	{ 284, "BELIMO Automation AG" },
	{ 313, "Siemens Industry Inc." },
	{ 332, "Distech Controls SAS" },
	{ 335, "Schneider Electric" },
	{ 364, "Distech Controls Inc." },
	{ 415, "Beckhoff Automation" },
	{ 423, "BELIMO Automation AG" },
	{ 432, "LG Electronics Inc." },
	{ 801, "Signify" },
	{ 971, "Samsung Electronics Co. Ltd." },
};

static const char *const bac_object_types[] = {
	[0] = "analog-input",
	[1] = "analog-output",
	[2] = "analog-value",
	[3] = "binary-input",
	[4] = "binary-output",
	[5] = "binary-value",
	[6] = "calendar",
	[7] = "command",
	[8] = "device",
	[9] = "event-enrollment",
	[10] = "file",
	[11] = "group",
	[12] = "loop",
	[13] = "multi-state-input",
	[14] = "multi-state-output",
	[15] = "notification-class",
	[16] = "program",
	[17] = "schedule",
	[18] = "averaging",
	[19] = "multi-state-value",
	[20] = "trend-log",
	[21] = "life-safety-point",
	[22] = "life-safety-zone",
	[23] = "accumulator",
	[24] = "pulse-converter",
};

static const char *const bac_confirmed[] = {
	[0] = "acknowledgeAlarm",
	[1] = "confirmedCOVNotification",
	[2] = "confirmedEventNotification",
	[3] = "getAlarmSummary",
	[4] = "getEnrollmentSummary",
	[5] = "subscribeCOV",
	[6] = "atomicReadFile",
	[7] = "atomicWriteFile",
	[8] = "addListElement",
	[9] = "removeListElement",
	[10] = "createObject",
	[11] = "deleteObject",
	[12] = "readProperty",
	[13] = "readPropertyConditional",
	[14] = "readPropertyMultiple",
	[15] = "writeProperty",
	[16] = "writePropertyMultiple",
	[17] = "deviceCommunicationControl",
	[18] = "confirmedPrivateTransfer",
	[19] = "confirmedTextMessage",
	[20] = "reinitializeDevice",
	[21] = "vtOpen",
	[22] = "vtClose",
	[23] = "vtData",
	[26] = "readRange",
	[27] = "lifeSafetyOperation",
	[28] = "subscribeCOVProperty",
	[29] = "getEventInformation",
	[30] = "subscribeCOVPropertyMultiple",
};

static const char *const bac_unconfirmed[] = {
	[0] = "i-Am",
	[1] = "i-Have",
	[2] = "unconfirmedCOVNotification",
	[3] = "unconfirmedEventNotification",
	[4] = "unconfirmedPrivateTransfer",
	[5] = "unconfirmedTextMessage",
	[6] = "timeSynchronization",
	[7] = "who-Has",
	[8] = "who-Is",
	[9] = "utcTimeSynchronization",
	[10] = "writeGroup",
};

static const char *const bac_segmentation[] = { "segmented-both", "segmented-transmit", "segmented-receive",
						"no-segmentation" };

static const char *const bac_reinit_states[] = { "coldstart",	 "warmstart",	    "startbackup",
						 "endbackup",	 "startrestore",    "endrestore",
						 "abortrestore", "activate-changes" };

static const char *const bac_dcc_states[] = { "enable", "disable", "disable-initiation" };

/* Device object properties recorded, by property identifier. */
static const struct {
	uint16_t prop;
	const char *key;
} bac_device_props[] = {
	{ 77, "bacnet_object_name" }, { 70, "bacnet_model_name" },   { 44, "bacnet_firmware" },
	{ 12, "bacnet_app_version" }, { 121, "bacnet_vendor_name" }, { 28, "bacnet_description" },
	{ 58, "bacnet_location" },
};

/* Who an APDU is about: the packet's source, or the originator of a forwarded NPDU. */
struct bac_who {
	const struct dec_ctx *ctx;
	const struct iot_addr *ip; /* NULL: OBS_SRC */
};

/* A BACnet tag (clause 20.2.1): number, class, length of the content, header size. */
struct bac_tag {
	uint32_t num;
	bool context;
	bool opening, closing;
	uint32_t len;
	size_t hdr;
};

static bool bacnet_port(uint16_t port)
{
	return port >= BACNET_PORT && port <= BACNET_PORT + 15;
}

static bool bacnet_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	return ctx->l4_proto == 17 && (bacnet_port(ctx->sport) || bacnet_port(ctx->dport)) && n >= 4 &&
	       p[0] == 0x81;
}

static const char *bac_vendor_name(uint32_t id)
{
	for (size_t i = 0; i < sizeof(bac_vendors) / sizeof(bac_vendors[0]); i++)
		if (bac_vendors[i].id == id)
			return bac_vendors[i].name;
	return NULL;
}

static __attribute__((format(printf, 4, 5))) void bac_fact(struct dec_out *out, const struct bac_who *who,
							   const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ot_vemitf(who->ctx, out, OBS_SRC, who->ip, key, fmt, ap);
	va_end(ap);
}

/*
 * Reads the tag at p[off]; true when its header and content fit in n. Application booleans carry their value
 * in the length bits and have no content.
 */
static bool bac_tag(const uint8_t *p, size_t n, size_t off, struct bac_tag *t)
{
	uint8_t b;
	size_t i = off;

	if (i >= n)
		return false;
	b = p[i++];
	t->num = b >> 4;
	t->context = b & 0x08;
	t->opening = t->context && (b & 7) == 6;
	t->closing = t->context && (b & 7) == 7;
	t->len = b & 7;
	if (t->num == 15) {
		if (i >= n)
			return false;
		t->num = p[i++];
	}
	if (t->opening || t->closing) {
		t->len = 0;
	} else if (!t->context && t->num == 1) {
		t->len = 0; /* boolean */
	} else if (t->len == 5) {
		if (i >= n)
			return false;
		t->len = p[i++];
		if (t->len == 254) {
			if (i + 2 > n)
				return false;
			t->len = dec_be16(p + i);
			i += 2;
		} else if (t->len == 255) {
			if (i + 4 > n)
				return false;
			t->len = dec_be32(p + i);
			i += 4;
		}
	}
	t->hdr = i - off;
	return t->len <= n - i;
}

/* An unsigned integer content of 1-4 bytes. */
static bool bac_uint(const uint8_t *p, uint32_t len, uint32_t *v)
{
	if (len < 1 || len > 4)
		return false;
	*v = 0;
	for (uint32_t i = 0; i < len; i++)
		*v = *v << 8 | p[i];
	return true;
}

/* Reads the tag at *off, which must be tag `num` of the given class, and its unsigned value; advances *off. */
static bool bac_expect_uint(const uint8_t *p, size_t n, size_t *off, bool context, uint32_t num, uint32_t *v)
{
	struct bac_tag t;

	if (!bac_tag(p, n, *off, &t) || t.context != context || t.num != num || t.opening || t.closing ||
	    !bac_uint(p + *off + t.hdr, t.len, v))
		return false;
	*off += t.hdr + t.len;
	return true;
}

/* Advances *off past the closing tag that matches an opening tag `num` already read. */
static bool bac_skip_to_close(const uint8_t *p, size_t n, size_t *off, uint32_t num)
{
	int depth = 0;

	for (int k = 0; k < BAC_MAX_TAGS; k++) {
		struct bac_tag t;

		if (!bac_tag(p, n, *off, &t))
			return false;
		*off += t.hdr + t.len;
		if (t.opening) {
			depth++;
		} else if (t.closing) {
			if (depth == 0)
				return t.num == num;
			depth--;
		}
	}
	return false;
}

/* "analog-value,1" */
static void bac_object_str(uint32_t objid, char *buf, size_t size)
{
	const char *type = OT_NAME(bac_object_types, objid >> 22);

	if (type)
		snprintf(buf, size, "%s,%u", type, objid & 0x3fffff);
	else
		snprintf(buf, size, "type-%u,%u", objid >> 22, objid & 0x3fffff);
}

static void bac_vendor(struct dec_out *out, const struct bac_who *who, uint32_t vid)
{
	const char *name = bac_vendor_name(vid);

	bac_fact(out, who, "bacnet_vendor_id", "%u", vid);
	if (name)
		bac_fact(out, who, "bacnet_vendor", "%s", name);
}

static void bac_device_instance(struct dec_out *out, const struct bac_who *who, uint32_t objid)
{
	if (objid >> 22 == BAC_DEVICE && (objid & 0x3fffff) != BAC_WILDCARD_INSTANCE)
		bac_fact(out, who, "bacnet_device_instance", "%u", objid & 0x3fffff);
}

/*
 * A CharacterString content (clause 20.2.9): character set, then the characters. UTF-8 (and its ANSI X3.4
 * subset) and ISO 8859-1 are copied; UCS-2 is reduced to its ASCII part. Returns the length written to buf.
 */
static size_t bac_string(const uint8_t *p, uint32_t len, char *buf, size_t size)
{
	size_t w = 0;

	if (len < 1)
		return 0;
	if (p[0] == 0 || p[0] == 5) {
		for (uint32_t i = 1; i < len && w + 1 < size; i++)
			buf[w++] = (char)p[i];
	} else if (p[0] == 4) {
		for (uint32_t i = 1; i + 1 < len && w + 1 < size; i += 2)
			buf[w++] = p[i] == 0 && p[i + 1] < 0x80 ? (char)p[i + 1] : '?';
	}
	buf[w] = 0;
	return w;
}

/* One property value of the device object: the application-tagged value at v (up to n). */
static void bac_device_property(struct dec_out *out, const struct bac_who *who, uint32_t prop,
				const uint8_t *v, size_t n)
{
	struct bac_tag t;
	char s[OBS_VALUE_MAX];
	uint32_t u;

	if (!bac_tag(v, n, 0, &t) || t.context)
		return;
	if (prop == 120 && t.num == 2 && bac_uint(v + t.hdr, t.len, &u)) {
		bac_vendor(out, who, u);
		return;
	}
	if (prop == 75 && t.num == 12 && t.len == 4) {
		bac_device_instance(out, who, dec_be32(v + t.hdr));
		return;
	}
	if (t.num != 7)
		return;
	for (size_t i = 0; i < sizeof(bac_device_props) / sizeof(bac_device_props[0]); i++) {
		if (bac_device_props[i].prop != prop)
			continue;
		if (bac_string(v + t.hdr, t.len, s, sizeof(s)))
			bac_fact(out, who, bac_device_props[i].key, "%s", s);
		return;
	}
}

/* ReadProperty-ACK: [0] object id, [1] property, [2] index (optional), [3] { value }. */
static void bac_read_property_ack(struct dec_out *out, const struct bac_who *who, const uint8_t *p, size_t n)
{
	struct bac_tag t;
	size_t off = 0;
	uint32_t objid, prop, idx;

	if (!bac_expect_uint(p, n, &off, true, 0, &objid) || !bac_expect_uint(p, n, &off, true, 1, &prop))
		return;
	if (objid >> 22 != BAC_DEVICE)
		return;
	bac_device_instance(out, who, objid);
	bac_expect_uint(p, n, &off, true, 2, &idx);
	if (!bac_tag(p, n, off, &t) || !t.opening || t.num != 3)
		return;
	off += t.hdr;
	bac_device_property(out, who, prop, p + off, n - off);
}

/*
 * ReadPropertyMultiple-ACK: per object, [0] object id, [1] { per property: [2] property, [3] index (optional),
 * [4] { value } or [5] { error } }.
 */
static void bac_read_property_multiple_ack(struct dec_out *out, const struct bac_who *who, const uint8_t *p,
					   size_t n)
{
	size_t off = 0;
	int props = 0;

	while (off < n && props < BAC_MAX_PROPS) {
		struct bac_tag t;
		uint32_t objid;

		if (!bac_expect_uint(p, n, &off, true, 0, &objid))
			return;
		if (!bac_tag(p, n, off, &t) || !t.opening || t.num != 1)
			return;
		off += t.hdr;
		if (objid >> 22 == BAC_DEVICE)
			bac_device_instance(out, who, objid);
		for (; props < BAC_MAX_PROPS; props++) {
			uint32_t prop, idx;

			if (!bac_tag(p, n, off, &t))
				return;
			if (t.closing && t.num == 1) {
				off += t.hdr;
				break;
			}
			if (!bac_expect_uint(p, n, &off, true, 2, &prop))
				return;
			bac_expect_uint(p, n, &off, true, 3, &idx);
			if (!bac_tag(p, n, off, &t) || !t.opening || (t.num != 4 && t.num != 5))
				return;
			off += t.hdr;
			if (t.num == 4 && objid >> 22 == BAC_DEVICE)
				bac_device_property(out, who, prop, p + off, n - off);
			if (!bac_skip_to_close(p, n, &off, t.num))
				return;
		}
	}
}

/* I-Am: device object id, max APDU length, segmentation, vendor id (all application tags). */
static void bac_i_am(struct dec_out *out, const struct bac_who *who, const uint8_t *p, size_t n)
{
	size_t off = 0;
	uint32_t objid, max_apdu, seg, vid;

	if (!bac_expect_uint(p, n, &off, false, 12, &objid) ||
	    !bac_expect_uint(p, n, &off, false, 2, &max_apdu) ||
	    !bac_expect_uint(p, n, &off, false, 9, &seg) || !bac_expect_uint(p, n, &off, false, 2, &vid))
		return;
	bac_device_instance(out, who, objid);
	bac_fact(out, who, "bacnet_max_apdu", "%u", max_apdu);
	if (seg < 4)
		bac_fact(out, who, "bacnet_segmentation", "%s", bac_segmentation[seg]);
	bac_vendor(out, who, vid);
}

/* I-Have: device object id, object id, object name. Only the device is recorded. */
static void bac_i_have(struct dec_out *out, const struct bac_who *who, const uint8_t *p, size_t n)
{
	size_t off = 0;
	uint32_t objid;

	if (bac_expect_uint(p, n, &off, false, 12, &objid))
		bac_device_instance(out, who, objid);
}

/* "<service> analog-value,1 property=85 priority=8" for writeProperty and writePropertyMultiple. */
static void bac_write_property(const char *name, uint8_t svc, const uint8_t *p, size_t n, char *v,
			       size_t size)
{
	struct bac_tag t;
	size_t off = 0;
	uint32_t objid, prop, x;
	char obj[48];

	snprintf(v, size, "%s", name);
	if (!bac_expect_uint(p, n, &off, true, 0, &objid))
		return;
	bac_object_str(objid, obj, sizeof(obj));
	snprintf(v, size, "%s %s", name, obj);
	if (svc == 16) {
		/* [1] { [0] property, ... }: the first property written */
		if (!bac_tag(p, n, off, &t) || !t.opening || t.num != 1)
			return;
		off += t.hdr;
		if (bac_expect_uint(p, n, &off, true, 0, &prop))
			snprintf(v, size, "%s %s property=%u", name, obj, prop);
		return;
	}
	if (!bac_expect_uint(p, n, &off, true, 1, &prop))
		return;
	snprintf(v, size, "%s %s property=%u", name, obj, prop);
	bac_expect_uint(p, n, &off, true, 2, &x);
	if (!bac_tag(p, n, off, &t) || !t.opening || t.num != 3)
		return;
	off += t.hdr;
	if (bac_skip_to_close(p, n, &off, 3) && bac_expect_uint(p, n, &off, true, 4, &x))
		snprintf(v + strlen(v), size - strlen(v), " priority=%u", x);
}

/*
 * Writes and controls among confirmed requests (p/n: the service request): recorded on the requester and, when
 * it is on this link, on the target.
 */
static void bac_risky_request(struct dec_out *out, const struct bac_who *who, bool target_local, uint8_t svc,
			      const uint8_t *p, size_t n)
{
	const char *name = bac_confirmed[svc], *key = "bacnet_write";
	char v[160], obj[48];
	size_t off = 0;
	uint32_t objid, x, minutes;

	switch (svc) {
	case 15: /* writeProperty */
	case 16: /* writePropertyMultiple */
		bac_write_property(name, svc, p, n, v, sizeof(v));
		break;
	case 7:	 /* atomicWriteFile: the file object id (application tag) first */
	case 11: /* deleteObject: the object id (application tag) */
		if (bac_expect_uint(p, n, &off, false, 12, &objid)) {
			bac_object_str(objid, obj, sizeof(obj));
			snprintf(v, sizeof(v), "%s %s", name, obj);
		} else {
			snprintf(v, sizeof(v), "%s", name);
		}
		break;
	case 8: /* addListElement: [0] object, [1] property, ... */
	case 9: /* removeListElement */
		if (bac_expect_uint(p, n, &off, true, 0, &objid)) {
			bac_object_str(objid, obj, sizeof(obj));
			snprintf(v, sizeof(v), "%s %s", name, obj);
		} else {
			snprintf(v, sizeof(v), "%s", name);
		}
		break;
	case 10: /* createObject */
		snprintf(v, sizeof(v), "%s", name);
		break;
	case 20: /* reinitializeDevice: [0] state, [1] password (never recorded) */
		key = "bacnet_control";
		if (bac_expect_uint(p, n, &off, true, 0, &x) && x < 8)
			snprintf(v, sizeof(v), "%s %s", name, bac_reinit_states[x]);
		else
			snprintf(v, sizeof(v), "%s", name);
		break;
	case 17: /* deviceCommunicationControl: [0] minutes (optional), [1] enable/disable, [2] password */
		key = "bacnet_control";
		if (!bac_expect_uint(p, n, &off, true, 0, &minutes))
			minutes = 0;
		if (bac_expect_uint(p, n, &off, true, 1, &x) && x < 3)
			snprintf(v, sizeof(v), "%s %s", name, bac_dcc_states[x]);
		else
			snprintf(v, sizeof(v), "%s", name);
		if (minutes)
			snprintf(v + strlen(v), sizeof(v) - strlen(v), " minutes=%u", minutes);
		break;
	default:
		return;
	}
	bac_fact(out, who, key, "%s", v);
	if (target_local)
		ot_emitf(who->ctx, out, OBS_DST, key, "%s", v);
}

/* Where an NPDU comes from and goes to, beyond this link (clause 6.2). */
struct bac_route {
	bool snet, dnet;
	uint16_t net;	    /* SNET */
	const uint8_t *adr; /* SADR */
	uint8_t adr_len;
};

/* An I-Am relayed from another network: the device has no IP of its own, so it is listed on the router. */
static void bac_remote_i_am(struct dec_out *out, const struct bac_who *who, const struct bac_route *r,
			    const uint8_t *p, size_t n)
{
	size_t off = 0;
	uint32_t objid, max_apdu, seg, vid;
	char mac[2 * 8 + 1];

	if (!bac_expect_uint(p, n, &off, false, 12, &objid) ||
	    !bac_expect_uint(p, n, &off, false, 2, &max_apdu) ||
	    !bac_expect_uint(p, n, &off, false, 9, &seg) || !bac_expect_uint(p, n, &off, false, 2, &vid))
		return;
	dec_hex(r->adr, r->adr_len, mac);
	bac_fact(out, who, "bacnet_remote_device", "net=%u mac=%s instance=%u vendor_id=%u", r->net, mac,
		 objid & 0x3fffff, vid);
}

/* The APDU (clause 20.1). Returns false when its type is not one of the eight. */
static bool bac_apdu(struct dec_out *out, const struct bac_who *who, const struct bac_route *r,
		     const uint8_t *a, size_t n)
{
	const char *name;
	uint8_t type, svc;
	size_t hdr;
	bool seg;

	if (n < 2)
		return false;
	type = a[0] >> 4;
	seg = a[0] & 0x08;
	switch (type) {
	case 0: /* confirmed request: flags, max segments/APDU, invoke id, [sequence, window], service */
		hdr = seg ? 6 : 4;
		if (n < hdr)
			return true;
		svc = a[hdr - 1];
		name = OT_NAME(bac_confirmed, svc);
		if (r->snet)
			return true;
		bac_fact(out, who, "bacnet_service", "%s", name ? name : "unknown");
		if (name && (!seg || a[3] == 0))
			bac_risky_request(out, who, !r->dnet, svc, a + hdr, n - hdr);
		return true;
	case 1: /* unconfirmed request: flags, service */
		svc = a[1];
		name = OT_NAME(bac_unconfirmed, svc);
		if (r->snet) {
			if (svc == 0)
				bac_remote_i_am(out, who, r, a + 2, n - 2);
			return true;
		}
		bac_fact(out, who, "bacnet_service", "%s", name ? name : "unknown");
		if (svc == 0)
			bac_i_am(out, who, a + 2, n - 2);
		else if (svc == 1)
			bac_i_have(out, who, a + 2, n - 2);
		return true;
	case 3: /* complex ACK: flags, invoke id, [sequence, window], service */
		hdr = seg ? 5 : 3;
		if (n < hdr || (seg && a[2] != 0) || r->snet)
			return true; /* a later segment, or about a device on another network */
		svc = a[hdr - 1];
		if (svc == 12)
			bac_read_property_ack(out, who, a + hdr, n - hdr);
		else if (svc == 14)
			bac_read_property_multiple_ack(out, who, a + hdr, n - hdr);
		return true;
	case 2: /* simple ACK */
	case 4: /* segment ACK */
	case 5: /* error */
	case 6: /* reject */
	case 7: /* abort */
		return true;
	}
	return false;
}

/*
 * NPDU: version 1, control (bit 7 network message, bit 5 DNET, bit 3 SNET; bits 6 and 4 reserved), DNET DLEN
 * DADR, SNET SLEN SADR, hop count (with DNET), then a network message type or the APDU.
 */
static bool bac_npdu(struct dec_out *out, const struct bac_who *who, const uint8_t *p, size_t n)
{
	struct bac_route r = { 0 };
	size_t off = 2;
	uint8_t ctrl;

	if (n < 2 || p[0] != 1)
		return false;
	ctrl = p[1];
	if (ctrl & 0x50)
		return false;
	if (ctrl & 0x20) {
		if (off + 3 > n || off + 3 + p[off + 2] > n)
			return false;
		r.dnet = true;
		off += 3 + p[off + 2];
	}
	if (ctrl & 0x08) {
		if (off + 3 > n || p[off + 2] == 0 || p[off + 2] > 8 || off + 3 + p[off + 2] > n)
			return false;
		r.snet = true;
		r.net = dec_be16(p + off);
		r.adr_len = p[off + 2];
		r.adr = p + off + 3;
		off += 3 + p[off + 2];
	}
	if (ctrl & 0x20) {
		if (off >= n)
			return false;
		off++; /* hop count */
	}
	if (ctrl & 0x80) {
		/* Network layer message; I-Am-Router-To-Network (0x01) comes from a router. */
		if (off >= n)
			return false;
		if (p[off] == 0x01 && !r.snet)
			bac_fact(out, who, "bacnet_role", "router");
		return true;
	}
	return bac_apdu(out, who, &r, p + off, n - off);
}

/* The ends of the packet that are on a BACnet port speak BACnet. */
static void bac_app_protocol(const struct dec_ctx *ctx, struct dec_out *out, const struct bac_who *who)
{
	if (bacnet_port(ctx->sport))
		ot_emitf(ctx, out, OBS_SRC, "app_protocol", "BACnet");
	if (bacnet_port(ctx->dport))
		ot_emitf(ctx, out, OBS_DST, "app_protocol", "BACnet");
	if (who->ip)
		bac_fact(out, who, "app_protocol", "BACnet");
}

/*
 * BVLC (annex J): type 0x81, function, length of the whole message. Functions 0x04 (Forwarded-NPDU, after the
 * 6-byte originator address), 0x09, 0x0a and 0x0b carry an NPDU; the others manage the broadcast distribution.
 */
static int bacnet_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	struct bac_who who = { .ctx = ctx };
	struct iot_addr orig;
	int n0 = out->n;
	size_t len, off = 4;
	uint8_t fn;

	if (n < 4 || p[0] != 0x81)
		return -1;
	fn = p[1];
	len = dec_be16(p + 2);
	if (len < 4 || fn > 0x0c)
		return -1;
	/*
	 * The length should equal the datagram's. Some stacks get it wrong (icsnpp-bacnet-example.pcap has
	 * reinitializeDevice exchanges that say 17 for 9 to 25 bytes): count it, and read what both allow.
	 */
	if (len != n) {
		if (!ctx->truncated)
			out->malformed++;
		if (len > n)
			len = n;
	}
	if (fn == 0x04) {
		if (len < 10)
			return -1;
		dec_addr_from_v4(&orig, p + 4);
		who.ip = &orig;
		off = 10;
	}
	bac_app_protocol(ctx, out, &who);
	if ((fn == 0x04 || fn == 0x09 || fn == 0x0a || fn == 0x0b) &&
	    !bac_npdu(out, &who, p + off, len - off))
		return -1;
	return out->n - n0;
}

const struct decoder dec_bacnet = {
	.name = "bacnet",
	.match = bacnet_match,
	.decode = bacnet_decode,
};
