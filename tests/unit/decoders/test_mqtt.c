// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests for user/decoders/mqtt.c: CONNECT, SUBSCRIBE, PUBLISH and broker answers, on real packets from the
 * corpus (expected values from /work/shared/corpus/truth.tsv) and on crafted 5.0 packets, cuts, bad varints
 * and lying lengths.
 */
#include "bb_test.h"

extern const struct decoder dec_mqtt;

/* zeek-mqtt.pcap frame 1: 10.0.1.4:49327 -> port 1883, 39 bytes */
static const uint8_t zeek_connect[] = {
	0x10, 0x25, 0x00, 0x06, 0x4d, 0x51, 0x49, 0x73, 0x64, 0x70, 0x03, 0x02, 0x00, 0x05, 0x00, 0x17,
	0x70, 0x61, 0x68, 0x6f, 0x2f, 0x33, 0x34, 0x41, 0x41, 0x45, 0x35, 0x34, 0x41, 0x37, 0x35, 0x44,
	0x38, 0x33, 0x39, 0x35, 0x36, 0x36, 0x45,
};
/* zeek-mqtt.pcap frame 2: 198.41.30.241:1883 -> port 49327, 4 bytes */
static const uint8_t zeek_connack[] = {
	0x20, 0x02, 0x00, 0x00,
};
/* zeek-mqtt.pcap frame 3: 10.0.1.4:49327 -> port 1883, 18 bytes */
static const uint8_t zeek_subscribe[] = {
	0x82, 0x10, 0x00, 0x01, 0x00, 0x0b, 0x53, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x54, 0x6f, 0x70, 0x69,
	0x63, 0x00,
};
/* zeek-mqtt.pcap frame 8: 10.0.1.4:49330 -> port 1883, 39 bytes */
static const uint8_t zeek_connect2[] = {
	0x10, 0x25, 0x00, 0x06, 0x4d, 0x51, 0x49, 0x73, 0x64, 0x70, 0x03, 0x02, 0x00, 0x05, 0x00, 0x17,
	0x70, 0x61, 0x68, 0x6f, 0x2f, 0x44, 0x44, 0x45, 0x34, 0x44, 0x44, 0x41, 0x46, 0x34, 0x31, 0x30,
	0x38, 0x44, 0x33, 0x45, 0x33, 0x36, 0x33,
};
/* zeek-mqtt.pcap frame 9: 10.0.1.4:49330 -> port 1883, 27 bytes */
static const uint8_t zeek_publish_disconnect[] = {
	0x30, 0x17, 0x00, 0x0b, 0x53, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x54, 0x6f, 0x70, 0x69, 0x63, 0x48,
	0x65, 0x6c, 0x6c, 0x6f, 0x20, 0x4d, 0x51, 0x54, 0x54, 0xe0, 0x00,
};
/* ndpi-mqtt.pcapng frame 2: 192.168.0.1:41892 -> port 1883, 66 bytes */
static const uint8_t ndpi_connect_auth[] = {
	0x10, 0x40, 0x00, 0x06, 0x4d, 0x51, 0x49, 0x73, 0x64, 0x70, 0x03, 0xc2, 0x00, 0x14, 0x00, 0x16,
	0x63, 0x62, 0x61, 0x61, 0x62, 0x63, 0x62, 0x61, 0x62, 0x61, 0x63, 0x62, 0x62, 0x62, 0x62, 0x62,
	0x61, 0x61, 0x61, 0x61, 0x61, 0x62, 0x00, 0x0c, 0x30, 0x32, 0x44, 0x35, 0x30, 0x35, 0x30, 0x32,
	0x32, 0x33, 0x44, 0x33, 0x00, 0x0c, 0x30, 0x32, 0x44, 0x35, 0x30, 0x35, 0x30, 0x32, 0x32, 0x33,
	0x44, 0x33,
};
/* ndpi-mqtt.pcapng frame 9: 100.67.35.238:35035 -> port 1883, 285 bytes */
static const uint8_t ndpi_connect_311[] = {
	0x10, 0x9a, 0x02, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0xc0, 0x02, 0x58, 0x00, 0x10, 0x50,
	0x34, 0x37, 0x37, 0x37, 0x35, 0x49, 0x44, 0x31, 0x37, 0x30, 0x57, 0x32, 0x31, 0x32, 0x30, 0x00,
	0x4a, 0x69, 0x6f, 0x74, 0x61, 0x7a, 0x65, 0x77, 0x70, 0x6d, 0x6c, 0x69, 0x74, 0x68, 0x75, 0x62,
	0x2e, 0x61, 0x7a, 0x75, 0x72, 0x65, 0x2d, 0x64, 0x65, 0x76, 0x69, 0x63, 0x65, 0x73, 0x2e, 0x6e,
	0x65, 0x74, 0x2f, 0x50, 0x34, 0x37, 0x37, 0x37, 0x35, 0x49, 0x44, 0x31, 0x37, 0x30, 0x57, 0x32,
	0x31, 0x32, 0x30, 0x2f, 0x3f, 0x61, 0x70, 0x69, 0x2d, 0x76, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e,
	0x3d, 0x32, 0x30, 0x31, 0x38, 0x2d, 0x30, 0x36, 0x2d, 0x33, 0x30, 0x00, 0xb0, 0x53, 0x68, 0x61,
	0x72, 0x65, 0x64, 0x41, 0x63, 0x63, 0x65, 0x73, 0x73, 0x53, 0x69, 0x67, 0x6e, 0x61, 0x74, 0x75,
	0x72, 0x65, 0x20, 0x73, 0x69, 0x67, 0x3d, 0x4b, 0x55, 0x34, 0x55, 0x69, 0x42, 0x54, 0x66, 0x57,
	0x65, 0x25, 0x32, 0x46, 0x78, 0x73, 0x25, 0x32, 0x42, 0x67, 0x54, 0x47, 0x35, 0x57, 0x51, 0x44,
	0x4c, 0x76, 0x7a, 0x72, 0x50, 0x78, 0x34, 0x55, 0x36, 0x32, 0x48, 0x54, 0x70, 0x53, 0x6c, 0x66,
	0x6b, 0x66, 0x78, 0x72, 0x66, 0x51, 0x25, 0x33, 0x44, 0x26, 0x73, 0x65, 0x3d, 0x31, 0x36, 0x34,
	0x33, 0x30, 0x31, 0x37, 0x39, 0x34, 0x37, 0x26, 0x73, 0x72, 0x3d, 0x69, 0x6f, 0x74, 0x61, 0x7a,
	0x65, 0x77, 0x70, 0x6d, 0x6c, 0x69, 0x74, 0x68, 0x75, 0x62, 0x2e, 0x61, 0x7a, 0x75, 0x72, 0x65,
	0x2d, 0x64, 0x65, 0x76, 0x69, 0x63, 0x65, 0x73, 0x2e, 0x6e, 0x65, 0x74, 0x25, 0x32, 0x46, 0x50,
	0x34, 0x37, 0x37, 0x37, 0x35, 0x49, 0x44, 0x31, 0x37, 0x30, 0x57, 0x32, 0x31, 0x32, 0x30, 0x25,
	0x32, 0x46, 0x25, 0x33, 0x46, 0x61, 0x70, 0x69, 0x2d, 0x76, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e,
	0x25, 0x33, 0x44, 0x32, 0x30, 0x31, 0x38, 0x2d, 0x30, 0x36, 0x2d, 0x33, 0x30,
};
/* ndpi-coap-mqtt.pcap frame 31: 192.168.56.1:53528 -> port 17501, 19 bytes */
static const uint8_t coap_mqtt_connect_17501[] = {
	0x10, 0x11, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3c, 0x00, 0x05, 0x42, 0x75,
	0x73, 0x34, 0x31,
};

