// SPDX-License-Identifier: GPL-2.0-only
/*
 * IPP (RFC 8010/8011) over HTTP on TCP 631. The IPP message is the HTTP body: the decoder skips the HTTP
 * header to its blank line (reading one chunk when the body is chunked), or takes the segment as IPP when it
 * starts with an IPP header itself (the body sent in a segment of its own). IPP message: version (2 bytes),
 * operation-id (request) or status-code (response), request-id (4), then attribute groups: a delimiter tag
 * (< 0x10; 0x03 ends them) or an attribute: value tag, u16 name length, name, u16 value length, value; an
 * empty name adds a value to the previous attribute.
 *
 * Request (HTTP request line, or a bare IPP message from the client):
 *   About the client (OBS_SRC): ipp_operation ("Get-Printer-Attributes", "Print-Job", ...),
 *   app_protocol "IPP". About the printer (OBS_DST): ipp_printer_uri, app_protocol "IPP".
 * Response (HTTP status line, or a bare IPP message from the server), about the printer (OBS_SRC):
 *   ipp_make_and_model (printer-make-and-model), ipp_firmware (printer-firmware-string-version),
 *   ipp_device_id (printer-device-id, IEEE 1284), ipp_manufacturer and ipp_model (its MFG/MANUFACTURER and
 *   MDL/MODEL fields), ipp_printer_info, ipp_location, ipp_printer_name, ipp_uuid, ipp_dns_sd_name,
 *   ipp_versions (ipp-versions-supported), app_protocol "IPP", service "tcp/<port>".
 * Multi-valued attributes are ','-joined. Only this segment is seen: attributes past a cut are lost.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "bb_util.h"
#include "decoder.h"

#define IPP_PORT 631
#define IPP_HTTP_HEADER_MAX 8192
#define IPP_ATTRS_MAX 512
#define IPP_TAG_END 0x03
#define IPP_TAG_TEXT_LANG 0x35
#define IPP_TAG_NAME_LANG 0x36

struct ipp_op {
	uint16_t id;
	const char *name;
};

/* RFC 8011 5.4.15, RFC 3995, PWG 5100.13, and CUPS' own operations. */
static const struct ipp_op ipp_ops[] = {
	{ 0x0002, "Print-Job" },
	{ 0x0003, "Print-URI" },
	{ 0x0004, "Validate-Job" },
	{ 0x0005, "Create-Job" },
	{ 0x0006, "Send-Document" },
	{ 0x0007, "Send-URI" },
	{ 0x0008, "Cancel-Job" },
	{ 0x0009, "Get-Job-Attributes" },
	{ 0x000a, "Get-Jobs" },
	{ 0x000b, "Get-Printer-Attributes" },
	{ 0x000c, "Hold-Job" },
	{ 0x000d, "Release-Job" },
	{ 0x000e, "Restart-Job" },
	{ 0x0010, "Pause-Printer" },
	{ 0x0011, "Resume-Printer" },
	{ 0x0012, "Purge-Jobs" },
	{ 0x0013, "Set-Printer-Attributes" },
	{ 0x0014, "Set-Job-Attributes" },
	{ 0x0015, "Get-Printer-Supported-Values" },
	{ 0x0016, "Create-Printer-Subscriptions" },
	{ 0x0017, "Create-Job-Subscriptions" },
	{ 0x0018, "Get-Subscription-Attributes" },
	{ 0x0019, "Get-Subscriptions" },
	{ 0x001a, "Renew-Subscription" },
	{ 0x001b, "Cancel-Subscription" },
	{ 0x001c, "Get-Notifications" },
	{ 0x003b, "Close-Job" },
	{ 0x003c, "Identify-Printer" },
	{ 0x003d, "Validate-Document" },
	{ 0x4001, "CUPS-Get-Default" },
	{ 0x4002, "CUPS-Get-Printers" },
	{ 0x4003, "CUPS-Add-Modify-Printer" },
	{ 0x4004, "CUPS-Delete-Printer" },
	{ 0x4005, "CUPS-Get-Classes" },
	{ 0x4008, "CUPS-Accept-Jobs" },
	{ 0x4009, "CUPS-Reject-Jobs" },
	{ 0x400b, "CUPS-Get-Devices" },
	{ 0x400c, "CUPS-Get-PPDs" },
	{ 0x400d, "CUPS-Move-Job" },
	{ 0x400e, "CUPS-Authenticate-Job" },
	{ 0x400f, "CUPS-Get-PPD" },
};

/* Printer attributes worth an observation, and their keys. */
struct ipp_attr_key {
	const char *attr;
	const char *key;
};

static const struct ipp_attr_key ipp_keys[] = {
	{ "printer-make-and-model", "ipp_make_and_model" },
	{ "printer-firmware-string-version", "ipp_firmware" },
	{ "printer-device-id", "ipp_device_id" },
	{ "printer-info", "ipp_printer_info" },
	{ "printer-location", "ipp_location" },
	{ "printer-name", "ipp_printer_name" },
	{ "printer-uuid", "ipp_uuid" },
	{ "printer-dns-sd-name", "ipp_dns_sd_name" },
	{ "ipp-versions-supported", "ipp_versions" },
	{ "printer-uri", "ipp_printer_uri" }, /* in requests */
};

