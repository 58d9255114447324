// SPDX-License-Identifier: GPL-2.0-only
/*
 * Flood admission in the kernel (bpf/lib/admit.h): crafted frames through the real XDP program
 * (BPF_PROG_TEST_RUN, replay clock so budgets refill on the test's time). Two objects with small budgets:
 *   src: per-source budget 8 flows, 1 per ms after that, report interval 1 ms; no all-sources budget
 *   all: all-sources budget 32 flows, no refill; no per-source budget
 * Both hold bare SYNs half-open (embryo = 1), in front of a 4 096-flow table that a SYN flood let in would churn.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "iotsense_abi.h"
#include "iotsense.skel.h"
#include "lib/log.h"
#include "loader.h"
#include "testlib.h"
#include "bpf_state.h"

#define XDP_PASS 2
#define MS 1000000ull

/* ---- frames ---- */
struct frame {
	uint8_t b[2048];
	size_t n;
};

static void put(struct frame *f, const void *p, size_t n)
{
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void put8(struct frame *f, uint8_t v) { put(f, &v, 1); }
static void put16(struct frame *f, uint16_t v) { v = htons(v); put(f, &v, 2); }
static void put32(struct frame *f, uint32_t v) { v = htonl(v); put(f, &v, 4); }

static const uint8_t MAC_A[6] = { 0x02, 0, 0, 0, 0, 0xa };
static const uint8_t MAC_B[6] = { 0x02, 0, 0, 0, 0, 0xb };

/* An IPv4 TCP (or UDP) frame from 198.18.S1.S0 to 198.19.D1.D0 (addresses as 16-bit host numbers). */
static void frame4(struct frame *f, uint16_t src, uint16_t dst, uint8_t proto, uint16_t sport, uint16_t dport,
		   uint8_t tcp_flags, size_t payload)
{
	size_t at;

	f->n = 0;
	put(f, MAC_B, 6);
	put(f, MAC_A, 6);
	put16(f, 0x0800);
	at = f->n;
	put8(f, 0x45);
	put8(f, 0);
	put16(f, 0);
	put16(f, 1);
	put16(f, 0);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	put32(f, 0xc6120000 | src);
	put32(f, 0xc6130000 | dst);
	put16(f, sport);
	put16(f, dport);
	if (proto == IPPROTO_TCP) {
		put32(f, 1);
		put32(f, tcp_flags & 0x10 ? 1 : 0);
		put8(f, 6 << 4); /* one option word: an MSS, as a real SYN carries */
		put8(f, tcp_flags);
		put16(f, 64240);
		put32(f, 0);
		put32(f, 0x020405b4);
	} else {
		put16(f, 8 + payload);
		put16(f, 0);
	}
	for (size_t i = 0; i < payload; i++)
		put8(f, 'a' + i % 26);
	{
		uint16_t len = htons((uint16_t)(f->n - at));

		memcpy(f->b + at + 2, &len, 2);
	}
}

/* ---- the objects under test and what they emitted ---- */
enum { OBJ_SRC, OBJ_ALL, NOBJ };
static struct iotsense_bpf *objs[NOBJ];
static struct ring_buffer *rbs[NOBJ];
static struct iotsense_bpf *skel;
static struct ring_buffer *rb;

#define MAX_EVENTS 256
static struct {
	uint8_t rec[sizeof(struct iot_ev_snippet)];
	size_t len;
} events[MAX_EVENTS];
static int nevents, nlost;

static int collect(void *ctx, void *data, size_t len)
{
	(void)ctx;
	if (nevents < MAX_EVENTS && len <= sizeof(events[0].rec)) {
		memcpy(events[nevents].rec, data, len);
		events[nevents].len = len;
		nevents++;
	} else {
		nlost++;
	}
	return 0;
}

static const struct iot_ev_hdr *ev(int i)
{
	return (const struct iot_ev_hdr *)events[i].rec;
}

static int count_type(uint8_t type)
{
	int n = 0;

	for (int i = 0; i < nevents; i++)
		n += ev(i)->type == type;
	return n;
}

static const void *find_type(uint8_t type, int nth)
{
	for (int i = 0; i < nevents; i++)
		if (ev(i)->type == type && nth-- == 0)
			return ev(i);
	return NULL;
}

static struct iot_counters cnt;
#define X(counter) (cnt.c[counter])

static void use(int obj)
{
	skel = objs[obj];
	rb = rbs[obj];
	ring_buffer__consume(rb);
	bpf_state_clear(skel);
	nevents = nlost = 0;
	memset(&cnt, 0, sizeof(cnt));
}

static int run(struct frame *f)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->b, .data_size_in = (__u32)f->n);
	int err;

	skel->bss->replay_now_ns += 1000;
	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.iot_xdp), &o);
	if (err)
		printf("  test run failed: %s\n", strerror(errno));
	ring_buffer__consume(rb);
	bpf_state_counters(skel, IOT_HOOK_XDP, &cnt);
	return err ? -1000 : (int)o.retval;
}

