// SPDX-License-Identifier: GPL-2.0-only
/*
 * EtherNet/IP (TCP and UDP port 44818) and its class 1 I/O (UDP port 2222), after the CIP Networks Library
 * vol. 1 (CIP) and vol. 2 (EtherNet/IP adaptation). Reads every encapsulation message of the packet (command,
 * length, session, status, options), bounded; the ListIdentity answer (CPF item 0x0c); and the CIP messages
 * carried by SendRRData / SendUnitData, including those nested in Multiple_Service_Packet and
 * Unconnected_Send (bounded depth and count, bounded EPATH parsing).
 *
 * Keys (server = the side on port 44818):
 *   app_protocol      "EthernetIP" on the server (on the producer for class 1 I/O)
 *   cip_vendor_id, cip_vendor, cip_device_type, cip_product_code, cip_revision ("4.3"), cip_status ("0x0030"),
 *   cip_serial ("0x00524d8e"), cip_product_name, cip_state ("0x03")
 *                     identity of the device that answers ListIdentity (or Get_Attributes_All on the Identity
 *                     object), on that device
 *   cip_service       service of a CIP request ("Get_Attributes_All", "Read_Tag"), on the requester
 *   cip_write         a request that changes data ("Set_Attribute_Single class=0xf5 instance=1 attribute=5",
 *                     "Write_Tag tag=Speed"), on the requester and on the target
 *   cip_reset         Reset service ("class=0x01 instance=1 type=0"), on the requester and on the target
 *   cip_control       Start / Stop services ("Stop class=0x8e instance=1"), on the requester and on the target
 */
#include "decoder.h"
#include "ot_util.h"

#define ENIP_PORT 44818
#define ENIP_IO_PORT 2222
#define ENIP_HDR 24
#define ENIP_MAX_MSGS 8
#define ENIP_MAX_ITEMS 8
#define CIP_MAX_DEPTH 2	    /* Unconnected_Send carrying a Multiple_Service_Packet */
#define CIP_MAX_SERVICES 16 /* per Multiple_Service_Packet */
#define CIP_MAX_SEGMENTS 16 /* per EPATH */

#define CPF_NULL 0x0000
#define CPF_IDENTITY 0x000c
#define CPF_CONNECTED_ADDR 0x00a1
#define CPF_CONNECTED_DATA 0x00b1
#define CPF_UNCONNECTED_DATA 0x00b2
#define CPF_SEQUENCED_ADDR 0x8002

/* The vendors most often met on plant networks (ODVA vendor id registry). */
static const struct {
	uint16_t id;
	const char *name;
} cip_vendors[] = {
	{ 1, "Rockwell Automation/Allen-Bradley" },
	{ 5, "Rockwell Automation/Reliance Elec." },
	{ 8, "Molex Incorporated" },
	{ 12, "Banner Engineering Corp." },
	{ 26, "Festo Corporation" },
	{ 40, "Wago Corporation" },
	{ 43, "BALLUFF, Inc." },
	{ 44, "Yaskawa Electric America, Inc." },
	{ 46, "ABB Industrial Systems" },
	{ 47, "Omron Corporation" },
	{ 48, "TURCk, Inc." },
	{ 57, "Pepperl + Fuchs" },
	{ 68, "Eaton Electrical" },
	{ 77, "Rockwell Software, Inc." },
	{ 82, "Mitsubishi Electric Automation, Inc." },
	{ 83, "OPTO-22" },
	{ 90, "HMS Industrial Networks AB" },
	{ 108, "Beckhoff Automation GmbH" },
	{ 145, "Siemens Energy & Automation/Drives" },
	{ 161, "Mitsubishi Electric Corporation" },
	{ 176, "Red Lion Controls" },
	{ 243, "Schneider Automation, Inc." },
	{ 250, "Yokogawa Electric Corporation" },
	{ 283, "Hilscher GmbH" },
	{ 309, "Prosoft Technology" },
	{ 322, "ifm efector, inc." },
	{ 345, "Endress + Hauser" },
	{ 356, "Fanuc Robotics America" },
	{ 367, "Keyence Corporation" },
	{ 562, "Phoenix Contact" },
	{ 634, "Hirschmann, Inc." },
	{ 678, "Cognex Corporation" },
	{ 808, "SICK AG" },
	{ 939, "Cisco Systems" },
	{ 991, "Moxa Networking Co., Ltd." },
};

