// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tuya local protocol discovery (UDP 6666, 6667, 7000): the broadcast every Tuya-based smart plug, bulb or
 * sensor sends on the LAN to announce itself to the app.
 *
 * Reads the envelope: prefix 000055aa, sequence, command, a length counting the bytes after it (return code,
 * payload, CRC, suffix) and the suffix 0000aa55 where the length says it is. On port 6666 (protocol 3.1) the
 * payload is clear JSON such as {"ip":"...","gwId":"...","productKey":"...","version":"3.1",...}: the three
 * identity fields are taken by a bounded search. Port 6667 payloads are encrypted; only the envelope is read.
 *
 * Emits on the sender (OBS_SRC): app_protocol "TuyaLP", tuya_cmd ("UDP_NEW"), and from clear JSON:
 * tuya_gw_id, tuya_product_key, tuya_version.
 */
#include <netinet/in.h>
#include <string.h>

#include "decoder.h"
#include "lt_util.h"

#define TUYA_HDR 16
#define TUYA_TRAILER 8 /* CRC32, suffix */

static bool tuya_port(uint16_t port)
{
	return port == 6666 || port == 6667 || port == 7000;
}

static bool tuya_envelope_ok(const uint8_t *p, size_t n)
{
	return n >= TUYA_HDR + TUYA_TRAILER && dec_be32(p) == 0x000055aa;
}

static bool tuya_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	return ctx->l4_proto == IPPROTO_UDP && (tuya_port(ctx->sport) || tuya_port(ctx->dport)) &&
	       tuya_envelope_ok(p, n);
}

static const char *tuya_cmd_name(uint32_t cmd)
{
	static const char *const names[] = {
		"UDP", "AP_CONFIG", "ACTIVE", "BIND", "RENAME_GW", "RENAME_DEVICE", "UNBIND", "CONTROL",
		"STATUS", "HEART_BEAT", "DP_QUERY", "QUERY_WIFI", "TOKEN_BIND", "CONTROL_NEW", "ENABLE_WIFI",
		"WIFI_INFO", "DP_QUERY_NEW", "SCENE_EXECUTE", "UPDATEDPS", "UDP_NEW", "AP_CONFIG_NEW",
	};

	if (cmd < sizeof(names) / sizeof(names[0]))
		return names[cmd];
	switch (cmd) {
	case 0x23: return "BROADCAST_LPV34";
	case 0x25: return "REQ_DEVINFO";
	}
	return NULL;
}

/* The string value of "key" in flat JSON: "key" then optional blanks, ':', blanks, and a quoted string. */
static void tuya_json_str(struct dec_out *out, const uint8_t *j, size_t n, const char *key, const char *obs)
{
	size_t klen = strlen(key);
	long at = lt_find(j, n, key, klen);
	size_t i, s;

	if (at < 0)
		return;
	i = (size_t)at + klen;
	while (i < n && (j[i] == ' ' || j[i] == ':'))
		i++;
	if (i >= n || j[i] != '"')
		return;
	s = ++i;
	while (i < n && j[i] != '"')
		i++;
	if (i < n) /* an unterminated string was cut: not a value to trust */
		dec_emit(out, OBS_SRC, obs, (const char *)j + s, i - s, 90);
}

static int tuya_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	int before = out->n;
	uint32_t cmd, len;
	const uint8_t *body;
	size_t blen;
	const char *name;

	if (!tuya_envelope_ok(p, n))
		return 0;
	cmd = dec_be32(p + 8);
	len = dec_be32(p + 12);
	/* The length must reach at least the trailer and end exactly on the suffix. */
	if (len < TUYA_TRAILER || len > n - TUYA_HDR || dec_be32(p + TUYA_HDR + len - 4) != 0x0000aa55)
		return -1;
	dec_emit(out, OBS_SRC, "app_protocol", "TuyaLP", 6, 90);
	name = tuya_cmd_name(cmd);
	if (name)
		dec_emit_str(out, OBS_SRC, "tuya_cmd", name);
	else
		dec_emitf(out, OBS_SRC, "tuya_cmd", "0x%x", cmd);

	/* Body without CRC and suffix: clear JSON starts right away or after a 4-byte return code. */
	body = p + TUYA_HDR;
	blen = len - TUYA_TRAILER;
	if (blen > 4 && body[0] != '{' && body[4] == '{') {
		body += 4;
		blen -= 4;
	}
	if (!blen || body[0] != '{')
		return out->n - before;
	tuya_json_str(out, body, blen, "\"gwId\"", "tuya_gw_id");
	tuya_json_str(out, body, blen, "\"productKey\"", "tuya_product_key");
	tuya_json_str(out, body, blen, "\"version\"", "tuya_version");
	return out->n - before;
}

const struct decoder dec_tuya = {
	.name = "tuya",
	.match = tuya_match,
	.decode = tuya_decode,
};
