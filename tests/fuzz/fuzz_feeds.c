// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the vulnerability code (user/vulns/): the first input byte picks the target, the rest is
 * its input.
 *
 *   0  NVD CVE API 2.0 parser (feed_parse_nvd_buf), normalised output written and loaded back as nvd.ndjson
 *   1  CISA KEV parser (feed_parse_kev_buf)
 *   2  version comparator: up to three NUL-separated versions; the order must be reflexive, antisymmetric and,
 *      without build parts, transitive, and version_in_range() must agree with version_cmp()
 *   3  CPE parsing, escaping, globs, vendor names and identities
 *   4  the local feed loader (rules/vulns/<name>.yaml), then matching against a few devices
 *   5  the imported-feed loader (<state>/feeds/nvd.ndjson and kev.ndjson)
 *
 * Build: make O=build build/fuzz/fuzz_feeds. Seeds: the JSON files of tests/unit/vulns/data (target byte 0 or
 * 1 in front) and the YAML files of rules/vulns (target byte 4 in front), e.g.
 *   mkdir -p /tmp/feeds-corpus
 *   (printf '\0'; cat tests/unit/vulns/data/nvdcve-2.0-sample.json) >/tmp/feeds-corpus/nvd
 *   build/fuzz/fuzz_feeds -max_total_time=60 -max_len=65536 /tmp/feeds-corpus
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/jsonw.h"
#include "vulns/cpe.h"
#include "vulns/feed.h"
#include "vulns/version.h"
#include "vulns/vulndb.h"

static char tmpdir[] = "/tmp/iotsense-fuzz-feeds-XXXXXX";

