// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench/userspace: what the user-space pipeline costs per event, and the memory the daemon's user space keeps.
 *
 * Rate (default): the capture goes once through the real XDP program (BPF_PROG_TEST_RUN, as `iotsense replay`)
 * and every ring-buffer record is kept in memory, with the end records of the flows still open at the end of
 * the capture (what flows_sweep would have sent). Then the recorded stream is fed to pipeline_event, as the
 * ring buffer's callback would, -p times per round (timestamps moved on by the capture's span each pass), for
 * two stages in alternating order each round:
 *   pipeline  decoders, inventory, derived facts, alert engine, NDJSON records written to /dev/null
 *   store     the same, the records through the record tee into the SQLite store (a commit every second, as
 *             the daemon) and its outbox read by one NDJSON file output's sender thread
 * Both do the daemon's periodic work every second (alert flush, changed-device snapshot every 10 s). Each
 * round starts from a fresh inventory, alert engine and state dir. CPU time is the process's (every thread:
 * the sender's too), so events / CPU second is events per second per core.
 * One TSV line per stage and round: round stage events cpu_s wall_s.
 *
 * RSS (-D): the capture's records go straight from the ring buffer into the "store" stage (nothing recorded),
 * flows still open are swept at the end, every device is written, and the peak RSS (VmHWM) is printed with
 * the counts (and VmRSS once the knowledge is loaded, before the first packet).
 *
 *   userspace -r CAPTURE -d WORKDIR [-p PASSES] [-R ROUNDS] [-D]
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "assess/alerts.h"
#include "capture.h"
#include "cli.h"
#include "config.h"
#include "flows.h"
#include "inventory.h"
#include "iotsense_abi.h" /* before the skeleton: it names our structs */
#include "iotsense.skel.h"
#include "loader.h"
#include "outputs/outputs.h"
#include "pipeline.h"
#include "record_tee.h"
#include "store/store.h"

struct global_opts g_opts; /* main.c's, which this program does not link */

#define FRAME_MAX 3500 /* as replay.c: one page minus headroom and skb_shared_info */

struct recording {
	uint8_t *buf; /* records, each after its uint32_t length, 8-byte aligned */
	size_t len, cap;
	uint64_t n, first_ns, last_ns;
};

struct stage {
	bool store_on;
	char dir[4096];
	FILE *null;
	struct pipeline pl;
	struct inventory inv;
	struct iot_config cfg;
	struct store store;
	struct record_tee tee;
	struct outputs *outs;
	double last_tick, last_snap;
};

static double now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int record_cb(void *ctx, void *data, size_t len)
{
	struct recording *r = ctx;
	size_t need = (sizeof(uint32_t) + len + 7) & ~(size_t)7;
	const struct iot_ev_hdr *h = data;

	if (r->len + need > r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64 << 20;
		uint8_t *b = realloc(r->buf, cap);

		if (!b)
			return -ENOMEM;
		r->buf = b;
		r->cap = cap;
	}
	*(uint32_t *)(r->buf + r->len) = len;
	memcpy(r->buf + r->len + sizeof(uint32_t), data, len);
	r->len += need;
	r->n++;
	if (len >= sizeof(*h) && h->ts_ns) {
		if (!r->first_ns || h->ts_ns < r->first_ns)
			r->first_ns = h->ts_ns;
		if (h->ts_ns > r->last_ns)
			r->last_ns = h->ts_ns;
	}
	return 0;
}

/* The end records flows_sweep() would send at the end of a capture (it hands them to the pipeline directly,
 * so they cannot be recorded through it); the same fields, the same order of work. */
static void record_open_flows(int flows_fd, struct recording *r)
{
	struct iot_flow_key k, next;
	void *prev = NULL;
	int n = 0;

	while (n < (1 << 24) && !bpf_map_get_next_key(flows_fd, prev, &next)) {
		struct iot_ev_flow ev;

		k = next;
		prev = &k;
		n++;
		memset(&ev, 0, sizeof(ev));
		if (bpf_map_lookup_elem(flows_fd, &k, &ev.flow) || (ev.flow.flags & IOT_FLOW_F_ENDED))
			continue;
		ev.hdr.type = IOT_EV_FLOW_END;
		ev.hdr.version = IOT_ABI_VERSION;
		ev.hdr.size = sizeof(ev);
		ev.hdr.ifindex = ev.flow.ifindex;
		ev.hdr.ts_ns = ev.flow.last_ns;
		ev.key = k;
		ev.reason = IOT_END_CAPTURE;
		record_cb(r, &ev, sizeof(ev));
	}
}

