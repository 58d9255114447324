// SPDX-License-Identifier: GPL-2.0-only
/*
 * VNC's RFB handshake (RFC 6143) on TCP 5900-5910 or any port whose segment starts with "RFB 0". Each side
 * first sends its ProtocolVersion, "RFB 003.008\n". Then, in the order the packets of each direction come
 * (ctx->seq, as RFB has no message framing of its own in the handshake):
 *   server seq 1   3.7/3.8: u8 count + that many security types (count 0: failure and a reason string);
 *                  3.3: the u32 security type the server chose
 *   client seq 1   3.7/3.8: the one byte security type the client chose
 *   server seq 2+  SecurityResult (u32), a VNC Authentication challenge (16 bytes), or ServerInit (width,
 *                  height, 16-byte pixel format, u32 name length, name), possibly after a SecurityResult in
 *                  the same segment. ServerInit is told by its name length matching the segment exactly.
 *
 * About the server (OBS_SRC of its packets, OBS_DST of the client's choice): vnc_server_version
 *   ("RFB 003.008"), vnc_security_types ("None,VNC Authentication"), vnc_security_chosen, vnc_auth_none "1"
 *   (security type None offered, or chosen by a client), vnc_desktop_name, app_protocol "VNC", service
 *   "tcp/<port>".
 * About the client (OBS_SRC): vnc_client_version, app_protocol "VNC"; and app_protocol "VNC" about the server
 *   it addresses (OBS_DST).
 */
#include <stdio.h>
#include <string.h>

#include "bb_util.h"
#include "decoder.h"

#define RFB_VERSION_LEN 12 /* "RFB xxx.yyy\n" */
#define RFB_SEC_NONE 1
#define RFB_SERVERINIT_LEN 24 /* without the name */
#define RFB_NAME_MAX 1024

static bool vnc_is_version(const uint8_t *p, size_t n)
{
	return n >= RFB_VERSION_LEN && memcmp(p, "RFB ", 4) == 0 && p[7] == '.' && p[11] == '\n';
}

static bool vnc_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	if (ctx->l4_proto != 6)
		return false;
	if (n >= 5 && memcmp(p, "RFB 0", 5) == 0)
		return true;
	return (ctx->sport >= 5900 && ctx->sport <= 5910) || (ctx->dport >= 5900 && ctx->dport <= 5910);
}

/* IANA "Remote Framebuffer Security Types". */
static void vnc_sec_name(uint8_t t, struct bb_str *s)
{
	switch (t) {
	case 0:
		bb_str_adds(s, "Invalid");
		break;
	case 1:
		bb_str_adds(s, "None");
		break;
	case 2:
		bb_str_adds(s, "VNC Authentication");
		break;
	case 5:
		bb_str_adds(s, "RA2");
		break;
	case 6:
		bb_str_adds(s, "RA2ne");
		break;
	case 16:
		bb_str_adds(s, "Tight");
		break;
	case 17:
		bb_str_adds(s, "Ultra");
		break;
	case 18:
		bb_str_adds(s, "TLS");
		break;
	case 19:
		bb_str_adds(s, "VeNCrypt");
		break;
	case 20:
		bb_str_adds(s, "SASL");
		break;
	case 21:
		bb_str_adds(s, "MD5 hash authentication");
		break;
	case 22:
		bb_str_adds(s, "xvp");
		break;
	case 30:
		bb_str_adds(s, "Apple Remote Desktop");
		break;
	default:
		bb_str_addf(s, "%u", t);
	}
}

/* Emit one type list; the caller has checked it fits. */
static int vnc_types(const uint8_t *t, size_t count, enum obs_subject subj, const char *key,
		     struct dec_out *out)
{
	char buf[OBS_VALUE_MAX];
	struct bb_str s;
	bool none = false;
	int emitted = 0;

	bb_str_init(&s, buf, sizeof(buf));
	for (size_t i = 0; i < count; i++) {
		if (i)
			bb_str_addc(&s, ',');
		vnc_sec_name(t[i], &s);
		none = none || t[i] == RFB_SEC_NONE;
	}
	if (dec_emit(out, subj, key, s.s, s.len, 85))
		emitted++;
	if (none && dec_emit_str(out, subj, "vnc_auth_none", "1"))
		emitted++;
	return emitted;
}

/* ServerInit at p, exactly n bytes long? Then emit the desktop name. */
static int vnc_server_init(const uint8_t *p, size_t n, struct dec_out *out)
{
	uint32_t name_len;
	uint8_t bpp, depth;

	if (n < RFB_SERVERINIT_LEN)
		return 0;
	name_len = dec_be32(p + 20);
	bpp = p[4];
	depth = p[5];
	if (name_len > RFB_NAME_MAX || name_len != n - RFB_SERVERINIT_LEN)
		return 0;
	if ((bpp != 8 && bpp != 16 && bpp != 32) || depth > bpp || p[6] > 1 || p[7] > 1)
		return 0;
	if (!dec_emit(out, OBS_SRC, "vnc_desktop_name", (const char *)p + RFB_SERVERINIT_LEN, name_len, 85))
		return 0;
	return 1;
}

static int vnc_server_packet(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	uint32_t v;

	if (ctx->seq == 1) {
		/* RFB 3.3: u32 type chosen by the server (0 failed, 1 None, 2 VNC Authentication). */
		if (n >= 4 && p[0] == 0 && p[1] == 0 && p[2] == 0) {
			v = p[3];
			return v ? vnc_types(p + 3, 1, OBS_SRC, "vnc_security_types", out) : 0;
		}
		/* RFB 3.7+: a count and the types; a segment holding exactly that. */
		if (n >= 2 && p[0] && (size_t)p[0] + 1 == n)
			return vnc_types(p + 1, p[0], OBS_SRC, "vnc_security_types", out);
		return 0;
	}
	if (ctx->seq < 2)
		return 0;
	/* SecurityResult OK, then ServerInit in the same segment; or ServerInit alone. */
	if (n > 4 && dec_be32(p) == 0) {
		int r = vnc_server_init(p + 4, n - 4, out);

		if (r)
			return r;
	}
	return vnc_server_init(p, n, out);
}

static int vnc_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	bool server = !ctx->from_initiator, known = false;
	int emitted = 0, r = 0;
	char svc[16];

	if (ctx->l4_proto != 6 || !n)
		return 0;
	if (vnc_is_version(p, n)) {
		known = true;
		if (dec_emit(out, OBS_SRC, server ? "vnc_server_version" : "vnc_client_version",
			     (const char *)p, RFB_VERSION_LEN - 1, 95))
			emitted++;
	} else if (server) {
		r = vnc_server_packet(ctx, p, n, out);
		known = r > 0;
	} else if (ctx->seq == 1 && n == 1 && p[0]) {
		/* The client's choice among the offered types (3.7+). */
		r = vnc_types(p, 1, OBS_DST, "vnc_security_chosen", out);
		known = r > 0;
	}
	emitted += r;
	if (!known)
		return emitted;
	if (dec_emit_str(out, OBS_SRC, "app_protocol", "VNC"))
		emitted++;
	if (server) {
		snprintf(svc, sizeof(svc), "tcp/%u", ctx->sport);
		if (dec_emit_str(out, OBS_SRC, "service", svc))
			emitted++;
	} else if (dec_emit(out, OBS_DST, "app_protocol", "VNC", 3, 80)) {
		emitted++;
	}
	return emitted;
}

const struct decoder dec_vnc = {
	.name = "vnc",
	.match = vnc_match,
	.decode = vnc_decode,
};
