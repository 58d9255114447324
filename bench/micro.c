// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench/micro: what the datapath costs per packet in the kernel, as nanoseconds above a baseline program
 * measured in the same round. BPF_PROG_TEST_RUN runs a program `repeat` times and reads back the mean duration
 * per run; absolute numbers move with the machine and its load, the difference to XDP_PASS (or TC_ACT_OK) run
 * right before or after it on the same CPU does not (much). Rounds interleave every case with its baseline,
 * alternating which goes first, and the per-round differences are summarised as median, quartiles and range.
 *
 * Each measurement is one BPF_PROG_TEST_RUN call: an XDP test run with repeat > 1 re-points the kernel's XDP
 * dispatcher (a text poke and IPIs to every CPU) before it starts its clock, and the caches that costs are
 * only amortised over a long run. So the rings are 32 MiB with the wakeup threshold just below that, a round's
 * records fit in one run without forced wakeups, and the ring is drained after each run (untimed): the
 * sensor's steady state with its consumer keeping up (a full ring would turn every record into the cheap
 * failure path; one case measures exactly that). The threshold check itself runs as in the live
 * configuration. New flows come from bench/newflow.bpf.c, which rewrites the packet's source before
 * tail-calling the program under test.
 *
 * Output: one tab-separated line per (hook, clock, case) on stdout; progress on stderr.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "iotsense_abi.h" /* before the skeleton: it names our structs */
#include "iotsense.skel.h"
#include "lib/log.h"
#include "loader.h"

#define MAX_ROUNDS 101
/* Every instance's ring, and the wakeup threshold: a round's records (at most ~25 MiB) stay below it. */
#define RING_BYTES (32u << 20)
#define WAKEUP_BYTES (31u << 20)
/* The small evicting table: it fits in the caches, where the default one (65 536 flows, ~10 MB) does not. */
#define SMALL_FLOWS 8192

