// SPDX-License-Identifier: GPL-2.0-only
/* Tests for user/decoders/fins.c: Omron FINS over UDP and TCP. */
#include "decoders/decoder.h"
#include "lt_test.h"
#include "testlib.h"

/*
 * ndpi-fins.pcapng. UDP frames 1-43: 10.4.14.102:58722 -> 10.130.130.130:9600 (commands). Frame 257:
 * 10.1.1.164:9600 -> 10.1.1.173:54855 (a CP1L PLC answering Controller Data Read). TCP frames 249-252:
 * 10.1.1.173:17134 <-> 10.1.1.164:9600.
 */
/* ndpi-fins.pcapng frame 1 */
static const uint8_t fins_u1[] = {
	0x80, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7a, 0x01, 0x01,
	0x00, 0xcc, 0xcc, 0xcc, 0x00, 0x01,
};
/* ndpi-fins.pcapng frame 20 */
static const uint8_t fins_u20[] = {
	0x80, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7a, 0x01, 0x02,
	0x00, 0xcc, 0xcc, 0xcc, 0x00, 0x01, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46,
};
/* ndpi-fins.pcapng frame 39 */
static const uint8_t fins_u39[] = {
	0x80, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7a, 0x04, 0x01,
	0x00, 0x00, 0x01,
};
/* ndpi-fins.pcapng frame 43 */
static const uint8_t fins_u43[] = {
	0x80, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7a, 0x04, 0x02,
};
/* ndpi-fins.pcapng frame 257 */
static const uint8_t fins_u257[] = {
	0xc0, 0x00, 0x02, 0x00, 0x63, 0x00, 0x00, 0xc8, 0x00, 0xef, 0x05, 0x01,
	0x00, 0x00, 0x43, 0x50, 0x31, 0x4c, 0x2d, 0x45, 0x4c, 0x32, 0x30, 0x44,
	0x52, 0x2d, 0x44, 0x00, 0x00, 0x00, 0x20, 0x20, 0x20, 0x20, 0x30, 0x31,
	0x2e, 0x30, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x30, 0x31, 0x2e, 0x30,
	0x36, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x03, 0x00, 0x0a,
	0x17, 0x2a, 0x10, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
/* ndpi-fins.pcapng frame 249 */
static const uint8_t fins_t249[] = {
	0x46, 0x49, 0x4e, 0x53, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
/* ndpi-fins.pcapng frame 251 */
static const uint8_t fins_t251[] = {
	0x46, 0x49, 0x4e, 0x53, 0x00, 0x00, 0x00, 0x15, 0x00, 0x00, 0x00, 0x02,
	0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x02, 0x00, 0xc8, 0x00, 0x00, 0x00,
	0xef, 0x05, 0x05, 0x01, 0x00,
};
/* ndpi-fins.pcapng frame 252 */
static const uint8_t fins_t252[] = {
	0x46, 0x49, 0x4e, 0x53, 0x00, 0x00, 0x00, 0x72, 0x00, 0x00, 0x00, 0x02,
	0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x00, 0xfb, 0xef, 0x00, 0xc8,
	0x00, 0x05, 0x05, 0x01, 0x00, 0x00, 0x43, 0x50, 0x31, 0x4c, 0x2d, 0x45,
	0x4c, 0x32, 0x30, 0x44, 0x52, 0x2d, 0x44, 0x00, 0x00, 0x00, 0x20, 0x20,
	0x20, 0x20, 0x30, 0x31, 0x2e, 0x30, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x30, 0x31, 0x2e, 0x30, 0x36, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x03, 0x00, 0x0a, 0x17, 0x2a, 0x10, 0x08, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00,
};

TEST(real_udp_read_command_marks_the_plc)
{
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 58722, 9600);
	struct dec_out out;
	bool m;

	CHECK_EQ_INT(lt_run("fins", &c, fins_u1, sizeof(fins_u1), &out, &m), 2);
	CHECK(m);
	/* truth.tsv: ndpi-fins.pcapng 10.130.130.130 app_protocol FINS (the receiver on 9600). */
	CHECK_STR(lt_get(&out, "app_protocol", OBS_DST), "FINS");
	CHECK(lt_get(&out, "app_protocol", OBS_SRC) == NULL);
	CHECK_STR(lt_get(&out, "fins_command", OBS_DST), "Memory Area Read");
	CHECK(lt_obs(&out, "fins_write") == NULL);
}

TEST(real_write_and_run_stop)
{
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 58722, 9600);
	struct dec_out out;
	bool m;

	CHECK(lt_run("fins", &c, fins_u20, sizeof(fins_u20), &out, &m) > 0);
	CHECK_STR(lt_get(&out, "fins_write", OBS_DST), "Memory Area Write");
	CHECK(lt_run("fins", &c, fins_u39, sizeof(fins_u39), &out, &m) > 0);
	CHECK_STR(lt_get(&out, "fins_run_stop", OBS_DST), "run");
	CHECK(lt_run("fins", &c, fins_u43, sizeof(fins_u43), &out, &m) > 0);
	CHECK_STR(lt_get(&out, "fins_run_stop", OBS_DST), "stop");
	CHECK_STR(lt_get(&out, "fins_command", OBS_DST), "Stop");
}

