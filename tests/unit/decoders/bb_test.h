/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the binary-banners decoder tests (test_ssh.c, test_tls.c, test_vnc.c, test_mqtt.c,
 * test_coap.c, test_ntp.c, test_ipp.c): a packet context, a run that hands the decoder an exactly-sized heap
 * copy (so a SANITIZE=1 build catches any read past the end), and look-ups in the observations.
 */
#ifndef IOTSENSE_BB_TEST_H
#define IOTSENSE_BB_TEST_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "decoders/decoder.h"
#include "testlib.h"

#define BBT_TCP 6
#define BBT_UDP 17

static struct dec_out bbt_out;

static __attribute__((unused)) struct dec_ctx bbt_ctx(uint8_t proto, uint16_t sport, uint16_t dport,
						       bool from_initiator, uint8_t seq)
{
	static const uint8_t src[4] = { 192, 0, 2, 1 }, dst[4] = { 192, 0, 2, 2 };
	struct dec_ctx c;

	memset(&c, 0, sizeof(c));
	c.eth_proto = 0x0800;
	c.l4_proto = proto;
	c.reason = DEC_REASON_FLOW;
	c.sport = sport;
	c.dport = dport;
	c.from_initiator = from_initiator;
	c.seq = seq;
	dec_addr_from_v4(&c.src_ip, src);
	dec_addr_from_v4(&c.dst_ip, dst);
	return c;
}

/* match() then decode() on a private copy of exactly n bytes: decode()'s result, or -100 if no match. */
static __attribute__((unused)) int bbt_run(const struct decoder *d, const struct dec_ctx *c, const void *p,
					   size_t n)
{
	uint8_t *copy = malloc(n ? n : 1);
	int r = -100;

	memset(&bbt_out, 0, sizeof(bbt_out));
	if (!copy)
		return r;
	if (n)
		memcpy(copy, p, n);
	if (d->match(c, copy, n))
		r = d->decode(c, copy, n, &bbt_out);
	free(copy);
	return r;
}

/* decode() without match(): the fuzz harness's view, for parser branches that match() would filter. */
static __attribute__((unused)) int bbt_decode(const struct decoder *d, const struct dec_ctx *c, const void *p,
					      size_t n)
{
	uint8_t *copy = malloc(n ? n : 1);
	int r;

	memset(&bbt_out, 0, sizeof(bbt_out));
	if (!copy)
		return -100;
	if (n)
		memcpy(copy, p, n);
	r = d->decode(c, copy, n, &bbt_out);
	free(copy);
	return r;
}

/* The value of the first observation with this subject and key, or NULL. */
static __attribute__((unused)) const char *bbt_get(int subject, const char *key)
{
	for (int i = 0; i < bbt_out.n; i++)
		if (bbt_out.obs[i].subject == subject && strcmp(bbt_out.obs[i].key, key) == 0)
			return bbt_out.obs[i].value;
	return NULL;
}

static __attribute__((unused)) int bbt_count(int subject, const char *key)
{
	int k = 0;

	for (int i = 0; i < bbt_out.n; i++)
		if (bbt_out.obs[i].subject == subject && strcmp(bbt_out.obs[i].key, key) == 0)
			k++;
	return k;
}

/* Is there an observation with this subject, key and value? */
static __attribute__((unused)) bool bbt_has(int subject, const char *key, const char *value)
{
	for (int i = 0; i < bbt_out.n; i++)
		if (bbt_out.obs[i].subject == subject && strcmp(bbt_out.obs[i].key, key) == 0 &&
		    strcmp(bbt_out.obs[i].value, value) == 0)
			return true;
	return false;
}

#endif
