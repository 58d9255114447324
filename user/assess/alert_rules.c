// SPDX-License-Identifier: GPL-2.0-only
/*
 * rules/alerts/NAME.yaml: custom alert rules, engineering stations, DHCP servers, built-ins switched off (format
 * in rules/alerts/README.md). Read with libyaml's document API so every error has a line and column; patterns
 * are PCRE2, compiled once, with match limits since they run on bytes from the network. Also the custom rules'
 * evaluation and `iotsense rules check` for alerts and IOC lists.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <yaml.h>

#include "../lib/jsonw.h"
#include "../lib/yamldoc.h"
#include "alert_int.h"

#define MATCH_LIMIT 100000
#define DEPTH_LIMIT 1000
#define PATTERN_MAX 1024
#define FILE_MAX (4u << 20)
#define ADDR_LIST_MAX 4096

static const char *const flow_fields[FF_MAX] = { "proto", "src", "dst", "sport", "dport", "src_scope",
						 "dst_scope", "direction" };
static const char *const dev_fields[] = { "type", "vendor", "model", "os", "mac_vendor", "mac", "ip" };
static const char *const sev_names[] = { "low", "medium", "high", "critical" };
static const char *const by_names[] = { "device", "src", "dst", "src_dst" };

static yaml_node_t *node(struct ydoc *p, int id)
{
	return yaml_document_get_node(p->doc, id);
}

static bool id_valid(const char *id)
{
	size_t n = strlen(id);

	if (!n || n >= ARULE_ID_MAX || !(islower((unsigned char)id[0]) || isdigit((unsigned char)id[0])))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)id[i]) || isdigit((unsigned char)id[i]) || id[i] == '.' || id[i] == '_' ||
		      id[i] == '-'))
			return false;
	return true;
}

static bool key_valid(const char *k)
{
	size_t n = strlen(k);

	if (!n || n >= OBS_KEY_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(isalnum((unsigned char)k[i]) || k[i] == '_'))
			return false;
	return true;
}

/* T1046, T1557.002, T0855 */
static bool technique_valid(const char *t)
{
	size_t n = strlen(t);

	if ((n != 5 && n != 9) || t[0] != 'T')
		return false;
	for (size_t i = 1; i < n; i++)
		if (i == 5 ? t[i] != '.' : !isdigit((unsigned char)t[i]))
			return false;
	return true;
}

static int find_name(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return (int)i;
	return -1;
}

#define NAMES(a) a, sizeof(a) / sizeof(a[0])

static bool parse_uint(struct ydoc *p, yaml_node_t *v, const char *what, unsigned long lo, unsigned long hi,
		       uint32_t *out)
{
	const char *s = yd_scalar(v);
	unsigned long x;
	char *end;

	errno = 0;
	if (!s || !isdigit((unsigned char)s[0]) || (x = strtoul(s, &end, 10), *end) || errno || x < lo || x > hi)
		return yd_fail(p, v, "%s must be a whole number from %lu to %lu", what, lo, hi);
	*out = (uint32_t)x;
	return true;
}

static bool compile(struct ydoc *p, yaml_node_t *v, const char *key, const char *pat, bool whole,
		    pcre2_code **out)
{
	char wrapped[PATTERN_MAX + 16];
	PCRE2_SIZE erroff;
	int errcode;
	pcre2_code *re;

	if (!pat || !*pat)
		return yd_fail(p, v, "the pattern of '%s' must be a non-empty string (use '.' for 'present')", key);
	if (strlen(pat) > PATTERN_MAX)
		return yd_fail(p, v, "the pattern of '%s' is longer than %d bytes", key, PATTERN_MAX);
	re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &errcode,
			   &erroff, NULL);
	if (!re) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(errcode, msg, sizeof(msg));
		return yd_fail(p, v, "bad pattern for '%s' at offset %zu: %s", key, (size_t)erroff, (char *)msg);
	}
	if (whole) { /* flow fields are short and exact: the pattern must match all of the value */
		pcre2_code_free(re);
		snprintf(wrapped, sizeof(wrapped), "\\A(?:%s)\\z", pat);
		re = pcre2_compile((PCRE2_SPTR)wrapped, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
				   &errcode, &erroff, NULL);
		if (!re)
			return yd_fail(p, v, "bad pattern for '%s'", key);
	}
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	*out = re;
	return true;
}

