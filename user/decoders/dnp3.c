// SPDX-License-Identifier: GPL-2.0-only
/*
 * DNP3 over TCP or UDP port 20000, after IEEE 1815: every link layer frame of the packet, bounded (start
 * 0x0564, length, control with DIR and PRM bits, destination and source addresses, header CRC), the user data
 * with the CRC after every 16 bytes checked and removed, the transport header, and the application header
 * (function code) of the first fragment.
 *
 * Roles: an application request (function 0x00-0x21) comes from the master, a response (0x81-0x83) from the
 * outstation; a frame without application data tells its direction by the DIR bit (set: from the master).
 *
 * Keys:
 *   app_protocol   "DNP3" on the outstation
 *   dnp3_role      "master" or "outstation", on each side
 *   dnp3_address   the link address a side uses (broadcast addresses skipped), on that side
 *   dnp3_function  application function ("READ", "RESPONSE", "DIRECT_OPERATE"), on the sender
 *   dnp3_control   a request that acts on the outstation: write, select/operate, restart, application or
 *                  file control ("DIRECT_OPERATE g12v1", "COLD_RESTART"), on the master and the outstation
 */
#include "decoder.h"
#include "ot_util.h"

#define DNP3_PORT 20000
#define DNP3_MAX_FRAMES 16
#define DNP3_HDR 10	/* start(2) length control destination(2) source(2) crc(2) */
#define DNP3_BLOCK 16	/* user data bytes between CRCs */
#define DNP3_MAX_UD 250 /* the length byte counts 5 header bytes: at most 255 */

#define LINK_DIR 0x80
#define LINK_PRM 0x40

static const char *const dnp3_functions[] = {
	[0] = "CONFIRM",
	[1] = "READ",
	[2] = "WRITE",
	[3] = "SELECT",
	[4] = "OPERATE",
	[5] = "DIRECT_OPERATE",
	[6] = "DIRECT_OPERATE_NR",
	[7] = "IMMED_FREEZE",
	[8] = "IMMED_FREEZE_NR",
	[9] = "FREEZE_CLEAR",
	[10] = "FREEZE_CLEAR_NR",
	[11] = "FREEZE_AT_TIME",
	[12] = "FREEZE_AT_TIME_NR",
	[13] = "COLD_RESTART",
	[14] = "WARM_RESTART",
	[15] = "INITIALIZE_DATA",
	[16] = "INITIALIZE_APPL",
	[17] = "START_APPL",
	[18] = "STOP_APPL",
	[19] = "SAVE_CONFIG",
	[20] = "ENABLE_UNSOLICITED",
	[21] = "DISABLE_UNSOLICITED",
	[22] = "ASSIGN_CLASS",
	[23] = "DELAY_MEASURE",
	[24] = "RECORD_CURRENT_TIME",
	[25] = "OPEN_FILE",
	[26] = "CLOSE_FILE",
	[27] = "DELETE_FILE",
	[28] = "GET_FILE_INFO",
	[29] = "AUTHENTICATE_FILE",
	[30] = "ABORT_FILE",
	[31] = "ACTIVATE_CONFIG",
	[32] = "AUTHENTICATE_REQ",
	[33] = "AUTH_REQ_NO_ACK",
};

static const char *const dnp3_responses[] = { "RESPONSE", "UNSOLICITED_RESPONSE", "AUTHENTICATE_RESP" };

/* Requests that change the outstation: writes, controls, restarts, application and file control. */
static bool dnp3_is_control(uint8_t fc)
{
	return (fc >= 2 && fc <= 6) || (fc >= 13 && fc <= 19) || fc == 25 || fc == 27 || fc == 31;
}

static bool dnp3_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	if (ctx->l4_proto != 6 && ctx->l4_proto != 17)
		return false;
	return dec_port_is(ctx, DNP3_PORT) && n >= DNP3_HDR && p[0] == 0x05 && p[1] == 0x64;
}

/* CRC-16/DNP: polynomial 0x3d65 (reflected 0xa6bc), initial 0, complemented, sent low byte first. */
static bool dnp3_crc_ok(const uint8_t *p, size_t n)
{
	uint16_t crc = 0;

	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (int b = 0; b < 8; b++)
			crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xa6bc) : (uint16_t)(crc >> 1);
	}
	crc = (uint16_t)~crc;
	return p[n] == (crc & 0xff) && p[n + 1] == (crc >> 8);
}

/*
 * Copies the user data of a frame (after the header), block by block, into ud; stops at the first block that
 * is cut or whose CRC is wrong. Returns the bytes copied; *bad is set for a wrong CRC.
 */
