/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers for the OT decoder tests (test_modbus.c, test_s7comm.c, test_enip.c, test_bacnet.c, test_dnp3.c). */
#ifndef IOTSENSE_OT_TESTUTIL_H
#define IOTSENSE_OT_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "decoders/decoder.h"

/* A packet context between two IPv4 hosts. */
static inline struct dec_ctx ot_ctx(uint8_t l4, const char *src, uint16_t sport, const char *dst,
				    uint16_t dport, bool from_initiator)
{
	struct dec_ctx c;
	uint8_t a[4];
	unsigned int x[4];

	memset(&c, 0, sizeof(c));
	c.eth_proto = 0x0800;
	c.l4_proto = l4;
	c.reason = DEC_REASON_FLOW;
	c.sport = sport;
	c.dport = dport;
	c.from_initiator = from_initiator;
	sscanf(src, "%u.%u.%u.%u", &x[0], &x[1], &x[2], &x[3]);
	for (int i = 0; i < 4; i++)
		a[i] = (uint8_t)x[i];
	dec_addr_from_v4(&c.src_ip, a);
	sscanf(dst, "%u.%u.%u.%u", &x[0], &x[1], &x[2], &x[3]);
	for (int i = 0; i < 4; i++)
		a[i] = (uint8_t)x[i];
	dec_addr_from_v4(&c.dst_ip, a);
	return c;
}

/* The value of the first observation with this key and subject, or NULL. */
static inline const char *ot_find(const struct dec_out *o, const char *key, int subj)
{
	for (int i = 0; i < o->n; i++)
		if (strcmp(o->obs[i].key, key) == 0 && o->obs[i].subject == subj)
			return o->obs[i].value;
	return NULL;
}

/* Is there an observation with exactly this key, subject and value? */
static inline bool ot_has(const struct dec_out *o, const char *key, int subj, const char *val)
{
	for (int i = 0; i < o->n; i++)
		if (strcmp(o->obs[i].key, key) == 0 && o->obs[i].subject == subj &&
		    strcmp(o->obs[i].value, val) == 0)
			return true;
	return false;
}

/* How many observations carry this key (any subject)? */
static inline int ot_count(const struct dec_out *o, const char *key)
{
	int k = 0;

	for (int i = 0; i < o->n; i++)
		k += strcmp(o->obs[i].key, key) == 0;
	return k;
}

/* Runs match() and decode() as dec_run_all() does: decode()'s result, or -2 when match() refuses. */
static inline int ot_run(const struct decoder *d, const struct dec_ctx *c, const uint8_t *p, size_t n,
			 struct dec_out *o)
{
	memset(o, 0, sizeof(*o));
	if (!d->match(c, p, n))
		return -2;
	return d->decode(c, p, n, o);
}

/* Decode every prefix of a packet (truncation at each byte) into a fresh buffer: ASan checks the bounds. */
static inline void ot_all_prefixes(const struct decoder *d, const struct dec_ctx *c, const uint8_t *p, size_t n)
{
	static struct dec_out o;

	for (size_t i = 0; i <= n; i++) {
		uint8_t *copy = malloc(i ? i : 1);

		memcpy(copy, p, i);
		memset(&o, 0, sizeof(o));
		d->match(c, copy, i);
		d->decode(c, copy, i, &o);
		free(copy);
	}
}

#endif