static bool parse_cond(struct ydoc *p, yaml_node_t *k, yaml_node_t *v, struct arule_cond *c)
{
	const char *key = yd_scalar(k), *field;
	int f;

	if (!key)
		return yd_fail(p, k, "a condition's key must be a string");
	if (!strncmp(key, "flow.", 5)) {
		f = find_name(NAMES(flow_fields), key + 5);
		if (f < 0)
			return yd_fail(p, k, "unknown flow field '%s' (flow.proto, flow.src, flow.dst, flow.sport, "
				    "flow.dport, flow.src_scope, flow.dst_scope, flow.direction)", key);
		c->kind = AC_FLOW;
		c->field = (uint8_t)f;
	} else if (!strncmp(key, "src.", 4) || !strncmp(key, "dst.", 4)) {
		field = key + 4;
		c->kind = AC_DEV;
		c->side = key[0] == 'd';
		f = find_name(NAMES(dev_fields), field);
		if (f >= 0) {
			c->field = (uint8_t)f;
		} else if (key_valid(field)) {
			c->field = DF_ATTR;
			snprintf(c->key, sizeof(c->key), "%s", field);
		} else {
			return yd_fail(p, k, "'%s': after src. or dst. comes type, vendor, model, os, mac_vendor, mac, ip "
				    "or an observation key", key);
		}
	} else if (key_valid(key)) {
		c->kind = AC_OBS;
		snprintf(c->key, sizeof(c->key), "%s", key);
	} else {
		return yd_fail(p, k, "'%s' is not an observation key, flow.<field>, src.<attribute> or dst.<attribute>",
			    key);
	}
	return compile(p, v, key, yd_scalar(v), c->kind == AC_FLOW, &c->re);
}

static void rule_free(struct arule *r)
{
	free(r->id);
	free(r->title);
	free(r->desc);
	free(r->tech);
	free(r->tech_name);
	for (int i = 0; i < r->nconds; i++)
		pcre2_code_free(r->conds[i].re);
	memset(r, 0, sizeof(*r));
}

static bool set_str(struct ydoc *p, yaml_node_t *k, yaml_node_t *v, char **field)
{
	const char *s = yd_scalar(v);

	if (!s || !*s)
		return yd_fail(p, v, "'%s' must be a non-empty string", yd_scalar(k));
	if (*field)
		return yd_fail(p, k, "'%s' given twice", yd_scalar(k));
	*field = strdup(s);
	return *field ? true : yd_fail(p, v, "out of memory");
}

static bool parse_threshold(struct ydoc *p, yaml_node_t *map, struct arule *r)
{
	bool count = false, window = false;

	if (map->type != YAML_MAPPING_NODE)
		return yd_fail(p, map, "threshold is a mapping: {count: N, window: SECONDS, by: device|src|dst|src_dst}");
	for (yaml_node_pair_t *kv = map->data.mapping.pairs.start; kv < map->data.mapping.pairs.top; kv++) {
		yaml_node_t *k = node(p, kv->key), *v = node(p, kv->value);
		const char *key = yd_scalar(k);
		int b;

		if (key && !strcmp(key, "count")) {
			if (!parse_uint(p, v, "count", 2, ARULE_COUNT_MAX, &r->thr_count))
				return false;
			count = true;
		} else if (key && !strcmp(key, "window")) {
			if (!parse_uint(p, v, "window", 1, ARULE_WINDOW_MAX, &r->thr_window_s))
				return false;
			window = true;
		} else if (key && !strcmp(key, "by")) {
			b = yd_scalar(v) ? find_name(NAMES(by_names), yd_scalar(v)) : -1;
			if (b < 0)
				return yd_fail(p, v, "by is device, src, dst or src_dst");
			r->thr_by = (uint8_t)b;
		} else {
			return yd_fail(p, k, "unknown key '%s' in threshold (count, window, by)", key ? key : "?");
		}
	}
	if (!count || !window)
		return yd_fail(p, map, "a threshold needs count and window");
	return true;
}

