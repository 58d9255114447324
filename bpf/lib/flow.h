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

/*
 * Creates the flow of pkt in iot_flows, or in iot_embryo when half_open (a bare SYN), and sends its start record:
 * the records of a flow are the same wherever it waits.
 */
static __always_inline struct iot_flow *flow_create(bool half_open, struct iot_pkt *pkt, __u8 flags, __u64 now,
						    struct iot_counters *st)
{
	void *table = half_open ? (void *)&iot_embryo : (void *)&iot_flows;
	struct iot_flow nf = {};
	struct iot_flow *f;

	nf.first_ns = now;
	nf.last_ns = now;
	nf.ifindex = pkt->ifindex;
	nf.initiator = flow_guess_initiator(pkt);
	nf.flags = flags;
	if (bpf_map_update_elem(table, &pkt->key, &nf, BPF_ANY)) {
		stats_inc(st, half_open ? IOT_CNT_EMBRYO_FAIL : IOT_CNT_FLOW_CREATE_FAIL);
		return NULL;
	}
	f = bpf_map_lookup_elem(table, &pkt->key);
	if (!f)
		return NULL;
	stats_inc(st, IOT_CNT_FLOWS_CREATED);
	if (half_open)
		stats_inc(st, IOT_CNT_EMBRYO_NEW);
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
 * A packet of a half-open flow. A retried SYN or an RST stays with it there (the RST ends it: a closed port
 * answered); anything else (SYN-ACK, ACK, payload) shows the conversation is real and moves the flow to
 * iot_flows. Returns where the packet is to be counted.
 */
static __always_inline struct iot_flow *flow_embryo_settle(struct iot_pkt *pkt, struct iot_flow *e,
							   struct iot_counters *st)
{
	struct iot_flow *f;

	if ((pkt->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN || (e->flags & IOT_FLOW_F_ENDED))
		return e;
	if (pkt->tcp_flags & TCP_RST) {
		stats_inc(st, IOT_CNT_EMBRYO_RESET);
		return e;
	}
	if (bpf_map_update_elem(&iot_flows, &pkt->key, e, BPF_ANY)) {
		stats_inc(st, IOT_CNT_FLOW_CREATE_FAIL);
		return e;
	}
	f = bpf_map_lookup_elem(&iot_flows, &pkt->key);
	if (!f)
		return e;
	bpf_map_delete_elem(&iot_embryo, &pkt->key);
	stats_inc(st, IOT_CNT_EMBRYO_PROMOTED);
	return f;
}

/*
 * Returns the flow of pkt, creating it (and its start record) when it is new and admitted (bpf/lib/admit.h);
 * NULL when the packet is not tracked: shed over a budget, or a table refused it.
 */
static __always_inline struct iot_flow *flow_track(struct iot_pkt *pkt, __u64 now, struct iot_counters *st)
{
	struct iot_flow *f = bpf_map_lookup_elem(&iot_flows, &pkt->key);
	bool half_open = false;
	__u8 flags;

	if (f) {
		/* A bare SYN on an ended flow is a new conversation that reuses the ports (and the entry). */
		if (!(f->flags & IOT_FLOW_F_ENDED) || (pkt->tcp_flags & (TCP_SYN | TCP_ACK)) != TCP_SYN)
			return f;
		return flow_create(false, pkt, flow_flags_for_ports(pkt) | (flow_ioc_hit(pkt) ? IOT_FLOW_F_IOC : 0), now,
				   st);
	}
	flags = flow_flags_for_ports(pkt);
	if (flow_ioc_hit(pkt))
		flags |= IOT_FLOW_F_IOC;
	/* Discovery protocols and contacts with known-bad addresses: always recorded, never charged. */
	if (flags & (IOT_FLOW_F_DISCOVERY | IOT_FLOW_F_IOC))
		return flow_create(false, pkt, flags, now, st);
	if (pkt->l4_proto == IPPROTO_TCP && iot_admit_cfg.embryo) {
		f = bpf_map_lookup_elem(&iot_embryo, &pkt->key);
		/* A bare SYN on an ended half-open flow opens a new one, as on an ended flow. */
		if (f && !((f->flags & IOT_FLOW_F_ENDED) && flow_bare_syn(pkt)))
			return flow_embryo_settle(pkt, f, st);
		half_open = flow_bare_syn(pkt);
	}
	if (!admit_new_flow(pkt, now, st))
		return NULL;
	return flow_create(half_open, pkt, flags, now, st);
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
