/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the name-discovery decoder tests (test_dns_msg, test_mdns, test_llmnr, test_netbios,
 * test_ssdp, test_wsd): a packet context from printable addresses, lookups in a dec_out, and a small builder for
 * crafted DNS-format messages. Include after testlib.h.
 */
#ifndef IOTSENSE_TESTS_NAMES_TEST_H
#define IOTSENSE_TESTS_NAMES_TEST_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "decoders/decoder.h"

static __attribute__((unused)) void nt_addr(struct iot_addr *a, const char *s)
{
	uint8_t b[16];

	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, b) == 1)
		dec_addr_from_v4(a, b);
	else if (inet_pton(AF_INET6, s, b) == 1)
		dec_addr_from_v6(a, b);
}

/* A packet context: proto IPPROTO_UDP/IPPROTO_TCP, addresses as text ("" for none). */
static __attribute__((unused)) struct dec_ctx nt_ctx(uint8_t proto, const char *src, uint16_t sport, const char *dst,
						     uint16_t dport)
{
	struct dec_ctx c;

	memset(&c, 0, sizeof(c));
	c.l4_proto = proto;
	c.eth_proto = strchr(src, ':') ? 0x86dd : 0x0800;
	c.reason = DEC_REASON_DISCOVERY;
	c.sport = sport;
	c.dport = dport;
	nt_addr(&c.src_ip, src);
	nt_addr(&c.dst_ip, dst);
	return c;
}

/* Runs match() then decode() on a fresh out; returns decode()'s result, or -100 when match() refused. */
static __attribute__((unused)) int nt_run(const struct decoder *d, const struct dec_ctx *c, const uint8_t *p,
					  size_t n, struct dec_out *out)
{
	memset(out, 0, sizeof(*out));
	if (!d->match(c, p, n))
		return -100;
	return d->decode(c, p, n, out);
}

/* The first observation with this subject and key, and this value unless val is NULL. */
static __attribute__((unused)) const struct iot_obs *nt_find(const struct dec_out *out, int subj, const char *key,
							     const char *val)
{
	for (int i = 0; i < out->n; i++) {
		const struct iot_obs *o = &out->obs[i];

		if (o->subject == subj && strcmp(o->key, key) == 0 && (!val || strcmp(o->value, val) == 0))
			return o;
	}
	return NULL;
}

static __attribute__((unused)) bool nt_has(const struct dec_out *out, int subj, const char *key, const char *val)
{
	return nt_find(out, subj, key, val) != NULL;
}

/* The value of the first observation with this subject and key, or NULL. */
static __attribute__((unused)) const char *nt_value(const struct dec_out *out, int subj, const char *key)
{
	const struct iot_obs *o = nt_find(out, subj, key, NULL);

	return o ? o->value : NULL;
}

static __attribute__((unused)) int nt_count(const struct dec_out *out, const char *key)
{
	int c = 0;

	for (int i = 0; i < out->n; i++)
		c += strcmp(out->obs[i].key, key) == 0;
	return c;
}

/* A builder for crafted messages. Writes past the buffer are dropped (and flagged), never made. */
struct nt_pkt {
	uint8_t b[2048];
	size_t n;
	bool overflow;
};

static __attribute__((unused)) void nt_u8(struct nt_pkt *p, unsigned int v)
{
	if (p->n >= sizeof(p->b)) {
		p->overflow = true;
		return;
	}
	p->b[p->n++] = (uint8_t)v;
}

static __attribute__((unused)) void nt_u16(struct nt_pkt *p, unsigned int v)
{
	nt_u8(p, v >> 8);
	nt_u8(p, v & 0xff);
}

static __attribute__((unused)) void nt_u32(struct nt_pkt *p, uint32_t v)
{
	nt_u16(p, v >> 16);
	nt_u16(p, v & 0xffff);
}

static __attribute__((unused)) void nt_bytes(struct nt_pkt *p, const void *src, size_t len)
{
	for (size_t i = 0; i < len; i++)
		nt_u8(p, ((const uint8_t *)src)[i]);
}

/* Labels of a dotted name, then the root label unless ptr >= 0, in which case a pointer to ptr ends it. */
static __attribute__((unused)) void nt_name_ptr(struct nt_pkt *p, const char *name, int ptr)
{
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t len = dot ? (size_t)(dot - name) : strlen(name);

		nt_u8(p, (unsigned int)len);
		nt_bytes(p, name, len);
		name += len + (dot ? 1 : 0);
	}
	if (ptr >= 0)
		nt_u16(p, 0xc000 | (unsigned int)ptr);
	else
		nt_u8(p, 0);
}

static __attribute__((unused)) void nt_name(struct nt_pkt *p, const char *name)
{
	nt_name_ptr(p, name, -1);
}

static __attribute__((unused)) void nt_hdr(struct nt_pkt *p, unsigned int id, unsigned int flags, unsigned int qd,
					   unsigned int an, unsigned int ns, unsigned int ar)
{
	p->n = 0;
	p->overflow = false;
	nt_u16(p, id);
	nt_u16(p, flags);
	nt_u16(p, qd);
	nt_u16(p, an);
	nt_u16(p, ns);
	nt_u16(p, ar);
}

/* A resource record's fixed part after its name: type, class, TTL and RDLENGTH. */
static __attribute__((unused)) void nt_rr(struct nt_pkt *p, unsigned int type, unsigned int rclass,
					  unsigned int rdlen)
{
	nt_u16(p, type);
	nt_u16(p, rclass);
	nt_u32(p, 120);
	nt_u16(p, rdlen);
}

#endif
