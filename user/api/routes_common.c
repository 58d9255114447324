// SPDX-License-Identifier: GPL-2.0-only
/* What every route shares: responses, parameters, the store, bound SQL, JSON from columns, device ids. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/http_util.h"
#include "api/routes.h"

void resp_json(struct api_resp *r, int status, json_t *o)
{
	free(r->body);
	r->body = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!r->body) {
		r->status = 500;
		r->body = http_error_json(500, "out of memory building the response");
	} else {
		r->status = status;
	}
	r->len = r->body ? strlen(r->body) : 0;
	r->content_type = "application/json";
}

void resp_error(struct api_resp *r, int status, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	free(r->body);
	r->status = status;
	r->body = http_error_json(status, msg);
	r->len = r->body ? strlen(r->body) : 0;
	r->content_type = "application/json";
}

void resp_method(struct api_resp *r, const char *allow)
{
	resp_error(r, 405, "method not allowed here; this path takes %s", allow);
	r->allow = allow;
}

const char *req_param(struct api_req *q, const char *key)
{
	for (int i = 0; i < q->nparams; i++)
		if (!strcmp(q->params[i].key, key)) {
			q->params[i].used = true;
			return q->params[i].val;
		}
	return NULL;
}

bool req_unused_params(struct api_req *q, struct api_resp *r)
{
	for (int i = 0; i < q->nparams; i++)
		if (!q->params[i].used) {
			/* The name came from the request: bounded, and JSON-escaped by the error writer. */
			resp_error(r, 400, "unknown parameter '%.64s' (docs/api.md lists each endpoint's)",
				   q->params[i].key);
			return true;
		}
	return false;
}

bool req_paging(struct api_req *q, struct api_resp *r, int64_t *limit, int64_t *offset)
{
	const char *l = req_param(q, "limit"), *o = req_param(q, "offset");
	uint64_t v;

	*limit = API_LIMIT_DEFAULT;
	*offset = 0;
	if (l) {
		if (!http_parse_uint(l, 1, API_LIMIT_MAX, &v)) {
			resp_error(r, 400, "limit must be 1..%d", API_LIMIT_MAX);
			return false;
		}
		*limit = (int64_t)v;
	}
	if (o) {
		if (!http_parse_uint(o, 0, 1000000000, &v)) {
			resp_error(r, 400, "offset must be 0..1000000000");
			return false;
		}
		*offset = (int64_t)v;
	}
	return true;
}

bool req_bool01(struct api_req *q, struct api_resp *r, const char *key, int *out)
{
	const char *v = req_param(q, key);

	*out = -1;
	if (!v)
		return true;
	if (strcmp(v, "0") && strcmp(v, "1")) {
		resp_error(r, 400, "%s must be 0 or 1", key);
		return false;
	}
	*out = v[0] - '0';
	return true;
}

bool req_min_risk(struct api_req *q, struct api_resp *r, const char *key, int *out)
{
	const char *v = req_param(q, key);

	*out = -1;
	if (!v)
		return true;
	*out = http_risk_rank(v);
	if (*out < 0) {
		resp_error(r, 400, "%s must be none, low, medium, high or critical", key);
		return false;
	}
	return true;
}

bool req_min_severity(struct api_req *q, struct api_resp *r, const char *key, int *out)
{
	const char *v = req_param(q, key);

	*out = -1;
	if (!v)
		return true;
	*out = http_severity_id(v);
	if (*out < 0) {
		resp_error(r, 400, "%s must be informational, low, medium, high or critical", key);
		return false;
	}
	return true;
}

bool req_text(struct api_req *q, struct api_resp *r, const char *key, size_t max, const char **out)
{
	const char *v = req_param(q, key);

	*out = NULL;
	if (!v)
		return true;
	if (!*v || strlen(v) > max) {
		resp_error(r, 400, "%s must be 1..%zu bytes", key, max);
		return false;
	}
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f) {
			resp_error(r, 400, "%s holds a control character", key);
			return false;
		}
	*out = v;
	return true;
}

bool req_store(struct api_req *q, struct api_resp *r, struct store *s, bool rw)
{
	char err[1024];

	if (store_open(s, q->srv->state_dir, !rw, err, sizeof(err))) {
		resp_error(r, 503, "%s", err);
		return false;
	}
	return true;
}

void resp_sql_error(struct api_resp *r, struct store *s)
{
	resp_error(r, 500, "reading the store failed: %s", sqlite3_errmsg(s->db));
}

void sqlb_init(struct sqlb *b)
{
	memset(b, 0, sizeof(*b));
}

