// SPDX-License-Identifier: GPL-2.0-only
/*
 * The store's schema, as an ordered list of migrations: migration N takes a file from user_version N-1 to N.
 * Never edit a released migration; add the next one. Times are RFC 3339 UTC text (as in the records) so that
 * hunting queries compare them as strings; *_ns integer twins are kept where the code sorts or trims by age.
 */
#include <stdio.h>
#include <string.h>

#include "store/store.h"

static const char *const migrations[] = {
	/* 1: the first schema. */
	"CREATE TABLE devices ("
	"  id TEXT PRIMARY KEY,"	  /* mac:aa:bb:.. or ip:198.18.0.5 (the inventory's key) */
	"  uid TEXT NOT NULL,"		  /* stable across sensors: mac, or site/ip when no MAC is known */
	"  mac TEXT, ip TEXT,"		  /* the MAC, and the first IP of the record */
	"  type TEXT, vendor TEXT, model TEXT, os TEXT, firmware TEXT, mac_vendor TEXT, cpe TEXT,"
	"  risk TEXT NOT NULL DEFAULT 'none',"	   /* none|low|medium|high|critical */
	"  exposure TEXT NOT NULL DEFAULT 'none'," /* none|low|medium|high */
	"  contained INTEGER NOT NULL DEFAULT 0,"
	"  n_alerts INTEGER NOT NULL DEFAULT 0, n_vulns INTEGER NOT NULL DEFAULT 0, n_recs INTEGER NOT NULL DEFAULT 0,"
	"  first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,"
	"  sensor TEXT, site TEXT, zone TEXT,"
	"  name TEXT, criticality TEXT CHECK (criticality IN ('low','medium','high')), tags TEXT," /* operator */
	"  record TEXT NOT NULL,"	  /* the last device record, whole */
	"  updated_at TEXT NOT NULL"
	");"
	"CREATE INDEX devices_type ON devices(type);"
	"CREATE INDEX devices_ip ON devices(ip);"
	"CREATE TABLE device_addresses ("
	"  device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL CHECK (kind IN ('ip','mac')), address TEXT NOT NULL,"
	"  first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,"
	"  PRIMARY KEY (device_id, kind, address));"
	"CREATE INDEX device_addresses_address ON device_addresses(address);"
	"CREATE TABLE device_hostnames ("
	"  device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE, hostname TEXT NOT NULL,"
	"  first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,"
	"  PRIMARY KEY (device_id, hostname));"
	"CREATE TABLE device_services ("
	"  device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,"
	"  service TEXT NOT NULL,"		/* tcp/23 */
	"  transport TEXT NOT NULL, port INTEGER NOT NULL,"
	"  first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,"
	"  PRIMARY KEY (device_id, service));"
	"CREATE INDEX device_services_port ON device_services(port);"
	"CREATE TABLE device_protocols ("
	"  device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE, protocol TEXT NOT NULL,"
	"  first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,"
	"  PRIMARY KEY (device_id, protocol));"
	"CREATE TABLE device_observations ("
	"  device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,"
	"  key TEXT NOT NULL, value TEXT NOT NULL, protocol TEXT,"
	"  first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, last_seen_ns INTEGER NOT NULL,"
	"  count INTEGER NOT NULL, confidence INTEGER, flow TEXT,"
	"  PRIMARY KEY (device_id, key, value));"
	"CREATE INDEX device_observations_age ON device_observations(last_seen_ns);"
	"CREATE TABLE alerts ("
	"  uid TEXT PRIMARY KEY,"	  /* finding.uid */
	"  device_id TEXT,"		  /* the alert's device.id (an ip: or mac: id; see the alerts view) */
	"  device_ip TEXT, device_mac TEXT,"
	"  type TEXT NOT NULL, title TEXT NOT NULL, description TEXT,"
	"  severity TEXT NOT NULL, severity_id INTEGER NOT NULL,"
	"  rule TEXT, techniques TEXT,"	  /* "T1552,T1040" */
	"  first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, count INTEGER NOT NULL,"
	"  record TEXT NOT NULL);"
	"CREATE INDEX alerts_last_seen ON alerts(last_seen);"
	"CREATE INDEX alerts_device ON alerts(device_ip, device_mac);"
	"CREATE TABLE vulnerabilities ("
	"  device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE, cve TEXT NOT NULL,"
	"  cvss REAL, severity TEXT, kev INTEGER NOT NULL DEFAULT 0, source TEXT, affected TEXT,"
	"  first_seen TEXT NOT NULL,"
	"  PRIMARY KEY (device_id, cve));"
	"CREATE TABLE recommendations ("
	"  device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE, rec_id TEXT NOT NULL,"
	"  title TEXT NOT NULL, severity TEXT, category TEXT, remediation TEXT, proof TEXT," /* proof: JSON array */
	"  first_seen TEXT NOT NULL,"
	"  PRIMARY KEY (device_id, rec_id));"
	"CREATE TABLE containment ("
	"  device_id TEXT PRIMARY KEY, since TEXT NOT NULL, until TEXT, drops INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE outbox ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  record_id TEXT NOT NULL,"	  /* stable: a hash of the record; duplicates downstream share it */
	"  kind TEXT NOT NULL,"		  /* device|alert|vulnerability|recommendation */
	"  severity_id INTEGER NOT NULL DEFAULT 0,"
	"  created_at TEXT NOT NULL, body TEXT NOT NULL);"
	"CREATE TABLE output_state ("
	"  name TEXT PRIMARY KEY, acked_seq INTEGER NOT NULL DEFAULT 0,"
	"  sent INTEGER NOT NULL DEFAULT 0, failures INTEGER NOT NULL DEFAULT 0, dropped INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT, last_ok TEXT);"
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);"
	"INSERT INTO meta VALUES ('settings_version', '0');"
	/* The alerts of a device: its row, matched by any of its addresses (alerts name the IP that acted). */
	"CREATE VIEW device_alerts AS"
	"  SELECT d.id AS device_id, a.uid, a.device_id AS alert_device_id, a.device_ip, a.device_mac, a.type,"
	"  a.title, a.description, a.severity, a.severity_id, a.rule, a.techniques, a.first_seen, a.last_seen,"
	"  a.count, a.record FROM alerts a JOIN devices d"
	"  ON a.device_id = d.id OR a.device_mac = d.mac"
	"  OR a.device_ip IN (SELECT address FROM device_addresses WHERE device_id = d.id AND kind = 'ip');",
};

