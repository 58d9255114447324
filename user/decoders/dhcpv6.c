// SPDX-License-Identifier: GPL-2.0-only
/*
 * DHCPv6 (RFC 8415) on UDP 546/547: the 4-byte message header (type, transaction id) and the options, and
 * relay messages (RELAY-FORW, RELAY-REPL) by unwrapping the Relay Message option (9) they carry.
 *
 * Who a fact is about: a client message is about its sender (OBS_SRC); a server message (ADVERTISE, REPLY,
 * RECONFIGURE) is about the server as sender and about the client as receiver (OBS_DST, when the frame went
 * to a unicast MAC). Inside a relay message the client is named by the Client Link-Layer Address option (79,
 * RFC 6939) when the relay added it (OBS_MAC), else by the relay's peer-address (OBS_IP).
 *
 * About the client: app_protocol "DHCPv6", dhcpv6_msg_types (this packet's type: SOLICIT, REQUEST, REPLY,
 *   INFORMATION-REQUEST, ...), dhcpv6_client_duid (hex), dhcpv6_duid_mac (the MAC inside a DUID-LLT or
 *   DUID-LL), dhcpv6_duid_enterprise (DUID-EN), dhcpv6_option_request (6, "23,24"), dhcpv6_user_class (15),
 *   dhcpv6_fqdn (39), dhcpv6_assigned_ip (IA_NA address in a REPLY).
 * About the sender of the message, client or server: dhcpv6_vendor_enterprise (16/17 enterprise number),
 *   dhcpv6_vendor_class (16 data).
 * About the server: app_protocol "DHCPv6", dhcpv6_server_duid (hex), service "udp/547".
 * About a relay agent (OBS_SRC of a RELAY-FORW): app_protocol "DHCPv6", dhcpv6_relay "true".
 */
#include <string.h>

#include "decoder.h"
#include "l2_util.h"

#define V6_RELAY_HDR 34 /* type, hop count, link-address, peer-address */
#define V6_MAX_DEPTH 8  /* relays nest at most HOP_COUNT_LIMIT (8, RFC 8415 7.6) deep */

enum { V6_ADVERTISE = 2, V6_REPLY = 7, V6_RECONFIGURE = 10, V6_RELAY_FORW = 12, V6_RELAY_REPL = 13 };

enum {
	OPT_CLIENTID = 1, OPT_SERVERID = 2, OPT_IA_NA = 3, OPT_IAADDR = 5, OPT_ORO = 6, OPT_RELAY_MSG = 9,
	OPT_USER_CLASS = 15, OPT_VENDOR_CLASS = 16, OPT_VENDOR_OPTS = 17, OPT_FQDN = 39,
	OPT_CLIENT_LLADDR = 79,
};

static const char *const v6_msg_names[] = {
	[1] = "SOLICIT", [2] = "ADVERTISE", [3] = "REQUEST", [4] = "CONFIRM", [5] = "RENEW", [6] = "REBIND",
	[7] = "REPLY", [8] = "RELEASE", [9] = "DECLINE", [10] = "RECONFIGURE", [11] = "INFORMATION-REQUEST",
	[12] = "RELAY-FORW", [13] = "RELAY-REPL",
};

/* A device an observation can be about: OBS_SRC, OBS_DST, OBS_MAC or OBS_IP; 0 means nobody. */
struct v6_subj {
	enum obs_subject kind;
	uint8_t mac[6];
	struct iot_addr ip;
};

struct v6_msg {
	struct dec_out *out;
	struct v6_subj client, server, sender;
	uint8_t type;
	bool malformed;
};

static void v6_emit(struct dec_out *out, const struct v6_subj *s, const char *key, const char *val)
{
	switch (s->kind) {
	case OBS_MAC:
		dec_emit_for_mac(out, s->mac, key, val);
		break;
	case OBS_IP:
		dec_emit_for_ip(out, &s->ip, key, val);
		break;
	case OBS_SRC:
	case OBS_DST:
		dec_emit_str(out, s->kind, key, val);
		break;
	}
}

static bool v6_is_server_msg(uint8_t type)
{
	return type == V6_ADVERTISE || type == V6_REPLY || type == V6_RECONFIGURE;
}

/* Options are code(2), length(2), value. The iterator stops at the end or at an option running past it. */
struct v6_opts {
	const uint8_t *p;
	size_t n, i;
	uint16_t code;
	const uint8_t *v;
	size_t len;
};

