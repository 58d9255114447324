/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Containment: every frame from or to a contained device is dropped, at line rate, and counted on its entry.
 * While nothing is contained the gate (iot_contain_state) keeps the cost at one array read. Then, for each kind
 * that has entries, two hash lookups: source and destination MAC; source and destination IP of IPv4 and IPv6
 * (behind up to two VLAN tags, as the parser walks them); ARP frames by sender and target. Expiry is enforced
 * here, so a containment lapses on time even when no daemon runs; user space deletes expired entries later.
 *
 * This walk is separate from parse_packet() on purpose: it runs before the parser (a contained device's frame
 * costs no parsing, no flow, no record), it needs the addresses of frames the parser does not key (ICMP, later
 * fragments, ARP), and it runs only while the gate is open.
 */
#ifndef IOT_BPF_CONTAIN_H
#define IOT_BPF_CONTAIN_H

#include "parse.h"

/* TC_ACT_* are macros in linux/pkt_cls.h, so vmlinux.h does not carry them. */
#ifndef TC_ACT_SHOT
#define TC_ACT_SHOT 2
#endif

/* ARP for Ethernet/IPv4: the 8-byte fixed header, then sha[6] spa[4] tha[6] tpa[4]. */
#define IOT_ARP_ETH_IP4_LEN 28

/* One lookup; an entry that has not expired counts the drop. */
static __always_inline bool contain_match(struct iot_contain_key *k)
{
	struct iot_contain_val *v = bpf_map_lookup_elem(&iot_contain, k);

	if (!v)
		return false;
	/* Same clock as CLOCK_MONOTONIC, a tick behind at most and free to read: expiry to the tick is plenty. */
	if (v->expires_ns && bpf_ktime_get_coarse_ns() >= v->expires_ns)
		return false;
	__sync_fetch_and_add(&v->drops, 1);
	return true;
}

static __always_inline bool contain_match_mac(struct iot_contain_key *k, const __u8 *mac)
{
	k->kind = IOT_CONTAIN_MAC;
	__builtin_memset(k->addr, 0, sizeof(k->addr));
	__builtin_memcpy(k->addr, mac, 6);
	return contain_match(k);
}

/* IPv4 keys are v4-mapped (::ffff:a.b.c.d), as in the flow key. */
static __always_inline bool contain_match_ip4(struct iot_contain_key *k, const __u8 *ip)
{
	k->kind = IOT_CONTAIN_IP;
	__builtin_memset(k->addr, 0, 10);
	k->addr[10] = 0xff;
	k->addr[11] = 0xff;
	__builtin_memcpy(k->addr + 12, ip, 4);
	return contain_match(k);
}

static __always_inline bool contain_match_ip6(struct iot_contain_key *k, const __u8 *ip)
{
	k->kind = IOT_CONTAIN_IP;
	__builtin_memcpy(k->addr, ip, 16);
	return contain_match(k);
}

/*
 * The lookups, behind an open gate. A BPF subprogram, not inlined: the verifier walks its branches once and
 * the rest of the program once after it; inlined, each branch's leftover state went on through the parser and
 * the flow code (verified instructions x2.5 on 6.1, x3.5 on 6.18; as a subprogram +5% and +0%).
 * macs, ips: which kinds have entries.
 */
static __noinline bool contain_lookup(struct iot_pkt *pkt, bool macs, bool ips)
{
	struct iot_contain_key k = {};
	void *pos = pkt->data, *end = pkt->data_end;
	struct ethhdr *eth = pos;
	__be16 proto;
	int i;

	if ((void *)(eth + 1) > end)
		return false;
	if (macs && (contain_match_mac(&k, eth->h_source) || contain_match_mac(&k, eth->h_dest)))
		return true;
	proto = eth->h_proto;
	pos += sizeof(*eth);
	for (i = 0; i < 2; i++) {
		struct iot_vlan_hdr *vh = pos;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(vh + 1) > end)
			return false;
		proto = vh->encap_proto;
		pos += sizeof(*vh);
	}
	if (proto == bpf_htons(ETH_P_ARP)) {
		__u8 *arp = pos;

		/* Sender and target, hardware and protocol: a contained device can neither answer nor be resolved. */
		if ((void *)(arp + IOT_ARP_ETH_IP4_LEN) > end || arp[4] != 6 || arp[5] != 4)
			return false;
		if (macs && (contain_match_mac(&k, arp + 8) || contain_match_mac(&k, arp + 18)))
			return true;
		return ips && (contain_match_ip4(&k, arp + 14) || contain_match_ip4(&k, arp + 24));
	}
	if (!ips)
		return false;
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = pos;

		if ((void *)(iph + 1) > end)
			return false;
		return contain_match_ip4(&k, (const __u8 *)&iph->saddr) ||
		       contain_match_ip4(&k, (const __u8 *)&iph->daddr);
	}
	if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = pos;

		if ((void *)(ip6 + 1) > end)
			return false;
		return contain_match_ip6(&k, (const __u8 *)&ip6->saddr) ||
		       contain_match_ip6(&k, (const __u8 *)&ip6->daddr);
	}
	return false;
}

/* True when the frame is from or to a contained device; the entry that matched has counted it. */
static __always_inline bool contain_hit(struct iot_pkt *pkt)
{
	__u32 zero = 0;
	struct iot_contain_state *gate = bpf_map_lookup_elem(&iot_contain_state, &zero);

	if (!gate || !(gate->macs | gate->ips))
		return false;
	return contain_lookup(pkt, gate->macs != 0, gate->ips != 0);
}

#endif
