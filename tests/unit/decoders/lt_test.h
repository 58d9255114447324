/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private helpers of the long-tail decoder tests (test_bjnp.c ... test_tcpfp.c): build a packet context, run
 * one decoder the way dec_run_all() does, and look observations up by key and subject.
 */
#ifndef IOTSENSE_LT_TEST_H
#define IOTSENSE_LT_TEST_H

#include <netinet/in.h>
#include <string.h>

#include "decoders/decoder.h"

#define LT_LEN(a) (sizeof(a) / sizeof((a)[0]))

static __attribute__((unused)) struct dec_ctx lt_ctx(uint8_t l4, uint16_t sport, uint16_t dport)
{
	struct dec_ctx c;

	memset(&c, 0, sizeof(c));
	c.eth_proto = 0x0800;
	c.l4_proto = l4;
	c.reason = DEC_REASON_FLOW;
	c.sport = sport;
	c.dport = dport;
	c.from_initiator = true;
	return c;
}

/*
 * Runs decoder name on the packet: its match() result goes to *matched, and decode() runs regardless (as in
 * the fuzz harness) so that tests can drive the parser with bytes match() would refuse. Returns decode()'s.
 */
static __attribute__((unused)) int lt_run(const char *name, const struct dec_ctx *c, const uint8_t *p, size_t n,
					  struct dec_out *out, bool *matched)
{
	const struct decoder *d = dec_find(name);

	memset(out, 0, sizeof(*out));
	if (!d)
		return -100;
	*matched = d->match(c, p, n);
	return d->decode(c, p, n, out);
}

/* The value of the first observation with this key and subject, or NULL. */
static __attribute__((unused)) const char *lt_get(const struct dec_out *out, const char *key, int subject)
{
	for (int i = 0; i < out->n; i++)
		if (strcmp(out->obs[i].key, key) == 0 && out->obs[i].subject == subject)
			return out->obs[i].value;
	return NULL;
}

/* The first observation with this key, any subject, or NULL. */
static __attribute__((unused)) const struct iot_obs *lt_obs(const struct dec_out *out, const char *key)
{
	for (int i = 0; i < out->n; i++)
		if (strcmp(out->obs[i].key, key) == 0)
			return &out->obs[i];
	return NULL;
}

static __attribute__((unused)) int lt_count(const struct dec_out *out, const char *key)
{
	int k = 0;

	for (int i = 0; i < out->n; i++)
		k += strcmp(out->obs[i].key, key) == 0;
	return k;
}

#endif
