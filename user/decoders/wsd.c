// SPDX-License-Identifier: GPL-2.0-only
/*
 * WS-Discovery (OASIS WS-Discovery 1.1 and the 2005/04 draft Windows uses), UDP 3702: SOAP envelopes. Probe and
 * Resolve come from a client looking for devices; Hello, Bye, ProbeMatches and ResolveMatches come from the
 * device itself and describe it. No XML parser: a bounded scan for start tags by local name (any namespace
 * prefix), taking the text up to the next '<'. Entities are left as they are.
 *
 * Keys (subject OBS_SRC):
 *   app_protocol   "WSD"
 *   wsd_action     last path segment of the WS-Addressing Action ("Probe", "Hello", "ProbeMatches", ...)
 *   wsd_types      one QName of <Types> in a message describing the sender ("wsdp:Device")
 *   wsd_xaddrs     one transport address (URL) of <XAddrs> in such a message
 *   wsd_endpoint   the sender's endpoint reference address ("urn:uuid:...") in such a message
 *   wsd_probe_types  one QName a Probe searches for
 */
#include <netinet/in.h>
#include <string.h>

#include "decoder.h"

#define WSD_PORT 3702

struct span {
	const uint8_t *p;
	size_t n;
};

/* Finds the first start tag with this local name at or after *off; sets *text to its content up to '<'. */
static bool xml_text(const uint8_t *p, size_t n, size_t *off, const char *local, struct span *text)
{
	size_t ll = strlen(local);

	for (size_t i = *off; i < n; i++) {
		size_t name, end, gt;

		if (p[i] != '<' || i + 1 >= n || p[i + 1] == '/' || p[i + 1] == '?' || p[i + 1] == '!')
			continue;
		/* The tag name runs to a blank, '/' or '>'; the local name is what follows the last ':'. */
		name = i + 1;
		for (end = name; end < n && p[end] != ' ' && p[end] != '\t' && p[end] != '\r' && p[end] != '\n' &&
				 p[end] != '/' && p[end] != '>';
		     end++)
			if (p[end] == ':')
				name = end + 1;
		if (end - name != ll || memcmp(p + name, local, ll) != 0)
			continue;
		for (gt = end; gt < n && p[gt] != '>'; gt++)
			;
		if (gt >= n || p[gt - 1] == '/') /* cut, or an empty element <x/> */
			return false;
		text->p = p + gt + 1;
		for (text->n = 0; gt + 1 + text->n < n && text->p[text->n] != '<'; text->n++)
			;
		*off = gt + 1 + text->n;
		return true;
	}
	return false;
}

static bool is_blank(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Emits each blank-separated item of a list element (Types, XAddrs) as its own observation. */
static int emit_list(struct dec_out *out, const char *key, struct span s)
{
	size_t i = 0, start;
	int c = 0;

	while (i < s.n) {
		while (i < s.n && is_blank(s.p[i]))
			i++;
		start = i;
		while (i < s.n && !is_blank(s.p[i]))
			i++;
		if (i > start && dec_emit(out, OBS_SRC, key, (const char *)s.p + start, i - start, 90))
			c++;
	}
	return c;
}

/* Messages a device sends about itself. */
static bool describes_sender(struct span action)
{
	static const char *const own[] = { "Hello", "Bye", "ProbeMatches", "ResolveMatches" };

	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (action.n == strlen(own[i]) && memcmp(action.p, own[i], action.n) == 0)
			return true;
	return false;
}

static bool looks_like_xml(const uint8_t *p, size_t n)
{
	size_t i = 0;

	if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) /* UTF-8 byte order mark */
		i = 3;
	while (i < n && is_blank(p[i]))
		i++;
	return i < n && p[i] == '<';
}

static bool wsd_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	return ctx->l4_proto == IPPROTO_UDP && dec_port_is(ctx, WSD_PORT) && looks_like_xml(p, n);
}

static int wsd_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	struct span action = { 0 }, t;
	size_t off = 0, body;
	int c = 0;

	(void)ctx;
	if (!looks_like_xml(p, n) || !xml_text(p, n, &off, "Envelope", &t))
		return -1;
	if (dec_emit_str(out, OBS_SRC, "app_protocol", "WSD"))
		c++;
	off = 0;
	if (xml_text(p, n, &off, "Action", &t)) {
		/* "http://schemas.xmlsoap.org/ws/2005/04/discovery/Hello" -> "Hello" */
		action = t;
		for (size_t i = 0; i < t.n; i++)
			if (t.p[i] == '/')
				action = (struct span){ t.p + i + 1, t.n - i - 1 };
		if (dec_emit(out, OBS_SRC, "wsd_action", (const char *)action.p, action.n, 90))
			c++;
	}
	/* Header elements (MessageID, RelatesTo) come first; look for the descriptive ones in the Body. */
	body = 0;
	if (!xml_text(p, n, &body, "Body", &t))
		return c;
	if (describes_sender(action)) {
		off = body;
		if (xml_text(p, n, &off, "Address", &t) &&
		    dec_emit(out, OBS_SRC, "wsd_endpoint", (const char *)t.p, t.n, 90))
			c++;
		off = body;
		if (xml_text(p, n, &off, "Types", &t))
			c += emit_list(out, "wsd_types", t);
		off = body;
		if (xml_text(p, n, &off, "XAddrs", &t))
			c += emit_list(out, "wsd_xaddrs", t);
	} else if (action.n == 5 && memcmp(action.p, "Probe", 5) == 0) {
		off = body;
		if (xml_text(p, n, &off, "Types", &t))
			c += emit_list(out, "wsd_probe_types", t);
	}
	return c;
}

const struct decoder dec_wsd = {
	.name = "wsd",
	.match = wsd_match,
	.decode = wsd_decode,
};
