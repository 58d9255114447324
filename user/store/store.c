// SPDX-License-Identifier: GPL-2.0-only
/*
 * Opening the store, and what every connection shares: WAL, a busy timeout (the daemon, the CLI, the API and
 * the output senders each hold a connection; writers wait for each other instead of failing), foreign keys,
 * and the read-only query runner that `hunt`, the readers and the API use.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"

#define BUSY_TIMEOUT_MS 5000

const char *store_path(const char *state_dir, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", state_dir, STORE_FILE_NAME);
	return buf;
}

static int exec_or_err(sqlite3 *db, const char *sql, char *err, size_t err_size)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	snprintf(err, err_size, "%s: %s", sql, msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return -1;
}

int store_open(struct store *s, const char *state_dir, bool readonly, char *err, size_t err_size)
{
	int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	int rc;

	memset(s, 0, sizeof(*s));
	s->readonly = readonly;
	s->limits = (struct store_limits){
		.obs_max_age_s = STORE_OBS_MAX_AGE_S_DEFAULT,
		.obs_max_per_device = STORE_OBS_MAX_PER_DEVICE_DEFAULT,
		.outbox_max_records = STORE_OUTBOX_MAX_DEFAULT,
	};
	store_path(state_dir, s->path, sizeof(s->path));
	if (readonly) {
		if (access(s->path, R_OK) < 0) {
			snprintf(err, err_size,
				 "%s: %s: no inventory there yet (start 'iotsense run', or 'iotsense replay "
				 "--state-dir DIR CAPTURE', or pass the right --state-dir)",
				 s->path, strerror(errno));
			return -1;
		}
	} else if (mkdir(state_dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, err_size, "%s: %s (create it, or pass another --state-dir)", state_dir, strerror(errno));
		return -1;
	}
	rc = sqlite3_open_v2(s->path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, err_size, "%s: %s", s->path, s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		goto fail;
	}
	if (!readonly)
		chmod(s->path, 0600); /* inventories, alerts and queued records are sensitive: the owner only (WAL and SHM files follow) */
	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(s->db, 1);
	if (exec_or_err(s->db, "PRAGMA foreign_keys = ON", err, err_size))
		goto fail;
	if (!readonly) {
		/* WAL: readers never block the writer; synchronous=NORMAL: a commit survives a crash of the
		 * process (SIGKILL), and of the machine up to the last checkpoint. */
		if (exec_or_err(s->db, "PRAGMA journal_mode = WAL", err, err_size) ||
		    exec_or_err(s->db, "PRAGMA synchronous = NORMAL", err, err_size) ||
		    store_migrate(s->db, err, err_size)) {
			int code = sqlite3_errcode(s->db);

			/* Never overwritten: a damaged store may be all the history there is. */
			if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
				snprintf(err, err_size,
					 "%s: not an iotsense store, or damaged (%s): it is left as it is; move it "
					 "aside (or pass another --state-dir) and iotsense starts a new one",
					 s->path, sqlite3_errmsg(s->db));
			goto fail;
		}
	} else {
		sqlite3_stmt *st;
		int v = -1;

		if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
			if (sqlite3_step(st) == SQLITE_ROW)
				v = sqlite3_column_int(st, 0);
			sqlite3_finalize(st);
		}
		if (v != STORE_SCHEMA_VERSION) {
			if (v < 0)
				snprintf(err, err_size, "%s: not an iotsense store (%s)", s->path,
					 sqlite3_errmsg(s->db));
			else
				snprintf(err, err_size,
					 "%s: schema version %d, this iotsense reads %d: run the daemon (or any writer) "
					 "once to migrate it",
					 s->path, v, STORE_SCHEMA_VERSION);
			goto fail;
		}
		/* Belt and braces: the connection is read-only, and so is every statement on it. */
		exec_or_err(s->db, "PRAGMA query_only = ON", err, err_size);
	}
	return 0;
fail:
	sqlite3_close(s->db);
	s->db = NULL;
	return -1;
}

void store_close(struct store *s)
{
	if (!s->db)
		return;
	sqlite3_close_v2(s->db);
	s->db = NULL;
}

int store_query(struct store *s, const char *sql, int (*row)(void *ctx, sqlite3_stmt *st), void *ctx, char *err,
		size_t err_size)
{
	sqlite3_stmt *st = NULL;
	const char *tail = NULL;
	int rc;

	rc = sqlite3_prepare_v2(s->db, sql, -1, &st, &tail);
	if (rc != SQLITE_OK) {
		snprintf(err, err_size, "%s", sqlite3_errmsg(s->db));
		return -1;
	}
	if (!st) {
		snprintf(err, err_size, "no statement to run");
		return -1;
	}
	while (rc = sqlite3_step(st), rc == SQLITE_ROW)
		if (row && row(ctx, st)) {
			rc = SQLITE_DONE;
			break;
		}
	if (rc != SQLITE_DONE) {
		snprintf(err, err_size, "%s", sqlite3_errmsg(s->db));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

int64_t store_settings_version(struct store *s)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'settings_version'", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}
