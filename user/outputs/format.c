// SPDX-License-Identifier: GPL-2.0-only
/*
 * What every rendering shares: the output buffer, the escaping core (one pass over the text that decodes
 * UTF-8, replaces what is invalid, neutralises controls and escapes per format, within a byte budget), the
 * record readers, severities, record and device ids, and the dispatch.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>

#include "lib/utf8.h"
#include "outputs/fmt_int.h"

static const char *const format_names[] = {
	[OUT_FMT_JSON] = "json",	     [OUT_FMT_CEF] = "cef",
	[OUT_FMT_LEEF] = "leef",	     [OUT_FMT_SPLUNK_HEC] = "splunk-hec",
	[OUT_FMT_ELASTIC_BULK] = "elastic-bulk",
};

bool out_format_parse(const char *name, enum out_format *f)
{
	for (size_t i = 0; name && i < sizeof(format_names) / sizeof(format_names[0]); i++) {
		if (!strcmp(name, format_names[i])) {
			*f = (enum out_format)i;
			return true;
		}
	}
	return false;
}

const char *out_format_name(enum out_format f)
{
	if ((size_t)f < sizeof(format_names) / sizeof(format_names[0]))
		return format_names[f];
	return "unknown";
}

/* Room for n more bytes and a NUL; false (and oom) when it cannot grow. */
static bool reserve(struct fmt_buf *b, size_t n)
{
	size_t cap;
	char *p;

	if (b->oom)
		return false;
	if (b->len + n + 1 <= b->cap)
		return true;
	if (n > SIZE_MAX / 2 - b->len) {
		b->oom = true;
		return false;
	}
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + n + 1)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void fmt_buf_put(struct fmt_buf *b, const void *s, size_t n)
{
	if (!reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

void fmt_puts(struct fmt_buf *b, const char *s)
{
	fmt_buf_put(b, s, strlen(s));
}

void fmt_printf(struct fmt_buf *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	/* Only short numbers and times go through here; a longer result is a bug, not a case to handle. */
	if (n > 0)
		fmt_buf_put(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

void fmt_buf_free(struct fmt_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void fmt_buf_reset(struct fmt_buf *b)
{
	b->len = 0;
	b->oom = false;
	if (b->p)
		b->p[0] = 0;
}

static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */

/*
 * The escaped form of one code point (raw its UTF-8 bytes) in out; returns its length, or 0 when the code
 * point goes out as is.
 */
static size_t escape_cp(uint32_t cp, enum fmt_esc e, char out[8])
{
	bool ctl = cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f);

	if (e == FMT_ESC_JSON) {
		switch (cp) {
		case '"': return (size_t)snprintf(out, 8, "\\\"");
		case '\\': return (size_t)snprintf(out, 8, "\\\\");
		case '\n': return (size_t)snprintf(out, 8, "\\n");
		case '\r': return (size_t)snprintf(out, 8, "\\r");
		case '\t': return (size_t)snprintf(out, 8, "\\t");
		case '\b': return (size_t)snprintf(out, 8, "\\b");
		case '\f': return (size_t)snprintf(out, 8, "\\f");
		}
		/* U+2028/9 end a line in JavaScript: escaped, so the line is safe in a browser too. */
		if (ctl || cp == 0x2028 || cp == 0x2029)
			return (size_t)snprintf(out, 8, "\\u%04x", (unsigned int)cp);
		return 0;
	}
	if (e == FMT_ESC_SD_VALUE && (cp == '"' || cp == ']')) {
		out[0] = '\\';
		out[1] = (char)cp;
		return 2;
	}
	if (cp == '\\' && e != FMT_ESC_LINE) {
		memcpy(out, "\\\\", 2);
		return 2;
	}
	if (e == FMT_ESC_CEF_VALUE && (cp == '\n' || cp == '\r')) {
		out[0] = '\\';
		out[1] = cp == '\n' ? 'n' : 'r';
		return 2;
	}
	if (cp == '\n' || cp == '\r' || cp == '\t' || cp == 0x2028 || cp == 0x2029) {
		out[0] = ' ';
		return 1;
	}
	if (ctl) {
		memcpy(out, replacement, 3);
		return 3;
	}
	if ((e == FMT_ESC_CEF_HEADER && cp == '|') || ((e == FMT_ESC_CEF_VALUE || e == FMT_ESC_LEEF_VALUE) && cp == '=') ||
	    (e == FMT_ESC_LEEF_VALUE && cp == '^')) {
		out[0] = '\\';
		out[1] = (char)cp;
		return 2;
	}
	return 0;
}

size_t fmt_put_text(struct fmt_buf *b, const char *s, size_t n, size_t max, enum fmt_esc e)
{
	size_t consumed;

	return fmt_put_text_n(b, s, n, max, e, &consumed);
}

size_t fmt_put_text_n(struct fmt_buf *b, const char *s, size_t n, size_t max, enum fmt_esc e, size_t *consumed)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, start = b->len, worst;
	char esc[8];

	*consumed = 0;
	if (!n)
		return 0;
	/* At most 6 output bytes per input byte (a control byte as \u00XX): reserve once, then write in place. */
	worst = n > max / 6 ? max : n * 6;
	if (!reserve(b, worst))
		return 0;
	while (i < n) {
		uint32_t cp = 0;
		size_t len = utf8_decode(p + i, n - i, &cp), elen;
		const char *piece;

		if (!len) {
			piece = replacement;
			elen = 3;
			len = 1;
		} else {
			elen = escape_cp(cp, e, esc);
			piece = elen ? esc : s + i;
			if (!elen)
				elen = len;
		}
		if (b->len - start + elen > max)
			break;
		memcpy(b->p + b->len, piece, elen);
		b->len += elen;
		i += len;
	}
	*consumed = i;
	b->p[b->len] = 0;
	return b->len - start;
}

const json_t *fmt_get(const json_t *obj, const char *path)
{
	const json_t *v = obj;
	const char *p = path;

	while (v && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);

		if (json_is_array(v) && n && isdigit((unsigned char)*p))
			v = json_array_get(v, strtoul(p, NULL, 10));
		else if (json_is_object(v))
			v = json_object_getn(v, p, n);
		else
			return NULL;
		p += n + (dot ? 1 : 0);
	}
	return v;
}

bool fmt_get_str(const json_t *obj, const char *path, const char **s, size_t *n)
{
	const json_t *v = fmt_get(obj, path);

	if (!json_is_string(v) || !json_string_length(v))
		return false;
	*s = json_string_value(v);
	*n = json_string_length(v);
	return true;
}

static bool digits(const char *s, size_t n, int *out)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

bool fmt_parse_time(const char *s, size_t n, int64_t *us)
{
	int y, mo, d, h, mi, sec, frac = 0, oh = 0, om = 0;
	size_t i = 19, fd = 0;
	struct tm tm = { 0 };
	int64_t t;

	if (n < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' ||
	    s[16] != ':')
		return false;
	if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) || !digits(s + 11, 2, &h) ||
	    !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &sec))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return false;
	if (s[i] == '.') {
		for (i++; i < n && isdigit((unsigned char)s[i]); i++, fd++)
			if (fd < 6)
				frac = frac * 10 + (s[i] - '0');
		if (!fd)
			return false;
		for (; fd < 6; fd++)
			frac *= 10;
	}
	if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i + 6 == n && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':' && digits(s + i + 1, 2, &oh) &&
		   digits(s + i + 4, 2, &om)) {
		if (s[i] == '-') {
			oh = -oh;
			om = -om;
		}
		i += 6;
	} else {
		return false;
	}
	if (i != n)
		return false;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = (int64_t)timegm(&tm) - (int64_t)oh * 3600 - (int64_t)om * 60;
	*us = t * 1000000 + frac;
	return true;
}

