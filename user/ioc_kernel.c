// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "iotsense_abi.h"
#include "ioc_kernel.h"
#include "lib/log.h"
#include "loader.h"

int ioc_kernel_sync(const char *pin_dir, const struct iot_addr *ips, size_t n)
{
	int map = loader_open_pinned(pin_dir, "iot_ioc_ips"), count = loader_open_pinned(pin_dir, "iot_ioc_count");
	struct iot_ioc_key key, next;
	__u32 zero = 0, loaded = 0;
	__u8 one = 1;
	int err = 0;

	if (map < 0 || count < 0) {
		err = map < 0 ? map : count;
		goto out;
	}
	/* Gate off first, so the datapath never reads a half-written table as complete. */
	bpf_map_update_elem(count, &zero, &zero, BPF_ANY);
	while (bpf_map_get_next_key(map, NULL, &next) == 0)
		if (bpf_map_delete_elem(map, &next))
			break;
	for (size_t i = 0; i < n && loaded < IOT_IOC_MAX; i++) {
		memcpy(key.addr, ips[i].b, 16);
		if (bpf_map_update_elem(map, &key, &one, BPF_ANY) == 0)
			loaded++;
	}
	if (n > IOT_IOC_MAX)
		pr_warn("%zu IOC addresses: the kernel checks the first %u, user space checks them all\n", n,
			IOT_IOC_MAX);
	if (bpf_map_update_elem(count, &zero, &loaded, BPF_ANY))
		err = -errno;
out:
	if (map >= 0)
		close(map);
	if (count >= 0)
		close(count);
	return err ? err : (int)loaded;
}
