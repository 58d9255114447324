// SPDX-License-Identifier: GPL-2.0-only
/* The store on a real SQLite file in a temp dir: records in, rows out, history merged, bounds applied. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "inventory.h"
#include "store/store.h"
#include "testlib.h"

static char dir[64];

/* A device record the way the inventory writes one; fields vary per test. */
static char *device_rec(const char *id, const char *ip, const char *first, const char *last, const char *vulns,
			const char *evidence_value)
{
	char *s = NULL;

	if (asprintf(&s,
		     "{\"record\":\"device\",\"class_uid\":5001,\"time\":\"%s\",\"device\":{\"id\":\"%s\","
		     "\"mac\":\"02:00:00:00:00:01\",\"ips\":[\"%s\"],\"first_seen\":\"%s\",\"last_seen\":\"%s\","
		     "\"type\":\"printer\",\"vendor\":\"HP\",\"model\":\"LaserJet\",\"os\":null,\"firmware\":\"1.2\","
		     "\"recommendations\":[{\"id\":\"IOTS-REC-0003\",\"title\":\"SNMP v1/v2\",\"severity\":\"high\","
		     "\"proof\":[{\"key\":\"snmp_answered_version\",\"value\":\"1\"}]}],"
		     "\"vulnerabilities\":[%s],\"exposure\":\"high\",\"contained\":false,\"risk\":\"medium\","
		     "\"hostnames\":[\"printer-1\"],\"services\":[\"udp/161\",\"tcp/9100\",\"bogus\"],"
		     "\"protocols\":[\"SNMP\"],\"attributes\":{},\"evidence\":[{\"key\":\"snmp_sysdescr\","
		     "\"value\":\"%s\",\"protocol\":\"snmp\",\"first_seen\":\"%s\",\"last_seen\":\"%s\",\"count\":3,"
		     "\"confidence\":90,\"flow\":\"udp 198.18.0.5:161 -> 198.18.0.9:40000\"}]}}\n",
		     last, id, ip, first, last, vulns, evidence_value, first, last) < 0)
		return NULL;
	return s;
}

static const char alert_rec[] =
	"{\"record\":\"alert\",\"class_uid\":2004,\"time\":\"2026-01-01T00:00:05.000000Z\",\"severity\":\"medium\","
	"\"severity_id\":3,\"finding\":{\"uid\":\"00000000000000aa\",\"title\":\"Credentials sent in clear text\","
	"\"types\":[\"cleartext_credentials\"],\"desc\":\"x\"},\"attacks\":[{\"technique\":{\"uid\":\"T1552\"}},"
	"{\"technique\":{\"uid\":\"T1040\"}}],\"device\":{\"id\":\"ip:198.18.0.5\",\"ip\":\"198.18.0.5\"},"
	"\"first_seen\":\"2026-01-01T00:00:05.000000Z\",\"last_seen\":\"2026-01-01T00:00:05.000000Z\",\"count\":1,"
	"\"rule\":\"builtin:cleartext_credentials\"}\n";

static const char vuln_a[] = "{\"cve\":\"CVE-2020-0001\",\"cvss\":9.8,\"severity\":\"critical\",\"kev\":true}";
static const char vuln_b[] = "{\"cve\":\"CVE-2021-0002\",\"cvss\":5.0,\"severity\":\"medium\",\"kev\":false}";

static int put(struct store *s, const char *buf)
{
	char err[512];
	int n = store_put_ndjson(s, buf, strlen(buf), err, sizeof(err));

	if (n < 0)
		printf("  store_put_ndjson: %s\n", err);
	return n;
}

