// SPDX-License-Identifier: GPL-2.0-only
/*
 * SSDP (UPnP Device Architecture 1.1, section 1), UDP 1900: HTTP-style text over UDP. Three messages:
 *   NOTIFY * HTTP/1.1     a device announcing itself (NT = a type it offers)
 *   M-SEARCH * HTTP/1.1   a control point searching (ST = the type it looks for)
 *   HTTP/1.1 200 OK       a device answering a search, unicast (ST = a type it offers)
 * Header names compare case-insensitively; lines end in CRLF or LF; the headers end at the first blank line.
 *
 * Keys (subject OBS_SRC, the sender, in every case):
 *   app_protocol     "SSDP"
 *   ssdp_method      "NOTIFY", "M-SEARCH" or "RESPONSE"
 *   ssdp_server      SERVER (OS, UPnP version, product)
 *   ssdp_user_agent  USER-AGENT or X-USER-AGENT of a search
 *   ssdp_location    LOCATION (URL of the device description)
 *   ssdp_usn         USN
 *   ssdp_uuid        the uuid of the USN ("uuid:<this>::urn:...")
 *   ssdp_nt          a type the device offers: NT of a NOTIFY, ST of a response
 *   ssdp_st          the search target of an M-SEARCH
 *   ssdp_nts         NTS of a NOTIFY ("ssdp:alive", "ssdp:byebye")
 */
#include <netinet/in.h>
#include <string.h>

#include "decoder.h"

#define SSDP_PORT 1900

enum ssdp_kind { SSDP_NONE, SSDP_NOTIFY, SSDP_SEARCH, SSDP_RESPONSE };

static char lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : (char)c;
}

/* p[0..n) starts with lit, ASCII case-insensitive (lit in lower case). */
static bool prefix_ci(const uint8_t *p, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	if (n < l)
		return false;
	for (size_t i = 0; i < l; i++)
		if (lower(p[i]) != lit[i])
			return false;
	return true;
}

static bool eq_ci(const uint8_t *p, size_t n, const char *lit)
{
	return n == strlen(lit) && prefix_ci(p, n, lit);
}

static enum ssdp_kind ssdp_kind(const uint8_t *p, size_t n)
{
	if (prefix_ci(p, n, "notify * "))
		return SSDP_NOTIFY;
	if (prefix_ci(p, n, "m-search * "))
		return SSDP_SEARCH;
	/* A search response: "HTTP/1.1 200 OK" (some stacks send HTTP/1.0). */
	if (prefix_ci(p, n, "http/1.") && n >= 12 && memcmp(p + 8, " 200", 4) == 0)
		return SSDP_RESPONSE;
	return SSDP_NONE;
}

static bool ssdp_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	return ctx->l4_proto == IPPROTO_UDP && dec_port_is(ctx, SSDP_PORT) && ssdp_kind(p, n) != SSDP_NONE;
}

/* The key for header name h[0..hn) in a message of this kind, or NULL when the header is of no interest. */
static const char *header_key(const uint8_t *h, size_t hn, enum ssdp_kind kind)
{
	if (eq_ci(h, hn, "server"))
		return "ssdp_server";
	if (eq_ci(h, hn, "user-agent") || eq_ci(h, hn, "x-user-agent"))
		return "ssdp_user_agent";
	if (eq_ci(h, hn, "location"))
		return "ssdp_location";
	if (eq_ci(h, hn, "usn"))
		return "ssdp_usn";
	if (eq_ci(h, hn, "nts"))
		return "ssdp_nts";
	if (eq_ci(h, hn, "nt"))
		return "ssdp_nt";
	if (eq_ci(h, hn, "st"))
		return kind == SSDP_SEARCH ? "ssdp_st" : "ssdp_nt";
	return NULL;
}

/* "uuid:<id>" up to "::" or the end. */
static int emit_uuid(struct dec_out *out, const uint8_t *v, size_t n)
{
	size_t i;

	if (!prefix_ci(v, n, "uuid:"))
		return 0;
	for (i = 5; i < n && !(v[i] == ':' && i + 1 < n && v[i + 1] == ':'); i++)
		;
	return dec_emit(out, OBS_SRC, "ssdp_uuid", (const char *)v + 5, i - 5, 90) ? 1 : 0;
}

static int ssdp_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	static const char *const methods[] = { "", "NOTIFY", "M-SEARCH", "RESPONSE" };
	enum ssdp_kind kind = ssdp_kind(p, n);
	bool first = true;
	size_t off = 0;
	int c = 0;

	(void)ctx;
	if (kind == SSDP_NONE)
		return -1;
	if (dec_emit_str(out, OBS_SRC, "app_protocol", "SSDP"))
		c++;
	if (dec_emit_str(out, OBS_SRC, "ssdp_method", methods[kind]))
		c++;
	while (off < n) {
		size_t start = off, end, colon, vs, ve;
		const char *key;

		while (off < n && p[off] != '\n')
			off++;
		end = off;
		if (off < n)
			off++; /* past the LF */
		if (end > start && p[end - 1] == '\r')
			end--;
		if (first) { /* the request or status line */
			first = false;
			continue;
		}
		if (end == start) /* the blank line ends the headers */
			break;
		for (colon = start; colon < end && p[colon] != ':'; colon++)
			;
		if (colon == end)
			continue;
		/* Blanks before the colon are tolerated: "ST :" is seen in the wild. */
		ve = colon;
		while (ve > start && (p[ve - 1] == ' ' || p[ve - 1] == '\t'))
			ve--;
		key = header_key(p + start, ve - start, kind);
		if (!key)
			continue;
		for (vs = colon + 1; vs < end && (p[vs] == ' ' || p[vs] == '\t'); vs++)
			;
		if (dec_emit(out, OBS_SRC, key, (const char *)p + vs, end - vs, 90))
			c++;
		if (strcmp(key, "ssdp_usn") == 0)
			c += emit_uuid(out, p + vs, end - vs);
	}
	return c;
}

const struct decoder dec_ssdp = {
	.name = "ssdp",
	.match = ssdp_match,
	.decode = ssdp_decode,
};