TEST(real_udp_controller_data_response)
{
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 9600, 54855);
	struct dec_out out;
	bool m;

	c.from_initiator = false;
	CHECK(lt_run("fins", &c, fins_u257, sizeof(fins_u257), &out, &m) > 0);
	CHECK(m);
	/* truth.tsv: ndpi-fins.pcapng 10.1.1.164 app_protocol FINS (the sender on 9600). */
	CHECK_STR(lt_get(&out, "app_protocol", OBS_SRC), "FINS");
	CHECK_STR(lt_get(&out, "fins_controller_model", OBS_SRC), "CP1L-EL20DR-D");
	CHECK_STR(lt_get(&out, "fins_controller_version", OBS_SRC), "01.00");
	CHECK(lt_obs(&out, "fins_command") == NULL);
}

TEST(real_tcp_framing)
{
	struct dec_ctx c = lt_ctx(IPPROTO_TCP, 17134, 9600);
	struct dec_ctx s = lt_ctx(IPPROTO_TCP, 9600, 17134);
	struct dec_out out;
	bool m;

	s.from_initiator = false;
	/* Node address exchange: FINS framing only. */
	CHECK_EQ_INT(lt_run("fins", &c, fins_t249, sizeof(fins_t249), &out, &m), 1);
	CHECK(m);
	CHECK_STR(lt_get(&out, "app_protocol", OBS_DST), "FINS");
	CHECK(lt_run("fins", &c, fins_t251, sizeof(fins_t251), &out, &m) > 0);
	CHECK_STR(lt_get(&out, "fins_command", OBS_DST), "Controller Data Read");
	CHECK(lt_run("fins", &s, fins_t252, sizeof(fins_t252), &out, &m) > 0);
	CHECK(m);
	CHECK_STR(lt_get(&out, "app_protocol", OBS_SRC), "FINS");
	CHECK_STR(lt_get(&out, "fins_controller_model", OBS_SRC), "CP1L-EL20DR-D");
}

TEST(tcp_without_the_port_uses_the_flow_direction)
{
	struct dec_ctx s = lt_ctx(IPPROTO_TCP, 9601, 40000);
	struct dec_out out;
	bool m;

	s.from_initiator = false;
	CHECK(lt_run("fins", &s, fins_t252, sizeof(fins_t252), &out, &m) > 0);
	CHECK(m);
	CHECK_STR(lt_get(&out, "app_protocol", OBS_SRC), "FINS");
}

TEST(two_tcp_messages_in_one_segment)
{
	uint8_t pkt[sizeof(fins_t249) + sizeof(fins_t251)];
	struct dec_ctx c = lt_ctx(IPPROTO_TCP, 17134, 9600);
	struct dec_out out;
	bool m;

	memcpy(pkt, fins_t249, sizeof(fins_t249));
	memcpy(pkt + sizeof(fins_t249), fins_t251, sizeof(fins_t251));
	CHECK(lt_run("fins", &c, pkt, sizeof(pkt), &out, &m) > 0);
	CHECK_STR(lt_get(&out, "fins_command", OBS_DST), "Controller Data Read");
}

