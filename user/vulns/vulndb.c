// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vulnerability database: the local feed (rules/vulns/<name>.yaml, libyaml), the imported NVD and KEV feeds
 * (NDJSON, jansson), an index by NVD vendor name, and matching a device's CPE identity against it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "lib/hmap.h"
#include "vulns/feed.h"
#include "vulns/version.h"
#include "vulns/vulndb.h"

#define RULES_FILE_MAX (4u << 20)
#define SUMMARY_MAX 512
#define YAML_NODES_MAX 200000 /* a hostile file's cost is bounded; the shipped feed has a few thousand */

/* ---- storage: one arena for every string and range, freed at once ------------------------------------------ */

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	char data[];
};

struct arena {
	struct arena_chunk *head;
};

static void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->head;

	n = (n + 7) & ~(size_t)7;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > (1u << 20) ? n : (1u << 20);

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = a->head;
		a->head = c;
	}
	c->used += n;
	return memset(c->data + c->used - n, 0, n);
}

static char *arena_strdup(struct arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = arena_alloc(a, n);

	return d ? memcpy(d, s, n) : NULL;
}

static void arena_free(struct arena *a)
{
	while (a->head) {
		struct arena_chunk *c = a->head;

		a->head = c->next;
		free(c);
	}
}

struct vuln {
	const char *cve;
	uint8_t prio; /* 0: the local feed, 1: NVD; the lower wins when both match */
	int cvss10;
	const char *cvss_version, *severity;
	bool kev;
	const char *summary, *reference, *source;
};

struct range {
	struct vuln *vuln;
	const char *vendor, *product;
	bool glob; /* product has '*' or '?' */
	bool on;   /* product names the hardware the vulnerable firmware runs on: matched against the model */
	char part; /* 'o', 'h', 'a', or '*' (local feed: any) */
	uint32_t types; /* bit i: classify_types[i]; 0: any type */
	struct version_range vr;
};

struct rlist {
	struct range **v;
	size_t n, cap;
};

struct vuln_db {
	struct arena arena;
	struct hmap by_vendor; /* NVD vendor -> struct rlist */
	struct hmap by_cve;    /* CVE id -> struct vuln (the first source's) */
	struct hmap kev;       /* CVE id -> struct vuln (kev.ndjson) */
	struct hmap strings;   /* interned vendor and product names */
	size_t rule_entries, rule_files, nvd_cves, nvd_ranges;
};

struct lerr {
	char *buf;
	size_t size;
	bool io;
	bool set;
};

static void __attribute__((format(printf, 2, 3))) lerr_set(struct lerr *e, const char *fmt, ...)
{
	va_list ap;

	if (e->set)
		return;
	e->set = true;
	va_start(ap, fmt);
	vsnprintf(e->buf, e->size, fmt, ap);
	va_end(ap);
}

static const char *intern(struct vuln_db *db, const char *s)
{
	char *v = hmap_get(&db->strings, s);

	if (v)
		return v;
	v = arena_strdup(&db->arena, s);
	if (!v || hmap_put(&db->strings, s, v))
		return NULL;
	return v;
}

