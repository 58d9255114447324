// SPDX-License-Identifier: GPL-2.0-only
/*
 * `iotsense alerts [--json] [--severity MIN] [--type T] [--device ID|IP|MAC] [--since TIME] [--limit N]
 * [--from FILE]`: the alerts, newest first, from the store or from an NDJSON file of records. Both paths apply
 * the same filters so a replay's file and its store give the same list.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli.h"
#include "lib/log.h"
#include "lib/table.h"
#include "readers.h"

#define ALERTS_LIMIT_DEFAULT 1000

static const char *const severities[] = { "unknown", "informational", "low", "medium", "high", "critical" };

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int parse_severity(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s && !*end && v >= 1 && v <= 5)
		return (int)v;
	if (!strcasecmp(s, "info"))
		return 1;
	for (int i = 1; i <= 5; i++)
		if (!strcasecmp(s, severities[i]))
			return i;
	return -1;
}

/*
 * RFC 3339 (2024-05-01T10:00:00Z, with a fraction or an offset), a date (midnight UTC), or an age (30m, 24h,
 * 7d before now) into the stores' form, UTC with microseconds, so that it compares as text with every time
 * of the records. Returns 0 or -1.
 */
static int parse_since(const char *s, char *out, size_t size)
{
	struct tm tm = { 0 };
	long usec = 0, off = 0;
	time_t t;
	const char *p;
	char *end;
	double age;

	age = strtod(s, &end);
	if (end != s && age >= 0 && end[0] && !end[1] && strchr("smhd", end[0])) {
		static const long unit[] = { ['s' - 'a'] = 1, ['m' - 'a'] = 60, ['h' - 'a'] = 3600, ['d' - 'a'] = 86400 };

		t = time(NULL) - (time_t)(age * unit[end[0] - 'a']);
	} else {
		p = strptime(s, "%Y-%m-%d", &tm);
		if (!p)
			return -1;
		if (*p == 'T' || *p == 't' || *p == ' ') {
			p = strptime(p + 1, "%H:%M:%S", &tm);
			if (!p)
				return -1;
			if (*p == '.') {
				int digits = 0;

				for (p++; *p >= '0' && *p <= '9'; p++)
					if (digits++ < 6)
						usec = usec * 10 + (*p - '0');
				if (!digits)
					return -1;
				for (; digits < 6; digits++)
					usec *= 10;
			}
			if (*p == 'Z' || *p == 'z') {
				p++;
			} else if (*p == '+' || *p == '-') {
				int hh, mm;

				if (sscanf(p + 1, "%2d:%2d", &hh, &mm) != 2 || strlen(p) != 6)
					return -1;
				off = (hh * 3600L + mm * 60L) * (*p == '+' ? 1 : -1);
				p += 6;
			} else {
				return -1;
			}
		}
		if (*p)
			return -1;
		t = timegm(&tm) - off;
	}
	gmtime_r(&t, &tm);
	if (size < 28 || strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm) != 19)
		return -1;
	snprintf(out + 19, size - 19, ".%06dZ", (int)(usec % 1000000));
	return 0;
}

const char *reader_short_time(const char *t, char *buf, size_t size)
{
	if (!t || strlen(t) < 19) {
		snprintf(buf, size, "%s", t ? t : "-");
		return buf;
	}
	snprintf(buf, size, "%.10s %.8s", t, t + 11);
	return buf;
}

/* The store kept the highest count and the widest first/last seen of a finding: the record gets them. */
static void set_seen(json_t *rec, const char *first, const char *last, json_int_t count)
{
	if (first)
		json_object_set_new(rec, "first_seen", json_string(first));
	if (last)
		json_object_set_new(rec, "last_seen", json_string(last));
	if (count > 0)
		json_object_set_new(rec, "count", json_integer(count));
}

