// SPDX-License-Identifier: GPL-2.0-only
/*
 * Capture replay through the kernel: every packet of a capture goes through the same XDP program that runs on
 * an interface (BPF_PROG_TEST_RUN), with the program's clock set to the packet's capture time, and the ring
 * buffer is drained after each packet. Tests and forensic replays exercise the real datapath this way.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "capture.h"
#include "cli.h"
#include "flows.h"
#include "iotsense_abi.h" /* before the skeleton: it names our structs */
#include "iotsense.skel.h"
#include "lib/log.h"
#include "pipeline.h"
#include "replay.h"

/* XDP test runs take one page minus headroom and skb_shared_info; longer (GRO-merged) frames are cut. */
#define REPLAY_FRAME_MAX 3500

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int replay_one(const char *file, struct iotsense_bpf *skel, struct ring_buffer *rb, struct pipeline *pl,
		      bool progress, struct replay_totals *tot)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	int prog_fd = bpf_program__fd(skel->progs.iot_xdp);
	static uint8_t frame[REPLAY_FRAME_MAX];
	uint32_t len, caplen, wirelen;
	uint64_t n = 0, ts, last_ts = 0;
	double t0 = mono_now(), next_progress = t0 + 0.5;
	struct capture *c;
	char err[512];
	int rc, ret = 0;

	c = capture_open(file, err, sizeof(err));
	if (!c) {
		pr_err("%s: %s\n", file, err);
		tot->files_failed++;
		return 1;
	}
	while ((rc = capture_next(c, frame, sizeof(frame), &len, &caplen, &wirelen, &ts)) > 0) {
		n++;
		tot->bytes += wirelen;
		if (rc == CAPTURE_SKIP) {
			tot->skipped_short++;
			continue;
		}
		if (caplen > REPLAY_FRAME_MAX)
			tot->truncated++;
		last_ts = ts;
		skel->bss->replay_now_ns = ts;
		topts.data_in = frame;
		topts.data_size_in = len;
		if (bpf_prog_test_run_opts(prog_fd, &topts)) {
			tot->run_errors++;
			pr_debug("%s: packet %llu: test run failed: %s\n", file, (unsigned long long)n,
				 strerror(errno));
		}
		ring_buffer__consume(rb);
		tot->packets++;
		if (progress && (n & 1023) == 0 && mono_now() >= next_progress) {
			double el = mono_now() - t0;

			fprintf(stderr, "\r  %s: %llu packets, %.1f MB, %.0f packets/s   ", file,
				(unsigned long long)n, tot->bytes / 1e6, n / (el > 0 ? el : 1));
			next_progress += 0.5;
		}
	}
	if (progress)
		fprintf(stderr, "\r\033[K");
	if (rc == CAPTURE_ERROR) {
		pr_err("%s: packet %llu: %s (the records of the %llu packets before it were written)\n", file,
		       (unsigned long long)n + 1, capture_error(c), (unsigned long long)n);
		tot->files_failed++;
		ret = 1;
	}
	capture_close(c);
	/* The capture is over: every flow still open ends here, at its last packet. */
	flows_sweep(bpf_map__fd(skel->maps.iot_flows), pl, last_ts, UINT64_MAX, IOT_END_CAPTURE);
	return ret;
}

int replay_files(char *const *files, int nfiles, const struct loader_opts *lo_in, FILE *out, bool progress,
		 struct alerts *alerts, struct replay_totals *tot)
{
	struct loader_opts lo = *lo_in;
	struct iotsense_bpf *skel;
	struct ring_buffer *rb = NULL;
	struct inventory inv;
	struct pipeline pl;
	int ret = 0, ndev;

	memset(tot, 0, sizeof(*tot));
	lo.replay = true;
	lo.pin_dir = NULL;
	skel = loader_open_and_load(&lo);
	if (!skel)
		return 1;
	pipeline_init(&pl, out, true);
	inv_init(&inv);
	pl.inv = &inv;
	pl.alerts = alerts;
	inv.alerts = alerts;
	if (inv_load_knowledge(&inv, NULL, g_opts.state_dir)) {
		ret = 2;
		goto out;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.iot_events), pipeline_event, &pl, NULL);
	if (!rb) {
		pr_err("creating the ring buffer reader failed: %s\n", strerror(errno));
		ret = 1;
		goto out;
	}
	for (int i = 0; i < nfiles; i++)
		ret |= replay_one(files[i], skel, rb, &pl, progress, tot);
	/* Each device once, after the captures, in its final state. */
	ndev = inv_emit_devices(&inv, &pl.jw, out, false);
	fflush(out);
	if (pl.st.write_errors) {
		pr_err("writing records failed %llu times (disk full or closed pipe?)\n",
		       (unsigned long long)pl.st.write_errors);
		ret = 1;
	}
	pr_info("replayed %llu packets from %d file(s): %llu records, %llu observations, %d devices\n",
		(unsigned long long)tot->packets, nfiles, (unsigned long long)pl.st.events,
		(unsigned long long)pl.st.observations, ndev);
out:
	ring_buffer__free(rb);
	inv_free(&inv);
	pipeline_free(&pl);
	iotsense_bpf__destroy(skel);
	return ret;
}
