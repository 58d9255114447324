/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where records go besides the NDJSON output: a stdio stream that passes every byte on to the output (when
 * there is one) and keeps the records for the store, which takes them in one transaction per commit. The
 * pipeline, the inventory and the alert engine keep writing to a FILE * and need not know about the store.
 */
#ifndef IOTSENSE_RECORD_TEE_H
#define IOTSENSE_RECORD_TEE_H

#include <stdint.h>
#include <stdio.h>

struct store;

struct record_tee {
	FILE *f;	  /* write records here */
	FILE *out;	  /* NULL: the store only */
	struct store *store;
	char *buf;	  /* bytes not yet committed to the store */
	size_t len, cap;
	uint64_t commits, store_errors;
	char last_error[512];
};

/* 0, or -1 (errno). */
int record_tee_open(struct record_tee *t, FILE *out, struct store *store);
/* Flushes f and writes the complete records held so far to the store in one transaction. Returns the number of
 * records the store took, or -1 (the error is in last_error and was logged; the records stay queued, bounded). */
int record_tee_commit(struct record_tee *t);
/* Commits what is left and closes f (not out). */
void record_tee_close(struct record_tee *t);

#endif
