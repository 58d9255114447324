// SPDX-License-Identifier: GPL-2.0-only
/*
 * Modbus/TCP (TCP or UDP port 502), after the Modbus Application Protocol v1.1b3 and the Modbus Messaging on
 * TCP/IP Implementation Guide v1.0b. Reads every ADU of the packet (MBAP header: transaction id, protocol id 0,
 * length, unit id; then the PDU: function code and data), bounded.
 *
 * Keys (server = the side on port 502, client = the other):
 *   app_protocol          "Modbus" on the server; also "Modbus.UMAS" when Schneider UMAS (function 90) is used
 *   modbus_unit_id        unit identifier addressed, on the server
 *   modbus_role           "client" on the client, "server" on the server
 *   modbus_function       function name ("read_holding_registers", "fc_65" when unknown), on the client
 *   modbus_exception      "fc=3 code=2 (illegal_data_address)", on the server that answered it
 *   modbus_write          a write request ("fc=6 addr=5 value=11", "umas=write_variables"), on the client that
 *                         writes and on the target
 *   modbus_control        a request that changes how the device runs ("fc=8 sub=1 restart_communications",
 *                         "umas=stop_plc"), on the client and on the target
 *   modbus_umas_function  UMAS function name ("read_id"), on the client
 *   modbus_vendor, modbus_product_code, modbus_revision, modbus_vendor_url, modbus_product_name,
 *   modbus_model_name, modbus_app_name
 *                         Read Device Identification (function 43, MEI 14) answer objects 0-6, on the server
 */
#include "decoder.h"
#include "ot_util.h"

#define MODBUS_PORT 502
#define MB_MBAP_LEN 7	  /* transaction(2) protocol(2) length(2) unit(1) */
#define MB_MAX_LENGTH 254 /* the length field counts the unit id and a PDU of at most 253 bytes */
#define MB_MAX_ADUS 16	  /* a segment holds ~120 minimal ADUs; the first 16 say all there is */
#define MB_MAX_DEVID_OBJS 16

static const char *const mb_functions[] = {
	[1] = "read_coils",
	[2] = "read_discrete_inputs",
	[3] = "read_holding_registers",
	[4] = "read_input_registers",
	[5] = "write_single_coil",
	[6] = "write_single_register",
	[7] = "read_exception_status",
	[8] = "diagnostics",
	[11] = "get_comm_event_counter",
	[12] = "get_comm_event_log",
	[15] = "write_multiple_coils",
	[16] = "write_multiple_registers",
	[17] = "report_server_id",
	[20] = "read_file_record",
	[21] = "write_file_record",
	[22] = "mask_write_register",
	[23] = "read_write_multiple_registers",
	[24] = "read_fifo_queue",
	[43] = "encapsulated_interface_transport",
	[90] = "umas",
};

static const char *const mb_exceptions[] = {
	[1] = "illegal_function",
	[2] = "illegal_data_address",
	[3] = "illegal_data_value",
	[4] = "server_device_failure",
	[5] = "acknowledge",
	[6] = "server_device_busy",
	[8] = "memory_parity_error",
	[10] = "gateway_path_unavailable",
	[11] = "gateway_target_failed_to_respond",
};

/* Read Device Identification object ids 0x00-0x06 (the basic and regular categories). */
static const char *const mb_devid_keys[] = {
	"modbus_vendor",       "modbus_product_code", "modbus_revision", "modbus_vendor_url",
	"modbus_product_name", "modbus_model_name",   "modbus_app_name",
};

/*
 * Schneider UMAS function codes, as documented by public analyses of the protocol (no official specification
 * exists). Only the ones whose meaning is well established are named.
 */
enum { UMAS_WRITE = 1, UMAS_CONTROL = 2 };
static const struct {
	uint8_t code;
	uint8_t risk;
	const char *name;
} umas_functions[] = {
	{ 0x01, 0, "init_comm" },
	{ 0x02, 0, "read_id" },
	{ 0x03, 0, "read_project_info" },
	{ 0x04, 0, "read_plc_info" },
	{ 0x06, 0, "read_card_info" },
	{ 0x0a, 0, "repeat" },
	{ 0x10, 0, "take_plc_reservation" },
	{ 0x11, 0, "release_plc_reservation" },
	{ 0x12, 0, "keep_alive" },
	{ 0x20, 0, "read_memory_block" },
	{ 0x22, 0, "read_variables" },
	{ 0x23, UMAS_WRITE, "write_variables" },
	{ 0x24, 0, "read_coils_registers" },
	{ 0x25, UMAS_WRITE, "write_coils_registers" },
	{ 0x30, 0, "initialize_upload" },
	{ 0x31, 0, "upload_block" },
	{ 0x32, 0, "end_strategy_upload" },
	{ 0x33, UMAS_CONTROL, "initialize_download" },
	{ 0x34, UMAS_CONTROL, "download_block" },
	{ 0x35, UMAS_CONTROL, "end_download" },
	{ 0x39, 0, "read_eth_master_data" },
	{ 0x40, UMAS_CONTROL, "start_plc" },
	{ 0x41, UMAS_CONTROL, "stop_plc" },
	{ 0x50, 0, "monitor_plc" },
	{ 0x58, 0, "check_plc" },
	{ 0x70, 0, "read_io_object" },
	{ 0x71, UMAS_WRITE, "write_io_object" },
	{ 0x73, 0, "get_status_module" },
};

