// SPDX-License-Identifier: GPL-2.0-only
/*
 * /api/v1/devices: the list (filters, sort, paging), one device (its last record and its alerts), operator
 * settings (PATCH), and containment (POST .../contain, .../release) through the pinned map, as
 * `iotsense contain` does it.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/http_util.h"
#include "api/routes.h"
#include "contain.h"

#define RISK_RANK_SQL                                                                                          \
	"(CASE d.risk WHEN 'low' THEN 1 WHEN 'medium' THEN 2 WHEN 'high' THEN 3 WHEN 'critical' THEN 4 ELSE 0 END)"

/* Device types are identifiers (printer, ip_camera): anything else is a mistake worth a 400. */
static bool ident_ok(const char *s, size_t max)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!isalnum((unsigned char)s[n]) && s[n] != '_' && s[n] != '-' && s[n] != '.')
			return false;
	return n && n <= max;
}

static void list_devices(struct api_req *q, struct api_resp *r)
{
	const char *type, *vendor, *site, *text, *sort;
	char lower[257];
	int64_t limit, offset, total;
	int risk, contained;
	struct store s = {};
	struct sqlb where, b;
	sqlite3_stmt *st = NULL;
	json_t *items;
	int rc;

	if (!req_paging(q, r, &limit, &offset) || !req_text(q, r, "type", 64, &type) ||
	    !req_text(q, r, "vendor", 256, &vendor) || !req_min_risk(q, r, "risk", &risk) ||
	    !req_text(q, r, "site", 256, &site) || !req_bool01(q, r, "contained", &contained) ||
	    !req_text(q, r, "q", 256, &text) || !req_text(q, r, "sort", 16, &sort))
		return;
	if (type && !ident_ok(type, 64))
		return resp_error(r, 400, "type is a device type such as printer or ip_camera (letters, digits, _ - .)");
	if (sort && strcmp(sort, "risk") && strcmp(sort, "last_seen") && strcmp(sort, "type"))
		return resp_error(r, 400, "sort must be risk, last_seen or type");
	if (req_unused_params(q, r))
		return;

	sqlb_init(&where);
	sqlb_add(&where, " FROM devices d WHERE 1 = 1");
	if (type && !strcmp(type, "unknown")) {
		sqlb_add(&where, " AND d.type IS NULL");
	} else if (type) {
		sqlb_add(&where, " AND d.type = ?");
		sqlb_text(&where, type);
	}
	if (vendor) {
		sqlb_add(&where, " AND d.vendor = ? COLLATE NOCASE");
		sqlb_text(&where, vendor);
	}
	if (risk >= 0) {
		sqlb_add(&where, " AND " RISK_RANK_SQL " >= ?");
		sqlb_int(&where, risk);
	}
	if (site) {
		sqlb_add(&where, " AND d.site = ?");
		sqlb_text(&where, site);
	}
	if (contained >= 0) {
		sqlb_add(&where, contained ? " AND d.contained != 0" : " AND d.contained = 0");
	}
	if (text) {
		size_t i;

		for (i = 0; text[i] && i < sizeof(lower) - 1; i++)
			lower[i] = (char)tolower((unsigned char)text[i]);
		lower[i] = '\0';
		sqlb_add(&where, " AND (instr(lower(d.id), ?) OR instr(lower(coalesce(d.name, '')), ?)"
				 " OR instr(lower(coalesce(d.ip, '')), ?) OR instr(lower(coalesce(d.mac, '')), ?)"
				 " OR instr(lower(coalesce(d.vendor, '')), ?) OR instr(lower(coalesce(d.model, '')), ?)"
				 " OR instr(lower(coalesce(d.type, '')), ?)"
				 " OR EXISTS (SELECT 1 FROM device_hostnames h WHERE h.device_id = d.id"
				 "   AND instr(lower(h.hostname), ?))"
				 " OR EXISTS (SELECT 1 FROM device_addresses a WHERE a.device_id = d.id"
				 "   AND instr(lower(a.address), ?)))");
		for (i = 0; i < 9; i++)
			sqlb_text(&where, lower);
	}

	if (!req_store(q, r, &s, false))
		return;
	sqlb_select(&b, &where, "SELECT count(*)");
	total = sqlb_count(&b, &s, r);
	if (total < 0)
		goto out;

	/* sqlb_select() with a head of two pieces: the columns are shared with the device page. */
	b = where;
	b.len = 0;
	b.sql[0] = '\0';
	sqlb_add(&b, "SELECT ");
	sqlb_add(&b, DEVICE_SUMMARY_COLS);
	sqlb_add(&b, where.sql);
	if (sort && !strcmp(sort, "last_seen"))
		sqlb_add(&b, " ORDER BY d.last_seen DESC, d.id");
	else if (sort && !strcmp(sort, "type"))
		sqlb_add(&b, " ORDER BY d.type IS NULL, d.type, " RISK_RANK_SQL " DESC, d.last_seen DESC, d.id");
	else
		sqlb_add(&b, " ORDER BY " RISK_RANK_SQL " DESC, d.last_seen DESC, d.id");
	sqlb_add(&b, " LIMIT ? OFFSET ?");
	sqlb_int(&b, limit);
	sqlb_int(&b, offset);
	if (!sqlb_prepare(&b, &s, r, &st))
		goto out;
	items = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(items, device_summary_row(st));
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

/* The device object of the last record, with the operator's fields and counts over it. */
static json_t *device_full(struct store *s, struct api_resp *r, const char *id)
{
	struct sqlb b;
	sqlite3_stmt *st;
	json_t *summary, *dev = NULL, *rec, *alerts;
	const char *k;
	json_t *v;
	int rc;

	summary = device_summary(s, r, id);
	if (!summary)
		return NULL;
	sqlb_init(&b);
	sqlb_add(&b, "SELECT record FROM devices WHERE id = ?");
	sqlb_text(&b, id);
	if (!sqlb_prepare(&b, s, r, &st))
		goto fail;
	if (sqlite3_step(st) == SQLITE_ROW) {
		rec = col_json(st, 0, NULL);
		dev = json_object_get(rec, "device");
		if (json_is_object(dev))
			json_incref(dev);
		else
			dev = NULL;
		json_decref(rec);
	}
	sqlite3_finalize(st);
	if (!dev)
		dev = json_object();
	/* The record's containment details stay, under their own name; "contained" is the summary's bool. */
	v = json_object_get(dev, "contained");
	if (json_is_object(v))
		json_object_set(dev, "containment", v);
	json_object_foreach(summary, k, v)
		json_object_set(dev, k, v);
	json_decref(summary);

	sqlb_init(&b);
	sqlb_add(&b, "SELECT record FROM device_alerts WHERE device_id = ? ORDER BY last_seen DESC, uid LIMIT 100");
	sqlb_text(&b, id);
	if (!sqlb_prepare(&b, s, r, &st)) {
		json_decref(dev);
		return NULL;
	}
	alerts = json_array();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(alerts, col_json(st, 0, json_object()));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(alerts);
		json_decref(dev);
		resp_sql_error(r, s);
		return NULL;
	}
	return json_pack("{s:o,s:o}", "device", dev, "alerts", alerts);
fail:
	json_decref(summary);
	return NULL;
}