TEST(bad_headers_are_refused)
{
	uint8_t pkt[sizeof(fins_u1)];
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 58722, 9600);
	struct dec_ctx other = lt_ctx(IPPROTO_UDP, 58722, 9601);
	struct dec_ctx t = lt_ctx(IPPROTO_TCP, 17134, 9600);
	uint8_t tp[sizeof(fins_t249)];
	struct dec_out out;
	bool m;

	memcpy(pkt, fins_u1, sizeof(pkt));
	pkt[0] = 0x82; /* reserved ICF bit */
	CHECK_EQ_INT(lt_run("fins", &c, pkt, sizeof(pkt), &out, &m), 0);
	CHECK(!m);
	memcpy(pkt, fins_u1, sizeof(pkt));
	pkt[1] = 1; /* RSV */
	CHECK_EQ_INT(lt_run("fins", &c, pkt, sizeof(pkt), &out, &m), 0);
	CHECK(!m);
	memcpy(pkt, fins_u1, sizeof(pkt));
	pkt[2] = 8; /* gateway count */
	CHECK_EQ_INT(lt_run("fins", &c, pkt, sizeof(pkt), &out, &m), 0);
	CHECK(!m);
	CHECK_EQ_INT(lt_run("fins", &c, fins_u1, 11, &out, &m), 0);
	CHECK(!m);
	lt_run("fins", &other, fins_u1, sizeof(fins_u1), &out, &m);
	CHECK(!m);
	memcpy(tp, fins_t249, sizeof(tp));
	tp[0] = 'X';
	CHECK_EQ_INT(lt_run("fins", &t, tp, sizeof(tp), &out, &m), 0);
	CHECK(!m);
	memcpy(tp, fins_t249, sizeof(tp));
	tp[11] = 9; /* FINS/TCP command */
	CHECK_EQ_INT(lt_run("fins", &t, tp, sizeof(tp), &out, &m), 0);
	CHECK(!m);
}

TEST(tcp_lengths)
{
	uint8_t pkt[sizeof(fins_t251)];
	struct dec_ctx c = lt_ctx(IPPROTO_TCP, 17134, 9600);
	struct dec_out out;
	bool m;

	/* A message longer than the segment continues in the next one: decode what arrived. */
	memcpy(pkt, fins_t251, sizeof(pkt));
	pkt[7] = 0x40;
	CHECK(lt_run("fins", &c, pkt, sizeof(pkt), &out, &m) > 0);
	CHECK_STR(lt_get(&out, "fins_command", OBS_DST), "Controller Data Read");
	/* A response cut before the model: no model. */
	CHECK(lt_run("fins", &c, fins_t252, 40, &out, &m) > 0);
	CHECK(lt_obs(&out, "fins_controller_model") == NULL);
	memcpy(pkt, fins_t251, sizeof(pkt));
	pkt[7] = 0x0a; /* a FINS frame too short for its header */
	CHECK_EQ_INT(lt_run("fins", &c, pkt, sizeof(pkt), &out, &m), -1);
}

TEST(response_sent_to_the_plc_port_lends_no_identity)
{
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 58722, 9600);
	struct dec_out out;
	bool m;

	/* ndpi-fins.pcapng replays PLC responses from a client port to 9600: the client is no PLC. */
	CHECK_EQ_INT(lt_run("fins", &c, fins_u257, sizeof(fins_u257), &out, &m), 1);
	CHECK(m);
	CHECK_STR(lt_get(&out, "app_protocol", OBS_DST), "FINS");
	CHECK(lt_obs(&out, "fins_controller_model") == NULL);
}

TEST(plc_to_plc_marks_both)
{
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 9600, 9600);
	struct dec_out out;
	bool m;

	CHECK(lt_run("fins", &c, fins_u39, sizeof(fins_u39), &out, &m) > 0);
	CHECK_STR(lt_get(&out, "app_protocol", OBS_SRC), "FINS");
	CHECK_STR(lt_get(&out, "app_protocol", OBS_DST), "FINS");
	CHECK_STR(lt_get(&out, "fins_run_stop", OBS_DST), "run");
}

TEST(error_response_has_no_model)
{
	uint8_t pkt[sizeof(fins_u257)];
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 9600, 54855);
	struct dec_out out;
	bool m;

	memcpy(pkt, fins_u257, sizeof(pkt));
	pkt[13] = 0x01; /* end code 0x0001: service canceled */
	CHECK(lt_run("fins", &c, pkt, sizeof(pkt), &out, &m) > 0);
	CHECK(lt_obs(&out, "fins_controller_model") == NULL);
	/* A response too short for the model field. */
	CHECK(lt_run("fins", &c, fins_u257, 30, &out, &m) > 0);
	CHECK(lt_obs(&out, "fins_controller_model") == NULL);
}

int main(void)
{
	RUN(real_udp_read_command_marks_the_plc);
	RUN(real_write_and_run_stop);
	RUN(real_udp_controller_data_response);
	RUN(real_tcp_framing);
	RUN(tcp_without_the_port_uses_the_flow_direction);
	RUN(two_tcp_messages_in_one_segment);
	RUN(bad_headers_are_refused);
	RUN(tcp_lengths);
	RUN(response_sent_to_the_plc_port_lends_no_identity);
	RUN(plc_to_plc_marks_both);
	RUN(error_response_has_no_model);
	return testlib_summary();
}
