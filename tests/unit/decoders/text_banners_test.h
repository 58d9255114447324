/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the text-banner decoder tests (test_snmp.c, test_telnet.c, test_ftp.c, test_smtp.c,
 * test_http.c, test_sip.c, test_rtsp.c): build a packet context, run one decoder, look up what it emitted.
 */
#ifndef IOTSENSE_TEXT_BANNERS_TEST_H
#define IOTSENSE_TEXT_BANNERS_TEST_H

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "decoders/decoder.h"

static inline struct dec_ctx tb_ctx(uint8_t l4, uint16_t sport, uint16_t dport, bool from_initiator, uint8_t seq)
{
	struct dec_ctx c;

	memset(&c, 0, sizeof(c));
	c.eth_proto = 0x0800;
	c.l4_proto = l4;
	c.reason = DEC_REASON_FLOW;
	c.sport = sport;
	c.dport = dport;
	c.from_initiator = from_initiator;
	c.seq = seq;
	return c;
}

static inline struct dec_ctx tb_tcp(uint16_t sport, uint16_t dport, bool from_initiator)
{
	return tb_ctx(IPPROTO_TCP, sport, dport, from_initiator, 0);
}

static inline struct dec_ctx tb_udp(uint16_t sport, uint16_t dport)
{
	return tb_ctx(IPPROTO_UDP, sport, dport, true, 0);
}

/*
 * Run decoder name on an exact-length heap copy of p (so a sanitizer sees any read past the end). Returns
 * decode()'s result; *matched gets match()'s answer when not NULL.
 */
static inline int tb_run(const char *name, const struct dec_ctx *ctx, const void *p, size_t n, struct dec_out *out,
			 bool *matched)
{
	const struct decoder *d = dec_find(name);
	uint8_t *copy;
	int rc;

	if (!d)
		return -100;
	copy = malloc(n ? n : 1);
	if (!copy)
		return -100;
	if (n)
		memcpy(copy, p, n);
	memset(out, 0, sizeof(*out));
	if (matched)
		*matched = d->match(ctx, copy, n);
	rc = d->decode(ctx, copy, n, out);
	free(copy);
	return rc;
}

/* The value of the first observation with this key and subject, or NULL. */
static inline const char *tb_get(const struct dec_out *out, const char *key, enum obs_subject subj)
{
	for (int i = 0; i < out->n; i++)
		if (strcmp(out->obs[i].key, key) == 0 && out->obs[i].subject == subj)
			return out->obs[i].value;
	return NULL;
}

static inline const struct iot_obs *tb_obs(const struct dec_out *out, const char *key)
{
	for (int i = 0; i < out->n; i++)
		if (strcmp(out->obs[i].key, key) == 0)
			return &out->obs[i];
	return NULL;
}

/* The confidence of the first observation with this key, or -1. */
static inline int tb_conf(const struct dec_out *out, const char *key)
{
	const struct iot_obs *o = tb_obs(out, key);

	return o ? o->confidence : -1;
}

static inline int tb_count(const struct dec_out *out, const char *key)
{
	int c = 0;

	for (int i = 0; i < out->n; i++)
		if (strcmp(out->obs[i].key, key) == 0)
			c++;
	return c;
}

/* No observation value contains needle (a password, a credential). */
static inline bool tb_nowhere(const struct dec_out *out, const char *needle)
{
	for (int i = 0; i < out->n; i++)
		if (strstr(out->obs[i].value, needle))
			return false;
	return true;
}

#define TB_RUN(name, ctx, arr, out, matched) tb_run(name, ctx, arr, sizeof(arr), out, matched)
#define TB_RUNS(name, ctx, str, out, matched) tb_run(name, ctx, str, sizeof(str) - 1, out, matched)

#endif
