// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests for user/decoders/dnp3.c: real frames from the corpus (zeek-dnp3-read.pcap, ndpi-dnp3.pcapng) checked
 * against truth.tsv, and crafted frames for every branch (bad header and data CRCs in each position, several
 * frames per packet, lying lengths, link-only frames, truncation).
 */
#include "decoders/decoder.h"
#include "testlib.h"
#include "ot_testutil.h"

extern const struct decoder dec_dnp3;

#define TCP 6
#define UDP 17

/* zeek-dnp3-read.pcap frame 4: 130.126.142.250:51006 -> 130.126.140.229:20000 tcp, 27 bytes */
static const uint8_t zeek_read[] = {
	0x05, 0x64, 0x14, 0xc4, 0x02, 0x00, 0x03, 0x00, 0x45, 0x03, 0xc7, 0xc8,
	0x01, 0x3c, 0x02, 0x06, 0x3c, 0x03, 0x06, 0x3c, 0x04, 0x06, 0x3c, 0x01,
	0x06, 0x42, 0xac,
};
/* zeek-dnp3-read.pcap frame 6: 130.126.140.229:20000 -> 130.126.142.250:51006 tcp, 135 bytes */
static const uint8_t zeek_response[] = {
	0x05, 0x64, 0x74, 0x44, 0x03, 0x00, 0x02, 0x00, 0x68, 0x54, 0xf4, 0xc8,
	0x81, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x08, 0x81, 0x01, 0x81, 0x01,
	0x01, 0x01, 0xd3, 0x74, 0x01, 0x01, 0x01, 0x0a, 0x02, 0x00, 0x00, 0x06,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x1e, 0x6c, 0xa4, 0x01, 0x00,
	0x00, 0x0e, 0x01, 0xef, 0x03, 0x00, 0x00, 0x01, 0x03, 0x00, 0x00, 0x00,
	0x01, 0xed, 0x21, 0x78, 0x03, 0x00, 0x00, 0x01, 0x2b, 0xd1, 0xff, 0xff,
	0x01, 0xed, 0x03, 0x00, 0x00, 0x01, 0xe6, 0x2e, 0x41, 0xc9, 0x00, 0x00,
	0x01, 0x17, 0x0d, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xb5,
	0x0c, 0x02, 0xc6, 0x50, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x8a,
	0x0d, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x93, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0xff, 0xff,
};
/* ndpi-dnp3.pcapng frame 10: 10.0.0.3:20000 -> 10.0.0.8:2789 tcp, 17 bytes */
static const uint8_t ndpi_unsol[] = {
	0x05, 0x64, 0x0a, 0x44, 0x03, 0x00, 0x04, 0x00, 0x7c, 0xae, 0xe6, 0xf7,
	0x82, 0x10, 0x00, 0x4f, 0xbd,
};
/* ndpi-dnp3.pcapng frame 16: 10.0.0.8:2789 -> 10.0.0.3:20000 tcp, 15 bytes */
static const uint8_t ndpi_confirm[] = {
	0x05, 0x64, 0x08, 0xc4, 0x04, 0x00, 0x03, 0x00, 0xb4, 0xb8, 0xc0, 0xd7,
	0x00, 0x7a, 0xce,
};
/* ndpi-dnp3.pcapng frame 19: 10.0.0.8:2789 -> 10.0.0.3:20000 tcp, 25 bytes */
static const uint8_t ndpi_write_time[] = {
	0x05, 0x64, 0x12, 0xc4, 0x04, 0x00, 0x03, 0x00, 0x1e, 0x7c, 0xc1, 0xc1,
	0x02, 0x32, 0x01, 0x07, 0x01, 0xeb, 0xe4, 0x5a, 0x87, 0xff, 0x00, 0x28,
	0x01,
};
/* ndpi-dnp3.pcapng frame 55: 10.0.0.8:2803 -> 10.0.0.3:20000 tcp, 24 bytes */
static const uint8_t ndpi_bad_start[] = {
	0x05, 0x05, 0x11, 0xc4, 0x04, 0x00, 0x03, 0x00, 0x46, 0xa2, 0xc2, 0xc2,
	0x14, 0x3c, 0x02, 0x06, 0x3c, 0x03, 0x06, 0x3c, 0x04, 0x06, 0xd3, 0x2f,
};
/* ndpi-dnp3.pcapng frame 208: 10.0.0.8:2828 -> 10.0.0.3:20000 tcp, 15 bytes */
static const uint8_t ndpi_cold_restart[] = {
	0x05, 0x64, 0x08, 0xc4, 0x04, 0x00, 0x03, 0x00, 0xb4, 0xb8, 0xcd, 0xc3,
	0x0d, 0xaf, 0x84,
};
/* ndpi-dnp3.pcapng frame 487: 10.0.0.8:1184 -> 10.0.0.3:20000 tcp, 24 bytes */
static const uint8_t ndpi_stop_appl[] = {
	0x05, 0x64, 0x11, 0xc4, 0x04, 0x00, 0x03, 0x00, 0x4e, 0xef, 0xc1, 0xc1,
	0x12, 0x3c, 0x02, 0x06, 0x01, 0x07, 0x06, 0x3c, 0x04, 0xed, 0x87, 0x63,
};