/* The key orders the endpoints (bpf/lib/parse.h); try both orders rather than restate that order here. */
static bool lookup_flow(uint8_t proto, uint16_t a, uint16_t b, uint16_t pa, uint16_t pb, struct iot_flow *v)
{
	uint32_t ia = htonl(0xc6120000 | a), ib = htonl(0xc6130000 | b);

	for (int swap = 0; swap < 2; swap++) {
		struct iot_flow_key k = { .proto = proto };

		k.addr_a[10] = k.addr_a[11] = 0xff;
		k.addr_b[10] = k.addr_b[11] = 0xff;
		memcpy(k.addr_a + 12, swap ? &ib : &ia, 4);
		memcpy(k.addr_b + 12, swap ? &ia : &ib, 4);
		k.port_a = htons(swap ? pb : pa);
		k.port_b = htons(swap ? pa : pb);
		if (!bpf_map_lookup_elem(bpf_map__fd(skel->maps.iot_flows), &k, v))
			return true;
	}
	return false;
}

static bool in_flows(uint16_t a, uint16_t b, uint16_t pa, uint16_t pb)
{
	struct iot_flow v;

	return lookup_flow(IPPROTO_TCP, a, b, pa, pb, &v);
}

static int table_size(int fd)
{
	struct iot_flow_key k, prev;
	int n = 0;

	while (!bpf_map_get_next_key(fd, n ? &prev : NULL, &k) && n < 1000000) {
		prev = k;
		n++;
	}
	return n;
}

/* ---- tests ---- */

