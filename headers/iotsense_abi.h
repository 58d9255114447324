/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The kernel <-> user ABI: ring-buffer records, map keys and values, counters, load-time knobs.
 * Compiled by clang -target bpf (after vmlinux.h) and by the host compiler (after linux/types.h); every struct
 * has fixed-width fields, explicit padding and a size assertion, so both sides agree byte for byte.
 */
#ifndef IOTSENSE_ABI_H
#define IOTSENSE_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define IOT_ABI_VERSION 1

/* Bytes copied from a packet into a snippet record, counted from the start of the IP header (or, for L2
 * protocols, from the byte after the EtherType / LLC-SNAP header). A full 1500-byte MTU fits. */
#define IOT_SNAP_MAX 1536
/* Longest chain of IPv6 extension headers we walk before giving up (counted as a parse error). */
#define IOT_IPV6_EXT_MAX 6

/* ---- load-time knobs (rodata) ---- */
struct iot_cfg {
	__u32 snippets_per_dir; /* payload packets copied per flow direction (default 4) */
	__u32 snap_payload;	/* L4 payload bytes copied per flow snippet (default 1400) */
	__u32 wakeup_bytes;	/* wake the consumer when this much is queued; else it drains on its timer */
	__u8 replay;		/* 1: take the clock from replay_now_ns (capture replay), not the kernel */
	__u8 snippets_long;	/* payload packets copied per direction on IOT_PORT_LONG ports (default 32) */
	__u8 pad[2];
};

/* ---- where a program runs; indexes the counters map ---- */
enum iot_hook {
	IOT_HOOK_XDP = 0,
	IOT_HOOK_TC_INGRESS = 1,
	IOT_HOOK_TC_EGRESS = 2,
	IOT_HOOK_MAX = 3,
};

/* ---- counters: one per-CPU array entry per hook, each a struct iot_counters ---- */
enum iot_counter {
	IOT_CNT_PACKETS,
	IOT_CNT_BYTES,
	IOT_CNT_VLAN,		/* packets with at least one VLAN tag */
	IOT_CNT_IPV4,
	IOT_CNT_IPV6,
	IOT_CNT_ARP,
	IOT_CNT_LLDP,
	IOT_CNT_CDP,
	IOT_CNT_L2_OTHER,	/* neither IP nor a discovery protocol: passed untouched */
	IOT_CNT_TCP,
	IOT_CNT_UDP,
	IOT_CNT_L4_OTHER,	/* ICMP, SCTP, ...: counted, not tracked */
	IOT_CNT_FRAG_FIRST,	/* first fragments: parsed */
	IOT_CNT_FRAG_LATER,	/* later fragments: no L4 header, not parsed */
	IOT_CNT_ERR_ETH,	/* truncated Ethernet or VLAN header */
	IOT_CNT_ERR_IP,		/* truncated IP header, bad IHL, bad version */
	IOT_CNT_ERR_IPV6_EXT,	/* IPv6 extension chain truncated or longer than IOT_IPV6_EXT_MAX */
	IOT_CNT_ERR_L4,		/* truncated TCP/UDP header, bad TCP data offset */
	IOT_CNT_FLOWS_CREATED,
	IOT_CNT_FLOW_CREATE_FAIL, /* the flow table refused an insert */
	IOT_CNT_FLOWS_ENDED,	/* FIN in both directions or RST seen */
	IOT_CNT_SNIPPETS,	/* snippet records submitted */
	IOT_CNT_DISCOVERY,	/* of which discovery-protocol packets */
	IOT_CNT_EVENTS,		/* records submitted of any kind */
	IOT_CNT_RB_FAIL,	/* ring buffer full: a record was lost (never silent) */
	IOT_CNT_LOAD_FAIL,	/* copying packet bytes failed */
	IOT_CNT_WAKEUPS,	/* forced consumer wakeups (ring above wakeup_bytes) */
	IOT_CNT_PROFINET_DCP,	/* PROFINET DCP frames (EtherType 0x8892): station names of OT devices */
	IOT_CNT_CONTAINED_DROP,	/* frames from or to a contained device: dropped (the only drop we make) */
	IOT_CNT_SEEN_AT_INGRESS, /* egress frames forwarded from an interface sensed at ingress: sensed there, once */
	IOT_CNT_IOC_FLOWS,	/* new flows with an end in iot_ioc_ips */
	/* Flood admission (bpf/lib/admit.h, docs/datapath.md). */
	IOT_CNT_EMBRYO_NEW,	/* new flows opened by a bare SYN: held in the half-open table */
	IOT_CNT_EMBRYO_PROMOTED, /* half-open flows moved to the flow table by a reply or payload */
	IOT_CNT_EMBRYO_RESET,	/* half-open flows ended by RST (a closed port) without entering the flow table */
	IOT_CNT_EMBRYO_FAIL,	/* the half-open table refused an insert */
	IOT_CNT_FLOWS_SHED,	/* packets of new flows over a new-flow budget: not recorded, only counted */
	IOT_CNT_FLOOD_EVENTS,	/* IOT_EV_FLOOD records submitted (at most one per budget slot per interval) */
	IOT_CNT_MAX,		/* the counters user space names (user/loader.c iot_counter_names) */
};
#define IOT_CNT_ALL IOT_CNT_MAX /* every counter (the BPF tests' and bench's name for it) */

