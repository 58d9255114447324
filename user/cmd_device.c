// SPDX-License-Identifier: GPL-2.0-only
/*
 * `iotsense device ID [--json] [--from FILE]`: one device's whole profile: who it is, how it was classified,
 * what it serves and speaks, what is insecure about it (recommendations with their proof, CVEs), its alerts,
 * and the evidence behind all of it. From the store, the evidence and addresses are the merged history (they
 * survive restarts); from a file, what the device's last record carries.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "lib/log.h"
#include "lib/table.h"
#include "readers.h"

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

void reader_normalize_id(const char *in, char *out, size_t size)
{
	const char *prefix = "", *rest = in;
	unsigned char bin[16];
	char buf[INET6_ADDRSTRLEN];
	size_t n;

	if (!strncasecmp(in, "mac:", 4)) {
		prefix = "mac:";
		rest = in + 4;
	} else if (!strncasecmp(in, "ip:", 3)) {
		prefix = "ip:";
		rest = in + 3;
	}
	n = strlen(rest);
	if (inet_pton(AF_INET6, rest, bin) == 1 && inet_ntop(AF_INET6, bin, buf, sizeof(buf))) {
		snprintf(out, size, "%s%s", prefix, buf);
		return;
	}
	if (n == 17 && (rest[2] == ':' || rest[2] == '-')) {
		/* A MAC as people type it: AA-BB-CC-DD-EE-FF or upper case; the records write aa:bb:cc:dd:ee:ff. */
		char mac[18];

		for (size_t i = 0; i < 17; i++)
			mac[i] = rest[i] == '-' ? ':' : (char)tolower((unsigned char)rest[i]);
		mac[17] = 0;
		snprintf(out, size, "%s%s", prefix, mac);
		return;
	}
	snprintf(out, size, "%s%s", prefix, rest);
}

/* Runs sql with ?1 bound to a; the first column of the first row into out. 1 found, 0 not, -1 error. */
static int first_text(sqlite3 *db, const char *sql, const char *a, char *out, size_t size, int *rows)
{
	sqlite3_stmt *st;
	int rc, n = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, a, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (n++ == 0)
			snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rows)
		*rows = n;
	return rc == SQLITE_DONE ? n > 0 : -1;
}

