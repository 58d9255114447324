// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bounded DNS message reader shared by the mdns, llmnr and netbios decoders (see dns_msg.h). It reads only:
 * no observation keys of its own; dns_emit_once() is the group's de-duplicating emitter.
 */
#include <string.h>

#include "dns_msg.h"

/* RFC 1035 3.1: a name is at most 255 bytes on the wire, length bytes and root included. */
#define DNS_NAME_WIRE_MAX 255
/* More pointer hops than any sane encoder needs; the backwards rule already ends loops, this caps work. */
#define DNS_MAX_HOPS 32

int dns_iter_init(struct dns_iter *it, const uint8_t *p, size_t n)
{
	memset(it, 0, sizeof(*it));
	if (n < DNS_HDR_LEN)
		return -1;
	it->p = p;
	it->n = n;
	it->id = dec_be16(p);
	it->flags = dec_be16(p + 2);
	for (int i = 0; i < 4; i++)
		it->count[i] = dec_be16(p + 4 + 2 * i);
	it->off = DNS_HDR_LEN;
	it->section = DNS_SEC_QD;
	it->left = it->count[DNS_SEC_QD];
	return 0;
}

/* Offset just past the name at off without following pointers, or 0 when it runs off the end. */
static size_t dns_skip_name(const uint8_t *p, size_t n, size_t off)
{
	size_t wire = 0;

	while (off < n) {
		uint8_t len = p[off];

		if ((len & 0xc0) == 0xc0)
			return off + 2 <= n ? off + 2 : 0;
		if (len & 0xc0) /* 0x40 and 0x80 label types are obsolete or unassigned */
			return 0;
		if (len == 0)
			return off + 1;
		wire += 1 + (size_t)len;
		if (wire + 1 > DNS_NAME_WIRE_MAX) /* + 1: the root label still has to follow */
			return 0;
		off += 1 + (size_t)len;
	}
	return 0;
}

int dns_iter_next(struct dns_iter *it, struct dns_rr *rr)
{
	size_t off;

	while (it->left == 0) {
		if (it->section == DNS_SEC_AR)
			return 0;
		it->section++;
		it->left = it->count[it->section];
	}
	memset(rr, 0, sizeof(*rr));
	rr->section = it->section;
	rr->name = it->off;
	off = dns_skip_name(it->p, it->n, it->off);
	if (!off || off + 4 > it->n)
		return -1;
	rr->type = dec_be16(it->p + off);
	rr->rclass = dec_be16(it->p + off + 2);
	off += 4;
	if (it->section != DNS_SEC_QD) {
		if (off + 6 > it->n)
			return -1;
		rr->ttl = dec_be32(it->p + off);
		rr->rdlen = dec_be16(it->p + off + 4);
		off += 6;
		if ((size_t)rr->rdlen > it->n - off)
			return -1;
	}
	rr->rdata = off;
	it->off = off + rr->rdlen;
	it->left--;
	return 1;
}

int dns_name(const uint8_t *p, size_t n, size_t off, char *buf, size_t size, size_t *next)
{
	size_t pos = off, seg = off, end = 0, wire = 0, w = 0;
	int hops = 0;

	if (!size)
		return -1;
	buf[0] = 0;
	for (;;) {
		uint8_t len;

		if (pos >= n)
			return -1;
		len = p[pos];
		if ((len & 0xc0) == 0xc0) {
			size_t target;

			if (pos + 1 >= n)
				return -1;
			target = (size_t)(len & 0x3f) << 8 | p[pos + 1];
			if (!end)
				end = pos + 2;
			/*
			 * Encoders only point back at names already written, so a target at or after the start of
			 * the segment being read is a loop (or garbage): each jump strictly lowers seg, which ends.
			 */
			if (target >= seg || ++hops > DNS_MAX_HOPS)
				return -1;
			pos = seg = target;
			continue;
		}
		if (len & 0xc0)
			return -1;
		if (len == 0) {
			if (!end)
				end = pos + 1;
			break;
		}
		wire += 1 + (size_t)len;
		if (wire + 1 > DNS_NAME_WIRE_MAX || (size_t)len > n - pos - 1)
			return -1;
		/* Copy what fits; the 255-byte wire limit means DNS_NAME_BUF always fits a whole name. */
		if (w && w + 1 < size)
			buf[w++] = '.';
		for (size_t i = 0; i < len && w + 1 < size; i++)
			buf[w++] = (char)p[pos + 1 + i];
		pos += 1 + (size_t)len;
	}
	buf[w] = 0;
	if (next)
		*next = end;
	return (int)w;
}

static char dns_ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

bool dns_name_has_suffix(const char *name, const char *suffix)
{
	size_t nl = strlen(name), sl = strlen(suffix);

	if (sl > nl)
		return false;
	if (sl < nl && name[nl - sl - 1] != '.')
		return false;
	for (size_t i = 0; i < sl; i++)
		if (dns_ascii_lower(name[nl - sl + i]) != dns_ascii_lower(suffix[i]))
			return false;
	return true;
}

void dns_lower(char *dst, size_t size, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < size && src[i]; i++)
		dst[i] = dns_ascii_lower(src[i]);
	dst[i] = 0;
}

struct iot_obs *dns_emit_once(struct dec_out *out, enum obs_subject subj, const char *key, const char *val,
			      size_t len, uint8_t conf)
{
	struct iot_obs *o = dec_emit(out, subj, key, val, len, conf);

	if (!o)
		return NULL;
	/* Compare after dec_emit has sanitised the value, so equal facts compare equal. */
	for (int i = 0; i < out->n - 1; i++) {
		const struct iot_obs *e = &out->obs[i];

		if (e->subject == o->subject && strcmp(e->key, o->key) == 0 && strcmp(e->value, o->value) == 0) {
			out->n--;
			return &out->obs[i];
		}
	}
	return o;
}