static int add_range(struct vuln_db *db, struct range *r)
{
	struct rlist *l = hmap_get(&db->by_vendor, r->vendor);

	if (!l) {
		l = calloc(1, sizeof(*l));
		if (!l || hmap_put(&db->by_vendor, r->vendor, l)) {
			free(l);
			return -1;
		}
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct range **v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = r;
	return 0;
}

const char *vuln_severity(int cvss10)
{
	if (cvss10 < 0)
		return "unknown";
	if (cvss10 == 0)
		return "none";
	if (cvss10 < 40)
		return "low";
	if (cvss10 < 70)
		return "medium";
	if (cvss10 < 90)
		return "high";
	return "critical";
}

static const char *severity_word(const char *s, int cvss10)
{
	static const char *const words[] = { "critical", "high", "medium", "low", "none" };

	for (size_t i = 0; s && i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(s, words[i]) == 0)
			return words[i];
	return vuln_severity(cvss10);
}

static bool cve_id_valid(const char *s)
{
	size_t n = 0;

	if (strncmp(s, "CVE-", 4) != 0)
		return false;
	for (int i = 4; i < 8; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	if (s[8] != '-')
		return false;
	for (const char *p = s + 9; *p; p++, n++)
		if (*p < '0' || *p > '9')
			return false;
	return n >= 4 && n <= 8;
}

static bool is_glob(const char *s)
{
	return strchr(s, '*') || strchr(s, '?');
}

static int type_bit(const char *type)
{
	for (int i = 0; classify_types[i] && i < 32; i++)
		if (strcmp(type, classify_types[i]) == 0)
			return i;
	return -1;
}

/* ---- the local feed: rules/vulns/<name>.yaml ---------------------------------------------------------------------- */

struct yl {
	yaml_document_t doc;
	const char *path;
	unsigned char *visited; /* per node: an alias would visit a node twice */
	size_t nnodes;
	struct vuln_db *db;
	struct lerr *e;
	const char *source;
};

#define MARK(n) (unsigned int)(n)->start_mark.line + 1, (unsigned int)(n)->start_mark.column + 1

static void __attribute__((format(printf, 3, 4))) yfail(struct yl *l, const yaml_node_t *n, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (n)
		lerr_set(l->e, "%s:%u:%u: %s", l->path, MARK(n), what);
	else
		lerr_set(l->e, "%s: %s", l->path, what);
}

static yaml_node_t *ynode(struct yl *l, yaml_node_item_t i, const yaml_node_t *parent)
{
	yaml_node_t *n = yaml_document_get_node(&l->doc, i);
	size_t idx = (size_t)i - 1;

	if (!n || idx >= l->nnodes) {
		yfail(l, parent, "broken YAML document");
		return NULL;
	}
	if (l->visited[idx]) {
		yfail(l, n, "this node is used again through an alias (*name): aliases are not supported");
		return NULL;
	}
	l->visited[idx] = 1;
	return n;
}

static const char *yscalar(struct yl *l, yaml_node_t *n, const char *what)
{
	if (n->type != YAML_SCALAR_NODE) {
		yfail(l, n, "%s must be a single value", what);
		return NULL;
	}
	if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length) {
		yfail(l, n, "NUL character in %s", what);
		return NULL;
	}
	return (const char *)n->data.scalar.value;
}

static bool ybool(struct yl *l, yaml_node_t *n, const char *what, bool *out)
{
	const char *s = yscalar(l, n, what);

	if (!s)
		return false;
	if (strcmp(s, "true") == 0)
		*out = true;
	else if (strcmp(s, "false") == 0)
		*out = false;
	else {
		yfail(l, n, "%s must be true or false, not '%s'", what, s);
		return false;
	}
	return true;
}

/* A scalar or a list of scalars; fn is called for each. */
static bool ylist(struct yl *l, yaml_node_t *n, const char *what, bool (*fn)(struct yl *, yaml_node_t *, void *),
		  void *ctx)
{
	if (n->type == YAML_SCALAR_NODE)
		return fn(l, n, ctx);
	if (n->type != YAML_SEQUENCE_NODE) {
		yfail(l, n, "%s must be a value or a list of values", what);
		return false;
	}
	if (n->data.sequence.items.top == n->data.sequence.items.start) {
		yfail(l, n, "%s is an empty list", what);
		return false;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *c = ynode(l, *it, n);

		if (!c || !fn(l, c, ctx))
			return false;
	}
	return true;
}

struct affected {
	const char *vendor;
	yaml_node_t *product;
	uint32_t types;
	const char *exact, *from, *after, *before, *through;
	bool all;
	yaml_node_t *node;
	struct vuln *vuln;
};

static bool vendor_name_valid(const char *s)
{
	if (!*s || strlen(s) >= CPE_NAME_MAX)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("._-!&'+", *p)))
			return false;
	return true;
}

static bool product_glob_valid(const char *s)
{
	if (!*s || strlen(s) >= CPE_NAME_MAX)
		return false;
	for (const char *p = s; *p; p++)
		if ((*p >= 'A' && *p <= 'Z') || *p == ' ' || *p == ':' || (unsigned char)*p < 0x20)
			return false;
	return true;
}

static bool take_type(struct yl *l, yaml_node_t *n, void *ctx)
{
	struct affected *a = ctx;
	const char *s = yscalar(l, n, "a type");
	int bit;

	if (!s)
		return false;
	bit = type_bit(s);
	if (bit < 0) {
		yfail(l, n, "unknown device type '%s' (see rules/fingerprints/README.md for the list)", s);
		return false;
	}
	a->types |= 1u << bit;
	return true;
}

static bool check_product(struct yl *l, yaml_node_t *n, void *ctx)
{
	const char *s = yscalar(l, n, "a product");

	(void)ctx;
	if (!s)
		return false;
	if (!product_glob_valid(s)) {
		yfail(l, n, "product '%s' is not an NVD product name or glob (lower case, '_' for blanks, no ':')", s);
		return false;
	}
	return true;
}

static bool emit_product(struct yl *l, yaml_node_t *n, void *ctx)
{
	struct affected *a = ctx;
	struct vuln_db *db = l->db;
	const char *s = (const char *)n->data.scalar.value;
	struct range *r = arena_alloc(&db->arena, sizeof(*r));

	if (!r) {
		yfail(l, NULL, "out of memory");
		return false;
	}
	r->vuln = a->vuln;
	r->vendor = intern(db, a->vendor);
	r->product = intern(db, s);
	r->glob = is_glob(s);
	r->part = '*';
	r->types = a->types;
	r->vr.exact = a->exact;
	r->vr.start = a->from ? a->from : a->after;
	r->vr.start_incl = a->from != NULL;
	r->vr.end = a->through ? a->through : a->before;
	r->vr.end_incl = a->through != NULL;
	if (!r->vendor || !r->product || add_range(db, r)) {
		yfail(l, NULL, "out of memory");
		return false;
	}
	return true;
}

static const char *yversion(struct yl *l, yaml_node_t *n, const char *key)
{
	const char *s = yscalar(l, n, key);

	if (!s)
		return NULL;
	if (!version_valid(s) || strlen(s) >= CPE_NAME_MAX) {
		yfail(l, n, "%s: '%s' is not a version", key, s);
		return NULL;
	}
	return arena_strdup(&l->db->arena, s);
}

