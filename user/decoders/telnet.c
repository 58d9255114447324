// SPDX-License-Identifier: GPL-2.0-only
/*
 * Telnet, TCP ports 23 and 2323. Each packet is split into option negotiation (IAC commands, RFC 854/855) and the
 * text the user would see; the text is read for banners, prompts and OS version lines.
 *
 * The decoder is stateless, so the security question "was a shell prompt reached with no login or password
 * prompt before it" is answered downstream from the per-packet prompt keys and the packet's ctx->seq (the
 * consumer must keep seq with each observation: struct iot_obs has no field for it).
 *
 * Keys, server packets (subject OBS_SRC unless said otherwise):
 *   telnet_login_prompt     the prompt text when the packet ends in a login/username prompt ("oof login:")
 *   telnet_password_prompt  ... in a password prompt ("Password:")
 *   telnet_shell_prompt     ... in a shell prompt (a short last line ending in $ # > or %)
 *   telnet_banner           the first text line, when the packet is early in the flow (seq < 8) or also holds a
 *                           login prompt, and shows no password or shell prompt (post-login text is not a banner)
 *   os_motd                 a line naming an OS and its version ("OpenBSD 2.6-beta (OOF) #4: ...")
 *   telnet_username         subject OBS_DST: a name the server echoed after its login prompt on one line
 *   app_protocol "Telnet"
 * Keys, either side (subject OBS_SRC):
 *   telnet_options          the packet's negotiation in order, e.g. "WILL ECHO,DO NAWS"
 *   telnet_terminal_type    the client's TERMINAL-TYPE IS subnegotiation ("xterm-color")
 * Client keystrokes are not emitted: one packet cannot tell a user name from the password typed after it.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "decoder.h"
#include "text_util.h"

#define IAC 255
#define DONT 254
#define DO 253
#define WONT 252
#define WILL 251
#define SB 250
#define SE 240
#define OPT_TTYPE 24
#define TTYPE_IS 0

/* Text kept from one packet: a snapshot payload is at most ~1400 bytes; anything past this is ignored. */
#define TEXT_MAX 2048
#define OPTIONS_MAX 256
/* Server packets past this index are mostly post-login output: their first line is not a banner. */
#define BANNER_SEQ_MAX 8

struct telnet_pkt {
	uint8_t text[TEXT_MAX];
	size_t text_n;
	char options[OPTIONS_MAX];
	size_t options_n;
	struct tu_span ttype;
	bool iac; /* any IAC command seen */
};

static bool telnet_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	return ctx->l4_proto == IPPROTO_TCP && (dec_port_is(ctx, 23) || dec_port_is(ctx, 2323)) && n > 0;
}

static bool from_server(const struct dec_ctx *ctx)
{
	bool s = ctx->sport == 23 || ctx->sport == 2323, d = ctx->dport == 23 || ctx->dport == 2323;

	if (s != d)
		return s;
	return !ctx->from_initiator;
}

static const char *option_name(uint8_t opt)
{
	switch (opt) {
	case 0: return "BINARY";
	case 1: return "ECHO";
	case 3: return "SGA";
	case 5: return "STATUS";
	case 6: return "TM";
	case 24: return "TTYPE";
	case 31: return "NAWS";
	case 32: return "TSPEED";
	case 33: return "LFLOW";
	case 34: return "LINEMODE";
	case 35: return "XDISPLOC";
	case 36: return "ENVIRON";
	case 37: return "AUTHENTICATION";
	case 38: return "ENCRYPT";
	case 39: return "NEW-ENVIRON";
	default: return NULL;
	}
}

static void add_option(struct telnet_pkt *t, uint8_t verb, uint8_t opt)
{
	static const char *const verbs[] = { "WILL", "WONT", "DO", "DONT" };
	const char *name = option_name(opt);
	size_t room = sizeof(t->options) - t->options_n;
	int r;

	if (name)
		r = snprintf(t->options + t->options_n, room, "%s%s %s", t->options_n ? "," : "",
			     verbs[verb - WILL], name);
	else
		r = snprintf(t->options + t->options_n, room, "%s%s %u", t->options_n ? "," : "",
			     verbs[verb - WILL], opt);
	/* A negotiation that does not fit is dropped whole rather than cut mid-name. */
	if (r > 0 && (size_t)r < room)
		t->options_n += (size_t)r;
	else
		t->options[t->options_n] = 0;
}

