/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * From ring-buffer records to NDJSON: validate each record, run the decoders on snippets, write one JSON record
 * per event. Live and replay share it; only the clock differs.
 */
#ifndef IOTSENSE_PIPELINE_H
#define IOTSENSE_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "decoders/decoder.h"
#include "inventory.h"
#include "lib/jsonw.h"

struct alerts;
struct derive;

struct pipeline_stats {
	uint64_t events;	/* records consumed */
	uint64_t bad_events;	/* records that failed validation (size, type, version) */
	uint64_t flow_starts, flow_ends, snippets;
	uint64_t observations;
	uint64_t decoder_malformed;
	uint64_t decoder_dropped;
	uint64_t write_errors;
	uint64_t flows_in_table;	/* keys the last flows_sweep() walked over */
	uint64_t flood_records;		/* IOT_EV_FLOOD: new flows shed over a budget in the kernel */
};

struct pipeline {
	FILE *out;
	bool replay;		 /* record times are epoch ns already */
	bool print_payload;	 /* include the escaped snippet bytes in payload records */
	int64_t mono_to_real_ns; /* live: add to a CLOCK_MONOTONIC time to get epoch ns */
	struct jsonw jw;
	struct dec_out dec;
	struct inventory *inv;	 /* NULL: payload and flow records only */
	struct derive *derive;	 /* session facts for the inventory (allocated with the first snippet) */
	struct alerts *alerts;	 /* NULL: no alerts (assess/alerts.h); not owned */
	struct pipeline_stats st;
};


void pipeline_init(struct pipeline *p, FILE *out, bool replay);
void pipeline_free(struct pipeline *p);
/* ring_buffer_sample_fn: consumes one record. Never fails the ring (returns 0). */
int pipeline_event(void *ctx, void *data, size_t len);
/* Re-reads the clock offset (live mode); call now and then, the wall clock may be stepped. */
void pipeline_sync_clock(struct pipeline *p);
uint64_t pipeline_epoch_ns(const struct pipeline *p, uint64_t ev_ns);

#endif
