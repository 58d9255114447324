// SPDX-License-Identifier: GPL-2.0-only
/*
 * Siemens S7comm and S7comm-plus on ISO-on-TCP (TCP port 102): TPKT (RFC 1006, version 3), COTP (ISO 8073:
 * CR, CC, DT), then the S7 PDU (protocol id 0x32) or the S7comm-plus PDU (protocol id 0x72). Several TPKTs per
 * segment are read, bounded. The S7 layouts follow the public descriptions of the protocol (Siemens documents
 * the SZL lists in "System Software for S7-300/400 System and Standard Functions"; the PDU framing is known
 * from interoperability work, e.g. Snap7).
 *
 * Port 102 also carries other ISO protocols (IEC 61850 MMS), so nothing is said about a flow until an S7 PDU
 * is seen. Server = the side on port 102 (the PLC), client = the other (PG, HMI, SCADA).
 *
 * Keys:
 *   app_protocol       "S7comm" or "S7CommPlus", on the server
 *   s7_function        job/userdata function of a request ("setup_comm", "read_var", "read_szl"), on the client
 *   s7_write           a write_var item ("area=DB db=1 addr=0.0 size=BYTE count=4"), on the client and the PLC
 *   s7_download        a block download ("DB1"), on both sides
 *   s7_upload          a block upload ("SDB0"), on the client
 *   s7_plc_stop        PLC stop (function 0x29) with its PI service ("P_PROGRAM"), on the client and the PLC
 *   s7_plc_control     PI service (function 0x28: "_INSE DB1", "P_PROGRAM"), on the client and the PLC
 *   s7_module_order, s7_firmware                        SZL 0x0011 module identification, on the PLC
 *   s7_system_name, s7_module_name, s7_plant_id, s7_copyright, s7_module_serial, s7_module_type,
 *   s7_memory_card_serial, s7_location                 SZL 0x001c component identification, on the PLC
 *   s7_cpu_state       "RUN", "STOP", ... from SZL 0x0424, on the PLC
 *   s7_plus_version    S7comm-plus protocol version ("V2", "V3") of data PDUs, on the server
 *   s7_plus_function   S7comm-plus request function ("CreateObject"), on the client
 */
#include "decoder.h"
#include "ot_util.h"

#define S7_PORT 102
#define S7_MAX_TPKTS 8
#define S7_MAX_WRITE_ITEMS 4
#define S7_MAX_SZL_RECORDS 16

#define COTP_CR 0xe0
#define COTP_CC 0xd0
#define COTP_DT 0xf0

enum { ROSCTR_JOB = 1, ROSCTR_ACK = 2, ROSCTR_ACK_DATA = 3, ROSCTR_USERDATA = 7 };

static const struct {
	uint8_t code;
	const char *name;
} s7_functions[] = {
	{ 0x00, "cpu_services" },     { 0x04, "read_var" },	  { 0x05, "write_var" },
	{ 0x1a, "request_download" }, { 0x1b, "download_block" }, { 0x1c, "download_ended" },
	{ 0x1d, "start_upload" },     { 0x1e, "upload" },	  { 0x1f, "end_upload" },
	{ 0x28, "plc_control" },      { 0x29, "plc_stop" },	  { 0xf0, "setup_comm" },
};

/* Memory areas of an S7ANY address. */
static const struct {
	uint8_t code;
	const char *name;
} s7_areas[] = {
	{ 0x03, "SYS" }, { 0x05, "SYSINFO" }, { 0x06, "SYSFLAGS" }, { 0x07, "ANAIN" }, { 0x08, "ANAOUT" },
	{ 0x1c, "C" }, { 0x1d, "T" }, { 0x1e, "IEC_C" }, { 0x1f, "IEC_T" }, { 0x80, "P" }, { 0x81, "I" },
	{ 0x82, "Q" }, { 0x83, "M" }, { 0x84, "DB" }, { 0x85, "DI" }, { 0x86, "L" }, { 0x87, "V" },
};

