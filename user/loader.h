/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The BPF object's lifecycle: open the skeleton, set the knobs, pin or keep private, load; attach to and detach
 * from interfaces (XDP through libxdp, TC through a clsact qdisc); the registry of what is attached where.
 */
#ifndef IOTSENSE_LOADER_H
#define IOTSENSE_LOADER_H

#include <stdbool.h>
#include <stdint.h>

#include "iotsense_abi.h"

#define IOT_PIN_DIR_DEFAULT "/sys/fs/bpf/iotsense"
/* Our TC filter's identity on the clsact hook: unload removes this one and nothing else. */
#define IOT_TC_HANDLE 0x1075
#define IOT_TC_PRIO 1

struct iotsense_bpf;

struct loader_opts {
	const char *pin_dir;	   /* NULL: private maps (replay, tests) */
	uint32_t snippets_per_dir;
	uint8_t snippets_long;	   /* on IOT_PORT_LONG ports (Telnet, FTP, SMTP, OT) */
	uint32_t snap_payload;
	uint32_t flows_max;	   /* 0: the object's default */
	uint32_t ring_bytes;	   /* 0: the object's default; a power of two */
	bool replay;
};

void loader_opts_default(struct loader_opts *o);

/* Opens and configures the skeleton; does not load it. */
struct iotsense_bpf *loader_open(const struct loader_opts *o);
/* Loads what loader_open returned (maps pinned/reused when opts had a pin_dir) and fills the ports map. */
int loader_load(struct iotsense_bpf *skel, const struct loader_opts *o);
/* Opens, loads: the common path for replay and tests. */
struct iotsense_bpf *loader_open_and_load(const struct loader_opts *o);

/* Mounts bpffs at /sys/fs/bpf when it is missing; creates dir. */
int loader_prepare_pin_dir(const char *dir);

enum attach_xdp_mode { ATTACH_MODE_AUTO, ATTACH_MODE_NATIVE, ATTACH_MODE_SKB, ATTACH_MODE_TC };

struct attach_result {
	struct iot_attach a;
	char note[256]; /* what fell back and why, for the operator */
};

/* Attaches the sensor to ifname (loads a fresh program instance that shares the pinned maps). */
int attach_iface(const char *pin_dir, const char *ifname, enum attach_xdp_mode mode, const struct loader_opts *o,
		 bool owner_daemon, struct attach_result *res);
/* "native", "skb", "tc" or "auto" */
bool parse_attach_mode(const char *s, enum attach_xdp_mode *m);
/* Detaches what the registry says we attached to (netns, ifindex) and forgets it. */
int detach_iface(const char *pin_dir, uint64_t netns, uint32_t ifindex);
/* Forgets an interface that is gone (deleted, moved away): its registry entry and pins; the device itself took
 * the programs and the qdisc with it. */
int forget_iface(const char *pin_dir, uint64_t netns, uint32_t ifindex);

/*
 * Every command that touches BPF calls this first: one clear line and false when the process lacks CAP_BPF
 * (or CAP_SYS_ADMIN), instead of a misleading error from deeper down.
 */
bool loader_have_privileges(const char *command);

/* Opens the map pinned as pin_dir/name; logs why when it fails. Returns the fd or -errno. */
int loader_open_pinned(const char *pin_dir, const char *name);

/* Registry access through the pinned map. */
int registry_open(const char *pin_dir); /* map fd or -errno */
uint64_t current_netns(void);
/* Removes every pin when nothing is attached any more; returns true when it did. */
bool loader_cleanup_pins_if_unused(const char *pin_dir);

/* Sums the per-CPU counters of one hook. */
int counters_read(int map_fd, enum iot_hook hook, struct iot_counters *out);
extern const char *const iot_counter_names[IOT_CNT_MAX];

#endif
