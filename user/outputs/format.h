/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Renderings of one canonical record (the NDJSON line iotsense writes: record = device | alert | ...) for the
 * collectors: JSON as is, ArcSight CEF 0, IBM LEEF 2.0, a Splunk HEC event envelope, an Elastic bulk action +
 * document pair. Bytes from the wire (banners, hostnames, user agents) are escaped per format and bounded, so
 * no record can break the framing of a format. Syslog framing (RFC 5424 / 3164, octet counting) is separate:
 * syslog.h.
 *
 * Field mapping: docs/outputs.md.
 */
#ifndef IOTSENSE_OUTPUTS_FORMAT_H
#define IOTSENSE_OUTPUTS_FORMAT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum out_format {
	OUT_FMT_JSON,	      /* the record, one line, plus record_id/sensor/site/zone when missing */
	OUT_FMT_CEF,	      /* CEF:0|iotsense|iotsense|VERSION|signatureId|name|severity|ext */
	OUT_FMT_LEEF,	      /* LEEF:2.0|iotsense|iotsense|VERSION|eventId|^|ext (tab-free delimiter ^) */
	OUT_FMT_SPLUNK_HEC,   /* {"time":..,"host":..,"source":..,"sourcetype":..,"index":..,"event":{record}} */
	OUT_FMT_ELASTIC_BULK, /* {"index":{"_index":..,"_id":record_id}}\n{record}\n */
};

/* Who sent it and the per-output knobs a rendering needs. NULL strings are left out. */
struct fmt_ctx {
	const char *sensor, *site, *zone;
	const char *product_version; /* CEF/LEEF header; IOTSENSE_VERSION when NULL */
	const char *hec_source, *hec_sourcetype, *hec_index;
	const char *elastic_index;
};

/* A growable output buffer; p is NUL-terminated past len once anything was written. */
struct fmt_buf {
	char *p;
	size_t len, cap;
	bool oom; /* an append failed: the rendering is incomplete (fmt_render then returns -1) */
};

/* "json", "cef", "leef", "splunk-hec", "elastic-bulk" -> format; false when unknown. */
bool out_format_parse(const char *name, enum out_format *f);
const char *out_format_name(enum out_format f);

/*
 * Stable record id: hex of the first 16 bytes of SHA-256 over the record's canonical text (the NDJSON line
 * without its newline). The same record sent twice carries the same id, so a SIEM can drop duplicates.
 */
void record_id_of(const char *line, size_t len, char out[33]);
/*
 * Stable device id across sensors: "mac:<mac>" when a MAC is known, else "ip:<site>/<ip>" (site "default"
 * when NULL), from a record's device object.
 */
void device_uid_of(const json_t *device, const char *site, char *out, size_t size);

/*
 * Appends the rendering of rec (the parsed record; record_id from record_id_of) to out. No trailing newline
 * except for elastic-bulk, whose two lines each end in one. Returns 0, or -1 on allocation failure or when rec
 * is not a JSON object (out is then left as it was).
 */
int fmt_render(enum out_format f, const json_t *rec, const char *record_id, const struct fmt_ctx *c,
	       struct fmt_buf *out);

void fmt_buf_free(struct fmt_buf *b);
void fmt_buf_reset(struct fmt_buf *b);
/* Appends bytes as they are (the caller escapes); on failure sets b->oom and leaves b as it was. */
void fmt_buf_put(struct fmt_buf *b, const void *s, size_t n);

#endif
