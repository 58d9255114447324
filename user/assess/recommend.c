// SPDX-License-Identifier: GPL-2.0-only
/*
 * The recommendations catalog: a YAML list of entries (rules/README-recommendations.md), read with libyaml's
 * document API so every error has a line and column. Patterns are PCRE2, compiled once, with match limits since
 * they run on bytes from the network.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "../classify.h"
#include "../decoders/decoder.h"
#include "../lib/yamldoc.h"
#include "recommend.h"

#define PROOF_CONDS_MAX 8
#define PROOFS_MAX 8
#define MATCH_LIMIT 100000
#define DEPTH_LIMIT 1000

struct rec_cond {
	char *key;
	pcre2_code *re;
};

struct rec_proof {
	struct rec_cond conds[PROOF_CONDS_MAX];
	int n;
};

struct rec_entry {
	struct rec_info info;
	struct rec_proof proofs[PROOFS_MAX];
	int nproofs;
};

struct rec_catalog {
	struct rec_entry *e;
	size_t n;
	pcre2_match_context *mctx;
	pcre2_match_data *md;
};

static const char *const severities[] = { "low", "medium", "high", "critical" };

static bool id_valid(const char *id)
{
	/* IOTS-REC-0001: stable ids that other systems (SIEM rules, tickets) can key on */
	if (strlen(id) != 13 || strncmp(id, "IOTS-REC-", 9))
		return false;
	for (int i = 9; i < 13; i++)
		if (id[i] < '0' || id[i] > '9')
			return false;
	return true;
}

static bool parse_proof(struct ydoc *p, yaml_node_t *map, struct rec_proof *pr)
{
	if (map->type != YAML_MAPPING_NODE)
		return yd_fail(p, map, "a proof is a mapping of 'observation_key: pattern' conditions");
	for (yaml_node_pair_t *kv = map->data.mapping.pairs.start; kv < map->data.mapping.pairs.top; kv++) {
		yaml_node_t *k = yaml_document_get_node(p->doc, kv->key), *v = yaml_document_get_node(p->doc, kv->value);
		const char *key = yd_scalar(k), *pat = yd_scalar(v);
		PCRE2_SIZE erroff;
		int errcode;
		pcre2_code *re;

		if (!key || !*key || strlen(key) >= OBS_KEY_MAX)
			return yd_fail(p, k, "a condition's key must be an observation key (e.g. telnet_noauth_shell)");
		if (!pat || !*pat)
			return yd_fail(p, v, "the pattern of '%s' must be a non-empty string (use '.' for 'present')", key);
		if (pr->n == PROOF_CONDS_MAX)
			return yd_fail(p, k, "at most %d conditions in one proof", PROOF_CONDS_MAX);
		for (int i = 0; i < pr->n; i++)
			if (!strcmp(pr->conds[i].key, key))
				return yd_fail(p, k, "'%s' twice in one proof: use an alternation in one pattern", key);
		re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
				   &errcode, &erroff, NULL);
		if (!re) {
			PCRE2_UCHAR msg[256];

			pcre2_get_error_message(errcode, msg, sizeof(msg));
			return yd_fail(p, v, "bad pattern for '%s' at offset %zu: %s", key, (size_t)erroff, (char *)msg);
		}
		pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
		pr->conds[pr->n].re = re;
		pr->conds[pr->n].key = strdup(key);
		if (!pr->conds[pr->n++].key)
			return yd_fail(p, k, "out of memory");
	}
	if (!pr->n)
		return yd_fail(p, map, "an empty proof would hold on every device");
	return true;
}

static char **info_field(struct rec_info *info, const char *name)
{
	if (!strcmp(name, "id"))
		return (char **)&info->id;
	if (!strcmp(name, "title"))
		return (char **)&info->title;
	if (!strcmp(name, "severity"))
		return (char **)&info->severity;
	if (!strcmp(name, "category"))
		return (char **)&info->category;
	if (!strcmp(name, "remediation"))
		return (char **)&info->remediation;
	return NULL;
}

