/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Inside the renderers (format.c, fmt_*.c, syslog.c) and their tests: the escaping core every format shares, the
 * record readers, and the neutral field list that CEF and LEEF both print (so the two keep one mapping).
 */
#ifndef IOTSENSE_OUTPUTS_FMT_INT_H
#define IOTSENSE_OUTPUTS_FMT_INT_H

#include <stdint.h>

#include "outputs/format.h"

#include "version.h"

/*
 * Bounds, in output bytes after escaping. ArcSight caps most CEF string fields near 1023 characters; a JSON
 * string keeps more, but not a 64 KiB hostname. Escapes and UTF-8 sequences are never cut in two.
 */
#define FMT_VALUE_MAX 1023	 /* one CEF/LEEF extension value */
#define FMT_HEADER_FIELD_MAX 512 /* one CEF/LEEF header field (signatureId, name) */
#define FMT_JSON_STRING_MAX 16384 /* one JSON string (key or value) */
#define FMT_JSON_DEPTH_MAX 32	 /* deeper values render as null; records are a few levels deep */

/* How a piece of text is escaped. Every mode replaces invalid UTF-8 with U+FFFD. */
enum fmt_esc {
	FMT_ESC_JSON,	    /* \" \\ \n \r \t \b \f, other controls and U+2028/9 as \uXXXX */
	FMT_ESC_CEF_HEADER, /* \| \\; newlines and tabs become spaces, other controls U+FFFD */
	FMT_ESC_CEF_VALUE,  /* \= \\ \n \r; tabs become spaces, other controls U+FFFD */
	FMT_ESC_LEEF_VALUE, /* \^ \= \\; newlines and tabs become spaces, other controls U+FFFD */
	FMT_ESC_LINE,	    /* no escapes: newlines and tabs become spaces, other controls U+FFFD */
	FMT_ESC_SD_VALUE,   /* RFC 5424 PARAM-VALUE: \" \\ \]; as FMT_ESC_LINE otherwise */
};

/* Appends s[0..n) escaped per e, at most max output bytes; returns the bytes appended. */
size_t fmt_put_text(struct fmt_buf *b, const char *s, size_t n, size_t max, enum fmt_esc e);
/* The same, and *consumed says how much of s made it (n unless the budget ran out). */
size_t fmt_put_text_n(struct fmt_buf *b, const char *s, size_t n, size_t max, enum fmt_esc e, size_t *consumed);
void fmt_puts(struct fmt_buf *b, const char *s);
void fmt_printf(struct fmt_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A JSON string, quoted and escaped (FMT_ESC_JSON, FMT_JSON_STRING_MAX). */
void fmt_put_json_str(struct fmt_buf *b, const char *s, size_t n);
/* Any JSON value: strings escaped and bounded, objects in their order, depth bounded. */
void fmt_put_json(struct fmt_buf *b, const json_t *v, int depth);
/*
 * The record as one JSON object: its own members, with the device object's "uid" and the top-level
 * record_id / sensor / site / zone added when missing; @timestamp too when with_timestamp (Elastic).
 */
void fmt_put_json_record(struct fmt_buf *b, const json_t *rec, const char *record_id, const struct fmt_ctx *c,
			 bool with_timestamp);

/* The value at a dotted path ("device.mac"); an all-digit part indexes an array ("device.ips.0"). */
const json_t *fmt_get(const json_t *obj, const char *path);
/* The string at a path, with its length (jansson strings may hold NUL); false when absent, not a string or "". */
bool fmt_get_str(const json_t *obj, const char *path, const char **s, size_t *n);
/* An RFC 3339 time ("1999-11-28T02:12:38.387203Z", offsets too) as µs since the epoch. */
bool fmt_parse_time(const char *s, size_t n, int64_t *us);
/* The record's "time" in µs since the epoch; false when absent or not a time. */
bool fmt_record_time(const json_t *rec, int64_t *us);

enum fmt_kind { FMT_REC_OTHER, FMT_REC_DEVICE, FMT_REC_ALERT, FMT_REC_VULNERABILITY, FMT_REC_RECOMMENDATION };
enum fmt_kind fmt_kind_of(const json_t *rec);
/*
 * OCSF severity_id (0 unknown, 1 informational, 2 low, 3 medium, 4 high, 5 critical, 6 fatal): severity_id, else
 * the severity name, of the record, of its recommendation or vulnerability, or a device profile's risk.
 */
int fmt_severity_id(const json_t *rec);
int fmt_cef_severity(int severity_id);	  /* 0..10 */
int fmt_leef_severity(int severity_id);	  /* 1..10 */
int fmt_syslog_severity(int severity_id); /* RFC 5424 0 emergency .. 7 debug */

/* A view of some bytes: into the record, a literal or the field list's scratch. */
struct fmt_sv {
	const char *s;
	size_t n;
};

#define FMT_FIELDS_MAX 48

/*
 * One extension field, named for both formats. CEF's custom slots (cs1..cs6, cn1..cn3, cfp1, flexString1..2,
 * c6a2) carry their label in a companion "<key>Label" field; LEEF uses the label as its key.
 */
struct fmt_field {
	const char *cef, *leef, *label; /* NULL cef or leef: not in that format */
	struct fmt_sv v;
	bool scratch; /* v.s is an offset into the scratch buffer until fmt_fields_of returns */
};

struct fmt_fields {
	struct fmt_sv sig, name; /* CEF signatureId / LEEF eventId, and CEF name */
	bool name_scratch;	 /* name is an offset into scratch until fmt_fields_of returns */
	int severity_id;
	int64_t time_us;
	bool has_time;
	struct fmt_field f[FMT_FIELDS_MAX];
	int n;
	struct fmt_buf scratch; /* owns the text that is not in the record (joined lists, numbers) */
};

/* Fills ff from rec (the mapping tables of docs/outputs.md); -1 on allocation failure. fmt_fields_free after. */
int fmt_fields_of(const json_t *rec, const char *record_id, const struct fmt_ctx *c, struct fmt_fields *ff);
void fmt_fields_free(struct fmt_fields *ff);

int fmt_render_json(const json_t *rec, const char *record_id, const struct fmt_ctx *c, struct fmt_buf *out);
int fmt_render_cef(const json_t *rec, const char *record_id, const struct fmt_ctx *c, struct fmt_buf *out);
int fmt_render_leef(const json_t *rec, const char *record_id, const struct fmt_ctx *c, struct fmt_buf *out);
int fmt_render_hec(const json_t *rec, const char *record_id, const struct fmt_ctx *c, struct fmt_buf *out);
int fmt_render_elastic(const json_t *rec, const char *record_id, const struct fmt_ctx *c, struct fmt_buf *out);

#endif
