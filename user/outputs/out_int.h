/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Inside the output senders: a batch of rendered records and the transport interface each out_<type>.c
 * implements. A transport never touches the store; the sender (sender.c) decides what is acked.
 */
#ifndef IOTSENSE_OUTPUTS_OUT_INT_H
#define IOTSENSE_OUTPUTS_OUT_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "outputs/format.h"

/* One record to send: its rendering is buf[off, off + len) of the batch (no trailing newline). */
struct out_item {
	int64_t seq;
	int severity_id;	/* OCSF 0..6, from the outbox row */
	int64_t time_s;		/* when the record was queued (unix seconds): the syslog timestamp */
	size_t off, len;
	char record_id[33];
	char kind[16];		/* device | alert | vulnerability | recommendation (the syslog MSGID) */
};

struct out_batch {
	struct out_item *items;
	size_t n, cap;
	struct fmt_buf buf;
};

/* What a transport gets at open: the output, its token ("" when none), and the sender's stop signal. */
struct out_env {
	const struct output_config *cfg;
	const char *token;
	const char *hostname;	     /* the syslog HOSTNAME field: the sensor name */
	const atomic_bool *stopping; /* outputs_stop() was called: finish quickly */
	const _Atomic int64_t *deadline_ms; /* CLOCK_MONOTONIC ms after which a transfer in progress is abandoned */
};

struct out_driver {
	/* Prepares the transport (no network yet: a collector that is down is not an open error). */
	int (*open)(void **state, const struct out_env *env, char *err, size_t err_size);
	/*
	 * Sends items[0, n) in order; *done = how many were delivered before a failure (all of them when it
	 * returns 0). -1 with err on failure; the sender retries items[*done, n) later.
	 */
	int (*send)(void *state, const struct out_batch *b, const struct out_item *items, size_t n, size_t *done,
		    char *err, size_t err_size);
	void (*close)(void *state);
};

extern const struct out_driver out_ndjson, out_syslog, out_http;

int64_t out_now_ms(void); /* CLOCK_MONOTONIC */

#endif
