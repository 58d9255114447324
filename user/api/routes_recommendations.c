// SPDX-License-Identifier: GPL-2.0-only
/* GET /api/v1/recommendations: each open recommendation once, with the devices it is open on, most first. */
#include <string.h>

#include "api/routes.h"

void route_recommendations(struct api_req *q, struct api_resp *r)
{
	const char *device;
	char id[256], norm[256];
	int64_t limit, offset, total;
	struct store s = {};
	struct sqlb where, b;
	sqlite3_stmt *st = NULL;
	json_t *items;
	int rc, found;

	if (q->nsegs != 1)
		return resp_error(r, 404, "no such path (docs/api.md lists the endpoints)");
	if (strcmp(q->method, "GET") && strcmp(q->method, "HEAD"))
		return resp_method(r, "GET, HEAD");
	if (!req_paging(q, r, &limit, &offset) || !req_text(q, r, "device", 128, &device) ||
	    req_unused_params(q, r) || !req_store(q, r, &s, false))
		return;

	sqlb_init(&where);
	sqlb_add(&where, " FROM recommendations r");
	if (device) {
		found = device_resolve(&s, r, device, id, sizeof(id), norm, sizeof(norm));
		if (found < 0)
			goto out;
		sqlb_add(&where, " WHERE r.rec_id IN (SELECT rec_id FROM recommendations WHERE device_id = ?)");
		sqlb_text(&where, found ? id : device);
	}
	sqlb_select(&b, &where, "SELECT count(DISTINCT r.rec_id)");
	total = sqlb_count(&b, &s, r);
	if (total < 0)
		goto out;
	/* The catalog fields are the same on every row of an id; min() picks one deterministically. */
	sqlb_select(&b, &where,
		    "SELECT r.rec_id, min(r.title), min(r.severity), min(r.category), min(r.remediation),"
		    " count(*), json_group_array(r.device_id)");
	sqlb_add(&b, " GROUP BY r.rec_id ORDER BY count(*) DESC, r.rec_id LIMIT ? OFFSET ?");
	sqlb_int(&b, limit);
	sqlb_int(&b, offset);
	if (!sqlb_prepare(&b, &s, r, &st))
		goto out;
	items = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = json_object();

		json_object_set_new(o, "id", col_str(st, 0));
		json_object_set_new(o, "title", col_str(st, 1));
		json_object_set_new(o, "severity", col_str(st, 2));
		json_object_set_new(o, "category", col_str(st, 3));
		json_object_set_new(o, "remediation", col_str(st, 4));
		json_object_set_new(o, "devices", col_int(st, 5));
		json_object_set_new(o, "device_ids", col_json(st, 6, json_array()));
		json_array_append_new(items, o);
	}
	if (rc != SQLITE_DONE) {
		json_decref(items);
		resp_sql_error(r, &s);
		goto out;
	}
	resp_json(r, 200, list_json(total, limit, offset, items));
out:
	sqlite3_finalize(st);
	store_close(&s);
}