/* Every packet of the capture through the XDP program; each record to cb(ctx). */
static int replay_capture(const char *file, ring_buffer_sample_fn cb, void *ctx, struct iotsense_bpf **skel_out,
			  uint64_t *packets)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	static uint8_t frame[FRAME_MAX];
	struct loader_opts lo;
	struct iotsense_bpf *skel;
	struct ring_buffer *rb;
	struct capture *c;
	uint32_t len, caplen, wirelen;
	uint64_t ts;
	char err[512];
	int rc, prog_fd;

	loader_opts_default(&lo);
	lo.replay = true;
	lo.pin_dir = NULL;
	skel = loader_open_and_load(&lo);
	if (!skel)
		return -1;
	rb = ring_buffer__new(bpf_map__fd(skel->maps.iot_events), cb, ctx, NULL);
	c = capture_open(file, err, sizeof(err));
	if (!rb || !c) {
		fprintf(stderr, "userspace: %s: %s\n", file, c ? strerror(errno) : err);
		ring_buffer__free(rb);
		if (c)
			capture_close(c);
		iotsense_bpf__destroy(skel);
		return -1;
	}
	prog_fd = bpf_program__fd(skel->progs.iot_xdp);
	while ((rc = capture_next(c, frame, sizeof(frame), &len, &caplen, &wirelen, &ts)) > 0) {
		if (rc == CAPTURE_SKIP)
			continue;
		skel->bss->replay_now_ns = ts;
		topts.data_in = frame;
		topts.data_size_in = len;
		bpf_prog_test_run_opts(prog_fd, &topts);
		ring_buffer__consume(rb);
		(*packets)++;
	}
	ring_buffer__free(rb);
	capture_close(c);
	if (rc == CAPTURE_ERROR) {
		fprintf(stderr, "userspace: %s: unreadable capture\n", file);
		iotsense_bpf__destroy(skel);
		return -1;
	}
	*skel_out = skel;
	return 0;
}

static int stage_open(struct stage *s, bool store_on, const char *dir)
{
	char err[1024], path[4200];
	FILE *f;

	memset(s, 0, sizeof(*s));
	s->store_on = store_on;
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	s->null = fopen("/dev/null", "w");
	if (!s->null)
		return -1;
	pipeline_init(&s->pl, s->null, true);
	inv_init(&s->inv);
	s->pl.inv = &s->inv;
	if (inv_load_knowledge(&s->inv, NULL, dir))
		return -1;
	s->pl.alerts = alerts_new(NULL, dir, err, sizeof(err));
	if (!s->pl.alerts) {
		fprintf(stderr, "userspace: %s\n", err);
		return -1;
	}
	s->inv.alerts = s->pl.alerts;
	config_defaults(&s->cfg);
	if (!store_on)
		return 0;
	/* One output, as a deployment with a SIEM has: its sender thread reads the outbox the commits fill. */
	snprintf(path, sizeof(path), "%s/bench.yaml", dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "outputs:\n  - name: bench\n    type: ndjson\n    path: %s/out.ndjson\n", dir);
	fclose(f);
	if (config_load(&s->cfg, path, err, sizeof(err)) ||
	    store_open(&s->store, dir, false, err, sizeof(err))) {
		fprintf(stderr, "userspace: %s\n", err);
		return -1;
	}
	s->store.id = (struct store_identity){ s->cfg.sensor, s->cfg.site, s->cfg.zone };
	s->store.outbox = true;
	if (record_tee_open(&s->tee, NULL, &s->store))
		return -1;
	s->pl.out = s->tee.f;
	s->outs = outputs_start(&s->cfg, dir, err, sizeof(err));
	if (!s->outs) {
		fprintf(stderr, "userspace: %s\n", err);
		return -1;
	}
	return 0;
}

