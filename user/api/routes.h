/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Inside the API server: what server.c hands a route (a request already authenticated, its path split and
 * decoded, its query parameters decoded and de-duplicated, its body read whole), what a route hands back (a
 * status and a malloc'ed body), and the helpers every route shares (paging, the store, bound SQL, JSON values
 * from columns). Routes never see libmicrohttpd, so they cannot forget a security header or the body limit.
 */
#ifndef IOTSENSE_API_ROUTES_H
#define IOTSENSE_API_ROUTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include <sqlite3.h>

#include "api/server.h"
#include "store/store.h"

#define API_MAX_PARAMS 32
#define API_MAX_SEGS 8
#define API_LIMIT_DEFAULT 100
#define API_LIMIT_MAX 1000

struct api_server {
	struct MHD_Daemon *mhd;
	struct api_opts o;	/* the strings below are our own copies */
	char *listen, *token, *state_dir, *pin_dir, *sensor, *site, *zone;
	bool loopback;		/* listening on a loopback address */
	uint64_t started_ns;	/* CLOCK_MONOTONIC */
	uint64_t requests;	/* atomics: the MHD thread pool serves requests in parallel */
	uint64_t responses_4xx, responses_5xx;
};

struct api_param {
	char *key, *val; /* decoded; val "" for "?key" */
	bool used;
};

struct api_req {
	const struct api_server *srv;
	const char *method;
	char *segs[API_MAX_SEGS]; /* path segments after /api/v1/, decoded */
	int nsegs;
	struct api_param params[API_MAX_PARAMS];
	int nparams;
	const char *body;	/* NUL-terminated; NULL when none */
	size_t body_len;
};

struct api_resp {
	int status;
	char *body; /* malloc'ed */
	size_t len;
	const char *content_type;
	const char *allow; /* 405: the methods the path takes */
};

/*
 * A request as it arrives, before any check or decoding: server.c fills it from libmicrohttpd, the fuzzer
 * (tests/fuzz/fuzz_api.c) by hand. Header values are NULL when absent.
 */
struct api_http_req {
	const char *method;
	const char *url;	/* the path, without the query, not decoded */
	size_t uri_len;		/* the whole request target, query included */
	const char *host, *authorization, *origin, *fetch_site, *content_length, *content_type;
	struct {
		const char *key, *val; /* raw, in the order sent; val NULL for "?key" */
	} query[API_MAX_PARAMS + 1];	/* one more than allowed, so that too many is seen */
	int nquery;
	const char *body;	/* NUL-terminated; NULL when none */
	size_t body_len;
};

/*
 * The checks that need only the request line and headers (URL length, Host without a token, the token, Origin
 * on writes, Content-Length), made before a body is read: 0 to go on, or the status to answer with msg.
 */
int api_precheck(const struct api_server *a, const struct api_http_req *h, const char **msg);
/*
 * An /api/ request that passed api_precheck, its body read whole: splits and decodes the path and the query,
 * checks the body's type and runs the route. r->status is never 0 afterwards.
 */
void api_dispatch(const struct api_server *a, const struct api_http_req *h, struct api_resp *r);
/*
 * GET /healthz (liveness: always 200) and GET /readyz (readiness: the store opens and, inside `run`, an
 * interface is attached; else 503 with the reason), for a request that passed api_precheck (which asks no
 * token for them). r->status is never 0 afterwards.
 */
void api_health(const struct api_server *a, const struct api_http_req *h, struct api_resp *r);

