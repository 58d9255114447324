// SPDX-License-Identifier: GPL-2.0-only
/*
 * MQTT 3.1 ("MQIsdp"), 3.1.1 and 5.0 over plain TCP: port 1883, or any port whose segment starts with a
 * CONNECT naming the protocol. 8883 is MQTT over TLS: the tls decoder sees it. A segment may hold several
 * control packets (fixed header: type/flags byte, remaining length as a varint of at most four bytes); they
 * are read in turn, a bounded number, and a packet cut by the snapshot yields the fields that are whole.
 *
 *   CONNECT    protocol name and level, flags, keep alive, [5.0: properties], client id, [will properties,
 *              will topic, will payload], [user name], [password]
 *   SUBSCRIBE  packet id, [5.0: properties], (topic filter, options)*. The version is not in the packet: the
 *              3.x layout is tried first (options <= 2 and the list ends exactly), then the 5.0 one.
 *   PUBLISH    topic name
 * Other packet types are only checked for a valid fixed header: they show the sender speaks MQTT.
 *
 * About the client (OBS_SRC of CONNECT, SUBSCRIBE): mqtt_protocol ("MQIsdp 3.1", "MQTT 3.1.1", "MQTT 5.0"),
 *   mqtt_client_id, mqtt_keepalive (seconds), mqtt_username_present "1", mqtt_password_present "1",
 *   mqtt_will_topic, mqtt_subscribe_topic (one observation per topic filter).
 * About the broker (OBS_DST of CONNECT): mqtt_protocol, app_protocol "MQTT" (it is addressed as a broker even
 *   when its answers are not captured); OBS_SRC of CONNACK, SUBACK, UNSUBACK, PINGRESP: service "tcp/<port>",
 *   mqtt_connack_code (CONNACK return/reason code).
 * About any sender: app_protocol "MQTT", mqtt_publish_topic (PUBLISH topic name).
 */
#include <stdio.h>
#include <string.h>

#include "bb_util.h"
#include "decoder.h"

#define MQTT_CONNECT 1
#define MQTT_CONNACK 2
#define MQTT_PUBLISH 3
#define MQTT_SUBSCRIBE 8
#define MQTT_SUBACK 9
#define MQTT_UNSUBACK 11
#define MQTT_PINGRESP 13
#define MQTT_AUTH 15

#define MQTT_PACKETS_PER_SEGMENT 16
#define MQTT_TOPICS_PER_SUBSCRIBE 8
#define MQTT_FULL_SEGMENT 536 /* the smallest default TCP MSS: a packet cut in a smaller segment is suspect */

#define MQTT_FLAG_USER 0x80
#define MQTT_FLAG_PASS 0x40
#define MQTT_FLAG_WILL 0x04

/* Variable byte integer (MQTT 5.0 1.5.5): at most four bytes. */
static bool mqtt_varint(struct bb_rd *r, uint32_t *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		uint8_t b = bb_u8(r);

		if (r->err)
			return false;
		*v |= (uint32_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80))
			return true;
	}
	r->err = true;
	return false;
}

/* A UTF-8 string field: u16 length then bytes. */
static const uint8_t *mqtt_string(struct bb_rd *r, uint16_t *len)
{
	*len = bb_u16(r);
	return bb_take(r, *len);
}

/* Fixed-header flags are fixed for every type but PUBLISH (MQTT 3.1.1 2.2.2). */
static bool mqtt_flags_ok(uint8_t type, uint8_t flags)
{
	switch (type) {
	case 0:
		return false;
	case MQTT_PUBLISH:
		return ((flags >> 1) & 3) != 3; /* QoS 3 does not exist */
	case 6:				/* PUBREL */
	case MQTT_SUBSCRIBE:
	case 10: /* UNSUBSCRIBE */
		return flags == 2;
	default:
		return flags == 0;
	}
}

