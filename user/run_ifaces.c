// SPDX-License-Identifier: GPL-2.0-only
/* The daemon's interfaces, attached as they come and forgotten as they go (see run_ifaces.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "iface_watch.h"
#include "lib/log.h"
#include "run_ifaces.h"

static struct run_iface *find(struct run_ifaces *ri, uint32_t ifindex)
{
	for (int i = 0; i < ri->nifs; i++)
		if (ri->ifs[i].ifindex == ifindex)
			return &ri->ifs[i];
	return NULL;
}

static struct run_iface *free_slot(struct run_ifaces *ri)
{
	for (int i = 0; i < ri->nifs; i++)
		if (!ri->ifs[i].ifindex)
			return &ri->ifs[i];
	return ri->nifs < RUN_IFACES_MAX ? &ri->ifs[ri->nifs++] : NULL;
}

/* A name the user gave literally (not through a pattern): failing to attach it at start is an error. */
static bool named_literally(const struct run_ifaces *ri, const char *name)
{
	for (int i = 0; i < ri->npats; i++)
		if (!iface_is_pattern(ri->pats[i]) && !strcmp(ri->pats[i], name))
			return true;
	return false;
}

static void attach_one(struct run_ifaces *ri, uint32_t ifindex, const char *name)
{
	struct iot_attach_key key = { .netns = ri->netns, .ifindex = ifindex };
	struct run_iface *slot = free_slot(ri);
	struct attach_result res;
	struct iot_attach a;
	int reg;

	if (!slot) {
		pr_warn("%s: already on %d interfaces, the most one daemon follows: not attached\n", name,
			RUN_IFACES_MAX);
		return;
	}
	reg = registry_open(ri->pin_dir);
	if (reg >= 0 && !bpf_map_lookup_elem(reg, &key, &a)) {
		close(reg);
		*slot = (struct run_iface){ .ifindex = ifindex, .multiprog = a.xdp_multiprog };
		snprintf(slot->name, sizeof(slot->name), "%s", name);
		pr_info("%s: adopting the programs already attached (xdp prog %u)\n", name, a.xdp_prog_id);
		return;
	}
	if (reg >= 0)
		close(reg);
	if (attach_iface(ri->pin_dir, name, ri->mode, ri->lo, true, &res)) {
		if (ri->starting && named_literally(ri, name))
			ri->start_errors++;
		else
			pr_warn("%s: not attached (see the error above); retried if it appears again\n", name);
		return;
	}
	*slot = (struct run_iface){ .ifindex = ifindex, .ours = true, .multiprog = res.a.xdp_multiprog };
	snprintf(slot->name, sizeof(slot->name), "%s", name);
	ri->attached++;
	pr_info("%s: attached (xdp %s prog %u, tc egress prog %u)\n", name,
		res.a.xdp_mode == IOT_XDP_SKB ? "skb" : res.a.xdp_mode ? "native" : "off", res.a.xdp_prog_id,
		res.a.tc_eg_prog_id);
	if (res.note[0])
		pr_warn("%s: %s\n", name, res.note);
}

static void forget_one(struct run_ifaces *ri, struct run_iface *it, const char *why)
{
	pr_info("%s (ifindex %u) %s: forgotten%s\n", it->name, it->ifindex, why,
		iface_matches(ri->pats, ri->npats, it->name) ? "; attached again if it comes back" : "");
	forget_iface(ri->pin_dir, ri->netns, it->ifindex);
	memset(it, 0, sizeof(*it));
	ri->forgotten++;
}

static void on_link(void *ctx, enum iface_event ev, uint32_t ifindex, const char *name)
{
	struct run_ifaces *ri = ctx;
	struct run_iface *it = find(ri, ifindex);

	if (ev == IFACE_GONE) {
		if (it)
			forget_one(ri, it, "is gone");
		return;
	}
	if (it) {
		if (!strcmp(it->name, name))
			return; /* a state change (up, down, MTU): nothing to do */
		if (!iface_matches(ri->pats, ri->npats, name)) {
			pr_info("%s was renamed %s, which no -i matches: detaching\n", it->name, name);
			if (it->ours)
				detach_iface(ri->pin_dir, ri->netns, ifindex);
			else
				forget_iface(ri->pin_dir, ri->netns, ifindex);
			memset(it, 0, sizeof(*it));
			return;
		}
		snprintf(it->name, sizeof(it->name), "%s", name);
		return;
	}
	if (iface_matches(ri->pats, ri->npats, name))
		attach_one(ri, ifindex, name);
}

