// SPDX-License-Identifier: GPL-2.0-only
/*
 * Attaching to and detaching from interfaces, and the registry that remembers what we attached where.
 *
 * XDP goes through libxdp so another XDP program on the same interface keeps working (its dispatcher chains
 * us); where the kernel refuses the dispatcher (no freplace), libxdp attaches us alone and we say so. TC egress
 * goes on a clsact qdisc that we create only when absent and remove only when we created it. Every attachment
 * is recorded in the pinned registry map, keyed by network namespace and ifindex, so `unload` and `status`
 * know exactly what is ours.
 */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "iotsense_abi.h" /* before the skeleton: it names our structs */
#include "iotsense.skel.h"
#include "lib/log.h"
#include "loader.h"
#include "ports.h"

uint64_t current_netns(void)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st))
		return 0;
	return (uint64_t)st.st_ino;
}

int registry_open(const char *pin_dir)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/iot_attach", pin_dir);
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

static const char *const prog_pins[] = { "xdp", "tc_ingress", "tc_egress" };

static void prog_pin_path(char *buf, size_t size, const char *pin_dir, uint64_t netns, uint32_t ifindex,
			  const char *what)
{
	snprintf(buf, size, "%s/progs/%llu-%u-%s", pin_dir, (unsigned long long)netns, ifindex, what);
}

static int pin_prog(struct bpf_program *prog, const char *pin_dir, uint64_t netns, uint32_t ifindex,
		    const char *what)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/progs", pin_dir);
	if (mkdir(path, 0700) && errno != EEXIST)
		return -errno;
	prog_pin_path(path, sizeof(path), pin_dir, netns, ifindex, what);
	unlink(path); /* a stale pin from a crashed run */
	return bpf_program__pin(prog, path);
}

static int tc_attach(int ifindex, enum bpf_tc_attach_point where, int prog_fd, bool *created, uint32_t *prog_id)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = where);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = IOT_TC_HANDLE, .priority = IOT_TC_PRIO, .prog_fd = prog_fd);
	int err;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		pr_err("creating the clsact qdisc failed: %s\n", strerror(-err));
		return err;
	}
	if (created && !err)
		*created = true;
	err = bpf_tc_attach(&hook, &opts);
	if (err == -EEXIST) {
		/* Our own filter left behind by a killed daemon: same handle and priority, so replace it. */
		opts.flags = BPF_TC_F_REPLACE;
		opts.prog_id = 0;
		err = bpf_tc_attach(&hook, &opts);
	}
	if (err) {
		pr_err("attaching the TC %s program failed: %s\n", where == BPF_TC_EGRESS ? "egress" : "ingress",
		       strerror(-err));
		return err;
	}
	*prog_id = opts.prog_id;
	return 0;
}

/* Removes our filter only if it is still the program we put there. */
static void tc_detach(int ifindex, enum bpf_tc_attach_point where, uint32_t prog_id)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = where);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = IOT_TC_HANDLE, .priority = IOT_TC_PRIO);
	int err;

	if (!prog_id)
		return;
	err = bpf_tc_query(&hook, &opts);
	if (err) {
		pr_info("TC %s filter already gone\n", where == BPF_TC_EGRESS ? "egress" : "ingress");
		return;
	}
	if (opts.prog_id != prog_id) {
		pr_warn("TC filter %x:%u now runs program %u, not ours (%u): left in place\n", IOT_TC_HANDLE,
			IOT_TC_PRIO, opts.prog_id, prog_id);
		return;
	}
	opts.prog_id = 0;
	opts.prog_fd = 0;
	opts.flags = 0;
	err = bpf_tc_detach(&hook, &opts);
	if (err)
		pr_warn("detaching the TC filter failed: %s\n", strerror(-err));
}

static enum xdp_attach_mode xdp_mode_of(enum attach_xdp_mode m)
{
	return m == ATTACH_MODE_SKB ? XDP_MODE_SKB : XDP_MODE_NATIVE;
}

/*
 * XDP through libxdp. AUTO tries native then generic (skb) mode. Returns 0 with res->a filled, or an error
 * after which the caller falls back to TC ingress.
 */
