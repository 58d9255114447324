/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The packet parser shared by the XDP and TC programs: Ethernet, up to two VLAN tags, ARP, LLDP, PROFINET,
 * CDP (802.3 LLC/SNAP), IPv4 (IHL honoured; later fragments not parsed), IPv6 (common extension headers, bounded),
 * TCP (payload at doff*4) and UDP. A cursor walks the linear packet; every access is bounds-checked first.
 * Offsets are from the start of the frame; ports and addresses stay in network byte order, eth_proto and vlan
 * are host order.
 */
#ifndef IOT_BPF_PARSE_H
#define IOT_BPF_PARSE_H

#include "consts.h"
#include "stats.h"

struct iot_vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

/* What the parser learnt about one packet. */
struct iot_pkt {
	void *data;
	void *data_end;
	__u32 len;         /* whole frame length (may exceed data_end - data for non-linear skbs) */
	__u32 ifindex;
	__u32 l3_off;      /* IP header, or the L2 payload of ARP/LLDP/CDP */
	__u32 l4_off;
	__u32 payload_off;
	__u32 l3_end;      /* end of the IP datagram (IP length, not the frame: Ethernet pads short frames) */
	__u16 eth_proto;
	__u16 vlan;        /* outer VLAN id */
	__u8 l4_proto;
	__u8 tcp_flags;
	__u8 dir;          /* enum iot_dir: which endpoint of key sent this packet */
	__u8 pad;
	struct iot_flow_key key;
};

enum iot_parse_result {
	IOT_P_FLOW,    /* IP with TCP or UDP: tracked */
	IOT_P_L2_DISC, /* ARP, LLDP or CDP: copied to user space */
	IOT_P_SKIP,    /* counted and passed: other L2, other L4, later fragments */
	IOT_P_ERROR,   /* malformed or truncated: counted and passed */
};

/* Orders the endpoints so both directions share one key; records which side sent this packet. */
static __always_inline void parse_make_key(struct iot_pkt *pkt, const __u8 src[16], const __u8 dst[16],
					   __be16 sport, __be16 dport)
{
	__u64 s0 = *(const __u64 *)src, s1 = *(const __u64 *)(src + 8);
	__u64 d0 = *(const __u64 *)dst, d1 = *(const __u64 *)(dst + 8);
	/* Any total order works as long as both directions agree; host-endian words are cheapest. */
	int swap = s0 > d0 || (s0 == d0 && (s1 > d1 || (s1 == d1 && sport > dport)));

	if (swap) {
		__builtin_memcpy(pkt->key.addr_a, dst, 16);
		__builtin_memcpy(pkt->key.addr_b, src, 16);
		pkt->key.port_a = dport;
		pkt->key.port_b = sport;
		pkt->dir = IOT_DIR_BA;
	} else {
		__builtin_memcpy(pkt->key.addr_a, src, 16);
		__builtin_memcpy(pkt->key.addr_b, dst, 16);
		pkt->key.port_a = sport;
		pkt->key.port_b = dport;
		pkt->dir = IOT_DIR_AB;
	}
}

static __always_inline int parse_l4(struct iot_pkt *pkt, struct iot_counters *st, void *pos, __u8 proto,
				    const __u8 src[16], const __u8 dst[16])
{
	void *end = pkt->data_end;

	pkt->l4_off = pos - pkt->data;
	pkt->l4_proto = proto;
	pkt->key.proto = proto;
	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = pos;
		__u32 doff;

		if ((void *)(th + 1) > end)
			goto err;
		doff = th->doff * 4;
		/* The payload starts after the options: doff*4, never a fixed 20 bytes. */
		if (doff < sizeof(*th) || pos + doff > end)
			goto err;
		if (pkt->l3_end < pkt->l4_off + doff) /* IP length shorter than its own headers */
			goto err;
		pkt->payload_off = pkt->l4_off + doff;
		pkt->tcp_flags = ((__u8 *)th)[13];
		stats_inc(st, IOT_CNT_TCP);
		parse_make_key(pkt, src, dst, th->source, th->dest);
		return IOT_P_FLOW;
	}
	if (proto == IPPROTO_UDP) {
		struct udphdr *uh = pos;

		if ((void *)(uh + 1) > end || pkt->l3_end < pkt->l4_off + sizeof(*uh))
			goto err;
		pkt->payload_off = pkt->l4_off + sizeof(*uh);
		stats_inc(st, IOT_CNT_UDP);
		parse_make_key(pkt, src, dst, uh->source, uh->dest);
		return IOT_P_FLOW;
	}
	stats_inc(st, IOT_CNT_L4_OTHER);
	return IOT_P_SKIP;
err:
	stats_inc(st, IOT_CNT_ERR_L4);
	return IOT_P_ERROR;
}

static __always_inline int parse_ipv4(struct iot_pkt *pkt, struct iot_counters *st, void *pos)
{
	struct iphdr *iph = pos;
	__u8 src[16] = {}, dst[16] = {};
	__u32 hlen;
	__u16 frag;

	if ((void *)(iph + 1) > pkt->data_end || iph->version != 4)
		goto err;
	hlen = iph->ihl * 4;
	/* Options are skipped by honouring IHL; an IHL below 5 is malformed. */
	if (hlen < sizeof(*iph) || pos + hlen > pkt->data_end)
		goto err;
	stats_inc(st, IOT_CNT_IPV4);
	frag = bpf_ntohs(iph->frag_off);
	if (frag & IP_OFFSET) {
		/* Later fragments carry no L4 header: counted, not parsed. */
		stats_inc(st, IOT_CNT_FRAG_LATER);
		return IOT_P_SKIP;
	}
	if (frag & IP_MF)
		stats_inc(st, IOT_CNT_FRAG_FIRST);
	pkt->l3_end = pkt->l3_off + bpf_ntohs(iph->tot_len);
	src[10] = src[11] = dst[10] = dst[11] = 0xff;
	__builtin_memcpy(src + 12, &iph->saddr, 4);
	__builtin_memcpy(dst + 12, &iph->daddr, 4);
	return parse_l4(pkt, st, pos + hlen, iph->protocol, src, dst);
err:
	stats_inc(st, IOT_CNT_ERR_IP);
	return IOT_P_ERROR;
}

