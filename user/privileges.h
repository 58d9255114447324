/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Least privilege for the daemon: once it has attached, `run` keeps only the capabilities what is left to do
 * needs, and can switch to an unprivileged user. Capabilities are per thread, so this runs before the API's
 * and the outputs' threads start (they inherit the reduced sets).
 *
 *   always                          CAP_BPF: the flow table, counters, containment and IOC maps (bpf() on fds)
 *   interfaces to detach at exit,   CAP_NET_ADMIN: XDP and TC on interfaces (netlink)
 *   or patterns to watch
 *   patterns to watch               CAP_PERFMON: loading the programs for an interface that appears
 *   libxdp's dispatcher in use      CAP_SYS_ADMIN: libxdp opens the dispatcher's programs by id to detach
 *   an API port below 1024          CAP_NET_BIND_SERVICE: the API is rebound on SIGHUP
 */
#ifndef IOTSENSE_PRIVILEGES_H
#define IOTSENSE_PRIVILEGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct priv_needs {
	bool net_admin;
	bool perfmon;
	bool sys_admin;
	bool bind_service;
	const char *user;	      /* switch to this user (name or uid), or NULL */
	const char *const *chown_dirs; /* handed to the user first (recursively, symlinks not followed) */
	int nchown;
};

/*
 * Drops every capability not in needs from the effective, permitted, inheritable, ambient and bounding sets,
 * switches user when asked, and sets no_new_privs. On return kept (optional) has the capability bits kept.
 * Returns 0, or -1 with err filled (the process may have dropped part: the caller stops).
 */
int privileges_drop(const struct priv_needs *needs, uint64_t *kept, char *err, size_t errsz);

/* The capability names of bits, "CAP_BPF,CAP_NET_ADMIN" style, into buf. */
const char *privileges_names(uint64_t bits, char *buf, size_t size);

/* CapEff of this thread, from /proc/thread-self/status. */
uint64_t privileges_effective(void);

#endif
