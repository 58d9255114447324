// SPDX-License-Identifier: GPL-2.0-only
/* GET /api/v1/alerts: the alert records, newest first; filters severity (minimum), type, device, since. */
#include <ctype.h>
#include <string.h>

#include "api/http_util.h"
#include "api/routes.h"

void route_alerts(struct api_req *q, struct api_resp *r)
{
	const char *type, *device, *since;
	char since_norm[48], id[256], norm[256];
	int64_t limit, offset, total;
	struct store s = {};
	struct sqlb where, b;
	sqlite3_stmt *st = NULL;
	json_t *items;
	int sev, rc, found;

	if (q->nsegs != 1)
		return resp_error(r, 404, "no such path (docs/api.md lists the endpoints)");
	if (strcmp(q->method, "GET") && strcmp(q->method, "HEAD"))
		return resp_method(r, "GET, HEAD");
	if (!req_paging(q, r, &limit, &offset) || !req_min_severity(q, r, "severity", &sev) ||
	    !req_text(q, r, "type", 64, &type) || !req_text(q, r, "device", 128, &device) ||
	    !req_text(q, r, "since", 64, &since))
		return;
	for (const char *p = type; p && *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.')
			return resp_error(r, 400, "type is an alert type such as cleartext_credentials");
	if (since && !http_rfc3339_normalize(since, since_norm, sizeof(since_norm)))
		return resp_error(r, 400, "since must be an RFC 3339 time such as 2024-05-01T10:00:00Z");
	if (req_unused_params(q, r) || !req_store(q, r, &s, false))
		return;

	sqlb_init(&where);
	sqlb_add(&where, " FROM alerts a WHERE 1 = 1");
	if (sev > 0) {
		sqlb_add(&where, " AND a.severity_id >= ?");
		sqlb_int(&where, sev);
	}
	if (type) {
		sqlb_add(&where, " AND a.type = ?");
		sqlb_text(&where, type);
	}
	if (device) {
		found = device_resolve(&s, r, device, id, sizeof(id), norm, sizeof(norm));
		if (found < 0)
			goto out;
		/* An alert may name an address no device row holds (a scanner seen only once): match it too. */
		sqlb_add(&where, " AND (a.device_id = ? OR a.device_ip = ? OR a.device_mac = ?");
		sqlb_text(&where, found ? id : device);
		sqlb_text(&where, norm);
		sqlb_text(&where, norm);
		if (found) {
			sqlb_add(&where, " OR a.uid IN (SELECT uid FROM device_alerts WHERE device_id = ?)");
			sqlb_text(&where, id);
		}
		sqlb_add(&where, ")");
	}
	if (since) {
		sqlb_add(&where, " AND a.last_seen >= ?");
		sqlb_text(&where, since_norm);
	}

	sqlb_select(&b, &where, "SELECT count(*)");
	total = sqlb_count(&b, &s, r);
	if (total < 0)
		goto out;
	sqlb_select(&b, &where, "SELECT a.record");
	sqlb_add(&b, " ORDER BY a.last_seen DESC, a.uid LIMIT ? OFFSET ?");
	sqlb_int(&b, limit);
	sqlb_int(&b, offset);
	if (!sqlb_prepare(&b, &s, r, &st))
		goto out;
	items = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(items, col_json(st, 0, json_object()));
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
