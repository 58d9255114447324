// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bench/live's traffic generator. It runs under BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES, which hands
 * it the same template frame over and over (a recycled page keeps whatever we wrote last). A per-CPU counter
 * picks each frame's flow: the UDP source port and the low half of the IPv4 source address are rewritten, over
 * gen_flows flows, or a new flow on every frame when gen_flows is 0. XDP_TX then becomes, in live-frames mode,
 * a redirect out of the device named in the context (our veth), so each frame reaches the peer's XDP program.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 gen_flows = 1;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} gen_ctr SEC(".maps");

/* The template is Ethernet + IPv4 without options + UDP (bench/live builds it). */
#define SADDR_LO_OFF (14 + 12 + 2)
#define SPORT_OFF (14 + 20)

SEC("xdp")
int trafficgen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 zero = 0;
	__u64 *c = bpf_map_lookup_elem(&gen_ctr, &zero);
	__u64 i;

	if (!c || data + SPORT_OFF + 2 > end)
		return XDP_ABORTED;
	i = (*c)++;
	if (gen_flows)
		i %= gen_flows;
	/* Ports 49152..57343: ephemeral, no discovery port among them; 2^29 distinct flows before a repeat. */
	*(__be16 *)(data + SPORT_OFF) = bpf_htons(0xc000 | (i & 0x1fff));
	*(__be16 *)(data + SADDR_LO_OFF) = bpf_htons((i >> 13) & 0xffff);
	return XDP_TX;
}
