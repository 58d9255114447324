// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vulnerability database (user/vulns/vulndb.c) and the feed imports (feed_nvd.c, feed_kev.c, jstream.c):
 * the shipped feed loads and matches in and out of range; a real-format NVD CVE API 2.0 file (plain and gzip) and
 * a KEV catalog import, merge and match; bad input is refused and nothing is lost; rule files fail with
 * file:line:col. Run from the source tree (tests/run does): the shipped rules are read from ./rules.
 */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/jsonw.h"
#include "testlib.h"
#include "vulns/cpe.h"
#include "vulns/feed.h"
#include "vulns/jstream.h"
#include "vulns/version.h"
#include "vulns/vulndb.h"

#define DATA "tests/unit/vulns/data/"
#define NVD_SAMPLE DATA "nvdcve-2.0-sample.json"
#define KEV_SAMPLE DATA "known_exploited_vulnerabilities-sample.json"

/* ---- helpers ---------------------------------------------------------------------------------------------- */

static void rm_rf(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		char p[1024];
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			rm_rf(p);
		else
			unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(path);
}

static char *mktmp(void)
{
	static char dirs[8][64];
	static int n;
	char *p = dirs[n++ % 8];

	snprintf(p, 64, "/tmp/iotsense-vulndb-XXXXXX");
	if (!mkdtemp(p)) {
		perror("mkdtemp");
		exit(1);
	}
	return p;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	if (!f) {
		perror(p);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = 0;
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

static struct classify_result result(const char *type, const char *vendor, const char *model, const char *os,
				     const char *fw)
{
	struct classify_result r;
	struct classify_field *f[] = { &r.type, &r.vendor, &r.model, &r.os, &r.firmware };
	const char *v[] = { type, vendor, model, os, fw };

	memset(&r, 0, sizeof(r));
	for (int i = 0; i < 5; i++) {
		if (v[i]) {
			snprintf(f[i]->value, sizeof(f[i]->value), "%s", v[i]);
			f[i]->confidence = 90;
		}
	}
	return r;
}

/* The CVEs matched for a device, sorted and comma-separated ("" for none); kev marks those that are KEV with '!'. */
static const char *cves(const struct vuln_db *db, const char *type, const char *vendor, const char *model,
			const char *os, const char *fw)
{
	static char out[1024];
	struct classify_result r = result(type, vendor, model, os, fw);
	struct cpe_ident id;
	struct vuln_hit *h;
	const char *list[64];
	size_t n = 0, k = 0;

	out[0] = 0;
	if (!cpe_from_classify(&r, &id))
		return out;
	h = vuln_db_match(db, &id, &n);
	for (size_t i = 0; i < n && k < 64; i++)
		list[k++] = h[i].cve;
	for (size_t i = 0; i < k; i++)
		for (size_t j = i + 1; j < k; j++)
			if (strcmp(list[j], list[i]) < 0) {
				const char *t = list[i];

				list[i] = list[j];
				list[j] = t;
			}
	for (size_t i = 0; i < k; i++) {
		bool kev = false;

		for (size_t j = 0; j < n; j++)
			if (h[j].cve == list[i])
				kev = h[j].kev;
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s%s", i ? "," : "", list[i], kev ? "!" : "");
	}
	free(h);
	return out;
}

/* The first hit of a device with the given CVE, copied; returns false when the device does not have it. */
static bool hit_of(const struct vuln_db *db, const struct classify_result *r, const char *cve, struct vuln_hit *out)
{
	struct cpe_ident id;
	struct vuln_hit *h;
	size_t n = 0;
	bool found = false;

	if (!cpe_from_classify(r, &id))
		return false;
	h = vuln_db_match(db, &id, &n);
	for (size_t i = 0; i < n && !found; i++) {
		if (!strcmp(h[i].cve, cve)) {
			*out = h[i];
			found = true;
		}
	}
	free(h);
	return found;
}

/* ---- the shipped feed ------------------------------------------------------------------------------------- */

TEST(shipped_rules_load)
{
	char err[1024];
	struct vuln_db *db = vuln_db_load("rules", NULL, err, sizeof(err));
	struct vuln_db_stats st;

	CHECK(db != NULL);
	if (!db) {
		printf("  %s\n", err);
		return;
	}
	vuln_db_stats(db, &st);
	CHECK(vuln_db_count(db) >= 30);
	CHECK_EQ_INT(st.rule_entries, vuln_db_count(db));
	CHECK(st.rule_files >= 5);
	CHECK_EQ_INT(st.nvd_cves, 0);
	vuln_db_free(db);
}

TEST(shipped_rules_match)
{
	char err[1024];
	struct vuln_db *db = vuln_db_load("rules", NULL, err, sizeof(err));
	struct classify_result r;
	struct vuln_hit h;

	if (!db) {
		CHECK(db != NULL);
		return;
	}
	/* MikroTik RouterOS: in and out of the ranges. */
	CHECK_STR(cves(db, "router", "MikroTik", "RB4011iGS+", "RouterOS", "6.40.5"),
		  "CVE-2018-14847!,CVE-2018-7445!,CVE-2019-3924,CVE-2023-30799");
	CHECK_STR(cves(db, "router", "MikroTik", NULL, "RouterOS", "6.42"), "CVE-2018-14847!,CVE-2019-3924,CVE-2023-30799");
	CHECK_STR(cves(db, "router", "MikroTik", NULL, "RouterOS", "6.42.1"), "CVE-2019-3924,CVE-2023-30799");
	CHECK_STR(cves(db, "router", "MikroTik", NULL, "RouterOS", "6.49.7"), "");
	CHECK_STR(cves(db, "router", "MikroTik", NULL, "RouterOS", "7.12"), "");
	CHECK_STR(cves(db, "router", "MikroTik", NULL, "RouterOS", "6.33"), "CVE-2018-14847!,CVE-2018-7445!,CVE-2019-3924");
	/* No version: nothing that needs a range. */
	CHECK_STR(cves(db, "router", "MikroTik", NULL, "RouterOS", NULL), "");
	/* Siemens S7-1200 by module name and by order number. */
	CHECK_STR(cves(db, "plc", "Siemens", "CPU 1214C DC/DC/DC", NULL, "4.4.0"),
		  "CVE-2019-13945,CVE-2020-15782,CVE-2022-38465");
	CHECK_STR(cves(db, "plc", "Siemens", "6ES7 214-1AG40-0XB0", NULL, "4.2.3"),
		  "CVE-2019-10929,CVE-2019-13945,CVE-2020-15782,CVE-2022-38465");
	CHECK_STR(cves(db, "plc", "Siemens", "CPU 1214C DC/DC/DC", NULL, "4.5.0"), "CVE-2019-13945");
	CHECK_STR(cves(db, "plc", "Siemens", "CPU 1214C DC/DC/DC", NULL, NULL), "CVE-2019-13945");
	CHECK_STR(cves(db, "plc", "Siemens", "CPU 1516-3 PN/DP", NULL, "2.9.1"), "CVE-2020-15782,CVE-2022-38465");
	/* Cisco: exact versions, trains, and the OS. */
	CHECK_STR(cves(db, "voip_phone", "Cisco", "CP-8845", NULL, "11.0.1"), "CVE-2020-3161!,CVE-2023-20078");
	CHECK_STR(cves(db, "voip_phone", "Cisco", "CP-8845", NULL, "14.1.1"), "");
	CHECK_STR(cves(db, "router", "Cisco", "ISR4331/K9", "Cisco IOS", "15.2(5)E"), "CVE-2018-0171!");
	CHECK_STR(cves(db, "router", "Cisco", "ISR4331/K9", "Cisco IOS", "15.2(5)E1"), "");
	CHECK_STR(cves(db, "router", "Cisco", "ASR9001", "Cisco IOS XR", "6.6.3"), "CVE-2020-3118!");
	/* Types restrict vendor-wide entries. */
	CHECK_STR(cves(db, "printer", "Brother", "HL-L2350DW series", NULL, NULL), "CVE-2024-51978");
	CHECK_STR(cves(db, "workstation", "Brother", NULL, NULL, NULL), "");
	CHECK_STR(cves(db, NULL, "Brother", NULL, NULL, NULL), "");
	/* A vendor with no model matches nothing model-specific. */
	CHECK_STR(cves(db, "ip_camera", "Hikvision", NULL, NULL, NULL), "");
	CHECK_STR(cves(db, "ip_camera", "Hikvision", "DS-2CD2142FWD-I", NULL, NULL), "CVE-2021-36260!");
	CHECK_STR(cves(db, "ip_camera", "Hikvision", "DS-2CD2142FWD-I", NULL, "V5.4.4 build 161125"),
		  "CVE-2017-7921!,CVE-2021-36260!");
	CHECK_STR(cves(db, "ip_camera", "Hikvision", "DS-2CD2142FWD-I", NULL, "V5.4.5 build 170123"),
		  "CVE-2021-36260!");
	/* Netgear's versions with the web UI part. */
	CHECK_STR(cves(db, "router", "Netgear", "R7000", NULL, "V1.0.7.2_1.1.93"), "CVE-2016-6277!");
	CHECK_STR(cves(db, "router", "Netgear", "R7000", NULL, "V1.0.9.88_10.2.88"), "");
	/* Lexmark family versions. */
	CHECK_STR(cves(db, "printer", "Lexmark", "MX432adwe", NULL, "MXTCT.073.293"), "CVE-2023-26067");
	CHECK_STR(cves(db, "printer", "Lexmark", "MX432adwe", NULL, "MXTCT.081.232"), "");
	/* Unknown vendor: no identity. */
	CHECK_STR(cves(db, "printer", NULL, "MX432adwe", NULL, "1.0"), "");

	r = result("router", "MikroTik", NULL, "RouterOS", "6.40.5");
	CHECK(hit_of(db, &r, "CVE-2018-14847", &h));
	CHECK_EQ_INT(h.cvss10, 91);
	CHECK_STR(h.cvss_version, "3.0");
	CHECK_STR(h.severity, "critical");
	CHECK(h.kev);
	CHECK_STR(h.source, "rules/vulns/network.yaml");
	CHECK_STR(h.affected, "mikrotik:routeros <= 6.42");
	CHECK_STR(h.reference, "https://nvd.nist.gov/vuln/detail/CVE-2018-14847");
	vuln_db_free(db);
}

TEST(put_device_json)
{
	char err[1024];
	struct vuln_db *db = vuln_db_load("rules", NULL, err, sizeof(err));
	struct classify_result r = result("router", "MikroTik", NULL, "RouterOS", "6.40.5");
	json_error_t je;
	struct jsonw w;
	json_t *o, *v;

	jw_init(&w);
	jw_obj_open(&w);
	jw_kstr(&w, "id", "x");
	vuln_put_device(&w, db, &r, NULL);
	jw_obj_close(&w);
	o = json_loads(w.buf, 0, &je);
	CHECK(o != NULL);
	CHECK_STR(json_string_value(json_object_get(o, "cpe")), "cpe:2.3:o:mikrotik:routeros:6.40.5:*:*:*:*:*:*:*");
	v = json_array_get(json_object_get(o, "vulnerabilities"), 0);
	CHECK_STR(json_string_value(json_object_get(v, "cve")), "CVE-2018-7445");
	CHECK(json_is_real(json_object_get(v, "cvss")));
	CHECK(json_real_value(json_object_get(v, "cvss")) > 9.79 && json_real_value(json_object_get(v, "cvss")) < 9.81);
	CHECK_STR(json_string_value(json_object_get(v, "severity")), "critical");
	CHECK(json_is_true(json_object_get(v, "kev")));
	CHECK_STR(json_string_value(json_object_get(v, "source")), "rules/vulns/network.yaml");
	CHECK_STR(json_string_value(json_object_get(v, "affected")), "mikrotik:routeros < 6.41.3");
	CHECK_EQ_INT(json_array_size(json_object_get(o, "vulnerabilities")), 4);
	json_decref(o);

	/* No identity: "cpe": null and no vulnerabilities; no database at all is fine too. */
	r = result("printer", NULL, NULL, NULL, NULL);
	jw_reset(&w);
	jw_obj_open(&w);
	vuln_put_device(&w, db, &r, NULL);
	jw_obj_close(&w);
	CHECK_STR(w.buf, "{\"cpe\":null,\"vulnerabilities\":[]}");
	r = result("router", "MikroTik", NULL, "RouterOS", "6.40.5");
	jw_reset(&w);
	jw_obj_open(&w);
	vuln_put_device(&w, NULL, &r, NULL);
	jw_obj_close(&w);
	CHECK_STR(w.buf, "{\"cpe\":\"cpe:2.3:o:mikrotik:routeros:6.40.5:*:*:*:*:*:*:*\",\"vulnerabilities\":[]}");
	jw_free(&w);
	vuln_db_free(db);
}

TEST(score_writer)
{
	struct jsonw w;

	jw_init(&w);
	jw_arr_open(&w);
	vuln_jw_score(&w, 98);
	vuln_jw_score(&w, 100);
	vuln_jw_score(&w, 0);
	vuln_jw_score(&w, -1);
	vuln_jw_score(&w, 5);
	jw_arr_close(&w);
	CHECK_STR(w.buf, "[9.8,10.0,0.0,null,0.5]");
	CHECK_EQ_INT(w.len, strlen(w.buf));
	jw_free(&w);
	CHECK_STR(vuln_severity(98), "critical");
	CHECK_STR(vuln_severity(90), "critical");
	CHECK_STR(vuln_severity(89), "high");
	CHECK_STR(vuln_severity(70), "high");
	CHECK_STR(vuln_severity(69), "medium");
	CHECK_STR(vuln_severity(40), "medium");
	CHECK_STR(vuln_severity(39), "low");
	CHECK_STR(vuln_severity(1), "low");
	CHECK_STR(vuln_severity(0), "none");
	CHECK_STR(vuln_severity(-1), "unknown");
}

/* ---- rule file errors ------------------------------------------------------------------------------------- */

#define ENTRY_HEAD "- cve: CVE-2018-14847\n  cvss: 9.1\n  reference: https://nvd.nist.gov/vuln/detail/CVE-2018-14847\n"

/* Loads one rules file; returns the error with the temporary directory cut, or "(loaded)". */
static const char *rules_error(const char *text)
{
	static char msg[1200];
	char err[1024], sub[256];
	char *root = mktmp();
	struct vuln_db *db;
	size_t n;

	snprintf(sub, sizeof(sub), "%s/vulns", root);
	mkdir(sub, 0755);
	write_file(sub, "v.yaml", text);
	db = vuln_db_load(root, NULL, err, sizeof(err));
	rm_rf(root);
	if (db) {
		vuln_db_free(db);
		return "(loaded)";
	}
	n = strlen(sub);
	snprintf(msg, sizeof(msg), "%s", strncmp(err, sub, n) == 0 ? err + n + 1 : err);
	return msg;
}

TEST(rules_errors)
{
	CHECK_STR(rules_error(ENTRY_HEAD "  affected:\n    - {vendor: mikrotik, product: routeros, through: '6.42'}\n"),
		  "(loaded)");
	CHECK_STR(rules_error("# only comments\n"), "(loaded)");
	CHECK_STR(rules_error(""), "(loaded)");
	CHECK_STR(rules_error("- cve: CVE-18-1\n"), "v.yaml:1:8: 'CVE-18-1' is not a CVE id (CVE-YYYY-NNNN)");
	CHECK_STR(rules_error(ENTRY_HEAD "  affect:\n    - {}\n"),
		  "v.yaml:4:3: unknown key 'affect' (cve, cvss, cvss_version, kev, summary, reference, affected)");
	CHECK_STR(rules_error("- cve: CVE-2018-14847\n  cvss: 9.1\n  affected: [{vendor: a, product: b, all_versions: true}]\n"),
		  "v.yaml:1:3: entry without reference");
	CHECK_STR(rules_error("- cve: CVE-2018-14847\n  cvss: 9.15\n"),
		  "v.yaml:2:9: cvss must be a base score from 0.0 to 10.0 with one decimal, not '9.15'");
	CHECK_STR(rules_error("- cve: CVE-2018-14847\n  cvss: 11\n"),
		  "v.yaml:2:9: cvss must be a base score from 0.0 to 10.0 with one decimal, not '11'");
	CHECK_STR(rules_error("- cve: CVE-2018-14847\n  kev: yes\n"), "v.yaml:2:8: kev must be true or false, not 'yes'");
	CHECK_STR(rules_error("- cve: CVE-2018-14847\n  reference: ftp://x\n"), "v.yaml:2:14: reference must be an http(s) URL");
	CHECK_STR(rules_error(ENTRY_HEAD "  affected: []\n"), "v.yaml:4:13: affected must be a non-empty list");
	CHECK_STR(rules_error(ENTRY_HEAD "  affected:\n    - {vendor: MikroTik, product: routeros, all_versions: true}\n"),
		  "v.yaml:5:16: vendor 'MikroTik' is not an NVD vendor name (lower case, e.g. 'hikvision', "
		  "'schneider-electric')");
	CHECK_STR(rules_error(ENTRY_HEAD "  affected:\n    - {vendor: mikrotik, product: RouterOS, all_versions: true}\n"),
		  "v.yaml:5:35: product 'RouterOS' is not an NVD product name or glob (lower case, '_' for blanks, no ':')");
	CHECK_STR(rules_error(ENTRY_HEAD "  affected:\n    - {vendor: mikrotik, product: routeros}\n"),
		  "v.yaml:5:7: an affected entry needs exactly one of: version, a range (from/after, before/through), "
		  "all_versions: true");
	CHECK_STR(rules_error(ENTRY_HEAD "  affected:\n    - {vendor: mikrotik, product: routeros, version: '1', all_versions: true}\n"),
		  "v.yaml:5:7: an affected entry needs exactly one of: version, a range (from/after, before/through), "
		  "all_versions: true");
	CHECK_STR(rules_error(ENTRY_HEAD "  affected:\n    - {vendor: mikrotik, product: routeros, from: '2', before: '1'}\n"),
		  "v.yaml:5:7: empty range: 2 is not below 1");
	CHECK_STR(rules_error(ENTRY_HEAD "  affected:\n    - {vendor: mikrotik, product: routeros, from: '1', before: '1'}\n"),
		  "v.yaml:5:7: empty range: 1 is not below 1");
	CHECK_STR(rules_error(ENTRY_HEAD "  affected:\n    - {vendor: mikrotik, product: routeros, from: '1', through: '1'}\n"),
		  "(loaded)");
	CHECK_STR(rules_error(ENTRY_HEAD "  affected:\n    - {vendor: mikrotik, product: routeros, from: '1', after: '2'}\n"),
		  "v.yaml:5:7: from and after both set: one lower bound only");
	CHECK_STR(rules_error(ENTRY_HEAD "  affected:\n    - {vendor: mikrotik, product: routeros, before: latest}\n"),
		  "v.yaml:5:53: before: 'latest' is not a version");
	CHECK_STR(rules_error(ENTRY_HEAD "  affected:\n    - {vendor: mikrotik, product: routeros, all_versions: false}\n"),
		  "v.yaml:5:59: all_versions: false says nothing; give a version range instead");
	CHECK_STR(rules_error(ENTRY_HEAD "  affected:\n    - {vendor: a, product: b, types: [toaster], all_versions: true}\n"),
		  "v.yaml:5:39: unknown device type 'toaster' (see rules/fingerprints/README.md for the list)");
	CHECK_STR(rules_error(ENTRY_HEAD "  affected:\n    - {vendor: a, product: [], all_versions: true}\n"),
		  "v.yaml:5:28: product is an empty list");
	CHECK_STR(rules_error(ENTRY_HEAD "  affected:\n    - {vendor: a, product: b, colour: red, all_versions: true}\n"),
		  "v.yaml:5:31: unknown key 'colour' in an affected entry (vendor, product, types, version, from, after, "
		  "before, through, all_versions)");
	CHECK_STR(rules_error(ENTRY_HEAD "  affected:\n    - {product: b, all_versions: true}\n"),
		  "v.yaml:5:7: affected entry without vendor");
	CHECK_STR(rules_error(ENTRY_HEAD "  affected:\n    - {vendor: a, all_versions: true}\n"),
		  "v.yaml:5:7: affected entry without product (write '*' for every product of the vendor)");
	CHECK_STR(rules_error(ENTRY_HEAD "  affected: [{vendor: a, product: b, all_versions: true}]\n"
				ENTRY_HEAD "  affected: [{vendor: a, product: b, all_versions: true}]\n"),
		  "v.yaml:5:8: CVE-2018-14847 is listed twice in the local feed");
	CHECK_STR(rules_error("cve: CVE-2018-14847\n"), "v.yaml:1:1: expected a list of entries ('- cve: ...')");
	CHECK_STR(rules_error("- [1, 2]\n"), "v.yaml:1:3: expected an entry (a mapping with cve, cvss, reference, affected)");
	CHECK_STR(rules_error(ENTRY_HEAD "  affected: &a [{vendor: a, product: b, all_versions: true}]\n"
				"- cve: CVE-2018-7445\n  cvss: 9.8\n  reference: https://x\n  affected: *a\n"),
		  "v.yaml:4:13: this node is used again through an alias (*name): aliases are not supported");
	CHECK_STR(rules_error(ENTRY_HEAD "  affected: [{vendor: a, product: b, all_versions: true}]\n---\n- x\n"),
		  "v.yaml:6:1: one YAML document per file");
	CHECK_STR(rules_error("- cve: 'CVE-2018-14847\n"),
		  "v.yaml:2:1: YAML: found unexpected end of stream");
	CHECK_STR(rules_error("- cve: \"CVE-2018-\\0\"\n"), "v.yaml:1:8: NUL character in cve");
	CHECK_STR(rules_error("- cve: [CVE-2018-14847]\n"), "v.yaml:1:8: cve must be a single value");
}

TEST(rules_duplicates_across_files_and_order)
{
	char *root = mktmp(), sub[256], err[1024];
	struct vuln_db *db;

	snprintf(sub, sizeof(sub), "%s/vulns", root);
	mkdir(sub, 0755);
	write_file(sub, "a.yaml", ENTRY_HEAD "  affected: [{vendor: a, product: b, all_versions: true}]\n");
	write_file(sub, "b.yaml", ENTRY_HEAD "  affected: [{vendor: a, product: b, all_versions: true}]\n");
	write_file(sub, "c.yml", "not loaded: not .yaml\n");
	write_file(sub, ".hidden.yaml", "not loaded: hidden\n");
	db = vuln_db_load(root, NULL, err, sizeof(err));
	CHECK(db == NULL);
	CHECK(strstr(err, "/b.yaml:1:8: CVE-2018-14847 is listed twice in the local feed") != NULL);
	/* A missing directory is fine: nothing to load. */
	rm_rf(root);
	db = vuln_db_load(root, root, err, sizeof(err));
	CHECK(db != NULL);
	CHECK_EQ_INT(vuln_db_count(db), 0);
	vuln_db_free(db);
	db = vuln_db_load("", NULL, NULL, 0);
	CHECK(db != NULL);
	CHECK_EQ_INT(vuln_db_count(db), 0);
	vuln_db_free(db);
	/* NULL: the default rules (./rules here, unless $IOTSENSE_RULES_DIR says otherwise). */
	if (!getenv("IOTSENSE_RULES_DIR")) {
		db = vuln_db_load(NULL, NULL, err, sizeof(err));
		CHECK(db != NULL && vuln_db_count(db) >= 30);
		vuln_db_free(db);
		db = vuln_db_load("rules/fingerprints", NULL, err, sizeof(err));
		CHECK(db != NULL && vuln_db_count(db) >= 30);
		vuln_db_free(db);
	}
}

TEST(rules_root)
{
	char b[256];

	CHECK_STR(vuln_rules_root("rules", b, sizeof(b)), "rules");
	CHECK_STR(vuln_rules_root("rules/", b, sizeof(b)), "rules");
	CHECK_STR(vuln_rules_root("rules/fingerprints", b, sizeof(b)), "rules");
	CHECK_STR(vuln_rules_root("/x/rules/vulns/", b, sizeof(b)), "/x/rules");
	CHECK_STR(vuln_rules_root("fingerprints", b, sizeof(b)), ".");
	CHECK_STR(vuln_rules_root("/fingerprints", b, sizeof(b)), "/");
	CHECK_STR(vuln_rules_root("/srv/myfingerprints", b, sizeof(b)), "/srv/myfingerprints");
}

/* ---- NVD and KEV imports ---------------------------------------------------------------------------------- */

TEST(nvd_import_and_match)
{
	char *state = mktmp(), err[1024], path[512];
	struct feed_report rep;
	struct vuln_db *db;
	struct classify_result r;
	struct vuln_hit h;

	CHECK_EQ_INT(feed_import_nvd(NVD_SAMPLE, state, false, &rep, err, sizeof(err)), 0);
	CHECK_EQ_INT(rep.entries, 6);
	CHECK_EQ_INT(rep.imported, 5);
	CHECK_EQ_INT(rep.skipped[SKIP_NO_CONFIG], 1);
	CHECK_EQ_INT(rep.kev, 3);
	CHECK_EQ_INT(rep.total, 5);
	CHECK_EQ_INT(rep.ranges, 14);
	snprintf(path, sizeof(path), "%s/feeds/nvd.ndjson", state);
	CHECK_STR(rep.path, path);

	db = vuln_db_load("", state, err, sizeof(err));
	CHECK(db != NULL);
	if (!db) {
		printf("  %s\n", err);
		rm_rf(state);
		return;
	}
	CHECK_EQ_INT(vuln_db_count(db), 5);
	/* In range and out of range. */
	CHECK_STR(cves(db, "router", "MikroTik", "RB4011iGS+", "RouterOS", "6.40.5"),
		  "CVE-2018-14847!,CVE-2018-7445!,CVE-2023-30799");
	CHECK_STR(cves(db, "router", "MikroTik", NULL, "RouterOS", "6.42"), "CVE-2018-14847!,CVE-2023-30799");
	CHECK_STR(cves(db, "router", "MikroTik", NULL, "RouterOS", "6.48.7"), "CVE-2023-30799");
	CHECK_STR(cves(db, "router", "MikroTik", NULL, "RouterOS", "6.49.7"), "");
	CHECK_STR(cves(db, "router", "MikroTik", NULL, "RouterOS", "7.1"), "");
	CHECK_STR(cves(db, "router", "MikroTik", NULL, "RouterOS", NULL), "");
	/* Firmware on hardware: the device names the hardware. */
	CHECK_STR(cves(db, "plc", "Siemens", "CPU 1214C DC/DC/DC", NULL, "4.4.0"), "CVE-2020-15782");
	CHECK_STR(cves(db, "plc", "Siemens", "CPU 1214C", NULL, "V4.2.3"), "CVE-2020-15782");
	CHECK_STR(cves(db, "plc", "Siemens", "CPU 1214C DC/DC/DC", NULL, "4.5.0"), "");
	CHECK_STR(cves(db, "plc", "Siemens", "CPU 1214C DC/DC/DC", NULL, NULL), "");
	CHECK_STR(cves(db, "plc", "Siemens", "CPU 1214CX", NULL, "4.4.0"), "");
	CHECK_STR(cves(db, "plc", "Siemens", "CPU 1516-3 PN/DP", NULL, "2.0"), "");
	/* Firmware listed without a version ("-"): every version of that model. */
	CHECK_STR(cves(db, "ip_camera", "Hikvision", "DS-2CD2046G2-IU/SL", NULL, NULL), "CVE-2021-36260!");
	CHECK_STR(cves(db, "ip_camera", "Hikvision", "DS-2CD2046G2-IU/SL", NULL, "V5.7.3"), "CVE-2021-36260!");
	CHECK_STR(cves(db, "ip_camera", "Hikvision", "DS-2CD2142FWD-I", NULL, "V5.5.0"), "");
	/* The update field of an exact version: NVD's "6.4.2:rc11". */
	CHECK_STR(cves(db, "router", "MikroTik", NULL, "RouterOS", "6.4.2rc11"), "CVE-2018-14847!,CVE-2018-7445!,CVE-2023-30799");

	r = result("router", "MikroTik", NULL, "RouterOS", "6.40");
	CHECK(hit_of(db, &r, "CVE-2023-30799", &h));
	CHECK_EQ_INT(h.cvss10, 72); /* NVD's primary score, not the CNA's 9.1 */
	CHECK_STR(h.cvss_version, "3.1");
	CHECK_STR(h.severity, "high");
	CHECK(!h.kev);
	CHECK_STR(h.source, "nvd");
	CHECK_STR(h.reference, "https://nvd.nist.gov/vuln/detail/CVE-2023-30799");
	CHECK(strncmp(h.summary, "MikroTik RouterOS stable before 6.49.7", 38) == 0);
	CHECK(strlen(h.summary) <= FEED_SUMMARY_MAX);
	r = result("plc", "Siemens", "CPU 1214C DC/DC/DC", NULL, "4.4.0");
	CHECK(hit_of(db, &r, "CVE-2020-15782", &h));
	CHECK_STR(h.affected, "siemens:cpu_1214c (firmware) < 4.5.0");
	vuln_db_free(db);

	/* The local feed comes first; NVD adds what it lacks. */
	db = vuln_db_load("rules", state, err, sizeof(err));
	CHECK(db != NULL);
	r = result("router", "MikroTik", NULL, "RouterOS", "6.40");
	CHECK(hit_of(db, &r, "CVE-2018-14847", &h));
	CHECK_STR(h.source, "rules/vulns/network.yaml");
	vuln_db_free(db);
	rm_rf(state);
}

TEST(nvd_gzip_same_as_plain)
{
	char *a = mktmp(), *b = mktmp(), err[1024], pa[512], pb[512];
	struct feed_report rep;
	char *ta, *tb;

	CHECK_EQ_INT(feed_import_nvd(NVD_SAMPLE, a, false, &rep, err, sizeof(err)), 0);
	CHECK_EQ_INT(feed_import_nvd(NVD_SAMPLE ".gz", b, false, &rep, err, sizeof(err)), 0);
	CHECK_EQ_INT(rep.imported, 5);
	snprintf(pa, sizeof(pa), "%s/feeds/nvd.ndjson", a);
	snprintf(pb, sizeof(pb), "%s/feeds/nvd.ndjson", b);
	ta = read_all(pa, NULL);
	tb = read_all(pb, NULL);
	CHECK(ta && tb && strcmp(ta, tb) == 0);
	free(ta);
	free(tb);
	rm_rf(a);
	rm_rf(b);
}

static const char one_cve_doc[] =
	"{\"format\":\"NVD_CVE\",\"version\":\"2.0\",\"vulnerabilities\":[{\"cve\":{\"id\":\"CVE-2018-14847\","
	"\"vulnStatus\":\"Modified\",\"metrics\":{},\"configurations\":[{\"nodes\":[{\"operator\":\"OR\","
	"\"negate\":false,\"cpeMatch\":[{\"vulnerable\":true,\"criteria\":\"cpe:2.3:o:mikrotik:routeros:*:*:*:*:*:*:*:*\","
	"\"versionEndIncluding\":\"6.41\"}]}]}]}}]}";

TEST(nvd_merge_and_keep_on_error)
{
	char *state = mktmp(), *in = mktmp(), err[1024], path[512], f[512];
	struct feed_report rep;
	struct vuln_db *db;
	char *before, *after;

	CHECK_EQ_INT(feed_import_nvd(NVD_SAMPLE, state, false, &rep, err, sizeof(err)), 0);
	/* A second file replaces the CVEs it has and keeps the others. */
	write_file(in, "one.json", one_cve_doc);
	snprintf(f, sizeof(f), "%s/one.json", in);
	CHECK_EQ_INT(feed_import_nvd(f, state, false, &rep, err, sizeof(err)), 0);
	CHECK_EQ_INT(rep.imported, 1);
	CHECK_EQ_INT(rep.kept, 4);
	CHECK_EQ_INT(rep.total, 5);
	db = vuln_db_load("", state, err, sizeof(err));
	CHECK(db != NULL);
	CHECK_EQ_INT(vuln_db_count(db), 5);
	/* CVE-2018-14847 now ends at 6.41 and has no score (the new file has no metrics). */
	CHECK_STR(cves(db, "router", "MikroTik", NULL, "RouterOS", "6.42"), "CVE-2023-30799");
	vuln_db_free(db);

	/* Every bad input: -1, a message, and the feed file exactly as it was. */
	snprintf(path, sizeof(path), "%s/feeds/nvd.ndjson", state);
	before = read_all(path, NULL);
	{
		static const struct {
			const char *name, *text, *want;
		} bad[] = {
			{ "empty.json", "", "the file holds no JSON text" },
			{ "text.json", "hello", "not a JSON object: the text starts with 'h'" },
			{ "array.json", "[1,2]", "not a JSON object: the text starts with '['" },
			{ "noarray.json", "{\"a\":1}", "no \"vulnerabilities\" array in the document: not an NVD CVE API 2.0 document" },
			{ "notarray.json", "{\"vulnerabilities\":{}}", "\"vulnerabilities\" is not an array" },
			{ "trunc.json", "{\"vulnerabilities\":[{\"cve\":{\"id\":\"CVE-2018-14847\"", "the file is truncated" },
			{ "trunc2.json", "{\"vulnerabilities\":[", "the file is truncated" },
			{ "badentry.json", "{\"vulnerabilities\":[{\"cve\":{\"id\":CVE}}]}", "entry 1 (byte 37)" },
			{ "trailing.json", "{\"vulnerabilities\":[]} x", "'x' after the end of the JSON document" },
			{ "mismatch.json", "{\"vulnerabilities\":[{\"a\":[}]}", "unexpected '}': not JSON" },
			{ "format.json", "{\"format\":\"CVE_RECORD\",\"vulnerabilities\":[{\"cve\":{}}]}", "format \"CVE_RECORD\"" },
			{ "kev.json", "{\"catalogVersion\":\"2024.01.01\",\"vulnerabilities\":[{\"cveID\":\"CVE-2021-36260\"}]}",
			  "a CISA KEV catalog: use `iotsense feed import kev`" },
			{ "v11.json", "{\"CVE_data_type\":\"CVE\",\"CVE_Items\":[]}", "an NVD JSON 1.1 feed (CVE_Items)" },
			{ "noid.json", "{\"vulnerabilities\":[{\"x\":1},{\"y\":2}]}", "no entry has a cve.id" },
			{ "ctl.json", "{\"a\":\"x\x01\",\"vulnerabilities\":[]}", "control character in a string" },
			{ "lit.json", "{\"a\":nul,\"vulnerabilities\":[]}", "unexpected 'nul'" },
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			snprintf(f, sizeof(f), "%s/%s", in, bad[i].name);
			write_file(in, bad[i].name, bad[i].text);
			err[0] = 0;
			if (feed_import_nvd(f, state, false, &rep, err, sizeof(err)) != -1 || !strstr(err, bad[i].want)) {
				printf("  %s: got '%s', want '%s'\n", bad[i].name, err, bad[i].want);
				CHECK(0);
			}
		}
	}
	snprintf(f, sizeof(f), "%s/missing.json", in);
	CHECK_EQ_INT(feed_import_nvd(f, state, false, &rep, err, sizeof(err)), -1);
	CHECK(strstr(err, "No such file or directory") != NULL);
	CHECK_EQ_INT(feed_import_nvd(in, state, false, &rep, err, sizeof(err)), -1);
	CHECK(strstr(err, "is a directory") != NULL);
	after = read_all(path, NULL);
	CHECK(before && after && strcmp(before, after) == 0);
	free(after);
	/* No temporary file is left behind. */
	{
		char feeds[512];
		DIR *d;
		struct dirent *de;
		int n = 0;

		snprintf(feeds, sizeof(feeds), "%s/feeds", state);
		d = opendir(feeds);
		while (d && (de = readdir(d)))
			n += de->d_name[0] != '.' || strstr(de->d_name, ".tmp.") != NULL;
		if (d)
			closedir(d);
		CHECK_EQ_INT(n, 1);
	}
	/* A damaged feed file stops the load with its line, and stops a merge too. */
	write_file(state, "feeds/nvd.ndjson", "{\"iotsense_feed\":\"nvd\",\"version\":1}\n{\"cve\":\"CVE-2018-14847\"}\n");
	CHECK(vuln_db_load("", state, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "feeds/nvd.ndjson:2: not a valid nvd feed line") != NULL);
	write_file(state, "feeds/nvd.ndjson", "{\"iotsense_feed\":\"nvd\",\"version\":1}\ngarbage\n");
	snprintf(f, sizeof(f), "%s/one.json", in);
	CHECK_EQ_INT(feed_import_nvd(f, state, false, &rep, err, sizeof(err)), -1);
	CHECK(strstr(err, "the existing NVD feed is damaged") != NULL);
	write_file(state, "feeds/nvd.ndjson", "{\"iotsense_feed\":\"kev\",\"version\":1}\n");
	CHECK(vuln_db_load("", state, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "nvd.ndjson:1:") != NULL);
	free(before);
	rm_rf(state);
	rm_rf(in);
}

TEST(nvd_truncated_gzip)
{
	char *state = mktmp(), *in = mktmp(), err[1024], f[512];
	struct feed_report rep;
	size_t len;
	char *gz = read_all(NVD_SAMPLE ".gz", &len);
	FILE *out;

	CHECK(gz != NULL);
	if (!gz)
		return;
	snprintf(f, sizeof(f), "%s/cut.json.gz", in);
	out = fopen(f, "wb");
	fwrite(gz, 1, len / 2, out);
	fclose(out);
	CHECK_EQ_INT(feed_import_nvd(f, state, false, &rep, err, sizeof(err)), -1);
	CHECK(strstr(err, "truncated") != NULL);
	/* A corrupt body (same length, bytes changed in the middle) fails its CRC or inflate. */
	memset(gz + len / 2, 'x', 64);
	out = fopen(f, "wb");
	fwrite(gz, 1, len, out);
	fclose(out);
	CHECK_EQ_INT(feed_import_nvd(f, state, false, &rep, err, sizeof(err)), -1);
	free(gz);
	rm_rf(state);
	rm_rf(in);
}

TEST(kev_import_marks)
{
	char *state = mktmp(), *root = mktmp(), *in = mktmp(), err[1024], sub[256], f[512];
	struct feed_report rep;
	struct vuln_db *db;

	CHECK_EQ_INT(feed_import_kev(KEV_SAMPLE, state, false, &rep, err, sizeof(err)), 0);
	CHECK_EQ_INT(rep.entries, 2);
	CHECK_EQ_INT(rep.imported, 2);
	CHECK_STR(rep.catalog_version, "2022.09.08");
	/* A local entry that does not say kev becomes known-exploited through the catalog. */
	snprintf(sub, sizeof(sub), "%s/vulns", root);
	mkdir(sub, 0755);
	write_file(sub, "v.yaml", ENTRY_HEAD "  affected: [{vendor: mikrotik, product: routeros, through: '6.42'}]\n");
	db = vuln_db_load(root, state, err, sizeof(err));
	CHECK(db != NULL);
	CHECK_STR(cves(db, "router", "MikroTik", NULL, "RouterOS", "6.40"), "CVE-2018-14847!");
	{
		struct vuln_db_stats st;

		vuln_db_stats(db, &st);
		CHECK_EQ_INT(st.kev_cves, 2);
		CHECK_EQ_INT(vuln_db_count(db), 1); /* KEV alone adds no CVE to match */
	}
	vuln_db_free(db);
	/* Without the catalog it is not. */
	db = vuln_db_load(root, NULL, err, sizeof(err));
	CHECK_STR(cves(db, "router", "MikroTik", NULL, "RouterOS", "6.40"), "CVE-2018-14847");
	vuln_db_free(db);

	/* Wrong files are refused and the catalog stays. */
	CHECK_EQ_INT(feed_import_kev(NVD_SAMPLE, state, false, &rep, err, sizeof(err)), -1);
	CHECK(strstr(err, "an NVD file? use `iotsense feed import nvd`") != NULL);
	write_file(in, "x.json", "{\"vulnerabilities\":[{\"cve\":1}]}");
	snprintf(f, sizeof(f), "%s/x.json", in);
	CHECK_EQ_INT(feed_import_kev(f, state, false, &rep, err, sizeof(err)), -1);
	CHECK(strstr(err, "no entry has a cveID") != NULL);
	write_file(in, "y.json", "{\"title\":\"x\"}");
	snprintf(f, sizeof(f), "%s/y.json", in);
	CHECK_EQ_INT(feed_import_kev(f, state, false, &rep, err, sizeof(err)), -1);
	CHECK(strstr(err, "not a CISA KEV catalog") != NULL);
	db = vuln_db_load("", state, err, sizeof(err));
	{
		struct vuln_db_stats st;

		vuln_db_stats(db, &st);
		CHECK_EQ_INT(st.kev_cves, 2);
	}
	vuln_db_free(db);
	rm_rf(state);
	rm_rf(root);
	rm_rf(in);
}

TEST(parsers_from_memory)
{
	struct feed_report rep;
	char err[512];
	static const char rejected[] =
		"{\"vulnerabilities\":[{\"cve\":{\"id\":\"CVE-2099-0001\",\"vulnStatus\":\"Rejected\"}},"
		"{\"cve\":{\"id\":\"CVE-2099-0002\",\"configurations\":[{\"nodes\":[{\"cpeMatch\":[{\"vulnerable\":false,"
		"\"criteria\":\"cpe:2.3:h:a:b:-:*:*:*:*:*:*:*\"}]}]}]}},"
		"{\"cve\":{\"id\":\"CVE-2099-0003\",\"configurations\":[{\"nodes\":[{\"cpeMatch\":[{\"vulnerable\":true,"
		"\"criteria\":\"cpe:/o:a:b\"}]}]}]}},"
		"{\"cve\":{\"id\":\"CVE-99-1\"}},{\"cve\":{\"id\":\"CVE-2099-0001\",\"vulnStatus\":\"Rejected\"}},"
		"{\"cve\":{\"id\":\"CVE-2099-0004\",\"configurations\":[{\"nodes\":[{\"negate\":true,\"cpeMatch\":[{\"vulnerable\":true,"
		"\"criteria\":\"cpe:2.3:o:a:b:*:*:*:*:*:*:*:*\"}]}]}]}},"
		"{\"cve\":{\"id\":\"CVE-2099-0005\",\"configurations\":[{\"nodes\":[{\"cpeMatch\":[{\"vulnerable\":true,"
		"\"criteria\":\"cpe:2.3:o:a:b:*:*:*:*:*:*:*:*\",\"versionEndExcluding\":\"2\",\"versionEndIncluding\":\"3\"}]}]}]}},"
		"7,\"x\",null]}";
	static const char kev[] = "{\"vulnerabilities\":[{\"cveID\":\"CVE-2021-36260\"},{\"cveID\":\"CVE-2021-36260\"},"
				  "{\"cveID\":\"X\"}]}";

	CHECK_EQ_INT(feed_parse_nvd_buf(rejected, strlen(rejected), NULL, &rep, err, sizeof(err)), 0);
	CHECK_EQ_INT(rep.entries, 10);
	CHECK_EQ_INT(rep.imported, 0);
	CHECK_EQ_INT(rep.skipped[SKIP_REJECTED], 2);
	CHECK_EQ_INT(rep.skipped[SKIP_DUPLICATE], 0); /* a rejected id is not remembered */
	CHECK_EQ_INT(rep.skipped[SKIP_NO_VULN_CPE], 4);
	CHECK_EQ_INT(rep.skipped[SKIP_BAD_ID], 1);
	CHECK_EQ_INT(rep.skipped[SKIP_NOT_ENTRY], 3);
	CHECK_STR(rep.unusable_cpe, "cpe:/o:a:b");
	CHECK_EQ_INT(feed_parse_nvd_buf(one_cve_doc, strlen(one_cve_doc), NULL, &rep, err, sizeof(err)), 0);
	CHECK_EQ_INT(rep.imported, 1);
	CHECK_EQ_INT(feed_parse_kev_buf(kev, strlen(kev), NULL, &rep, err, sizeof(err)), 0);
	CHECK_EQ_INT(rep.imported, 1);
	CHECK_EQ_INT(rep.skipped[SKIP_DUPLICATE], 1);
	CHECK_EQ_INT(rep.skipped[SKIP_BAD_ID], 1);
}

/* The stream reader: big documents in bounded memory, entries cut at max_entry, every top-level shape checked. */
TEST(stream_bounded)
{
	size_t n = 20000, cap = n * 64 + 64, len = 0;
	char *doc = malloc(cap), err[256];
	struct jstream js;
	size_t entries = 0, big = 0;
	int r;

	len += (size_t)snprintf(doc + len, cap - len, "{\"format\":\"NVD_CVE\",\"vulnerabilities\":[");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(doc + len, cap - len, "%s{\"cve\":{\"id\":\"CVE-2099-%05zu\",\"p\":\"%s\"}}",
					i ? "," : "", i, i % 1000 == 0 ? "xxxxxxxxxxxxxxxxxxxxxxxx" : "");
	len += (size_t)snprintf(doc + len, cap - len, "],\"timestamp\":\"t\"}");
	js_open_mem(&js, doc, len, "vulnerabilities", 50, err, sizeof(err));
	while ((r = js_next(&js)) == 1) {
		entries++;
		big += js.too_large;
		CHECK(js.too_large || js.elen <= 50);
	}
	CHECK_EQ_INT(r, 0);
	CHECK_EQ_INT(entries, n);
	CHECK_EQ_INT(big, 20);
	CHECK(js.ecap <= 64 * 1024 + 2); /* the entry buffer never grew past one chunk */
	CHECK_STR(js_top(&js, "format"), "NVD_CVE");
	CHECK_STR(js_top(&js, "timestamp"), "t");
	CHECK(js_top(&js, "nothing") == NULL);
	CHECK(js_progress(&js) > 0.99);
	js_close(&js);
	free(doc);
}

int main(void)
{
	RUN(shipped_rules_load);
	RUN(shipped_rules_match);
	RUN(put_device_json);
	RUN(score_writer);
	RUN(rules_errors);
	RUN(rules_duplicates_across_files_and_order);
	RUN(rules_root);
	RUN(nvd_import_and_match);
	RUN(nvd_gzip_same_as_plain);
	RUN(nvd_merge_and_keep_on_error);
	RUN(nvd_truncated_gzip);
	RUN(kev_import_marks);
	RUN(parsers_from_memory);
	RUN(stream_bounded);
	return testlib_summary();
}
