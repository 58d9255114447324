// SPDX-License-Identifier: GPL-2.0-only
/* Tests for user/decoders/knx.c: KNXnet/IP headers, services and the device information DIB. */
#include "decoders/decoder.h"
#include "lt_test.h"
#include "testlib.h"

/* ndpi-knxip.pcapng frame 1: 192.168.88.231:41343 -> 224.0.23.12:3671, Search Request Extended. */
static const uint8_t knx_f1[] = {
	0x06, 0x10, 0x02, 0x0b, 0x00, 0x14, 0x08, 0x01, 0xc0, 0xa8, 0x58, 0xe7,
	0xa1, 0x7f, 0x06, 0x04, 0x01, 0x02, 0x06, 0x07,
};
/* ndpi-knxip.pcapng frame 2: the same host, Search Request. */
static const uint8_t knx_f2[] = {
	0x06, 0x10, 0x02, 0x01, 0x00, 0x0e, 0x08, 0x01, 0xc0, 0xa8, 0x58, 0xe7,
	0xa1, 0x7f,
};
/* ndpi-knxip.pcapng frame 3: TCP 192.168.1.28:3671 -> 192.168.1.24:54445, two frames in one segment. */
static const uint8_t knx_f3[] = {
	0x06, 0x10, 0x04, 0x23, 0x00, 0x0e, 0x04, 0x01, 0x02, 0x00, 0x06, 0x00,
	0x10, 0x87, 0x06, 0x10, 0x04, 0x25, 0x00, 0x0e, 0x04, 0x01, 0x03, 0x00,
	0x06, 0x00, 0x10, 0x87,
};

/* Search response: header, control endpoint HPAI, device information DIB (54), supported families DIB (10). */
static uint8_t resp[6 + 8 + 54 + 10];

static void build_search_response(void)
{
	static const uint8_t head[] = {
		0x06, 0x10, 0x02, 0x02, 0x00, sizeof(resp),
		0x08, 0x01, 192, 168, 1, 28, 0x0e, 0x57,
		54, 0x01, 0x02, 0x00, 0x11, 0x05, 0x00, 0x00,
		0x00, 0xc5, 0x01, 0x02, 0x03, 0x04,
		224, 0, 23, 12,
		0x00, 0x50, 0xc2, 0x79, 0x3e, 0x03,
	};
	static const uint8_t fam[] = { 10, 0x02, 0x02, 0x01, 0x03, 0x01, 0x04, 0x01, 0x05, 0x01 };

	memset(resp, 0, sizeof(resp));
	memcpy(resp, head, sizeof(head));
	memcpy(resp + sizeof(head), "Enertex KNX IP Router", 21);
	memcpy(resp + 6 + 8 + 54, fam, sizeof(fam));
}

TEST(real_search_requests)
{
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 41343, 3671);
	struct dec_out out;
	bool m;

	CHECK_EQ_INT(lt_run("knx", &c, knx_f1, sizeof(knx_f1), &out, &m), 2);
	CHECK(m);
	/* truth.tsv: ndpi-knxip.pcapng 192.168.88.231 app_protocol KNXnet_IP (the sender). */
	CHECK_STR(lt_get(&out, "app_protocol", OBS_SRC), "KNXnet_IP");
	CHECK_STR(lt_get(&out, "knx_service", OBS_SRC), "search_request_ext");
	CHECK_EQ_INT(lt_run("knx", &c, knx_f2, sizeof(knx_f2), &out, &m), 2);
	CHECK(m);
	CHECK_STR(lt_get(&out, "knx_service", OBS_SRC), "search_request");
}

TEST(real_tcp_segment_with_two_frames)
{
	struct dec_ctx c = lt_ctx(IPPROTO_TCP, 3671, 54445);
	struct dec_out out;
	bool m;

	c.from_initiator = false;
	CHECK_EQ_INT(lt_run("knx", &c, knx_f3, sizeof(knx_f3), &out, &m), 3);
	CHECK(m);
	/* truth.tsv: ndpi-knxip.pcapng 192.168.1.28 app_protocol KNXnet_IP (the sender). */
	CHECK_STR(lt_get(&out, "app_protocol", OBS_SRC), "KNXnet_IP");
	CHECK_EQ_INT(lt_count(&out, "knx_service"), 2);
	CHECK_STR(out.obs[1].value, "tunnelling_feature_response");
	CHECK_STR(out.obs[2].value, "tunnelling_feature_info");
}

TEST(search_response_device_dib)
{
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 3671, 41343);
	struct dec_out out;
	bool m;

	build_search_response();
	CHECK(lt_run("knx", &c, resp, sizeof(resp), &out, &m) > 0);
	CHECK(m);
	CHECK_STR(lt_get(&out, "knx_service", OBS_SRC), "search_response");
	CHECK_STR(lt_get(&out, "knx_friendly_name", OBS_SRC), "Enertex KNX IP Router");
	CHECK_STR(lt_get(&out, "knx_serial", OBS_SRC), "00c501020304");
	CHECK_STR(lt_get(&out, "knx_individual_address", OBS_SRC), "1.1.5");
	CHECK_STR(lt_get(&out, "knx_mac", OBS_SRC), "00:50:c2:79:3e:03");
}

