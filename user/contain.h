/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Containment from user space: parse a device ID, refuse what must never be contained (this host, its default
 * route's next hop, the SSH peer), and add, remove, list and expire entries of the pinned iot_contain map,
 * keeping the gate (iot_contain_state) in step. Every command that writes the map holds a lock on the pin dir,
 * so two commands cannot leave the gate closed over a live entry.
 *
 * Times are CLOCK_MONOTONIC ns (the kernel compares them with bpf_ktime_get_coarse_ns).
 */
#ifndef IOTSENSE_CONTAIN_H
#define IOTSENSE_CONTAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iotsense_abi.h"

struct pipeline;

/* "mac:aa:bb:cc:dd:ee:ff" or "ip:2001:db8::1": the inventory's device id form. */
#define CONTAIN_ID_LEN 64
/* --for bounds */
#define CONTAIN_FOR_MIN_NS (1000000000ull)
#define CONTAIN_FOR_MAX_NS (365ull * 86400 * 1000000000ull)

/*
 * Parses a MAC (aa:bb:cc:dd:ee:ff or aa-bb-...), an IPv4 or an IPv6 address, optionally prefixed "mac:" or
 * "ip:". Broadcast, multicast and all-zero MACs and unspecified, loopback, broadcast and multicast IPs are not
 * devices: refused. Returns 0, or -EINVAL with the reason in why.
 */
int contain_parse_id(const char *s, struct iot_contain_key *key, char *why, size_t whylen);
/* "30s", "10m", "2h", "1d" within [CONTAIN_FOR_MIN_NS, CONTAIN_FOR_MAX_NS]. Returns 0, or -EINVAL and why. */
int contain_parse_duration(const char *s, uint64_t *ns, char *why, size_t whylen);
/* The address alone ("198.18.1.2", "aa:bb:..") and the device id ("ip:198.18.1.2", "mac:aa:bb:.."). */
void contain_key_addr(const struct iot_contain_key *k, char *buf, size_t size);
void contain_key_id(const struct iot_contain_key *k, char *buf, size_t size);
/* "2h0m", "59s": remaining times for people. */
void contain_fmt_duration(uint64_t ns, char *buf, size_t size);

/*
 * Whether containing key would cut this host off, judged in the calling process's network namespace: an
 * address or MAC of a local interface, the next hop (IP, or its MAC from the neighbour table) of a default
 * route, the peer of the current SSH session ($SSH_CONNECTION, $SSH_CLIENT). True with the reason in why.
 */
bool contain_refused(const struct iot_contain_key *key, char *why, size_t whylen);

struct contain_maps {
	int map_fd;   /* iot_contain */
	int state_fd; /* iot_contain_state (the gate) */
	int lock_fd;  /* the pin dir, flock()ed around writes; -1: no lock (private maps in tests) */
};

struct contain_entry {
	struct iot_contain_key key;
	struct iot_contain_val val;
};

/* Opens the pinned maps. quiet: no message when they are absent (status). Returns 0 or -errno. */
int contain_open(const char *pin_dir, struct contain_maps *m, bool quiet);
void contain_close(struct contain_maps *m);

uint64_t contain_now(void);	     /* CLOCK_MONOTONIC ns */
int64_t contain_mono_to_real(void); /* add to a CLOCK_MONOTONIC time to get epoch ns */

/*
 * Contains key until now + for_ns (for_ns 0: until released). An entry that is still live keeps its since and
 * drops and gets the new expiry (*updated set). Returns 0 or -errno (-E2BIG: the map is full).
 */
int contain_add(struct contain_maps *m, const struct iot_contain_key *key, uint64_t for_ns, uint64_t now,
		struct iot_contain_val *out, bool *updated);
/* Releases key. -ENOENT when it is not contained (an expired entry is removed and counts as not contained;
 * *old is filled either way when an entry was there). */
int contain_del(struct contain_maps *m, const struct iot_contain_key *key, uint64_t now, struct iot_contain_val *old);
/* Every entry, expired ones included; *out is malloc()ed. Returns the count or -errno. */
int contain_list(const struct contain_maps *m, struct contain_entry **out);
/* Deletes entries expired at now and re-counts the gate. Returns how many went. */
int contain_purge_expired(struct contain_maps *m, uint64_t now);
/* Writes the gate from the map's entry count (callers that changed the map under the lock). */
int contain_sync_gate(struct contain_maps *m);
static inline bool contain_expired(const struct iot_contain_val *v, uint64_t now)
{
	return v->expires_ns && now >= v->expires_ns;
}

/*
 * Removes the containment pins when no interface is attached any more (call before
 * loader_cleanup_pins_if_unused(), which does not know them). Says how many live containments went with them.
 */
void contain_unpin_if_unused(const char *pin_dir);

/*
 * The daemon's view: each sweep diffs the map against the previous one and writes one alert record per
 * transition (contained, released, expired) to the pipeline's output; it also deletes expired entries.
 * A zeroed struct is ready to use.
 */
struct contain_watch {
	bool opened, warned;
	struct contain_maps m;
	struct contain_entry *seen;
	int nseen;
};

void contain_watch_sweep(struct contain_watch *w, const char *pin_dir, struct pipeline *pl);
void contain_watch_free(struct contain_watch *w);

#endif
