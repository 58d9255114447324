// SPDX-License-Identifier: GPL-2.0-only
/* Tests for user/decoders/iec104.c: IEC 60870-5-104 APCI formats, ASDU headers, several APDUs per segment. */
#include "decoders/decoder.h"
#include "lt_test.h"
#include "testlib.h"

/* ndpi-iec104.pcap: the outstation 10.175.211.1:2404 -> the master 10.119.105.26:54768. */
/* ndpi-iec104.pcap frame 3 */
static const uint8_t iec_f3[] = {
	0x68, 0x04, 0x01, 0x00, 0x42, 0xb9,
};
/* ndpi-iec104.pcap frame 7 */
static const uint8_t iec_f7[] = {
	0x68, 0x19, 0x2c, 0x7e, 0x42, 0xb9, 0x24, 0x01, 0x03, 0x00, 0x14, 0x29,
	0xcb, 0xb2, 0x02, 0xcd, 0xcc, 0x2c, 0x3e, 0x00, 0x94, 0xdc, 0x02, 0x8a,
	0x23, 0x0a, 0x0b,
};
/* ndpi-iec104.pcap frame 13 */
static const uint8_t iec_f13[] = {
	0x68, 0x55, 0x32, 0x7e, 0x42, 0xb9, 0x24, 0x05, 0x03, 0x00, 0x14, 0x29,
	0x0f, 0x0f, 0x1b, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x05, 0xdf, 0x02, 0x8a,
	0x23, 0x0a, 0x0b, 0x0f, 0x0f, 0x19, 0x00, 0x00, 0x00, 0x42, 0x00, 0x05,
	0xdf, 0x02, 0x8a, 0x23, 0x0a, 0x0b, 0x0f, 0x0f, 0x1e, 0x00, 0x00, 0x80,
	0x3f, 0x00, 0x05, 0xdf, 0x02, 0x8a, 0x23, 0x0a, 0x0b, 0x0f, 0x0f, 0x12,
	0x00, 0x80, 0xc3, 0x42, 0x00, 0x05, 0xdf, 0x02, 0x8a, 0x23, 0x0a, 0x0b,
	0x0f, 0x0f, 0x10, 0xab, 0xaa, 0xb4, 0x42, 0x00, 0x05, 0xdf, 0x02, 0x8a,
	0x23, 0x0a, 0x0b, 0x68, 0x19, 0x34, 0x7e, 0x42, 0xb9, 0x24, 0x01, 0x03,
	0x00, 0x14, 0x2a, 0x0f, 0x0e, 0x11, 0xab, 0xaa, 0xb0, 0x42, 0x00, 0x05,
	0xdf, 0x02, 0x8a, 0x23, 0x0a, 0x0b,
};

/* STARTDT act, from the master. */
static const uint8_t startdt_act[] = { 0x68, 0x04, 0x07, 0x00, 0x00, 0x00 };

/* C_SC_NA_1 (single command) activation to common address 7, IOA 1000, SCO = ON + select. */
static const uint8_t single_command[] = {
	0x68, 0x0e, 0x00, 0x00, 0x00, 0x00, 45, 0x01, 0x06, 0x00, 0x07, 0x00, 0xe8, 0x03, 0x00, 0x81,
};

TEST(real_s_format)
{
	struct dec_ctx c = lt_ctx(IPPROTO_TCP, 2404, 54768);
	struct dec_out out;
	bool m;

	c.from_initiator = false;
	CHECK_EQ_INT(lt_run("iec104", &c, iec_f3, sizeof(iec_f3), &out, &m), 1);
	CHECK(m);
	/* truth.tsv: ndpi-iec104.pcap 10.175.211.1 app_protocol IEC60870 (the outstation, sender here). */
	CHECK_STR(lt_get(&out, "app_protocol", OBS_SRC), "IEC60870");
}

TEST(real_i_format)
{
	struct dec_ctx c = lt_ctx(IPPROTO_TCP, 2404, 54768);
	struct dec_out out;
	bool m;

	CHECK_EQ_INT(lt_run("iec104", &c, iec_f7, sizeof(iec_f7), &out, &m), 3);
	CHECK(m);
	CHECK_STR(lt_get(&out, "iec104_asdu_type", OBS_SRC), "M_ME_TF_1");
	CHECK_STR(lt_get(&out, "iec104_common_address", OBS_SRC), "10516");
	CHECK(lt_obs(&out, "iec104_command") == NULL);
}

TEST(real_two_apdus_in_one_segment)
{
	struct dec_ctx c = lt_ctx(IPPROTO_TCP, 2404, 54768);
	struct dec_out out;
	bool m;

	CHECK(lt_run("iec104", &c, iec_f13, sizeof(iec_f13), &out, &m) > 0);
	CHECK(m);
	CHECK_EQ_INT(lt_count(&out, "iec104_asdu_type"), 1);
	CHECK_EQ_INT(lt_count(&out, "iec104_common_address"), 2);
	CHECK_STR(out.obs[3].value, "10772");
}

