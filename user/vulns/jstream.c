// SPDX-License-Identifier: GPL-2.0-only
/* One JSON document's top level, streamed; its big array's entries handed over one at a time (jstream.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vulns/jstream.h"

static void __attribute__((format(printf, 2, 3))) js_fail(struct jstream *js, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	if (js->failed)
		return;
	js->failed = true;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(js->err, js->err_size, "%s", what);
}

static void js_init(struct jstream *js, const char *array_key, size_t max_entry, char *err, size_t err_size)
{
	memset(js, 0, sizeof(*js));
	js->unget = -1;
	js->array_key = array_key;
	js->max_entry = max_entry;
	js->err = err;
	js->err_size = err_size;
	if (err_size)
		err[0] = 0;
}

int js_open_file(struct jstream *js, const char *path, const char *array_key, size_t max_entry, char *err,
		 size_t err_size)
{
	unsigned char magic[2];
	struct stat st;
	int fd;

	js_init(js, array_key, max_entry, err, err_size);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		js_fail(js, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		js_fail(js, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		js_fail(js, "%s: %s", path, S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
		close(fd);
		return -1;
	}
	js->file_size = (uint64_t)st.st_size;
	js->gzipped = pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
	js->gz = gzdopen(fd, "rb");
	if (!js->gz) {
		js_fail(js, "%s: out of memory", path);
		close(fd);
		return -1;
	}
	gzbuffer(js->gz, 1 << 17);
	return 0;
}

void js_open_mem(struct jstream *js, const void *data, size_t len, const char *array_key, size_t max_entry,
		 char *err, size_t err_size)
{
	js_init(js, array_key, max_entry, err, err_size);
	js->mem = data;
	js->memlen = len;
}

void js_close(struct jstream *js)
{
	if (js->gz)
		gzclose(js->gz);
	js->gz = NULL;
	free(js->elem);
	js->elem = NULL;
}

double js_progress(const struct jstream *js)
{
	if (js->mem)
		return js->memlen ? (double)js->pos / (double)js->memlen : 1.0;
	if (js->gz && js->file_size) {
		z_off_t off = gzoffset(js->gz);

		return off < 0 ? -1 : (double)off / (double)js->file_size;
	}
	return -1;
}

static bool refill(struct jstream *js)
{
	int n, errnum;
	const char *msg;

	if (js->eof || js->failed)
		return false;
	if (js->mem) {
		js->eof = true; /* the whole buffer is js->buf's stand-in; see js_getc */
		return false;
	}
	n = gzread(js->gz, js->buf, sizeof(js->buf));
	msg = gzerror(js->gz, &errnum);
	if (n < 0 || (errnum != Z_OK && errnum != Z_STREAM_END)) {
		if (errnum == Z_BUF_ERROR)
			js_fail(js, "gzip data ends early: the file is truncated");
		else if (errnum == Z_ERRNO)
			js_fail(js, "read error: %s", strerror(errno));
		else
			js_fail(js, "gzip: %s", msg && *msg ? msg : "corrupt data");
		return false;
	}
	if (n == 0) {
		js->eof = true;
		return false;
	}
	js->len = (size_t)n;
	js->pos = 0;
	return true;
}

static void capture(struct jstream *js, int c)
{
	if (js->elen + 2 > js->ecap) {
		size_t cap = js->ecap ? js->ecap * 2 : 1 << 16;
		char *n;

		if (js->elen + 2 > js->max_entry) {
			js->too_large = true;
			return;
		}
		if (cap > js->max_entry + 2)
			cap = js->max_entry + 2;
		n = realloc(js->elem, cap);
		if (!n) {
			js_fail(js, "out of memory for an entry of %zu bytes", js->elen);
			return;
		}
		js->elem = n;
		js->ecap = cap;
	}
	js->elem[js->elen++] = (char)c;
}

/* The next byte, or -1 at the end of the input or on error. */
static int js_getc(struct jstream *js)
{
	int c;

	if (js->unget >= 0) {
		c = js->unget;
		js->unget = -1;
	} else if (js->mem) {
		if (js->pos >= js->memlen)
			return -1;
		c = js->mem[js->pos++];
	} else {
		if (js->pos >= js->len && !refill(js))
			return -1;
		c = js->buf[js->pos++];
	}
	js->offset++;
	if (js->capturing && !js->too_large)
		capture(js, c);
	return c;
}

