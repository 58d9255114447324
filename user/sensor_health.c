// SPDX-License-Identifier: GPL-2.0-only
/* The sensor's alerts about itself (see sensor_health.h). */
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "iotsense_abi.h"
#include "sensor_health.h"

static uint64_t severity_id(const char *s)
{
	static const char *const names[] = { "informational", "low", "medium", "high", "critical" };

	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i]))
			return i + 1;
	return 0;
}

void sensor_alert_write(struct jsonw *jw, FILE *out, const char *uid, const char *title, const char *desc,
			const char *severity, uint64_t count, bool first, uint64_t now_ns)
{
	char rule[96];

	snprintf(rule, sizeof(rule), "builtin:%s", uid);
	jw_reset(jw);
	jw_obj_open(jw);
	jw_kstr(jw, "record", "alert");
	jw_ku64(jw, "class_uid", 2004);
	jw_ku64(jw, "category_uid", 2);
	jw_ku64(jw, "activity_id", first ? 1 : 2);
	jw_ku64(jw, "type_uid", first ? 200401 : 200402);
	jw_ktime(jw, "time", now_ns);
	jw_kstr(jw, "severity", severity);
	jw_ku64(jw, "severity_id", severity_id(severity));
	jw_key(jw, "finding");
	jw_obj_open(jw);
	jw_kstr(jw, "uid", uid);
	jw_kstr(jw, "title", title);
	jw_key(jw, "types");
	jw_arr_open(jw);
	jw_str(jw, uid);
	jw_arr_close(jw);
	jw_kstr(jw, "desc", desc);
	jw_obj_close(jw);
	jw_key(jw, "attacks");
	jw_arr_open(jw);
	jw_arr_close(jw);
	jw_key(jw, "device");
	jw_obj_open(jw);
	jw_kstr(jw, "id", "sensor");
	jw_obj_close(jw);
	jw_ktime(jw, "first_seen", now_ns);
	jw_ktime(jw, "last_seen", now_ns);
	jw_ku64(jw, "count", count);
	jw_kstr(jw, "rule", rule);
	jw_obj_close(jw);
	jw_end_line(jw);
	if (!jw->oom)
		fwrite(jw->buf, 1, jw->len, out);
}

/* The kernel's counters summed over the hooks. */
struct health_counts {
	uint64_t rb_fail;     /* records the ring buffer had no room for */
	uint64_t flows_added; /* entries put into iot_flows */
};

/* Read here, not with counters_read(): that one sums only the counters user space names (below IOT_CNT_MAX). */
static void counters_sum(int counters_fd, struct health_counts *s)
{
	int ncpu = libbpf_num_possible_cpus();
	struct iot_counters *per;

	memset(s, 0, sizeof(*s));
	if (counters_fd < 0 || ncpu <= 0)
		return;
	per = calloc(ncpu, sizeof(*per));
	if (!per)
		return;
	for (__u32 hook = 0; hook < IOT_HOOK_MAX; hook++) {
		if (bpf_map_lookup_elem(counters_fd, &hook, per))
			continue;
		for (int cpu = 0; cpu < ncpu; cpu++) {
			const __u64 *c = per[cpu].c;

			s->rb_fail += c[IOT_CNT_RB_FAIL];
			/* Every new flow counts as created; a bare SYN's waits in iot_embryo, enters iot_flows if promoted. */
			s->flows_added += c[IOT_CNT_FLOWS_CREATED] - c[IOT_CNT_EMBRYO_NEW] + c[IOT_CNT_EMBRYO_PROMOTED];
		}
	}
	free(per);
}

static uint32_t map_max_entries(int fd)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.max_entries;
}

/*
 * The entries in the flow table, at most max. A walk whose current key is evicted under it starts again from
 * the first bucket (bpf_map_get_next_key on a hash), so under churn a walk sees keys twice: hence the cap.
 */
static uint64_t flows_walk_count(int flows_fd, uint32_t max)
{
	struct iot_flow_key cur, next;
	void *prev = NULL;
	uint64_t n = 0;

	while (n < max && !bpf_map_get_next_key(flows_fd, prev, &next)) {
		cur = next;
		prev = &cur;
		n++;
	}
	return n;
}

/*
 * Flows the LRU evicted since the last tick, a lower bound. Entries leave iot_flows only by eviction or by the
 * sweep, and the sweep walked flows_in_table before it deleted any: so what the table held after the last
 * tick's sweep, plus what the kernel added since, less flows_in_table, was evicted. Flows added while this
 * tick's sweep ran are counted in added but not walked: the caller's margin covers them.
 */
