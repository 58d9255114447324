// SPDX-License-Identifier: GPL-2.0-only
/*
 * mDNS / DNS-SD (RFC 6762, RFC 6763), UDP 5353.
 *
 * Which records describe the sender: in a response, every answer, authority and additional record (a responder
 * answers for itself); in a query, only the authority section (a probe lists the records the sender is about to
 * claim). The answer section of a query holds known answers, records of other devices, and is skipped.
 *
 * Keys (subject OBS_SRC unless said otherwise):
 *   app_protocol        "MDNS"
 *   ip_for_mac          the IPv4 source address, subject OBS_MAC = the Ethernet source (multicast to
 *                       224.0.0.251 only: it is link-local, so the frame comes straight from the address owner)
 *   mdns_query_service  a service type asked for in a question ("_ipp._tcp.local")
 *   mdns_query_name     any other name asked for (reverse lookups under .arpa skipped)
 *   mdns_name           lower-cased service type named in a question or advertised by a PTR record (nDPI's
 *                       per-flow mDNS name: one observation per type)
 *   mdns_service        a service type the sender advertises (PTR owner, or a _services._dns-sd._udp target)
 *   mdns_instance       a service instance name ("Luca's iMac._companion-link._tcp.local")
 *   mdns_hostname       a host name the sender claims: A/AAAA owner, SRV target, reverse PTR target
 *   mdns_address        an address of an A/AAAA record the sender publishes
 *   mdns_srv            "<service type>:<port>" from SRV
 *   mdns_txt_<key>      value of a TXT key of interest (see txt_keys[]), key lower-cased
 *   mdns_hinfo          "<cpu> <os>" from HINFO
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "decoder.h"
#include "dns_msg.h"

#define MDNS_PORT 5353

/* TXT keys that identify a device or its software; the rest (paths, flags, hashes) are noise. */
static const char *const txt_keys[] = {
	"ty", "md", "mdl", "mfg", "model", "product", "usb_mfg", "usb_mdl", "fn", "am", "manufacturer",
	"serialnumber", "rpvr", "osxvers", "deviceid", "vendor", "srcvers", "vers", "firmware", "fv", "ver",
	"os", "rpmd", "integrator", "nm",
};

static bool is_txt_key(const char *key)
{
	for (size_t i = 0; i < sizeof(txt_keys) / sizeof(txt_keys[0]); i++)
		if (strcmp(key, txt_keys[i]) == 0)
			return true;
	return false;
}

static bool is_reverse(const char *name)
{
	return dns_name_has_suffix(name, "in-addr.arpa") || dns_name_has_suffix(name, "ip6.arpa");
}

/* Offset of the service type ("_ipp._tcp.local") inside name, or -1: a '_' label followed by _tcp/_udp. */
static int service_type_at(const char *name)
{
	const char *dot;

	for (size_t i = 0; name[i]; i++) {
		if (name[i] != '_' || (i && name[i - 1] != '.'))
			continue;
		/* A label starting with '_': is a later label of '_' labels _tcp or _udp? */
		dot = strchr(name + i, '.');
		while (dot && dot[1] == '_') {
			if ((strncmp(dot + 1, "_tcp", 4) == 0 || strncmp(dot + 1, "_udp", 4) == 0) &&
			    (dot[5] == '.' || dot[5] == 0))
				return (int)i;
			/* "_printer._sub._ipp._tcp": keep walking '_' labels. */
			dot = strchr(dot + 1, '.');
		}
	}
	return -1;
}

static bool is_service_type(const char *name)
{
	return name[0] == '_' && service_type_at(name) == 0;
}

static bool is_instance(const char *name)
{
	return name[0] != '_' && service_type_at(name) > 0;
}

static int emit(struct dec_out *out, const char *key, const char *val)
{
	return dns_emit_once(out, OBS_SRC, key, val, strlen(val), 90) ? 1 : 0;
}

static int emit_mdns_name(struct dec_out *out, const char *type)
{
	char low[DNS_NAME_BUF];

	dns_lower(low, sizeof(low), type);
	return emit(out, "mdns_name", low);
}

