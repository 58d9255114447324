// SPDX-License-Identifier: GPL-2.0-only
/*
 * The http output: one POST per batch with libcurl. Bodies: splunk-hec, the event envelopes one a line (HEC
 * takes several per request); elastic-bulk, the action/document line pairs (_id = record_id, so a resend
 * overwrites); json, a JSON array of records (webhooks). Optional gzip (zlib, Content-Encoding: gzip). The
 * token goes in "Authorization: <scheme> <token>" (Splunk for HEC, Bearer otherwise, or auth_scheme), never in
 * the URL. TLS is verified unless tls_verify: false; redirects are not followed (they would carry the token
 * elsewhere). Only a 2xx answer is a delivery; for Elastic also a bulk answer without "errors": true.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "outputs/out_int.h"

#define RESPONSE_KEEP 2048

struct http {
	const struct out_env *env;
	const struct output_config *cfg;
	CURL *h;
	struct curl_slist *headers;
	struct fmt_buf body, gz;
	char resp[RESPONSE_KEEP + 1];
	size_t resp_len;
	char curl_err[CURL_ERROR_SIZE];
};

static size_t on_data(char *p, size_t size, size_t nmemb, void *ctx)
{
	struct http *d = ctx;
	size_t n = size * nmemb, room = RESPONSE_KEEP - d->resp_len;

	memcpy(d->resp + d->resp_len, p, n < room ? n : room);
	d->resp_len += n < room ? n : room;
	d->resp[d->resp_len] = '\0';
	return n;
}

/* Abandons a transfer once outputs_stop's flush deadline has passed. */
static int on_progress(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct http *d = ctx;

	return atomic_load(d->env->stopping) && out_now_ms() > atomic_load(d->env->deadline_ms);
}

