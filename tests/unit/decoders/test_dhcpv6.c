// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests for user/decoders/dhcpv6.c: two INFORMATION-REQUESTs from ndpi-lan-1kxun.pcap (one whose DUID-LLT
 * carries the sender's MAC, one whose DUID names another interface), then crafted client, server and relay
 * messages and every lying length.
 */
#include <stdio.h>
#include <sys/socket.h>

#include "decoders/decoder.h"
#include "testlib.h"

extern const struct decoder dec_dhcpv6;

/*
 * ndpi-lan-1kxun.pcap frame 12, 36 bytes:
 * src 70:3e:ac:f0:f0:07 dst 33:33:00:01:00:02 ethertype 0x86dd fe80::406:55a8:6453:25dd:546 -> ff02::1:2:547
 */
static const uint8_t dhcpv6_1kxun_f12[] = {
	0x0b, 0x27, 0x73, 0x1d, 0x00, 0x01, 0x00, 0x0e, 0x00, 0x01, 0x00, 0x01, 0x1d, 0xb8, 0xe6, 0xfb,
	0x70, 0x3e, 0xac, 0xf0, 0xf0, 0x07, 0x00, 0x06, 0x00, 0x04, 0x00, 0x17, 0x00, 0x18, 0x00, 0x08,
	0x00, 0x02, 0x00, 0x00,
};
/*
 * ndpi-lan-1kxun.pcap frame 752, 36 bytes:
 * src bc:ee:7b:0c:b3:de dst 33:33:00:01:00:02 ethertype 0x86dd fe80::beee:7bff:fe0c:b3de:546 -> ff02::1:2:547
 */
static const uint8_t dhcpv6_1kxun_f752[] = {
	0x0b, 0x07, 0x32, 0xc0, 0x00, 0x01, 0x00, 0x0e, 0x00, 0x01, 0x00, 0x01, 0x1a, 0xe7, 0x38, 0x6b,
	0x26, 0x97, 0x71, 0x91, 0x69, 0xa3, 0x00, 0x08, 0x00, 0x02, 0x00, 0x00, 0x00, 0x06, 0x00, 0x04,
	0x00, 0x17, 0x00, 0x18,
};

static struct dec_out out;
static struct dec_ctx ctx;

static const uint8_t client_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t server_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
static const uint8_t all_dhcp_mac[6] = { 0x33, 0x33, 0x00, 0x01, 0x00, 0x02 };

static void set_ctx(const uint8_t src[6], const uint8_t dst[6], uint16_t sport, uint16_t dport)
{
	memset(&ctx, 0, sizeof(ctx));
	ctx.eth_proto = 0x86dd;
	ctx.l4_proto = 17;
	ctx.sport = sport;
	ctx.dport = dport;
	memcpy(ctx.src_mac, src, 6);
	memcpy(ctx.dst_mac, dst, 6);
}

static int decode(const uint8_t *p, size_t n)
{
	memset(&out, 0, sizeof(out));
	return dec_dhcpv6.decode(&ctx, p, n, &out);
}

/* The observation with this key and value (any value when NULL), or NULL. */
static const struct iot_obs *find(const char *key, const char *value)
{
	for (int i = 0; i < out.n; i++)
		if (strcmp(out.obs[i].key, key) == 0 && (!value || strcmp(out.obs[i].value, value) == 0))
			return &out.obs[i];
	return NULL;
}

/* key = value was emitted exactly once about subject. */
static int has(const char *key, const char *value, enum obs_subject subject)
{
	int hits = 0;

	for (int i = 0; i < out.n; i++)
		hits += strcmp(out.obs[i].key, key) == 0 && strcmp(out.obs[i].value, value) == 0 &&
			out.obs[i].subject == subject;
	return hits == 1;
}

/* A message built option by option. */
struct pkt {
	uint8_t b[1024];
	size_t n;
};

static void put(struct pkt *p, const void *d, size_t n)
{
	memcpy(p->b + p->n, d, n);
	p->n += n;
}

static void put16(struct pkt *p, uint16_t v)
{
	const uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(p, b, 2);
}

static void opt(struct pkt *p, uint16_t code, const void *d, size_t n)
{
	put16(p, code);
	put16(p, (uint16_t)n);
	if (n)
		put(p, d, n);
}

static void msg(struct pkt *p, uint8_t type)
{
	const uint8_t hdr[4] = { type, 0x12, 0x34, 0x56 };

	memset(p, 0, sizeof(*p));
	put(p, hdr, 4);
}