#define N_MIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))
_Static_assert(N_MIGRATIONS == STORE_SCHEMA_VERSION, "STORE_SCHEMA_VERSION is the number of migrations");

int store_migrate(sqlite3 *db, char *err, size_t err_size)
{
	sqlite3_stmt *st;
	int version = 0;
	char *msg = NULL;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		goto sql_err;
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version > (int)N_MIGRATIONS) {
		snprintf(err, err_size,
			 "the store's schema is version %d, newer than this iotsense knows (%d): upgrade iotsense, "
			 "or point --state-dir elsewhere",
			 version, (int)N_MIGRATIONS);
		return -1;
	}
	for (int v = version; v < (int)N_MIGRATIONS; v++) {
		char pragma[64];

		/* One transaction per step: a crash mid-migration leaves the file at the previous version. */
		if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK)
			goto exec_err;
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v + 1);
		if (sqlite3_exec(db, migrations[v], NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(db, pragma, NULL, NULL, &msg) != SQLITE_OK) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			goto exec_err;
		}
		if (sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK)
			goto exec_err;
	}
	return 0;
exec_err:
	snprintf(err, err_size, "migrating the store's schema failed: %s", msg ? msg : "?");
	sqlite3_free(msg);
	return -1;
sql_err:
	snprintf(err, err_size, "reading the store's schema version failed: %s", sqlite3_errmsg(db));
	return -1;
}