int device_find_store(struct store *s, const char *arg, char *id, size_t id_size, char *err, size_t err_size)
{
	char norm[128];
	const char *bare;
	int r, rows = 0;

	reader_normalize_id(arg, norm, sizeof(norm));
	bare = !strncmp(norm, "mac:", 4) || !strncmp(norm, "ip:", 3) ? strchr(norm, ':') + 1 : norm;
	r = first_text(s->db, "SELECT id FROM devices WHERE id = ?1", norm, id, id_size, NULL);
	if (!r)
		r = first_text(s->db, "SELECT id FROM devices WHERE id IN ('mac:' || ?1, 'ip:' || ?1)", bare, id,
			       id_size, NULL);
	if (!r)
		r = first_text(s->db,
			       "SELECT device_id FROM device_addresses WHERE address = ?1 ORDER BY last_seen DESC",
			       bare, id, id_size, NULL);
	if (!r) {
		r = first_text(s->db, "SELECT id FROM devices WHERE name = ?1 COLLATE NOCASE ORDER BY id", arg, id,
			       id_size, &rows);
		if (r > 0 && rows > 1) {
			snprintf(err, err_size, "%d devices are named '%s' (%s is one): give the id", rows, arg, id);
			return -1;
		}
	}
	if (r < 0) {
		snprintf(err, err_size, "looking up the device: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	return r ? 0 : -ENOENT;
}

long device_find_set(const struct device_set *set, const char *arg)
{
	char norm[128], with[140];
	const char *bare, *best_last = "";
	long best = -1;

	reader_normalize_id(arg, norm, sizeof(norm));
	bare = !strncmp(norm, "mac:", 4) || !strncmp(norm, "ip:", 3) ? strchr(norm, ':') + 1 : norm;
	for (size_t i = 0; i < set->n; i++) {
		const char *id = jstr(device_set_device(set, i), "id");

		if (!id)
			continue;
		if (!strcmp(id, norm))
			return (long)i;
		snprintf(with, sizeof(with), "%s%s", strchr(bare, ':') ? "mac:" : "ip:", bare);
		if (!strcmp(id, with) || (!strncmp(id, "ip:", 3) && !strcmp(id + 3, bare)))
			return (long)i;
	}
	/* An address the device was seen with: the device that was seen last wins. */
	for (size_t i = 0; i < set->n; i++) {
		const json_t *d = device_set_device(set, i);
		const char *last = jstr(d, "last_seen") ? jstr(d, "last_seen") : "";
		bool hit = jstr(d, "mac") && !strcmp(jstr(d, "mac"), bare);
		size_t k;
		json_t *v;

		json_array_foreach(json_object_get(d, "ips"), k, v)
			hit |= json_string_value(v) && !strcmp(json_string_value(v), bare);
		if (hit && strcmp(last, best_last) >= 0) {
			best = (long)i;
			best_last = last;
		}
	}
	return best;
}

/* Rows of sql (?1 = id) as an array of objects, one key per column; integers stay integers. */
static json_t *rows_json(sqlite3 *db, const char *sql, const char *id)
{
	json_t *arr = json_array();
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return arr;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *o = json_object();

		for (int c = 0; c < sqlite3_column_count(st); c++) {
			const char *name = sqlite3_column_name(st, c);

			if (sqlite3_column_type(st, c) == SQLITE_INTEGER)
				json_object_set_new(o, name, json_integer(sqlite3_column_int64(st, c)));
			else if (sqlite3_column_type(st, c) == SQLITE_NULL)
				json_object_set_new(o, name, json_null());
			else
				json_object_set_new(o, name, json_string((const char *)sqlite3_column_text(st, c)));
		}
		json_array_append_new(arr, o);
	}
	sqlite3_finalize(st);
	return arr;
}

/* The device from the store: its last record's device object, the operator's columns, the merged history. */
static json_t *device_from_store(struct store *s, const char *id, char *err, size_t err_size)
{
	sqlite3_stmt *st;
	json_t *rec = NULL, *d = NULL;

	if (sqlite3_prepare_v2(s->db, "SELECT record, name, criticality, tags FROM devices WHERE id = ?1", -1, &st,
			       NULL) != SQLITE_OK) {
		snprintf(err, err_size, "reading the device: %s", sqlite3_errmsg(s->db));
		return NULL;
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *tags = (const char *)sqlite3_column_text(st, 3);

		rec = json_loads((const char *)sqlite3_column_text(st, 0), JSON_ALLOW_NUL, NULL);
		d = json_deep_copy(json_object_get(rec, "device"));
		if (!json_is_object(d)) {
			json_decref(d);
			d = NULL;
			snprintf(err, err_size, "the stored record of %s is not a device record", id);
		} else {
			json_t *t = tags ? json_loads(tags, 0, NULL) : NULL;

			json_object_set_new(d, "name", sqlite3_column_type(st, 1) == SQLITE_NULL
							       ? json_null()
							       : json_string((const char *)sqlite3_column_text(st, 1)));
			json_object_set_new(d, "criticality",
					    sqlite3_column_type(st, 2) == SQLITE_NULL
						    ? json_null()
						    : json_string((const char *)sqlite3_column_text(st, 2)));
			json_object_set_new(d, "tags", json_is_object(t) ? t : json_object());
			if (!json_is_object(t))
				json_decref(t);
		}
	} else {
		snprintf(err, err_size, "no device %s", id);
	}
	sqlite3_finalize(st);
	json_decref(rec);
	if (!d)
		return NULL;
	json_object_set_new(d, "addresses",
			    rows_json(s->db,
				      "SELECT kind, address, first_seen, last_seen FROM device_addresses"
				      " WHERE device_id = ?1 ORDER BY kind, last_seen DESC",
				      id));
	json_object_set_new(d, "evidence",
			    rows_json(s->db,
				      "SELECT key, value, protocol, first_seen, last_seen, count, confidence, flow"
				      " FROM device_observations WHERE device_id = ?1 ORDER BY key, last_seen DESC",
				      id));
	return d;
}

static const char *orna(const json_t *o, const char *k)
{
	const char *s = jstr(o, k);

	return s && *s ? s : "-";
}

/* The strings of an array joined with ", " (or "-"). */
static char *join(const json_t *arr, char *buf, size_t size)
{
	size_t i, len = 0;
	json_t *v;

	buf[0] = 0;
	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(v);

		if (s && len < size)
			len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "", s);
	}
	if (!buf[0])
		snprintf(buf, size, "-");
	return buf;
}

