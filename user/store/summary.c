// SPDX-License-Identifier: GPL-2.0-only
/* What `status` says of the store: its size and each output's place in the outbox (store.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

static int64_t one(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int store_summary(const char *state_dir, struct store_summary *out, char *err, size_t err_size)
{
	struct store s;
	sqlite3_stmt *st;

	memset(out, 0, sizeof(*out));
	if (store_open(&s, state_dir, true, err, err_size))
		return -1;
	snprintf(out->path, sizeof(out->path), "%s", s.path);
	out->devices = one(s.db, "SELECT count(*) FROM devices");
	out->alerts = one(s.db, "SELECT count(*) FROM alerts");
	out->outbox = one(s.db, "SELECT count(*) FROM outbox");
	out->observations = one(s.db, "SELECT count(*) FROM device_observations");
	if (sqlite3_prepare_v2(s.db,
			       "SELECT name, acked_seq, sent, failures, dropped, coalesce(last_error, ''),"
			       " coalesce(last_ok, ''), (SELECT count(*) FROM outbox WHERE seq > o.acked_seq)"
			       " FROM output_state o ORDER BY name",
			       -1, &st, NULL) == SQLITE_OK) {
		while (out->noutputs < STORE_SUMMARY_OUTPUTS && sqlite3_step(st) == SQLITE_ROW) {
			struct store_output_summary *o = &out->outputs[out->noutputs++];

			snprintf(o->name, sizeof(o->name), "%s", (const char *)sqlite3_column_text(st, 0));
			o->acked_seq = sqlite3_column_int64(st, 1);
			o->sent = sqlite3_column_int64(st, 2);
			o->failures = sqlite3_column_int64(st, 3);
			o->dropped = sqlite3_column_int64(st, 4);
			snprintf(o->last_error, sizeof(o->last_error), "%s", (const char *)sqlite3_column_text(st, 5));
			snprintf(o->last_ok, sizeof(o->last_ok), "%s", (const char *)sqlite3_column_text(st, 6));
			o->queued = sqlite3_column_int64(st, 7);
		}
		sqlite3_finalize(st);
	}
	store_close(&s);
	return 0;
}