void sqlb_add(struct sqlb *b, const char *fragment)
{
	size_t n = strlen(fragment);

	if (b->len + n + 1 > sizeof(b->sql)) {
		b->overflow = true;
		return;
	}
	memcpy(b->sql + b->len, fragment, n + 1);
	b->len += n;
}

void sqlb_select(struct sqlb *b, const struct sqlb *where, const char *head)
{
	*b = *where;
	b->len = 0;
	b->sql[0] = '\0';
	sqlb_add(b, head);
	sqlb_add(b, where->sql);
}

void sqlb_text(struct sqlb *b, const char *v)
{
	if (b->nbinds >= (int)(sizeof(b->binds) / sizeof(b->binds[0]))) {
		b->overflow = true;
		return;
	}
	b->binds[b->nbinds].is_int = false;
	b->binds[b->nbinds++].s = v;
}

void sqlb_int(struct sqlb *b, int64_t v)
{
	if (b->nbinds >= (int)(sizeof(b->binds) / sizeof(b->binds[0]))) {
		b->overflow = true;
		return;
	}
	b->binds[b->nbinds].is_int = true;
	b->binds[b->nbinds++].i = v;
}

bool sqlb_prepare(struct sqlb *b, struct store *s, struct api_resp *r, sqlite3_stmt **st)
{
	*st = NULL;
	if (b->overflow) {
		resp_error(r, 500, "internal: query too large");
		return false;
	}
	if (sqlite3_prepare_v2(s->db, b->sql, -1, st, NULL) != SQLITE_OK) {
		resp_sql_error(r, s);
		return false;
	}
	if (sqlite3_bind_parameter_count(*st) != b->nbinds) {
		resp_error(r, 500, "internal: %d values for %d parameters", b->nbinds,
			   sqlite3_bind_parameter_count(*st));
		goto fail;
	}
	for (int i = 0; i < b->nbinds; i++) {
		int rc = b->binds[i].is_int ? sqlite3_bind_int64(*st, i + 1, b->binds[i].i)
					    : sqlite3_bind_text(*st, i + 1, b->binds[i].s, -1, SQLITE_TRANSIENT);

		if (rc != SQLITE_OK) {
			resp_sql_error(r, s);
			goto fail;
		}
	}
	return true;
fail:
	sqlite3_finalize(*st);
	*st = NULL;
	return false;
}

int64_t sqlb_count(struct sqlb *b, struct store *s, struct api_resp *r)
{
	sqlite3_stmt *st;
	int64_t n = -1;
	int rc;

	if (!sqlb_prepare(b, s, r, &st))
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else
		resp_sql_error(r, s);
	sqlite3_finalize(st);
	return n;
}

json_t *col_str(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	json_t *j;
	char *copy;

	if (!s)
		return json_null();
	j = json_string(s);
	if (j)
		return j;
	/* Not UTF-8 (the writers escape wire bytes, so only a hand-edited store gets here): replace what breaks. */
	copy = strdup(s);
	if (!copy)
		return json_null();
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j ? j : json_null();
}

json_t *col_int(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return json_null();
	return json_integer(sqlite3_column_int64(st, i));
}

json_t *col_json(sqlite3_stmt *st, int i, json_t *dflt)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	json_t *j;

	if (!s)
		return dflt;
	j = json_loads(s, JSON_DECODE_ANY, NULL);
	if (!j)
		return dflt;
	json_decref(dflt);
	return j;
}

json_t *list_json(int64_t total, int64_t limit, int64_t offset, json_t *items)
{
	json_t *o = json_object();

	json_object_set_new(o, "total", json_integer(total));
	json_object_set_new(o, "limit", json_integer(limit));
	json_object_set_new(o, "offset", json_integer(offset));
	json_object_set_new(o, "items", items);
	return o;
}

