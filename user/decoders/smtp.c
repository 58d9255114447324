// SPDX-License-Identifier: GPL-2.0-only
/*
 * SMTP, TCP ports 25 and 587: server replies, client commands and, in the client's DATA, the message headers that
 * name the mail client. One packet at a time, every line of it.
 *
 * Keys, server replies (subject OBS_SRC):
 *   smtp_banner        the 220 greeting's first line as "220 <text>" ("220-" continuations written "220 " too)
 *   smtp_server_name   the first word of the greeting: the host name the server gives itself
 *   smtp_auth_mechs    the mechanisms of the EHLO reply's AUTH line ("PLAIN LOGIN")
 *   smtp_starttls      "1" when the EHLO reply offers STARTTLS
 *   app_protocol       "SMTP"
 * Keys, client (subject OBS_SRC):
 *   smtp_helo                 the HELO/EHLO argument
 *   mail_client_user_agent    X-Mailer or User-Agent header of a message being sent
 */
#include <netinet/in.h>

#include "decoder.h"
#include "text_util.h"

static bool smtp_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	return ctx->l4_proto == IPPROTO_TCP && (dec_port_is(ctx, 25) || dec_port_is(ctx, 587)) && n > 0;
}

static bool from_server(const struct dec_ctx *ctx)
{
	bool s = ctx->sport == 25 || ctx->sport == 587, d = ctx->dport == 25 || ctx->dport == 587;

	if (s != d)
		return s;
	return !ctx->from_initiator;
}

static void decode_server(const uint8_t *p, size_t n, struct dec_out *out)
{
	struct tu_span line, text, word;
	size_t off = 0;
	bool term, any = false;
	int code;

	while (tu_next_line(p, n, &off, &line, &term)) {
		if (!tu_reply_code(line, &code))
			continue;
		any = true;
		text.p = line.p + 3;
		text.n = line.n - 3;
		if (text.n) {
			text.p++;
			text.n--;
		}
		text = tu_trim(text);
		if (code == 220) {
			struct tu_span rest = text;

			/* Only the greeting's first line: later 220- lines are policy text, not the banner. */
			if (line.p == p) {
				char buf[OBS_VALUE_MAX];

				dec_emit(out, OBS_SRC, "smtp_banner", buf,
					 tu_join(buf, sizeof(buf), "220 ", text), 90);
				if (tu_token(&rest, &word))
					dec_emit(out, OBS_SRC, "smtp_server_name", (const char *)word.p,
						 word.n, 80);
			}
		} else if (code == 250 && term) {
			struct tu_span rest = text;

			if (!tu_token(&rest, &word))
				continue;
			if (tu_eq_ci(word, "AUTH") || tu_prefix_ci(word, "AUTH=")) {
				/* "AUTH=LOGIN PLAIN" is the pre-RFC form of "AUTH LOGIN PLAIN". */
				if (word.n > 5) {
					rest.p = word.p + 5;
					rest.n = (size_t)(text.p + text.n - rest.p);
				}
				dec_emit(out, OBS_SRC, "smtp_auth_mechs", (const char *)rest.p, rest.n, 90);
			} else if (tu_eq_ci(word, "STARTTLS")) {
				dec_emit_str(out, OBS_SRC, "smtp_starttls", "1");
			}
		}
	}
	/* A reply split across segments leaves text with no code: silent, not malformed. */
	if (any)
		dec_emit_str(out, OBS_SRC, "app_protocol", "SMTP");
}

static void decode_client(const uint8_t *p, size_t n, struct dec_out *out)
{
	struct tu_span line, rest, cmd, v;
	size_t off = 0;
	bool term;

	while (tu_next_line(p, n, &off, &line, &term)) {
		/* Headers in DATA: the same packet may carry commands (pipelining) or only message text. */
		if (tu_header(line, "X-Mailer", &v) || tu_header(line, "User-Agent", &v)) {
			dec_emit(out, OBS_SRC, "mail_client_user_agent", (const char *)v.p, v.n,
				 term ? 90 : 50);
			continue;
		}
		if (!term)
			continue;
		rest = line;
		if (!tu_token(&rest, &cmd))
			continue;
		if (tu_eq_ci(cmd, "EHLO") || tu_eq_ci(cmd, "HELO"))
			dec_emit(out, OBS_SRC, "smtp_helo", (const char *)rest.p, rest.n, 90);
	}
}

static int smtp_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	int before = out->n;

	if (from_server(ctx))
		decode_server(p, n, out);
	else
		decode_client(p, n, out);
	return out->n - before;
}

const struct decoder dec_smtp = {
	.name = "smtp",
	.match = smtp_match,
	.decode = smtp_decode,
};
