/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Interfaces that come and go: `run -i` takes names and shell patterns ('lxc*', 'eth0.*'), and a netlink
 * (NETLINK_ROUTE, RTMGRP_LINK) socket in the daemon's loop says when an interface appears, is renamed or goes,
 * so pod veths on a Kubernetes node and VLAN sub-interfaces on a router are attached when they appear and
 * forgotten when they vanish, without a restart.
 */
#ifndef IOTSENSE_IFACE_WATCH_H
#define IOTSENSE_IFACE_WATCH_H

#include <stdbool.h>
#include <stdint.h>

/* A pattern has a shell wildcard (*, ?, [); anything else is a plain interface name. */
bool iface_is_pattern(const char *s);
/* Whether name matches one of the n names or patterns (fnmatch). */
bool iface_matches(const char *const *pats, int n, const char *name);

enum iface_event { IFACE_PRESENT, IFACE_GONE };

/* Called for every link message: present (new, changed or renamed) or gone (deleted, moved to another netns). */
typedef void (*iface_cb)(void *ctx, enum iface_event ev, uint32_t ifindex, const char *name);

/* The netlink socket (nonblocking, close-on-exec), or -errno. */
int iface_watch_open(void);
/* Reads what is pending and calls cb for each link message; 0, or -errno when the socket failed. ENOBUFS (the
 * kernel dropped messages) is reported as -ENOBUFS: the caller rescans with iface_scan. */
int iface_watch_read(int fd, iface_cb cb, void *ctx);
/* Calls cb(IFACE_PRESENT) for every interface that exists now. */
int iface_scan(iface_cb cb, void *ctx);

#endif
