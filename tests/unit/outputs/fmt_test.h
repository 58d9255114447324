/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the output format tests share: strict CEF and LEEF parsers written from the specifications (not from
 * our renderers), so a rendering is checked by reading it back the way a collector would, and a few checks on
 * lines (one line, valid UTF-8, no control bytes).
 */
#ifndef IOTSENSE_TESTS_FMT_TEST_H
#define IOTSENSE_TESTS_FMT_TEST_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "outputs/fmt_int.h"
#include "testlib.h"

#define PARSED_MAX 64

struct parsed {
	char *hdr[8];	/* CEF: 7 header fields; LEEF: 6 */
	int nhdr;
	int pipes;	/* unescaped '|' in the header */
	char *key[PARSED_MAX], *val[PARSED_MAX];
	size_t vlen[PARSED_MAX];
	int n;
	char *mem;
};

static inline void parsed_free(struct parsed *p)
{
	for (int i = 0; i < p->nhdr; i++)
		free(p->hdr[i]);
	for (int i = 0; i < p->n; i++) {
		free(p->key[i]);
		free(p->val[i]);
	}
	memset(p, 0, sizeof(*p));
}

/* The value of key, or NULL. */
static inline const char *pget(const struct parsed *p, const char *key)
{
	for (int i = 0; i < p->n; i++)
		if (!strcmp(p->key[i], key))
			return p->val[i];
	return NULL;
}

static inline size_t pget_len(const struct parsed *p, const char *key)
{
	for (int i = 0; i < p->n; i++)
		if (!strcmp(p->key[i], key))
			return p->vlen[i];
	return 0;
}

/* CEF's custom slot by its label: cs1Label=deviceType cs1=... -> value of cs1. */
static inline const char *pget_label(const struct parsed *p, const char *label)
{
	char k[64];

	for (int i = 0; i < p->n; i++) {
		size_t kl = strlen(p->key[i]);

		if (kl > 5 && !strcmp(p->key[i] + kl - 5, "Label") && !strcmp(p->val[i], label)) {
			snprintf(k, sizeof(k), "%.*s", (int)(kl - 5), p->key[i]);
			return pget(p, k);
		}
	}
	return NULL;
}

/* Unescapes s[0..n): each "\x" must be one of allowed (x as itself) or, with nl, n/r as newline/CR. */
static inline char *unescape(const char *s, size_t n, const char *allowed, bool nl, size_t *outlen)
{
	char *o = malloc(n + 1);
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\') {
			o[k++] = s[i];
			continue;
		}
		if (++i >= n)
			goto bad;
		if (nl && s[i] == 'n')
			o[k++] = '\n';
		else if (nl && s[i] == 'r')
			o[k++] = '\r';
		else if (strchr(allowed, s[i]))
			o[k++] = s[i];
		else
			goto bad;
	}
	o[k] = 0;
	*outlen = k;
	return o;
bad:
	free(o);
	return NULL;
}

/* Splits header fields at unescaped '|' until nfields fields; returns where the rest starts, or NULL. */
static inline const char *parse_header(const char *s, const char *end, int nfields, struct parsed *p)
{
	const char *f = s;
	size_t l;

	for (const char *c = s; c < end && p->nhdr < nfields; c++) {
		if (*c == '\\') {
			c++;
			continue;
		}
		if (*c != '|')
			continue;
		p->pipes++;
		p->hdr[p->nhdr] = unescape(f, (size_t)(c - f), "\\|", false, &l);
		if (!p->hdr[p->nhdr])
			return NULL;
		p->nhdr++;
		f = c + 1;
	}
	return p->nhdr == nfields ? f : NULL;
}

static inline bool is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/*
 * A CEF line: "CEF:0|" then 6 more header fields, then "key=value" pairs separated by spaces, where a value
 * runs to the space before the next unescaped '='. Returns 0, or -1 when the line is not strict CEF.
 */