static void js_ungetc(struct jstream *js, int c)
{
	if (c < 0)
		return;
	js->unget = c;
	js->offset--;
	if (js->capturing && !js->too_large && js->elen)
		js->elen--;
}

static void fail_eof(struct jstream *js, const char *where)
{
	if (!js->failed)
		js_fail(js, "the JSON text ends %s (byte %llu): the file is truncated", where,
			(unsigned long long)js->offset);
}

static int skip_ws(struct jstream *js)
{
	int c;

	do
		c = js_getc(js);
	while (c == ' ' || c == '\t' || c == '\n' || c == '\r');
	return c;
}

/* After the opening quote: the string's raw bytes (escapes kept) into out when not NULL. */
static bool read_string(struct jstream *js, char *out, size_t size)
{
	size_t n = 0;
	int c;

	for (;;) {
		c = js_getc(js);
		if (c < 0) {
			fail_eof(js, "inside a string");
			return false;
		}
		if (c == '"')
			break;
		if (c < 0x20) {
			js_fail(js, "byte %llu: control character in a string: not JSON", (unsigned long long)js->offset);
			return false;
		}
		if (out && n + 1 < size)
			out[n++] = (char)c;
		if (c == '\\') {
			c = js_getc(js);
			if (c < 0) {
				fail_eof(js, "inside a string");
				return false;
			}
			if (out && n + 1 < size)
				out[n++] = (char)c;
		}
	}
	if (out && size)
		out[n] = 0;
	return true;
}

static bool scalar_char(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '+' ||
	       c == '.';
}

/* A number or literal starting with c; its text into out when not NULL. */
static bool read_scalar(struct jstream *js, int c, char *out, size_t size)
{
	char text[64];
	size_t n = 0;
	bool num = c == '-' || (c >= '0' && c <= '9');

	while (scalar_char(c)) {
		if (n + 1 < sizeof(text))
			text[n++] = (char)c;
		if (!num && n > 5)
			break;
		c = js_getc(js);
	}
	text[n] = 0;
	if (!num && strcmp(text, "true") && strcmp(text, "false") && strcmp(text, "null")) {
		js_fail(js, "byte %llu: unexpected '%.20s': not JSON", (unsigned long long)js->offset, text);
		return false;
	}
	if (num) {
		for (size_t i = 0; i < n; i++) {
			if (!strchr("0123456789-+.eE", text[i])) {
				js_fail(js, "byte %llu: bad number '%.20s': not JSON", (unsigned long long)js->offset, text);
				return false;
			}
		}
	}
	if (!num && n > 5) {
		js_fail(js, "byte %llu: unexpected '%.20s': not JSON", (unsigned long long)js->offset, text);
		return false;
	}
	js_ungetc(js, c);
	if (out)
		snprintf(out, size, "%s", text);
	return true;
}

/* Any JSON value starting with c, brackets checked; scalars and strings into out when not NULL. */
static bool skip_value(struct jstream *js, int c, char *out, size_t size)
{
	char stack[JS_NEST_MAX];
	int depth = 0;

	if (out && size)
		out[0] = 0;
	if (c == '"')
		return read_string(js, out, size);
	if (c != '{' && c != '[') {
		if (c < 0) {
			fail_eof(js, "where a value should be");
			return false;
		}
		if (!scalar_char(c)) {
			js_fail(js, "byte %llu: unexpected '%c': not JSON", (unsigned long long)js->offset, c);
			return false;
		}
		return read_scalar(js, c, out, size);
	}
	stack[depth++] = (char)(c == '{' ? '}' : ']');
	while (depth) {
		c = js_getc(js);
		if (c < 0) {
			fail_eof(js, "inside an object or array");
			return false;
		}
		if (c == '"') {
			if (!read_string(js, NULL, 0))
				return false;
		} else if (c == '{' || c == '[') {
			if (depth == JS_NEST_MAX) {
				js_fail(js, "byte %llu: nested more than %d deep", (unsigned long long)js->offset,
					JS_NEST_MAX);
				return false;
			}
			stack[depth++] = (char)(c == '{' ? '}' : ']');
		} else if (c == '}' || c == ']') {
			if (stack[depth - 1] != c) {
				js_fail(js, "byte %llu: unexpected '%c': not JSON", (unsigned long long)js->offset, c);
				return false;
			}
			depth--;
		} else if (c < 0x20 && c != ' ' && c != '\t' && c != '\n' && c != '\r') {
			js_fail(js, "byte %llu: control character: not JSON", (unsigned long long)js->offset);
			return false;
		}
	}
	return true;
}

