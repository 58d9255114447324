/* SPDX-License-Identifier: GPL-2.0-only */
/* Internals shared by the feed importers (feed.c, feed_nvd.c, feed_kev.c); not an API. */
#ifndef IOTSENSE_VULNS_FEED_INT_H
#define IOTSENSE_VULNS_FEED_INT_H

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>

#include "vulns/feed.h"
#include "vulns/jstream.h"

/* The normalised file being written: tmp, renamed over path on commit. */
struct feed_out {
	FILE *f;
	char path[4096];
	char tmp[4200];
};

int feed_out_open(struct feed_out *o, const char *state_dir, const char *name, char *err, size_t err_size);
int feed_out_commit(struct feed_out *o, char *err, size_t err_size);
void feed_out_abort(struct feed_out *o);

struct feed_progress {
	bool enabled, shown;
	double next;
};

void feed_progress(struct feed_progress *p, const struct jstream *js, const struct feed_report *rep, bool done);
bool feed_cve_id_valid(const char *s);
size_t feed_utf8_cut(const char *s, size_t max);
/* "msg" -> "file: msg" */
void feed_prefix_error(char *err, size_t err_size, const char *file);

#endif