static bool parse_rule(struct ydoc *p, const struct alert_conf *c, yaml_node_t *map, struct arule *r,
		       bool *enabled)
{
	yaml_node_t *match = NULL, *id_node = map, *sev_node = NULL, *tech_node = NULL;
	char *sev = NULL;
	bool ok = false;
	int s;

	*enabled = true;
	if (map->type != YAML_MAPPING_NODE)
		return yd_fail(p, map, "a rule is a mapping (id, title, severity, technique, match, ...)");
	for (yaml_node_pair_t *kv = map->data.mapping.pairs.start; kv < map->data.mapping.pairs.top; kv++) {
		yaml_node_t *k = node(p, kv->key), *v = node(p, kv->value);
		const char *key = yd_scalar(k);

		if (!key) {
			yd_fail(p, k, "keys are strings");
			goto out;
		}
		if (!strcmp(key, "id")) {
			id_node = v;
			if (!set_str(p, k, v, &r->id))
				goto out;
		} else if (!strcmp(key, "title")) {
			if (!set_str(p, k, v, &r->title))
				goto out;
		} else if (!strcmp(key, "description")) {
			if (!set_str(p, k, v, &r->desc))
				goto out;
		} else if (!strcmp(key, "severity")) {
			sev_node = v;
			if (!set_str(p, k, v, &sev))
				goto out;
		} else if (!strcmp(key, "technique")) {
			tech_node = v;
			if (!set_str(p, k, v, &r->tech))
				goto out;
		} else if (!strcmp(key, "technique_name")) {
			if (!set_str(p, k, v, &r->tech_name))
				goto out;
		} else if (!strcmp(key, "enabled")) {
			const char *b = yd_scalar(v);

			if (!b || (strcmp(b, "true") && strcmp(b, "false"))) {
				yd_fail(p, v, "enabled is true or false");
				goto out;
			}
			*enabled = !strcmp(b, "true");
		} else if (!strcmp(key, "device")) {
			const char *d = yd_scalar(v);

			if (!d || (strcmp(d, "src") && strcmp(d, "dst"))) {
				yd_fail(p, v, "device is src (the packet's sender, a flow's initiator) or dst");
				goto out;
			}
			r->device_side = d[0] == 'd';
		} else if (!strcmp(key, "threshold")) {
			if (!parse_threshold(p, v, r))
				goto out;
		} else if (!strcmp(key, "match")) {
			match = v;
		} else {
			yd_fail(p, k, "unknown key '%s' (id, title, severity, technique, technique_name, description, "
			     "enabled, match, device, threshold)", key);
			goto out;
		}
	}
	if (!r->id || !r->title || !sev || !match) {
		yd_fail(p, map, "a rule needs id, title, severity and match");
		goto out;
	}
	if (!id_valid(r->id)) {
		yd_fail(p, id_node, "id '%s': lower-case letters, digits, '.', '_' and '-', starting with a letter or "
		     "digit, at most %d characters", r->id, ARULE_ID_MAX - 1);
		goto out;
	}
	if (alert_builtin_find(r->id) >= 0 || !strncmp(r->id, "builtin", 7)) {
		yd_fail(p, id_node, "id '%s' is taken by a built-in detector", r->id);
		goto out;
	}
	for (size_t i = 0; i < c->nrules; i++)
		if (!strcmp(c->rules[i].id, r->id)) {
			yd_fail(p, id_node, "id '%s' is used twice", r->id);
			goto out;
		}
	s = find_name(NAMES(sev_names), sev);
	if (s < 0) {
		yd_fail(p, sev_node, "severity '%s': one of low, medium, high, critical", sev);
		goto out;
	}
	if (r->tech && !technique_valid(r->tech)) {
		yd_fail(p, tech_node, "technique '%s' is not a MITRE ATT&CK id (T1046, T1557.002, T0855)", r->tech);
		goto out;
	}
	if (r->tech_name && !r->tech) {
		yd_fail(p, map, "technique_name without technique");
		goto out;
	}
	if (match->type != YAML_MAPPING_NODE || match->data.mapping.pairs.start == match->data.mapping.pairs.top) {
		yd_fail(p, match, "match is a mapping of 'key: pattern' conditions, at least one");
		goto out;
	}
	for (yaml_node_pair_t *kv = match->data.mapping.pairs.start; kv < match->data.mapping.pairs.top; kv++) {
		yaml_node_t *k = node(p, kv->key);

		if (r->nconds == ARULE_CONDS_MAX) {
			yd_fail(p, k, "at most %d conditions in a rule", ARULE_CONDS_MAX);
			goto out;
		}
		for (int i = 0; i < r->nconds; i++) {
			struct arule_cond *o = &r->conds[i];
			const char *key = yd_scalar(k);
			char name[64];

			if (o->kind == AC_FLOW)
				snprintf(name, sizeof(name), "flow.%s", flow_fields[o->field]);
			else if (o->kind == AC_DEV)
				snprintf(name, sizeof(name), "%s.%s", o->side ? "dst" : "src",
					 o->field == DF_ATTR ? o->key : dev_fields[o->field]);
			else
				snprintf(name, sizeof(name), "%s", o->key);
			if (key && !strcmp(key, name)) {
				yd_fail(p, k, "'%s' twice in one rule: use an alternation in one pattern", key);
				goto out;
			}
		}
		if (!parse_cond(p, k, node(p, kv->value), &r->conds[r->nconds]))
			goto out;
		r->on_packets |= r->conds[r->nconds].kind == AC_OBS;
		r->nconds++;
	}
	r->def.id = r->id;
	r->def.rule = r->id;
	r->def.title = r->title;
	r->def.severity = (uint8_t)(s + 1);
	if (r->tech) {
		r->def.nattacks = 1;
		r->def.attacks[0].uid = r->tech;
		r->def.attacks[0].name = r->tech_name ? r->tech_name : "";
	}
	ok = true;
out:
	free(sev);
	return ok;
}

