// SPDX-License-Identifier: GPL-2.0-only
/*
 * TiVo Connect discovery beacon (UDP/TCP 2190): sent by TiVo DVRs and by media servers that want TiVos to
 * find them (minidlna, pyTivo, ...). Over UDP it is broadcast; over TCP it is preceded by a 4-byte big-endian
 * length.
 *
 * Reads the text record "tivoconnect=1\nswversion=...\nmethod=broadcast\nidentity=...\nmachine=...\n
 * platform=...\nservices=...\n": the first line is the signature, the others are found line by line.
 *
 * Emits on the sender (OBS_SRC): app_protocol "TiVoConnect", tivo_machine (the device's name), tivo_platform,
 * tivo_services, tivo_identity, tivo_swversion.
 */
#include <netinet/in.h>
#include <string.h>

#include "decoder.h"
#include "lt_util.h"

#define TIVO_PORT 2190
#define TIVO_MAGIC "tivoconnect=1"
#define TIVO_MAX 65535

/*
 * Where the beacon text starts: at 0, or after the TCP length prefix when that prefix is plausible (a beacon
 * is a few hundred bytes; the prefix may exceed this segment when the record continues in the next one).
 */
static long tivo_text(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	size_t m = sizeof(TIVO_MAGIC) - 1;

	if (n >= m && lt_ieq(p, TIVO_MAGIC, m))
		return 0;
	if (ctx->l4_proto == IPPROTO_TCP && n >= 4 + m && dec_be32(p) >= m && dec_be32(p) <= TIVO_MAX &&
	    lt_ieq(p + 4, TIVO_MAGIC, m))
		return 4;
	return -1;
}

static bool tivo_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	if (ctx->l4_proto != IPPROTO_UDP && ctx->l4_proto != IPPROTO_TCP)
		return false;
	return dec_port_is(ctx, TIVO_PORT) && tivo_text(ctx, p, n) >= 0;
}

static int tivo_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	static const struct {
		const char *field, *key;
	} fields[] = {
		{ "machine=", "tivo_machine" },	  { "platform=", "tivo_platform" },
		{ "services=", "tivo_services" }, { "identity=", "tivo_identity" },
		{ "swversion=", "tivo_swversion" },
	};
	long start = tivo_text(ctx, p, n);
	int before = out->n;

	if (start < 0)
		return 0;
	if (start == 4 && dec_be32(p) < n - 4)
		n = 4 + dec_be32(p); /* the record ends where the prefix says, or with this segment */
	p += start;
	n -= (size_t)start;
	dec_emit(out, OBS_SRC, "app_protocol", "TiVoConnect", 11, 90);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const uint8_t *v;
		size_t vlen;

		v = lt_field(p, n, fields[i].field, "\n", "\r\n", &vlen);
		if (v)
			dec_emit(out, OBS_SRC, fields[i].key, (const char *)v, vlen, 90);
	}
	return out->n - before;
}

const struct decoder dec_tivo = {
	.name = "tivo",
	.match = tivo_match,
	.decode = tivo_decode,
};
