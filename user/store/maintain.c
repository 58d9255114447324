// SPDX-License-Identifier: GPL-2.0-only
/*
 * Keeping the store bounded and current: the retention limits on observations (age, count per device), the
 * outbox bound (oldest records go first; each output that had not yet sent them counts them as dropped, and
 * the daemon raises an alert), and the containment table, which mirrors the kernel's map.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "inventory.h"
#include "store/store.h"
#include "store/store_int.h"

static int64_t exec_changes(sqlite3 *db, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? sqlite3_changes(db) : -1;
}

/* Removes the oldest outbox rows beyond the bound; returns how many records some output had not sent. */
static int64_t outbox_bound(struct store *s)
{
	sqlite3_stmt *st;
	int64_t cut = 0, lost = 0;

	if (!s->limits.outbox_max_records)
		return 0;
	/* The seq of the newest row that must go: the (count - max)th oldest. Under the bound there is none (a
	 * negative OFFSET would count as 0 and cut the oldest row). */
	if (sqlite3_prepare_v2(s->db,
			       "SELECT seq FROM outbox WHERE (SELECT count(*) FROM outbox) > ?1"
			       " ORDER BY seq LIMIT 1 OFFSET (SELECT count(*) FROM outbox) - ?1 - 1",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)s->limits.outbox_max_records);
	if (sqlite3_step(st) == SQLITE_ROW)
		cut = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (!cut)
		return 0;
	/* Each output behind the cut loses the rows between its place and the cut; the worst is reported. */
	if (sqlite3_prepare_v2(s->db,
			       "SELECT coalesce(max((SELECT count(*) FROM outbox WHERE seq > o.acked_seq AND seq <= ?1)), 0)"
			       " FROM output_state o",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, cut);
	if (sqlite3_step(st) == SQLITE_ROW)
		lost = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(s->db,
			       "UPDATE output_state SET dropped = dropped +"
			       " (SELECT count(*) FROM outbox WHERE seq > output_state.acked_seq AND seq <= ?1),"
			       " acked_seq = ?1 WHERE acked_seq < ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, cut);
	if (exec_changes(s->db, st) < 0)
		return -1;
	if (sqlite3_prepare_v2(s->db, "DELETE FROM outbox WHERE seq <= ?1", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, cut);
	if (exec_changes(s->db, st) < 0)
		return -1;
	s->outbox_dropped += lost;
	return lost;
}

int64_t store_outbox_bound(struct store *s)
{
	int64_t lost;

	if (!s->limits.outbox_max_records)
		return 0;
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	lost = outbox_bound(s);
	if (lost < 0 || sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return lost;
}

int64_t store_retention(struct store *s, uint64_t now_epoch_s)
{
	sqlite3_stmt *st;
	int64_t removed = 0, n;

	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	if (s->limits.obs_max_age_s && now_epoch_s > s->limits.obs_max_age_s) {
		if (sqlite3_prepare_v2(s->db, "DELETE FROM device_observations WHERE last_seen_ns < ?1", -1, &st,
				       NULL) != SQLITE_OK)
			goto fail;
		sqlite3_bind_int64(st, 1, (sqlite3_int64)((now_epoch_s - s->limits.obs_max_age_s) * 1000000000ull));
		if ((n = exec_changes(s->db, st)) < 0)
			goto fail;
		removed += n;
	}
	if (s->limits.obs_max_per_device) {
		if (sqlite3_prepare_v2(s->db,
				       "DELETE FROM device_observations WHERE rowid IN (SELECT rowid FROM"
				       " (SELECT rowid, row_number() OVER (PARTITION BY device_id"
				       "  ORDER BY last_seen_ns DESC) AS rn FROM device_observations) WHERE rn > ?1)",
				       -1, &st, NULL) != SQLITE_OK)
			goto fail;
		sqlite3_bind_int64(st, 1, s->limits.obs_max_per_device);
		if ((n = exec_changes(s->db, st)) < 0)
			goto fail;
		removed += n;
	}
	if (outbox_bound(s) < 0)
		goto fail;
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	return removed;
fail:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static void fmt_time(uint64_t ns, char *buf, size_t size)
{
	time_t t = ns / 1000000000ull;
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ", (tm.tm_year + 1900) % 10000, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned int)(ns % 1000000000ull / 1000));
}

int store_put_containment(struct store *s, const struct inv_contained *l, int n)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE; DELETE FROM containment", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO containment VALUES (?1, ?2, ?3, ?4)", -1, &st,
			       NULL) != SQLITE_OK)
		goto fail;
	for (int i = 0; i < n; i++) {
		char since[64], until[64];

		fmt_time(l[i].since_ns, since, sizeof(since));
		sqlite3_bind_text(st, 1, l[i].id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, since, -1, SQLITE_TRANSIENT);
		if (l[i].until_ns) {
			fmt_time(l[i].until_ns, until, sizeof(until));
			sqlite3_bind_text(st, 3, until, -1, SQLITE_TRANSIENT);
		} else {
			sqlite3_bind_null(st, 3);
		}
		sqlite3_bind_int64(st, 4, (sqlite3_int64)l[i].drops);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto fail;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
fail:
	sqlite3_finalize(st);
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}
