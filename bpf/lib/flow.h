/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The flow table: one LRU entry per conversation, both directions under one key. Per-flow decisions that need
 * a map lookup (is this a discovery port?) are made once, when the flow is created, and kept in its flags.
 */
#ifndef IOT_BPF_FLOW_H
#define IOT_BPF_FLOW_H

#include "admit.h"

static __always_inline __u8 flow_port_flags(__be16 port)
{
	__u32 p = bpf_ntohs(port);
	__u8 *v = bpf_map_lookup_elem(&iot_ports, &p);

	return v ? *v : 0;
}

/* The flow flags its ports call for: looked up once, when the flow is created. */
static __always_inline __u8 flow_flags_for_ports(struct iot_pkt *pkt)
{
	__u8 pf = flow_port_flags(pkt->key.port_a) | flow_port_flags(pkt->key.port_b);
	__u8 want = pkt->l4_proto == IPPROTO_UDP ? IOT_PORT_DISCOVERY_UDP : IOT_PORT_DISCOVERY_TCP;
	__u8 flags = 0;

	if (pf & want)
		flags |= IOT_FLOW_F_DISCOVERY;
	if (pf & IOT_PORT_LONG)
		flags |= IOT_FLOW_F_LONG;
	return flags;
}

/* Who opened the conversation, judged from its first packet we see. */
static __always_inline __u8 flow_guess_initiator(struct iot_pkt *pkt)
{
	__u16 sport, dport;

	if (pkt->l4_proto == IPPROTO_TCP && (pkt->tcp_flags & TCP_SYN))
		/* SYN: the sender opens; SYN-ACK: the sender answers. */
		return (pkt->tcp_flags & TCP_ACK) ? !pkt->dir : pkt->dir;
	/* Mid-stream or UDP: a packet from a well-known port to an ephemeral one comes from the server. */
	sport = bpf_ntohs(pkt->dir == IOT_DIR_AB ? pkt->key.port_a : pkt->key.port_b);
	dport = bpf_ntohs(pkt->dir == IOT_DIR_AB ? pkt->key.port_b : pkt->key.port_a);
	if (sport < 1024 && dport >= 1024)
		return !pkt->dir;
	return pkt->dir;
}

/* Is either end of the flow a known-bad address? Costs an array read while there are none. */
static __always_inline bool flow_ioc_hit(const struct iot_pkt *pkt)
{
	__u32 zero = 0, *n = bpf_map_lookup_elem(&iot_ioc_count, &zero);

	if (!n || !*n)
		return false;
	return bpf_map_lookup_elem(&iot_ioc_ips, pkt->key.addr_a) || bpf_map_lookup_elem(&iot_ioc_ips, pkt->key.addr_b);
}

/* Creates the flow of pkt in iot_flows and sends its start record. */
static __always_inline struct iot_flow *flow_create(struct iot_pkt *pkt, __u8 flags, __u64 now,
						    struct iot_counters *st)
{
	struct iot_flow nf = {};
	struct iot_flow *f;

	nf.first_ns = now;
	nf.last_ns = now;
	nf.ifindex = pkt->ifindex;
	nf.initiator = flow_guess_initiator(pkt);
	nf.flags = flags;
	if (bpf_map_update_elem(&iot_flows, &pkt->key, &nf, BPF_ANY)) {
		stats_inc(st, IOT_CNT_FLOW_CREATE_FAIL);
		return NULL;
	}
	f = bpf_map_lookup_elem(&iot_flows, &pkt->key);
	if (!f)
		return NULL;
	stats_inc(st, IOT_CNT_FLOWS_CREATED);
	if (flags & IOT_FLOW_F_IOC)
		stats_inc(st, IOT_CNT_IOC_FLOWS);
	events_flow(pkt, f, IOT_EV_FLOW_START, 0, now, st);
	return f;
}

/* A SYN alone, no payload: what opens a handshake, and all a SYN scan or a SYN flood sends. */
static __always_inline bool flow_bare_syn(const struct iot_pkt *pkt)
{
	return pkt->l4_proto == IPPROTO_TCP && (pkt->tcp_flags & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN)) == TCP_SYN &&
	       pkt->l3_end <= pkt->payload_off;
}

/*
 * Holds the bare SYN of a new flow in iot_embryo: the flow with the SYN counted in it, and the SYN's IP and TCP
 * headers for the SYN snippet that goes out if the flow is promoted. No record now.
 */
static __always_inline void flow_embryo_hold(void *ctx, const int hook, struct iot_pkt *pkt, __u8 flags, __u64 now,
					     struct iot_counters *st)
{
	struct ethhdr *eth = pkt->data;
	struct iot_embryo *e;
	__u32 zero = 0, cap, n;
	__u8 dir = pkt->dir & 1;
	long err;