static __always_inline int parse_ipv6(struct iot_pkt *pkt, struct iot_counters *st, void *pos)
{
	struct ipv6hdr *ip6 = pos;
	__u8 src[16], dst[16];
	__u8 next;
	int i;

	if ((void *)(ip6 + 1) > pkt->data_end || ip6->version != 6) {
		stats_inc(st, IOT_CNT_ERR_IP);
		return IOT_P_ERROR;
	}
	stats_inc(st, IOT_CNT_IPV6);
	pkt->l3_end = pkt->l3_off + sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
	__builtin_memcpy(src, &ip6->saddr, 16);
	__builtin_memcpy(dst, &ip6->daddr, 16);
	next = ip6->nexthdr;
	pos += sizeof(*ip6);

	/* Bounded walk over the extension headers a host may put before TCP/UDP. */
	for (i = 0; i < IOT_IPV6_EXT_MAX; i++) {
		__u8 *ext = pos;

		if (next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING || next == IPPROTO_DSTOPTS) {
			if ((void *)(ext + 2) > pkt->data_end)
				goto err;
			next = ext[0];
			pos += (ext[1] + 1) * 8;
		} else if (next == IPPROTO_FRAGMENT) {
			struct frag_hdr *fh = pos;

			if ((void *)(fh + 1) > pkt->data_end)
				goto err;
			if (bpf_ntohs(fh->frag_off) & IP6_OFFSET_MASK) {
				stats_inc(st, IOT_CNT_FRAG_LATER);
				return IOT_P_SKIP;
			}
			stats_inc(st, IOT_CNT_FRAG_FIRST);
			next = fh->nexthdr;
			pos += sizeof(*fh);
		} else if (next == IPPROTO_AH) {
			if ((void *)(ext + 2) > pkt->data_end)
				goto err;
			next = ext[0];
			pos += (ext[1] + 2) * 4;
		} else {
			return parse_l4(pkt, st, pos, next, src, dst);
		}
	}
err:
	stats_inc(st, IOT_CNT_ERR_IPV6_EXT);
	return IOT_P_ERROR;
}

/* Parses one frame into pkt. pkt->data, data_end, len and ifindex must be set. */
static __always_inline int parse_packet(struct iot_pkt *pkt, struct iot_counters *st)
{
	void *pos = pkt->data;
	struct ethhdr *eth = pos;
	__u16 proto;
	int i;

	if ((void *)(eth + 1) > pkt->data_end) {
		stats_inc(st, IOT_CNT_ERR_ETH);
		return IOT_P_ERROR;
	}
	proto = bpf_ntohs(eth->h_proto);
	pos += sizeof(*eth);

	/* Up to two tags (802.1Q, or QinQ with an 802.1ad outer tag); the outer id names the segment. */
	for (i = 0; i < 2; i++) {
		struct iot_vlan_hdr *vh = pos;

		if (proto != ETH_P_8021Q && proto != ETH_P_8021AD)
			break;
		if ((void *)(vh + 1) > pkt->data_end) {
			stats_inc(st, IOT_CNT_ERR_ETH);
			return IOT_P_ERROR;
		}
		if (i == 0) {
			pkt->vlan = bpf_ntohs(vh->tci) & 0x0fff;
			stats_inc(st, IOT_CNT_VLAN);
		}
		proto = bpf_ntohs(vh->encap_proto);
		pos += sizeof(*vh);
	}
	pkt->key.vlan = pkt->vlan;
	pkt->eth_proto = proto;
	pkt->l3_off = pos - pkt->data;
	pkt->l3_end = pkt->len;

	if (proto == ETH_P_IP)
		return parse_ipv4(pkt, st, pos);
	if (proto == ETH_P_IPV6)
		return parse_ipv6(pkt, st, pos);
	if (proto == ETH_P_ARP) {
		stats_inc(st, IOT_CNT_ARP);
		return IOT_P_L2_DISC;
	}
	if (proto == ETH_P_LLDP) {
		stats_inc(st, IOT_CNT_LLDP);
		return IOT_P_L2_DISC;
	}
	if (proto == ETH_P_PROFINET) {
		/* Real-time cyclic I/O shares this EtherType; user space keeps only DCP (frame ids 0xfefc-0xfeff). */
		stats_inc(st, IOT_CNT_PROFINET_DCP);
		return IOT_P_L2_DISC;
	}
	if (proto < ETH_P_802_3_MIN) {
		/* 802.3 length field: CDP is LLC/SNAP with DSAP=SSAP=0xAA, UI, OUI 00:00:0c, PID 0x2000. */
		__u8 *llc = pos;

		if ((void *)(llc + 8) <= pkt->data_end && llc[0] == 0xaa && llc[1] == 0xaa && llc[2] == 0x03 &&
		    llc[3] == 0 && llc[4] == 0 && llc[5] == 0x0c && llc[6] == 0x20 && llc[7] == 0x00) {
			pkt->eth_proto = ETH_P_CDP_SNAP;
			pkt->l3_off += 8;
			stats_inc(st, IOT_CNT_CDP);
			return IOT_P_L2_DISC;
		}
	}
	stats_inc(st, IOT_CNT_L2_OTHER);
	return IOT_P_SKIP;
}

#endif
