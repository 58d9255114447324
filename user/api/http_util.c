// SPDX-License-Identifier: GPL-2.0-only
/* The API's pure helpers; see http_util.h. */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "api/http_util.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int http_url_decode(char *s, bool plus_is_space)
{
	char *w = s;

	for (const char *r = s; *r; r++) {
		if (*r == '%') {
			int hi = hexval((unsigned char)r[1]), lo = hi < 0 ? -1 : hexval((unsigned char)r[2]);

			if (hi < 0 || lo < 0 || (hi | lo) == 0)
				return -1;
			*w++ = (char)(hi << 4 | lo);
			r += 2;
		} else if (*r == '+' && plus_is_space) {
			*w++ = ' ';
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	return (int)(w - s);
}

bool http_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s || strlen(s) > 19)
		return false;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

static int rank_in(const char *s, const char *const *names, int n)
{
	for (int i = 0; s && i < n; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

int http_risk_rank(const char *s)
{
	static const char *const names[] = { "none", "low", "medium", "high", "critical" };

	return rank_in(s, names, 5);
}

int http_severity_id(const char *s)
{
	static const char *const names[] = { "informational", "low", "medium", "high", "critical" };
	int r = rank_in(s, names, 5);

	if (r < 0 && s && !strcmp(s, "info"))
		r = 0;
	return r < 0 ? -1 : r + 1;
}

/* n digits at *p into *v; advances. */
static bool digits(const char **p, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++, (*p)++) {
		if (**p < '0' || **p > '9')
			return false;
		*v = *v * 10 + (**p - '0');
	}
	return true;
}

bool http_rfc3339_normalize(const char *s, char *out, size_t out_size)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	const char *p = s;
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	long usec = 0;
	struct tm tm = {};
	time_t t;

	if (!s || strlen(s) > 64)
		return false;
	if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' || !digits(&p, 2, &d))
		return false;
	if (*p != 'T' && *p != 't')
		return false;
	p++;
	if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi) || *p++ != ':' || !digits(&p, 2, &sec))
		return false;
	if (*p == '.') {
		int n = 0;

		for (p++; *p >= '0' && *p <= '9'; p++, n++)
			if (n < 6)
				usec = usec * 10 + (*p - '0');
		if (!n || n > 9)
			return false;
		for (; n < 6; n++)
			usec *= 10;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (!digits(&p, 2, &oh) || *p++ != ':' || !digits(&p, 2, &om) || oh > 23 || om > 59)
			return false;
	} else {
		return false;
	}
	if (*p || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || sec > 60)
		return false;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec > 59 ? 59 : sec; /* a leap second sorts with the second before it */
	t = timegm(&tm);
	if (t == (time_t)-1)
		return false;
	t -= (time_t)sign * (oh * 3600 + om * 60);
	if (t < 0)
		return false;
	http_fmt_time((uint64_t)t * 1000000000ull + (uint64_t)usec * 1000, out, out_size);
	return true;
}

void http_fmt_time(uint64_t ns, char *out, size_t out_size)
{
	time_t secs = ns / 1000000000ull;
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(out, out_size, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned int)(ns % 1000000000ull / 1000));
}

bool http_ct_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	unsigned char ha[SHA256_DIGEST_LENGTH], hb[SHA256_DIGEST_LENGTH];

	/* Hashing first makes the comparison independent of both lengths and of the common prefix. */
	SHA256(a, alen, ha);
	SHA256(b, blen, hb);
	return CRYPTO_memcmp(ha, hb, sizeof(ha)) == 0;
}

bool http_bearer_ok(const char *authorization, const char *token)
{
	const char *p = authorization;

	if (!token || !*token)
		return true;
	if (!p || strncasecmp(p, "Bearer", 6) || (p[6] != ' ' && p[6] != '\t'))
		return false;
	p += 6;
	while (*p == ' ' || *p == '\t')
		p++;
	return http_ct_equal(p, strlen(p), token, strlen(token));
}