static bool parse_rules(struct ydoc *p, struct alert_conf *c, yaml_node_t *seq)
{
	if (seq->type != YAML_SEQUENCE_NODE)
		return yd_fail(p, seq, "rules is a list of rules ('- id: ...')");
	for (yaml_node_item_t *it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
		struct arule r = { 0 };
		bool enabled;

		if (c->nrules == ARULES_MAX)
			return yd_fail(p, node(p, *it), "more than %d alert rules", ARULES_MAX);
		if (!parse_rule(p, c, node(p, *it), &r, &enabled)) {
			rule_free(&r);
			return false;
		}
		if (!enabled) {
			rule_free(&r);
			continue;
		}
		/* Grows while loading only: once alerts exist they point at their rule's def. */
		if (c->nrules == c->caprules) {
			size_t cap = c->caprules ? c->caprules * 2 : 16;
			struct arule *n = realloc(c->rules, cap * sizeof(*n));

			if (!n) {
				rule_free(&r);
				return yd_fail(p, node(p, *it), "out of memory");
			}
			c->rules = n;
			c->caprules = cap;
		}
		c->rules[c->nrules++] = r;
	}
	return true;
}

static int hexval(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

/* aa:bb:cc:dd:ee:ff or aa-bb-cc-dd-ee-ff */
static bool parse_mac(const char *s, uint8_t mac[6])
{
	char sep = s[2];

	if (strlen(s) != 17 || (sep != ':' && sep != '-'))
		return false;
	for (int i = 0; i < 6; i++) {
		const char *x = s + i * 3;

		if (!isxdigit((unsigned char)x[0]) || !isxdigit((unsigned char)x[1]) || (i < 5 && x[2] != sep))
			return false;
		mac[i] = (uint8_t)(hexval((unsigned char)x[0]) << 4 | hexval((unsigned char)x[1]));
	}
	return true;
}

static bool parse_addr_list(struct ydoc *p, yaml_node_t *seq, struct addr_list *l, const char *what)
{
	if (seq->type != YAML_SEQUENCE_NODE)
		return yd_fail(p, seq, "%s is a list of IP addresses, networks (10.1.2.0/24) or MACs", what);
	for (yaml_node_item_t *it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
		yaml_node_t *v = node(p, *it);
		const char *s = yd_scalar(v);
		struct ioc_net net;
		char dom[IOC_TEXT_MAX], why[160];
		uint8_t mac[6];

		if (!s || !*s)
			return yd_fail(p, v, "each entry of %s is an IP address, network or MAC", what);
		if (l->nets.nnets + l->nmacs >= ADDR_LIST_MAX)
			return yd_fail(p, v, "more than %d entries in %s", ADDR_LIST_MAX, what);
		if (parse_mac(s, mac)) {
			uint8_t(*n)[6] = realloc(l->macs, (l->nmacs + 1) * sizeof(*n));

			if (!n)
				return yd_fail(p, v, "out of memory");
			l->macs = n;
			memcpy(l->macs[l->nmacs++], mac, 6);
			continue;
		}
		if (ioc_parse(s, true, &net, dom, sizeof(dom), why, sizeof(why)) != IOC_NET) {
			if (strchr(s, '/'))
				return yd_fail(p, v, "%s", why);
			return yd_fail(p, v, "'%s' is not an IP address, network or MAC", s);
		}
		if (ioc_add_net(&l->nets, &net))
			return yd_fail(p, v, "out of memory");
	}
	return true;
}

static bool parse_disabled(struct ydoc *p, yaml_node_t *seq, struct alert_conf *c)
{
	if (seq->type != YAML_SEQUENCE_NODE)
		return yd_fail(p, seq, "disabled_builtins is a list of built-in detector ids");
	for (yaml_node_item_t *it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
		yaml_node_t *v = node(p, *it);
		int b = yd_scalar(v) ? alert_builtin_find(yd_scalar(v)) : -1;

		if (b < 0)
			return yd_fail(p, v, "'%s' is not a built-in detector (see rules/alerts/README.md)",
				    yd_scalar(v) ? yd_scalar(v) : "?");
		c->disabled[b] = true;
	}
	return true;
}

static bool parse_doc(struct ydoc *p, struct alert_conf *c)
{
	yaml_node_t *root = yaml_document_get_root_node(p->doc);

	if (!root) /* an empty file, or comments only */
		return true;
	if (root->type == YAML_SEQUENCE_NODE)
		return parse_rules(p, c, root);
	if (root->type != YAML_MAPPING_NODE)
		return yd_fail(p, root, "an alerts file is a list of rules, or a mapping with rules, "
			    "engineering_stations, dhcp_servers, disabled_builtins");
	for (yaml_node_pair_t *kv = root->data.mapping.pairs.start; kv < root->data.mapping.pairs.top; kv++) {
		yaml_node_t *k = node(p, kv->key), *v = node(p, kv->value);
		const char *key = yd_scalar(k);

		if (!key || (strcmp(key, "rules") && strcmp(key, "engineering_stations") &&
			     strcmp(key, "dhcp_servers") && strcmp(key, "disabled_builtins")))
			return yd_fail(p, k, "unknown key '%s' (rules, engineering_stations, dhcp_servers, "
				    "disabled_builtins)", key ? key : "?");
		if (v->type == YAML_SCALAR_NODE && !*yd_scalar(v)) /* "engineering_stations:" with nothing after it */
			continue;
		if (!strcmp(key, "rules")) {
			if (!parse_rules(p, c, v))
				return false;
		} else if (!strcmp(key, "engineering_stations")) {
			if (!parse_addr_list(p, v, &c->stations, key))
				return false;
		} else if (!strcmp(key, "dhcp_servers")) {
			if (!parse_addr_list(p, v, &c->dhcp, key))
				return false;
		} else if (!parse_disabled(p, v, c)) {
			return false;
		}
	}
	return true;
}

static int load_file(struct alert_conf *c, const char *path, char *err, size_t err_size, bool *io)
{
	struct ydoc p = { .file = path, .err = err, .err_size = err_size };
	yaml_parser_t parser;
	yaml_document_t doc;
	struct stat st;
	bool ok;
	FILE *f = fopen(path, "rb");

	if (!f || fstat(fileno(f), &st)) {
		snprintf(err, err_size, "%s: %s", path, strerror(errno));
		*io = true;
		if (f)
			fclose(f);
		return -1;
	}
	if (st.st_size > FILE_MAX) {
		snprintf(err, err_size, "%s: larger than %u bytes", path, FILE_MAX);
		fclose(f);
		return -1;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, err_size, "%s:%zu:%zu: %s", path, parser.problem_mark.line + 1,
			 parser.problem_mark.column + 1, parser.problem ? parser.problem : "YAML syntax error");
		yaml_parser_delete(&parser);
		fclose(f);
		return -1;
	}
	p.doc = &doc;
	ok = parse_doc(&p, c);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	if (ok)
		c->files++;
	return ok ? 0 : -1;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int alert_conf_load(struct alert_conf *c, const char *dir, char *err, size_t err_size, bool *io)
{
	char **names = NULL, path[4200];
	size_t n = 0, cap = 0;
	struct dirent *de;
	int rc = 0;
	DIR *d;

	memset(c, 0, sizeof(*c));
	*io = false;
	ioc_set_init(&c->stations.nets);
	ioc_set_init(&c->dhcp.nets);
	c->mctx = pcre2_match_context_create(NULL);
	c->md = pcre2_match_data_create(16, NULL);
	if (!c->mctx || !c->md) {
		snprintf(err, err_size, "%s: out of memory", dir);
		return -1;
	}
	pcre2_set_match_limit(c->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(c->mctx, DEPTH_LIMIT);
	d = opendir(dir);
	if (!d) {
		if (errno == ENOENT || errno == ENOTDIR)
			goto done;
		snprintf(err, err_size, "%s: %s", dir, strerror(errno));
		*io = true;
		return -1;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".yaml"))
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof(*nn));

			if (!nn)
				break;
			names = nn;
		}
		names[n] = strdup(de->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_name);
	for (size_t i = 0; i < n && !rc; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		rc = load_file(c, path, err, err_size, io);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
done:
	ioc_set_finish(&c->stations.nets);
	ioc_set_finish(&c->dhcp.nets);
	return rc;
}

