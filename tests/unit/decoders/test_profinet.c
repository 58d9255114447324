// SPDX-License-Identifier: GPL-2.0-only
/* Tests for user/decoders/profinet.c: PNIO over connectionless DCE/RPC, and PROFINET DCP (EtherType 0x8892). */
#include "decoders/decoder.h"
#include "lt_test.h"
#include "testlib.h"

/*
 * ndpi-profinet-io.pcap: frame 1, 10.10.0.150:1566 -> 10.10.0.129:34964, Read Implicit request on the device
 * interface; frame 2, the device's response.
 */
/* ndpi-profinet-io.pcap frame 1 */
static const uint8_t pn_f1[] = {
	0x04, 0x00, 0x08, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0xa0, 0xde,
	0x97, 0x6c, 0xd1, 0x11, 0x82, 0x71, 0x00, 0x01, 0x00, 0x03, 0x01, 0x5a,
	0x01, 0x00, 0xa0, 0xde, 0x97, 0x6c, 0xd1, 0x11, 0x82, 0x71, 0x00, 0xa0,
	0x24, 0x42, 0xdf, 0x7d, 0xdb, 0xab, 0xba, 0xec, 0x1d, 0x00, 0x54, 0x43,
	0xb2, 0x50, 0x0b, 0x01, 0x63, 0x0a, 0xba, 0xfd, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0xff, 0xff,
	0xff, 0xff, 0x54, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x80, 0x00, 0x00,
	0x40, 0x00, 0x00, 0x00, 0x40, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x40, 0x00, 0x00, 0x00, 0x00, 0x09, 0x00, 0x3c, 0x01, 0x00, 0x00, 0x0a,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0xf8, 0x40, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
/* ndpi-profinet-io.pcap frame 2 */
static const uint8_t pn_f2[] = {
	0x04, 0x02, 0x28, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0xa0, 0xde,
	0x97, 0x6c, 0xd1, 0x11, 0x82, 0x71, 0x00, 0x01, 0x00, 0x03, 0x01, 0x5a,
	0x01, 0x00, 0xa0, 0xde, 0x97, 0x6c, 0xd1, 0x11, 0x82, 0x71, 0x00, 0xa0,
	0x24, 0x42, 0xdf, 0x7d, 0xdb, 0xab, 0xba, 0xec, 0x1d, 0x00, 0x54, 0x43,
	0xb2, 0x50, 0x0b, 0x01, 0x63, 0x0a, 0xba, 0xfd, 0x01, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0xff, 0xff,
	0xff, 0xff, 0xbc, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xa8, 0x00, 0x00, 0x00, 0x40, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xa8, 0x00, 0x00, 0x00, 0x80, 0x09, 0x00, 0x3c, 0x01, 0x00, 0x00, 0x0a,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0xf8, 0x40, 0x00, 0x00, 0x00, 0x68, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x30, 0x00, 0x2c,
	0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x03, 0xff, 0xff, 0x01, 0x0a, 0x00, 0x01, 0xff, 0xff, 0x81, 0x40,
	0x00, 0x01, 0x00, 0x01, 0xff, 0xff, 0x81, 0x40, 0x00, 0x31, 0x00, 0x18,
	0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01,
	0xff, 0xff, 0x81, 0x40, 0x00, 0x01, 0x00, 0x01, 0xff, 0xff, 0x81, 0x40,
	0x00, 0x32, 0x00, 0x18, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x01,
};

/* A DCP Identify response, as an IO controller sends it (after the EtherType). */
static const uint8_t dcp_identify_resp[] = {
	0xfe, 0xff, 0x05, 0x01, 0x00, 0x00, 0x10, 0x01, 0x00, 0x00, 0x00, 0x42,
	/* NameOfStation "plc-line-1" */
	0x02, 0x02, 0x00, 0x0c, 0x00, 0x00, 'p', 'l', 'c', '-', 'l', 'i', 'n', 'e', '-', '1',
	/* TypeOfStation "S7-1500", odd length, one padding byte */
	0x02, 0x01, 0x00, 0x09, 0x00, 0x00, 'S', '7', '-', '1', '5', '0', '0', 0x00,
	/* DeviceID: vendor 0x002a, device 0x010e */
	0x02, 0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x2a, 0x01, 0x0e,
	/* DeviceRole: IO-Controller */
	0x02, 0x04, 0x00, 0x04, 0x00, 0x00, 0x02, 0x00,
	/* IP parameter: 192.168.0.1/24, gateway 192.168.0.1 */
	0x01, 0x02, 0x00, 0x0e, 0x00, 0x01, 192, 168, 0, 1, 255, 255, 255, 0, 192, 168, 0, 1,
};

static struct dec_ctx dcp_ctx(void)
{
	static const uint8_t mac[6] = { 0x00, 0x1b, 0x1b, 0x12, 0x34, 0x56 };
	struct dec_ctx c = lt_ctx(0, 0, 0);

	c.eth_proto = 0x8892;
	c.reason = DEC_REASON_DISCOVERY;
	memcpy(c.src_mac, mac, 6);
	return c;
}

/* Rewrites a little-endian DCE/RPC header into big-endian data representation. */
static void to_big_endian(uint8_t *p)
{
	static const int uuids[] = { 8, 24, 40 };
	uint8_t t;

	p[4] = 0x00;
	for (int i = 0; i < 3; i++) {
		uint8_t *u = p + uuids[i];

		t = u[0], u[0] = u[3], u[3] = t;
		t = u[1], u[1] = u[2], u[2] = t;
		t = u[4], u[4] = u[5], u[5] = t;
		t = u[6], u[6] = u[7], u[7] = t;
	}
	for (int off = 68; off <= 76; off += 2)
		t = p[off], p[off] = p[off + 1], p[off + 1] = t;
}

TEST(real_request_marks_the_device)
{
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 1566, 34964);
	struct dec_out out;
	bool m;

	CHECK(lt_run("profinet", &c, pn_f1, sizeof(pn_f1), &out, &m) > 0);
	CHECK(m);
	/* truth.tsv: ndpi-profinet-io.pcap 10.10.0.129 app_protocol DCERPC.PROFINET_IO (the receiver here). */
	CHECK_STR(lt_get(&out, "app_protocol", OBS_DST), "DCERPC.PROFINET_IO");
	CHECK(lt_get(&out, "app_protocol", OBS_SRC) == NULL);
	CHECK_STR(lt_get(&out, "profinet_device_role", OBS_DST), "IO-Device");
	CHECK_STR(lt_get(&out, "profinet_operation", OBS_DST), "ReadImplicit");
	CHECK_STR(lt_get(&out, "profinet_vendor_id", OBS_DST), "0x015a");
	CHECK_STR(lt_get(&out, "profinet_device_id", OBS_DST), "0x0003");
}