static int xdp_attach(struct iotsense_bpf *skel, int ifindex, enum attach_xdp_mode mode, struct attach_result *res)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct xdp_program *xp;
	int err;

	xp = xdp_program__from_bpf_obj(skel->obj, "xdp");
	err = libxdp_get_error(xp);
	if (err) {
		pr_err("libxdp could not take the XDP program: %s\n", strerror(-err));
		return err;
	}
	err = xdp_program__attach(xp, ifindex, xdp_mode_of(mode), 0);
	if (err && mode == ATTACH_MODE_AUTO) {
		pr_info("native XDP failed (%s); trying generic (skb) mode\n", strerror(-err));
		err = xdp_program__attach(xp, ifindex, XDP_MODE_SKB, 0);
		if (!err) {
			mode = ATTACH_MODE_SKB;
			snprintf(res->note, sizeof(res->note), "native XDP unsupported here, using generic (skb) mode");
		}
	}
	if (err) {
		xdp_program__close(xp);
		return err;
	}
	res->a.xdp_mode = mode == ATTACH_MODE_SKB ? IOT_XDP_SKB : IOT_XDP_NATIVE;
	res->a.xdp_prog_id = xdp_program__id(xp);
	/* Alone, the interface runs our program; through libxdp's dispatcher, the dispatcher. Asked over netlink,
	 * not through libxdp, which would open the program by id (CAP_SYS_ADMIN, which a daemon that attaches
	 * interfaces as they appear no longer has). */
	if (!bpf_xdp_query(ifindex, 0, &q))
		res->a.xdp_multiprog = q.prog_id != res->a.xdp_prog_id && q.drv_prog_id != res->a.xdp_prog_id &&
				       q.skb_prog_id != res->a.xdp_prog_id;
	if (!res->a.xdp_multiprog && !res->note[0])
		/* libxdp falls back to a lone program when the kernel refuses its dispatcher (freplace). */
		snprintf(res->note, sizeof(res->note),
			 "libxdp dispatcher unavailable on this kernel: attached alone (another XDP program cannot "
			 "share this interface)");
	xdp_program__close(xp);
	return 0;
}