static void add_text(struct telnet_pkt *t, uint8_t c)
{
	if (t->text_n < sizeof(t->text))
		t->text[t->text_n++] = c;
}

/* A subnegotiation body p[0..n) (after IAC SB, before IAC SE). */
static void subnegotiation(struct telnet_pkt *t, const uint8_t *p, size_t n)
{
	if (n >= 2 && p[0] == OPT_TTYPE && p[1] == TTYPE_IS) {
		t->ttype.p = p + 2;
		t->ttype.n = n - 2;
	}
}

/* Split the packet into negotiation and text. A command cut by the end of the packet is dropped. */
static void telnet_split(const uint8_t *p, size_t n, struct telnet_pkt *t)
{
	size_t i = 0, j;

	while (i < n) {
		if (p[i] != IAC) {
			add_text(t, p[i]);
			/* CR NUL is a bare carriage return (RFC 854): drop the NUL. */
			if (p[i] == '\r' && i + 1 < n && p[i + 1] == 0)
				i++;
			i++;
			continue;
		}
		if (i + 1 >= n)
			break;
		t->iac = true;
		if (p[i + 1] == IAC) {
			add_text(t, IAC);
			i += 2;
		} else if (p[i + 1] >= WILL && p[i + 1] <= DONT) {
			if (i + 2 >= n)
				break;
			add_option(t, p[i + 1], p[i + 2]);
			i += 3;
		} else if (p[i + 1] == SB) {
			/* The body ends at IAC SE; IAC IAC inside it is an escaped data byte. */
			for (j = i + 2; j + 1 < n; j++) {
				if (p[j] == IAC && p[j + 1] == SE)
					break;
				if (p[j] == IAC && p[j + 1] == IAC)
					j++;
			}
			if (j + 1 >= n)
				break;
			subnegotiation(t, p + i + 2, j - (i + 2));
			i = j + 2;
		} else {
			i += 2; /* NOP, GA, AYT, IP, ... */
		}
	}
}

enum prompt_kind { PROMPT_NONE, PROMPT_LOGIN, PROMPT_PASSWORD, PROMPT_SHELL };

static enum prompt_kind prompt_kind(struct tu_span s)
{
	static const char *const login[] = { "login:", "username:", "user name:", "user:", "login as:" };
	static const char *const password[] = { "password:", "passcode:", "passwd:" };
	uint8_t last;

	s = tu_trim(s);
	if (!s.n)
		return PROMPT_NONE;
	for (size_t i = 0; i < sizeof(login) / sizeof(login[0]); i++)
		if (tu_suffix_ci(s, login[i]))
			return PROMPT_LOGIN;
	for (size_t i = 0; i < sizeof(password) / sizeof(password[0]); i++)
		if (tu_suffix_ci(s, password[i]))
			return PROMPT_PASSWORD;
	last = s.p[s.n - 1];
	/* "$ ", "root@cam:~# ", "Router>", "% ": short, and ends in a shell's prompt character. */
	if (s.n <= 80 && (last == '$' || last == '#' || last == '>' || last == '%'))
		return PROMPT_SHELL;
	return PROMPT_NONE;
}

