// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fingerprint rules engine: loads the *.yaml files of rules/fingerprints with libyaml's event parser (so
 * every error carries the file, line and column of the offending token), compiles each pattern once with PCRE2,
 * and matches a device's observations against every rule. The format: rules/fingerprints/README.md.
 *
 * Self-contained on purpose (libyaml and libpcre2-8 only): the fuzz harness tests/fuzz/fuzz_rules.c builds it
 * alone.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <yaml.h>

#include "classify.h"

enum field { F_TYPE, F_VENDOR, F_MODEL, F_OS, F_FIRMWARE, F_COUNT };

static const char *const field_names[F_COUNT] = { "type", "vendor", "model", "os", "firmware" };

const char *const classify_types[] = {
	"printer", "voip_phone", "ip_camera", "smart_tv", "media_player", "conferencing", "network_switch",
	"router", "access_point", "plc", "hmi", "building_controller", "workstation", "server", "mobile",
	"iot_other", NULL,
};

/*
 * Limits that keep one rule's evaluation on the stack and bound what a hostile rule file can cost. A rule's
 * conditions that hold at once are its plain ones plus those of one any: alternative.
 */
#define MAX_CONDS 8
#define MAX_GROUPS 15
#define MAX_PATTERN 1024
#define MAX_TEMPLATE 256
#define MAX_FILE_SIZE (4u << 20)
#define MAX_KEY 39 /* OBS_KEY_MAX - 1 in decoders/decoder.h */
/*
 * Patterns are written by the operator but run on bytes from the wire: a match limit turns a catastrophic
 * backtracking pattern into a non-match instead of a stalled daemon.
 */
#define MATCH_LIMIT 200000
#define DEPTH_LIMIT 10000

#define OUI_KEY "oui_vendor"

struct cond {
	char *key;
	pcre2_code *re;
	uint32_t ngroups;
	bool is_oui; /* key is the MAC vendor, not an observation */
};

struct alt {
	struct cond *conds;
	size_t n;
};

struct setter {
	char *tmpl; /* NULL: the rule does not set this field */
	uint8_t confidence; /* 0: the rule's confidence */
	unsigned int line, column;
};

struct rule {
	char id[CLASSIFY_ID_MAX];
	struct cond *conds; /* the plain conditions of match:, in the order written */
	size_t nconds;
	size_t any_at; /* how many plain conditions are written before any: */
	struct alt *alts; /* the alternatives of any:; none when nalts == 0 */
	size_t nalts;
	struct setter set[F_COUNT];
	uint8_t confidence;
	size_t file;
	unsigned int line, column; /* of the id, for duplicate-id messages */
};

struct classify_rules {
	struct rule *rules;
	size_t n, cap;
	char **files;
	size_t nfiles;
	pcre2_match_context *mctx;
};

struct loader {
	yaml_parser_t parser;
	yaml_event_t ev;
	bool have_ev;
	const char *path;
	const unsigned char *buf;
	size_t len;
	struct classify_rules *rs;
	struct classify_error *err;
	bool failed;
};

/* A condition that held: which value it matched and where its groups are. */
struct hit {
	const struct cond *c;
	const char *key;
	const char *subject;
	PCRE2_SIZE ov[2 * (MAX_GROUPS + 1)];
};

bool classify_type_valid(const char *type)
{
	for (size_t i = 0; classify_types[i]; i++)
		if (strcmp(type, classify_types[i]) == 0)
			return true;
	return false;
}

static void verror(struct classify_error *err, const char *file, unsigned int line, unsigned int col, bool io,
		   const char *fmt, va_list ap)
{
	char what[512];

	vsnprintf(what, sizeof(what), fmt, ap);
	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", file);
	err->line = line;
	err->column = col;
	err->io = io;
	if (line)
		snprintf(err->msg, sizeof(err->msg), "%s:%u:%u: %s", file, line, col, what);
	else
		snprintf(err->msg, sizeof(err->msg), "%s: %s", file, what);
}

/* An error about a whole file or directory: no position. */
static void __attribute__((format(printf, 4, 5)))
set_error(struct classify_error *err, const char *file, bool io, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(err, file, 0, 0, io, fmt, ap);
	va_end(ap);
}

/* Records the first error only: later ones are consequences of it. libyaml marks are 0-based. */
static void __attribute__((format(printf, 4, 5)))
fail_at(struct loader *l, unsigned int line, unsigned int col, const char *fmt, ...)
{
	va_list ap;

	if (l->failed)
		return;
	l->failed = true;
	va_start(ap, fmt);
	verror(l->err, l->path, line, col, false, fmt, ap);
	va_end(ap);
}

#define fail(l, mark, ...) fail_at((l), (unsigned int)(mark).line + 1, (unsigned int)(mark).column + 1, __VA_ARGS__)
#define EV(l) (&(l)->ev)
#define EVMARK(l) ((l)->ev.start_mark)
#define SCALAR(l) ((const char *)(l)->ev.data.scalar.value)