static bool parse_affected(struct yl *l, yaml_node_t *n, struct vuln *v)
{
	struct affected a = { .node = n, .vuln = v };
	bool bounds;

	if (n->type != YAML_MAPPING_NODE) {
		yfail(l, n, "an affected entry is a mapping (vendor, product, a version range)");
		return false;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = ynode(l, p->key, n), *val;
		const char *key, *s;

		if (!k)
			return false;
		val = ynode(l, p->value, k);
		key = val ? yscalar(l, k, "a key") : NULL;
		if (!key)
			return false;
		if (strcmp(key, "vendor") == 0) {
			s = yscalar(l, val, "vendor");
			if (!s)
				return false;
			if (!vendor_name_valid(s)) {
				yfail(l, val, "vendor '%s' is not an NVD vendor name (lower case, e.g. 'hikvision', "
					      "'schneider-electric')", s);
				return false;
			}
			a.vendor = s;
		} else if (strcmp(key, "product") == 0) {
			if (!ylist(l, val, "product", check_product, NULL))
				return false;
			a.product = val;
		} else if (strcmp(key, "types") == 0) {
			if (!ylist(l, val, "types", take_type, &a))
				return false;
		} else if (strcmp(key, "version") == 0) {
			if (!(a.exact = yversion(l, val, key)))
				return false;
		} else if (strcmp(key, "from") == 0) {
			if (!(a.from = yversion(l, val, key)))
				return false;
		} else if (strcmp(key, "after") == 0) {
			if (!(a.after = yversion(l, val, key)))
				return false;
		} else if (strcmp(key, "before") == 0) {
			if (!(a.before = yversion(l, val, key)))
				return false;
		} else if (strcmp(key, "through") == 0) {
			if (!(a.through = yversion(l, val, key)))
				return false;
		} else if (strcmp(key, "all_versions") == 0) {
			if (!ybool(l, val, key, &a.all))
				return false;
			if (!a.all) {
				yfail(l, val, "all_versions: false says nothing; give a version range instead");
				return false;
			}
		} else {
			yfail(l, k, "unknown key '%s' in an affected entry (vendor, product, types, version, from, after, "
				    "before, through, all_versions)", key);
			return false;
		}
	}
	if (!a.vendor) {
		yfail(l, n, "affected entry without vendor");
		return false;
	}
	if (!a.product) {
		yfail(l, n, "affected entry without product (write '*' for every product of the vendor)");
		return false;
	}
	if (a.from && a.after) {
		yfail(l, n, "from and after both set: one lower bound only");
		return false;
	}
	if (a.before && a.through) {
		yfail(l, n, "before and through both set: one upper bound only");
		return false;
	}
	bounds = a.from || a.after || a.before || a.through;
	if ((a.exact != NULL) + bounds + a.all != 1) {
		yfail(l, n, "an affected entry needs exactly one of: version, a range (from/after, before/through), "
			    "all_versions: true");
		return false;
	}
	if ((a.from || a.after) && (a.before || a.through)) {
		const char *lo = a.from ? a.from : a.after, *hi = a.before ? a.before : a.through;
		int c = 0;

		if (version_cmp(lo, hi, &c) && (c > 0 || (c == 0 && !(a.from && a.through)))) {
			yfail(l, n, "empty range: %s is not below %s", lo, hi);
			return false;
		}
	}
	/* The products were checked above; each becomes one range. Reset their visits for the second walk. */
	if (a.product->type == YAML_SEQUENCE_NODE)
		for (yaml_node_item_t *it = a.product->data.sequence.items.start; it < a.product->data.sequence.items.top;
		     it++)
			l->visited[*it - 1] = 0;
	return ylist(l, a.product, "product", emit_product, &a);
}

/* A score in 0..10 as tenths, rounded (no libm). */
static int tenths(double d)
{
	return (int)(d * 10 + 0.5);
}

static bool one_decimal(double d)
{
	double diff = d * 10 - (double)tenths(d);

	return diff < 1e-6 && diff > -1e-6;
}

static bool parse_cvss(struct yl *l, yaml_node_t *n, int *out)
{
	const char *s = yscalar(l, n, "cvss");
	char *end;
	double d;

	if (!s)
		return false;
	errno = 0;
	d = strtod(s, &end);
	if (errno || end == s || *end || !(d >= 0.0 && d <= 10.0) || !one_decimal(d)) {
		yfail(l, n, "cvss must be a base score from 0.0 to 10.0 with one decimal, not '%s'", s);
		return false;
	}
	*out = tenths(d);
	return true;
}