/* MQTT 5.0 CONNECT: user name, password, will; session expiry property. */
static const uint8_t v5_connect[] = {
	0x10, 0x3a,							/* CONNECT, remaining length 58 */
	0x00, 0x04, 'M', 'Q', 'T', 'T', 0x05, 0xc6, 0x00, 0x3c,		/* name, level 5, flags, keepalive */
	0x05, 0x11, 0x00, 0x00, 0x00, 0x0a,				/* properties: session expiry 10 */
	0x00, 0x06, 'd', 'e', 'v', '-', '4', '2',			/* client id */
	0x00,								/* will properties */
	0x00, 0x0d, 's', 't', 'a', 't', 'u', 's', '/', 'd', 'e', 'v', '-', '4', '2', /* will topic */
	0x00, 0x02, 'l', 'w',						/* will payload */
	0x00, 0x04, 'u', 's', 'e', 'r',					/* user name */
	0x00, 0x04, 'p', 'a', 's', 's',					/* password */
};

/* MQTT 5.0 SUBSCRIBE with a property and two topic filters. */
static const uint8_t v5_subscribe[] = {
	0x82, 0x11, 0x00, 0x07, 0x02, 0x0b, 0x01,	/* packet id 7; properties: subscription id 1 */
	0x00, 0x03, 'a', '/', '#', 0x01,		/* "a/#", QoS 1 */
	0x00, 0x03, 'b', '/', '+', 0x2a,		/* "b/+", options with retain handling bits */
};