static bool v6_next(struct v6_opts *it)
{
	if (it->n - it->i < 4)
		return false;
	it->code = dec_be16(it->p + it->i);
	it->len = dec_be16(it->p + it->i + 2);
	if (it->len > it->n - it->i - 4)
		return false;
	it->v = it->p + it->i + 4;
	it->i += 4 + it->len;
	return true;
}

/* After v6_next() returned false: did the options fill the space exactly? */
static bool v6_opts_whole(const struct v6_opts *it)
{
	return it->i == it->n;
}

/* A DUID: its hex, and what it says about the device (RFC 8415 11: LLT 1, EN 2, LL 3; hw 1 = Ethernet). */
static void v6_duid(struct v6_msg *m, const struct v6_subj *s, const char *key, const uint8_t *v, size_t len)
{
	char hex[2 * 130 + 1]; /* a DUID is at most 130 bytes */
	char mac[18];
	uint16_t type;

	if (len < 2 || len > 130) {
		m->malformed = true;
		return;
	}
	dec_hex(v, len, hex);
	v6_emit(m->out, s, key, hex);
	if (s != &m->client)
		return;
	type = dec_be16(v);
	if (type == 1 && len == 14 && dec_be16(v + 2) == 1) {
		dec_format_mac(v + 8, mac);
		v6_emit(m->out, s, "dhcpv6_duid_mac", mac);
	} else if (type == 3 && len == 10 && dec_be16(v + 2) == 1) {
		dec_format_mac(v + 4, mac);
		v6_emit(m->out, s, "dhcpv6_duid_mac", mac);
	} else if (type == 2 && len >= 6) {
		struct l2_buf b = { 0 };

		l2_buf_addu(&b, dec_be32(v + 2));
		v6_emit(m->out, s, "dhcpv6_duid_enterprise", b.s);
	}
}

/* A list of opaque items each with a 2-byte length (user class, vendor class data), joined with ','. */
static void v6_join_opaque(struct l2_buf *b, const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (n - i >= 2) {
		size_t len = dec_be16(p + i);

		if (len > n - i - 2)
			break;
		if (len) {
			if (b->len)
				l2_buf_add(b, ",", 1);
			l2_buf_add(b, (const char *)p + i + 2, len);
		}
		i += 2 + len;
	}
}

/* IA_NA: IAID, T1, T2, then options, among them IA Address (16-byte address, lifetimes, options). */
static void v6_ia_na(struct v6_msg *m, const uint8_t *p, size_t n)
{
	struct v6_opts it = { 0 };
	char ip[L2_ADDR_STR];

	if (n < 12)
		return;
	it.p = p + 12;
	it.n = n - 12;
	while (v6_next(&it)) {
		if (it.code == OPT_IAADDR && it.len >= 24) {
			l2_format_v6(it.v, ip, sizeof(ip));
			v6_emit(m->out, &m->client, "dhcpv6_assigned_ip", ip);
		}
	}
}

static void v6_option(struct v6_msg *m, uint16_t code, const uint8_t *v, size_t len)
{
	struct l2_buf b = { 0 };

	switch (code) {
	case OPT_CLIENTID:
		v6_duid(m, &m->client, "dhcpv6_client_duid", v, len);
		break;
	case OPT_SERVERID:
		v6_duid(m, &m->server, "dhcpv6_server_duid", v, len);
		break;
	case OPT_IA_NA:
		if (m->type == V6_REPLY)
			v6_ia_na(m, v, len);
		break;
	case OPT_ORO:
		l2_join_u16(&b, v, len);
		v6_emit(m->out, &m->client, "dhcpv6_option_request", b.s);
		break;
	case OPT_USER_CLASS:
		v6_join_opaque(&b, v, len);
		v6_emit(m->out, &m->client, "dhcpv6_user_class", b.s);
		break;
	case OPT_VENDOR_CLASS:
	case OPT_VENDOR_OPTS:
		if (len < 4)
			break;
		l2_buf_addu(&b, dec_be32(v));
		v6_emit(m->out, &m->sender, "dhcpv6_vendor_enterprise", b.s);
		if (code == OPT_VENDOR_CLASS) {
			struct l2_buf data = { 0 };

			v6_join_opaque(&data, v + 4, len - 4);
			v6_emit(m->out, &m->sender, "dhcpv6_vendor_class", data.s);
		}
		break;
	case OPT_FQDN:
		/* RFC 4704: one flags byte, then the name in DNS wire format. */
		if (len >= 2 && l2_dns_name(v + 1, len - 1, &b))
			v6_emit(m->out, &m->client, "dhcpv6_fqdn", b.s);
		break;
	}
}

