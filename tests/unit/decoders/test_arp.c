// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests for user/decoders/arp.c: the request/reply pair of zeek-arp-who-has.pcap (truth: ip_for_mac
 * 10.0.0.2 at 78:31:c1:c6:3f:c2, 10.0.0.1 at f8:ed:a5:c0:a4:f1), then crafted gratuitous, probe and malformed
 * packets.
 */
#include <sys/socket.h>

#include "decoders/decoder.h"
#include "testlib.h"

extern const struct decoder dec_arp;

/*
 * zeek-arp-who-has.pcap frame 1, 28 bytes:
 * src 78:31:c1:c6:3f:c2 dst ff:ff:ff:ff:ff:ff ethertype 0x0806
 */
static const uint8_t arp_who_has_req[] = {
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x78, 0x31, 0xc1, 0xc6, 0x3f, 0xc2, 0x0a, 0x00,
	0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x01,
};
/*
 * zeek-arp-who-has.pcap frame 2, 46 bytes:
 * src f8:ed:a5:c0:a4:f1 dst 78:31:c1:c6:3f:c2 ethertype 0x0806
 */
static const uint8_t arp_who_has_reply[] = {
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02, 0xf8, 0xed, 0xa5, 0xc0, 0xa4, 0xf1, 0x0a, 0x00,
	0x00, 0x01, 0x78, 0x31, 0xc1, 0xc6, 0x3f, 0xc2, 0x0a, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1f, 0x0b, 0x60, 0xce,
};

static struct dec_out out;

static int decode(const uint8_t *p, size_t n)
{
	struct dec_ctx ctx = { .eth_proto = 0x0806 };

	memset(&out, 0, sizeof(out));
	return dec_arp.decode(&ctx, p, n, &out);
}

/* The value of the first observation with this key, NULL when there is none. */
static const char *val(const char *key)
{
	for (int i = 0; i < out.n; i++)
		if (strcmp(out.obs[i].key, key) == 0)
			return out.obs[i].value;
	return NULL;
}

/* Every observation must be about the device with this MAC. */
static int all_about(const char *mac)
{
	char buf[18];

	for (int i = 0; i < out.n; i++) {
		if (out.obs[i].subject != OBS_MAC)
			return 0;
		dec_format_mac(out.obs[i].subject_mac, buf);
		if (strcmp(buf, mac) != 0)
			return 0;
	}
	return out.n > 0;
}