int run_ifaces_add(struct run_ifaces *ri, const char *pat)
{
	if (ri->npats == RUN_PATTERNS_MAX) {
		fprintf(stderr, "iotsense run: at most %d interface names or patterns\n", RUN_PATTERNS_MAX);
		return -1;
	}
	if (!*pat || strlen(pat) >= RUN_PATTERN_LEN) {
		fprintf(stderr, "iotsense run: an interface name or pattern is 1 to %d characters, not '%s'\n",
			RUN_PATTERN_LEN - 1, pat);
		return -1;
	}
	snprintf(ri->pat_store[ri->npats], RUN_PATTERN_LEN, "%s", pat);
	ri->pats[ri->npats] = ri->pat_store[ri->npats];
	ri->npats++;
	return 0;
}

int run_ifaces_start(struct run_ifaces *ri, bool no_watch)
{
	ri->nl_fd = -1;
	ri->netns = current_netns();
	for (int i = 0; i < ri->npats; i++)
		if (!iface_is_pattern(ri->pats[i]) && !if_nametoindex(ri->pats[i])) {
			pr_err("no interface named '%s' in this network namespace (see 'ip link'; a pattern such "
			       "as '%s*' waits for it)\n", ri->pats[i], ri->pats[i]);
			return -1;
		}
	/* The watch first, so an interface that appears during the scan is not missed (seen twice is harmless). */
	if (!no_watch) {
		ri->nl_fd = iface_watch_open();
		if (ri->nl_fd < 0) {
			pr_warn("watching interfaces over netlink failed (%s): new interfaces are not attached\n",
				strerror(-ri->nl_fd));
			ri->nl_fd = -1;
		}
	}
	ri->starting = true;
	iface_scan(on_link, ri);
	ri->starting = false;
	if (ri->start_errors)
		return -1;
	for (int i = 0; i < ri->npats; i++)
		if (iface_is_pattern(ri->pats[i]) && !no_watch) {
			bool any = false;

			for (int j = 0; j < ri->nifs && !any; j++)
				any = ri->ifs[j].ifindex && iface_matches(&ri->pats[i], 1, ri->ifs[j].name);
			if (!any)
				pr_info("no interface matches '%s' yet: attached when one appears\n", ri->pats[i]);
		}
	return 0;
}

void run_ifaces_on_netlink(struct run_ifaces *ri)
{
	int err = iface_watch_read(ri->nl_fd, on_link, ri);

	if (err == -ENOBUFS) {
		/* The kernel dropped link messages: rescan, and forget what no longer exists. */
		pr_warn("netlink dropped interface events: rescanning\n");
		for (int i = 0; i < ri->nifs; i++) {
			char name[IF_NAMESIZE];

			if (ri->ifs[i].ifindex && !if_indextoname(ri->ifs[i].ifindex, name))
				forget_one(ri, &ri->ifs[i], "is gone");
		}
		iface_scan(on_link, ri);
	} else if (err) {
		pr_warn("reading interface events failed (%s): no longer following interfaces\n", strerror(-err));
		close(ri->nl_fd);
		ri->nl_fd = -1;
	}
}

void run_ifaces_stop(struct run_ifaces *ri)
{
	for (int i = 0; i < ri->nifs; i++)
		if (ri->ifs[i].ifindex && ri->ifs[i].ours)
			detach_iface(ri->pin_dir, ri->netns, ri->ifs[i].ifindex);
	memset(ri->ifs, 0, sizeof(ri->ifs));
	ri->nifs = 0;
	if (ri->nl_fd >= 0)
		close(ri->nl_fd);
	ri->nl_fd = -1;
}

int run_ifaces_count(const struct run_ifaces *ri)
{
	int n = 0;

	for (int i = 0; i < ri->nifs; i++)
		n += ri->ifs[i].ifindex != 0;
	return n;
}

bool run_ifaces_any_ours(const struct run_ifaces *ri)
{
	for (int i = 0; i < ri->nifs; i++)
		if (ri->ifs[i].ifindex && ri->ifs[i].ours)
			return true;
	return false;
}

bool run_ifaces_any_multiprog(const struct run_ifaces *ri)
{
	for (int i = 0; i < ri->nifs; i++)
		if (ri->ifs[i].ifindex && ri->ifs[i].ours && ri->ifs[i].multiprog)
			return true;
	return false;
}
