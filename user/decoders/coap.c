// SPDX-License-Identifier: GPL-2.0-only
/*
 * CoAP (RFC 7252) on UDP 5683 (5684 is DTLS, not readable): the 4-byte header (version 1, type, token
 * length, code, message id), the token, then options as delta/length nibbles with 13 and 14 extending them
 * into one or two more bytes, up to the 0xff payload marker. Read: Uri-Host (3), Uri-Path (11, one option
 * per segment) and Uri-Query (15).
 *
 * About the sender (OBS_SRC): coap_version "1", coap_type (CON, NON, ACK, RST), coap_code ("GET", "POST",
 *   ..., or "2.05" for responses; not for empty messages), app_protocol "COAP"; a response adds service
 *   "udp/<port>".
 * About the receiver of a request (OBS_DST, unless a multicast group): coap_uri_path ("/a/b": the resource
 *   it serves), coap_uri_host, coap_uri_query, app_protocol "COAP" (a server need not answer to be one).
 */
#include <stdio.h>
#include <string.h>

#include "bb_util.h"
#include "decoder.h"

#define COAP_PORT 5683
#define COAP_OPT_URI_HOST 3
#define COAP_OPT_URI_PATH 11
#define COAP_OPT_URI_QUERY 15
#define COAP_OPTIONS_MAX 64

static const char *const coap_types[4] = { "CON", "NON", "ACK", "RST" };

/* Request method codes 0.01..0.07 (RFC 7252, RFC 8132). */
static const char *const coap_methods[8] = {
	[1] = "GET", [2] = "POST", [3] = "PUT", [4] = "DELETE", [5] = "FETCH", [6] = "PATCH", [7] = "iPATCH",
};

static bool coap_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	return ctx->l4_proto == 17 && dec_port_is(ctx, COAP_PORT) && n >= 4 && (p[0] >> 6) == 1;
}

/* An option's extended delta or length: nibble 13 adds one byte (+13), 14 two bytes (+269), 15 is invalid. */
static bool coap_ext(struct bb_rd *r, uint32_t nib, uint32_t *v)
{
	if (nib < 13)
		*v = nib;
	else if (nib == 13)
		*v = 13u + bb_u8(r);
	else if (nib == 14)
		*v = 269u + bb_u16(r);
	else
		return false;
	return !r->err;
}

static int coap_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	char path[OBS_VALUE_MAX], query[OBS_VALUE_MAX], svc[16];
	struct bb_str ps, qs;
	const uint8_t *host = NULL;
	size_t host_len = 0;
	uint8_t type, tkl, code, cls;
	uint32_t optnum = 0;
	bool request, to_group;
	struct bb_rd r;
	int emitted = 0;

	if (ctx->l4_proto != 17 || n < 4 || (p[0] >> 6) != 1)
		return 0;
	type = (p[0] >> 4) & 3;
	tkl = p[0] & 15;
	code = p[1];
	cls = code >> 5;
	if (tkl > 8 || cls == 1 || cls == 6 || cls == 7)
		return -1; /* RFC 7252 3: token length 9-15 and classes 1, 6, 7 are reserved */
	bb_rd_init(&r, p, n);
	bb_take(&r, 4 + (size_t)tkl);
	if (r.err)
		return -1;
	bb_str_init(&ps, path, sizeof(path));
	bb_str_init(&qs, query, sizeof(query));
	for (int k = 0; k < COAP_OPTIONS_MAX && bb_left(&r); k++) {
		uint8_t b = bb_u8(&r);
		uint32_t delta, len;
		const uint8_t *val;

		if (b == 0xff)
			break; /* payload marker */
		if (!coap_ext(&r, b >> 4, &delta) || !coap_ext(&r, b & 15, &len))
			return -1;
		optnum += delta;
		val = bb_take(&r, len);
		if (!val)
			return -1;
		if (optnum == COAP_OPT_URI_HOST) {
			host = val;
			host_len = len;
		} else if (optnum == COAP_OPT_URI_PATH) {
			bb_str_addc(&ps, '/');
			bb_str_add(&ps, val, len);
		} else if (optnum == COAP_OPT_URI_QUERY) {
			if (qs.len)
				bb_str_addc(&qs, '&');
			bb_str_add(&qs, val, len);
		}
	}

	if (dec_emit_str(out, OBS_SRC, "coap_version", "1"))
		emitted++;
	if (dec_emit_str(out, OBS_SRC, "coap_type", coap_types[type]))
		emitted++;
	request = cls == 0 && code != 0;
	if (request && code < 8 && coap_methods[code]) {
		if (dec_emit_str(out, OBS_SRC, "coap_code", coap_methods[code]))
			emitted++;
	} else if (code != 0 && dec_emitf(out, OBS_SRC, "coap_code", "%u.%02u", cls, code & 31)) {
		emitted++;
	}
	if (dec_emit_str(out, OBS_SRC, "app_protocol", "COAP"))
		emitted++;
	if (cls >= 2) {
		snprintf(svc, sizeof(svc), "udp/%u", ctx->sport);
		if (dec_emit_str(out, OBS_SRC, "service", svc))
			emitted++;
	}
	to_group = bb_addr_is_group(&ctx->dst_ip);
	if (!request || to_group)
		return emitted;
	if (dec_emit(out, OBS_DST, "app_protocol", "COAP", 4, 80))
		emitted++;
	if (dec_emit(out, OBS_DST, "coap_uri_path", ps.s, ps.len, 90))
		emitted++;
	if (host && dec_emit(out, OBS_DST, "coap_uri_host", (const char *)host, host_len, 90))
		emitted++;
	if (dec_emit(out, OBS_DST, "coap_uri_query", qs.s, qs.len, 90))
		emitted++;
	return emitted;
}

const struct decoder dec_coap = {
	.name = "coap",
	.match = coap_match,
	.decode = coap_decode,
};
