// SPDX-License-Identifier: GPL-2.0-only
/*
 * `iotsense feed import nvd|kev|iocs FILE`: vulnerability and IOC feeds into <state-dir>/feeds/ (vulns/feed.h,
 * assess/ioc.h). The import is all or nothing: on any error the previous data stays and the exit code is 1.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "lib/jsonw.h"
#include "assess/ioc.h"
#include "vulns/feed.h"

static void feed_usage(FILE *f)
{
	fprintf(f, "Usage: iotsense [--state-dir DIR] feed import nvd|kev|iocs FILE [--json] [--no-progress]\n"
		   "  nvd   NVD CVE API 2.0 JSON (an API page, or a feed file nvdcve-2.0-*.json[.gz]); merged with\n"
		   "        earlier imports: import the yearly files one after another\n"
		   "  kev   CISA Known Exploited Vulnerabilities catalog (known_exploited_vulnerabilities.json)\n"
		   "  iocs  IOC lists: IP addresses and domains, one a line (rules/iocs/README.md)\n"
		   "  gzip-compressed files are accepted. The result goes to <state-dir>/feeds/ (now %s).\n"
		   "  Exit codes: 0 imported, 1 the file could not be imported (nothing changed), 2 usage.\n",
		g_opts.state_dir);
}

static void print_text(const struct feed_report *rep, const char *file)
{
	bool first = true;
	uint64_t skipped = 0;

	for (int i = 0; i < SKIP_COUNT; i++)
		skipped += rep->skipped[i];
	if (strcmp(rep->feed, "nvd") == 0)
		printf("nvd: imported %llu CVEs (%llu CPE ranges, %llu known exploited) from %s\n",
		       (unsigned long long)rep->imported, (unsigned long long)rep->ranges, (unsigned long long)rep->kev,
		       file);
	else
		printf("kev: imported %llu known exploited CVEs (catalog %s) from %s\n", (unsigned long long)rep->imported,
		       rep->catalog_version[0] ? rep->catalog_version : "without a version", file);
	if (skipped) {
		printf("  skipped %llu:", (unsigned long long)skipped);
		for (int i = 0; i < SKIP_COUNT; i++) {
			if (!rep->skipped[i])
				continue;
			printf("%s %llu %s", first ? "" : ",", (unsigned long long)rep->skipped[i], feed_skip_reasons[i]);
			first = false;
		}
		printf("\n");
	}
	if (rep->unusable_cpe[0])
		printf("  some CPE matches could not be used, e.g. %s\n", rep->unusable_cpe);
	if (strcmp(rep->feed, "nvd") == 0)
		printf("  %s now holds %llu CVEs (%llu kept from earlier imports)\n", rep->path,
		       (unsigned long long)rep->total, (unsigned long long)rep->kept);
	else
		printf("  %s now holds %llu CVEs\n", rep->path, (unsigned long long)rep->total);
}

static void print_json(const struct feed_report *rep, const char *feed, const char *file, const char *err)
{
	struct jsonw w;

	jw_init(&w);
	jw_obj_open(&w);
	jw_kbool(&w, "ok", err == NULL);
	jw_kstr(&w, "feed", feed);
	jw_kstr(&w, "file", file);
	if (err) {
		jw_kstr(&w, "error", err);
	} else {
		jw_kstr(&w, "path", rep->path);
		jw_ku64(&w, "entries", rep->entries);
		jw_ku64(&w, "imported", rep->imported);
		if (strcmp(feed, "nvd") == 0) {
			jw_ku64(&w, "ranges", rep->ranges);
			jw_ku64(&w, "kev", rep->kev);
			jw_ku64(&w, "kept", rep->kept);
		} else {
			jw_kstr(&w, "catalog_version", rep->catalog_version);
		}
		jw_ku64(&w, "total", rep->total);
		jw_key(&w, "skipped");
		jw_obj_open(&w);
		for (int i = 0; i < SKIP_COUNT; i++)
			if (rep->skipped[i])
				jw_ku64(&w, feed_skip_names[i], rep->skipped[i]);
		jw_obj_close(&w);
		if (rep->unusable_cpe[0])
			jw_kstr(&w, "unusable_cpe_example", rep->unusable_cpe);
	}
	jw_obj_close(&w);
	jw_end_line(&w);
	fwrite(w.buf, 1, w.len, stdout);
	jw_free(&w);
}

int cmd_feed(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "no-progress", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct feed_report rep;
	bool json = false, progress = isatty(STDERR_FILENO);
	const char *kind, *file;
	char err[1536];
	int c, rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		feed_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (strcmp(argv[1], "import") != 0) {
		fprintf(stderr, "iotsense feed: unknown subcommand '%s'\n", argv[1]);
		feed_usage(stderr);
		return EXIT_USAGE;
	}
	argc--;
	argv++;
	/* 0, not 1: glibc's getopt starts over and permutes, so options may follow the operands. */
	optind = 0;
	while ((c = getopt_long(argc, argv, "jqh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'q':
			progress = false;
			break;
		case 'h':
			feed_usage(stdout);
			return EXIT_OK;
		default:
			feed_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "iotsense feed import: name the feed (nvd, kev, iocs) and one FILE\n");
		return EXIT_USAGE;
	}
	kind = argv[optind];
	file = argv[optind + 1];
	if (strcmp(kind, "iocs") == 0)
		return ioc_feed_import_cmd(file, g_opts.state_dir, json); /* assess/ioc.h */
	if (strcmp(kind, "nvd") && strcmp(kind, "kev")) {
		fprintf(stderr, "iotsense feed import: unknown feed '%s' (nvd, kev, iocs)\n", kind);
		return EXIT_USAGE;
	}
	if (json)
		progress = false;
	err[0] = 0;
	if (strcmp(kind, "nvd") == 0)
		rc = feed_import_nvd(file, g_opts.state_dir, progress, &rep, err, sizeof(err));
	else
		rc = feed_import_kev(file, g_opts.state_dir, progress, &rep, err, sizeof(err));
	if (json)
		print_json(&rep, kind, file, rc ? err : NULL);
	else if (rc)
		fprintf(stderr, "iotsense feed import %s: %s; nothing was changed\n", kind, err);
	else
		print_text(&rep, file);
	return rc ? EXIT_ERR : EXIT_OK;
}