static long long count(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		printf("  %s: %s\n", sql, sqlite3_errmsg(s->db));
		return -1;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static char *text(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	char *v = NULL;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

static void fresh(struct store *s)
{
	char cmd[128], err[512];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		printf("  %s failed\n", cmd);
	if (store_open(s, dir, false, err, sizeof(err)))
		printf("  store_open: %s\n", err);
}

TEST(device_record_fills_the_tables)
{
	struct store s;
	char *rec = device_rec("mac:02:00:00:00:00:01", "198.18.0.5", "2026-01-01T00:00:00.000000Z",
			       "2026-01-01T00:00:10.000000Z", vuln_a, "HP LaserJet");
	char *v;

	fresh(&s);
	CHECK_EQ_INT(put(&s, rec), 1);
	CHECK_EQ_INT(count(&s, "SELECT count(*) FROM devices"), 1);
	v = text(&s, "SELECT type || '|' || vendor || '|' || ip || '|' || uid || '|' || exposure FROM devices");
	CHECK_STR(v, "printer|HP|198.18.0.5|mac:02:00:00:00:00:01|high");
	free(v);
	CHECK_EQ_INT(count(&s, "SELECT count(*) FROM device_addresses"), 2); /* the MAC and the IP */
	CHECK_EQ_INT(count(&s, "SELECT count(*) FROM device_services"), 2);	/* "bogus" is not a service */
	CHECK_EQ_INT(count(&s, "SELECT port FROM device_services WHERE transport = 'tcp'"), 9100);
	CHECK_EQ_INT(count(&s, "SELECT count(*) FROM device_hostnames WHERE hostname = 'printer-1'"), 1);
	CHECK_EQ_INT(count(&s, "SELECT count(*) FROM device_observations WHERE key = 'snmp_sysdescr'"), 1);
	CHECK_EQ_INT(count(&s, "SELECT kev FROM vulnerabilities WHERE cve = 'CVE-2020-0001'"), 1);
	CHECK_EQ_INT(count(&s, "SELECT count(*) FROM recommendations WHERE rec_id = 'IOTS-REC-0003'"), 1);
	CHECK_EQ_INT(count(&s, "SELECT n_vulns + n_recs FROM devices"), 2);
	CHECK_EQ_INT(count(&s, "SELECT count(*) FROM outbox"), 0); /* no outputs: nothing queued */
	free(rec);
	store_close(&s);
}

TEST(history_merges_across_restarts)
{
	struct store s;
	/* The daemon restarted: its new record starts later and has a new piece of evidence. */
	char *a = device_rec("mac:02:00:00:00:00:01", "198.18.0.5", "2026-01-01T00:00:00.000000Z",
			     "2026-01-01T00:00:10.000000Z", vuln_a, "old banner");
	char *b = device_rec("mac:02:00:00:00:00:01", "198.18.0.7", "2026-01-02T00:00:00.000000Z",
			     "2026-01-02T00:00:10.000000Z", vuln_b, "new banner");
	char *v;

	fresh(&s);
	CHECK_EQ_INT(put(&s, a), 1);
	CHECK_EQ_INT(put(&s, a), 1); /* the same record again: nothing doubles */
	CHECK_EQ_INT(count(&s, "SELECT count(*) FROM device_observations"), 1);
	CHECK_EQ_INT(put(&s, b), 1);
	v = text(&s, "SELECT first_seen || ' ' || last_seen FROM devices");
	CHECK_STR(v, "2026-01-01T00:00:00.000000Z 2026-01-02T00:00:10.000000Z");
	free(v);
	CHECK_EQ_INT(count(&s, "SELECT count(*) FROM device_observations"), 2);  /* both banners kept */
	CHECK_EQ_INT(count(&s, "SELECT count(*) FROM device_addresses WHERE kind = 'ip'"), 2);
	/* Findings are current state: the old CVE is gone, the new one is there. */
	CHECK_EQ_INT(count(&s, "SELECT count(*) FROM vulnerabilities"), 1);
	CHECK_EQ_INT(count(&s, "SELECT count(*) FROM vulnerabilities WHERE cve = 'CVE-2021-0002'"), 1);
	free(a);
	free(b);
	store_close(&s);
}

TEST(alerts_upsert_and_count_on_devices)
{
	struct store s;
	char *rec = device_rec("mac:02:00:00:00:00:01", "198.18.0.5", "2026-01-01T00:00:00.000000Z",
			       "2026-01-01T00:00:10.000000Z", vuln_a, "x");
	char *again;
	char *v;

	fresh(&s);
	CHECK_EQ_INT(put(&s, rec), 1);
	CHECK_EQ_INT(put(&s, alert_rec), 1);
	/* The alert names the IP; the device is keyed by its MAC: the view joins them. */
	CHECK_EQ_INT(count(&s, "SELECT count(*) FROM device_alerts WHERE device_id = 'mac:02:00:00:00:00:01'"), 1);
	CHECK_EQ_INT(count(&s, "SELECT n_alerts FROM devices"), 1);
	v = text(&s, "SELECT techniques FROM alerts");
	CHECK_STR(v, "T1552,T1040");
	free(v);
	/* An update record of the same finding: one row, its count grows. */
	again = strdup(alert_rec);
	memcpy(strstr(again, "\"count\":1") + 8, "7", 1);
	CHECK_EQ_INT(put(&s, again), 1);
	CHECK_EQ_INT(count(&s, "SELECT count(*) FROM alerts"), 1);
	CHECK_EQ_INT(count(&s, "SELECT count FROM alerts"), 7);
	free(again);
	free(rec);
	store_close(&s);
}

TEST(outbox_queues_records_and_new_findings)
{
	struct store s;
	char *a = device_rec("mac:02:00:00:00:00:01", "198.18.0.5", "2026-01-01T00:00:00.000000Z",
			     "2026-01-01T00:00:10.000000Z", vuln_a, "x");
	char *v;

	fresh(&s);
	s.outbox = true;
	CHECK_EQ_INT(put(&s, a), 1);
	/* The device, its new CVE, its new recommendation. */
	CHECK_EQ_INT(count(&s, "SELECT count(*) FROM outbox"), 3);
	CHECK_EQ_INT(count(&s, "SELECT severity_id FROM outbox WHERE kind = 'vulnerability'"), 5);
	v = text(&s, "SELECT json_extract(body, '$.vulnerability.cve') FROM outbox WHERE kind = 'vulnerability'");
	CHECK_STR(v, "CVE-2020-0001");
	free(v);
	v = text(&s, "SELECT json_extract(body, '$.device.uid') FROM outbox WHERE kind = 'recommendation'");
	CHECK_STR(v, "mac:02:00:00:00:00:01");
	free(v);
	/* The same record again: the device is queued again (a SIEM de-duplicates by record_id), the findings
	 * are not new. */
	CHECK_EQ_INT(put(&s, a), 1);
	CHECK_EQ_INT(count(&s, "SELECT count(*) FROM outbox"), 4);
	CHECK_EQ_INT(count(&s, "SELECT count(DISTINCT record_id) FROM outbox"), 3);
	CHECK_EQ_INT(put(&s, alert_rec), 1);
	CHECK_EQ_INT(count(&s, "SELECT severity_id FROM outbox WHERE kind = 'alert'"), 3);
	free(a);
	store_close(&s);
}

TEST(outbox_bound_drops_oldest_and_counts)
{
	struct store s;
	char err[256];

	fresh(&s);
	s.outbox = true;
	s.limits.outbox_max_records = 3;
	CHECK_EQ_INT(sqlite3_exec(s.db,
				  "INSERT INTO output_state (name, acked_seq) VALUES ('slow', 0), ('fast', 5);"
				  "INSERT INTO outbox (record_id, kind, created_at, body) VALUES"
				  " ('1','device','t','{}'),('2','device','t','{}'),('3','device','t','{}'),"
				  " ('4','device','t','{}'),('5','device','t','{}'),('6','device','t','{}')",
				  NULL, NULL, NULL),
		     SQLITE_OK);
	/* At or under the bound nothing goes (a negative OFFSET once cut the oldest row at every snapshot). */
	s.limits.outbox_max_records = 6;
	CHECK_EQ_INT(store_outbox_bound(&s), 0);
	s.limits.outbox_max_records = 100;
	CHECK_EQ_INT(store_outbox_bound(&s), 0);
	CHECK_EQ_INT(count(&s, "SELECT count(*) FROM outbox"), 6);
	CHECK_EQ_INT(count(&s, "SELECT sum(dropped) FROM output_state"), 0);
	s.limits.outbox_max_records = 3;
	CHECK(store_retention(&s, 1800000000) >= 0);
	CHECK_EQ_INT(count(&s, "SELECT count(*) FROM outbox"), 3);
	CHECK_EQ_INT(count(&s, "SELECT min(seq) FROM outbox"), 4); /* oldest first */
	CHECK_EQ_INT(count(&s, "SELECT dropped FROM output_state WHERE name = 'slow'"), 3);
	CHECK_EQ_INT(count(&s, "SELECT acked_seq FROM output_state WHERE name = 'slow'"), 3);
	CHECK_EQ_INT(count(&s, "SELECT dropped FROM output_state WHERE name = 'fast'"), 0);
	CHECK_EQ_INT(s.outbox_dropped, 3);
	(void)err;
	store_close(&s);
}

TEST(retention_trims_observations)
{
	struct store s;

	fresh(&s);
	CHECK_EQ_INT(sqlite3_exec(s.db,
				  "INSERT INTO devices (id, uid, first_seen, last_seen, record, updated_at) VALUES"
				  " ('d1','d1','t','t','{}','t');"
				  "INSERT INTO device_observations (device_id, key, value, first_seen, last_seen,"
				  " last_seen_ns, count) VALUES ('d1','k','old','t','t', 1000000000, 1),"
				  " ('d1','k','a','t','t', 1700000000000000000, 1),"
				  " ('d1','k','b','t','t', 1700000001000000000, 1),"
				  " ('d1','k','c','t','t', 1700000002000000000, 1)",
				  NULL, NULL, NULL),
		     SQLITE_OK);
	s.limits.obs_max_age_s = 86400 * 365;
	s.limits.obs_max_per_device = 2;
	CHECK_EQ_INT(store_retention(&s, 1700000003), 2); /* the ancient one by age, then 'a' by count */
	CHECK_EQ_INT(count(&s, "SELECT count(*) FROM device_observations WHERE value IN ('b','c')"), 2);
	store_close(&s);
}

TEST(operator_settings_survive_rediscovery)
{
	struct store s;
	char *rec = device_rec("mac:02:00:00:00:00:01", "198.18.0.5", "2026-01-01T00:00:00.000000Z",
			       "2026-01-01T00:00:10.000000Z", vuln_a, "x");
	char err[256], id[64];
	int64_t v0;
	char *v;

	fresh(&s);
	CHECK_EQ_INT(put(&s, rec), 1);
	v0 = store_settings_version(&s);
	CHECK_EQ_INT(store_resolve_device(&s, "198.18.0.5", id, sizeof(id)), 1);
	CHECK_STR(id, "mac:02:00:00:00:00:01");
	CHECK_EQ_INT(store_set_device_field(&s, id, "name", "Front desk printer", err, sizeof(err)), 0);
	CHECK_EQ_INT(store_set_device_field(&s, id, "criticality", "high", err, sizeof(err)), 0);
	CHECK_EQ_INT(store_set_device_field(&s, id, "tag:room", "B12", err, sizeof(err)), 0);
	CHECK_EQ_INT(store_set_device_field(&s, id, "criticality", "urgent", err, sizeof(err)), -EINVAL);
	CHECK_EQ_INT(store_set_device_field(&s, id, "tag:a\"b", "x", err, sizeof(err)), -EINVAL);
	CHECK_EQ_INT(store_set_device_field(&s, "mac:ff", "name", "x", err, sizeof(err)), -ENOENT);
	CHECK_EQ_INT(store_settings_version(&s), v0 + 3);
	CHECK_EQ_INT(put(&s, rec), 1); /* rediscovered */
	v = text(&s, "SELECT name || '|' || criticality || '|' || json_extract(tags, '$.room') FROM devices");
	CHECK_STR(v, "Front desk printer|high|B12");
	free(v);
	CHECK_EQ_INT(store_resolve_device(&s, "Front desk printer", id, sizeof(id)), 1);
	CHECK_EQ_INT(store_set_device_field(&s, id, "tag:room", NULL, err, sizeof(err)), 0);
	CHECK_EQ_INT(count(&s, "SELECT tags IS NULL FROM devices"), 1);
	free(rec);
	store_close(&s);
}

TEST(bad_records_change_nothing)
{
	struct store s;
	static const char junk[] = "not json\n{\"record\":\"device\"}\n{\"record\":\"device\",\"device\":7}\n"
				   "{\"record\":\"alert\",\"finding\":{}}\n";

	fresh(&s);
	CHECK(put(&s, junk) >= 0);
	CHECK_EQ_INT(count(&s, "SELECT count(*) FROM devices"), 0);
	CHECK_EQ_INT(count(&s, "SELECT count(*) FROM alerts"), 0);
	store_close(&s);
}

TEST(a_refused_record_is_skipped_not_the_batch)
{
	struct store s;
	char *a = device_rec("mac:02:00:00:00:00:01", "198.18.0.5", "2026-01-01T00:00:00.000000Z",
			     "2026-01-01T00:00:10.000000Z", vuln_a, "x");
	char *b = device_rec("mac:02:00:00:00:00:02", "198.18.0.6", "2026-01-01T00:00:00.000000Z",
			     "2026-01-01T00:00:10.000000Z", vuln_a, "y");
	char *batch = NULL;

	fresh(&s);
	/* A constraint the tables raise for one record only (here a trigger on the first device's id). */
	CHECK_EQ_INT(sqlite3_exec(s.db,
				  "CREATE TRIGGER poison BEFORE INSERT ON device_hostnames"
				  " WHEN NEW.device_id = 'mac:02:00:00:00:00:01' BEGIN SELECT RAISE(ABORT, 'poison'); END",
				  NULL, NULL, NULL),
		     SQLITE_OK);
	CHECK(asprintf(&batch, "%s%s", a, b) > 0);
	CHECK_EQ_INT(put(&s, batch), 1);
	CHECK_EQ_INT(s.skipped, 1);
	CHECK_EQ_INT(count(&s, "SELECT count(*) FROM devices"), 1);
	CHECK_EQ_INT(count(&s, "SELECT count(*) FROM devices WHERE id = 'mac:02:00:00:00:00:02'"), 1);
	CHECK_EQ_INT(count(&s, "SELECT count(*) FROM device_observations WHERE device_id = 'mac:02:00:00:00:00:01'"), 0);
	free(batch);
	free(a);
	free(b);
	store_close(&s);
}

TEST(readers_cannot_write)
{
	struct store w, r;
	char err[512];
	char *rec = device_rec("mac:02:00:00:00:00:01", "198.18.0.5", "2026-01-01T00:00:00.000000Z",
			       "2026-01-01T00:00:10.000000Z", vuln_a, "x");

	fresh(&w);
	CHECK_EQ_INT(store_open(&r, dir, true, err, sizeof(err)), 0);
	CHECK(sqlite3_exec(r.db, "DELETE FROM devices", NULL, NULL, NULL) != SQLITE_OK);
	CHECK(store_put_ndjson(&r, rec, strlen(rec), err, sizeof(err)) < 0);
	store_close(&r);
	store_close(&w);
	CHECK(store_open(&r, "/nonexistent-iotsense", true, err, sizeof(err)) < 0);
	CHECK(strstr(err, "iotsense replay --state-dir") != NULL);
	free(rec);
}

TEST(newer_schema_is_refused)
{
	struct store s;
	char err[512];

	fresh(&s);
	CHECK_EQ_INT(sqlite3_exec(s.db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	store_close(&s);
	CHECK(store_open(&s, dir, false, err, sizeof(err)) < 0);
	CHECK(strstr(err, "newer than this iotsense") != NULL);
	CHECK(store_open(&s, dir, true, err, sizeof(err)) < 0);
}

TEST(containment_mirrors_the_map)
{
	struct store s;
	struct inv_contained l[2] = {
		{ .id = "ip:198.18.0.5", .since_ns = 1700000000000000000ull, .drops = 4 },
		{ .id = "mac:02:00:00:00:00:01", .since_ns = 1700000000000000000ull,
		  .until_ns = 1700000600000000000ull },
	};
	char *v;

	fresh(&s);
	CHECK_EQ_INT(store_put_containment(&s, l, 2), 0);
	CHECK_EQ_INT(count(&s, "SELECT count(*) FROM containment"), 2);
	v = text(&s, "SELECT until FROM containment WHERE device_id LIKE 'mac:%'");
	CHECK_STR(v, "2023-11-14T22:23:20.000000Z");
	free(v);
	CHECK_EQ_INT(store_put_containment(&s, l, 1), 0);
	CHECK_EQ_INT(count(&s, "SELECT count(*) FROM containment"), 1);
	store_close(&s);
}

TEST(state_dir_and_store_are_private)
{
	struct store s;
	struct stat st;
	char *rec = device_rec("mac:02:00:00:00:00:01", "198.18.0.5", "2026-01-01T00:00:00.000000Z",
			       "2026-01-01T00:00:10.000000Z", vuln_a, "x");

	fresh(&s);
	CHECK_EQ_INT(put(&s, rec), 1);
	CHECK_EQ_INT(stat(dir, &st), 0);
	CHECK_EQ_INT(st.st_mode & 0777, 0700);
	CHECK_EQ_INT(stat(s.path, &st), 0);
	CHECK_EQ_INT(st.st_mode & 0777, 0600);
	free(rec);
	store_close(&s);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/iotsense-test-store.%d", (int)getpid());
	RUN(device_record_fills_the_tables);
	RUN(history_merges_across_restarts);
	RUN(alerts_upsert_and_count_on_devices);
	RUN(outbox_queues_records_and_new_findings);
	RUN(outbox_bound_drops_oldest_and_counts);
	RUN(retention_trims_observations);
	RUN(operator_settings_survive_rediscovery);
	RUN(bad_records_change_nothing);
	RUN(a_refused_record_is_skipped_not_the_batch);
	RUN(readers_cannot_write);
	RUN(newer_schema_is_refused);
	RUN(containment_mirrors_the_map);
	RUN(state_dir_and_store_are_private);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd))
			printf("  cleanup failed\n");
	}
	return testlib_summary();
}