/* A request from 02:00:00:00:00:01 with the given sender and target IPs. */
static void craft(uint8_t p[28], uint16_t op, const uint8_t spa[4], const uint8_t tpa[4])
{
	static const uint8_t hdr[8] = { 0x00, 0x01, 0x08, 0x00, 6, 4 };
	static const uint8_t sha[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

	memcpy(p, hdr, 8);
	p[7] = (uint8_t)op;
	memcpy(p + 8, sha, 6);
	memcpy(p + 14, spa, 4);
	memset(p + 18, 0, 6);
	memcpy(p + 24, tpa, 4);
}

TEST(corpus_request)
{
	CHECK_EQ_INT(decode(arp_who_has_req, sizeof(arp_who_has_req)), 3);
	CHECK(all_about("78:31:c1:c6:3f:c2"));
	CHECK_STR(val("ip_for_mac"), "10.0.0.2");
	CHECK_STR(val("arp_op"), "request");
	CHECK_STR(val("app_protocol"), "ARP");
}

TEST(corpus_reply_with_padding)
{
	/* 46 bytes: the 28-byte body and Ethernet padding. */
	CHECK_EQ_INT(decode(arp_who_has_reply, sizeof(arp_who_has_reply)), 3);
	CHECK(all_about("f8:ed:a5:c0:a4:f1"));
	CHECK_STR(val("ip_for_mac"), "10.0.0.1");
	CHECK_STR(val("arp_op"), "reply");
}

TEST(gratuitous)
{
	const uint8_t ip[4] = { 192, 168, 1, 20 };
	uint8_t p[28];

	craft(p, 1, ip, ip);
	CHECK_EQ_INT(decode(p, sizeof(p)), 3);
	CHECK_STR(val("arp_op"), "gratuitous");
	CHECK_STR(val("ip_for_mac"), "192.168.1.20");
	craft(p, 2, ip, ip);
	CHECK_EQ_INT(decode(p, sizeof(p)), 3);
	CHECK_STR(val("arp_op"), "gratuitous");
	CHECK(all_about("02:00:00:00:00:01"));
}

TEST(probe)
{
	const uint8_t zero[4] = { 0 }, want[4] = { 169, 254, 7, 9 };
	uint8_t p[28];

	craft(p, 1, zero, want);
	CHECK_EQ_INT(decode(p, sizeof(p)), 3);
	CHECK_STR(val("arp_op"), "probe");
	CHECK_STR(val("arp_probe_ip"), "169.254.7.9");
	CHECK(val("ip_for_mac") == NULL);
	/* A reply from 0.0.0.0 is nonsense, but not a probe and no binding either. */
	craft(p, 2, zero, want);
	decode(p, sizeof(p));
	CHECK_STR(val("arp_op"), "reply");
	CHECK(val("ip_for_mac") == NULL);
}

TEST(unusable_sender_ips)
{
	const uint8_t mcast[4] = { 224, 0, 0, 1 }, loop[4] = { 127, 0, 0, 1 };
	const uint8_t bcast[4] = { 255, 255, 255, 255 }, tpa[4] = { 10, 0, 0, 1 };
	uint8_t p[28];

	craft(p, 1, mcast, tpa);
	decode(p, sizeof(p));
	CHECK(val("ip_for_mac") == NULL);
	craft(p, 1, loop, tpa);
	decode(p, sizeof(p));
	CHECK(val("ip_for_mac") == NULL);
	craft(p, 2, bcast, tpa);
	decode(p, sizeof(p));
	CHECK(val("ip_for_mac") == NULL);
}

TEST(truncated)
{
	/* Every length short of the 28-byte body is malformed and says nothing. */
	for (size_t n = 0; n < 28; n++) {
		CHECK_EQ_INT(decode(arp_who_has_req, n), -1);
		CHECK_EQ_INT(out.n, 0);
	}
}

TEST(lying_lengths_and_types)
{
	uint8_t p[28];

	memcpy(p, arp_who_has_req, sizeof(p));
	p[4] = 8; /* hardware address length that does not match Ethernet */
	CHECK_EQ_INT(decode(p, sizeof(p)), -1);
	memcpy(p, arp_who_has_req, sizeof(p));
	p[5] = 16; /* protocol length of IPv6 with an IPv4 protocol type */
	CHECK_EQ_INT(decode(p, sizeof(p)), -1);
	memcpy(p, arp_who_has_req, sizeof(p));
	p[2] = 0x86; /* not IPv4 over ARP: valid, nothing to say */
	p[3] = 0xdd;
	CHECK_EQ_INT(decode(p, sizeof(p)), 0);
	memcpy(p, arp_who_has_req, sizeof(p));
	p[1] = 6; /* IEEE 802 hardware type */
	CHECK_EQ_INT(decode(p, sizeof(p)), 0);
	memcpy(p, arp_who_has_req, sizeof(p));
	p[7] = 3; /* RARP request */
	CHECK_EQ_INT(decode(p, sizeof(p)), 0);
	CHECK_EQ_INT(out.n, 0);
}

TEST(group_sender_mac)
{
	uint8_t p[28];

	memcpy(p, arp_who_has_req, sizeof(p));
	memset(p + 8, 0xff, 6);
	CHECK_EQ_INT(decode(p, sizeof(p)), -1);
	memset(p + 8, 0, 6);
	CHECK_EQ_INT(decode(p, sizeof(p)), -1);
	CHECK_EQ_INT(out.n, 0);
}

TEST(match)
{
	struct dec_ctx ctx = { .eth_proto = 0x0806 };

	CHECK(dec_arp.match(&ctx, arp_who_has_req, sizeof(arp_who_has_req)));
	CHECK(!dec_arp.match(&ctx, arp_who_has_req, 4));
	ctx.eth_proto = 0x0800;
	CHECK(!dec_arp.match(&ctx, arp_who_has_req, sizeof(arp_who_has_req)));
	CHECK(dec_find("arp") == &dec_arp);
}

int main(void)
{
	RUN(corpus_request);
	RUN(corpus_reply_with_padding);
	RUN(gratuitous);
	RUN(probe);
	RUN(unusable_sender_ips);
	RUN(truncated);
	RUN(lying_lengths_and_types);
	RUN(group_sender_mac);
	RUN(match);
	return testlib_summary();
}
