// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests for user/decoders/ntp.c on real packets from the corpus (zeek-ntp.pcap: ntp_version and
 * ntp_server_stratum on the servers; ndpi-lan-1kxun.pcap: app_protocol NTP on the server a client asks, per
 * /work/shared/corpus/truth.tsv) and on crafted ones: Kiss-o'-Death, control and private modes, short and
 * reserved packets.
 */
#include "bb_test.h"

extern const struct decoder dec_ntp;

/* zeek-ntp.pcap frame 1: 192.168.43.118:123 -> port 123, 48 bytes */
static const uint8_t client_v4[] = {
	0x23, 0x02, 0x06, 0xea, 0x00, 0x00, 0x0b, 0xd9, 0x00, 0x00, 0x06, 0x30, 0x55, 0xc7, 0xd6, 0x63,
	0xe0, 0x9a, 0xb5, 0x5c, 0x12, 0xdc, 0xc9, 0x14, 0xe0, 0x9a, 0xb5, 0x54, 0x0c, 0x60, 0xc2, 0x3b,
	0xe0, 0x9a, 0xb5, 0x54, 0x13, 0xa6, 0x4a, 0x3b, 0xe0, 0x9a, 0xb5, 0x96, 0x07, 0x05, 0x0b, 0xaa,
};
/* zeek-ntp.pcap frame 2: 80.211.52.109:123 -> port 123, 48 bytes */
static const uint8_t server_stratum4[] = {
	0x24, 0x04, 0x06, 0xe8, 0x00, 0x00, 0x0c, 0x81, 0x00, 0x00, 0x12, 0x44, 0x69, 0xed, 0xcf, 0x1c,
	0xe0, 0x9a, 0xb2, 0x9c, 0xb8, 0xc7, 0x78, 0xeb, 0xe0, 0x9a, 0xb5, 0x96, 0x07, 0x05, 0x0b, 0xaa,
	0xe0, 0x9a, 0xb5, 0x96, 0x0c, 0x62, 0x5c, 0xcb, 0xe0, 0x9a, 0xb5, 0x96, 0x0c, 0x64, 0x64, 0x6b,
};
/* zeek-ntp.pcap frame 21: 85.199.214.99:123 -> port 123, 48 bytes */
static const uint8_t server_stratum1_gps[] = {
	0x24, 0x01, 0x04, 0xe7, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x47, 0x50, 0x53, 0x00,
	0xe0, 0x9a, 0xb5, 0x9e, 0x00, 0x00, 0x00, 0x00, 0xe0, 0x9a, 0xb5, 0x9e, 0x07, 0x02, 0xa6, 0xf2,
	0xe0, 0x9a, 0xb5, 0x9e, 0x12, 0xe0, 0x37, 0x01, 0xe0, 0x9a, 0xb5, 0x9e, 0x12, 0xe0, 0x98, 0x9d,
};
/* zeek-ntp.pcap frame 32: 80.211.88.132:123 -> port 123, 48 bytes */
static const uint8_t server_v3_stratum3[] = {
	0x1c, 0x03, 0x06, 0xec, 0x00, 0x00, 0x03, 0x03, 0x00, 0x00, 0x00, 0x64, 0xb9, 0x13, 0xb8, 0x23,
	0xe0, 0x9a, 0xb1, 0xc6, 0x64, 0x08, 0x0e, 0xd7, 0xe0, 0x9a, 0xb5, 0xa3, 0x07, 0x07, 0x8c, 0xb3,
	0xe0, 0x9a, 0xb5, 0xa3, 0x0c, 0xe7, 0x14, 0x5e, 0xe0, 0x9a, 0xb5, 0xa3, 0x0c, 0xe9, 0x86, 0x16,
};
/* ndpi-lan-1kxun.pcap frame 993: 192.168.5.16:123 -> port 123, 48 bytes */
static const uint8_t kxun_client[] = {
	0x23, 0x02, 0x06, 0xec, 0x00, 0x00, 0x26, 0x20, 0x00, 0x00, 0xf6, 0xc9, 0x11, 0xfd, 0x1a, 0x7d,
	0xdb, 0x4a, 0x7e, 0x8f, 0x3d, 0x3e, 0xe7, 0x39, 0xdb, 0x4a, 0x81, 0x84, 0xa6, 0x43, 0xc7, 0x68,
	0xdb, 0x4a, 0x81, 0x84, 0xb4, 0x24, 0x87, 0x7e, 0xdb, 0x4a, 0x81, 0xec, 0x3f, 0x77, 0x9f, 0x2c,
};

TEST(client_request)
{
	struct dec_ctx c = bbt_ctx(BBT_UDP, 123, 123, true, 0);

	CHECK(bbt_run(&dec_ntp, &c, client_v4, sizeof(client_v4)) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "ntp_version"), "4");
	CHECK_STR(bbt_get(OBS_SRC, "ntp_mode"), "client");
	/* ntpd sends its own stratum (2) in requests: not a server's stratum. */
	CHECK(bbt_get(OBS_SRC, "ntp_server_stratum") == NULL);
	CHECK_STR(bbt_get(OBS_DST, "app_protocol"), "NTP");
	CHECK(bbt_get(OBS_SRC, "service") == NULL);
}

