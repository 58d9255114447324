// SPDX-License-Identifier: GPL-2.0-only
/*
 * SNMP v1, v2c and v3 over UDP ports 161 and 162, read with a small BER reader: single-byte tags, short and long
 * form lengths (up to 4 length bytes), every length checked against the bytes that remain, and a fixed message
 * shape instead of recursion, so nesting is bounded by the code itself.
 *
 * The agent is the receiver of a request (get, getnext, getbulk, set) and the sender of a response, report, trap
 * or inform. Keys about the agent (OBS_DST or OBS_SRC accordingly):
 *   snmp_version             "1", "2c" or "3"
 *   snmp_community           v1/v2c community string (the agent accepts or uses it)
 *   snmp_answered_version    "1" or "2c", OBS_SRC of a v1/v2c response: the agent answered, so it serves this
 *                            version (a request alone proves nothing: agents drop a wrong community silently)
 *   snmp_answered_community  the community of that response: one the agent accepts
 *   snmp_v3_username         v3 msgUserName
 *   snmp_v3_engine_id        v3 msgAuthoritativeEngineID, lower-case hex
 *   snmp_v3_security_level   "noAuthNoPriv", "authNoPriv" or "authPriv" (from msgFlags)
 * Keys from the variable bindings of a response or trap (subject OBS_SRC, the agent):
 *   snmp_sysdescr, snmp_sysobjectid (dotted OID), snmp_sysContact, snmp_sysName, snmp_sysLocation,
 *   snmp_if_mac (ifPhysAddress, aa:bb:cc:dd:ee:ff)
 * Other keys:
 *   snmp_pdu                 get, getnext, response, set, trap, getbulk, inform, trapv2, report   OBS_SRC
 *   app_protocol "SNMP"      the listener: receiver of a request, trap or inform, sender of a response or report
 */
#include <netinet/in.h>
#include <stdio.h>

#include "decoder.h"

#define BER_SEQUENCE 0x30
#define BER_INTEGER 0x02
#define BER_OCTETS 0x04
#define BER_OID 0x06
#define PDU_FIRST 0xa0
#define PDU_LAST 0xa8
#define PDU_RESPONSE 0xa2

/* A cursor over one BER constructed value's contents. */
struct ber {
	const uint8_t *p;
	size_t n;
	size_t off;
};

/* One TLV: its tag and the bounds of its value. */
struct tlv {
	uint8_t tag;
	const uint8_t *v;
	size_t len;
};

/* Read the next TLV and step over it. False on a multi-byte tag, an indefinite length or one past the end. */
static bool ber_next(struct ber *r, struct tlv *t)
{
	size_t len, i = r->off;

	if (i + 2 > r->n)
		return false;
	t->tag = r->p[i++];
	if ((t->tag & 0x1f) == 0x1f)
		return false;
	len = r->p[i++];
	if (len & 0x80) {
		size_t nbytes = len & 0x7f;

		/* 0x80 is the indefinite form, which SNMP's DER-like encoding never uses. */
		if (nbytes == 0 || nbytes > 4 || i + nbytes > r->n)
			return false;
		len = 0;
		while (nbytes--)
			len = len << 8 | r->p[i++];
	}
	if (len > r->n - i)
		return false;
	t->v = r->p + i;
	t->len = len;
	r->off = i + len;
	return true;
}

static bool ber_expect(struct ber *r, uint8_t tag, struct tlv *t)
{
	return ber_next(r, t) && t->tag == tag;
}

static struct ber ber_inside(const struct tlv *t)
{
	return (struct ber){ t->v, t->len, 0 };
}

/* A small non-negative INTEGER (versions, flags, security models). */
static bool ber_small_int(const struct tlv *t, long *out)
{
	long v = 0;

	if (t->tag != BER_INTEGER || t->len == 0 || t->len > 4 || (t->v[0] & 0x80))
		return false;
	for (size_t i = 0; i < t->len; i++)
		v = v << 8 | t->v[i];
	*out = v;
	return true;
}

