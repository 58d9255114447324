// SPDX-License-Identifier: GPL-2.0-only
/*
 * LLDP (IEEE 802.1AB) frames: the TLVs after the EtherType 0x88cc, each a 7-bit type and 9-bit length, up to
 * the End TLV. Every fact is about the sender (OBS_SRC): an LLDP frame never crosses a bridge.
 *
 * Keys:
 *   lldp_chassis_id, lldp_port_id   a MAC subtype as aa:bb:cc:dd:ee:ff, a network address subtype as the IP,
 *                                   any other subtype as the string
 *   lldp_port_description, lldp_system_name
 *   lldp_system_description         its first line (the rest is a copyright notice)
 *   lldp_capabilities               system capabilities, e.g. "bridge,router"
 *   lldp_capabilities_enabled       the enabled ones, same format
 *   lldp_mgmt_address               each IPv4/IPv6 management address
 *   lldp_port_vlan                  IEEE 802.1 port VLAN id
 *   lldp_med_device_class           LLDP-MED: "endpoint-class-1".."endpoint-class-3", "network-connectivity"
 *   lldp_med_hardware_rev, lldp_med_firmware, lldp_med_software_rev, lldp_med_serial, lldp_med_manufacturer,
 *   lldp_med_model, lldp_med_asset_id  LLDP-MED inventory (ANSI/TIA-1057, OUI 00-12-BB subtypes 5..11)
 *   lldp_mud_url                    RFC 8520 MUD URL (OUI 00-00-5E subtype 1)
 *   app_protocol                    "LLDP"
 */
#include <string.h>

#include "decoder.h"
#include "l2_util.h"

enum {
	TLV_END = 0, TLV_CHASSIS_ID = 1, TLV_PORT_ID = 2, TLV_TTL = 3, TLV_PORT_DESC = 4, TLV_SYS_NAME = 5,
	TLV_SYS_DESC = 6, TLV_SYS_CAP = 7, TLV_MGMT_ADDR = 8, TLV_ORG = 127,
};

/* Capability bits, bit 0 first (802.1AB-2016 table 8-4). */
static const char *const lldp_cap_names[] = {
	"other", "repeater", "bridge", "wlan-ap", "router", "telephone", "docsis", "station", "c-vlan",
	"s-vlan", "tpmr",
};

/* LLDP-MED inventory subtypes 5..11. */
static const char *const lldp_med_keys[] = {
	[5] = "lldp_med_hardware_rev", [6] = "lldp_med_firmware", [7] = "lldp_med_software_rev",
	[8] = "lldp_med_serial", [9] = "lldp_med_manufacturer", [10] = "lldp_med_model",
	[11] = "lldp_med_asset_id",
};

static const char *const lldp_med_classes[] = {
	[1] = "endpoint-class-1", [2] = "endpoint-class-2", [3] = "endpoint-class-3",
	[4] = "network-connectivity",
};

static void lldp_text(struct dec_out *out, const char *key, const uint8_t *v, size_t len)
{
	dec_emit(out, OBS_SRC, key, (const char *)v, len, 90);
}

/* An IANA address family number followed by the address: IPv4 (1) and IPv6 (2) are formatted. */
static bool lldp_format_ip(const uint8_t *v, size_t len, char *buf, size_t size)
{
	if (len == 5 && v[0] == 1) {
		l2_format_v4(v + 1, buf, size);
		return true;
	}
	if (len == 17 && v[0] == 2) {
		l2_format_v6(v + 1, buf, size);
		return true;
	}
	return false;
}

/*
 * Chassis and port id: a subtype byte then the id. Subtype numbers of the MAC and network address forms
 * differ between the two TLVs (chassis 4/5, port 3/4).
 */
static void lldp_id(struct dec_out *out, const char *key, const uint8_t *v, size_t len, uint8_t mac_sub,
		    uint8_t net_sub)
{
	char buf[L2_ADDR_STR];

	if (len < 2)
		return;
	if (v[0] == mac_sub) {
		/* Another size is not a MAC: printing its bytes would make a bogus identity. */
		if (len == 7) {
			dec_format_mac(v + 1, buf);
			dec_emit_str(out, OBS_SRC, key, buf);
		}
	} else if (v[0] == net_sub) {
		if (lldp_format_ip(v + 1, len - 1, buf, sizeof(buf)))
			dec_emit_str(out, OBS_SRC, key, buf);
	} else {
		lldp_text(out, key, v + 1, len - 1);
	}
}

