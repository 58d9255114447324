// SPDX-License-Identifier: GPL-2.0-only
/* Tests for user/decoders/hartip.c: HART-IP headers and the identity commands inside Pass Through PDUs. */
#include "decoders/decoder.h"
#include "lt_test.h"
#include "testlib.h"

/* ndpi-hart-ip.pcap: UDP 192.168.0.101:49905 <-> 192.168.0.10:5094, TCP 192.168.0.101:49559 <-> :5094. */
/* ndpi-hart-ip.pcap frame 1 */
static const uint8_t hart_u1[] = {
	0x01, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x0d, 0x01, 0x00, 0x00, 0x75,
	0x30,
};
/* ndpi-hart-ip.pcap frame 4 */
static const uint8_t hart_u4[] = {
	0x01, 0x01, 0x03, 0x00, 0x00, 0x03, 0x00, 0x29, 0x86, 0x26, 0x4e, 0x00,
	0x00, 0xd2, 0x00, 0x18, 0x00, 0xd0, 0xfe, 0x26, 0x4e, 0x05, 0x07, 0x04,
	0x01, 0x0e, 0x0c, 0x00, 0x00, 0xd2, 0x05, 0x02, 0x00, 0x02, 0xd0, 0x00,
	0x26, 0x00, 0x26, 0x84, 0xe4,
};
/* ndpi-hart-ip.pcap frame 18 */
static const uint8_t hart_u18[] = {
	0x01, 0x01, 0x03, 0x00, 0x00, 0x0a, 0x00, 0x33, 0x86, 0x26, 0x4e, 0x00,
	0x00, 0xd2, 0x14, 0x22, 0x00, 0xd0, 0x77, 0x69, 0x68, 0x61, 0x72, 0x74,
	0x67, 0x77, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0xdb,
};
/* ndpi-hart-ip.pcap frame 21 */
static const uint8_t hart_u21[] = {
	0x01, 0x00, 0x02, 0x00, 0x00, 0x0c, 0x00, 0x08,
};
/* ndpi-hart-ip.pcap frame 33 */
static const uint8_t hart_t33[] = {
	0x01, 0x01, 0x03, 0x00, 0x00, 0x03, 0x00, 0x25, 0x06, 0x00, 0x00, 0x18,
	0x00, 0xd0, 0xfe, 0x26, 0x4e, 0x05, 0x07, 0x04, 0x01, 0x0e, 0x0c, 0x00,
	0x00, 0xd2, 0x05, 0x02, 0x00, 0x02, 0xd0, 0x00, 0x26, 0x00, 0x26, 0x84,
	0xde,
};

TEST(real_session_initiate_request_from_client)
{
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 49905, 5094);
	struct dec_out out;
	bool m;

	CHECK_EQ_INT(lt_run("hartip", &c, hart_u1, sizeof(hart_u1), &out, &m), 2);
	CHECK(m);
	/* truth.tsv: ndpi-hart-ip.pcap 192.168.0.101 app_protocol HART-IP (the client, sender here). */
	CHECK_STR(lt_get(&out, "app_protocol", OBS_SRC), "HART-IP");
	CHECK_STR(lt_get(&out, "hartip_message", OBS_SRC), "Session Initiate Request");
}

TEST(real_keep_alive_header_only)
{
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 49905, 5094);
	struct dec_out out;
	bool m;

	CHECK_EQ_INT(lt_run("hartip", &c, hart_u21, sizeof(hart_u21), &out, &m), 2);
	CHECK(m);
	CHECK_STR(lt_get(&out, "hartip_message", OBS_SRC), "Keep Alive Request");
}

TEST(real_command0_response_identifies_device)
{
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 5094, 49905);
	struct dec_out out;
	bool m;

	c.from_initiator = false;
	CHECK(lt_run("hartip", &c, hart_u4, sizeof(hart_u4), &out, &m) > 0);
	CHECK(m);
	/* truth.tsv: ndpi-hart-ip.pcap 192.168.0.10 app_protocol HART-IP (the server, sender here). */
	CHECK_STR(lt_get(&out, "app_protocol", OBS_SRC), "HART-IP");
	CHECK_STR(lt_get(&out, "hartip_message", OBS_SRC), "Pass Through Response");
	CHECK_STR(lt_get(&out, "hartip_hart_revision", OBS_SRC), "7");
	CHECK_STR(lt_get(&out, "hartip_device_type", OBS_SRC), "0x264e");
	CHECK_STR(lt_get(&out, "hartip_manufacturer_id", OBS_SRC), "0x0026");
	CHECK_STR(lt_get(&out, "hartip_device_id", OBS_SRC), "0x0000d2");
}

TEST(real_tcp_command0_short_frame)
{
	struct dec_ctx c = lt_ctx(IPPROTO_TCP, 5094, 49559);
	struct dec_out out;
	bool m;

	CHECK(lt_run("hartip", &c, hart_t33, sizeof(hart_t33), &out, &m) > 0);
	CHECK(m);
	CHECK_STR(lt_get(&out, "hartip_device_type", OBS_SRC), "0x264e");
	CHECK_STR(lt_get(&out, "hartip_device_id", OBS_SRC), "0x0000d2");
}

