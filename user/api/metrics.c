// SPDX-License-Identifier: GPL-2.0-only
/*
 * /metrics: Prometheus text format 0.0.4. Kernel counters come from the pinned per-CPU array (summed over CPUs,
 * one sample per hook), daemon counters from the pipeline when the daemon serves, the inventory's gauges and
 * the outputs' counters from the store. Every family has # HELP and # TYPE and appears once; label values are
 * escaped, since interface names, device types and output names are not ours to trust.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "api/metrics.h"
#include "api/routes.h"
#include "loader.h"
#include "pipeline.h"
#include "store/store.h"

const char *const kernel_hook_names[IOT_HOOK_MAX] = { "xdp", "tc_ingress", "tc_egress" };
const char *const kernel_xdp_mode_names[3] = { "none", "native", "skb" };

void kernel_view_read(const char *pin_dir, struct kernel_view *kv)
{
	struct iot_attach_key *prev = NULL;
	int fd;

	memset(kv, 0, sizeof(*kv));
	fd = registry_open(pin_dir);
	if (fd >= 0) {
		while (kv->nifs < KVIEW_MAX_IFS && !bpf_map_get_next_key(fd, prev, &kv->keys[kv->nifs])) {
			if (bpf_map_lookup_elem(fd, &kv->keys[kv->nifs], &kv->ifs[kv->nifs]))
				break;
			kv->ifs[kv->nifs].ifname[sizeof(kv->ifs[0].ifname) - 1] = '\0';
			prev = &kv->keys[kv->nifs++];
		}
		close(fd);
	}
	fd = loader_open_pinned(pin_dir, "iot_counters");
	if (fd >= 0) {
		kv->have_counters = true;
		for (int h = 0; h < IOT_HOOK_MAX; h++)
			if (counters_read(fd, h, &kv->cnt[h]))
				kv->have_counters = false;
		close(fd);
	}
}

void prom_printf(struct prom *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(p->buf ? p->buf + p->len : NULL, p->buf ? p->cap - p->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			p->oom = true;
			return;
		}
		if (p->buf && p->len + (size_t)n < p->cap) {
			p->len += (size_t)n;
			return;
		}
		size_t cap = p->cap ? p->cap * 2 : 4096;
		char *nb;

		while (cap < p->len + (size_t)n + 1)
			cap *= 2;
		nb = realloc(p->buf, cap);
		if (!nb) {
			p->oom = true;
			return;
		}
		p->buf = nb;
		p->cap = cap;
	}
}

void prom_family(struct prom *p, const char *name, const char *type, const char *help)
{
	prom_printf(p, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void prom_label_value(struct prom *p, const char *v)
{
	for (const char *s = v ? v : ""; *s; s++) {
		if (*s == '\\')
			prom_printf(p, "\\\\");
		else if (*s == '"')
			prom_printf(p, "\\\"");
		else if (*s == '\n')
			prom_printf(p, "\\n");
		else
			prom_printf(p, "%c", *s);
	}
}

/* name{label="value"} N */
static void sample1(struct prom *p, const char *name, const char *label, const char *value, uint64_t n)
{
	prom_printf(p, "%s{%s=\"", name, label);
	prom_label_value(p, value);
	prom_printf(p, "\"} %llu\n", (unsigned long long)n);
}

/* The four counters the brief names get short names; every other is iotsense_kernel_<name>_total. */
static void kernel_metric_name(int i, char *buf, size_t size, bool *renamed)
{
	*renamed = true;
	switch (i) {
	case IOT_CNT_PACKETS:
		snprintf(buf, size, "iotsense_packets_total");
		break;
	case IOT_CNT_BYTES:
		snprintf(buf, size, "iotsense_bytes_total");
		break;
	case IOT_CNT_FLOWS_CREATED:
		snprintf(buf, size, "iotsense_flows_total");
		break;
	case IOT_CNT_RB_FAIL:
		snprintf(buf, size, "iotsense_ringbuf_drops_total");
		break;
	default:
		*renamed = false;
		snprintf(buf, size, "iotsense_kernel_%s_total", iot_counter_names[i]);
	}
}

