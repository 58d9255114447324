// SPDX-License-Identifier: GPL-2.0-only
/*
 * Records into tables. A device record rewrites the device's discovered columns and its current findings
 * (vulnerabilities, recommendations), and merges what accumulates (addresses, hostnames, services, protocols,
 * evidence) so that history survives a restart of the daemon, whose in-memory inventory starts empty. An
 * alert record upserts its finding by uid. With the outbox on, every record is queued for the outputs, and a
 * vulnerability or recommendation that is new on a device becomes a record of its own (OCSF Vulnerability
 * Finding 2002, and a Detection Finding for the recommendation) so a SIEM sees it appear.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>

#include "store/store.h"
#include "store/store_int.h"

/* One statement, prepared once per batch. */
struct stmts {
	sqlite3_stmt *dev, *addr, *host, *svc, *proto, *obs, *alert, *outbox;
	sqlite3_stmt *vuln_has, *vuln_ins, *vuln_keep_clear, *vuln_keep, *vuln_del;
	sqlite3_stmt *rec_has, *rec_ins, *rec_keep_clear, *rec_keep, *rec_del;
	sqlite3_stmt *counts, *alert_counts;
};

static const char *const SQL_DEV =
	"INSERT INTO devices (id, uid, mac, ip, type, vendor, model, os, firmware, mac_vendor, cpe, risk, exposure,"
	" contained, n_vulns, n_recs, first_seen, last_seen, sensor, site, zone, record, updated_at)"
	" VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23)"
	" ON CONFLICT(id) DO UPDATE SET uid=?2, mac=?3, ip=?4, type=?5, vendor=?6, model=?7, os=?8, firmware=?9,"
	" mac_vendor=?10, cpe=?11, risk=?12, exposure=?13, contained=?14, n_vulns=?15, n_recs=?16,"
	" first_seen=min(first_seen, ?17), last_seen=max(last_seen, ?18), sensor=?19, site=?20, zone=?21,"
	" record=?22, updated_at=?23";
#define UPSERT_SEEN(table, cols, vals, pk)                                                                     \
	"INSERT INTO " table " (device_id, " cols ", first_seen, last_seen) VALUES (?1, " vals ", ?8, ?9)"     \
	" ON CONFLICT(" pk ") DO UPDATE SET first_seen=min(first_seen, ?8), last_seen=max(last_seen, ?9)"
static const char *const SQL_ADDR = UPSERT_SEEN("device_addresses", "kind, address", "?2, ?3", "device_id, kind, address");
static const char *const SQL_HOST = UPSERT_SEEN("device_hostnames", "hostname", "?2", "device_id, hostname");
static const char *const SQL_SVC =
	UPSERT_SEEN("device_services", "service, transport, port", "?2, ?3, ?4", "device_id, service");
static const char *const SQL_PROTO = UPSERT_SEEN("device_protocols", "protocol", "?2", "device_id, protocol");
static const char *const SQL_OBS =
	"INSERT INTO device_observations (device_id, key, value, protocol, first_seen, last_seen, last_seen_ns,"
	" count, confidence, flow) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)"
	" ON CONFLICT(device_id, key, value) DO UPDATE SET protocol=coalesce(?4, protocol),"
	" first_seen=min(first_seen, ?5), last_seen=max(last_seen, ?6), last_seen_ns=max(last_seen_ns, ?7),"
	" count=max(count, ?8), confidence=max(coalesce(confidence, 0), coalesce(?9, 0)),"
	" flow=coalesce(flow, ?10)";
static const char *const SQL_ALERT =
	"INSERT INTO alerts (uid, device_id, device_ip, device_mac, type, title, description, severity,"
	" severity_id, rule, techniques, first_seen, last_seen, count, record)"
	" VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)"
	" ON CONFLICT(uid) DO UPDATE SET severity=?8, severity_id=max(severity_id, ?9), description=?7,"
	" first_seen=min(first_seen, ?12), last_seen=max(last_seen, ?13), count=max(count, ?14), record=?15";
static const char *const SQL_OUTBOX =
	"INSERT INTO outbox (record_id, kind, severity_id, created_at, body) VALUES (?1, ?2, ?3, ?4, ?5)";

static void finalize_all(struct stmts *q)
{
	sqlite3_stmt **p = (sqlite3_stmt **)q;

	for (size_t i = 0; i < sizeof(*q) / sizeof(*p); i++)
		sqlite3_finalize(p[i]);
	memset(q, 0, sizeof(*q));
}

