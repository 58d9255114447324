/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private helpers of the long-tail decoder group (bjnp, knx, hartip, fins, iec104, profinet, tuya, ubnt, tivo,
 * tcpfp): bounded text searches over untrusted wire bytes. Header-only and static, so each decoder stays a
 * self-contained translation unit (the fuzz build compiles every decoder file into each harness).
 */
#ifndef IOTSENSE_LT_UTIL_H
#define IOTSENSE_LT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint8_t lt_lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/* Case-insensitive compare of len bytes of p with s; the caller guarantees len bytes exist at p. */
static inline bool lt_ieq(const uint8_t *p, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (lt_lower(p[i]) != lt_lower((uint8_t)s[i]))
			return false;
	return true;
}

/* Offset of the first case-sensitive occurrence of needle (len bytes) in p[0..n), or -1. */
static inline long lt_find(const uint8_t *p, size_t n, const char *needle, size_t len)
{
	if (!len || len > n)
		return -1;
	for (size_t i = 0; i + len <= n; i++)
		if (p[i] == (uint8_t)needle[0] && memcmp(p + i, needle, len) == 0)
			return (long)i;
	return -1;
}

/* Bytes before the first NUL, at most n: fixed-size wire strings are NUL padded, or not terminated at all. */
static inline size_t lt_strnlen(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n && p[i])
		i++;
	return i;
}

static inline bool lt_is_one_of(uint8_t c, const char *set)
{
	for (; *set; set++)
		if (c == (uint8_t)*set)
			return true;
	return false;
}

/*
 * The value of a "key<sep>value" field in a flat text record such as "MFG:Canon;MDL:MG5200;" (IEEE 1284) or
 * "machine=R7000P\n" (TiVo). key includes its separator ("MDL:") and matches case-insensitively, but only at
 * the start of the record or right after one of the lead bytes, so "MDL:" never matches inside "XMDL:". The
 * value runs to the first stop byte or the end. Returns the value and sets *vlen, or NULL when absent.
 */
static inline const uint8_t *lt_field(const uint8_t *p, size_t n, const char *key, const char *lead,
				      const char *stop, size_t *vlen)
{
	size_t klen = strlen(key);

	for (size_t i = 0; i + klen <= n; i++) {
		if (i && !lt_is_one_of(p[i - 1], lead))
			continue;
		if (!lt_ieq(p + i, key, klen))
			continue;
		size_t s = i + klen, e = s;

		while (e < n && p[e] && !lt_is_one_of(p[e], stop))
			e++;
		*vlen = e - s;
		return p + s;
	}
	return NULL;
}

#endif