const char *js_top(const struct jstream *js, const char *key)
{
	for (int i = 0; i < js->ntop; i++)
		if (strcmp(js->top[i].key, key) == 0)
			return js->top[i].val;
	return NULL;
}

static void describe(int c, char *buf, size_t size)
{
	if (c < 0)
		snprintf(buf, size, "the end of the file");
	else if (c >= 0x20 && c < 0x7f)
		snprintf(buf, size, "'%c'", c);
	else
		snprintf(buf, size, "byte 0x%02x", c);
}

int js_next(struct jstream *js)
{
	char what[32], key[48];
	int c;

	if (js->failed)
		return -1;
	if (js->state == 0) {
		c = skip_ws(js);
		if (c != '{') {
			describe(c, what, sizeof(what));
			if (c < 0)
				js_fail(js, "the file holds no JSON text");
			else
				js_fail(js, "not a JSON object: the text starts with %s", what);
			return -1;
		}
		js->state = 1;
	}
	for (;;) {
		if (js->state == 2) {
			c = skip_ws(js);
			if (c == ']') {
				js->state = 1;
				js->need_comma = true;
				continue;
			}
			if (js->need_comma) {
				if (c != ',') {
					if (c < 0) {
						fail_eof(js, "inside the array");
					} else {
						describe(c, what, sizeof(what));
						js_fail(js, "byte %llu: expected ',' or ']' in \"%s\", found %s",
							(unsigned long long)js->offset, js->array_key, what);
					}
					return -1;
				}
				c = skip_ws(js);
			}
			js->need_comma = true;
			js->elen = 0;
			js->too_large = false;
			js->elem_offset = js->offset;
			capture(js, c);
			js->capturing = true;
			if (!skip_value(js, c, NULL, 0)) {
				js->capturing = false;
				return -1;
			}
			js->capturing = false;
			if (js->failed)
				return -1;
			if (!js->too_large)
				js->elem[js->elen] = 0;
			return 1;
		}
		if (js->state == 3)
			return 0;
		/* state 1: the top object: a key, or its end */
		c = skip_ws(js);
		if (c == '}') {
			c = skip_ws(js);
			if (c >= 0) {
				describe(c, what, sizeof(what));
				js_fail(js, "byte %llu: %s after the end of the JSON document", (unsigned long long)js->offset,
					what);
				return -1;
			}
			if (js->failed)
				return -1;
			if (!js->found_array) {
				js_fail(js, "no \"%s\" array in the document", js->array_key);
				return -1;
			}
			js->state = 3;
			return 0;
		}
		if (js->need_comma) {
			if (c != ',') {
				if (c < 0) {
					fail_eof(js, "inside the top-level object");
				} else {
					describe(c, what, sizeof(what));
					js_fail(js, "byte %llu: expected ',' or '}', found %s", (unsigned long long)js->offset,
						what);
				}
				return -1;
			}
			c = skip_ws(js);
		}
		if (c != '"') {
			if (c < 0) {
				fail_eof(js, "inside the top-level object");
			} else {
				describe(c, what, sizeof(what));
				js_fail(js, "byte %llu: expected a key, found %s", (unsigned long long)js->offset, what);
			}
			return -1;
		}
		if (!read_string(js, key, sizeof(key)))
			return -1;
		c = skip_ws(js);
		if (c != ':') {
			if (c < 0) {
				fail_eof(js, "after a key");
			} else {
				describe(c, what, sizeof(what));
				js_fail(js, "byte %llu: expected ':', found %s", (unsigned long long)js->offset, what);
			}
			return -1;
		}
		c = skip_ws(js);
		js->need_comma = true;
		if (strcmp(key, js->array_key) == 0 && !js->found_array) {
			if (c != '[') {
				js_fail(js, "\"%s\" is not an array", js->array_key);
				return -1;
			}
			js->found_array = true;
			js->need_comma = false;
			js->state = 2;
			continue;
		}
		if (js->ntop < JS_TOP_MAX) {
			snprintf(js->top[js->ntop].key, sizeof(js->top[0].key), "%s", key);
			if (!skip_value(js, c, js->top[js->ntop].val, sizeof(js->top[0].val)))
				return -1;
			js->ntop++;
		} else if (!skip_value(js, c, NULL, 0)) {
			return -1;
		}
	}
}
