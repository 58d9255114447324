// SPDX-License-Identifier: GPL-2.0-only
/*
 * The HTTP side of the API on libmicrohttpd: its own polling thread and a small pool, bounded connections,
 * timeouts, memory and bodies. Everything about a request that is not a route's business happens here, once:
 * the URL and body limits, authentication, the Host and Origin checks, percent-decoding of the path and the
 * query, the security headers on every response. Routes (routes_*.c) then see a clean struct api_req.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <microhttpd.h>

#include "api/dashboard.h"
#include "api/http_util.h"
#include "api/metrics.h"
#include "api/routes.h"
#include "lib/log.h"
#include "loader.h"

#define API_BODY_MAX (64 * 1024)
#define API_URL_MAX 8192
/* Above the URL bound, so an overlong URL reaches us and gets a JSON 414 rather than libmicrohttpd's page. */
#define API_CONN_MEMORY (256 * 1024)
#define API_CONN_LIMIT 64
#define API_CONN_TIMEOUT_S 15
#define API_THREADS 2

/* HEALTH: /healthz and /readyz, the probes of Kubernetes and the like (routes_health.c). */
enum area { AREA_API, AREA_METRICS, AREA_HEALTH, AREA_DASHBOARD };

struct conn_state {
	size_t uri_len; /* the whole request target, query included */
	bool started;
	char *body;
	size_t len, cap;
	bool too_big;
	bool answered; /* a response went out before the body (401, 413 from Content-Length, ...) */
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static enum area area_of(const char *url)
{
	if (!strncmp(url, "/api/", 5) || !strcmp(url, "/api"))
		return AREA_API;
	if (!strcmp(url, "/metrics"))
		return AREA_METRICS;
	if (!strcmp(url, "/healthz") || !strcmp(url, "/readyz"))
		return AREA_HEALTH;
	return AREA_DASHBOARD;
}

static enum MHD_Result send_resp(struct api_server *a, struct MHD_Connection *c, enum area area, struct api_resp *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(r->body);
		r->body = NULL;
		return MHD_NO;
	}
	r->body = NULL;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				r->content_type ? r->content_type : "application/json");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	if (area == AREA_DASHBOARD && r->status == 200) {
		MHD_add_response_header(resp, "Content-Security-Policy", "default-src 'self'");
		MHD_add_response_header(resp, "X-Frame-Options", "DENY");
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	} else {
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	}
	if (r->status == 401)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"iotsense\"");
	if (r->allow)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
	ret = MHD_queue_response(c, (unsigned int)r->status, resp);
	MHD_destroy_response(resp);
	__atomic_add_fetch(&a->requests, 1, __ATOMIC_RELAXED);
	if (r->status >= 500)
		__atomic_add_fetch(&a->responses_5xx, 1, __ATOMIC_RELAXED);
	else if (r->status >= 400)
		__atomic_add_fetch(&a->responses_4xx, 1, __ATOMIC_RELAXED);
	return ret;
}

static enum MHD_Result send_error(struct api_server *a, struct MHD_Connection *c, enum area area, int status,
				  const char *msg)
{
	struct api_resp r = {};

	resp_error(&r, status, "%s", msg);
	return send_resp(a, c, area, &r);
}

static bool is_mutating(const char *method)
{
	return strcmp(method, "GET") && strcmp(method, "HEAD");
}

/* What api_precheck and api_dispatch read of a request, from libmicrohttpd (the query only for dispatch). */
static void http_req_fill(struct MHD_Connection *c, const char *url, const char *method,
			  const struct conn_state *cs, struct api_http_req *h)
{
	h->method = method;
	h->url = url;
	h->uri_len = cs->uri_len;
	h->host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	h->authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	h->origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	h->fetch_site = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Sec-Fetch-Site");
	h->content_length = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	h->content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (cs->len) {
		h->body = cs->body;
		h->body_len = cs->len;
	}
}