static int prepare_all(sqlite3 *db, struct stmts *q)
{
	struct {
		sqlite3_stmt **st;
		const char *sql;
	} list[] = {
		{ &q->dev, SQL_DEV },
		{ &q->addr, SQL_ADDR },
		{ &q->host, SQL_HOST },
		{ &q->svc, SQL_SVC },
		{ &q->proto, SQL_PROTO },
		{ &q->obs, SQL_OBS },
		{ &q->alert, SQL_ALERT },
		{ &q->outbox, SQL_OUTBOX },
		/* Current findings: what the record lists is kept (first_seen unchanged), the rest removed. */
		{ &q->vuln_has, "SELECT 1 FROM vulnerabilities WHERE device_id = ?1 AND cve = ?2" },
		{ &q->vuln_ins,
		  "INSERT INTO vulnerabilities (device_id, cve, cvss, severity, kev, source, affected, first_seen)"
		  " VALUES (?1,?2,?3,?4,?5,?6,?7,?8) ON CONFLICT(device_id, cve) DO UPDATE SET cvss=?3, severity=?4,"
		  " kev=?5, source=?6, affected=?7" },
		{ &q->vuln_keep_clear, "DELETE FROM temp.keep" },
		{ &q->vuln_keep, "INSERT OR IGNORE INTO temp.keep VALUES (?1)" },
		{ &q->vuln_del,
		  "DELETE FROM vulnerabilities WHERE device_id = ?1 AND cve NOT IN (SELECT k FROM temp.keep)" },
		{ &q->rec_has, "SELECT 1 FROM recommendations WHERE device_id = ?1 AND rec_id = ?2" },
		{ &q->rec_ins,
		  "INSERT INTO recommendations (device_id, rec_id, title, severity, category, remediation, proof,"
		  " first_seen) VALUES (?1,?2,?3,?4,?5,?6,?7,?8) ON CONFLICT(device_id, rec_id) DO UPDATE SET"
		  " title=?3, severity=?4, category=?5, remediation=?6, proof=?7" },
		{ &q->rec_keep_clear, "DELETE FROM temp.keep" },
		{ &q->rec_keep, "INSERT OR IGNORE INTO temp.keep VALUES (?1)" },
		{ &q->rec_del,
		  "DELETE FROM recommendations WHERE device_id = ?1 AND rec_id NOT IN (SELECT k FROM temp.keep)" },
		{ &q->counts,
		  "UPDATE devices SET n_alerts = (SELECT count(*) FROM device_alerts WHERE device_id = ?1)"
		  " WHERE id = ?1" },
		/* An alert names the IP (or MAC) that acted: recount the devices that carry it. */
		{ &q->alert_counts,
		  "UPDATE devices SET n_alerts = (SELECT count(*) FROM device_alerts WHERE device_id = devices.id)"
		  " WHERE id = ?1 OR mac = ?2 OR id IN"
		  " (SELECT device_id FROM device_addresses WHERE kind = 'ip' AND address = ?3)" },
	};

	if (sqlite3_exec(db, "CREATE TEMP TABLE IF NOT EXISTS keep (k TEXT PRIMARY KEY)", NULL, NULL, NULL))
		return -1;
	for (size_t i = 0; i < sizeof(list) / sizeof(list[0]); i++)
		if (sqlite3_prepare_v2(db, list[i].sql, -1, list[i].st, NULL) != SQLITE_OK)
			return -1;
	return 0;
}

/* Runs a bound statement to completion and resets it for the next use. */
static int run(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

static bool exists(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

void store_now_rfc3339(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000);
}

/* RFC 3339 "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" into epoch ns; 0 when it is not that. */
uint64_t store_parse_time(const char *s)
{
	struct tm tm = { 0 };
	unsigned long frac = 0;
	int ndig = 0;
	const char *p;

	if (!s || !(p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)))
		return 0;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (ndig < 9) {
				frac = frac * 10 + (*p - '0');
				ndig++;
			}
	while (ndig < 9) {
		frac *= 10;
		ndig++;
	}
	return (uint64_t)timegm(&tm) * 1000000000ull + frac;
}

int store_severity_id(const char *sev)
{
	static const char *const names[] = { "unknown", "informational", "low", "medium", "high", "critical" };

	for (int i = 1; sev && i < 6; i++)
		if (!strcmp(sev, names[i]))
			return i;
	return 0;
}

