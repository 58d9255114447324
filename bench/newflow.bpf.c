// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bench/micro's new-flow driver. BPF_PROG_TEST_RUN repeats one packet, so after the first repetition every
 * packet would belong to an existing flow. This program sits in front of the program under test: it writes a
 * fresh source port and source-address low half from a counter into the packet, then tail-calls the program
 * in slot 0 of its array. The same wrapper tail-calling the baseline program is the baseline, so the rewrite
 * and the tail call cancel out and what remains is the cost of a new flow.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} xdp_next SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} tc_next SEC(".maps");

/*
 * One variable, so its layout is fixed: bench/micro writes the offsets of the two fields in its template frame,
 * and `cycle`, through the map. cycle 0: the counter never wraps within a run, so no key repeats while a table
 * lives; cycle N: the packets go round N flows, which once created are existing flows spread over the table.
 */
struct {
	__u32 sport_off;
	__u32 saddr_lo_off;
	__u64 ctr;
	__u32 cycle;
	__u32 spread; /* 1: a new address every packet, the port from the upper bits (a storm from many sources) */
} nf;

/*
 * The source port stays in 49152..57343 (ephemeral, no discovery port there) and the counter's upper bits go
 * into the source address, so 2^29 packets are 2^29 distinct flows. With spread, the other way round: the
 * address changes every packet. bench/micro -S also points the two offsets at the destination port and address
 * (a scan from one source).
 */
static __always_inline int rewrite(void *data, void *end)
{
	__u32 po = nf.sport_off & 0xff, ao = nf.saddr_lo_off & 0xff;
	__u64 n = nf.ctr++;

	if (nf.cycle)
		n %= nf.cycle;

	if (data + po + 2 > end || data + ao + 2 > end)
		return -1;
	if (nf.spread) {
		*(__be16 *)(data + ao) = bpf_htons(n & 0xffff);
		*(__be16 *)(data + po) = bpf_htons(0xc000 | ((n >> 16) & 0x1fff));
		return 0;
	}
	*(__be16 *)(data + po) = bpf_htons(0xc000 | (n & 0x1fff));
	*(__be16 *)(data + ao) = bpf_htons((n >> 13) & 0xffff);
	return 0;
}

SEC("xdp")
int xdp_newflow(struct xdp_md *ctx)
{
	if (rewrite((void *)(long)ctx->data, (void *)(long)ctx->data_end))
		return XDP_ABORTED;
	bpf_tail_call(ctx, &xdp_next, 0);
	return XDP_ABORTED;
}

SEC("tc")
int tc_newflow(struct __sk_buff *skb)
{
	if (rewrite((void *)(long)skb->data, (void *)(long)skb->data_end))
		return 2; /* TC_ACT_SHOT */
	bpf_tail_call(skb, &tc_next, 0);
	return 2;
}