/* Transport sizes of an S7ANY address. */
static const char *const s7_sizes[] = {
	[1] = "BIT", [2] = "BYTE", [3] = "CHAR", [4] = "WORD", [5] = "INT", [6] = "DWORD", [7] = "DINT",
	[8] = "REAL", [9] = "DATE", [10] = "TOD", [11] = "TIME", [12] = "S5TIME", [15] = "DATE_AND_TIME",
	[28] = "COUNTER", [29] = "TIMER", [30] = "IEC_TIMER", [31] = "IEC_COUNTER",
};

/* Block types in a file name: two hex digits. */
static const struct {
	char code[3];
	const char *name;
} s7_blocks[] = {
	{ "08", "OB" }, { "0A", "DB" }, { "0B", "SDB" }, { "0C", "FC" }, { "0D", "SFC" }, { "0E", "FB" },
	{ "0F", "SFB" },
};

/* SZL 0x001c component identification: record index -> key (text records only). */
static const char *const s7_component_keys[] = {
	[1] = "s7_system_name",
	[2] = "s7_module_name",
	[3] = "s7_plant_id",
	[4] = "s7_copyright",
	[5] = "s7_module_serial",
	[7] = "s7_module_type",
	[8] = "s7_memory_card_serial",
	[11] = "s7_location",
};

/* S7comm-plus function codes that are well established. */
static const struct {
	uint16_t code;
	const char *name;
} s7p_functions[] = {
	{ 0x04bb, "Explore" }, { 0x04ca, "CreateObject" }, { 0x04d4, "DeleteObject" },
	{ 0x04f2, "SetVariable" }, { 0x0542, "SetMultiVariables" }, { 0x054c, "GetMultiVariables" },
};

static bool s7comm_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	return ctx->l4_proto == 6 && dec_port_is(ctx, S7_PORT) && n >= 7 && p[0] == 3 && p[1] == 0;
}

static void s7_emit_both(const struct dec_ctx *ctx, struct dec_out *out, const char *key, const char *val)
{
	ot_emitf(ctx, out, OBS_SRC, key, "%s", val);
	ot_emitf(ctx, out, OBS_DST, key, "%s", val);
}

/*
 * A block file name: '_', block type (2 hex digits), number (5 digits), file system ('P', 'A', 'B'). Written as
 * "DB1"; anything else is passed on as it is (the emitter neutralises it).
 */
static void s7_block_name(const uint8_t *f, size_t len, char *buf, size_t size)
{
	unsigned int num = 0;

	if (len >= 8 && f[0] == '_') {
		for (size_t i = 0; i < sizeof(s7_blocks) / sizeof(s7_blocks[0]); i++) {
			if (f[1] != s7_blocks[i].code[0] || f[2] != s7_blocks[i].code[1])
				continue;
			for (int k = 3; k < 8; k++) {
				if (f[k] < '0' || f[k] > '9')
					goto raw;
				num = num * 10 + (unsigned int)(f[k] - '0');
			}
			snprintf(buf, size, "%s%u", s7_blocks[i].name, num);
			return;
		}
	}
raw:
	snprintf(buf, size, "%.*s", (int)(len < 32 ? len : 32), (const char *)f);
}

/* write_var request: function, item count, then 12-byte S7ANY items. */
static void s7_write_var(const struct dec_ctx *ctx, struct dec_out *out, const uint8_t *par, size_t plen)
{
	unsigned int count;
	size_t off = 2;

	if (plen < 2) {
		s7_emit_both(ctx, out, "s7_write", "write_var");
		return;
	}
	count = par[1];
	for (unsigned int i = 0; i < count && i < S7_MAX_WRITE_ITEMS; i++) {
		const uint8_t *it = par + off;
		const char *area = NULL, *size;
		char v[128];
		uint32_t addr;

		if (off + 2 > plen || it[0] != 0x12 || it[1] > plen - off - 2)
			break;
		off += 2 + (size_t)it[1];
		if (it[1] < 10 || it[2] != 0x10) {
			/* Not S7ANY (e.g. DB read or symbolic addressing): still a write. */
			if (it[1] >= 1)
				snprintf(v, sizeof(v), "syntax=0x%02x", it[2]);
			else
				snprintf(v, sizeof(v), "write_var");
			s7_emit_both(ctx, out, "s7_write", v);
			continue;
		}
		for (size_t k = 0; k < sizeof(s7_areas) / sizeof(s7_areas[0]); k++)
			if (s7_areas[k].code == it[8])
				area = s7_areas[k].name;
		size = OT_NAME(s7_sizes, it[3]);
		addr = (uint32_t)it[9] << 16 | (uint32_t)it[10] << 8 | it[11];
		if (it[8] == 0x84 || it[8] == 0x85)
			snprintf(v, sizeof(v), "area=%s db=%u addr=%u.%u size=%s count=%u", area,
				 dec_be16(it + 6), addr >> 3, addr & 7, size ? size : "?", dec_be16(it + 4));
		else if (area)
			snprintf(v, sizeof(v), "area=%s addr=%u.%u size=%s count=%u", area, addr >> 3,
				 addr & 7, size ? size : "?", dec_be16(it + 4));
		else
			snprintf(v, sizeof(v), "area=0x%02x addr=%u.%u size=%s count=%u", it[8], addr >> 3,
				 addr & 7, size ? size : "?", dec_be16(it + 4));
		s7_emit_both(ctx, out, "s7_write", v);
	}
	if (count == 0 || off == 2)
		s7_emit_both(ctx, out, "s7_write", "write_var");
}