/* Hex of the first 16 bytes of SHA-256 of the record's text: the same record always has the same id. */
void store_record_id(const char *body, size_t len, char out[33])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	EVP_Digest(body, len, md, &mdlen, EVP_sha256(), NULL);
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static int outbox_put(struct store *s, struct stmts *q, const char *kind, int severity_id, const char *body,
		      size_t len)
{
	char rid[33], now[40];

	if (!s->outbox)
		return 0;
	store_record_id(body, len, rid);
	store_now_rfc3339(now, sizeof(now));
	sqlite3_bind_text(q->outbox, 1, rid, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q->outbox, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int(q->outbox, 3, severity_id);
	sqlite3_bind_text(q->outbox, 4, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q->outbox, 5, body, len, SQLITE_TRANSIENT);
	return run(q->outbox);
}

/* The device as a finding record names it: enough for a SIEM to merge it with the device profiles. */
static json_t *finding_device(const char *uid, const json_t *d)
{
	json_t *ips = json_object_get(d, "ips");

	return json_pack("{s:s?, s:s, s:O?, s:s?, s:s?, s:s?, s:s?}", "id", jstr(d, "id"), "uid", uid, "ip",
			 json_array_get(ips, 0), "mac", jstr(d, "mac"), "type", jstr(d, "type"), "vendor",
			 jstr(d, "vendor"), "model", jstr(d, "model"));
}

/* A record for a finding new on a device, queued to the outbox (never stored as a table row twice). */
static int outbox_finding(struct store *s, struct stmts *q, const char *kind, int class_uid, const char *time,
			  const char *severity, json_t *device, const char *what, json_t *finding)
{
	json_t *rec;
	char *body;
	int err;

	rec = json_pack("{s:s, s:i, s:s, s:s, s:i, s:O, s:O}", "record", kind, "class_uid", class_uid, "time", time,
			"severity", severity ? severity : "unknown", "severity_id", store_severity_id(severity),
			"device", device, what, finding);
	if (!rec)
		return -1;
	body = json_dumps(rec, JSON_COMPACT);
	json_decref(rec);
	if (!body)
		return -1;
	err = outbox_put(s, q, kind, store_severity_id(severity), body, strlen(body));
	free(body);
	return err;
}

static void device_uid(const json_t *d, const char *site, char *out, size_t size)
{
	const char *mac = jstr(d, "mac");
	const char *ip = json_string_value(json_array_get(json_object_get(d, "ips"), 0));

	if (mac)
		snprintf(out, size, "mac:%s", mac);
	else
		snprintf(out, size, "ip:%s/%s", site && *site ? site : "default", ip ? ip : jstr(d, "id"));
}

/* Upserts (device_id, value) rows with the record's first/last seen for each string of an array. */
static int put_seen_list(sqlite3_stmt *st, const char *id, const json_t *arr, const char *first, const char *last,
			 int (*bind_extra)(sqlite3_stmt *st, const char *v))
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(v);

		if (!s)
			continue;
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
		if (bind_extra(st, s) < 0) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			continue;
		}
		sqlite3_bind_text(st, 8, first, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 9, last, -1, SQLITE_TRANSIENT);
		if (run(st))
			return -1;
	}
	return 0;
}

static int bind_ip(sqlite3_stmt *st, const char *v)
{
	sqlite3_bind_text(st, 2, "ip", -1, SQLITE_STATIC);
	return sqlite3_bind_text(st, 3, v, -1, SQLITE_TRANSIENT);
}

static int bind_one(sqlite3_stmt *st, const char *v)
{
	return sqlite3_bind_text(st, 2, v, -1, SQLITE_TRANSIENT);
}

/* "tcp/23" into service, transport, port; anything else is skipped. */
static int bind_service(sqlite3_stmt *st, const char *v)
{
	const char *slash = strchr(v, '/');
	char *end;
	long port;

	if (!slash || slash == v || slash - v > 8)
		return -1;
	port = strtol(slash + 1, &end, 10);
	if (*end || port < 0 || port > 65535)
		return -1;
	sqlite3_bind_text(st, 2, v, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, v, slash - v, SQLITE_TRANSIENT);
	return sqlite3_bind_int(st, 4, (int)port);
}

