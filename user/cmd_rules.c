// SPDX-License-Identifier: GPL-2.0-only
/*
 * `iotsense rules check`: load and validate the rules the daemon would load (fingerprints, the recommendations
 * catalog), and say where they break.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <unistd.h>

#include "assess/alerts.h"
#include "assess/recommend.h"
#include "classify.h"
#include "cli.h"
#include "lib/jsonw.h"
#include "vulns/vulndb.h"

static void rules_usage(FILE *f)
{
	fprintf(f, "Usage: iotsense rules check [--json] [--rules-dir DIR] [DIR]\n"
		   "  Loads every fingerprint rule file (DIR/fingerprints/*.yaml, or DIR/*.yaml) and reports\n"
		   "  the first error as file:line:col: message.\n"
		   "  DIR defaults to $IOTSENSE_RULES_DIR, then <prefix>/share/iotsense/rules next to the binary,\n"
		   "  then %s, then ./rules.\n"
		   "  Exit codes: 0 valid, 1 the directory or a file cannot be read, 2 invalid rules or usage.\n",
		CLASSIFY_RULES_DIR_DEFAULT);
}

static void print_json(const char *dir, const struct classify_rules *rules, const struct classify_error *err,
		       const struct rec_catalog *recs)
{
	struct jsonw w;

	jw_init(&w);
	jw_obj_open(&w);
	jw_kbool(&w, "ok", rules != NULL);
	jw_kstr(&w, "dir", dir);
	if (rules) {
		jw_ku64(&w, "rules", classify_rule_count(rules));
		jw_ku64(&w, "files", classify_file_count(rules));
		if (recs)
			jw_ku64(&w, "recommendations", rec_count(recs));
	} else {
		jw_key(&w, "error");
		jw_obj_open(&w);
		jw_kstr(&w, "file", err->file);
		if (err->line) {
			jw_ku64(&w, "line", err->line);
			jw_ku64(&w, "column", err->column);
		}
		jw_kbool(&w, "io", err->io);
		jw_kstr(&w, "message", err->msg);
		jw_obj_close(&w);
	}
	jw_obj_close(&w);
	jw_end_line(&w);
	fwrite(w.buf, 1, w.len, stdout);
	jw_free(&w);
}

int cmd_rules(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "rules-dir", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct classify_rules *rules;
	struct classify_error err;
	struct rec_catalog *recs = NULL;
	const char *dir = NULL;
	char path[4096], rec_path[4096];
	bool json = false;
	int c;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		rules_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (strcmp(argv[1], "check") != 0) {
		fprintf(stderr, "iotsense rules: unknown subcommand '%s'\n", argv[1]);
		rules_usage(stderr);
		return EXIT_USAGE;
	}
	argc--;
	argv++;
	/* 0, not 1: makes glibc's getopt start over, so options may follow DIR despite main()'s "+" mode. */
	optind = 0;
	while ((c = getopt_long(argc, argv, "jr:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'r':
			dir = optarg;
			break;
		case 'h':
			rules_usage(stdout);
			return EXIT_OK;
		default:
			rules_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		dir = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "iotsense rules check: one directory only\n");
		return EXIT_USAGE;
	}
	classify_rules_dir(dir, path, sizeof(path));
	rules = classify_load(path, &err);
	/* The recommendations catalog beside the fingerprints, when the directory has one. */
	rec_catalog_path(dir, rec_path, sizeof(rec_path));
	if (rules && access(rec_path, F_OK) == 0) {
		recs = rec_load(rec_path, err.msg, sizeof(err.msg));
		if (!recs) {
			classify_free(rules);
			rules = NULL;
			snprintf(err.file, sizeof(err.file), "%.*s", (int)sizeof(err.file) - 1, rec_path);
			err.line = err.column = 0;
			err.io = access(rec_path, R_OK) != 0;
		}
	}
	if (json)
		print_json(path, rules, &err, recs);
	if (!rules) {
		if (!json)
			fprintf(stderr, "%s\n", err.msg);
		return err.io ? EXIT_ERR : EXIT_USAGE;
	}
	if (!json) {
		printf("ok: %zu rules in %zu files (%s)\n", classify_rule_count(rules), classify_file_count(rules),
		       path);
		if (recs)
			printf("ok: %zu recommendations (%s)\n", rec_count(recs), rec_path);
	}
	rec_free(recs);
	classify_free(rules);
	{
		int vrc = vuln_rules_check(dir, json);	 /* <root>/vulns/, when there is one */
		int arc = alert_rules_check(dir, json); /* <root>/alerts/ and <root>/iocs/, when there are */

		return vrc ? vrc : arc;
	}
}
