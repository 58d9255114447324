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

/* Flood admission (bpf/lib/admit.h): budgets for new flows and the half-open table. */
const volatile struct iot_admit_cfg iot_admit_cfg = {
	.src_burst = 256,
	.src_rate = 64,
	.all_burst = 16384,
	.all_rate = 16384,
	.report_ns = 10ull * 1000000000ull,
	.embryo = 1,
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