TEST(syn_scan_from_one_source_sheds_beyond_its_budget_with_one_record)
{
	struct frame f;
	const struct iot_ev_flood *fl;

	use(OBJ_SRC);
	for (int port = 1; port <= 50; port++) {
		frame4(&f, 0x0101, 0x0001, IPPROTO_TCP, 40000, port, 0x02, 0);
		CHECK_EQ_INT(run(&f), XDP_PASS);
	}
	/* Eight recorded and held half-open, the other 42 counted only; nothing entered the flow table. */
	CHECK_EQ_INT(X(IOT_CNT_FLOWS_CREATED), 8);
	CHECK_EQ_INT(X(IOT_CNT_EMBRYO_NEW), 8);
	CHECK_EQ_INT(X(IOT_CNT_FLOWS_SHED), 42);
	CHECK_EQ_INT(table_size(bpf_map__fd(skel->maps.iot_flows)), 0);
	CHECK_EQ_INT(table_size(bpf_map__fd(skel->maps.iot_embryo)), 8);
	/* The ring got the eight flows' records (start, SYN snippet) and one record for the 42 others. */
	CHECK_EQ_INT(count_type(IOT_EV_FLOW_START), 8);
	CHECK_EQ_INT(count_type(IOT_EV_SNIPPET), 8);
	CHECK_EQ_INT(X(IOT_CNT_FLOOD_EVENTS), 1);
	CHECK_EQ_INT(nevents, 17);
	fl = find_type(IOT_EV_FLOOD, 0);
	CHECK(fl != NULL);
	if (fl) {
		uint8_t want[16] = { [10] = 0xff, [11] = 0xff, 198, 18, 1, 1 };

		CHECK_EQ_INT(fl->hdr.size, sizeof(*fl));
		CHECK_EQ_INT(fl->scope, IOT_FLOOD_SOURCE);
		CHECK(memcmp(fl->src, want, 16) == 0);
		CHECK(memcmp(fl->src_mac, MAC_A, 6) == 0);
		CHECK_EQ_INT(fl->shed, 1);
		CHECK_EQ_INT(fl->admitted, 8);
		CHECK_EQ_INT(fl->since_ns, 0);
		/* The first port over the budget: the far end of the packet's sender (endpoint dir). */
		CHECK_EQ_INT(ntohs(fl->dir == IOT_DIR_AB ? fl->key.port_b : fl->key.port_a), 9);
	}
	/* Another source is not held back by the scanner's budget. */
	frame4(&f, 0x0102, 0x0001, IPPROTO_TCP, 40000, 22, 0x02, 0);
	run(&f);
	CHECK_EQ_INT(X(IOT_CNT_EMBRYO_NEW), 9);

	/* 2 ms on: the budget let two more flows in (one per ms), and one more record says what was shed since. */
	skel->bss->replay_now_ns += 2 * MS;
	for (int port = 51; port <= 53; port++) {
		frame4(&f, 0x0101, 0x0001, IPPROTO_TCP, 40000, port, 0x02, 0);
		run(&f);
	}
	CHECK_EQ_INT(X(IOT_CNT_EMBRYO_NEW), 11);
	CHECK_EQ_INT(X(IOT_CNT_FLOWS_SHED), 43);
	CHECK_EQ_INT(X(IOT_CNT_FLOOD_EVENTS), 2);
	fl = find_type(IOT_EV_FLOOD, 1);
	CHECK(fl != NULL);
	if (fl) {
		CHECK_EQ_INT(fl->shed, 42);
		CHECK_EQ_INT(fl->admitted, 2);
		CHECK(fl->since_ns != 0 && fl->since_ns < fl->hdr.ts_ns);
	}
}

/* The frame the other end sends back: addresses and ports swapped, with these TCP flags. */
static void reply(struct frame *f, const struct frame *to, uint8_t flags)
{
	*f = *to;
	memcpy(f->b + 14 + 12, to->b + 14 + 16, 4);
	memcpy(f->b + 14 + 16, to->b + 14 + 12, 4);
	memcpy(f->b + 34, to->b + 36, 2);
	memcpy(f->b + 36, to->b + 34, 2);
	f->b[14 + 20 + 13] = flags;
}