int api_precheck(const struct api_server *a, const struct api_http_req *h, const char **msg)
{
	const char *host = h->host, *len_s = h->content_length, *origin = h->origin, *fetch_site = h->fetch_site;
	const char *method = h->method;
	enum area area = area_of(h->url);
	uint64_t clen;

	if (h->uri_len > API_URL_MAX) {
		*msg = "the URL is longer than 8192 bytes";
		return 414;
	}
	/* No token: only a loopback name may reach us, so a web page cannot rebind its own name onto 127.0.0.1. */
	if (!a->token && host && !http_host_is_loopback(host)) {
		*msg = "this API has no token and answers loopback names only (localhost, 127.0.0.1, [::1]); "
		       "use one of those in the URL";
		return 403;
	}
	/* The probes carry no token: a probe spec would hold it in clear, and they disclose nothing. */
	if ((area == AREA_API || area == AREA_METRICS) && a->token && !http_bearer_ok(h->authorization, a->token)) {
		*msg = "missing or wrong token: send 'Authorization: Bearer TOKEN'";
		return 401;
	}
	if (is_mutating(method)) {
		/* A browser names the page's origin on a cross-site request: a page elsewhere must not contain a
		 * device through the operator's browser. */
		if ((origin && (!strcmp(origin, "null") || !http_origin_matches_host(origin, host))) ||
		    (fetch_site && !strcmp(fetch_site, "cross-site"))) {
			*msg = "cross-origin requests may not change anything";
			return 403;
		}
	}
	if (len_s && (!http_parse_uint(len_s, 0, UINT64_MAX / 2, &clen) || clen > API_BODY_MAX)) {
		*msg = "the body is larger than 64 KiB";
		return 413;
	}
	return 0;
}

/* libmicrohttpd's query pairs, raw (no_unescape), up to one more than allowed. */
static enum MHD_Result gather_param(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct api_http_req *h = cls;

	h->query[h->nquery].key = key;
	h->query[h->nquery++].val = value;
	return h->nquery <= API_MAX_PARAMS ? MHD_YES : MHD_NO;
}

/* Decodes one raw pair into q; false with msg filled. */
static bool collect_param(struct api_req *q, const char *key, const char *value, char *msg, size_t msg_size)
{
	char *k, *v;

	if (q->nparams >= API_MAX_PARAMS) {
		snprintf(msg, msg_size, "more than %d query parameters", API_MAX_PARAMS);
		return false;
	}
	k = strdup(key ? key : "");
	v = strdup(value ? value : "");
	if (!k || !v || http_url_decode(k, true) < 0 || http_url_decode(v, true) < 0) {
		snprintf(msg, msg_size, "a query parameter has a bad %%-escape (or an encoded NUL)");
		free(k);
		free(v);
		return false;
	}
	for (int i = 0; i < q->nparams; i++)
		if (!strcmp(q->params[i].key, k)) {
			snprintf(msg, msg_size, "parameter '%.64s' is given twice", k);
			free(k);
			free(v);
			return false;
		}
	q->params[q->nparams].key = k;
	q->params[q->nparams++].val = v;
	return true;
}

static void req_free(struct api_req *q)
{
	for (int i = 0; i < q->nparams; i++) {
		free(q->params[i].key);
		free(q->params[i].val);
	}
	for (int i = 0; i < q->nsegs; i++)
		free(q->segs[i]);
}

/* /api/v1/<segs...>: each segment decoded on its own, so an id's %2F cannot make a new segment. */
static bool split_path(const char *url, struct api_req *q, int *status, const char **msg)
{
	const char *p;

	if (strncmp(url, "/api/v1/", 8)) {
		*status = 404;
		*msg = "no such path: the API lives under /api/v1/ (docs/api.md)";
		return false;
	}
	p = url + 8;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		char *seg;

		if (!n || q->nsegs >= API_MAX_SEGS) {
			*status = 404;
			*msg = "no such path (docs/api.md lists the endpoints)";
			return false;
		}
		seg = strndup(p, n);
		if (!seg || http_url_decode(seg, false) <= 0) {
			free(seg);
			*status = 400;
			*msg = "the path has a bad %-escape (or an encoded NUL)";
			return false;
		}
		q->segs[q->nsegs++] = seg;
		p += n;
		if (*p == '/' && p[1])
			p++;
		else if (*p == '/')
			break; /* one trailing slash is forgiven */
	}
	if (!q->nsegs) {
		*status = 404;
		*msg = "no such path (docs/api.md lists the endpoints)";
		return false;
	}
	return true;
}

