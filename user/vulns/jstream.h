/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Streaming over one big JSON document of the shape {"k": scalar, ..., "<array_key>": [ENTRY, ENTRY, ...], ...}:
 * the top level is checked byte by byte, each ENTRY is handed over as its own JSON text (for json_loadb) and then
 * forgotten, so memory is bounded by the largest entry, not the document. Reads plain or gzip files (zlib
 * detects gzip by its magic) or a memory buffer. Errors name the byte offset in the (uncompressed) text.
 */
#ifndef IOTSENSE_VULNS_JSTREAM_H
#define IOTSENSE_VULNS_JSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#define JS_TOP_MAX 16
#define JS_NEST_MAX 256

struct jstream {
	gzFile gz;
	bool gzipped;
	uint64_t file_size;
	const unsigned char *mem;
	size_t memlen;
	unsigned char buf[1 << 16];
	size_t len, pos;
	uint64_t offset; /* bytes of JSON text consumed */
	int unget;	 /* a pushed-back byte, or -1 */
	bool eof;
	const char *array_key;
	int state; /* 0 start, 1 in the top object, 2 in the array, 3 done */
	bool need_comma, found_array;
	size_t max_entry;
	/* The current entry. */
	char *elem;
	size_t elen, ecap;
	bool capturing, too_large;
	uint64_t elem_offset;
	/* Top-level keys seen, with their value when it is a short scalar. */
	struct {
		char key[48];
		char val[80];
	} top[JS_TOP_MAX];
	int ntop;
	char *err;
	size_t err_size;
	bool failed;
};

/* Opens path; returns 0, or -1 with err. */
int js_open_file(struct jstream *js, const char *path, const char *array_key, size_t max_entry, char *err,
		 size_t err_size);
void js_open_mem(struct jstream *js, const void *data, size_t len, const char *array_key, size_t max_entry,
		 char *err, size_t err_size);
/*
 * The next entry: 1 with js->elem/js->elen (js->too_large when it was cut at max_entry: skip it), 0 at the end of
 * a well-formed document that had the array, -1 on error (err says what and where).
 */
int js_next(struct jstream *js);
/* A top-level key's scalar value ("" for a non-scalar), or NULL when the key has not been seen (yet). */
const char *js_top(const struct jstream *js, const char *key);
/* How far through the input, 0..1; -1 when unknown. */
double js_progress(const struct jstream *js);
void js_close(struct jstream *js);

#endif
