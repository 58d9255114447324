// SPDX-License-Identifier: GPL-2.0-only
/*
 * user/sensor_health.c against real maps (a per-CPU counters array and a flow hash like the pinned ones, made
 * here, not pinned) and a clock the test moves: the ring-buffer loss alert once, again only after the
 * interval, never for losses older than the daemon; the flow-table alert by fill and by evictions, not for a
 * table that the sweep keeps in check. Needs CAP_BPF (root), like the other tests that make maps.
 */
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "iotsense_abi.h"
#include "sensor_health.h"
#include "testlib.h"

#define S(x) ((uint64_t)(x) * 1000000000ull)

static int counters_fd = -1, flows_fd = -1;
static struct jsonw jw;
static char *buf;
static size_t buf_len;
static FILE *out;
static struct iot_counters cur; /* hook XDP on CPU 0; every other CPU and hook stays 0 */

/* Sets counter idx of hook XDP to v. */
static void set_counter(int idx, uint64_t v)
{
	int ncpu = libbpf_num_possible_cpus();
	struct iot_counters *per = calloc(ncpu, sizeof(*per));
	__u32 key = IOT_HOOK_XDP;

	if (!per)
		abort();
	cur.c[idx] = v;
	per[0] = cur;
	CHECK(bpf_map_update_elem(counters_fd, &key, per, BPF_ANY) == 0);
	free(per);
}

/* Entries [from, to) in the flow table. */
static void add_flows(int from, int to)
{
	struct iot_flow_key k;
	struct iot_flow v;

	memset(&v, 0, sizeof(v));
	for (int i = from; i < to; i++) {
		memset(&k, 0, sizeof(k));
		k.proto = 17;
		k.port_a = (__u16)i;
		k.port_b = (__u16)(i >> 16);
		CHECK(bpf_map_update_elem(flows_fd, &k, &v, BPF_ANY) == 0);
	}
}

static void setup(void)
{
	memset(&cur, 0, sizeof(cur));
	counters_fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "iot_counters", sizeof(__u32),
				     sizeof(struct iot_counters), IOT_HOOK_MAX, NULL);
	flows_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "iot_flows", sizeof(struct iot_flow_key), sizeof(struct iot_flow),
				  1024, NULL);
	out = open_memstream(&buf, &buf_len);
	jw_init(&jw);
	if (counters_fd < 0 || flows_fd < 0 || !out) {
		printf("cannot make the test's maps (needs CAP_BPF: run as root)\n");
		exit(1);
	}
}

static void teardown(void)
{
	fclose(out);
	free(buf);
	jw_free(&jw);
	close(counters_fd);
	close(flows_fd);
}

/* One tick at mono time t; returns the alerts written, their text in *text (until the next tick). */
static int tick(struct sensor_health *h, uint64_t flows_in_table, uint64_t t, const char **text)
{
	int n;

	rewind(out);
	n = sensor_health_tick(h, counters_fd, flows_fd, flows_in_table, &jw, out, t, S(1800000000) + t);
	fputc('\0', out);
	fflush(out);
	*text = buf;
	return n;
}

TEST(loss_once_then_after_the_interval)
{
	struct sensor_health h = { 0 };
	const char *t;

	setup();
	CHECK_EQ_INT(tick(&h, 0, S(1), &t), 0);
	set_counter(IOT_CNT_RB_FAIL, 100);
	CHECK_EQ_INT(tick(&h, 0, S(2), &t), 1);
	CHECK(strstr(t, "\"uid\":\"sensor_event_loss\""));
	CHECK(strstr(t, "\"count\":100,"));
	CHECK(strstr(t, "\"activity_id\":1,"));
	CHECK(strstr(t, "\"severity\":\"high\""));
	CHECK(strstr(t, "\"device\":{\"id\":\"sensor\"}"));
	/* Growing within the minute: not raised again. */
	set_counter(IOT_CNT_RB_FAIL, 250);
	CHECK_EQ_INT(tick(&h, 0, S(3), &t), 0);
	CHECK_EQ_INT(tick(&h, 0, S(61), &t), 0);
	/* A minute after the first: raised again with the new count, as an update. */
	CHECK_EQ_INT(tick(&h, 0, S(62), &t), 1);
	CHECK(strstr(t, "\"count\":250,"));
	CHECK(strstr(t, "\"activity_id\":2,"));
	/* Not growing: nothing, however long. */
	CHECK_EQ_INT(tick(&h, 0, S(200), &t), 0);
	set_counter(IOT_CNT_RB_FAIL, 251);
	CHECK_EQ_INT(tick(&h, 0, S(201), &t), 1);
	teardown();
}