TEST(server_replies)
{
	struct dec_ctx c = bbt_ctx(BBT_UDP, 123, 123, false, 0);

	CHECK(bbt_run(&dec_ntp, &c, server_stratum4, sizeof(server_stratum4)) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "ntp_server_stratum"), "4");
	CHECK_STR(bbt_get(OBS_SRC, "ntp_version"), "4");
	CHECK_STR(bbt_get(OBS_SRC, "ntp_mode"), "server");
	CHECK_STR(bbt_get(OBS_SRC, "service"), "udp/123");
	CHECK(bbt_get(OBS_SRC, "ntp_refid") == NULL);

	CHECK(bbt_run(&dec_ntp, &c, server_stratum1_gps, sizeof(server_stratum1_gps)) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "ntp_server_stratum"), "1");
	CHECK_STR(bbt_get(OBS_SRC, "ntp_refid"), "GPS");

	CHECK(bbt_run(&dec_ntp, &c, server_v3_stratum3, sizeof(server_v3_stratum3)) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "ntp_server_stratum"), "3");
	CHECK_STR(bbt_get(OBS_SRC, "ntp_version"), "3");
}

TEST(kxun_unanswered_request)
{
	struct dec_ctx c = bbt_ctx(BBT_UDP, 123, 123, true, 0);

	CHECK(bbt_run(&dec_ntp, &c, kxun_client, sizeof(kxun_client)) > 0);
	CHECK_STR(bbt_get(OBS_DST, "app_protocol"), "NTP");
}

TEST(kiss_of_death)
{
	uint8_t kod[48] = { 0x24, 0x00 };
	struct dec_ctx c = bbt_ctx(BBT_UDP, 123, 40000, false, 0);

	memcpy(kod + 12, "RATE", 4);
	CHECK(bbt_run(&dec_ntp, &c, kod, sizeof(kod)) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "ntp_kiss_code"), "RATE");
	CHECK(bbt_get(OBS_SRC, "ntp_server_stratum") == NULL);
	/* A stratum 0 whose reference id is not text: no code. */
	kod[13] = 0x01;
	CHECK(bbt_run(&dec_ntp, &c, kod, sizeof(kod)) > 0);
	CHECK(bbt_get(OBS_SRC, "ntp_kiss_code") == NULL);
}

TEST(broadcast_and_multicast)
{
	static const uint8_t all_ntp[4] = { 224, 0, 1, 1 };
	uint8_t pkt[48] = { 0x25, 0x02 };	/* v4 broadcast, stratum 2 */
	struct dec_ctx c = bbt_ctx(BBT_UDP, 123, 123, true, 0);

	dec_addr_from_v4(&c.dst_ip, all_ntp);
	CHECK(bbt_run(&dec_ntp, &c, pkt, sizeof(pkt)) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "ntp_mode"), "broadcast");
	CHECK_STR(bbt_get(OBS_SRC, "ntp_server_stratum"), "2");
	CHECK_STR(bbt_get(OBS_SRC, "service"), "udp/123");
	/* A client asking a multicast group names no server. */
	pkt[0] = 0x23;
	CHECK(bbt_run(&dec_ntp, &c, pkt, sizeof(pkt)) > 0);
	CHECK_EQ_INT(bbt_count(OBS_DST, "app_protocol"), 0);
}

TEST(control_and_private_modes)
{
	const uint8_t readvar[12] = { 0x16, 0x02, 0x00, 0x01 };		/* ntpq: v2 mode 6 */
	const uint8_t monlist[8] = { 0x17, 0x00, 0x03, 0x2a };		/* ntpdc: v2 mode 7 */
	struct dec_ctx c = bbt_ctx(BBT_UDP, 40000, 123, true, 0);

	CHECK(bbt_run(&dec_ntp, &c, readvar, sizeof(readvar)) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "ntp_mode"), "control");
	CHECK_STR(bbt_get(OBS_SRC, "ntp_version"), "2");
	CHECK(bbt_run(&dec_ntp, &c, monlist, sizeof(monlist)) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "ntp_mode"), "private");
	/* A control header cut short. */
	CHECK_EQ_INT(bbt_run(&dec_ntp, &c, readvar, 10), -1);
}

TEST(short_and_reserved)
{
	struct dec_ctx c = bbt_ctx(BBT_UDP, 123, 40000, false, 0);
	uint8_t v0[48] = { 0x04 };		/* version 0 */
	uint8_t v5[48] = { 0x2c };		/* version 5 */
	uint8_t mode0[48] = { 0x20 };

	CHECK_EQ_INT(bbt_run(&dec_ntp, &c, server_stratum4, 47), -1);
	CHECK_EQ_INT(bbt_run(&dec_ntp, &c, v0, sizeof(v0)), -1);
	CHECK_EQ_INT(bbt_run(&dec_ntp, &c, v5, sizeof(v5)), -1);
	CHECK_EQ_INT(bbt_run(&dec_ntp, &c, mode0, sizeof(mode0)), -1);
	CHECK_EQ_INT(bbt_out.n, 0);
	CHECK_EQ_INT(bbt_run(&dec_ntp, &c, server_stratum4, 7), -100);
	CHECK_EQ_INT(bbt_decode(&dec_ntp, &c, server_stratum4, 7), 0);
}

TEST(match_rules)
{
	struct dec_ctx c = bbt_ctx(BBT_UDP, 40000, 1230, true, 0);

	CHECK(!dec_ntp.match(&c, client_v4, sizeof(client_v4)));
	c = bbt_ctx(BBT_TCP, 40000, 123, true, 0);
	CHECK(!dec_ntp.match(&c, client_v4, sizeof(client_v4)));
	CHECK_EQ_INT(bbt_decode(&dec_ntp, &c, client_v4, sizeof(client_v4)), 0);
}

int main(void)
{
	RUN(client_request);
	RUN(server_replies);
	RUN(kxun_unanswered_request);
	RUN(kiss_of_death);
	RUN(broadcast_and_multicast);
	RUN(control_and_private_modes);
	RUN(short_and_reserved);
	RUN(match_rules);
	return testlib_summary();
}
