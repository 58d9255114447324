// SPDX-License-Identifier: GPL-2.0-only
/*
 * `iotsense recommendations [--json] [--from FILE]`: every recommendation of the catalog with the count of exposed
 * devices and the devices, read from the device records (the store, <state-dir>/iotsense.db, or a file of
 * records such as `iotsense replay` output). Sorted by severity, then by the number of devices.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess/recommend.h"
#include "cli.h"
#include "device_file.h"
#include "store/store.h"
#include "lib/log.h"

struct rec_row {
	const char *id, *title, *severity, *category, *remediation;
	json_t *devices; /* array of {"id","mac","ips","type","vendor","model","proof"} */
};

static int severity_rank(const char *s)
{
	static const char *const order[] = { "critical", "high", "medium", "low" };

	for (int i = 0; i < 4; i++)
		if (s && !strcmp(s, order[i]))
			return i;
	return 4;
}

static int row_cmp(const void *a, const void *b)
{
	const struct rec_row *x = a, *y = b;
	int d = severity_rank(x->severity) - severity_rank(y->severity);

	if (d)
		return d;
	d = (int)json_array_size(y->devices) - (int)json_array_size(x->devices);
	return d ? d : strcmp(x->id, y->id);
}

static struct rec_row *row_get(struct rec_row **rows, size_t *n, const char *id)
{
	struct rec_row *r;

	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*rows)[i].id, id))
			return &(*rows)[i];
	r = realloc(*rows, (*n + 1) * sizeof(*r));
	if (!r)
		return NULL;
	*rows = r;
	r = &r[(*n)++];
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->devices = json_array();
	return r;
}

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void print_text(const struct rec_row *rows, size_t n)
{
	printf("%-14s %-9s %7s  %s\n", "ID", "SEVERITY", "DEVICES", "TITLE");
	for (size_t i = 0; i < n; i++) {
		size_t k;
		json_t *d;

		printf("%-14s %-9s %7zu  %s\n", rows[i].id, rows[i].severity ? rows[i].severity : "?",
		       json_array_size(rows[i].devices), rows[i].title ? rows[i].title : "");
		json_array_foreach(rows[i].devices, k, d) {
			json_t *proof = json_array_get(json_object_get(d, "proof"), 0);
			json_t *ips = json_object_get(d, "ips");

			printf("%24s%s", "", jstr(d, "id"));
			if (json_array_size(ips))
				printf("  %s", json_string_value(json_array_get(ips, 0)));
			if (jstr(d, "type"))
				printf("  %s", jstr(d, "type"));
			if (proof)
				printf("  (%s: %s)", jstr(proof, "key"), jstr(proof, "value"));
			printf("\n");
		}
	}
}

static json_t *rows_json(const struct rec_row *rows, size_t n, size_t ndevices)
{
	json_t *arr = json_array(), *top = json_object();

	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "id", json_string(rows[i].id));
		json_object_set_new(o, "title", rows[i].title ? json_string(rows[i].title) : json_null());
		json_object_set_new(o, "severity", rows[i].severity ? json_string(rows[i].severity) : json_null());
		json_object_set_new(o, "category", rows[i].category ? json_string(rows[i].category) : json_null());
		json_object_set_new(o, "remediation",
				    rows[i].remediation ? json_string(rows[i].remediation) : json_null());
		json_object_set_new(o, "count", json_integer((json_int_t)json_array_size(rows[i].devices)));
		json_object_set(o, "devices", rows[i].devices);
		json_array_append_new(arr, o);
	}
	json_object_set_new(top, "devices_read", json_integer((json_int_t)ndevices));
	json_object_set_new(top, "recommendations", arr);
	return top;
}

/* One device's open recommendations into the rows. */
static int add_device(struct rec_row **rows, size_t *nrows, json_t *dev)
{
	json_t *recs = json_object_get(dev, "recommendations"), *rec;
	size_t i;

	json_array_foreach(recs, i, rec) {
		const char *id = jstr(rec, "id");
		struct rec_row *row;
		json_t *d;

		if (!id)
			continue;
		row = row_get(rows, nrows, id);
		if (!row)
			return -1;
		/* A catalog that does not know the id (an older or newer file): take its words from the record. */
		if (!row->title) {
			row->title = jstr(rec, "title");
			row->severity = jstr(rec, "severity");
			row->category = jstr(rec, "category");
			row->remediation = jstr(rec, "remediation");
		}
		d = json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?}", "id", json_object_get(dev, "id"), "mac",
			      json_object_get(dev, "mac"), "ips", json_object_get(dev, "ips"), "type",
			      json_object_get(dev, "type"), "vendor", json_object_get(dev, "vendor"), "model",
			      json_object_get(dev, "model"), "proof", json_object_get(rec, "proof"));
		if (!d || json_array_append_new(row->devices, d))
			return -1;
	}
	return 0;
}

int cmd_recommendations(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "from", required_argument, NULL, 'f' },
		{ "rules-dir", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	char cat_path[PATH_MAX], err[1024];
	const char *from = NULL, *rules_dir = NULL;
	struct rec_catalog *cat = NULL;
	struct rec_row *rows = NULL;
	struct device_set set;
	size_t nrows = 0;
	bool json = false;
	int opt, ret = EXIT_ERR;

	while ((opt = getopt_long(argc, argv, "jf:r:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'f':
			from = optarg;
			break;
		case 'r':
			rules_dir = optarg;
			break;
		case 'h':
			printf("Usage: iotsense recommendations [--json] [--from FILE] [--rules-dir DIR]\n"
			       "  Lists each security recommendation with the devices it is open on. Reads the device\n"
			       "  records of 'iotsense run' (<state-dir>/%s) or FILE ('-': stdin), e.g. the\n"
			       "  output of 'iotsense replay'.\n",
			       STORE_FILE_NAME);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		pr_err("recommendations takes no arguments ('%s'); see --help\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (device_set_open(&set, from, g_opts.state_dir) < 0)
		return EXIT_ERR;
	/* The catalog gives every recommendation a row, open or not; without it only the open ones are listed. */
	cat = rec_load(rec_catalog_path(rules_dir, cat_path, sizeof(cat_path)), err, sizeof(err));
	if (!cat)
		pr_warn("%s; listing only the recommendations found in the records\n", err);
	for (size_t i = 0; i < rec_count(cat); i++) {
		const struct rec_info *in = rec_info(cat, i);
		struct rec_row *row = row_get(&rows, &nrows, in->id);

		if (!row)
			goto oom;
		row->title = in->title;
		row->severity = in->severity;
		row->category = in->category;
		row->remediation = in->remediation;
	}
	for (size_t i = 0; i < set.n; i++)
		if (add_device(&rows, &nrows, device_set_device(&set, i)) < 0)
			goto oom;
	if (nrows)
		qsort(rows, nrows, sizeof(*rows), row_cmp);
	if (json) {
		json_t *top = rows_json(rows, nrows, set.n);

		if (!top || json_dumpf(top, stdout, JSON_INDENT(2)) < 0)
			goto oom;
		putchar('\n');
		json_decref(top);
	} else {
		print_text(rows, nrows);
	}
	ret = EXIT_OK;
	goto out;
oom:
	pr_err("out of memory\n");
out:
	for (size_t i = 0; i < nrows; i++)
		json_decref(rows[i].devices);
	free(rows);
	rec_free(cat);
	device_set_free(&set);
	return ret;
}