int alerts_from_store(struct store *s, const struct alert_query *q, json_t **out, unsigned long *more, char *err,
		      size_t err_size)
{
	static const char *const sql =
		"SELECT record, first_seen, last_seen, count FROM alerts a"
		" WHERE a.severity_id >= ?1 AND (?2 IS NULL OR a.type = ?2) AND (?3 IS NULL OR a.last_seen >= ?3)"
		" AND (?4 IS NULL OR a.device_id = ?5 OR a.device_ip = ?4 OR a.device_mac = ?4"
		"      OR a.uid IN (SELECT uid FROM device_alerts WHERE device_id = ?5))"
		" ORDER BY a.last_seen DESC, a.severity_id DESC, a.uid";
	sqlite3_stmt *st;
	char norm[128];
	int rc;

	*out = json_array();
	*more = 0;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, err_size, "reading alerts: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	sqlite3_bind_int(st, 1, q->min_severity);
	if (q->type)
		sqlite3_bind_text(st, 2, q->type, -1, SQLITE_STATIC);
	if (q->since[0])
		sqlite3_bind_text(st, 3, q->since, -1, SQLITE_STATIC);
	if (q->device) {
		const char *n = norm;

		reader_normalize_id(q->device, norm, sizeof(norm));
		/* An id names the device; its bare address is what alerts carry in device_ip/device_mac. */
		if (!strncmp(norm, "mac:", 4) || !strncmp(norm, "ip:", 3))
			n = strchr(norm, ':') + 1;
		sqlite3_bind_text(st, 4, n, -1, SQLITE_TRANSIENT);
		if (q->device_id)
			sqlite3_bind_text(st, 5, q->device_id, -1, SQLITE_STATIC);
		else
			sqlite3_bind_text(st, 5, norm, -1, SQLITE_TRANSIENT);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(st, 0);
		json_t *rec;

		if (q->limit && json_array_size(*out) >= q->limit) {
			(*more)++;
			continue;
		}
		rec = json_loads(text ? text : "", JSON_ALLOW_NUL, NULL);
		if (!json_is_object(rec)) {
			json_decref(rec);
			continue;
		}
		set_seen(rec, (const char *)sqlite3_column_text(st, 1), (const char *)sqlite3_column_text(st, 2),
			 sqlite3_column_int64(st, 3));
		json_array_append_new(*out, rec);
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, err_size, "reading alerts: %s", sqlite3_errmsg(s->db));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

static bool alert_matches(const json_t *a, const struct alert_query *q)
{
	const json_t *f = json_object_get(a, "finding"), *ad = json_object_get(a, "device");
	const char *last = jstr(a, "last_seen") ? jstr(a, "last_seen") : jstr(a, "time");
	const char *id = jstr(ad, "id"), *ip = jstr(ad, "ip"), *mac = jstr(ad, "mac");

	if (json_integer_value(json_object_get(a, "severity_id")) < q->min_severity)
		return false;
	if (q->type && (!json_string_value(json_array_get(json_object_get(f, "types"), 0)) ||
			strcmp(json_string_value(json_array_get(json_object_get(f, "types"), 0)), q->type)))
		return false;
	if (q->since[0] && (!last || strcmp(last, q->since) < 0))
		return false;
	if (q->device) {
		const json_t *d = q->device_rec;
		char norm[128];
		const char *bare;
		size_t i;
		json_t *v;

		reader_normalize_id(q->device, norm, sizeof(norm));
		bare = !strncmp(norm, "mac:", 4) || !strncmp(norm, "ip:", 3) ? strchr(norm, ':') + 1 : norm;
		if ((id && !strcmp(id, norm)) || (ip && !strcmp(ip, bare)) || (mac && !strcmp(mac, bare)))
			return true;
		if (!d)
			return false;
		if ((id && jstr(d, "id") && !strcmp(id, jstr(d, "id"))) ||
		    (mac && jstr(d, "mac") && !strcmp(mac, jstr(d, "mac"))))
			return true;
		json_array_foreach(json_object_get(d, "ips"), i, v)
			if (ip && json_string_value(v) && !strcmp(ip, json_string_value(v)))
				return true;
		return false;
	}
	return true;
}

static const char *alert_last(const json_t *a)
{
	const char *l = jstr(a, "last_seen");

	return l ? l : jstr(a, "time") ? jstr(a, "time") : "";
}

static int newest_first(const void *x, const void *y)
{
	const json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
	int d = strcmp(alert_last(b), alert_last(a));

	if (!d)
		d = (int)(json_integer_value(json_object_get(b, "severity_id")) -
			  json_integer_value(json_object_get(a, "severity_id")));
	return d;
}

/* The same finding re-emitted (its count grew): one entry, the latest record with the widest times. */
static void put_dedup(json_t *by_uid, json_t *rec)
{
	const char *uid = jstr(json_object_get(rec, "finding"), "uid");
	json_t *old = uid ? json_object_get(by_uid, uid) : NULL;

	if (!uid) {
		json_decref(rec);
		return;
	}
	if (old) {
		const char *of = jstr(old, "first_seen"), *nf = jstr(rec, "first_seen");
		json_int_t oc = json_integer_value(json_object_get(old, "count"));

		if (of && nf && strcmp(of, nf) < 0)
			json_object_set_new(rec, "first_seen", json_string(of));
		if (strcmp(alert_last(old), alert_last(rec)) > 0)
			json_object_set_new(rec, "last_seen", json_string(alert_last(old)));
		if (oc > json_integer_value(json_object_get(rec, "count")))
			json_object_set_new(rec, "count", json_integer(oc));
	}
	json_object_set_new(by_uid, uid, rec);
}

int alerts_from_file(const char *path, const struct alert_query *q, json_t **out, unsigned long *more, char *err,
		     size_t err_size)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	json_t *by_uid = json_object(), *v, **all;
	const char *k;
	char *line = NULL;
	size_t cap = 0, n = 0;
	ssize_t len;

	*out = json_array();
	*more = 0;
	if (!f) {
		snprintf(err, err_size, "%s: %s", path, strerror(errno));
		json_decref(by_uid);
		return -1;
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		json_t *rec;

		/* Flow and payload records are most of a replay: not parsed. */
		if (!strstr(line, "\"record\":\"alert\""))
			continue;
		rec = json_loadb(line, (size_t)len, JSON_ALLOW_NUL, NULL);
		if (!json_is_object(rec) || !jstr(rec, "record") || strcmp(jstr(rec, "record"), "alert")) {
			json_decref(rec);
			continue;
		}
		put_dedup(by_uid, rec);
	}
	free(line);
	if (f != stdin)
		fclose(f);
	all = calloc(json_object_size(by_uid) + 1, sizeof(*all));
	if (!all) {
		snprintf(err, err_size, "out of memory");
		json_decref(by_uid);
		return -1;
	}
	json_object_foreach(by_uid, k, v)
		if (alert_matches(v, q))
			all[n++] = v;
	qsort(all, n, sizeof(*all), newest_first);
	for (size_t i = 0; i < n; i++) {
		if (q->limit && i >= q->limit)
			(*more)++;
		else
			json_array_append(*out, all[i]);
	}
	free(all);
	json_decref(by_uid);
	return 0;
}

