// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests for user/decoders/bacnet.c: every I-Am of icsnpp-bacnet-example.pcap against truth.tsv, device
 * ReadProperty answers, reinitializeDevice, the nDPI scanner probes and broadcasts (ndpi-bacnet.pcapng), and
 * crafted APDUs for every branch (Forwarded-NPDU, routed I-Am, ReadPropertyMultiple, writes, lying lengths,
 * truncation).
 */
#include "decoders/decoder.h"
#include "testlib.h"
#include "ot_testutil.h"

extern const struct decoder dec_bacnet;

#define UDP 17

/* Every I-Am of icsnpp-bacnet-example.pcap (first per device) with its truth.tsv facts. */
static const struct {
	const char *ip, *instance, *vendor;
	uint8_t pdu[20];
} i_am_truth[] = {
	/* frame 74 */
	{ "172.20.32.108", "721", "Cornell University",
	  { 0x81, 0x0a, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02,
	    0x00, 0x02, 0xd1, 0x22, 0x04, 0x00, 0x91, 0x03, 0x21, 0x0f } },
	/* frame 76 */
	{ "172.20.32.107", "456", "Scada Engine",
	  { 0x81, 0x0a, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02,
	    0x00, 0x01, 0xc8, 0x22, 0x04, 0x00, 0x91, 0x03, 0x21, 0x7b } },
	/* frame 78 */
	{ "172.20.32.119", "303", "D-Tek Controls",
	  { 0x81, 0x0a, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02,
	    0x00, 0x01, 0x2f, 0x22, 0x04, 0x00, 0x91, 0x03, 0x21, 0x67 } },
	/* frame 80 */
	{ "172.20.32.104", "165", "TSC21 Association of Japan",
	  { 0x81, 0x0a, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02,
	    0x00, 0x00, 0xa5, 0x22, 0x04, 0x00, 0x91, 0x03, 0x21, 0xd4 } },
	/* frame 82 */
	{ "172.20.32.126", "407", "Micro Control Systems Inc.",
	  { 0x81, 0x0a, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02,
	    0x00, 0x01, 0x97, 0x22, 0x04, 0x00, 0x91, 0x03, 0x21, 0xb5 } },
	/* frame 84 */
	{ "172.20.32.129", "788", "M&M Systems Inc.",
	  { 0x81, 0x0a, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02,
	    0x00, 0x03, 0x14, 0x22, 0x04, 0x00, 0x91, 0x03, 0x21, 0x74 } },
	/* frame 86 */
	{ "172.20.32.100", "416", "PowerCold Comfort Air Solutions Inc.",
	  { 0x81, 0x0a, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02,
	    0x00, 0x01, 0xa0, 0x22, 0x04, 0x00, 0x91, 0x03, 0x21, 0x8a } },
	/* frame 88 */
	{ "172.20.32.106", "322", "DAIKIN Industries Ltd.",
	  { 0x81, 0x0a, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02,
	    0x00, 0x01, 0x42, 0x22, 0x04, 0x00, 0x91, 0x03, 0x21, 0x35 } },
	/* frame 90 */
	{ "172.20.32.109", "501", "Yamatake Building Systems Co. Ltd.",
	  { 0x81, 0x0a, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02,
	    0x00, 0x01, 0xf5, 0x22, 0x04, 0x00, 0x91, 0x03, 0x21, 0x55 } },
	/* frame 91 */
	{ "172.20.32.114", "394", "WILO SE",
	  { 0x81, 0x0a, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02,
	    0x00, 0x01, 0x8a, 0x22, 0x04, 0x00, 0x91, 0x03, 0x21, 0xfb } },
	/* frame 92 */
	{ "172.20.32.128", "439", "Shenzhen Junzhi Hi-Tech Co. Ltd.",
	  { 0x81, 0x0a, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02,
	    0x00, 0x01, 0xb7, 0x22, 0x04, 0x00, 0x91, 0x03, 0x21, 0x82 } },
	/* frame 93 */
	{ "172.20.32.112", "329", "Aricent Ltd.",
	  { 0x81, 0x0a, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02,
	    0x00, 0x01, 0x49, 0x22, 0x04, 0x00, 0x91, 0x03, 0x21, 0xf0 } },
	/* frame 94 */
	{ "172.20.32.102", "440", "Lighting Control & Design Inc.",
	  { 0x81, 0x0a, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02,
	    0x00, 0x01, 0xb8, 0x22, 0x04, 0x00, 0x91, 0x03, 0x21, 0xd7 } },
	/* frame 95 */
	{ "172.20.32.113", "696", "Phoenix Controls Corporation",
	  { 0x81, 0x0a, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02,
	    0x00, 0x02, 0xb8, 0x22, 0x04, 0x00, 0x91, 0x03, 0x21, 0x1a } },
	/* frame 96 */
	{ "172.20.32.115", "199", "Onicon Incorporated",
	  { 0x81, 0x0a, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02,
	    0x00, 0x00, 0xc7, 0x22, 0x04, 0x00, 0x91, 0x03, 0x21, 0xce } },
	/* frame 97 */
	{ "172.20.32.116", "661", "Siemens Schweiz AG (Formerly: Cerberus AG)",
	  { 0x81, 0x0a, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02,
	    0x00, 0x02, 0x95, 0x22, 0x04, 0x00, 0x91, 0x03, 0x21, 0x16 } },
	/* frame 98 */
	{ "172.20.32.124", "565", "JCI Systems Integration Services",
	  { 0x81, 0x0a, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02,
	    0x00, 0x02, 0x35, 0x22, 0x04, 0x00, 0x91, 0x03, 0x21, 0x6b } },
	/* frame 99 */
	{ "172.20.32.127", "203", "Mitsubishi Electric Building Techno-Service Co. Ltd.",
	  { 0x81, 0x0a, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02,
	    0x00, 0x00, 0xcb, 0x22, 0x04, 0x00, 0x91, 0x03, 0x21, 0xad } },
	/* frame 100 */
	{ "172.20.32.122", "652", "Veris Industries",
	  { 0x81, 0x0a, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02,
	    0x00, 0x02, 0x8c, 0x22, 0x04, 0x00, 0x91, 0x03, 0x21, 0x85 } },
	/* frame 101 */
	{ "172.20.32.125", "850", "ASI Controls",
	  { 0x81, 0x0a, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02,
	    0x00, 0x03, 0x52, 0x22, 0x04, 0x00, 0x91, 0x03, 0x21, 0xa2 } },
	/* frame 102 */
	{ "172.20.32.120", "489", "Custom Mechanical Equipment LLC",
	  { 0x81, 0x0a, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02,
	    0x00, 0x01, 0xe9, 0x22, 0x04, 0x00, 0x91, 0x03, 0x21, 0x64 } },
	/* frame 103 */
	{ "172.20.32.103", "840", "Reliance Electric",
	  { 0x81, 0x0a, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02,
	    0x00, 0x03, 0x48, 0x22, 0x04, 0x00, 0x91, 0x03, 0x21, 0x41 } },
	/* frame 104 */
	{ "172.20.32.121", "777", "SAMSON AG",
	  { 0x81, 0x0a, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02,
	    0x00, 0x03, 0x09, 0x22, 0x04, 0x00, 0x91, 0x03, 0x21, 0x33 } },
	/* frame 105 */
	{ "172.20.32.118", "278", "ESS Engineering",
	  { 0x81, 0x0a, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02,
	    0x00, 0x01, 0x16, 0x22, 0x04, 0x00, 0x91, 0x03, 0x21, 0x2e } },
	/* frame 106 */
	{ "172.20.32.111", "771", "Integrated Control Technology Limited",
	  { 0x81, 0x0a, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02,
	    0x00, 0x03, 0x03, 0x22, 0x04, 0x00, 0x91, 0x03, 0x21, 0xe6 } },
	/* frame 107 */
	{ "172.20.32.105", "674", "Smart Temp Australia Pty. Ltd.",
	  { 0x81, 0x0a, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02,
	    0x00, 0x02, 0xa2, 0x22, 0x04, 0x00, 0x91, 0x03, 0x21, 0xa5 } },
	/* frame 108 */
	{ "172.20.32.117", "663", "OpenGeneral Pty. Ltd.",
	  { 0x81, 0x0a, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02,
	    0x00, 0x02, 0x97, 0x22, 0x04, 0x00, 0x91, 0x03, 0x21, 0xdd } },
	/* frame 109 */
	{ "172.20.32.110", "136", "Centaurus Prime",
	  { 0x81, 0x0a, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02,
	    0x00, 0x00, 0x88, 0x22, 0x04, 0x00, 0x91, 0x03, 0x21, 0x86 } },
	/* frame 110 */
	{ "172.20.32.123", "508", "I Controls",
	  { 0x81, 0x0a, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02,
	    0x00, 0x01, 0xfc, 0x22, 0x04, 0x00, 0x91, 0x03, 0x21, 0x8b } },
	/* frame 111 */
	{ "172.20.32.101", "276", "Duksan Mecasys Co. Ltd.",
	  { 0x81, 0x0a, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02,
	    0x00, 0x01, 0x14, 0x22, 0x04, 0x00, 0x91, 0x03, 0x21, 0xa7 } },
};