void metrics_kernel(struct prom *p, const struct kernel_view *kv)
{
	prom_family(p, "iotsense_kernel_attached_interfaces", "gauge",
		    "Interfaces the sensor is attached to (the pinned attachment registry).");
	prom_printf(p, "iotsense_kernel_attached_interfaces %d\n", kv->nifs);
	prom_family(p, "iotsense_interface_info", "gauge",
		    "One sample per attached interface: its name, index, XDP mode and program ids.");
	for (int i = 0; i < kv->nifs; i++) {
		const struct iot_attach *a = &kv->ifs[i];

		prom_printf(p, "iotsense_interface_info{ifname=\"");
		prom_label_value(p, a->ifname);
		prom_printf(p, "\",ifindex=\"%u\",netns=\"%llu\",xdp_mode=\"%s\",xdp_prog_id=\"%u\",tc_egress_prog_id=\"%u\"} 1\n",
			    kv->keys[i].ifindex, (unsigned long long)kv->keys[i].netns,
			    kernel_xdp_mode_names[a->xdp_mode % 3], a->xdp_prog_id, a->tc_eg_prog_id);
	}
	prom_family(p, "iotsense_interface_attached_timestamp_seconds", "gauge",
		    "When the sensor was attached to the interface (Unix time).");
	for (int i = 0; i < kv->nifs; i++) {
		prom_printf(p, "iotsense_interface_attached_timestamp_seconds{ifname=\"");
		prom_label_value(p, kv->ifs[i].ifname);
		prom_printf(p, "\",ifindex=\"%u\"} %llu\n", kv->keys[i].ifindex,
			    (unsigned long long)(kv->ifs[i].attached_ns / 1000000000ull));
	}
	if (!kv->have_counters)
		return;
	for (int c = 0; c < IOT_CNT_MAX; c++) {
		char name[96], help[160];
		bool renamed;

		kernel_metric_name(c, name, sizeof(name), &renamed);
		snprintf(help, sizeof(help), "Kernel counter %s (summed over CPUs), per hook%s.", iot_counter_names[c],
			 c == IOT_CNT_RB_FAIL ? ": records lost because the ring buffer was full" : "");
		prom_family(p, name, "counter", help);
		for (int h = 0; h < IOT_HOOK_MAX; h++)
			sample1(p, name, "hook", kernel_hook_names[h], kv->cnt[h].c[c]);
	}
}

#define LOAD(f) ((unsigned long long)__atomic_load_n(&st->f, __ATOMIC_RELAXED))

void metrics_daemon(struct prom *p, const struct pipeline_stats *st)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} simple[] = {
		{ "iotsense_events_total", "Ring-buffer records the daemon consumed.",
		  offsetof(struct pipeline_stats, events) },
		{ "iotsense_bad_events_total", "Ring-buffer records that failed validation (size, type, version).",
		  offsetof(struct pipeline_stats, bad_events) },
		{ "iotsense_observations_total", "Observations the decoders produced.",
		  offsetof(struct pipeline_stats, observations) },
		{ "iotsense_daemon_flow_starts_total", "Flow-start records the daemon consumed.",
		  offsetof(struct pipeline_stats, flow_starts) },
		{ "iotsense_daemon_flow_ends_total", "Flow-end records the daemon consumed.",
		  offsetof(struct pipeline_stats, flow_ends) },
		{ "iotsense_daemon_snippets_total", "Payload snippets the daemon decoded.",
		  offsetof(struct pipeline_stats, snippets) },
		{ "iotsense_record_write_errors_total", "Records the daemon failed to write.",
		  offsetof(struct pipeline_stats, write_errors) },
	};

	for (size_t i = 0; i < sizeof(simple) / sizeof(simple[0]); i++) {
		const uint64_t *v = (const uint64_t *)((const char *)st + simple[i].off);

		prom_family(p, simple[i].name, "counter", simple[i].help);
		prom_printf(p, "%s %llu\n", simple[i].name, (unsigned long long)__atomic_load_n(v, __ATOMIC_RELAXED));
	}
	prom_family(p, "iotsense_decoder_errors_total", "counter",
		    "Decoder errors: malformed payloads, and observations dropped for lack of room.");
	prom_printf(p, "iotsense_decoder_errors_total{reason=\"malformed\"} %llu\n", LOAD(decoder_malformed));
	prom_printf(p, "iotsense_decoder_errors_total{reason=\"dropped\"} %llu\n", LOAD(decoder_dropped));
}

/* One family from a two-column (label, count) query. */
static void store_family(struct prom *p, struct store *s, const char *name, const char *type, const char *help,
			 const char *label, const char *sql)
{
	sqlite3_stmt *st;

	prom_family(p, name, type, help);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return;
	while (sqlite3_step(st) == SQLITE_ROW)
		sample1(p, name, label, (const char *)sqlite3_column_text(st, 0),
			(uint64_t)sqlite3_column_int64(st, 1));
	sqlite3_finalize(st);
}