static void section(const char *name, size_t n)
{
	printf("\n%s (%zu)\n", name, n);
	if (!n)
		printf("  none\n");
}

static void print_identity(const json_t *d, unsigned width)
{
	const json_t *addrs = json_object_get(d, "addresses"), *v, *c = json_object_get(d, "contained");
	char ips[1024], hosts[1024], tags[1024], mac[256], when[2][32];
	json_t *iparr = json_array();
	const char *k;
	size_t i, len = 0;
	struct table t;

	/* Every IP the store saw it with, else the record's. */
	json_array_foreach(addrs, i, v)
		if (jstr(v, "kind") && !strcmp(jstr(v, "kind"), "ip"))
			json_array_append_new(iparr, json_string(jstr(v, "address")));
	join(json_array_size(iparr) ? iparr : json_object_get(d, "ips"), ips, sizeof(ips));
	json_decref(iparr);
	join(json_object_get(d, "hostnames"), hosts, sizeof(hosts));
	tags[0] = 0;
	json_object_foreach((json_t *)json_object_get(d, "tags"), k, v)
		if (len < sizeof(tags))
			len += (size_t)snprintf(tags + len, sizeof(tags) - len, "%s%s=%s", len ? ", " : "", k,
						json_string_value(v) ? json_string_value(v) : "");
	snprintf(mac, sizeof(mac), "%s%s%s%s", orna(d, "mac"), jstr(d, "mac_vendor") ? " (" : "",
		 jstr(d, "mac_vendor") ? jstr(d, "mac_vendor") : "", jstr(d, "mac_vendor") ? ")" : "");
	const char *rows[][2] = {
		{ "id", orna(d, "id") },
		{ "name", orna(d, "name") },
		{ "type", orna(d, "type") },
		{ "vendor", orna(d, "vendor") },
		{ "model", orna(d, "model") },
		{ "OS", orna(d, "os") },
		{ "firmware", orna(d, "firmware") },
		{ "MAC", mac },
		{ "IPs", ips },
		{ "hostnames", hosts },
		{ "risk", orna(d, "risk") },
		{ "exposure", orna(d, "exposure") },
		{ "criticality", orna(d, "criticality") },
		{ "tags", tags[0] ? tags : "-" },
		{ "contained", json_is_object(c) || json_is_true(c) ? "yes" : "no" },
		{ "first seen", reader_short_time(jstr(d, "first_seen"), when[0], sizeof(when[0])) },
		{ "last seen", reader_short_time(jstr(d, "last_seen"), when[1], sizeof(when[1])) },
	};

	table_init(&t, 2, NULL);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		table_add(&t, rows[i], NULL);
	table_print(&t, stdout, width);
	table_free(&t);
}

/*
 * The evidence: one line per item on a wide terminal; on a narrower one, the key and value on a line and how it
 * was seen (protocol, first and last seen, count, confidence, flow) under it, so neither is cut to nothing.
 */
#define EVIDENCE_WIDE 150

