/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The flow table: one LRU entry per conversation, both directions under one key. Per-flow decisions that need
 * a map lookup (is this a discovery port?) are made once, when the flow is created, and kept in its flags.
 */
#ifndef IOT_BPF_FLOW_H
#define IOT_BPF_FLOW_H

#include "events.h"

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

/* Returns the flow of pkt, creating it (and its start record) when it is new. */
static __always_inline struct iot_flow *flow_track(struct iot_pkt *pkt, __u64 now, struct iot_counters *st)
{
	struct iot_flow *f = bpf_map_lookup_elem(&iot_flows, &pkt->key);
	struct iot_flow nf = {};

	if (f) {
		/* A bare SYN on an ended flow is a new conversation that reuses the ports. */
		if (!(f->flags & IOT_FLOW_F_ENDED) || (pkt->tcp_flags & (TCP_SYN | TCP_ACK)) != TCP_SYN)
			return f;
	}
	nf.first_ns = now;
	nf.last_ns = now;
	nf.ifindex = pkt->ifindex;
	nf.initiator = flow_guess_initiator(pkt);
	nf.flags = flow_flags_for_ports(pkt);
	if (flow_ioc_hit(pkt)) {
		nf.flags |= IOT_FLOW_F_IOC;
		stats_inc(st, IOT_CNT_IOC_FLOWS);
	}
	if (bpf_map_update_elem(&iot_flows, &pkt->key, &nf, BPF_ANY)) {
		stats_inc(st, IOT_CNT_FLOW_CREATE_FAIL);
		return NULL;
	}
	f = bpf_map_lookup_elem(&iot_flows, &pkt->key);
	if (!f)
		return NULL;
	stats_inc(st, IOT_CNT_FLOWS_CREATED);
	events_flow(pkt, f, IOT_EV_FLOW_START, 0, now, st);
	return f;
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