static struct dec_out out;

/* Sets the CRC-16/DNP of p[0..n) at p[n], p[n+1] (an independent bitwise implementation for crafting). */
static void put_crc(uint8_t *p, size_t n)
{
	uint16_t crc = 0;

	for (size_t i = 0; i < n; i++)
		for (int b = 0; b < 8; b++) {
			bool bit = ((crc ^ (p[i] >> b)) & 1);

			crc = (uint16_t)(crc >> 1);
			if (bit)
				crc ^= 0xa6bc;
		}
	crc = (uint16_t)~crc;
	p[n] = (uint8_t)crc;
	p[n + 1] = (uint8_t)(crc >> 8);
}

static struct dec_ctx zeek_to_station(void)
{
	return ot_ctx(TCP, "130.126.142.250", 51006, "130.126.140.229", 20000, true);
}

static struct dec_ctx zeek_to_master(void)
{
	return ot_ctx(TCP, "130.126.140.229", 20000, "130.126.142.250", 51006, false);
}

static struct dec_ctx ndpi_to_station(void)
{
	return ot_ctx(TCP, "10.0.0.8", 2789, "10.0.0.3", 20000, true);
}

TEST(zeek_read_truth)
{
	struct dec_ctx c = zeek_to_station();

	CHECK(ot_run(&dec_dnp3, &c, zeek_read, sizeof(zeek_read), &out) > 0);
	CHECK_EQ_INT(out.malformed, 0);
	/* truth.tsv: 130.126.142.250 dnp3_role master; 130.126.140.229 app_protocol DNP3 */
	CHECK_STR(ot_find(&out, "dnp3_role", OBS_SRC), "master");
	CHECK_STR(ot_find(&out, "dnp3_role", OBS_DST), "outstation");
	CHECK_STR(ot_find(&out, "app_protocol", OBS_DST), "DNP3");
	CHECK(ot_find(&out, "app_protocol", OBS_SRC) == NULL);
	CHECK_STR(ot_find(&out, "dnp3_function", OBS_SRC), "READ");
	CHECK_STR(ot_find(&out, "dnp3_address", OBS_SRC), "3");
	CHECK_STR(ot_find(&out, "dnp3_address", OBS_DST), "2");
	CHECK_EQ_INT(ot_count(&out, "dnp3_control"), 0);
}

TEST(zeek_response_truth)
{
	struct dec_ctx c = zeek_to_master();

	/* Seven data blocks, each with its CRC. */
	CHECK(ot_run(&dec_dnp3, &c, zeek_response, sizeof(zeek_response), &out) > 0);
	CHECK_EQ_INT(out.malformed, 0);
	CHECK_STR(ot_find(&out, "app_protocol", OBS_SRC), "DNP3");
	CHECK_STR(ot_find(&out, "dnp3_role", OBS_DST), "master");
	CHECK_STR(ot_find(&out, "dnp3_function", OBS_SRC), "RESPONSE");
}

TEST(ndpi_unsolicited_first_truth)
{
	/* The capture's first payload comes from the outstation; its flow initiator flag may be wrong. */
	struct dec_ctx c = ot_ctx(TCP, "10.0.0.3", 20000, "10.0.0.8", 2789, true);

	CHECK(ot_run(&dec_dnp3, &c, ndpi_unsol, sizeof(ndpi_unsol), &out) > 0);
	/* truth.tsv: 10.0.0.3 app_protocol DNP3 */
	CHECK_STR(ot_find(&out, "app_protocol", OBS_SRC), "DNP3");
	CHECK_STR(ot_find(&out, "dnp3_role", OBS_DST), "master");
	CHECK_STR(ot_find(&out, "dnp3_function", OBS_SRC), "UNSOLICITED_RESPONSE");
}