void metrics_store(struct prom *p, struct store *s)
{
	static const struct {
		const char *name, *type, *help;
		int col;
	} out_fams[] = {
		{ "iotsense_output_queue_depth", "gauge", "Outbox records this output has not acknowledged yet.", 1 },
		{ "iotsense_output_sent_total", "counter", "Records this output delivered.", 2 },
		{ "iotsense_output_failures_total", "counter", "Failed delivery attempts of this output.", 3 },
		{ "iotsense_output_dropped_total", "counter",
		  "Records the outbox bound removed before this output had them.", 4 },
	};
	sqlite3_stmt *st;

	prom_family(p, "iotsense_store_up", "gauge", "1 when the inventory store could be read.");
	prom_printf(p, "iotsense_store_up %d\n", s ? 1 : 0);
	if (!s)
		return;
	store_family(p, s, "iotsense_devices", "gauge", "Devices in the inventory, by type.", "type",
		     "SELECT coalesce(type, 'unknown'), count(*) FROM devices GROUP BY 1 ORDER BY 1");
	store_family(p, s, "iotsense_devices_by_risk", "gauge", "Devices in the inventory, by risk level.", "risk",
		     "SELECT risk, count(*) FROM devices GROUP BY 1 ORDER BY 1");
	store_family(p, s, "iotsense_devices_contained", "gauge", "Devices contained now, by kind of id.", "kind",
		     "SELECT substr(id, 1, instr(id, ':') - 1), count(*) FROM devices WHERE contained != 0"
		     " GROUP BY 1 ORDER BY 1");
	store_family(p, s, "iotsense_alerts", "gauge", "Alerts in the store, by severity.", "severity",
		     "SELECT severity, count(*) FROM alerts GROUP BY 1 ORDER BY 1");
	store_family(p, s, "iotsense_vulnerabilities", "gauge",
		     "Vulnerability matches on the inventory's devices, by whether CISA lists them as exploited.",
		     "kev", "SELECT CASE WHEN kev != 0 THEN 'true' ELSE 'false' END, count(*) FROM vulnerabilities"
			    " GROUP BY 1 ORDER BY 1");
	for (size_t f = 0; f < sizeof(out_fams) / sizeof(out_fams[0]); f++) {
		prom_family(p, out_fams[f].name, out_fams[f].type, out_fams[f].help);
		if (sqlite3_prepare_v2(s->db,
				       "SELECT o.name, (SELECT count(*) FROM outbox WHERE seq > o.acked_seq), o.sent,"
				       " o.failures, o.dropped FROM output_state o ORDER BY o.name",
				       -1, &st, NULL) != SQLITE_OK)
			continue;
		while (sqlite3_step(st) == SQLITE_ROW)
			sample1(p, out_fams[f].name, "output", (const char *)sqlite3_column_text(st, 0),
				(uint64_t)sqlite3_column_int64(st, out_fams[f].col));
		sqlite3_finalize(st);
	}
}

char *metrics_render(const struct api_server *a, size_t *len)
{
	struct kernel_view *kv = calloc(1, sizeof(*kv));
	struct prom p = {};
	struct store s;
	char err[512];

	if (!kv)
		return NULL;
	kernel_view_read(a->pin_dir, kv);
	metrics_kernel(&p, kv);
	free(kv);
	if (a->o.daemon_stats)
		metrics_daemon(&p, a->o.daemon_stats);
	if (store_open(&s, a->state_dir, true, err, sizeof(err))) {
		metrics_store(&p, NULL);
	} else {
		metrics_store(&p, &s);
		store_close(&s);
	}
	prom_family(&p, "iotsense_api_requests_total", "counter", "Requests this API server answered.");
	prom_printf(&p, "iotsense_api_requests_total %llu\n",
		    (unsigned long long)__atomic_load_n(&a->requests, __ATOMIC_RELAXED));
	prom_family(&p, "iotsense_api_errors_total", "counter", "Error responses of this API server, by class.");
	prom_printf(&p, "iotsense_api_errors_total{class=\"4xx\"} %llu\n",
		    (unsigned long long)__atomic_load_n(&a->responses_4xx, __ATOMIC_RELAXED));
	prom_printf(&p, "iotsense_api_errors_total{class=\"5xx\"} %llu\n",
		    (unsigned long long)__atomic_load_n(&a->responses_5xx, __ATOMIC_RELAXED));
	prom_family(&p, "iotsense_up", "gauge", "1: this process is serving.");
	prom_printf(&p, "iotsense_up 1\n");
	if (p.oom) {
		free(p.buf);
		return NULL;
	}
	*len = p.len;
	return p.buf;
}
