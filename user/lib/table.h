/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small terminal table printer for the read commands. Column widths come from the content; when the table is
 * wider than the terminal, the widest columns give way first and their cells end in an ellipsis. Cells are wire
 * data (banners, hostnames, SNMP strings), so every control character, C1 control, bidi override and invalid
 * UTF-8 byte is shown escaped (\x1b, \n, \u202e): no banner can move the cursor, recolour the terminal or
 * reorder what a person reads.
 */
#ifndef IOTSENSE_TABLE_H
#define IOTSENSE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define TABLE_GAP 2		/* spaces between columns */
#define TABLE_MIN_COL 6		/* a shrunk column keeps at least this many columns (or its natural width) */
#define TABLE_DEFAULT_WIDTH 120 /* not a terminal and no $COLUMNS: what a pipe or a log file gets */

struct table {
	int ncols;
	char **head;	     /* escaped header cells, or NULL: no header line */
	char **cells;	     /* nrows * ncols escaped cells */
	size_t nrows, cap;
	unsigned *natural;   /* the widest cell of each column, header included, in display columns */
	bool *right;	     /* right-aligned (numbers) */
	bool *keep;	     /* shrunk only when shrinking every other column was not enough (times, counts) */
	unsigned indent;     /* spaces before each line */
	bool oom;	     /* a row could not be stored; table_print says so */
};

/* headers: ncols strings, or NULL for a table without a header line. Returns 0 or -1 (out of memory). */
int table_init(struct table *t, int ncols, const char *const *headers);
void table_free(struct table *t);
void table_align_right(struct table *t, int col);
void table_keep_width(struct table *t, int col);
/* Adds a row of ncols cells (NULL prints empty); lens may be NULL (NUL-terminated cells). 0 or -1. */
int table_add(struct table *t, const char *const *cells, const size_t *lens);
/* Prints within width display columns (0: table_term_width(f)). */
void table_print(const struct table *t, FILE *f, unsigned width);

/* The width to print to: the terminal's (TIOCGWINSZ) when f is one, else $COLUMNS, else TABLE_DEFAULT_WIDTH. */
unsigned table_term_width(FILE *f);
/* The escaped form of n bytes (malloc'ed, NUL-terminated; NULL when out of memory). */
char *table_escape(const char *s, size_t n);
/* Display columns of an escaped string (one per code point). */
unsigned table_text_width(const char *s);
/* Prints at most width columns of escaped string s: cut with an ellipsis, padded to width when pad. */
void table_put_cell(FILE *f, const char *s, unsigned width, bool pad, bool right);

#endif