static void get_device(struct api_req *q, struct api_resp *r, const char *given)
{
	char id[256], norm[256];
	struct store s;
	json_t *o;
	int found;

	if (req_unused_params(q, r) || !req_store(q, r, &s, false))
		return;
	found = device_resolve(&s, r, given, id, sizeof(id), norm, sizeof(norm));
	if (found == 0)
		resp_error(r, 404, "no device '%.200s' in the inventory", given);
	if (found == 1) {
		o = device_full(&s, r, id);
		if (o)
			resp_json(r, 200, o);
		else if (!r->body)
			resp_error(r, 404, "no device '%.200s' in the inventory", given);
	}
	store_close(&s);
}

static bool text_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (!n || n > max)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

/* Checks the whole body before anything is written, so a bad tag cannot leave the name half-applied. */
static bool patch_valid(json_t *body, struct api_resp *r)
{
	const char *k;
	json_t *v, *tv;

	if (!json_is_object(body)) {
		resp_error(r, 400, "the body must be a JSON object: {\"name\":..,\"criticality\":..,\"tags\":{..}}");
		return false;
	}
	if (!json_object_size(body)) {
		resp_error(r, 400, "nothing to change: give name, criticality or tags");
		return false;
	}
	json_object_foreach(body, k, v) {
		if (!strcmp(k, "name")) {
			if (!json_is_null(v) && (!json_is_string(v) || !text_ok(json_string_value(v), 120))) {
				resp_error(r, 400, "name must be a string of 1..120 bytes without control characters, "
						   "or null to clear it");
				return false;
			}
		} else if (!strcmp(k, "criticality")) {
			const char *c = json_string_value(v);

			if (!json_is_null(v) && (!c || (strcmp(c, "low") && strcmp(c, "medium") && strcmp(c, "high")))) {
				resp_error(r, 400, "criticality must be low, medium or high, or null to clear it");
				return false;
			}
		} else if (!strcmp(k, "tags")) {
			const char *tk;

			if (!json_is_object(v) || json_object_size(v) > 64) {
				resp_error(r, 400, "tags must be an object of at most 64 \"key\":\"value\" pairs "
						   "(null removes a key)");
				return false;
			}
			json_object_foreach(v, tk, tv) {
				if (!ident_ok(tk, 64)) {
					resp_error(r, 400, "tag keys are 1..64 letters, digits, _ - or .");
					return false;
				}
				if (!json_is_null(tv) && (!json_is_string(tv) || !text_ok(json_string_value(tv), 256))) {
					resp_error(r, 400, "tag '%s': the value must be a string of 1..256 bytes "
							   "without control characters, or null to remove it", tk);
					return false;
				}
			}
		} else {
			resp_error(r, 400, "'%.64s' cannot be changed: only name, criticality and tags", k);
			return false;
		}
	}
	return true;
}

