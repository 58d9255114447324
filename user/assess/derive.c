// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <string.h>

#include "../inventory.h"
#include "derive.h"

void derive_init(struct derive *d)
{
	memset(d, 0, sizeof(*d));
}

/* Observation keys a client sends that put credentials on the wire in the clear, and how to name them. */
static const struct {
	const char *key;
	const char *what;
} cleartext_keys[] = {
	{ "ftp_password_seen", "FTP USER/PASS" },
	{ "http_basic_auth", "HTTP Basic authentication over plain HTTP" },
	{ "mqtt_password_present", "MQTT CONNECT password without TLS" },
};

static bool has_key(const struct dec_out *out, const char *key, enum obs_subject subj, const char **value)
{
	for (int i = 0; i < out->n; i++) {
		if (out->obs[i].subject == subj && !strcmp(out->obs[i].key, key)) {
			if (value)
				*value = out->obs[i].value;
			return true;
		}
	}
	return false;
}

/* FNV-1a: the session table needs spread, not strength (a collision only forgets a session). */
static uint32_t fnv1a(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* The session of this packet, by its server and client ends; claims the slot when create. */
static struct telnet_session *telnet_slot(struct derive *d, const struct dec_ctx *c, bool create)
{
	const struct iot_addr *srv = c->from_initiator ? &c->dst_ip : &c->src_ip;
	const struct iot_addr *cli = c->from_initiator ? &c->src_ip : &c->dst_ip;
	uint16_t sport = c->from_initiator ? c->dport : c->sport, cport = c->from_initiator ? c->sport : c->dport;
	uint8_t key[36];
	struct telnet_session *s;

	memcpy(key, srv->b, 16);
	memcpy(key + 16, &sport, 2);
	memcpy(key + 18, cli->b, 16);
	memcpy(key + 34, &cport, 2);
	s = &d->telnet[fnv1a(key, sizeof(key)) % DERIVE_SESSIONS];
	if (!memcmp(s->key, key, sizeof(key)))
		return s;
	if (!create)
		return NULL;
	for (size_t i = 0; i < sizeof(s->key); i++)
		if (s->key[i]) {
			d->collisions++;
			break;
		}
	memset(s, 0, sizeof(*s));
	memcpy(s->key, key, sizeof(key));
	return s;
}

/*
 * REC-0001's proof: the server's packets of one session, in order (ctx->seq counts them), show a shell prompt
 * and no login or password prompt at a lower seq. A session whose first server packets were not captured (the
 * sensor started mid-session) may look unauthenticated: the finding says which prompt and which flow.
 */
static void telnet_packet(struct derive *d, struct inventory *inv, const struct dec_ctx *c,
			  const struct dec_out *out, const char *flow)
{
	const char *shell = NULL, *prompt = NULL;
	struct telnet_session *s;
	bool login, password;

	if (c->from_initiator)
		return; /* the client's keystrokes prove nothing about the server's authentication */
	login = has_key(out, "telnet_login_prompt", OBS_SRC, &prompt);
	password = has_key(out, "telnet_password_prompt", OBS_SRC, &prompt);
	has_key(out, "telnet_shell_prompt", OBS_SRC, &shell);
	if (!login && !password && !shell)
		return;
	s = telnet_slot(d, c, true);
	if ((login || password) && (!s->auth_prompt || c->seq < s->auth_seq)) {
		s->auth_prompt = true;
		s->auth_seq = c->seq;
	}
	if ((login || password) && !s->auth_done) {
		s->auth_done = true;
		inv_add_ip(inv, &c->src_ip, "telnet_auth_prompt", prompt, 90, c->ts_ns, flow);
	}
	if (password && !s->creds_done) {
		s->creds_done = true;
		inv_add_ip(inv, &c->src_ip, "cleartext_credentials", "Telnet login", 80, c->ts_ns, flow);
	}
	if (shell && !s->noauth_done && (!s->auth_prompt || s->auth_seq > c->seq)) {
		s->noauth_done = true;
		inv_add_ip(inv, &c->src_ip, "telnet_noauth_shell", shell, 90, c->ts_ns, flow);
	}
}

void derive_packet(struct derive *d, struct inventory *inv, const struct dec_ctx *c, const struct dec_out *out,
		   const char *flow)
{
	if (!c->l4_proto || !out->n)
		return;
	if (c->l4_proto == 6 && (dec_port_is(c, 23) || dec_port_is(c, 2323)))
		telnet_packet(d, inv, c, out, flow);
	/* Credentials sent by the initiator land on the responder: the server that accepts them in the clear. */
	if (!c->from_initiator)
		return;
	for (size_t i = 0; i < sizeof(cleartext_keys) / sizeof(cleartext_keys[0]); i++)
		if (has_key(out, cleartext_keys[i].key, OBS_SRC, NULL))
			inv_add_ip(inv, &c->dst_ip, "cleartext_credentials", cleartext_keys[i].what, 80, c->ts_ns,
				   flow);
}

bool derive_addr_in_site(const struct iot_addr *a)
{
	static const uint8_t v4map[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	const uint8_t *b = a->b;

	if (!memcmp(b, v4map, 12)) {
		const uint8_t *v4 = b + 12;

		return v4[0] == 10 || v4[0] == 127 || (v4[0] == 172 && (v4[1] & 0xf0) == 16) ||
		       (v4[0] == 192 && v4[1] == 168) || (v4[0] == 169 && v4[1] == 254) ||
		       (v4[0] == 100 && (v4[1] & 0xc0) == 64) || (v4[0] == 198 && (v4[1] & 0xfe) == 18) ||
		       v4[0] == 0 || v4[0] >= 224;
	}
	/* ULA fc00::/7, link-local fe80::/10, multicast ff00::/8, ::1 and :: */
	if ((b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) || b[0] == 0xff)
		return true;
	for (int i = 0; i < 15; i++)
		if (b[i])
			return false;
	return b[15] <= 1;
}

void derive_answered(struct inventory *inv, const struct dec_ctx *c, const char *svc, const char *flow)
{
	char who[48], val[80];

	if (derive_addr_in_site(&c->dst_ip))
		return;
	dec_format_addr(&c->dst_ip, who, sizeof(who));
	snprintf(val, sizeof(val), "%s from %s", svc, who);
	inv_add_ip(inv, &c->src_ip, "exposed_service", val, 90, c->ts_ns, flow);
}
