// SPDX-License-Identifier: GPL-2.0-only
/* Version comparison across vendor styles; the rules are in version.h. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "vulns/version.h"

enum tok_kind { T_NUM, T_ALPHA };

struct tok {
	const char *p;
	uint32_t len;
	uint8_t kind;
	uint8_t pre; /* pre-release rank (1 dev .. 5 rc), 0 for any other token */
};

struct ver {
	struct tok main[VERSION_TOKENS_MAX], build[VERSION_TOKENS_MAX];
	size_t nmain, nbuild;
	bool has_build;
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_sep(char c)
{
	return !is_digit(c) && !is_alpha(c);
}

static bool lone_v_before(const char *s, const char *p)
{
	return p > s && (p[-1] == 'v' || p[-1] == 'V') && (p - 1 == s || is_sep(p[-2]));
}

/*
 * Where the version proper starts (rule 1), or NULL when s has no digit. When the first digit is glued to a
 * word ("R7000", "ce9.15"), a later digit starts the version only after a lone v or a separator other than '.':
 * "R7000-V1.0.9" is 1.0.9, but "ce9.15.3" stays 9.15.3.
 */
static const char *version_start(const char *s)
{
	const char *first = NULL;

	for (const char *p = s; *p; p++) {
		if (!is_digit(*p) || (p > s && is_digit(p[-1])))
			continue;
		if (!first) {
			first = p;
			if (p == s || is_sep(p[-1]) || lone_v_before(s, p))
				return p;
			continue;
		}
		if (lone_v_before(s, p) || (is_sep(p[-1]) && p[-1] != '.'))
			return p;
	}
	return first;
}

static uint8_t pre_rank(const char *p, size_t n)
{
	static const struct {
		const char *w;
		uint8_t rank;
	} words[] = {
		{ "dev", 1 }, { "alpha", 2 }, { "beta", 3 }, { "pre", 4 }, { "preview", 4 }, { "rc", 5 },
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i].w) == n && strncasecmp(p, words[i].w, n) == 0)
			return words[i].rank;
	return 0;
}

static bool is_build_word(const char *p, size_t n)
{
	return (n == 5 && strncasecmp(p, "build", 5) == 0) || (n == 3 && strncasecmp(p, "bld", 3) == 0);
}

static size_t canon(struct tok *t, size_t n);

static bool parse(const char *s, struct ver *v)
{
	const char *p;

	memset(v, 0, sizeof(*v));
	if (!s)
		return false;
	p = version_start(s);
	if (!p)
		return false;
	while (*p) {
		struct tok t = { .p = p };
		const char *q = p;

		if (*p == '+' || *p == '_') {
			v->has_build = true;
			p++;
			continue;
		}
		if (is_sep(*p)) {
			p++;
			continue;
		}
		if (is_digit(*p)) {
			while (is_digit(*q))
				q++;
			t.kind = T_NUM;
		} else {
			while (is_alpha(*q))
				q++;
			t.kind = T_ALPHA;
		}
		t.len = (uint32_t)(q - p);
		p = q;
		if (t.kind == T_ALPHA && is_build_word(t.p, t.len)) {
			v->has_build = true;
			continue;
		}
		if (t.kind == T_ALPHA)
			t.pre = pre_rank(t.p, t.len);
		if (v->has_build) {
			if (v->nbuild < VERSION_TOKENS_MAX)
				v->build[v->nbuild++] = t;
		} else if (v->nmain < VERSION_TOKENS_MAX) {
			v->main[v->nmain++] = t;
		}
	}
	v->nmain = canon(v->main, v->nmain);
	v->nbuild = canon(v->build, v->nbuild);
	return true;
}

static bool tok_zero(const struct tok *t)
{
	if (t->kind != T_NUM)
		return false;
	for (uint32_t i = 0; i < t->len; i++)
		if (t->p[i] != '0')
			return false;
	return true;
}

/*
 * The canonical form that makes the order total: zeros are padding, so "1.0" = "1.0.0" and "1.0a" = "1.0.0a" =
 * "1.a". Drops zero numbers that end the sequence or come right before a letter run.
 */
static size_t canon(struct tok *t, size_t n)
{
	size_t out = 0;

	for (size_t i = 0; i < n; i++) {
		size_t j = i;

		if (tok_zero(&t[i])) {
			while (j < n && tok_zero(&t[j]))
				j++;
			if (j == n || t[j].kind == T_ALPHA) {
				i = j - 1;
				continue;
			}
		}
		t[out++] = t[i];
	}
	return out;
}