static uint64_t flows_evicted(struct sensor_health *h, uint64_t flows_added, uint64_t flows_in_table)
{
	/* A counter that went back (the pins were made anew) says nothing about this interval. */
	uint64_t added = flows_added >= h->flows_added ? flows_added - h->flows_added : 0;

	return h->flows_after + added > flows_in_table ? h->flows_after + added - flows_in_table : 0;
}

int sensor_health_tick(struct sensor_health *h, int counters_fd, int flows_fd, uint64_t flows_in_table,
		       struct jsonw *jw, FILE *out, uint64_t mono_ns, uint64_t now_ns)
{
	const uint64_t interval = SENSOR_ALERT_INTERVAL_S * 1000000000ull;
	struct health_counts cnt;
	uint64_t after = 0, evicted = 0, margin;
	char desc[384];
	int n = 0;

	if (!h->started)
		h->flows_max = flows_fd >= 0 ? map_max_entries(flows_fd) : 0;
	/* The sweep's walk counts keys twice when entries are evicted under it (see flows_walk_count). */
	if (h->flows_max && flows_in_table > h->flows_max)
		flows_in_table = h->flows_max;
	/*
	 * The table as the sweep left it, then the counters: a flow added in between is in neither, which can only
	 * lower the estimate. A table under a quarter full is not walked a second time: 0 is a lower bound too.
	 */
	if (h->flows_max && flows_in_table * 4 >= h->flows_max)
		after = flows_walk_count(flows_fd, h->flows_max);
	counters_sum(counters_fd, &cnt);
	if (!h->started) {
		/* Losses before this daemon started (another consumer, a killed one) are not raised again. */
		h->rb_fail_told = cnt.rb_fail;
		h->flows_added = cnt.flows_added;
		h->flows_after = after;
		h->started = true;
	}
	if (cnt.rb_fail < h->rb_fail_told) /* the pins were made anew: their counter starts from 0 */
		h->rb_fail_told = 0;
	if (cnt.rb_fail > h->rb_fail_told && (!h->rb_fail_last_ns || mono_ns - h->rb_fail_last_ns >= interval)) {
		snprintf(desc, sizeof(desc),
			 "%llu records were lost since the sensor started: the kernel's ring buffer was full because "
			 "the daemon fell behind (CPU starved, stopped, or a traffic burst); flows and discovery "
			 "packets of that time are missing from the inventory",
			 (unsigned long long)cnt.rb_fail);
		sensor_alert_write(jw, out, "sensor_event_loss", "Records lost: the ring buffer was full", desc,
				   "high", cnt.rb_fail, !h->rb_fail_last_ns, now_ns);
		h->rb_fail_told = cnt.rb_fail;
		h->rb_fail_last_ns = mono_ns;
		n++;
	}

	evicted = flows_evicted(h, cnt.flows_added, flows_in_table);
	h->flows_added = cnt.flows_added;
	h->flows_after = after;
	/* Above noise: a few flows added during a long sweep (a busy large table) are not evictions. */
	margin = h->flows_max / 64 > 64 ? h->flows_max / 64 : 64;
	if (evicted < margin)
		evicted = 0;
	if (h->flows_max &&
	    (flows_in_table * 100 >= (uint64_t)h->flows_max * SENSOR_FLOWS_FULL_PCT || evicted) &&
	    (!h->flows_full_last_ns || mono_ns - h->flows_full_last_ns >= interval)) {
		char evicted_s[64] = "";

		if (evicted)
			snprintf(evicted_s, sizeof(evicted_s), " and evicted at least %llu in the last second",
				 (unsigned long long)evicted);
		snprintf(desc, sizeof(desc),
			 "the flow table holds %llu of its %u flows%s: new flows now evict the least recently used "
			 "ones, whose later packets start over as new flows (a scan, a flood, or a network larger than "
			 "--flows-max)",
			 (unsigned long long)flows_in_table, h->flows_max, evicted_s);
		sensor_alert_write(jw, out, "sensor_flow_table_full", "Flow table full: flows are evicted", desc,
				   "medium", flows_in_table, !h->flows_full_last_ns, now_ns);
		h->flows_full_last_ns = mono_ns;
		n++;
	}
	return n;
}