void alerts_print_table(const json_t *alerts, FILE *f, unsigned indent)
{
	static const char *const head[] = { "LAST SEEN (UTC)", "SEVERITY", "TITLE", "DEVICE", "COUNT", "RULE" };
	struct table t;
	size_t i;
	json_t *a;

	if (table_init(&t, 6, head) < 0)
		return;
	t.indent = indent;
	table_align_right(&t, 4);
	table_keep_width(&t, 0);
	table_keep_width(&t, 1);
	table_keep_width(&t, 4);
	json_array_foreach(alerts, i, a) {
		const json_t *d = json_object_get(a, "device");
		char when[32], count[24];
		const char *dev = jstr(d, "ip") ? jstr(d, "ip") : jstr(d, "mac") ? jstr(d, "mac") : jstr(d, "id");
		const char *row[6] = {
			reader_short_time(alert_last(a), when, sizeof(when)),
			jstr(a, "severity"),
			jstr(json_object_get(a, "finding"), "title"),
			dev ? dev : "-",
			count,
			jstr(a, "rule"),
		};

		snprintf(count, sizeof(count), "%lld", (long long)json_integer_value(json_object_get(a, "count")));
		table_add(&t, row, NULL);
	}
	table_print(&t, f, 0);
	table_free(&t);
}