TEST(a_half_open_flow_moves_to_the_flow_table_on_a_reply)
{
	struct frame syn, f;
	struct iot_flow v = {};
	uint64_t syn_ns;

	use(OBJ_SRC);
	frame4(&syn, 0x0101, 0x0001, IPPROTO_TCP, 40000, 443, 0x02, 0);
	run(&syn);
	syn_ns = skel->bss->replay_now_ns;
	/* Its records go out at once, as for any new flow; the flow waits in the half-open table. */
	CHECK_EQ_INT(count_type(IOT_EV_FLOW_START), 1);
	CHECK_EQ_INT(count_type(IOT_EV_SNIPPET), 1);
	CHECK_EQ_INT(X(IOT_CNT_EMBRYO_NEW), 1);
	CHECK_EQ_INT(table_size(bpf_map__fd(skel->maps.iot_flows)), 0);
	CHECK_EQ_INT(table_size(bpf_map__fd(skel->maps.iot_embryo)), 1);
	reply(&f, &syn, 0x12);
	run(&f);
	CHECK_EQ_INT(X(IOT_CNT_EMBRYO_PROMOTED), 1);
	CHECK_EQ_INT(table_size(bpf_map__fd(skel->maps.iot_embryo)), 0);
	CHECK(lookup_flow(IPPROTO_TCP, 0x0101, 0x0001, 40000, 443, &v));
	CHECK_EQ_INT(v.first_ns, syn_ns);
	CHECK_EQ_INT(v.packets[0] + v.packets[1], 2);
	CHECK_EQ_INT(v.syn_sent, 3);
	/* One start record for the flow; the SYN-ACK's snippet, from the responder. */
	CHECK_EQ_INT(count_type(IOT_EV_FLOW_START), 1);
	CHECK_EQ_INT(X(IOT_CNT_FLOWS_CREATED), 1);
	CHECK_EQ_INT(count_type(IOT_EV_SNIPPET), 2);
	{
		const struct iot_ev_snippet *s = find_type(IOT_EV_SNIPPET, 1);

		CHECK(s && s->tcp_flags == 0x12 && s->from_initiator == 0);
	}

	/* A retried SYN stays half-open, counted there, with no second record. */
	use(OBJ_SRC);
	frame4(&syn, 0x0101, 0x0001, IPPROTO_TCP, 40001, 443, 0x02, 0);
	run(&syn);
	run(&syn);
	CHECK_EQ_INT(X(IOT_CNT_EMBRYO_PROMOTED), 0);
	CHECK_EQ_INT(nevents, 2);
	CHECK_EQ_INT(table_size(bpf_map__fd(skel->maps.iot_flows)), 0);

	/* Payload from the opener (one direction seen only) moves it too. */
	use(OBJ_SRC);
	frame4(&syn, 0x0101, 0x0001, IPPROTO_TCP, 40002, 443, 0x02, 0);
	run(&syn);
	frame4(&f, 0x0101, 0x0001, IPPROTO_TCP, 40002, 443, 0x18, 20);
	run(&f);
	CHECK_EQ_INT(X(IOT_CNT_EMBRYO_PROMOTED), 1);
	CHECK(in_flows(0x0101, 0x0001, 40002, 443));

	/* A closed port's RST ends it where it is: its end record, and it never enters the flow table. */
	use(OBJ_SRC);
	frame4(&syn, 0x0101, 0x0001, IPPROTO_TCP, 40003, 81, 0x02, 0);
	run(&syn);
	reply(&f, &syn, 0x14);
	run(&f);
	CHECK_EQ_INT(X(IOT_CNT_EMBRYO_RESET), 1);
	CHECK_EQ_INT(count_type(IOT_EV_FLOW_END), 1);
	CHECK_EQ_INT(table_size(bpf_map__fd(skel->maps.iot_flows)), 0);
	{
		const struct iot_ev_flow *end = find_type(IOT_EV_FLOW_END, 0);

		CHECK(end && end->reason == IOT_END_RST);
	}
}

