// SPDX-License-Identifier: GPL-2.0-only
/*
 * `feed import nvd`: NVD CVE API 2.0 JSON (API pages and the yearly/modified feed files, gzip or not) into
 * <state>/feeds/nvd.ndjson, merged with earlier imports. The format and the normalised output: vulns/feed.h.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/hmap.h"
#include "lib/jsonw.h"
#include "vulns/cpe.h"
#include "vulns/feed_int.h"
#include "vulns/vulndb.h"

#define RANGES_MAX 20000 /* per CVE; the largest NVD entries (vendor-wide Cisco advisories) have a few thousand */

struct nvd_ctx {
	FILE *out;
	struct hmap seen; /* CVE ids of this file */
	struct feed_report *rep;
	struct jsonw w;
	char *err;
	size_t err_size;
	/* One entry's ranges, for dropping duplicates. */
	char **keys;
	size_t nkeys, capkeys;
};

static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The primary score of the newest CVSS version the entry has: v3.1, v3.0, v4.0, then v2. */
static void nvd_score(json_t *metrics, int *cvss10, const char **version, const char **severity)
{
	static const char *const keys[] = { "cvssMetricV31", "cvssMetricV30", "cvssMetricV40", "cvssMetricV2" };

	*cvss10 = -1;
	*version = "";
	*severity = NULL;
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		json_t *arr = json_object_get(metrics, keys[k]), *m = NULL, *e, *data, *score;
		size_t i;

		if (!json_is_array(arr) || !json_array_size(arr))
			continue;
		json_array_foreach(arr, i, e) {
			const char *type = jstr(e, "type");

			if (type && strcmp(type, "Primary") == 0) {
				m = e;
				break;
			}
		}
		if (!m)
			m = json_array_get(arr, 0);
		data = json_object_get(m, "cvssData");
		score = json_object_get(data, "baseScore");
		if (!json_is_number(score) || !(json_number_value(score) >= 0 && json_number_value(score) <= 10))
			continue;
		*cvss10 = (int)(json_number_value(score) * 10 + 0.5); /* 0..10: no libm needed */
		*version = jstr(data, "version") ? jstr(data, "version") : "";
		if (strlen(*version) > 4)
			*version = "";
		*severity = jstr(data, "baseSeverity") ? jstr(data, "baseSeverity") : jstr(m, "baseSeverity");
		return;
	}
}

static const char *lower_severity(const char *s, int cvss10)
{
	static const char *const words[] = { "critical", "high", "medium", "low", "none" };

	for (size_t i = 0; s && i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(s, words[i]) == 0)
			return words[i];
	return vuln_severity(cvss10);
}

static void clear_keys(struct nvd_ctx *x)
{
	for (size_t i = 0; i < x->nkeys; i++)
		free(x->keys[i]);
	x->nkeys = 0;
}

/* True when the range key is new for this entry (and remembers it). */
static bool new_key(struct nvd_ctx *x, const char *key)
{
	for (size_t i = 0; i < x->nkeys; i++)
		if (strcmp(x->keys[i], key) == 0)
			return false;
	if (x->nkeys == x->capkeys) {
		size_t cap = x->capkeys ? x->capkeys * 2 : 16;
		char **k = realloc(x->keys, cap * sizeof(*k));

		if (!k)
			return false;
		x->keys = k;
		x->capkeys = cap;
	}
	x->keys[x->nkeys] = strdup(key);
	return x->keys[x->nkeys++] != NULL;
}

