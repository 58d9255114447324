/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the read commands `alerts` and `device` share. Both read the store (<state-dir>/iotsense.db) or, with
 * --from FILE, an NDJSON file of records (the output of `iotsense replay`), and give the same answers from
 * either: a device is found by its id, a MAC or IP it was seen with, or (store only) its operator name; its
 * alerts are the ones that name its id, its MAC or any of its IPs (the store's device_alerts view).
 * Implemented in cmd_device.c (finding devices) and cmd_alerts.c (collecting and printing alerts).
 */
#ifndef IOTSENSE_READERS_H
#define IOTSENSE_READERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "device_file.h"
#include "store/store.h"

/* "AA-BB-CC-DD-EE-FF" → "aa:bb:cc:dd:ee:ff", "MAC:AA:.." → "mac:aa:..", IPv6 to its canonical text. */
void reader_normalize_id(const char *in, char *out, size_t size);
/*
 * The device that arg names: its id into id. 0, -ENOENT (none), or -1 with err (ambiguous name, SQL error).
 * When an address was used by several devices, the one that used it last wins.
 */
int device_find_store(struct store *s, const char *arg, char *id, size_t id_size, char *err, size_t err_size);
/* The index in set of the device that arg names, or -1. */
long device_find_set(const struct device_set *set, const char *arg);

struct alert_query {
	int min_severity;	/* severity_id (1 informational .. 5 critical); 0: every alert */
	const char *type;	/* finding type (finding.types[0]), or NULL */
	const char *device;	/* as typed (id, IP or MAC), or NULL */
	const char *device_id;	/* the device it names, when known (its alerts by any of its addresses) */
	const json_t *device_rec; /* --from: that device's "device" object (id, mac, ips), when known */
	char since[40];		/* RFC 3339 UTC with microseconds (compares as text), or "" */
	unsigned long limit;	/* 0: all */
};

/* Alert records (whole, as emitted), newest last_seen first, into *out; *more counts those past the limit. */
int alerts_from_store(struct store *s, const struct alert_query *q, json_t **out, unsigned long *more, char *err,
		      size_t err_size);
int alerts_from_file(const char *path, const struct alert_query *q, json_t **out, unsigned long *more, char *err,
		     size_t err_size);
/* The alerts table: last seen, severity, title, device, count, rule; indent spaces before each line. */
void alerts_print_table(const json_t *alerts, FILE *f, unsigned indent);
/* "2024-05-01T10:00:00.123456Z" → "2024-05-01 10:00:00" (UTC), for tables. */
const char *reader_short_time(const char *t, char *buf, size_t size);

#endif