TEST(zeek_connect_mqisdp)
{
	struct dec_ctx c = bbt_ctx(BBT_TCP, 49327, 1883, true, 0);

	CHECK(bbt_run(&dec_mqtt, &c, zeek_connect, sizeof(zeek_connect)) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "mqtt_client_id"), "paho/34AAE54A75D839566E");
	CHECK_STR(bbt_get(OBS_DST, "mqtt_protocol"), "MQIsdp 3.1");
	CHECK_STR(bbt_get(OBS_SRC, "mqtt_protocol"), "MQIsdp 3.1");
	CHECK_STR(bbt_get(OBS_DST, "app_protocol"), "MQTT");
	CHECK_STR(bbt_get(OBS_SRC, "app_protocol"), "MQTT");
	CHECK_STR(bbt_get(OBS_SRC, "mqtt_keepalive"), "5");
	CHECK(bbt_get(OBS_SRC, "mqtt_username_present") == NULL);

	c.sport = 49330;
	CHECK(bbt_run(&dec_mqtt, &c, zeek_connect2, sizeof(zeek_connect2)) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "mqtt_client_id"), "paho/DDE4DDAF4108D3E363");
}

TEST(zeek_connack_is_broker)
{
	struct dec_ctx c = bbt_ctx(BBT_TCP, 1883, 49327, false, 0);

	CHECK(bbt_run(&dec_mqtt, &c, zeek_connack, sizeof(zeek_connack)) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "app_protocol"), "MQTT");
	CHECK_STR(bbt_get(OBS_SRC, "service"), "tcp/1883");
	CHECK_STR(bbt_get(OBS_SRC, "mqtt_connack_code"), "0");
}

TEST(zeek_subscribe)
{
	struct dec_ctx c = bbt_ctx(BBT_TCP, 49327, 1883, true, 1);

	CHECK(bbt_run(&dec_mqtt, &c, zeek_subscribe, sizeof(zeek_subscribe)) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "mqtt_subscribe_topic"), "SampleTopic");
	CHECK_EQ_INT(bbt_count(OBS_SRC, "mqtt_subscribe_topic"), 1);
}

/* PUBLISH and DISCONNECT in one segment. */
TEST(zeek_two_packets_in_a_segment)
{
	struct dec_ctx c = bbt_ctx(BBT_TCP, 49330, 1883, true, 1);

	CHECK(bbt_run(&dec_mqtt, &c, zeek_publish_disconnect, sizeof(zeek_publish_disconnect)) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "mqtt_publish_topic"), "SampleTopic");
	CHECK_EQ_INT(bbt_count(OBS_SRC, "app_protocol"), 1);
}

TEST(ndpi_connects)
{
	struct dec_ctx c = bbt_ctx(BBT_TCP, 41892, 1883, true, 0);

	CHECK(bbt_run(&dec_mqtt, &c, ndpi_connect_auth, sizeof(ndpi_connect_auth)) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "mqtt_username_present"), "1");
	CHECK_STR(bbt_get(OBS_SRC, "mqtt_password_present"), "1");
	CHECK_STR(bbt_get(OBS_DST, "app_protocol"), "MQTT");

	c.sport = 35035;
	CHECK(bbt_run(&dec_mqtt, &c, ndpi_connect_311, sizeof(ndpi_connect_311)) > 0);
	CHECK_STR(bbt_get(OBS_DST, "app_protocol"), "MQTT");
	CHECK_STR(bbt_get(OBS_SRC, "mqtt_protocol"), "MQTT 3.1.1");
	CHECK_STR(bbt_get(OBS_SRC, "mqtt_client_id"), "P47775ID170W2120");
}

