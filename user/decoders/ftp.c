// SPDX-License-Identifier: GPL-2.0-only
/*
 * FTP control channel, TCP port 21: server replies and client commands, one packet at a time, every line of it.
 *
 * Keys, server replies (subject OBS_SRC):
 *   ftp_banner     the 220 greeting's first line as "220 <text>" (a "220-" continuation is written "220 " too)
 *   ftp_syst       the text of the 215 reply to SYST ("UNIX Type: L8 ...")
 *   app_protocol   "FTP"
 * Keys, client commands (subject OBS_SRC, the client):
 *   ftp_user            the USER argument
 *   ftp_password_seen   "1" when PASS is sent in the clear (the password itself is never emitted)
 *   ftp_client          the CLNT argument (client software, e.g. "NcFTP 3.2.6 macosx10.13")
 */
#include <netinet/in.h>

#include "decoder.h"
#include "text_util.h"

#define FTP_PORT 21

static bool ftp_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	return ctx->l4_proto == IPPROTO_TCP && dec_port_is(ctx, FTP_PORT) && n > 0;
}

/* The server side of the control connection sends from port 21; without the port, the flow's responder. */
static bool from_server(const struct dec_ctx *ctx)
{
	if (ctx->sport == FTP_PORT && ctx->dport != FTP_PORT)
		return true;
	if (ctx->dport == FTP_PORT && ctx->sport != FTP_PORT)
		return false;
	return !ctx->from_initiator;
}

static void emit_reply(struct dec_out *out, const char *key, const char *code, struct tu_span text)
{
	char buf[OBS_VALUE_MAX];

	dec_emit(out, OBS_SRC, key, buf, tu_join(buf, sizeof(buf), code, text), 90);
}

static void decode_server(const uint8_t *p, size_t n, struct dec_out *out)
{
	struct tu_span line, text;
	size_t off = 0;
	bool term, any = false;
	int code;

	while (tu_next_line(p, n, &off, &line, &term)) {
		if (!tu_reply_code(line, &code))
			continue; /* the body of a multi-line reply */
		any = true;
		text.p = line.p + 3;
		text.n = line.n - 3;
		if (text.n) {
			text.p++;
			text.n--;
		}
		text = tu_trim(text);
		/* Only the greeting's first line: later 220- lines are the site's welcome text. */
		if (code == 220 && line.p == p)
			emit_reply(out, "ftp_banner", "220 ", text);
		else if (code == 215)
			emit_reply(out, "ftp_syst", "", text);
	}
	/* A packet of only continuation text (the body of a long 230- welcome) is not malformed, just silent. */
	if (any)
		dec_emit_str(out, OBS_SRC, "app_protocol", "FTP");
}

static void decode_client(const uint8_t *p, size_t n, struct dec_out *out)
{
	struct tu_span line, rest, cmd;
	size_t off = 0;
	bool term;

	while (tu_next_line(p, n, &off, &line, &term)) {
		rest = line;
		if (!tu_token(&rest, &cmd))
			continue;
		/* A command cut by the end of the packet may be missing its tail: skip it rather than guess. */
		if (!term && !tu_eq_ci(cmd, "PASS"))
			continue;
		if (tu_eq_ci(cmd, "USER"))
			dec_emit(out, OBS_SRC, "ftp_user", (const char *)rest.p, rest.n, 90);
		else if (tu_eq_ci(cmd, "PASS"))
			dec_emit_str(out, OBS_SRC, "ftp_password_seen", "1");
		else if (tu_eq_ci(cmd, "CLNT"))
			dec_emit(out, OBS_SRC, "ftp_client", (const char *)rest.p, rest.n, 90);
	}
}

static int ftp_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	int before = out->n;

	if (from_server(ctx))
		decode_server(p, n, out);
	else
		decode_client(p, n, out);
	return out->n - before;
}

const struct decoder dec_ftp = {
	.name = "ftp",
	.match = ftp_match,
	.decode = ftp_decode,
};