static bool parse_entry(struct yl *l, yaml_node_t *n)
{
	struct vuln_db *db = l->db;
	struct vuln *v = arena_alloc(&db->arena, sizeof(*v));
	yaml_node_t *affected = NULL, *cve_node = NULL;
	bool have_cvss = false;
	const char *s;

	if (!v) {
		yfail(l, NULL, "out of memory");
		return false;
	}
	if (n->type != YAML_MAPPING_NODE) {
		yfail(l, n, "expected an entry (a mapping with cve, cvss, reference, affected)");
		return false;
	}
	v->cvss_version = "3.1";
	v->source = l->source;
	v->summary = "";
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = ynode(l, p->key, n), *val;
		const char *key;

		if (!k)
			return false;
		val = ynode(l, p->value, k);
		key = val ? yscalar(l, k, "a key") : NULL;
		if (!key)
			return false;
		if (strcmp(key, "cve") == 0) {
			if (!(s = yscalar(l, val, key)))
				return false;
			if (!cve_id_valid(s)) {
				yfail(l, val, "'%s' is not a CVE id (CVE-YYYY-NNNN)", s);
				return false;
			}
			v->cve = arena_strdup(&db->arena, s);
			cve_node = val;
		} else if (strcmp(key, "cvss") == 0) {
			if (!parse_cvss(l, val, &v->cvss10))
				return false;
			have_cvss = true;
		} else if (strcmp(key, "cvss_version") == 0) {
			if (!(s = yscalar(l, val, key)))
				return false;
			if (strcmp(s, "3.1") && strcmp(s, "3.0") && strcmp(s, "4.0") && strcmp(s, "2.0")) {
				yfail(l, val, "cvss_version must be 3.1, 3.0, 4.0 or 2.0, not '%s'", s);
				return false;
			}
			v->cvss_version = arena_strdup(&db->arena, s);
		} else if (strcmp(key, "kev") == 0) {
			if (!ybool(l, val, key, &v->kev))
				return false;
		} else if (strcmp(key, "summary") == 0) {
			if (!(s = yscalar(l, val, key)))
				return false;
			if (strlen(s) > SUMMARY_MAX) {
				yfail(l, val, "summary longer than %u bytes", SUMMARY_MAX);
				return false;
			}
			v->summary = arena_strdup(&db->arena, s);
		} else if (strcmp(key, "reference") == 0) {
			if (!(s = yscalar(l, val, key)))
				return false;
			if (strncmp(s, "https://", 8) && strncmp(s, "http://", 7)) {
				yfail(l, val, "reference must be an http(s) URL");
				return false;
			}
			v->reference = arena_strdup(&db->arena, s);
		} else if (strcmp(key, "affected") == 0) {
			if (val->type != YAML_SEQUENCE_NODE || val->data.sequence.items.top == val->data.sequence.items.start) {
				yfail(l, val, "affected must be a non-empty list");
				return false;
			}
			affected = val;
		} else {
			yfail(l, k, "unknown key '%s' (cve, cvss, cvss_version, kev, summary, reference, affected)", key);
			return false;
		}
	}
	if (!v->cve || !have_cvss || !v->reference || !affected) {
		yfail(l, n, "entry without %s", !v->cve ? "cve" : !have_cvss ? "cvss" : !v->reference ? "reference"
											    : "affected");
		return false;
	}
	if (!v->cve || !v->summary || !v->cvss_version) {
		yfail(l, NULL, "out of memory");
		return false;
	}
	v->severity = vuln_severity(v->cvss10);
	if (hmap_get(&db->by_cve, v->cve)) {
		yfail(l, cve_node, "%s is listed twice in the local feed", v->cve);
		return false;
	}
	if (hmap_put(&db->by_cve, v->cve, v)) {
		yfail(l, NULL, "out of memory");
		return false;
	}
	for (yaml_node_item_t *it = affected->data.sequence.items.start; it < affected->data.sequence.items.top; it++) {
		yaml_node_t *c = ynode(l, *it, affected);

		if (!c || !parse_affected(l, c, v))
			return false;
	}
	db->rule_entries++;
	return true;
}

static bool read_file(const char *path, size_t max, unsigned char **out, size_t *len, struct lerr *e)
{
	unsigned char *buf = NULL;
	struct stat st;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		e->io = true;
		lerr_set(e, "%s: %s", path, strerror(errno));
		return false;
	}
	if (fstat(fd, &st) < 0) {
		e->io = true;
		lerr_set(e, "%s: %s", path, strerror(errno));
		close(fd);
		return false;
	}
	if (!S_ISREG(st.st_mode)) {
		e->io = true;
		lerr_set(e, "%s: not a regular file", path);
		close(fd);
		return false;
	}
	if ((uint64_t)st.st_size > max) {
		lerr_set(e, "%s: larger than %zu MiB", path, max >> 20);
		close(fd);
		return false;
	}
	buf = malloc((size_t)st.st_size + 1);
	while (buf && got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (!buf) {
		lerr_set(e, "%s: out of memory", path);
		return false;
	}
	*out = buf;
	*len = got;
	return true;
}

