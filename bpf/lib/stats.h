/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Per-CPU counters: one lookup per packet yields the hook's whole counter block; increments are plain adds. */
#ifndef IOT_BPF_STATS_H
#define IOT_BPF_STATS_H

#include "maps.h"

static __always_inline struct iot_counters *stats_get(__u32 hook)
{
	return bpf_map_lookup_elem(&iot_counters, &hook);
}

static __always_inline void stats_inc(struct iot_counters *st, enum iot_counter c)
{
	if (st)
		st->c[c]++;
}

static __always_inline void stats_add(struct iot_counters *st, enum iot_counter c, __u64 v)
{
	if (st)
		st->c[c] += v;
}

#endif
