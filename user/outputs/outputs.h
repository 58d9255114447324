/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The output senders: one thread per configured output, each with its own read-write store connection. The
 * daemon appends every record to the store's outbox; a sender reads the rows after its output_state.acked_seq
 * in order, skips what the output's records/min_severity filter out, renders the rest (format.h), sends a
 * batch, and only then advances acked_seq (in the same transaction it counts what it sent). A failure counts,
 * keeps last_error, and retries the same batch after an exponential backoff (1 s .. 60 s, with jitter), so
 * order is kept and a restart resumes from acked_seq: at least once, a duplicate carries the same record_id.
 * Rows every configured output has acked are deleted by the senders, a few hundred at a time. The outbox
 * bound (outbox_max_records, counted in output_state.dropped) is the store's (store_retention).
 *
 * The transports (one file each, behind struct out_driver in out_int.h): ndjson (a file rotated by size, or
 * stdout), syslog (UDP, TCP with octet counting and reconnect, unix datagram or stream), http (libcurl POST
 * batches, optional gzip, Authorization header, TLS verification on by default).
 */
#ifndef IOTSENSE_OUTPUTS_H
#define IOTSENSE_OUTPUTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct outputs;

/*
 * Starts one sender per output of c (none: returns a valid, idle handle). Reads the tokens, opens the store
 * connections and registers each output in output_state (a new one starts at the oldest row still in the
 * outbox); the network is reached from the threads, so a collector that is down is not an error here.
 * Returns NULL with err ("output NAME: what to do") when an output cannot start at all.
 */
struct outputs *outputs_start(const struct iot_config *c, const char *state_dir, char *err, size_t err_size);
/* Wakes the senders now (new rows were committed) instead of at their next poll (250 ms). Optional. */
void outputs_kick(struct outputs *o);
/* Flushes what it can within ~2 s (no new retries after that), then stops and frees. NULL is fine. */
void outputs_stop(struct outputs *o);

/* One output's state, for `status` and /metrics. Counters are cumulative across restarts (output_state). */
struct output_stats {
	char name[64];
	const char *type;	 /* "ndjson" | "syslog" | "http" */
	const char *format;	 /* "json", "cef", ... */
	uint64_t sent;		 /* records delivered (acked) */
	uint64_t filtered;	 /* records skipped by records/min_severity since start */
	uint64_t failures;	 /* failed sends (each retry counts) */
	uint64_t dropped;	 /* records the outbox bound removed before this output had them */
	uint64_t pending;	 /* rows after acked_seq (refreshed every ~2 s) */
	int64_t acked_seq;
	int64_t last_ok;	 /* unix seconds of the last successful send; 0: never */
	int64_t last_failure;	 /* unix seconds of the last failure; 0: none since start */
	unsigned int backoff_ms; /* current retry delay; 0 when healthy */
	bool healthy;		 /* the last attempt succeeded (or nothing was tried yet) */
	char last_error[256];	 /* "" when the last attempt succeeded */
};

/*
 * Copies the state of up to max outputs into out (config order); returns how many outputs there are (which may
 * be more than max). Thread-safe; cheap (no store access). o NULL: 0.
 */
int outputs_stats(struct outputs *o, struct output_stats *out, int max);

#endif
