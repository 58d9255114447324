// SPDX-License-Identifier: GPL-2.0-only
/*
 * `iotsense vulns [--json] [--by-device] [--from FILE]`: the CVEs that affect the inventory's devices, matched
 * now against the local feed and the imported feeds (so an import shows at once, without a new snapshot). Reads
 * the device records (the store <state-dir>/iotsense.db, or FILE such as `iotsense replay` output). The table lists each
 * CVE with its devices (or each device with its CVEs); --json writes one OCSF Vulnerability Finding (class 2002)
 * record per device and CVE.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "device_file.h"
#include "store/store.h"
#include "lib/jsonw.h"
#include "lib/log.h"
#include "vulns/cpe.h"
#include "vulns/vulndb.h"

struct pair {
	struct vuln_hit hit;
	size_t dev;
};

struct dev_info {
	const char *id, *mac, *ip, *type, *vendor, *model, *os, *firmware;
	struct cpe_ident ident;
	bool has_ident;
};

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void set_field(struct classify_field *f, const char *v)
{
	if (!v || !*v)
		return;
	snprintf(f->value, sizeof(f->value), "%s", v);
	f->confidence = 100;
}

static void dev_read(json_t *d, struct dev_info *di)
{
	struct classify_result r;

	memset(di, 0, sizeof(*di));
	memset(&r, 0, sizeof(r));
	di->id = jstr(d, "id");
	di->mac = jstr(d, "mac");
	di->ip = json_string_value(json_array_get(json_object_get(d, "ips"), 0));
	di->type = jstr(d, "type");
	di->vendor = jstr(d, "vendor");
	di->model = jstr(d, "model");
	di->os = jstr(d, "os");
	di->firmware = jstr(d, "firmware");
	set_field(&r.type, di->type);
	set_field(&r.vendor, di->vendor);
	set_field(&r.model, di->model);
	set_field(&r.os, di->os);
	set_field(&r.firmware, di->firmware);
	di->has_ident = cpe_from_classify(&r, &di->ident);
}

static int pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c;

	if (x->hit.cvss10 != y->hit.cvss10)
		return x->hit.cvss10 > y->hit.cvss10 ? -1 : 1;
	c = strcmp(x->hit.cve, y->hit.cve);
	if (c)
		return c;
	return x->dev < y->dev ? -1 : x->dev > y->dev;
}

static void score_str(int cvss10, char *buf, size_t size)
{
	if (cvss10 < 0)
		snprintf(buf, size, "  ?");
	else
		snprintf(buf, size, "%d.%d", cvss10 / 10, cvss10 % 10);
}

static void print_device(const struct dev_info *di, const char *indent)
{
	printf("%s%s", indent, di->id ? di->id : "?");
	if (di->ip)
		printf("  %s", di->ip);
	printf("  %s%s%s", di->vendor ? di->vendor : "", di->model ? " " : "", di->model ? di->model : "");
	if (di->firmware)
		printf("  firmware %s", di->firmware);
	printf("\n");
}

static void print_by_cve(const struct pair *p, size_t n, const struct dev_info *devs)
{
	char s[16];

	if (n)
		printf("%-16s %4s  %-8s  %-3s  %s\n", "CVE", "CVSS", "SEVERITY", "KEV", "AFFECTED (SOURCE)");
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || strcmp(p[i].hit.cve, p[i - 1].hit.cve) != 0) {
			score_str(p[i].hit.cvss10, s, sizeof(s));
			printf("%-16s %4s  %-8s  %-3s  %s (%s)\n", p[i].hit.cve, s, p[i].hit.severity,
			       p[i].hit.kev ? "yes" : "-", p[i].hit.affected, p[i].hit.source);
			if (p[i].hit.summary[0])
				printf("%18s%.*s%s\n", "", 100, p[i].hit.summary, strlen(p[i].hit.summary) > 100 ? "..." : "");
		}
		print_device(&devs[p[i].dev], "                    ");
	}
}

static int pair_dev_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return pair_cmp(a, b);
}

static void print_by_device(struct pair *p, size_t n, const struct dev_info *devs)
{
	char s[16];

	if (n)
		qsort(p, n, sizeof(*p), pair_dev_cmp);
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || p[i].dev != p[i - 1].dev) {
			print_device(&devs[p[i].dev], "");
			printf("    %s\n", devs[p[i].dev].ident.cpe);
		}
		score_str(p[i].hit.cvss10, s, sizeof(s));
		printf("    %-16s %4s  %-8s  %-3s  %s (%s)\n", p[i].hit.cve, s, p[i].hit.severity,
		       p[i].hit.kev ? "KEV" : "", p[i].hit.affected, p[i].hit.source);
	}
}

static int severity_id(const char *s)
{
	static const char *const names[] = { "unknown", "none", "low", "medium", "high", "critical" };

	for (int i = 0; i < 6; i++)
		if (!strcmp(s, names[i]))
			return i; /* OCSF: 0 Unknown, 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical */
	return 0;
}