static void print_evidence(const json_t *arr, unsigned width)
{
	static const char *const h[] = { "KEY", "VALUE", "PROTOCOL", "FIRST SEEN", "LAST SEEN", "COUNT", "CONF",
					 "FLOW" };
	static const char *const h2[] = { "KEY", "VALUE / SEEN" };
	bool wide = width >= EVIDENCE_WIDE;
	char when[2][32], num[2][32], seen[1024];
	struct table t;
	size_t i;
	json_t *v;

	table_init(&t, wide ? 8 : 2, wide ? h : h2);
	t.indent = 2;
	if (wide) {
		table_align_right(&t, 5);
		table_align_right(&t, 6);
		for (int c = 2; c <= 6; c++)
			table_keep_width(&t, c); /* protocol, times, counts: the key, value and flow give way */
	}
	json_array_foreach(arr, i, v) {
		const json_t *conf = json_object_get(v, "confidence");
		const char *row[8] = { jstr(v, "key"),
				       jstr(v, "value"),
				       jstr(v, "protocol"),
				       reader_short_time(jstr(v, "first_seen"), when[0], sizeof(when[0])),
				       reader_short_time(jstr(v, "last_seen"), when[1], sizeof(when[1])),
				       num[0],
				       num[1],
				       jstr(v, "flow") };

		snprintf(num[0], sizeof(num[0]), "%lld", (long long)json_integer_value(json_object_get(v, "count")));
		if (json_is_integer(conf))
			snprintf(num[1], sizeof(num[1]), "%lld", (long long)json_integer_value(conf));
		else
			snprintf(num[1], sizeof(num[1]), "-");
		table_add(&t, row, NULL);
		if (!wide) {
			const char *row2[2] = { "", seen };

			snprintf(seen, sizeof(seen), "%s .. %s, %sx, confidence %s, %s, %s", when[0], when[1], num[0],
				 num[1], orna(v, "protocol"), orna(v, "flow"));
			table_add(&t, row2, NULL);
		}
	}
	table_print(&t, stdout, width);
	table_free(&t);
}

static void print_profile(const json_t *d, const json_t *alerts)
{
	unsigned width = table_term_width(stdout);
	const json_t *cls = json_object_get(d, "classification"), *arr, *v;
	char buf[4096], num[3][32];
	struct table t;
	const char *k;
	size_t i, j;
	json_t *p;

	print_identity(d, width);

	section("Classification", json_object_size(cls));
	if (json_object_size(cls)) {
		static const char *const h[] = { "ATTRIBUTE", "VALUE", "CONFIDENCE", "RULE", "EVIDENCE" };

		table_init(&t, 5, h);
		t.indent = 2;
		table_align_right(&t, 2);
		table_keep_width(&t, 0);
		table_keep_width(&t, 2);
		json_object_foreach((json_t *)cls, k, v) {
			const char *row[5] = { k, jstr(v, "value"), num[0], jstr(v, "rule"), jstr(v, "evidence") };

			snprintf(num[0], sizeof(num[0]), "%lld",
				 (long long)json_integer_value(json_object_get(v, "confidence")));
			table_add(&t, row, NULL);
		}
		table_print(&t, stdout, width);
		table_free(&t);
	}

	arr = json_object_get(d, "services");
	section("Services", json_array_size(arr));
	if (json_array_size(arr)) {
		const char *row[1] = { join(arr, buf, sizeof(buf)) };

		table_init(&t, 1, NULL);
		t.indent = 2;
		table_add(&t, row, NULL);
		table_print(&t, stdout, width);
		table_free(&t);
	}
	arr = json_object_get(d, "protocols");
	section("Protocols", json_array_size(arr));
	if (json_array_size(arr)) {
		const char *row[1] = { join(arr, buf, sizeof(buf)) };

		table_init(&t, 1, NULL);
		t.indent = 2;
		table_add(&t, row, NULL);
		table_print(&t, stdout, width);
		table_free(&t);
	}

	arr = json_object_get(d, "recommendations");
	section("Recommendations", json_array_size(arr));
	if (json_array_size(arr)) {
		static const char *const h[] = { "ID", "SEVERITY", "TITLE / PROOF" };

		table_init(&t, 3, h);
		t.indent = 2;
		table_keep_width(&t, 0);
		table_keep_width(&t, 1);
		json_array_foreach(arr, i, v) {
			const char *row[3] = { jstr(v, "id"), jstr(v, "severity"), jstr(v, "title") };

			table_add(&t, row, NULL);
			/* The proof under its recommendation: what was seen, in which flow, when. */
			json_array_foreach(json_object_get(v, "proof"), j, p) {
				const char *prow[3] = { "", "proof", buf };

				snprintf(buf, sizeof(buf), "%s = %s  (%s, %s)", orna(p, "key"), orna(p, "value"),
					 orna(p, "flow"), reader_short_time(jstr(p, "first_seen"), num[0], sizeof(num[0])));
				table_add(&t, prow, NULL);
			}
		}
		table_print(&t, stdout, width);
		table_free(&t);
	}

	arr = json_object_get(d, "vulnerabilities");
	section("Vulnerabilities", json_array_size(arr));
	if (json_array_size(arr)) {
		static const char *const h[] = { "CVE", "CVSS", "SEVERITY", "KEV", "SOURCE", "AFFECTED" };

		table_init(&t, 6, h);
		t.indent = 2;
		table_align_right(&t, 1);
		json_array_foreach(arr, i, v) {
			const json_t *cvss = json_object_get(v, "cvss");
			const char *row[6] = { jstr(v, "cve"), num[0], jstr(v, "severity"),
					       json_is_true(json_object_get(v, "kev")) ? "yes" : "no", jstr(v, "source"),
					       jstr(v, "affected") };

			if (json_is_number(cvss))
				snprintf(num[0], sizeof(num[0]), "%.1f", json_number_value(cvss));
			else
				snprintf(num[0], sizeof(num[0]), "-");
			table_add(&t, row, NULL);
		}
		table_print(&t, stdout, width);
		table_free(&t);
	}

	section("Alerts", json_array_size(alerts));
	if (json_array_size(alerts))
		alerts_print_table(alerts, stdout, 2);

	arr = json_object_get(d, "evidence");
	section("Evidence", json_array_size(arr));
	if (json_array_size(arr))
		print_evidence(arr, width);
}