static bool load_rules_file(struct vuln_db *db, const char *path, struct lerr *e)
{
	yaml_parser_t parser;
	struct yl l = { .path = path, .db = db, .e = e };
	unsigned char *buf;
	yaml_node_t *root;
	bool ok = false;
	size_t len;

	if (!read_file(path, RULES_FILE_MAX, &buf, &len, e))
		return false;
	l.source = arena_strdup(&db->arena, path);
	if (!l.source || !yaml_parser_initialize(&parser)) {
		free(buf);
		lerr_set(e, "%s: out of memory", path);
		return false;
	}
	yaml_parser_set_input_string(&parser, buf, len);
	if (!yaml_parser_load(&parser, &l.doc)) {
		if (parser.error == YAML_READER_ERROR)
			lerr_set(e, "%s: YAML: %s at byte %zu", path, parser.problem ? parser.problem : "unreadable input",
				 parser.problem_offset);
		else
			lerr_set(e, "%s:%zu:%zu: YAML: %s", path, parser.problem_mark.line + 1,
				 parser.problem_mark.column + 1, parser.problem ? parser.problem : "syntax error");
		yaml_parser_delete(&parser);
		free(buf);
		return false;
	}
	root = yaml_document_get_root_node(&l.doc);
	l.nnodes = (size_t)(l.doc.nodes.top - l.doc.nodes.start);
	if (l.nnodes > YAML_NODES_MAX) {
		yfail(&l, NULL, "more than %u YAML nodes", YAML_NODES_MAX);
		goto out;
	}
	l.visited = calloc(l.nnodes + 1, 1);
	if (!l.visited) {
		yfail(&l, NULL, "out of memory");
		goto out;
	}
	if (root) {
		l.visited[0] = 1;
		if (root->type != YAML_SEQUENCE_NODE) {
			yfail(&l, root, "expected a list of entries ('- cve: ...')");
			goto out;
		}
		for (yaml_node_item_t *it = root->data.sequence.items.start; it < root->data.sequence.items.top; it++) {
			yaml_node_t *n = ynode(&l, *it, root);

			if (!n || !parse_entry(&l, n))
				goto out;
		}
		/* A second document in the same file would be silently ignored: refuse it. */
		yaml_document_delete(&l.doc);
		memset(&l.doc, 0, sizeof(l.doc));
		if (!yaml_parser_load(&parser, &l.doc)) {
			lerr_set(e, "%s:%zu:%zu: YAML: %s", path, parser.problem_mark.line + 1,
				 parser.problem_mark.column + 1, parser.problem ? parser.problem : "syntax error");
			goto out_nodoc;
		}
		if (yaml_document_get_root_node(&l.doc)) {
			yfail(&l, yaml_document_get_root_node(&l.doc), "one YAML document per file");
			goto out;
		}
	}
	ok = true;
out:
	yaml_document_delete(&l.doc);
out_nodoc:
	yaml_parser_delete(&parser);
	free(l.visited);
	free(buf);
	return ok;
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

static bool load_rules_dir(struct vuln_db *db, const char *dir, struct lerr *e)
{
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	bool ok = true;
	DIR *d = opendir(dir);

	if (!d) {
		if (errno == ENOENT)
			return true;
		e->io = true;
		lerr_set(e, "%s: %s", dir, strerror(errno));
		return false;
	}
	while ((de = readdir(d))) {
		char **grown;

		if (!is_yaml_name(de->d_name))
			continue;
		grown = realloc(names, (n + 1) * sizeof(*names));
		if (!grown || asprintf(&grown[n], "%s/%s", dir, de->d_name) < 0) {
			names = grown ? grown : names;
			lerr_set(e, "%s: out of memory", dir);
			ok = false;
			break;
		}
		names = grown;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; ok && i < n; i++) {
		ok = load_rules_file(db, names[i], e);
		db->rule_files += ok;
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ok;
}

/* ---- imported feeds: <state>/feeds/{nvd,kev}.ndjson ---------------------------------------------------------- */

static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* A range's version field: NULL when absent, the string when valid, "" (invalid) otherwise. */
static const char *jver(struct vuln_db *db, json_t *o, const char *key, bool *bad)
{
	const char *s = jstr(o, key);

	if (!json_object_get(o, key))
		return NULL;
	if (!s || strlen(s) >= CPE_NAME_MAX) {
		*bad = true;
		return NULL;
	}
	return arena_strdup(&db->arena, s);
}

static bool nvd_line(struct vuln_db *db, json_t *o, const char *source)
{
	struct vuln *v = arena_alloc(&db->arena, sizeof(*v));
	const char *cve = jstr(o, "cve"), *s;
	json_t *ranges = json_object_get(o, "ranges"), *cvss = json_object_get(o, "cvss"), *rj;
	char *ref;
	size_t i;

	if (!v || !cve || !cve_id_valid(cve) || !json_is_array(ranges))
		return false;
	v->cve = arena_strdup(&db->arena, cve);
	if (json_is_number(cvss) && !(json_number_value(cvss) >= 0 && json_number_value(cvss) <= 10))
		return false;
	v->cvss10 = json_is_number(cvss) ? tenths(json_number_value(cvss)) : -1;
	s = jstr(o, "cvss_version");
	v->cvss_version = arena_strdup(&db->arena, s && strlen(s) < 8 ? s : "");
	v->severity = severity_word(jstr(o, "severity"), v->cvss10);
	v->kev = json_is_true(json_object_get(o, "kev"));
	s = jstr(o, "summary");
	v->summary = arena_strdup(&db->arena, s && strlen(s) <= SUMMARY_MAX ? s : "");
	v->source = source;
	v->prio = 1;
	if (!v->cve || !v->cvss_version || !v->summary)
		return false;
	if (asprintf(&ref, "https://nvd.nist.gov/vuln/detail/%s", v->cve) < 0)
		return false;
	v->reference = arena_strdup(&db->arena, ref);
	free(ref);
	if (!v->reference)
		return false;
	json_array_foreach(ranges, i, rj) {
		struct range *r = arena_alloc(&db->arena, sizeof(*r));
		const char *part = jstr(rj, "part"), *vendor = jstr(rj, "vendor"), *product = jstr(rj, "product");
		const char *si = NULL, *se = NULL, *ei = NULL, *ee = NULL;
		bool bad = false;

		if (!r || !part || strlen(part) != 1 || !strchr("aoh", part[0]) || !vendor || !product ||
		    strlen(vendor) >= CPE_NAME_MAX || strlen(product) >= CPE_NAME_MAX || !*vendor || !*product)
			return false;
		r->vuln = v;
		r->part = part[0];
		r->vendor = intern(db, vendor);
		r->product = intern(db, product);
		r->glob = false; /* NVD names are literal */
		r->on = json_is_true(json_object_get(rj, "on"));
		r->vr.exact = jver(db, rj, "version", &bad);
		si = jver(db, rj, "start_including", &bad);
		se = jver(db, rj, "start_excluding", &bad);
		ei = jver(db, rj, "end_including", &bad);
		ee = jver(db, rj, "end_excluding", &bad);
		if (bad || (si && se) || (ei && ee) || !r->vendor || !r->product)
			return false;
		r->vr.start = si ? si : se;
		r->vr.start_incl = si != NULL;
		r->vr.end = ei ? ei : ee;
		r->vr.end_incl = ei != NULL;
		if (add_range(db, r))
			return false;
		db->nvd_ranges++;
	}
	if (!hmap_get(&db->by_cve, v->cve) && hmap_put(&db->by_cve, v->cve, v))
		return false;
	db->nvd_cves++;
	return true;
}

static bool kev_line(struct vuln_db *db, json_t *o)
{
	struct vuln *v;
	const char *cve = jstr(o, "cve");

	if (!cve || !cve_id_valid(cve))
		return false;
	if (hmap_get(&db->kev, cve))
		return true;
	v = arena_alloc(&db->arena, sizeof(*v));
	if (!v || !(v->cve = arena_strdup(&db->arena, cve)))
		return false;
	v->kev = true;
	return hmap_put(&db->kev, v->cve, v) == 0;
}

static bool load_feed(struct vuln_db *db, const char *state_dir, const char *name, struct lerr *e)
{
	char path[4096];
	const char *source = strcmp(name, VULN_NVD_FILE) == 0 ? "nvd" : "kev";
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	bool ok = true;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", state_dir, VULN_FEEDS_SUBDIR, name);
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			return true;
		e->io = true;
		lerr_set(e, "%s: %s", path, strerror(errno));
		return false;
	}
	while (ok && (n = getline(&line, &cap, f)) > 0) {
		json_error_t je;
		json_t *o;

		lineno++;
		o = json_loadb(line, (size_t)n, 0, &je);
		if (!json_is_object(o)) {
			ok = false;
		} else if (lineno == 1) {
			const char *feed = jstr(o, "iotsense_feed");

			ok = feed && strcmp(feed, source) == 0 &&
			     json_integer_value(json_object_get(o, "version")) == FEED_FORMAT_VERSION;
		} else if (strcmp(source, "nvd") == 0) {
			ok = nvd_line(db, o, "nvd");
		} else {
			ok = kev_line(db, o);
		}
		json_decref(o);
	}
	if (ok && ferror(f)) {
		e->io = true;
		lerr_set(e, "%s: %s", path, strerror(errno));
		ok = false;
	} else if (!ok) {
		lerr_set(e, "%s:%zu: not a valid %s feed line (damaged? run `iotsense feed import %s FILE` again, or "
			    "remove the file)", path, lineno, source, source);
	}
	free(line);
	fclose(f);
	return ok;
}

/* ---- the database -------------------------------------------------------------------------------------------- */

static void free_rlist(void *p)
{
	struct rlist *l = p;

	if (l)
		free(l->v);
	free(l);
}

void vuln_db_free(struct vuln_db *db)
{
	if (!db)
		return;
	hmap_free(&db->by_vendor, free_rlist);
	hmap_free(&db->by_cve, NULL);
	hmap_free(&db->kev, NULL);
	hmap_free(&db->strings, NULL);
	arena_free(&db->arena);
	free(db);
}

static struct vuln_db *load(const char *rules_dir, const char *state_dir, struct lerr *e)
{
	struct vuln_db *db = calloc(1, sizeof(*db));
	char dir[4096];

	if (!db) {
		lerr_set(e, "out of memory");
		return NULL;
	}
	if (!rules_dir || *rules_dir) {
		char root[4000];

		snprintf(dir, sizeof(dir), "%s/vulns", vuln_rules_root(rules_dir, root, sizeof(root)));
		if (!load_rules_dir(db, dir, e))
			goto fail;
	}
	if (state_dir && *state_dir) {
		if (!load_feed(db, state_dir, VULN_NVD_FILE, e) || !load_feed(db, state_dir, VULN_KEV_FILE, e))
			goto fail;
	}
	return db;
fail:
	vuln_db_free(db);
	return NULL;
}

struct vuln_db *vuln_db_load(const char *rules_dir, const char *state_dir, char *err, size_t err_size)
{
	char dummy[8];
	struct lerr e = { .buf = err && err_size ? err : dummy, .size = err && err_size ? err_size : sizeof(dummy) };

	e.buf[0] = 0;
	return load(rules_dir, state_dir, &e);
}

size_t vuln_db_count(const struct vuln_db *db)
{
	return db ? db->by_cve.n : 0;
}

void vuln_db_stats(const struct vuln_db *db, struct vuln_db_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!db)
		return;
	st->rule_entries = db->rule_entries;
	st->rule_files = db->rule_files;
	st->nvd_cves = db->nvd_cves;
	st->nvd_ranges = db->nvd_ranges;
	st->kev_cves = db->kev.n;
}

