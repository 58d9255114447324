/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A bounded reader for DNS-format messages, private to the name-discovery decoders (mdns, llmnr, netbios):
 * mDNS, LLMNR and the NetBIOS Name Service all use the RFC 1035 header, sections and name compression.
 *
 * Nothing here trusts the wire: every read is checked against the message length, names are limited to 255
 * wire bytes, and compression pointers must point strictly before the start of the name segment that holds
 * them (plus a hop limit), so a pointer loop or a pointer past the end ends the name with an error instead of
 * spinning. Counts in the header are only upper bounds: iteration stops at the first record that does not fit.
 */
#ifndef IOTSENSE_DNS_MSG_H
#define IOTSENSE_DNS_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decoder.h"

#define DNS_HDR_LEN 12
#define DNS_NAME_BUF 256 /* a decoded name: at most 253 characters + NUL */

#define DNS_FLAG_QR 0x8000
#define DNS_OPCODE(flags) (((flags) >> 11) & 0xf)
#define DNS_RCODE(flags) ((flags) & 0xf)

#define DNS_TYPE_A 1
#define DNS_TYPE_PTR 12
#define DNS_TYPE_HINFO 13
#define DNS_TYPE_TXT 16
#define DNS_TYPE_AAAA 28
#define DNS_TYPE_SRV 33
#define DNS_TYPE_ANY 255

enum dns_section { DNS_SEC_QD, DNS_SEC_AN, DNS_SEC_NS, DNS_SEC_AR };

/* One question or resource record, as offsets into the message. */
struct dns_rr {
	uint8_t section; /* enum dns_section */
	size_t name;     /* offset of the owner name */
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;    /* 0 for questions */
	size_t rdata;    /* offset of RDATA (for questions: the end of the question) */
	uint16_t rdlen;  /* 0 for questions */
};

struct dns_iter {
	const uint8_t *p;
	size_t n;
	uint16_t id, flags;
	uint16_t count[4]; /* QD, AN, NS, AR as announced by the header */
	size_t off;        /* next record */
	uint8_t section;
	uint16_t left;     /* records left in the current section */
};

/* Reads the header. Returns 0, or -1 when the message is shorter than a header. */
int dns_iter_init(struct dns_iter *it, const uint8_t *p, size_t n);

/* Steps to the next question or record. Returns 1 with rr filled, 0 at the end, -1 when a record is cut. */
int dns_iter_next(struct dns_iter *it, struct dns_rr *rr);

/*
 * Decodes the (possibly compressed) name at off into buf as dot-separated labels without a trailing dot ("" for
 * the root). Label bytes are copied as they are. Returns the text length, or -1 when the name is malformed. When
 * next is not NULL it receives the offset just past the name as written at off (after the first pointer).
 */
int dns_name(const uint8_t *p, size_t n, size_t off, char *buf, size_t size, size_t *next);

/* Case-insensitive: name ends with suffix at a label boundary (or equals it). */
bool dns_name_has_suffix(const char *name, const char *suffix);

/* ASCII lower-case copy of src into dst (size >= 1). */
void dns_lower(char *dst, size_t size, const char *src);

/*
 * Emits like dec_emit (confidence conf) but drops the observation again when out already holds the same key,
 * subject and value: answers repeat names many times and out has room for DEC_OUT_MAX facts only. For OBS_SRC
 * and OBS_DST subjects.
 */
struct iot_obs *dns_emit_once(struct dec_out *out, enum obs_subject subj, const char *key, const char *val,
			      size_t len, uint8_t conf);

#endif
