/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef IOTSENSE_REPLAY_H
#define IOTSENSE_REPLAY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "loader.h"

struct replay_totals {
	uint64_t packets, bytes, skipped_short, truncated, run_errors, files_failed;
};

/*
 * Runs the real XDP program over every packet of each capture (pcap or pcapng) with bpf_prog_test_run_opts and
 * feeds the records to the pipeline writing NDJSON to out. Returns 0, 1 when a file failed (its records up
 * to the failing packet are still written), or 2 when the fingerprint rules are invalid.
 */
struct alerts;
/* alerts: the engine fed by every capture (may be NULL); the caller flushes and frees it. */
int replay_files(char *const *files, int nfiles, const struct loader_opts *lo, FILE *out, bool progress,
		 struct alerts *alerts, struct replay_totals *tot);

#endif