bool fmt_record_time(const json_t *rec, int64_t *us)
{
	const char *s;
	size_t n;

	return fmt_get_str(rec, "time", &s, &n) && fmt_parse_time(s, n, us);
}

enum fmt_kind fmt_kind_of(const json_t *rec)
{
	static const struct {
		const char *name;
		enum fmt_kind kind;
	} kinds[] = {
		{ "device", FMT_REC_DEVICE },
		{ "alert", FMT_REC_ALERT },
		{ "vulnerability", FMT_REC_VULNERABILITY },
		{ "recommendation", FMT_REC_RECOMMENDATION },
	};
	const char *s;
	size_t n;

	if (!fmt_get_str(rec, "record", &s, &n))
		return FMT_REC_OTHER;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (n == strlen(kinds[i].name) && !memcmp(s, kinds[i].name, n))
			return kinds[i].kind;
	return FMT_REC_OTHER;
}

static int severity_named(const json_t *v)
{
	/* OCSF names, and "none" for a device profile without risk. */
	static const char *const names[] = { "unknown", "informational", "low", "medium", "high", "critical", "fatal" };
	const char *s = json_string_value(v);

	if (!s)
		return -1;
	if (!strcasecmp(s, "none") || !strcasecmp(s, "info"))
		return 1;
	for (int i = 0; i < 7; i++)
		if (!strcasecmp(s, names[i]))
			return i;
	return -1;
}