TEST(real_response_marks_the_sender)
{
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 34964, 1566);
	struct dec_out out;
	bool m;

	c.from_initiator = false;
	CHECK(lt_run("profinet", &c, pn_f2, sizeof(pn_f2), &out, &m) > 0);
	CHECK(m);
	/* truth.tsv: ndpi-profinet-io.pcap 10.10.0.129 app_protocol DCERPC.PROFINET_IO (the sender here). */
	CHECK_STR(lt_get(&out, "app_protocol", OBS_SRC), "DCERPC.PROFINET_IO");
	CHECK(lt_get(&out, "app_protocol", OBS_DST) == NULL);
}

TEST(dynamic_port_and_big_endian)
{
	uint8_t pkt[sizeof(pn_f1)];
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 49152, 49153);
	struct dec_out out;
	bool m;

	memcpy(pkt, pn_f1, sizeof(pkt));
	to_big_endian(pkt);
	CHECK(lt_run("profinet", &c, pkt, sizeof(pkt), &out, &m) > 0);
	CHECK(m);
	CHECK_STR(lt_get(&out, "app_protocol", OBS_DST), "DCERPC.PROFINET_IO");
	CHECK_STR(lt_get(&out, "profinet_operation", OBS_DST), "ReadImplicit");
	CHECK_STR(lt_get(&out, "profinet_vendor_id", OBS_DST), "0x015a");
}