static int put_vulns(struct store *s, struct stmts *q, const char *id, json_t *fdev, const json_t *d,
		     const char *time)
{
	const json_t *arr = json_object_get(d, "vulnerabilities");
	size_t i;
	json_t *v;

	if (run(q->vuln_keep_clear))
		return -1;
	json_array_foreach(arr, i, v) {
		const char *cve = jstr(v, "cve");
		json_t *cvss = json_object_get(v, "cvss");
		bool is_new;

		if (!cve)
			continue;
		sqlite3_bind_text(q->vuln_has, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q->vuln_has, 2, cve, -1, SQLITE_TRANSIENT);
		is_new = !exists(q->vuln_has);
		sqlite3_bind_text(q->vuln_ins, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q->vuln_ins, 2, cve, -1, SQLITE_TRANSIENT);
		if (json_is_number(cvss))
			sqlite3_bind_double(q->vuln_ins, 3, json_number_value(cvss));
		bind_text(q->vuln_ins, 4, jstr(v, "severity"));
		sqlite3_bind_int(q->vuln_ins, 5, json_is_true(json_object_get(v, "kev")));
		bind_text(q->vuln_ins, 6, jstr(v, "source"));
		bind_text(q->vuln_ins, 7, jstr(v, "affected"));
		sqlite3_bind_text(q->vuln_ins, 8, time, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q->vuln_keep, 1, cve, -1, SQLITE_TRANSIENT);
		if (run(q->vuln_ins) || run(q->vuln_keep))
			return -1;
		if (is_new && outbox_finding(s, q, "vulnerability", 2002, time, jstr(v, "severity"), fdev,
					     "vulnerability", v))
			return -1;
	}
	sqlite3_bind_text(q->vuln_del, 1, id, -1, SQLITE_TRANSIENT);
	return run(q->vuln_del);
}

static int put_recs(struct store *s, struct stmts *q, const char *id, json_t *fdev, const json_t *d,
		    const char *time)
{
	const json_t *arr = json_object_get(d, "recommendations");
	size_t i;
	json_t *r;

	if (run(q->rec_keep_clear))
		return -1;
	json_array_foreach(arr, i, r) {
		const char *rid = jstr(r, "id"), *title = jstr(r, "title");
		char *proof;
		bool is_new;

		if (!rid || !title)
			continue;
		sqlite3_bind_text(q->rec_has, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q->rec_has, 2, rid, -1, SQLITE_TRANSIENT);
		is_new = !exists(q->rec_has);
		proof = json_dumps(json_object_get(r, "proof"), JSON_COMPACT | JSON_ENCODE_ANY);
		sqlite3_bind_text(q->rec_ins, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q->rec_ins, 2, rid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q->rec_ins, 3, title, -1, SQLITE_TRANSIENT);
		bind_text(q->rec_ins, 4, jstr(r, "severity"));
		bind_text(q->rec_ins, 5, jstr(r, "category"));
		bind_text(q->rec_ins, 6, jstr(r, "remediation"));
		bind_text(q->rec_ins, 7, proof);
		sqlite3_bind_text(q->rec_ins, 8, time, -1, SQLITE_TRANSIENT);
		free(proof);
		sqlite3_bind_text(q->rec_keep, 1, rid, -1, SQLITE_TRANSIENT);
		if (run(q->rec_ins) || run(q->rec_keep))
			return -1;
		if (is_new && outbox_finding(s, q, "recommendation", 2004, time, jstr(r, "severity"), fdev,
					     "recommendation", r))
			return -1;
	}
	sqlite3_bind_text(q->rec_del, 1, id, -1, SQLITE_TRANSIENT);
	return run(q->rec_del);
}

