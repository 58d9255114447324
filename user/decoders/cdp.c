// SPDX-License-Identifier: GPL-2.0-only
/*
 * Cisco Discovery Protocol, versions 1 and 2: the 4-byte header (version, TTL, checksum) after LLC/SNAP, then
 * TLVs of type(2), length(2, header included), value. Every fact is about the sender (OBS_SRC): CDP is not
 * forwarded by Cisco bridges.
 *
 * Keys:
 *   cdp_device_id, cdp_port_id, cdp_platform, cdp_vtp_domain
 *   cdp_software_version   its first line ("Cisco IOS Software, ... RELEASE SOFTWARE (fc1)")
 *   cdp_capabilities       the names tcpdump prints, comma-separated: "L2 Switch, IGMP snooping"
 *   cdp_mgmt_address       each IPv4/IPv6 address of the Management Address TLV, or of the Addresses TLV
 *                          when there is no Management Address TLV
 *   cdp_native_vlan        decimal
 *   cdp_duplex             "full" or "half"
 *   app_protocol           "CDP"
 * decode() does not look at ctx->eth_proto: match() already did, and the fuzz harness cannot set 0x2000.
 */
#include <string.h>

#include "decoder.h"
#include "l2_util.h"

#define CDP_HDR 4

enum {
	CDP_DEVICE_ID = 0x0001, CDP_ADDRESSES = 0x0002, CDP_PORT_ID = 0x0003, CDP_CAPABILITIES = 0x0004,
	CDP_SOFTWARE = 0x0005, CDP_PLATFORM = 0x0006, CDP_VTP_DOMAIN = 0x0009, CDP_NATIVE_VLAN = 0x000a,
	CDP_DUPLEX = 0x000b, CDP_MGMT_ADDRESSES = 0x0016,
};

/* Capability bits, bit 0 first. */
static const char *const cdp_cap_names[] = {
	"Router", "Transparent Bridge", "Source Route Bridge", "L2 Switch", "L3 capable", "IGMP snooping",
	"L1 capable",
};

static void cdp_text(struct dec_out *out, const char *key, const uint8_t *v, size_t len)
{
	dec_emit(out, OBS_SRC, key, (const char *)v, len, 90);
}

static void cdp_caps(struct dec_out *out, uint32_t bits)
{
	struct l2_buf b = { 0 };

	for (size_t i = 0; i < L2_ARRAY_SIZE(cdp_cap_names); i++) {
		if (!(bits & (1u << i)))
			continue;
		if (b.len)
			l2_buf_adds(&b, ", ");
		l2_buf_adds(&b, cdp_cap_names[i]);
	}
	dec_emit_str(out, OBS_SRC, "cdp_capabilities", b.s);
}

/*
 * An address list: count(4), then per address protocol type(1), protocol length(1), protocol, address
 * length(2), address. IPv4 is NLPID 0xcc; IPv6 is an 802.2 SNAP header ending in EtherType 0x86dd.
 * Returns the number of addresses emitted, or -1 when an entry runs past the TLV.
 */
static int cdp_addresses(struct dec_out *out, const uint8_t *v, size_t len)
{
	static const uint8_t snap_v6[8] = { 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x86, 0xdd };
	char buf[L2_ADDR_STR];
	uint32_t count;
	size_t i = 4;
	int emitted = 0;

	if (len < 4)
		return -1;
	count = dec_be32(v);
	/* Every entry needs at least 4 bytes, so a lying count ends the loop as soon as the bytes do. */
	for (uint32_t k = 0; k < count; k++) {
		size_t plen, alen;
		const uint8_t *proto, *addr;

		if (len - i < 2)
			return -1;
		plen = v[i + 1];
		if (plen > len - i - 2 || len - i - 2 - plen < 2)
			return -1;
		proto = v + i + 2;
		alen = dec_be16(proto + plen);
		if (alen > len - i - 4 - plen)
			return -1;
		addr = proto + plen + 2;
		if (v[i] == 1 && plen == 1 && proto[0] == 0xcc && alen == 4) {
			l2_format_v4(addr, buf, sizeof(buf));
			emitted += dec_emit_str(out, OBS_SRC, "cdp_mgmt_address", buf) != NULL;
		} else if (v[i] == 2 && plen == 8 && memcmp(proto, snap_v6, 8) == 0 && alen == 16) {
			l2_format_v6(addr, buf, sizeof(buf));
			emitted += dec_emit_str(out, OBS_SRC, "cdp_mgmt_address", buf) != NULL;
		}
		i += 4 + plen + alen;
	}
	return emitted;
}

static bool cdp_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	return ctx->eth_proto == 0x2000 && n >= CDP_HDR && (p[0] == 1 || p[0] == 2);
}

static int cdp_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	const uint8_t *addrs = NULL, *mgmt = NULL;
	size_t addrs_len = 0, mgmt_len = 0, i = CDP_HDR;
	int start = out->n, emitted;
	bool malformed = false;

	if (n < CDP_HDR || (p[0] != 1 && p[0] != 2))
		return -1;
	dec_emit_str(out, OBS_SRC, "app_protocol", "CDP");
	while (n - i >= 4) {
		uint16_t type = dec_be16(p + i), tlen = dec_be16(p + i + 2);
		const uint8_t *v = p + i + 4;
		size_t len;

		if (tlen < 4 || tlen > n - i) {
			malformed = true;
			break;
		}
		len = tlen - 4u;
		i += tlen;
		switch (type) {
		case CDP_DEVICE_ID:
			cdp_text(out, "cdp_device_id", v, len);
			break;
		case CDP_ADDRESSES:
			addrs = v;
			addrs_len = len;
			break;
		case CDP_PORT_ID:
			cdp_text(out, "cdp_port_id", v, len);
			break;
		case CDP_CAPABILITIES:
			if (len == 4)
				cdp_caps(out, dec_be32(v));
			else
				malformed = true;
			break;
		case CDP_SOFTWARE:
			cdp_text(out, "cdp_software_version", v, l2_line_len(v, len));
			break;
		case CDP_PLATFORM:
			cdp_text(out, "cdp_platform", v, len);
			break;
		case CDP_VTP_DOMAIN:
			cdp_text(out, "cdp_vtp_domain", v, len);
			break;
		case CDP_NATIVE_VLAN:
			if (len == 2)
				dec_emitf(out, OBS_SRC, "cdp_native_vlan", "%u", dec_be16(v));
			else
				malformed = true;
			break;
		case CDP_DUPLEX:
			if (len == 1)
				dec_emit_str(out, OBS_SRC, "cdp_duplex", v[0] ? "full" : "half");
			else
				malformed = true;
			break;
		case CDP_MGMT_ADDRESSES:
			mgmt = v;
			mgmt_len = len;
			break;
		}
	}
	/*
	 * The Management Address TLV is the address to reach the device on; Addresses (the interface's) is
	 * the fallback when it is absent or holds nothing we can format. 1-3 trailing bytes are tolerated as
	 * padding.
	 */
	emitted = mgmt ? cdp_addresses(out, mgmt, mgmt_len) : 0;
	if (emitted == 0 && addrs)
		emitted = cdp_addresses(out, addrs, addrs_len);
	if (emitted < 0)
		malformed = true;
	return malformed ? -1 : out->n - start;
}

const struct decoder dec_cdp = {
	.name = "cdp",
	.match = cdp_match,
	.decode = cdp_decode,
};