/* Dotted form of an OID value into buf; false if it is malformed or does not fit. */
static bool oid_format(const uint8_t *v, size_t len, char *buf, size_t size)
{
	size_t w = 0, i = 0;
	bool first = true;

	if (!len || size < 2)
		return false;
	while (i < len) {
		uint32_t arc = 0;
		int k = 0, r;

		do {
			/* Five 7-bit groups hold 32 bits; more would overflow. */
			if (i >= len || ++k > 5)
				return false;
			arc = arc << 7 | (v[i] & 0x7f);
		} while (v[i++] & 0x80);
		if (first) {
			uint32_t x = arc < 80 ? arc / 40 : 2;

			r = snprintf(buf + w, size - w, "%u.%u", x, arc - x * 40);
			first = false;
		} else {
			r = snprintf(buf + w, size - w, ".%u", arc);
		}
		if (r < 0 || (size_t)r >= size - w)
			return false;
		w += (size_t)r;
	}
	return true;
}

/* 1.3.6.1.2.1.1.<leaf>.0: the system group scalars. */
static const uint8_t oid_system[] = { 0x2b, 6, 1, 2, 1, 1 };
/* 1.3.6.1.2.1.2.2.1.6: ifPhysAddress, followed by the ifIndex. */
static const uint8_t oid_ifphys[] = { 0x2b, 6, 1, 2, 1, 2, 2, 1, 6 };

