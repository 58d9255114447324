// SPDX-License-Identifier: GPL-2.0-only
/*
 * Ubiquiti discovery (UDP 10001): the announcement UniFi/airMAX/EdgeMAX devices broadcast, and their answer to
 * a discovery probe.
 *
 * Reads the 4-byte header (version 1 with command 0, or version 2 with any command; a big-endian length of
 * the TLVs that follow) and the TLVs (type, 2-byte length, value): 0x01 MAC, 0x02 MAC+IPv4, 0x03 firmware,
 * 0x0b hostname, 0x0c platform, 0x0d ESSID, 0x10 system id, 0x14/0x15 model, 0x16 version. A probe (no TLVs)
 * says nothing about a device and is ignored.
 *
 * Emits on the sender (OBS_SRC): app_protocol "UBNTAC2", ubnt_firmware, ubnt_model_version (the firmware
 * string up to its third dot, "UniFiSecurityGateway.ER-e120.v4": product, board and major version, without
 * the build numbers that change with every update), ubnt_hostname, ubnt_platform, ubnt_essid, ubnt_model,
 * ubnt_version, ubnt_system_id, ubnt_mac; and ip_for_mac (OBS_MAC) for each MAC+IPv4 pair.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "decoder.h"

#define UBNT_PORT 10001
#define UBNT_HDR 4
#define UBNT_MAX_TLVS 128

static bool ubnt_header_ok(const uint8_t *p, size_t n)
{
	return n >= UBNT_HDR && ((p[0] == 1 && p[1] == 0) || p[0] == 2);
}

static bool ubnt_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	return ctx->l4_proto == IPPROTO_UDP && dec_port_is(ctx, UBNT_PORT) && ubnt_header_ok(p, n);
}

static const char *ubnt_text_key(uint8_t type)
{
	switch (type) {
	case 0x03: return "ubnt_firmware";
	case 0x0b: return "ubnt_hostname";
	case 0x0c: return "ubnt_platform";
	case 0x0d: return "ubnt_essid";
	case 0x14: return "ubnt_model";
	case 0x15: return "ubnt_model";
	case 0x16: return "ubnt_version";
	}
	return NULL;
}

static void ubnt_emit_model_version(struct dec_out *out, const uint8_t *fw, size_t len)
{
	size_t i, dots = 0;

	for (i = 0; i < len; i++)
		if (fw[i] == '.' && ++dots == 3)
			break;
	/* Fewer than three dots: not the product.board.version layout, so no model to cut out. */
	if (dots == 3)
		dec_emit(out, OBS_SRC, "ubnt_model_version", (const char *)fw, i, 80);
}

static void ubnt_tlv(struct dec_out *out, uint8_t type, const uint8_t *v, size_t len, bool *model_seen)
{
	const char *key = ubnt_text_key(type);
	char buf[64], mac[18];

	if (key) {
		/* 0x14 (long model name) and 0x15 (short) may both be present: the first one wins. */
		if (type == 0x14 || type == 0x15) {
			if (*model_seen)
				return;
			*model_seen = dec_emit(out, OBS_SRC, key, (const char *)v, len, 90) != NULL;
			return;
		}
		dec_emit(out, OBS_SRC, key, (const char *)v, len, 90);
		if (type == 0x03)
			ubnt_emit_model_version(out, v, len);
	} else if (type == 0x01 && len == 6) {
		dec_format_mac(v, mac);
		dec_emit_str(out, OBS_SRC, "ubnt_mac", mac);
	} else if (type == 0x02 && len == 10) {
		struct iot_addr a;

		dec_addr_from_v4(&a, v + 6);
		dec_format_addr(&a, buf, sizeof(buf));
		dec_emit_for_mac(out, v, "ip_for_mac", buf);
	} else if (type == 0x10 && len == 2) {
		dec_emitf(out, OBS_SRC, "ubnt_system_id", "0x%04x", dec_be16(v));
	}
}

static int ubnt_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	int before = out->n;
	size_t len, off = UBNT_HDR, end;
	bool model_seen = false;

	if (!ubnt_header_ok(p, n))
		return 0;
	len = dec_be16(p + 2);
	if (len > n - UBNT_HDR) {
		if (!ctx->truncated)
			return -1;
		len = n - UBNT_HDR;
	}
	if (!len)
		return 0; /* a probe */
	end = UBNT_HDR + len;
	/*
	 * Validate every TLV before emitting, so that a lying TLV yields nothing rather than half a device.
	 * A TLV cut by the snapshot length, or past the first UBNT_MAX_TLVS, just ends the walk.
	 */
	for (int t = 0; off < end; t++) {
		if (t == UBNT_MAX_TLVS) {
			end = off;
			break;
		}
		if (end - off < 3 || dec_be16(p + off + 1) > end - off - 3) {
			if (!ctx->truncated)
				return -1;
			end = off;
			break;
		}
		off += 3 + (size_t)dec_be16(p + off + 1);
	}
	dec_emit(out, OBS_SRC, "app_protocol", "UBNTAC2", 7, 90);
	for (off = UBNT_HDR; off < end;) {
		size_t tl = dec_be16(p + off + 1);

		ubnt_tlv(out, p[off], p + off + 3, tl, &model_seen);
		off += 3 + tl;
	}
	return out->n - before;
}

const struct decoder dec_ubnt = {
	.name = "ubnt",
	.match = ubnt_match,
	.decode = ubnt_decode,
};
