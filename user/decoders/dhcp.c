// SPDX-License-Identifier: GPL-2.0-only
/*
 * DHCPv4 (RFC 2131/2132) on UDP 67/68: the BOOTP header, the magic cookie, then the options, with option
 * overload (52) honoured: the file and sname fields are read as more options when the packet says so.
 *
 * Facts about the client are keyed to its hardware address (chaddr, OBS_MAC), whoever sent the packet: a
 * server's OFFER or ACK describes the client as much as its own DISCOVER does, and a relayed packet comes
 * from the relay. When chaddr is not an Ethernet MAC they fall back to OBS_SRC on client packets and are
 * dropped on server packets. One observation per packet and fact; multi-valued facts (dhcp_msg_types) are
 * gathered by the inventory.
 *
 * About the client (chaddr), from any packet of the exchange:
 *   app_protocol "DHCP", dhcp_msg_types (this packet's type: DISCOVER, OFFER, REQUEST, DECLINE, ACK, NAK,
 *   RELEASE, INFORM, ...), dhcp_hostname (12), dhcp_domain (15), dhcp_requested_ip (50), dhcp_client_id
 *   (61, hex), dhcp_client_fqdn (81), dhcp_mud_url (161), dhcp_client_ip (ciaddr, or the unicast
 *   destination of a server reply), dhcp_assigned_ip (yiaddr of an ACK), dhcp_offered_ip (yiaddr of an
 *   OFFER), ip_for_mac (ciaddr of a client packet, yiaddr of an ACK, the source address of a client that
 *   sends from its own address).
 * About the client, from its own packets only (a server's reply carries the server's values):
 *   dhcp_param_req_list (55, "1,3,6" in wire order), dhcp_max_msg_size (57), dhcp_vendor_class (60),
 *   dhcp_user_class (77), dhcp_vendor_enterprise (124/125 enterprise number), dhcp_vivc_data (124 data).
 * About the server (OBS_SRC of a reply, op 2):
 *   app_protocol "DHCP", dhcp_server "true", dhcp_server_id (54), service "udp/67".
 */
#include <string.h>

#include "decoder.h"
#include "l2_util.h"

#define BOOTP_OP_REQUEST 1
#define BOOTP_OP_REPLY 2
#define BOOTP_CIADDR 12
#define BOOTP_YIADDR 16
#define BOOTP_GIADDR 24
#define BOOTP_CHADDR 28
#define BOOTP_SNAME 44
#define BOOTP_FILE 108
#define BOOTP_COOKIE 236
#define BOOTP_OPTIONS 240

#define DHCP_OFFER 2
#define DHCP_ACK 5

/* RFC 2132, RFC 4388, RFC 6926, RFC 7724 message types; index = type. */
static const char *const dhcp_msg_names[] = {
	[1] = "DISCOVER", [2] = "OFFER", [3] = "REQUEST", [4] = "DECLINE", [5] = "ACK", [6] = "NAK",
	[7] = "RELEASE", [8] = "INFORM", [9] = "FORCERENEW", [10] = "LEASEQUERY", [11] = "LEASEUNASSIGNED",
	[12] = "LEASEUNKNOWN", [13] = "LEASEACTIVE", [14] = "BULKLEASEQUERY", [15] = "LEASEQUERYDONE",
	[16] = "ACTIVELEASEQUERY", [17] = "LEASEQUERYSTATUS", [18] = "TLS",
};

struct dhcp_pkt {
	const struct dec_ctx *ctx;
	struct dec_out *out;
	const uint8_t *chaddr; /* the client's Ethernet MAC, NULL when htype/hlen say it is something else */
	bool reply;            /* op 2: sent by a server (or a relay on its behalf) */
	uint8_t msg_type;      /* option 53, 0 when absent (plain BOOTP) */
	uint8_t overload;      /* option 52: 1 file, 2 sname, 3 both hold options */
	bool malformed;
};

/* A fact about the client: to chaddr when we have it, else to the sender when the sender is the client. */
static void dhcp_client_fact(struct dhcp_pkt *d, const char *key, const char *val)
{
	if (d->chaddr)
		dec_emit_for_mac(d->out, d->chaddr, key, val);
	else if (!d->reply)
		dec_emit_str(d->out, OBS_SRC, key, val);
}

static void dhcp_client_text(struct dhcp_pkt *d, const char *key, const uint8_t *v, size_t len)
{
	struct l2_buf b = { 0 };

	l2_buf_add(&b, (const char *)v, len);
	dhcp_client_fact(d, key, b.s);
}

static void dhcp_client_v4(struct dhcp_pkt *d, const char *key, const uint8_t v4[4])
{
	char ip[L2_ADDR_STR];

	l2_format_v4(v4, ip, sizeof(ip));
	dhcp_client_fact(d, key, ip);
}

static bool v4_is_zero(const uint8_t v4[4])
{
	return memcmp(v4, "\0\0\0\0", 4) == 0;
}

/* The IPv4 address of a packet endpoint, or NULL when it is not IPv4 (IPv4 is stored v4-mapped). */
static const uint8_t *ctx_v4(const struct iot_addr *a)
{
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (a->family != AF_INET && memcmp(a->b, v4mapped, 12) != 0)
		return NULL;
	return a->b + 12;
}