bool http_token_valid(char *tok, char *why, size_t why_size)
{
	size_t n = strlen(tok);

	while (n && (tok[n - 1] == '\n' || tok[n - 1] == '\r'))
		tok[--n] = '\0';
	if (n < 16 || n > 4096) {
		snprintf(why, why_size, "the token has %zu bytes: it needs 16 to 4096 (e.g. 'openssl rand -hex 32')", n);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		if (tok[i] <= ' ' || tok[i] > '~') {
			snprintf(why, why_size,
				 "the token holds a space or a non-printable byte at offset %zu: it travels in an HTTP "
				 "header, use printable ASCII (e.g. 'openssl rand -hex 32')",
				 i);
			return false;
		}
	return true;
}

bool http_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len, char *why, size_t why_size)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon, *port_s;
	uint64_t port;
	size_t hl;

	memset(ss, 0, sizeof(*ss));
	if (!s || !*s)
		goto bad;
	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end || end[1] != ':')
			goto bad;
		hl = (size_t)(end - s - 1);
		if (hl >= sizeof(host))
			goto bad;
		memcpy(host, s + 1, hl);
		host[hl] = '\0';
		port_s = end + 2;
	} else {
		colon = strrchr(s, ':');
		if (!colon || memchr(s, ':', (size_t)(colon - s)))
			goto bad;
		hl = (size_t)(colon - s);
		if (hl >= sizeof(host))
			goto bad;
		memcpy(host, s, hl);
		host[hl] = '\0';
		port_s = colon + 1;
	}
	if (!http_parse_uint(port_s, 1, 65535, &port)) {
		snprintf(why, why_size, "listen address '%s': the port must be 1..65535", s);
		return false;
	}
	if (s[0] == '[') {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1)
			goto bad;
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a6);
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)ss;

		if (!strcasecmp(host, "localhost"))
			strcpy(host, "127.0.0.1");
		if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
			goto bad;
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		*len = sizeof(*a4);
	}
	return true;
bad:
	snprintf(why, why_size,
		 "listen address '%s': use IPV4:PORT, [IPV6]:PORT or localhost:PORT (e.g. 127.0.0.1:8080, [::1]:8080)",
		 s ? s : "");
	return false;
}

bool http_addr_is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		if (IN6_IS_ADDR_LOOPBACK(a))
			return true;
		return IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127;
	}
	return false;
}

/* host[:port] or [v6][:port] without the port, into buf. false when malformed. */
static bool host_only(const char *h, size_t n, char *buf, size_t size)
{
	const char *end = h + n, *colon;

	if (n && h[0] == '[') {
		const char *rb = memchr(h, ']', n);

		if (!rb || (rb + 1 != end && rb[1] != ':'))
			return false;
		h++;
		n = (size_t)(rb - h);
	} else if ((colon = memchr(h, ':', n))) {
		n = (size_t)(colon - h);
		if (memchr(colon + 1, ':', (size_t)(end - colon - 1)))
			return false;
	}
	if (!n || n >= size)
		return false;
	memcpy(buf, h, n);
	buf[n] = '\0';
	return true;
}

bool http_host_is_loopback(const char *host)
{
	char h[INET6_ADDRSTRLEN + 1];
	struct in_addr a4;
	struct in6_addr a6;

	if (!host || !host_only(host, strlen(host), h, sizeof(h)))
		return false;
	if (!strcasecmp(h, "localhost"))
		return true;
	if (inet_pton(AF_INET, h, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (host[0] == '[' && inet_pton(AF_INET6, h, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return false;
}

bool http_origin_matches_host(const char *origin, const char *host)
{
	const char *p;

	if (!origin || !host)
		return false;
	if (!strncasecmp(origin, "http://", 7))
		p = origin + 7;
	else if (!strncasecmp(origin, "https://", 8))
		p = origin + 8;
	else
		return false;
	return !strcasecmp(p, host);
}

char *http_error_json(int status, const char *message)
{
	json_t *o = json_pack("{s:{s:i,s:s}}", "error", "status", status, "message", message ? message : "");
	char *s;

	if (!o) /* a message that is not UTF-8: say so rather than nothing */
		o = json_pack("{s:{s:i,s:s}}", "error", "status", status, "message", "(unprintable message)");
	if (!o)
		return NULL;
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}
