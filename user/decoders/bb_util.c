// SPDX-License-Identifier: GPL-2.0-only
/* Private helpers of the binary-banners decoders: see bb_util.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "bb_util.h"

void bb_str_init(struct bb_str *b, char *buf, size_t cap)
{
	b->s = buf;
	b->cap = cap;
	b->len = 0;
	b->overflow = false;
	if (cap)
		buf[0] = 0;
}

void bb_str_add(struct bb_str *b, const void *src, size_t n)
{
	size_t room = b->cap ? b->cap - 1 - b->len : 0;

	if (n > room) {
		n = room;
		b->overflow = true;
	}
	if (!n)
		return;
	memcpy(b->s + b->len, src, n);
	b->len += n;
	b->s[b->len] = 0;
}

void bb_str_adds(struct bb_str *b, const char *src)
{
	bb_str_add(b, src, strlen(src));
}

void bb_str_addc(struct bb_str *b, char c)
{
	bb_str_add(b, &c, 1);
}

void bb_str_addf(struct bb_str *b, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	if ((size_t)len >= sizeof(tmp)) {
		/* Only short numbers and words come here: a longer one is a caller's bug, not wire data. */
		b->overflow = true;
		len = sizeof(tmp) - 1;
	}
	bb_str_add(b, tmp, (size_t)len);
}

bool bb_md5_hex(const void *p, size_t n, char out[33])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (!EVP_Digest(p, n, md, &len, EVP_md5(), NULL) || len != 16)
		return false;
	dec_hex(md, 16, out);
	return true;
}

bool bb_sha256(const void *p, size_t n, uint8_t out[32])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (!EVP_Digest(p, n, md, &len, EVP_sha256(), NULL) || len != 32)
		return false;
	memcpy(out, md, 32);
	return true;
}

void bb_base64_nopad(const uint8_t *p, size_t n, char *out, size_t cap)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t w = 0;

	if (!cap)
		return;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		size_t chars = 2;

		if (i + 1 < n) {
			v |= (uint32_t)p[i + 1] << 8;
			chars = 3;
		}
		if (i + 2 < n) {
			v |= p[i + 2];
			chars = 4;
		}
		for (size_t k = 0; k < chars && w + 1 < cap; k++)
			out[w++] = alphabet[(v >> (18 - 6 * k)) & 63];
	}
	out[w] = 0;
}

bool bb_is_graph(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x21 || p[i] > 0x7e)
			return false;
	return true;
}

bool bb_addr_is_group(const struct iot_addr *a)
{
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (memcmp(a->b, v4mapped, sizeof(v4mapped)) == 0)
		return (a->b[12] & 0xf0) == 0xe0 || (a->b[12] == 255 && a->b[13] == 255 && a->b[14] == 255 &&
						     a->b[15] == 255);
	return a->b[0] == 0xff;
}
