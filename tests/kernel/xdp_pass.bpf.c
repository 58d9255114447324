// SPDX-License-Identifier: GPL-2.0-only
/* "Another XDP program" for the kernel matrix's coexistence test: passes everything. Loaded with xdp-loader. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int km_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