static const char *severity_caption(int id)
{
	static const char *const caps[] = { "Unknown", "Informational", "Low", "Medium", "High", "Critical" };

	return caps[id >= 0 && id < 6 ? id : 0];
}

static void kstr_or_null(struct jsonw *w, const char *k, const char *v)
{
	jw_key(w, k);
	if (v)
		jw_str(w, v);
	else
		jw_null(w);
}

/* One OCSF 1.1 Vulnerability Finding (2002): this CVE on this device. */
static void put_finding(struct jsonw *w, const struct pair *p, const struct dev_info *di, uint64_t now_ns)
{
	const struct vuln_hit *h = &p->hit;
	int sev = severity_id(h->severity);
	char title[256];

	snprintf(title, sizeof(title), "%s on %s%s%s", h->cve, di->vendor ? di->vendor : di->id ? di->id : "?",
		 di->model ? " " : "", di->model ? di->model : "");
	jw_reset(w);
	jw_obj_open(w);
	jw_kstr(w, "record", "vulnerability");
	jw_ku64(w, "class_uid", 2002);
	jw_kstr(w, "class_name", "Vulnerability Finding");
	jw_ku64(w, "category_uid", 2);
	jw_kstr(w, "category_name", "Findings");
	jw_ku64(w, "activity_id", 1);
	jw_kstr(w, "activity_name", "Create");
	jw_ku64(w, "type_uid", 200201);
	jw_ktime(w, "time", now_ns);
	jw_ku64(w, "severity_id", (uint64_t)sev);
	jw_kstr(w, "severity", severity_caption(sev));
	jw_ku64(w, "status_id", 1);
	jw_kstr(w, "status", "New");
	jw_key(w, "metadata");
	jw_obj_open(w);
	jw_kstr(w, "version", "1.1.0");
	jw_key(w, "product");
	jw_obj_open(w);
	jw_kstr(w, "name", "iotsense");
	jw_kstr(w, "vendor_name", "iotsense");
	jw_obj_close(w);
	jw_obj_close(w);
	jw_key(w, "finding_info");
	jw_obj_open(w);
	jw_key(w, "uid");
	{
		char uid[256];

		snprintf(uid, sizeof(uid), "%s/%s", di->id ? di->id : "?", h->cve);
		jw_str(w, uid);
	}
	jw_kstr(w, "title", title);
	if (h->summary[0])
		jw_kstr(w, "desc", h->summary);
	jw_key(w, "types");
	jw_arr_open(w);
	jw_str(w, "CVE");
	jw_arr_close(w);
	if (h->reference[0])
		jw_kstr(w, "src_url", h->reference);
	jw_obj_close(w);
	jw_key(w, "device");
	jw_obj_open(w);
	kstr_or_null(w, "uid", di->id);
	if (di->mac)
		jw_kstr(w, "mac", di->mac);
	if (di->ip)
		jw_kstr(w, "ip", di->ip);
	if (di->type)
		jw_kstr(w, "type", di->type);
	if (di->vendor)
		jw_kstr(w, "vendor_name", di->vendor);
	if (di->model)
		jw_kstr(w, "model", di->model);
	if (di->os) {
		jw_key(w, "os");
		jw_obj_open(w);
		jw_kstr(w, "name", di->os);
		jw_obj_close(w);
	}
	jw_obj_close(w);
	jw_key(w, "vulnerabilities");
	jw_arr_open(w);
	jw_obj_open(w);
	jw_key(w, "cve");
	jw_obj_open(w);
	jw_kstr(w, "uid", h->cve);
	if (h->cvss10 >= 0) {
		jw_key(w, "cvss");
		jw_arr_open(w);
		jw_obj_open(w);
		jw_key(w, "base_score");
		vuln_jw_score(w, h->cvss10);
		jw_kstr(w, "severity", severity_caption(sev));
		jw_kstr(w, "version", h->cvss_version[0] ? h->cvss_version : "3.1");
		jw_obj_close(w);
		jw_arr_close(w);
	}
	if (h->summary[0])
		jw_kstr(w, "desc", h->summary);
	jw_obj_close(w);
	jw_kstr(w, "title", h->cve);
	jw_kstr(w, "severity", severity_caption(sev));
	jw_kbool(w, "is_exploit_available", h->kev);
	if (h->reference[0]) {
		jw_key(w, "references");
		jw_arr_open(w);
		jw_str(w, h->reference);
		jw_arr_close(w);
	}
	jw_obj_close(w);
	jw_arr_close(w);
	jw_key(w, "unmapped");
	jw_obj_open(w);
	jw_kbool(w, "kev", h->kev);
	jw_kstr(w, "cpe", di->ident.cpe);
	jw_kstr(w, "affected", h->affected);
	jw_kstr(w, "source", h->source);
	if (di->firmware)
		jw_kstr(w, "firmware", di->firmware);
	jw_obj_close(w);
	jw_obj_close(w);
	jw_end_line(w);
}