TEST(half_open_flows_do_not_evict_established_ones)
{
	struct frame f, syn;
	int flows_fd;

	use(OBJ_SRC);
	flows_fd = bpf_map__fd(skel->maps.iot_flows);
	/* 16 established conversations (handshake seen from the client, then its request). */
	for (int i = 0; i < 16; i++) {
		frame4(&syn, 0x0200 + i, 0x0001, IPPROTO_TCP, 41000 + i, 443, 0x02, 0);
		run(&syn);
		frame4(&f, 0x0200 + i, 0x0001, IPPROTO_TCP, 41000 + i, 443, 0x18, 20);
		run(&f);
	}
	CHECK_EQ_INT(table_size(flows_fd), 16);
	/* A spoofed SYN flood from 3 x IOT_EMBRYO_MAX sources, one SYN each: within every source's budget. */
	for (int i = 0; i < 3 * IOT_EMBRYO_MAX; i++) {
		frame4(&f, (uint16_t)(0x4000 + i), 0x0001, IPPROTO_TCP, 50000, 80, 0x02, 0);
		run(&f);
	}
	/* Every SYN was held (or, where sources share a budget slot, shed): none became a flow. */
	CHECK_EQ_INT(X(IOT_CNT_EMBRYO_NEW) + X(IOT_CNT_EMBRYO_FAIL) + X(IOT_CNT_FLOWS_SHED), 3 * IOT_EMBRYO_MAX + 16);
	/* The flood stayed in the half-open table: the flow table still holds exactly the 16. */
	CHECK_EQ_INT(table_size(flows_fd), 16);
	for (int i = 0; i < 16; i++)
		CHECK(in_flows(0x0200 + i, 0x0001, 41000 + i, 443));
	CHECK(table_size(bpf_map__fd(skel->maps.iot_embryo)) <= IOT_EMBRYO_MAX);
	CHECK_EQ_INT(X(IOT_CNT_EMBRYO_PROMOTED), 16);
}

TEST(established_flows_keep_going_past_an_exhausted_budget)
{
	struct frame f;

	use(OBJ_SRC);
	frame4(&f, 0x0101, 0x0001, IPPROTO_UDP, 40000, 5683, 0, 16);
	run(&f);
	CHECK_EQ_INT(X(IOT_CNT_FLOWS_CREATED), 1);
	/* The same source then opens 40 more UDP flows: 7 fit its budget, 33 are shed. */
	for (int i = 1; i <= 40; i++) {
		frame4(&f, 0x0101, 0x0001, IPPROTO_UDP, 40000 + i, 5683, 0, 16);
		run(&f);
	}
	CHECK_EQ_INT(X(IOT_CNT_FLOWS_CREATED), 8);
	CHECK_EQ_INT(X(IOT_CNT_FLOWS_SHED), 33);
	CHECK_EQ_INT(X(IOT_CNT_FLOOD_EVENTS), 1);
	/* Its first flow is still counted, packet by packet. */
	frame4(&f, 0x0101, 0x0001, IPPROTO_UDP, 40000, 5683, 0, 16);
	run(&f);
	run(&f);
	CHECK_EQ_INT(X(IOT_CNT_FLOWS_SHED), 33);
	{
		struct iot_flow v = {};

		CHECK(lookup_flow(IPPROTO_UDP, 0x0101, 0x0001, 40000, 5683, &v));
		CHECK_EQ_INT(v.packets[0] + v.packets[1], 3);
	}
}

TEST(discovery_is_recorded_even_over_budget)
{
	struct frame f;
	int before;

	use(OBJ_SRC);
	for (int i = 0; i < 20; i++) {
		frame4(&f, 0x0101, 0x0001, IPPROTO_UDP, 40000 + i, 5683, 0, 16);
		run(&f);
	}
	CHECK_EQ_INT(X(IOT_CNT_FLOWS_SHED), 12);
	before = X(IOT_CNT_FLOWS_CREATED);
	/* mDNS, SSDP and DHCP from the same source: new flows, recorded with their snippets. */
	frame4(&f, 0x0101, 0x00fb, IPPROTO_UDP, 5353, 5353, 0, 40);
	run(&f);
	frame4(&f, 0x0101, 0x00fa, IPPROTO_UDP, 40100, 1900, 0, 40);
	run(&f);
	frame4(&f, 0x0101, 0xffff, IPPROTO_UDP, 68, 67, 0, 40);
	run(&f);
	CHECK_EQ_INT(X(IOT_CNT_FLOWS_CREATED), before + 3);
	CHECK_EQ_INT(X(IOT_CNT_FLOWS_SHED), 12);
	CHECK_EQ_INT(X(IOT_CNT_DISCOVERY), 3);
}

