// SPDX-License-Identifier: GPL-2.0-only
/* GET /api/v1/vulnerabilities: every device's CVE matches, riskiest first; filters device, kev, severity. */
#include <string.h>

#include "api/routes.h"

#define VULN_RANK_SQL                                                                                          \
	"(CASE lower(v.severity) WHEN 'low' THEN 1 WHEN 'medium' THEN 2 WHEN 'high' THEN 3 WHEN 'critical' THEN 4" \
	" ELSE 0 END)"

void route_vulns(struct api_req *q, struct api_resp *r)
{
	static const char *const names[] = { "device_id", "device_name", "device_type", "ip",	    "cve", "cvss",
					     "severity",  "kev",	 "source",	"affected", "first_seen" };
	const char *device;
	char id[256], norm[256];
	int64_t limit, offset, total;
	struct store s = {};
	struct sqlb where, b;
	sqlite3_stmt *st = NULL;
	json_t *items;
	int kev, sev, rc, found;

	if (q->nsegs != 1)
		return resp_error(r, 404, "no such path (docs/api.md lists the endpoints)");
	if (strcmp(q->method, "GET") && strcmp(q->method, "HEAD"))
		return resp_method(r, "GET, HEAD");
	if (!req_paging(q, r, &limit, &offset) || !req_text(q, r, "device", 128, &device) ||
	    !req_bool01(q, r, "kev", &kev) || !req_min_risk(q, r, "severity", &sev) || req_unused_params(q, r) ||
	    !req_store(q, r, &s, false))
		return;

	sqlb_init(&where);
	sqlb_add(&where, " FROM vulnerabilities v JOIN devices d ON d.id = v.device_id WHERE 1 = 1");
	if (device) {
		found = device_resolve(&s, r, device, id, sizeof(id), norm, sizeof(norm));
		if (found < 0)
			goto out;
		sqlb_add(&where, " AND v.device_id = ?");
		sqlb_text(&where, found ? id : device);
	}
	if (kev >= 0)
		sqlb_add(&where, kev ? " AND v.kev != 0" : " AND v.kev = 0");
	if (sev > 0) {
		sqlb_add(&where, " AND " VULN_RANK_SQL " >= ?");
		sqlb_int(&where, sev);
	}
	sqlb_select(&b, &where, "SELECT count(*)");
	total = sqlb_count(&b, &s, r);
	if (total < 0)
		goto out;
	sqlb_select(&b, &where,
		    "SELECT v.device_id, d.name, d.type, d.ip, v.cve, v.cvss, v.severity, v.kev, v.source,"
		    " v.affected, v.first_seen");
	/* Riskiest first: known exploited, then score, then severity when there is no score. */
	sqlb_add(&b, " ORDER BY v.kev DESC, coalesce(v.cvss, -1) DESC, " VULN_RANK_SQL " DESC, v.cve DESC,"
		     " v.device_id LIMIT ? OFFSET ?");
	sqlb_int(&b, limit);
	sqlb_int(&b, offset);
	if (!sqlb_prepare(&b, &s, r, &st))
		goto out;
	items = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = json_object();

		for (int i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++) {
			json_t *v;

			if (i == 5)
				v = sqlite3_column_type(st, i) == SQLITE_NULL ? json_null()
									      : json_real(sqlite3_column_double(st, i));
			else if (i == 7)
				v = json_boolean(sqlite3_column_int(st, i));
			else if (i == 9) /* what matched: JSON when the writer stored JSON, else its text */
				v = col_json(st, i, col_str(st, i));
			else
				v = col_str(st, i);
			json_object_set_new(o, names[i], v);
		}
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