	e = bpf_map_lookup_elem(&iot_embryo_scratch, &zero);
	if (!e || (void *)(eth + 1) > pkt->data_end)
		return;
	__builtin_memset(&e->flow, 0, sizeof(e->flow));
	e->flow.first_ns = now;
	e->flow.last_ns = now;
	e->flow.ifindex = pkt->ifindex;
	e->flow.initiator = dir;
	e->flow.flags = flags;
	e->flow.packets[dir] = 1;
	e->flow.bytes[dir] = pkt->len;
	e->flow.tcp_flags[dir] = pkt->tcp_flags;
	e->flow.syn_sent = 1 << dir;
	__builtin_memcpy(e->src_mac, eth->h_source, 6);
	__builtin_memcpy(e->dst_mac, eth->h_dest, 6);
	e->eth_proto = pkt->eth_proto;
	e->dir = dir;
	e->tcp_flags = pkt->tcp_flags;
	e->pad = 0;
	e->pad2 = 0;
	if (pkt->l3_end > pkt->len)
		pkt->l3_end = pkt->len;
	cap = 0;
	if (pkt->l3_end > pkt->l3_off && pkt->payload_off > pkt->l3_off) {
		e->wire_len = pkt->l3_end - pkt->l3_off;
		e->l4_off = pkt->l4_off - pkt->l3_off;
		e->payload_off = pkt->payload_off - pkt->l3_off;
		cap = e->payload_off < e->wire_len ? e->payload_off : e->wire_len;
	}
	if (cap > IOT_EMBRYO_SYN_MAX)
		cap = IOT_EMBRYO_SYN_MAX;
	if (cap) {
		/* n == cap, in [1, IOT_EMBRYO_SYN_MAX] as far as the verifier can see (see events_snippet). */
		n = cap - 1;
		asm volatile("%0 &= %1" : "+r"(n) : "i"(IOT_EMBRYO_SYN_MAX - 1));
		n += 1;
		if (hook == IOT_HOOK_XDP)
			err = bpf_xdp_load_bytes(ctx, pkt->l3_off, e->syn, n);
		else
			err = bpf_skb_load_bytes(ctx, pkt->l3_off, e->syn, n);
		if (err) {
			stats_inc(st, IOT_CNT_LOAD_FAIL);
			cap = 0;
		}
	}
	e->cap_len = cap;
	if (bpf_map_update_elem(&iot_embryo, &pkt->key, e, BPF_ANY)) {
		stats_inc(st, IOT_CNT_EMBRYO_FAIL);
		return;
	}
	stats_inc(st, IOT_CNT_EMBRYO_NEW);
}

/* The SYN snippet kept in a half-open flow, sent when it is promoted: as it would have gone out at the SYN. */
static __always_inline void flow_embryo_snippet(struct iot_pkt *pkt, const struct iot_embryo *e, __u8 initiator,
						struct iot_counters *st)
{
	struct iot_ev_snippet *s;
	__u32 cap = e->cap_len;
	__u64 flags;

	if (!cap || cap > IOT_EMBRYO_SYN_MAX)
		return;
	/* A fixed-size reservation: hdr.size and cap_len say how much of it is the SYN. */
	s = bpf_ringbuf_reserve(&iot_events, IOT_SNIPPET_HDR_SIZE + IOT_EMBRYO_SYN_MAX, 0);
	if (!s) {
		stats_inc(st, IOT_CNT_RB_FAIL);
		return;
	}
	s->hdr.type = IOT_EV_SNIPPET;
	s->hdr.version = IOT_ABI_VERSION;
	s->hdr.size = IOT_SNIPPET_HDR_SIZE + cap;
	s->hdr.ifindex = e->flow.ifindex;
	s->hdr.ts_ns = e->flow.first_ns;
	s->key = pkt->key;
	__builtin_memcpy(s->src_mac, e->src_mac, 6);
	__builtin_memcpy(s->dst_mac, e->dst_mac, 6);
	s->eth_proto = e->eth_proto;
	s->vlan = pkt->key.vlan;
	s->dir = e->dir;
	s->from_initiator = e->dir == initiator;
	s->reason = IOT_SNIP_SYN;
	s->seq = 0;
	s->l4_proto = IPPROTO_TCP;
	s->tcp_flags = e->tcp_flags;
	s->l4_off = e->l4_off;
	s->payload_off = e->payload_off;
	s->cap_len = cap;
	s->wire_len = e->wire_len;
	__builtin_memcpy(s->data, e->syn, IOT_EMBRYO_SYN_MAX);
	flags = events_wakeup_flags();
	bpf_ringbuf_submit(s, flags);
	events_count_sent(st, flags);
	stats_inc(st, IOT_CNT_SNIPPETS);
}

/*
 * A packet of a half-open flow: an RST forgets it (a closed port answered, or the opener gave up); anything else
 * (SYN-ACK, ACK, payload, a retried SYN) promotes it to iot_flows with its start record and its SYN snippet.
 */
