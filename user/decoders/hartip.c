// SPDX-License-Identifier: GPL-2.0-only
/*
 * HART-IP (TCP/UDP 5094): HART field-device commands carried over IP, spoken by HART gateways and multiplexers
 * and by the asset-management hosts that poll them.
 *
 * Reads each message's 8-byte header (version 1 or 2, message type, message id, status, sequence number, byte
 * count including the header; TCP may carry several messages per segment) and, in Pass Through responses,
 * the embedded HART PDU: delimiter, address, command, byte count, and the data of two identity commands:
 * command 0 (Read Unique Identifier: manufacturer, device type, device id, HART revision) and command 20
 * (Read Long Tag).
 *
 * Emits on the sender (OBS_SRC): app_protocol "HART-IP", hartip_message ("Pass Through Response"), and from a
 * responding field device or gateway: hartip_manufacturer_id, hartip_device_type, hartip_device_id,
 * hartip_hart_revision, hartip_long_tag.
 */
#include <netinet/in.h>
#include <string.h>

#include "decoder.h"
#include "lt_util.h"

#define HARTIP_HDR 8
#define HARTIP_MAX_MSGS 8
#define HARTIP_PASS_THROUGH 3

static const char *hartip_type_name(uint8_t t)
{
	switch (t) {
	case 0: return "Request";
	case 1: return "Response";
	case 2: return "Publish";
	case 3: return "Error";
	case 15: return "NAK";
	}
	return NULL;
}

static const char *hartip_id_name(uint8_t id)
{
	switch (id) {
	case 0: return "Session Initiate";
	case 1: return "Session Close";
	case 2: return "Keep Alive";
	case 3: return "Pass Through";
	case 4: return "Direct PDU";
	case 128: return "Read Audit Log";
	}
	return NULL;
}

/* Version, type and id are all small closed sets, which together with the length make the signature. */
static bool hartip_header_ok(const uint8_t *h, size_t n)
{
	return n >= HARTIP_HDR && (h[0] == 1 || h[0] == 2) && hartip_type_name(h[1]) && hartip_id_name(h[2]) &&
	       dec_be16(h + 6) >= HARTIP_HDR;
}

static bool hartip_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	if (ctx->l4_proto != IPPROTO_UDP && ctx->l4_proto != IPPROTO_TCP)
		return false;
	return dec_port_is(ctx, 5094) && hartip_header_ok(p, n);
}

/* Command 0 reply data (after response code and device status): the device's unique identifier. */
static void hartip_emit_cmd0(struct dec_out *out, const uint8_t *d, size_t len)
{
	if (len < 12 || d[0] != 254)
		return;
	dec_emitf(out, OBS_SRC, "hartip_hart_revision", "%u", d[4]);
	dec_emitf(out, OBS_SRC, "hartip_device_id", "0x%02x%02x%02x", d[9], d[10], d[11]);
	if (d[4] >= 7 && len >= 19) {
		/* HART 7: a 16-bit expanded device type, the manufacturer moved to bytes 17-18. */
		dec_emitf(out, OBS_SRC, "hartip_device_type", "0x%04x", dec_be16(d + 1));
		dec_emitf(out, OBS_SRC, "hartip_manufacturer_id", "0x%04x", dec_be16(d + 17));
	} else if (d[4] < 7) {
		dec_emitf(out, OBS_SRC, "hartip_manufacturer_id", "0x%02x", d[1]);
		dec_emitf(out, OBS_SRC, "hartip_device_type", "0x%02x", d[2]);
	}
}

/*
 * A HART token-passing PDU: delimiter (bit 7 long 5-byte address, bits 5-6 expansion bytes, bits 0-2 frame
 * type, 6 = ACK from a slave), address, expansion, command, byte count, then for an ACK the response code and
 * device status before the data. Returns false when the PDU contradicts its own lengths.
 */
static bool hartip_pdu(struct dec_out *out, const uint8_t *b, size_t len)
{
	const uint8_t *data;
	size_t off, cnt;
	uint8_t cmd;

	if (len < 1)
		return false;
	if ((b[0] & 7) != 6)
		return true; /* Only a slave's ACK describes the device. */
	off = 1 + ((b[0] & 0x80) ? 5 : 1) + ((b[0] >> 5) & 3);
	if (off + 2 > len)
		return false;
	cmd = b[off];
	cnt = b[off + 1];
	off += 2;
	if (cnt > len - off)
		return false;
	if (cnt < 2)
		return true;
	/* Response code: anything but success may come with partial or no reply data. */
	if (b[off] != 0)
		return true;
	data = b + off + 2;
	if (cmd == 0)
		hartip_emit_cmd0(out, data, cnt - 2);
	else if (cmd == 20 && cnt - 2 >= 32) /* 32 bytes Latin-1, NUL padded */
		dec_emit(out, OBS_SRC, "hartip_long_tag", (const char *)data, lt_strnlen(data, 32), 90);
	return true;
}

static int hartip_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	int before = out->n, nseen = 0;
	uint16_t seen[HARTIP_MAX_MSGS];
	size_t off = 0;
	bool bad = false;

	if (!hartip_header_ok(p, n))
		return 0;
	dec_emit(out, OBS_SRC, "app_protocol", "HART-IP", 7, 90);
	for (int m = 0; m < HARTIP_MAX_MSGS && off + HARTIP_HDR <= n; m++) {
		const uint8_t *h = p + off;
		uint16_t len, key;
		bool dup = false;

		if (!hartip_header_ok(h, n - off)) {
			bad = true;
			break;
		}
		key = (uint16_t)(h[1] << 8 | h[2]);
		for (int i = 0; i < nseen; i++)
			dup |= seen[i] == key;
		if (!dup) {
			seen[nseen++] = key;
			dec_emitf(out, OBS_SRC, "hartip_message", "%s %s", hartip_id_name(h[2]),
				  hartip_type_name(h[1]));
		}
		len = dec_be16(h + 6);
		if (len > n - off) {
			/* Cut by the snapshot length or continued in the next TCP segment: fine. Else a lie. */
			bad = !ctx->truncated && ctx->l4_proto != IPPROTO_TCP;
			break;
		}
		/* Only responses carry a field device's reply. */
		if (h[2] == HARTIP_PASS_THROUGH && h[1] == 1 &&
		    !hartip_pdu(out, h + HARTIP_HDR, len - HARTIP_HDR))
			bad = true;
		off += len;
	}
	return bad ? -1 : out->n - before;
}

const struct decoder dec_hartip = {
	.name = "hartip",
	.match = hartip_match,
	.decode = hartip_decode,
};