/* icsnpp-bacnet-example.pcap frame 74: 172.20.32.108:47808 -> 172.20.32.255:47808 udp, 20 bytes */
static const uint8_t i_am_cornell[] = {
	0x81, 0x0a, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02, 0x00, 0x02,
	0xd1, 0x22, 0x04, 0x00, 0x91, 0x03, 0x21, 0x0f,
};
/* icsnpp-bacnet-example.pcap frame 72: 172.20.32.200:47808 -> 172.20.32.255:47808 udp, 12 bytes */
static const uint8_t who_is_bcast[] = {
	0x81, 0x0b, 0x00, 0x0c, 0x01, 0x20, 0xff, 0xff, 0x00, 0xff, 0x10, 0x08,
};
/* icsnpp-bacnet-example.pcap frame 1: 172.20.32.200:47808 -> 172.20.32.50:47808 udp, 17 bytes */
static const uint8_t rp_req[] = {
	0x81, 0x0a, 0x00, 0x11, 0x01, 0x04, 0x00, 0x05, 0x01, 0x0c, 0x0c, 0x00,
	0x00, 0x00, 0x01, 0x19, 0x4d,
};
/* icsnpp-bacnet-example.pcap frame 2: 172.20.32.50:47808 -> 172.20.32.200:47808 udp, 33 bytes */
static const uint8_t rp_ack_ai_name[] = {
	0x81, 0x0a, 0x00, 0x21, 0x01, 0x00, 0x30, 0x01, 0x0c, 0x0c, 0x00, 0x00,
	0x00, 0x01, 0x19, 0x4d, 0x3e, 0x75, 0x0d, 0x00, 0x53, 0x65, 0x6e, 0x73,
	0x6f, 0x72, 0x5f, 0x34, 0x35, 0x33, 0x31, 0x32, 0x3f,
};
/* icsnpp-bacnet-example.pcap frame 133: 172.20.32.109:47808 -> 172.20.32.200:47808 udp, 27 bytes */
static const uint8_t rp_ack_dev_name[] = {
	0x81, 0x0a, 0x00, 0x1b, 0x01, 0x00, 0x30, 0x01, 0x0c, 0x0c, 0x02, 0x00,
	0x01, 0xf5, 0x19, 0x4d, 0x3e, 0x75, 0x07, 0x00, 0x50, 0x4c, 0x43, 0x5f,
	0x32, 0x38, 0x3f,
};
/* icsnpp-bacnet-example.pcap frame 137: 172.20.32.109:47808 -> 172.20.32.200:47808 udp, 28 bytes */
static const uint8_t rp_ack_model[] = {
	0x81, 0x0a, 0x00, 0x1c, 0x01, 0x00, 0x30, 0x02, 0x0c, 0x0c, 0x02, 0x00,
	0x01, 0xf5, 0x19, 0x46, 0x3e, 0x75, 0x08, 0x00, 0x48, 0x49, 0x59, 0x2d,
	0x30, 0x35, 0x34, 0x3f,
};
/* icsnpp-bacnet-example.pcap frame 141: 172.20.32.109:47808 -> 172.20.32.200:47808 udp, 26 bytes */
static const uint8_t rp_ack_firmware[] = {
	0x81, 0x0a, 0x00, 0x1a, 0x01, 0x00, 0x30, 0x03, 0x0c, 0x0c, 0x02, 0x00,
	0x01, 0xf5, 0x19, 0x2c, 0x3e, 0x75, 0x06, 0x00, 0x34, 0x2e, 0x32, 0x2e,
	0x31, 0x3f,
};
/* icsnpp-bacnet-example.pcap frame 145: 172.20.32.109:47808 -> 172.20.32.200:47808 udp, 26 bytes */
static const uint8_t rp_ack_appsw[] = {
	0x81, 0x0a, 0x00, 0x1a, 0x01, 0x00, 0x30, 0x04, 0x0c, 0x0c, 0x02, 0x00,
	0x01, 0xf5, 0x19, 0x0c, 0x3e, 0x75, 0x06, 0x00, 0x30, 0x2e, 0x35, 0x2e,
	0x37, 0x3f,
};
/* icsnpp-bacnet-example.pcap frame 150: 172.20.32.109:47808 -> 172.20.32.200:47808 udp, 29 bytes */
static const uint8_t rp_ack_location[] = {
	0x81, 0x0a, 0x00, 0x1d, 0x01, 0x00, 0x30, 0x05, 0x0c, 0x0c, 0x02, 0x00,
	0x01, 0xf5, 0x19, 0x3a, 0x3e, 0x75, 0x09, 0x00, 0x62, 0x61, 0x79, 0x5f,
	0x37, 0x30, 0x38, 0x30, 0x3f,
};
/* icsnpp-bacnet-example.pcap frame 572: 172.20.32.250:47808 -> 172.20.32.124:47808 udp, 25 bytes */
static const uint8_t reinit_req[] = {
	0x81, 0x0a, 0x00, 0x11, 0x01, 0x04, 0x00, 0x05, 0x01, 0x14, 0x09, 0x06,
	0x1d, 0x0b, 0x00, 0x44, 0x65, 0x6c, 0x63, 0x61, 0x74, 0x74, 0x79, 0x37,
	0x30,
};
/* icsnpp-bacnet-example.pcap frame 573: 172.20.32.124:47808 -> 172.20.32.250:47808 udp, 13 bytes */
static const uint8_t reinit_err[] = {
	0x81, 0x0a, 0x00, 0x11, 0x01, 0x04, 0x50, 0x01, 0x14, 0x91, 0x05, 0x91,
	0x1a,
};
/* ndpi-bacnet.pcapng frame 1: 65.49.20.98:53234 -> 90.147.69.219:47808 udp, 17 bytes */
static const uint8_t ndpi_rp_probe[] = {
	0x81, 0x0a, 0x00, 0x11, 0x01, 0x04, 0x00, 0x05, 0xa9, 0x0c, 0x0c, 0x02,
	0x3f, 0xff, 0xff, 0x19, 0x4b,
};
/* ndpi-bacnet.pcapng frame 10: 204.172.177.255:47808 -> 204.172.177.159:47808 udp, 12 bytes */
static const uint8_t ndpi_who_is[] = {
	0x81, 0x0b, 0x00, 0x0c, 0x01, 0x20, 0xff, 0xff, 0x00, 0xff, 0x10, 0x08,
};
/* ndpi-bacnet.pcapng frame 11: 204.172.177.255:47808 -> 204.172.177.159:47808 udp, 25 bytes */
static const uint8_t ndpi_i_am[] = {
	0x81, 0x0b, 0x00, 0x19, 0x01, 0x20, 0xff, 0xff, 0x00, 0xff, 0x10, 0x00,
	0xc4, 0x02, 0x00, 0x00, 0x00, 0x22, 0x05, 0xc4, 0x91, 0x03, 0x22, 0x01,
	0x04,
};
/* ndpi-bacnet.pcapng frame 17: 204.172.177.255:47808 -> 204.172.177.159:47808 udp, 21 bytes */
static const uint8_t ndpi_i_am_wild[] = {
	0x81, 0x0b, 0x00, 0x15, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02, 0x3f, 0xff,
	0xff, 0x22, 0x05, 0xc4, 0x91, 0x03, 0x22, 0x01, 0x04,
};
/* ndpi-bacnet.pcapng frame 18: 204.172.177.255:47808 -> 204.172.177.159:47808 udp, 13 bytes */
static const uint8_t ndpi_error[] = {
	0x81, 0x0b, 0x00, 0x0d, 0x01, 0x00, 0x50, 0x01, 0x0c, 0x91, 0x00, 0x91,
	0x00,
};
/* ndpi-bacnet.pcapng frame 22: 204.172.177.255:47808 -> 204.172.177.159:47808 udp, 13 bytes */
static const uint8_t ndpi_i_am_router[] = {
	0x81, 0x0b, 0x00, 0x0d, 0x01, 0xa0, 0xff, 0xff, 0x00, 0xff, 0x01, 0x00,
	0x00,
};

