// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bench/live's baselines on the receiving veth: count each packet per CPU and do nothing else. xdp_count_pass
 * gives the frames the same fate as the sensor does (XDP_PASS: the stack drops them as addressed to another
 * host, as on a SPAN port); xdp_count_drop shows the ceiling of XDP on this veth.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} count_pkts SEC(".maps");

static __always_inline void count(void)
{
	__u32 zero = 0;
	__u64 *c = bpf_map_lookup_elem(&count_pkts, &zero);

	if (c)
		(*c)++;
}

SEC("xdp")
int xdp_count_pass(struct xdp_md *ctx)
{
	count();
	return XDP_PASS;
}

SEC("xdp")
int xdp_count_drop(struct xdp_md *ctx)
{
	count();
	return XDP_DROP;
}