struct iot_counters {
	__u64 c[IOT_CNT_ALL];
};

/* ---- flow table ---- */

/*
 * One key for both directions of a conversation: the endpoints are ordered (lower address, then lower port,
 * first), so A->B and B->A meet in one entry. IPv4 addresses are stored v4-mapped (::ffff:a.b.c.d).
 */
struct iot_flow_key {
	__u8 addr_a[16];
	__u8 addr_b[16];
	__u16 port_a;  /* network byte order */
	__u16 port_b;  /* network byte order */
	__u8 proto;    /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 pad;
	__u16 vlan;    /* outer VLAN id, host order; 0 when untagged */
};

enum iot_dir {
	IOT_DIR_AB = 0, /* sent by endpoint a */
	IOT_DIR_BA = 1, /* sent by endpoint b */
};

enum iot_flow_flags {
	IOT_FLOW_F_ENDED = 1,	/* the end record went out */
	IOT_FLOW_F_FIN_AB = 2,
	IOT_FLOW_F_FIN_BA = 4,
	IOT_FLOW_F_RST = 8,
	IOT_FLOW_F_DISCOVERY = 16, /* a port of this flow carries a discovery protocol: copy every packet */
	IOT_FLOW_F_LONG = 32,	   /* a port of this flow is IOT_PORT_LONG: snippets_long per direction */
	IOT_FLOW_F_IOC = 64,	   /* an end of this flow is in iot_ioc_ips: contact with a known-bad address */
};

struct iot_flow {
	__u64 first_ns;
	__u64 last_ns;
	__u64 packets[2]; /* indexed by enum iot_dir */
	__u64 bytes[2];
	__u32 ifindex;	  /* where the flow was first seen */
	__u8 tcp_flags[2]; /* union of TCP flags seen, per direction */
	__u8 initiator;	  /* enum iot_dir of the side that opened the flow */
	__u8 flags;	  /* enum iot_flow_flags */
	__u8 snippets[2]; /* payload snippets sent, per direction */
	__u8 syn_sent;	  /* bit per direction: SYN fingerprint snippet already sent */
	__u8 pad[5];
};

/* ---- ring-buffer records ---- */
enum iot_event_type {
	IOT_EV_FLOW_START = 1,
	IOT_EV_FLOW_END = 2,
	IOT_EV_SNIPPET = 3,
	IOT_EV_FLOOD = 4,	/* struct iot_ev_flood: new flows over a budget (optional: consumers may skip it) */
};

/* First in every record: the consumer checks type, version and size before reading further. */
struct iot_ev_hdr {
	__u8 type;	/* enum iot_event_type */
	__u8 version;	/* IOT_ABI_VERSION */
	__u16 size;	/* bytes in this record, header included */
	__u32 ifindex;
	__u64 ts_ns;	/* CLOCK_MONOTONIC (coarse) when live, ns since the epoch when replaying */
};

struct iot_ev_flow {
	struct iot_ev_hdr hdr;
	struct iot_flow_key key;
	struct iot_flow flow;
	__u8 mac_a[6];	/* MACs of the packet that made the record, by endpoint */
	__u8 mac_b[6];
	__u8 reason;	/* enum iot_end_reason for FLOW_END, 0 for FLOW_START */
	__u8 pad[3];
};

enum iot_end_reason {
	IOT_END_FIN = 1,
	IOT_END_RST = 2,
	IOT_END_IDLE = 3,	/* swept by user space */
	IOT_END_CAPTURE = 4,	/* replay: the capture ended */
	IOT_END_SHUTDOWN = 5,	/* the daemon stopped */
};

enum iot_snip_reason {
	IOT_SNIP_FLOW = 1,	/* one of the first snippets_per_dir payload packets of a direction */
	IOT_SNIP_DISCOVERY = 2, /* a discovery-protocol packet: all of them are copied */
	IOT_SNIP_SYN = 3,	/* a SYN or SYN-ACK, for passive OS fingerprinting */
};

