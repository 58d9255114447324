// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests for user/decoders/coap.c on real packets from the corpus (ndpi-coap-mqtt.pcap: app_protocol COAP on
 * the servers, per /work/shared/corpus/truth.tsv) and on crafted messages for extended option deltas and
 * lengths, the payload marker, reserved values and multicast requests.
 */
#include "bb_test.h"

extern const struct decoder dec_coap;

/* ndpi-coap-mqtt.pcap frame 1: 2001:da8:215:1171:a10b:cb48:8f83:57f6:61043 -> port 5683, 24 bytes */
static const uint8_t scan_get[] = {
	0x43, 0x01, 0x05, 0xca, 0x72, 0x16, 0x33, 0x2b, 0x2e, 0x77, 0x65, 0x6c, 0x6c, 0x2d, 0x6b, 0x6e,
	0x6f, 0x77, 0x6e, 0x04, 0x63, 0x6f, 0x72, 0x65,
};
/* ndpi-coap-mqtt.pcap frame 5: 2001:da8:215:1171:a10b:cb48:8f83:57f6:61047 -> port 5683, 28 bytes */
static const uint8_t scan_odd_options[] = {
	0x45, 0x01, 0x8a, 0x74, 0x72, 0x16, 0x33, 0x2b, 0x2e, 0x77, 0x65, 0x6c, 0x6c, 0x2d, 0x6b, 0x6e,
	0x6f, 0x77, 0x6e, 0x04, 0x63, 0x6f, 0x72, 0x65, 0x10, 0x12, 0x3d, 0xd4,
};
/* ndpi-coap-mqtt.pcap frame 6: bbbb::1:33499 -> port 5683, 19 bytes */
static const uint8_t get_separate[] = {
	0x42, 0x01, 0xe9, 0x1b, 0x07, 0x90, 0xb8, 0x73, 0x65, 0x70, 0x61, 0x72, 0x61, 0x74, 0x65, 0x10,
	0xd1, 0x23, 0x11,
};
/* ndpi-coap-mqtt.pcap frame 7: bbbb::3:5683 -> port 33499, 4 bytes */
static const uint8_t empty_ack[] = {
	0x60, 0x00, 0xe9, 0x1b,
};
/* ndpi-coap-mqtt.pcap frame 8: bbbb::3:5683 -> port 33499, 129 bytes */
static const uint8_t content_205[] = {
	0x42, 0x45, 0x57, 0x0f, 0x07, 0x90, 0xff, 0x54, 0x68, 0x69, 0x73, 0x20, 0x6d, 0x65, 0x73, 0x73,
	0x61, 0x67, 0x65, 0x20, 0x77, 0x61, 0x73, 0x20, 0x73, 0x65, 0x6e, 0x74, 0x20, 0x62, 0x79, 0x20,
	0x61, 0x20, 0x73, 0x65, 0x70, 0x61, 0x72, 0x61, 0x74, 0x65, 0x20, 0x72, 0x65, 0x73, 0x70, 0x6f,
	0x6e, 0x73, 0x65, 0x2e, 0x0a, 0x59, 0x6f, 0x75, 0x72, 0x20, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74,
	0x20, 0x77, 0x69, 0x6c, 0x6c, 0x20, 0x6e, 0x65, 0x65, 0x64, 0x20, 0x74, 0x6f, 0x20, 0x61, 0x63,
	0x6b, 0x6e, 0x6f, 0x77, 0x6c, 0x65, 0x64, 0x67, 0x65, 0x20, 0x69, 0x74, 0x2c, 0x20, 0x6f, 0x74,
	0x68, 0x65, 0x72, 0x77, 0x69, 0x73, 0x65, 0x20, 0x69, 0x74, 0x20, 0x77, 0x69, 0x6c, 0x6c, 0x20,
	0x62, 0x65, 0x20, 0x72, 0x65, 0x74, 0x72, 0x61, 0x6e, 0x73, 0x6d, 0x69, 0x74, 0x74, 0x65, 0x64,
	0x2e,
};
/* ndpi-coap-mqtt.pcap frame 14: bbbb::1:46819 -> port 5683, 30 bytes */
static const uint8_t put_myresource[] = {
	0x40, 0x03, 0x95, 0x22, 0xb7, 0x73, 0x74, 0x6f, 0x72, 0x61, 0x67, 0x65, 0x0a, 0x6d, 0x79, 0x72,
	0x65, 0x73, 0x6f, 0x75, 0x72, 0x63, 0x65, 0xff, 0x6d, 0x79, 0x64, 0x61, 0x74, 0x61,
};

