/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The sensor about itself: alert records (device id "sensor") when it loses data or is about to. Records lost
 * because the ring buffer was full (the consumer fell behind), a flow table so full that new flows evict
 * others, and the output queue overflowing. Each is raised when its count grows, at most once per interval,
 * with a stable finding uid, so the store keeps one row per kind whose count grows.
 */
#ifndef IOTSENSE_SENSOR_HEALTH_H
#define IOTSENSE_SENSOR_HEALTH_H

#include <stdint.h>
#include <stdio.h>

#include "lib/jsonw.h"

struct sensor_health {
	uint64_t rb_fail_told;	   /* IOT_CNT_RB_FAIL when last raised (or at start: older losses are not ours) */
	uint64_t rb_fail_last_ns;  /* when last raised */
	uint64_t flows_full_last_ns;
	uint64_t flows_added;	   /* entries the kernel put into iot_flows (counters), at the last tick */
	uint64_t flows_after;	   /* iot_flows entries after the last tick's sweep (a lower bound) */
	uint32_t flows_max;	   /* the flow table's max_entries (0 until known) */
	bool started;
};

/* Raised again at most this often while the count keeps growing. */
#define SENSOR_ALERT_INTERVAL_S 60
/*
 * A table this full (per cent of max_entries) is about to evict. It is not the only sign: an LRU hash keeps
 * free entries parked per CPU (up to 128 each), so a table that evicts can sit well below this (75% of 1024
 * entries on 2 CPUs); flows the kernel added beyond what the table kept are the other (see the tick).
 */
#define SENSOR_FLOWS_FULL_PCT 90

/*
 * One alert record about the sensor: finding uid (stable), title, desc, severity ("high", ...), how many, and
 * whether it is the first of its kind (activity created vs updated). now_ns is wall-clock time.
 */
void sensor_alert_write(struct jsonw *jw, FILE *out, const char *uid, const char *title, const char *desc,
			const char *severity, uint64_t count, bool first, uint64_t now_ns);

/*
 * Once a second from the daemon's loop, after its flow sweep: reads the kernel counters (counters_fd, the
 * pinned iot_counters), compares the flows the sweep walked over (flows_in_table) with the table's size
 * (flows_fd's max_entries) and with the entries the kernel added since the last tick (evicted ones are
 * missing); writes alert records to out. Returns how many it wrote.
 */
int sensor_health_tick(struct sensor_health *h, int counters_fd, int flows_fd, uint64_t flows_in_table,
		       struct jsonw *jw, FILE *out, uint64_t mono_ns, uint64_t now_ns);

#endif