static bool ipp_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	return ctx->l4_proto == 6 && dec_port_is(ctx, IPP_PORT) && n >= 9;
}

/* A bare IPP header: version 1.0-2.2 and the first group delimiter at byte 8. */
static bool ipp_bare(const uint8_t *p, size_t n)
{
	return n >= 9 && p[0] >= 1 && p[0] <= 2 && p[1] <= 2 && p[8] >= 0x01 && p[8] <= 0x0f &&
	       p[8] != IPP_TAG_END;
}

/* Case-insensitive search for needle in p[0..n). */
static const uint8_t *ipp_find(const uint8_t *p, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; k && i + k <= n; i++)
		if (strncasecmp((const char *)p + i, needle, k) == 0)
			return p + i;
	return NULL;
}

/* Does the HTTP header say "Transfer-Encoding: chunked" (any case, any spacing)? */
static bool ipp_chunked(const uint8_t *p, size_t hlen)
{
	const uint8_t *te = ipp_find(p, hlen, "\ntransfer-encoding:");
	const uint8_t *eol;

	if (!te)
		return false;
	eol = memchr(te + 1, '\n', hlen - (size_t)(te + 1 - p));
	return ipp_find(te, eol ? (size_t)(eol - te) : hlen - (size_t)(te - p), "chunked") != NULL;
}