/* CON GET coap://example.net/temp/now?unit=c, Size1 (60 = 15 + 13 + 0x20: an extended delta), a payload. */
static const uint8_t crafted_get[] = {
	0x41, 0x01, 0x12, 0x34, 0xaa,				/* CON, tkl 1, GET, mid, token */
	0x3b, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'n', 'e', 't',	/* 3 Uri-Host */
	0x84, 't', 'e', 'm', 'p',				/* 11 Uri-Path */
	0x03, 'n', 'o', 'w',					/* 11 Uri-Path */
	0x46, 'u', 'n', 'i', 't', '=', 'c',			/* 15 Uri-Query */
	0xd1, 0x20, 0x10,					/* 60 Size1 = 16 */
	0xff, 'x',						/* payload */
};

TEST(scanner_get_names_the_server)
{
	struct dec_ctx c = bbt_ctx(BBT_UDP, 61043, 5683, true, 0);

	CHECK(bbt_run(&dec_coap, &c, scan_get, sizeof(scan_get)) > 0);
	CHECK_STR(bbt_get(OBS_DST, "app_protocol"), "COAP");
	CHECK_STR(bbt_get(OBS_SRC, "coap_code"), "GET");
	CHECK_STR(bbt_get(OBS_SRC, "coap_type"), "CON");
	CHECK_STR(bbt_get(OBS_SRC, "coap_version"), "1");
	/* Its ".well-known" travels in option 2, which is not Uri-Path. */
	CHECK(bbt_get(OBS_DST, "coap_uri_path") == NULL);
	CHECK(bbt_get(OBS_SRC, "service") == NULL);
	c.sport = 61047;
	CHECK(bbt_run(&dec_coap, &c, scan_odd_options, sizeof(scan_odd_options)) > 0);
	CHECK_STR(bbt_get(OBS_DST, "app_protocol"), "COAP");
}

TEST(get_separate_and_response)
{
	struct dec_ctx c = bbt_ctx(BBT_UDP, 33499, 5683, true, 0);

	CHECK(bbt_run(&dec_coap, &c, get_separate, sizeof(get_separate)) > 0);
	CHECK_STR(bbt_get(OBS_DST, "coap_uri_path"), "/separate");
	c = bbt_ctx(BBT_UDP, 5683, 33499, false, 0);
	CHECK(bbt_run(&dec_coap, &c, content_205, sizeof(content_205)) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "coap_code"), "2.05");
	CHECK_STR(bbt_get(OBS_SRC, "app_protocol"), "COAP");
	CHECK_STR(bbt_get(OBS_SRC, "service"), "udp/5683");
	CHECK(bbt_get(OBS_DST, "app_protocol") == NULL);
}

TEST(empty_ack)
{
	struct dec_ctx c = bbt_ctx(BBT_UDP, 5683, 33499, false, 0);

	CHECK(bbt_run(&dec_coap, &c, empty_ack, sizeof(empty_ack)) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "coap_type"), "ACK");
	CHECK(bbt_get(OBS_SRC, "coap_code") == NULL);
	CHECK(bbt_get(OBS_SRC, "service") == NULL);
}

TEST(put_two_segment_path)
{
	struct dec_ctx c = bbt_ctx(BBT_UDP, 46819, 5683, true, 0);

	CHECK(bbt_run(&dec_coap, &c, put_myresource, sizeof(put_myresource)) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "coap_code"), "PUT");
	CHECK_STR(bbt_get(OBS_DST, "coap_uri_path"), "/storage/myresource");
}