void alert_conf_free(struct alert_conf *c)
{
	for (size_t i = 0; c->rules && i < c->nrules; i++)
		rule_free(&c->rules[i]);
	free(c->rules);
	ioc_set_free(&c->stations.nets);
	ioc_set_free(&c->dhcp.nets);
	free(c->stations.macs);
	free(c->dhcp.macs);
	pcre2_match_context_free(c->mctx);
	pcre2_match_data_free(c->md);
	memset(c, 0, sizeof(*c));
}

bool addr_list_empty(const struct addr_list *l)
{
	return !l->nets.nnets && !l->nmacs;
}

bool addr_list_has(const struct addr_list *l, const struct iot_addr *ip, const uint8_t *mac)
{
	if (ip && ip->family && ioc_match_ip(&l->nets, ip))
		return true;
	for (size_t i = 0; mac && i < l->nmacs; i++)
		if (!memcmp(l->macs[i], mac, 6))
			return true;
	return false;
}

const char *alert_rules_root(const char *dir, char *buf, size_t size)
{
	static const char *const subs[] = { "fingerprints", "alerts", "iocs" };
	char root[4096];
	size_t n;

	dir = rules_root(dir, root, sizeof(root));
	snprintf(buf, size, "%s", dir);
	n = strlen(buf);
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = 0;
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		size_t s = strlen(subs[i]);

		if (n == s && !strcmp(buf, subs[i])) {
			snprintf(buf, size, ".");
			break;
		}
		if (n > s && buf[n - s - 1] == '/' && !strcmp(buf + n - s, subs[i])) {
			buf[n - s - 1] = 0;
			if (!buf[0])
				snprintf(buf, size, "/");
			break;
		}
	}
	return buf;
}

