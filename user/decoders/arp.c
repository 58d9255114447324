// SPDX-License-Identifier: GPL-2.0-only
/*
 * ARP (RFC 826) over Ethernet for IPv4, with the RFC 5227 probe/announcement conventions. Reads the fixed
 * 28-byte Ethernet/IPv4 ARP body after the EtherType (trailing frame padding is ignored).
 *
 * Keys, all about the sender hardware address (OBS_MAC = SHA), which is the device that spoke even when the
 * frame was forwarded by a bridge:
 *   ip_for_mac    the sender protocol address, when it is a usable unicast IPv4 address
 *   arp_op        "request", "reply", "gratuitous" (sender IP == target IP: an announcement) or "probe"
 *                 (sender IP 0.0.0.0: a host checking that an address is free before taking it)
 *   arp_probe_ip  the address a probing host wants (target IP of a probe)
 *   app_protocol  "ARP"
 */
#include <string.h>

#include "decoder.h"
#include "l2_util.h"

#define ARP_LEN 28 /* htype, ptype, hlen, plen, op, sha, spa, tha, tpa for Ethernet/IPv4 */
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY 2

static bool arp_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	return ctx->eth_proto == 0x0806 && n >= 8;
}

/* 0.0.0.0/8, loopback, multicast and broadcast never belong to the sender's interface. */
static bool arp_ip_usable(const uint8_t ip[4])
{
	return ip[0] != 0 && ip[0] != 127 && ip[0] < 224;
}

static int arp_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	const uint8_t *sha, *spa, *tpa;
	const char *op_name;
	char ip[L2_ADDR_STR];
	uint16_t op;
	bool probe;
	int start = out->n;

	if (n < 8)
		return -1;
	/* Other hardware or protocol types (IEEE 1394, ARCnet, ...) are valid ARP with nothing for us. */
	if (dec_be16(p) != 1 || dec_be16(p + 2) != 0x0800)
		return 0;
	if (p[4] != 6 || p[5] != 4 || n < ARP_LEN)
		return -1;
	op = dec_be16(p + 6);
	if (op != ARP_OP_REQUEST && op != ARP_OP_REPLY)
		return 0; /* RARP / InARP opcodes carry no binding for the sender */
	sha = p + 8;
	spa = p + 14;
	tpa = p + 24;
	if (!l2_mac_is_unicast(sha))
		return -1; /* a group address cannot have sent this */

	probe = op == ARP_OP_REQUEST && memcmp(spa, "\0\0\0\0", 4) == 0;
	if (probe)
		op_name = "probe";
	else if (memcmp(spa, tpa, 4) == 0)
		op_name = "gratuitous";
	else
		op_name = op == ARP_OP_REQUEST ? "request" : "reply";

	dec_emit_for_mac(out, sha, "app_protocol", "ARP");
	dec_emit_for_mac(out, sha, "arp_op", op_name);
	if (probe) {
		if (arp_ip_usable(tpa)) {
			l2_format_v4(tpa, ip, sizeof(ip));
			dec_emit_for_mac(out, sha, "arp_probe_ip", ip);
		}
	} else if (arp_ip_usable(spa)) {
		l2_format_v4(spa, ip, sizeof(ip));
		dec_emit_for_mac(out, sha, "ip_for_mac", ip);
	}
	return out->n - start;
}

const struct decoder dec_arp = {
	.name = "arp",
	.match = arp_match,
	.decode = arp_decode,
};