static bool version_field(json_t *m, const char *key, const char **out)
{
	json_t *v = json_object_get(m, key);

	*out = NULL;
	if (!v)
		return true;
	if (!json_is_string(v) || !json_string_length(v) || json_string_length(v) >= CPE_NAME_MAX ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return false;
	*out = json_string_value(v);
	return true;
}

struct nvd_match {
	struct cpe_name cn;
	const char *exact, *si, *se, *ei, *ee;
	char exact_buf[2 * CPE_NAME_MAX + 2];
};

/* One range object; returns 1 when written, 0 when a duplicate or over the limit. */
static int put_range(struct nvd_ctx *x, const struct nvd_match *m, const struct cpe_name *on, size_t n)
{
	const struct cpe_name *cn = on ? on : &m->cn;
	char key[6 * CPE_NAME_MAX + 24];

	snprintf(key, sizeof(key), "%c|%s|%s|%s|%s|%s|%s|%s|%d", cn->part, cn->vendor, cn->product,
		 m->exact ? m->exact : "", m->si ? m->si : "", m->se ? m->se : "", m->ei ? m->ei : "",
		 m->ee ? m->ee : "", on != NULL);
	if (n >= RANGES_MAX || !new_key(x, key))
		return 0;
	jw_obj_open(&x->w);
	jw_kstr(&x->w, "part", on ? "o" : (char[2]){ cn->part, 0 });
	jw_kstr(&x->w, "vendor", cn->vendor);
	jw_kstr(&x->w, "product", cn->product);
	if (on)
		jw_kbool(&x->w, "on", true);
	if (m->exact)
		jw_kstr(&x->w, "version", m->exact);
	if (m->si)
		jw_kstr(&x->w, "start_including", m->si);
	if (m->se)
		jw_kstr(&x->w, "start_excluding", m->se);
	if (m->ei)
		jw_kstr(&x->w, "end_including", m->ei);
	if (m->ee)
		jw_kstr(&x->w, "end_excluding", m->ee);
	jw_obj_close(&x->w);
	return 1;
}

/* A cpeMatch as a usable match; false (and the example noted) when it cannot be used. */
static bool parse_match(struct nvd_ctx *x, json_t *m, struct nvd_match *out)
{
	const char *criteria = jstr(m, "criteria");

	memset(out, 0, sizeof(*out));
	if (!criteria || !cpe_parse(criteria, &out->cn) || out->cn.part == '*' ||
	    !version_field(m, "versionStartIncluding", &out->si) || !version_field(m, "versionStartExcluding", &out->se) ||
	    !version_field(m, "versionEndIncluding", &out->ei) || !version_field(m, "versionEndExcluding", &out->ee) ||
	    (out->si && out->se) || (out->ei && out->ee)) {
		if (!x->rep->unusable_cpe[0] && criteria)
			snprintf(x->rep->unusable_cpe, sizeof(x->rep->unusable_cpe), "%s", criteria);
		return false;
	}
	if (!out->si && !out->se && !out->ei && !out->ee && strcmp(out->cn.version, "*") &&
	    strcmp(out->cn.version, "-") && out->cn.version[0]) {
		/* An update names a release within the version: "15.0" update "sp1" is 15.0-sp1. */
		if (out->cn.update[0] && strcmp(out->cn.update, "*") && strcmp(out->cn.update, "-"))
			snprintf(out->exact_buf, sizeof(out->exact_buf), "%s-%s", out->cn.version, out->cn.update);
		else
			snprintf(out->exact_buf, sizeof(out->exact_buf), "%s", out->cn.version);
		if (strlen(out->exact_buf) >= CPE_NAME_MAX)
			return false;
		out->exact = out->exact_buf;
	}
	return true;
}

/*
 * Writes the vulnerable CPE matches of one entry as range objects; returns how many. A configuration with
 * operator AND ("firmware F in range, running on hardware H") also gives, for each vulnerable firmware or OS
 * match and each hardware platform H, a range on H itself ("on": true): devices name their hardware (model),
 * rarely the firmware product ("s7-1200_cpu_firmware" runs on "cpu_1214c"). Not for applications: an
 * application's version is not the device's firmware.
 */
static size_t nvd_ranges(struct nvd_ctx *x, json_t *configs)
{
	size_t ci, ni, mi, n = 0;
	json_t *cfg, *node, *m;

	clear_keys(x);
	json_array_foreach(configs, ci, cfg) {
		json_t *nodes = json_object_get(cfg, "nodes");
		const char *op = jstr(cfg, "operator");
		bool and = op && strcmp(op, "AND") == 0;

		if (json_is_true(json_object_get(cfg, "negate")))
			continue;
		json_array_foreach(nodes, ni, node) {
			json_t *matches = json_object_get(node, "cpeMatch");

			/* A negated node says "not on these platforms": nothing in it is affected. */
			if (json_is_true(json_object_get(node, "negate")))
				continue;
			json_array_foreach(matches, mi, m) {
				struct nvd_match vm;
				size_t nj, hj;
				json_t *node2, *h;

				if (!json_is_true(json_object_get(m, "vulnerable")) || !parse_match(x, m, &vm))
					continue;
				n += put_range(x, &vm, NULL, n);
				if (!and || vm.cn.part != 'o')
					continue;
				json_array_foreach(nodes, nj, node2) {
					if (json_is_true(json_object_get(node2, "negate")))
						continue;
					json_array_foreach(json_object_get(node2, "cpeMatch"), hj, h) {
						struct nvd_match hm;
						char fw[CPE_NAME_MAX + 16];

						if (json_is_true(json_object_get(h, "vulnerable")) || !parse_match(x, h, &hm) ||
						    hm.cn.part != 'h')
							continue;
						/* "<hw>_firmware" on "<hw>": the plain range already matches the model. */
						snprintf(fw, sizeof(fw), "%s_firmware", hm.cn.product);
						if (strcmp(fw, vm.cn.product) == 0)
							continue;
						n += put_range(x, &vm, &hm.cn, n);
					}
				}
			}
		}
	}
	return n;
}

static const char *summary_of(json_t *cve)
{
	json_t *descs = json_object_get(cve, "descriptions"), *d;
	size_t i;

	json_array_foreach(descs, i, d) {
		const char *lang = jstr(d, "lang"), *value = jstr(d, "value");

		if (lang && value && strcmp(lang, "en") == 0)
			return value;
	}
	return "";
}

/* One entry of vulnerabilities[]: skipped (counted), or written as one line. -1: the document is broken. */
static int nvd_entry(struct nvd_ctx *x, const char *text, size_t len, uint64_t offset)
{
	struct feed_report *rep = x->rep;
	json_error_t je;
	json_t *root = json_loadb(text, len, JSON_DECODE_ANY, &je), *cve, *configs;
	const char *id, *status, *cvss_version, *severity, *summary;
	int cvss10, rc = 0;
	size_t nranges;

	if (!root) {
		snprintf(x->err, x->err_size, "entry %llu (byte %llu): not JSON: %s",
			 (unsigned long long)rep->entries, (unsigned long long)offset + je.position, je.text);
		return -1;
	}
	cve = json_object_get(root, "cve");
	id = jstr(cve, "id");
	if (!id) {
		rep->skipped[SKIP_NOT_ENTRY]++;
		goto out;
	}
	if (!feed_cve_id_valid(id)) {
		rep->skipped[SKIP_BAD_ID]++;
		goto out;
	}
	if (hmap_get(&x->seen, id)) {
		rep->skipped[SKIP_DUPLICATE]++;
		goto out;
	}
	status = jstr(cve, "vulnStatus");
	if (status && strcasecmp(status, "Rejected") == 0) {
		rep->skipped[SKIP_REJECTED]++;
		goto out;
	}
	configs = json_object_get(cve, "configurations");
	if (!json_is_array(configs) || !json_array_size(configs)) {
		rep->skipped[SKIP_NO_CONFIG]++;
		goto out;
	}
	nvd_score(json_object_get(cve, "metrics"), &cvss10, &cvss_version, &severity);
	summary = summary_of(cve);

	jw_reset(&x->w);
	jw_obj_open(&x->w);
	jw_kstr(&x->w, "cve", id);
	jw_key(&x->w, "cvss");
	vuln_jw_score(&x->w, cvss10);
	jw_kstr(&x->w, "cvss_version", cvss_version);
	jw_kstr(&x->w, "severity", lower_severity(severity, cvss10));
	jw_kbool(&x->w, "kev", jstr(cve, "cisaExploitAdd") != NULL);
	jw_key(&x->w, "summary");
	jw_strn(&x->w, summary, feed_utf8_cut(summary, FEED_SUMMARY_MAX));
	jw_key(&x->w, "ranges");
	jw_arr_open(&x->w);
	nranges = nvd_ranges(x, configs);
	jw_arr_close(&x->w);
	jw_obj_close(&x->w);
	jw_end_line(&x->w);
	if (!nranges) {
		rep->skipped[SKIP_NO_VULN_CPE]++;
		goto out;
	}
	if (x->w.oom || hmap_put(&x->seen, id, (void *)1)) {
		snprintf(x->err, x->err_size, "out of memory");
		rc = -1;
		goto out;
	}
	if (x->out && fwrite(x->w.buf, 1, x->w.len, x->out) != x->w.len) {
		snprintf(x->err, x->err_size, "write error");
		rc = -1;
		goto out;
	}
	rep->imported++;
	rep->ranges += nranges;
	rep->kev += jstr(cve, "cisaExploitAdd") != NULL;
out:
	json_decref(root);
	return rc;
}

/* Reads every entry of the stream; the checks that tell an NVD document from something else. */
static int nvd_run(struct jstream *js, struct nvd_ctx *x, struct feed_progress *pg)
{
	struct feed_report *rep = x->rep;
	const char *fmt;
	int r;

	while ((r = js_next(js)) == 1) {
		if (!rep->entries) {
			fmt = js_top(js, "format");
			if (fmt && strcmp(fmt, "NVD_CVE") != 0) {
				snprintf(x->err, x->err_size, "format \"%s\", not \"NVD_CVE\": not an NVD CVE API 2.0 document",
					 fmt);
				return -1;
			}
		}
		rep->entries++;
		if (js->too_large) {
			rep->skipped[SKIP_TOO_LARGE]++;
			continue;
		}
		if (nvd_entry(x, js->elem, js->elen, js->elem_offset) < 0)
			return -1;
		if (pg)
			feed_progress(pg, js, rep, false);
	}
	if (r < 0) {
		if (!js->found_array && js_top(js, "CVE_Items"))
			snprintf(x->err, x->err_size, "an NVD JSON 1.1 feed (CVE_Items); NVD retired those: use the 2.0 "
						      "feeds (nvdcve-2.0-*.json.gz) or the CVE API 2.0");
		else if (!js->found_array && js_top(js, "catalogVersion"))
			snprintf(x->err, x->err_size, "a CISA KEV catalog: use `iotsense feed import kev`");
		else if (!js->found_array && !strncmp(js->err, "no \"", 4))
			snprintf(x->err, x->err_size, "%s: not an NVD CVE API 2.0 document", js->err);
		else
			snprintf(x->err, x->err_size, "%s", js->err);
		return -1;
	}
	fmt = js_top(js, "format");
	if (fmt && strcmp(fmt, "NVD_CVE") != 0) {
		snprintf(x->err, x->err_size, "format \"%s\", not \"NVD_CVE\": not an NVD CVE API 2.0 document", fmt);
		return -1;
	}
	if (js_top(js, "catalogVersion") && !fmt) {
		snprintf(x->err, x->err_size, "a CISA KEV catalog: use `iotsense feed import kev`");
		return -1;
	}
	if (rep->entries && rep->skipped[SKIP_NOT_ENTRY] == rep->entries) {
		snprintf(x->err, x->err_size, "no entry has a cve.id: not an NVD CVE API 2.0 document");
		return -1;
	}
	return 0;
}

static void ctx_free(struct nvd_ctx *x)
{
	clear_keys(x);
	free(x->keys);
	hmap_free(&x->seen, NULL);
	jw_free(&x->w);
}

int feed_parse_nvd_buf(const void *data, size_t len, FILE *out, struct feed_report *rep, char *err,
		       size_t err_size)
{
	struct nvd_ctx x = { .out = out, .rep = rep, .err = err, .err_size = err_size };
	struct jstream js;
	char jerr[512];
	int rc;

	memset(rep, 0, sizeof(*rep));
	rep->feed = "nvd";
	jw_init(&x.w);
	js_open_mem(&js, data, len, "vulnerabilities", FEED_ENTRY_MAX, jerr, sizeof(jerr));
	rc = nvd_run(&js, &x, NULL);
	js_close(&js);
	ctx_free(&x);
	return rc;
}

/* The id of a line of nvd.ndjson ({"cve":"CVE-..."...), or NULL when the line is not one. */
static const char *line_id(char *line, size_t n)
{
	static const char prefix[] = "{\"cve\":\"";
	char *end;

	if (n < sizeof(prefix) || strncmp(line, prefix, sizeof(prefix) - 1) != 0)
		return NULL;
	end = strchr(line + sizeof(prefix) - 1, '"');
	if (!end)
		return NULL;
	*end = 0;
	return line + sizeof(prefix) - 1;
}

/* Copies the CVEs of the previous import that the new file did not replace. */
static int merge_old(struct nvd_ctx *x, struct feed_out *o)
{
	FILE *f = fopen(o->path, "re");
	char *line = NULL, *copy = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	int rc = 0;

	if (!f)
		return 0;
	while ((n = getline(&line, &cap, f)) > 0) {
		const char *id;
		char *c;

		if (++lineno == 1) {
			if (strncmp(line, "{\"iotsense_feed\":\"nvd\"", 22) != 0) {
				rc = -1;
				break;
			}
			continue;
		}
		c = realloc(copy, (size_t)n + 1);
		if (!c) {
			rc = -1;
			break;
		}
		copy = c;
		memcpy(copy, line, (size_t)n + 1);
		id = line_id(copy, (size_t)n);
		if (!id || line[n - 1] != '\n') {
			rc = -1;
			break;
		}
		if (hmap_get(&x->seen, id))
			continue;
		if (fwrite(line, 1, (size_t)n, o->f) != (size_t)n) {
			snprintf(x->err, x->err_size, "write error on %s", o->tmp);
			rc = -2;
			break;
		}
		x->rep->kept++;
	}
	if (rc == -1)
		snprintf(x->err, x->err_size, "%s:%zu: the existing NVD feed is damaged; move it away and import again",
			 o->path, lineno);
	free(line);
	free(copy);
	fclose(f);
	return rc ? -1 : 0;
}

int feed_import_nvd(const char *file, const char *state_dir, bool progress, struct feed_report *rep, char *err,
		    size_t err_size)
{
	struct nvd_ctx x = { .rep = rep, .err = err, .err_size = err_size };
	struct feed_progress pg = { .enabled = progress };
	struct feed_out o;
	struct jstream js;
	char jerr[512];
	int rc = -1;

	memset(rep, 0, sizeof(*rep));
	rep->feed = "nvd";
	jw_init(&x.w);
	if (js_open_file(&js, file, "vulnerabilities", FEED_ENTRY_MAX, jerr, sizeof(jerr))) {
		snprintf(err, err_size, "%s", jerr);
		ctx_free(&x);
		return -1;
	}
	if (feed_out_open(&o, state_dir, VULN_NVD_FILE, err, err_size))
		goto out;
	x.out = o.f;
	fprintf(o.f, "{\"iotsense_feed\":\"nvd\",\"version\":%d}\n", FEED_FORMAT_VERSION);
	if (nvd_run(&js, &x, &pg)) {
		feed_prefix_error(err, err_size, file);
		feed_out_abort(&o);
		goto out;
	}
	if (merge_old(&x, &o)) {
		feed_out_abort(&o);
		goto out;
	}
	if (feed_out_commit(&o, err, err_size))
		goto out;
	snprintf(rep->path, sizeof(rep->path), "%s", o.path);
	rep->total = rep->imported + rep->kept;
	rc = 0;
out:
	feed_progress(&pg, &js, rep, true);
	js_close(&js);
	ctx_free(&x);
	return rc;
}
