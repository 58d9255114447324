// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The iotsense datapath: one XDP program (ingress) and TC programs (clsact egress, and ingress where XDP cannot
 * attach) sharing one parser, one flow table and one ring buffer. Pass-through (XDP_PASS, TC_ACT_UNSPEC): a parse
 * error is counted, never a drop; the only drop is a frame from or to a contained device (XDP_DROP,
 * TC_ACT_SHOT, counted). Per packet: parse, count, check containment, track the flow, copy a bounded snippet of
 * the first payload packets of each direction and of every discovery-protocol packet.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <xdp/xdp_helpers.h>

#include "lib/contain.h"
#include "lib/flow.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Returns true when the frame must be dropped (a contained device's); everything else passes. */
static __always_inline bool iot_process(void *ctx, struct iot_pkt *pkt, const int hook, bool sense)
{
	struct iot_counters *st = stats_get(hook);
	struct iot_flow *f;
	__u8 dir, bit, seq;
	__u64 now;
	int r;

	stats_inc(st, IOT_CNT_PACKETS);
	stats_add(st, IOT_CNT_BYTES, pkt->len);
	/* Before the parser: a contained device's frame costs no parsing, no flow entry, no record. */
	if (contain_hit(pkt)) {
		stats_inc(st, IOT_CNT_CONTAINED_DROP);
		return true;
	}
	if (!sense) {
		stats_inc(st, IOT_CNT_SEEN_AT_INGRESS);
		return false;
	}
	r = parse_packet(pkt, st);
	if (r == IOT_P_L2_DISC) {
		events_snippet(ctx, hook, pkt, IOT_SNIP_DISCOVERY, 0, 0, iot_now(), st);
		return false;
	}
	if (r != IOT_P_FLOW)
		return false;

	now = iot_now();
	f = flow_track(pkt, now, st);
	if (!f)
		return false;
	flow_account(pkt, f, now, st);

	dir = pkt->dir & 1;
	bit = 1 << dir;
	if (pkt->l4_proto == IPPROTO_TCP && (pkt->tcp_flags & TCP_SYN) && !(f->syn_sent & bit)) {
		f->syn_sent |= bit;
		events_snippet(ctx, hook, pkt, IOT_SNIP_SYN, 0, dir == f->initiator, now, st);
	}
	if (pkt->l3_end <= pkt->payload_off)
		return false; /* no payload */
	seq = f->snippets[dir];
	if (f->flags & IOT_FLOW_F_DISCOVERY) {
		if (seq < 255)
			f->snippets[dir] = seq + 1;
		events_snippet(ctx, hook, pkt, IOT_SNIP_DISCOVERY, seq, dir == f->initiator, now, st);
	} else if (seq < ((f->flags & IOT_FLOW_F_LONG) ? iot_cfg.snippets_long : iot_cfg.snippets_per_dir)) {
		f->snippets[dir] = seq + 1;
		events_snippet(ctx, hook, pkt, IOT_SNIP_FLOW, seq, dir == f->initiator, now, st);
	}
	return false;
}

SEC("xdp")
int iot_xdp(struct xdp_md *ctx)
{
	struct iot_pkt pkt = {};

	pkt.data = (void *)(long)ctx->data;
	pkt.data_end = (void *)(long)ctx->data_end;
	pkt.len = pkt.data_end - pkt.data;
	pkt.ifindex = ctx->ingress_ifindex;
	return iot_process(ctx, &pkt, IOT_HOOK_XDP, true) ? XDP_DROP : XDP_PASS;
}

/* Lets libxdp's dispatcher run us alongside other XDP programs; we pass all but contained devices' frames. */
struct {
	__uint(priority, 20);
	__uint(XDP_PASS, 1);
} XDP_RUN_CONFIG(iot_xdp);

static __always_inline bool iot_tc(struct __sk_buff *skb, const int hook)
{
	struct iot_pkt pkt = {};
	__u32 want = skb->len < 128 ? skb->len : 128;
	bool sense = true;

	/* Headers must be in the linear area for direct access; pull them in when a driver left them out. */
	if (skb->data_end - skb->data < want)
		bpf_skb_pull_data(skb, want);
	/* Keep clang from reusing a skb+offset pointer across the pull: the verifier only takes ctx+const. */
	asm volatile("" : "+r"(skb));
	pkt.data = (void *)(long)skb->data;
	pkt.data_end = (void *)(long)skb->data_end;
	pkt.len = skb->len;
	pkt.ifindex = skb->ifindex;
	/* A frame forwarded from an interface we sense at ingress was sensed there already. */
	if (hook == IOT_HOOK_TC_EGRESS && skb->ingress_ifindex) {
		__u32 iif = skb->ingress_ifindex;

		sense = !bpf_map_lookup_elem(&iot_sensed_ifs, &iif);
	}
	return iot_process(skb, &pkt, hook, sense);
}

SEC("tc")
int iot_tc_ingress(struct __sk_buff *skb)
{
	return iot_tc(skb, IOT_HOOK_TC_INGRESS) ? TC_ACT_SHOT : TC_ACT_UNSPEC;
}

SEC("tc")
int iot_tc_egress(struct __sk_buff *skb)
{
	return iot_tc(skb, IOT_HOOK_TC_EGRESS) ? TC_ACT_SHOT : TC_ACT_UNSPEC;
}
