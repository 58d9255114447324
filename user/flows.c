// SPDX-License-Identifier: GPL-2.0-only
/* The user-space half of the flow table: idle sweeps and end-of-capture flushes, in batches of keys. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "flows.h"
#include "iotsense_abi.h"

#define ENDED_GRACE_NS (10ull * 1000000000ull)

int flows_count(int flows_fd)
{
	struct iot_flow_key cur, next;
	void *prev = NULL;
	int n = 0;

	/* Bounded: the table cannot hold more than its max_entries, far below this cap. */
	while (n < (1 << 24) && !bpf_map_get_next_key(flows_fd, prev, &next)) {
		cur = next;
		prev = &cur;
		n++;
	}
	return n;
}

int flows_sweep(int flows_fd, struct pipeline *p, uint64_t now_ns, uint64_t idle_ns, uint8_t reason)
{
	struct iot_flow_key *keys = NULL, k;
	size_t n = 0, cap = 0;
	int swept = 0;

	struct bpf_map_info info;
	__u32 info_len = sizeof(info);
	size_t limit;

	/* Collect first: deleting while walking would restart the walk. An entry the kernel evicts under us
	 * restarts it too (get_next_key of a key that is gone starts over): the walk stops at the table's size. */
	memset(&info, 0, sizeof(info));
	limit = bpf_obj_get_info_by_fd(flows_fd, &info, &info_len) || !info.max_entries ? (1u << 24) : info.max_entries;
	if (!bpf_map_get_next_key(flows_fd, NULL, &k)) {
		do {
			if (n == cap) {
				struct iot_flow_key *nk = realloc(keys, (cap ? cap * 2 : 1024) * sizeof(*keys));

				if (!nk)
					break;
				keys = nk;
				cap = cap ? cap * 2 : 1024;
			}
			keys[n++] = k;
		} while (n < limit && !bpf_map_get_next_key(flows_fd, &keys[n - 1], &k));
	}
	p->st.flows_in_table = n;
	for (size_t i = 0; i < n; i++) {
		struct iot_ev_flow ev;
		uint64_t idle;

		memset(&ev, 0, sizeof(ev));
		if (bpf_map_lookup_elem(flows_fd, &keys[i], &ev.flow))
			continue;
		idle = now_ns > ev.flow.last_ns ? now_ns - ev.flow.last_ns : 0;
		if (idle_ns != UINT64_MAX && idle < idle_ns &&
		    !((ev.flow.flags & IOT_FLOW_F_ENDED) && idle >= ENDED_GRACE_NS))
			continue;
		bpf_map_delete_elem(flows_fd, &keys[i]);
		/* An ended flow already sent its end record from the kernel. */
		if (ev.flow.flags & IOT_FLOW_F_ENDED)
			continue;
		ev.hdr.type = IOT_EV_FLOW_END;
		ev.hdr.version = IOT_ABI_VERSION;
		ev.hdr.size = sizeof(ev);
		ev.hdr.ifindex = ev.flow.ifindex;
		ev.hdr.ts_ns = idle_ns == UINT64_MAX ? ev.flow.last_ns : now_ns;
		ev.key = keys[i];
		ev.reason = reason;
		pipeline_event(p, &ev, sizeof(ev));
		swept++;
	}
	free(keys);
	return swept;
}