static void lldp_caps(struct dec_out *out, const char *key, uint16_t bits)
{
	struct l2_buf b = { 0 };

	for (size_t i = 0; i < L2_ARRAY_SIZE(lldp_cap_names); i++) {
		if (!(bits & (1u << i)))
			continue;
		if (b.len)
			l2_buf_add(&b, ",", 1);
		l2_buf_adds(&b, lldp_cap_names[i]);
	}
	dec_emit_str(out, OBS_SRC, key, b.s);
}

/* Management address: string length (subtype + address), subtype, address, then interface and OID we skip. */
static bool lldp_mgmt(struct dec_out *out, const uint8_t *v, size_t len)
{
	char buf[L2_ADDR_STR];
	size_t alen;

	if (len < 2)
		return false;
	alen = v[0];
	if (alen < 1 || alen > len - 1)
		return false;
	if (lldp_format_ip(v + 1, alen, buf, sizeof(buf)))
		dec_emit_str(out, OBS_SRC, "lldp_mgmt_address", buf);
	return true;
}

/* Organisationally specific TLV: OUI, subtype, information. */
static void lldp_org(struct dec_out *out, const uint8_t *v, size_t len)
{
	static const uint8_t oui_8021[3] = { 0x00, 0x80, 0xc2 }, oui_med[3] = { 0x00, 0x12, 0xbb },
			     oui_iana[3] = { 0x00, 0x00, 0x5e };
	const uint8_t *info = v + 4;
	size_t ilen;
	uint8_t sub;

	if (len < 4)
		return;
	sub = v[3];
	ilen = len - 4;
	if (memcmp(v, oui_8021, 3) == 0 && sub == 1 && ilen == 2) {
		struct l2_buf b = { 0 };

		if (dec_be16(info)) { /* 0: the port is not VLAN aware */
			l2_buf_addu(&b, dec_be16(info));
			dec_emit_str(out, OBS_SRC, "lldp_port_vlan", b.s);
		}
	} else if (memcmp(v, oui_med, 3) == 0) {
		if (sub == 1 && ilen == 3 && info[2] < L2_ARRAY_SIZE(lldp_med_classes) &&
		    lldp_med_classes[info[2]])
			dec_emit_str(out, OBS_SRC, "lldp_med_device_class", lldp_med_classes[info[2]]);
		else if (sub >= 5 && sub <= 11)
			lldp_text(out, lldp_med_keys[sub], info, ilen);
	} else if (memcmp(v, oui_iana, 3) == 0 && sub == 1) {
		lldp_text(out, "lldp_mud_url", info, ilen);
	}
}

static bool lldp_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	/* The first TLV must be the chassis id (type 1). */
	return ctx->eth_proto == 0x88cc && n >= 2 && (p[0] >> 1) == TLV_CHASSIS_ID;
}

static int lldp_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	int start = out->n;
	bool malformed = false;
	size_t i = 0;

	if (n < 2 || (p[0] >> 1) != TLV_CHASSIS_ID)
		return -1;
	dec_emit_str(out, OBS_SRC, "app_protocol", "LLDP");
	while (!malformed) {
		unsigned int type;
		size_t len;
		const uint8_t *v;

		/* A frame cut before its End TLV still gave us what it had. */
		if (n - i < 2)
			break;
		type = p[i] >> 1;
		len = (size_t)(p[i] & 1) << 8 | p[i + 1];
		v = p + i + 2;
		if (type == TLV_END)
			break;
		if (len > n - i - 2) {
			malformed = true;
			break;
		}
		i += 2 + len;
		switch (type) {
		case TLV_CHASSIS_ID:
			lldp_id(out, "lldp_chassis_id", v, len, 4, 5);
			break;
		case TLV_PORT_ID:
			lldp_id(out, "lldp_port_id", v, len, 3, 4);
			break;
		case TLV_PORT_DESC:
			lldp_text(out, "lldp_port_description", v, len);
			break;
		case TLV_SYS_NAME:
			lldp_text(out, "lldp_system_name", v, len);
			break;
		case TLV_SYS_DESC:
			lldp_text(out, "lldp_system_description", v, l2_line_len(v, len));
			break;
		case TLV_SYS_CAP:
			if (len != 4) {
				malformed = true;
				break;
			}
			lldp_caps(out, "lldp_capabilities", dec_be16(v));
			lldp_caps(out, "lldp_capabilities_enabled", dec_be16(v + 2));
			break;
		case TLV_MGMT_ADDR:
			if (!lldp_mgmt(out, v, len))
				malformed = true;
			break;
		case TLV_ORG:
			lldp_org(out, v, len);
			break;
		}
	}
	return malformed ? -1 : out->n - start;
}

const struct decoder dec_lldp = {
	.name = "lldp",
	.match = lldp_match,
	.decode = lldp_decode,
};
