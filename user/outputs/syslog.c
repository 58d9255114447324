// SPDX-License-Identifier: GPL-2.0-only
/*
 * Syslog framing (RFC 5424, RFC 3164, RFC 6587 octet counting). Every header field is cleaned here, whatever
 * the caller passes: the hostname may come from a config file, the MSG from the wire by way of a record.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "outputs/fmt_int.h"
#include "outputs/syslog.h"

/* RFC 5424 section 6: header field lengths. */
#define HOSTNAME_MAX 255
#define APP_NAME_MAX 48
#define PROCID_MAX 128
#define MSGID_MAX 32
#define SD_NAME_MAX 32
#define SD_VALUE_MAX 256
#define SD_MAX 1024
#define TAG_MAX 32 /* RFC 3164 section 4.1.3 */

/* Characters a field may hold as is; the rest become '_'. */
enum field_kind { F_PRINTUSASCII, F_SD_NAME, F_TAG };

static bool allowed(unsigned char c, enum field_kind k)
{
	if (c < 33 || c > 126)
		return false;
	switch (k) {
	case F_SD_NAME: return c != '=' && c != ']' && c != '"';
	case F_TAG: return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   c == '-' || c == '_' || c == '.' || c == '/';
	default: return true;
	}
}

/* Appends s cleaned and cut to max bytes, or nil when it is empty; returns the bytes appended. */
static size_t put_field(struct fmt_buf *b, const char *s, size_t max, enum field_kind k, const char *nil)
{
	size_t n = s ? strnlen(s, max) : 0;

	if (!n) {
		fmt_puts(b, nil);
		return strlen(nil);
	}
	for (size_t i = 0; i < n; i++) {
		char c = allowed((unsigned char)s[i], k) ? s[i] : '_';

		fmt_buf_put(b, &c, 1);
	}
	return n;
}

static void put_time_5424(struct fmt_buf *b, int64_t us)
{
	time_t s = (time_t)(us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000));
	struct tm tm;
	char t[40];

	if (!gmtime_r(&s, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999) {
		fmt_puts(b, "-");
		return;
	}
	strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm);
	fmt_printf(b, "%s.%06dZ", t, (int)(us - (int64_t)s * 1000000));
}

static void put_time_3164(struct fmt_buf *b, int64_t us)
{
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t s = (time_t)(us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000));
	struct tm tm;

	if (!gmtime_r(&s, &tm))
		memset(&tm, 0, sizeof(tm));
	/* "Mmm dd": the day is space-padded, never zero-padded. */
	fmt_printf(b, "%s %2d %02d:%02d:%02d", mon[tm.tm_mon % 12], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void put_sd(struct fmt_buf *b, const struct syslog_msg *m)
{
	size_t start = b->len;

	if (!m->sd_id || !*m->sd_id) {
		fmt_puts(b, "-");
		return;
	}
	fmt_buf_put(b, "[", 1);
	put_field(b, m->sd_id, SD_NAME_MAX, F_SD_NAME, "_");
	for (size_t i = 0; i < m->nsd; i++) {
		const char *v = m->sd[i].value;
		size_t mark = b->len;

		if (!m->sd[i].name || !*m->sd[i].name || !v)
			continue;
		fmt_buf_put(b, " ", 1);
		put_field(b, m->sd[i].name, SD_NAME_MAX, F_SD_NAME, "_");
		fmt_puts(b, "=\"");
		fmt_put_text(b, v, strlen(v), SD_VALUE_MAX, FMT_ESC_SD_VALUE);
		fmt_buf_put(b, "\"", 1);
		/* The element stays bounded: a parameter that does not fit is left out whole. */
		if (b->len - start > SD_MAX - 1) {
			b->len = mark;
			if (b->p)
				b->p[mark] = 0;
			break;
		}
	}
	fmt_buf_put(b, "]", 1);
}

/* Whether s[i] follows an odd run of backslashes (counted back to from): the second half of an escape. */
static bool escaped(const char *s, size_t from, size_t i)
{
	size_t bs = 0;

	while (i - bs > from && s[i - bs - 1] == '\\')
		bs++;
	return bs % 2;
}

/*
 * Where a MSG cut by the bound should end. A CEF or LEEF line ends at its last whole field (the last unescaped
 * separator past the header: ' ' in CEF, '^' in LEEF), so the cut shortens a value instead of leaving half a key;
 * and no line ends in the first half of an escape, a lone '\'.
 */
static size_t tidy_cut(const char *s, size_t n)
{
	size_t ext = 0;
	int want = 0, pipes = 0;
	char sep = 0;

	if (n >= 4 && !memcmp(s, "CEF:", 4)) {
		want = 7;
		sep = ' ';
	} else if (n >= 5 && !memcmp(s, "LEEF:", 5)) {
		want = 6;
		sep = '^';
	}
	for (size_t i = 0; sep && i < n && pipes < want; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '|' && ++pipes == want)
			ext = i + 1;
	}
	for (size_t i = n; ext && i > ext; i--) {
		if (s[i - 1] == '=' && !escaped(s, ext, i - 1))
			break; /* the last field has its key: keep what fits of its value */
		if (s[i - 1] == sep && !escaped(s, ext, i - 1)) {
			n = i - 1;
			break;
		}
	}
	if (n && escaped(s, 0, n))
		n--;
	return n;
}

