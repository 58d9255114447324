// SPDX-License-Identifier: GPL-2.0-only
/* Opening, configuring and loading the BPF object; feature probes; counters. Attaching lives in attach.c. */
#include <errno.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "iotsense_abi.h" /* before the skeleton: it names our structs */
#include "iotsense.skel.h"
#include "lib/log.h"
#include "loader.h"
#include "ports.h"

const char *const iot_counter_names[IOT_CNT_MAX] = {
	[IOT_CNT_PACKETS] = "packets",
	[IOT_CNT_BYTES] = "bytes",
	[IOT_CNT_VLAN] = "vlan_tagged",
	[IOT_CNT_IPV4] = "ipv4",
	[IOT_CNT_IPV6] = "ipv6",
	[IOT_CNT_ARP] = "arp",
	[IOT_CNT_LLDP] = "lldp",
	[IOT_CNT_CDP] = "cdp",
	[IOT_CNT_L2_OTHER] = "l2_other",
	[IOT_CNT_TCP] = "tcp",
	[IOT_CNT_UDP] = "udp",
	[IOT_CNT_L4_OTHER] = "l4_other",
	[IOT_CNT_FRAG_FIRST] = "fragments_first",
	[IOT_CNT_FRAG_LATER] = "fragments_later_skipped",
	[IOT_CNT_ERR_ETH] = "parse_errors_eth",
	[IOT_CNT_ERR_IP] = "parse_errors_ip",
	[IOT_CNT_ERR_IPV6_EXT] = "parse_errors_ipv6_ext",
	[IOT_CNT_ERR_L4] = "parse_errors_l4",
	[IOT_CNT_FLOWS_CREATED] = "flows_created",
	[IOT_CNT_FLOW_CREATE_FAIL] = "flow_create_failures",
	[IOT_CNT_FLOWS_ENDED] = "flows_ended",
	[IOT_CNT_SNIPPETS] = "snippets",
	[IOT_CNT_DISCOVERY] = "discovery_snippets",
	[IOT_CNT_EVENTS] = "events",
	[IOT_CNT_RB_FAIL] = "ringbuf_drops",
	[IOT_CNT_LOAD_FAIL] = "copy_failures",
	[IOT_CNT_WAKEUPS] = "consumer_wakeups",
	[IOT_CNT_PROFINET_DCP] = "profinet",
	[IOT_CNT_CONTAINED_DROP] = "contained_drops",
	[IOT_CNT_SEEN_AT_INGRESS] = "egress_seen_at_ingress",
	[IOT_CNT_IOC_FLOWS] = "ioc_flows",
	[IOT_CNT_EMBRYO_NEW] = "flows_half_open",
	[IOT_CNT_EMBRYO_PROMOTED] = "flows_half_open_promoted",
	[IOT_CNT_EMBRYO_RESET] = "flows_half_open_reset",
	[IOT_CNT_EMBRYO_FAIL] = "flow_half_open_failures",
	[IOT_CNT_FLOWS_SHED] = "flows_shed",
	[IOT_CNT_FLOOD_EVENTS] = "flood_records",
};

void loader_opts_default(struct loader_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->snippets_per_dir = 4;
	o->snippets_long = 32;
	o->snap_payload = 1400;
}

#define CAP_SYS_ADMIN_BIT 21
#define CAP_BPF_BIT 39

bool loader_have_privileges(const char *command)
{
	unsigned long long eff = 0;
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "CapEff: %llx", &eff) == 1)
				break;
		fclose(f);
	}
	if (eff & (1ull << CAP_BPF_BIT | 1ull << CAP_SYS_ADMIN_BIT))
		return true;
	pr_err("iotsense %s needs root (or CAP_BPF with CAP_NET_ADMIN and CAP_PERFMON)\n", command);
	return false;
}