static int http_open(void **state, const struct out_env *env, char *err, size_t err_size)
{
	struct http *d = calloc(1, sizeof(*d));
	char auth[sizeof(d->cfg->auth_scheme) + 4200];
	const char *ctype;

	if (!d) {
		snprintf(err, err_size, "out of memory");
		return -1;
	}
	d->env = env;
	d->cfg = env->cfg;
	d->h = curl_easy_init();
	if (!d->h) {
		snprintf(err, err_size, "libcurl: cannot create a handle");
		free(d);
		return -1;
	}
	ctype = d->cfg->format == OUT_FMT_ELASTIC_BULK ? "Content-Type: application/x-ndjson"
						       : "Content-Type: application/json";
	d->headers = curl_slist_append(d->headers, ctype);
	d->headers = curl_slist_append(d->headers, "Expect:"); /* no 100-continue round trip */
	if (d->cfg->gzip)
		d->headers = curl_slist_append(d->headers, "Content-Encoding: gzip");
	if (env->token[0]) {
		snprintf(auth, sizeof(auth), "Authorization: %s %s", d->cfg->auth_scheme, env->token);
		d->headers = curl_slist_append(d->headers, auth);
		memset(auth, 0, sizeof(auth));
	}
	curl_easy_setopt(d->h, CURLOPT_URL, d->cfg->url);
	curl_easy_setopt(d->h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(d->h, CURLOPT_HTTPHEADER, d->headers);
	curl_easy_setopt(d->h, CURLOPT_POST, 1L);
	curl_easy_setopt(d->h, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for DNS timeouts */
	curl_easy_setopt(d->h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(d->h, CURLOPT_TIMEOUT_MS, (long)d->cfg->timeout_ms);
	curl_easy_setopt(d->h, CURLOPT_CONNECTTIMEOUT_MS, (long)d->cfg->timeout_ms);
	curl_easy_setopt(d->h, CURLOPT_SSL_VERIFYPEER, d->cfg->tls_verify ? 1L : 0L);
	curl_easy_setopt(d->h, CURLOPT_SSL_VERIFYHOST, d->cfg->tls_verify ? 2L : 0L);
	if (d->cfg->ca_file[0])
		curl_easy_setopt(d->h, CURLOPT_CAINFO, d->cfg->ca_file);
	curl_easy_setopt(d->h, CURLOPT_USERAGENT, "iotsense");
	curl_easy_setopt(d->h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(d->h, CURLOPT_WRITEDATA, d);
	curl_easy_setopt(d->h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(d->h, CURLOPT_XFERINFODATA, d);
	curl_easy_setopt(d->h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(d->h, CURLOPT_ERRORBUFFER, d->curl_err);
	*state = d;
	return 0;
}

static int gzip_into(struct fmt_buf *out, const char *p, size_t n)
{
	z_stream z = { 0 };
	uLong bound;
	int rc;

	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	bound = deflateBound(&z, (uLong)n);
	fmt_buf_reset(out);
	if (out->cap < bound) {
		char *q = realloc(out->p, bound);

		if (!q) {
			deflateEnd(&z);
			return -1;
		}
		out->p = q;
		out->cap = bound;
	}
	z.next_in = (Bytef *)p;
	z.avail_in = (uInt)n;
	z.next_out = (Bytef *)out->p;
	z.avail_out = (uInt)out->cap;
	rc = deflate(&z, Z_FINISH);
	out->len = z.total_out;
	deflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -1;
}

/* The request body for items[0, n). */
static void build_body(struct http *d, const struct out_batch *b, const struct out_item *items, size_t n)
{
	bool array = d->cfg->format == OUT_FMT_JSON;

	fmt_buf_reset(&d->body);
	if (array)
		fmt_buf_put(&d->body, "[", 1);
	for (size_t i = 0; i < n; i++) {
		if (i && array)
			fmt_buf_put(&d->body, ",", 1);
		fmt_buf_put(&d->body, b->buf.p + items[i].off, items[i].len);
		/* HEC: one envelope a line; elastic-bulk renderings already end in a newline */
		if (d->cfg->format == OUT_FMT_SPLUNK_HEC)
			fmt_buf_put(&d->body, "\n", 1);
	}
	if (array)
		fmt_buf_put(&d->body, "]", 1);
}

/* A short, one-line excerpt of the answer, for last_error. */
static const char *excerpt(struct http *d)
{
	for (size_t i = 0; i < d->resp_len; i++)
		if ((unsigned char)d->resp[i] < ' ')
			d->resp[i] = ' ';
	if (d->resp_len > 200)
		d->resp[200] = '\0';
	return d->resp;
}

static int http_send(void *state, const struct out_batch *b, const struct out_item *items, size_t n, size_t *done,
		     char *err, size_t err_size)
{
	struct http *d = state;
	const struct fmt_buf *payload;
	long status = 0;
	CURLcode rc;

	*done = 0;
	build_body(d, b, items, n);
	payload = &d->body;
	if (d->cfg->gzip) {
		if (gzip_into(&d->gz, d->body.p, d->body.len) < 0) {
			snprintf(err, err_size, "gzip: out of memory");
			return -1;
		}
		payload = &d->gz;
	}
	if (d->body.oom) {
		snprintf(err, err_size, "out of memory");
		return -1;
	}
	d->resp_len = 0;
	d->resp[0] = '\0';
	d->curl_err[0] = '\0';
	curl_easy_setopt(d->h, CURLOPT_POSTFIELDS, payload->p);
	curl_easy_setopt(d->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)payload->len);
	rc = curl_easy_perform(d->h);
	if (rc != CURLE_OK) {
		snprintf(err, err_size, "%s: %s", d->cfg->url, d->curl_err[0] ? d->curl_err : curl_easy_strerror(rc));
		return -1;
	}
	curl_easy_getinfo(d->h, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status > 299) {
		snprintf(err, err_size, "%s: HTTP %ld%s%s", d->cfg->url, status, d->resp_len ? ": " : "", excerpt(d));
		return -1;
	}
	/* The bulk API answers 200 even when documents failed; their ids make the resend harmless. */
	if (d->cfg->format == OUT_FMT_ELASTIC_BULK && strstr(d->resp, "\"errors\":true")) {
		snprintf(err, err_size, "%s: some bulk items failed: %s", d->cfg->url, excerpt(d));
		return -1;
	}
	*done = n;
	return 0;
}

static void http_close(void *state)
{
	struct http *d = state;

	curl_easy_cleanup(d->h);
	curl_slist_free_all(d->headers); /* after the handle, which points at it */
	fmt_buf_free(&d->body);
	fmt_buf_free(&d->gz);
	free(d);
}

const struct out_driver out_http = { .open = http_open, .send = http_send, .close = http_close };
