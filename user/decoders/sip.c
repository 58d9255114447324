// SPDX-License-Identifier: GPL-2.0-only
/*
 * SIP over UDP or TCP (port 5060, or any port when the text starts like a SIP request or status line): reads the
 * start line and the header block of one message, in long or compact header form (f, t, m for From, To, Contact).
 *
 * Keys (subject OBS_SRC, the sender of the message, unless said otherwise):
 *   sip_method        the request method (REGISTER, INVITE, ...)
 *   sip_user_agent    User-Agent (requests and responses: whoever sent it)
 *   sip_server        Server (responses)
 *   sip_from, sip_to  the URIs of From and To of a request the sender originated or relayed
 *   sip_contact       the URI of Contact: where the sender itself can be reached
 *   app_protocol "SIP"  on the receiver of a request (OBS_DST) or the sender of a response (OBS_SRC)
 */
#include <netinet/in.h>

#include "decoder.h"
#include "text_util.h"

static const char *const sip_methods[] = {
	"INVITE ", "ACK ", "BYE ", "CANCEL ", "REGISTER ", "OPTIONS ", "PRACK ", "SUBSCRIBE ",
	"NOTIFY ", "PUBLISH ", "INFO ", "REFER ", "MESSAGE ", "UPDATE ",
};

static bool has_method(struct tu_span line)
{
	for (size_t i = 0; i < sizeof(sip_methods) / sizeof(sip_methods[0]); i++)
		if (tu_prefix(line, sip_methods[i]))
			return true;
	return false;
}

/*
 * OPTIONS and NOTIFY are HTTP/RTSP methods too: the version token decides. On the SIP port a request line cut by
 * the end of the packet (no version token yet) still counts.
 */
static bool is_request_line(const struct dec_ctx *ctx, struct tu_span line, bool term)
{
	if (!has_method(line))
		return false;
	return tu_suffix_ci(tu_trim(line), " SIP/2.0") || (!term && dec_port_is(ctx, 5060));
}

static bool sip_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	struct tu_span line;
	size_t off = 0;
	bool term;

	if (ctx->l4_proto != IPPROTO_TCP && ctx->l4_proto != IPPROTO_UDP)
		return false;
	if (!tu_next_line(p, n, &off, &line, &term))
		return false;
	return tu_prefix(line, "SIP/2.0 ") || is_request_line(ctx, line, term);
}

/* The URI of a From/To/Contact value: inside <...> when present, else up to the first ';' parameter. */
static struct tu_span header_uri(struct tu_span v)
{
	size_t i, start;

	for (i = 0; i < v.n && v.p[i] != '<'; i++)
		;
	if (i < v.n) {
		start = ++i;
		while (i < v.n && v.p[i] != '>')
			i++;
	} else {
		start = 0;
		for (i = 0; i < v.n && v.p[i] != ';' && v.p[i] != ','; i++)
			;
	}
	return tu_trim((struct tu_span){ v.p + start, i - start });
}

static void emit_span(struct dec_out *out, enum obs_subject subj, const char *key, struct tu_span v, bool term)
{
	dec_emit(out, subj, key, (const char *)v.p, v.n, term ? 90 : 50);
}

static int sip_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	struct tu_span line, rest, tok, v;
	size_t off = 0;
	int before = out->n;
	bool term, request;

	if (!tu_next_line(p, n, &off, &line, &term))
		return -1;
	if (tu_prefix(line, "SIP/2.0 ")) {
		rest = line;
		tu_token(&rest, &tok);
		if (!tu_token(&rest, &tok) || tok.n != 3)
			return -1;
		request = false;
		dec_emit_str(out, OBS_SRC, "app_protocol", "SIP");
	} else if (is_request_line(ctx, line, term)) {
		rest = line;
		if (!tu_token(&rest, &tok))
			return -1;
		request = true;
		dec_emit(out, OBS_SRC, "sip_method", (const char *)tok.p, tok.n, 90);
		dec_emit_str(out, OBS_DST, "app_protocol", "SIP");
	} else {
		return -1;
	}

	while (tu_next_line(p, n, &off, &line, &term) && line.n) {
		if (tu_header(line, "User-Agent", &v))
			emit_span(out, OBS_SRC, "sip_user_agent", v, term);
		else if (!request && tu_header(line, "Server", &v))
			emit_span(out, OBS_SRC, "sip_server", v, term);
		else if (tu_header(line, "Contact", &v) || tu_header(line, "m", &v))
			emit_span(out, OBS_SRC, "sip_contact", header_uri(v), term);
		else if (request && (tu_header(line, "From", &v) || tu_header(line, "f", &v)))
			emit_span(out, OBS_SRC, "sip_from", header_uri(v), term);
		else if (request && (tu_header(line, "To", &v) || tu_header(line, "t", &v)))
			emit_span(out, OBS_SRC, "sip_to", header_uri(v), term);
	}
	return out->n - before;
}

const struct decoder dec_sip = {
	.name = "sip",
	.match = sip_match,
	.decode = sip_decode,
};
