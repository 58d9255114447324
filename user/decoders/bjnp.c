// SPDX-License-Identifier: GPL-2.0-only
/*
 * Canon BJNP (UDP/TCP 8611-8614): the discovery and job protocol of Canon printers and scanners.
 *
 * Reads the 16-byte header: magic "BJNP" (printer), "MFNP" (multifunction/scanner) or the byte-swapped variants
 * "BNJB"/"BJNB", device type (0x01 printer command, 0x02 scanner command, 0x81/0x82 their responses), command
 * code, sequence, session id and a big-endian payload length. In responses it also reads the payload of
 * Discover (the device's MAC and IP) and Get-ID (an IEEE 1284 device id, "MFG:Canon;MDL:MG5200 series;...").
 *
 * Emits, on the printer (the receiver of a command, the sender of a response):
 *   app_protocol "BJNP", bjnp_command ("scanner discover")
 * and on the responder only: bjnp_device_id, bjnp_manufacturer, bjnp_model, ip_for_mac (subject OBS_MAC).
 * The client that sends the commands is not marked: a discovery sweep probes every address of a subnet.
 */
#include <netinet/in.h>
#include <string.h>

#include "decoder.h"
#include "lt_util.h"

#define BJNP_HDR 16

static const char *const bjnp_magics[] = { "BJNP", "MFNP", "BNJB", "BJNB" };

static bool bjnp_port(uint16_t port)
{
	return port >= 8611 && port <= 8614;
}

static bool bjnp_header_ok(const uint8_t *p, size_t n)
{
	bool magic = false;

	if (n < BJNP_HDR)
		return false;
	for (size_t i = 0; i < sizeof(bjnp_magics) / sizeof(bjnp_magics[0]); i++)
		if (memcmp(p, bjnp_magics[i], 4) == 0)
			magic = true;
	/* The device type byte is the second half of the signature: only four values exist. */
	return magic && (p[4] == 0x01 || p[4] == 0x02 || p[4] == 0x81 || p[4] == 0x82);
}

static bool bjnp_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	if (ctx->l4_proto != IPPROTO_UDP && ctx->l4_proto != IPPROTO_TCP)
		return false;
	return (bjnp_port(ctx->sport) || bjnp_port(ctx->dport)) && bjnp_header_ok(p, n);
}

static const char *bjnp_cmd_name(uint8_t code)
{
	switch (code) {
	case 0x01: return "discover";
	case 0x02: return "start_scan";
	case 0x10: return "job_details";
	case 0x11: return "close";
	case 0x20: return "read";
	case 0x21: return "write";
	case 0x30: return "get_id";
	case 0x32: return "poll";
	}
	return NULL;
}

/* IEEE 1284 device id: "KEY:value;" pairs, with long and short spellings of the same key. */
static void bjnp_emit_1284(struct dec_out *out, const uint8_t *id, size_t len)
{
	/* The short and the long spelling of a key are alternatives, not two facts. */
	static const struct {
		const char *key, *long_key, *obs;
	} fields[] = {
		{ "MFG:", "MANUFACTURER:", "bjnp_manufacturer" },
		{ "MDL:", "MODEL:", "bjnp_model" },
	};

	dec_emit(out, OBS_SRC, "bjnp_device_id", (const char *)id, len, 90);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const uint8_t *v;
		size_t vlen;

		v = lt_field(id, len, fields[i].key, "; ", ";", &vlen);
		if (!v)
			v = lt_field(id, len, fields[i].long_key, "; ", ";", &vlen);
		if (v)
			dec_emit(out, OBS_SRC, fields[i].obs, (const char *)v, vlen, 90);
	}
}

/* Discover response: 00 01, an EtherType naming the address family, the lengths 6 and 4/16, MAC, address. */
static void bjnp_emit_discover(struct dec_out *out, const uint8_t *q, size_t len)
{
	struct iot_addr a;
	char ip[64];
	uint16_t fam;

	if (len < 6 || q[0] != 0 || q[1] != 1 || q[4] != 6)
		return;
	fam = dec_be16(q + 2);
	if (fam == 0x0800 && q[5] == 4 && len >= 6 + 6 + 4)
		dec_addr_from_v4(&a, q + 12);
	else if (fam == 0x86dd && q[5] == 16 && len >= 6 + 6 + 16)
		dec_addr_from_v6(&a, q + 12);
	else
		return;
	dec_format_addr(&a, ip, sizeof(ip));
	dec_emit_for_mac(out, q + 6, "ip_for_mac", ip);
}

static int bjnp_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	int before = out->n;
	bool response;
	enum obs_subject printer;
	const char *name, *service;
	const uint8_t *q;
	uint32_t plen;

	if (!bjnp_header_ok(p, n))
		return 0;
	plen = dec_be32(p + 12);
	/*
	 * A payload longer than the packet is a lie over UDP, unless the snapshot length cut the packet. Over
	 * TCP a print job's payload simply continues in the next segments.
	 */
	if (plen > n - BJNP_HDR && !ctx->truncated && ctx->l4_proto != IPPROTO_TCP)
		return -1;
	if (plen > n - BJNP_HDR)
		plen = (uint32_t)(n - BJNP_HDR);
	q = p + BJNP_HDR;

	response = p[4] & 0x80;
	printer = response ? OBS_SRC : OBS_DST;
	dec_emit(out, printer, "app_protocol", "BJNP", 4, 90);
	service = (p[4] & 0x7f) == 1 ? "printer" : "scanner";
	name = bjnp_cmd_name(p[5]);
	if (name)
		dec_emitf(out, printer, "bjnp_command", "%s %s", service, name);
	else
		dec_emitf(out, printer, "bjnp_command", "%s 0x%02x", service, p[5]);

	if (!response)
		return out->n - before;
	if (p[5] == 0x01) {
		bjnp_emit_discover(out, q, plen);
	} else if (p[5] == 0x30 && plen >= 2) {
		/* Get-ID: a big-endian length that counts itself, then the id string. */
		size_t idlen = dec_be16(q);

		if (idlen < 2 || idlen > plen)
			return -1;
		bjnp_emit_1284(out, q + 2, lt_strnlen(q + 2, idlen - 2));
	}
	return out->n - before;
}

const struct decoder dec_bjnp = {
	.name = "bjnp",
	.match = bjnp_match,
	.decode = bjnp_decode,
};