/* A MAC as aa:bb:cc:dd:ee:ff or aa-bb-cc-dd-ee-ff, any case, into the lower-case colon form. */
static bool norm_mac(const char *s, char *out, size_t size)
{
	unsigned int b[6];
	char sep;

	if (strlen(s) != 17 || size < 18)
		return false;
	sep = s[2];
	if (sep != ':' && sep != '-')
		return false;
	for (int i = 0; i < 6; i++) {
		if (!isxdigit((unsigned char)s[i * 3]) || !isxdigit((unsigned char)s[i * 3 + 1]) ||
		    (i < 5 && s[i * 3 + 2] != sep))
			return false;
		sscanf(s + i * 3, "%2x", &b[i]);
	}
	snprintf(out, size, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
	return true;
}

static void normalize_id(const char *given, char *norm, size_t norm_size, const char **kind)
{
	const char *a = given;
	unsigned char buf[16];

	*kind = NULL;
	if (!strncasecmp(a, "mac:", 4))
		a += 4;
	else if (!strncasecmp(a, "ip:", 3))
		a += 3;
	if (norm_mac(a, norm, norm_size)) {
		*kind = "mac";
		return;
	}
	if (inet_pton(AF_INET, a, buf) == 1 && inet_ntop(AF_INET, buf, norm, norm_size)) {
		*kind = "ip";
		return;
	}
	if (inet_pton(AF_INET6, a, buf) == 1 && inet_ntop(AF_INET6, buf, norm, norm_size)) {
		*kind = "ip";
		return;
	}
	snprintf(norm, norm_size, "%s", a);
}

int device_resolve(struct store *s, struct api_resp *r, const char *given, char *id, size_t id_size, char *norm,
		   size_t norm_size)
{
	char typed[128];
	const char *kind;
	struct sqlb b;
	sqlite3_stmt *st;
	int rc, found = 0;

	normalize_id(given, norm, norm_size, &kind);
	snprintf(typed, sizeof(typed), "%s:%s", kind ? kind : "", norm);
	/* The exact id first, then the canonical one, then any device seen with the address (latest first). */
	sqlb_init(&b);
	sqlb_add(&b, "SELECT id FROM (SELECT id, 0 AS pri, '' AS seen FROM devices WHERE id = ? OR id = ?"
		     " UNION ALL SELECT device_id, 1, last_seen FROM device_addresses WHERE address = ?)"
		     " ORDER BY pri, seen DESC LIMIT 1");
	sqlb_text(&b, given);
	sqlb_text(&b, typed);
	sqlb_text(&b, norm);
	if (!sqlb_prepare(&b, s, r, &st))
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(id, id_size, "%s", (const char *)sqlite3_column_text(st, 0));
		found = 1;
	} else if (rc != SQLITE_DONE) {
		resp_sql_error(r, s);
		found = -1;
	}
	sqlite3_finalize(st);
	return found;
}

const char DEVICE_SUMMARY_COLS[] =
	"d.id, d.uid, d.name, d.type, d.vendor, d.model, d.os, d.firmware, d.mac,"
	" (SELECT json_group_array(address) FROM (SELECT address FROM device_addresses"
	"   WHERE device_id = d.id AND kind = 'ip' ORDER BY last_seen DESC, address)),"
	" (SELECT json_group_array(hostname) FROM (SELECT hostname FROM device_hostnames"
	"   WHERE device_id = d.id ORDER BY last_seen DESC, hostname)),"
	" d.risk, d.exposure, d.criticality, d.tags, d.contained, d.first_seen, d.last_seen,"
	" d.n_alerts, d.n_vulns, d.n_recs, d.site, d.zone, d.sensor, d.ip";

json_t *device_summary_row(sqlite3_stmt *st)
{
	static const char *const names[] = { "id",	 "uid",	      "name", "type",  "vendor",   "model",
					     "os",	 "firmware",  "mac",  "ips",   "hostnames", "risk",
					     "exposure", "criticality", "tags", "contained", "first_seen",
					     "last_seen", "n_alerts", "n_vulns", "n_recs", "site", "zone", "sensor" };
	json_t *o = json_object(), *ips;

	for (int i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++) {
		json_t *v;

		if (i == 9 || i == 10)
			v = col_json(st, i, json_array());
		else if (i == 14)
			v = col_json(st, i, json_object());
		else if (i == 15)
			v = json_boolean(sqlite3_column_int(st, i));
		else if (i >= 18 && i <= 20)
			v = col_int(st, i);
		else
			v = col_str(st, i);
		json_object_set_new(o, names[i], v);
	}
	/* A device whose addresses table is empty still has the IP of its record. */
	ips = json_object_get(o, "ips");
	if (json_is_array(ips) && !json_array_size(ips) && sqlite3_column_type(st, 24) != SQLITE_NULL)
		json_array_append_new(ips, col_str(st, 24));
	return o;
}

json_t *device_summary(struct store *s, struct api_resp *r, const char *id)
{
	struct sqlb b;
	sqlite3_stmt *st;
	json_t *o = NULL;
	int rc;

	sqlb_init(&b);
	sqlb_add(&b, "SELECT ");
	sqlb_add(&b, DEVICE_SUMMARY_COLS);
	sqlb_add(&b, " FROM devices d WHERE d.id = ?");
	sqlb_text(&b, id);
	if (!sqlb_prepare(&b, s, r, &st))
		return NULL;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		o = device_summary_row(st);
	else if (rc != SQLITE_DONE)
		resp_sql_error(r, s);
	sqlite3_finalize(st);
	return o;
}