/* libyaml's reader reports a byte offset only (bad UTF-8): turn it into a line and column. */
static void offset_to_pos(const struct loader *l, size_t off, unsigned int *line, unsigned int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && i < l->len; i++) {
		if (l->buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/*
 * Advances to the next event. The previous event is released here, so strings from it must be copied before
 * the next call. Aliases are refused: rules gain nothing from them and they are the classic YAML bomb.
 */
static bool next(struct loader *l)
{
	yaml_parser_t *p = &l->parser;
	unsigned int line, col;

	if (l->have_ev) {
		yaml_event_delete(&l->ev);
		l->have_ev = false;
	}
	if (l->failed)
		return false;
	if (!yaml_parser_parse(p, &l->ev)) {
		if (p->error == YAML_READER_ERROR) {
			offset_to_pos(l, p->problem_offset, &line, &col);
			fail_at(l, line, col, "YAML: %s", p->problem ? p->problem : "unreadable input");
		} else if (p->error == YAML_MEMORY_ERROR) {
			fail_at(l, 0, 0, "out of memory");
		} else if (p->context) {
			fail(l, p->problem_mark, "YAML: %s (%s at line %zu)", p->problem ? p->problem : "syntax error",
			     p->context, p->context_mark.line + 1);
		} else {
			fail(l, p->problem_mark, "YAML: %s", p->problem ? p->problem : "syntax error");
		}
		return false;
	}
	l->have_ev = true;
	if (l->ev.type == YAML_ALIAS_EVENT) {
		fail(l, EVMARK(l), "aliases (*name) are not supported in rules");
		return false;
	}
	if (l->ev.type == YAML_SCALAR_EVENT && strlen(SCALAR(l)) != l->ev.data.scalar.length) {
		fail(l, EVMARK(l), "NUL character in a string");
		return false;
	}
	return true;
}

/* Advances and requires a scalar; what names the expected value in the error. */
static bool next_scalar(struct loader *l, const char *what)
{
	if (!next(l))
		return false;
	if (l->ev.type != YAML_SCALAR_EVENT) {
		fail(l, EVMARK(l), "expected %s", what);
		return false;
	}
	return true;
}

static void cond_free(struct cond *c)
{
	free(c->key);
	pcre2_code_free(c->re);
}

static void rule_free(struct rule *r)
{
	for (size_t i = 0; i < r->nconds; i++)
		cond_free(&r->conds[i]);
	free(r->conds);
	for (size_t a = 0; a < r->nalts; a++) {
		for (size_t i = 0; i < r->alts[a].n; i++)
			cond_free(&r->alts[a].conds[i]);
		free(r->alts[a].conds);
	}
	free(r->alts);
	for (int f = 0; f < F_COUNT; f++)
		free(r->set[f].tmpl);
	memset(r, 0, sizeof(*r));
}

static bool key_valid(const char *k)
{
	size_t n = strlen(k);

	if (n == 0 || n > MAX_KEY || !((k[0] >= 'a' && k[0] <= 'z') || (k[0] >= 'A' && k[0] <= 'Z')))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = k[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

static bool id_valid(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n >= CLASSIFY_ID_MAX || !((id[0] >= 'a' && id[0] <= 'z') || (id[0] >= '0' && id[0] <= '9')))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
			return false;
	}
	return true;
}

/* 1..100, decimal, nothing else. */
static bool parse_confidence(const char *s, uint8_t *out)
{
	unsigned int v = 0;

	if (!*s || strlen(s) > 3)
		return false;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (unsigned int)(*p - '0');
	}
	if (v < 1 || v > 100)
		return false;
	*out = (uint8_t)v;
	return true;
}

/*
 * Template syntax: text, {N} (a group number), {name} (a named group), {{ and }} for literal braces. Calls fn
 * for every reference; returns false with why filled when the syntax is wrong.
 */
static bool tmpl_walk(const char *t, bool (*fn)(void *ctx, const char *ref, char *why, size_t whysz), void *ctx,
		      char *why, size_t whysz)
{
	for (const char *p = t; *p; p++) {
		const char *end;
		char ref[40];
		size_t n;

		if (*p == '}') {
			if (p[1] != '}') {
				snprintf(why, whysz, "'}' without '{' (write '}}' for a literal brace)");
				return false;
			}
			p++;
			continue;
		}
		if (*p != '{')
			continue;
		if (p[1] == '{') {
			p++;
			continue;
		}
		end = strchr(p + 1, '}');
		if (!end) {
			snprintf(why, whysz, "unterminated '{' (write '{{' for a literal brace)");
			return false;
		}
		n = (size_t)(end - p - 1);
		if (n == 0 || n >= sizeof(ref)) {
			snprintf(why, whysz, "'{...}' wants a group number or name");
			return false;
		}
		memcpy(ref, p + 1, n);
		ref[n] = '\0';
		if (ref[0] >= '0' && ref[0] <= '9') {
			for (size_t i = 0; i < n; i++) {
				if (ref[i] < '0' || ref[i] > '9' || n > 2) {
					snprintf(why, whysz, "'{%s}' is not a group number", ref);
					return false;
				}
			}
		} else {
			for (size_t i = 0; i < n; i++) {
				char c = ref[i];

				if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
				      (i && c >= '0' && c <= '9'))) {
					snprintf(why, whysz, "'{%s}' is not a group name", ref);
					return false;
				}
			}
		}
		if (fn && !fn(ctx, ref, why, whysz))
			return false;
		p = end;
	}
	return true;
}

