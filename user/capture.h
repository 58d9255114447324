/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading captures (pcap and pcapng, through libpcap) as Ethernet frames: packets of other link types (Linux
 * cooked, raw IP, loopback) get a synthetic Ethernet header so the datapath sees what an interface would give.
 * Kept apart from libbpf code: libpcap's and the kernel's headers both define struct bpf_insn.
 */
#ifndef IOTSENSE_CAPTURE_H
#define IOTSENSE_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

struct capture;

enum capture_status {
	CAPTURE_FRAME = 1, /* a frame was produced */
	CAPTURE_SKIP = 2,  /* a packet that cannot be a frame (too short, unknown network protocol) */
	CAPTURE_EOF = 0,
	CAPTURE_ERROR = -1, /* a truncated or corrupt file: capture_error() says why */
};

/* NULL on failure, with the reason in err. */
struct capture *capture_open(const char *file, char *err, size_t errlen);
/* Fills buf (cut at size) with the next frame; caplen/wirelen are the capture's lengths, ts_ns epoch ns. */
int capture_next(struct capture *c, uint8_t *buf, uint32_t size, uint32_t *len, uint32_t *caplen,
		 uint32_t *wirelen, uint64_t *ts_ns);
const char *capture_error(struct capture *c);
void capture_close(struct capture *c);

#endif