static bool oid_has_prefix(const struct tlv *oid, const uint8_t *pfx, size_t n)
{
	if (oid->len < n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (oid->v[i] != pfx[i])
			return false;
	return true;
}

static void emit_varbind(const struct tlv *name, const struct tlv *val, struct dec_out *out)
{
	static const char *const sys_keys[8] = {
		[1] = "snmp_sysdescr", [2] = "snmp_sysobjectid", [4] = "snmp_sysContact",
		[5] = "snmp_sysName",  [6] = "snmp_sysLocation",
	};
	char buf[OBS_VALUE_MAX];

	if (name->len == sizeof(oid_system) + 2 && oid_has_prefix(name, oid_system, sizeof(oid_system)) &&
	    name->v[sizeof(oid_system) + 1] == 0 && name->v[sizeof(oid_system)] < 8) {
		const char *key = sys_keys[name->v[sizeof(oid_system)]];

		if (!key)
			return;
		if (val->tag == BER_OCTETS)
			dec_emit(out, OBS_SRC, key, (const char *)val->v, val->len, 90);
		else if (val->tag == BER_OID && oid_format(val->v, val->len, buf, sizeof(buf)))
			dec_emit_str(out, OBS_SRC, key, buf);
		return;
	}
	if (name->len > sizeof(oid_ifphys) && oid_has_prefix(name, oid_ifphys, sizeof(oid_ifphys)) &&
	    val->tag == BER_OCTETS && val->len == 6) {
		uint8_t zero = 0;

		for (int i = 0; i < 6; i++)
			zero |= val->v[i];
		/* Loopback and tunnel interfaces report an empty or all-zero address. */
		if (zero) {
			dec_format_mac(val->v, buf);
			dec_emit_str(out, OBS_SRC, "snmp_if_mac", buf);
		}
	}
}

static int decode_varbinds(struct ber *pdu, struct dec_out *out)
{
	struct tlv list, vb, name, val;
	struct ber it, one;

	if (!ber_expect(pdu, BER_SEQUENCE, &list))
		return -1;
	it = ber_inside(&list);
	while (it.off < it.n) {
		if (!ber_expect(&it, BER_SEQUENCE, &vb))
			return -1;
		one = ber_inside(&vb);
		if (!ber_expect(&one, BER_OID, &name) || !ber_next(&one, &val))
			return -1;
		emit_varbind(&name, &val, out);
	}
	return 0;
}

static const char *const pdu_names[] = {
	"get", "getnext", "response", "set", "trap", "getbulk", "inform", "trapv2", "report",
};

/* Who is the agent (and who the listener) for this PDU type. */
static enum obs_subject agent_of(uint8_t pdu)
{
	switch (pdu) {
	case 0xa0: /* get */
	case 0xa1: /* getnext */
	case 0xa3: /* set */
	case 0xa5: /* getbulk */
		return OBS_DST;
	default:
		return OBS_SRC;
	}
}

static enum obs_subject listener_of(uint8_t pdu)
{
	/* A response or report comes from the listener; everything else goes to it. */
	return (pdu == 0xa2 || pdu == 0xa8) ? OBS_SRC : OBS_DST;
}

/* Without a readable PDU (v3 encrypted), the ports say who is who. */
static enum obs_subject agent_by_port(const struct dec_ctx *ctx)
{
	if (ctx->dport == 161 || ctx->sport == 162)
		return OBS_DST;
	return OBS_SRC;
}

static enum obs_subject listener_by_port(const struct dec_ctx *ctx)
{
	if (ctx->dport == 161 || ctx->dport == 162)
		return OBS_DST;
	return OBS_SRC;
}

/* The PDU: type, then (for responses and traps) the variable bindings. Returns the PDU tag or -1. */
static int decode_pdu(const struct tlv *pdu, struct dec_out *out)
{
	struct ber b = ber_inside(pdu);
	struct tlv t;

	if (pdu->tag < PDU_FIRST || pdu->tag > PDU_LAST)
		return -1;
	dec_emit_str(out, OBS_SRC, "snmp_pdu", pdu_names[pdu->tag - PDU_FIRST]);
	if (pdu->tag == 0xa4) {
		/* v1 trap: enterprise, agent-addr, generic and specific trap, time-stamp, then the bindings. */
		if (!ber_expect(&b, BER_OID, &t))
			return -1;
		for (int i = 0; i < 4; i++)
			if (!ber_next(&b, &t))
				return -1;
	} else {
		/* request-id, error-status (non-repeaters), error-index (max-repetitions) */
		for (int i = 0; i < 3; i++)
			if (!ber_expect(&b, BER_INTEGER, &t))
				return -1;
	}
	/* Only the agent's own answers describe it; a request's bindings are just the manager's questions. */
	if (pdu->tag == 0xa2 || pdu->tag == 0xa4 || pdu->tag == 0xa7)
		if (decode_varbinds(&b, out) < 0)
			return -1;
	return pdu->tag;
}

static int decode_v3(const struct dec_ctx *ctx, struct ber *msg, struct dec_out *out)
{
	static const char *const levels[] = { "noAuthNoPriv", "authNoPriv", "noAuthPriv", "authPriv" };
	struct tlv global, t, secp, usm, engine, user, data, pdu;
	struct ber g, s, u, sp;
	enum obs_subject agent;
	long flags = -1, model = 0;
	int pdu_tag = -1;
	char hex[2 * 32 + 1];

	if (!ber_expect(msg, BER_SEQUENCE, &global))
		return -1;
	g = ber_inside(&global);
	/* msgID, msgMaxSize, msgFlags, msgSecurityModel */
	if (!ber_expect(&g, BER_INTEGER, &t) || !ber_expect(&g, BER_INTEGER, &t) ||
	    !ber_expect(&g, BER_OCTETS, &t))
		return -1;
	if (t.len == 1)
		flags = t.v[0];
	if (!ber_expect(&g, BER_INTEGER, &t) || !ber_small_int(&t, &model))
		return -1;
	if (!ber_expect(msg, BER_OCTETS, &secp))
		return -1;

	/* The PDU type decides who is the agent; an encrypted PDU leaves it to the ports. */
	if (!ber_next(msg, &data))
		return -1;
	if (data.tag == BER_SEQUENCE) {
		sp = ber_inside(&data);
		if (!ber_expect(&sp, BER_OCTETS, &t) || !ber_expect(&sp, BER_OCTETS, &t) ||
		    !ber_next(&sp, &pdu))
			return -1;
		pdu_tag = pdu.tag;
	} else if (data.tag != BER_OCTETS) {
		return -1;
	}
	agent = pdu_tag >= PDU_FIRST && pdu_tag <= PDU_LAST ? agent_of((uint8_t)pdu_tag) : agent_by_port(ctx);
	dec_emit_str(out, pdu_tag >= 0 ? listener_of((uint8_t)pdu_tag) : listener_by_port(ctx), "app_protocol",
		     "SNMP");
	dec_emit_str(out, agent, "snmp_version", "3");
	if (flags >= 0)
		dec_emit_str(out, agent, "snmp_v3_security_level", levels[flags & 3]);

	/* User-based Security Model (3): engine ID, boots, time, user name, auth and priv parameters. */
	if (model == 3) {
		s = ber_inside(&secp);
		if (!ber_expect(&s, BER_SEQUENCE, &usm))
			return -1;
		u = ber_inside(&usm);
		if (!ber_expect(&u, BER_OCTETS, &engine) || !ber_expect(&u, BER_INTEGER, &t) ||
		    !ber_expect(&u, BER_INTEGER, &t) || !ber_expect(&u, BER_OCTETS, &user))
			return -1;
		/* RFC 3411 bounds an engine ID to 5..32 bytes; discovery requests send it empty. */
		if (engine.len >= 5 && engine.len <= 32) {
			dec_hex(engine.v, engine.len, hex);
			dec_emit_str(out, agent, "snmp_v3_engine_id", hex);
		}
		dec_emit(out, agent, "snmp_v3_username", (const char *)user.v, user.len, 90);
	}
	if (pdu_tag >= 0 && decode_pdu(&pdu, out) < 0)
		return -1;
	return 0;
}

static bool snmp_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	return ctx->l4_proto == IPPROTO_UDP && (dec_port_is(ctx, 161) || dec_port_is(ctx, 162)) && n >= 2 &&
	       p[0] == BER_SEQUENCE;
}