static struct dec_out out;

TEST(i_am_truth_all_devices)
{
	CHECK_EQ_INT(sizeof(i_am_truth) / sizeof(i_am_truth[0]), 30);
	for (size_t i = 0; i < sizeof(i_am_truth) / sizeof(i_am_truth[0]); i++) {
		struct dec_ctx c = ot_ctx(UDP, i_am_truth[i].ip, 47808, "172.20.32.255", 47808, false);

		CHECK(ot_run(&dec_bacnet, &c, i_am_truth[i].pdu, 20, &out) > 0);
		CHECK_STR(ot_find(&out, "bacnet_device_instance", OBS_SRC), i_am_truth[i].instance);
		CHECK_STR(ot_find(&out, "bacnet_vendor", OBS_SRC), i_am_truth[i].vendor);
		CHECK_STR(ot_find(&out, "app_protocol", OBS_SRC), "BACnet");
		CHECK_STR(ot_find(&out, "bacnet_service", OBS_SRC), "i-Am");
		/* Sent to the directed broadcast: nothing is recorded on x.x.x.255. */
		CHECK(ot_find(&out, "app_protocol", OBS_DST) == NULL);
		CHECK_EQ_INT(out.malformed, 0);
	}
}

TEST(i_am_details)
{
	struct dec_ctx c = ot_ctx(UDP, "172.20.32.108", 47808, "172.20.32.255", 47808, false);

	CHECK(ot_run(&dec_bacnet, &c, i_am_cornell, sizeof(i_am_cornell), &out) > 0);
	CHECK_STR(ot_find(&out, "bacnet_vendor_id", OBS_SRC), "15");
	CHECK_STR(ot_find(&out, "bacnet_max_apdu", OBS_SRC), "1024");
	CHECK_STR(ot_find(&out, "bacnet_segmentation", OBS_SRC), "no-segmentation");
}

