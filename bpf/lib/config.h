/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Load-time knobs (rodata, set by the loader between open and load) and the replay clock. */
#ifndef IOT_BPF_CONFIG_H
#define IOT_BPF_CONFIG_H

#include "iotsense_abi.h"

const volatile struct iot_cfg iot_cfg = {
	.snippets_per_dir = 4,
	.snap_payload = 1400,
	.wakeup_bytes = 256 * 1024,
	.replay = 0,
	.snippets_long = 32,
};

/*
 * Flood admission (bpf/lib/admit.h): budgets for new flows and the half-open table. The all-sources burst is
 * sized so its records (a start record and a SYN snippet, ~280 bytes a flow) fit the default 8 MiB ring.
 * embryo is 0 until user space sweeps iot_embryo as it sweeps iot_flows (idle, capture end, shutdown): a
 * half-open flow gets its end record from that sweep, and the port-scan alert counts unanswered flows by their
 * end records. The loader sets it to 1 once it does (docs/datapath.md).
 */
const volatile struct iot_admit_cfg iot_admit_cfg = {
	.src_burst = 256,
	.src_flow_ns = 1000000000ull / 64,
	.all_burst = 16384,
	.all_flow_ns = 1000000000ull / 16384,
	.report_ns = 10ull * 1000000000ull,
	.embryo = 0,
};

/* Capture replay sets this before each packet, so flow times are capture times. */
volatile __u64 replay_now_ns;

static __always_inline __u64 iot_now(void)
{
	if (iot_cfg.replay)
		return replay_now_ns;
	/* The coarse clock costs nothing measurable; tick resolution is plenty for first/last seen. */
	return bpf_ktime_get_coarse_ns();
}

#endif