static int clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

int syslog_frame(struct fmt_buf *out, const struct syslog_msg *m, const char *msg, size_t len)
{
	size_t max = m->max_len ? m->max_len : SYSLOG_MAX_UDP, start = out->len, consumed, body, room, at;
	struct fmt_buf h = { 0 };

	if (max < SYSLOG_MIN_LEN)
		max = SYSLOG_MIN_LEN;
	fmt_printf(&h, "<%d>", clamp(m->facility, 0, 23) * 8 + clamp(m->severity, 0, 7));
	if (m->protocol == SYSLOG_RFC3164) {
		put_time_3164(&h, m->time_us);
		fmt_buf_put(&h, " ", 1);
		put_field(&h, m->hostname, HOSTNAME_MAX, F_PRINTUSASCII, "-");
		fmt_buf_put(&h, " ", 1);
		/* TAG[PID] within 32 characters in all: the PID is dropped before the name is cut. */
		size_t tag = put_field(&h, m->app_name, TAG_MAX, F_TAG, "iotsense");
		size_t pid = m->procid ? strnlen(m->procid, PROCID_MAX) : 0;

		if (pid && tag + pid + 2 <= TAG_MAX) {
			fmt_buf_put(&h, "[", 1);
			put_field(&h, m->procid, pid, F_TAG, "-");
			fmt_buf_put(&h, "]", 1);
		}
		fmt_puts(&h, ": ");
	} else {
		fmt_puts(&h, "1 ");
		put_time_5424(&h, m->time_us);
		fmt_buf_put(&h, " ", 1);
		put_field(&h, m->hostname, HOSTNAME_MAX, F_PRINTUSASCII, "-");
		fmt_buf_put(&h, " ", 1);
		put_field(&h, m->app_name, APP_NAME_MAX, F_PRINTUSASCII, "-");
		fmt_buf_put(&h, " ", 1);
		put_field(&h, m->procid, PROCID_MAX, F_PRINTUSASCII, "-");
		fmt_buf_put(&h, " ", 1);
		put_field(&h, m->msgid, MSGID_MAX, F_PRINTUSASCII, "-");
		fmt_buf_put(&h, " ", 1);
		put_sd(&h, m);
		if (len)
			fmt_buf_put(&h, " ", 1);
	}
	if (h.oom || h.len >= max) {
		fmt_buf_free(&h);
		return -1;
	}
	room = max - h.len;
	/* The octet count is the length of everything after "LEN SP"; reserve its digits, then patch them in. */
	if (m->octet_count)
		fmt_printf(out, "%*s ", snprintf(NULL, 0, "%zu", max), "");
	body = out->len;
	fmt_buf_put(out, h.p, h.len);
	fmt_buf_free(&h);
	at = out->len;
	fmt_put_text_n(out, msg ? msg : "", msg ? len : 0, room, FMT_ESC_LINE, &consumed);
	if (consumed < len && !out->oom) {
		out->len = at + tidy_cut(out->p + at, out->len - at);
		out->p[out->len] = 0;
	}
	if (out->oom) {
		out->len = start;
		out->oom = false;
		if (out->p)
			out->p[start] = 0;
		return -1;
	}
	if (m->octet_count) {
		char n[24];
		int w = snprintf(n, sizeof(n), "%zu ", out->len - body);

		/* Move the message so that exactly one space follows the count. */
		memmove(out->p + start + w, out->p + body, out->len - body);
		memcpy(out->p + start, n, (size_t)w);
		out->len = start + (size_t)w + (out->len - body);
		out->p[out->len] = 0;
	}
	return 0;
}

int syslog_severity_of(const json_t *rec)
{
	return fmt_syslog_severity(fmt_severity_id(rec));
}
