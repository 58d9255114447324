// SPDX-License-Identifier: GPL-2.0-only
/*
 * `iotsense devices [--type T] [--json] [--from FILE]`: the inventory as a table, one device a line, riskiest
 * first; or the device records themselves (--json: one JSON array). Reads the store `run` keeps, or FILE.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "device_file.h"
#include "store/store.h"
#include "lib/log.h"
#include "lib/table.h"

static const char *jstr(json_t *o, const char *k, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s && *s ? s : dflt;
}

static int level_rank(const char *l)
{
	static const char *const order[] = { "critical", "high", "medium", "low", "none" };

	for (int i = 0; i < 5; i++)
		if (l && !strcmp(l, order[i]))
			return i;
	return 5;
}

static const struct device_set *sort_set;

/* Highest risk, then highest exposure, then most recommendations, then by id. */
static int dev_cmp(const void *a, const void *b)
{
	json_t *x = device_set_device(sort_set, *(const size_t *)a), *y = device_set_device(sort_set, *(const size_t *)b);
	int d = level_rank(jstr(x, "risk", "none")) - level_rank(jstr(y, "risk", "none"));

	if (!d)
		d = level_rank(jstr(x, "exposure", "none")) - level_rank(jstr(y, "exposure", "none"));
	if (!d)
		d = (int)json_array_size(json_object_get(y, "recommendations")) -
		    (int)json_array_size(json_object_get(x, "recommendations"));
	return d ? d : strcmp(jstr(x, "id", ""), jstr(y, "id", ""));
}

int cmd_devices(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "from", required_argument, NULL, 'f' },
		{ "type", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *from = NULL, *type = NULL;
	struct device_set set;
	bool json = false;
	size_t *order, n = 0;
	int opt;

	while ((opt = getopt_long(argc, argv, "jf:t:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'f':
			from = optarg;
			break;
		case 't':
			type = optarg;
			break;
		case 'h':
			printf("Usage: iotsense devices [--type TYPE] [--json] [--from FILE]\n"
			       "  --type: only devices of that type (printer, camera, plc, ...; 'unknown' for unclassified)\n"
			       "  The inventory, riskiest first: reads <state-dir>/%s ('iotsense run' keeps it) or FILE\n"
			       "  ('-': stdin), e.g. the output of 'iotsense replay'. --json: the device records.\n",
			       STORE_FILE_NAME);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		pr_err("devices takes no arguments ('%s'); see --help\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (device_set_open(&set, from, g_opts.state_dir) < 0)
		return EXIT_ERR;
	order = calloc(set.n + 1, sizeof(*order));
	if (!order) {
		device_set_free(&set);
		pr_err("out of memory\n");
		return EXIT_ERR;
	}
	for (size_t i = 0; i < set.n; i++) {
		const char *t = jstr(device_set_device(&set, i), "type", "unknown");

		if (!type || !strcmp(t, type))
			order[n++] = i;
	}
	sort_set = &set;
	qsort(order, n, sizeof(*order), dev_cmp);
	if (json) {
		json_t *arr = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append(arr, device_set_device(&set, order[i]));
		json_dumpf(arr, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(arr);
	} else {
		static const char *const head[] = { "ID", "NAME", "IP", "TYPE", "VENDOR / MODEL", "RISK", "EXPOSURE",
						    "RECS", "VULNS", "CONTAINED", "LAST SEEN" };
		struct table t;

		if (table_init(&t, 11, head)) {
			free(order);
			device_set_free(&set);
			pr_err("out of memory\n");
			return EXIT_ERR;
		}
		table_align_right(&t, 7);
		table_align_right(&t, 8);
		for (int c = 0; c < 11; c++)
			if (c != 1 && c != 3 && c != 4)
				table_keep_width(&t, c); /* name, type and vendor give way first */
		for (size_t i = 0; i < n; i++) {
			json_t *d = device_set_device(&set, order[i]);
			json_t *ips = json_object_get(d, "ips");
			char vm[256], recs[16], vulns[16], last[20];
			const char *cells[11];

			snprintf(vm, sizeof(vm), "%s%s%s", jstr(d, "vendor", "-"),
				 json_is_string(json_object_get(d, "model")) ? " " : "", jstr(d, "model", ""));
			snprintf(recs, sizeof(recs), "%zu", json_array_size(json_object_get(d, "recommendations")));
			snprintf(vulns, sizeof(vulns), "%zu", json_array_size(json_object_get(d, "vulnerabilities")));
			/* "2026-11-23T16:05" of the RFC 3339 time: minutes are enough in a table. */
			snprintf(last, sizeof(last), "%.16s", jstr(d, "last_seen", "-"));
			cells[0] = jstr(d, "id", "?");
			cells[1] = jstr(d, "name", "-");
			cells[2] = json_array_size(ips) ? json_string_value(json_array_get(ips, 0)) : "-";
			cells[3] = jstr(d, "type", "-");
			cells[4] = vm;
			cells[5] = jstr(d, "risk", "none");
			cells[6] = jstr(d, "exposure", "none");
			cells[7] = recs;
			cells[8] = vulns;
			cells[9] = json_is_object(json_object_get(d, "contained")) ? "yes" : "no";
			cells[10] = last;
			table_add(&t, cells, NULL);
		}
		table_print(&t, stdout, 0);
		table_free(&t);
		printf("%zu devices%s%s\n", n, type ? " of type " : "", type ? type : "");
	}
	free(order);
	device_set_free(&set);
	return EXIT_OK;
}