/* ---- matching ------------------------------------------------------------------------------------------------ */

/*
 * A hardware platform names the device when it is its model, or the start of it up to a '_' (NVD's
 * "cpu_1214c" is the model "CPU 1214C DC/DC/DC", normalised "cpu_1214c_dc/dc/dc"); never a longer model name
 * ("r7000" is not "r7000p").
 */
static bool platform_match(const char *hw, const char *model)
{
	size_t n = strlen(hw);

	return *model && strncmp(hw, model, n) == 0 && (model[n] == 0 || model[n] == '_');
}

/* True when the identity has the product r names. */
static bool match_product(const struct range *r, const struct cpe_ident *id, const char *vendor)
{
	if (r->on) {
		for (size_t v = 0; v < id->nvendors; v++)
			if (strcmp(id->vendors[v], vendor) == 0)
				return platform_match(r->product, id->model);
		return false;
	}
	for (size_t i = 0; i < id->nproducts; i++) {
		const struct cpe_product *p = &id->products[i];

		if (strcmp(p->vendor, vendor) != 0)
			continue;
		if (r->glob ? cpe_glob(r->product, p->product) : strcmp(r->product, p->product) == 0)
			return true;
	}
	return false;
}

static int hit_cmp(const void *a, const void *b)
{
	const struct vuln_hit *x = a, *y = b;

	if (x->cvss10 != y->cvss10)
		return x->cvss10 > y->cvss10 ? -1 : 1;
	return strcmp(x->cve, y->cve);
}

