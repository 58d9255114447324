/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The decoder fuzz input's context: the first 8 bytes choose ports, transport, direction, reason, EtherType,
 * sequence and TCP flags; the rest is the payload. Shared by the libFuzzer harness (fuzz_decoder.c) and the
 * deterministic unit test that replays its seeds (tests/unit/decoders/test_truncation.c).
 */
#ifndef IOTSENSE_FUZZ_CTX_H
#define IOTSENSE_FUZZ_CTX_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decoders/decoder.h"

/*
 * Runs dec's match() and decode() on data (size ≥ 8) into out, the payload in an exact-size heap copy so that
 * ASan sees any read past its end. Returns false only when the copy cannot be made.
 */
static inline bool fuzz_ctx_run(const struct decoder *dec, const uint8_t *data, size_t size, struct dec_out *out)
{
	/* IPv4, IPv6, ARP, LLDP, CDP (its SNAP id), PROFINET, none. */
	static const uint16_t eth_protos[] = { 0x0800, 0x86dd, 0x0806, 0x88cc, 0x2000, 0x8892, 0 };
	struct dec_ctx ctx;
	uint8_t *payload;
	size_t n;

	memset(&ctx, 0, sizeof(ctx));
	ctx.sport = dec_be16(data);
	ctx.dport = dec_be16(data + 2);
	ctx.l4_proto = (data[4] & 1) ? 6 : 17;
	ctx.from_initiator = data[4] & 2;
	ctx.reason = 1 + (data[4] >> 2) % 3;
	ctx.eth_proto = eth_protos[data[5] % (sizeof(eth_protos) / sizeof(eth_protos[0]))];
	ctx.seq = data[6] & 7;
	ctx.tcp_flags = data[7];
	n = size - 8;
	payload = malloc(n ? n : 1);
	if (!payload)
		return false;
	memcpy(payload, data + 8, n);
	/* SYN snippets carry headers only: the TCP fingerprint reads them through l3. */
	if (ctx.reason == DEC_REASON_SYN) {
		ctx.l3 = payload;
		ctx.l3_len = (uint32_t)n;
	}
	memset(out, 0, sizeof(*out));
	dec->match(&ctx, payload, n);
	dec->decode(&ctx, payload, n, out);
	free(payload);
	return true;
}

#endif