/* ---- evaluation ---- */

struct eval {
	struct alerts *a;
	const struct alert_view *v;
	char fields[FF_MAX][48];
	bool have[FF_MAX];
	struct profile *prof[2];
	bool prof_done[2];
	struct alert_ev_in ev[ALERT_EVIDENCE_MAX];
	int nev;
};

static bool re_match(const struct alert_conf *c, const pcre2_code *re, const char *s)
{
	return pcre2_match(re, (PCRE2_SPTR)s, strlen(s), 0, 0, c->md, c->mctx) >= 0;
}

static const char *direction(const struct alert_view *v)
{
	const struct iot_addr *ini = v->src_is_initiator ? &v->src : &v->dst;
	const struct iot_addr *rsp = v->src_is_initiator ? &v->dst : &v->src;
	const char *si = alert_scope(ini), *sr = alert_scope(rsp);

	if (!strcmp(sr, "multicast") || !strcmp(si, "multicast"))
		return "multicast";
	if (!strcmp(si, "site"))
		return !strcmp(sr, "site") ? "internal" : "outbound";
	return !strcmp(sr, "site") ? "inbound" : "external";
}

static const char *flow_field(struct eval *e, int f)
{
	const struct alert_view *v = e->v;
	char *b = e->fields[f];

	if (e->have[f])
		return b;
	e->have[f] = true;
	b[0] = 0;
	if (!v->l4_proto)
		return b;
	switch (f) {
	case FF_PROTO:
		snprintf(b, 48, "%s", v->l4_proto == 6 ? "tcp" : v->l4_proto == 17 ? "udp" : "other");
		break;
	case FF_SRC:
		dec_format_addr(&v->src, b, 48);
		break;
	case FF_DST:
		dec_format_addr(&v->dst, b, 48);
		break;
	case FF_SPORT:
		snprintf(b, 48, "%u", v->sport);
		break;
	case FF_DPORT:
		snprintf(b, 48, "%u", v->dport);
		break;
	case FF_SRC_SCOPE:
		snprintf(b, 48, "%s", alert_scope(&v->src));
		break;
	case FF_DST_SCOPE:
		snprintf(b, 48, "%s", alert_scope(&v->dst));
		break;
	case FF_DIRECTION:
		snprintf(b, 48, "%s", direction(v));
		break;
	}
	return b;
}

static struct profile *side_profile(struct eval *e, int side)
{
	const struct alert_view *v = e->v;
	bool changed;

	if (!e->prof_done[side]) {
		const uint8_t *mac = side ? v->dst_mac : v->src_mac;

		e->prof_done[side] = true;
		if (v->l4_proto)
			e->prof[side] = alert_profile(e->a, side ? &v->dst : &v->src, NULL, &changed);
		else if (mac)
			e->prof[side] = alert_profile(e->a, NULL, mac, &changed);
	}
	return e->prof[side];
}

struct attr_match {
	const struct alert_conf *c;
	const pcre2_code *re;
};

static bool attr_cb(const char *value, void *ctx)
{
	struct attr_match *m = ctx;

	return re_match(m->c, m->re, value);
}