void api_dispatch(const struct api_server *a, const struct api_http_req *h, struct api_resp *r)
{
	struct api_req q = { .srv = a, .method = h->method };
	const char *msg = NULL, *ctype = h->content_type;
	char pmsg[160];
	int status = 0;

	if (!split_path(h->url, &q, &status, &msg)) {
		req_free(&q);
		return resp_error(r, status, "%s", msg);
	}
	for (int i = 0; i < h->nquery; i++)
		if (!collect_param(&q, h->query[i].key, h->query[i].val, pmsg, sizeof(pmsg))) {
			req_free(&q);
			return resp_error(r, 400, "%s", pmsg);
		}
	if (h->body_len) {
		if (!ctype || strncasecmp(ctype, "application/json", 16)) {
			req_free(&q);
			return resp_error(r, 415, "a body must be JSON (Content-Type: application/json)");
		}
		q.body = h->body;
		q.body_len = h->body_len;
	}
	if (!strcmp(q.segs[0], "status"))
		route_status(&q, r);
	else if (!strcmp(q.segs[0], "devices"))
		route_devices(&q, r);
	else if (!strcmp(q.segs[0], "alerts"))
		route_alerts(&q, r);
	else if (!strcmp(q.segs[0], "vulnerabilities"))
		route_vulns(&q, r);
	else if (!strcmp(q.segs[0], "recommendations"))
		route_recommendations(&q, r);
	else
		resp_error(r, 404, "no such path (docs/api.md lists the endpoints)");
	if (!r->status)
		resp_error(r, 500, "internal: the route gave no answer");
	pr_debug("api: %s %s -> %d\n", h->method, h->url, r->status);
	req_free(&q);
}

static enum MHD_Result serve_api(struct api_server *a, struct MHD_Connection *c, const char *url,
				 const char *method, struct conn_state *cs)
{
	struct api_http_req h = {};
	struct api_resp r = {};

	http_req_fill(c, url, method, cs, &h);
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, gather_param, &h);
	api_dispatch(a, &h, &r);
	return send_resp(a, c, AREA_API, &r);
}

static enum MHD_Result serve_metrics(struct api_server *a, struct MHD_Connection *c, const char *method)
{
	struct api_resp r = {};

	if (is_mutating(method)) {
		resp_method(&r, "GET, HEAD");
		return send_resp(a, c, AREA_METRICS, &r);
	}
	r.body = metrics_render(a, &r.len);
	if (!r.body)
		return send_error(a, c, AREA_METRICS, 500, "out of memory rendering the metrics");
	r.status = 200;
	r.content_type = "text/plain; version=0.0.4; charset=utf-8";
	return send_resp(a, c, AREA_METRICS, &r);
}

static enum MHD_Result serve_health(struct api_server *a, struct MHD_Connection *c, const char *url,
				    const char *method, struct conn_state *cs)
{
	struct api_http_req h = {};
	struct api_resp r = {};
	int n;

	http_req_fill(c, url, method, cs, &h);
	/* Only the count matters: the probes take no parameters. */
	n = MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, NULL, NULL);
	h.nquery = n > 0 ? n : 0;
	api_health(a, &h, &r);
	return send_resp(a, c, AREA_HEALTH, &r);
}

static enum MHD_Result serve_dashboard(struct api_server *a, struct MHD_Connection *c, const char *url,
				       const char *method)
{
	const struct dash_file *f;
	struct MHD_Response *resp;
	struct api_resp r = {};
	enum MHD_Result ret;

	if (is_mutating(method)) {
		resp_method(&r, "GET, HEAD");
		return send_resp(a, c, AREA_DASHBOARD, &r);
	}
	f = dashboard_find(url);
	if (!f)
		return send_error(a, c, AREA_DASHBOARD, 404, "no such page");
	/* The files live in the binary: no copy, no free. */
	resp = MHD_create_response_from_buffer(f->len, (void *)f->data, MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, f->type);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Content-Security-Policy", "default-src 'self'");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	ret = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	__atomic_add_fetch(&a->requests, 1, __ATOMIC_RELAXED);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct api_server *a = cls;
	struct conn_state *cs = *con_cls;
	enum area area = area_of(url);
	const char *msg = NULL;
	int status;

	if (!cs)
		return MHD_NO; /* uri_log() made it; out of memory there */
	if (!cs->started) {
		cs->started = true;
		struct api_http_req h = {};

		http_req_fill(c, url, method, cs, &h);
		status = api_precheck(a, &h, &msg);
		if (status) {
			cs->answered = true;
			return send_error(a, c, area, status, msg);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		if (cs->answered || cs->too_big)
			return MHD_YES; /* draining what the client sends anyway; the timeout bounds it */
		if (cs->len + n > API_BODY_MAX) {
			cs->too_big = true;
			return MHD_YES;
		}
		if (cs->len + n + 1 > cs->cap) {
			size_t cap = cs->cap ? cs->cap : 1024;
			char *nb;

			while (cap < cs->len + n + 1)
				cap *= 2;
			nb = realloc(cs->body, cap);
			if (!nb)
				return MHD_NO;
			cs->body = nb;
			cs->cap = cap;
		}
		memcpy(cs->body + cs->len, upload_data, n);
		cs->len += n;
		cs->body[cs->len] = '\0';
		return MHD_YES;
	}
	if (cs->answered)
		return MHD_YES;
	if (cs->too_big)
		return send_error(a, c, area, 413, "the body is larger than 64 KiB");
	if (area == AREA_API)
		return serve_api(a, c, url, method, cs);
	if (area == AREA_METRICS)
		return serve_metrics(a, c, method);
	if (area == AREA_HEALTH)
		return serve_health(a, c, url, method, cs);
	return serve_dashboard(a, c, url, method);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct conn_state *cs = *con_cls;

	if (cs) {
		free(cs->body);
		free(cs);
		*con_cls = NULL;
	}
}

/* Called first with the raw request target: its length, query included, and our per-request state. */
static void *uri_log(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct conn_state *cs = calloc(1, sizeof(*cs));

	if (cs)
		cs->uri_len = uri ? strlen(uri) : 0;
	return cs;
}

/* Keep the URL and the query raw: we decode each path segment and parameter ourselves, strictly. */
static size_t no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
	return strlen(s);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[512];
	size_t n;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	/* Hostile clients make libmicrohttpd talk; that is not worth a warning per request. */
	pr_info("api: %s\n", buf);
}