/* A candidate hit: every range that matched, before one hit per CVE is kept. */
struct cand {
	const struct range *r;
	size_t seq;
};

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	int c = strcmp(x->r->vuln->cve, y->r->vuln->cve);

	if (c)
		return c;
	if (x->r->vuln->prio != y->r->vuln->prio)
		return x->r->vuln->prio < y->r->vuln->prio ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

struct vuln_hit *vuln_db_match(const struct vuln_db *db, const struct cpe_ident *id, size_t *n)
{
	const char *vendors[CPE_VENDORS_MAX + CPE_PRODUCTS_MAX];
	struct cand *cands = NULL;
	struct vuln_hit *hits = NULL;
	size_t nv = 0, nc = 0, cap = 0;
	int tbit = id->type[0] ? type_bit(id->type) : -1;

	*n = 0;
	if (!db)
		return NULL;
	/* Every vendor name of the identity, once: its own, and those of its products (an OS's vendor). */
	for (size_t i = 0; i < id->nvendors + id->nproducts; i++) {
		const char *v = i < id->nvendors ? id->vendors[i] : id->products[i - id->nvendors].vendor;
		bool dup = false;

		for (size_t j = 0; j < nv; j++)
			dup |= strcmp(vendors[j], v) == 0;
		if (!dup && *v)
			vendors[nv++] = v;
	}
	for (size_t k = 0; k < nv; k++) {
		const struct rlist *l = hmap_get(&db->by_vendor, vendors[k]);

		for (size_t i = 0; l && i < l->n; i++) {
			const struct range *r = l->v[i];

			if (r->types && (tbit < 0 || !(r->types & (1u << tbit))))
				continue;
			if (strcmp(r->product, "*") != 0 && !match_product(r, id, vendors[k]))
				continue;
			/* A hardware CPE has no firmware version. */
			if (!version_in_range(r->part == 'h' ? NULL : id->version, &r->vr))
				continue;
			if (nc == cap) {
				size_t ncap = cap ? cap * 2 : 16;
				struct cand *c = realloc(cands, ncap * sizeof(*c));

				if (!c) {
					free(cands);
					return NULL;
				}
				cands = c;
				cap = ncap;
			}
			cands[nc].r = r;
			cands[nc].seq = nc;
			nc++;
		}
	}
	if (!nc)
		return NULL;
	/* One hit per CVE: the local feed's range before NVD's, then the first that matched. */
	qsort(cands, nc, sizeof(*cands), cand_cmp);
	hits = calloc(nc, sizeof(*hits));
	if (!hits) {
		free(cands);
		return NULL;
	}
	for (size_t i = 0; i < nc; i++) {
		const struct range *r = cands[i].r;
		struct vuln_hit *h;
		char rs[96];

		if (i && strcmp(r->vuln->cve, cands[i - 1].r->vuln->cve) == 0)
			continue;
		h = &hits[(*n)++];
		h->cve = r->vuln->cve;
		h->cvss10 = r->vuln->cvss10;
		h->cvss_version = r->vuln->cvss_version;
		h->severity = r->vuln->severity;
		h->kev = r->vuln->kev || hmap_get(&db->kev, r->vuln->cve) != NULL;
		h->source = r->vuln->source;
		h->summary = r->vuln->summary;
		h->reference = r->vuln->reference;
		snprintf(h->affected, sizeof(h->affected), "%s:%s%s %s", r->vendor, r->product,
			 r->on ? " (firmware)" : "", version_range_str(&r->vr, rs, sizeof(rs)));
	}
	free(cands);
	if (*n > 1)
		qsort(hits, *n, sizeof(*hits), hit_cmp);
	return hits;
}