TEST(master_startdt_and_command)
{
	struct dec_ctx c = lt_ctx(IPPROTO_TCP, 54768, 2404);
	struct dec_out out;
	bool m;

	CHECK_EQ_INT(lt_run("iec104", &c, startdt_act, sizeof(startdt_act), &out, &m), 2);
	CHECK(m);
	/* The outstation is the receiver; the master itself is not marked. */
	CHECK_STR(lt_get(&out, "app_protocol", OBS_DST), "IEC60870");
	CHECK(lt_get(&out, "app_protocol", OBS_SRC) == NULL);
	CHECK_STR(lt_get(&out, "iec104_u_format", OBS_SRC), "STARTDT act");
	CHECK(lt_run("iec104", &c, single_command, sizeof(single_command), &out, &m) > 0);
	CHECK_STR(lt_get(&out, "iec104_command", OBS_DST), "C_SC_NA_1 act");
	CHECK_STR(lt_get(&out, "iec104_common_address", OBS_DST), "7");
	CHECK(lt_get(&out, "iec104_common_address", OBS_SRC) == NULL);
}

TEST(many_repeated_apdus_are_bounded_and_deduplicated)
{
	uint8_t pkt[sizeof(iec_f3) * 100];
	struct dec_ctx c = lt_ctx(IPPROTO_TCP, 2404, 54768);
	struct dec_out out;
	bool m;

	for (int i = 0; i < 100; i++)
		memcpy(pkt + i * sizeof(iec_f3), startdt_act, sizeof(startdt_act));
	CHECK_EQ_INT(lt_run("iec104", &c, pkt, sizeof(pkt), &out, &m), 2);
}

TEST(bad_apci_is_refused)
{
	uint8_t pkt[sizeof(startdt_act)];
	struct dec_ctx c = lt_ctx(IPPROTO_TCP, 54768, 2404);
	struct dec_ctx other = lt_ctx(IPPROTO_TCP, 54768, 2405);
	struct dec_out out;
	bool m;

	memcpy(pkt, startdt_act, sizeof(pkt));
	pkt[0] = 0x69;
	CHECK_EQ_INT(lt_run("iec104", &c, pkt, sizeof(pkt), &out, &m), 0);
	CHECK(!m);
	memcpy(pkt, startdt_act, sizeof(pkt));
	pkt[2] = 0x0f; /* STARTDT act and con at once */
	CHECK_EQ_INT(lt_run("iec104", &c, pkt, sizeof(pkt), &out, &m), 0);
	CHECK(!m);
	memcpy(pkt, startdt_act, sizeof(pkt));
	pkt[1] = 0x05; /* U format longer than 4 */
	CHECK_EQ_INT(lt_run("iec104", &c, pkt, sizeof(pkt), &out, &m), 0);
	CHECK(!m);
	CHECK_EQ_INT(lt_run("iec104", &c, startdt_act, 5, &out, &m), 0);
	CHECK(!m);
	lt_run("iec104", &other, startdt_act, sizeof(startdt_act), &out, &m);
	CHECK(!m);
	c.l4_proto = IPPROTO_UDP;
	lt_run("iec104", &c, startdt_act, sizeof(startdt_act), &out, &m);
	CHECK(!m);
}

TEST(apdu_continued_in_the_next_segment)
{
	struct dec_ctx c = lt_ctx(IPPROTO_TCP, 2404, 54768);
	struct dec_out out;
	bool m;

	/* The first APDU cut after its ASDU header: still decoded. */
	CHECK_EQ_INT(lt_run("iec104", &c, iec_f7, 12, &out, &m), 3);
	CHECK(m);
	CHECK_STR(lt_get(&out, "iec104_common_address", OBS_SRC), "10516");
	/* Cut inside the ASDU header: the APCI alone. */
	CHECK_EQ_INT(lt_run("iec104", &c, iec_f7, 9, &out, &m), 1);
	/* The second APDU cut inside its APCI. */
	CHECK_EQ_INT(lt_run("iec104", &c, iec_f13, 87 + 3, &out, &m), 3);
}

TEST(lying_lengths_are_malformed)
{
	uint8_t pkt[sizeof(iec_f13)];
	struct dec_ctx c = lt_ctx(IPPROTO_TCP, 2404, 54768);
	struct dec_out out;
	bool m;

	/* The first APDU's length points into the middle of the second, which does not start with 0x68. */
	memcpy(pkt, iec_f13, sizeof(pkt));
	pkt[1] = 0x50;
	CHECK_EQ_INT(lt_run("iec104", &c, pkt, sizeof(pkt), &out, &m), -1);
	/* The second APDU does not start with 0x68. */
	memcpy(pkt, iec_f13, sizeof(pkt));
	pkt[87] = 0x00;
	CHECK_EQ_INT(lt_run("iec104", &c, pkt, sizeof(pkt), &out, &m), -1);
	/* Trailing bytes too short for an APCI, not starting with 0x68. */
	memcpy(pkt, iec_f13, sizeof(pkt));
	pkt[87] = 0x00;
	CHECK_EQ_INT(lt_run("iec104", &c, pkt, 87 + 3, &out, &m), -1);
	/* An I-format APDU too short for its ASDU header. */
	memcpy(pkt, iec_f7, sizeof(iec_f7));
	pkt[1] = 0x08;
	CHECK_EQ_INT(lt_run("iec104", &c, pkt, sizeof(iec_f7), &out, &m), 0);
	CHECK(!m);
}

int main(void)
{
	RUN(real_s_format);
	RUN(real_i_format);
	RUN(real_two_apdus_in_one_segment);
	RUN(master_startdt_and_command);
	RUN(many_repeated_apdus_are_bounded_and_deduplicated);
	RUN(bad_apci_is_refused);
	RUN(apdu_continued_in_the_next_segment);
	RUN(lying_lengths_are_malformed);
	return testlib_summary();
}
