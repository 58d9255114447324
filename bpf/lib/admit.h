/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Flood admission: which new flows enter the flow table and the ring. docs/datapath.md has the long form.
 *
 * The flow table is an LRU, so every new flow evicts the coldest one once it is full, and every new flow sends
 * at least one record. A SYN scan or a new-flow storm would therefore evict the conversations that matter and
 * bury their records. Three defences, all off the existing-flow fast path (a packet of a flow in iot_flows
 * never reaches this file):
 *
 * 1. Half-open TCP flows wait apart. A bare SYN (no ACK, RST, FIN, no payload) of an unknown flow goes into
 *    iot_embryo, a small LRU of its own, with the flow as it would be and the SYN's headers; no record goes
 *    out. The flow moves to iot_flows, with its start record and the SYN snippet kept for it, when the
 *    conversation proves real: a SYN-ACK, an ACK or payload in either direction, or a retried SYN (an
 *    unanswered connection attempt is worth recording; a scan rarely retries). An RST forgets it (a closed
 *    port answered). A SYN flood or a scan of silent ports only churns iot_embryo.
 * 2. New flows are charged to token buckets: one per source (the sender of the flow's first packet, hashed to
 *    one of IOT_ADMIT_SLOTS per-CPU slots, so colliding sources share a budget) and one for all sources per
 *    CPU. Refilled from the packet clock (coarse, or capture time when replaying). A new flow over either
 *    budget is not recorded, only counted (IOT_CNT_FLOWS_SHED), and the first one shed in each report_ns
 *    interval sends one IOT_EV_FLOOD record naming the source: a scan alert instead of a million flow records.
 *    Promotion from iot_embryo is not charged again.
 * 3. Never held back, never charged: discovery protocols (their ports' flows, and ARP/LLDP/CDP, which have no
 *    flow) and flows with an end in the IOC list (a contact attempt with a known-bad address always counts).
 *
 * Budgets are per CPU (as the counters are): with RSS spreading one source's flows over n CPUs it gets up to
 * n times its budget, and IOT_EV_FLOOD comes at most once per slot per CPU per interval.
 */
#ifndef IOT_BPF_ADMIT_H
#define IOT_BPF_ADMIT_H

#include "events.h"

/* The sender of this packet: the flow's source when the packet opens it. */
static __always_inline const __u8 *admit_src(const struct iot_pkt *pkt)
{
	return pkt->dir == IOT_DIR_AB ? pkt->key.addr_a : pkt->key.addr_b;
}

/* A multiplicative hash of the 16-byte (v4-mapped) address to a slot. */
static __always_inline __u32 admit_slot(const __u8 *src)
{
	const __u32 *w = (const __u32 *)src;
	__u32 h = w[0] * 0x9e3779b1u ^ w[1] * 0x85ebca77u ^ w[2] * 0xc2b2ae3du ^ w[3] * 0x27d4eb2fu;

	h ^= h >> 15;
	h *= 0x2c1b3c6du;
	h ^= h >> 12;
	return h & (IOT_ADMIT_SLOTS - 1);
}

/*
 * Admits one new flow against budget b, or not (GCRA, see struct iot_budget): within the burst while the
 * backlog tat - now stays within (burst - 1) intervals. A clock that went back (another capture) restarts it.
 */
static __always_inline bool admit_take(struct iot_budget *b, __u32 burst, __u64 flow_ns, __u64 now)
{
	__u64 tat = b->tat_ns;

	if (tat < now || tat - now > (__u64)burst * flow_ns)
		tat = now;
	if (tat - now > (__u64)(burst - 1) * flow_ns)
		return false;
	b->tat_ns = tat + flow_ns;
	b->admitted++;
	return true;
}

/* The one record per slot per interval: which source, how many flows it had shed and admitted since the last. */
static __always_inline bool admit_report(struct iot_pkt *pkt, struct iot_budget *b, __u8 scope, __u64 now,
					 struct iot_counters *st)
{
	struct iot_ev_flood *ev = bpf_ringbuf_reserve(&iot_events, sizeof(*ev), 0);
	struct ethhdr *eth = pkt->data;
	__u64 flags;

	if (!ev) {
		stats_inc(st, IOT_CNT_RB_FAIL);
		return false;
	}
	ev->hdr.type = IOT_EV_FLOOD;
	ev->hdr.version = IOT_ABI_VERSION;
	ev->hdr.size = sizeof(*ev);
	ev->hdr.ifindex = pkt->ifindex;
	ev->hdr.ts_ns = now;
	ev->key = pkt->key;
	__builtin_memcpy(ev->src, admit_src(pkt), 16);
	__builtin_memset(ev->src_mac, 0, sizeof(ev->src_mac));
	if ((void *)(eth + 1) <= pkt->data_end)
		__builtin_memcpy(ev->src_mac, eth->h_source, 6);
	ev->scope = scope;
	ev->dir = pkt->dir;
	ev->shed = b->shed;
	ev->admitted = b->admitted;
	ev->since_ns = b->report_ns;
	flags = events_wakeup_flags();
	bpf_ringbuf_submit(ev, flags);
	events_count_sent(st, flags);
	stats_inc(st, IOT_CNT_FLOOD_EVENTS);
	return true;
}

/* A new flow over budget b: counted, and reported if this slot has not been in this interval. */
static __always_inline void admit_shed(struct iot_pkt *pkt, struct iot_budget *b, __u8 scope, __u64 now,
				       struct iot_counters *st)
{
	stats_inc(st, IOT_CNT_FLOWS_SHED);
	b->shed++;
	if (b->report_ns && now >= b->report_ns && now - b->report_ns < iot_admit_cfg.report_ns)
		return;
	/* A record the full ring refused is retried at the next shed flow. */
	if (!admit_report(pkt, b, scope, now, st))
		return;
	b->report_ns = now;
	b->shed = 0;
	b->admitted = 0;
}

/* May pkt open a new flow? Charges its source's budget, then all sources'. */
static __always_inline bool admit_new_flow(struct iot_pkt *pkt, __u64 now, struct iot_counters *st)
{
	struct iot_budget *src = NULL, *all;
	__u32 slot;

	if (iot_admit_cfg.src_burst) {
		slot = admit_slot(admit_src(pkt));
		src = bpf_map_lookup_elem(&iot_admit_slots, &slot);
		if (src && !admit_take(src, iot_admit_cfg.src_burst, iot_admit_cfg.src_flow_ns, now)) {
			admit_shed(pkt, src, IOT_FLOOD_SOURCE, now, st);
			return false;
		}
	}
	if (iot_admit_cfg.all_burst) {
		slot = IOT_ADMIT_SLOTS;
		all = bpf_map_lookup_elem(&iot_admit_slots, &slot);
		if (all && !admit_take(all, iot_admit_cfg.all_burst, iot_admit_cfg.all_flow_ns, now)) {
			/* Not this source's fault: give its flow back. */
			if (src) {
				src->tat_ns -= iot_admit_cfg.src_flow_ns;
				src->admitted--;
			}
			admit_shed(pkt, all, IOT_FLOOD_ALL, now, st);
			return false;
		}
	}
	return true;
}

#endif