TEST(who_is_broadcast)
{
	struct dec_ctx c = ot_ctx(UDP, "172.20.32.200", 47808, "172.20.32.255", 47808, true);

	CHECK(ot_run(&dec_bacnet, &c, who_is_bcast, sizeof(who_is_bcast), &out) > 0);
	CHECK_STR(ot_find(&out, "bacnet_service", OBS_SRC), "who-Is");
	CHECK(ot_find(&out, "bacnet_device_instance", OBS_SRC) == NULL);
}

TEST(read_property_of_a_point_is_not_the_device_name)
{
	struct dec_ctx c = ot_ctx(UDP, "172.20.32.200", 47808, "172.20.32.50", 47808, true);

	CHECK(ot_run(&dec_bacnet, &c, rp_req, sizeof(rp_req), &out) > 0);
	CHECK_STR(ot_find(&out, "bacnet_service", OBS_SRC), "readProperty");
	CHECK_STR(ot_find(&out, "app_protocol", OBS_DST), "BACnet");
	c = ot_ctx(UDP, "172.20.32.50", 47808, "172.20.32.200", 47808, false);
	CHECK(ot_run(&dec_bacnet, &c, rp_ack_ai_name, sizeof(rp_ack_ai_name), &out) > 0);
	CHECK(ot_find(&out, "bacnet_object_name", OBS_SRC) == NULL);
}

