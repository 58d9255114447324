// SPDX-License-Identifier: GPL-2.0-only
/*
 * One libFuzzer harness for every decoder: built once per decoder with -DFUZZ_DECODER="name". The first 8
 * input bytes choose the packet context (ports, transport, direction, reason, EtherType); the rest is the
 * payload (and, for SYN snippets, the IP header the TCP fingerprint reads). The
 * decoder runs whether or not its match() accepts, so the parser is reached with any bytes.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_ctx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct decoder *dec;
	static struct dec_out out;

	if (!dec) {
		dec = dec_find(FUZZ_DECODER);
		if (!dec)
			abort();
	}
	if (size >= 8)
		fuzz_ctx_run(dec, data, size, &out);
	return 0;
}