int cmd_alerts(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "severity", required_argument, NULL, 's' },
		{ "type", required_argument, NULL, 't' },
		{ "device", required_argument, NULL, 'd' },
		{ "since", required_argument, NULL, 'S' },
		{ "limit", required_argument, NULL, 'n' },
		{ "from", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct alert_query q = { .limit = ALERTS_LIMIT_DEFAULT };
	const char *from = NULL;
	char err[1024], id[128];
	json_t *alerts = NULL;
	unsigned long more = 0;
	bool json = false;
	int opt, ret = EXIT_ERR;

	while ((opt = getopt_long(argc, argv, "js:t:d:S:n:f:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 's':
			q.min_severity = parse_severity(optarg);
			if (q.min_severity < 0) {
				pr_err("--severity: '%s' is not informational, low, medium, high or critical (or 1-5)\n",
				       optarg);
				return EXIT_USAGE;
			}
			break;
		case 't':
			q.type = optarg;
			break;
		case 'd':
			q.device = optarg;
			break;
		case 'S':
			if (parse_since(optarg, q.since, sizeof(q.since)) < 0) {
				pr_err("--since: '%s' is not a time: RFC 3339 (2024-05-01T10:00:00Z), a date "
				       "(2024-05-01) or an age (30m, 24h, 7d)\n",
				       optarg);
				return EXIT_USAGE;
			}
			break;
		case 'n':
			if (!parse_uint("--limit", optarg, 0, 100000000, &q.limit))
				return EXIT_USAGE;
			break;
		case 'f':
			from = optarg;
			break;
		case 'h':
			printf("Usage: iotsense alerts [--json] [--severity MIN] [--type T] [--device ID|IP|MAC]\n"
			       "                       [--since TIME] [--limit N] [--from FILE]\n"
			       "  Alerts, newest first, from <state-dir>/%s or from FILE ('-': stdin), e.g. the output\n"
			       "  of 'iotsense replay'. --severity: informational, low, medium, high, critical (the least\n"
			       "  shown). --type: the finding type (new_device, cleartext_credentials, modbus_write, ...).\n"
			       "  --since: RFC 3339, a date, or an age (24h). --limit: default %d, 0 for all.\n"
			       "  --json: the alert records.\n",
			       STORE_FILE_NAME, ALERTS_LIMIT_DEFAULT);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		pr_err("alerts takes no arguments ('%s'); see --help\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (from) {
		struct device_set set = { 0 };

		/* The device records of the same file tell which IPs and MAC the device has. */
		if (q.device && device_set_load(&set, from, err, sizeof(err)) == 0) {
			long i = device_find_set(&set, q.device);

			if (i >= 0)
				q.device_rec = device_set_device(&set, (size_t)i);
		}
		if (alerts_from_file(from, &q, &alerts, &more, err, sizeof(err)) < 0)
			pr_err("%s\n", err);
		else
			ret = EXIT_OK;
		device_set_free(&set);
	} else {
		struct store s;

		if (store_open(&s, g_opts.state_dir, true, err, sizeof(err)) < 0) {
			pr_err("%s\n", err);
			return EXIT_ERR;
		}
		if (q.device) {
			int r = device_find_store(&s, q.device, id, sizeof(id), err, sizeof(err));

			if (r == 0)
				q.device_id = id;
			else if (r != -ENOENT)
				pr_warn("--device %s: %s\n", q.device, err);
		}
		if (alerts_from_store(&s, &q, &alerts, &more, err, sizeof(err)) < 0)
			pr_err("%s\n", err);
		else
			ret = EXIT_OK;
		store_close(&s);
	}
	if (ret == EXIT_OK) {
		if (json) {
			json_dumpf(alerts, stdout, JSON_INDENT(2));
			putchar('\n');
		} else {
			alerts_print_table(alerts, stdout, 0);
			printf("%zu alerts\n", json_array_size(alerts));
		}
		if (more)
			fprintf(stderr, "%lu more alerts not shown (--limit %lu; --limit 0 shows all)\n", more, q.limit);
	}
	json_decref(alerts);
	return ret;
}