static bool modbus_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	if (ctx->l4_proto != 6 && ctx->l4_proto != 17)
		return false;
	/* Protocol identifier 0: most non-Modbus traffic on port 502 fails here. */
	return dec_port_is(ctx, MODBUS_PORT) && n >= MB_MBAP_LEN + 1 && p[2] == 0 && p[3] == 0;
}

/* A write or control fact: recorded on the client that sends it and on the device it targets. */
static void mb_emit_both(const struct dec_ctx *ctx, struct dec_out *out, const char *key, const char *val)
{
	ot_emitf(ctx, out, OBS_SRC, key, "%s", val);
	ot_emitf(ctx, out, OBS_DST, key, "%s", val);
}

/* Requests that write data (function codes 5, 6, 15, 16, 21, 22, 23). pdu[0] is the function code. */
static void mb_write_request(const struct dec_ctx *ctx, struct dec_out *out, const uint8_t *pdu, size_t n)
{
	char v[96];
	uint8_t fc = pdu[0];

	v[0] = 0;
	switch (fc) {
	case 5:
		if (n >= 5) {
			uint16_t val = dec_be16(pdu + 3);

			if (val == 0xff00 || val == 0)
				snprintf(v, sizeof(v), "fc=5 addr=%u value=%s", dec_be16(pdu + 1),
					 val ? "on" : "off");
			else
				snprintf(v, sizeof(v), "fc=5 addr=%u value=0x%04x", dec_be16(pdu + 1), val);
		}
		break;
	case 6:
		if (n >= 5)
			snprintf(v, sizeof(v), "fc=6 addr=%u value=%u", dec_be16(pdu + 1), dec_be16(pdu + 3));
		break;
	case 15:
	case 16:
		if (n >= 5)
			snprintf(v, sizeof(v), "fc=%u addr=%u count=%u", fc, dec_be16(pdu + 1),
				 dec_be16(pdu + 3));
		break;
	case 21:
		/* byte count, then sub-requests: reference type 6, file(2), record(2), length(2), data */
		if (n >= 9 && pdu[2] == 6)
			snprintf(v, sizeof(v), "fc=21 file=%u record=%u", dec_be16(pdu + 3),
				 dec_be16(pdu + 5));
		else
			snprintf(v, sizeof(v), "fc=21");
		break;
	case 22:
		if (n >= 7)
			snprintf(v, sizeof(v), "fc=22 addr=%u and=0x%04x or=0x%04x", dec_be16(pdu + 1),
				 dec_be16(pdu + 3), dec_be16(pdu + 5));
		break;
	case 23:
		/* read address(2) read count(2) write address(2) write count(2) */
		if (n >= 9)
			snprintf(v, sizeof(v), "fc=23 addr=%u count=%u", dec_be16(pdu + 5),
				 dec_be16(pdu + 7));
		break;
	}
	if (!v[0])
		snprintf(v, sizeof(v), "fc=%u", fc); /* cut short: still a write attempt */
	mb_emit_both(ctx, out, "modbus_write", v);
}

/* Diagnostics sub-functions that change the device: restart, listen-only mode, counters cleared. */
static void mb_diagnostics_request(const struct dec_ctx *ctx, struct dec_out *out, const uint8_t *pdu,
				   size_t n)
{
	const char *what = NULL;
	char v[64];
	uint16_t sub;

	if (n < 3)
		return;
	sub = dec_be16(pdu + 1);
	if (sub == 1)
		what = "restart_communications";
	else if (sub == 4)
		what = "force_listen_only_mode";
	else if (sub == 10)
		what = "clear_counters";
	if (!what)
		return;
	snprintf(v, sizeof(v), "fc=8 sub=%u %s", sub, what);
	mb_emit_both(ctx, out, "modbus_control", v);
}

/* UMAS request: pdu = 0x5a, session key, UMAS function code, data. */
static void mb_umas_request(const struct dec_ctx *ctx, struct dec_out *out, const uint8_t *pdu, size_t n)
{
	enum obs_subject client = ot_client(ctx, MODBUS_PORT);
	char v[64];

	if (n < 3)
		return;
	for (size_t i = 0; i < sizeof(umas_functions) / sizeof(umas_functions[0]); i++) {
		if (umas_functions[i].code != pdu[2])
			continue;
		ot_emitf(ctx, out, client, "modbus_umas_function", "%s", umas_functions[i].name);
		if (umas_functions[i].risk) {
			snprintf(v, sizeof(v), "umas=%s", umas_functions[i].name);
			mb_emit_both(ctx, out,
				     umas_functions[i].risk == UMAS_WRITE ? "modbus_write" : "modbus_control",
				     v);
		}
		return;
	}
	ot_emitf(ctx, out, client, "modbus_umas_function", "0x%02x", pdu[2]);
}

