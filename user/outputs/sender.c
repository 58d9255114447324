// SPDX-License-Identifier: GPL-2.0-only
/*
 * The output senders (outputs.h): one thread per output, each with its own store connection, reading the
 * outbox after its acked_seq, filtering, rendering, sending, and acking only what the transport delivered.
 * Why a thread per output: a slow or dead collector must not hold back the others, and each keeps its own
 * order and backoff. Why poll the outbox: the daemon's writes land in SQLite in batches anyway; a 250 ms poll
 * (or outputs_kick) is one indexed query per output.
 */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "outputs/out_int.h"
#include "outputs/outputs.h"
#include "store/store.h"

#define POLL_MS 250
#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 60000
#define STOP_FLUSH_MS 2000
#define STATS_REFRESH_MS 2000
#define DELETE_CHUNK 500
#define TOKEN_MAX 4096

struct sender {
	struct outputs *parent;
	struct output_config cfg;
	struct fmt_ctx fctx;
	const struct out_driver *drv;
	void *dst;
	struct out_env env;
	char token[TOKEN_MAX];
	struct store st;
	sqlite3_stmt *q_rows, *q_ack, *q_fail, *q_delete, *q_pending;
	int64_t acked;
	unsigned int seed;
	pthread_t th;
	bool started;
	struct output_stats stats; /* under parent->mu */
};

struct outputs {
	struct sender *s[CONFIG_MAX_OUTPUTS];
	int n;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t kicks;
	atomic_bool stopping;
	_Atomic int64_t deadline_ms;
	char sensor[128], site[128], zone[128];
};

int64_t out_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const struct out_driver *driver_of(enum output_type t)
{
	switch (t) {
	case OUTPUT_NDJSON:
		return &out_ndjson;
	case OUTPUT_SYSLOG:
		return &out_syslog;
	case OUTPUT_HTTP:
		return &out_http;
	}
	return NULL;
}

static void rfc3339_now(char *buf, size_t size)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* "2024-05-01T10:00:00.123456Z" (the outbox's created_at) -> unix seconds; now when it does not parse. */
static int64_t parse_time_s(const char *s)
{
	struct tm tm = { 0 };

	if (s && strptime(s, "%Y-%m-%dT%H:%M:%S", &tm))
		return (int64_t)timegm(&tm);
	return (int64_t)time(NULL);
}

/* Waits until kicked, stopping, or ms passed. */
static void nap(struct outputs *o, int64_t ms)
{
	struct timespec ts;
	uint64_t k;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&o->mu);
	k = o->kicks;
	while (!atomic_load(&o->stopping) && k == o->kicks)
		if (pthread_cond_timedwait(&o->cv, &o->mu, &ts) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&o->mu);
}

static void set_error(struct sender *s, const char *msg)
{
	pthread_mutex_lock(&s->parent->mu);
	snprintf(s->stats.last_error, sizeof(s->stats.last_error), "%.*s", (int)sizeof(s->stats.last_error) - 1, msg);
	pthread_mutex_unlock(&s->parent->mu);
}

static bool wanted(const struct sender *s, const char *kind, int severity_id)
{
	uint32_t k = rec_kind_of(kind);

	if (!k) /* a kind this build does not know: only an output that takes everything gets it */
		return s->cfg.records == REC_KIND_ALL;
	if (!(s->cfg.records & k))
		return false;
	/* min_severity is about findings; a device profile always goes (its severity is its risk). */
	return k == REC_KIND_DEVICE || severity_id >= s->cfg.min_severity_id;
}

static int batch_push(struct out_batch *b, const struct out_item *it)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		struct out_item *p = realloc(b->items, cap * sizeof(*p));

		if (!p)
			return -1;
		b->items = p;
		b->cap = cap;
	}
	b->items[b->n++] = *it;
	return 0;
}

/*
 * Reads up to cfg.batch rows after acked_seq and renders the wanted ones into b. *last = the last row's seq
 * (0 when none), *rows = rows read, *filtered = rows skipped. A record that does not parse is skipped (it can
 * never be sent; counted as filtered and logged) rather than blocking the output forever.
 */