static __always_inline struct iot_flow *flow_embryo_settle(struct iot_pkt *pkt, struct iot_embryo *e, __u64 now,
							   struct iot_counters *st)
{
	struct iot_flow *f = NULL;

	if (pkt->tcp_flags & TCP_RST) {
		stats_inc(st, IOT_CNT_EMBRYO_RESET);
		goto forget;
	}
	if (bpf_map_update_elem(&iot_flows, &pkt->key, &e->flow, BPF_ANY)) {
		stats_inc(st, IOT_CNT_FLOW_CREATE_FAIL);
		goto forget;
	}
	f = bpf_map_lookup_elem(&iot_flows, &pkt->key);
	if (!f)
		goto forget;
	stats_inc(st, IOT_CNT_FLOWS_CREATED);
	stats_inc(st, IOT_CNT_EMBRYO_PROMOTED);
	/* Stamped with the SYN's time, like the flow's first_ns: the records say when the flow began. */
	events_flow(pkt, f, IOT_EV_FLOW_START, 0, f->first_ns, st);
	flow_embryo_snippet(pkt, e, f->initiator, st);
forget:
	bpf_map_delete_elem(&iot_embryo, &pkt->key);
	return f;
}

/*
 * Returns the flow of pkt, creating it (and its start record) when it is new and admitted (bpf/lib/admit.h);
 * NULL when the packet is not tracked: held half-open, shed over a budget, or a table refused it.
 */
static __always_inline struct iot_flow *flow_track(void *ctx, const int hook, struct iot_pkt *pkt, __u64 now,
						   struct iot_counters *st)
{
	struct iot_flow *f = bpf_map_lookup_elem(&iot_flows, &pkt->key);
	struct iot_embryo *e;
	__u8 flags;

	if (f) {
		/* A bare SYN on an ended flow is a new conversation that reuses the ports (and the entry). */
		if (!(f->flags & IOT_FLOW_F_ENDED) || (pkt->tcp_flags & (TCP_SYN | TCP_ACK)) != TCP_SYN)
			return f;
		return flow_create(pkt, flow_flags_for_ports(pkt) | (flow_ioc_hit(pkt) ? IOT_FLOW_F_IOC : 0), now,
				   st);
	}
	flags = flow_flags_for_ports(pkt);
	if (flow_ioc_hit(pkt))
		flags |= IOT_FLOW_F_IOC;
	/* Discovery protocols and contacts with known-bad addresses: always recorded, never charged. */
	if (flags & (IOT_FLOW_F_DISCOVERY | IOT_FLOW_F_IOC))
		return flow_create(pkt, flags, now, st);
	if (pkt->l4_proto == IPPROTO_TCP && iot_admit_cfg.embryo) {
		e = bpf_map_lookup_elem(&iot_embryo, &pkt->key);
		if (e)
			return flow_embryo_settle(pkt, e, now, st);
		if (flow_bare_syn(pkt)) {
			if (admit_new_flow(pkt, now, st))
				flow_embryo_hold(ctx, hook, pkt, flags, now, st);
			return NULL;
		}
	}
	if (!admit_new_flow(pkt, now, st))
		return NULL;
	return flow_create(pkt, flags, now, st);
}

/* Counts the packet in its flow and sends the end record once, on RST or on FIN from both sides. */
static __always_inline void flow_account(struct iot_pkt *pkt, struct iot_flow *f, __u64 now,
					 struct iot_counters *st)
{
	__u8 dir = pkt->dir & 1, fl = pkt->tcp_flags;

	f->packets[dir]++;
	f->bytes[dir] += pkt->len;
	f->last_ns = now;
	if (pkt->l4_proto != IPPROTO_TCP)
		return;
	f->tcp_flags[dir] |= fl;
	if (f->flags & IOT_FLOW_F_ENDED)
		return;
	if (fl & TCP_RST)
		f->flags |= IOT_FLOW_F_RST | IOT_FLOW_F_ENDED;
	else if (fl & TCP_FIN)
		f->flags |= dir == IOT_DIR_AB ? IOT_FLOW_F_FIN_AB : IOT_FLOW_F_FIN_BA;
	if ((f->flags & (IOT_FLOW_F_FIN_AB | IOT_FLOW_F_FIN_BA)) == (IOT_FLOW_F_FIN_AB | IOT_FLOW_F_FIN_BA))
		f->flags |= IOT_FLOW_F_ENDED;
	if (f->flags & IOT_FLOW_F_ENDED) {
		stats_inc(st, IOT_CNT_FLOWS_ENDED);
		events_flow(pkt, f, IOT_EV_FLOW_END, (f->flags & IOT_FLOW_F_RST) ? IOT_END_RST : IOT_END_FIN, now,
			    st);
	}
}

#endif