/* CONNECT with the protocol name "MQTT" or "MQIsdp" right after its fixed header? */
static bool mqtt_connect_sig(const uint8_t *p, size_t n)
{
	struct bb_rd r;
	uint32_t rl;
	uint16_t len;
	const uint8_t *name;

	bb_rd_init(&r, p, n);
	if (bb_u8(&r) != 0x10 || !mqtt_varint(&r, &rl))
		return false;
	name = mqtt_string(&r, &len);
	return name &&
	       ((len == 4 && memcmp(name, "MQTT", 4) == 0) || (len == 6 && memcmp(name, "MQIsdp", 6) == 0));
}

static bool mqtt_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	if (ctx->l4_proto != 6 || !n)
		return false;
	return dec_port_is(ctx, 1883) || mqtt_connect_sig(p, n);
}

static int mqtt_connect(struct bb_rd *r, struct dec_out *out)
{
	const uint8_t *name, *s;
	uint16_t nlen, len;
	uint8_t level, flags;
	uint16_t keepalive;
	uint32_t plen;
	const char *ver;
	char proto[32];
	int emitted = 0;

	name = mqtt_string(r, &nlen);
	level = bb_u8(r);
	flags = bb_u8(r);
	keepalive = bb_u16(r);
	if (r->err)
		return 0;
	if (!nlen || nlen > 8 || !bb_is_graph(name, nlen))
		return -1; /* "MQTT" or "MQIsdp"; anything else is not a CONNECT */
	switch (level) {
	case 3:
		ver = "3.1";
		break;
	case 4:
		ver = "3.1.1";
		break;
	case 5:
		ver = "5.0";
		break;
	default:
		ver = NULL;
	}
	if (ver)
		snprintf(proto, sizeof(proto), "%.*s %s", (int)nlen, (const char *)name, ver);
	else
		snprintf(proto, sizeof(proto), "%.*s level %u", (int)nlen, (const char *)name, level);
	if (dec_emit_str(out, OBS_SRC, "mqtt_protocol", proto))
		emitted++;
	if (dec_emit_str(out, OBS_DST, "mqtt_protocol", proto))
		emitted++;
	if (dec_emit(out, OBS_DST, "app_protocol", "MQTT", 4, 85))
		emitted++;
	if (dec_emitf(out, OBS_SRC, "mqtt_keepalive", "%u", keepalive))
		emitted++;
	if ((flags & MQTT_FLAG_USER) && dec_emit_str(out, OBS_SRC, "mqtt_username_present", "1"))
		emitted++;
	if ((flags & MQTT_FLAG_PASS) && dec_emit_str(out, OBS_SRC, "mqtt_password_present", "1"))
		emitted++;
	if (level == 5 && (!mqtt_varint(r, &plen) || !bb_take(r, plen)))
		return emitted;
	s = mqtt_string(r, &len);
	if (!s)
		return emitted;
	if (dec_emit(out, OBS_SRC, "mqtt_client_id", (const char *)s, len, 95))
		emitted++;
	if (flags & MQTT_FLAG_WILL) {
		if (level == 5 && (!mqtt_varint(r, &plen) || !bb_take(r, plen)))
			return emitted;
		s = mqtt_string(r, &len);
		if (s && dec_emit(out, OBS_SRC, "mqtt_will_topic", (const char *)s, len, 90))
			emitted++;
	}
	return emitted;
}

/* The 3.x layout: (topic, options <= 2)* to the very end. Returns false when r does not fit it. */
static bool mqtt_topics_fit(struct bb_rd r, bool v5)
{
	int k = 0;

	while (bb_left(&r)) {
		uint16_t len;
		const uint8_t *t = mqtt_string(&r, &len);
		uint8_t opt = bb_u8(&r);

		if (!t || !len || (!v5 && opt > 2) || (v5 && (opt & 0xc0)) || ++k > 64)
			return false;
	}
	return !r.err;
}

static int mqtt_subscribe(struct bb_rd *r, struct dec_out *out)
{
	struct bb_rd v5 = *r;
	uint32_t plen;
	int emitted = 0, k = 0;

	bb_u16(r); /* packet identifier */
	if (r->err)
		return 0;
	if (!mqtt_topics_fit(*r, false)) {
		bb_u16(&v5);
		if (!mqtt_varint(&v5, &plen) || !bb_take(&v5, plen) || !mqtt_topics_fit(v5, true))
			return -1;
		*r = v5;
	}
	while (bb_left(r) && k++ < MQTT_TOPICS_PER_SUBSCRIBE) {
		uint16_t len;
		const uint8_t *t = mqtt_string(r, &len);

		bb_u8(r); /* options */
		if (!t)
			break;
		if (dec_emit(out, OBS_SRC, "mqtt_subscribe_topic", (const char *)t, len, 95))
			emitted++;
	}
	return emitted;
}

