// SPDX-License-Identifier: GPL-2.0-only
/*
 * One libFuzzer harness for every decoder: built once per decoder with -DFUZZ_DECODER="name". The first 8
 * input bytes choose the packet context (ports, transport, direction, reason, EtherType); the rest is the
 * payload (and, for SYN snippets, the IP header the TCP fingerprint reads). The
 * decoder runs whether or not its match() accepts, so the parser is reached with any bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decoders/decoder.h"

/* IPv4, IPv6, ARP, LLDP, CDP (its SNAP id), PROFINET, none. */
static const uint16_t eth_protos[] = { 0x0800, 0x86dd, 0x0806, 0x88cc, 0x2000, 0x8892, 0 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct decoder *dec;
	static struct dec_out out;
	struct dec_ctx ctx;
	uint8_t *payload;
	size_t n;

	if (!dec) {
		dec = dec_find(FUZZ_DECODER);
		if (!dec)
			abort();
	}
	if (size < 8)
		return 0;
	memset(&ctx, 0, sizeof(ctx));
	ctx.sport = dec_be16(data);
	ctx.dport = dec_be16(data + 2);
	ctx.l4_proto = (data[4] & 1) ? 6 : 17;
	ctx.from_initiator = data[4] & 2;
	ctx.reason = 1 + (data[4] >> 2) % 3;
	ctx.eth_proto = eth_protos[data[5] % (sizeof(eth_protos) / sizeof(eth_protos[0]))];
	ctx.seq = data[6] & 7;
	ctx.tcp_flags = data[7];
	/* A private copy, exactly n bytes long, so ASan sees any read past the end. */
	n = size - 8;
	payload = malloc(n ? n : 1);
	if (!payload)
		return 0;
	memcpy(payload, data + 8, n);
	/* SYN snippets carry headers only: the TCP fingerprint reads them through l3. */
	if (ctx.reason == DEC_REASON_SYN) {
		ctx.l3 = payload;
		ctx.l3_len = (uint32_t)n;
	}
	memset(&out, 0, sizeof(out));
	dec->match(&ctx, payload, n);
	dec->decode(&ctx, payload, n, &out);
	free(payload);
	return 0;
}