int attach_iface(const char *pin_dir, const char *ifname, enum attach_xdp_mode mode, const struct loader_opts *o,
		 bool owner_daemon, struct attach_result *res)
{
	struct iot_attach_key key = { .netns = current_netns() };
	struct iotsense_bpf *skel = NULL;
	struct timespec now;
	bool created = false;
	int err, reg_fd = -1;

	memset(res, 0, sizeof(*res));
	key.ifindex = if_nametoindex(ifname);
	if (!key.ifindex) {
		pr_err("no interface named '%s' in this network namespace (see 'ip link')\n", ifname);
		return -ENODEV;
	}
	err = loader_prepare_pin_dir(pin_dir);
	if (err)
		return err;
	reg_fd = registry_open(pin_dir);
	if (reg_fd >= 0 && !bpf_map_lookup_elem(reg_fd, &key, &res->a)) {
		pr_err("iotsense is already attached to %s; 'iotsense unload -i %s' first\n", ifname, ifname);
		close(reg_fd);
		return -EEXIST;
	}
	if (reg_fd >= 0)
		close(reg_fd);

	skel = loader_open(o);
	if (!skel)
		return -EINVAL;
	snprintf(res->a.ifname, sizeof(res->a.ifname), "%s", ifname);
	res->a.owner_daemon = owner_daemon;

	if (mode != ATTACH_MODE_TC) {
		err = xdp_attach(skel, key.ifindex, mode, res);
		if (err && mode != ATTACH_MODE_AUTO) {
			pr_err("attaching XDP to %s in %s mode failed: %s\n", ifname,
			       mode == ATTACH_MODE_SKB ? "skb" : "native", strerror(-err));
			goto out;
		}
		if (err) {
			snprintf(res->note, sizeof(res->note), "XDP attach failed (%s): sensing ingress with TC",
				 strerror(-err));
			mode = ATTACH_MODE_TC;
		}
	}
	if (bpf_program__fd(skel->progs.iot_tc_egress) < 0) {
		/* Not loaded by libxdp (TC-only mode, or XDP failed before loading). */
		err = loader_load(skel, o);
		if (err)
			goto out;
	} else {
		err = ports_fill(bpf_map__fd(skel->maps.iot_ports));
		if (err)
			goto out;
	}
	if (mode == ATTACH_MODE_TC) {
		err = tc_attach(key.ifindex, BPF_TC_INGRESS, bpf_program__fd(skel->progs.iot_tc_ingress), &created,
				&res->a.tc_in_prog_id);
		if (err)
			goto out_detach;
	}
	err = tc_attach(key.ifindex, BPF_TC_EGRESS, bpf_program__fd(skel->progs.iot_tc_egress), &created,
			&res->a.tc_eg_prog_id);
	if (err)
		goto out_detach;
	res->a.clsact_created = created;

	if (res->a.xdp_prog_id)
		pin_prog(skel->progs.iot_xdp, pin_dir, key.netns, key.ifindex, "xdp");
	if (res->a.tc_in_prog_id)
		pin_prog(skel->progs.iot_tc_ingress, pin_dir, key.netns, key.ifindex, "tc_ingress");
	pin_prog(skel->progs.iot_tc_egress, pin_dir, key.netns, key.ifindex, "tc_egress");

	/* Its ingress is sensed: TC egress elsewhere skips frames forwarded from it (see iot_sensed_ifs). */
	if (res->a.xdp_prog_id || res->a.tc_in_prog_id) {
		uint32_t hooks = (res->a.xdp_prog_id ? 1 : 0) | (res->a.tc_in_prog_id ? 2 : 0);

		if (bpf_map_update_elem(bpf_map__fd(skel->maps.iot_sensed_ifs), &key.ifindex, &hooks, BPF_ANY))
			pr_warn("recording %s as sensed at ingress failed (%s): forwarded frames may be sensed "
				"twice\n", ifname, strerror(errno));
	}
	clock_gettime(CLOCK_REALTIME, &now);
	res->a.attached_ns = (uint64_t)now.tv_sec * 1000000000ull + now.tv_nsec;
	err = bpf_map_update_elem(bpf_map__fd(skel->maps.iot_attach), &key, &res->a, BPF_ANY);
	if (err) {
		err = -errno;
		pr_err("recording the attachment failed: %s\n", strerror(-err));
		goto out_detach;
	}
	goto out;

out_detach:
	/* One cleanup path: undo exactly what this call attached, then report the first error. */
	if (res->a.xdp_prog_id) {
		struct xdp_program *xp = xdp_program__from_id(res->a.xdp_prog_id);

		if (!libxdp_get_error(xp)) {
			xdp_program__detach(xp, key.ifindex, res->a.xdp_mode == IOT_XDP_SKB ? XDP_MODE_SKB :
							     XDP_MODE_NATIVE, 0);
			xdp_program__close(xp);
		}
	}
	tc_detach(key.ifindex, BPF_TC_INGRESS, res->a.tc_in_prog_id);
	tc_detach(key.ifindex, BPF_TC_EGRESS, res->a.tc_eg_prog_id);
	if (created) {
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = key.ifindex,
			    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
		bpf_tc_hook_destroy(&hook);
	}
out:
	iotsense_bpf__destroy(skel);
	return err;
}

/*
 * XDP off the interface, only if it still runs our program. A lone program (no libxdp dispatcher) goes with
 * the netlink call and our pinned program as the expected one (XDP_FLAGS_REPLACE): CAP_NET_ADMIN is enough,
 * which a daemon that dropped its other capabilities still has. Through the dispatcher, libxdp opens the
 * programs by id, which needs CAP_SYS_ADMIN (the daemon keeps it in that case).
 */
