// SPDX-License-Identifier: GPL-2.0-only
/*
 * KNXnet/IP (UDP/TCP 3671): KNX building automation over IP, including the multicast discovery on 224.0.23.12.
 *
 * Reads each frame's 6-byte header (header length 6, protocol version 0x10, service type, total length; TCP
 * may carry several frames in one segment) and, in search and description responses, the Device Information
 * DIB: KNX medium, individual address, serial number, MAC and the 30-byte friendly name.
 *
 * Emits on the sender (OBS_SRC): app_protocol "KNXnet_IP", knx_service (one per distinct service type), and
 * from a device information DIB: knx_friendly_name, knx_serial (12 hex digits), knx_individual_address
 * ("area.line.device"), knx_mac.
 */
#include <netinet/in.h>
#include <string.h>

#include "decoder.h"
#include "lt_util.h"

#define KNX_HDR 6
#define KNX_MAX_FRAMES 8
#define KNX_DIB_DEVICE_INFO 0x01
#define KNX_DIB_DEVICE_LEN 54

static bool knx_header_ok(const uint8_t *p, size_t n)
{
	return n >= KNX_HDR && p[0] == KNX_HDR && p[1] == 0x10 && dec_be16(p + 4) >= KNX_HDR;
}

static bool knx_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	if (ctx->l4_proto != IPPROTO_UDP && ctx->l4_proto != IPPROTO_TCP)
		return false;
	return dec_port_is(ctx, 3671) && knx_header_ok(p, n);
}

static const char *knx_service_name(uint16_t st)
{
	switch (st) {
	case 0x0201: return "search_request";
	case 0x0202: return "search_response";
	case 0x0203: return "description_request";
	case 0x0204: return "description_response";
	case 0x0205: return "connect_request";
	case 0x0206: return "connect_response";
	case 0x0207: return "connectionstate_request";
	case 0x0208: return "connectionstate_response";
	case 0x0209: return "disconnect_request";
	case 0x020a: return "disconnect_response";
	case 0x020b: return "search_request_ext";
	case 0x020c: return "search_response_ext";
	case 0x0310: return "device_configuration_request";
	case 0x0311: return "device_configuration_ack";
	case 0x0420: return "tunnelling_request";
	case 0x0421: return "tunnelling_ack";
	case 0x0422: return "tunnelling_feature_get";
	case 0x0423: return "tunnelling_feature_response";
	case 0x0424: return "tunnelling_feature_set";
	case 0x0425: return "tunnelling_feature_info";
	case 0x0530: return "routing_indication";
	case 0x0531: return "routing_lost_message";
	case 0x0532: return "routing_busy";
	case 0x0533: return "routing_system_broadcast";
	case 0x0950: return "secure_wrapper";
	case 0x0951: return "secure_session_request";
	case 0x0952: return "secure_session_response";
	case 0x0953: return "secure_session_authenticate";
	case 0x0954: return "secure_session_status";
	case 0x0955: return "secure_timer_notify";
	}
	return NULL;
}

/* The Device Information DIB: the device's own identity, answered to search and description requests. */
static void knx_emit_device_dib(struct dec_out *out, const uint8_t *d)
{
	char buf[18];
	static const uint8_t zero[6];

	dec_emitf(out, OBS_SRC, "knx_individual_address", "%u.%u.%u", d[4] >> 4, d[4] & 15, d[5]);
	/* An all-zero serial or MAC means "not set", not a device identity. */
	if (memcmp(d + 8, zero, 6) != 0) {
		char hex[13];

		dec_hex(d + 8, 6, hex);
		dec_emit_str(out, OBS_SRC, "knx_serial", hex);
	}
	if (memcmp(d + 18, zero, 6) != 0) {
		dec_format_mac(d + 18, buf);
		dec_emit_str(out, OBS_SRC, "knx_mac", buf);
	}
	dec_emit(out, OBS_SRC, "knx_friendly_name", (const char *)d + 24, lt_strnlen(d + 24, 30), 90);
}

/* Walks the DIBs of a search/description response body; returns false when a DIB lies about its length. */
static bool knx_walk_dibs(struct dec_out *out, const uint8_t *b, size_t len)
{
	size_t off = 0;

	while (off + 2 <= len) {
		size_t dlen = b[off];

		if (dlen < 2 || off + dlen > len)
			return false;
		if (b[off + 1] == KNX_DIB_DEVICE_INFO && dlen >= KNX_DIB_DEVICE_LEN)
			knx_emit_device_dib(out, b + off);
		off += dlen;
	}
	return true;
}

static int knx_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	uint16_t seen[KNX_MAX_FRAMES];
	int before = out->n, nseen = 0;
	size_t off = 0;
	bool bad = false;

	if (!knx_header_ok(p, n))
		return 0;
	dec_emit(out, OBS_SRC, "app_protocol", "KNXnet_IP", 9, 90);
	for (int f = 0; f < KNX_MAX_FRAMES && off + KNX_HDR <= n; f++) {
		const uint8_t *h = p + off;
		uint16_t st, tot;
		const char *name;
		bool dup = false;

		st = dec_be16(h + 2);
		tot = dec_be16(h + 4);
		if (h[0] != KNX_HDR || h[1] != 0x10 || tot < KNX_HDR) {
			bad = true;
			break;
		}
		for (int i = 0; i < nseen; i++)
			dup |= seen[i] == st;
		if (!dup) {
			seen[nseen++] = st;
			name = knx_service_name(st);
			if (name)
				dec_emit_str(out, OBS_SRC, "knx_service", name);
			else
				dec_emitf(out, OBS_SRC, "knx_service", "0x%04x", st);
		}
		if (tot > n - off) {
			/* Cut by the snapshot length or continued in the next TCP segment: fine. Else a lie. */
			bad = !ctx->truncated && ctx->l4_proto != IPPROTO_TCP;
			break;
		}
		if (st == 0x0202 || st == 0x020c) {
			/* Search responses start with the 8-byte control endpoint HPAI, then the DIBs. */
			if (tot < KNX_HDR + 8 || h[KNX_HDR] != 8 ||
			    !knx_walk_dibs(out, h + KNX_HDR + 8, tot - KNX_HDR - 8))
				bad = true;
		} else if (st == 0x0204) {
			if (!knx_walk_dibs(out, h + KNX_HDR, tot - KNX_HDR))
				bad = true;
		}
		off += tot;
	}
	return bad ? -1 : out->n - before;
}

const struct decoder dec_knx = {
	.name = "knx",
	.match = knx_match,
	.decode = knx_decode,
};