static bool v6_decode_msg(struct dec_out *out, const uint8_t *p, size_t n, const struct v6_subj *client,
			  const struct v6_subj *server, int depth);

/*
 * A relay message: learn who the client is from option 79 or the peer-address, then decode the message it
 * carries with that client. A RELAY-REPL comes from the server; a RELAY-FORW from a relay agent.
 */
static bool v6_decode_relay(struct dec_out *out, const uint8_t *p, size_t n, const struct v6_subj *server,
			    int depth)
{
	struct v6_subj client = { .kind = OBS_IP };
	struct v6_opts it = { .p = p + V6_RELAY_HDR, .n = n - V6_RELAY_HDR };
	const uint8_t *inner = NULL;
	size_t inner_len = 0;

	dec_addr_from_v6(&client.ip, p + 18);
	while (v6_next(&it)) {
		if (it.code == OPT_RELAY_MSG) {
			inner = it.v;
			inner_len = it.len;
		} else if (it.code == OPT_CLIENT_LLADDR && it.len == 8 && dec_be16(it.v) == 1 &&
			   l2_mac_is_unicast(it.v + 2)) {
			client.kind = OBS_MAC;
			memcpy(client.mac, it.v + 2, 6);
		}
	}
	if (!v6_opts_whole(&it))
		return false;
	if (!inner)
		return true;
	return v6_decode_msg(out, inner, inner_len, &client, server, depth + 1);
}

static bool v6_decode_msg(struct dec_out *out, const uint8_t *p, size_t n, const struct v6_subj *client,
			  const struct v6_subj *server, int depth)
{
	struct v6_msg m = { .out = out, .client = *client, .server = *server };
	struct v6_opts it = { 0 };

	if (n < 4 || depth > V6_MAX_DEPTH)
		return false;
	m.type = p[0];
	if (m.type == V6_RELAY_FORW || m.type == V6_RELAY_REPL) {
		if (n < V6_RELAY_HDR)
			return false;
		return v6_decode_relay(out, p, n, server, depth);
	}
	if (m.type == 0 || m.type >= L2_ARRAY_SIZE(v6_msg_names))
		return true; /* leasequery, 4o6, ...: valid DHCPv6 we do not describe */
	m.sender = v6_is_server_msg(m.type) ? m.server : m.client;
	it.p = p + 4;
	it.n = n - 4;
	v6_emit(out, &m.client, "app_protocol", "DHCPv6");
	v6_emit(out, &m.client, "dhcpv6_msg_types", v6_msg_names[m.type]);
	while (v6_next(&it))
		v6_option(&m, it.code, it.v, it.len);
	return v6_opts_whole(&it) && !m.malformed;
}

static bool dhcpv6_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	return ctx->eth_proto == 0x86dd && ctx->l4_proto == 17 &&
	       (dec_port_is(ctx, 546) || dec_port_is(ctx, 547));
}

static int dhcpv6_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	struct v6_subj client = { 0 }, server = { 0 };
	int start = out->n;
	bool ok;

	if (n < 4)
		return -1;
	if (p[0] == V6_RELAY_FORW) {
		dec_emit_str(out, OBS_SRC, "app_protocol", "DHCPv6");
		dec_emit_str(out, OBS_SRC, "dhcpv6_relay", "true");
	} else if (p[0] == V6_RELAY_REPL || v6_is_server_msg(p[0])) {
		server.kind = OBS_SRC;
		dec_emit_str(out, OBS_SRC, "app_protocol", "DHCPv6");
		if (ctx->sport == 547)
			dec_emit_str(out, OBS_SRC, "service", "udp/547");
		/* The client receives a direct server message, unless it went to a group address. */
		if (p[0] != V6_RELAY_REPL && l2_mac_is_unicast(ctx->dst_mac))
			client.kind = OBS_DST;
	} else {
		client.kind = OBS_SRC;
	}
	ok = v6_decode_msg(out, p, n, &client, &server, 0);
	return ok ? out->n - start : -1;
}

const struct decoder dec_dhcpv6 = {
	.name = "dhcpv6",
	.match = dhcpv6_match,
	.decode = dhcpv6_decode,
};