static bool parse_entry(struct ydoc *p, const struct rec_catalog *c, yaml_node_t *map, struct rec_entry *e)
{
	yaml_node_t *proof = NULL, *id_node = map, *sev_node = map;
	bool sev_ok = false;

	if (map->type != YAML_MAPPING_NODE)
		return yd_fail(p, map, "each entry is a mapping (id, title, severity, category, remediation, proof)");
	for (yaml_node_pair_t *kv = map->data.mapping.pairs.start; kv < map->data.mapping.pairs.top; kv++) {
		yaml_node_t *k = yaml_document_get_node(p->doc, kv->key), *v = yaml_document_get_node(p->doc, kv->value);
		const char *key = yd_scalar(k);
		char **field;

		if (key && !strcmp(key, "proof")) {
			proof = v;
			continue;
		}
		field = key ? info_field(&e->info, key) : NULL;
		if (!field)
			return yd_fail(p, k, "unknown key '%s' (id, title, severity, category, remediation, proof)",
				    key ? key : "?");
		if (!yd_scalar(v) || !*yd_scalar(v))
			return yd_fail(p, v, "'%s' must be a non-empty string", key);
		if (*field)
			return yd_fail(p, k, "'%s' given twice", key);
		if (field == (char **)&e->info.id)
			id_node = v;
		else if (field == (char **)&e->info.severity)
			sev_node = v;
		*field = strdup(yd_scalar(v));
		if (!*field)
			return yd_fail(p, v, "out of memory");
	}
	if (!e->info.id || !e->info.title || !e->info.severity || !e->info.remediation || !proof)
		return yd_fail(p, map, "an entry needs id, title, severity, remediation and proof");
	if (!id_valid(e->info.id))
		return yd_fail(p, id_node, "id '%s' is not of the form IOTS-REC-NNNN", e->info.id);
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->e[i].info.id, e->info.id))
			return yd_fail(p, id_node, "id '%s' is used twice", e->info.id);
	for (size_t i = 0; i < sizeof(severities) / sizeof(severities[0]); i++)
		sev_ok |= !strcmp(e->info.severity, severities[i]);
	if (!sev_ok)
		return yd_fail(p, sev_node, "severity '%s': one of low, medium, high, critical", e->info.severity);
	if (!e->info.category)
		e->info.category = strdup("configuration");
	if (proof->type != YAML_SEQUENCE_NODE || proof->data.sequence.items.start == proof->data.sequence.items.top)
		return yd_fail(p, proof, "proof is a list of alternatives, each a mapping of conditions");
	for (yaml_node_item_t *it = proof->data.sequence.items.start; it < proof->data.sequence.items.top; it++) {
		if (e->nproofs == PROOFS_MAX)
			return yd_fail(p, proof, "at most %d alternatives in a proof", PROOFS_MAX);
		if (!parse_proof(p, yaml_document_get_node(p->doc, *it), &e->proofs[e->nproofs++]))
			return false;
	}
	return true;
}

static void entry_free(struct rec_entry *e)
{
	free((char *)e->info.id);
	free((char *)e->info.title);
	free((char *)e->info.severity);
	free((char *)e->info.category);
	free((char *)e->info.remediation);
	for (int i = 0; i < e->nproofs; i++)
		for (int j = 0; j < e->proofs[i].n; j++) {
			free(e->proofs[i].conds[j].key);
			pcre2_code_free(e->proofs[i].conds[j].re);
		}
}

void rec_free(struct rec_catalog *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		entry_free(&c->e[i]);
	free(c->e);
	pcre2_match_context_free(c->mctx);
	pcre2_match_data_free(c->md);
	free(c);
}

static bool parse_doc(struct ydoc *p, struct rec_catalog *c)
{
	yaml_node_t *root = yaml_document_get_root_node(p->doc);

	if (!root)
		return yd_fail(p, NULL, "empty catalog");
	if (root->type != YAML_SEQUENCE_NODE)
		return yd_fail(p, root, "the catalog is a list of entries ('- id: IOTS-REC-0001 ...')");
	for (yaml_node_item_t *it = root->data.sequence.items.start; it < root->data.sequence.items.top; it++) {
		struct rec_entry *n = realloc(c->e, (c->n + 1) * sizeof(*n));

		if (!n)
			return yd_fail(p, root, "out of memory");
		c->e = n;
		memset(&c->e[c->n], 0, sizeof(c->e[0]));
		if (!parse_entry(p, c, yaml_document_get_node(p->doc, *it), &c->e[c->n])) {
			entry_free(&c->e[c->n]);
			return false;
		}
		c->n++;
	}
	return true;
}

struct rec_catalog *rec_load(const char *path, char *err, size_t err_size)
{
	struct ydoc p = { .file = path, .err = err, .err_size = err_size };
	struct rec_catalog *c = calloc(1, sizeof(*c));
	yaml_parser_t parser;
	yaml_document_t doc;
	bool ok;
	FILE *f;