struct iot_ev_snippet {
	struct iot_ev_hdr hdr;
	struct iot_flow_key key;  /* zero for L2 protocols */
	__u8 src_mac[6];
	__u8 dst_mac[6];
	__u16 eth_proto;	/* host order, after VLAN tags; 0x2000 for CDP (its SNAP id) */
	__u16 vlan;		/* outer VLAN id, host order */
	__u8 dir;		/* enum iot_dir of this packet, for IP */
	__u8 from_initiator;	/* 1 when the packet travels from the flow's initiator */
	__u8 reason;		/* enum iot_snip_reason */
	__u8 seq;		/* index of this snippet in its direction */
	__u8 l4_proto;
	__u8 tcp_flags;
	__u16 l4_off;		/* offset of the L4 header in data[] (0 for L2 protocols) */
	__u16 payload_off;	/* offset of the L4 payload in data[] */
	__u16 cap_len;		/* bytes in data[] */
	__u32 wire_len;		/* bytes of the packet from the start of data[] on the wire */
	__u8 data[IOT_SNAP_MAX];
};

#define IOT_SNIPPET_HDR_SIZE ((__u32)__builtin_offsetof(struct iot_ev_snippet, data))

/* ---- ports that mark a discovery protocol: every packet to or from them is copied ---- */
enum iot_port_flags {
	IOT_PORT_DISCOVERY_UDP = 1,
	IOT_PORT_DISCOVERY_TCP = 2,
	/* Logins and commands span many packets (Telnet, FTP, SMTP, Modbus writes): copy more of them. */
	IOT_PORT_LONG = 4,
};

/* ---- the attachment registry (a pinned map only user space reads): what `load` attached where ---- */
struct iot_attach_key {
	__u64 netns;	/* inode of the network namespace: ifindexes are per namespace */
	__u32 ifindex;
	__u32 pad;
};

enum iot_xdp_mode {
	IOT_XDP_NONE = 0,
	IOT_XDP_NATIVE = 1,
	IOT_XDP_SKB = 2,
};

struct iot_attach {
	char ifname[16];
	__u64 attached_ns;	/* CLOCK_REALTIME */
	__u32 xdp_prog_id;
	__u32 tc_in_prog_id;
	__u32 tc_eg_prog_id;
	__u8 xdp_mode;		/* enum iot_xdp_mode */
	__u8 xdp_multiprog;	/* attached through libxdp's dispatcher (else alone, legacy netlink) */
	__u8 clsact_created;	/* we created the clsact qdisc, so unload removes it */
	__u8 owner_daemon;	/* attached by `run` (detached when it exits) rather than by `load` */
};

/*
 * ---- containment: the only state that makes the datapath drop ----
 * Written by `iotsense contain` / `release` through the pins, read by every XDP and TC program. A frame is
 * dropped when its source or destination MAC, or its source or destination IP, has an entry that has not
 * expired. iot_contain_state gates the lookups per kind, so an empty map costs the hot path one array read, and
 * containing only IPs (or only MACs) costs no MAC (IP) lookups.
 */
#define IOT_CONTAIN_MAX 4096
/* IOC addresses the kernel flags flows with (iot_ioc_ips; v4-mapped like the flow key). */
#define IOT_IOC_MAX 65536
struct iot_ioc_key {
	__u8 addr[16];
};

enum iot_contain_kind {
	IOT_CONTAIN_MAC = 1,
	IOT_CONTAIN_IP = 2,
};

struct iot_contain_key {
	__u8 kind;	/* enum iot_contain_kind */
	__u8 pad[3];	/* zero */
	__u8 addr[16];	/* MAC in addr[0..5] (rest zero); IP as in the flow key (IPv4 v4-mapped) */
};

struct iot_contain_val {
	__u64 since_ns;		/* CLOCK_MONOTONIC (bpf_ktime_get_ns' clock) when contained */
	__u64 expires_ns;	/* CLOCK_MONOTONIC; 0: until released. Expired entries no longer drop. */
	__u64 drops;		/* frames dropped for this entry (atomic adds from every CPU) */
	__u64 pad;
};

/* The gate: entries of each kind in iot_contain as user space last counted them (under its lock); 0 skips
 * that kind's lookups. */
struct iot_contain_state {
	__u32 macs;
	__u32 ips;
};

