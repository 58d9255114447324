// SPDX-License-Identifier: GPL-2.0-only
/* The sensor's alerts about itself (see sensor_health.h). */
#include <string.h>
#include <bpf/bpf.h>

#include "iotsense_abi.h"
#include "loader.h"
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

static uint64_t rb_fail_total(int counters_fd)
{
	struct iot_counters c;
	uint64_t total = 0;

	for (int hook = 0; hook < IOT_HOOK_MAX; hook++)
		if (!counters_read(counters_fd, hook, &c))
			total += c.c[IOT_CNT_RB_FAIL];
	return total;
}

static uint32_t map_max_entries(int fd)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.max_entries;
}

int sensor_health_tick(struct sensor_health *h, int counters_fd, int flows_fd, uint64_t flows_in_table,
		       struct jsonw *jw, FILE *out, uint64_t mono_ns, uint64_t now_ns)
{
	const uint64_t interval = SENSOR_ALERT_INTERVAL_S * 1000000000ull;
	uint64_t rb = counters_fd >= 0 ? rb_fail_total(counters_fd) : 0;
	char desc[384];
	int n = 0;

	if (!h->started) {
		/* Losses before this daemon started (another consumer, a killed one) are not raised again. */
		h->rb_fail_told = rb;
		h->flows_max = flows_fd >= 0 ? map_max_entries(flows_fd) : 0;
		h->started = true;
	}
	if (rb > h->rb_fail_told && (!h->rb_fail_last_ns || mono_ns - h->rb_fail_last_ns >= interval)) {
		snprintf(desc, sizeof(desc),
			 "%llu records were lost since the sensor started: the kernel's ring buffer was full because "
			 "the daemon fell behind (CPU starved, stopped, or a traffic burst); flows and discovery "
			 "packets of that time are missing from the inventory",
			 (unsigned long long)rb);
		sensor_alert_write(jw, out, "sensor_event_loss", "Records lost: the ring buffer was full", desc,
				   "high", rb, !h->rb_fail_last_ns, now_ns);
		h->rb_fail_told = rb;
		h->rb_fail_last_ns = mono_ns;
		n++;
	}
	if (h->flows_max && flows_in_table * 100 >= (uint64_t)h->flows_max * SENSOR_FLOWS_FULL_PCT &&
	    (!h->flows_full_last_ns || mono_ns - h->flows_full_last_ns >= interval)) {
		snprintf(desc, sizeof(desc),
			 "the flow table holds %llu of its %u flows: new flows now evict the least recently used "
			 "ones, whose later packets start over as new flows (a scan, a flood, or a network larger "
			 "than --flows-max)",
			 (unsigned long long)flows_in_table, h->flows_max);
		sensor_alert_write(jw, out, "sensor_flow_table_full", "Flow table full: flows are evicted", desc,
				   "medium", flows_in_table, !h->flows_full_last_ns, now_ns);
		h->flows_full_last_ns = mono_ns;
		n++;
	}
	return n;
}