TEST(a_storm_from_many_sources_sheds_at_the_all_sources_budget)
{
	struct frame f;
	const struct iot_ev_flood *fl;

	use(OBJ_ALL);
	for (int i = 0; i < 100; i++) {
		frame4(&f, (uint16_t)(0x1000 + i), 0x0001, IPPROTO_UDP, 40000, 5683, 0, 16);
		run(&f);
	}
	CHECK_EQ_INT(X(IOT_CNT_FLOWS_CREATED), 32);
	CHECK_EQ_INT(X(IOT_CNT_FLOWS_SHED), 68);
	CHECK_EQ_INT(X(IOT_CNT_FLOOD_EVENTS), 1);
	CHECK_EQ_INT(count_type(IOT_EV_FLOW_START), 32);
	fl = find_type(IOT_EV_FLOOD, 0);
	CHECK(fl && fl->scope == IOT_FLOOD_ALL && fl->shed == 1 && fl->admitted == 32);
	/* Flows it already holds go on; a bare SYN of a new one is shed at the same budget. */
	frame4(&f, 0x1000, 0x0001, IPPROTO_UDP, 40000, 5683, 0, 16);
	run(&f);
	frame4(&f, 0x2000, 0x0001, IPPROTO_TCP, 40000, 443, 0x02, 0);
	run(&f);
	CHECK_EQ_INT(X(IOT_CNT_FLOWS_SHED), 69);
	CHECK_EQ_INT(X(IOT_CNT_EMBRYO_NEW), 0);
	CHECK_EQ_INT(X(IOT_CNT_FLOOD_EVENTS), 1);
}

static struct iotsense_bpf *open_obj(int which)
{
	struct loader_opts o;
	struct iotsense_bpf *s;

	loader_opts_default(&o);
	o.replay = true;
	o.flows_max = 4096; /* a flood of new flows into it would evict the established ones */
	s = loader_open(&o);
	if (!s)
		return NULL;
	if (which == OBJ_SRC) {
		s->rodata->iot_admit_cfg.src_burst = 8;
		s->rodata->iot_admit_cfg.src_flow_ns = MS;
		s->rodata->iot_admit_cfg.all_burst = 0;
	} else {
		s->rodata->iot_admit_cfg.src_burst = 0;
		s->rodata->iot_admit_cfg.all_burst = 32;
		s->rodata->iot_admit_cfg.all_flow_ns = 1000000000000000ull; /* no refill */
	}
	s->rodata->iot_admit_cfg.report_ns = MS;
	s->rodata->iot_admit_cfg.embryo = 1;
	if (loader_load(s, &o)) {
		iotsense_bpf__destroy(s);
		return NULL;
	}
	return s;
}

int main(void)
{
	log_init(LOG_WARN);
	for (int i = 0; i < NOBJ; i++) {
		objs[i] = open_obj(i);
		if (!objs[i]) {
			printf("cannot load the BPF object (root and a BPF-capable kernel needed)\n0 passed, 1 failed\n");
			return 1;
		}
		rbs[i] = ring_buffer__new(bpf_map__fd(objs[i]->maps.iot_events), collect, NULL, NULL);
		if (!rbs[i]) {
			printf("ring_buffer__new failed\n0 passed, 1 failed\n");
			return 1;
		}
	}
	RUN(syn_scan_from_one_source_sheds_beyond_its_budget_with_one_record);
	RUN(a_half_open_flow_moves_to_the_flow_table_on_a_reply);
	RUN(half_open_flows_do_not_evict_established_ones);
	RUN(established_flows_keep_going_past_an_exhausted_budget);
	RUN(discovery_is_recorded_even_over_budget);
	RUN(a_storm_from_many_sources_sheds_at_the_all_sources_budget);
	for (int i = 0; i < NOBJ; i++) {
		ring_buffer__free(rbs[i]);
		iotsense_bpf__destroy(objs[i]);
	}
	return testlib_summary();
}