_Static_assert(sizeof(struct iot_contain_key) == 20, "iot_contain_key layout");
_Static_assert(sizeof(struct iot_contain_val) == 32, "iot_contain_val layout");
_Static_assert(sizeof(struct iot_contain_state) == 8, "iot_contain_state layout");
_Static_assert(sizeof(struct iot_attach_key) == 16, "iot_attach_key layout");
_Static_assert(sizeof(struct iot_attach) == 40, "iot_attach layout");
_Static_assert(sizeof(struct iot_cfg) == 16, "iot_cfg layout");
_Static_assert(sizeof(struct iot_counters) == IOT_CNT_ALL * 8, "iot_counters layout");
_Static_assert(sizeof(struct iot_flow_key) == 40, "iot_flow_key layout");
_Static_assert(sizeof(struct iot_flow) == 64, "iot_flow layout");
_Static_assert(sizeof(struct iot_ev_hdr) == 16, "iot_ev_hdr layout");
_Static_assert(sizeof(struct iot_ev_flow) == 136, "iot_ev_flow layout");
_Static_assert(sizeof(struct iot_ev_snippet) == 88 + IOT_SNAP_MAX, "iot_ev_snippet layout");

/*
 * ---- flood admission (bpf/lib/admit.h; the design is in docs/datapath.md) ----
 * A bare SYN of a new flow sends its records as before but its flow waits in the small half-open table
 * (iot_embryo, same key and value as iot_flows) until a reply or payload moves it to iot_flows; a SYN flood or a
 * SYN scan churns that table, not the flow table. New flows are charged to a token bucket of their source
 * (hashed to one of IOT_ADMIT_SLOTS per-CPU slots) and to one bucket of all sources; a new flow over either
 * budget is not recorded, only counted, and the first one in each interval sends one IOT_EV_FLOOD record.
 * Discovery protocols (IOT_FLOW_F_DISCOVERY ports, ARP, LLDP, CDP) and IOC contacts are never held back.
 */
#define IOT_ADMIT_SLOTS 4096	/* per-source token buckets per CPU (a power of two) */
#define IOT_EMBRYO_MAX 16384	/* half-open TCP flows */

/*
 * Rodata knobs (iot_admit_cfg); a zero burst turns that budget off. Once its burst is spent, a budget admits one
 * new flow per *_flow_ns (a rate of 1e9 / *_flow_ns per second); at most 1e15 (no refill, in practice).
 */
struct iot_admit_cfg {
	__u32 src_burst;	/* new flows one source may open at once (default 256) */
	__u32 all_burst;	/* new flows of all sources together, per CPU (default 16384) */
	__u64 src_flow_ns;	/* then one per this many ns (default 1e9 / 64) */
	__u64 all_flow_ns;	/* then one per this many ns (default 1e9 / 16384) */
	__u64 report_ns;	/* at most one IOT_EV_FLOOD per slot per this interval (default 10 s) */
	__u8 embryo;		/* 1: bare SYNs wait in the half-open table (needs user space to sweep it) */
	__u8 pad[7];
};

/*
 * One budget (a value of iot_admit_slots, per CPU), kept as the generic cell rate algorithm does: tat is when
 * the bucket would be full again; a new flow is admitted while tat - now stays within (burst - 1) flow
 * intervals, and moves tat one interval on. No division on the new-flow path.
 */
struct iot_budget {
	__u64 tat_ns;		/* 0: never used (full) */
	__u64 report_ns;	/* when this slot last sent IOT_EV_FLOOD; 0: never */
	__u32 shed;		/* new flows shed since the last IOT_EV_FLOOD of this slot */
	__u32 admitted;		/* new flows admitted since the last IOT_EV_FLOOD of this slot */
	__u64 pad;
};

enum iot_flood_scope {
	IOT_FLOOD_SOURCE = 1,	/* one source (its slot) went over src_burst/src_rate */
	IOT_FLOOD_ALL = 2,	/* all sources together went over all_burst/all_rate on one CPU */
};

/* IOT_EV_FLOOD: new flows are being shed; user space can raise a scan or flood alert from it. Optional: a
 * consumer that does not know the type may skip it (hdr.size says how far). */
struct iot_ev_flood {
	struct iot_ev_hdr hdr;
	struct iot_flow_key key; /* the new flow that was shed first in this interval */
	__u8 src[16];		/* its source (the sender of that packet), v4-mapped; what the slot is about */
	__u8 src_mac[6];
	__u8 scope;		/* enum iot_flood_scope */
	__u8 dir;		/* enum iot_dir of that packet in key */
	__u32 shed;		/* new flows shed by this slot since its previous record, this one included */
	__u32 admitted;		/* new flows it admitted in that time */
	__u64 since_ns;		/* the previous record of this slot (same clock as hdr.ts_ns); 0: none */
};

_Static_assert(sizeof(struct iot_admit_cfg) == 40, "iot_admit_cfg layout");
_Static_assert(sizeof(struct iot_budget) == 32, "iot_budget layout");
_Static_assert(sizeof(struct iot_ev_flood) == 96, "iot_ev_flood layout");

#endif