static size_t dnp3_user_data(const uint8_t *p, size_t avail, size_t ud_len, uint8_t *ud, bool *bad)
{
	size_t in = 0, w = 0;

	*bad = false;
	while (w < ud_len) {
		size_t blk = ud_len - w < DNP3_BLOCK ? ud_len - w : DNP3_BLOCK;

		if (in + blk + 2 > avail)
			break;
		if (!dnp3_crc_ok(p + in, blk)) {
			*bad = true;
			break;
		}
		memcpy(ud + w, p + in, blk);
		w += blk;
		in += blk + 2;
	}
	return w;
}

/* Link addresses 0xfffd-0xffff are broadcasts: they name no device. */
static void dnp3_address(const struct dec_ctx *ctx, struct dec_out *out, enum obs_subject s, uint16_t a)
{
	if (a < 0xfffd)
		ot_emitf(ctx, out, s, "dnp3_address", "%u", a);
}

/* One frame whose header is checked; ud/ud_n: its verified user data. */
static void dnp3_frame(const struct dec_ctx *ctx, struct dec_out *out, const uint8_t *h, const uint8_t *ud,
		       size_t ud_n)
{
	bool from_master = h[3] & LINK_DIR;
	enum obs_subject master, station;
	int fc = -1;

	/* User data, first transport segment (FIR): application control, function code. */
	if ((h[3] & LINK_PRM) && ((h[3] & 0x0f) == 3 || (h[3] & 0x0f) == 4) && ud_n >= 3 && (ud[0] & 0x40)) {
		fc = ud[2];
		if (fc <= 0x21)
			from_master = true;
		else if (fc >= 0x81 && fc <= 0x83)
			from_master = false;
		else
			fc = -1; /* no such function: keep the DIR bit's word */
	}
	master = from_master ? OBS_SRC : OBS_DST;
	station = from_master ? OBS_DST : OBS_SRC;
	ot_emitf(ctx, out, station, "app_protocol", "DNP3");
	ot_emitf(ctx, out, master, "dnp3_role", "master");
	ot_emitf(ctx, out, station, "dnp3_role", "outstation");
	dnp3_address(ctx, out, OBS_DST, dec_le16(h + 4));
	dnp3_address(ctx, out, OBS_SRC, dec_le16(h + 6));
	if (fc < 0)
		return;
	if (fc >= 0x81) {
		ot_emitf(ctx, out, OBS_SRC, "dnp3_function", "%s", dnp3_responses[fc - 0x81]);
		return;
	}
	ot_emitf(ctx, out, OBS_SRC, "dnp3_function", "%s", dnp3_functions[fc]);
	if (!dnp3_is_control((uint8_t)fc))
		return;
	/* The first object header (group, variation) says what is acted on: g12v1 is a relay output block. */
	if (ud_n >= 5) {
		ot_emitf(ctx, out, master, "dnp3_control", "%s g%uv%u", dnp3_functions[fc], ud[3], ud[4]);
		ot_emitf(ctx, out, station, "dnp3_control", "%s g%uv%u", dnp3_functions[fc], ud[3], ud[4]);
	} else {
		ot_emitf(ctx, out, master, "dnp3_control", "%s", dnp3_functions[fc]);
		ot_emitf(ctx, out, station, "dnp3_control", "%s", dnp3_functions[fc]);
	}
}

static int dnp3_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	uint8_t ud[DNP3_MAX_UD];
	int n0 = out->n, frames = 0;
	size_t off = 0;

	while (frames < DNP3_MAX_FRAMES && n - off >= DNP3_HDR) {
		const uint8_t *h = p + off;
		size_t ud_len, size, avail, ud_n;
		bool bad;

		/* Start bytes, a length that covers control and addresses, and the header CRC. */
		if (h[0] != 0x05 || h[1] != 0x64 || h[2] < 5 || !dnp3_crc_ok(h, 8))
			break;
		ud_len = h[2] - 5u;
		size = DNP3_HDR + ud_len + 2 * ((ud_len + DNP3_BLOCK - 1) / DNP3_BLOCK);
		avail = n - off;
		if (size > avail && !ctx->truncated)
			break; /* the length byte promises more than the packet holds */
		ud_n = dnp3_user_data(h + DNP3_HDR, avail - DNP3_HDR, ud_len, ud, &bad);
		if (bad)
			out->malformed++; /* a wrong data CRC: keep the header's facts and what came before */
		dnp3_frame(ctx, out, h, ud, ud_n);
		frames++;
		if (size > avail)
			break;
		off += size;
	}
	return frames ? out->n - n0 : -1;
}

const struct decoder dec_dnp3 = {
	.name = "dnp3",
	.match = dnp3_match,
	.decode = dnp3_decode,
};
