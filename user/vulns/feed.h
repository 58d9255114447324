/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Importing vulnerability feeds into the state directory, and the normalised files the imports write.
 *
 *   nvd: NVD CVE API 2.0 JSON (a page of the API, or a yearly/modified feed file "nvdcve-2.0-*.json[.gz]"):
 *        vulnerabilities[].cve: id, vulnStatus, descriptions, metrics.cvssMetricV31/V30/V40/V2, cisaExploitAdd,
 *        configurations[].nodes[].cpeMatch[] (vulnerable, criteria, versionStart/End Including/Excluding).
 *        Merged into <state>/feeds/nvd.ndjson: the CVEs of the new file replace the same CVEs of earlier
 *        imports, the others are kept (import the yearly files one after another).
 *   kev: CISA Known Exploited Vulnerabilities JSON (vulnerabilities[]: cveID, vendorProject, product,
 *        dateAdded). Replaces <state>/feeds/kev.ndjson (the catalog is always complete).
 *
 * Input may be gzip-compressed (detected by its magic). The document is read as a stream: one entry of the
 * vulnerabilities array at a time (at most FEED_ENTRY_MAX bytes each), so memory does not grow with the file.
 * The result is written to a temporary file and renamed over the old one: on any error the previous data stays.
 *
 * Normalised files (NDJSON, first line a header):
 *   nvd.ndjson  {"iotsense_feed":"nvd","version":1}
 *               {"cve":"CVE-2018-14847","cvss":9.1,"cvss_version":"3.0","severity":"critical","kev":true,
 *                "summary":"...","ranges":[{"part":"o","vendor":"mikrotik","product":"routeros",
 *                "end_including":"6.42"}]}       (range keys: version, start_including, start_excluding,
 *                                                  end_including, end_excluding; none of them: all versions;
 *                                                  "on": true: product is the hardware the firmware runs on)
 *   kev.ndjson  {"iotsense_feed":"kev","version":1,"catalog_version":"2024.05.01"}
 *               {"cve":"CVE-2021-36260","vendor":"Hikvision","product":"Various Products",
 *                "date_added":"2022-01-10","ransomware":"Unknown"}
 */
#ifndef IOTSENSE_VULNS_FEED_H
#define IOTSENSE_VULNS_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define FEED_FORMAT_VERSION 1
#define FEED_ENTRY_MAX (32u << 20) /* one CVE entry; NVD's largest are a few MiB */
#define FEED_SUMMARY_MAX 240

/* Why entries were not imported. */
enum feed_skip {
	SKIP_NOT_ENTRY,	 /* not an entry of this feed (no cve.id / cveID, or not an object) */
	SKIP_BAD_ID,	 /* the id is not CVE-YYYY-NNNN */
	SKIP_REJECTED,	 /* NVD vulnStatus "Rejected" */
	SKIP_NO_CONFIG,	 /* no CPE configuration yet (NVD has not analysed it) */
	SKIP_NO_VULN_CPE, /* configurations, but no vulnerable CPE 2.3 match we can use */
	SKIP_DUPLICATE,	 /* the same CVE earlier in the same file */
	SKIP_TOO_LARGE,	 /* an entry larger than FEED_ENTRY_MAX */
	SKIP_COUNT,
};

extern const char *const feed_skip_names[SKIP_COUNT];   /* "not_entry", ... (JSON keys) */
extern const char *const feed_skip_reasons[SKIP_COUNT]; /* human-readable */

struct feed_report {
	const char *feed;	/* "nvd" or "kev" */
	char path[4096];	/* the normalised file written */
	uint64_t entries;	/* entries read from the input */
	uint64_t imported;	/* CVEs imported */
	uint64_t ranges;	/* CPE ranges imported (nvd) */
	uint64_t kev;		/* imported CVEs marked known-exploited (nvd: cisaExploitAdd) */
	uint64_t skipped[SKIP_COUNT];
	uint64_t kept;		/* CVEs kept from earlier imports (nvd) */
	uint64_t total;		/* CVEs in the feed file now */
	char catalog_version[64]; /* kev */
	char unusable_cpe[128];	/* an example criteria that could not be used, for the report */
};

/*
 * Imports file into state_dir/feeds/ (created when missing). progress: a progress line on stderr. Returns 0, or
 * -1 with a message in err; nothing is changed then.
 */
int feed_import_nvd(const char *file, const char *state_dir, bool progress, struct feed_report *rep, char *err,
		    size_t err_size);
int feed_import_kev(const char *file, const char *state_dir, bool progress, struct feed_report *rep, char *err,
		    size_t err_size);

/*
 * The parsers alone, from memory, for tests and fuzzing: each entry is parsed and normalised (to out when not
 * NULL) exactly as an import would. Returns 0 or -1 with err.
 */
int feed_parse_nvd_buf(const void *data, size_t len, FILE *out, struct feed_report *rep, char *err,
		       size_t err_size);
int feed_parse_kev_buf(const void *data, size_t len, FILE *out, struct feed_report *rep, char *err,
		       size_t err_size);

#endif