static void setup(void)
{
	static bool done;
	char p[128];

	if (done)
		return;
	if (!mkdtemp(tmpdir))
		abort();
	snprintf(p, sizeof(p), "%s/vulns", tmpdir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/feeds", tmpdir);
	mkdir(p, 0700);
	done = true;
}

static void put_file(const char *name, const uint8_t *data, size_t size)
{
	char p[160];
	size_t off = 0;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		abort();
	while (off < size) {
		ssize_t n = write(fd, data + off, size - off);

		if (n <= 0)
			abort();
		off += (size_t)n;
	}
	close(fd);
}

static void rm_file(const char *name)
{
	char p[160];

	snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
	unlink(p);
}

static struct classify_result device(const char *type, const char *vendor, const char *model, const char *os,
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

/* Every hit must be well-formed; the record must be writable. */
static void exercise_db(const struct vuln_db *db)
{
	const struct classify_result devs[] = {
		device("router", "MikroTik", "RB4011iGS+", "RouterOS", "6.40.5"),
		device("plc", "Siemens", "CPU 1214C DC/DC/DC", NULL, "4.4.0"),
		device("printer", "Brother", NULL, NULL, NULL),
		device("ip_camera", "Hikvision", "DS-2CD2046G2-IU/SL", NULL, "V5.5.0 build 180511"),
		device("voip_phone", "Cisco", "CP-8845", "Cisco IOS", "11.0(1)"),
	};
	struct jsonw w;

	jw_init(&w);
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		struct cpe_ident id;
		struct vuln_hit *h;
		size_t n = 0;

		if (!cpe_from_classify(&devs[i], &id))
			continue;
		h = vuln_db_match(db, &id, &n);
		for (size_t k = 0; k < n; k++) {
			if (!h[k].cve || !h[k].severity || !h[k].source || !h[k].summary || !h[k].reference ||
			    strlen(h[k].affected) >= sizeof(h[k].affected) || h[k].cvss10 < -1 || h[k].cvss10 > 100)
				abort();
			if (k && h[k - 1].cvss10 < h[k].cvss10)
				abort(); /* sorted by score */
		}
		free(h);
		jw_reset(&w);
		jw_obj_open(&w);
		vuln_put_device(&w, db, &devs[i], NULL);
		jw_obj_close(&w);
		if (!w.oom && (w.len != strlen(w.buf) || w.depth != 0))
			abort();
	}
	jw_free(&w);
}

static void fuzz_nvd(const uint8_t *data, size_t size)
{
	struct feed_report rep;
	char err[512], path[160];
	FILE *out;
	struct vuln_db *db;

	snprintf(path, sizeof(path), "%s/feeds/nvd.ndjson", tmpdir);
	out = fopen(path, "w");
	if (!out)
		abort();
	fprintf(out, "{\"iotsense_feed\":\"nvd\",\"version\":%d}\n", FEED_FORMAT_VERSION);
	if (feed_parse_nvd_buf(data, size, out, &rep, err, sizeof(err)) < 0) {
		if (!err[0] || strlen(err) >= sizeof(err))
			abort();
		fclose(out);
		return;
	}
	fclose(out);
	if (rep.imported > rep.entries)
		abort();
	/* What the import writes, the loader must read back. */
	rm_file("feeds/kev.ndjson");
	db = vuln_db_load("", tmpdir, err, sizeof(err));
	if (!db) {
		fprintf(stderr, "normalised NVD output does not load: %s\n", err);
		abort();
	}
	if (vuln_db_count(db) != rep.imported)
		abort();
	exercise_db(db);
	vuln_db_free(db);
}

static void fuzz_kev(const uint8_t *data, size_t size)
{
	struct feed_report rep;
	char err[512];

	if (feed_parse_kev_buf(data, size, NULL, &rep, err, sizeof(err)) < 0 && !err[0])
		abort();
}

static int sgn(int x)
{
	return (x > 0) - (x < 0);
}

static bool has_build(const char *s)
{
	return strpbrk(s, "+_") || strcasestr(s, "build") || strcasestr(s, "bld");
}

static void fuzz_version(const uint8_t *data, size_t size)
{
	char buf[3][128];
	const char *v[3];
	size_t n = 0, start = 0;
	int ab, ba, bc, ac, aa;

	for (size_t i = 0; i <= size && n < 3; i++) {
		if (i == size || data[i] == 0) {
			size_t len = i - start < sizeof(buf[0]) - 1 ? i - start : sizeof(buf[0]) - 1;

			memcpy(buf[n], data + start, len);
			buf[n][len] = 0;
			v[n] = buf[n];
			n++;
			start = i + 1;
		}
	}
	while (n < 3) {
		v[n] = "1.0";
		n++;
	}
	if (version_cmp(v[0], v[0], &aa) && aa != 0)
		abort();
	if (version_cmp(v[0], v[1], &ab)) {
		if (!version_cmp(v[1], v[0], &ba) || sgn(ab) != -sgn(ba))
			abort();
		if (version_cmp(v[1], v[2], &bc) && version_cmp(v[0], v[2], &ac) && !has_build(v[0]) &&
		    !has_build(v[1]) && !has_build(v[2])) {
			if (ab <= 0 && bc <= 0 && ac > 0)
				abort();
			if (ab == 0 && bc == 0 && ac != 0)
				abort();
		}
		/* version_in_range must agree with version_cmp for every kind of bound. */
		{
			struct version_range r = { .end = v[1], .end_incl = true };
			char txt[64];

			if (version_in_range(v[0], &r) != (ab <= 0))
				abort();
			r.end_incl = false;
			if (version_in_range(v[0], &r) != (ab < 0))
				abort();
			r = (struct version_range){ .start = v[1], .start_incl = true };
			if (version_in_range(v[0], &r) != (ab >= 0))
				abort();
			r = (struct version_range){ .exact = v[1] };
			if (strcmp(v[1], "*") && strcmp(v[1], "-") && version_in_range(v[0], &r) != (ab == 0))
				abort();
			version_range_str(&r, txt, sizeof(txt));
		}
	}
	(void)version_valid(v[2]);
}

static void fuzz_cpe(const uint8_t *data, size_t size)
{
	char s[512], out[CPE_VENDORS_MAX][CPE_NAME_MAX], esc[300] = "", norm[64];
	size_t len = size < sizeof(s) - 1 ? size : sizeof(s) - 1;
	struct cpe_name cn;
	struct cpe_ident id;
	struct classify_result r;
	const char *half;

	memcpy(s, data, len);
	s[len] = 0;
	if (cpe_parse(s, &cn) && (!cn.vendor[0] || !cn.product[0] || strlen(cn.version) >= sizeof(cn.version)))
		abort();
	if (cpe_vendor_names(s, out, CPE_VENDORS_MAX) > CPE_VENDORS_MAX)
		abort();
	cpe_escape(s, esc, sizeof(esc));
	if (strlen(esc) >= sizeof(esc))
		abort();
	cpe_normalise(s, norm, sizeof(norm));
	half = s + strlen(s) / 2;
	(void)cpe_glob(half, s);
	(void)cpe_glob(s, half);
	r = device(half, s, half, s, half);
	if (cpe_from_classify(&r, &id)) {
		struct cpe_name back;

		if (id.cpe[0] && strlen(id.cpe) >= sizeof(id.cpe))
			abort();
		/* The record's CPE string must parse back (when it is not cut). */
		if (strlen(id.cpe) < sizeof(id.cpe) - 64 && !cpe_parse(id.cpe, &back))
			abort();
	}
}

static void fuzz_rules(const uint8_t *data, size_t size)
{
	struct vuln_db *db;
	char err[1024];

	put_file("vulns/fuzz.yaml", data, size);
	rm_file("feeds/nvd.ndjson");
	rm_file("feeds/kev.ndjson");
	db = vuln_db_load(tmpdir, NULL, err, sizeof(err));
	if (!db) {
		if (!err[0] || strlen(err) >= sizeof(err))
			abort();
		return;
	}
	exercise_db(db);
	vuln_db_free(db);
}

static void fuzz_feed_files(const uint8_t *data, size_t size)
{
	struct vuln_db *db;
	char err[1024];
	size_t cut = size / 2;

	rm_file("vulns/fuzz.yaml");
	put_file("feeds/nvd.ndjson", data, cut);
	put_file("feeds/kev.ndjson", data + cut, size - cut);
	db = vuln_db_load("", tmpdir, err, sizeof(err));
	if (!db) {
		if (!err[0])
			abort();
		return;
	}
	exercise_db(db);
	vuln_db_free(db);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	setup();
	switch (data[0] % 6) {
	case 0:
		fuzz_nvd(data + 1, size - 1);
		break;
	case 1:
		fuzz_kev(data + 1, size - 1);
		break;
	case 2:
		fuzz_version(data + 1, size - 1);
		break;
	case 3:
		fuzz_cpe(data + 1, size - 1);
		break;
	case 4:
		fuzz_rules(data + 1, size - 1);
		break;
	default:
		fuzz_feed_files(data + 1, size - 1);
		break;
	}
	return 0;
}