/* Port 17501: the CONNECT signature is enough to match. */
TEST(connect_on_other_port)
{
	struct dec_ctx c = bbt_ctx(BBT_TCP, 53528, 17501, true, 0);

	CHECK(bbt_run(&dec_mqtt, &c, coap_mqtt_connect_17501, sizeof(coap_mqtt_connect_17501)) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "mqtt_client_id"), "Bus41");
	CHECK_STR(bbt_get(OBS_DST, "app_protocol"), "MQTT");
	CHECK_STR(bbt_get(OBS_SRC, "app_protocol"), "MQTT");
	/* A PUBLISH on that port does not match: nothing says it is MQTT. */
	CHECK_EQ_INT(bbt_run(&dec_mqtt, &c, zeek_publish_disconnect, sizeof(zeek_publish_disconnect)), -100);
}

TEST(v5_connect)
{
	struct dec_ctx c = bbt_ctx(BBT_TCP, 40000, 1883, true, 0);

	CHECK(bbt_run(&dec_mqtt, &c, v5_connect, sizeof(v5_connect)) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "mqtt_protocol"), "MQTT 5.0");
	CHECK_STR(bbt_get(OBS_SRC, "mqtt_client_id"), "dev-42");
	CHECK_STR(bbt_get(OBS_SRC, "mqtt_will_topic"), "status/dev-42");
	CHECK_STR(bbt_get(OBS_SRC, "mqtt_keepalive"), "60");
	CHECK_STR(bbt_get(OBS_SRC, "mqtt_username_present"), "1");
	CHECK_STR(bbt_get(OBS_SRC, "mqtt_password_present"), "1");
}

TEST(v5_subscribe)
{
	struct dec_ctx c = bbt_ctx(BBT_TCP, 40000, 1883, true, 1);

	CHECK(bbt_run(&dec_mqtt, &c, v5_subscribe, sizeof(v5_subscribe)) > 0);
	CHECK_EQ_INT(bbt_count(OBS_SRC, "mqtt_subscribe_topic"), 2);
	CHECK(bbt_has(OBS_SRC, "mqtt_subscribe_topic", "a/#"));
	CHECK(bbt_has(OBS_SRC, "mqtt_subscribe_topic", "b/+"));
}

/* A CONNECT cut inside the client id: the fixed fields, not the id. */
TEST(cut_connect)
{
	struct dec_ctx c = bbt_ctx(BBT_TCP, 49327, 1883, true, 0);

	c.truncated = true;
	CHECK(bbt_run(&dec_mqtt, &c, zeek_connect, 20) > 0);
	CHECK_STR(bbt_get(OBS_SRC, "mqtt_protocol"), "MQIsdp 3.1");
	CHECK(bbt_get(OBS_SRC, "mqtt_client_id") == NULL);
	CHECK(bbt_run(&dec_mqtt, &c, zeek_connect, 9) >= 0);
	CHECK(bbt_get(OBS_SRC, "mqtt_protocol") == NULL);
}

/* A remaining length of five bytes is not MQTT; nor are bytes whose fixed-header flags are wrong. */
TEST(bad_framing)
{
	const uint8_t long_varint[] = { 0x30, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00 };
	const uint8_t bad_flags[] = { 0x81, 0x02, 0x00, 0x01 };		/* SUBSCRIBE with flags 1 */
	const uint8_t tls_on_1883[] = { 0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0, 0, 1, 0 };
	const uint8_t short_tail[] = { 0xc0, 0x00, 0x30 };			/* PINGREQ, a stray byte */
	const uint8_t mid_publish[] = { 0x30, 0x7f, 'a', 'b', 'c' };		/* cut in a small segment */
	struct dec_ctx c = bbt_ctx(BBT_TCP, 40000, 1883, true, 2);

	CHECK_EQ_INT(bbt_run(&dec_mqtt, &c, long_varint, sizeof(long_varint)), 0);
	CHECK_EQ_INT(bbt_run(&dec_mqtt, &c, bad_flags, sizeof(bad_flags)), 0);
	CHECK_EQ_INT(bbt_run(&dec_mqtt, &c, tls_on_1883, sizeof(tls_on_1883)), 0);
	CHECK_EQ_INT(bbt_run(&dec_mqtt, &c, short_tail, sizeof(short_tail)), 0);
	CHECK_EQ_INT(bbt_run(&dec_mqtt, &c, mid_publish, sizeof(mid_publish)), 0);
	CHECK_EQ_INT(bbt_out.n, 0);
}