TEST(read_property_device_object)
{
	struct dec_ctx c = ot_ctx(UDP, "172.20.32.109", 47808, "172.20.32.200", 47808, false);

	CHECK(ot_run(&dec_bacnet, &c, rp_ack_dev_name, sizeof(rp_ack_dev_name), &out) > 0);
	CHECK_STR(ot_find(&out, "bacnet_object_name", OBS_SRC), "PLC_28");
	/* truth.tsv: 172.20.32.109 bacnet_device_instance 501 */
	CHECK_STR(ot_find(&out, "bacnet_device_instance", OBS_SRC), "501");
	CHECK(ot_run(&dec_bacnet, &c, rp_ack_model, sizeof(rp_ack_model), &out) > 0);
	CHECK_STR(ot_find(&out, "bacnet_model_name", OBS_SRC), "HIY-054");
	CHECK(ot_run(&dec_bacnet, &c, rp_ack_firmware, sizeof(rp_ack_firmware), &out) > 0);
	CHECK_STR(ot_find(&out, "bacnet_firmware", OBS_SRC), "4.2.1");
	CHECK(ot_run(&dec_bacnet, &c, rp_ack_appsw, sizeof(rp_ack_appsw), &out) > 0);
	CHECK_STR(ot_find(&out, "bacnet_app_version", OBS_SRC), "0.5.7");
	CHECK(ot_run(&dec_bacnet, &c, rp_ack_location, sizeof(rp_ack_location), &out) > 0);
	CHECK_STR(ot_find(&out, "bacnet_location", OBS_SRC), "bay_7080");
}

TEST(reinitialize_device)
{
	struct dec_ctx c = ot_ctx(UDP, "172.20.32.250", 47808, "172.20.32.124", 47808, true);

	/* This capture's BVLC length (17) is not the datagram's (25): read anyway, counted as malformed. */
	CHECK(ot_run(&dec_bacnet, &c, reinit_req, sizeof(reinit_req), &out) > 0);
	CHECK_EQ_INT(out.malformed, 1);
	CHECK_STR(ot_find(&out, "bacnet_service", OBS_SRC), "reinitializeDevice");
	CHECK_STR(ot_find(&out, "bacnet_control", OBS_SRC), "reinitializeDevice abortrestore");
	CHECK_STR(ot_find(&out, "bacnet_control", OBS_DST), "reinitializeDevice abortrestore");
	/* The password is never recorded. */
	for (int i = 0; i < out.n; i++)
		CHECK(strstr(out.obs[i].value, "Delcatty") == NULL);
	c = ot_ctx(UDP, "172.20.32.124", 47808, "172.20.32.250", 47808, false);
	CHECK(ot_run(&dec_bacnet, &c, reinit_err, sizeof(reinit_err), &out) > 0);
	CHECK_STR(ot_find(&out, "app_protocol", OBS_SRC), "BACnet");
}

TEST(ndpi_scanner_probe_truth)
{
	struct dec_ctx c = ot_ctx(UDP, "65.49.20.98", 53234, "90.147.69.219", 47808, true);

	CHECK(ot_run(&dec_bacnet, &c, ndpi_rp_probe, sizeof(ndpi_rp_probe), &out) > 0);
	/* truth.tsv: 90.147.69.219 app_protocol BACnet; the scanner's random port says nothing of it. */
	CHECK_STR(ot_find(&out, "app_protocol", OBS_DST), "BACnet");
	CHECK(ot_find(&out, "app_protocol", OBS_SRC) == NULL);
	CHECK_STR(ot_find(&out, "bacnet_service", OBS_SRC), "readProperty");
}

TEST(ndpi_broadcasts_truth)
{
	/* This capture sends from 204.172.177.255: that source is refused, the destination is the device. */
	struct dec_ctx c = ot_ctx(UDP, "204.172.177.255", 47808, "204.172.177.159", 47808, false);

	CHECK(ot_run(&dec_bacnet, &c, ndpi_who_is, sizeof(ndpi_who_is), &out) > 0);
	/* truth.tsv: 204.172.177.159 app_protocol BACnet */
	CHECK_STR(ot_find(&out, "app_protocol", OBS_DST), "BACnet");
	CHECK(ot_find(&out, "app_protocol", OBS_SRC) == NULL);
	CHECK(ot_run(&dec_bacnet, &c, ndpi_i_am, sizeof(ndpi_i_am), &out) > 0);
	CHECK_STR(ot_find(&out, "app_protocol", OBS_DST), "BACnet");
	CHECK(ot_run(&dec_bacnet, &c, ndpi_i_am_wild, sizeof(ndpi_i_am_wild), &out) > 0);
	CHECK(ot_run(&dec_bacnet, &c, ndpi_error, sizeof(ndpi_error), &out) > 0);
	CHECK(ot_run(&dec_bacnet, &c, ndpi_i_am_router, sizeof(ndpi_i_am_router), &out) > 0);

	/* The same I-Am from a unicast source: device 0 and its vendor. */
	c = ot_ctx(UDP, "204.172.177.7", 47808, "204.172.177.159", 47808, false);
	CHECK(ot_run(&dec_bacnet, &c, ndpi_i_am, sizeof(ndpi_i_am), &out) > 0);
	CHECK_STR(ot_find(&out, "bacnet_device_instance", OBS_SRC), "0");
	CHECK(ot_run(&dec_bacnet, &c, ndpi_i_am_wild, sizeof(ndpi_i_am_wild), &out) > 0);
	CHECK(ot_find(&out, "bacnet_device_instance", OBS_SRC) == NULL); /* 4194303: the wildcard */
	CHECK(ot_run(&dec_bacnet, &c, ndpi_i_am_router, sizeof(ndpi_i_am_router), &out) > 0);
	CHECK_STR(ot_find(&out, "bacnet_role", OBS_SRC), "router");
}