static bool set_field(struct store *s, struct api_resp *r, const char *id, const char *field, const char *value)
{
	char err[512] = "";
	int rc;

	rc = store_set_device_field(s, id, field, value, err, sizeof(err));

	if (rc == -ENOENT)
		resp_error(r, 404, "no device '%s' in the inventory", id);
	else if (rc == -EINVAL)
		resp_error(r, 400, "%s", err[0] ? err : "invalid value");
	else if (rc)
		resp_error(r, 500, "saving %s failed: %s", field, err[0] ? err : strerror(rc < 0 ? -rc : rc));
	return rc == 0;
}

static void patch_device(struct api_req *q, struct api_resp *r, const char *given)
{
	char id[256], norm[256], key[80];
	json_error_t jerr;
	struct store s;
	json_t *body, *v, *tv, *o;
	const char *tk;
	int found;

	if (req_unused_params(q, r))
		return;
	body = json_loadb(q->body ? q->body : "", q->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!body)
		return resp_error(r, 400, "the body is not JSON: %s (line %d, column %d)", jerr.text, jerr.line,
				  jerr.column);
	if (!patch_valid(body, r) || !req_store(q, r, &s, true)) {
		json_decref(body);
		return;
	}
	found = device_resolve(&s, r, given, id, sizeof(id), norm, sizeof(norm));
	if (found == 0)
		resp_error(r, 404, "no device '%.200s' in the inventory", given);
	if (found != 1)
		goto out;
	if ((v = json_object_get(body, "name")) && !set_field(&s, r, id, "name", json_string_value(v)))
		goto out;
	if ((v = json_object_get(body, "criticality")) && !set_field(&s, r, id, "criticality", json_string_value(v)))
		goto out;
	json_object_foreach(json_object_get(body, "tags"), tk, tv) {
		snprintf(key, sizeof(key), "tag:%s", tk);
		if (!set_field(&s, r, id, key, json_string_value(tv)))
			goto out;
	}
	o = device_summary(&s, r, id);
	if (o)
		resp_json(r, 200, o);
	else if (!r->body)
		resp_error(r, 404, "no device '%.200s' in the inventory", given);
out:
	store_close(&s);
	json_decref(body);
}

static bool pins_missing(struct api_resp *r, const char *pin_dir, int err)
{
	if (err == -EPERM || err == -EACCES)
		resp_error(r, 503, "opening the containment map under %s was refused: run iotsense serve as root "
				   "(or with CAP_BPF)", pin_dir);
	else
		resp_error(r, 503, "the sensor's containment map is not pinned under %s (%s): nothing is attached; "
				   "start 'iotsense run' or 'iotsense load' first, or pass the right --pin-dir",
			   pin_dir, strerror(-err));
	return false;
}