static int fill_batch(struct sender *s, struct out_batch *b, int64_t *last, int *rows, int *filtered)
{
	int rc;

	b->n = 0;
	fmt_buf_reset(&b->buf);
	*last = 0;
	*rows = *filtered = 0;
	sqlite3_reset(s->q_rows);
	sqlite3_bind_int64(s->q_rows, 1, s->acked);
	sqlite3_bind_int(s->q_rows, 2, (int)s->cfg.batch);
	while ((rc = sqlite3_step(s->q_rows)) == SQLITE_ROW) {
		struct out_item it = { .seq = sqlite3_column_int64(s->q_rows, 0) };
		const char *rid = (const char *)sqlite3_column_text(s->q_rows, 1);
		const char *kind = (const char *)sqlite3_column_text(s->q_rows, 2);
		const char *body = (const char *)sqlite3_column_text(s->q_rows, 5);
		json_error_t jerr;
		json_t *rec;

		it.severity_id = sqlite3_column_int(s->q_rows, 3);
		it.time_s = parse_time_s((const char *)sqlite3_column_text(s->q_rows, 4));
		snprintf(it.record_id, sizeof(it.record_id), "%s", rid ? rid : "");
		snprintf(it.kind, sizeof(it.kind), "%s", kind ? kind : "");
		*last = it.seq;
		(*rows)++;
		if (!wanted(s, kind, it.severity_id)) {
			(*filtered)++;
			continue;
		}
		rec = body ? json_loadb(body, (size_t)sqlite3_column_bytes(s->q_rows, 5), 0, &jerr) : NULL;
		if (!json_is_object(rec)) {
			pr_warn("output %s: outbox row %lld is not a JSON record; skipped\n", s->cfg.name,
				(long long)it.seq);
			json_decref(rec);
			(*filtered)++;
			continue;
		}
		it.off = b->buf.len;
		if (fmt_render(s->cfg.format, rec, it.record_id, &s->fctx, &b->buf) < 0 || batch_push(b, &it) < 0) {
			json_decref(rec);
			sqlite3_reset(s->q_rows);
			return -1;
		}
		json_decref(rec);
		b->items[b->n - 1].len = b->buf.len - it.off;
	}
	sqlite3_reset(s->q_rows);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Moves acked_seq to seq (never back), counts sent, and deletes rows every configured output has. */
static int ack(struct sender *s, int64_t seq, size_t sent)
{
	char now[32];
	int rc;

	rfc3339_now(now, sizeof(now));
	if (sqlite3_exec(s->st.db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_reset(s->q_ack);
	sqlite3_bind_int64(s->q_ack, 1, seq);
	sqlite3_bind_int64(s->q_ack, 2, (sqlite3_int64)sent);
	if (sent)
		sqlite3_bind_text(s->q_ack, 3, now, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s->q_ack, 3);
	rc = sqlite3_step(s->q_ack);
	sqlite3_reset(s->q_ack);
	if (rc != SQLITE_DONE)
		goto rollback;
	sqlite3_reset(s->q_delete);
	rc = sqlite3_step(s->q_delete);
	sqlite3_reset(s->q_delete);
	if (rc != SQLITE_DONE)
		goto rollback;
	if (sqlite3_exec(s->st.db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto rollback;
	s->acked = seq > s->acked ? seq : s->acked;
	pthread_mutex_lock(&s->parent->mu);
	s->stats.acked_seq = s->acked;
	s->stats.sent += sent;
	if (sent)
		s->stats.last_ok = (int64_t)time(NULL);
	pthread_mutex_unlock(&s->parent->mu);
	return 0;
rollback:
	sqlite3_exec(s->st.db, "ROLLBACK", NULL, NULL, NULL);
fail:
	pr_warn("output %s: cannot record delivery up to %lld (%s); those records may be sent again\n",
		s->cfg.name, (long long)seq, sqlite3_errmsg(s->st.db));
	return -1;
}

static void record_failure(struct sender *s, const char *msg, unsigned int backoff_ms)
{
	char now[32];

	rfc3339_now(now, sizeof(now));
	sqlite3_reset(s->q_fail);
	sqlite3_bind_text(s->q_fail, 1, msg, -1, SQLITE_TRANSIENT);
	sqlite3_step(s->q_fail);
	sqlite3_reset(s->q_fail);
	pthread_mutex_lock(&s->parent->mu);
	s->stats.failures++;
	s->stats.healthy = false;
	s->stats.backoff_ms = backoff_ms;
	s->stats.last_failure = (int64_t)time(NULL);
	snprintf(s->stats.last_error, sizeof(s->stats.last_error), "%.*s", (int)sizeof(s->stats.last_error) - 1, msg);
	pthread_mutex_unlock(&s->parent->mu);
}

static void refresh_stats(struct sender *s)
{
	uint64_t pending = 0, dropped = 0;

	sqlite3_reset(s->q_pending);
	sqlite3_bind_int64(s->q_pending, 1, s->acked);
	if (sqlite3_step(s->q_pending) == SQLITE_ROW) {
		pending = (uint64_t)sqlite3_column_int64(s->q_pending, 0);
		dropped = (uint64_t)sqlite3_column_int64(s->q_pending, 1);
	}
	sqlite3_reset(s->q_pending);
	pthread_mutex_lock(&s->parent->mu);
	s->stats.pending = pending;
	s->stats.dropped = dropped;
	pthread_mutex_unlock(&s->parent->mu);
	/* Rows acked by everyone while this output was idle: delete them here too. */
	sqlite3_reset(s->q_delete);
	sqlite3_step(s->q_delete);
	sqlite3_reset(s->q_delete);
}

static void *sender_main(void *arg)
{
	struct sender *s = arg;
	struct outputs *o = s->parent;
	struct out_batch b = { 0 };
	unsigned int backoff = 0;
	int64_t last = 0, next_stats = 0;
	size_t first = 0;
	bool have = false;
	char err[512];

	for (;;) {
		bool stopping = atomic_load(&o->stopping);
		int rows = 0, filtered = 0;
		size_t done = 0;

		if (stopping && (backoff || out_now_ms() >= atomic_load(&o->deadline_ms)))
			break; /* no new retries once stopping; a healthy output flushes until the deadline */
		if (out_now_ms() >= next_stats) {
			refresh_stats(s);
			next_stats = out_now_ms() + STATS_REFRESH_MS;
		}
		if (!have) {
			if (fill_batch(s, &b, &last, &rows, &filtered) < 0) {
				snprintf(err, sizeof(err), "reading the outbox: %s", sqlite3_errmsg(s->st.db));
				set_error(s, err);
				pr_warn("output %s: %s\n", s->cfg.name, err);
				nap(o, BACKOFF_MIN_MS);
				continue;
			}
			if (!rows) {
				if (stopping)
					break;
				nap(o, POLL_MS);
				continue;
			}
			pthread_mutex_lock(&o->mu);
			s->stats.filtered += (uint64_t)filtered;
			pthread_mutex_unlock(&o->mu);
			if (!b.n) {
				ack(s, last, 0);
				continue;
			}
			have = true;
			first = 0;
		}
		if (s->drv->send(s->dst, &b, b.items + first, b.n - first, &done, err, sizeof(err)) == 0) {
			if (ack(s, last, b.n - first) == 0) {
				have = false;
				if (rows < (int)s->cfg.batch)
					next_stats = 0; /* the end of the backlog: let pending say 0 now */
			} else
				nap(o, BACKOFF_MIN_MS); /* the store is busy: retry the ack by resending */
			if (backoff)
				pr_info("output %s: delivering again\n", s->cfg.name);
			backoff = 0;
			pthread_mutex_lock(&o->mu);
			s->stats.healthy = true;
			s->stats.backoff_ms = 0;
			s->stats.last_error[0] = '\0';
			pthread_mutex_unlock(&o->mu);
			continue;
		}
		if (done && ack(s, b.items[first + done - 1].seq, done) == 0)
			first += done;
		backoff = backoff ? (backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2) : BACKOFF_MIN_MS;
		if (backoff == BACKOFF_MIN_MS) /* once per outage; last_error and the counters say the rest */
			pr_warn("output %s: %s (retrying, backing off up to %d s)\n", s->cfg.name, err,
				BACKOFF_MAX_MS / 1000);
		record_failure(s, err, backoff);
		/* Jitter (75..100 %) so that outputs behind one proxy do not retry in step. */
		nap(o, backoff - (int64_t)(rand_r(&s->seed) % (backoff / 4 + 1)));
	}
	fmt_buf_free(&b.buf);
	free(b.items);
	return NULL;
}

static void sender_free(struct sender *s)
{
	if (!s)
		return;
	if (s->dst)
		s->drv->close(s->dst);
	sqlite3_finalize(s->q_rows);
	sqlite3_finalize(s->q_ack);
	sqlite3_finalize(s->q_fail);
	sqlite3_finalize(s->q_delete);
	sqlite3_finalize(s->q_pending);
	store_close(&s->st);
	memset(s->token, 0, sizeof(s->token));
	free(s);
}

static int prepare(struct sender *s, const char *sql, sqlite3_stmt **st, char *err, size_t err_size)
{
	if (sqlite3_prepare_v2(s->st.db, sql, -1, st, NULL) == SQLITE_OK)
		return 0;
	snprintf(err, err_size, "output %s: %s: %s", s->cfg.name, sql, sqlite3_errmsg(s->st.db));
	return -1;
}

/* The statements; q_delete's IN list names every configured output, bound once. */
static int sender_prepare(struct sender *s, const struct iot_config *c, char *err, size_t err_size)
{
	char sql[1024], *p = sql;
	sqlite3_stmt *reg = NULL;
	int rc;

	p += sprintf(p, "DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE seq <= "
			"(SELECT min(acked_seq) FROM output_state WHERE name IN (");
	for (int i = 0; i < c->noutputs; i++)
		p += sprintf(p, "%s?%d", i ? "," : "", i + 1);
	sprintf(p, ")) ORDER BY seq LIMIT %d)", DELETE_CHUNK);
	if (prepare(s, sql, &s->q_delete, err, err_size) ||
	    prepare(s, "SELECT seq, record_id, kind, severity_id, created_at, body FROM outbox WHERE seq > ?1 "
		       "ORDER BY seq LIMIT ?2", &s->q_rows, err, err_size) ||
	    prepare(s, "UPDATE output_state SET acked_seq = max(acked_seq, ?1), sent = sent + ?2,"
		       " last_ok = coalesce(?3, last_ok), last_error = CASE WHEN ?3 IS NULL THEN last_error END"
		       " WHERE name = ?4", &s->q_ack, err, err_size) ||
	    prepare(s, "UPDATE output_state SET failures = failures + 1, last_error = ?1 WHERE name = ?2",
		    &s->q_fail, err, err_size) ||
	    prepare(s, "SELECT (SELECT count(*) FROM outbox WHERE seq > ?1),"
		       " (SELECT dropped FROM output_state WHERE name = ?2)", &s->q_pending, err, err_size))
		return -1;
	for (int i = 0; i < c->noutputs; i++)
		sqlite3_bind_text(s->q_delete, i + 1, c->outputs[i].name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s->q_ack, 4, s->cfg.name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s->q_fail, 2, s->cfg.name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s->q_pending, 2, s->cfg.name, -1, SQLITE_TRANSIENT);

	/* A new output starts at the oldest row still in the outbox. */
	if (prepare(s, "INSERT OR IGNORE INTO output_state (name, acked_seq) VALUES (?1,"
		       " coalesce((SELECT min(seq) FROM outbox) - 1, 0))", &reg, err, err_size))
		return -1;
	sqlite3_bind_text(reg, 1, s->cfg.name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(reg);
	sqlite3_finalize(reg);
	if (rc != SQLITE_DONE ||
	    prepare(s, "SELECT acked_seq, sent, failures, dropped FROM output_state WHERE name = ?1", &reg, err,
		    err_size)) {
		if (rc != SQLITE_DONE)
			snprintf(err, err_size, "output %s: registering in output_state: %s", s->cfg.name,
				 sqlite3_errmsg(s->st.db));
		return -1;
	}
	sqlite3_bind_text(reg, 1, s->cfg.name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(reg) == SQLITE_ROW) {
		s->acked = sqlite3_column_int64(reg, 0);
		s->stats.sent = (uint64_t)sqlite3_column_int64(reg, 1);
		s->stats.failures = (uint64_t)sqlite3_column_int64(reg, 2);
		s->stats.dropped = (uint64_t)sqlite3_column_int64(reg, 3);
	}
	sqlite3_finalize(reg);
	s->stats.acked_seq = s->acked;
	return 0;
}

static struct sender *sender_new(struct outputs *o, const struct iot_config *c, int i, const char *state_dir,
				 char *err, size_t err_size)
{
	struct sender *s = calloc(1, sizeof(*s));
	char e[512];

	if (!s) {
		snprintf(err, err_size, "out of memory");
		return NULL;
	}
	s->parent = o;
	s->cfg = c->outputs[i];
	s->drv = driver_of(s->cfg.type);
	s->seed = (unsigned int)(time(NULL) ^ (i * 7919) ^ getpid());
	s->fctx = (struct fmt_ctx){
		.sensor = o->sensor,
		.site = o->site,
		.zone = o->zone[0] ? o->zone : NULL,
		.hec_source = s->cfg.hec_source[0] ? s->cfg.hec_source : NULL,
		.hec_sourcetype = s->cfg.hec_sourcetype[0] ? s->cfg.hec_sourcetype : NULL,
		.hec_index = s->cfg.hec_index[0] ? s->cfg.hec_index : NULL,
		.elastic_index = s->cfg.elastic_index[0] ? s->cfg.elastic_index : NULL,
	};
	snprintf(s->stats.name, sizeof(s->stats.name), "%s", s->cfg.name);
	s->stats.type = output_type_name(s->cfg.type);
	s->stats.format = out_format_name(s->cfg.format);
	s->stats.healthy = true;
	if ((s->cfg.token_file[0] || s->cfg.token_env[0]) &&
	    config_read_secret(s->cfg.token_file, s->cfg.token_env, s->token, sizeof(s->token), e, sizeof(e)) < 0) {
		snprintf(err, err_size, "output %s: %s", s->cfg.name, e);
		goto fail;
	}
	if (store_open(&s->st, state_dir, false, e, sizeof(e)) < 0) {
		snprintf(err, err_size, "output %s: %s", s->cfg.name, e);
		goto fail;
	}
	if (sender_prepare(s, c, err, err_size) < 0)
		goto fail;
	s->env = (struct out_env){
		.cfg = &s->cfg,
		.token = s->token,
		.hostname = o->sensor,
		.stopping = &o->stopping,
		.deadline_ms = &o->deadline_ms,
	};
	if (s->drv->open(&s->dst, &s->env, e, sizeof(e)) < 0) {
		snprintf(err, err_size, "output %s: %s", s->cfg.name, e);
		goto fail;
	}
	return s;
fail:
	sender_free(s);
	return NULL;
}

static void curl_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct outputs *outputs_start(const struct iot_config *c, const char *state_dir, char *err, size_t err_size)
{
	static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
	struct outputs *o = calloc(1, sizeof(*o));
	pthread_condattr_t ca;

	if (!o) {
		snprintf(err, err_size, "out of memory");
		return NULL;
	}
	/* libcurl's global init is not thread-safe: once, here, before any sender thread. */
	pthread_once(&curl_once, curl_init);
	/* A collector that closes its end must be an error to retry, not a signal that kills the daemon. */
	signal(SIGPIPE, SIG_IGN);
	pthread_mutex_init(&o->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&o->cv, &ca);
	pthread_condattr_destroy(&ca);
	snprintf(o->sensor, sizeof(o->sensor), "%s", c->sensor);
	snprintf(o->site, sizeof(o->site), "%s", c->site);
	snprintf(o->zone, sizeof(o->zone), "%s", c->zone);
	for (int i = 0; i < c->noutputs; i++) {
		o->s[i] = sender_new(o, c, i, state_dir, err, err_size);
		if (!o->s[i])
			goto fail;
		o->n++;
	}
	for (int i = 0; i < o->n; i++) {
		int rc = pthread_create(&o->s[i]->th, NULL, sender_main, o->s[i]);

		if (rc) {
			snprintf(err, err_size, "output %s: cannot start its thread: %s", o->s[i]->cfg.name,
				 strerror(rc));
			goto fail;
		}
		o->s[i]->started = true;
	}
	return o;
fail:
	outputs_stop(o);
	return NULL;
}

void outputs_kick(struct outputs *o)
{
	if (!o)
		return;
	pthread_mutex_lock(&o->mu);
	o->kicks++;
	pthread_cond_broadcast(&o->cv);
	pthread_mutex_unlock(&o->mu);
}

void outputs_stop(struct outputs *o)
{
	if (!o)
		return;
	atomic_store(&o->deadline_ms, out_now_ms() + STOP_FLUSH_MS);
	pthread_mutex_lock(&o->mu);
	atomic_store(&o->stopping, true);
	pthread_cond_broadcast(&o->cv);
	pthread_mutex_unlock(&o->mu);
	for (int i = 0; i < o->n; i++) {
		if (o->s[i]->started)
			pthread_join(o->s[i]->th, NULL);
		sender_free(o->s[i]);
	}
	pthread_cond_destroy(&o->cv);
	pthread_mutex_destroy(&o->mu);
	free(o);
}

int outputs_stats(struct outputs *o, struct output_stats *out, int max)
{
	if (!o)
		return 0;
	pthread_mutex_lock(&o->mu);
	for (int i = 0; i < o->n && i < max; i++)
		out[i] = o->s[i]->stats;
	pthread_mutex_unlock(&o->mu);
	return o->n;
}
