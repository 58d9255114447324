// SPDX-License-Identifier: GPL-2.0-only
/*
 * TLS (RFC 5246, RFC 8446) on any TCP port whose segment starts with a handshake record (0x16 0x03 0x0v):
 * the records of one segment, and the handshake messages in them, one segment at a time.
 *
 *   ClientHello  SNI, ALPN, supported_versions, and the JA3 and JA4 client fingerprints. GREASE values
 *                (RFC 8701: 0x?a?a with equal bytes) are left out of both, as their specifications say.
 *                JA3 = MD5("version,ciphers,extensions,groups,point_formats"), decimal, '-'-joined, in wire
 *                order. JA4 (FoxIO) = "t" + version + d|i + cipher count + extension count + ALPN ends,
 *                "_" + 12 hex of SHA-256 of the sorted cipher list, "_" + 12 hex of SHA-256 of the sorted
 *                extension list without SNI and ALPN, then "_" and the signature algorithms in wire order.
 *                JA4's d/i says whether the client named a domain: an SNI holding an IP literal (which RFC
 *                6066 forbids) counts as none, as nDPI does.
 *   ServerHello  the negotiated version (supported_versions when present), JA3S = MD5("version,cipher,
 *                extensions"), the selected ALPN.
 *   Certificate  (TLS <= 1.2, from the server; TLS 1.3 encrypts it) subject and issuer CN and subjectAltName
 *                DNS names of the first certificate, through a small DER reader that walks into containers
 *                cut by the snapshot and reads only leaves that are whole.
 * A message cut by the snapshot yields what is whole in it (the SNI when its extension is), never a
 * fingerprint: JA3, JA4 and JA3S need the whole message.
 *
 * About the sender of a ClientHello (OBS_SRC): tls_sni, tls_alpn ("h2,http/1.1"), tls_supported_versions
 *   ("TLSv13,TLSv12"), tls_client_version (legacy_version), tls_ja3_string, tls_ja3, tls_ja4,
 *   app_protocol "TLS"; and app_protocol "TLS" about the receiver (OBS_DST), the server.
 * About the sender of a ServerHello or Certificate (OBS_SRC): tls_version ("TLSv10", "TLSv12", "TLSv13",
 *   "SSLv3"), tls_ja3s_string, tls_ja3s, tls_alpn_selected, tls_cert_subject_cn, tls_cert_issuer_cn,
 *   tls_cert_server_names ("a.example,b.example"), tls_cert_self_signed "1" (subject and issuer names equal),
 *   app_protocol "TLS", service "tcp/<port>".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bb_util.h"
#include "decoder.h"

#define TLS_CT_CCS 20
#define TLS_CT_ALERT 21
#define TLS_CT_HANDSHAKE 22
#define TLS_CT_APPDATA 23

#define TLS_HS_CLIENT_HELLO 1
#define TLS_HS_SERVER_HELLO 2
#define TLS_HS_CERTIFICATE 11

#define TLS_EXT_SNI 0x0000
#define TLS_EXT_GROUPS 0x000a
#define TLS_EXT_POINT_FORMATS 0x000b
#define TLS_EXT_SIG_ALGS 0x000d
#define TLS_EXT_ALPN 0x0010
#define TLS_EXT_SUPPORTED_VERSIONS 0x002b

#define TLS_RECORDS_PER_SEGMENT 16
#define TLS_MSGS_PER_RECORD 16
/* A segment is ~1400 bytes: 700 two-byte values at most. Beyond these we refuse to fingerprint. */
#define TLS_LIST_MAX 1024
#define TLS_FP_STR_MAX 16384

#define DER_DEPTH_NAME 3 /* Name > SET > SEQUENCE > OID, value */

static bool tls_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* Zeek's spelling of versions: "TLSv12". */
static void tls_version_name(uint16_t v, char *buf, size_t size)
{
	switch (v) {
	case 0x0002:
		snprintf(buf, size, "SSLv2");
		break;
	case 0x0300:
		snprintf(buf, size, "SSLv3");
		break;
	case 0x0301:
	case 0x0302:
	case 0x0303:
	case 0x0304:
		snprintf(buf, size, "TLSv1%u", (unsigned)(v - 0x0301));
		break;
	default:
		if ((v >> 8) == 0x7f) /* drafts of TLS 1.3 */
			snprintf(buf, size, "TLSv13-draft%u", (unsigned)(v & 0xff));
		else
			snprintf(buf, size, "0x%04x", v);
	}
}