static int snmp_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	struct ber top = { p, n, 0 }, msg;
	struct tlv whole, t, community, pdu;
	int before = out->n;
	long version;

	if (!ber_expect(&top, BER_SEQUENCE, &whole))
		return -1;
	msg = ber_inside(&whole);
	if (!ber_expect(&msg, BER_INTEGER, &t) || !ber_small_int(&t, &version))
		return -1;
	if (version == 3)
		return decode_v3(ctx, &msg, out) < 0 ? -1 : out->n - before;
	if (version != 0 && version != 1)
		return -1;
	if (!ber_expect(&msg, BER_OCTETS, &community) || !ber_next(&msg, &pdu))
		return -1;
	if (pdu.tag < PDU_FIRST || pdu.tag > PDU_LAST)
		return -1;
	dec_emit_str(out, listener_of(pdu.tag), "app_protocol", "SNMP");
	dec_emit_str(out, agent_of(pdu.tag), "snmp_version", version == 0 ? "1" : "2c");
	dec_emit(out, agent_of(pdu.tag), "snmp_community", (const char *)community.v, community.len, 90);
	if (pdu.tag == PDU_RESPONSE) {
		dec_emit_str(out, OBS_SRC, "snmp_answered_version", version == 0 ? "1" : "2c");
		dec_emit(out, OBS_SRC, "snmp_answered_community", (const char *)community.v, community.len, 95);
	}
	if (decode_pdu(&pdu, out) < 0)
		return -1;
	return out->n - before;
}

const struct decoder dec_snmp = {
	.name = "snmp",
	.match = snmp_match,
	.decode = snmp_decode,
};