/*
 * PI service (0x28): function, 7 unknown bytes, parameter block length (2), parameter block, name length (1),
 * service name. For _INSE and _DELE the parameter block lists blocks: count, 1 byte, then 8 bytes per block
 * (type, number, file system).
 */
static void s7_pi_service(const struct dec_ctx *ctx, struct dec_out *out, const uint8_t *par, size_t plen)
{
	size_t blen, off;
	uint8_t slen;
	char v[96], blk[40];

	if (plen < 10) {
		s7_emit_both(ctx, out, "s7_plc_control", "plc_control");
		return;
	}
	blen = dec_be16(par + 8);
	off = 10 + blen;
	if (off >= plen || (slen = par[off]) == 0 || slen > plen - off - 1 || slen > 32) {
		s7_emit_both(ctx, out, "s7_plc_control", "plc_control");
		return;
	}
	snprintf(v, sizeof(v), "%.*s", (int)slen, (const char *)par + off + 1);
	if (blen >= 10 && par[10] >= 1 && (strcmp(v, "_INSE") == 0 || strcmp(v, "_DELE") == 0)) {
		uint8_t f[8];

		/* The block as a file name without '_' and file system: reuse the file name parser. */
		f[0] = '_';
		memcpy(f + 1, par + 12, 7);
		s7_block_name(f, 8, blk, sizeof(blk));
		snprintf(v + strlen(v), sizeof(v) - strlen(v), " %s", blk);
	}
	s7_emit_both(ctx, out, "s7_plc_control", v);
}

/* PLC stop (0x29): function, 5 unknown bytes, name length (1), PI service name. */
static void s7_plc_stop(const struct dec_ctx *ctx, struct dec_out *out, const uint8_t *par, size_t plen)
{
	char v[40];

	if (plen >= 7 && par[6] >= 1 && par[6] <= 32 && par[6] <= plen - 7)
		snprintf(v, sizeof(v), "%.*s", (int)par[6], (const char *)par + 7);
	else
		snprintf(v, sizeof(v), "stop");
	s7_emit_both(ctx, out, "s7_plc_stop", v);
}

/* Download/upload functions carry a block file name: its length at offset 8, the name at 9. */
static void s7_block_transfer(const struct dec_ctx *ctx, struct dec_out *out, const uint8_t *par, size_t plen)
{
	char blk[40];

	if (plen >= 10 && par[8] >= 1 && par[8] <= plen - 9)
		s7_block_name(par + 9, par[8], blk, sizeof(blk));
	else
		snprintf(blk, sizeof(blk), "block");
	if (par[0] == 0x1d)
		ot_emitf(ctx, out, ot_client(ctx, S7_PORT), "s7_upload", "%s", blk);
	else if (par[0] == 0x1a || par[0] == 0x1b || par[0] == 0x1c)
		s7_emit_both(ctx, out, "s7_download", blk);
}