TEST(lying_lengths)
{
	/* A CONNECT whose protocol name is not text. */
	const uint8_t bad_name[] = {
		0x10, 0x0c, 0x00, 0x04, 'M', 0x01, 'T', 'T', 0x04, 0x02, 0x00, 0x3c, 0x00, 0x00,
	};
	/* A SUBSCRIBE whose topic length runs past the packet, in either layout. */
	const uint8_t bad_sub[] = { 0x82, 0x06, 0x00, 0x01, 0x00, 0x09, 'a', 0x00 };
	/* A PUBLISH whose topic length runs past the packet: no topic. */
	const uint8_t bad_pub[] = { 0x30, 0x04, 0x00, 0x09, 'a', 'b' };
	/* A PUBLISH to a wildcard: not a topic name. */
	const uint8_t wild_pub[] = { 0x30, 0x05, 0x00, 0x03, 'a', '/', '#' };
	/* A CONNECT with an empty protocol name. */
	const uint8_t no_name[] = { 0x10, 0x08, 0x00, 0x00, 0x04, 0x02, 0x00, 0x3c, 0x00, 0x00 };
	struct dec_ctx c = bbt_ctx(BBT_TCP, 40000, 1883, true, 0);

	CHECK_EQ_INT(bbt_run(&dec_mqtt, &c, bad_name, sizeof(bad_name)), -1);
	CHECK_EQ_INT(bbt_run(&dec_mqtt, &c, no_name, sizeof(no_name)), -1);
	CHECK_EQ_INT(bbt_out.n, 0);
	CHECK_EQ_INT(bbt_run(&dec_mqtt, &c, bad_sub, sizeof(bad_sub)), -1);
	CHECK(bbt_run(&dec_mqtt, &c, bad_pub, sizeof(bad_pub)) >= 0);
	CHECK(bbt_get(OBS_SRC, "mqtt_publish_topic") == NULL);
	CHECK(bbt_run(&dec_mqtt, &c, wild_pub, sizeof(wild_pub)) >= 0);
	CHECK(bbt_get(OBS_SRC, "mqtt_publish_topic") == NULL);
}

TEST(match_rules)
{
	struct dec_ctx c = bbt_ctx(BBT_TCP, 40000, 8883, true, 0);

	CHECK(!dec_mqtt.match(&c, zeek_subscribe, sizeof(zeek_subscribe)));
	CHECK(dec_mqtt.match(&c, zeek_connect, sizeof(zeek_connect)));
	c.l4_proto = BBT_UDP;
	CHECK(!dec_mqtt.match(&c, zeek_connect, sizeof(zeek_connect)));
	CHECK_EQ_INT(bbt_decode(&dec_mqtt, &c, zeek_connect, sizeof(zeek_connect)), 0);
	c = bbt_ctx(BBT_TCP, 40000, 1883, true, 0);
	CHECK(!dec_mqtt.match(&c, zeek_connect, 0));
}

int main(void)
{
	RUN(zeek_connect_mqisdp);
	RUN(zeek_connack_is_broker);
	RUN(zeek_subscribe);
	RUN(zeek_two_packets_in_a_segment);
	RUN(ndpi_connects);
	RUN(connect_on_other_port);
	RUN(v5_connect);
	RUN(v5_subscribe);
	RUN(cut_connect);
	RUN(bad_framing);
	RUN(lying_lengths);
	RUN(match_rules);
	return testlib_summary();
}