TEST(forwarded_npdu_names_the_originator)
{
	/* A BBMD forwards an I-Am of 10.1.2.3:47808 (device 77, vendor 8 Delta Controls). */
	const uint8_t fwd[] = {
		0x81, 0x04, 0x00, 0x1a, 10, 1, 2, 3, 0xba, 0xc0, 0x01, 0x00, 0x10, 0x00,
		0xc4, 0x02, 0x00, 0x00, 0x4d, 0x22, 0x01, 0xe0, 0x91, 0x00, 0x21, 0x08,
	};
	struct dec_ctx c = ot_ctx(UDP, "10.9.9.9", 47808, "10.9.9.255", 47808, false);
	bool found = false;

	CHECK(ot_run(&dec_bacnet, &c, fwd, sizeof(fwd), &out) > 0);
	CHECK(ot_find(&out, "bacnet_device_instance", OBS_SRC) == NULL);
	for (int i = 0; i < out.n; i++) {
		char ip[46];

		if (strcmp(out.obs[i].key, "bacnet_vendor") || out.obs[i].subject != OBS_IP)
			continue;
		dec_format_addr(&out.obs[i].subject_ip, ip, sizeof(ip));
		CHECK_STR(ip, "10.1.2.3");
		CHECK_STR(out.obs[i].value, "Delta Controls");
		found = true;
	}
	CHECK(found);
	CHECK_STR(ot_find(&out, "bacnet_device_instance", OBS_IP), "77");
	CHECK_STR(ot_find(&out, "bacnet_segmentation", OBS_IP), "segmented-both");
	CHECK_STR(ot_find(&out, "app_protocol", OBS_SRC), "BACnet");
}

TEST(routed_i_am_is_recorded_on_the_router)
{
	/* NPDU with SNET 5, SADR 0x0a: an MS/TP device behind the router. */
	const uint8_t routed[] = {
		0x81, 0x0b, 0x00, 0x17, 0x01, 0x08, 0x00, 0x05, 0x01, 0x0a, 0x10, 0x00,
		0xc4, 0x02, 0x00, 0x04, 0xd2, 0x21, 0x32, 0x91, 0x03, 0x21, 0x1c,
	};
	struct dec_ctx c = ot_ctx(UDP, "10.9.9.1", 47808, "10.9.9.255", 47808, false);

	CHECK(ot_run(&dec_bacnet, &c, routed, sizeof(routed), &out) > 0);
	CHECK_EQ_INT(out.malformed, 0);
	CHECK_STR(ot_find(&out, "bacnet_remote_device", OBS_SRC), "net=5 mac=0a instance=1234 vendor_id=28");
	CHECK(ot_find(&out, "bacnet_device_instance", OBS_SRC) == NULL);
	CHECK(ot_find(&out, "bacnet_vendor", OBS_SRC) == NULL);
}

TEST(read_property_multiple_ack)
{
	/* device,9 { object-name "AHU-1", vendor-identifier 5, model-name error, firmware-revision "2.1" } */
	const uint8_t rpm[] = {
		0x81, 0x0a, 0x00, 0x34, 0x01, 0x00, 0x30, 0x07, 0x0e,
		0x0c, 0x02, 0x00, 0x00, 0x09, 0x1e,
		0x29, 0x4d, 0x4e, 0x75, 0x06, 0x00, 'A', 'H', 'U', '-', '1', 0x4f,
		0x29, 0x78, 0x4e, 0x21, 0x05, 0x4f,
		0x29, 0x46, 0x5e, 0x91, 0x02, 0x91, 0x20, 0x5f,
		0x29, 0x2c, 0x4e, 0x75, 0x04, 0x00, '2', '.', '1', 0x4f,
		0x1f,
	};
	struct dec_ctx c = ot_ctx(UDP, "10.0.0.20", 47808, "10.0.0.1", 47808, false);

	CHECK(ot_run(&dec_bacnet, &c, rpm, sizeof(rpm), &out) > 0);
	CHECK_EQ_INT(out.malformed, 0);
	CHECK_STR(ot_find(&out, "bacnet_device_instance", OBS_SRC), "9");
	CHECK_STR(ot_find(&out, "bacnet_object_name", OBS_SRC), "AHU-1");
	CHECK_STR(ot_find(&out, "bacnet_vendor", OBS_SRC), "Johnson Controls Inc.");
	CHECK_STR(ot_find(&out, "bacnet_firmware", OBS_SRC), "2.1");
	CHECK(ot_find(&out, "bacnet_model_name", OBS_SRC) == NULL);
	ot_all_prefixes(&dec_bacnet, &c, rpm, sizeof(rpm));
}

