// SPDX-License-Identifier: GPL-2.0-only
/*
 * RTSP/1.0 over TCP (ports 554 and 8554, or any port when the text starts like an RTSP request or status line):
 * reads the start line and the header block of one message. Interleaved RTP ('$' frames) is not text and is
 * ignored.
 *
 * Keys, request (client -> server):
 *   rtsp_method, rtsp_user_agent              subject OBS_SRC
 *   rtsp_uri                                  the stream URI (camera paths name models)   subject OBS_DST
 *   app_protocol "RTSP"                       confidence 60                               subject OBS_DST
 * Keys, response (server -> client), subject OBS_SRC:
 *   rtsp_server, rtsp_public (the methods the server offers), rtsp_auth_realm, app_protocol "RTSP"
 */
#include <netinet/in.h>
#include <string.h>

#include "decoder.h"
#include "text_util.h"

static const char *const rtsp_methods[] = {
	"OPTIONS ", "DESCRIBE ", "SETUP ", "PLAY ", "PAUSE ", "TEARDOWN ", "GET_PARAMETER ",
	"SET_PARAMETER ", "ANNOUNCE ", "RECORD ", "REDIRECT ",
};

static bool is_request_line(struct tu_span line, bool on_port)
{
	for (size_t i = 0; i < sizeof(rtsp_methods) / sizeof(rtsp_methods[0]); i++) {
		if (!tu_prefix(line, rtsp_methods[i]))
			continue;
		/* OPTIONS is an HTTP and SIP method too: the version token (or the URI scheme) decides. */
		return tu_find(line, " RTSP/1.") >= 0 || tu_find(line, " rtsp://") >= 0 ||
		       tu_find(line, " rtsps://") >= 0 || on_port;
	}
	return false;
}

static bool rtsp_port(const struct dec_ctx *ctx)
{
	return dec_port_is(ctx, 554) || dec_port_is(ctx, 8554);
}

static bool rtsp_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	struct tu_span line;
	size_t off = 0;
	bool term;

	if (ctx->l4_proto != IPPROTO_TCP || !tu_next_line(p, n, &off, &line, &term))
		return false;
	return tu_prefix(line, "RTSP/1.0 ") || is_request_line(line, rtsp_port(ctx));
}

static void emit_span(struct dec_out *out, enum obs_subject subj, const char *key, struct tu_span v, bool term)
{
	dec_emit(out, subj, key, (const char *)v.p, v.n, term ? 90 : 50);
}

/* realm="..." in a WWW-Authenticate value. */
static bool realm_of(struct tu_span v, struct tu_span *realm)
{
	long at = tu_find_ci(v, "realm=\"");
	size_t i;

	if (at < 0)
		return false;
	i = (size_t)at + strlen("realm=\"");
	realm->p = v.p + i;
	while (i < v.n && v.p[i] != '"')
		i++;
	realm->n = (size_t)(v.p + i - realm->p);
	return true;
}

static int rtsp_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	struct tu_span line, rest, tok, v;
	size_t off = 0;
	int before = out->n;
	bool term, request;

	if (!tu_next_line(p, n, &off, &line, &term))
		return -1;
	rest = line;
	if (tu_prefix(line, "RTSP/1.0 ")) {
		tu_token(&rest, &tok);
		if (!tu_token(&rest, &tok) || tok.n != 3)
			return -1;
		request = false;
		dec_emit_str(out, OBS_SRC, "app_protocol", "RTSP");
	} else if (is_request_line(line, rtsp_port(ctx)) && tu_token(&rest, &tok)) {
		dec_emit(out, OBS_SRC, "rtsp_method", (const char *)tok.p, tok.n, 90);
		if (tu_token(&rest, &tok))
			dec_emit(out, OBS_DST, "rtsp_uri", (const char *)tok.p, tok.n, 90);
		dec_emit(out, OBS_DST, "app_protocol", "RTSP", 4, 60);
		request = true;
	} else {
		return -1;
	}

	while (tu_next_line(p, n, &off, &line, &term) && line.n) {
		if (request && tu_header(line, "User-Agent", &v)) {
			emit_span(out, OBS_SRC, "rtsp_user_agent", v, term);
		} else if (!request && tu_header(line, "Server", &v)) {
			emit_span(out, OBS_SRC, "rtsp_server", v, term);
		} else if (!request && tu_header(line, "Public", &v)) {
			emit_span(out, OBS_SRC, "rtsp_public", v, term);
		} else if (!request && term && tu_header(line, "WWW-Authenticate", &v)) {
			struct tu_span realm;

			if (realm_of(v, &realm))
				emit_span(out, OBS_SRC, "rtsp_auth_realm", realm, true);
		}
	}
	return out->n - before;
}

const struct decoder dec_rtsp = {
	.name = "rtsp",
	.match = rtsp_match,
	.decode = rtsp_decode,
};