/*
 * Read Device Identification answer: 0x2b 0x0e, read code, conformity level, more follows, next object id,
 * number of objects, then (id, length, value) per object.
 */
static void mb_devid_response(const struct dec_ctx *ctx, struct dec_out *out, const uint8_t *pdu, size_t n)
{
	enum obs_subject server = ot_server(ctx, MODBUS_PORT);
	size_t off = 7;
	unsigned int count;

	if (n < 7)
		return;
	count = pdu[6];
	for (unsigned int i = 0; i < count && i < MB_MAX_DEVID_OBJS; i++) {
		uint8_t id, len;

		if (off + 2 > n)
			return;
		id = pdu[off];
		len = pdu[off + 1];
		off += 2;
		if (len > n - off)
			return; /* lying length: stop rather than read past the PDU */
		if (id < sizeof(mb_devid_keys) / sizeof(mb_devid_keys[0]))
			ot_emit(ctx, out, server, mb_devid_keys[id], pdu + off, len, 90);
		off += len;
	}
}

/* One PDU of n bytes (n >= 1). Returns true when it is UMAS. */
static bool mb_pdu(const struct dec_ctx *ctx, struct dec_out *out, const uint8_t *pdu, size_t n)
{
	bool to_server = ot_to_server(ctx, MODBUS_PORT);
	enum obs_subject client = to_server ? OBS_SRC : OBS_DST;
	enum obs_subject server = to_server ? OBS_DST : OBS_SRC;
	uint8_t fc = pdu[0] & 0x7f;
	const char *name = OT_NAME(mb_functions, fc);

	if (pdu[0] & 0x80) {
		/* Exception response: function code + 0x80, then the exception code. */
		const char *why = n >= 2 ? OT_NAME(mb_exceptions, pdu[1]) : NULL;

		if (n >= 2)
			ot_emitf(ctx, out, server, "modbus_exception", "fc=%u code=%u (%s)", fc, pdu[1],
				 why ? why : "unknown");
		return fc == 90;
	}
	if (fc == 43 && n >= 2 && pdu[1] == 0x0e) {
		/* MEI type 14: the one encapsulated interface every Modbus device may implement. */
		ot_emitf(ctx, out, client, "modbus_function", "read_device_identification");
		if (!to_server)
			mb_devid_response(ctx, out, pdu, n);
		return false;
	}
	if (name)
		ot_emitf(ctx, out, client, "modbus_function", "%s", name);
	else
		ot_emitf(ctx, out, client, "modbus_function", "fc_%u", fc);
	if (!to_server)
		return fc == 90; /* answers to writes echo the request: the request is the fact */
	switch (fc) {
	case 5:
	case 6:
	case 15:
	case 16:
	case 21:
	case 22:
	case 23:
		mb_write_request(ctx, out, pdu, n);
		break;
	case 8:
		mb_diagnostics_request(ctx, out, pdu, n);
		break;
	case 90:
		mb_umas_request(ctx, out, pdu, n);
		break;
	}
	return fc == 90;
}

static int modbus_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	int n0 = out->n;
	size_t off = 0;
	bool umas = false;
	int adus;

	for (adus = 0; adus < MB_MAX_ADUS && n - off >= MB_MBAP_LEN + 1; adus++) {
		const uint8_t *a = p + off;
		uint16_t len = dec_be16(a + 4);
		size_t avail = n - off - 6; /* bytes after the length field */
		size_t pdu_n;

		/* Length counts the unit id and the PDU; a function code must follow. */
		if (a[2] || a[3] || len < 2 || len > MB_MAX_LENGTH || (a[7] & 0x7f) == 0)
			break;
		if (len > avail && !ctx->truncated)
			break; /* a length that lies about the bytes present */
		pdu_n = (len > avail ? avail : len) - 1;
		if (adus == 0) {
			ot_emitf(ctx, out, ot_server(ctx, MODBUS_PORT), "app_protocol", "Modbus");
			ot_emitf(ctx, out, ot_client(ctx, MODBUS_PORT), "modbus_role", "client");
			ot_emitf(ctx, out, ot_server(ctx, MODBUS_PORT), "modbus_role", "server");
		}
		ot_emitf(ctx, out, ot_server(ctx, MODBUS_PORT), "modbus_unit_id", "%u", a[6]);
		if (mb_pdu(ctx, out, a + 7, pdu_n))
			umas = true;
		off += 6 + (len > avail ? avail : len);
	}
	if (umas)
		ot_emitf(ctx, out, ot_server(ctx, MODBUS_PORT), "app_protocol", "Modbus.UMAS");
	return adus ? out->n - n0 : -1;
}

const struct decoder dec_modbus = {
	.name = "modbus",
	.match = modbus_match,
	.decode = modbus_decode,
};