TEST(loss_before_the_daemon_is_not_raised)
{
	struct sensor_health h = { 0 };
	const char *t;

	setup();
	set_counter(IOT_CNT_RB_FAIL, 500);
	CHECK_EQ_INT(tick(&h, 0, S(1), &t), 0);
	CHECK_EQ_INT(tick(&h, 0, S(2), &t), 0);
	set_counter(IOT_CNT_RB_FAIL, 501);
	CHECK_EQ_INT(tick(&h, 0, S(3), &t), 1);
	CHECK(strstr(t, "\"count\":501,"));
	/* The counter went back (pins made anew): losses counted from there are new ones. */
	set_counter(IOT_CNT_RB_FAIL, 7);
	CHECK_EQ_INT(tick(&h, 0, S(70), &t), 1);
	CHECK(strstr(t, "\"count\":7,"));
	teardown();
}

TEST(table_full_by_fill)
{
	struct sensor_health h = { 0 };
	const char *t;

	setup();
	add_flows(0, 900);
	set_counter(IOT_CNT_FLOWS_CREATED, 900);
	CHECK_EQ_INT(tick(&h, 900, S(1), &t), 0); /* 88% */
	add_flows(900, 930);
	set_counter(IOT_CNT_FLOWS_CREATED, 930);
	CHECK_EQ_INT(tick(&h, 930, S(2), &t), 1); /* 90.8% */
	CHECK(strstr(t, "\"uid\":\"sensor_flow_table_full\""));
	CHECK(strstr(t, "\"severity\":\"medium\""));
	CHECK(strstr(t, "\"count\":930,"));
	CHECK(strstr(t, "holds 930 of its 1024 flows: new flows"));
	CHECK_EQ_INT(tick(&h, 930, S(3), &t), 0);
	CHECK_EQ_INT(tick(&h, 930, S(62), &t), 1);
	/* A walk that counted keys twice (evictions under it) is capped at the table's size. */
	CHECK_EQ_INT(tick(&h, 1500, S(130), &t), 1);
	CHECK(strstr(t, "\"count\":1024,"));
	teardown();
}

TEST(table_full_by_evictions)
{
	struct sensor_health h = { 0 };
	const char *t;

	setup();
	add_flows(0, 780);
	set_counter(IOT_CNT_FLOWS_CREATED, 780);
	CHECK_EQ_INT(tick(&h, 780, S(1), &t), 0);
	/* 500 more flows in a second, still 780 in the table (76%): 500 were evicted. */
	set_counter(IOT_CNT_FLOWS_CREATED, 1280);
	CHECK_EQ_INT(tick(&h, 780, S(2), &t), 1);
	CHECK(strstr(t, "\"uid\":\"sensor_flow_table_full\""));
	CHECK(strstr(t, "evicted at least 500 in the last second"));
	teardown();
}

TEST(table_kept_in_check_by_the_sweep_is_not_full)
{
	struct sensor_health h = { 0 };
	const char *t;

	setup();
	add_flows(0, 500);
	set_counter(IOT_CNT_FLOWS_CREATED, 500);
	CHECK_EQ_INT(tick(&h, 500, S(1), &t), 0);
	/* 300 new flows, all kept: no eviction. */
	add_flows(500, 800);
	set_counter(IOT_CNT_FLOWS_CREATED, 800);
	CHECK_EQ_INT(tick(&h, 800, S(2), &t), 0);
	/* A few flows added while the sweep ran (counted, not walked) are below the margin. */
	set_counter(IOT_CNT_FLOWS_CREATED, 830);
	CHECK_EQ_INT(tick(&h, 800, S(3), &t), 0);
	/* Bare SYNs wait in the half-open table: created, but not added to iot_flows. */
	set_counter(IOT_CNT_EMBRYO_NEW, 5000);
	set_counter(IOT_CNT_FLOWS_CREATED, 5830);
	CHECK_EQ_INT(tick(&h, 800, S(4), &t), 0);
	teardown();
}

int main(void)
{
	RUN(loss_once_then_after_the_interval);
	RUN(loss_before_the_daemon_is_not_raised);
	RUN(table_full_by_fill);
	RUN(table_full_by_evictions);
	RUN(table_kept_in_check_by_the_sweep_is_not_full);
	return testlib_summary();
}
