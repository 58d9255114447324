// SPDX-License-Identifier: GPL-2.0-only
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonw.h"
#include "utf8.h"

void jw_init(struct jsonw *w)
{
	memset(w, 0, sizeof(*w));
}

void jw_free(struct jsonw *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

void jw_reset(struct jsonw *w)
{
	w->len = 0;
	w->depth = 0;
	w->need_comma[0] = false;
	w->oom = false;
}

static void put(struct jsonw *w, const char *s, size_t n)
{
	if (w->len + n + 1 > w->cap) {
		size_t cap = w->cap ? w->cap : 1024;
		char *nb;

		while (cap < w->len + n + 1)
			cap *= 2;
		nb = realloc(w->buf, cap);
		if (!nb) {
			w->oom = true;
			return;
		}
		w->buf = nb;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = 0;
}

static void puts_(struct jsonw *w, const char *s)
{
	put(w, s, strlen(s));
}

/* A value (or key) at the current level: separate it from the previous one. */
static void sep(struct jsonw *w)
{
	if (w->need_comma[w->depth])
		put(w, ",", 1);
	w->need_comma[w->depth] = true;
}

void jw_obj_open(struct jsonw *w)
{
	sep(w);
	put(w, "{", 1);
	if (w->depth < 31)
		w->depth++;
	w->need_comma[w->depth] = false;
}

void jw_obj_close(struct jsonw *w)
{
	if (w->depth > 0)
		w->depth--;
	put(w, "}", 1);
}

void jw_arr_open(struct jsonw *w)
{
	sep(w);
	put(w, "[", 1);
	if (w->depth < 31)
		w->depth++;
	w->need_comma[w->depth] = false;
}

void jw_arr_close(struct jsonw *w)
{
	if (w->depth > 0)
		w->depth--;
	put(w, "]", 1);
}

static void put_escaped(struct jsonw *w, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	char esc[8];
	size_t i = 0;

	put(w, "\"", 1);
	while (i < n) {
		unsigned char c = p[i];
		size_t run = i;

		/* Copy runs of plain ASCII at once. */
		while (run < n && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\')
			run++;
		if (run > i) {
			put(w, s + i, run - i);
			i = run;
			continue;
		}
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(w, esc, 2);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			put(w, esc, 6);
			i++;
		} else {
			size_t l = utf8_decode(p + i, n - i, NULL);

			if (l) {
				put(w, s + i, l);
				i += l;
			} else {
				/* Invalid UTF-8: keep the byte's value visible as a Latin-1 code point. */
				snprintf(esc, sizeof(esc), "\\u%04x", c);
				put(w, esc, 6);
				i++;
			}
		}
	}
	put(w, "\"", 1);
}

void jw_key(struct jsonw *w, const char *key)
{
	sep(w);
	put_escaped(w, key, strlen(key));
	put(w, ":", 1);
	/* The value that follows belongs to this key: no comma before it. */
	w->need_comma[w->depth] = false;
}

static void value_done(struct jsonw *w)
{
	w->need_comma[w->depth] = true;
}

void jw_str(struct jsonw *w, const char *s)
{
	jw_strn(w, s, strlen(s));
}

void jw_strn(struct jsonw *w, const char *s, size_t n)
{
	sep(w);
	put_escaped(w, s, n);
	value_done(w);
}

void jw_u64(struct jsonw *w, uint64_t v)
{
	char b[24];

	sep(w);
	puts_(w, (snprintf(b, sizeof(b), "%" PRIu64, v), b));
	value_done(w);
}

void jw_i64(struct jsonw *w, int64_t v)
{
	char b[24];

	sep(w);
	puts_(w, (snprintf(b, sizeof(b), "%" PRId64, v), b));
	value_done(w);
}

void jw_bool(struct jsonw *w, bool v)
{
	sep(w);
	puts_(w, v ? "true" : "false");
	value_done(w);
}

void jw_null(struct jsonw *w)
{
	sep(w);
	puts_(w, "null");
	value_done(w);
}

void jw_kstr(struct jsonw *w, const char *k, const char *v)
{
	jw_key(w, k);
	jw_str(w, v);
}

void jw_ku64(struct jsonw *w, const char *k, uint64_t v)
{
	jw_key(w, k);
	jw_u64(w, v);
}

void jw_kbool(struct jsonw *w, const char *k, bool v)
{
	jw_key(w, k);
	jw_bool(w, v);
}

void jw_end_line(struct jsonw *w)
{
	put(w, "\n", 1);
}

void jw_ktime(struct jsonw *w, const char *key, uint64_t ns)
{
	time_t secs = ns / 1000000000ull;
	struct tm tm;
	char buf[96]; /* room for any int year the compiler can imagine */

	gmtime_r(&secs, &tm);
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned int)(ns % 1000000000ull / 1000));
	jw_kstr(w, key, buf);
}