TEST(controller_interface)
{
	uint8_t pkt[sizeof(pn_f1)];
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 49152, 34964);
	struct dec_out out;
	bool m;

	memcpy(pkt, pn_f1, sizeof(pkt));
	pkt[24] = 0x02;
	CHECK(lt_run("profinet", &c, pkt, sizeof(pkt), &out, &m) > 0);
	CHECK_STR(lt_get(&out, "profinet_device_role", OBS_DST), "IO-Controller");
}

TEST(other_rpc_is_refused)
{
	uint8_t pkt[sizeof(pn_f1)];
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 1566, 34964);
	struct dec_out out;
	bool m;

	memcpy(pkt, pn_f1, sizeof(pkt));
	pkt[24] = 0x05; /* no such PNIO interface */
	CHECK_EQ_INT(lt_run("profinet", &c, pkt, sizeof(pkt), &out, &m), 0);
	CHECK(!m);
	memcpy(pkt, pn_f1, sizeof(pkt));
	pkt[39] ^= 1; /* another interface */
	CHECK_EQ_INT(lt_run("profinet", &c, pkt, sizeof(pkt), &out, &m), 0);
	CHECK(!m);
	memcpy(pkt, pn_f1, sizeof(pkt));
	pkt[0] = 5; /* connection-oriented DCE/RPC */
	CHECK_EQ_INT(lt_run("profinet", &c, pkt, sizeof(pkt), &out, &m), 0);
	CHECK(!m);
	CHECK_EQ_INT(lt_run("profinet", &c, pn_f1, 79, &out, &m), 0);
	CHECK(!m);
	c.l4_proto = IPPROTO_TCP;
	lt_run("profinet", &c, pn_f1, sizeof(pn_f1), &out, &m);
	CHECK(!m);
}

TEST(lying_fragment_length_is_malformed)
{
	uint8_t pkt[sizeof(pn_f1)];
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 1566, 34964);
	struct dec_out out;
	bool m;

	memcpy(pkt, pn_f1, sizeof(pkt));
	pkt[74] = 0x55; /* 85 body bytes claimed, 84 present */
	CHECK_EQ_INT(lt_run("profinet", &c, pkt, sizeof(pkt), &out, &m), -1);
	CHECK_EQ_INT(out.n, 0);
	c.truncated = true;
	CHECK(lt_run("profinet", &c, pkt, sizeof(pkt), &out, &m) > 0);
}

TEST(fack_names_no_server)
{
	uint8_t pkt[sizeof(pn_f1)];
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 1566, 34964);
	struct dec_out out;
	bool m;

	memcpy(pkt, pn_f1, sizeof(pkt));
	pkt[1] = 9;
	CHECK_EQ_INT(lt_run("profinet", &c, pkt, sizeof(pkt), &out, &m), 0);
}

TEST(dcp_identify_response)
{
	struct dec_ctx c = dcp_ctx();
	struct dec_out out;
	const struct iot_obs *o;
	bool m;

	CHECK(lt_run("profinet", &c, dcp_identify_resp, sizeof(dcp_identify_resp), &out, &m) > 0);
	CHECK(m);
	CHECK_STR(lt_get(&out, "app_protocol", OBS_MAC), "PROFINET_DCP");
	CHECK_STR(lt_get(&out, "profinet_station_name", OBS_MAC), "plc-line-1");
	CHECK_STR(lt_get(&out, "profinet_type_of_station", OBS_MAC), "S7-1500");
	CHECK_STR(lt_get(&out, "profinet_vendor_id", OBS_MAC), "0x002a");
	CHECK_STR(lt_get(&out, "profinet_device_id", OBS_MAC), "0x010e");
	CHECK_STR(lt_get(&out, "profinet_device_role", OBS_MAC), "IO-Controller");
	CHECK_STR(lt_get(&out, "ip_for_mac", OBS_MAC), "192.168.0.1");
	o = lt_obs(&out, "profinet_station_name");
	CHECK(o && o->subject_mac[0] == 0x00 && o->subject_mac[5] == 0x56);
}

