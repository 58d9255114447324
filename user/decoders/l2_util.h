/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Private helpers of the l2-discovery decoders (arp, dhcp, dhcpv6, lldp, cdp): the few value formatters that
 * several of them need. Everything is static inline and bounded by the caller's lengths; no state.
 */
#ifndef IOTSENSE_L2_UTIL_H
#define IOTSENSE_L2_UTIL_H

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "decoder.h"

#define L2_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Room for a formatted IPv4 or IPv6 address, as dec_format_addr() wants. */
#define L2_ADDR_STR 46

/* Room for one observation value being built piece by piece. */
struct l2_buf {
	char s[OBS_VALUE_MAX];
	size_t len;
};

/* Append a string; what does not fit is dropped (the emitter would cut it anyway). */
static inline void l2_buf_add(struct l2_buf *b, const char *str, size_t n)
{
	size_t room = sizeof(b->s) - 1 - b->len;

	if (n > room)
		n = room;
	memcpy(b->s + b->len, str, n);
	b->len += n;
	b->s[b->len] = 0;
}

static inline void l2_buf_adds(struct l2_buf *b, const char *str)
{
	l2_buf_add(b, str, strlen(str));
}

static inline void l2_buf_addu(struct l2_buf *b, unsigned long v)
{
	char num[24];
	int len = snprintf(num, sizeof(num), "%lu", v);

	if (len > 0)
		l2_buf_add(b, num, (size_t)len);
}

/* "1,3,6,42": a list of one-byte codes (DHCP parameter request list). */
static inline void l2_join_u8(struct l2_buf *b, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			l2_buf_add(b, ",", 1);
		l2_buf_addu(b, p[i]);
	}
}

/* "23,24": a list of big-endian two-byte codes (DHCPv6 option request); an odd last byte is ignored. */
static inline void l2_join_u16(struct l2_buf *b, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 2 <= n; i += 2) {
		if (i)
			l2_buf_add(b, ",", 1);
		l2_buf_addu(b, dec_be16(p + i));
	}
}

/* Length of the first line of a text field: device descriptions carry a copyright line we do not want. */
static inline size_t l2_line_len(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] == '\r' || p[i] == '\n')
			break;
	return i;
}

/*
 * A DNS name in wire format without compression (DHCP option 81 with the E flag, DHCPv6 option 39) as dotted
 * text. A label running past n ends the name where it was; returns false when nothing could be read.
 */
static inline bool l2_dns_name(const uint8_t *p, size_t n, struct l2_buf *b)
{
	size_t i = 0;

	while (i < n && p[i]) {
		size_t len = p[i];

		/* Compression pointers and extended labels have no meaning in these options. */
		if (len > 63 || len > n - i - 1)
			break;
		if (b->len)
			l2_buf_add(b, ".", 1);
		l2_buf_add(b, (const char *)p + i + 1, len);
		i += 1 + len;
	}
	return b->len > 0;
}

static inline void l2_format_v4(const uint8_t v4[4], char *buf, size_t size)
{
	struct iot_addr a;

	dec_addr_from_v4(&a, v4);
	dec_format_addr(&a, buf, size);
}

static inline void l2_format_v6(const uint8_t v6[16], char *buf, size_t size)
{
	struct iot_addr a;

	dec_addr_from_v6(&a, v6);
	dec_format_addr(&a, buf, size);
}

/* An all-zero or group (multicast/broadcast) MAC names no single device. */
static inline bool l2_mac_is_unicast(const uint8_t mac[6])
{
	static const uint8_t zero[6];

	return !(mac[0] & 1) && memcmp(mac, zero, 6) != 0;
}

#endif
