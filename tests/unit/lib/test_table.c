// SPDX-License-Identifier: GPL-2.0-only
/* user/lib/table.c: widths from content, truncation to the width with an ellipsis, escaping of wire bytes. */
#include <stdlib.h>

#include "lib/table.h"
#include "testlib.h"

/* Prints t at width into a malloc'ed string. */
static char *render(const struct table *t, unsigned width)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	table_print(t, f, width);
	fclose(f);
	return buf;
}

static char *esc(const char *s, size_t n)
{
	static char *last;

	free(last);
	last = table_escape(s, n);
	return last;
}

TEST(escape_controls)
{
	CHECK_STR(esc("plain text", 10), "plain text");
	CHECK_STR(esc("a\nb\tc\rd", 7), "a\\nb\\tc\\rd");
	/* A banner that clears the screen and moves the cursor: shown, not obeyed. */
	CHECK_STR(esc("\x1b[2J\x1b[H!", 8), "\\x1b[2J\\x1b[H!");
	CHECK_STR(esc("x\x7fy", 3), "x\\x7fy");
	CHECK_STR(esc("a\0b", 3), "a\\x00b");
}

TEST(escape_utf8)
{
	/* Valid UTF-8 stays as it is. */
	CHECK_STR(esc("Caf\xc3\xa9 \xe2\x9c\x93", 9), "Caf\xc3\xa9 \xe2\x9c\x93");
	/* Invalid bytes and overlong forms are shown as bytes. */
	CHECK_STR(esc("a\xff" "b", 3), "a\\xffb");
	CHECK_STR(esc("\xc0\xaf", 2), "\\xc0\\xaf");
	CHECK_STR(esc("\xe2\x9c", 2), "\\xe2\\x9c");
	/* U+009B (8-bit CSI) and U+202E (right-to-left override) are controls too. */
	CHECK_STR(esc("\xc2\x9b" "31m", 5), "\\u009b31m");
	CHECK_STR(esc("evil\xe2\x80\xae" "txt.exe", 14), "evil\\u202etxt.exe");
}

TEST(text_width)
{
	CHECK_EQ_INT(table_text_width(""), 0);
	CHECK_EQ_INT(table_text_width("abc"), 3);
	CHECK_EQ_INT(table_text_width("Caf\xc3\xa9"), 4);
	CHECK_EQ_INT(table_text_width("\xe2\x80\xa6"), 1);
}

TEST(widths_from_content)
{
	const char *h[] = { "ID", "NAME", "N" };
	const char *r1[] = { "a", "printer", "1" };
	const char *r2[] = { "longer-id", "cam", "12" };
	struct table t;
	char *out;

	CHECK_EQ_INT(table_init(&t, 3, h), 0);
	table_align_right(&t, 2);
	table_add(&t, r1, NULL);
	table_add(&t, r2, NULL);
	out = render(&t, 200);
	CHECK_STR(out, "ID         NAME      N\n"
		       "a          printer   1\n"
		       "longer-id  cam      12\n");
	free(out);
	table_free(&t);
}

TEST(truncates_widest_with_ellipsis)
{
	const char *h[] = { "K", "VALUE" };
	const char *r[] = { "banner", "0123456789012345678901234567890123456789" };
	struct table t;
	char *out;

	table_init(&t, 2, h);
	table_add(&t, r, NULL);
	/* 20 columns: 6 (K) + 2 (gap) + 12 left for VALUE, the last of them an ellipsis. */
	out = render(&t, 20);
	CHECK_STR(out, "K       VALUE\n"
		       "banner  01234567890\xe2\x80\xa6\n");
	free(out);
	table_free(&t);
}

TEST(kept_columns_shrink_last)
{
	const char *h[] = { "WHEN", "WHAT" };
	const char *r[] = { "2024-05-01 10:00:00", "a long title that does not fit" };
	struct table t;
	char *out;

	table_init(&t, 2, h);
	table_keep_width(&t, 0);
	table_add(&t, r, NULL);
	/* The time keeps its 19 columns; the title gets the 11 left. */
	out = render(&t, 32);
	CHECK_STR(out, "WHEN                 WHAT\n"
		       "2024-05-01 10:00:00  a long tit\xe2\x80\xa6\n");
	free(out);
	/* When even the title at its minimum is too wide, the time gives way too. */
	out = render(&t, 20);
	CHECK_STR(out, "WHEN          WHAT\n"
		       "2024-05-01 \xe2\x80\xa6  a lon\xe2\x80\xa6\n");
	free(out);
	table_free(&t);
}

TEST(every_line_fits)
{
	const char *h[] = { "A", "B", "C" };
	const char *r[] = { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
			    "cccccccccccccccccccc" };
	struct table t;
	char *out, *line, *save = NULL;

	table_init(&t, 3, h);
	for (int i = 0; i < 5; i++)
		table_add(&t, r, NULL);
	out = render(&t, 40);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		CHECK(table_text_width(line) <= 40);
	free(out);
	table_free(&t);
}

TEST(escaped_cells_in_table)
{
	const char *h[] = { "BANNER" };
	const char *r[] = { "\x1b]0;pwned\x07" };
	struct table t;
	char *out;

	table_init(&t, 1, h);
	table_add(&t, r, NULL);
	out = render(&t, 80);
	CHECK(!strchr(out, 0x1b) && !strchr(out, 0x07));
	CHECK(strstr(out, "\\x1b]0;pwned\\x07") != NULL);
	free(out);
	table_free(&t);
}

TEST(cells_with_nul_and_lengths)
{
	const char *r[] = { "a\0b", NULL };
	size_t lens[] = { 3, 0 };
	struct table t;
	char *out;

	table_init(&t, 2, NULL); /* no header line */
	table_add(&t, r, lens);
	out = render(&t, 80);
	CHECK_STR(out, "a\\x00b\n"); /* the empty last cell leaves no trailing spaces */
	free(out);
	table_free(&t);
}

TEST(indent)
{
	const char *r[] = { "key", "value" };
	struct table t;
	char *out;

	table_init(&t, 2, NULL);
	t.indent = 2;
	table_add(&t, r, NULL);
	out = render(&t, 80);
	CHECK_STR(out, "  key  value\n");
	free(out);
	table_free(&t);
}

TEST(term_width_from_columns)
{
	FILE *f = tmpfile(); /* not a terminal */

	setenv("COLUMNS", "77", 1);
	CHECK_EQ_INT(table_term_width(f), 77);
	setenv("COLUMNS", "junk", 1);
	CHECK_EQ_INT(table_term_width(f), TABLE_DEFAULT_WIDTH);
	unsetenv("COLUMNS");
	CHECK_EQ_INT(table_term_width(f), TABLE_DEFAULT_WIDTH);
	fclose(f);
}

int main(void)
{
	RUN(escape_controls);
	RUN(escape_utf8);
	RUN(text_width);
	RUN(widths_from_content);
	RUN(truncates_widest_with_ellipsis);
	RUN(kept_columns_shrink_last);
	RUN(every_line_fits);
	RUN(escaped_cells_in_table);
	RUN(cells_with_nul_and_lengths);
	RUN(indent);
	RUN(term_width_from_columns);
	esc("", 0);
	return testlib_summary();
}