static void xdp_detach(const char *pin_dir, uint64_t netns, uint32_t ifindex, const struct iot_attach *a)
{
	struct xdp_program *xp;
	char path[PATH_MAX];
	int fd, err;

	if (!a->xdp_multiprog) {
		LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
		__u32 flags = XDP_FLAGS_REPLACE | (a->xdp_mode == IOT_XDP_SKB ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE);

		prog_pin_path(path, sizeof(path), pin_dir, netns, ifindex, "xdp");
		fd = bpf_obj_get(path);
		if (fd >= 0) {
			opts.old_prog_fd = fd;
			err = bpf_xdp_detach(ifindex, flags, &opts);
			close(fd);
			if (!err)
				return;
			if (err == -EEXIST || err == -ENOENT) {
				pr_warn("%s: the XDP program there is not ours any more: left as it is\n", a->ifname);
				return;
			}
			pr_info("%s: detaching XDP by its pin failed (%s); trying libxdp\n", a->ifname, strerror(-err));
		}
	}
	xp = xdp_program__from_id(a->xdp_prog_id);
	if (libxdp_get_error(xp)) {
		pr_info("XDP program %u is gone already\n", a->xdp_prog_id);
		return;
	}
	err = xdp_program__detach(xp, ifindex, a->xdp_mode == IOT_XDP_SKB ? XDP_MODE_SKB : XDP_MODE_NATIVE, 0);
	if (err)
		pr_warn("detaching XDP from %s: %s (left as it is)\n", a->ifname, strerror(-err));
	xdp_program__close(xp);
}

int forget_iface(const char *pin_dir, uint64_t netns, uint32_t ifindex)
{
	struct iot_attach_key key = { .netns = netns, .ifindex = ifindex };
	char path[PATH_MAX];
	int fd, sensed_fd;

	fd = registry_open(pin_dir);
	if (fd < 0)
		return -ENOENT;
	for (unsigned int i = 0; i < sizeof(prog_pins) / sizeof(prog_pins[0]); i++) {
		prog_pin_path(path, sizeof(path), pin_dir, netns, ifindex, prog_pins[i]);
		unlink(path);
	}
	sensed_fd = loader_open_pinned(pin_dir, "iot_sensed_ifs");
	if (sensed_fd >= 0) {
		bpf_map_delete_elem(sensed_fd, &ifindex);
		close(sensed_fd);
	}
	if (bpf_map_delete_elem(fd, &key)) {
		close(fd);
		return -ENOENT;
	}
	close(fd);
	return 0;
}

int detach_iface(const char *pin_dir, uint64_t netns, uint32_t ifindex)
{
	struct iot_attach_key key = { .netns = netns, .ifindex = ifindex };
	struct iot_attach a;
	int fd;

	fd = registry_open(pin_dir);
	if (fd < 0)
		return -ENOENT;
	if (bpf_map_lookup_elem(fd, &key, &a)) {
		close(fd);
		return -ENOENT;
	}
	close(fd);
	if (netns != current_netns()) {
		pr_err("%s is in another network namespace: run unload there (nsenter --net=...)\n", a.ifname);
		return -EXDEV;
	}
	if (a.xdp_prog_id)
		xdp_detach(pin_dir, netns, ifindex, &a);
	tc_detach(ifindex, BPF_TC_INGRESS, a.tc_in_prog_id);
	tc_detach(ifindex, BPF_TC_EGRESS, a.tc_eg_prog_id);
	if (a.clsact_created) {
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);

		bpf_tc_hook_destroy(&hook);
	}
	forget_iface(pin_dir, netns, ifindex);
	return 0;
}

bool loader_cleanup_pins_if_unused(const char *pin_dir)
{
	static const char *const maps[] = { "iot_flows",   "iot_events", "iot_counters", "iot_ports",
					    "iot_attach", "iot_sensed_ifs", "iot_ioc_ips", "iot_ioc_count" };
	struct iot_attach_key key;
	char path[PATH_MAX];
	int fd = registry_open(pin_dir);

	if (fd >= 0) {
		bool empty = bpf_map_get_next_key(fd, NULL, &key) != 0;

		close(fd);
		if (!empty)
			return false;
	}
	for (unsigned int i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", pin_dir, maps[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/progs", pin_dir);
	rmdir(path);
	rmdir(pin_dir);
	return true;
}