/* JA4's two-character version. */
static const char *tls_ja4_version(uint16_t v)
{
	switch (v) {
	case 0x0304:
		return "13";
	case 0x0303:
		return "12";
	case 0x0302:
		return "11";
	case 0x0301:
		return "10";
	case 0x0300:
		return "s3";
	case 0x0002:
		return "s2";
	case 0xfeff:
		return "d1";
	case 0xfefd:
		return "d2";
	case 0xfefc:
		return "d3";
	default:
		return "00";
	}
}

static bool tls_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	return ctx->l4_proto == 6 && n >= 6 && p[0] == TLS_CT_HANDSHAKE && p[1] == 3 && p[2] <= 4;
}

/* A list of 16-bit values, read from the wire with GREASE removed. */
struct tls_list {
	uint16_t v[TLS_LIST_MAX];
	size_t n;
	bool overflow;
};

static void tls_list_add(struct tls_list *l, uint16_t v)
{
	if (tls_grease(v))
		return;
	if (l->n >= TLS_LIST_MAX) {
		l->overflow = true;
		return;
	}
	l->v[l->n++] = v;
}

/* Read a vector of 16-bit values (len bytes) into l. */
static void tls_list_read(struct tls_list *l, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		tls_list_add(l, dec_be16(p + i));
}

