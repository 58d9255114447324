/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the OT decoders (modbus, s7comm, enip, bacnet, dnp3) and private to that group: which side
 * of a flow is the server of a well-known port, which address is a real device, and an emitter that does not
 * repeat a fact already in the output (a packet often carries several PDUs that say the same thing, and
 * struct dec_out is shared by every decoder that runs on the packet).
 */
#ifndef IOTSENSE_OT_UTIL_H
#define IOTSENSE_OT_UTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "decoder.h"

/*
 * Does this packet travel from the client to the server listening on `port`? The port decides when only one
 * side uses it: a capture or a sensor may start in the middle of a flow, and then the kernel's initiator can be
 * the server. When both sides (or neither) use the port, fall back to the flow initiator.
 */
static inline bool ot_to_server(const struct dec_ctx *c, uint16_t port)
{
	if (c->dport == port && c->sport != port)
		return true;
	if (c->sport == port && c->dport != port)
		return false;
	return c->from_initiator;
}

static inline enum obs_subject ot_server(const struct dec_ctx *c, uint16_t port)
{
	return ot_to_server(c, port) ? OBS_DST : OBS_SRC;
}

static inline enum obs_subject ot_client(const struct dec_ctx *c, uint16_t port)
{
	return ot_to_server(c, port) ? OBS_SRC : OBS_DST;
}

/*
 * An address that names no single device: IPv4 limited broadcast, multicast, or x.x.x.255 (a directed
 * broadcast on the usual /24; BACnet and EtherNet/IP discovery are sent there). IPv6 multicast too. Facts are
 * never recorded on such an address. The MAC cannot decide this: some captures carry unicast IPs in frames
 * with a group MAC.
 */
static inline bool ot_addr_is_group(const struct iot_addr *a)
{
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (a->family == AF_INET6 && memcmp(a->b, v4mapped, 12) != 0)
		return a->b[0] == 0xff;
	if (memcmp(a->b, v4mapped, 12) != 0)
		return false; /* absent or unknown: nothing to refuse */
	return (a->b[12] & 0xf0) == 0xe0 || a->b[15] == 255;
}

/* May a fact be recorded on this subject of this packet? */
static inline bool ot_subject_ok(const struct dec_ctx *c, enum obs_subject s)
{
	if (s == OBS_SRC)
		return !ot_addr_is_group(&c->src_ip);
	if (s == OBS_DST)
		return !ot_addr_is_group(&c->dst_ip);
	return true;
}

/* Is the observation just appended (out->obs[out->n - 1]) a repeat of an earlier one? Then drop it. */
static inline struct iot_obs *ot_dedup_last(struct dec_out *out, struct iot_obs *o)
{
	if (!o)
		return NULL;
	for (int i = 0; i < out->n - 1; i++) {
		const struct iot_obs *e = &out->obs[i];

		if (e->subject == o->subject && strcmp(e->key, o->key) == 0 &&
		    strcmp(e->value, o->value) == 0 && memcmp(e->subject_mac, o->subject_mac, 6) == 0 &&
		    memcmp(&e->subject_ip, &o->subject_ip, sizeof(e->subject_ip)) == 0) {
			out->n--;
			return NULL;
		}
	}
	return o;
}

/* dec_emit() without repeats and never on a group address; len bytes of val (a wire string). */
static inline struct iot_obs *ot_emit(const struct dec_ctx *c, struct dec_out *out, enum obs_subject subj,
				      const char *key, const void *val, size_t len, uint8_t confidence)
{
	if (!ot_subject_ok(c, subj))
		return NULL;
	return ot_dedup_last(out, dec_emit(out, subj, key, (const char *)val, len, confidence));
}

/*
 * Formats, emits on subj (or on the device *ip when ip is not NULL), drops repeats. Refuses a subject that is a
 * broadcast or multicast address of the packet.
 */
static inline __attribute__((format(printf, 6, 0))) struct iot_obs *
ot_vemitf(const struct dec_ctx *c, struct dec_out *out, enum obs_subject subj, const struct iot_addr *ip,
	  const char *key, const char *fmt, va_list ap)
{
	char buf[OBS_VALUE_MAX];
	struct iot_obs *o;
	int len;

	if (ip ? ot_addr_is_group(ip) : !ot_subject_ok(c, subj))
		return NULL;
	len = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (len < 0)
		return NULL;
	if ((size_t)len >= sizeof(buf))
		len = sizeof(buf) - 1;
	o = dec_emit(out, ip ? OBS_IP : subj, key, buf, (size_t)len, 90);
	if (o && ip)
		o->subject_ip = *ip;
	return ot_dedup_last(out, o);
}

/* printf-style, confidence 90, no repeats, never on a group address. */
static inline __attribute__((format(printf, 5, 6))) struct iot_obs *
ot_emitf(const struct dec_ctx *c, struct dec_out *out, enum obs_subject subj, const char *key,
	 const char *fmt, ...)
{
	struct iot_obs *o;
	va_list ap;

	va_start(ap, fmt);
	o = ot_vemitf(c, out, subj, NULL, key, fmt, ap);
	va_end(ap);
	return o;
}

/* The same for a device named by IP (OBS_IP), e.g. the originator of a BACnet forwarded NPDU. */
static inline __attribute__((format(printf, 4, 5))) struct iot_obs *
ot_emitf_ip(struct dec_out *out, const struct iot_addr *ip, const char *key, const char *fmt, ...)
{
	struct iot_obs *o;
	va_list ap;

	va_start(ap, fmt);
	o = ot_vemitf(NULL, out, OBS_IP, ip, key, fmt, ap);
	va_end(ap);
	return o;
}

/* Length of a fixed-width text field: up to the first NUL, at most max. */
static inline size_t ot_strnlen(const uint8_t *p, size_t max)
{
	size_t i = 0;

	while (i < max && p[i])
		i++;
	return i;
}

/* Every byte printable ASCII: a cheap test that a length-prefixed field really is a name. */
static inline bool ot_printable(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	return true;
}

/* Name of a code from a table indexed by code, or NULL. */
#define OT_NAME(table, code) ((size_t)(code) < sizeof(table) / sizeof((table)[0]) ? (table)[code] : NULL)

#endif