/* The daemon's once-a-second work (cmd_run.c's loop): alerts out, changed devices every 10 s, one commit. */
static void stage_tick(struct stage *s, bool force)
{
	double t = now(CLOCK_MONOTONIC);

	if (!force && t - s->last_tick < 1.0)
		return;
	s->last_tick = t;
	alerts_flush(s->pl.alerts, &s->pl.jw, s->pl.out, false);
	if (force || t - s->last_snap >= 10.0) {
		inv_emit_devices(&s->inv, &s->pl.jw, s->pl.out, true);
		s->last_snap = t;
	}
	if (s->store_on && record_tee_commit(&s->tee) > 0)
		outputs_kick(s->outs);
}

static int stage_close(struct stage *s)
{
	int ndev;

	alerts_flush(s->pl.alerts, &s->pl.jw, s->pl.out, true);
	ndev = inv_emit_devices(&s->inv, &s->pl.jw, s->pl.out, false);
	if (s->store_on) {
		record_tee_commit(&s->tee);
		outputs_stop(s->outs);
		record_tee_close(&s->tee);
		store_close(&s->store);
	}
	config_free(&s->cfg);
	alerts_free(s->pl.alerts);
	inv_free(&s->inv);
	pipeline_free(&s->pl);
	fclose(s->null);
	return ndev;
}

/* Feeds the recording `passes` times; the timestamps move on by the capture's span each pass. Not inlined: the
 * profile in RESULTS.md keeps the samples with feed() on their stack. */
static __attribute__((noinline)) uint64_t feed(struct stage *s, const struct recording *r, int passes)
{
	static uint8_t ev[sizeof(struct iot_ev_snippet) + IOT_SNAP_MAX + 64] __attribute__((aligned(8)));
	uint64_t span = r->last_ns - r->first_ns + 1000000000ull, n = 0;

	s->last_tick = s->last_snap = now(CLOCK_MONOTONIC);
	for (int p = 0; p < passes; p++) {
		uint64_t shift = p * span;

		for (size_t off = 0; off < r->len;) {
			uint32_t len = *(const uint32_t *)(r->buf + off);
			struct iot_ev_hdr *h = (struct iot_ev_hdr *)ev;

			memcpy(ev, r->buf + off + sizeof(uint32_t), len < sizeof(ev) ? len : sizeof(ev));
			off += (sizeof(uint32_t) + len + 7) & ~(size_t)7;
			if (len >= sizeof(*h))
				h->ts_ns += shift;
			if (len >= sizeof(struct iot_ev_flow) &&
			    (h->type == IOT_EV_FLOW_START || h->type == IOT_EV_FLOW_END)) {
				struct iot_ev_flow *f = (struct iot_ev_flow *)ev;

				f->flow.first_ns += shift;
				f->flow.last_ns += shift;
			}
			pipeline_event(&s->pl, ev, len < sizeof(ev) ? len : sizeof(ev));
			if ((++n & 1023) == 0)
				stage_tick(s, false);
		}
	}
	stage_tick(s, true);
	return n;
}

static int fresh_dir(char *buf, size_t size, const char *work, const char *name)
{
	char cmd[8400];

	snprintf(buf, size, "%s/%s", work, name);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", buf, buf);
	return system(cmd) ? -1 : 0;
}

static long status_kb(const char *field)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, strlen(field)))
			v = strtol(line + strlen(field), NULL, 10);
	fclose(f);
	return v;
}

/* The ring's callback in the RSS run: the record, then the daemon's once-a-second work. */
static int rss_cb(void *ctx, void *data, size_t len)
{
	struct stage *s = ctx;

	pipeline_event(&s->pl, data, len);
	if ((s->pl.st.events & 1023) == 0)
		stage_tick(s, false);
	return 0;
}

