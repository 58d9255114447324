/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * GET /metrics in the Prometheus text format 0.0.4, and the kernel view it shares with /api/v1/status: the
 * attachment registry (iot_attach) and the per-CPU counters (iot_counters) read through the pins.
 */
#ifndef IOTSENSE_API_METRICS_H
#define IOTSENSE_API_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iotsense_abi.h"

struct pipeline_stats;
struct store;

#define KVIEW_MAX_IFS 256

struct kernel_view {
	int nifs;			/* registry entries read */
	struct iot_attach_key keys[KVIEW_MAX_IFS];
	struct iot_attach ifs[KVIEW_MAX_IFS];
	bool have_counters;		/* iot_counters was there */
	struct iot_counters cnt[IOT_HOOK_MAX]; /* summed over CPUs, per hook */
};

/* Reads what the pins hold; a missing pin dir is an empty view (nothing attached), not an error. */
void kernel_view_read(const char *pin_dir, struct kernel_view *kv);
extern const char *const kernel_hook_names[IOT_HOOK_MAX];
extern const char *const kernel_xdp_mode_names[3];

/* A growable text buffer. */
struct prom {
	char *buf;
	size_t len, cap;
	bool oom;
};
void prom_printf(struct prom *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "# HELP name help\n# TYPE name type\n" */
void prom_family(struct prom *p, const char *name, const char *type, const char *help);
/* A label value escaped per the exposition format: \ as \\, " as \", newline as \n. */
void prom_label_value(struct prom *p, const char *v);

/* The parts of /metrics; each writes whole families. */
void metrics_kernel(struct prom *p, const struct kernel_view *kv);
void metrics_daemon(struct prom *p, const struct pipeline_stats *st);
/* s NULL: the store is not there (iotsense_store_up 0 and nothing else). */
void metrics_store(struct prom *p, struct store *s);

struct api_server;
/* The whole page (malloc'ed, NUL-terminated); NULL when out of memory. */
char *metrics_render(const struct api_server *a, size_t *len);

#endif
