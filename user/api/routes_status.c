// SPDX-License-Identifier: GPL-2.0-only
/* GET /api/v1/status: who the sensor is, the store, the kernel side (through the pins) and the outputs. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/metrics.h"
#include "api/routes.h"
#include "loader.h"

#include "version.h"

static json_t *opt_str(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static int64_t count_of(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static json_t *kernel_json(const char *pin_dir)
{
	struct kernel_view *kv = calloc(1, sizeof(*kv));
	json_t *k, *ifs, *cnt;

	if (!kv)
		return json_null();
	kernel_view_read(pin_dir, kv);
	ifs = json_array();
	for (int i = 0; i < kv->nifs; i++)
		json_array_append_new(ifs, json_pack("{s:s,s:I,s:s,s:I,s:I,s:I}", "ifname", kv->ifs[i].ifname,
						     "ifindex", (json_int_t)kv->keys[i].ifindex, "xdp_mode",
						     kernel_xdp_mode_names[kv->ifs[i].xdp_mode % 3], "xdp_prog_id",
						     (json_int_t)kv->ifs[i].xdp_prog_id, "tc_egress_prog_id",
						     (json_int_t)kv->ifs[i].tc_eg_prog_id, "netns",
						     (json_int_t)kv->keys[i].netns));
	cnt = json_object();
	if (kv->have_counters)
		for (int c = 0; c < IOT_CNT_MAX; c++) {
			uint64_t sum = 0;

			for (int h = 0; h < IOT_HOOK_MAX; h++)
				sum += kv->cnt[h].c[c];
			json_object_set_new(cnt, iot_counter_names[c], json_integer((json_int_t)sum));
		}
	k = json_pack("{s:b,s:s,s:o,s:o}", "attached", kv->nifs > 0, "pin_dir", pin_dir, "interfaces", ifs,
		      "counters", cnt);
	free(kv);
	return k;
}

static json_t *outputs_json(struct store *s, struct api_resp *r)
{
	sqlite3_stmt *st;
	json_t *arr = json_array();
	int rc;

	if (sqlite3_prepare_v2(s->db,
			       "SELECT o.name, (SELECT count(*) FROM outbox WHERE seq > o.acked_seq), o.sent, o.failures,"
			       " o.dropped, o.last_error, o.last_ok FROM output_state o ORDER BY o.name",
			       -1, &st, NULL) != SQLITE_OK) {
		resp_sql_error(r, s);
		json_decref(arr);
		return NULL;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = json_object();

		json_object_set_new(o, "name", col_str(st, 0));
		json_object_set_new(o, "queued", col_int(st, 1));
		json_object_set_new(o, "sent", col_int(st, 2));
		json_object_set_new(o, "failures", col_int(st, 3));
		json_object_set_new(o, "dropped", col_int(st, 4));
		json_object_set_new(o, "last_error", col_str(st, 5));
		json_object_set_new(o, "last_ok", col_str(st, 6));
		json_array_append_new(arr, o);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		resp_sql_error(r, s);
		json_decref(arr);
		return NULL;
	}
	return arr;
}

void route_status(struct api_req *q, struct api_resp *r)
{
	const struct api_server *a = q->srv;
	struct timespec now;
	struct store s;
	json_t *o, *outputs;

	if (q->nsegs != 1)
		return resp_error(r, 404, "no such path (docs/api.md lists the endpoints)");
	if (strcmp(q->method, "GET") && strcmp(q->method, "HEAD"))
		return resp_method(r, "GET, HEAD");
	if (req_unused_params(q, r) || !req_store(q, r, &s, false))
		return;
	outputs = outputs_json(&s, r);
	if (!outputs) {
		store_close(&s);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	o = json_object();
	json_object_set_new(o, "sensor", opt_str(a->sensor));
	json_object_set_new(o, "site", opt_str(a->site));
	json_object_set_new(o, "zone", opt_str(a->zone));
	json_object_set_new(o, "version", json_string(IOTSENSE_VERSION));
	json_object_set_new(o, "daemon", json_boolean(a->o.daemon_stats != NULL));
	json_object_set_new(o, "uptime_s",
			    json_integer((json_int_t)(((uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec -
						       a->started_ns) / 1000000000ull)));
	json_object_set_new(o, "store",
			    json_pack("{s:s,s:I,s:I,s:I}", "path", s.path, "devices",
				      (json_int_t)count_of(&s, "SELECT count(*) FROM devices"), "alerts",
				      (json_int_t)count_of(&s, "SELECT count(*) FROM alerts"), "schema_version",
				      (json_int_t)count_of(&s, "PRAGMA user_version")));
	json_object_set_new(o, "kernel", kernel_json(a->pin_dir));
	json_object_set_new(o, "outputs", outputs);
	store_close(&s);
	resp_json(r, 200, o);
}