TEST(description_response_device_dib)
{
	uint8_t d[6 + 54 + 10];
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 3671, 41343);
	struct dec_out out;
	bool m;

	build_search_response();
	memcpy(d, resp, 6);
	d[3] = 0x04;
	d[5] = sizeof(d);
	memcpy(d + 6, resp + 14, 64);
	CHECK(lt_run("knx", &c, d, sizeof(d), &out, &m) > 0);
	CHECK_STR(lt_get(&out, "knx_service", OBS_SRC), "description_response");
	CHECK_STR(lt_get(&out, "knx_friendly_name", OBS_SRC), "Enertex KNX IP Router");
}

TEST(bad_headers_are_refused)
{
	uint8_t pkt[sizeof(knx_f2)];
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 41343, 3671);
	struct dec_ctx other = lt_ctx(IPPROTO_UDP, 41343, 3672);
	struct dec_out out;
	bool m;

	memcpy(pkt, knx_f2, sizeof(pkt));
	pkt[1] = 0x20; /* protocol version 2.0 does not exist */
	CHECK_EQ_INT(lt_run("knx", &c, pkt, sizeof(pkt), &out, &m), 0);
	CHECK(!m);
	memcpy(pkt, knx_f2, sizeof(pkt));
	pkt[0] = 0x08; /* header length */
	CHECK_EQ_INT(lt_run("knx", &c, pkt, sizeof(pkt), &out, &m), 0);
	CHECK(!m);
	CHECK_EQ_INT(lt_run("knx", &c, knx_f2, 5, &out, &m), 0);
	CHECK(!m);
	lt_run("knx", &other, knx_f2, sizeof(knx_f2), &out, &m);
	CHECK(!m);
}

TEST(lying_lengths_are_malformed)
{
	uint8_t pkt[sizeof(knx_f3)];
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 3671, 54445);
	struct dec_ctx t = lt_ctx(IPPROTO_TCP, 3671, 54445);
	struct dec_out out;
	bool m;

	/* Total length past the datagram. */
	memcpy(pkt, knx_f3, sizeof(pkt));
	pkt[19] = 0x20;
	CHECK_EQ_INT(lt_run("knx", &c, pkt, sizeof(pkt), &out, &m), -1);
	/* Cut by the snapshot length, or over TCP continued in the next segment: not malformed. */
	c.truncated = true;
	CHECK(lt_run("knx", &c, pkt, sizeof(pkt), &out, &m) > 0);
	c.truncated = false;
	CHECK_EQ_INT(lt_run("knx", &t, pkt, sizeof(pkt), &out, &m), 3);
	/* Total length below the header: no progress possible. */
	memcpy(pkt, knx_f3, sizeof(pkt));
	pkt[5] = 0x02;
	CHECK_EQ_INT(lt_run("knx", &c, pkt, sizeof(pkt), &out, &m), 0);
	CHECK(!m);
	/* Second frame with a wrong version. */
	memcpy(pkt, knx_f3, sizeof(pkt));
	pkt[15] = 0x11;
	CHECK_EQ_INT(lt_run("knx", &c, pkt, sizeof(pkt), &out, &m), -1);
	/* A DIB that claims more bytes than the frame. */
	build_search_response();
	resp[14] = 70;
	CHECK_EQ_INT(lt_run("knx", &c, resp, sizeof(resp), &out, &m), -1);
	CHECK(lt_get(&out, "knx_friendly_name", OBS_SRC) == NULL);
	/* A zero-length DIB would loop forever if accepted. */
	build_search_response();
	resp[14] = 0;
	CHECK_EQ_INT(lt_run("knx", &c, resp, sizeof(resp), &out, &m), -1);
}

TEST(zero_serial_and_mac_are_not_identities)
{
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 3671, 41343);
	struct dec_out out;
	bool m;

	build_search_response();
	memset(resp + 14 + 8, 0, 6);
	memset(resp + 14 + 18, 0, 6);
	CHECK(lt_run("knx", &c, resp, sizeof(resp), &out, &m) > 0);
	CHECK(lt_get(&out, "knx_serial", OBS_SRC) == NULL);
	CHECK(lt_get(&out, "knx_mac", OBS_SRC) == NULL);
	CHECK_STR(lt_get(&out, "knx_friendly_name", OBS_SRC), "Enertex KNX IP Router");
}

int main(void)
{
	RUN(real_search_requests);
	RUN(real_tcp_segment_with_two_frames);
	RUN(search_response_device_dib);
	RUN(description_response_device_dib);
	RUN(bad_headers_are_refused);
	RUN(lying_lengths_are_malformed);
	RUN(zero_serial_and_mac_are_not_identities);
	return testlib_summary();
}
