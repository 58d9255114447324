// SPDX-License-Identifier: GPL-2.0-only
/*
 * Omron FINS (UDP/TCP 9600): the command protocol of Omron PLCs.
 *
 * Reads the FINS/UDP frame: the 10-byte header (ICF, RSV, GCT, DNA, DA1, DA2, SNA, SA1, SA2, SID) and the
 * 2-byte command code (MRC/SRC); in responses the 2-byte end code, and for Controller Data Read (05 01) the
 * controller model and version. Over TCP, the same frame travels inside "FINS" framing (magic, length,
 * command, error code; command 2 carries a frame; several messages may share a segment).
 *
 * Emits, always on the FINS node of the flow (the side on port 9600, both sides when both are; the peer is an
 * engineering or HMI host and is not marked):
 *   app_protocol "FINS"
 *   fins_command               on the receiver of a command: the command name ("Memory Area Read")
 *   fins_write                 on the receiver of a command that changes PLC memory, program, files or clock
 *   fins_run_stop              on the receiver of Run (04 01) / Stop (04 02): "run" or "stop"
 *   fins_controller_model      on the sender of a Controller Data Read response, with fins_controller_version
 */
#include <netinet/in.h>
#include <string.h>

#include "decoder.h"
#include "lt_util.h"

#define FINS_PORT 9600
#define FINS_HDR 10
#define FINS_TCP_HDR 16
#define FINS_TCP_MAX_MSGS 4

struct fins_cmd {
	uint16_t code;
	bool write; /* changes the controller's state: worth its own key */
	const char *name;
};

static const struct fins_cmd fins_cmds[] = {
	{ 0x0101, false, "Memory Area Read" },
	{ 0x0102, true, "Memory Area Write" },
	{ 0x0103, true, "Memory Area Fill" },
	{ 0x0104, false, "Multiple Memory Area Read" },
	{ 0x0105, true, "Memory Area Transfer" },
	{ 0x0201, false, "Parameter Area Read" },
	{ 0x0202, true, "Parameter Area Write" },
	{ 0x0203, true, "Parameter Area Clear" },
	{ 0x0220, false, "Data Link Table Read" },
	{ 0x0221, true, "Data Link Table Write" },
	{ 0x0304, true, "Program Area Protect" },
	{ 0x0305, true, "Program Area Protect Clear" },
	{ 0x0306, false, "Program Area Read" },
	{ 0x0307, true, "Program Area Write" },
	{ 0x0308, true, "Program Area Clear" },
	{ 0x0401, false, "Run" },
	{ 0x0402, false, "Stop" },
	{ 0x0501, false, "Controller Data Read" },
	{ 0x0502, false, "Connection Data Read" },
	{ 0x0601, false, "Controller Status Read" },
	{ 0x0603, false, "Data Link Status Read" },
	{ 0x0620, false, "Cycle Time Read" },
	{ 0x0701, false, "Clock Read" },
	{ 0x0702, true, "Clock Write" },
	{ 0x0801, false, "Loop-Back Test" },
	{ 0x0802, false, "Broadcast Test Results Read" },
	{ 0x0803, false, "Broadcast Test Data Send" },
	{ 0x0920, false, "Message Read" },
	{ 0x0c01, false, "Access Right Acquire" },
	{ 0x0c02, false, "Access Right Forced Acquire" },
	{ 0x0c03, false, "Access Right Release" },
	{ 0x2101, true, "Error Clear" },
	{ 0x2102, false, "Error Log Read" },
	{ 0x2103, true, "Error Log Clear" },
	{ 0x2201, false, "File Name Read" },
	{ 0x2202, false, "Single File Read" },
	{ 0x2203, true, "Single File Write" },
	{ 0x2204, true, "Memory Card Format" },
	{ 0x2205, true, "File Delete" },
	{ 0x2206, true, "Volume Label Create/Delete" },
	{ 0x2207, true, "File Copy" },
	{ 0x2208, true, "File Name Change" },
	{ 0x2209, false, "File Data Check" },
	{ 0x220a, true, "Memory Area File Transfer" },
	{ 0x220b, true, "Parameter Area File Transfer" },
	{ 0x220c, true, "Program Area File Transfer" },
	{ 0x220f, false, "File Memory Index Read" },
	{ 0x2210, false, "File Memory Read" },
	{ 0x2211, true, "File Memory Write" },
	{ 0x2301, true, "Forced Set/Reset" },
	{ 0x2302, true, "Forced Set/Reset Cancel" },
	{ 0x230a, false, "Multiple Forced Status Read" },
	{ 0x2601, true, "Name Set" },
	{ 0x2602, true, "Name Delete" },
	{ 0x2603, false, "Name Read" },
};

static const struct fins_cmd *fins_find_cmd(uint16_t code)
{
	for (size_t i = 0; i < sizeof(fins_cmds) / sizeof(fins_cmds[0]); i++)
		if (fins_cmds[i].code == code)
			return &fins_cmds[i];
	return NULL;
}