/* The daemon's user space over the capture, straight from the ring; VmHWM at the end. */
static int rss_run(const char *cap, const char *work)
{
	struct iotsense_bpf *skel = NULL;
	struct stage s;
	uint64_t packets = 0;
	char dir[4200];
	int ndev;

	unsigned long long nid = 0, nattr = 0, attr_slots = 0;
	long base_kb;

	if (fresh_dir(dir, sizeof(dir), work, "rss") || stage_open(&s, true, dir))
		return 1;
	base_kb = status_kb("VmRSS:"); /* the knowledge loaded (rules, OUI registry, feeds), no event yet */
	s.last_tick = s.last_snap = now(CLOCK_MONOTONIC);
	if (replay_capture(cap, rss_cb, &s, &skel, &packets))
		return 1;
	flows_sweep(bpf_map__fd(skel->maps.iot_flows), &s.pl, 0, UINT64_MAX, IOT_END_CAPTURE);
	iotsense_bpf__destroy(skel);
	stage_tick(&s, true);
	/* What the inventory holds: its identities and the attribute slots they allocated (each a fixed size). */
	hmap_for_each(&s.inv.idents, i) {
		const struct inv_ident *id = s.inv.idents.e[i].val;

		nid++;
		nattr += id->nattrs;
		attr_slots += id->cap;
	}
	ndev = stage_close(&s);
	printf("packets\tevents\tflow_starts\tflow_ends\tdevices\tvmhwm_kb\tvmrss_kb\tbase_kb\tidents\tattrs\t"
	       "attr_slot_bytes\tattr_slots\n");
	printf("%llu\t%llu\t%llu\t%llu\t%d\t%ld\t%ld\t%ld\t%llu\t%llu\t%zu\t%llu\n", (unsigned long long)packets,
	       (unsigned long long)s.pl.st.events, (unsigned long long)s.pl.st.flow_starts,
	       (unsigned long long)s.pl.st.flow_ends, ndev, status_kb("VmHWM:"), status_kb("VmRSS:"), base_kb,
	       (unsigned long long)nid, (unsigned long long)nattr, sizeof(struct inv_attr), (unsigned long long)attr_slots);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cap = NULL, *work = NULL;
	int passes = 2, rounds = 5, c;
	bool rss = false;
	struct recording rec = { 0 };
	struct iotsense_bpf *skel = NULL;
	uint64_t packets = 0;

	while ((c = getopt(argc, argv, "r:d:p:R:D")) != -1) {
		switch (c) {
		case 'r':
			cap = optarg;
			break;
		case 'd':
			work = optarg;
			break;
		case 'p':
			passes = atoi(optarg);
			break;
		case 'R':
			rounds = atoi(optarg);
			break;
		case 'D':
			rss = true;
			break;
		default:
			fprintf(stderr, "usage: userspace -r CAPTURE -d WORKDIR [-p PASSES] [-R ROUNDS] [-D]\n");
			return 2;
		}
	}
	if (!cap || !work || passes < 1 || rounds < 1) {
		fprintf(stderr, "usage: userspace -r CAPTURE -d WORKDIR [-p PASSES] [-R ROUNDS] [-D]\n");
		return 2;
	}
	if (rss)
		return rss_run(cap, work);

	if (replay_capture(cap, record_cb, &rec, &skel, &packets))
		return 1;
	record_open_flows(bpf_map__fd(skel->maps.iot_flows), &rec);
	iotsense_bpf__destroy(skel);
	fprintf(stderr, "userspace: %s: %llu packets, %llu records (%.1f MiB) recorded\n", cap,
		(unsigned long long)packets, (unsigned long long)rec.n, rec.len / 1048576.0);

	printf("round\tstage\tevents\tcpu_s\twall_s\tobservations\tdevices\n");
	for (int r = 0; r < rounds; r++) {
		for (int k = 0; k < 2; k++) {
			bool store_on = (k + r) & 1; /* alternate which stage goes first */
			struct stage s;
			char dir[4200];
			double c0, w0, cpu, wall;
			uint64_t n;
			int ndev;

			if (fresh_dir(dir, sizeof(dir), work, store_on ? "store" : "pipeline") ||
			    stage_open(&s, store_on, dir))
				return 1;
			c0 = now(CLOCK_PROCESS_CPUTIME_ID);
			w0 = now(CLOCK_MONOTONIC);
			n = feed(&s, &rec, passes);
			cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
			wall = now(CLOCK_MONOTONIC) - w0;
			if (s.pl.st.bad_events) {
				fprintf(stderr, "userspace: %llu records refused by the pipeline\n",
					(unsigned long long)s.pl.st.bad_events);
				return 1;
			}
			ndev = stage_close(&s);
			printf("%d\t%s\t%llu\t%.4f\t%.4f\t%llu\t%d\n", r, store_on ? "store" : "pipeline",
			       (unsigned long long)n, cpu, wall, (unsigned long long)s.pl.st.observations, ndev);
			fflush(stdout);
		}
	}
	free(rec.buf);
	return 0;
}
