/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vulnerability database: which CVEs affect a device, from its CPE identity (vulns/cpe.h).
 *
 * Sources, in order (the first source that matches a CVE on a device gives its score and range):
 *   1. rules/vulns/<name>.yaml: the curated local feed shipped with the rules (format in rules/vulns/README.md);
 *   2. <state-dir>/feeds/nvd.ndjson: NVD CVE data imported with `iotsense feed import nvd` (vulns/feed.h);
 *   3. <state-dir>/feeds/kev.ndjson: CISA's Known Exploited Vulnerabilities catalog (`feed import kev`). It
 *      names no versions, so it only marks CVEs of the other sources as known-exploited.
 *
 * Matching: an entry names an NVD vendor, a product (a glob in the local feed) and a version range. It matches
 * a device when the vendor is one of the device's NVD vendor names, the product is one of its candidate
 * products ("<model>_firmware", "<model>", its OS; product "*" matches any product, even an unknown one), the
 * device type is allowed (local entries may restrict types) and the device's firmware is in the range. An
 * imported range "on" a hardware platform (NVD: firmware F in range AND running on hardware H) names H: it
 * matches a device whose model is H, or starts with H and '_' ("cpu_1214c" is "CPU 1214C DC/DC/DC").
 * No guessing: a device whose version is unknown matches only entries that affect all versions; hardware
 * entries (CPE part h) have no version, so they too match only when they affect all versions.
 *
 * A loaded database is immutable: matching may run from several threads at once.
 */
#ifndef IOTSENSE_VULNS_VULNDB_H
#define IOTSENSE_VULNS_VULNDB_H

#include <stdbool.h>
#include <stddef.h>

#include "classify.h"
#include "lib/jsonw.h"
#include "vulns/cpe.h"

#define VULN_FEEDS_SUBDIR "feeds"
#define VULN_NVD_FILE "nvd.ndjson"
#define VULN_KEV_FILE "kev.ndjson"

struct vuln_db;

/*
 * Loads <rules root>/vulns/<name>.yaml and the imported feeds under state_dir/feeds/. rules_dir is the rules
 * root as vuln_rules_root() resolves it: NULL for the default ($IOTSENSE_RULES_DIR, the installed rules, else
 * ./rules), "" for no local feed; "rules/fingerprints" stands for "rules". A directory or feed that does not
 * exist is fine (state_dir may be NULL or ""). On any error (invalid YAML as file:line:col: message, a damaged
 * feed file as file:line: message) fills err and returns NULL.
 */
struct vuln_db *vuln_db_load(const char *rules_dir, const char *state_dir, char *err, size_t err_size);
void vuln_db_free(struct vuln_db *db);
/* Distinct CVEs known (any source, KEV-only entries excluded). */
size_t vuln_db_count(const struct vuln_db *db);

struct vuln_db_stats {
	size_t rule_entries, rule_files; /* local feed */
	size_t nvd_cves, nvd_ranges;	 /* imported NVD data */
	size_t kev_cves;		 /* KEV catalog entries */
};
void vuln_db_stats(const struct vuln_db *db, struct vuln_db_stats *st);

struct vuln_hit {
	const char *cve;
	int cvss10;		  /* CVSS base score x 10 (98 is 9.8); -1 when the source has none */
	const char *cvss_version; /* "3.1", "3.0", "4.0", "2.0"; "" when unknown */
	const char *severity;	  /* "critical", "high", "medium", "low", "none" or "unknown" */
	bool kev;		  /* in CISA's KEV catalog (or marked so in the local feed) */
	const char *source;	  /* "rules/vulns/cameras.yaml" or "nvd" */
	const char *summary;	  /* "" when none */
	const char *reference;	  /* a URL; "" when none */
	char affected[200];	  /* what matched: "mikrotik:routeros <= 6.42" */
};

/*
 * The CVEs that affect the device, one hit per CVE, highest CVSS first (then by CVE id). Returns a malloc'ed
 * array of *n hits (NULL with *n = 0 when none, or when out of memory); the strings point into db.
 */
struct vuln_hit *vuln_db_match(const struct vuln_db *db, const struct cpe_ident *id, size_t *n);

/*
 * Writes the keys "cpe" (the identity's CPE 2.3 string, or null) and "vulnerabilities" (an array of
 * {"cve","cvss","severity","kev","source","affected"}; empty without a db) into the JSON object open in w.
 */
struct vuln_summary {
	size_t n;	/* CVEs written */
	size_t kev;	/* of which in CISA's KEV catalog */
	int max_cvss10; /* the highest CVSS x 10, -1 when none has a score */
};
/* sum (may be NULL): what was written, so that a caller needs no second match for its own judgement. */
void vuln_put_device(struct jsonw *w, const struct vuln_db *db, const struct classify_result *r,
		     struct vuln_summary *sum);

/* Writes a CVSS score (x 10) as a JSON number with one decimal ("9.8"), or null when cvss10 < 0. */
void vuln_jw_score(struct jsonw *w, int cvss10);

/* CVSS v3 qualitative rating of a score x 10: "none", "low", "medium", "high", "critical"; "unknown" when < 0. */
const char *vuln_severity(int cvss10);

/*
 * The rules root to load: dir (a --rules-dir flag, may be NULL), else $IOTSENSE_RULES_DIR, else
 * CLASSIFY_RULES_DIR_DEFAULT when it exists, else "rules"; a path ending in /fingerprints or /vulns stands for
 * its parent. Returns buf.
 */
const char *vuln_rules_root(const char *dir, char *buf, size_t size);

/*
 * `iotsense rules check`'s part: validates <root>/vulns/<name>.yaml when that directory exists and prints
 * "ok: N vulnerabilities in M files (DIR)" (with json, one JSON object line), or the first error. Returns an
 * exit code: 0 valid or absent, 1 unreadable, 2 invalid.
 */
int vuln_rules_check(const char *dir, bool json);

#endif