TEST(crafted_host_path_query)
{
	struct dec_ctx c = bbt_ctx(BBT_UDP, 40000, 5683, true, 0);

	CHECK(bbt_run(&dec_coap, &c, crafted_get, sizeof(crafted_get)) > 0);
	CHECK_STR(bbt_get(OBS_DST, "coap_uri_host"), "example.net");
	CHECK_STR(bbt_get(OBS_DST, "coap_uri_path"), "/temp/now");
	CHECK_STR(bbt_get(OBS_DST, "coap_uri_query"), "unit=c");
}

/* A request to the CoAP multicast group describes no device at the destination. */
TEST(multicast_request)
{
	static const uint8_t all_coap[16] = { 0xff, 0x02, [15] = 0xfd };
	struct dec_ctx c = bbt_ctx(BBT_UDP, 40000, 5683, true, 0);

	dec_addr_from_v6(&c.dst_ip, all_coap);
	CHECK(bbt_run(&dec_coap, &c, crafted_get, sizeof(crafted_get)) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "app_protocol"), "COAP");
	CHECK_EQ_INT(bbt_count(OBS_DST, "app_protocol"), 0);
	CHECK(bbt_get(OBS_DST, "coap_uri_path") == NULL);
}

TEST(reserved_and_lying)
{
	const uint8_t tkl9[] = { 0x49, 0x01, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	const uint8_t class1[] = { 0x40, 0x21, 0, 1 };
	const uint8_t nibble15[] = { 0x40, 0x01, 0, 1, 0xf1, 0x00 };
	const uint8_t long_len[] = { 0x40, 0x01, 0, 1, 0xbe, 0xff, 0xff, 'a' };	/* length 269 + 65535 */
	const uint8_t cut_token[] = { 0x48, 0x01, 0, 1, 1, 2 };
	const uint8_t cut_ext[] = { 0x40, 0x01, 0, 1, 0xd0 };			/* delta 13 with no byte */
	struct dec_ctx c = bbt_ctx(BBT_UDP, 40000, 5683, true, 0);

	CHECK_EQ_INT(bbt_run(&dec_coap, &c, tkl9, sizeof(tkl9)), -1);
	CHECK_EQ_INT(bbt_run(&dec_coap, &c, class1, sizeof(class1)), -1);
	CHECK_EQ_INT(bbt_run(&dec_coap, &c, nibble15, sizeof(nibble15)), -1);
	CHECK_EQ_INT(bbt_run(&dec_coap, &c, long_len, sizeof(long_len)), -1);
	CHECK_EQ_INT(bbt_run(&dec_coap, &c, cut_token, sizeof(cut_token)), -1);
	CHECK_EQ_INT(bbt_run(&dec_coap, &c, cut_ext, sizeof(cut_ext)), -1);
	CHECK_EQ_INT(bbt_out.n, 0);
}

TEST(match_rules)
{
	const uint8_t v2[] = { 0x80, 0x01, 0, 1 };
	struct dec_ctx c = bbt_ctx(BBT_UDP, 40000, 5683, true, 0);

	CHECK(!dec_coap.match(&c, v2, sizeof(v2)));
	CHECK(!dec_coap.match(&c, empty_ack, 3));
	CHECK_EQ_INT(bbt_decode(&dec_coap, &c, v2, sizeof(v2)), 0);
	c = bbt_ctx(BBT_UDP, 40000, 5684, true, 0);
	CHECK(!dec_coap.match(&c, crafted_get, sizeof(crafted_get)));
	c = bbt_ctx(BBT_TCP, 40000, 5683, true, 0);
	CHECK(!dec_coap.match(&c, crafted_get, sizeof(crafted_get)));
}

int main(void)
{
	RUN(scanner_get_names_the_server);
	RUN(get_separate_and_response);
	RUN(empty_ack);
	RUN(put_two_segment_path);
	RUN(crafted_host_path_query);
	RUN(multicast_request);
	RUN(reserved_and_lying);
	RUN(match_rules);
	return testlib_summary();
}