/* DUID-LL of client_mac, DUID-LLT of server_mac. */
static const uint8_t duid_ll[10] = { 0, 3, 0, 1, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t duid_llt[14] = { 0, 1, 0, 1, 0x1d, 0xb8, 0xe6, 0xfb, 0x02, 0, 0, 0, 0, 0x02 };

TEST(corpus_information_request)
{
	const uint8_t src[6] = { 0x70, 0x3e, 0xac, 0xf0, 0xf0, 0x07 };

	set_ctx(src, all_dhcp_mac, 546, 547);
	CHECK(dec_dhcpv6.match(&ctx, dhcpv6_1kxun_f12, sizeof(dhcpv6_1kxun_f12)));
	CHECK_EQ_INT(decode(dhcpv6_1kxun_f12, sizeof(dhcpv6_1kxun_f12)), 5);
	CHECK(has("app_protocol", "DHCPv6", OBS_SRC));
	CHECK(has("dhcpv6_msg_types", "INFORMATION-REQUEST", OBS_SRC));
	CHECK(has("dhcpv6_client_duid", "000100011db8e6fb703eacf0f007", OBS_SRC));
	CHECK(has("dhcpv6_duid_mac", "70:3e:ac:f0:f0:07", OBS_SRC));
	CHECK(has("dhcpv6_option_request", "23,24", OBS_SRC));
}

TEST(corpus_duid_of_another_interface)
{
	const uint8_t src[6] = { 0xbc, 0xee, 0x7b, 0x0c, 0xb3, 0xde };

	/* The DUID was made from another interface: reported as is, never taken for the sender's MAC. */
	set_ctx(src, all_dhcp_mac, 546, 547);
	CHECK_EQ_INT(decode(dhcpv6_1kxun_f752, sizeof(dhcpv6_1kxun_f752)), 5);
	CHECK(has("dhcpv6_duid_mac", "26:97:71:91:69:a3", OBS_SRC));
	CHECK(find("ip_for_mac", NULL) == NULL);
}

TEST(solicit_options)
{
	const uint8_t oro[] = { 0, 23, 0, 24, 0, 39 };
	const uint8_t vendor_class[] = { 0, 0, 0x01, 0x37, 0, 4, 'M', 'S', 'F', 'T', 0, 0, 0, 2, 'x', 'y' };
	const uint8_t user_class[] = { 0, 3, 'a', 'b', 'c', 0, 1, 'd' };
	const uint8_t fqdn[] = { 0x01, 7, 'l', 'a', 'p', 't', 'o', 'p', '1', 4, 'h', 'o', 'm', 'e', 0 };
	const uint8_t vendor_opts[] = { 0, 0, 0x0d, 0xe9, 0, 1, 0, 1, 'z' };
	struct pkt p;

	msg(&p, 1);
	opt(&p, 1, duid_ll, sizeof(duid_ll));
	opt(&p, 6, oro, sizeof(oro));
	opt(&p, 16, vendor_class, sizeof(vendor_class));
	opt(&p, 15, user_class, sizeof(user_class));
	opt(&p, 39, fqdn, sizeof(fqdn));
	opt(&p, 17, vendor_opts, sizeof(vendor_opts));
	opt(&p, 8, "\0\0", 2);
	set_ctx(client_mac, all_dhcp_mac, 546, 547);
	CHECK(decode(p.b, p.n) > 0);
	CHECK(has("dhcpv6_msg_types", "SOLICIT", OBS_SRC));
	CHECK(has("dhcpv6_duid_mac", "02:00:00:00:00:01", OBS_SRC));
	CHECK(has("dhcpv6_option_request", "23,24,39", OBS_SRC));
	CHECK(has("dhcpv6_vendor_enterprise", "311", OBS_SRC));
	CHECK(has("dhcpv6_vendor_class", "MSFT,xy", OBS_SRC));
	CHECK(has("dhcpv6_user_class", "abc,d", OBS_SRC));
	CHECK(has("dhcpv6_fqdn", "laptop1.home", OBS_SRC));
	CHECK(has("dhcpv6_vendor_enterprise", "3561", OBS_SRC));
	CHECK(find("service", NULL) == NULL);
}

TEST(duid_en)
{
	const uint8_t duid_en[] = { 0, 2, 0, 0, 0x00, 0x09, 1, 2, 3, 4 };
	struct pkt p;

	msg(&p, 3);
	opt(&p, 1, duid_en, sizeof(duid_en));
	set_ctx(client_mac, all_dhcp_mac, 546, 547);
	CHECK(decode(p.b, p.n) > 0);
	CHECK(has("dhcpv6_duid_enterprise", "9", OBS_SRC));
	CHECK(has("dhcpv6_msg_types", "REQUEST", OBS_SRC));
	CHECK(find("dhcpv6_duid_mac", NULL) == NULL);
}

/* A REPLY with IA_NA holding one address: 2001:db8::10. */
static void reply(struct pkt *p)
{
	uint8_t ia[12 + 4 + 24] = { 0, 0, 0, 1, [12] = 0, 5, 0, 24, 0x20, 0x01, 0x0d, 0xb8, [31] = 0x10 };

	msg(p, 7);
	opt(p, 1, duid_ll, sizeof(duid_ll));
	opt(p, 2, duid_llt, sizeof(duid_llt));
	opt(p, 3, ia, sizeof(ia));
}

TEST(server_reply_unicast)
{
	struct pkt p;

	reply(&p);
	set_ctx(server_mac, client_mac, 547, 546);
	CHECK(decode(p.b, p.n) > 0);
	/* The sender is the server ... */
	CHECK(has("app_protocol", "DHCPv6", OBS_SRC));
	CHECK(has("service", "udp/547", OBS_SRC));
	CHECK(has("dhcpv6_server_duid", "000100011db8e6fb020000000002", OBS_SRC));
	/* ... and the receiver the client. */
	CHECK(has("app_protocol", "DHCPv6", OBS_DST));
	CHECK(has("dhcpv6_msg_types", "REPLY", OBS_DST));
	CHECK(has("dhcpv6_client_duid", "00030001020000000001", OBS_DST));
	CHECK(has("dhcpv6_duid_mac", "02:00:00:00:00:01", OBS_DST));
	CHECK(has("dhcpv6_assigned_ip", "2001:db8::10", OBS_DST));
	/* The server's DUID-LLT MAC is not reported as the client's. */
	CHECK(find("dhcpv6_duid_mac", "02:00:00:00:00:02") == NULL);
}

TEST(server_reply_multicast)
{
	struct pkt p;

	/* A RECONFIGURE-like message to a group address: nobody to attach client facts to. */
	reply(&p);
	set_ctx(server_mac, all_dhcp_mac, 547, 546);
	CHECK(decode(p.b, p.n) > 0);
	CHECK(has("dhcpv6_server_duid", "000100011db8e6fb020000000002", OBS_SRC));
	CHECK(find("dhcpv6_msg_types", NULL) == NULL);
	CHECK(find("dhcpv6_assigned_ip", NULL) == NULL);
	/* An ADVERTISE offers: no assigned address. */
	reply(&p);
	p.b[0] = 2;
	set_ctx(server_mac, client_mac, 547, 546);
	decode(p.b, p.n);
	CHECK(has("dhcpv6_msg_types", "ADVERTISE", OBS_DST));
	CHECK(find("dhcpv6_assigned_ip", NULL) == NULL);
}

/* A RELAY-FORW from relay agent fe80::1 for peer fe80::2, carrying inner. */
static void relay(struct pkt *p, uint8_t type, const struct pkt *inner, bool lladdr)
{
	uint8_t hdr[34] = { type, 0, [2] = 0x20, 0x01, 0x0d, 0xb8, [18] = 0xfe, 0x80, [33] = 2 };
	const uint8_t ll[8] = { 0, 1, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

	memset(p, 0, sizeof(*p));
	put(p, hdr, sizeof(hdr));
	if (lladdr)
		opt(p, 79, ll, sizeof(ll));
	opt(p, 9, inner->b, inner->n);
}

TEST(relay_forward)
{
	struct pkt inner, p;
	const struct iot_obs *o;
	char buf[64];

	msg(&inner, 1);
	opt(&inner, 1, duid_ll, sizeof(duid_ll));
	relay(&p, 12, &inner, true);
	set_ctx(server_mac, all_dhcp_mac, 547, 547);
	CHECK(decode(p.b, p.n) > 0);
	CHECK(has("dhcpv6_relay", "true", OBS_SRC));
	/* Option 79 names the client by MAC. */
	o = find("dhcpv6_msg_types", "SOLICIT");
	CHECK(o && o->subject == OBS_MAC);
	if (o) {
		dec_format_mac(o->subject_mac, buf);
		CHECK_STR(buf, "02:00:00:00:00:01");
	}
	/* Without it, by its peer address. */
	relay(&p, 12, &inner, false);
	CHECK(decode(p.b, p.n) > 0);
	o = find("dhcpv6_client_duid", NULL);
	CHECK(o && o->subject == OBS_IP);
	if (o) {
		dec_format_addr(&o->subject_ip, buf, sizeof(buf));
		CHECK_STR(buf, "fe80::2");
	}
}

TEST(relay_reply)
{
	struct pkt inner, p;
	const struct iot_obs *o;

	reply(&inner);
	relay(&p, 13, &inner, true);
	set_ctx(server_mac, client_mac, 547, 547);
	CHECK(decode(p.b, p.n) > 0);
	CHECK(has("dhcpv6_server_duid", "000100011db8e6fb020000000002", OBS_SRC));
	o = find("dhcpv6_assigned_ip", "2001:db8::10");
	CHECK(o && o->subject == OBS_MAC);
	CHECK(find("dhcpv6_relay", NULL) == NULL);
}

TEST(relay_nesting_is_bounded)
{
	struct pkt a, b;

	msg(&a, 11);
	for (int i = 0; i < 12; i++) {
		relay(&b, 12, &a, false);
		a = b;
	}
	set_ctx(server_mac, all_dhcp_mac, 547, 547);
	CHECK_EQ_INT(decode(a.b, a.n), -1);
	/* A relay without a Relay Message says only that it relays. */
	memset(&b, 0, sizeof(b));
	b.b[0] = 12;
	b.n = 34;
	CHECK(decode(b.b, b.n) > 0);
	CHECK(has("dhcpv6_relay", "true", OBS_SRC));
}

TEST(lying_lengths)
{
	struct pkt p, inner;

	set_ctx(client_mac, all_dhcp_mac, 546, 547);
	/* Header shorter than 4 bytes. */
	for (size_t n = 0; n < 4; n++)
		CHECK_EQ_INT(decode(dhcpv6_1kxun_f12, n), -1);
	/* Every cut of a real message: malformed unless it falls between two options (4, 22, 30). */
	for (size_t n = 4; n < sizeof(dhcpv6_1kxun_f12); n++) {
		int rc = decode(dhcpv6_1kxun_f12, n);

		CHECK_EQ_INT(rc, n == 4 || n == 22 || n == 30 ? out.n : -1);
	}
	/* An option length past the end. */
	msg(&p, 1);
	opt(&p, 1, duid_ll, sizeof(duid_ll));
	p.b[7] = 200;
	CHECK_EQ_INT(decode(p.b, p.n), -1);
	/* A DUID too short or longer than 130 bytes. */
	msg(&p, 1);
	opt(&p, 1, duid_ll, 1);
	CHECK_EQ_INT(decode(p.b, p.n), -1);
	msg(&p, 1);
	{
		uint8_t big[200] = { 0, 4 };

		opt(&p, 1, big, sizeof(big));
	}
	CHECK_EQ_INT(decode(p.b, p.n), -1);
	CHECK(find("dhcpv6_client_duid", NULL) == NULL);
	/* A relay header cut short, and a relay whose inner message lies. */
	msg(&inner, 1);
	relay(&p, 12, &inner, false);
	set_ctx(server_mac, all_dhcp_mac, 547, 547);
	CHECK_EQ_INT(decode(p.b, 20), -1);
	inner.b[0] = 1;
	inner.n = 2;
	relay(&p, 12, &inner, false);
	CHECK_EQ_INT(decode(p.b, p.n), -1);
	/* Zero-length options: an empty ORO, FQDN, vendor class say nothing. */
	msg(&p, 11);
	opt(&p, 6, NULL, 0);
	opt(&p, 39, NULL, 0);
	opt(&p, 16, NULL, 0);
	opt(&p, 15, NULL, 0);
	opt(&p, 3, NULL, 0);
	set_ctx(client_mac, all_dhcp_mac, 546, 547);
	CHECK_EQ_INT(decode(p.b, p.n), 2);
}

TEST(unknown_types)
{
	struct pkt p;

	/* LEASEQUERY (14) and type 0: valid DHCPv6 framing we do not describe. */
	msg(&p, 14);
	set_ctx(client_mac, server_mac, 546, 547);
	CHECK_EQ_INT(decode(p.b, p.n), 0);
	msg(&p, 0);
	CHECK_EQ_INT(decode(p.b, p.n), 0);
}

TEST(match)
{
	set_ctx(client_mac, all_dhcp_mac, 546, 547);
	CHECK(dec_dhcpv6.match(&ctx, dhcpv6_1kxun_f12, sizeof(dhcpv6_1kxun_f12)));
	ctx.eth_proto = 0x0800;
	CHECK(!dec_dhcpv6.match(&ctx, dhcpv6_1kxun_f12, sizeof(dhcpv6_1kxun_f12)));
	ctx.eth_proto = 0x86dd;
	ctx.sport = 5353;
	ctx.dport = 5353;
	CHECK(!dec_dhcpv6.match(&ctx, dhcpv6_1kxun_f12, sizeof(dhcpv6_1kxun_f12)));
	CHECK(dec_find("dhcpv6") == &dec_dhcpv6);
}

int main(void)
{
	RUN(corpus_information_request);
	RUN(corpus_duid_of_another_interface);
	RUN(solicit_options);
	RUN(duid_en);
	RUN(server_reply_unicast);
	RUN(server_reply_multicast);
	RUN(relay_forward);
	RUN(relay_reply);
	RUN(relay_nesting_is_bounded);
	RUN(lying_lengths);
	RUN(unknown_types);
	RUN(match);
	return testlib_summary();
}
