/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private helpers of the binary-banners decoders (ssh, tls, vnc, mqtt, coap, ntp, ipp): a bounded big-endian
 * reader, a bounded text builder, and the digests the fingerprints need (MD5 for JA3/HASSH, SHA-256 for JA4
 * and SSH host keys, through libcrypto's EVP API). No state, no allocation of ours.
 */
#ifndef IOTSENSE_BB_UTIL_H
#define IOTSENSE_BB_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decoder.h"

/*
 * A cursor over untrusted bytes. Every read checks the remaining length first; a failed read sets err and
 * leaves the cursor where it was, so a parser can run a sequence of reads and test err once.
 */
struct bb_rd {
	const uint8_t *p;
	size_t n;
	size_t off;
	bool err;
};

static inline void bb_rd_init(struct bb_rd *r, const uint8_t *p, size_t n)
{
	r->p = p;
	r->n = n;
	r->off = 0;
	r->err = false;
}

static inline size_t bb_left(const struct bb_rd *r)
{
	return r->n - r->off;
}

/* Reserve len bytes and return where they start, or NULL (and err) when fewer remain. */
static inline const uint8_t *bb_take(struct bb_rd *r, size_t len)
{
	const uint8_t *at;

	if (r->err || len > bb_left(r)) {
		r->err = true;
		return NULL;
	}
	at = r->p + r->off;
	r->off += len;
	return at;
}

static inline uint8_t bb_u8(struct bb_rd *r)
{
	const uint8_t *b = bb_take(r, 1);

	return b ? b[0] : 0;
}

static inline uint16_t bb_u16(struct bb_rd *r)
{
	const uint8_t *b = bb_take(r, 2);

	return b ? dec_be16(b) : 0;
}

static inline uint32_t bb_u24(struct bb_rd *r)
{
	const uint8_t *b = bb_take(r, 3);

	return b ? (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2] : 0;
}

static inline uint32_t bb_u32(struct bb_rd *r)
{
	const uint8_t *b = bb_take(r, 4);

	return b ? dec_be32(b) : 0;
}

/* A sub-cursor over the next len bytes, which the parent skips. */
static inline struct bb_rd bb_sub(struct bb_rd *r, size_t len)
{
	struct bb_rd s;
	const uint8_t *b = bb_take(r, len);

	bb_rd_init(&s, b, b ? len : 0);
	s.err = !b;
	return s;
}

/*
 * A text builder over a caller's buffer. What does not fit is dropped and remembered in overflow, so that a
 * caller hashing the text can refuse to hash a cut string.
 */
struct bb_str {
	char *s;
	size_t cap; /* bytes in s, including the NUL */
	size_t len;
	bool overflow;
};

void bb_str_init(struct bb_str *b, char *buf, size_t cap);
void bb_str_add(struct bb_str *b, const void *src, size_t n);
void bb_str_adds(struct bb_str *b, const char *src);
void bb_str_addc(struct bb_str *b, char c);
void bb_str_addf(struct bb_str *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Digests. Return false when libcrypto refuses (never expected; then no fingerprint is emitted). */
bool bb_md5_hex(const void *p, size_t n, char out[33]);
bool bb_sha256(const void *p, size_t n, uint8_t out[32]);

/* Standard base64 (RFC 4648 alphabet) without '=' padding, as OpenSSH prints fingerprints. */
void bb_base64_nopad(const uint8_t *p, size_t n, char *out, size_t cap);

/* Multicast or limited broadcast: such a destination is a group, not a device that speaks the protocol. */
bool bb_addr_is_group(const struct iot_addr *a);

/* Printable ASCII (0x21..0x7e) only: used to tell a protocol's text field from random bytes. */
bool bb_is_graph(const uint8_t *p, size_t n);

#endif