bool version_valid(const char *s)
{
	return s && version_start(s) != NULL;
}

static int sign(long long x)
{
	return (x > 0) - (x < 0);
}

static int num_cmp(const struct tok *a, const struct tok *b)
{
	const char *pa = a->p, *pb = b->p;
	size_t la = a->len, lb = b->len;

	while (la > 1 && *pa == '0') {
		pa++;
		la--;
	}
	while (lb > 1 && *pb == '0') {
		pb++;
		lb--;
	}
	if (la != lb)
		return la < lb ? -1 : 1;
	return sign(memcmp(pa, pb, la));
}

static int alpha_cmp(const struct tok *a, const struct tok *b)
{
	size_t n = a->len < b->len ? a->len : b->len;

	for (size_t i = 0; i < n; i++) {
		int ca = tolower((unsigned char)a->p[i]), cb = tolower((unsigned char)b->p[i]);

		if (ca != cb)
			return ca < cb ? -1 : 1;
	}
	return sign((long long)a->len - (long long)b->len);
}

static int tok_cmp(const struct tok *a, const struct tok *b)
{
	if (a->pre || b->pre) {
		if (!b->pre)
			return -1;
		if (!a->pre)
			return 1;
		return sign((int)a->pre - (int)b->pre);
	}
	if (a->kind != b->kind)
		return a->kind == T_ALPHA ? -1 : 1;
	return a->kind == T_NUM ? num_cmp(a, b) : alpha_cmp(a, b);
}

/* Rule 5: what the extra tokens of the longer side make of it. +1: it is greater. */
static int tail_cmp(const struct tok *rest, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (tok_zero(&rest[i]))
			continue;
		return rest[i].pre ? -1 : 1;
	}
	return 0;
}

static int seq_cmp(const struct tok *a, size_t na, const struct tok *b, size_t nb)
{
	size_t i;

	for (i = 0; i < na && i < nb; i++) {
		int c = tok_cmp(&a[i], &b[i]);

		if (c)
			return c;
	}
	if (i < na)
		return tail_cmp(a + i, na - i);
	if (i < nb)
		return -tail_cmp(b + i, nb - i);
	return 0;
}

bool version_cmp(const char *a, const char *b, int *res)
{
	struct ver va, vb;
	int c;

	if (!parse(a, &va) || !parse(b, &vb))
		return false;
	c = seq_cmp(va.main, va.nmain, vb.main, vb.nmain);
	if (!c && va.has_build && vb.has_build)
		c = seq_cmp(va.build, va.nbuild, vb.build, vb.nbuild);
	*res = c;
	return true;
}

static bool empty(const char *s)
{
	return !s || !*s;
}

/* "*" (any) and "-" (not applicable) are what NVD writes for "no particular version". */
static bool any_version(const char *s)
{
	return empty(s) || strcmp(s, "*") == 0 || strcmp(s, "-") == 0;
}

bool version_range_all(const struct version_range *r)
{
	return any_version(r->exact) && empty(r->start) && empty(r->end);
}

bool version_in_range(const char *v, const struct version_range *r)
{
	int c;

	if (version_range_all(r))
		return true;
	if (!version_valid(v))
		return false;
	if (!any_version(r->exact))
		return version_cmp(v, r->exact, &c) && c == 0;
	if (!empty(r->start)) {
		if (!version_cmp(v, r->start, &c) || c < 0 || (c == 0 && !r->start_incl))
			return false;
	}
	if (!empty(r->end)) {
		if (!version_cmp(v, r->end, &c) || c > 0 || (c == 0 && !r->end_incl))
			return false;
	}
	return true;
}

const char *version_range_str(const struct version_range *r, char *buf, size_t size)
{
	if (!size)
		return buf;
	if (version_range_all(r)) {
		snprintf(buf, size, "all versions");
	} else if (!any_version(r->exact)) {
		snprintf(buf, size, "= %s", r->exact);
	} else if (!empty(r->start) && !empty(r->end)) {
		snprintf(buf, size, "%s %s, %s %s", r->start_incl ? ">=" : ">", r->start, r->end_incl ? "<=" : "<",
			 r->end);
	} else if (!empty(r->start)) {
		snprintf(buf, size, "%s %s", r->start_incl ? ">=" : ">", r->start);
	} else {
		snprintf(buf, size, "%s %s", r->end_incl ? "<=" : "<", r->end);
	}
	return buf;
}