int cmd_vulns(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "by-device", no_argument, NULL, 'd' },
		{ "from", required_argument, NULL, 'f' },
		{ "rules-dir", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	char root[PATH_MAX], err[1024];
	const char *from = NULL, *rules_dir = NULL;
	struct dev_info *devs = NULL;
	struct pair *pairs = NULL;
	size_t npairs = 0, cap = 0, ndev_hit = 0, nkev = 0, ncves = 0;
	struct vuln_db *db = NULL;
	struct device_set set;
	bool json = false, by_device = false, loaded = false;
	struct timespec ts;
	struct jsonw w;
	int opt, ret = EXIT_ERR;

	while ((opt = getopt_long(argc, argv, "jdf:r:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'd':
			by_device = true;
			break;
		case 'f':
			from = optarg;
			break;
		case 'r':
			rules_dir = optarg;
			break;
		case 'h':
			printf("Usage: iotsense vulns [--json] [--by-device] [--from FILE] [--rules-dir DIR]\n"
			       "  Lists the CVEs that affect the inventory's devices, with their devices (--by-device:\n"
			       "  each device with its CVEs). Reads the device records of 'iotsense run'\n"
			       "  (<state-dir>/%s) or FILE ('-': stdin), e.g. the output of 'iotsense replay'.\n"
			       "  Matches against DIR/vulns/*.yaml and the feeds imported with 'iotsense feed import'.\n"
			       "  --json: one OCSF Vulnerability Finding (class 2002) record per device and CVE.\n",
			       STORE_FILE_NAME);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		pr_err("vulns takes no arguments ('%s'); see --help\n", argv[optind]);
		return EXIT_USAGE;
	}
	jw_init(&w);
	db = vuln_db_load(vuln_rules_root(rules_dir, root, sizeof(root)), g_opts.state_dir, err, sizeof(err));
	if (!db) {
		pr_err("%s\n", err);
		return EXIT_ERR;
	}
	if (device_set_open(&set, from, g_opts.state_dir) < 0)
		goto out;
	loaded = true;
	devs = calloc(set.n ? set.n : 1, sizeof(*devs));
	if (!devs)
		goto oom;
	for (size_t i = 0; i < set.n; i++) {
		struct vuln_hit *hits;
		size_t n = 0;

		dev_read(device_set_device(&set, i), &devs[i]);
		if (!devs[i].has_ident)
			continue;
		hits = vuln_db_match(db, &devs[i].ident, &n);
		ndev_hit += n > 0;
		for (size_t k = 0; k < n; k++) {
			if (npairs == cap) {
				size_t ncap = cap ? cap * 2 : 64;
				struct pair *np = realloc(pairs, ncap * sizeof(*np));

				if (!np) {
					free(hits);
					goto oom;
				}
				pairs = np;
				cap = ncap;
			}
			pairs[npairs].hit = hits[k];
			pairs[npairs++].dev = i;
		}
		free(hits);
	}
	if (npairs)
		qsort(pairs, npairs, sizeof(*pairs), pair_cmp);
	for (size_t i = 0; i < npairs; i++) {
		if (i && !strcmp(pairs[i].hit.cve, pairs[i - 1].hit.cve))
			continue;
		ncves++;
		nkev += pairs[i].hit.kev;
	}
	if (json) {
		clock_gettime(CLOCK_REALTIME, &ts);
		for (size_t i = 0; i < npairs; i++) {
			put_finding(&w, &pairs[i], &devs[pairs[i].dev],
				    (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec);
			if (w.oom)
				goto oom;
			fwrite(w.buf, 1, w.len, stdout);
		}
	} else {
		if (by_device)
			print_by_device(pairs, npairs, devs);
		else
			print_by_cve(pairs, npairs, devs);
		printf("%s%zu CVEs (%zu known exploited) on %zu of %zu devices; %zu CVEs known\n", npairs ? "\n" : "",
		       ncves, nkev, ndev_hit, set.n, vuln_db_count(db));
	}
	ret = EXIT_OK;
	goto out;
oom:
	pr_err("out of memory\n");
out:
	free(pairs);
	free(devs);
	if (loaded)
		device_set_free(&set);
	vuln_db_free(db);
	jw_free(&w);
	return ret;
}