TEST(real_command20_long_tag)
{
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 5094, 49905);
	struct dec_out out;
	bool m;

	CHECK(lt_run("hartip", &c, hart_u18, sizeof(hart_u18), &out, &m) > 0);
	CHECK_STR(lt_get(&out, "hartip_long_tag", OBS_SRC), "wihartgw");
}

TEST(several_messages_in_one_segment)
{
	uint8_t pkt[sizeof(hart_u21) * 2 + sizeof(hart_u4)];
	struct dec_ctx c = lt_ctx(IPPROTO_TCP, 5094, 49559);
	struct dec_out out;
	bool m;

	memcpy(pkt, hart_u21, sizeof(hart_u21));
	memcpy(pkt + sizeof(hart_u21), hart_u4, sizeof(hart_u4));
	memcpy(pkt + sizeof(hart_u21) + sizeof(hart_u4), hart_u21, sizeof(hart_u21));
	CHECK(lt_run("hartip", &c, pkt, sizeof(pkt), &out, &m) > 0);
	/* Two distinct messages, the repeated keep-alive counted once. */
	CHECK_EQ_INT(lt_count(&out, "hartip_message"), 2);
	CHECK_STR(lt_get(&out, "hartip_device_type", OBS_SRC), "0x264e");
}

TEST(bad_headers_are_refused)
{
	uint8_t pkt[sizeof(hart_u1)];
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 49905, 5094);
	struct dec_ctx other = lt_ctx(IPPROTO_UDP, 49905, 5095);
	struct dec_out out;
	bool m;

	memcpy(pkt, hart_u1, sizeof(pkt));
	pkt[0] = 3; /* version */
	CHECK_EQ_INT(lt_run("hartip", &c, pkt, sizeof(pkt), &out, &m), 0);
	CHECK(!m);
	memcpy(pkt, hart_u1, sizeof(pkt));
	pkt[1] = 7; /* message type */
	CHECK_EQ_INT(lt_run("hartip", &c, pkt, sizeof(pkt), &out, &m), 0);
	CHECK(!m);
	memcpy(pkt, hart_u1, sizeof(pkt));
	pkt[2] = 9; /* message id */
	CHECK_EQ_INT(lt_run("hartip", &c, pkt, sizeof(pkt), &out, &m), 0);
	CHECK(!m);
	memcpy(pkt, hart_u1, sizeof(pkt));
	pkt[7] = 7; /* byte count below the header */
	CHECK_EQ_INT(lt_run("hartip", &c, pkt, sizeof(pkt), &out, &m), 0);
	CHECK(!m);
	CHECK_EQ_INT(lt_run("hartip", &c, hart_u1, 7, &out, &m), 0);
	CHECK(!m);
	lt_run("hartip", &other, hart_u1, sizeof(hart_u1), &out, &m);
	CHECK(!m);
}

TEST(lying_lengths_are_malformed)
{
	uint8_t pkt[sizeof(hart_u4)];
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 5094, 49905);
	struct dec_out out;
	bool m;

	/* Byte count past the datagram. */
	memcpy(pkt, hart_u4, sizeof(pkt));
	pkt[7] = 0x40;
	CHECK_EQ_INT(lt_run("hartip", &c, pkt, sizeof(pkt), &out, &m), -1);
	CHECK(lt_get(&out, "hartip_device_type", OBS_SRC) == NULL);
	/* Over TCP the same message continues in the next segment: the header is still good. */
	c.l4_proto = IPPROTO_TCP;
	CHECK_EQ_INT(lt_run("hartip", &c, pkt, sizeof(pkt), &out, &m), 2);
	CHECK_STR(lt_get(&out, "hartip_message", OBS_SRC), "Pass Through Response");
	c.l4_proto = IPPROTO_UDP;
	/* The HART PDU's own byte count past the message. */
	memcpy(pkt, hart_u4, sizeof(pkt));
	pkt[15] = 0x30;
	CHECK_EQ_INT(lt_run("hartip", &c, pkt, sizeof(pkt), &out, &m), -1);
	CHECK(lt_get(&out, "hartip_device_type", OBS_SRC) == NULL);
	/* A PDU cut before its command byte. */
	memcpy(pkt, hart_u4, sizeof(pkt));
	pkt[7] = 12;
	CHECK_EQ_INT(lt_run("hartip", &c, pkt, sizeof(pkt), &out, &m), -1);
	/* An error response code: the reply data is not an identity. */
	memcpy(pkt, hart_u4, sizeof(pkt));
	pkt[16] = 0x40;
	CHECK(lt_run("hartip", &c, pkt, sizeof(pkt), &out, &m) > 0);
	CHECK(lt_get(&out, "hartip_device_type", OBS_SRC) == NULL);
}

int main(void)
{
	RUN(real_session_initiate_request_from_client);
	RUN(real_keep_alive_header_only);
	RUN(real_command0_response_identifies_device);
	RUN(real_tcp_command0_short_frame);
	RUN(real_command20_long_tag);
	RUN(several_messages_in_one_segment);
	RUN(bad_headers_are_refused);
	RUN(lying_lengths_are_malformed);
	return testlib_summary();
}