static void contain_device(struct api_req *q, struct api_resp *r, const char *given, bool contain)
{
	char id[256], norm[256], why[512], until[48];
	struct iot_contain_key key;
	struct iot_contain_val val = {};
	struct contain_maps m;
	uint64_t for_ns = 0, now;
	bool updated = false, was = false;
	struct store s;
	json_t *o;
	int found, err;

	if (req_unused_params(q, r))
		return;
	if (q->body_len) {
		json_error_t jerr;
		json_t *body = json_loadb(q->body, q->body_len, JSON_REJECT_DUPLICATES, &jerr), *f;
		const char *k;

		if (!json_is_object(body)) {
			json_decref(body);
			return resp_error(r, 400, "the body must be a JSON object such as {\"for\":\"10m\"}");
		}
		json_object_foreach(body, k, f) {
			if (!contain || strcmp(k, "for")) {
				json_decref(body);
				return resp_error(r, 400, contain ? "only \"for\" may be given (30s, 10m, 2h, 1d)"
								  : "release takes no body");
			}
			if (!json_is_null(f) && !json_is_string(f))
				snprintf(why, sizeof(why), "a duration such as \"10m\"");
			else if (json_is_null(f) || !contain_parse_duration(json_string_value(f), &for_ns, why,
									     sizeof(why)))
				continue;
			json_decref(body);
			return resp_error(r, 400, "for: %s", why);
		}
		json_decref(body);
	}
	if (!req_store(q, r, &s, false))
		return;
	found = device_resolve(&s, r, given, id, sizeof(id), norm, sizeof(norm));
	store_close(&s);
	if (found == 0)
		return resp_error(r, 404, "no device '%.200s' in the inventory", given);
	if (found < 0)
		return;
	if (contain_parse_id(id, &key, why, sizeof(why)))
		return resp_error(r, 400, "%s cannot be contained: %s", id, why);
	if (contain && contain_refused(&key, why, sizeof(why)))
		return resp_error(r, 409, "refused: %s", why);
	err = contain_open(q->srv->pin_dir, &m, true);
	if (err) {
		pins_missing(r, q->srv->pin_dir, err);
		return;
	}
	now = contain_now();
	contain_purge_expired(&m, now);
	if (contain) {
		err = contain_add(&m, &key, for_ns, now, &val, &updated);
	} else {
		err = contain_del(&m, &key, now, &val);
		was = !err;
		if (err == -ENOENT)
			err = 0; /* releasing what is not contained is done already */
	}
	contain_close(&m);
	if (err == -E2BIG)
		return resp_error(r, 409, "the containment map is full (%d devices): release some first",
				  IOT_CONTAIN_MAX);
	if (err)
		return resp_error(r, 500, "%s %s failed: %s", contain ? "containing" : "releasing", id, strerror(-err));
	o = json_pack("{s:s,s:b}", "id", id, "contained", contain);
	if (contain) {
		if (val.expires_ns) {
			http_fmt_time(val.expires_ns + contain_mono_to_real(), until, sizeof(until));
			json_object_set_new(o, "until", json_string(until));
		} else {
			json_object_set_new(o, "until", json_null());
		}
		json_object_set_new(o, "updated", json_boolean(updated));
	} else {
		json_object_set_new(o, "was_contained", json_boolean(was));
	}
	resp_json(r, 200, o);
}

void route_devices(struct api_req *q, struct api_resp *r)
{
	const char *m = q->method;
	bool get = !strcmp(m, "GET") || !strcmp(m, "HEAD");

	if (q->nsegs == 1)
		return get ? list_devices(q, r) : resp_method(r, "GET, HEAD");
	if (q->nsegs == 2) {
		if (get)
			return get_device(q, r, q->segs[1]);
		if (!strcmp(m, "PATCH"))
			return patch_device(q, r, q->segs[1]);
		return resp_method(r, "GET, HEAD, PATCH");
	}
	if (q->nsegs == 3 && (!strcmp(q->segs[2], "contain") || !strcmp(q->segs[2], "release"))) {
		if (strcmp(m, "POST"))
			return resp_method(r, "POST");
		return contain_device(q, r, q->segs[1], !strcmp(q->segs[2], "contain"));
	}
	resp_error(r, 404, "no such path (docs/api.md lists the endpoints)");
}