static void s7_job(const struct dec_ctx *ctx, struct dec_out *out, const uint8_t *par, size_t plen)
{
	const char *name = NULL;
	uint8_t fc;

	if (plen < 1)
		return;
	fc = par[0];
	for (size_t i = 0; i < sizeof(s7_functions) / sizeof(s7_functions[0]); i++)
		if (s7_functions[i].code == fc)
			name = s7_functions[i].name;
	/*
	 * A job normally comes from the client; during a download the PLC asks the PG for the blocks, so the
	 * function is recorded on the client by port, whoever sent it.
	 */
	if (name)
		ot_emitf(ctx, out, ot_client(ctx, S7_PORT), "s7_function", "%s", name);
	else
		ot_emitf(ctx, out, ot_client(ctx, S7_PORT), "s7_function", "0x%02x", fc);
	switch (fc) {
	case 0x05:
		s7_write_var(ctx, out, par, plen);
		break;
	case 0x1a:
	case 0x1b:
	case 0x1c:
	case 0x1d:
		s7_block_transfer(ctx, out, par, plen);
		break;
	case 0x28:
		s7_pi_service(ctx, out, par, plen);
		break;
	case 0x29:
		s7_plc_stop(ctx, out, par, plen);
		break;
	}
}

/* SZL 0x0011 module identification record: index, MlfB[20], BGTyp, Ausbg, Ausbe. */
static void s7_szl_module_id(const struct dec_ctx *ctx, struct dec_out *out, const uint8_t *r)
{
	uint16_t idx = dec_be16(r);
	uint16_t ausbg = dec_be16(r + 24), ausbe = dec_be16(r + 26);

	if (idx == 1)
		ot_emit(ctx, out, OBS_SRC, "s7_module_order", r + 2, ot_strnlen(r + 2, 20), 90);
	/* Index 7, the firmware: 'V' in the high byte of Ausbg, then three version numbers. */
	if (idx == 7 && (ausbg >> 8) == 'V')
		ot_emitf(ctx, out, OBS_SRC, "s7_firmware", "V%u.%u.%u", ausbg & 0xff, ausbe >> 8,
			 ausbe & 0xff);
}

/* SZL 0x001c component identification record: index, then 32 bytes (text for the indices named). */
static void s7_szl_component_id(const struct dec_ctx *ctx, struct dec_out *out, const uint8_t *r)
{
	uint16_t idx = dec_be16(r);
	const char *key = OT_NAME(s7_component_keys, idx);

	/* Text fields are 24 bytes (serial numbers), 26 or 32: NUL padding ends each. */
	if (key)
		ot_emit(ctx, out, OBS_SRC, key, r + 2, ot_strnlen(r + 2, 32), 90);
}

/* SZL 0x0424 mode record: ereig(2), ae(1), bzu-id(1): the low nibble is the requested (current) mode. */
static void s7_szl_mode(const struct dec_ctx *ctx, struct dec_out *out, const uint8_t *r)
{
	static const char *const modes[] = {
		[1] = "STOP", [2] = "STOP", [3] = "STOP", [4] = "STOP", [5] = "STARTUP", [6] = "STARTUP",
		[7] = "STARTUP", [8] = "RUN", [9] = "RUN", [10] = "HOLD", [13] = "DEFECT",
	};
	const char *m = OT_NAME(modes, r[3] & 0x0f);

	if (m)
		ot_emitf(ctx, out, OBS_SRC, "s7_cpu_state", "%s", m);
}

/*
 * Read SZL answer data: SZL id, index, record length, record count, records. A continuation fragment of a long
 * answer has no such header; the record length check below turns those away.
 */
static void s7_szl_response(const struct dec_ctx *ctx, struct dec_out *out, const uint8_t *d, size_t dlen)
{
	uint16_t id, rlen, count;
	size_t want;

	if (dlen < 8)
		return;
	id = dec_be16(d) & 0xff; /* the partial list number; the high byte picks the extract */
	rlen = dec_be16(d + 4);
	count = dec_be16(d + 6);
	want = id == 0x11 ? 28 : id == 0x1c ? 34 : id == 0x24 ? 20 : 0;
	if (!want || rlen != want)
		return;
	for (unsigned int i = 0; i < count && i < S7_MAX_SZL_RECORDS; i++) {
		const uint8_t *r = d + 8 + (size_t)i * rlen;

		if (8 + (size_t)(i + 1) * rlen > dlen)
			break;
		if (id == 0x11)
			s7_szl_module_id(ctx, out, r);
		else if (id == 0x1c)
			s7_szl_component_id(ctx, out, r);
		else
			s7_szl_mode(ctx, out, r);
	}
}