static inline int cef_parse(const char *line, size_t len, struct parsed *p)
{
	const char *end = line + len, *s, *v, *eq;
	size_t l;

	memset(p, 0, sizeof(*p));
	if (len < 6 || memcmp(line, "CEF:0|", 6))
		return -1;
	s = parse_header(line, end, 7, p);
	if (!s)
		return -1;
	/* More unescaped pipes in the header would have made more fields: the count is exact. */
	while (s < end && p->n < PARSED_MAX) {
		const char *k = s;

		while (s < end && is_key_char(*s))
			s++;
		if (s == k || s >= end || *s != '=')
			return -1;
		v = ++s;
		/* The next unescaped '=' belongs to the next key. */
		for (eq = v; eq < end; eq++) {
			if (*eq == '\\') {
				eq++;
				continue;
			}
			if (*eq == '=')
				break;
		}
		if (eq < end) {
			const char *sp = eq;

			while (sp > v && *sp != ' ')
				sp--;
			if (sp <= v && *sp != ' ')
				return -1;
			s = sp;
		} else {
			s = end;
		}
		p->key[p->n] = strndup(k, (size_t)(v - 1 - k));
		p->val[p->n] = unescape(v, (size_t)(s - v), "\\=", true, &l);
		if (!p->val[p->n]) {
			free(p->key[p->n]);
			return -1;
		}
		p->vlen[p->n++] = l;
		if (s < end)
			s++; /* the space */
	}
	return s == end ? 0 : -1;
}

/* A LEEF 2.0 line with delimiter '^': 6 header fields ("LEEF:2.0" .. "^"), then key=value^key=value. */
static inline int leef_parse(const char *line, size_t len, struct parsed *p)
{
	const char *end = line + len, *s;
	size_t l;

	memset(p, 0, sizeof(*p));
	if (len < 9 || memcmp(line, "LEEF:2.0|", 9))
		return -1;
	s = parse_header(line, end, 6, p);
	if (!s || strcmp(p->hdr[5], "^"))
		return -1;
	while (s < end && p->n < PARSED_MAX) {
		const char *a = s, *eq = NULL;

		for (; s < end && *s != '^'; s++) {
			if (*s == '\\') {
				s++;
				continue;
			}
			if (*s == '=' && !eq)
				eq = s;
			else if (*s == '=')
				return -1; /* a second unescaped '=' */
		}
		if (s > end || !eq || eq == a)
			return -1;
		p->key[p->n] = strndup(a, (size_t)(eq - a));
		p->val[p->n] = unescape(eq + 1, (size_t)(s - eq - 1), "\\=^", false, &l);
		if (!p->val[p->n]) {
			free(p->key[p->n]);
			return -1;
		}
		p->vlen[p->n++] = l;
		if (s < end)
			s++;
	}
	return s == end ? 0 : -1;
}

/* Valid UTF-8 with no control characters (C0, DEL, C1) but those listed in allow. */
static inline bool clean_text(const char *s, size_t n, const char *allow)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
		uint32_t cp;

		if (!len || i + len > n)
			return false;
		cp = len == 1 ? c : len == 2 ? (c & 0x1fu) : len == 3 ? (c & 0x0fu) : (c & 0x07u);
		for (size_t k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		if ((cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) && !(cp && strchr(allow, (int)cp)))
			return false;
		i += len;
	}
	return true;
}

/* One line: no CR, LF or NUL anywhere, valid UTF-8, no controls. */
static inline bool one_clean_line(const struct fmt_buf *b)
{
	return b->p && strlen(b->p) == b->len && !memchr(b->p, '\n', b->len) && clean_text(b->p, b->len, "");
}

static const struct fmt_ctx test_ctx __attribute__((unused)) = { .sensor = "gw-01", .site = "plant-a", .zone = "cell-3" };

/* Renders one record; the buffer is the caller's to free. */
static inline struct fmt_buf render(enum out_format f, const json_t *rec, const struct fmt_ctx *c)
{
	struct fmt_buf b = { 0 };

	CHECK_EQ_INT(fmt_render(f, rec, "00112233445566778899aabbccddeeff", c ? c : &test_ctx, &b), 0);
	return b;
}

static inline json_t *load(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, JSON_ALLOW_NUL, &e);

	if (!j)
		printf("  test record does not parse: %s (line %d col %d)\n", e.text, e.line, e.column);
	return j;
}