static void die(const char *what)
{
	fprintf(stderr, "micro: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* ---- frames (the same builder as tests/bpf/test_datapath.c) ---- */
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

static void eth(struct frame *f, uint16_t proto)
{
	static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0xa }, mac_b[6] = { 0x02, 0, 0, 0, 0, 0xb };

	f->n = 0;
	put(f, mac_b, 6);
	put(f, mac_a, 6);
	put16(f, proto);
}

static size_t ip4(struct frame *f, uint8_t proto)
{
	size_t at = f->n;

	put8(f, 0x45);
	put8(f, 0);
	put16(f, 0);
	put16(f, 1);
	put16(f, 0);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	put32(f, 0xc6120001); /* 198.18.0.1 */
	put32(f, 0xc6130002); /* 198.19.0.2 */
	return at;
}

static void ip4_done(struct frame *f, size_t at)
{
	uint16_t len = htons((uint16_t)(f->n - at));

	memcpy(f->b + at + 2, &len, 2);
}

static size_t ip6(struct frame *f, uint8_t next)
{
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	size_t at = f->n;

	put32(f, 0x60000000);
	put16(f, 0);
	put8(f, next);
	put8(f, 64);
	a[15] = 1;
	put(f, a, 16);
	a[15] = 2;
	put(f, a, 16);
	return at;
}

static void ip6_done(struct frame *f, size_t at)
{
	uint16_t len = htons((uint16_t)(f->n - at - 40));

	memcpy(f->b + at + 4, &len, 2);
}

static void tcp(struct frame *f, uint16_t sport, uint16_t dport, uint8_t flags)
{
	put16(f, sport);
	put16(f, dport);
	put32(f, 1);
	put32(f, 1);
	put8(f, 5 << 4);
	put8(f, flags);
	put16(f, 65535);
	put32(f, 0);
}

static void udp(struct frame *f, uint16_t sport, uint16_t dport, size_t payload)
{
	put16(f, sport);
	put16(f, dport);
	put16(f, 8 + payload);
	put16(f, 0);
}

static void payload(struct frame *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(f, 'a' + i % 26);
}

#define TCP_SYN 0x02
#define TCP_PSH 0x08
#define TCP_ACK 0x10

enum frame_kind { FR_TCP4, FR_UDP6, FR_VLAN_TCP4, FR_TCP4_ACK0, FR_TCP4_SYN, FR_UDP4, FR_DISC4 };

static void build(struct frame *f, enum frame_kind k)
{
	size_t at;

	switch (k) {
	case FR_TCP4: /* an established connection's data packet, past the first snippets */
	case FR_VLAN_TCP4:
		eth(f, k == FR_VLAN_TCP4 ? 0x8100 : 0x0800);
		if (k == FR_VLAN_TCP4) {
			put16(f, 42);
			put16(f, 0x0800);
		}
		at = ip4(f, IPPROTO_TCP);
		tcp(f, 50000, 502, TCP_ACK | TCP_PSH);
		payload(f, 32);
		ip4_done(f, at);
		break;
	case FR_UDP6:
		eth(f, 0x86dd);
		at = ip6(f, IPPROTO_UDP);
		udp(f, 50000, 5683, 32);
		payload(f, 32);
		ip6_done(f, at);
		break;
	case FR_TCP4_ACK0:
	case FR_TCP4_SYN:
		eth(f, 0x0800);
		at = ip4(f, IPPROTO_TCP);
		tcp(f, 50000, 443, k == FR_TCP4_SYN ? TCP_SYN : TCP_ACK);
		ip4_done(f, at);
		break;
	case FR_UDP4:
		eth(f, 0x0800);
		at = ip4(f, IPPROTO_UDP);
		udp(f, 50000, 5683, 32);
		payload(f, 32);
		ip4_done(f, at);
		break;
	case FR_DISC4: /* mDNS: a discovery port, so every packet of the flow is copied */
		eth(f, 0x0800);
		at = ip4(f, IPPROTO_UDP);
		udp(f, 5353, 5353, 300);
		payload(f, 300);
		ip4_done(f, at);
		break;
	}
}

/* Where bench/newflow.bpf.c writes in the untagged IPv4 frames: source port, low half of the source address. */
#define NF_SPORT_OFF (14 + 20)
#define NF_SADDR_LO_OFF (14 + 12 + 2)

/* ---- cases ---- */
struct bcase {
	const char *key;
	const char *what;
	enum frame_kind fr;
	unsigned int ring_bytes; /* per packet: records rounded up to 8 plus their 8-byte headers; 0: none */
	bool newflow;		 /* through the new-flow wrapper */
	int table;		 /* enum table */
	bool clear;		 /* empty the table before each round: "not full" */
	uint32_t cycle;		 /* through the wrapper: go round this many flows (0: always a new one) */
};

/*
 * One iotsense instance per kind of table state, so no case disturbs another's:
 *   T_MAIN   default size (65 536); emptied before each new-flow round
 *   T_FULL   default size, pre-filled: every new flow evicts
 *   T_SMALL  8 192 flows, pre-filled: evicting in a table that fits in the caches
 *   T_MANY   default size holding MANY_FLOWS flows that the packets go round (cache-cold hits)
 *   T_NORB   default size, emptied each round, its ring left full: a new flow whose record fails
 *   T_ADMIT  default size and the default new-flow budgets, which the wrapper's flows (8 192 per source
 *            address) exhaust: the cost of a shed flow. Every other instance has budgets too large to bite, so
 *            their new flows pay for the budget check but are never shed (bpf/lib/admit.h).
 */
enum table { T_MAIN, T_FULL, T_SMALL, T_MANY, T_NORB, T_ADMIT, NTABLES };
static const uint32_t table_flows[NTABLES] = { 0, 65536, SMALL_FLOWS, 0, 0, 0 };
#define MANY_FLOWS 50000

/* Record sizes: flow 136 -> 144; SYN snippet 88+40 -> 136; UDP snippet 88+60 -> 160; mDNS 88+328 -> 424. */
static const struct bcase cases[] = {
	{ "exist_tcp4", "existing flow, IPv4 TCP (32 B payload)", FR_TCP4, 0, false, T_MAIN, false, 0 },
	{ "exist_udp6", "existing flow, IPv6 UDP (32 B payload)", FR_UDP6, 0, false, T_MAIN, false, 0 },
	{ "exist_vlan_tcp4", "existing flow, VLAN-tagged IPv4 TCP", FR_VLAN_TCP4, 0, false, T_MAIN, false, 0 },
	{ "exist_many", "existing flows, 50 000 in turn (cache-cold hits): TCP ACK", FR_TCP4_ACK0, 0, true, T_MANY,
	  false, MANY_FLOWS },
	{ "new_ack", "new flow, table not full (65 536): TCP ACK, no payload (flow record)", FR_TCP4_ACK0, 144, true,
	  T_MAIN, true, 0 },
	{ "new_syn", "new flow, table not full: TCP SYN (held half-open: no record until a reply)", FR_TCP4_SYN, 0,
	  true, T_MAIN, true, 0 },
	{ "new_udp", "new flow, table not full: UDP 32 B (flow record + payload snippet)", FR_UDP4, 304, true,
	  T_MAIN, true, 0 },
	{ "new_full", "new flow, table full (65 536, evicting): TCP ACK (flow record)", FR_TCP4_ACK0, 144, true,
	  T_FULL, false, 0 },
	{ "new_full_small", "new flow, table full (8 192, evicting): TCP ACK (flow record)", FR_TCP4_ACK0, 144, true,
	  T_SMALL, false, 0 },
	{ "new_ack_rbfull", "new flow, table not full, ring full (record fails): TCP ACK", FR_TCP4_ACK0, 0, true,
	  T_NORB, true, 0 },
	{ "snippet_disc", "snippet: mDNS UDP 300 B, existing flow (copied every packet)", FR_DISC4, 424, false,
	  T_MAIN, false, 0 },
	{ "shed_syn", "new flow over its source's budget: TCP SYN (shed: counted, no record)", FR_TCP4_SYN, 0, true,
	  T_ADMIT, false, 0 },
	{ "shed_ack", "new flow over its source's budget: TCP ACK (shed: counted, no record)", FR_TCP4_ACK0, 0, true,
	  T_ADMIT, false, 0 },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

enum { HOOK_XDP, HOOK_TC, NHOOKS };
static const char *const hook_names[NHOOKS] = { "xdp", "tc_egress" };
enum { CLOCK_LIVE, CLOCK_REPLAY, NCLOCKS };
static const char *const clock_names[NCLOCKS] = { "live", "replay" };

struct inst {
	struct iotsense_bpf *skel;
	struct ring_buffer *rb;
};
static struct inst insts[NCLOCKS][NTABLES];

static int base_fd[NHOOKS], wrap_fd[NHOOKS], next_map_fd[NHOOKS], nf_bss_fd;
static struct bpf_object *base_obj, *nf_obj;

struct item {
	int hook, clock;
	const struct bcase *c;
	struct frame f;
	double base[MAX_ROUNDS], test[MAX_ROUNDS];
	uint64_t pkts, events, rb_fail, wakeups, create_fail;
};

static int opt_rounds = 15, opt_cpu = -1;
static const char *opt_only;	/* a comma-separated list of case keys, for a quick look at a few */
static bool opt_tc_first;
static uint32_t opt_repeat = 1000000, opt_rec_pkts = 60000, opt_clear_pkts = 40000;
static uint32_t opt_storm; /* -S CHUNK: the storm run instead of the cost cases */
static bool opt_no_embryo;  /* -E: the half-open table off (what it costs a new flow) */

static int noop_cb(void *ctx, void *data, size_t len)
{
	return 0;
}

static int iot_prog_fd(struct inst *in, int hook)
{
	return bpf_program__fd(hook == HOOK_XDP ? in->skel->progs.iot_xdp : in->skel->progs.iot_tc_egress);
}

static enum iot_hook iot_hook_of(int hook)
{
	return hook == HOOK_XDP ? IOT_HOOK_XDP : IOT_HOOK_TC_EGRESS;
}

/* The wrapper's configuration, read back first so its counter carries on. */
struct nf_cfg {
	__u32 sport_off;
	__u32 saddr_lo_off;
	__u64 ctr;
	__u32 cycle;
	__u32 spread;
};

static void set_cycle(uint32_t cycle)
{
	struct nf_cfg cfg;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(nf_bss_fd, &zero, &cfg))
		die("reading newflow's .bss");
	if (cfg.cycle == cycle)
		return;
	cfg.cycle = cycle;
	if (bpf_map_update_elem(nf_bss_fd, &zero, &cfg, BPF_ANY))
		die("writing newflow's .bss");
}

static void set_next(int hook, int prog_fd)
{
	__u32 zero = 0;

	if (bpf_map_update_elem(next_map_fd[hook], &zero, &prog_fd, BPF_ANY))
		die("setting the tail-call target");
}

/*
 * Runs prog over f nruns times, repeat packets each, draining the ring after each run (untimed); returns the
 * mean ns per packet as the kernel timed it.
 */
static double run_chunks(int prog_fd, struct frame *f, uint32_t repeat, uint32_t nruns, struct ring_buffer *rb)
{
	uint64_t ns = 0, pkts = 0;

	for (uint32_t i = 0; i < nruns; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->b, .data_size_in = (__u32)f->n, .repeat = repeat);

		if (bpf_prog_test_run_opts(prog_fd, &o))
			die("BPF_PROG_TEST_RUN");
		ns += (uint64_t)o.duration * repeat;
		pkts += repeat;
		if (rb)
			ring_buffer__consume(rb);
	}
	return (double)ns / (double)pkts;
}