/* CIP device profiles (Identity object attribute 2). */
static const char *const cip_device_types[] = {
	[0x00] = "Generic Device (deprecated)",
	[0x02] = "AC Drive",
	[0x03] = "Motor Overload",
	[0x04] = "Limit Switch",
	[0x05] = "Inductive Proximity Switch",
	[0x06] = "Photoelectric Sensor",
	[0x07] = "General Purpose Discrete I/O",
	[0x09] = "Resolver",
	[0x0c] = "Communications Adapter",
	[0x0e] = "Programmable Logic Controller",
	[0x10] = "Position Controller",
	[0x13] = "DC Drive",
	[0x15] = "Contactor",
	[0x16] = "Motor Starter",
	[0x17] = "Soft Start",
	[0x18] = "Human-Machine Interface",
	[0x1a] = "Mass Flow Controller",
	[0x1b] = "Pneumatic Valve",
	[0x1c] = "Vacuum Pressure Gauge",
	[0x1d] = "Process Control Value",
	[0x1e] = "Residual Gas Analyzer",
	[0x1f] = "DC Power Generator",
	[0x20] = "RF Power Generator",
	[0x21] = "Turbomolecular Vacuum Pump",
	[0x22] = "Encoder",
	[0x23] = "Safety Discrete I/O Device",
	[0x24] = "Fluid Flow Controller",
	[0x25] = "CIP Motion Drive",
	[0x26] = "CompoNet Repeater",
	[0x27] = "Mass Flow Controller, Enhanced",
	[0x28] = "CIP Modbus Device",
	[0x29] = "CIP Modbus Translator",
	[0x2a] = "Safety Analog I/O Device",
	[0x2b] = "Generic Device (keyable)",
	[0x2c] = "Managed Ethernet Switch",
	[0x2d] = "CIP Motion Safety Drive Device",
	[0x2e] = "Safety Drive Device",
	[0x2f] = "CIP Motion Encoder",
	[0x30] = "CIP Motion Converter",
	[0x31] = "CIP Motion I/O",
	[0x32] = "ControlNet Physical Layer Component",
	[0x33] = "Circuit Breaker",
	[0x34] = "HART Device",
	[0x35] = "CIP-HART Translator",
	[0xc8] = "Embedded Component",
};

/* CIP common services (vol. 1, appendix A). */
static const char *const cip_common_services[] = {
	[0x01] = "Get_Attributes_All",
	[0x02] = "Set_Attributes_All",
	[0x03] = "Get_Attribute_List",
	[0x04] = "Set_Attribute_List",
	[0x05] = "Reset",
	[0x06] = "Start",
	[0x07] = "Stop",
	[0x08] = "Create",
	[0x09] = "Delete",
	[0x0a] = "Multiple_Service_Packet",
	[0x0d] = "Apply_Attributes",
	[0x0e] = "Get_Attribute_Single",
	[0x10] = "Set_Attribute_Single",
	[0x11] = "Find_Next_Object_Instance",
	[0x14] = "Error_Response",
	[0x15] = "Restore",
	[0x16] = "Save",
	[0x17] = "No_Operation",
	[0x18] = "Get_Member",
	[0x19] = "Set_Member",
	[0x1a] = "Insert_Member",
	[0x1b] = "Remove_Member",
	[0x1c] = "GroupSync",
};

/* What a request's EPATH names: the first class, instance and attribute, and a symbolic tag. */
struct cip_path {
	int32_t class_id, instance, attribute; /* -1 when absent */
	const uint8_t *tag;
	size_t tag_len;
};

static bool enip_known_command(uint16_t cmd)
{
	switch (cmd) {
	case 0x0000: /* NOP */
	case 0x0004: /* ListServices */
	case 0x0063: /* ListIdentity */
	case 0x0064: /* ListInterfaces */
	case 0x0065: /* RegisterSession */
	case 0x0066: /* UnRegisterSession */
	case 0x006f: /* SendRRData */
	case 0x0070: /* SendUnitData */
	case 0x0072: /* IndicateStatus */
	case 0x0073: /* Cancel */
		return true;
	}
	return false;
}

static bool enip_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	if (ctx->l4_proto == 17 && dec_port_is(ctx, ENIP_IO_PORT) && !dec_port_is(ctx, ENIP_PORT))
		return n >= 6;
	if (ctx->l4_proto != 6 && ctx->l4_proto != 17)
		return false;
	return dec_port_is(ctx, ENIP_PORT) && n >= ENIP_HDR && enip_known_command(dec_le16(p));
}