/* ---- responses ---- */
/* Takes ownership of o. */
void resp_json(struct api_resp *r, int status, json_t *o);
void resp_error(struct api_resp *r, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void resp_method(struct api_resp *r, const char *allow);

/* ---- parameters ---- */
/* The decoded value of key, or NULL; marks it used. */
const char *req_param(struct api_req *q, const char *key);
/* 400 naming the first parameter no route read (a typo should not silently widen a query). */
bool req_unused_params(struct api_req *q, struct api_resp *r);
/* limit (1..1000, default 100) and offset; 400 on anything else. */
bool req_paging(struct api_req *q, struct api_resp *r, int64_t *limit, int64_t *offset);
/* An optional 0|1 parameter: -1 when absent; false (400 sent) when malformed. */
bool req_bool01(struct api_req *q, struct api_resp *r, const char *key, int *out);
/* An optional minimum level (rank from http_risk_rank or http_severity_id): -1 when absent. */
bool req_min_risk(struct api_req *q, struct api_resp *r, const char *key, int *out);
bool req_min_severity(struct api_req *q, struct api_resp *r, const char *key, int *out);
/* An optional free-text parameter, at most max bytes and free of control characters. */
bool req_text(struct api_req *q, struct api_resp *r, const char *key, size_t max, const char **out);

/* ---- the store ---- */
/* Opens it (read-only unless rw); 503 with store_open's message when it cannot. */
bool req_store(struct api_req *q, struct api_resp *r, struct store *s, bool rw);
/* SQL failed: 500 with SQLite's message. */
void resp_sql_error(struct api_resp *r, struct store *s);

/*
 * A statement built from fixed fragments, with every value bound, never formatted into the text. Fragments
 * are string literals in the routes; values come from the request.
 */
struct sqlb {
	char sql[4096];
	size_t len;
	struct {
		bool is_int;
		const char *s;
		int64_t i;
	} binds[24];
	int nbinds;
	bool overflow;
};
void sqlb_init(struct sqlb *b);
void sqlb_add(struct sqlb *b, const char *fragment);
/* b = head + where's text, with where's bindings: the count and the page of one filtered list. */
void sqlb_select(struct sqlb *b, const struct sqlb *where, const char *head);
void sqlb_text(struct sqlb *b, const char *v);
void sqlb_int(struct sqlb *b, int64_t v);
/* Prepares and binds. false with a 500 in r. */
bool sqlb_prepare(struct sqlb *b, struct store *s, struct api_resp *r, sqlite3_stmt **st);
/* SELECT count(*) ... style statements: the single integer, -1 on error (500 in r). */
int64_t sqlb_count(struct sqlb *b, struct store *s, struct api_resp *r);

/* ---- values from columns ---- */
json_t *col_str(sqlite3_stmt *st, int i);		/* string or null; invalid UTF-8 made safe */
json_t *col_int(sqlite3_stmt *st, int i);		/* integer or null */
json_t *col_json(sqlite3_stmt *st, int i, json_t *dflt); /* parsed JSON text, or dflt (stolen) */
/* {"total","limit","offset","items"} (takes items). */
json_t *list_json(int64_t total, int64_t limit, int64_t offset, json_t *items);

/* ---- devices ---- */
/*
 * What a user may call a device: its id ("mac:..", "ip:.."), or a bare MAC or IP address (any case, IPv6 in any
 * form). Normalizes into norm (the address alone, canonical) and resolves to the devices.id in id. Returns 1
 * found, 0 not found, -1 SQL error (500 in r).
 */
int device_resolve(struct store *s, struct api_resp *r, const char *given, char *id, size_t id_size, char *norm,
		   size_t norm_size);
/* The summary object of one device (the list item); NULL when there is none (or on error: 500 in r). */
json_t *device_summary(struct store *s, struct api_resp *r, const char *id);
/* The columns device_summary_row() reads, after "SELECT " and before " FROM devices d". */
extern const char DEVICE_SUMMARY_COLS[];
json_t *device_summary_row(sqlite3_stmt *st);

/* ---- the routes (segs[0] selects one) ---- */
void route_status(struct api_req *q, struct api_resp *r);
void route_devices(struct api_req *q, struct api_resp *r);
void route_alerts(struct api_req *q, struct api_resp *r);
void route_vulns(struct api_req *q, struct api_resp *r);
void route_recommendations(struct api_req *q, struct api_resp *r);

#endif