TEST(ucs2_object_name)
{
	/* ReadProperty-ACK device,9 object-name in UCS-2 "Hi" plus a non-ASCII character. */
	const uint8_t ack[] = {
		0x81, 0x0a, 0x00, 0x1b, 0x01, 0x00, 0x30, 0x01, 0x0c, 0x0c, 0x02, 0x00, 0x00, 0x09,
		0x19, 0x4d, 0x3e, 0x75, 0x07, 0x04, 0x00, 'H', 0x00, 'i', 0x20, 0xac, 0x3f,
	};
	struct dec_ctx c = ot_ctx(UDP, "10.0.0.20", 47808, "10.0.0.1", 47808, false);

	CHECK(ot_run(&dec_bacnet, &c, ack, sizeof(ack), &out) > 0);
	CHECK_EQ_INT(out.malformed, 0);
	CHECK_STR(ot_find(&out, "bacnet_object_name", OBS_SRC), "Hi?");
}

TEST(write_requests)
{
	/* writeProperty analog-value,1 present-value (85) = 42.0, priority 8 */
	const uint8_t wp[] = {
		0x81, 0x0a, 0x00, 0x1a, 0x01, 0x04, 0x00, 0x05, 0x11, 0x0f,
		0x0c, 0x00, 0x80, 0x00, 0x01, 0x19, 0x55, 0x3e, 0x44, 0x42, 0x28, 0x00, 0x00, 0x3f, 0x49, 0x08,
	};
	/* writePropertyMultiple binary-output,3 { [0] 85 ... } */
	const uint8_t wpm[] = {
		0x81, 0x0a, 0x00, 0x17, 0x01, 0x04, 0x00, 0x05, 0x12, 0x10,
		0x0c, 0x01, 0x00, 0x00, 0x03, 0x1e, 0x09, 0x55, 0x2e, 0x91, 0x01, 0x2f, 0x1f,
	};
	/* deleteObject analog-value,7 */
	const uint8_t del[] = { 0x81, 0x0a, 0x00, 0x0f, 0x01, 0x04, 0x00, 0x05,
				0x13, 0x0b, 0xc4, 0x00, 0x80, 0x00, 0x07 };
	/* deviceCommunicationControl 5 minutes disable */
	const uint8_t dcc[] = { 0x81, 0x0a, 0x00, 0x0e, 0x01, 0x04, 0x00, 0x05,
				0x14, 0x11, 0x09, 0x05, 0x19, 0x01 };
	/* writeProperty to a device on network 7 (DNET): recorded on the requester only */
	const uint8_t routed[] = {
		0x81, 0x0a, 0x00, 0x15, 0x01, 0x24, 0x00, 0x07, 0x01, 0x05, 0xff, 0x00, 0x05, 0x11, 0x0f,
		0x0c, 0x00, 0x80, 0x00, 0x01, 0x19,
	};
	struct dec_ctx c = ot_ctx(UDP, "10.0.0.1", 47808, "10.0.0.20", 47808, true);

	CHECK(ot_run(&dec_bacnet, &c, wp, sizeof(wp), &out) > 0);
	CHECK_EQ_INT(out.malformed, 0);
	CHECK(ot_has(&out, "bacnet_write", OBS_SRC, "writeProperty analog-value,1 property=85 priority=8"));
	CHECK(ot_has(&out, "bacnet_write", OBS_DST, "writeProperty analog-value,1 property=85 priority=8"));
	CHECK(ot_run(&dec_bacnet, &c, wpm, sizeof(wpm), &out) > 0);
	CHECK_EQ_INT(out.malformed, 0);
	CHECK_STR(ot_find(&out, "bacnet_write", OBS_DST), "writePropertyMultiple binary-output,3 property=85");
	CHECK(ot_run(&dec_bacnet, &c, del, sizeof(del), &out) > 0);
	CHECK_STR(ot_find(&out, "bacnet_write", OBS_DST), "deleteObject analog-value,7");
	CHECK(ot_run(&dec_bacnet, &c, dcc, sizeof(dcc), &out) > 0);
	CHECK_STR(ot_find(&out, "bacnet_control", OBS_DST), "deviceCommunicationControl disable minutes=5");
	CHECK(ot_run(&dec_bacnet, &c, routed, sizeof(routed), &out) > 0);
	CHECK_EQ_INT(out.malformed, 0);
	CHECK_STR(ot_find(&out, "bacnet_write", OBS_SRC), "writeProperty analog-value,1");
	CHECK(ot_find(&out, "bacnet_write", OBS_DST) == NULL);
	ot_all_prefixes(&dec_bacnet, &c, wp, sizeof(wp));
	ot_all_prefixes(&dec_bacnet, &c, routed, sizeof(routed));
}