/* The conditions whose groups {N} refers to: the first one written (one per alternative if any: comes first). */
static size_t first_conds(const struct rule *r, const struct cond **out)
{
	size_t n = 0;

	if (r->nconds && (r->any_at > 0 || r->nalts == 0)) {
		out[n++] = &r->conds[0];
		return n;
	}
	for (size_t a = 0; a < r->nalts; a++)
		if (r->alts[a].n)
			out[n++] = &r->alts[a].conds[0];
	return n;
}

static int group_by_name(const struct cond *c, const char *name)
{
	return pcre2_substring_number_from_name(c->re, (PCRE2_SPTR)name);
}

/* Every reference of a template must name a group that exists: checked at load, not discovered at run time. */
static bool check_ref(void *ctx, const char *ref, char *why, size_t whysz)
{
	const struct rule *r = ctx;

	if (ref[0] >= '0' && ref[0] <= '9') {
		const struct cond *firsts[MAX_CONDS + 1];
		unsigned long g = strtoul(ref, NULL, 10);
		size_t n = first_conds(r, firsts);

		if (n == 0) {
			snprintf(why, whysz, "'{%s}': the rule has no condition", ref);
			return false;
		}
		for (size_t i = 0; i < n; i++) {
			if (g > firsts[i]->ngroups) {
				snprintf(why, whysz,
					 "'{%s}': the pattern of the first condition (%s) has %u capture group%s", ref,
					 firsts[i]->key, firsts[i]->ngroups, firsts[i]->ngroups == 1 ? "" : "s");
				return false;
			}
		}
		return true;
	}
	for (size_t pass = 0; pass < 2; pass++) {
		size_t total = pass == 0 ? 1 : r->nalts;

		for (size_t a = 0; a < total; a++) {
			const struct cond *cs = pass == 0 ? r->conds : r->alts[a].conds;
			size_t nc = pass == 0 ? r->nconds : r->alts[a].n;

			for (size_t i = 0; i < nc; i++) {
				int g = group_by_name(&cs[i], ref);

				if (g == PCRE2_ERROR_NOUNIQUESUBSTRING) {
					snprintf(why, whysz, "'{%s}': the pattern of %s has several groups so named",
						 ref, cs[i].key);
					return false;
				}
				if (g > 0)
					return true;
			}
		}
	}
	snprintf(why, whysz, "'{%s}': no pattern of this rule has a group (?<%s>...)", ref, ref);
	return false;
}

static bool append_cond(struct loader *l, struct cond **arr, size_t *n, const char *key, yaml_mark_t keymark)
{
	PCRE2_SIZE erroff;
	pcre2_code *re;
	struct cond *grown;
	uint32_t ngroups = 0;
	int errcode;
	char *k;

	for (size_t i = 0; i < *n; i++) {
		if (strcmp((*arr)[i].key, key) == 0) {
			fail(l, keymark, "duplicate condition '%s' (combine the patterns in one regex)", key);
			return false;
		}
	}
	if (!next_scalar(l, "a pattern (a string)"))
		return false;
	if (l->ev.data.scalar.length == 0) {
		fail(l, EVMARK(l), "empty pattern for '%s' (write '.' to require that the key is present)", key);
		return false;
	}
	if (l->ev.data.scalar.length > MAX_PATTERN) {
		fail(l, EVMARK(l), "pattern longer than %d bytes", MAX_PATTERN);
		return false;
	}
	/*
	 * UTF mode so that (?i) and . work on non-ASCII names; MATCH_INVALID_UTF because values are wire bytes that
	 * need not be valid UTF-8 and must still be matched rather than rejected.
	 */
	re = pcre2_compile((PCRE2_SPTR)SCALAR(l), l->ev.data.scalar.length, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
			   &errcode, &erroff, NULL);
	if (!re) {
		PCRE2_UCHAR msg[160];

		pcre2_get_error_message(errcode, msg, sizeof(msg));
		fail(l, EVMARK(l), "bad pattern for '%s': %s (at offset %zu)", key, (const char *)msg, (size_t)erroff);
		return false;
	}
	pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &ngroups);
	if (ngroups > MAX_GROUPS) {
		fail(l, EVMARK(l), "pattern for '%s' has %u capture groups (at most %d; use (?:...))", key, ngroups,
		     MAX_GROUPS);
		pcre2_code_free(re);
		return false;
	}
	/* JIT is an optimisation only: a pattern it cannot compile still runs in the interpreter. */
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	k = strdup(key);
	grown = realloc(*arr, (*n + 1) * sizeof(**arr));
	if (!k || !grown) {
		fail_at(l, 0, 0, "out of memory");
		free(k);
		if (grown)
			*arr = grown;
		pcre2_code_free(re);
		return false;
	}
	*arr = grown;
	(*arr)[*n] = (struct cond){ .key = k, .re = re, .ngroups = ngroups, .is_oui = strcmp(k, OUI_KEY) == 0 };
	(*n)++;
	return true;
}

/* The current event is a scalar key of a condition mapping: checks it and appends the condition it opens. */
static bool parse_cond(struct loader *l, struct cond **arr, size_t *n)
{
	yaml_mark_t keymark = EVMARK(l);
	char key[MAX_KEY + 1];

	if (!key_valid(SCALAR(l))) {
		fail(l, keymark, "'%.60s' is not an observation key (a letter, then letters, digits, '_'; at most %d)",
		     SCALAR(l), MAX_KEY);
		return false;
	}
	snprintf(key, sizeof(key), "%s", SCALAR(l));
	return append_cond(l, arr, n, key, keymark);
}