/* Canonical records as `iotsense replay` writes them (ndpi-telnet.pcap), and the two kinds to come. */
static const char rec_alert[] __attribute__((unused)) =
	"{\"record\":\"alert\",\"class_uid\":2004,\"category_uid\":2,\"activity_id\":1,\"type_uid\":200401,"
	"\"time\":\"1999-11-28T02:12:40.964875Z\",\"severity\":\"medium\",\"severity_id\":3,\"finding\":{\"uid\":"
	"\"59de99445de5e248\",\"title\":\"Credentials sent in clear text\",\"types\":[\"cleartext_credentials\"],"
	"\"desc\":\"192.168.0.2 sent credentials in clear text to 192.168.0.1:23 (Telnet login)\"},\"attacks\":[{"
	"\"technique\":{\"uid\":\"T1552\",\"name\":\"Unsecured Credentials\"}},{\"technique\":{\"uid\":\"T1040\","
	"\"name\":\"Network Sniffing\"}}],\"device\":{\"id\":\"ip:192.168.0.2\",\"ip\":\"192.168.0.2\",\"mac\":"
	"\"00:a0:cc:3b:bf:fa\"},\"detail\":\"Telnet to 192.168.0.1:23\",\"evidence\":[{\"key\":"
	"\"telnet_password_prompt\",\"value\":\"Telnet login\",\"flow\":\"tcp 192.168.0.1:23 -> 192.168.0.2:1550\","
	"\"time\":\"1999-11-28T02:12:40.964875Z\"}],\"first_seen\":\"1999-11-28T02:12:40.964875Z\",\"last_seen\":"
	"\"1999-11-28T02:12:40.964875Z\",\"count\":1,\"rule\":\"builtin:cleartext_credentials\"}";

static const char rec_device[] __attribute__((unused)) =
	"{\"record\":\"device\",\"class_uid\":5001,\"time\":\"2020-08-13T13:56:21.598419Z\",\"device\":{\"id\":"
	"\"mac:00:00:00:bb:1c:de\",\"mac\":\"00:00:00:bb:1c:de\",\"ips\":[\"250.58.112.87\"],\"first_seen\":"
	"\"2020-08-13T13:56:16.979244Z\",\"last_seen\":\"2020-08-13T13:56:21.598419Z\",\"type\":\"router\",\"vendor\":"
	"\"Cisco\",\"model\":null,\"os\":\"IOS\",\"firmware\":null,\"classification\":{},\"recommendations\":[{\"id\":"
	"\"IOTS-REC-0009\",\"title\":\"Do not expose device management or UPnP outside the site\",\"severity\":"
	"\"high\",\"category\":\"exposure\"}],\"cpe\":null,\"vulnerabilities\":[],\"exposure\":\"high\","
	"\"contained\":false,\"risk\":\"low\",\"hostnames\":[\"R1.lab.local\"],\"services\":[\"udp/161\"],"
	"\"protocols\":[\"SNMP\"],\"attributes\":{\"snmp_v3_username\":[\"NOAUTHNOPRIV\"]},\"evidence\":[]}}";

static const char rec_vuln[] __attribute__((unused)) =
	"{\"record\":\"vulnerability\",\"class_uid\":2002,\"time\":\"2024-03-01T10:00:00Z\",\"severity\":\"critical\","
	"\"severity_id\":5,\"device\":{\"id\":\"mac:00:11:22:33:44:55\",\"uid\":\"mac:00:11:22:33:44:55\",\"ip\":"
	"\"198.18.0.7\",\"mac\":\"00:11:22:33:44:55\",\"type\":\"camera\",\"vendor\":\"Hikvision\",\"model\":"
	"\"DS-2CD2042WD\"},\"vulnerability\":{\"cve\":\"CVE-2021-36260\",\"cvss\":9.8,\"severity\":\"critical\","
	"\"kev\":true,\"source\":\"nvd\",\"affected\":\"firmware < 5.5.800\"}}";

static const char rec_recommendation[] __attribute__((unused)) =
	"{\"record\":\"recommendation\",\"class_uid\":2004,\"time\":\"2022-02-01T08:09:07.966305Z\",\"device\":{"
	"\"id\":\"mac:00:01:00:00:00:08\",\"ip\":\"10.231.2.134\",\"mac\":\"00:01:00:00:00:08\",\"vendor\":"
	"\"EQUIP'TRANS\"},\"recommendation\":{\"id\":\"IOTS-REC-0003\",\"title\":\"Remove insecure administration "
	"protocols SNMP v1 and SNMP v2\",\"severity\":\"high\",\"category\":\"insecure_protocol\",\"remediation\":"
	"\"Disable v1/v2c and use SNMPv3 with authPriv.\",\"proof\":[{\"key\":\"snmp_answered_version\",\"value\":"
	"\"2c\",\"flow\":\"udp 10.231.2.134:161 -> 10.72.247.4:61088\"},{\"key\":\"snmp_answered_community\","
	"\"value\":\"adsl\"}]}}";

#endif