static bool dev_cond(struct eval *e, const struct arule_cond *c)
{
	const struct alert_conf *conf = &e->a->conf;
	const struct alert_view *v = e->v;
	struct profile *p;
	char buf[48];

	if (c->field == DF_IP) {
		if (!v->l4_proto)
			return false;
		dec_format_addr(c->side ? &v->dst : &v->src, buf, sizeof(buf));
		return re_match(conf, c->re, buf);
	}
	p = side_profile(e, c->side);
	if (c->field == DF_MAC) {
		const uint8_t *mac = p && p->is_mac ? p->mac : NULL;

		if (!mac && !v->l4_proto)
			mac = c->side ? v->dst_mac : v->src_mac;

		if (!mac)
			return false;
		dec_format_mac(mac, buf);
		return re_match(conf, c->re, buf);
	}
	if (!p)
		return false;
	switch (c->field) {
	case DF_TYPE:
		return p->type.confidence && re_match(conf, c->re, p->type.value);
	case DF_VENDOR:
		return p->vendor.confidence && re_match(conf, c->re, p->vendor.value);
	case DF_MODEL:
		return p->model[0] && re_match(conf, c->re, p->model);
	case DF_OS:
		return p->os[0] && re_match(conf, c->re, p->os);
	case DF_MAC_VENDOR:
		return p->mac_vendor && re_match(conf, c->re, p->mac_vendor);
	default: {
		struct attr_match m = { conf, c->re };

		return alert_profile_attr(e->a, p, c->key, attr_cb, &m);
	}
	}
}

static bool cond_holds(struct eval *e, const struct arule_cond *c)
{
	const struct alert_conf *conf = &e->a->conf;

	switch (c->kind) {
	case AC_OBS:
		for (int i = 0; i < e->v->out->n; i++) {
			const struct iot_obs *o = &e->v->out->obs[i];

			if (!strcmp(o->key, c->key) && re_match(conf, c->re, o->value)) {
				if (e->nev < ALERT_EVIDENCE_MAX)
					e->ev[e->nev++] = (struct alert_ev_in){ o->key, o->value, e->v->flow };
				return true;
			}
		}
		return false;
	case AC_FLOW:
		return re_match(conf, c->re, flow_field(e, c->field));
	default:
		return dev_cond(e, c);
	}
}

/* Every observation key of a rule appears in the packet: cheap, before any pattern runs. */
static bool keys_present(const struct arule *r, const struct dec_out *out)
{
	for (int i = 0; i < r->nconds; i++) {
		bool found = false;

		if (r->conds[i].kind != AC_OBS)
			continue;
		for (int k = 0; k < out->n && !found; k++)
			found = !strcmp(out->obs[k].key, r->conds[i].key);
		if (!found)
			return false;
	}
	return true;
}

/* One end of the packet or flow, into a threshold's group key: its IP, or its MAC for L2 packets. */
static uint64_t end_key(const struct alert_view *v, int side, uint64_t key)
{
	const uint8_t *mac = side ? v->dst_mac : v->src_mac;

	if (v->l4_proto)
		return alert_hash(side ? v->dst.b : v->src.b, 16, key);
	return mac ? alert_hash(mac, 6, key) : key;
}