static int not_found(const char *arg)
{
	pr_err("no device %s; `iotsense devices` lists them\n", arg);
	return EXIT_ERR;
}

int cmd_device(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "from", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct alert_query q = { 0 };
	const char *from = NULL, *arg;
	json_t *dev = NULL, *alerts = NULL;
	unsigned long more;
	char err[1024], id[128];
	bool json = false;
	int opt, ret = EXIT_ERR;

	while ((opt = getopt_long(argc, argv, "jf:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'f':
			from = optarg;
			break;
		case 'h':
			printf("Usage: iotsense device ID [--json] [--from FILE]\n"
			       "  One device's whole profile: identity, classification, services, protocols,\n"
			       "  recommendations with their proof, vulnerabilities, alerts and evidence. ID is the\n"
			       "  device's id (mac:..., ip:...), a MAC or IP it was seen with, or its name (set with\n"
			       "  'iotsense set'). Reads <state-dir>/%s, or FILE ('-': stdin) of records such as\n"
			       "  the output of 'iotsense replay'. --json: {\"device\":{...},\"alerts\":[...]}.\n",
			       STORE_FILE_NAME);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		pr_err("device takes one ID (an id, MAC, IP or name); see --help\n");
		return EXIT_USAGE;
	}
	arg = argv[optind];
	if (from) {
		struct device_set set;
		long i;

		if (device_set_open(&set, from, g_opts.state_dir) < 0)
			return EXIT_ERR;
		i = device_find_set(&set, arg);
		if (i < 0) {
			device_set_free(&set);
			return not_found(arg);
		}
		dev = json_deep_copy(device_set_device(&set, (size_t)i));
		device_set_free(&set);
		q.device = jstr(dev, "id");
		q.device_rec = dev;
		if (alerts_from_file(from, &q, &alerts, &more, err, sizeof(err)) < 0) {
			pr_err("%s\n", err);
			goto out;
		}
	} else {
		struct store s;
		int r;

		if (store_open(&s, g_opts.state_dir, true, err, sizeof(err)) < 0) {
			pr_err("%s\n", err);
			return EXIT_ERR;
		}
		r = device_find_store(&s, arg, id, sizeof(id), err, sizeof(err));
		if (r == -ENOENT) {
			store_close(&s);
			return not_found(arg);
		}
		if (r == 0)
			dev = device_from_store(&s, id, err, sizeof(err));
		q.device = id;
		q.device_id = id;
		if (!dev || alerts_from_store(&s, &q, &alerts, &more, err, sizeof(err)) < 0) {
			pr_err("%s\n", err);
			store_close(&s);
			goto out;
		}
		store_close(&s);
	}
	if (json) {
		json_t *o = json_pack("{s:O, s:O}", "device", dev, "alerts", alerts);

		json_dumpf(o, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(o);
	} else {
		print_profile(dev, alerts);
	}
	ret = EXIT_OK;
out:
	json_decref(dev);
	json_decref(alerts);
	return ret;
}