TEST(dcp_identify_request_and_other_frames_say_nothing)
{
	uint8_t pkt[sizeof(dcp_identify_resp)];
	struct dec_ctx c = dcp_ctx();
	struct dec_out out;
	bool m;

	/* An identify request names the station it looks for, not the sender. */
	memcpy(pkt, dcp_identify_resp, sizeof(pkt));
	pkt[1] = 0xfe;
	pkt[3] = 0x00;
	CHECK_EQ_INT(lt_run("profinet", &c, pkt, sizeof(pkt), &out, &m), 0);
	CHECK(m);
	/* Real-time cyclic data (frame id 0x8000) is not DCP. */
	memcpy(pkt, dcp_identify_resp, sizeof(pkt));
	pkt[0] = 0x80;
	pkt[1] = 0x00;
	CHECK_EQ_INT(lt_run("profinet", &c, pkt, sizeof(pkt), &out, &m), 0);
	CHECK(!m);
	/* The DCP bytes without the EtherType are not DCE/RPC. */
	c = lt_ctx(IPPROTO_UDP, 34964, 34964);
	lt_run("profinet", &c, dcp_identify_resp, sizeof(dcp_identify_resp), &out, &m);
	CHECK(!m);
}

TEST(dcp_lying_lengths_are_malformed)
{
	uint8_t pkt[sizeof(dcp_identify_resp)];
	struct dec_ctx c = dcp_ctx();
	struct dec_out out;
	bool m;

	memcpy(pkt, dcp_identify_resp, sizeof(pkt));
	pkt[11] = 0x43; /* data length one past the frame */
	CHECK_EQ_INT(lt_run("profinet", &c, pkt, sizeof(pkt), &out, &m), -1);
	CHECK_EQ_INT(out.n, 0);
	memcpy(pkt, dcp_identify_resp, sizeof(pkt));
	pkt[15] = 0x40; /* first block past the data */
	CHECK_EQ_INT(lt_run("profinet", &c, pkt, sizeof(pkt), &out, &m), -1);
	CHECK(lt_obs(&out, "profinet_station_name") == NULL);
	CHECK_EQ_INT(lt_run("profinet", &c, dcp_identify_resp, 11, &out, &m), 0);
	CHECK(!m);
}

/* Found by fuzzing the DCP path: decode() read the frame id before checking that 2 bytes exist. */
TEST(dcp_regression_tiny_frames)
{
	static const uint8_t one[1] = { 0xfe };
	struct dec_ctx c = dcp_ctx();
	struct dec_out out;
	bool m;

	CHECK_EQ_INT(lt_run("profinet", &c, one, 0, &out, &m), 0);
	CHECK(!m);
	CHECK_EQ_INT(lt_run("profinet", &c, one, 1, &out, &m), 0);
	CHECK(!m);
}

int main(void)
{
	RUN(real_request_marks_the_device);
	RUN(real_response_marks_the_sender);
	RUN(dynamic_port_and_big_endian);
	RUN(controller_interface);
	RUN(other_rpc_is_refused);
	RUN(lying_fragment_length_is_malformed);
	RUN(fack_names_no_server);
	RUN(dcp_identify_response);
	RUN(dcp_identify_request_and_other_frames_say_nothing);
	RUN(dcp_lying_lengths_are_malformed);
	RUN(dcp_regression_tiny_frames);
	return testlib_summary();
}