static char *dup_opt(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

void api_stop(struct api_server *a)
{
	if (!a)
		return;
	if (a->mhd)
		MHD_stop_daemon(a->mhd);
	free(a->listen);
	if (a->token) {
		explicit_bzero(a->token, strlen(a->token));
		free(a->token);
	}
	free(a->state_dir);
	free(a->pin_dir);
	free(a->sensor);
	free(a->site);
	free(a->zone);
	free(a);
}

struct api_server *api_start(const struct api_opts *o, char *err, size_t err_size)
{
	struct sockaddr_storage ss;
	struct api_server *a;
	socklen_t sl;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_AUTO;
	char why[256];

	if (!o->state_dir || !*o->state_dir) {
		snprintf(err, err_size, "the API needs a state dir (--state-dir)");
		return NULL;
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		snprintf(err, err_size, "out of memory");
		return NULL;
	}
	a->o = *o;
	a->listen = strdup(o->listen && *o->listen ? o->listen : API_LISTEN_DEFAULT);
	a->token = dup_opt(o->token);
	a->state_dir = strdup(o->state_dir);
	a->pin_dir = strdup(o->pin_dir && *o->pin_dir ? o->pin_dir : IOT_PIN_DIR_DEFAULT);
	a->sensor = dup_opt(o->sensor);
	a->site = dup_opt(o->site);
	a->zone = dup_opt(o->zone);
	if (!a->listen || !a->state_dir || !a->pin_dir || (o->token && *o->token && !a->token)) {
		snprintf(err, err_size, "out of memory");
		goto fail;
	}
	a->o.listen = a->listen;
	a->o.token = a->token;
	a->o.state_dir = a->state_dir;
	a->o.pin_dir = a->pin_dir;
	a->o.sensor = a->sensor;
	a->o.site = a->site;
	a->o.zone = a->zone;
	if (a->token && !http_token_valid(a->token, why, sizeof(why))) {
		snprintf(err, err_size, "API token: %s", why);
		goto fail;
	}
	if (!http_parse_listen(a->listen, &ss, &sl, why, sizeof(why))) {
		snprintf(err, err_size, "%s", why);
		goto fail;
	}
	a->loopback = http_addr_is_loopback((struct sockaddr *)&ss);
	if (!a->loopback && !a->token) {
		snprintf(err, err_size,
			 "refusing to listen on %s without a token: it is not a loopback address, so anyone who can "
			 "reach it could read the inventory and contain devices. Give a token (serve --token-file "
			 "FILE or --token-env VAR), or listen on 127.0.0.1:PORT",
			 a->listen);
		goto fail;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	a->started_ns = mono_ns();
	errno = 0;
	a->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, a,
				  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned int)API_CONN_LIMIT,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)API_CONN_TIMEOUT_S,
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)API_CONN_MEMORY,
				  MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)API_THREADS,
				  MHD_OPTION_NOTIFY_COMPLETED, on_completed, a,
				  MHD_OPTION_URI_LOG_CALLBACK, uri_log, NULL,
				  MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL,
				  MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				  MHD_OPTION_END);
	if (!a->mhd) {
		snprintf(err, err_size, "cannot listen on %s: %s (another process on that port? pick another with --listen)",
			 a->listen, errno ? strerror(errno) : "libmicrohttpd refused to start");
		goto fail;
	}
	return a;
fail:
	api_stop(a);
	return NULL;
}
