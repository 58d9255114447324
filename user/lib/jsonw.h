/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small streaming JSON writer into a growable buffer: one record at a time, escaping every string (wire bytes
 * included: control bytes and invalid UTF-8 become \u escapes), so no record can break NDJSON framing.
 */
#ifndef IOTSENSE_JSONW_H
#define IOTSENSE_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jsonw {
	char *buf;
	size_t len, cap;
	int depth;
	bool need_comma[32];
	bool oom;
};

void jw_init(struct jsonw *w);
void jw_free(struct jsonw *w);
void jw_reset(struct jsonw *w);
void jw_obj_open(struct jsonw *w);
void jw_obj_close(struct jsonw *w);
void jw_arr_open(struct jsonw *w);
void jw_arr_close(struct jsonw *w);
void jw_key(struct jsonw *w, const char *key);
void jw_str(struct jsonw *w, const char *s);
void jw_strn(struct jsonw *w, const char *s, size_t n); /* arbitrary bytes */
void jw_u64(struct jsonw *w, uint64_t v);
void jw_i64(struct jsonw *w, int64_t v);
void jw_bool(struct jsonw *w, bool v);
void jw_null(struct jsonw *w);
/* Key + value shorthands. */
void jw_kstr(struct jsonw *w, const char *k, const char *v);
void jw_ku64(struct jsonw *w, const char *k, uint64_t v);
void jw_kbool(struct jsonw *w, const char *k, bool v);
/* An RFC 3339 UTC time with microseconds, from ns since the epoch. */
void jw_ktime(struct jsonw *w, const char *k, uint64_t ns);
/* Appends "\n" and returns the record (w->buf, w->len). */
void jw_end_line(struct jsonw *w);

#endif