/* "OpenBSD 2.6-beta ...", "Welcome to Ubuntu 22.04 LTS ...", "Linux cam 5.4.0 #1 ...", "BusyBox v1.31.1 ...". */
static bool is_os_line(struct tu_span s)
{
	static const char *const names[] = {
		"OpenBSD", "FreeBSD", "NetBSD", "DragonFly", "Linux", "Ubuntu", "Debian", "CentOS", "Fedora",
		"Raspbian", "Alpine", "BusyBox", "SunOS", "Solaris", "AIX", "HP-UX", "Darwin", "OpenWrt",
		"VxWorks", "QNX",
	};
	struct tu_span rest = tu_trim(s), tok;
	bool named = false;

	if (tu_prefix(rest, "Welcome to ")) {
		tu_token(&rest, &tok);
		tu_token(&rest, &tok);
	}
	if (!tu_token(&rest, &tok))
		return false;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (tok.n == strlen(names[i]) && tu_prefix(tok, names[i]))
			named = true;
	if (!named)
		return false;
	/* A version must follow within two words: "Linux <host> 5.10", "Debian GNU/Linux 12". */
	for (int k = 0; k < 2 && tu_token(&rest, &tok); k++) {
		size_t d = (tok.n > 1 && tok.p[0] == 'v') ? 1 : 0;

		if (tok.p[d] >= '0' && tok.p[d] <= '9')
			return true;
	}
	return false;
}

static void decode_server_text(const struct dec_ctx *ctx, const struct telnet_pkt *t, struct dec_out *out)
{
	static const char *const prompt_keys[] = {
		[PROMPT_LOGIN] = "telnet_login_prompt",
		[PROMPT_PASSWORD] = "telnet_password_prompt",
		[PROMPT_SHELL] = "telnet_shell_prompt",
	};
	struct tu_span line, first = { NULL, 0 }, last = { NULL, 0 }, v;
	enum prompt_kind kind = PROMPT_NONE;
	size_t off = 0;
	bool term, last_term = true;
	long at;

	while (tu_next_line(t->text, t->text_n, &off, &line, &term)) {
		struct tu_span tl = tu_trim(line);

		if (tl.n && !first.n)
			first = tl;
		last = line;
		last_term = term;
		if (tl.n && is_os_line(tl))
			dec_emit(out, OBS_SRC, "os_motd", (const char *)tl.p, tl.n, 70);
		/* A server that echoes the name on the prompt's own line: "oof login: fake". */
		at = tu_find_ci(tl, "login:");
		if (term && at >= 0 && !tu_prefix_ci(tl, "Last login")) {
			v = tu_trim((struct tu_span){ tl.p + at + 6, tl.n - (size_t)at - 6 });
			if (v.n && v.n <= 64 && tu_find(v, " ") < 0)
				dec_emit(out, OBS_DST, "telnet_username", (const char *)v.p, v.n, 70);
		}
	}
	/* A prompt is the packet's last line, left open for the user's input. */
	if (!last_term) {
		kind = prompt_kind(last);
		if (kind != PROMPT_NONE) {
			v = tu_trim(last);
			dec_emit(out, OBS_SRC, prompt_keys[kind], (const char *)v.p, v.n, 80);
		}
	}
	if (!first.n || (kind != PROMPT_NONE && first.p == tu_trim(last).p))
		return;
	if (kind == PROMPT_PASSWORD || kind == PROMPT_SHELL || tu_prefix(first, "Last login"))
		return;
	if (ctx->seq < BANNER_SEQ_MAX || kind == PROMPT_LOGIN)
		dec_emit(out, OBS_SRC, "telnet_banner", (const char *)first.p, first.n,
			 kind == PROMPT_LOGIN ? 90 : 70);
}

static int telnet_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	struct telnet_pkt t;
	bool server = from_server(ctx);
	int before = out->n;

	t.text_n = 0;
	t.options_n = 0;
	t.options[0] = 0;
	t.ttype.p = NULL;
	t.ttype.n = 0;
	t.iac = false;
	telnet_split(p, n, &t);

	if (t.options_n)
		dec_emit(out, OBS_SRC, "telnet_options", t.options, t.options_n, 90);
	if (t.ttype.n)
		dec_emit(out, OBS_SRC, "telnet_terminal_type", (const char *)t.ttype.p, t.ttype.n, 90);
	if (server && t.text_n)
		decode_server_text(ctx, &t, out);
	/* Negotiation proves Telnet; bare text on the port is only likely Telnet. */
	dec_emit(out, server ? OBS_SRC : OBS_DST, "app_protocol", "Telnet", 6, t.iac ? 90 : 60);
	return out->n - before;
}

const struct decoder dec_telnet = {
	.name = "telnet",
	.match = telnet_match,
	.decode = telnet_decode,
};