/* RFC 3004 user class: length-prefixed instances. Windows sends a bare string instead: keep it as it is. */
static void dhcp_user_class(struct dhcp_pkt *d, const uint8_t *v, size_t len)
{
	struct l2_buf b = { 0 };
	size_t i = 0;

	while (i < len) {
		size_t ilen = v[i];

		if (!ilen || ilen > len - i - 1)
			break;
		if (b.len)
			l2_buf_add(&b, ",", 1);
		l2_buf_add(&b, (const char *)v + i + 1, ilen);
		i += 1 + ilen;
	}
	if (i != len) {
		b.len = 0;
		l2_buf_add(&b, (const char *)v, len);
	}
	dhcp_client_fact(d, "dhcp_user_class", b.s);
}

/* RFC 4702 client FQDN: flags, two deprecated rcodes, then the name (wire format when the E flag is set). */
static void dhcp_client_fqdn(struct dhcp_pkt *d, const uint8_t *v, size_t len)
{
	struct l2_buf b = { 0 };

	if (len < 4)
		return;
	if (v[0] & 0x04)
		l2_dns_name(v + 3, len - 3, &b);
	else
		l2_buf_add(&b, (const char *)v + 3, len - 3);
	dhcp_client_fact(d, "dhcp_client_fqdn", b.s);
}

/*
 * RFC 3925 vendor-identifying options: repeated {enterprise(4), data-len(1), data}. For 124 the data is a
 * list of length-prefixed class strings; for 125 it is sub-options, of which we keep only the enterprise.
 */
static void dhcp_vendor_ident(struct dhcp_pkt *d, uint8_t code, const uint8_t *v, size_t len)
{
	size_t i = 0;

	while (len - i >= 5) {
		size_t dlen = v[i + 4];
		const uint8_t *data = v + i + 5;
		struct l2_buf b = { 0 };

		if (dlen > len - i - 5) {
			d->malformed = true;
			return;
		}
		l2_buf_addu(&b, dec_be32(v + i));
		dhcp_client_fact(d, "dhcp_vendor_enterprise", b.s);
		if (code == 124) {
			b.len = 0;
			b.s[0] = 0;
			for (size_t j = 0; j < dlen;) {
				size_t clen = data[j];

				if (clen > dlen - j - 1)
					break;
				if (b.len)
					l2_buf_add(&b, ",", 1);
				l2_buf_add(&b, (const char *)data + j + 1, clen);
				j += 1 + clen;
			}
			dhcp_client_fact(d, "dhcp_vivc_data", b.s);
		}
		i += 5 + dlen;
	}
}

static void dhcp_option(struct dhcp_pkt *d, uint8_t code, const uint8_t *v, size_t len)
{
	struct l2_buf b = { 0 };
	char hex[2 * 255 + 1];
	char ip[L2_ADDR_STR];

	/*
	 * What the client says about itself (parameter list, sizes, vendor and user classes) counts only when
	 * the client says it: a server puts its own vendor data in 60, 124 and 125 of its replies.
	 */
	if (d->reply && (code == 55 || code == 57 || code == 60 || code == 77 || code == 124 || code == 125))
		return;
	switch (code) {
	case 12:
		dhcp_client_text(d, "dhcp_hostname", v, len);
		break;
	case 15:
		dhcp_client_text(d, "dhcp_domain", v, len);
		break;
	case 50:
		if (len == 4)
			dhcp_client_v4(d, "dhcp_requested_ip", v);
		break;
	case 53:
		if (len == 1 && v[0] < L2_ARRAY_SIZE(dhcp_msg_names) && dhcp_msg_names[v[0]])
			dhcp_client_fact(d, "dhcp_msg_types", dhcp_msg_names[v[0]]);
		break;
	case 54:
		/* In a client's REQUEST it only names the server it picked; the server speaks for itself. */
		if (len == 4 && d->reply) {
			l2_format_v4(v, ip, sizeof(ip));
			dec_emit_str(d->out, OBS_SRC, "dhcp_server_id", ip);
		}
		break;
	case 55:
		l2_join_u8(&b, v, len);
		dhcp_client_fact(d, "dhcp_param_req_list", b.s);
		break;
	case 57:
		if (len == 2) {
			l2_buf_addu(&b, dec_be16(v));
			dhcp_client_fact(d, "dhcp_max_msg_size", b.s);
		}
		break;
	case 60:
		dhcp_client_text(d, "dhcp_vendor_class", v, len);
		break;
	case 61:
		dec_hex(v, len, hex);
		dhcp_client_fact(d, "dhcp_client_id", hex);
		break;
	case 77:
		dhcp_user_class(d, v, len);
		break;
	case 81:
		dhcp_client_fqdn(d, v, len);
		break;
	case 124:
	case 125:
		dhcp_vendor_ident(d, code, v, len);
		break;
	case 161:
		dhcp_client_text(d, "dhcp_mud_url", v, len);
		break;
	}
}

