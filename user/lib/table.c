// SPDX-License-Identifier: GPL-2.0-only
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lib/table.h"
#include "lib/utf8.h"

/*
 * Code points a terminal acts on rather than shows: C1 controls (U+009B is an 8-bit CSI), the line and
 * paragraph separators, and the bidi embeddings, overrides and isolates that reorder the text around them.
 */
static bool cp_is_control(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f;
}

char *table_escape(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	/* Worst case: every byte becomes \xNN (4 bytes); a 2-byte C1 control becomes \u0080 (6 < 8). */
	char *out = malloc(n * 4 + 1), *o = out;
	size_t i = 0;

	if (!out)
		return NULL;
	while (i < n) {
		unsigned char c = p[i];
		uint32_t cp;
		size_t l;

		if (c >= 0x20 && c < 0x7f) {
			*o++ = (char)c;
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			if (c == '\n' || c == '\r' || c == '\t') {
				*o++ = '\\';
				*o++ = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
			} else {
				o += sprintf(o, "\\x%02x", c);
			}
			i++;
			continue;
		}
		l = utf8_decode(p + i, n - i, &cp);
		if (!l) {
			o += sprintf(o, "\\x%02x", c);
			i++;
		} else if (cp_is_control(cp)) {
			o += sprintf(o, "\\u%04x", (unsigned)cp);
			i += l;
		} else {
			memcpy(o, s + i, l);
			o += l;
			i += l;
		}
	}
	*o = 0;
	return out;
}

unsigned table_text_width(const char *s)
{
	unsigned w = 0;

	/* Escaped text is valid UTF-8: count every byte that does not continue a sequence. */
	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

void table_put_cell(FILE *f, const char *s, unsigned width, bool pad, bool right)
{
	unsigned w = table_text_width(s);

	if (w > width) {
		const char *p = s;
		unsigned keep = width ? width - 1 : 0, seen = 0;

		/* Keep width - 1 code points, then the ellipsis. */
		while (*p) {
			if (((unsigned char)*p & 0xc0) != 0x80) {
				if (seen == keep)
					break;
				seen++;
			}
			p++;
		}
		fwrite(s, 1, (size_t)(p - s), f);
		if (width)
			fputs("\u2026", f);
		return;
	}
	if (right && pad)
		fprintf(f, "%*s", (int)(width - w), "");
	fputs(s, f);
	if (!right && pad)
		fprintf(f, "%*s", (int)(width - w), "");
}

int table_init(struct table *t, int ncols, const char *const *headers)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->natural = calloc((size_t)ncols, sizeof(*t->natural));
	t->right = calloc((size_t)ncols, sizeof(*t->right));
	t->keep = calloc((size_t)ncols, sizeof(*t->keep));
	if (!t->natural || !t->right || !t->keep)
		goto oom;
	if (headers) {
		t->head = calloc((size_t)ncols, sizeof(*t->head));
		if (!t->head)
			goto oom;
		for (int c = 0; c < ncols; c++) {
			t->head[c] = table_escape(headers[c] ? headers[c] : "", headers[c] ? strlen(headers[c]) : 0);
			if (!t->head[c])
				goto oom;
			t->natural[c] = table_text_width(t->head[c]);
		}
	}
	return 0;
oom:
	table_free(t);
	return -1;
}

void table_free(struct table *t)
{
	if (t->head)
		for (int c = 0; c < t->ncols; c++)
			free(t->head[c]);
	for (size_t i = 0; i < t->nrows * (size_t)t->ncols; i++)
		free(t->cells[i]);
	free(t->head);
	free(t->cells);
	free(t->natural);
	free(t->right);
	free(t->keep);
	memset(t, 0, sizeof(*t));
}

void table_align_right(struct table *t, int col)
{
	if (col >= 0 && col < t->ncols)
		t->right[col] = true;
}

