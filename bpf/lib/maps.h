/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Every map the programs share. Maps pinned by name live under the loader's pin root
 * (/sys/fs/bpf/iotsense by default), so every interface's programs and the daemon use one set of maps and the
 * kernel keeps sensing between commands. Sizes here are defaults; the loader may resize before load.
 */
#ifndef IOT_BPF_MAPS_H
#define IOT_BPF_MAPS_H

#include "iotsense_abi.h"

/* Both directions of a conversation under one key; LRU so a full table evicts the coldest flow, not new ones. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct iot_flow_key);
	__type(value, struct iot_flow);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} iot_flows SEC(".maps");

/*
 * Half-open TCP flows (a bare SYN, no reply yet), apart from iot_flows so a SYN flood or a SYN scan only churns
 * this table (bpf/lib/admit.h). Same key and value as iot_flows, so user space can sweep it the same way. Not
 * pinned: per object, like the scratch buffers; an entry lives for a handshake.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, IOT_EMBRYO_MAX);
	__type(key, struct iot_flow_key);
	__type(value, struct iot_flow);
} iot_embryo SEC(".maps");

/*
 * New-flow token buckets: IOT_ADMIT_SLOTS per-source slots (a source hashes to one) and, last, the bucket of all
 * sources together. Per CPU: no atomics and no shared cache lines on the new-flow path; the budgets are per CPU.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, IOT_ADMIT_SLOTS + 1);
	__type(key, __u32);
	__type(value, struct iot_budget);
} iot_admit_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} iot_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, IOT_HOOK_MAX);
	__type(key, __u32);
	__type(value, struct iot_counters);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} iot_counters SEC(".maps");

/* Port -> enum iot_port_flags: which ports carry discovery protocols (runtime state, written by the loader). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} iot_ports SEC(".maps");

/*
 * The interfaces whose ingress we sense (XDP or TC ingress), by ifindex; written by user space at attach and
 * detach. On a bridge or a router with the sensor on several ports, a forwarded frame passes our ingress hook
 * on one port and our egress hook on another: TC egress skips frames whose ingress interface is in here, so
 * each frame is sensed once (flows, counts and snippet sequence numbers stay right). ifindexes are per
 * namespace: a sensor attached in two namespaces that share a pin dir may skip a frame it should not.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} iot_sensed_ifs SEC(".maps");

/*
 * Indicator-of-compromise addresses (written by `iotsense run` from rules/iocs and imported feeds): a new flow
 * with an end in here carries IOT_FLOW_F_IOC in its records. Looked up once per new flow, and only when
 * iot_ioc_count says the map is not empty.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, IOT_IOC_MAX);
	__type(key, struct iot_ioc_key);
	__type(value, __u8);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} iot_ioc_ips SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} iot_ioc_count SEC(".maps");

/* The attachment registry: read and written by user space only; pinned so every command sees it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct iot_attach_key);
	__type(value, struct iot_attach);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} iot_attach SEC(".maps");

/*
 * Containment: devices whose frames every program drops (written by `iotsense contain`, read by XDP and TC).
 * Pinned like the rest, so every interface's programs and the CLI share one map. A plain hash, not LRU: an
 * entry must never be evicted behind the operator's back; user space refuses inserts past IOT_CONTAIN_MAX.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, IOT_CONTAIN_MAX);
	__type(key, struct iot_contain_key);
	__type(value, struct iot_contain_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} iot_contain SEC(".maps");

/* The gate in front of iot_contain, per kind: an array read (inlined by the verifier), not hash lookups. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct iot_contain_state);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} iot_contain_state SEC(".maps");

/*
 * Where a snippet record is assembled before it is copied to the ring at its real length. The slack lets the
 * verifier accept a copy length bounded by a mask (2048) rather than by IOT_SNAP_MAX, which clang's rewrites
 * of a plain clamp would otherwise hide from it.
 */
#define IOT_SNAP_MASK 0x7ff
struct iot_snippet_scratch {
	struct iot_ev_snippet ev;
	__u8 slack[IOT_SNAP_MASK + 1 - IOT_SNAP_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct iot_snippet_scratch);
} iot_scratch SEC(".maps");

#endif
