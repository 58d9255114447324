/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemon's interfaces: what `run -i` (or the config's interfaces:) names, as plain names or patterns, and
 * what it attached to or adopted. At start every existing match is attached (or adopted when `load` already
 * did); while it runs, a netlink watch attaches interfaces that appear and match, forgets those that vanish
 * (deleted or moved to another network namespace), and attaches again a name that comes back. On stop, only
 * what this daemon attached itself is detached.
 */
#ifndef IOTSENSE_RUN_IFACES_H
#define IOTSENSE_RUN_IFACES_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "loader.h"

#define RUN_PATTERNS_MAX 64
#define RUN_PATTERN_LEN 64
#define RUN_IFACES_MAX 1024

struct run_iface {
	uint32_t ifindex; /* 0: a free slot */
	char name[IF_NAMESIZE];
	bool ours;	  /* attached by this daemon (detached at stop), not adopted */
	bool multiprog;	  /* through libxdp's dispatcher (detaching it opens programs by id) */
};

struct run_ifaces {
	const char *pats[RUN_PATTERNS_MAX]; /* names and patterns (-i, interfaces:), in pat_store */
	char pat_store[RUN_PATTERNS_MAX][RUN_PATTERN_LEN]; /* owned: a config reload frees the config's strings */
	int npats;
	struct run_iface ifs[RUN_IFACES_MAX];
	int nifs;			    /* slots in use at most (high-water mark) */
	enum attach_xdp_mode mode;
	const struct loader_opts *lo;
	const char *pin_dir;
	uint64_t netns;
	int nl_fd;			    /* the netlink watch, or -1 (--no-watch) */
	bool starting;			    /* in run_ifaces_start: a plain name that fails is an error */
	int start_errors;
	uint64_t attached, forgotten;	    /* while running: for the log and tests */
};

/* Adds a name or pattern; -1 when there are RUN_PATTERNS_MAX already or it is too long (said why). */
int run_ifaces_add(struct run_ifaces *ri, const char *pat);
/* Attaches every match; opens the watch unless no_watch. 0, or -1 after a plain name failed (said why). */
int run_ifaces_start(struct run_ifaces *ri, bool no_watch);
/* The watch's fd is readable: attach, forget, rename. */
void run_ifaces_on_netlink(struct run_ifaces *ri);
/* Detaches what this daemon attached, closes the watch. */
void run_ifaces_stop(struct run_ifaces *ri);
/* How many are tracked; whether any is ours; whether any of ours went through libxdp's dispatcher. */
int run_ifaces_count(const struct run_ifaces *ri);
bool run_ifaces_any_ours(const struct run_ifaces *ri);
bool run_ifaces_any_multiprog(const struct run_ifaces *ri);

#endif