void table_keep_width(struct table *t, int col)
{
	if (col >= 0 && col < t->ncols)
		t->keep[col] = true;
}

int table_add(struct table *t, const char *const *cells, const size_t *lens)
{
	size_t base;

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **n = realloc(t->cells, cap * (size_t)t->ncols * sizeof(*n));

		if (!n) {
			t->oom = true;
			return -1;
		}
		t->cells = n;
		t->cap = cap;
	}
	base = t->nrows * (size_t)t->ncols;
	for (int c = 0; c < t->ncols; c++) {
		const char *s = cells[c] ? cells[c] : "";
		char *e = table_escape(s, lens && cells[c] ? lens[c] : strlen(s));

		if (!e) {
			while (c-- > 0)
				free(t->cells[base + (size_t)c]);
			t->oom = true;
			return -1;
		}
		t->cells[base + (size_t)c] = e;
	}
	for (int c = 0; c < t->ncols; c++) {
		unsigned w = table_text_width(t->cells[base + (size_t)c]);

		if (w > t->natural[c])
			t->natural[c] = w;
	}
	t->nrows++;
	return 0;
}

unsigned table_term_width(FILE *f)
{
	struct winsize ws;
	const char *env = getenv("COLUMNS");

	if (isatty(fileno(f)) && ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if (env && *env) {
		char *end;
		unsigned long v = strtoul(env, &end, 10);

		if (!*end && v >= 20 && v <= 10000)
			return (unsigned)v;
	}
	return TABLE_DEFAULT_WIDTH;
}

/*
 * Shrinks the widest column by one until the row fits in avail: first among the columns that may shrink, then,
 * when they are all at their minimum, among every column.
 */
static void fit(unsigned *w, const unsigned *natural, const bool *keep, int ncols, unsigned avail)
{
	bool all = false;
	unsigned long total = 0;

	for (int c = 0; c < ncols; c++) {
		w[c] = natural[c] > avail ? avail : natural[c]; /* no column wider than the line */
		total += w[c];
	}
	while (total > avail) {
		int widest = -1;

		for (int c = 0; c < ncols; c++) {
			unsigned min = natural[c] < TABLE_MIN_COL ? natural[c] : TABLE_MIN_COL;

			if ((all || !keep[c]) && w[c] > min && (widest < 0 || w[c] > w[widest]))
				widest = c;
		}
		if (widest < 0 && !all) {
			all = true;
			continue;
		}
		if (widest < 0)
			break; /* too many columns for the terminal: the lines wrap */
		w[widest]--;
		total--;
	}
}

static void print_row(const struct table *t, FILE *f, char *const *cells, const unsigned *w)
{
	int last = t->ncols - 1;

	/* Trailing empty cells print nothing, so no line ends in spaces. */
	while (last > 0 && !*cells[last])
		last--;
	fprintf(f, "%*s", (int)t->indent, "");
	for (int c = 0; c <= last; c++) {
		if (c)
			fprintf(f, "%*s", TABLE_GAP, "");
		table_put_cell(f, cells[c], w[c], c < last || t->right[c], t->right[c]);
	}
	fputc('\n', f);
}

void table_print(const struct table *t, FILE *f, unsigned width)
{
	unsigned *w = calloc((size_t)t->ncols + 1, sizeof(*w));
	unsigned gaps = (unsigned)(t->ncols - 1) * TABLE_GAP + t->indent;

	if (!w) {
		fputs("(out of memory printing the table)\n", f);
		return;
	}
	if (!width)
		width = table_term_width(f);
	fit(w, t->natural, t->keep, t->ncols, width > gaps ? width - gaps : (unsigned)t->ncols);
	if (t->head)
		print_row(t, f, t->head, w);
	for (size_t r = 0; r < t->nrows; r++)
		print_row(t, f, t->cells + r * (size_t)t->ncols, w);
	if (t->oom)
		fputs("(out of memory: some rows are missing)\n", f);
	free(w);
}
