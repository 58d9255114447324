/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The inventory store: SQLite in WAL mode at <state-dir>/iotsense.db. The daemon (and `replay --state-dir`)
 * writes the records it emits into it, in one transaction per batch, so the event loop never waits on the disk
 * per event; readers (the CLI, `hunt`, the API, the output senders) open their own connections. The schema is
 * versioned (PRAGMA user_version) and migrated forward on open by a writer; docs/hunting.md documents the
 * tables and views a person may query.
 *
 * Tables (see schema.c for the columns):
 *   devices             one row per device; discovered columns are rewritten by each device record, operator
 *                       columns (name, criticality, tags) only by `iotsense set/tag` and the API
 *   device_addresses    every IP and MAC a device was seen with (first/last seen)
 *   device_hostnames    every hostname
 *   device_services     "tcp/23" style services, split into transport and port
 *   device_observations the evidence: (device, key, value) with protocol, first/last seen, count, confidence,
 *                       flow; merged across restarts, trimmed by the retention limits
 *   alerts              one row per finding uid (count and last_seen grow)
 *   vulnerabilities     the current CVE matches of each device
 *   recommendations     the current open recommendations of each device, with their proof
 *   containment         devices contained now (mirrors the kernel map)
 *   outbox              every record for the outputs, in order (seq); output_state keeps each output's place
 */
#ifndef IOTSENSE_STORE_H
#define IOTSENSE_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_FILE_NAME "iotsense.db"
#define STORE_SCHEMA_VERSION 1

struct store_limits {
	uint64_t obs_max_age_s;	     /* observations not seen for this long are deleted; 0: kept */
	uint32_t obs_max_per_device; /* beyond it the least recently seen go; 0: no limit */
	uint64_t outbox_max_records; /* beyond it the oldest records go, counted per output; 0: no limit */
};
#define STORE_OBS_MAX_AGE_S_DEFAULT (30ull * 86400)
#define STORE_OBS_MAX_PER_DEVICE_DEFAULT 2000
#define STORE_OUTBOX_MAX_DEFAULT 200000

/* Who the sensor is: stamped on every device row and record (sensor.name, site, zone of the config). */
struct store_identity {
	const char *sensor, *site, *zone;
};

struct store {
	sqlite3 *db;
	char path[4096];
	bool readonly;
	bool outbox;			/* records also go to the outbox (a daemon with outputs) */
	struct store_limits limits;
	struct store_identity id;
	uint64_t records, devices, alerts; /* written since open */
	uint64_t skipped;		   /* records the tables refused (a constraint): skipped, counted */
	uint64_t outbox_dropped;	   /* records the outbox bound removed before every output had them */
};

/* <state_dir>/iotsense.db into buf; returns buf. */
const char *store_path(const char *state_dir, char *buf, size_t size);
/*
 * Opens (a writer creates the directory and the file, turns on WAL and migrates the schema; a reader needs the
 * file to exist and sees a read-only connection: anything that writes fails with SQLITE_READONLY). Returns 0,
 * or -1 with a message in err that says what to do next.
 */
int store_open(struct store *s, const char *state_dir, bool readonly, char *err, size_t err_size);
void store_close(struct store *s);
/* Applies every migration newer than the file's user_version (schema.c). 0 or -1 with err. */
int store_migrate(sqlite3 *db, char *err, size_t err_size);

/*
 * Writes a batch of NDJSON records (device, alert; other kinds are ignored by the tables but still go to the
 * outbox when it is on) in one transaction. Returns the number of records stored, or -1 (err says why; the
 * transaction was rolled back, nothing half-written).
 */
int store_put_ndjson(struct store *s, const char *buf, size_t len, char *err, size_t err_size);
/* Replaces the containment table with the daemon's view (ids in the inventory's "mac:"/"ip:" form). */
struct inv_contained;
int store_put_containment(struct store *s, const struct inv_contained *l, int n);
/* Applies the outbox bound alone (cheap: the daemon calls it at every snapshot); returns the records some output
 * lost (also added to s->outbox_dropped) or -1. */
int64_t store_outbox_bound(struct store *s);
/* Applies the retention limits (and the outbox bound); returns observation rows removed or -1. */
int64_t store_retention(struct store *s, uint64_t now_epoch_s);

/* Operator knowledge: name, criticality (low|medium|high), tags (key=value). */
struct store_device_settings {
	char id[64];
	char name[128];
	char criticality[8];
	char *tags_json; /* {"key":"value",...}, malloc'ed; NULL when none */
};
/* Sets one field ("name", "criticality") or a tag ("tag:KEY", value NULL removes it). -ENOENT: no such device. */
int store_set_device_field(struct store *s, const char *id, const char *field, const char *value, char *err,
			   size_t err_size);
/* Every device with operator knowledge; free with store_free_settings(). 0 or -1. */
int store_get_settings(struct store *s, struct store_device_settings **out, int *n);
void store_free_settings(struct store_device_settings *l, int n);
/* A counter of operator changes; the daemon re-reads the settings when it moves. */
int64_t store_settings_version(struct store *s);

/* A device id from its id, a bare MAC or IP, or its operator name: 1 found (id set), 0 none, 2 ambiguous, -1. */
int store_resolve_device(struct store *s, const char *query, char *id, size_t size);

/* Runs a read-only statement and calls row() per row; for hunt and the readers. */
int store_query(struct store *s, const char *sql, int (*row)(void *ctx, sqlite3_stmt *st), void *ctx, char *err,
		size_t err_size);

/* `status`: the store's size and each output's place in the outbox. */
#define STORE_SUMMARY_OUTPUTS 16
struct store_output_summary {
	char name[64];
	int64_t acked_seq, sent, failures, dropped, queued;
	char last_error[256], last_ok[40];
};
struct store_summary {
	char path[4096];
	int64_t devices, alerts, outbox, observations;
	struct store_output_summary outputs[STORE_SUMMARY_OUTPUTS];
	int noutputs;
};
/* Opens the store read-only for it. 0, or -1 with err (no store yet, say). */
int store_summary(const char *state_dir, struct store_summary *out, char *err, size_t err_size);

#endif