static void rule_hit(struct eval *e, const struct arule *r)
{
	struct alerts *a = e->a;
	const struct alert_view *v = e->v;
	const struct iot_addr *me = r->device_side ? &v->dst : &v->src, *other = r->device_side ? &v->src : &v->dst;
	const uint8_t *mac = r->device_side ? v->dst_mac : v->src_mac;
	char detail[ALERT_DETAIL_MAX] = "", desc[ALERT_DESC_MAX], who[48], val[96];
	struct alert_dev dev;

	if (v->l4_proto) {
		alert_dev_ip(a, me, &dev);
		dec_format_addr(me, who, sizeof(who));
	} else if (mac && !(mac[0] & 1)) {
		alert_dev_mac(mac, &dev);
		dec_format_mac(mac, who);
	} else {
		return;
	}
	if (r->thr_count) {
		uint64_t key = alert_hash(r->id, strlen(r->id), ALERT_HASH_INIT);
		struct count_win *w;
		bool by_src = r->thr_by == BY_SRC || r->thr_by == BY_SRC_DST;
		bool by_dst = r->thr_by == BY_DST || r->thr_by == BY_SRC_DST;

		if (r->thr_by == BY_DEVICE)
			key = alert_hash(dev.ip.b, 16, alert_hash(dev.mac, 6, key));
		if (by_src)
			key = end_key(v, 0, key);
		if (by_dst)
			key = end_key(v, 1, key);
		if (!alert_table((void **)&a->counts, COUNT_SLOTS, sizeof(*a->counts)))
			return;
		w = &a->counts[key % COUNT_SLOTS];
		if (w->key != key) {
			if (w->key)
				a->st.state_collisions++;
			memset(w, 0, sizeof(*w));
			w->key = key;
			w->start_ns = v->ts;
		}
		if (v->ts > w->start_ns + (uint64_t)r->thr_window_s * NS) {
			w->count = 0;
			w->fired = false;
			w->start_ns = v->ts;
		}
		if (++w->count < r->thr_count || w->fired)
			return;
		w->fired = true;
		if (v->l4_proto && ((r->device_side == 0 && by_dst) || (r->device_side == 1 && by_src)))
			dec_format_addr(other, detail, sizeof(detail));
		alert_fmt(val, sizeof(val), "%u times within %u s", w->count, r->thr_window_s);
		if (e->nev < ALERT_EVIDENCE_MAX)
			e->ev[e->nev++] = (struct alert_ev_in){ "threshold", val, v->flow };
	}
	if (!e->nev && v->flow[0])
		e->ev[e->nev++] = (struct alert_ev_in){ "flow", v->flow, v->flow };
	alert_fmt(desc, sizeof(desc), "%s: %s%s%s", r->desc ? r->desc : r->title, who, detail[0] ? " with " : "",
		 detail);
	alert_raise(a, &r->def, &dev, detail, desc, v->ts, e->ev, e->nev);
}

void rules_eval(struct alerts *a, const struct alert_view *v, bool flow_start)
{
	struct eval e = { .a = a, .v = v };

	for (size_t i = 0; i < a->conf.nrules; i++) {
		const struct arule *r = &a->conf.rules[i];
		bool holds = true;

		if (r->on_packets == flow_start || (r->on_packets && !keys_present(r, v->out)))
			continue;
		e.nev = 0;
		for (int k = 0; k < r->nconds && holds; k++)
			holds = cond_holds(&e, &r->conds[k]);
		if (holds)
			rule_hit(&e, r);
	}
}

/* ---- rules check ---- */

int alert_rules_check(const char *dir, bool json)
{
	char root[4096], adir[4200], idir[4200], msg[1024];
	struct alert_conf conf;
	struct ioc_set iocs;
	struct stat st;
	bool io = false, have_a, have_i;
	int rc = 0;

	msg[0] = 0;
	alert_rules_root(dir, root, sizeof(root));
	snprintf(adir, sizeof(adir), "%s/alerts", root);
	snprintf(idir, sizeof(idir), "%s/iocs", root);
	have_a = !stat(adir, &st) && S_ISDIR(st.st_mode);
	have_i = !stat(idir, &st) && S_ISDIR(st.st_mode);
	if (!have_a && !have_i)
		return 0;
	ioc_set_init(&iocs);
	if (alert_conf_load(&conf, adir, msg, sizeof(msg), &io) || ioc_load_dir(&iocs, idir, msg, sizeof(msg), &io))
		rc = io ? 1 : 2;
	ioc_set_finish(&iocs);
	if (json) {
		struct jsonw w;

		jw_init(&w);
		jw_obj_open(&w);
		jw_kbool(&w, "ok", rc == 0);
		jw_kstr(&w, "dir", adir);
		if (!rc) {
			jw_ku64(&w, "alert_rules", conf.nrules);
			jw_ku64(&w, "files", conf.files);
			jw_ku64(&w, "engineering_stations", conf.stations.nets.nnets + conf.stations.nmacs);
			jw_ku64(&w, "ioc_entries", iocs.nnets + iocs.ndomains);
			jw_ku64(&w, "ioc_files", iocs.files);
		} else {
			jw_key(&w, "error");
			jw_obj_open(&w);
			jw_kbool(&w, "io", io);
			jw_kstr(&w, "message", msg);
			jw_obj_close(&w);
		}
		jw_obj_close(&w);
		jw_end_line(&w);
		fwrite(w.buf, 1, w.len, stdout);
		jw_free(&w);
	} else if (!rc) {
		printf("ok: %zu alert rules in %zu files, %zu engineering stations (%s)\n", conf.nrules, conf.files,
		       conf.stations.nets.nnets + conf.stations.nmacs, adir);
		printf("ok: %zu IOC entries in %zu lists (%s)\n", iocs.nnets + iocs.ndomains, iocs.files, idir);
	} else {
		fprintf(stderr, "%s\n", msg);
	}
	alert_conf_free(&conf);
	ioc_set_free(&iocs);
	return rc;
}
