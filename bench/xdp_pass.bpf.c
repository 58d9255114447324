// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The baselines bench/micro subtracts: the cheapest XDP and TC programs there are. Whatever BPF_PROG_TEST_RUN
 * itself costs per repetition (the loop, the timer, bh disabling, the indirect call) is in these as much as in
 * the program under test, so "ns above baseline" is the program's own cost.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("tc")
int tc_ok(struct __sk_buff *skb)
{
	return 0; /* TC_ACT_OK */
}