int fmt_severity_id(const json_t *rec)
{
	static const char *const paths[] = { "severity", "recommendation.severity", "vulnerability.severity",
					     "device.risk" };
	const json_t *id = json_object_get(rec, "severity_id");
	int v;

	if (json_is_integer(id) && json_integer_value(id) >= 0 && json_integer_value(id) <= 6)
		return (int)json_integer_value(id);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		v = severity_named(fmt_get(rec, paths[i]));
		if (v >= 0)
			return v;
	}
	return 0;
}

int fmt_cef_severity(int id)
{
	/* CEF: 0-3 low, 4-6 medium, 7-8 high, 9-10 very high. */
	static const int map[] = { 0, 1, 3, 5, 8, 10, 10 };

	return id >= 0 && id <= 6 ? map[id] : 0;
}

int fmt_leef_severity(int id)
{
	static const int map[] = { 1, 1, 3, 5, 8, 10, 10 };

	return id >= 0 && id <= 6 ? map[id] : 1;
}

int fmt_syslog_severity(int id)
{
	/* fatal: alert (1); critical: crit; high: err; medium: warning; low: notice; else informational. */
	static const int map[] = { 6, 6, 5, 4, 3, 2, 1 };

	return id >= 0 && id <= 6 ? map[id] : 6;
}

void record_id_of(const char *line, size_t len, char out[33])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (!EVP_Digest(line, len, md, &mdlen, EVP_sha256(), NULL) || mdlen < 16) {
		/* Only when libcrypto itself is broken; an id of zeros still renders. */
		memset(md, 0, 16);
	}
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

void device_uid_of(const json_t *device, const char *site, char *out, size_t size)
{
	const char *s;
	size_t n;

	if (!size)
		return;
	out[0] = 0;
	if (fmt_get_str(device, "mac", &s, &n)) {
		int w = snprintf(out, size, "mac:%.*s", (int)(n > 64 ? 64 : n), s);

		/* MACs compare as lower case; the record writes them so, a hand-made record may not. */
		for (int i = 4; i < w && (size_t)i < size; i++)
			out[i] = (char)tolower((unsigned char)out[i]);
	} else if (fmt_get_str(device, "ip", &s, &n) || fmt_get_str(device, "ips.0", &s, &n)) {
		snprintf(out, size, "ip:%s/%.*s", site && *site ? site : "default", (int)(n > 64 ? 64 : n), s);
	}
}

int fmt_render(enum out_format f, const json_t *rec, const char *record_id, const struct fmt_ctx *c,
	       struct fmt_buf *out)
{
	static const struct fmt_ctx none;
	size_t start = out->len;
	int err;

	if (!json_is_object(rec) || out->oom)
		return -1;
	if (!c)
		c = &none;
	switch (f) {
	case OUT_FMT_JSON: err = fmt_render_json(rec, record_id, c, out); break;
	case OUT_FMT_CEF: err = fmt_render_cef(rec, record_id, c, out); break;
	case OUT_FMT_LEEF: err = fmt_render_leef(rec, record_id, c, out); break;
	case OUT_FMT_SPLUNK_HEC: err = fmt_render_hec(rec, record_id, c, out); break;
	case OUT_FMT_ELASTIC_BULK: err = fmt_render_elastic(rec, record_id, c, out); break;
	default: err = -1;
	}
	if (err || out->oom) {
		out->len = start;
		out->oom = false;
		if (out->p)
			out->p[start] = 0;
		return -1;
	}
	return 0;
}