/*
 * Userdata: parameter = 00 01 12, length (4 or 8), method, type (high nibble: 4 request, 8 response) and
 * function group (low nibble), subfunction, sequence [, data unit ref, last unit, error code]. Data = return
 * code, transport size, length (2), payload.
 */
static void s7_userdata(const struct dec_ctx *ctx, struct dec_out *out, const uint8_t *par, size_t plen,
			const uint8_t *data, size_t dlen)
{
	uint8_t type, group, sub;

	if (plen < 8 || par[0] != 0x00 || par[1] != 0x01 || par[2] != 0x12)
		return;
	type = par[5] >> 4;
	group = par[5] & 0x0f;
	sub = par[6];
	if (type == 4) {
		const char *name = NULL;

		if (group == 4 && sub == 1)
			name = "read_szl";
		else if (group == 4 && sub == 2)
			name = "message_service";
		else if (group == 3 && sub == 1)
			name = "list_blocks";
		else if (group == 3 && sub == 2)
			name = "list_blocks_of_type";
		else if (group == 3 && sub == 3)
			name = "get_block_info";
		else if (group == 5 && sub == 1)
			name = "plc_password";
		else if (group == 7 && sub == 1)
			name = "read_clock";
		else if (group == 7 && sub == 2)
			name = "set_clock";
		if (name)
			ot_emitf(ctx, out, OBS_SRC, "s7_function", "%s", name);
		else
			ot_emitf(ctx, out, OBS_SRC, "s7_function", "userdata_g%u_s%u", group, sub);
		return;
	}
	if (type == 8 && group == 4 && sub == 1 && dlen >= 4 && data[0] == 0xff) {
		size_t len = dec_be16(data + 2);

		s7_szl_response(ctx, out, data + 4, len < dlen - 4 ? len : dlen - 4);
	}
}

/*
 * An S7 PDU (protocol id 0x32) of n bytes; partial when the bytes may be cut (snapshot length, or a COTP
 * fragment without end of TSDU). Returns false when it is no S7 PDU.
 */
static bool s7_pdu(const struct dec_ctx *ctx, struct dec_out *out, const uint8_t *s, size_t n, bool partial)
{
	uint8_t rosctr;
	size_t hlen, plen, dlen;

	if (n < 10 || s[0] != 0x32)
		return false;
	rosctr = s[1];
	if (rosctr != ROSCTR_JOB && rosctr != ROSCTR_ACK && rosctr != ROSCTR_ACK_DATA &&
	    rosctr != ROSCTR_USERDATA)
		return false;
	hlen = (rosctr == ROSCTR_ACK || rosctr == ROSCTR_ACK_DATA) ? 12 : 10;
	if (n < hlen)
		return false;
	plen = dec_be16(s + 6);
	dlen = dec_be16(s + 8);
	if (hlen + plen + dlen > n && !partial)
		return false;
	ot_emitf(ctx, out, ot_server(ctx, S7_PORT), "app_protocol", "S7comm");
	/* Clamp to the bytes present (a snapshot may cut the PDU). */
	if (plen > n - hlen)
		plen = n - hlen;
	if (dlen > n - hlen - plen)
		dlen = n - hlen - plen;
	if (rosctr == ROSCTR_JOB)
		s7_job(ctx, out, s + hlen, plen);
	else if (rosctr == ROSCTR_USERDATA)
		s7_userdata(ctx, out, s + hlen, plen, s + hlen + plen, dlen);
	return true;
}

/*
 * S7comm-plus: 0x72, version, data length (2), then opcode (0x31 request, 0x32 response), 2 reserved bytes,
 * function (2). Version 1 frames set up a session in every variant; later frames carry the real version.
 */