static bool parse_any(struct loader *l, struct rule *r, yaml_mark_t anymark)
{
	if (!next(l))
		return false;
	if (l->ev.type != YAML_SEQUENCE_START_EVENT) {
		fail(l, EVMARK(l), "any: expects a list of condition mappings");
		return false;
	}
	for (;;) {
		struct alt *grown;
		struct alt *a;
		yaml_mark_t altmark;

		if (!next(l))
			return false;
		if (l->ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		if (l->ev.type != YAML_MAPPING_START_EVENT) {
			fail(l, EVMARK(l), "any: expects a list of condition mappings");
			return false;
		}
		altmark = EVMARK(l);
		grown = realloc(r->alts, (r->nalts + 1) * sizeof(*r->alts));
		if (!grown) {
			fail_at(l, 0, 0, "out of memory");
			return false;
		}
		r->alts = grown;
		a = &r->alts[r->nalts++];
		*a = (struct alt){ 0 };
		for (;;) {
			if (!next(l))
				return false;
			if (l->ev.type == YAML_MAPPING_END_EVENT)
				break;
			if (l->ev.type != YAML_SCALAR_EVENT) {
				fail(l, EVMARK(l), "expected an observation key");
				return false;
			}
			if (strcmp(SCALAR(l), "any") == 0) {
				fail(l, EVMARK(l), "any: cannot be nested");
				return false;
			}
			if (!parse_cond(l, &a->conds, &a->n))
				return false;
		}
		if (a->n == 0) {
			fail(l, altmark, "empty alternative in any:");
			return false;
		}
	}
	if (r->nalts == 0) {
		fail(l, anymark, "any: needs at least one alternative");
		return false;
	}
	return true;
}

static bool parse_match(struct loader *l, struct rule *r)
{
	yaml_mark_t mark;

	if (!next(l))
		return false;
	mark = EVMARK(l);
	if (l->ev.type != YAML_MAPPING_START_EVENT) {
		fail(l, mark, "match: expects a mapping of observation keys to patterns");
		return false;
	}
	for (;;) {
		if (!next(l))
			return false;
		if (l->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if (l->ev.type != YAML_SCALAR_EVENT) {
			fail(l, EVMARK(l), "expected an observation key");
			return false;
		}
		if (strcmp(SCALAR(l), "any") == 0) {
			yaml_mark_t anymark = EVMARK(l);

			if (r->nalts) {
				fail(l, anymark, "duplicate key 'any'");
				return false;
			}
			r->any_at = r->nconds;
			if (!parse_any(l, r, anymark))
				return false;
			continue;
		}
		if (!parse_cond(l, &r->conds, &r->nconds))
			return false;
	}
	if (r->nconds == 0 && r->nalts == 0) {
		fail(l, mark, "match: needs at least one condition");
		return false;
	}
	for (size_t a = 0; a < (r->nalts ? r->nalts : 1); a++) {
		size_t held = r->nconds + (r->nalts ? r->alts[a].n : 0);

		if (held > MAX_CONDS) {
			fail(l, mark, "match: %zu conditions would have to hold at once (at most %d)", held, MAX_CONDS);
			return false;
		}
	}
	return true;
}

static int field_index(const char *name)
{
	for (int f = 0; f < F_COUNT; f++)
		if (strcmp(name, field_names[f]) == 0)
			return f;
	return -1;
}

/* The current event is the scalar template of field f. */
static bool take_template(struct loader *l, struct setter *s, int f)
{
	char why[160];

	if (l->ev.data.scalar.length == 0) {
		fail(l, EVMARK(l), "empty value for '%s'", field_names[f]);
		return false;
	}
	if (l->ev.data.scalar.length > MAX_TEMPLATE) {
		fail(l, EVMARK(l), "value of '%s' longer than %d bytes", field_names[f], MAX_TEMPLATE);
		return false;
	}
	if (f == F_TYPE && !classify_type_valid(SCALAR(l))) {
		char list[400] = "";
		size_t off = 0;

		for (size_t i = 0; classify_types[i] && off < sizeof(list); i++)
			off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s", i ? ", " : "",
						classify_types[i]);
		fail(l, EVMARK(l), "unknown device type '%.40s' (one of: %s)", SCALAR(l), list);
		return false;
	}
	if (!tmpl_walk(SCALAR(l), NULL, NULL, why, sizeof(why))) {
		fail(l, EVMARK(l), "%s: %s", field_names[f], why);
		return false;
	}
	s->tmpl = strdup(SCALAR(l));
	if (!s->tmpl) {
		fail_at(l, 0, 0, "out of memory");
		return false;
	}
	s->line = (unsigned int)EVMARK(l).line + 1;
	s->column = (unsigned int)EVMARK(l).column + 1;
	return true;
}

/* field: {value: TEMPLATE, confidence: N} */
static bool parse_setter_map(struct loader *l, struct setter *s, int f)
{
	yaml_mark_t mark = EVMARK(l);
	bool have_conf = false;

	for (;;) {
		if (!next(l))
			return false;
		if (l->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if (l->ev.type != YAML_SCALAR_EVENT) {
			fail(l, EVMARK(l), "expected 'value' or 'confidence'");
			return false;
		}
		if (strcmp(SCALAR(l), "value") == 0) {
			if (s->tmpl) {
				fail(l, EVMARK(l), "duplicate key 'value'");
				return false;
			}
			if (!next_scalar(l, "a string") || !take_template(l, s, f))
				return false;
		} else if (strcmp(SCALAR(l), "confidence") == 0) {
			if (have_conf) {
				fail(l, EVMARK(l), "duplicate key 'confidence'");
				return false;
			}
			have_conf = true;
			if (!next_scalar(l, "a confidence from 1 to 100"))
				return false;
			if (!parse_confidence(SCALAR(l), &s->confidence)) {
				fail(l, EVMARK(l), "confidence must be a whole number from 1 to 100, not '%.20s'",
				     SCALAR(l));
				return false;
			}
		} else {
			fail(l, EVMARK(l), "unknown key '%.40s' in '%s' (expected value or confidence)", SCALAR(l),
			     field_names[f]);
			return false;
		}
	}
	if (!s->tmpl) {
		fail(l, mark, "'%s' without 'value'", field_names[f]);
		return false;
	}
	return true;
}

static bool parse_set(struct loader *l, struct rule *r)
{
	yaml_mark_t mark;
	int nset = 0;

	if (!next(l))
		return false;
	mark = EVMARK(l);
	if (l->ev.type != YAML_MAPPING_START_EVENT) {
		fail(l, mark, "set: expects a mapping of fields (type, vendor, model, os, firmware) to values");
		return false;
	}
	for (;;) {
		int f;

		if (!next(l))
			return false;
		if (l->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if (l->ev.type != YAML_SCALAR_EVENT) {
			fail(l, EVMARK(l), "expected a field name");
			return false;
		}
		f = field_index(SCALAR(l));
		if (f < 0) {
			fail(l, EVMARK(l), "unknown field '%.40s' in set (expected type, vendor, model, os, firmware)",
			     SCALAR(l));
			return false;
		}
		if (r->set[f].tmpl) {
			fail(l, EVMARK(l), "duplicate field '%s'", field_names[f]);
			return false;
		}
		if (!next(l))
			return false;
		if (l->ev.type == YAML_SCALAR_EVENT) {
			if (!take_template(l, &r->set[f], f))
				return false;
		} else if (l->ev.type == YAML_MAPPING_START_EVENT) {
			if (!parse_setter_map(l, &r->set[f], f))
				return false;
		} else {
			fail(l, EVMARK(l), "expected a value for '%s'", field_names[f]);
			return false;
		}
		nset++;
	}
	if (nset == 0) {
		fail(l, mark, "set: needs at least one field");
		return false;
	}
	return true;
}

enum rule_key { K_ID = 1, K_DESCRIPTION = 2, K_MATCH = 4, K_SET = 8, K_CONFIDENCE = 16 };

static int rule_key(const char *k)
{
	static const struct {
		const char *name;
		int bit;
	} keys[] = {
		{ "id", K_ID }, { "description", K_DESCRIPTION }, { "match", K_MATCH },
		{ "set", K_SET }, { "confidence", K_CONFIDENCE },
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(k, keys[i].name) == 0)
			return keys[i].bit;
	return 0;
}

/* Everything that needs the whole rule: required keys, template references, a unique id. */
static bool finish_rule(struct loader *l, struct rule *r, int seen, yaml_mark_t mark)
{
	static const struct {
		int bit;
		const char *name;
	} required[] = { { K_ID, "id" }, { K_MATCH, "match" }, { K_SET, "set" }, { K_CONFIDENCE, "confidence" } };
	struct classify_rules *rs = l->rs;
	char why[200];

	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (!(seen & required[i].bit)) {
			if (seen & K_ID)
				fail(l, mark, "rule '%s' has no '%s'", r->id, required[i].name);
			else
				fail(l, mark, "rule without '%s'", required[i].name);
			return false;
		}
	}
	for (int f = 0; f < F_COUNT; f++) {
		if (r->set[f].tmpl && !tmpl_walk(r->set[f].tmpl, check_ref, r, why, sizeof(why))) {
			fail_at(l, r->set[f].line, r->set[f].column, "%s: %s", field_names[f], why);
			return false;
		}
	}
	for (size_t i = 0; i < rs->n; i++) {
		if (strcmp(rs->rules[i].id, r->id) == 0) {
			fail_at(l, r->line, r->column, "duplicate rule id '%s' (first defined at %s:%u:%u)", r->id,
				rs->files[rs->rules[i].file], rs->rules[i].line, rs->rules[i].column);
			return false;
		}
	}
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 64;
		struct rule *grown = realloc(rs->rules, cap * sizeof(*grown));

		if (!grown) {
			fail_at(l, 0, 0, "out of memory");
			return false;
		}
		rs->rules = grown;
		rs->cap = cap;
	}
	r->file = rs->nfiles - 1;
	rs->rules[rs->n++] = *r;
	memset(r, 0, sizeof(*r));
	return true;
}

/* The current event is the MAPPING_START of a rule. */
static bool parse_rule(struct loader *l)
{
	yaml_mark_t mark = EVMARK(l);
	struct rule r;
	bool ok = false;
	int seen = 0;

	memset(&r, 0, sizeof(r));
	for (;;) {
		yaml_mark_t keymark;
		int k;

		if (!next(l))
			goto out;
		if (l->ev.type == YAML_MAPPING_END_EVENT)
			break;
		keymark = EVMARK(l);
		if (l->ev.type != YAML_SCALAR_EVENT) {
			fail(l, keymark, "expected a key (id, description, match, set or confidence)");
			goto out;
		}
		k = rule_key(SCALAR(l));
		if (!k) {
			fail(l, keymark,
			     "unknown key '%.40s' in a rule (expected id, description, match, set or confidence)",
			     SCALAR(l));
			goto out;
		}
		if (seen & k) {
			fail(l, keymark, "duplicate key '%s'", SCALAR(l));
			goto out;
		}
		seen |= k;
		switch (k) {
		case K_ID:
			if (!next_scalar(l, "a rule id (a string)"))
				goto out;
			if (!id_valid(SCALAR(l))) {
				fail(l, EVMARK(l),
				     "bad rule id '%.60s' (lower-case letters, digits, '-', '_', '.'; at most %d)",
				     SCALAR(l), CLASSIFY_ID_MAX - 1);
				goto out;
			}
			snprintf(r.id, sizeof(r.id), "%s", SCALAR(l));
			r.line = (unsigned int)EVMARK(l).line + 1;
			r.column = (unsigned int)EVMARK(l).column + 1;
			break;
		case K_DESCRIPTION:
			if (!next_scalar(l, "a description (a string)"))
				goto out;
			break;
		case K_CONFIDENCE:
			if (!next_scalar(l, "a confidence from 1 to 100"))
				goto out;
			if (!parse_confidence(SCALAR(l), &r.confidence)) {
				fail(l, EVMARK(l), "confidence must be a whole number from 1 to 100, not '%.20s'",
				     SCALAR(l));
				goto out;
			}
			break;
		case K_MATCH:
			if (!parse_match(l, &r))
				goto out;
			break;
		case K_SET:
			if (!parse_set(l, &r))
				goto out;
			break;
		}
	}
	ok = finish_rule(l, &r, seen, mark);
out:
	rule_free(&r);
	return ok;
}

static bool parse_stream(struct loader *l)
{
	if (!next(l)) /* STREAM_START */
		return false;
	if (!next(l))
		return false;
	if (l->ev.type == YAML_STREAM_END_EVENT) /* nothing but comments */
		return true;
	if (!next(l)) /* after DOCUMENT_START */
		return false;
	if (l->ev.type != YAML_SEQUENCE_START_EVENT) {
		fail(l, EVMARK(l), "expected a list of rules ('- id: ...')");
		return false;
	}
	for (;;) {
		if (!next(l))
			return false;
		if (l->ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		if (l->ev.type != YAML_MAPPING_START_EVENT) {
			fail(l, EVMARK(l), "expected a rule (a mapping with id, match, set, confidence)");
			return false;
		}
		if (!parse_rule(l))
			return false;
	}
	if (!next(l)) /* DOCUMENT_END */
		return false;
	if (!next(l))
		return false;
	if (l->ev.type != YAML_STREAM_END_EVENT) {
		fail(l, EVMARK(l), "one YAML document per file");
		return false;
	}
	return true;
}

static bool load_file(struct classify_rules *rs, const char *path, struct classify_error *err)
{
	struct loader l;
	unsigned char *buf = NULL;
	struct stat st;
	bool ok = false;
	size_t got = 0;
	int fd;

	memset(&l, 0, sizeof(l));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		set_error(err, path, true, "%s", strerror(errno));
		return false;
	}
	if (fstat(fd, &st) < 0) {
		set_error(err, path, true, "%s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		set_error(err, path, true, "not a regular file");
		goto out;
	}
	if ((uint64_t)st.st_size > MAX_FILE_SIZE) {
		set_error(err, path, false, "larger than %u MiB", MAX_FILE_SIZE >> 20);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		set_error(err, path, false, "out of memory");
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			set_error(err, path, true, "%s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (!yaml_parser_initialize(&l.parser)) {
		set_error(err, path, false, "out of memory");
		goto out;
	}
	l.path = path;
	l.buf = buf;
	l.len = got;
	l.rs = rs;
	l.err = err;
	yaml_parser_set_input_string(&l.parser, buf, got);
	ok = parse_stream(&l);
	if (l.have_ev)
		yaml_event_delete(&l.ev);
	yaml_parser_delete(&l.parser);
out:
	free(buf);
	close(fd);
	return ok;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *rules_root(const char *dir, char *buf, size_t size)
{
	char exe[4096];
	ssize_t n;
	char *slash;

	if (dir && *dir)
		return dir;
	dir = getenv("IOTSENSE_RULES_DIR");
	if (dir && *dir)
		return dir;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0'; /* <prefix>/sbin */
			slash = strrchr(exe, '/');
			if (slash) {
				*slash = '\0';
				snprintf(buf, size, "%s/share/iotsense/rules", exe);
				if (is_dir(buf))
					return buf;
			}
		}
	}
	return is_dir(CLASSIFY_RULES_DIR_DEFAULT) ? CLASSIFY_RULES_DIR_DEFAULT : "rules";
}

const char *classify_rules_dir(const char *dir, char *buf, size_t size)
{
	char sub[4096], root[4096];

	dir = rules_root(dir, root, sizeof(root));
	snprintf(sub, sizeof(sub), "%s/fingerprints", dir);
	snprintf(buf, size, "%s", is_dir(sub) ? sub : dir);
	return buf;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_yaml_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".yaml") == 0;
}

struct classify_rules *classify_load(const char *dir, struct classify_error *err)
{
	struct classify_rules *rs;
	char **names = NULL;
	size_t nnames = 0;
	struct dirent *de;
	bool ok = false;
	DIR *d;

	memset(err, 0, sizeof(*err));
	rs = calloc(1, sizeof(*rs));
	if (!rs) {
		set_error(err, dir, false, "out of memory");
		return NULL;
	}
	d = opendir(dir);
	if (!d) {
		set_error(err, dir, true, "%s", strerror(errno));
		goto out;
	}
	while ((de = readdir(d))) {
		char **grown;
		size_t len;

		if (!is_yaml_name(de->d_name))
			continue;
		grown = realloc(names, (nnames + 1) * sizeof(*names));
		if (!grown) {
			set_error(err, dir, false, "out of memory");
			goto out;
		}
		names = grown;
		len = strlen(dir) + strlen(de->d_name) + 2;
		names[nnames] = malloc(len);
		if (!names[nnames]) {
			set_error(err, dir, false, "out of memory");
			goto out;
		}
		snprintf(names[nnames], len, "%s/%s", dir, de->d_name);
		nnames++;
	}
	/* Name order: it decides which of two rules of equal confidence wins, so it must not depend on the disk. */
	if (nnames)
		qsort(names, nnames, sizeof(*names), cmp_str);
	rs->files = calloc(nnames ? nnames : 1, sizeof(*rs->files));
	rs->mctx = pcre2_match_context_create(NULL);
	if (!rs->files || !rs->mctx) {
		set_error(err, dir, false, "out of memory");
		goto out;
	}
	pcre2_set_match_limit(rs->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(rs->mctx, DEPTH_LIMIT);
	for (size_t i = 0; i < nnames; i++) {
		rs->files[rs->nfiles++] = names[i];
		names[i] = NULL;
		if (!load_file(rs, rs->files[rs->nfiles - 1], err))
			goto out;
	}
	ok = true;
out:
	if (d)
		closedir(d);
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	if (!ok) {
		classify_free(rs);
		return NULL;
	}
	return rs;
}

void classify_free(struct classify_rules *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n; i++)
		rule_free(&rs->rules[i]);
	free(rs->rules);
	for (size_t i = 0; i < rs->nfiles; i++)
		free(rs->files[i]);
	free(rs->files);
	pcre2_match_context_free(rs->mctx);
	free(rs);
}

size_t classify_rule_count(const struct classify_rules *rs)
{
	return rs ? rs->n : 0;
}

size_t classify_file_count(const struct classify_rules *rs)
{
	return rs ? rs->nfiles : 0;
}

/* Copies at most dstsz-1 bytes, never cutting a UTF-8 sequence in two (the result goes into JSON records). */
static void copy_utf8(char *dst, size_t dstsz, const char *src, size_t n)
{
	if (n >= dstsz) {
		n = dstsz - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

struct sbuf {
	char *p;
	size_t len, cap; /* cap includes the NUL */
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + 1 >= b->cap)
		return;
	if (n > b->cap - 1 - b->len)
		n = b->cap - 1 - b->len;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static bool cond_match(const struct cond *c, const struct classify_input *in, pcre2_match_data *md,
		       pcre2_match_context *mctx, struct hit *h)
{
	size_t i = 0;

	/* The MAC vendor first, then any attribute of the same name the caller passed. */
	for (const char *v = c->is_oui ? in->oui_vendor : NULL;; v = NULL) {
		const char *key = c->key;
		PCRE2_SIZE *ov;
		int rc;

		if (!v) {
			for (; i < in->nattrs; i++) {
				if (in->attrs[i].key && in->attrs[i].value && strcmp(in->attrs[i].key, c->key) == 0)
					break;
			}
			if (i >= in->nattrs)
				return false;
			v = in->attrs[i].value;
			key = in->attrs[i].key;
			i++;
		}
		rc = pcre2_match(c->re, (PCRE2_SPTR)v, strlen(v), 0, 0, md, mctx);
		if (rc <= 0) /* no match, or an error such as the match limit: both are "does not hold" */
			continue;
		ov = pcre2_get_ovector_pointer(md);
		for (int g = 0; g <= MAX_GROUPS; g++) {
			bool set = g < rc && (uint32_t)g <= c->ngroups;

			h->ov[2 * g] = set ? ov[2 * g] : PCRE2_UNSET;
			h->ov[2 * g + 1] = set ? ov[2 * g + 1] : PCRE2_UNSET;
		}
		h->c = c;
		h->key = key;
		h->subject = v;
		return true;
	}
}

static bool conds_match(const struct cond *cs, size_t n, const struct classify_input *in, pcre2_match_data *md,
			pcre2_match_context *mctx, struct hit *hits)
{
	for (size_t i = 0; i < n; i++)
		if (!cond_match(&cs[i], in, md, mctx, &hits[i]))
			return false;
	return true;
}

/* All conditions of r against in; fills hits in the order the conditions are written. */
static size_t rule_match(const struct rule *r, const struct classify_input *in, pcre2_match_data *md,
			 pcre2_match_context *mctx, struct hit *hits)
{
	struct hit plain[MAX_CONDS], alt[MAX_CONDS];
	const struct alt *which = NULL;
	size_t n = 0;

	if (!conds_match(r->conds, r->nconds, in, md, mctx, plain))
		return 0;
	for (size_t a = 0; a < r->nalts && !which; a++)
		if (conds_match(r->alts[a].conds, r->alts[a].n, in, md, mctx, alt))
			which = &r->alts[a];
	if (r->nalts && !which)
		return 0;
	for (size_t i = 0; i < r->any_at && i < r->nconds; i++)
		hits[n++] = plain[i];
	for (size_t i = 0; which && i < which->n; i++)
		hits[n++] = alt[i];
	for (size_t i = r->any_at; i < r->nconds; i++)
		hits[n++] = plain[i];
	return n;
}

static void add_group(struct sbuf *b, const struct hit *h, int g)
{
	if (g < 0 || g > MAX_GROUPS || h->ov[2 * g] == PCRE2_UNSET)
		return;
	sb_add(b, h->subject + h->ov[2 * g], h->ov[2 * g + 1] - h->ov[2 * g]);
}

/* Expands a validated template with the groups of the conditions that held. */
static void expand(const char *t, const struct hit *hits, size_t nhits, struct sbuf *b)
{
	for (const char *p = t; *p; p++) {
		const char *end;
		char ref[40];
		size_t n;

		if ((*p == '{' && p[1] == '{') || (*p == '}' && p[1] == '}')) {
			sb_add(b, p, 1);
			p++;
			continue;
		}
		if (*p != '{') {
			sb_add(b, p, 1);
			continue;
		}
		end = strchr(p + 1, '}');
		n = end ? (size_t)(end - p - 1) : 0;
		if (!end || n == 0 || n >= sizeof(ref))
			return; /* cannot happen: tmpl_walk() checked it at load */
		memcpy(ref, p + 1, n);
		ref[n] = '\0';
		if (ref[0] >= '0' && ref[0] <= '9') {
			if (nhits)
				add_group(b, &hits[0], atoi(ref));
		} else {
			for (size_t i = 0; i < nhits; i++) {
				int g = group_by_name(hits[i].c, ref);

				if (g > 0 && hits[i].ov[2 * g] != PCRE2_UNSET) {
					add_group(b, &hits[i], g);
					break;
				}
			}
		}
		p = end;
	}
}

static void evidence(const struct hit *hits, size_t nhits, char *out, size_t outsz)
{
	char buf[CLASSIFY_EVIDENCE_MAX * 2];
	struct sbuf b = { buf, 0, sizeof(buf) };

	buf[0] = '\0';
	for (size_t i = 0; i < nhits; i++) {
		if (i)
			sb_add(&b, "; ", 2);
		sb_add(&b, hits[i].key, strlen(hits[i].key));
		sb_add(&b, "=", 1);
		sb_add(&b, hits[i].subject, strlen(hits[i].subject));
	}
	copy_utf8(out, outsz, buf, b.len);
}

static struct classify_field *result_field(struct classify_result *res, int f)
{
	struct classify_field *fields[F_COUNT] = { &res->type, &res->vendor, &res->model, &res->os, &res->firmware };

	return fields[f];
}

static void apply(const struct rule *r, const struct hit *hits, size_t nhits, struct classify_result *res)
{
	for (int f = 0; f < F_COUNT; f++) {
		struct classify_field *out = result_field(res, f);
		uint8_t conf = r->set[f].confidence ? r->set[f].confidence : r->confidence;
		char buf[CLASSIFY_VALUE_MAX * 4];
		struct sbuf b = { buf, 0, sizeof(buf) };
		const char *s;
		size_t n;

		/* Strictly greater: of two rules with the same confidence, the first loaded wins. */
		if (!r->set[f].tmpl || conf <= out->confidence)
			continue;
		buf[0] = '\0';
		expand(r->set[f].tmpl, hits, nhits, &b);
		s = buf;
		n = b.len;
		while (n && (*s == ' ' || *s == '\t')) {
			s++;
			n--;
		}
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (!n) /* an optional group that did not take part: the rule says nothing about this field */
			continue;
		copy_utf8(out->value, sizeof(out->value), s, n);
		out->confidence = conf;
		snprintf(out->rule_id, sizeof(out->rule_id), "%s", r->id);
		evidence(hits, nhits, out->evidence, sizeof(out->evidence));
	}
}

int classify_device(const struct classify_rules *rs, const struct classify_input *in, struct classify_result *res)
{
	pcre2_match_data *md;
	int matched = 0;

	memset(res, 0, sizeof(*res));
	if (!rs || !in)
		return 0;
	/* Per call, not per rule set: the rules stay read-only and callable from several threads. */
	md = pcre2_match_data_create(MAX_GROUPS + 1, NULL);
	if (!md)
		return -1;
	for (size_t i = 0; i < rs->n; i++) {
		struct hit hits[MAX_CONDS];
		size_t nhits = rule_match(&rs->rules[i], in, md, rs->mctx, hits);

		if (!nhits)
			continue;
		matched++;
		apply(&rs->rules[i], hits, nhits, res);
	}
	pcre2_match_data_free(md);
	return matched;
}