static int tls_u16_cmp(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* Decimal, '-'-joined, as JA3 wants. */
static void tls_join_dec(struct bb_str *s, const uint16_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		bb_str_addf(s, i ? "-%u" : "%u", v[i]);
}

/* Four-digit hex, ','-joined, as JA4 wants. */
static void tls_join_hex(struct bb_str *s, const uint16_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		bb_str_addf(s, i ? ",%04x" : "%04x", v[i]);
}

/* JA4's 12-hex truncated SHA-256; "000000000000" for an empty list. */
static bool tls_ja4_hash(const struct bb_str *s, char out[13])
{
	uint8_t d[32];
	char hex[65];

	if (!s->len) {
		memcpy(out, "000000000000", 13);
		return true;
	}
	if (s->overflow || !bb_sha256(s->s, s->len, d))
		return false;
	dec_hex(d, 32, hex);
	memcpy(out, hex, 12);
	out[12] = 0;
	return true;
}

static bool tls_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* An SNI that is a dotted quad or holds a ':' names an address, not a domain. */
static bool tls_ip_literal(const uint8_t *p, size_t n)
{
	bool digits_dots = n > 0;

	for (size_t i = 0; i < n; i++) {
		if (p[i] == ':')
			return true;
		if (!(p[i] == '.' || (p[i] >= '0' && p[i] <= '9')))
			digits_dots = false;
	}
	return digits_dots;
}

/* What a ClientHello yields; lists are wire order with GREASE removed. */
struct tls_client_hello {
	uint16_t version;
	struct tls_list ciphers, exts, groups, sigalgs, versions;
	const uint8_t *formats; /* ec_point_formats: uint8 values */
	size_t nformats;
	const uint8_t *alpn; /* the first ALPN protocol name */
	size_t alpn_len;
	bool sni_domain; /* an SNI with a host name that is not an IP literal */
};

static int tls_ja3(const struct tls_client_hello *ch, struct dec_out *out)
{
	char buf[TLS_FP_STR_MAX], md5[33];
	struct bb_str s;
	int emitted = 0;

	bb_str_init(&s, buf, sizeof(buf));
	bb_str_addf(&s, "%u,", ch->version);
	tls_join_dec(&s, ch->ciphers.v, ch->ciphers.n);
	bb_str_addc(&s, ',');
	tls_join_dec(&s, ch->exts.v, ch->exts.n);
	bb_str_addc(&s, ',');
	tls_join_dec(&s, ch->groups.v, ch->groups.n);
	bb_str_addc(&s, ',');
	for (size_t i = 0; i < ch->nformats; i++)
		bb_str_addf(&s, i ? "-%u" : "%u", ch->formats[i]);
	if (s.overflow || !bb_md5_hex(s.s, s.len, md5))
		return 0;
	if (dec_emit(out, OBS_SRC, "tls_ja3_string", s.s, s.len, 90))
		emitted++;
	if (dec_emit_str(out, OBS_SRC, "tls_ja3", md5))
		emitted++;
	return emitted;
}

static int tls_ja4(struct tls_client_hello *ch, struct dec_out *out)
{
	char buf[TLS_FP_STR_MAX], a[16], b[13], c[13], alpn[3], ja4[48];
	uint16_t sorted[TLS_LIST_MAX];
	uint16_t top = ch->versions.n ? 0 : ch->version;
	size_t k = 0;
	struct bb_str s;

	/* The highest supported_versions entry, when the extension is there, else legacy_version. */
	for (size_t i = 0; i < ch->versions.n; i++)
		if (ch->versions.v[i] > top)
			top = ch->versions.v[i];

	/* ALPN: first and last character of the first value, or of its hex when they are not alphanumeric. */
	if (!ch->alpn_len) {
		memcpy(alpn, "00", 3);
	} else if (tls_alnum(ch->alpn[0]) && tls_alnum(ch->alpn[ch->alpn_len - 1])) {
		alpn[0] = (char)ch->alpn[0];
		alpn[1] = (char)ch->alpn[ch->alpn_len - 1];
		alpn[2] = 0;
	} else {
		static const char hx[] = "0123456789abcdef";

		alpn[0] = hx[ch->alpn[0] >> 4];
		alpn[1] = hx[ch->alpn[ch->alpn_len - 1] & 15];
		alpn[2] = 0;
	}
	snprintf(a, sizeof(a), "t%s%c%02u%02u%s", tls_ja4_version(top), ch->sni_domain ? 'd' : 'i',
		 (unsigned)(ch->ciphers.n > 99 ? 99 : ch->ciphers.n),
		 (unsigned)(ch->exts.n > 99 ? 99 : ch->exts.n), alpn);

	memcpy(sorted, ch->ciphers.v, ch->ciphers.n * sizeof(sorted[0]));
	qsort(sorted, ch->ciphers.n, sizeof(sorted[0]), tls_u16_cmp);
	bb_str_init(&s, buf, sizeof(buf));
	tls_join_hex(&s, sorted, ch->ciphers.n);
	if (!tls_ja4_hash(&s, b))
		return 0;

	for (size_t i = 0; i < ch->exts.n; i++)
		if (ch->exts.v[i] != TLS_EXT_SNI && ch->exts.v[i] != TLS_EXT_ALPN)
			sorted[k++] = ch->exts.v[i];
	qsort(sorted, k, sizeof(sorted[0]), tls_u16_cmp);
	bb_str_init(&s, buf, sizeof(buf));
	tls_join_hex(&s, sorted, k);
	if (ch->sigalgs.n) {
		bb_str_addc(&s, '_');
		tls_join_hex(&s, ch->sigalgs.v, ch->sigalgs.n);
	}
	if (!tls_ja4_hash(&s, c))
		return 0;
	snprintf(ja4, sizeof(ja4), "%s_%s_%s", a, b, c);
	return dec_emit_str(out, OBS_SRC, "tls_ja4", ja4) ? 1 : 0;
}

/* The extensions of a ClientHello; whole says whether the block was cut. Returns observations added. */
static int tls_ch_extensions(struct bb_rd *r, struct tls_client_hello *ch, struct dec_out *out)
{
	char text[OBS_VALUE_MAX];
	struct bb_str s;
	int emitted = 0;

	while (bb_left(r) >= 4) {
		uint16_t type = bb_u16(r);
		uint16_t len = bb_u16(r);
		struct bb_rd e = bb_sub(r, len);

		if (e.err)
			break; /* cut by the snapshot: this extension and the rest are lost */
		tls_list_add(&ch->exts, type);
		if (type == TLS_EXT_SNI) {
			/* server_name_list: type(1) length(2) name, the first host_name (type 0) counts. */
			struct bb_rd l = bb_sub(&e, bb_u16(&e));

			while (!l.err && bb_left(&l) >= 3) {
				uint8_t nt = bb_u8(&l);
				uint16_t nl = bb_u16(&l);
				const uint8_t *name = bb_take(&l, nl);

				if (!name || nt != 0)
					continue;
				ch->sni_domain = nl && !tls_ip_literal(name, nl);
				if (dec_emit(out, OBS_SRC, "tls_sni", (const char *)name, nl, 95))
					emitted++;
				break;
			}
		} else if (type == TLS_EXT_ALPN) {
			struct bb_rd l = bb_sub(&e, bb_u16(&e));

			bb_str_init(&s, text, sizeof(text));
			while (!l.err && bb_left(&l) >= 1) {
				uint8_t pl = bb_u8(&l);
				const uint8_t *proto = bb_take(&l, pl);

				if (!proto || !pl)
					break;
				if (!ch->alpn_len) {
					ch->alpn = proto;
					ch->alpn_len = pl;
				}
				if (s.len)
					bb_str_addc(&s, ',');
				bb_str_add(&s, proto, pl);
			}
			if (dec_emit(out, OBS_SRC, "tls_alpn", s.s, s.len, 90))
				emitted++;
		} else if (type == TLS_EXT_SUPPORTED_VERSIONS) {
			uint8_t vl = bb_u8(&e);
			const uint8_t *v = bb_take(&e, vl);

			if (!v)
				continue;
			tls_list_read(&ch->versions, v, vl);
			bb_str_init(&s, text, sizeof(text));
			for (size_t i = 0; i < ch->versions.n; i++) {
				char name[24];

				tls_version_name(ch->versions.v[i], name, sizeof(name));
				if (i)
					bb_str_addc(&s, ',');
				bb_str_adds(&s, name);
			}
			if (dec_emit(out, OBS_SRC, "tls_supported_versions", s.s, s.len, 90))
				emitted++;
		} else if (type == TLS_EXT_GROUPS) {
			uint16_t gl = bb_u16(&e);
			const uint8_t *g = bb_take(&e, gl);

			if (g)
				tls_list_read(&ch->groups, g, gl);
		} else if (type == TLS_EXT_POINT_FORMATS) {
			uint8_t fl = bb_u8(&e);
			const uint8_t *f = bb_take(&e, fl);

			if (f) {
				ch->formats = f;
				ch->nformats = fl;
			}
		} else if (type == TLS_EXT_SIG_ALGS) {
			uint16_t sl = bb_u16(&e);
			const uint8_t *sa = bb_take(&e, sl);

			if (sa)
				tls_list_read(&ch->sigalgs, sa, sl);
		}
	}
	return emitted;
}

/* m: the message body (after type and length), avail bytes of it here; whole: nothing was cut. */
static int tls_client_hello(const uint8_t *m, size_t avail, bool whole, struct dec_out *out)
{
	struct tls_client_hello ch;
	struct bb_rd r, ext;
	char name[24];
	int emitted = 0;
	uint16_t elen;

	memset(&ch, 0, sizeof(ch));
	bb_rd_init(&r, m, avail);
	ch.version = bb_u16(&r);
	bb_take(&r, 32);	  /* random */
	bb_take(&r, bb_u8(&r)); /* session id */
	if (r.err)
		return whole ? -1 : 0;
	tls_version_name(ch.version, name, sizeof(name));
	if (dec_emit_str(out, OBS_SRC, "tls_client_version", name))
		emitted++;
	{
		uint16_t cl = bb_u16(&r);
		const uint8_t *c = bb_take(&r, cl);

		if (!c)
			return whole ? -1 : emitted;
		tls_list_read(&ch.ciphers, c, cl);
	}
	bb_take(&r, bb_u8(&r)); /* compression methods */
	if (r.err)
		return whole ? -1 : emitted;
	if (bb_left(&r)) {
		elen = bb_u16(&r);
		if (r.err)
			return whole ? -1 : emitted;
		if (elen > bb_left(&r)) {
			if (whole)
				return -1; /* the block claims more than the message holds */
			/* Cut by the snapshot: read the extensions that are whole. */
			bb_rd_init(&ext, r.p + r.off, bb_left(&r));
		} else {
			ext = bb_sub(&r, elen);
		}
		emitted += tls_ch_extensions(&ext, &ch, out);
		if (bb_left(&ext))
			whole = false; /* an extension ran past the block */
	}
	if (!whole || ch.ciphers.overflow || ch.exts.overflow || ch.groups.overflow || ch.sigalgs.overflow ||
	    ch.versions.overflow)
		return emitted;
	emitted += tls_ja3(&ch, out);
	emitted += tls_ja4(&ch, out);
	return emitted;
}

static int tls_server_hello(const uint8_t *m, size_t avail, bool whole, struct dec_out *out)
{
	char name[24], buf[4096], md5[33];
	uint16_t version, cipher, negotiated;
	struct bb_rd r, ext;
	struct bb_str s;
	struct tls_list list;
	int emitted = 0;

	bb_rd_init(&r, m, avail);
	version = bb_u16(&r);
	bb_take(&r, 32);
	bb_take(&r, bb_u8(&r));
	cipher = bb_u16(&r);
	bb_u8(&r); /* compression */
	if (r.err)
		return whole ? -1 : 0;
	negotiated = version;
	list.n = 0;
	list.overflow = false;
	if (bb_left(&r) >= 2) {
		uint16_t elen = bb_u16(&r);

		ext = bb_sub(&r, elen);
		if (ext.err)
			return whole ? -1 : 0;
		while (bb_left(&ext) >= 4) {
			uint16_t type = bb_u16(&ext);
			struct bb_rd e = bb_sub(&ext, bb_u16(&ext));

			if (e.err)
				return -1; /* the extension block was whole, so this is a lie */
			tls_list_add(&list, type);
			if (type == TLS_EXT_SUPPORTED_VERSIONS && bb_left(&e) == 2) {
				negotiated = bb_u16(&e);
			} else if (type == TLS_EXT_ALPN) {
				struct bb_rd l = bb_sub(&e, bb_u16(&e));
				uint8_t pl = bb_u8(&l);
				const uint8_t *proto = bb_take(&l, pl);

				if (proto &&
				    dec_emit(out, OBS_SRC, "tls_alpn_selected", (const char *)proto, pl, 90))
					emitted++;
			}
		}
	}
	tls_version_name(negotiated, name, sizeof(name));
	if (dec_emit_str(out, OBS_SRC, "tls_version", name))
		emitted++;
	if (!whole || list.overflow)
		return emitted;
	bb_str_init(&s, buf, sizeof(buf));
	bb_str_addf(&s, "%u,%u,", version, cipher);
	tls_join_dec(&s, list.v, list.n);
	if (s.overflow || !bb_md5_hex(s.s, s.len, md5))
		return emitted;
	if (dec_emit(out, OBS_SRC, "tls_ja3s_string", s.s, s.len, 90))
		emitted++;
	if (dec_emit_str(out, OBS_SRC, "tls_ja3s", md5))
		emitted++;
	return emitted;
}

/*
 * DER. der_next() reads one TLV header from r and returns a cursor over its contents: the whole contents when
 * they are here, else what is here with *whole false (the parent was cut by the snapshot). Only single-byte
 * tags and definite lengths of up to four bytes exist in certificates.
 */
static bool der_next(struct bb_rd *r, uint8_t *tag, struct bb_rd *content, bool *whole)
{
	uint8_t first;
	size_t len = 0, have;

	*tag = bb_u8(r);
	first = bb_u8(r);
	if (r->err || (*tag & 0x1f) == 0x1f)
		return false;
	if (first & 0x80) {
		uint8_t k = first & 0x7f;

		if (k == 0 || k > 4)
			return false;
		for (uint8_t i = 0; i < k; i++)
			len = len << 8 | bb_u8(r);
		if (r->err)
			return false;
	} else {
		len = first;
	}
	have = bb_left(r);
	*whole = len <= have;
	bb_rd_init(content, r->p + r->off, *whole ? len : have);
	r->off += *whole ? len : have;
	return true;
}

/* The value of the last commonName (2.5.4.3) in a Name, into buf; false when there is none. */
static bool der_name_cn(struct bb_rd name, char *buf, size_t size)
{
	static const uint8_t oid_cn[] = { 0x55, 0x04, 0x03 };
	struct bb_rd set, atv, oid, val;
	uint8_t tag;
	bool whole, found = false;

	while (bb_left(&name) && der_next(&name, &tag, &set, &whole) && whole) {
		while (bb_left(&set) && der_next(&set, &tag, &atv, &whole) && whole) {
			if (!der_next(&atv, &tag, &oid, &whole) || !whole || tag != 0x06)
				continue;
			if (oid.n != sizeof(oid_cn) || memcmp(oid.p, oid_cn, sizeof(oid_cn)) != 0)
				continue;
			if (!der_next(&atv, &tag, &val, &whole) || !whole)
				continue;
			/* UTF8, Printable, T61 and IA5 strings; a BMPString keeps its ASCII subset. */
			if (tag == 0x0c || tag == 0x13 || tag == 0x14 || tag == 0x16) {
				size_t len = val.n < size ? val.n : size - 1;

				snprintf(buf, size, "%.*s", (int)len, (const char *)val.p);
				found = buf[0] != 0 || found;
			} else if (tag == 0x1e) {
				size_t w = 0;

				for (size_t i = 0; i + 1 < val.n && w + 1 < size; i += 2)
					if (val.p[i] == 0)
						buf[w++] = (char)val.p[i + 1];
				buf[w] = 0;
				found = w > 0 || found;
			}
		}
	}
	return found;
}

/* subjectAltName (2.5.29.17) dNSName entries, ','-joined into s. */
static void der_san(struct bb_rd exts, struct bb_str *s)
{
	static const uint8_t oid_san[] = { 0x55, 0x1d, 0x11 };
	struct bb_rd ext, oid, v, names, gn;
	uint8_t tag;
	bool whole;

	while (bb_left(&exts) && der_next(&exts, &tag, &ext, &whole) && whole) {
		if (!der_next(&ext, &tag, &oid, &whole) || !whole || tag != 0x06 ||
		    oid.n != sizeof(oid_san) || memcmp(oid.p, oid_san, sizeof(oid_san)) != 0)
			continue;
		if (!der_next(&ext, &tag, &v, &whole) || !whole)
			continue;
		if (tag == 0x01 && (!der_next(&ext, &tag, &v, &whole) || !whole)) /* critical */
			continue;
		if (tag != 0x04 || !der_next(&v, &tag, &names, &whole) || !whole || tag != 0x30)
			continue;
		while (bb_left(&names) && der_next(&names, &tag, &gn, &whole) && whole) {
			if (tag != 0x82) /* [2] dNSName */
				continue;
			if (s->len)
				bb_str_addc(s, ',');
			bb_str_add(s, gn.p, gn.n);
		}
		return;
	}
}

/* The first certificate of a TLS <= 1.2 Certificate message. */
static int tls_certificate(const uint8_t *m, size_t avail, struct dec_out *out)
{
	enum { F_SERIAL, F_SIGALG, F_ISSUER, F_VALIDITY, F_SUBJECT, F_SPKI };
	char cn[OBS_VALUE_MAX], sans[OBS_VALUE_MAX];
	struct bb_rd r, cert, tbs, field, issuer = { 0 }, subject = { 0 };
	struct bb_str s;
	uint8_t tag;
	bool whole, have_issuer = false, have_subject = false;
	int emitted = 0, idx = 0;

	bb_rd_init(&r, m, avail);
	bb_u24(&r); /* certificate_list length */
	bb_u24(&r); /* first certificate length */
	if (r.err || !der_next(&r, &tag, &cert, &whole) || tag != 0x30)
		return 0;
	if (!der_next(&cert, &tag, &tbs, &whole) || tag != 0x30)
		return 0;
	bb_str_init(&s, sans, sizeof(sans));
	while (bb_left(&tbs) && der_next(&tbs, &tag, &field, &whole)) {
		if (tag == 0xa0 && idx == 0 && !have_issuer) { /* [0] version */
			if (!whole)
				break;
			continue;
		}
		if (tag == 0xa3) { /* [3] extensions: walk into it even when cut */
			struct bb_rd seq;
			bool seq_whole;

			if (der_next(&field, &tag, &seq, &seq_whole) && tag == 0x30)
				der_san(seq, &s);
			break;
		}
		if (!whole)
			break;
		if (idx == F_ISSUER && tag == 0x30) {
			issuer = field;
			have_issuer = true;
		} else if (idx == F_SUBJECT && tag == 0x30) {
			subject = field;
			have_subject = true;
		}
		idx++;
	}
	if (have_subject && der_name_cn(subject, cn, sizeof(cn)) &&
	    dec_emit_str(out, OBS_SRC, "tls_cert_subject_cn", cn))
		emitted++;
	if (have_issuer && der_name_cn(issuer, cn, sizeof(cn)) &&
	    dec_emit_str(out, OBS_SRC, "tls_cert_issuer_cn", cn))
		emitted++;
	/* Equal subject and issuer names: a self-signed certificate, common on embedded web servers. */
	if (have_issuer && have_subject && issuer.n == subject.n &&
	    memcmp(issuer.p, subject.p, issuer.n) == 0 &&
	    dec_emit_str(out, OBS_SRC, "tls_cert_self_signed", "1"))
		emitted++;
	if (dec_emit(out, OBS_SRC, "tls_cert_server_names", s.s, s.len, 90))
		emitted++;
	return emitted;
}

/* The handshake messages of one record (avail bytes of it here). */
static int tls_handshakes(const struct dec_ctx *ctx, const uint8_t *p, size_t avail, struct dec_out *out,
			  bool *client, bool *server)
{
	size_t off = 0;
	int emitted = 0;

	for (int k = 0; k < TLS_MSGS_PER_RECORD && avail - off >= 4; k++) {
		uint8_t type = p[off];
		size_t len = (size_t)p[off + 1] << 16 | (size_t)p[off + 2] << 8 | p[off + 3];
		size_t have = avail - off - 4;
		bool whole = len <= have;
		const uint8_t *m = p + off + 4;
		int r = 0;

		if (whole)
			have = len;
		if (type == TLS_HS_CLIENT_HELLO) {
			r = tls_client_hello(m, have, whole, out);
			*client = *client || r >= 0;
		} else if (type == TLS_HS_SERVER_HELLO) {
			r = tls_server_hello(m, have, whole, out);
			*server = *server || r >= 0;
		} else if (type == TLS_HS_CERTIFICATE && !ctx->from_initiator) {
			r = tls_certificate(m, have, out);
		}
		if (r < 0)
			return -1;
		emitted += r;
		if (!whole)
			break;
		off += 4 + len;
	}
	return emitted;
}

static int tls_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	bool client = false, server = false;
	size_t off = 0;
	int emitted = 0;
	char svc[16];

	if (!tls_match(ctx, p, n))
		return 0;
	for (int k = 0; k < TLS_RECORDS_PER_SEGMENT && n - off >= 5; k++) {
		uint8_t ct = p[off];
		size_t len = dec_be16(p + off + 3);
		size_t have = n - off - 5;
		int r;

		if (p[off + 1] != 3 || ct < TLS_CT_CCS || ct > TLS_CT_APPDATA)
			break; /* not a record header: the rest continues something we did not see */
		if (ct == TLS_CT_CCS)
			break; /* handshake records after this are encrypted */
		if (ct == TLS_CT_HANDSHAKE) {
			r = tls_handshakes(ctx, p + off + 5, len < have ? len : have, out, &client, &server);
			if (r < 0)
				return -1;
			emitted += r;
		}
		if (len > have)
			break;
		off += 5 + len;
	}
	if (client || server) {
		if (dec_emit_str(out, OBS_SRC, "app_protocol", "TLS"))
			emitted++;
	}
	if (client && dec_emit(out, OBS_DST, "app_protocol", "TLS", 3, 80))
		emitted++;
	if (server) {
		snprintf(svc, sizeof(svc), "tcp/%u", ctx->sport);
		if (dec_emit_str(out, OBS_SRC, "service", svc))
			emitted++;
	}
	return emitted;
}

const struct decoder dec_tls = {
	.name = "tls",
	.match = tls_match,
	.decode = tls_decode,
};
