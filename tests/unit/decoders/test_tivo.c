// SPDX-License-Identifier: GPL-2.0-only
/* Tests for user/decoders/tivo.c: the TiVo Connect discovery beacon over UDP and TCP. */
#include "decoders/decoder.h"
#include "lt_test.h"
#include "testlib.h"

/* ndpi-tivo-minidlna.pcap frame 1: a Netgear R7000P (minidlna), 98.245.242.69:2190 -> 255.255.255.255:2190. */
/* ndpi-tivo-minidlna.pcap frame 1 */
static const uint8_t tivo_f1[] = {
	0x54, 0x69, 0x56, 0x6f, 0x43, 0x6f, 0x6e, 0x6e, 0x65, 0x63, 0x74, 0x3d,
	0x31, 0x0a, 0x73, 0x77, 0x76, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e, 0x3d,
	0x31, 0x2e, 0x30, 0x0a, 0x6d, 0x65, 0x74, 0x68, 0x6f, 0x64, 0x3d, 0x62,
	0x72, 0x6f, 0x61, 0x64, 0x63, 0x61, 0x73, 0x74, 0x0a, 0x69, 0x64, 0x65,
	0x6e, 0x74, 0x69, 0x74, 0x79, 0x3d, 0x75, 0x75, 0x69, 0x64, 0x3a, 0x34,
	0x64, 0x36, 0x39, 0x36, 0x65, 0x36, 0x39, 0x2d, 0x34, 0x34, 0x34, 0x63,
	0x2d, 0x31, 0x36, 0x34, 0x65, 0x2d, 0x39, 0x64, 0x34, 0x31, 0x2d, 0x31,
	0x34, 0x35, 0x39, 0x63, 0x30, 0x39, 0x39, 0x63, 0x30, 0x34, 0x33, 0x0a,
	0x6d, 0x61, 0x63, 0x68, 0x69, 0x6e, 0x65, 0x3d, 0x52, 0x37, 0x30, 0x30,
	0x30, 0x50, 0x0a, 0x70, 0x6c, 0x61, 0x74, 0x66, 0x6f, 0x72, 0x6d, 0x3d,
	0x70, 0x63, 0x2f, 0x6d, 0x69, 0x6e, 0x69, 0x64, 0x6c, 0x6e, 0x61, 0x0a,
	0x73, 0x65, 0x72, 0x76, 0x69, 0x63, 0x65, 0x73, 0x3d, 0x54, 0x69, 0x56,
	0x6f, 0x4d, 0x65, 0x64, 0x69, 0x61, 0x53, 0x65, 0x72, 0x76, 0x65, 0x72,
	0x3a, 0x38, 0x32, 0x30, 0x30, 0x2f, 0x68, 0x74, 0x74, 0x70, 0x0a,
};

TEST(real_udp_beacon)
{
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 2190, 2190);
	struct dec_out out;
	bool m;

	CHECK_EQ_INT(lt_run("tivo", &c, tivo_f1, sizeof(tivo_f1), &out, &m), 6);
	CHECK(m);
	/* truth.tsv: ndpi-tivo-minidlna.pcap 98.245.242.69, the four facts below. */
	CHECK_STR(lt_get(&out, "app_protocol", OBS_SRC), "TiVoConnect");
	CHECK_STR(lt_get(&out, "tivo_machine", OBS_SRC), "R7000P");
	CHECK_STR(lt_get(&out, "tivo_platform", OBS_SRC), "pc/minidlna");
	CHECK_STR(lt_get(&out, "tivo_services", OBS_SRC), "TiVoMediaServer:8200/http");
	CHECK_STR(lt_get(&out, "tivo_identity", OBS_SRC), "uuid:4d696e69-444c-164e-9d41-1459c099c043");
	CHECK_STR(lt_get(&out, "tivo_swversion", OBS_SRC), "1.0");
}

TEST(tcp_beacon_with_length_prefix)
{
	uint8_t pkt[4 + sizeof(tivo_f1) + 3];
	struct dec_ctx c = lt_ctx(IPPROTO_TCP, 50000, 2190);
	struct dec_out out;
	bool m;

	/* The prefix covers the beacon only: the 3 bytes after it are not part of the record. */
	memset(pkt, 0, sizeof(pkt));
	pkt[3] = sizeof(tivo_f1) - 1;
	memcpy(pkt + 4, tivo_f1, sizeof(tivo_f1));
	memcpy(pkt + 4 + sizeof(tivo_f1) - 1, "XYZ", 3);
	CHECK(lt_run("tivo", &c, pkt, sizeof(pkt), &out, &m) > 0);
	CHECK(m);
	CHECK_STR(lt_get(&out, "tivo_machine", OBS_SRC), "R7000P");
	CHECK_STR(lt_get(&out, "tivo_services", OBS_SRC), "TiVoMediaServer:8200/http");
	/* A prefix longer than the segment: the record continues in the next one. */
	pkt[3] = 0xff;
	CHECK(lt_run("tivo", &c, pkt, sizeof(pkt), &out, &m) > 0);
	CHECK(m);
	CHECK_STR(lt_get(&out, "tivo_machine", OBS_SRC), "R7000P");
	/* An absurd prefix is not a TiVo beacon. */
	pkt[1] = 0x01;
	CHECK_EQ_INT(lt_run("tivo", &c, pkt, sizeof(pkt), &out, &m), 0);
	CHECK(!m);
}

TEST(field_must_start_a_line)
{
	static const char b[] = "tivoconnect=1\nxmachine=evil\nplatform=tcd/Series3\r\nmachine=Living Room\n";
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 2190, 2190);
	struct dec_out out;
	bool m;

	CHECK_EQ_INT(lt_run("tivo", &c, (const uint8_t *)b, sizeof(b) - 1, &out, &m), 3);
	CHECK_STR(lt_get(&out, "tivo_machine", OBS_SRC), "Living Room");
	CHECK_STR(lt_get(&out, "tivo_platform", OBS_SRC), "tcd/Series3");
}

TEST(value_at_the_very_end)
{
	static const char b[] = "TiVoConnect=1\nmachine=Den";
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 2190, 2190);
	struct dec_out out;
	bool m;

	CHECK_EQ_INT(lt_run("tivo", &c, (const uint8_t *)b, sizeof(b) - 1, &out, &m), 2);
	CHECK_STR(lt_get(&out, "tivo_machine", OBS_SRC), "Den");
	/* Cut in the key: nothing but the protocol. */
	CHECK_EQ_INT(lt_run("tivo", &c, (const uint8_t *)b, 20, &out, &m), 1);
}

TEST(wrong_magic_or_port_is_refused)
{
	static const char b[] = "tivoconnect=0\nmachine=x\n";
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 2190, 2190);
	struct dec_ctx other = lt_ctx(IPPROTO_UDP, 2191, 2191);
	struct dec_out out;
	bool m;

	CHECK_EQ_INT(lt_run("tivo", &c, (const uint8_t *)b, sizeof(b) - 1, &out, &m), 0);
	CHECK(!m);
	CHECK_EQ_INT(lt_run("tivo", &c, tivo_f1, 12, &out, &m), 0);
	CHECK(!m);
	lt_run("tivo", &other, tivo_f1, sizeof(tivo_f1), &out, &m);
	CHECK(!m);
}

int main(void)
{
	RUN(real_udp_beacon);
	RUN(tcp_beacon_with_length_prefix);
	RUN(field_must_start_a_line);
	RUN(value_at_the_very_end);
	RUN(wrong_magic_or_port_is_refused);
	return testlib_summary();
}