TEST(bad_headers)
{
	const uint8_t bad_type[] = { 0x82, 0x0a, 0x00, 0x08, 0x01, 0x00, 0x10, 0x08 };
	const uint8_t bad_fn[] = { 0x81, 0x2a, 0x00, 0x08, 0x01, 0x00, 0x10, 0x08 };
	const uint8_t bad_ver[] = { 0x81, 0x0a, 0x00, 0x08, 0x02, 0x00, 0x10, 0x08 };
	const uint8_t reserved[] = { 0x81, 0x0a, 0x00, 0x08, 0x01, 0x40, 0x10, 0x08 };
	const uint8_t apdu_type[] = { 0x81, 0x0a, 0x00, 0x08, 0x01, 0x00, 0x90, 0x08 };
	const uint8_t short_len[] = { 0x81, 0x0a, 0x00, 0x02, 0x01, 0x00, 0x10, 0x08 };
	const uint8_t dlen_lies[] = { 0x81, 0x0a, 0x00, 0x0a, 0x01, 0x20, 0x00, 0x07, 0x40, 0x10 };
	const uint8_t bdt[] = { 0x81, 0x02, 0x00, 0x04 }; /* Read-BDT: no NPDU, still BACnet */
	struct dec_ctx c = ot_ctx(UDP, "10.0.0.1", 47808, "10.0.0.20", 47808, true);

	CHECK_EQ_INT(ot_run(&dec_bacnet, &c, bad_type, sizeof(bad_type), &out), -2);
	CHECK_EQ_INT(dec_bacnet.decode(&c, bad_type, sizeof(bad_type), &out), -1);
	CHECK_EQ_INT(ot_run(&dec_bacnet, &c, bad_fn, sizeof(bad_fn), &out), -1);
	CHECK_EQ_INT(ot_run(&dec_bacnet, &c, bad_ver, sizeof(bad_ver), &out), -1);
	CHECK_EQ_INT(ot_run(&dec_bacnet, &c, reserved, sizeof(reserved), &out), -1);
	CHECK_EQ_INT(ot_run(&dec_bacnet, &c, apdu_type, sizeof(apdu_type), &out), -1);
	CHECK_EQ_INT(ot_run(&dec_bacnet, &c, short_len, sizeof(short_len), &out), -1);
	CHECK_EQ_INT(ot_run(&dec_bacnet, &c, dlen_lies, sizeof(dlen_lies), &out), -1);
	CHECK(ot_run(&dec_bacnet, &c, bdt, sizeof(bdt), &out) > 0);
	c = ot_ctx(UDP, "10.0.0.1", 5000, "10.0.0.20", 161, true);
	CHECK(!dec_bacnet.match(&c, bdt, sizeof(bdt)));
	c = ot_ctx(6, "10.0.0.1", 47808, "10.0.0.20", 47808, true);
	CHECK(!dec_bacnet.match(&c, bdt, sizeof(bdt)));
}

TEST(lying_tag_lengths)
{
	/* I-Am whose vendor id tag claims 4 bytes, and a string whose extended length runs off the end. */
	const uint8_t i_am[] = {
		0x81, 0x0a, 0x00, 0x14, 0x01, 0x00, 0x10, 0x00, 0xc4, 0x02,
		0x00, 0x02, 0xd1, 0x22, 0x04, 0x00, 0x91, 0x03, 0x24, 0x0f,
	};
	const uint8_t ack[] = {
		0x81, 0x0a, 0x00, 0x14, 0x01, 0x00, 0x30, 0x01, 0x0c, 0x0c,
		0x02, 0x00, 0x00, 0x09, 0x19, 0x4d, 0x3e, 0x75, 0xfe, 0xff,
	};
	struct dec_ctx c = ot_ctx(UDP, "10.0.0.20", 47808, "10.0.0.1", 47808, false);

	CHECK(ot_run(&dec_bacnet, &c, i_am, sizeof(i_am), &out) > 0);
	CHECK(ot_find(&out, "bacnet_vendor", OBS_SRC) == NULL);
	CHECK(ot_run(&dec_bacnet, &c, ack, sizeof(ack), &out) > 0);
	CHECK(ot_find(&out, "bacnet_object_name", OBS_SRC) == NULL);
	CHECK_STR(ot_find(&out, "bacnet_device_instance", OBS_SRC), "9");
}

TEST(truncated_everywhere)
{
	struct dec_ctx c = ot_ctx(UDP, "172.20.32.109", 47808, "172.20.32.200", 47808, false);

	ot_all_prefixes(&dec_bacnet, &c, rp_ack_location, sizeof(rp_ack_location));
	ot_all_prefixes(&dec_bacnet, &c, i_am_cornell, sizeof(i_am_cornell));
	c.truncated = true;
	ot_all_prefixes(&dec_bacnet, &c, reinit_req, sizeof(reinit_req));
	CHECK(1);
}

int main(void)
{
	RUN(i_am_truth_all_devices);
	RUN(i_am_details);
	RUN(who_is_broadcast);
	RUN(read_property_of_a_point_is_not_the_device_name);
	RUN(read_property_device_object);
	RUN(reinitialize_device);
	RUN(ndpi_scanner_probe_truth);
	RUN(ndpi_broadcasts_truth);
	RUN(forwarded_npdu_names_the_originator);
	RUN(routed_i_am_is_recorded_on_the_router);
	RUN(read_property_multiple_ack);
	RUN(ucs2_object_name);
	RUN(write_requests);
	RUN(bad_headers);
	RUN(lying_tag_lengths);
	RUN(truncated_everywhere);
	return testlib_summary();
}