static const char *cip_vendor_name(uint16_t id)
{
	for (size_t i = 0; i < sizeof(cip_vendors) / sizeof(cip_vendors[0]); i++)
		if (cip_vendors[i].id == id)
			return cip_vendors[i].name;
	return NULL;
}

/* An identity fact on the answering device, with the confidence of the way it was found. */
static __attribute__((format(printf, 5, 6))) void cip_fact(const struct dec_ctx *ctx, struct dec_out *out,
							   uint8_t confidence, const char *key,
							   const char *fmt, ...)
{
	struct iot_obs *o;
	va_list ap;

	va_start(ap, fmt);
	o = ot_vemitf(ctx, out, OBS_SRC, NULL, key, fmt, ap);
	va_end(ap);
	if (o)
		o->confidence = confidence;
}

/*
 * The Identity object attributes 1-7 as ListIdentity and Get_Attributes_All return them: vendor, device type,
 * product code, revision (major, minor), status, serial, product name (SHORT_STRING). Returns the bytes used,
 * 0 when they do not fit.
 */
static size_t cip_identity(const struct dec_ctx *ctx, struct dec_out *out, const uint8_t *d, size_t n,
			   uint8_t conf)
{
	const char *vendor, *type;
	uint16_t vid, dtype;
	size_t name_len;

	if (n < 15)
		return 0;
	name_len = d[14];
	if (name_len > n - 15)
		return 0;
	vid = dec_le16(d);
	dtype = dec_le16(d + 2);
	vendor = cip_vendor_name(vid);
	type = OT_NAME(cip_device_types, dtype);
	cip_fact(ctx, out, conf, "cip_vendor_id", "%u", vid);
	if (vendor)
		cip_fact(ctx, out, conf, "cip_vendor", "%s", vendor);
	if (type)
		cip_fact(ctx, out, conf, "cip_device_type", "%s", type);
	else
		cip_fact(ctx, out, conf, "cip_device_type", "0x%02x", dtype);
	cip_fact(ctx, out, conf, "cip_product_code", "%u", dec_le16(d + 4));
	cip_fact(ctx, out, conf, "cip_revision", "%u.%u", d[6], d[7]);
	cip_fact(ctx, out, conf, "cip_status", "0x%04x", dec_le16(d + 8));
	cip_fact(ctx, out, conf, "cip_serial", "0x%08x", dec_le32(d + 10));
	cip_fact(ctx, out, conf, "cip_product_name", "%.*s", (int)name_len, (const char *)d + 15);
	return 15 + name_len;
}

/* ListIdentity item: protocol version (2), socket address (16), identity, state (1). */
static void enip_identity_item(const struct dec_ctx *ctx, struct dec_out *out, const uint8_t *d, size_t n)
{
	size_t used;

	if (n < 18)
		return;
	used = cip_identity(ctx, out, d + 18, n - 18, 90);
	if (used && 18 + used < n)
		ot_emitf(ctx, out, OBS_SRC, "cip_state", "0x%02x", d[18 + used]);
}

/*
 * EPATH (vol. 1, appendix C), bounded: logical segments (class, instance, member, connection point,
 * attribute; 8, 16 or 32 bit), the electronic key, port segments and ANSI extended symbols. Stops at anything
 * else.
 */