TEST(ndpi_confirm_and_controls)
{
	struct dec_ctx c = ndpi_to_station();

	CHECK(ot_run(&dec_dnp3, &c, ndpi_confirm, sizeof(ndpi_confirm), &out) > 0);
	CHECK_STR(ot_find(&out, "dnp3_function", OBS_SRC), "CONFIRM");
	CHECK_STR(ot_find(&out, "app_protocol", OBS_DST), "DNP3");
	CHECK(ot_run(&dec_dnp3, &c, ndpi_write_time, sizeof(ndpi_write_time), &out) > 0);
	CHECK_STR(ot_find(&out, "dnp3_function", OBS_SRC), "WRITE");
	CHECK_STR(ot_find(&out, "dnp3_control", OBS_SRC), "WRITE g50v1");
	CHECK_STR(ot_find(&out, "dnp3_control", OBS_DST), "WRITE g50v1");
	CHECK(ot_run(&dec_dnp3, &c, ndpi_cold_restart, sizeof(ndpi_cold_restart), &out) > 0);
	CHECK_STR(ot_find(&out, "dnp3_control", OBS_DST), "COLD_RESTART");
	CHECK(ot_run(&dec_dnp3, &c, ndpi_stop_appl, sizeof(ndpi_stop_appl), &out) > 0);
	CHECK_STR(ot_find(&out, "dnp3_function", OBS_SRC), "STOP_APPL");
	CHECK(ot_find(&out, "dnp3_control", OBS_SRC) != NULL);
}

TEST(ndpi_bad_start_bytes)
{
	struct dec_ctx c = ndpi_to_station();

	CHECK_EQ_INT(ot_run(&dec_dnp3, &c, ndpi_bad_start, sizeof(ndpi_bad_start), &out), -2);
	CHECK_EQ_INT(dec_dnp3.decode(&c, ndpi_bad_start, sizeof(ndpi_bad_start), &out), -1);
	CHECK_EQ_INT(out.n, 0);
}

TEST(bad_crc_positions)
{
	uint8_t buf[sizeof(zeek_response)];
	struct dec_ctx c = zeek_to_master();

	/* Header CRC wrong: nothing is believed. */
	memcpy(buf, zeek_response, sizeof(buf));
	buf[8] ^= 1;
	CHECK_EQ_INT(ot_run(&dec_dnp3, &c, buf, sizeof(buf), &out), -1);
	CHECK_EQ_INT(out.n, 0);
	/* A header byte changed under a good-looking CRC position. */
	memcpy(buf, zeek_response, sizeof(buf));
	buf[5] ^= 0x10;
	CHECK_EQ_INT(ot_run(&dec_dnp3, &c, buf, sizeof(buf), &out), -1);
	/* First data block CRC wrong: the link facts stay, the function is unknown. */
	memcpy(buf, zeek_response, sizeof(buf));
	buf[10 + 16] ^= 0xff;
	CHECK(ot_run(&dec_dnp3, &c, buf, sizeof(buf), &out) > 0);
	CHECK_EQ_INT(out.malformed, 1);
	CHECK_STR(ot_find(&out, "dnp3_role", OBS_SRC), "outstation");
	CHECK(ot_find(&out, "dnp3_function", OBS_SRC) == NULL);
	/* Third block's data changed: the application header (block one) is still read. */
	memcpy(buf, zeek_response, sizeof(buf));
	buf[10 + 2 * 18 + 3] ^= 0x55;
	CHECK(ot_run(&dec_dnp3, &c, buf, sizeof(buf), &out) > 0);
	CHECK_EQ_INT(out.malformed, 1);
	CHECK_STR(ot_find(&out, "dnp3_function", OBS_SRC), "RESPONSE");
	/* Last (short) block's CRC wrong. */
	memcpy(buf, zeek_response, sizeof(buf));
	buf[sizeof(buf) - 1] ^= 0x01;
	CHECK(ot_run(&dec_dnp3, &c, buf, sizeof(buf), &out) > 0);
	CHECK_EQ_INT(out.malformed, 1);
}

TEST(several_frames_in_one_packet)
{
	uint8_t buf[sizeof(ndpi_confirm) + sizeof(ndpi_write_time) + sizeof(ndpi_cold_restart)];
	struct dec_ctx c = ndpi_to_station();

	memcpy(buf, ndpi_confirm, sizeof(ndpi_confirm));
	memcpy(buf + sizeof(ndpi_confirm), ndpi_write_time, sizeof(ndpi_write_time));
	memcpy(buf + sizeof(ndpi_confirm) + sizeof(ndpi_write_time), ndpi_cold_restart,
	       sizeof(ndpi_cold_restart));
	CHECK(ot_run(&dec_dnp3, &c, buf, sizeof(buf), &out) > 0);
	CHECK(ot_has(&out, "dnp3_function", OBS_SRC, "CONFIRM"));
	CHECK(ot_has(&out, "dnp3_control", OBS_DST, "WRITE g50v1"));
	CHECK(ot_has(&out, "dnp3_control", OBS_DST, "COLD_RESTART"));
	CHECK_EQ_INT(ot_count(&out, "app_protocol"), 1);
}