static int put_evidence(struct stmts *q, const char *id, const json_t *d)
{
	size_t i;
	json_t *e;

	json_array_foreach(json_object_get(d, "evidence"), i, e) {
		const char *key = jstr(e, "key"), *value = jstr(e, "value");
		const char *first = jstr(e, "first_seen"), *last = jstr(e, "last_seen");
		json_t *conf = json_object_get(e, "confidence");

		if (!key || !value || !first || !last)
			continue;
		sqlite3_bind_text(q->obs, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q->obs, 2, key, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q->obs, 3, value, -1, SQLITE_TRANSIENT);
		bind_text(q->obs, 4, jstr(e, "protocol"));
		sqlite3_bind_text(q->obs, 5, first, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q->obs, 6, last, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(q->obs, 7, (sqlite3_int64)store_parse_time(last));
		sqlite3_bind_int64(q->obs, 8, json_integer_value(json_object_get(e, "count")));
		if (json_is_integer(conf))
			sqlite3_bind_int(q->obs, 9, (int)json_integer_value(conf));
		bind_text(q->obs, 10, jstr(e, "flow"));
		if (run(q->obs))
			return -1;
	}
	return 0;
}

static int put_device(struct store *s, struct stmts *q, const json_t *rec, const char *line, size_t len)
{
	const json_t *d = json_object_get(rec, "device");
	const char *id = jstr(d, "id"), *first = jstr(d, "first_seen"), *last = jstr(d, "last_seen");
	const json_t *ips = json_object_get(d, "ips");
	const json_t *contained = json_object_get(d, "contained");
	char uid[160], now[40];
	json_t *fdev;
	int err = -1;

	if (!id || !first || !last)
		return 0; /* not a device record this store understands: counted as skipped by the caller */
	device_uid(d, s->id.site, uid, sizeof(uid));
	store_now_rfc3339(now, sizeof(now));
	sqlite3_bind_text(q->dev, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q->dev, 2, uid, -1, SQLITE_TRANSIENT);
	bind_text(q->dev, 3, jstr(d, "mac"));
	bind_text(q->dev, 4, json_string_value(json_array_get(ips, 0)));
	bind_text(q->dev, 5, jstr(d, "type"));
	bind_text(q->dev, 6, jstr(d, "vendor"));
	bind_text(q->dev, 7, jstr(d, "model"));
	bind_text(q->dev, 8, jstr(d, "os"));
	bind_text(q->dev, 9, jstr(d, "firmware"));
	bind_text(q->dev, 10, jstr(d, "mac_vendor"));
	bind_text(q->dev, 11, jstr(d, "cpe"));
	sqlite3_bind_text(q->dev, 12, jstr(d, "risk") ? jstr(d, "risk") : "none", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q->dev, 13, jstr(d, "exposure") ? jstr(d, "exposure") : "none", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(q->dev, 14, json_is_object(contained) || json_is_true(contained));
	sqlite3_bind_int(q->dev, 15, (int)json_array_size(json_object_get(d, "vulnerabilities")));
	sqlite3_bind_int(q->dev, 16, (int)json_array_size(json_object_get(d, "recommendations")));
	sqlite3_bind_text(q->dev, 17, first, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q->dev, 18, last, -1, SQLITE_TRANSIENT);
	bind_text(q->dev, 19, s->id.sensor);
	bind_text(q->dev, 20, s->id.site);
	bind_text(q->dev, 21, s->id.zone);
	sqlite3_bind_text(q->dev, 22, line, len, SQLITE_TRANSIENT);
	sqlite3_bind_text(q->dev, 23, now, -1, SQLITE_TRANSIENT);
	if (run(q->dev))
		return -1;
	if (jstr(d, "mac")) {
		sqlite3_bind_text(q->addr, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q->addr, 2, "mac", -1, SQLITE_STATIC);
		sqlite3_bind_text(q->addr, 3, jstr(d, "mac"), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q->addr, 8, first, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q->addr, 9, last, -1, SQLITE_TRANSIENT);
		if (run(q->addr))
			return -1;
	}
	if (put_seen_list(q->addr, id, ips, first, last, bind_ip) ||
	    put_seen_list(q->host, id, json_object_get(d, "hostnames"), first, last, bind_one) ||
	    put_seen_list(q->svc, id, json_object_get(d, "services"), first, last, bind_service) ||
	    put_seen_list(q->proto, id, json_object_get(d, "protocols"), first, last, bind_one) ||
	    put_evidence(q, id, d))
		return -1;
	fdev = finding_device(uid, d);
	if (!fdev)
		return -1;
	if (!put_vulns(s, q, id, fdev, d, last) && !put_recs(s, q, id, fdev, d, last))
		err = 0;
	json_decref(fdev);
	if (err)
		return -1;
	sqlite3_bind_text(q->counts, 1, id, -1, SQLITE_TRANSIENT);
	if (run(q->counts))
		return -1;
	s->devices++;
	return outbox_put(s, q, "device", store_severity_id(jstr(d, "risk")), line, len);
}

static int put_alert(struct store *s, struct stmts *q, const json_t *rec, const char *line, size_t len)
{
	const json_t *f = json_object_get(rec, "finding"), *d = json_object_get(rec, "device");
	const char *uid = jstr(f, "uid"), *title = jstr(f, "title");
	const char *type = json_string_value(json_array_get(json_object_get(f, "types"), 0));
	const char *first = jstr(rec, "first_seen") ? jstr(rec, "first_seen") : jstr(rec, "time");
	const char *last = jstr(rec, "last_seen") ? jstr(rec, "last_seen") : jstr(rec, "time");
	json_t *count = json_object_get(rec, "count");
	char techniques[256] = "";
	size_t i;
	json_t *a;

	if (!uid || !title || !first || !last)
		return 0;
	json_array_foreach(json_object_get(rec, "attacks"), i, a) {
		const char *t = jstr(json_object_get(a, "technique"), "uid");
		size_t l = strlen(techniques);

		if (t && l + strlen(t) + 2 < sizeof(techniques))
			snprintf(techniques + l, sizeof(techniques) - l, "%s%s", l ? "," : "", t);
	}
	sqlite3_bind_text(q->alert, 1, uid, -1, SQLITE_TRANSIENT);
	bind_text(q->alert, 2, jstr(d, "id"));
	bind_text(q->alert, 3, jstr(d, "ip"));
	bind_text(q->alert, 4, jstr(d, "mac"));
	sqlite3_bind_text(q->alert, 5, type ? type : "unknown", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q->alert, 6, title, -1, SQLITE_TRANSIENT);
	bind_text(q->alert, 7, jstr(f, "desc"));
	sqlite3_bind_text(q->alert, 8, jstr(rec, "severity") ? jstr(rec, "severity") : "unknown", -1,
			  SQLITE_TRANSIENT);
	sqlite3_bind_int(q->alert, 9, (int)json_integer_value(json_object_get(rec, "severity_id")));
	bind_text(q->alert, 10, jstr(rec, "rule"));
	bind_text(q->alert, 11, techniques[0] ? techniques : NULL);
	sqlite3_bind_text(q->alert, 12, first, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q->alert, 13, last, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q->alert, 14, json_is_integer(count) ? json_integer_value(count) : 1);
	sqlite3_bind_text(q->alert, 15, line, len, SQLITE_TRANSIENT);
	if (run(q->alert))
		return -1;
	bind_text(q->alert_counts, 1, jstr(d, "id"));
	bind_text(q->alert_counts, 2, jstr(d, "mac"));
	bind_text(q->alert_counts, 3, jstr(d, "ip"));
	if (run(q->alert_counts))
		return -1;
	s->alerts++;
	return outbox_put(s, q, "alert", (int)json_integer_value(json_object_get(rec, "severity_id")), line, len);
}

int store_put_ndjson(struct store *s, const char *buf, size_t len, char *err, size_t err_size)
{
	struct stmts q = { 0 };
	const char *p = buf, *end = buf + len;
	int stored = 0;

	if (s->readonly) {
		snprintf(err, err_size, "the store was opened read-only");
		return -1;
	}
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK || prepare_all(s->db, &q))
		goto fail;
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		json_t *rec;
		const char *kind;
		int rc = 0;

		/* Only records this store keeps are parsed: flow and payload lines are the bulk and skipped cheaply. */
		if (l > 24 && (memmem(p, l < 48 ? l : 48, "\"record\":\"device\"", 17) ||
			       memmem(p, l < 48 ? l : 48, "\"record\":\"alert\"", 16))) {
			rec = json_loadb(p, l, JSON_ALLOW_NUL, NULL);
			kind = jstr(rec, "record");
			/* One savepoint a record: a record the tables refuse (a constraint) is skipped and counted,
			 * and cannot hold the store back; a failure of the file itself (full, I/O) fails the batch. */
			if (sqlite3_exec(s->db, "SAVEPOINT rec", NULL, NULL, NULL) != SQLITE_OK) {
				json_decref(rec);
				goto fail;
			}
			if (kind && !strcmp(kind, "device"))
				rc = put_device(s, &q, rec, p, l);
			else if (kind && !strcmp(kind, "alert"))
				rc = put_alert(s, &q, rec, p, l);
			json_decref(rec);
			if (rc && (sqlite3_errcode(s->db) & 0xff) != SQLITE_CONSTRAINT &&
			    (sqlite3_errcode(s->db) & 0xff) != SQLITE_MISMATCH && (sqlite3_errcode(s->db) & 0xff) != SQLITE_TOOBIG)
				goto fail;
			if (rc) {
				sqlite3_exec(s->db, "ROLLBACK TO rec", NULL, NULL, NULL);
				s->skipped++;
			} else {
				stored++;
			}
			sqlite3_exec(s->db, "RELEASE rec", NULL, NULL, NULL);
		}
		p += l + 1;
	}
	finalize_all(&q);
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	s->records += stored;
	return stored;
fail:
	snprintf(err, err_size, "writing to %s failed: %s", s->path, sqlite3_errmsg(s->db));
	finalize_all(&q);
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}