static void cip_parse_path(const uint8_t *p, size_t n, struct cip_path *cp)
{
	size_t i = 0;

	cp->class_id = cp->instance = cp->attribute = -1;
	cp->tag = NULL;
	cp->tag_len = 0;
	for (int segs = 0; segs < CIP_MAX_SEGMENTS && i < n; segs++) {
		uint8_t s = p[i];

		if ((s & 0xe0) == 0x20 && s != 0x34) {
			/* Logical: type in bits 2-4, format in bits 0-1 (8, padded 16 or padded 32 bits). */
			uint8_t type = (s >> 2) & 7, fmt = s & 3;
			size_t len = fmt == 0 ? 2 : fmt == 1 ? 4 : fmt == 2 ? 6 : 0;
			int32_t v;

			if (!len || i + len > n)
				return;
			if (fmt == 0)
				v = p[i + 1];
			else if (fmt == 1)
				v = dec_le16(p + i + 2);
			else
				v = (int32_t)(dec_le32(p + i + 2) & 0x7fffffff);
			if (type == 0 && cp->class_id < 0)
				cp->class_id = v;
			else if (type == 1 && cp->instance < 0)
				cp->instance = v;
			else if (type == 4 && cp->attribute < 0)
				cp->attribute = v;
			i += len;
		} else if (s == 0x34) {
			/* Electronic key: key format 4, then 8 bytes. */
			if (i + 10 > n)
				return;
			i += 10;
		} else if (s == 0x91) {
			/* ANSI extended symbol: length, characters, pad to an even size. */
			size_t len;

			if (i + 2 > n)
				return;
			len = p[i + 1];
			if (i + 2 + len > n)
				return;
			if (!cp->tag) {
				cp->tag = p + i + 2;
				cp->tag_len = len;
			}
			i += 2 + len + (len & 1);
		} else if (s < 0x20) {
			/* Port: bit 4 = extended link address (size follows), port 15 = 16-bit id follows. */
			size_t len;

			if (i + 2 > n)
				return;
			if (s & 0x10) {
				len = 2 + p[i + 1] + ((s & 0x0f) == 15 ? 2 : 0);
				len += len & 1;
			} else {
				len = 2 + ((s & 0x0f) == 15 ? 2 : 0);
			}
			i += len;
		} else {
			return;
		}
	}
}

/* Service name; Logix and connection manager services depend on the object addressed. */
static const char *cip_service_name(uint8_t svc, const struct cip_path *cp)
{
	const char *common = OT_NAME(cip_common_services, svc);
	bool logix = cp->tag || cp->class_id == 0x6b || cp->class_id == 0x6c;

	if (common)
		return common;
	if (cp->class_id == 0x06) {
		switch (svc) {
		case 0x4e:
			return "Forward_Close";
		case 0x52:
			return "Unconnected_Send";
		case 0x54:
			return "Forward_Open";
		case 0x5a:
			return "Get_Connection_Owner";
		case 0x5b:
			return "Large_Forward_Open";
		}
	}
	if (logix) {
		switch (svc) {
		case 0x4c:
			return "Read_Tag";
		case 0x4d:
			return "Write_Tag";
		case 0x4e:
			return "Read_Modify_Write_Tag";
		case 0x52:
			return "Read_Tag_Fragmented";
		case 0x53:
			return "Write_Tag_Fragmented";
		case 0x55:
			return "Get_Instance_Attribute_List";
		}
	}
	if (cp->class_id == 0x67 && svc == 0x4b)
		return "Execute_PCCC";
	return NULL;
}

/* Services that change the data or configuration of the object addressed. */
static bool cip_is_write(uint8_t svc, const struct cip_path *cp)
{
	bool logix = cp->tag || cp->class_id == 0x6b || cp->class_id == 0x6c;

	switch (svc) {
	case 0x02: /* Set_Attributes_All */
	case 0x04: /* Set_Attribute_List */
	case 0x08: /* Create */
	case 0x09: /* Delete */
	case 0x10: /* Set_Attribute_Single */
	case 0x15: /* Restore */
	case 0x19: /* Set_Member */
	case 0x1a: /* Insert_Member */
	case 0x1b: /* Remove_Member */
		return true;
	case 0x4d: /* Write_Tag */
	case 0x4e: /* Read_Modify_Write_Tag */
	case 0x53: /* Write_Tag_Fragmented */
		return logix;
	}
	return false;
}

/* " tag=X class=0x01 instance=1 attribute=7": only the parts the path has, each after a space. */
static void cip_path_str(const struct cip_path *cp, char *buf, size_t size)
{
	size_t w = 0;

	buf[0] = 0;
	if (cp->tag)
		w += (size_t)snprintf(buf + w, size - w, " tag=%.*s", (int)cp->tag_len,
				      (const char *)cp->tag);
	if (cp->class_id >= 0 && w < size)
		w += (size_t)snprintf(buf + w, size - w, " class=0x%02x", (unsigned int)cp->class_id);
	if (cp->instance >= 0 && w < size)
		w += (size_t)snprintf(buf + w, size - w, " instance=%d", cp->instance);
	if (cp->attribute >= 0 && w < size)
		snprintf(buf + w, size - w, " attribute=%d", cp->attribute);
}

