// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bounded line and header helpers for the text-banner decoders (see text_util.h). Everything works on
 * (pointer, length) views: wire bytes are never NUL-terminated, so no str*() function touches them.
 */
#include <string.h>

#include "text_util.h"

static inline uint8_t lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

static inline bool is_blank(uint8_t c)
{
	return c == ' ' || c == '\t';
}

bool tu_next_line(const uint8_t *p, size_t n, size_t *off, struct tu_span *line, bool *terminated)
{
	size_t i = *off;

	if (i >= n)
		return false;
	line->p = p + i;
	while (i < n && p[i] != '\n' && p[i] != '\r')
		i++;
	line->n = (size_t)(p + i - line->p);
	*terminated = i < n;
	if (i < n && p[i] == '\r') {
		i++;
		if (i < n && p[i] == '\n')
			i++;
	} else if (i < n) {
		i++;
	}
	*off = i;
	return true;
}

struct tu_span tu_trim(struct tu_span s)
{
	while (s.n && is_blank(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n && is_blank(s.p[s.n - 1]))
		s.n--;
	return s;
}

bool tu_prefix(struct tu_span s, const char *lit)
{
	size_t l = strlen(lit);

	return s.n >= l && memcmp(s.p, lit, l) == 0;
}

bool tu_prefix_ci(struct tu_span s, const char *lit)
{
	size_t l = strlen(lit);

	if (s.n < l)
		return false;
	for (size_t i = 0; i < l; i++)
		if (lower(s.p[i]) != lower((uint8_t)lit[i]))
			return false;
	return true;
}

bool tu_suffix_ci(struct tu_span s, const char *lit)
{
	size_t l = strlen(lit);
	struct tu_span tail;

	if (s.n < l)
		return false;
	tail.p = s.p + s.n - l;
	tail.n = l;
	return tu_prefix_ci(tail, lit);
}

bool tu_eq_ci(struct tu_span s, const char *lit)
{
	return s.n == strlen(lit) && tu_prefix_ci(s, lit);
}

static long find(struct tu_span s, const char *needle, bool ci)
{
	size_t l = strlen(needle);

	if (!l || s.n < l)
		return l ? -1 : 0;
	for (size_t i = 0; i + l <= s.n; i++) {
		struct tu_span at = { s.p + i, l };

		if (ci ? tu_prefix_ci(at, needle) : tu_prefix(at, needle))
			return (long)i;
	}
	return -1;
}

long tu_find(struct tu_span s, const char *needle)
{
	return find(s, needle, false);
}

long tu_find_ci(struct tu_span s, const char *needle)
{
	return find(s, needle, true);
}

bool tu_header(struct tu_span line, const char *name, struct tu_span *value)
{
	size_t l = strlen(name), i;

	if (!tu_prefix_ci(line, name))
		return false;
	i = l;
	while (i < line.n && is_blank(line.p[i]))
		i++;
	if (i >= line.n || line.p[i] != ':')
		return false;
	value->p = line.p + i + 1;
	value->n = line.n - i - 1;
	*value = tu_trim(*value);
	return true;
}

bool tu_token(struct tu_span *s, struct tu_span *tok)
{
	size_t i = 0;

	while (i < s->n && is_blank(s->p[i]))
		i++;
	if (i >= s->n)
		return false;
	tok->p = s->p + i;
	while (i < s->n && !is_blank(s->p[i]))
		i++;
	tok->n = (size_t)(s->p + i - tok->p);
	while (i < s->n && is_blank(s->p[i]))
		i++;
	s->p += i;
	s->n -= i;
	return true;
}

bool tu_reply_code(struct tu_span line, int *code)
{
	if (line.n < 3)
		return false;
	for (int i = 0; i < 3; i++)
		if (line.p[i] < '0' || line.p[i] > '9')
			return false;
	if (line.p[0] < '1' || line.p[0] > '5')
		return false;
	if (line.n > 3 && line.p[3] != ' ' && line.p[3] != '-')
		return false;
	*code = (line.p[0] - '0') * 100 + (line.p[1] - '0') * 10 + (line.p[2] - '0');
	return true;
}

size_t tu_join(char *buf, size_t size, const char *prefix, struct tu_span s)
{
	size_t w = 0;

	if (!size)
		return 0;
	while (*prefix && w + 1 < size)
		buf[w++] = *prefix++;
	for (size_t i = 0; i < s.n && w + 1 < size; i++)
		buf[w++] = (char)s.p[i];
	buf[w] = 0;
	return w;
}