void vuln_jw_score(struct jsonw *w, int cvss10)
{
	char b[16];
	size_t n;

	if (cvss10 < 0) {
		jw_null(w);
		return;
	}
	/*
	 * jsonw writes no decimals: let it place the value (separators, state), then turn its "0" into the score.
	 * Only the buffer's tail changes, so its invariants (NUL-terminated, len < cap) are kept by hand.
	 */
	jw_u64(w, 0);
	if (w->oom || !w->len)
		return;
	n = (size_t)snprintf(b, sizeof(b), "%d.%d", cvss10 / 10, cvss10 % 10);
	if (w->len - 1 + n + 1 > w->cap) {
		size_t cap = w->cap * 2 + n;
		char *nb = realloc(w->buf, cap);

		if (!nb) {
			w->oom = true;
			return;
		}
		w->buf = nb;
		w->cap = cap;
	}
	memcpy(w->buf + w->len - 1, b, n + 1);
	w->len += n - 1;
}

void vuln_put_device(struct jsonw *w, const struct vuln_db *db, const struct classify_result *r,
		     struct vuln_summary *sum)
{
	struct cpe_ident id;
	struct vuln_hit *hits = NULL;
	size_t n = 0;
	bool have = cpe_from_classify(r, &id);

	jw_key(w, "cpe");
	if (have)
		jw_str(w, id.cpe);
	else
		jw_null(w);
	if (have)
		hits = vuln_db_match(db, &id, &n);
	jw_key(w, "vulnerabilities");
	jw_arr_open(w);
	for (size_t i = 0; i < n; i++) {
		jw_obj_open(w);
		jw_kstr(w, "cve", hits[i].cve);
		jw_key(w, "cvss");
		vuln_jw_score(w, hits[i].cvss10);
		jw_kstr(w, "severity", hits[i].severity);
		jw_kbool(w, "kev", hits[i].kev);
		jw_kstr(w, "source", hits[i].source);
		jw_kstr(w, "affected", hits[i].affected);
		jw_obj_close(w);
	}
	jw_arr_close(w);
	if (sum) {
		sum->n = n;
		sum->kev = 0;
		sum->max_cvss10 = -1;
		for (size_t i = 0; i < n; i++) {
			sum->kev += hits[i].kev;
			if (hits[i].cvss10 > sum->max_cvss10)
				sum->max_cvss10 = hits[i].cvss10;
		}
	}
	free(hits);
}

/* ---- rules check --------------------------------------------------------------------------------------------- */

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* "rules/fingerprints" -> "rules"; "fingerprints" -> "." */
static bool strip_dir(char *buf, size_t size, const char *sub)
{
	size_t n = strlen(buf), s = strlen(sub);

	if (n == s && strcmp(buf, sub) == 0) {
		snprintf(buf, size, ".");
		return true;
	}
	if (n > s && buf[n - s - 1] == '/' && strcmp(buf + n - s, sub) == 0) {
		buf[n - s - 1] = 0;
		if (!buf[0])
			snprintf(buf, size, "/");
		return true;
	}
	return false;
}

const char *vuln_rules_root(const char *dir, char *buf, size_t size)
{
	char root[4096];
	size_t n;

	dir = rules_root(dir, root, sizeof(root));
	snprintf(buf, size, "%s", dir);
	n = strlen(buf);
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = 0;
	if (!strip_dir(buf, size, "fingerprints"))
		strip_dir(buf, size, "vulns");
	return buf;
}

int vuln_rules_check(const char *dir, bool json)
{
	char root[4096], vdir[4200], msg[1024];
	struct lerr e = { .buf = msg, .size = sizeof(msg) };
	struct vuln_db *db;
	struct jsonw w;

	msg[0] = 0;
	vuln_rules_root(dir, root, sizeof(root));
	snprintf(vdir, sizeof(vdir), "%s/vulns", root);
	if (!is_dir(vdir))
		return 0;
	db = load(root, NULL, &e);
	if (json) {
		jw_init(&w);
		jw_obj_open(&w);
		jw_kbool(&w, "ok", db != NULL);
		jw_kstr(&w, "dir", vdir);
		if (db) {
			jw_ku64(&w, "vulnerabilities", db->rule_entries);
			jw_ku64(&w, "files", db->rule_files);
		} else {
			jw_key(&w, "error");
			jw_obj_open(&w);
			jw_kbool(&w, "io", e.io);
			jw_kstr(&w, "message", msg);
			jw_obj_close(&w);
		}
		jw_obj_close(&w);
		jw_end_line(&w);
		fwrite(w.buf, 1, w.len, stdout);
		jw_free(&w);
	} else if (db) {
		printf("ok: %zu vulnerabilities in %zu files (%s)\n", db->rule_entries, db->rule_files, vdir);
	} else {
		fprintf(stderr, "%s\n", msg);
	}
	if (!db)
		return e.io ? 1 : 2;
	vuln_db_free(db);
	return 0;
}