static int mqtt_publish(struct bb_rd *r, struct dec_out *out)
{
	uint16_t len;
	const uint8_t *t = mqtt_string(r, &len);

	/* A topic name has no wildcards and is not empty (3.1.1 3.3.2.1; 5.0 allows empty with an alias). */
	if (!t || !len || memchr(t, '#', len) || memchr(t, '+', len))
		return 0;
	return dec_emit(out, OBS_SRC, "mqtt_publish_topic", (const char *)t, len, 90) ? 1 : 0;
}

/*
 * Do the fixed headers tile the segment? A segment that starts inside a long PUBLISH begins with payload
 * bytes; requiring the packets to end exactly at the segment end (or the last one to be cut in a full-size
 * segment) keeps those from being read as MQTT.
 */
static bool mqtt_framing_ok(const uint8_t *p, size_t n)
{
	struct bb_rd r;
	uint32_t rl;

	if (mqtt_connect_sig(p, n))
		return true;
	bb_rd_init(&r, p, n);
	for (int k = 0; k < MQTT_PACKETS_PER_SEGMENT; k++) {
		uint8_t hdr = bb_u8(&r);

		if (r.err || !mqtt_flags_ok(hdr >> 4, hdr & 15) || !mqtt_varint(&r, &rl))
			return false;
		if (rl > bb_left(&r))
			return n >= MQTT_FULL_SEGMENT;
		r.off += rl;
		if (!bb_left(&r))
			return true;
	}
	return true; /* sixteen well-formed packets in a row */
}

static int mqtt_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	struct bb_rd r;
	bool broker = false;
	int emitted = 0;
	char svc[16];

	if (ctx->l4_proto != 6 || !mqtt_framing_ok(p, n))
		return 0;
	bb_rd_init(&r, p, n);
	for (int k = 0; k < MQTT_PACKETS_PER_SEGMENT && bb_left(&r) >= 2; k++) {
		uint8_t hdr = bb_u8(&r), type = hdr >> 4;
		uint32_t rl;
		struct bb_rd body;
		bool whole;
		int res = 0;

		if (!mqtt_flags_ok(type, hdr & 15) || !mqtt_varint(&r, &rl))
			break;
		whole = rl <= bb_left(&r);
		bb_rd_init(&body, r.p + r.off, whole ? rl : bb_left(&r));
		r.off += body.n;
		if (type == MQTT_CONNECT) {
			res = mqtt_connect(&body, out);
		} else if (type == MQTT_SUBSCRIBE) {
			res = whole ? mqtt_subscribe(&body, out) : 0;
		} else if (type == MQTT_PUBLISH) {
			res = mqtt_publish(&body, out);
		} else if (type == MQTT_CONNACK && whole && rl >= 2) {
			broker = true;
			res = dec_emitf(out, OBS_SRC, "mqtt_connack_code", "%u", body.p[1]) ? 1 : 0;
		} else if (type == MQTT_SUBACK || type == MQTT_UNSUBACK || type == MQTT_PINGRESP) {
			broker = true;
		}
		if (res < 0) {
			if (k == 0)
				return -1;
			break;
		}
		emitted += res;
		if (!whole)
			break;
	}
	if (dec_emit_str(out, OBS_SRC, "app_protocol", "MQTT"))
		emitted++;
	if (broker) {
		snprintf(svc, sizeof(svc), "tcp/%u", ctx->sport);
		if (dec_emit_str(out, OBS_SRC, "service", svc))
			emitted++;
	}
	return emitted;
}

const struct decoder dec_mqtt = {
	.name = "mqtt",
	.match = mqtt_match,
	.decode = mqtt_decode,
};