/* A fact about a request that changes the target: on the requester and on the target. */
static __attribute__((format(printf, 4, 5))) void cip_both(const struct dec_ctx *ctx, struct dec_out *out,
							   const char *key, const char *fmt, ...)
{
	char v[OBS_VALUE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	ot_emitf(ctx, out, OBS_SRC, key, "%s", v);
	ot_emitf(ctx, out, OBS_DST, key, "%s", v);
}

static void cip_msg(const struct dec_ctx *ctx, struct dec_out *out, const uint8_t *m, size_t n, int depth);

/* Multiple_Service_Packet data (request or reply): count, offsets from the count, then the services. */
static void cip_multiple(const struct dec_ctx *ctx, struct dec_out *out, const uint8_t *d, size_t n,
			 int depth)
{
	unsigned int count;

	if (n < 2)
		return;
	count = dec_le16(d);
	if (count > CIP_MAX_SERVICES)
		count = CIP_MAX_SERVICES;
	if (2 + 2 * (size_t)count > n)
		return;
	for (unsigned int i = 0; i < count; i++) {
		size_t start = dec_le16(d + 2 + 2 * i);
		size_t end = i + 1 < count ? dec_le16(d + 4 + 2 * i) : n;

		if (start < 2 + 2 * (size_t)count || start >= end || end > n)
			continue;
		cip_msg(ctx, out, d + start, end - start, depth + 1);
	}
}

/* The request side: service, path size (words), path, data. */
static void cip_request(const struct dec_ctx *ctx, struct dec_out *out, const uint8_t *m, size_t n, int depth)
{
	uint8_t svc = m[0];
	size_t plen = (size_t)m[1] * 2;
	const uint8_t *d = m + 2 + plen;
	struct cip_path cp;
	const char *name;
	char where[128];

	if (2 + plen > n)
		return;
	cip_parse_path(m + 2, plen, &cp);
	name = cip_service_name(svc, &cp);
	if (name)
		ot_emitf(ctx, out, OBS_SRC, "cip_service", "%s", name);
	else
		ot_emitf(ctx, out, OBS_SRC, "cip_service", "0x%02x", svc);
	cip_path_str(&cp, where, sizeof(where));
	n -= 2 + plen;

	switch (svc) {
	case 0x05:
		/* Reset: optional type (0 power cycle, 1 factory defaults, 2 keep communication settings). */
		if (n >= 1)
			cip_both(ctx, out, "cip_reset", "%s type=%u", where[0] ? where + 1 : "", d[0]);
		else
			cip_both(ctx, out, "cip_reset", "%s", where[0] ? where + 1 : "reset");
		return;
	case 0x06:
	case 0x07:
		cip_both(ctx, out, "cip_control", "%s%s", name, where);
		return;
	case 0x0a:
		if (depth < CIP_MAX_DEPTH)
			cip_multiple(ctx, out, d, n, depth);
		return;
	}
	if (cip_is_write(svc, &cp)) {
		cip_both(ctx, out, "cip_write", "%s%s", name, where);
		return;
	}
	/*
	 * Unconnected_Send: priority/tick, timeout, embedded request size (2), embedded request, pad, route
	 * path. The embedded request is the real one.
	 */
	if (svc == 0x52 && cp.class_id == 0x06 && n >= 4 && depth < CIP_MAX_DEPTH) {
		size_t len = dec_le16(d + 2);

		if (len <= n - 4)
			cip_msg(ctx, out, d + 4, len, depth + 1);
	}
}

/*
 * One CIP message. Replies (service bit 7): reserved, general status, additional status size (words), then
 * data. Only two replies say something: a Multiple_Service_Packet (its replies) and a successful
 * Get_Attributes_All whose data has exactly the shape of the Identity object.
 */
static void cip_msg(const struct dec_ctx *ctx, struct dec_out *out, const uint8_t *m, size_t n, int depth)
{
	size_t hdr;

	if (n < 2 || depth > CIP_MAX_DEPTH)
		return;
	if (!(m[0] & 0x80)) {
		cip_request(ctx, out, m, n, depth);
		return;
	}
	if (n < 4 || m[2] != 0)
		return;
	hdr = 4 + (size_t)m[3] * 2;
	if (hdr > n)
		return;
	if (m[0] == 0x8a && depth < CIP_MAX_DEPTH) {
		cip_multiple(ctx, out, m + hdr, n - hdr, depth);
	} else if (m[0] == 0x81) {
		const uint8_t *d = m + hdr;
		size_t dn = n - hdr;

		/*
		 * Stateless, the class answered is unknown: take the data for an Identity only when the name
		 * is printable and the name ends the data or leaves at most a few attributes after it.
		 */
		if (dn >= 16 && d[14] >= 1 && (size_t)d[14] <= dn - 15 && dn - 15 - d[14] <= 12 &&
		    ot_printable(d + 15, d[14]) && dec_le16(d) != 0)
			cip_identity(ctx, out, d, dn, 70);
	}
}

/*
 * Common Packet Format: item count, then (type, length, data) items. Calls back for identity and CIP data
 * items.
 */
static void enip_cpf(const struct dec_ctx *ctx, struct dec_out *out, const uint8_t *d, size_t n)
{
	unsigned int count;
	size_t off = 2;

	if (n < 2)
		return;
	count = dec_le16(d);
	for (unsigned int i = 0; i < count && i < ENIP_MAX_ITEMS; i++) {
		uint16_t type, len;

		if (off + 4 > n)
			return;
		type = dec_le16(d + off);
		len = dec_le16(d + off + 2);
		off += 4;
		if (len > n - off)
			len = (uint16_t)(n - off); /* cut by the snapshot or lying: read only what is there */
		if (type == CPF_IDENTITY)
			enip_identity_item(ctx, out, d + off, len);
		else if (type == CPF_UNCONNECTED_DATA)
			cip_msg(ctx, out, d + off, len, 0);
		else if (type == CPF_CONNECTED_DATA && len >= 2)
			cip_msg(ctx, out, d + off + 2, len - 2u, 0); /* after the connection sequence count */
		off += len;
	}
}

/* Class 1 I/O on UDP 2222: a CPF with a sequenced address item and a connected data item, nothing else. */
static int enip_io(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	unsigned int count = dec_le16(p);
	size_t off = 2;
	bool addr = false, data = false;

	if (count < 2 || count > 4)
		return -1;
	for (unsigned int i = 0; i < count; i++) {
		uint16_t type, len;

		if (off + 4 > n)
			return -1;
		type = dec_le16(p + off);
		len = dec_le16(p + off + 2);
		off += 4;
		if (len > n - off)
			return -1;
		if ((type == CPF_SEQUENCED_ADDR && len == 8) || (type == CPF_CONNECTED_ADDR && len == 4))
			addr = true;
		else if (type == CPF_CONNECTED_DATA)
			data = true;
		off += len;
	}
	if (off != n || !addr || !data)
		return -1;
	return ot_emitf(ctx, out, OBS_SRC, "app_protocol", "EthernetIP") ? 1 : 0;
}

static int enip_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	int n0 = out->n;
	size_t off = 0;
	int msgs;

	if (ctx->l4_proto == 17 && dec_port_is(ctx, ENIP_IO_PORT) && !dec_port_is(ctx, ENIP_PORT))
		return n >= 6 ? enip_io(ctx, p, n, out) : -1;
	for (msgs = 0; msgs < ENIP_MAX_MSGS && n - off >= ENIP_HDR; msgs++) {
		const uint8_t *h = p + off;
		uint16_t cmd = dec_le16(h);
		size_t len = dec_le16(h + 2);
		const uint8_t *d = h + ENIP_HDR;

		/* A known command, options 0 (the specification has receivers drop anything else). */
		if (!enip_known_command(cmd) || dec_le32(h + 20) != 0)
			break;
		if (len > n - off - ENIP_HDR) {
			if (!ctx->truncated)
				break;
			len = n - off - ENIP_HDR;
		}
		if (msgs == 0)
			ot_emitf(ctx, out, ot_server(ctx, ENIP_PORT), "app_protocol", "EthernetIP");
		/* A ListIdentity request has no data; the answer carries the identity item. */
		if (cmd == 0x0063 && len > 0)
			enip_cpf(ctx, out, d, len);
		/* SendRRData / SendUnitData without error status: interface handle, timeout, the CPF. */
		else if ((cmd == 0x006f || cmd == 0x0070) && len >= 6 && dec_le32(h + 8) == 0)
			enip_cpf(ctx, out, d + 6, len - 6);
		off += ENIP_HDR + len;
	}
	return msgs ? out->n - n0 : -1;
}

const struct decoder dec_enip = {
	.name = "enip",
	.match = enip_match,
	.decode = enip_decode,
};