TEST(lying_lengths)
{
	/* Link status request (no user data), then the same with LEN 4 (< 5) and LEN 0x40 (more than sent). */
	uint8_t lnk[] = { 0x05, 0x64, 0x05, 0xc9, 0x04, 0x00, 0x03, 0x00, 0, 0 };
	uint8_t buf[sizeof(zeek_read)];
	struct dec_ctx c = ndpi_to_station();

	put_crc(lnk, 8);
	CHECK(ot_run(&dec_dnp3, &c, lnk, sizeof(lnk), &out) > 0);
	CHECK_STR(ot_find(&out, "dnp3_role", OBS_SRC), "master"); /* DIR set */
	CHECK(ot_find(&out, "dnp3_function", OBS_SRC) == NULL);
	lnk[2] = 4;
	put_crc(lnk, 8);
	CHECK_EQ_INT(ot_run(&dec_dnp3, &c, lnk, sizeof(lnk), &out), -1);
	/* The answer, link status (PRM clear, DIR clear): from the outstation. */
	lnk[2] = 5;
	lnk[3] = 0x0b;
	put_crc(lnk, 8);
	CHECK(ot_run(&dec_dnp3, &c, lnk, sizeof(lnk), &out) > 0);
	CHECK_STR(ot_find(&out, "dnp3_role", OBS_SRC), "outstation");

	memcpy(buf, zeek_read, sizeof(buf));
	buf[2] = 0x40; /* the CRC no longer matches either: refused */
	c = zeek_to_station();
	CHECK_EQ_INT(ot_run(&dec_dnp3, &c, buf, sizeof(buf), &out), -1);
	/* A packet cut inside the frame: refused unless the snapshot cut it. */
	CHECK_EQ_INT(ot_run(&dec_dnp3, &c, zeek_read, sizeof(zeek_read) - 3, &out), -1);
	c.truncated = true;
	CHECK(ot_run(&dec_dnp3, &c, zeek_read, 20, &out) > 0);
	CHECK(ot_find(&out, "dnp3_function", OBS_SRC) == NULL); /* the only block is cut */
	CHECK_STR(ot_find(&out, "dnp3_role", OBS_SRC), "master");
}

TEST(broadcast_address_and_udp)
{
	/* The READ over UDP, then sent to the broadcast address 0xffff. */
	uint8_t buf[sizeof(zeek_read)];
	struct dec_ctx c = ot_ctx(UDP, "130.126.142.250", 20000, "130.126.140.229", 20000, true);

	CHECK(ot_run(&dec_dnp3, &c, zeek_read, sizeof(zeek_read), &out) > 0);
	CHECK_STR(ot_find(&out, "dnp3_role", OBS_SRC), "master");
	memcpy(buf, zeek_read, sizeof(buf));
	buf[4] = 0xff;
	buf[5] = 0xff;
	CHECK_EQ_INT(ot_run(&dec_dnp3, &c, buf, sizeof(buf), &out), -1); /* the CRC covers the address */
	put_crc(buf, 8);
	CHECK(ot_run(&dec_dnp3, &c, buf, sizeof(buf), &out) > 0);
	CHECK(ot_find(&out, "dnp3_address", OBS_DST) == NULL);
	CHECK_STR(ot_find(&out, "dnp3_address", OBS_SRC), "3");
	CHECK_STR(ot_find(&out, "dnp3_function", OBS_SRC), "READ");
	c = ot_ctx(TCP, "130.126.142.250", 51006, "130.126.140.229", 20001, true);
	CHECK(!dec_dnp3.match(&c, zeek_read, sizeof(zeek_read)));
}

TEST(truncated_everywhere)
{
	struct dec_ctx c = zeek_to_master();

	ot_all_prefixes(&dec_dnp3, &c, zeek_response, sizeof(zeek_response));
	c.truncated = true;
	ot_all_prefixes(&dec_dnp3, &c, zeek_response, sizeof(zeek_response));
	CHECK(1);
}

int main(void)
{
	RUN(zeek_read_truth);
	RUN(zeek_response_truth);
	RUN(ndpi_unsolicited_first_truth);
	RUN(ndpi_confirm_and_controls);
	RUN(ndpi_bad_start_bytes);
	RUN(bad_crc_positions);
	RUN(several_frames_in_one_packet);
	RUN(lying_lengths);
	RUN(broadcast_address_and_udp);
	RUN(truncated_everywhere);
	return testlib_summary();
}