/* A chunk-size line ("1a3\r\n", maybe with ";ext"): its length and the size in *chunk; 0 if there is none. */
static size_t ipp_chunk_line(const uint8_t *p, size_t n, size_t *chunk)
{
	const uint8_t *end;
	size_t i;

	*chunk = 0;
	for (i = 0; i < n && i < 8; i++) {
		uint8_t c = p[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (d < 0)
			break;
		*chunk = *chunk << 4 | (size_t)d;
	}
	if (!i || i == n || (p[i] != '\r' && p[i] != ';'))
		return 0;
	end = memmem(p + i, n - i < 64 ? n - i : 64, "\r\n", 2);
	return end ? (size_t)(end - p) + 2 : 0;
}

/*
 * The IPP body of an HTTP message at p: sets *body and *len and returns true, or false when the header does
 * not end in this segment. A chunked body yields its first chunk.
 */
static bool ipp_http_body(const uint8_t *p, size_t n, const uint8_t **body, size_t *len)
{
	size_t lim = n < IPP_HTTP_HEADER_MAX ? n : IPP_HTTP_HEADER_MAX;
	const uint8_t *end = memmem(p, lim, "\r\n\r\n", 4);
	size_t hlen, chunk, line;

	if (!end)
		return false;
	hlen = (size_t)(end - p) + 4;
	*body = p + hlen;
	*len = n - hlen;
	if (!ipp_chunked(p, hlen))
		return true;
	line = ipp_chunk_line(*body, *len, &chunk);
	if (!line)
		return false;
	*body += line;
	*len -= line;
	if (chunk < *len)
		*len = chunk;
	return true;
}

/* A value of a text-like tag, without the language prefix of the WithLanguage forms. */
static bool ipp_text(uint8_t tag, const uint8_t *v, size_t len, const uint8_t **text, size_t *tlen)
{
	struct bb_rd r;

	if (tag == IPP_TAG_TEXT_LANG || tag == IPP_TAG_NAME_LANG) {
		bb_rd_init(&r, v, len);
		bb_take(&r, bb_u16(&r));
		*tlen = bb_u16(&r);
		*text = bb_take(&r, *tlen);
		return *text != NULL;
	}
	/* 0x41 text, 0x42 name, 0x44 keyword, 0x45 uri, 0x46 uriScheme, 0x47 charset, 0x48 language, 0x49
	 * mime. */
	if (tag < 0x41 || tag > 0x49 || tag == 0x43)
		return false;
	*text = v;
	*tlen = len;
	return true;
}

/* IEEE 1284 device id "MFG:HP;MDL:LaserJet 400;CMD:...": the value of one field. */
static int ipp_device_id_field(const char *id, const char *const names[2], const char *key,
			       struct dec_out *out)
{
	size_t len = strlen(id);

	for (int i = 0; i < 2; i++) {
		size_t k = strlen(names[i]);

		for (size_t at = 0; at + k < len; at++) {
			const char *v, *semi;

			if ((at && id[at - 1] != ';' && id[at - 1] != ' ') ||
			    strncasecmp(id + at, names[i], k) != 0 || id[at + k] != ':')
				continue;
			v = id + at + k + 1;
			semi = strchr(v, ';');
			if (!dec_emit(out, OBS_SRC, key, v, semi ? (size_t)(semi - v) : strlen(v), 90))
				return 0;
			return 1;
		}
	}
	return 0;
}

/* Emit one gathered attribute. */
static int ipp_flush(int key, struct bb_str *s, bool request, struct dec_out *out)
{
	static const char *const mfg[2] = { "MFG", "MANUFACTURER" };
	static const char *const mdl[2] = { "MDL", "MODEL" };
	const char *k;
	int emitted = 0;

	if (key < 0 || !s->len)
		return 0;
	k = ipp_keys[key].key;
	/* A request names the printer in printer-uri; a response describes the printer itself. */
	if (request != (strcmp(k, "ipp_printer_uri") == 0))
		return 0;
	if (dec_emit(out, request ? OBS_DST : OBS_SRC, k, s->s, s->len, 90))
		emitted++;
	if (strcmp(k, "ipp_device_id") == 0) {
		emitted += ipp_device_id_field(s->s, mfg, "ipp_manufacturer", out);
		emitted += ipp_device_id_field(s->s, mdl, "ipp_model", out);
	}
	return emitted;
}

static int ipp_attributes(struct bb_rd *r, bool request, struct dec_out *out)
{
	char buf[OBS_VALUE_MAX];
	struct bb_str s;
	int key = -1, emitted = 0;

	bb_str_init(&s, buf, sizeof(buf));
	for (int k = 0; k < IPP_ATTRS_MAX && bb_left(r); k++) {
		uint8_t tag = bb_u8(r);
		uint16_t nlen, vlen;
		const uint8_t *name, *val, *text;
		size_t tlen;

		if (tag == IPP_TAG_END)
			break;
		if (tag < 0x10)
			continue; /* the next attribute group */
		nlen = bb_u16(r);
		name = bb_take(r, nlen);
		vlen = bb_u16(r);
		val = bb_take(r, vlen);
		if (r->err)
			break; /* cut by the snapshot: the attribute being read is lost */
		if (nlen) {
			emitted += ipp_flush(key, &s, request, out);
			bb_str_init(&s, buf, sizeof(buf));
			key = -1;
			for (size_t i = 0; i < sizeof(ipp_keys) / sizeof(ipp_keys[0]); i++)
				if (strlen(ipp_keys[i].attr) == nlen &&
				    memcmp(ipp_keys[i].attr, name, nlen) == 0)
					key = (int)i;
		}
		if (key < 0 || !ipp_text(tag, val, vlen, &text, &tlen))
			continue;
		if (s.len)
			bb_str_addc(&s, ',');
		bb_str_add(&s, text, tlen);
	}
	/* The last attribute is whole only if the message went on past it. */
	if (!r->err)
		emitted += ipp_flush(key, &s, request, out);
	return emitted;
}

static int ipp_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	const uint8_t *body;
	size_t len;
	bool request;
	struct bb_rd r;
	uint16_t code;
	int emitted = 0;
	char svc[16];

	if (ctx->l4_proto != 6 || n < 9)
		return 0;
	if (n >= 5 && memcmp(p, "HTTP/", 5) == 0) {
		request = false;
		if (!ipp_http_body(p, n, &body, &len))
			return 0;
	} else if (memcmp(p, "POST ", 5) == 0) {
		request = true;
		if (!ipp_http_body(p, n, &body, &len))
			return 0;
	} else {
		/* The body in a segment of its own, bare or as a chunk. */
		size_t chunk, line = ipp_chunk_line(p, n, &chunk);

		request = ctx->from_initiator;
		body = p + line;
		len = n - line;
		if (line && chunk < len)
			len = chunk;
	}
	/* A GET for the web interface, or a body in the next segment: still IPP's port, nothing to read. */
	if (!ipp_bare(body, len))
		return 0;
	bb_rd_init(&r, body, len);
	bb_take(&r, 2); /* version */
	code = bb_u16(&r);
	bb_take(&r, 4); /* request-id */
	if (request) {
		const char *op = NULL;
		char hex[8];

		for (size_t i = 0; i < sizeof(ipp_ops) / sizeof(ipp_ops[0]); i++)
			if (ipp_ops[i].id == code)
				op = ipp_ops[i].name;
		if (!op) {
			snprintf(hex, sizeof(hex), "0x%04x", code);
			op = hex;
		}
		if (dec_emit_str(out, OBS_SRC, "ipp_operation", op))
			emitted++;
	}
	emitted += ipp_attributes(&r, request, out);
	if (dec_emit_str(out, OBS_SRC, "app_protocol", "IPP"))
		emitted++;
	if (request) {
		if (dec_emit(out, OBS_DST, "app_protocol", "IPP", 3, 80))
			emitted++;
	} else {
		snprintf(svc, sizeof(svc), "tcp/%u", ctx->sport);
		if (dec_emit_str(out, OBS_SRC, "service", svc))
			emitted++;
	}
	return emitted;
}

const struct decoder dec_ipp = {
	.name = "ipp",
	.match = ipp_match,
	.decode = ipp_decode,
};