	if (!c) {
		snprintf(err, err_size, "%s: out of memory", path);
		return NULL;
	}
	f = fopen(path, "rb");
	if (!f) {
		snprintf(err, err_size, "%s: %s", path, strerror(errno));
		free(c);
		return NULL;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, err_size, "%s:%zu:%zu: %s", path, parser.problem_mark.line + 1,
			 parser.problem_mark.column + 1, parser.problem ? parser.problem : "YAML syntax error");
		yaml_parser_delete(&parser);
		fclose(f);
		free(c);
		return NULL;
	}
	p.doc = &doc;
	ok = parse_doc(&p, c);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	if (ok) {
		c->mctx = pcre2_match_context_create(NULL);
		c->md = pcre2_match_data_create(16, NULL);
		if (!c->mctx || !c->md) {
			snprintf(err, err_size, "%s: out of memory", path);
			ok = false;
		} else {
			pcre2_set_match_limit(c->mctx, MATCH_LIMIT);
			pcre2_set_depth_limit(c->mctx, DEPTH_LIMIT);
		}
	}
	if (!ok) {
		rec_free(c);
		return NULL;
	}
	return c;
}

size_t rec_count(const struct rec_catalog *c)
{
	return c ? c->n : 0;
}

const struct rec_info *rec_info(const struct rec_catalog *c, size_t i)
{
	return &c->e[i].info;
}

const char *rec_catalog_path(const char *rules_dir, char *buf, size_t size)
{
	char root[4096];

	snprintf(buf, size, "%s/%s", rules_root(rules_dir, root, sizeof(root)), REC_FILE);
	return buf;
}

/* The first attribute that satisfies the condition, or NULL. */
static const struct assess_attr *cond_match(const struct rec_catalog *c, const struct rec_cond *cond,
					    const struct assess_attr *attrs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(attrs[i].key, cond->key))
			continue;
		if (pcre2_match(cond->re, (PCRE2_SPTR)attrs[i].value, strlen(attrs[i].value), 0, 0, c->md,
				c->mctx) >= 0)
			return &attrs[i];
	}
	return NULL;
}

/*
 * Which proof of an entry holds on this device: fills used[] with the attribute that satisfied each of its
 * conditions and returns their count, or 0 when no proof holds.
 */
static int entry_proof(const struct rec_catalog *c, const struct rec_entry *e, const struct assess_attr *attrs,
		       size_t n, const struct assess_attr *used[PROOF_CONDS_MAX])
{
	for (int i = 0; i < e->nproofs; i++) {
		bool holds = true;

		for (int j = 0; j < e->proofs[i].n && holds; j++) {
			used[j] = cond_match(c, &e->proofs[i].conds[j], attrs, n);
			holds = used[j] != NULL;
		}
		if (holds)
			return e->proofs[i].n;
	}
	return 0;
}

int rec_severity_rank(const char *severity)
{
	for (size_t i = 0; i < sizeof(severities) / sizeof(severities[0]); i++)
		if (severity && !strcmp(severity, severities[i]))
			return (int)i + 1;
	return 0;
}

int rec_put_device(struct jsonw *w, const struct rec_catalog *c, const struct assess_attr *attrs, size_t n,
		   int *max_severity)
{
	int open = 0;

	if (max_severity)
		*max_severity = 0;
	jw_key(w, "recommendations");
	jw_arr_open(w);
	for (size_t i = 0; c && i < c->n; i++) {
		const struct rec_entry *e = &c->e[i];
		const struct assess_attr *used[PROOF_CONDS_MAX];
		int nused = entry_proof(c, e, attrs, n, used);

		if (!nused)
			continue;
		open++;
		if (max_severity && rec_severity_rank(e->info.severity) > *max_severity)
			*max_severity = rec_severity_rank(e->info.severity);
		jw_obj_open(w);
		jw_kstr(w, "id", e->info.id);
		jw_kstr(w, "title", e->info.title);
		jw_kstr(w, "severity", e->info.severity);
		jw_kstr(w, "category", e->info.category);
		jw_kstr(w, "remediation", e->info.remediation);
		jw_key(w, "proof");
		jw_arr_open(w);
		for (int k = 0; k < nused; k++) {
			jw_obj_open(w);
			jw_kstr(w, "key", used[k]->key);
			jw_kstr(w, "value", used[k]->value);
			if (used[k]->flow && used[k]->flow[0])
				jw_kstr(w, "flow", used[k]->flow);
			jw_ktime(w, "first_seen", used[k]->first_ns);
			jw_obj_close(w);
		}
		jw_arr_close(w);
		jw_obj_close(w);
	}
	jw_arr_close(w);
	return open;
}
