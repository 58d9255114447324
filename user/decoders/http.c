// SPDX-License-Identifier: GPL-2.0-only
/*
 * HTTP/1.x over TCP, any port: reads the request or status line and the header block of one packet (the body
 * is never looked at). A header line cut by the end of the packet still yields its value, at lower confidence:
 * a long request line often pushes User-Agent across a segment boundary.
 *
 * Keys, request (client -> server):
 *   http_method, http_uri           the request line (the URI is cut at OBS_VALUE_MAX)    subject OBS_SRC
 *   http_user_agent                 User-Agent                                            subject OBS_SRC
 *   http_browser_plugin             from X-Flash-Version: "Flash/<v>", or "AdobeAIR-Flash/<v>" under an
 *                                   AdobeAIR user agent (the form Zeek's software log uses)  subject OBS_SRC
 *   http_basic_auth                 "1" when Authorization: Basic is sent (the credentials never are)
 *                                                                                         subject OBS_SRC
 *   http_host                       Host: the name the client used for the server         subject OBS_DST
 *   app_protocol "HTTP"             at confidence 60 (a request alone does not prove a server)  OBS_DST
 * Keys, response (server -> client), all subject OBS_SRC:
 *   http_server, http_x_powered_by, http_auth_scheme and http_auth_realm (WWW-Authenticate), app_protocol "HTTP"
 */
#include <netinet/in.h>
#include <string.h>

#include "decoder.h"
#include "text_util.h"

static const char *const http_methods[] = {
	"GET ", "POST ", "HEAD ", "PUT ", "OPTIONS ", "DELETE ", "CONNECT ", "PATCH ", "TRACE ",
};

static bool is_request_start(struct tu_span s)
{
	for (size_t i = 0; i < sizeof(http_methods) / sizeof(http_methods[0]); i++)
		if (tu_prefix(s, http_methods[i]))
			return true;
	return false;
}

/* RTSP and SIP share the HTTP message syntax and some method names: their version token tells them apart. */
static bool is_other_protocol(struct tu_span first_line)
{
	return tu_find(first_line, " RTSP/") >= 0 || tu_find(first_line, " SIP/") >= 0 ||
	       tu_find(first_line, " rtsp://") >= 0 || tu_find(first_line, " sip:") >= 0;
}

static bool http_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	struct tu_span all = { p, n }, first;
	size_t off = 0;
	bool term;

	if (ctx->l4_proto != IPPROTO_TCP || !n)
		return false;
	if (!tu_prefix(all, "HTTP/1.") && !is_request_start(all))
		return false;
	if (!tu_next_line(p, n, &off, &first, &term))
		return false;
	return !is_other_protocol(first);
}

static void emit_span(struct dec_out *out, enum obs_subject subj, const char *key, struct tu_span v,
		      bool complete)
{
	dec_emit(out, subj, key, (const char *)v.p, v.n, complete ? 90 : 50);
}

/* Value of name="value" or name=value inside a header value (WWW-Authenticate parameters). */
static bool auth_param(struct tu_span v, const char *name, struct tu_span *out)
{
	size_t l = strlen(name), i, start;

	for (i = 0; i + l < v.n; i++) {
		struct tu_span at = { v.p + i, v.n - i };

		/* The parameter name must start a word ("realm", not "xrealm") and be followed by '='. */
		if ((i == 0 || v.p[i - 1] == ' ' || v.p[i - 1] == ',' || v.p[i - 1] == '\t') &&
		    tu_prefix_ci(at, name) && v.p[i + l] == '=')
			break;
	}
	if (i + l >= v.n)
		return false;
	i += l + 1;
	if (i < v.n && v.p[i] == '"') {
		start = ++i;
		while (i < v.n && v.p[i] != '"')
			i++;
	} else {
		start = i;
		while (i < v.n && v.p[i] != ',' && v.p[i] != ' ')
			i++;
	}
	out->p = v.p + start;
	out->n = i - start;
	return true;
}

static void decode_request(struct tu_span line, const uint8_t *p, size_t n, size_t off, struct dec_out *out)
{
	struct tu_span rest = line, method, uri, v, ua = { NULL, 0 }, flash = { NULL, 0 };
	bool term;

	if (tu_token(&rest, &method))
		dec_emit(out, OBS_SRC, "http_method", (const char *)method.p, method.n, 90);
	if (tu_token(&rest, &uri))
		dec_emit(out, OBS_SRC, "http_uri", (const char *)uri.p, uri.n, 90);
	dec_emit(out, OBS_DST, "app_protocol", "HTTP", 4, 60);

	while (tu_next_line(p, n, &off, &line, &term) && line.n) {
		if (tu_header(line, "User-Agent", &v)) {
			emit_span(out, OBS_SRC, "http_user_agent", v, term);
			ua = v;
		} else if (tu_header(line, "Host", &v)) {
			emit_span(out, OBS_DST, "http_host", v, term);
		} else if (tu_header(line, "X-Flash-Version", &v) && term) {
			flash = v;
		} else if (tu_header(line, "Authorization", &v) || tu_header(line, "Proxy-Authorization", &v)) {
			if (tu_prefix_ci(v, "Basic"))
				dec_emit_str(out, OBS_SRC, "http_basic_auth", "1");
		}
	}
	if (flash.n && flash.n < 64) {
		/* Flash sends only its version; the host application, if any, is named by the user agent. */
		const char *host = ua.n && tu_find(ua, "AdobeAIR") >= 0 ? "AdobeAIR-Flash/" : "Flash/";
		char buf[OBS_VALUE_MAX];

		dec_emit(out, OBS_SRC, "http_browser_plugin", buf, tu_join(buf, sizeof(buf), host, flash), 90);
	}
}

static void decode_response(const uint8_t *p, size_t n, size_t off, struct dec_out *out)
{
	struct tu_span line, v, scheme, realm;
	bool term;

	dec_emit_str(out, OBS_SRC, "app_protocol", "HTTP");
	while (tu_next_line(p, n, &off, &line, &term) && line.n) {
		if (tu_header(line, "Server", &v)) {
			emit_span(out, OBS_SRC, "http_server", v, term);
		} else if (tu_header(line, "X-Powered-By", &v)) {
			emit_span(out, OBS_SRC, "http_x_powered_by", v, term);
		} else if (tu_header(line, "WWW-Authenticate", &v) && term) {
			struct tu_span rest = v;

			if (tu_token(&rest, &scheme))
				dec_emit(out, OBS_SRC, "http_auth_scheme", (const char *)scheme.p, scheme.n, 90);
			if (auth_param(v, "realm", &realm))
				dec_emit(out, OBS_SRC, "http_auth_realm", (const char *)realm.p, realm.n, 90);
		}
	}
}

static int http_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	struct tu_span all = { p, n }, line;
	size_t off = 0;
	int before = out->n;
	bool term;

	(void)ctx;
	if (!tu_next_line(p, n, &off, &line, &term))
		return -1;
	if (tu_prefix(all, "HTTP/1.")) {
		struct tu_span rest = line, version, code;

		if (!tu_token(&rest, &version) || !tu_token(&rest, &code) || code.n != 3)
			return -1;
		decode_response(p, n, off, out);
	} else if (is_request_start(all) && !is_other_protocol(line)) {
		decode_request(line, p, n, off, out);
	} else {
		return -1;
	}
	return out->n - before;
}

const struct decoder dec_http = {
	.name = "http",
	.match = http_match,
	.decode = http_decode,
};
