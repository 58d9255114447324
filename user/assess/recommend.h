/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Security recommendations: the catalog (rules/recommendations.yaml, format in rules/README-recommendations.md)
 * and its evaluation on a device. A recommendation is open on a device when one of its proofs holds: a proof is a
 * set of "key: pattern" conditions over the device's observations (PCRE2, like the fingerprint rules), all of
 * which must hold. Decided from passive evidence only; each open recommendation names the observation that
 * proves it (key, value, flow, time).
 */
#ifndef IOTSENSE_RECOMMEND_H
#define IOTSENSE_RECOMMEND_H

#include <stddef.h>
#include <stdint.h>

#include "../lib/jsonw.h"

#define REC_FILE "recommendations.yaml"

struct rec_catalog;

/* One observation of a device, as the evaluation sees it. */
struct assess_attr {
	const char *key;
	const char *value;
	const char *flow;  /* "" when unknown */
	uint64_t first_ns; /* when this value was first seen */
};

struct rec_info {
	const char *id, *title, *severity, *category, *remediation;
};

/* Loads path; NULL with "file:line:col: message" in err on the first error. */
struct rec_catalog *rec_load(const char *path, char *err, size_t err_size);
void rec_free(struct rec_catalog *c);
size_t rec_count(const struct rec_catalog *c);
const struct rec_info *rec_info(const struct rec_catalog *c, size_t i);
/* The catalog file to load: <rules root>/recommendations.yaml; rules_dir as for classify_rules_dir(). */
const char *rec_catalog_path(const char *rules_dir, char *buf, size_t size);

/*
 * Writes "recommendations": [{id, title, severity, category, remediation, proof: [{key, value, flow, first_seen}]}]
 * for the open ones (proof: the observation that satisfied each condition of the proof that holds) into the open JSON object; returns how many are open. c may be NULL (writes an empty list).
 */
int rec_put_device(struct jsonw *w, const struct rec_catalog *c, const struct assess_attr *attrs, size_t n,
		   int *max_severity);
/* 1 low, 2 medium, 3 high, 4 critical; 0 for anything else. */
int rec_severity_rank(const char *severity);

#endif