/* Packets in a case's one run per round. */
static uint32_t run_length(const struct bcase *c)
{
	if (c->clear) /* the table must stay below full */
		return opt_clear_pkts;
	if (c->ring_bytes) /* the ring must stay below the wakeup threshold */
		return opt_rec_pkts;
	return opt_repeat;
}

/* Empties a flow table (untimed): what "not full" starts from in every round. */
static void clear_flows(int fd)
{
	static struct iot_flow_key keys[4096];
	static struct iot_flow vals[4096];
	__u32 in = 0, out = 0;
	bool first = true;

	for (int guard = 0; guard < 100000; guard++) {
		__u32 n = 4096;
		int err = bpf_map_lookup_and_delete_batch(fd, first ? NULL : &in, &out, keys, vals, &n, NULL);

		first = false;
		in = out;
		if (err) {
			if (errno == ENOENT)
				return;
			die("emptying the flow table");
		}
	}
}

static void counters(struct inst *in, int hook, struct iot_counters *c)
{
	if (counters_read(bpf_map__fd(in->skel->maps.iot_counters), iot_hook_of(hook), c))
		die("reading the counters");
}

/* Every counter, the flood-admission ones past IOT_CNT_MAX included (counters_read stops at IOT_CNT_MAX). */
static int counters_all(struct iotsense_bpf *skel, struct iot_counters *out)
{
	int ncpu = libbpf_num_possible_cpus();
	struct iot_counters *per = calloc(ncpu > 0 ? ncpu : 1, sizeof(*per));
	__u32 hook = IOT_HOOK_XDP;
	int err;

	memset(out, 0, sizeof(*out));
	if (!per)
		return -1;
	err = bpf_map_lookup_elem(bpf_map__fd(skel->maps.iot_counters), &hook, per);
	for (int c = 0; !err && c < ncpu; c++)
		for (int i = 0; i < IOT_CNT_ALL; i++)
			out->c[i] += per[c].c[i];
	free(per);
	return err;
}