/* One clear line per missing kernel feature instead of a verifier dump. */
static int probe_features(void)
{
	int r = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL);

	if (r == -EPERM) {
		pr_err("the kernel refused BPF: run as root (CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON)\n");
		return r;
	}
	if (r != 1) {
		pr_err("this kernel has no BPF ring buffer (needs Linux 5.8 or later with CONFIG_BPF_SYSCALL)\n");
		return -EOPNOTSUPP;
	}
	if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_XDP, BPF_FUNC_xdp_load_bytes, NULL) != 1) {
		pr_err("this kernel lacks bpf_xdp_load_bytes (needs Linux 5.18 or later)\n");
		return -EOPNOTSUPP;
	}
	return 0;
}

struct iotsense_bpf *loader_open(const struct loader_opts *o)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = o->pin_dir);
	struct iotsense_bpf *skel;
	struct bpf_map *map;

	if (probe_features())
		return NULL;
	skel = iotsense_bpf__open_opts(&oo);
	if (!skel) {
		pr_err("opening the BPF object failed: %s\n", strerror(errno));
		return NULL;
	}
	skel->rodata->iot_cfg.snippets_per_dir = o->snippets_per_dir;
	skel->rodata->iot_cfg.snap_payload = o->snap_payload;
	skel->rodata->iot_cfg.replay = o->replay;
	skel->rodata->iot_cfg.snippets_long = o->snippets_long;
	if (o->flows_max)
		bpf_map__set_max_entries(skel->maps.iot_flows, o->flows_max);
	if (o->ring_bytes)
		bpf_map__set_max_entries(skel->maps.iot_events, o->ring_bytes);
	if (!o->pin_dir) {
		/* Private maps: replay and tests must not touch a running sensor's pinned state. */
		bpf_object__for_each_map(map, skel->obj)
			bpf_map__set_pin_path(map, NULL);
	}
	return skel;
}

int loader_load(struct iotsense_bpf *skel, const struct loader_opts *o)
{
	int err = iotsense_bpf__load(skel);

	if (err) {
		if (err == -EPERM)
			pr_err("loading the BPF programs was refused: run as root (CAP_BPF, CAP_NET_ADMIN, "
			       "CAP_PERFMON)\n");
		else if (err == -EINVAL && o->pin_dir)
			pr_err("loading failed: the maps pinned under %s may be from another iotsense version; "
			       "run 'iotsense unload --all' and try again (-v shows details)\n", o->pin_dir);
		else
			pr_err("loading the BPF programs failed: %s (-v shows the verifier log)\n", strerror(-err));
		return err;
	}
	return ports_fill(bpf_map__fd(skel->maps.iot_ports));
}

struct iotsense_bpf *loader_open_and_load(const struct loader_opts *o)
{
	struct iotsense_bpf *skel = loader_open(o);

	if (!skel)
		return NULL;
	if (loader_load(skel, o)) {
		iotsense_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

int loader_prepare_pin_dir(const char *dir)
{
	struct statfs sfs;

	if (statfs("/sys/fs/bpf", &sfs) || sfs.f_type != BPF_FS_MAGIC) {
		/* `ip netns exec` gives each command a fresh /sys without bpffs: mount it, as bpftool does. */
		if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700")) {
			pr_err("/sys/fs/bpf is not a bpf filesystem and mounting one failed: %s\n", strerror(errno));
			return -errno;
		}
	}
	if (mkdir(dir, 0700) && errno != EEXIST) {
		pr_err("cannot create the pin directory %s: %s\n", dir, strerror(errno));
		return -errno;
	}
	return 0;
}

int loader_open_pinned(const char *pin_dir, const char *name)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		fd = -errno;
		pr_debug("opening %s failed: %s\n", path, strerror(-fd));
	}
	return fd;
}

int counters_read(int map_fd, enum iot_hook hook, struct iot_counters *out)
{
	int ncpu = libbpf_num_possible_cpus();
	struct iot_counters *per;
	__u32 key = hook;
	int err;

	memset(out, 0, sizeof(*out));
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	per = calloc(ncpu, sizeof(*per));
	if (!per)
		return -ENOMEM;
	err = bpf_map_lookup_elem(map_fd, &key, per);
	if (err) {
		err = -errno;
		free(per);
		return err;
	}
	for (int c = 0; c < ncpu; c++)
		for (int i = 0; i < IOT_CNT_MAX; i++)
			out->c[i] += per[c].c[i];
	free(per);
	return 0;
}