/* ICF: bit 7 gateway, bit 6 response, bit 0 no-response-wanted, the rest zero; RSV zero; at most 7 gateways. */
static bool fins_frame_ok(const uint8_t *f, size_t n)
{
	return n >= FINS_HDR + 2 && (f[0] & 0x3e) == 0 && f[1] == 0 && f[2] <= 7;
}

static bool fins_tcp_ok(const uint8_t *p, size_t n)
{
	return n >= FINS_TCP_HDR && memcmp(p, "FINS", 4) == 0 && dec_be32(p + 4) >= 8 && dec_be32(p + 8) <= 6;
}

static bool fins_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	if (ctx->l4_proto == IPPROTO_TCP)
		return fins_tcp_ok(p, n);
	return ctx->l4_proto == IPPROTO_UDP && dec_port_is(ctx, FINS_PORT) && fins_frame_ok(p, n);
}

/* Fixed-size ASCII field, NUL padded. */
static void fins_emit_text(struct dec_out *out, const char *key, const uint8_t *f, size_t len)
{
	dec_emit(out, OBS_SRC, key, (const char *)f, lt_strnlen(f, len), 90);
}

/*
 * One FINS frame. A command describes the node it is sent to, a response the node that sends it; each only
 * when that node is the FINS node of the flow (src_node/dst_node), so that a "response" sent to port 9600
 * from an ephemeral port does not lend the client a PLC identity.
 */
static void fins_frame(struct dec_out *out, const uint8_t *f, size_t n, bool src_node, bool dst_node)
{
	uint16_t code = dec_be16(f + FINS_HDR);
	const struct fins_cmd *c = fins_find_cmd(code);
	const uint8_t *d = f + FINS_HDR + 2;
	size_t dlen = n - FINS_HDR - 2;

	if (!(f[0] & 0x40)) {
		if (!dst_node)
			return;
		if (c)
			dec_emit_str(out, OBS_DST, "fins_command", c->name);
		else
			dec_emitf(out, OBS_DST, "fins_command", "0x%04x", code);
		if (c && c->write)
			dec_emit_str(out, OBS_DST, "fins_write", c->name);
		if (code == 0x0401)
			dec_emit_str(out, OBS_DST, "fins_run_stop", "run");
		else if (code == 0x0402)
			dec_emit_str(out, OBS_DST, "fins_run_stop", "stop");
		return;
	}
	/* Response: end code (MRES/SRES), then data. Only a normal completion carries the identity. */
	if (src_node && code == 0x0501 && dlen >= 2 + 20 && (d[0] & 0x7f) == 0 && (d[1] & 0x3f) == 0) {
		fins_emit_text(out, "fins_controller_model", d + 2, 20);
		if (dlen >= 2 + 40)
			fins_emit_text(out, "fins_controller_version", d + 22, 20);
	}
}

static int fins_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	int before = out->n;
	size_t off = 0;
	bool bad = false, src_node, dst_node;

	if (ctx->l4_proto == IPPROTO_TCP ? !fins_tcp_ok(p, n) : !fins_frame_ok(p, n))
		return 0;
	/*
	 * The FINS node (the PLC) listens on 9600; PLCs talking to each other both use it. Without the port (TCP
	 * on another port), the node is the server: the side that did not open the flow.
	 */
	src_node = ctx->sport == FINS_PORT;
	dst_node = ctx->dport == FINS_PORT;
	if (!src_node && !dst_node) {
		src_node = !ctx->from_initiator;
		dst_node = ctx->from_initiator;
	}
	if (src_node)
		dec_emit(out, OBS_SRC, "app_protocol", "FINS", 4, 90);
	if (dst_node)
		dec_emit(out, OBS_DST, "app_protocol", "FINS", 4, 90);

	if (ctx->l4_proto != IPPROTO_TCP) {
		fins_frame(out, p, n, src_node, dst_node);
		return out->n - before;
	}
	for (int m = 0; m < FINS_TCP_MAX_MSGS && off + FINS_TCP_HDR <= n; m++) {
		const uint8_t *t = p + off;
		uint32_t len;
		size_t flen;

		if (!fins_tcp_ok(t, n - off)) {
			bad = true;
			break;
		}
		/* The length counts the bytes after itself: command, error code and the rest. */
		len = dec_be32(t + 4);
		/* Continued in the next segment (a memory read can exceed a PLC's small MSS): use what came. */
		if (len > n - off - 8)
			len = (uint32_t)(n - off - 8);
		if (dec_be32(t + 8) == 2) {
			flen = len - 8;
			if (!fins_frame_ok(t + FINS_TCP_HDR, flen)) {
				bad = true;
				break;
			}
			fins_frame(out, t + FINS_TCP_HDR, flen, src_node, dst_node);
		}
		off += 8 + (size_t)len;
	}
	return bad ? -1 : out->n - before;
}

const struct decoder dec_fins = {
	.name = "fins",
	.match = fins_match,
	.decode = fins_decode,
};
