// SPDX-License-Identifier: GPL-2.0-only
/*
 * `feed import kev`: CISA's Known Exploited Vulnerabilities catalog (known_exploited_vulnerabilities.json, gzip
 * or not) into <state>/feeds/kev.ndjson, replacing the previous catalog. Format: vulns/feed.h.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hmap.h"
#include "lib/jsonw.h"
#include "vulns/feed_int.h"
#include "vulns/vulndb.h"

#define KEV_FIELD_MAX 200

struct kev_ctx {
	FILE *out;
	struct hmap seen;
	struct feed_report *rep;
	struct jsonw w;
	char *err;
	size_t err_size;
};

/* A string field, cut to KEV_FIELD_MAX bytes; "" when absent. */
static void put_field(struct jsonw *w, const char *key, json_t *o, const char *from)
{
	const char *s = json_string_value(json_object_get(o, from));

	jw_key(w, key);
	if (!s)
		s = "";
	jw_strn(w, s, feed_utf8_cut(s, KEV_FIELD_MAX));
}

static int kev_entry(struct kev_ctx *x, const char *text, size_t len, uint64_t offset)
{
	struct feed_report *rep = x->rep;
	json_error_t je;
	json_t *root = json_loadb(text, len, JSON_DECODE_ANY, &je);
	const char *id;
	int rc = 0;

	if (!root) {
		snprintf(x->err, x->err_size, "entry %llu (byte %llu): not JSON: %s", (unsigned long long)rep->entries,
			 (unsigned long long)offset + je.position, je.text);
		return -1;
	}
	id = json_string_value(json_object_get(root, "cveID"));
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
	jw_reset(&x->w);
	jw_obj_open(&x->w);
	jw_kstr(&x->w, "cve", id);
	put_field(&x->w, "vendor", root, "vendorProject");
	put_field(&x->w, "product", root, "product");
	put_field(&x->w, "name", root, "vulnerabilityName");
	put_field(&x->w, "date_added", root, "dateAdded");
	put_field(&x->w, "ransomware", root, "knownRansomwareCampaignUse");
	jw_obj_close(&x->w);
	jw_end_line(&x->w);
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
	rep->kev++;
out:
	json_decref(root);
	return rc;
}

static int kev_run(struct jstream *js, struct kev_ctx *x, struct feed_progress *pg)
{
	struct feed_report *rep = x->rep;
	const char *v;
	int r;

	while ((r = js_next(js)) == 1) {
		if (!rep->entries && js_top(js, "format")) {
			snprintf(x->err, x->err_size, "has \"format\": \"%s\": an NVD file? use `iotsense feed import nvd`",
				 js_top(js, "format"));
			return -1;
		}
		rep->entries++;
		if (js->too_large) {
			rep->skipped[SKIP_TOO_LARGE]++;
			continue;
		}
		if (kev_entry(x, js->elem, js->elen, js->elem_offset) < 0)
			return -1;
		if (pg)
			feed_progress(pg, js, rep, false);
	}
	if (r < 0) {
		if (!js->found_array && !strncmp(js->err, "no \"", 4))
			snprintf(x->err, x->err_size, "%s: not a CISA KEV catalog", js->err);
		else
			snprintf(x->err, x->err_size, "%s", js->err);
		return -1;
	}
	if (js_top(js, "format")) {
		snprintf(x->err, x->err_size, "has \"format\": \"%s\": an NVD file? use `iotsense feed import nvd`",
			 js_top(js, "format"));
		return -1;
	}
	if (rep->entries && rep->skipped[SKIP_NOT_ENTRY] == rep->entries) {
		snprintf(x->err, x->err_size, "no entry has a cveID: not a CISA KEV catalog");
		return -1;
	}
	v = js_top(js, "catalogVersion");
	if (!v && !rep->entries) {
		snprintf(x->err, x->err_size, "no catalogVersion and no entries: not a CISA KEV catalog");
		return -1;
	}
	snprintf(rep->catalog_version, sizeof(rep->catalog_version), "%s", v ? v : "");
	return 0;
}

static void ctx_free(struct kev_ctx *x)
{
	hmap_free(&x->seen, NULL);
	jw_free(&x->w);
}

int feed_parse_kev_buf(const void *data, size_t len, FILE *out, struct feed_report *rep, char *err,
		       size_t err_size)
{
	struct kev_ctx x = { .out = out, .rep = rep, .err = err, .err_size = err_size };
	struct jstream js;
	char jerr[512];
	int rc;

	memset(rep, 0, sizeof(*rep));
	rep->feed = "kev";
	jw_init(&x.w);
	js_open_mem(&js, data, len, "vulnerabilities", FEED_ENTRY_MAX, jerr, sizeof(jerr));
	rc = kev_run(&js, &x, NULL);
	js_close(&js);
	ctx_free(&x);
	return rc;
}

int feed_import_kev(const char *file, const char *state_dir, bool progress, struct feed_report *rep, char *err,
		    size_t err_size)
{
	struct kev_ctx x = { .rep = rep, .err = err, .err_size = err_size };
	struct feed_progress pg = { .enabled = progress };
	struct feed_out o;
	struct jstream js;
	struct jsonw hw;
	char jerr[512];
	int rc = -1;

	memset(rep, 0, sizeof(*rep));
	rep->feed = "kev";
	jw_init(&x.w);
	jw_init(&hw);
	if (js_open_file(&js, file, "vulnerabilities", FEED_ENTRY_MAX, jerr, sizeof(jerr))) {
		snprintf(err, err_size, "%s", jerr);
		ctx_free(&x);
		return -1;
	}
	if (feed_out_open(&o, state_dir, VULN_KEV_FILE, err, err_size))
		goto out;
	/* The entries go to a scratch stream first: the header names the catalog version, known only at the end. */
	x.out = tmpfile();
	if (!x.out) {
		snprintf(err, err_size, "cannot create a temporary file");
		feed_out_abort(&o);
		goto out;
	}
	if (kev_run(&js, &x, &pg)) {
		feed_prefix_error(err, err_size, file);
		feed_out_abort(&o);
		goto out;
	}
	jw_obj_open(&hw);
	jw_kstr(&hw, "iotsense_feed", "kev");
	jw_ku64(&hw, "version", FEED_FORMAT_VERSION);
	jw_kstr(&hw, "catalog_version", rep->catalog_version);
	jw_obj_close(&hw);
	jw_end_line(&hw);
	fwrite(hw.buf, 1, hw.len, o.f);
	rewind(x.out);
	for (;;) {
		char buf[1 << 15];
		size_t n = fread(buf, 1, sizeof(buf), x.out);

		if (n && fwrite(buf, 1, n, o.f) != n)
			break;
		if (n < sizeof(buf))
			break;
	}
	if (ferror(x.out)) {
		snprintf(err, err_size, "reading the temporary file failed");
		feed_out_abort(&o);
		goto out;
	}
	if (feed_out_commit(&o, err, err_size))
		goto out;
	snprintf(rep->path, sizeof(rep->path), "%s", o.path);
	rep->total = rep->imported;
	rc = 0;
out:
	feed_progress(&pg, &js, rep, true);
	if (x.out)
		fclose(x.out);
	js_close(&js);
	jw_free(&hw);
	ctx_free(&x);
	return rc;
}