static int on_question(const struct dns_iter *it, const struct dns_rr *rr, struct dec_out *out)
{
	char name[DNS_NAME_BUF];
	int c = 0;

	if (dns_name(it->p, it->n, rr->name, name, sizeof(name), NULL) < 0)
		return -1;
	if (!name[0] || is_reverse(name))
		return 0;
	if (is_service_type(name)) {
		c += emit(out, "mdns_query_service", name);
		c += emit_mdns_name(out, name);
	} else {
		c += emit(out, "mdns_query_name", name);
	}
	return c;
}

/* TXT RDATA: length-prefixed "key=value" strings. */
static int on_txt(const uint8_t *p, size_t n, struct dec_out *out)
{
	size_t off = 0;
	int c = 0;

	while (off < n) {
		size_t len = p[off++], klen;
		const uint8_t *s = p + off;
		char key[24], okey[OBS_KEY_MAX];

		if (len > n - off)
			return c;
		off += len;
		for (klen = 0; klen < len && s[klen] != '='; klen++)
			;
		if (klen == 0 || klen == len || klen >= sizeof(key))
			continue;
		for (size_t i = 0; i < klen; i++)
			key[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : (char)s[i];
		key[klen] = 0;
		if (!is_txt_key(key))
			continue;
		snprintf(okey, sizeof(okey), "mdns_txt_%s", key);
		if (dns_emit_once(out, OBS_SRC, okey, (const char *)s + klen + 1, len - klen - 1, 90))
			c++;
	}
	return c;
}

/* HINFO RDATA: two character-strings, CPU and OS. */
static int on_hinfo(const uint8_t *p, size_t n, struct dec_out *out)
{
	size_t cl, ol;

	if (n < 1 || (cl = p[0]) > n - 1 || n - 1 - cl < 1 || (ol = p[1 + cl]) > n - 2 - cl)
		return 0;
	return dec_emitf(out, OBS_SRC, "mdns_hinfo", "%.*s %.*s", (int)cl, (const char *)p + 1, (int)ol,
			 (const char *)p + 2 + cl) ? 1 : 0;
}

/* A record the sender vouches for. */
static int on_record(const struct dns_iter *it, const struct dns_rr *rr, struct dec_out *out)
{
	const uint8_t *rd = it->p + rr->rdata;
	char owner[DNS_NAME_BUF], target[DNS_NAME_BUF], buf[DNS_NAME_BUF + 8];
	struct iot_addr a;
	int c = 0, t;

	if (dns_name(it->p, it->n, rr->name, owner, sizeof(owner), NULL) < 0)
		return -1;
	switch (rr->type) {
	case DNS_TYPE_A:
	case DNS_TYPE_AAAA:
		if (rr->rdlen != (rr->type == DNS_TYPE_A ? 4 : 16))
			return -1;
		if (owner[0] && !is_reverse(owner))
			c += emit(out, "mdns_hostname", owner);
		if (rr->type == DNS_TYPE_A)
			dec_addr_from_v4(&a, rd);
		else
			dec_addr_from_v6(&a, rd);
		dec_format_addr(&a, buf, sizeof(buf));
		c += emit(out, "mdns_address", buf);
		break;
	case DNS_TYPE_PTR:
		/* The target may be compressed against any earlier name, so decode it from the whole message. */
		if (dns_name(it->p, rr->rdata + rr->rdlen, rr->rdata, target, sizeof(target), NULL) <= 0)
			return -1;
		if (is_reverse(owner)) {
			c += emit(out, "mdns_hostname", target);
		} else if (dns_name_has_suffix(owner, "_services._dns-sd._udp.local") && owner[0] == '_') {
			if (is_service_type(target)) {
				c += emit(out, "mdns_service", target);
				c += emit_mdns_name(out, target);
			}
		} else if (is_service_type(owner)) {
			c += emit(out, "mdns_service", owner);
			c += emit_mdns_name(out, owner);
			if (is_instance(target))
				c += emit(out, "mdns_instance", target);
		}
		break;
	case DNS_TYPE_SRV:
		if (rr->rdlen < 7 ||
		    dns_name(it->p, rr->rdata + rr->rdlen, rr->rdata + 6, target, sizeof(target), NULL) < 0)
			return -1;
		if (is_instance(owner))
			c += emit(out, "mdns_instance", owner);
		if (target[0])
			c += emit(out, "mdns_hostname", target);
		t = service_type_at(owner);
		snprintf(buf, sizeof(buf), "%s:%u", t >= 0 ? owner + t : owner, dec_be16(rd + 4));
		c += emit(out, "mdns_srv", buf);
		break;
	case DNS_TYPE_TXT:
		if (is_instance(owner))
			c += emit(out, "mdns_instance", owner);
		c += on_txt(rd, rr->rdlen, out);
		break;
	case DNS_TYPE_HINFO:
		c += on_hinfo(rd, rr->rdlen, out);
		break;
	}
	return c;
}

/* mDNS is link-local: a packet to the IPv4 group comes straight from the owner of its source address. */
static int emit_ip_for_mac(const struct dec_ctx *ctx, struct dec_out *out)
{
	static const uint8_t group[4] = { 224, 0, 0, 251 };
	static const uint8_t zero_mac[6];
	struct iot_addr dst;
	char ip[64];

	dec_addr_from_v4(&dst, group);
	if (ctx->src_ip.family != AF_INET || memcmp(ctx->dst_ip.b, dst.b, 16) != 0 ||
	    memcmp(ctx->src_mac, zero_mac, 6) == 0 || (ctx->src_mac[0] & 1))
		return 0;
	/* 0.0.0.0 is a host without an address yet (RFC 6762 probing before DHCP), not a binding. */
	if (!(ctx->src_ip.b[12] | ctx->src_ip.b[13] | ctx->src_ip.b[14] | ctx->src_ip.b[15]))
		return 0;
	dec_format_addr(&ctx->src_ip, ip, sizeof(ip));
	return dec_emit_for_mac(out, ctx->src_mac, "ip_for_mac", ip) ? 1 : 0;
}

static bool mdns_match(const struct dec_ctx *ctx, const uint8_t *p, size_t n)
{
	return ctx->l4_proto == IPPROTO_UDP && dec_port_is(ctx, MDNS_PORT) && n >= DNS_HDR_LEN &&
	       DNS_OPCODE(dec_be16(p + 2)) == 0;
}

static int mdns_decode(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	struct dns_iter it;
	struct dns_rr rr;
	bool response, bad = false;
	int c = 0, r, got, records = 0;

	/* RFC 6762 18.3: opcode 0 only; anything else is not a message we understand. */
	if (dns_iter_init(&it, p, n) < 0 || DNS_OPCODE(it.flags) != 0)
		return -1;
	response = it.flags & DNS_FLAG_QR;
	while ((r = dns_iter_next(&it, &rr)) > 0) {
		if (rr.section == DNS_SEC_QD) {
			/* A response may echo questions (legacy unicast): they are the asker's, not ours. */
			got = response ? 0 : on_question(&it, &rr, out);
		} else if (response || rr.section == DNS_SEC_NS) {
			got = on_record(&it, &rr, out);
		} else {
			got = 0; /* a known answer: another device's record */
		}
		/* One bad record spoils only itself: its length is known, so the next one still parses. */
		if (got < 0) {
			bad = true;
			continue;
		}
		records++;
		c += got;
	}
	/* Speaking mDNS takes at least one well-formed question or record, not just 12 bytes on port 5353. */
	if (records) {
		if (dec_emit_str(out, OBS_SRC, "app_protocol", "MDNS"))
			c++;
		c += emit_ip_for_mac(ctx, out);
	}
	return (r < 0 || bad) ? -1 : c;
}

const struct decoder dec_mdns = {
	.name = "mdns",
	.match = mdns_match,
	.decode = mdns_decode,
};