/*
 * Walk one option area. The first pass (emit false) only picks up the message type and the overload flag,
 * which decide how the rest reads; the second emits. A missing End option is tolerated, an option running
 * past the area is not.
 */
static void dhcp_walk(struct dhcp_pkt *d, const uint8_t *p, size_t n, bool main_area, bool emit)
{
	size_t i = 0;

	while (i < n) {
		uint8_t code = p[i];
		size_t len;

		if (code == 0) { /* pad */
			i++;
			continue;
		}
		if (code == 255) /* end */
			return;
		if (n - i < 2 || p[i + 1] > n - i - 2) {
			d->malformed = true;
			return;
		}
		len = p[i + 1];
		if (emit)
			dhcp_option(d, code, p + i + 2, len);
		else if (code == 53 && len == 1)
			d->msg_type = p[i + 2];
		else if (code == 52 && len == 1 && main_area)
			d->overload = p[i + 2] & 3;
		i += 2 + len;
	}
}

static void dhcp_walk_all(struct dhcp_pkt *d, const uint8_t *p, size_t n, bool emit)
{
	dhcp_walk(d, p + BOOTP_OPTIONS, n - BOOTP_OPTIONS, true, emit);
	/* RFC 2131 4.1: the file field is read before sname. */
	if (d->overload & 1)
		dhcp_walk(d, p + BOOTP_FILE, BOOTP_COOKIE - BOOTP_FILE, false, emit);
	if (d->overload & 2)
		dhcp_walk(d, p + BOOTP_SNAME, BOOTP_FILE - BOOTP_SNAME, false, emit);
}

/* Header fields that bind addresses to the client. */
static void dhcp_addresses(struct dhcp_pkt *d, const uint8_t *p)
{
	const uint8_t *ciaddr = p + BOOTP_CIADDR, *yiaddr = p + BOOTP_YIADDR, *giaddr = p + BOOTP_GIADDR;
	const uint8_t *src = ctx_v4(&d->ctx->src_ip), *dst = ctx_v4(&d->ctx->dst_ip);

	if (!v4_is_zero(ciaddr)) {
		dhcp_client_v4(d, "dhcp_client_ip", ciaddr);
		if (!d->reply && d->chaddr)
			dhcp_client_v4(d, "ip_for_mac", ciaddr);
	}
	if (!v4_is_zero(yiaddr) && d->msg_type == DHCP_ACK) {
		dhcp_client_v4(d, "dhcp_assigned_ip", yiaddr);
		if (d->chaddr)
			dhcp_client_v4(d, "ip_for_mac", yiaddr);
	}
	if (!v4_is_zero(yiaddr) && d->msg_type == DHCP_OFFER)
		dhcp_client_v4(d, "dhcp_offered_ip", yiaddr);
	if (!v4_is_zero(giaddr))
		return; /* relayed: the IP header names the relay, not the client */
	/* A server unicasting its reply sends it to the address the client has or is being given. */
	if (d->reply && dst && !v4_is_zero(dst) && dst[0] < 224 && memcmp(dst, ciaddr, 4) != 0)
		dhcp_client_v4(d, "dhcp_client_ip", dst);
	/* A client that already has an address (INFORM, renewing REQUEST) sends from it. */
	if (!d->reply && src && !v4_is_zero(src) && src[0] < 224 && d->chaddr &&
	    memcmp(d->chaddr, d->ctx->src_mac, 6) == 0 && memcmp(src, ciaddr, 4) != 0)
		dhcp_client_v4(d, "ip_for_mac", src);
}

static bool dhcp_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	return ctx->eth_proto == 0x0800 && ctx->l4_proto == 17 &&
	       (dec_port_is(ctx, 67) || dec_port_is(ctx, 68));
}

static int dhcp_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	static const uint8_t cookie[4] = { 99, 130, 83, 99 };
	struct dhcp_pkt d = { .ctx = ctx, .out = out };
	int start = out->n;

	if (n < BOOTP_OPTIONS || (p[0] != BOOTP_OP_REQUEST && p[0] != BOOTP_OP_REPLY))
		return -1;
	if (memcmp(p + BOOTP_COOKIE, cookie, 4) != 0)
		return 0; /* plain BOOTP: no options to read */
	d.reply = p[0] == BOOTP_OP_REPLY;
	if (p[1] == 1 && p[2] == 6 && l2_mac_is_unicast(p + BOOTP_CHADDR))
		d.chaddr = p + BOOTP_CHADDR;

	dhcp_walk_all(&d, p, n, false);
	d.malformed = false; /* counted once, in the emitting pass */

	dhcp_client_fact(&d, "app_protocol", "DHCP");
	if (d.reply) {
		dec_emit_str(out, OBS_SRC, "app_protocol", "DHCP");
		dec_emit_str(out, OBS_SRC, "dhcp_server", "true");
		if (ctx->sport == 67)
			dec_emit_str(out, OBS_SRC, "service", "udp/67");
	}
	dhcp_addresses(&d, p);
	dhcp_walk_all(&d, p, n, true);
	return d.malformed ? -1 : out->n - start;
}

const struct decoder dec_dhcp = {
	.name = "dhcp",
	.match = dhcp_match,
	.decode = dhcp_decode,
};