static bool s7p_pdu(const struct dec_ctx *ctx, struct dec_out *out, const uint8_t *s, size_t n, bool partial)
{
	uint8_t ver;

	if (n < 4 || s[0] != 0x72)
		return false;
	ver = s[1];
	if (ver != 1 && ver != 2 && ver != 3 && ver != 0xfe)
		return false;
	if ((size_t)dec_be16(s + 2) + 4 > n && !partial)
		return false;
	ot_emitf(ctx, out, ot_server(ctx, S7_PORT), "app_protocol", "S7CommPlus");
	if (ver == 2 || ver == 3)
		ot_emitf(ctx, out, ot_server(ctx, S7_PORT), "s7_plus_version", "V%u", ver);
	if (n >= 9 && s[4] == 0x31) {
		uint16_t fn = dec_be16(s + 7);

		for (size_t i = 0; i < sizeof(s7p_functions) / sizeof(s7p_functions[0]); i++)
			if (s7p_functions[i].code == fn)
				ot_emitf(ctx, out, ot_client(ctx, S7_PORT), "s7_plus_function", "%s",
					 s7p_functions[i].name);
	}
	/*
	 * The session answer of an S7-1200/1500 names the module in a string attribute
	 * "<n>;<order number> ;V<firmware>" (a WString: type 0x15, length, text). Scan for it, bounded by n.
	 */
	if (n >= 9 && s[4] == 0x32 && !ot_to_server(ctx, S7_PORT)) {
		for (size_t i = 5; i + 2 < n; i++) {
			const uint8_t *t = s + i + 2;
			size_t len = s[i + 1], semi1 = 0, semi2 = 0;

			if (s[i] != 0x15 || len < 8 || len > n - i - 2 || !ot_printable(t, len))
				continue;
			for (size_t k = 0; k < len; k++) {
				if (t[k] != ';')
					continue;
				if (!semi1)
					semi1 = k + 1;
				else if (!semi2)
					semi2 = k + 1;
			}
			if (!semi1 || !semi2 || t[semi1] != '6')
				continue; /* Siemens order numbers start with 6 */
			ot_emit(ctx, out, OBS_SRC, "s7_module_order", t + semi1, semi2 - 1 - semi1, 90);
			ot_emit(ctx, out, OBS_SRC, "s7_firmware", t + semi2, len - semi2, 90);
			break;
		}
	}
	return true;
}

/* COTP TPDU types (ISO 8073): CR, CC, DR, DC, DT, ED, AK, EA, RJ, ER. */
static bool cotp_type_known(uint8_t type)
{
	switch (type) {
	case COTP_CR:
	case COTP_CC:
	case COTP_DT:
	case 0x80: /* DR */
	case 0xc0: /* DC */
	case 0x10: /* ED */
	case 0x60: /* AK */
	case 0x20: /* EA */
	case 0x50: /* RJ */
	case 0x70: /* ER */
		return true;
	}
	return false;
}

static int s7comm_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	int n0 = out->n;
	size_t off = 0;
	int tpkts;

	for (tpkts = 0; tpkts < S7_MAX_TPKTS && n - off >= 7; tpkts++) {
		const uint8_t *t = p + off;
		size_t len = dec_be16(t + 2), li, avail;
		uint8_t type;

		/* TPKT: version 3, reserved 0, length of the whole TPKT; COTP: length indicator, PDU type. */
		if (t[0] != 3 || t[1] != 0 || len < 7)
			break;
		if (len > n - off) {
			if (!ctx->truncated)
				break;
			len = n - off;
		}
		li = t[4];
		type = t[5] & 0xf0;
		if (li < 2 || 5 + li > len)
			break;
		avail = len - 5 - li;
		if (type == COTP_DT && avail > 0) {
			/* DT: TPDU number and EOT (bit 7); without EOT the TSDU continues in the next DT. */
			bool partial = ctx->truncated || !(t[6] & 0x80) || len < dec_be16(t + 2);

			if (!s7_pdu(ctx, out, t + 5 + li, avail, partial))
				s7p_pdu(ctx, out, t + 5 + li, avail, partial);
		} else if (!cotp_type_known(type)) {
			break;
		}
		off += len;
	}
	return tpkts ? out->n - n0 : -1;
}

const struct decoder dec_s7comm = {
	.name = "s7comm",
	.match = s7comm_match,
	.decode = s7comm_decode,
};
