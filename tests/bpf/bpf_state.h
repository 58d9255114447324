/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared by the BPF tests: every counter summed over CPUs (the flood-admission ones sit past IOT_CNT_MAX, where
 * user/loader.c's counters_read stops), and a clean slate between tests (flows, half-open flows, new-flow
 * budgets, counters), so one test's traffic cannot spend another's budget.
 */
#ifndef IOTSENSE_TESTS_BPF_STATE_H
#define IOTSENSE_TESTS_BPF_STATE_H

#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "iotsense_abi.h"
#include "iotsense.skel.h"

static __attribute__((unused)) int bpf_state_counters(struct iotsense_bpf *skel, __u32 hook, struct iot_counters *out)
{
	int ncpu = libbpf_num_possible_cpus();
	struct iot_counters *per;
	int err;

	memset(out, 0, sizeof(*out));
	if (ncpu <= 0)
		return -1;
	per = calloc(ncpu, sizeof(*per));
	if (!per)
		return -1;
	err = bpf_map_lookup_elem(bpf_map__fd(skel->maps.iot_counters), &hook, per);
	for (int c = 0; !err && c < ncpu; c++)
		for (int i = 0; i < IOT_CNT_ALL; i++)
			out->c[i] += per[c].c[i];
	free(per);
	return err;
}

static void bpf_state_empty(int fd, size_t key_size)
{
	char key[64];

	if (key_size > sizeof(key))
		return;
	while (!bpf_map_get_next_key(fd, NULL, key))
		bpf_map_delete_elem(fd, key);
}

/* Empties the flow and half-open tables, refills every new-flow budget (zeroed slots start full), zeroes the
 * counters. */
static __attribute__((unused)) void bpf_state_clear(struct iotsense_bpf *skel)
{
	int ncpu = libbpf_num_possible_cpus();
	size_t sz = sizeof(struct iot_budget) > sizeof(struct iot_counters) ? sizeof(struct iot_budget)
									    : sizeof(struct iot_counters);
	void *zero = calloc(ncpu > 0 ? ncpu : 1, sz);

	bpf_state_empty(bpf_map__fd(skel->maps.iot_flows), sizeof(struct iot_flow_key));
	bpf_state_empty(bpf_map__fd(skel->maps.iot_embryo), sizeof(struct iot_flow_key));
	for (__u32 s = 0; zero && s <= IOT_ADMIT_SLOTS; s++)
		bpf_map_update_elem(bpf_map__fd(skel->maps.iot_admit_slots), &s, zero, BPF_ANY);
	for (__u32 h = 0; zero && h < IOT_HOOK_MAX; h++)
		bpf_map_update_elem(bpf_map__fd(skel->maps.iot_counters), &h, zero, BPF_ANY);
	free(zero);
}

#endif