/* One measurement of an item: baseline and program under test, in the given order. */
static void measure(struct item *it, int round, bool test_first)
{
	struct inst *in = &insts[it->clock][it->c->table];
	struct iot_counters before, after;
	uint32_t repeat = run_length(it->c);
	int test_fd = iot_prog_fd(in, it->hook);

	for (int k = 0; k < 2; k++) {
		bool test = (k == 0) == test_first;
		int fd;

		if (it->c->newflow) {
			set_cycle(it->c->cycle);
			set_next(it->hook, test ? test_fd : base_fd[it->hook]);
			fd = wrap_fd[it->hook];
		} else {
			fd = test ? test_fd : base_fd[it->hook];
		}
		if (!test) {
			it->base[round] = run_chunks(fd, &it->f, repeat, 1, NULL);
			continue;
		}
		if (it->c->clear)
			clear_flows(bpf_map__fd(in->skel->maps.iot_flows));
		if (in->rb)
			ring_buffer__consume(in->rb);
		counters(in, it->hook, &before);
		it->test[round] = run_chunks(fd, &it->f, repeat, 1, in->rb);
		counters(in, it->hook, &after);
		it->pkts += after.c[IOT_CNT_PACKETS] - before.c[IOT_CNT_PACKETS];
		it->events += after.c[IOT_CNT_EVENTS] - before.c[IOT_CNT_EVENTS];
		it->rb_fail += after.c[IOT_CNT_RB_FAIL] - before.c[IOT_CNT_RB_FAIL];
		it->wakeups += after.c[IOT_CNT_WAKEUPS] - before.c[IOT_CNT_WAKEUPS];
		it->create_fail += after.c[IOT_CNT_FLOW_CREATE_FAIL] - before.c[IOT_CNT_FLOW_CREATE_FAIL];
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Quantile q of sorted v[0..n) by linear interpolation (the usual "type 7"). */
static double quantile(const double *v, int n, double q)
{
	double pos = q * (n - 1);
	int i = (int)pos;

	if (i + 1 >= n)
		return v[n - 1];
	return v[i] + (pos - i) * (v[i + 1] - v[i]);
}

static void summarise(struct item *it, int rounds)
{
	double d[MAX_ROUNDS], b[MAX_ROUNDS], t[MAX_ROUNDS];

	for (int r = 0; r < rounds; r++) {
		d[r] = it->test[r] - it->base[r];
		b[r] = it->base[r];
		t[r] = it->test[r];
	}
	qsort(d, rounds, sizeof(d[0]), cmp_double);
	qsort(b, rounds, sizeof(b[0]), cmp_double);
	qsort(t, rounds, sizeof(t[0]), cmp_double);
	/* hook clock case base test delta: median min max q1 q3; rounds repeat records/pkt rb_fail wakeups fail what */
	printf("%s\t%s\t%s\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%d\t%u\t%.2f\t%llu\t%llu\t%llu\t%s\n",
	       hook_names[it->hook], clock_names[it->clock], it->c->key, quantile(b, rounds, 0.5),
	       quantile(t, rounds, 0.5), quantile(d, rounds, 0.5), d[0], d[rounds - 1], quantile(d, rounds, 0.25),
	       quantile(d, rounds, 0.75), rounds, run_length(it->c), it->pkts ? (double)it->events / it->pkts : 0.0,
	       (unsigned long long)it->rb_fail, (unsigned long long)it->wakeups,
	       (unsigned long long)it->create_fail, it->c->what);
	fflush(stdout);
}

static struct bpf_object *open_obj(const char *dir, const char *name)
{
	char path[4096];
	struct bpf_object *obj;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	obj = bpf_object__open_file(path, NULL);
	if (!obj)
		die(path);
	if (bpf_object__load(obj))
		die(path);
	return obj;
}

static int prog_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(obj, name);

	if (!p)
		die(name);
	return bpf_program__fd(p);
}

/* Untimed: brings an instance's table (and ring) to the state its cases measure. */
static void prefill(const struct item *it)
{
	struct inst *in = &insts[it->clock][it->c->table];
	uint32_t repeat = (WAKEUP_BYTES / 2) / 144;
	struct frame f = it->f;

	set_next(it->hook, iot_prog_fd(in, it->hook));
	switch (it->c->table) {
	case T_FULL:
	case T_SMALL: /* three times over, with flows the measurement never sends again */
		set_cycle(0);
		run_chunks(wrap_fd[it->hook], &f, repeat, (3 * table_flows[it->c->table]) / repeat + 1, in->rb);
		break;
	case T_MANY: /* every flow of the cycle, once */
		set_cycle(MANY_FLOWS);
		run_chunks(wrap_fd[it->hook], &f, repeat, MANY_FLOWS / repeat + 1, in->rb);
		break;
	case T_NORB: /* more records than the ring holds, never drained */
		set_cycle(0);
		run_chunks(wrap_fd[it->hook], &f, RING_BYTES / 144 + 10000, 1, NULL);
		break;
	}
}

/* Budgets so large that no case sheds: its new flows still pay for the check (bpf/lib/admit.h). */
static void admit_never_sheds(struct iotsense_bpf *skel)
{
	skel->rodata->iot_admit_cfg.src_burst = 1u << 30;
	skel->rodata->iot_admit_cfg.src_flow_ns = 1;
	skel->rodata->iot_admit_cfg.all_burst = 1u << 30;
	skel->rodata->iot_admit_cfg.all_flow_ns = 1;
}

/*
 * ---- -S: what a new-flow storm costs the flows already there (bench/micro -S) ----
 * 1 000 steady TCP flows (clients 198.18.1+.x to 198.19.0.2:502) open with a full handshake, then exchange
 * payload packets, one packet per flow per round. From the third round on, each round starts with a storm chunk
 * through bench/newflow.bpf.c: a SYN scan from one source (198.18.200.1 to 8 192 ports on each of many hosts),
 * SYNs from many sources (a new address per packet), or UDP from many sources. The ring (8 MiB, as deployed) is
 * drained once per round, after the steady packets: a consumer on a timer, so a storm chunk that fills the ring
 * costs the steady flows the records that come after it. Run twice: with the deployed admission policy, and with
 * it off (no half-open table, no budgets: the datapath before it). Live clock (the budgets refill in real time).
 */
#define STORM_FLOWS 1000
#define STORM_ROUNDS 12 /* 2 handshake rounds, then 10 payload packets per flow (5 each way) */
#define STORM_SERVER 0xc6130002u
#define STORM_PORT 502

enum storm_kind { ST_NONE, ST_SCAN1, ST_SYN_MANY, ST_UDP_MANY, NSTORMS };
static const char *const storm_names[NSTORMS] = { "none", "syn_scan_one_source", "syn_many_sources",
						  "udp_many_sources" };

struct storm_tally {
	uint64_t steady_start, steady_syn, steady_payload, storm_records, flood_records;
};

static int storm_cb(void *ctx, void *data, size_t len)
{
	struct storm_tally *t = ctx;
	const struct iot_ev_hdr *h = data;

	if (len < sizeof(*h))
		return 0;
	if (h->type == IOT_EV_FLOOD) {
		t->flood_records++;
		return 0;
	}
	if (len >= sizeof(struct iot_ev_hdr) + sizeof(struct iot_flow_key)) {
		const struct iot_flow_key *k = (const void *)((const uint8_t *)data + sizeof(*h));
		bool steady = k->proto == IPPROTO_TCP &&
			      (ntohs(k->port_a) == STORM_PORT || ntohs(k->port_b) == STORM_PORT);

		if (!steady) {
			t->storm_records++;
			return 0;
		}
		if (h->type == IOT_EV_FLOW_START)
			t->steady_start++;
		else if (h->type == IOT_EV_SNIPPET && ((const struct iot_ev_snippet *)data)->reason == IOT_SNIP_SYN)
			t->steady_syn++;
		else if (h->type == IOT_EV_SNIPPET)
			t->steady_payload++;
	}
	return 0;
}

/* Packet r of steady flow i: SYN, SYN-ACK, then payload alternating client -> server and back. */
static void steady_frame(struct frame *f, int i, int r)
{
	uint32_t client = htonl(0xc6120000u | ((1 + i / 250) << 8) | (1 + i % 250)), server = htonl(STORM_SERVER);
	uint16_t cport = htons(40000 + i), sport = htons(STORM_PORT);
	bool from_client = r == 0 || (r >= 2 && r % 2 == 0);
	uint8_t flags = r == 0 ? TCP_SYN : r == 1 ? (TCP_SYN | TCP_ACK) : (TCP_ACK | TCP_PSH);
	size_t at;

	eth(f, 0x0800);
	at = ip4(f, IPPROTO_TCP);
	tcp(f, 0, 0, flags);
	if (r >= 2)
		payload(f, 32);
	ip4_done(f, at);
	memcpy(f->b + 14 + 12, from_client ? &client : &server, 4);
	memcpy(f->b + 14 + 16, from_client ? &server : &client, 4);
	memcpy(f->b + 34, from_client ? &cport : &sport, 2);
	memcpy(f->b + 36, from_client ? &sport : &cport, 2);
}

static void storm_frame(struct frame *f, enum storm_kind k, struct nf_cfg *cfg)
{
	size_t at;

	memset(cfg, 0, sizeof(*cfg));
	eth(f, 0x0800);
	at = ip4(f, k == ST_UDP_MANY ? IPPROTO_UDP : IPPROTO_TCP);
	if (k == ST_UDP_MANY) {
		udp(f, 50000, 5683, 32);
		payload(f, 32);
	} else {
		tcp(f, 50000, 443, TCP_SYN);
	}
	ip4_done(f, at);
	if (k == ST_SCAN1) {
		uint32_t scanner = htonl(0xc612c801u); /* 198.18.200.1 */

		memcpy(f->b + 14 + 12, &scanner, 4);
		cfg->sport_off = 14 + 20 + 2;  /* the destination port */
		cfg->saddr_lo_off = 14 + 16 + 2; /* the destination address's low half */
	} else {
		cfg->sport_off = NF_SPORT_OFF;
		cfg->saddr_lo_off = NF_SADDR_LO_OFF;
		cfg->spread = 1;
	}
}

static void storm_one(int admit, enum storm_kind kind, uint32_t chunk)
{
	struct loader_opts o;
	struct iotsense_bpf *skel;
	struct ring_buffer *rb;
	struct storm_tally t = {};
	struct iot_counters before, after;
	struct frame f, sf;
	struct nf_cfg cfg;
	uint64_t storm_pkts = 0;
	struct timespec t0, t1;
	int kept = 0, prog, flows_fd;
	__u32 zero = 0;

	loader_opts_default(&o);
	skel = loader_open(&o);
	if (!skel)
		die("opening the iotsense object");
	skel->rodata->iot_admit_cfg.embryo = 1;
	if (!admit) {
		skel->rodata->iot_admit_cfg.embryo = 0;
		skel->rodata->iot_admit_cfg.src_burst = 0;
		skel->rodata->iot_admit_cfg.all_burst = 0;
	}
	if (loader_load(skel, &o))
		die("loading the iotsense object");
	rb = ring_buffer__new(bpf_map__fd(skel->maps.iot_events), storm_cb, &t, NULL);
	if (!rb)
		die("ring_buffer__new");
	prog = bpf_program__fd(skel->progs.iot_xdp);
	flows_fd = bpf_map__fd(skel->maps.iot_flows);
	set_next(HOOK_XDP, prog);
	storm_frame(&sf, kind, &cfg);
	if (bpf_map_update_elem(nf_bss_fd, &zero, &cfg, BPF_ANY))
		die("configuring newflow's .bss");
	if (counters_all(skel, &before))
		die("reading the counters");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int r = 0; r < STORM_ROUNDS; r++) {
		if (kind != ST_NONE && r >= 2) {
			run_chunks(wrap_fd[HOOK_XDP], &sf, chunk, 1, NULL);
			storm_pkts += chunk;
		}
		for (int i = 0; i < STORM_FLOWS; i++) {
			steady_frame(&f, i, r);
			run_chunks(prog, &f, 1, 1, NULL);
		}
		ring_buffer__consume(rb);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (counters_all(skel, &after))
		die("reading the counters");
	for (int i = 0; i < STORM_FLOWS; i++) {
		struct iot_flow_key k = { .proto = IPPROTO_TCP };
		struct iot_flow v;
		uint32_t client = htonl(0xc6120000u | ((1 + i / 250) << 8) | (1 + i % 250)), server = htonl(STORM_SERVER);

		/* Either order of the endpoints: the key's order is the datapath's business. */
		for (int swap = 0; swap < 2; swap++) {
			k.addr_a[10] = k.addr_a[11] = k.addr_b[10] = k.addr_b[11] = 0xff;
			memcpy(k.addr_a + 12, swap ? &server : &client, 4);
			memcpy(k.addr_b + 12, swap ? &client : &server, 4);
			k.port_a = htons(swap ? STORM_PORT : 40000 + i);
			k.port_b = htons(swap ? 40000 + i : STORM_PORT);
			if (!bpf_map_lookup_elem(flows_fd, &k, &v)) {
				kept++;
				break;
			}
		}
	}
#define D(k) ((unsigned long long)(after.c[k] - before.c[k]))
	/* admission storm storm_pkts seconds | steady: in_table starts syn payload (expected) | storm records, flood
	 * records | counters: created shed embryo_new embryo_promoted flood_events ringbuf_drops */
	printf("%s\t%s\t%llu\t%.2f\t%d\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\n",
	       admit ? "on" : "off", storm_names[kind], (unsigned long long)storm_pkts,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, kept, (unsigned long long)t.steady_start,
	       (unsigned long long)t.steady_syn, (unsigned long long)t.steady_payload,
	       (unsigned long long)t.storm_records, (unsigned long long)t.flood_records, D(IOT_CNT_FLOWS_CREATED),
	       D(IOT_CNT_FLOWS_SHED), D(IOT_CNT_EMBRYO_NEW), D(IOT_CNT_EMBRYO_PROMOTED), D(IOT_CNT_FLOOD_EVENTS),
	       D(IOT_CNT_RB_FAIL));
#undef D
	fflush(stdout);
	ring_buffer__free(rb);
	iotsense_bpf__destroy(skel);
}

static void storm_main(uint32_t chunk)
{
	printf("# storm: %d steady flows, %d rounds, storm chunk %u packets before each payload round; ring 8 MiB "
	       "drained once per round\n",
	       STORM_FLOWS, STORM_ROUNDS, chunk);
	printf("# admission\tstorm\tstorm_pkts\tseconds\tsteady_in_table\tsteady_starts\tsteady_syn_snippets\t"
	       "steady_payload_snippets\tstorm_records\tflood_records\tflows_created\tflows_shed\tembryo_new\t"
	       "embryo_promoted\tflood_events\tringbuf_drops\n");
	for (int k = 0; k < NSTORMS; k++)
		for (int admit = 1; admit >= 0; admit--)
			storm_one(admit, k, chunk);
}

static bool bpf_stats_enabled(void)
{
	FILE *fp = fopen("/proc/sys/kernel/bpf_stats_enabled", "r");
	int v = 0;

	if (fp) {
		if (fscanf(fp, "%d", &v) != 1)
			v = 0;
		fclose(fp);
	}
	return v != 0;
}

static bool listed(const char *list, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, key, n) && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

static void usage(void)
{
	fprintf(stderr, "Usage: micro -o BENCH_OBJ_DIR [-c CPU] [-r ROUNDS] [-n REPEAT] [-p RECORD_PKTS] "
			"[-q CLEAR_PKTS] [-x CASE,CASE] [-T] [-E]\n"
			"       micro -o BENCH_OBJ_DIR [-c CPU] -S STORM_CHUNK\n"
			"  -T: the TC items first in each round (to see whether order matters)\n"
			"  -E: the half-open table off (bpf/lib/admit.h), to see what it costs a new flow\n"
			"  -S: steady flows beside new-flow storms, admission on and off (STORM_CHUNK packets a round)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct item items[NHOOKS * NCLOCKS * NCASES];
	const char *objdir = NULL;
	struct loader_opts o;
	int c, nitems = 0;
	cpu_set_t set;

	while ((c = getopt(argc, argv, "o:c:r:n:p:q:x:S:ETh")) != -1) {
		switch (c) {
		case 'o':
			objdir = optarg;
			break;
		case 'c':
			opt_cpu = atoi(optarg);
			break;
		case 'r':
			opt_rounds = atoi(optarg);
			break;
		case 'n':
			opt_repeat = strtoul(optarg, NULL, 0);
			break;
		case 'p':
			opt_rec_pkts = strtoul(optarg, NULL, 0);
			break;
		case 'q':
			opt_clear_pkts = strtoul(optarg, NULL, 0);
			break;
		case 'x':
			opt_only = optarg;
			break;
		case 'T':
			opt_tc_first = true;
			break;
		case 'S':
			opt_storm = strtoul(optarg, NULL, 0);
			break;
		case 'E':
			opt_no_embryo = true;
			break;
		default:
			usage();
		}
	}
	/* New-flow rounds must leave the 65 536 table short of full. */
	if (!objdir || opt_rounds < 3 || opt_rounds > MAX_ROUNDS || !opt_repeat || !opt_rec_pkts ||
	    !opt_clear_pkts || opt_clear_pkts > 60000)
		usage();
	for (unsigned int i = 0; i < NCASES; i++) {
		if ((uint64_t)run_length(&cases[i]) * cases[i].ring_bytes >= WAKEUP_BYTES) {
			fprintf(stderr, "micro: %s: a round's records would pass the wakeup threshold\n",
				cases[i].key);
			usage();
		}
	}
	if (bpf_stats_enabled()) {
		fprintf(stderr, "micro: kernel.bpf_stats_enabled is 1; it adds two clock reads per run: refusing\n");
		return 1;
	}
	log_init(LOG_WARN);
	if (opt_cpu < 0)
		opt_cpu = sysconf(_SC_NPROCESSORS_ONLN) - 1;
	CPU_ZERO(&set);
	CPU_SET(opt_cpu, &set);
	/* One CPU: the per-CPU maps, the LRU's local lists and the caches stay the same from run to run. */
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");

	base_obj = open_obj(objdir, "xdp_pass.bpf.o");
	base_fd[HOOK_XDP] = prog_fd(base_obj, "xdp_pass");
	base_fd[HOOK_TC] = prog_fd(base_obj, "tc_ok");
	nf_obj = open_obj(objdir, "newflow.bpf.o");
	wrap_fd[HOOK_XDP] = prog_fd(nf_obj, "xdp_newflow");
	wrap_fd[HOOK_TC] = prog_fd(nf_obj, "tc_newflow");
	next_map_fd[HOOK_XDP] = bpf_object__find_map_fd_by_name(nf_obj, "xdp_next");
	next_map_fd[HOOK_TC] = bpf_object__find_map_fd_by_name(nf_obj, "tc_next");
	{
		/* Through the syscall: libbpf 1.1's mmapped view of .bss is not the kernel's on every kernel. */
		struct bpf_map *bss = bpf_object__find_map_by_name(nf_obj, ".bss");
		struct nf_cfg cfg = { .sport_off = NF_SPORT_OFF, .saddr_lo_off = NF_SADDR_LO_OFF };
		__u32 zero = 0;

		if (!bss || bpf_map__value_size(bss) != sizeof(cfg))
			die("newflow's .bss");
		nf_bss_fd = bpf_map__fd(bss);
		if (bpf_map_update_elem(nf_bss_fd, &zero, &cfg, BPF_ANY))
			die("configuring newflow's .bss");
	}
	if (opt_storm) {
		storm_main(opt_storm);
		bpf_object__close(nf_obj);
		bpf_object__close(base_obj);
		return 0;
	}

	for (int clk = 0; clk < NCLOCKS; clk++) {
		for (int t = 0; t < NTABLES; t++) {
			struct inst *in = &insts[clk][t];

			loader_opts_default(&o);
			o.replay = clk == CLOCK_REPLAY;
			o.flows_max = table_flows[t];
			o.ring_bytes = RING_BYTES;
			in->skel = loader_open(&o);
			if (!in->skel) {
				fprintf(stderr, "micro: cannot open the iotsense object\n");
				return 1;
			}
			in->skel->rodata->iot_cfg.wakeup_bytes = WAKEUP_BYTES;
			in->skel->rodata->iot_admit_cfg.embryo = !opt_no_embryo;
			if (t != T_ADMIT)
				admit_never_sheds(in->skel);
			if (loader_load(in->skel, &o)) {
				fprintf(stderr, "micro: cannot load the iotsense object (root needed)\n");
				return 1;
			}
			/* The replay clock must not read 0: a budget slot stamped 0 counts as never used (full). */
			in->skel->bss->replay_now_ns = 1;
			if (t == T_NORB)
				continue; /* no consumer: its ring stays full */
			in->rb = ring_buffer__new(bpf_map__fd(in->skel->maps.iot_events), noop_cb, NULL, NULL);
			if (!in->rb)
				die("ring_buffer__new");
		}
	}

	for (int hh = 0; hh < NHOOKS; hh++)
		for (int clk = 0; clk < NCLOCKS; clk++)
			for (unsigned int i = 0; i < NCASES; i++) {
				int h = opt_tc_first ? NHOOKS - 1 - hh : hh;
				struct item *it;

				if (opt_only && !listed(opt_only, cases[i].key))
					continue;
				it = &items[nitems++];
				it->hook = h;
				it->clock = clk;
				it->c = &cases[i];
				build(&it->f, cases[i].fr);
			}

	/* Untimed: fill the small tables, then one pass over everything so no first-touch cost lands in round 0. */
	for (int i = 0; i < nitems; i++)
		if (items[i].c->table != T_MAIN)
			prefill(&items[i]);
	for (int i = 0; i < nitems; i++) {
		measure(&items[i], 0, true);
		items[i].pkts = items[i].events = items[i].rb_fail = items[i].wakeups = items[i].create_fail = 0;
	}

	for (int r = 0; r < opt_rounds; r++) {
		fprintf(stderr, "micro: round %d/%d\n", r + 1, opt_rounds);
		for (int i = 0; i < nitems; i++)
			measure(&items[i], r, r % 2 == 0);
	}
	if (bpf_stats_enabled()) {
		fprintf(stderr, "micro: kernel.bpf_stats_enabled went to 1 during the run: figures invalid\n");
		return 1;
	}
	for (int i = 0; i < nitems; i++)
		summarise(&items[i], opt_rounds);

	for (int clk = 0; clk < NCLOCKS; clk++)
		for (int t = 0; t < NTABLES; t++) {
			if (insts[clk][t].rb)
				ring_buffer__free(insts[clk][t].rb);
			iotsense_bpf__destroy(insts[clk][t].skel);
		}
	bpf_object__close(nf_obj);
	bpf_object__close(base_obj);
	return 0;
}
