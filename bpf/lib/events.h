/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Ring-buffer records: flow start/end (fixed size, reserved in place) and snippets (assembled in a per-CPU
 * scratch buffer, then copied at their real length). No wakeup per record: the consumer drains on a timer and
 * is woken only when the ring holds more than wakeup_bytes. A record that does not fit is counted.
 */
#ifndef IOT_BPF_EVENTS_H
#define IOT_BPF_EVENTS_H

#include "config.h"
#include "parse.h"

static __always_inline __u64 events_wakeup_flags(void)
{
	if (!iot_cfg.replay && bpf_ringbuf_query(&iot_events, BPF_RB_AVAIL_DATA) >= iot_cfg.wakeup_bytes)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

/* Counted after the record went in: a full ring forces no wakeup and must not look like one. */
static __always_inline void events_count_sent(struct iot_counters *st, __u64 flags)
{
	stats_inc(st, IOT_CNT_EVENTS);
	if (flags == BPF_RB_FORCE_WAKEUP)
		stats_inc(st, IOT_CNT_WAKEUPS);
}

/* Copies the frame's MACs into the record by endpoint: the sender of this packet is endpoint pkt->dir. */
static __always_inline void events_copy_macs(struct iot_pkt *pkt, __u8 *mac_a, __u8 *mac_b)
{
	struct ethhdr *eth = pkt->data;

	if ((void *)(eth + 1) > pkt->data_end)
		return;
	if (pkt->dir == IOT_DIR_AB) {
		__builtin_memcpy(mac_a, eth->h_source, 6);
		__builtin_memcpy(mac_b, eth->h_dest, 6);
	} else {
		__builtin_memcpy(mac_a, eth->h_dest, 6);
		__builtin_memcpy(mac_b, eth->h_source, 6);
	}
}

static __always_inline void events_flow(struct iot_pkt *pkt, struct iot_flow *f, __u8 type, __u8 reason,
					__u64 now, struct iot_counters *st)
{
	struct iot_ev_flow *ev = bpf_ringbuf_reserve(&iot_events, sizeof(*ev), 0);
	__u64 flags;

	if (!ev) {
		stats_inc(st, IOT_CNT_RB_FAIL);
		return;
	}
	ev->hdr.type = type;
	ev->hdr.version = IOT_ABI_VERSION;
	ev->hdr.size = sizeof(*ev);
	ev->hdr.ifindex = pkt->ifindex;
	ev->hdr.ts_ns = now;
	ev->key = pkt->key;
	ev->flow = *f;
	__builtin_memset(ev->mac_a, 0, sizeof(ev->mac_a) + sizeof(ev->mac_b));
	events_copy_macs(pkt, ev->mac_a, ev->mac_b);
	ev->reason = reason;
	__builtin_memset(ev->pad, 0, sizeof(ev->pad));
	flags = events_wakeup_flags();
	bpf_ringbuf_submit(ev, flags);
	events_count_sent(st, flags);
}

/*
 * Copies the packet from its IP header (or L2 payload) into a snippet record. FLOW snippets stop snap_payload
 * bytes into the L4 payload, SYN snippets after the TCP header; DISCOVERY snippets take as much as fits.
 */
static __always_inline void events_snippet(void *ctx, const int hook, struct iot_pkt *pkt, __u8 reason, __u8 seq,
					   __u8 from_initiator, __u64 now, struct iot_counters *st)
{
	struct iot_snippet_scratch *scratch;
	struct iot_ev_snippet *s;
	__u32 zero = 0, cap, hdrs, n;
	__u64 flags;
	long err;

	scratch = bpf_map_lookup_elem(&iot_scratch, &zero);
	if (!scratch)
		return;
	s = &scratch->ev;
	if (pkt->l3_end > pkt->len)
		pkt->l3_end = pkt->len;
	if (pkt->l3_end <= pkt->l3_off)
		return;
	cap = pkt->l3_end - pkt->l3_off;
	hdrs = pkt->payload_off > pkt->l3_off ? pkt->payload_off - pkt->l3_off : 0;
	if (reason == IOT_SNIP_SYN && cap > hdrs)
		cap = hdrs;
	else if (reason == IOT_SNIP_FLOW && cap > hdrs + iot_cfg.snap_payload)
		cap = hdrs + iot_cfg.snap_payload;
	if (cap > IOT_SNAP_MAX)
		cap = IOT_SNAP_MAX;
	if (cap == 0)
		return;
	/* n == cap, in [1, IOT_SNAP_MASK + 1] as far as the verifier can see (the asm keeps clang from folding). */
	n = cap - 1;
	asm volatile("%0 &= %1" : "+r"(n) : "i"(IOT_SNAP_MASK));
	n += 1;

	s->hdr.type = IOT_EV_SNIPPET;
	s->hdr.version = IOT_ABI_VERSION;
	s->hdr.size = IOT_SNIPPET_HDR_SIZE + cap;
	s->hdr.ifindex = pkt->ifindex;
	s->hdr.ts_ns = now;
	s->key = pkt->key;
	s->eth_proto = pkt->eth_proto;
	s->vlan = pkt->vlan;
	s->dir = pkt->dir;
	s->from_initiator = from_initiator;
	s->reason = reason;
	s->seq = seq;
	s->l4_proto = pkt->l4_proto;
	s->tcp_flags = pkt->tcp_flags;
	s->l4_off = pkt->l4_off > pkt->l3_off ? pkt->l4_off - pkt->l3_off : 0;
	s->payload_off = hdrs;
	s->cap_len = cap;
	s->wire_len = pkt->l3_end - pkt->l3_off;
	{
		struct ethhdr *eth = pkt->data;

		if ((void *)(eth + 1) > pkt->data_end)
			return;
		__builtin_memcpy(s->src_mac, eth->h_source, 6);
		__builtin_memcpy(s->dst_mac, eth->h_dest, 6);
	}
	/* The helpers read past the linear area too (non-linear skbs, XDP frags). */
	if (hook == IOT_HOOK_XDP)
		err = bpf_xdp_load_bytes(ctx, pkt->l3_off, s->data, n);
	else
		err = bpf_skb_load_bytes(ctx, pkt->l3_off, s->data, n);
	if (err) {
		stats_inc(st, IOT_CNT_LOAD_FAIL);
		return;
	}
	flags = events_wakeup_flags();
	if (bpf_ringbuf_output(&iot_events, s, IOT_SNIPPET_HDR_SIZE + n, flags)) {
		stats_inc(st, IOT_CNT_RB_FAIL);
		return;
	}
	events_count_sent(st, flags);
	stats_inc(st, IOT_CNT_SNIPPETS);
	if (reason == IOT_SNIP_DISCOVERY)
		stats_inc(st, IOT_CNT_DISCOVERY);
}

#endif
