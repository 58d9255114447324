// SPDX-License-Identifier: GPL-2.0-only
/* Tests for user/decoders/ubnt.c: Ubiquiti discovery headers and TLVs. */
#include "decoders/decoder.h"
#include "lt_test.h"
#include "testlib.h"

/* ndpi-ubnt-discovery.pcap frame 1: a UniFi Security Gateway, 192.168.1.1:34085 -> 255.255.255.255:10001. */
/* ndpi-ubnt-discovery.pcap frame 1 */
static const uint8_t ubnt_f1[] = {
	0x02, 0x06, 0x00, 0xab, 0x02, 0x00, 0x0a, 0x80, 0x2a, 0xa8, 0x8d, 0x69,
	0x2b, 0xc0, 0xa8, 0x02, 0x15, 0x02, 0x00, 0x0a, 0x80, 0x2a, 0xa8, 0x8d,
	0x69, 0x2c, 0xc0, 0xa8, 0x01, 0x01, 0x01, 0x00, 0x06, 0x80, 0x2a, 0xa8,
	0x8d, 0x69, 0x2b, 0x0a, 0x00, 0x04, 0x00, 0x00, 0xde, 0x60, 0x0b, 0x00,
	0x04, 0x75, 0x62, 0x6e, 0x74, 0x0c, 0x00, 0x04, 0x55, 0x47, 0x57, 0x33,
	0x03, 0x00, 0x38, 0x55, 0x6e, 0x69, 0x46, 0x69, 0x53, 0x65, 0x63, 0x75,
	0x72, 0x69, 0x74, 0x79, 0x47, 0x61, 0x74, 0x65, 0x77, 0x61, 0x79, 0x2e,
	0x45, 0x52, 0x2d, 0x65, 0x31, 0x32, 0x30, 0x2e, 0x76, 0x34, 0x2e, 0x33,
	0x2e, 0x33, 0x33, 0x2e, 0x34, 0x39, 0x33, 0x36, 0x30, 0x38, 0x36, 0x2e,
	0x31, 0x36, 0x31, 0x32, 0x30, 0x33, 0x2e, 0x32, 0x30, 0x33, 0x31, 0x16,
	0x00, 0x0e, 0x34, 0x2e, 0x33, 0x2e, 0x33, 0x33, 0x2e, 0x34, 0x39, 0x33,
	0x36, 0x30, 0x38, 0x36, 0x15, 0x00, 0x04, 0x55, 0x47, 0x57, 0x33, 0x17,
	0x00, 0x01, 0x00, 0x18, 0x00, 0x01, 0x00, 0x13, 0x00, 0x06, 0x80, 0x2a,
	0xa8, 0x8d, 0x69, 0x2b, 0x12, 0x00, 0x04, 0x00, 0x00, 0x15, 0xcf, 0x1b,
	0x00, 0x05, 0x34, 0x2e, 0x30, 0x2e, 0x30,
};

/* A version 1 reply from an airMAX radio: MAC, hostname, ESSID, long model name, system id. */
static const uint8_t v1_reply[] = {
	0x01, 0x00, 0x00, 0x2a,
	0x01, 0x00, 0x06, 0x24, 0xa4, 0x3c, 0x01, 0x02, 0x03,
	0x0b, 0x00, 0x05, 'r', 'o', 'o', 'f', '1',
	0x0d, 0x00, 0x04, 'w', 'i', 's', 'p',
	0x14, 0x00, 0x0a, 'N', 'a', 'n', 'o', 'S', 't', 'a', 't', 'i', 'o',
	0x10, 0x00, 0x02, 0xe0, 0x05,
};

TEST(real_usg_announcement)
{
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 34085, 10001);
	struct dec_out out;
	const struct iot_obs *o;
	bool m;

	CHECK(lt_run("ubnt", &c, ubnt_f1, sizeof(ubnt_f1), &out, &m) > 0);
	CHECK(m);
	/* truth.tsv: ndpi-ubnt-discovery.pcap 192.168.1.1 app_protocol UBNTAC2 and ubnt_model_version. */
	CHECK_STR(lt_get(&out, "app_protocol", OBS_SRC), "UBNTAC2");
	CHECK_STR(lt_get(&out, "ubnt_model_version", OBS_SRC), "UniFiSecurityGateway.ER-e120.v4");
	CHECK_STR(lt_get(&out, "ubnt_firmware", OBS_SRC), "UniFiSecurityGateway.ER-e120.v4.3.33.4936086.161203.2031");
	CHECK_STR(lt_get(&out, "ubnt_hostname", OBS_SRC), "ubnt");
	CHECK_STR(lt_get(&out, "ubnt_platform", OBS_SRC), "UGW3");
	CHECK_STR(lt_get(&out, "ubnt_model", OBS_SRC), "UGW3");
	CHECK_STR(lt_get(&out, "ubnt_version", OBS_SRC), "4.3.33.4936086");
	CHECK_STR(lt_get(&out, "ubnt_mac", OBS_SRC), "80:2a:a8:8d:69:2b");
	CHECK_EQ_INT(lt_count(&out, "ip_for_mac"), 2);
	o = lt_obs(&out, "ip_for_mac");
	CHECK(o != NULL);
	if (o) {
		CHECK_EQ_INT(o->subject, OBS_MAC);
		CHECK_STR(o->value, "192.168.2.21");
		CHECK_EQ_INT(o->subject_mac[5], 0x2b);
	}
}

TEST(version1_reply)
{
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 10001, 40000);
	struct dec_out out;
	bool m;

	CHECK(lt_run("ubnt", &c, v1_reply, sizeof(v1_reply), &out, &m) > 0);
	CHECK(m);
	CHECK_STR(lt_get(&out, "ubnt_hostname", OBS_SRC), "roof1");
	CHECK_STR(lt_get(&out, "ubnt_essid", OBS_SRC), "wisp");
	CHECK_STR(lt_get(&out, "ubnt_model", OBS_SRC), "NanoStatio");
	CHECK_STR(lt_get(&out, "ubnt_system_id", OBS_SRC), "0xe005");
	CHECK_STR(lt_get(&out, "ubnt_mac", OBS_SRC), "24:a4:3c:01:02:03");
	CHECK(lt_obs(&out, "ubnt_model_version") == NULL);
}

TEST(probe_says_nothing)
{
	static const uint8_t probe[] = { 0x01, 0x00, 0x00, 0x00 };
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 40000, 10001);
	struct dec_out out;
	bool m;

	CHECK_EQ_INT(lt_run("ubnt", &c, probe, sizeof(probe), &out, &m), 0);
	CHECK_EQ_INT(out.n, 0);
}

TEST(bad_headers_are_refused)
{
	uint8_t pkt[sizeof(v1_reply)];
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 10001, 40000);
	struct dec_ctx other = lt_ctx(IPPROTO_UDP, 10002, 40000);
	struct dec_out out;
	bool m;

	memcpy(pkt, v1_reply, sizeof(pkt));
	pkt[0] = 3;
	CHECK_EQ_INT(lt_run("ubnt", &c, pkt, sizeof(pkt), &out, &m), 0);
	CHECK(!m);
	memcpy(pkt, v1_reply, sizeof(pkt));
	pkt[1] = 6; /* version 1 has only command 0 */
	CHECK_EQ_INT(lt_run("ubnt", &c, pkt, sizeof(pkt), &out, &m), 0);
	CHECK(!m);
	CHECK_EQ_INT(lt_run("ubnt", &c, v1_reply, 3, &out, &m), 0);
	CHECK(!m);
	lt_run("ubnt", &other, v1_reply, sizeof(v1_reply), &out, &m);
	CHECK(!m);
}

TEST(lying_lengths_are_malformed)
{
	uint8_t pkt[sizeof(ubnt_f1)];
	struct dec_ctx c = lt_ctx(IPPROTO_UDP, 34085, 10001);
	struct dec_out out;
	bool m;

	/* Header length past the datagram. */
	memcpy(pkt, ubnt_f1, sizeof(pkt));
	pkt[3] += 1;
	CHECK_EQ_INT(lt_run("ubnt", &c, pkt, sizeof(pkt), &out, &m), -1);
	CHECK_EQ_INT(out.n, 0);
	/* A TLV past the end: nothing at all is emitted. */
	memcpy(pkt, ubnt_f1, sizeof(pkt));
	pkt[6] = 0xf0;
	CHECK_EQ_INT(lt_run("ubnt", &c, pkt, sizeof(pkt), &out, &m), -1);
	CHECK_EQ_INT(out.n, 0);
	/* The header length ends inside a TLV header. */
	memcpy(pkt, ubnt_f1, sizeof(pkt));
	pkt[3] = 0x0e;
	CHECK_EQ_INT(lt_run("ubnt", &c, pkt, sizeof(pkt), &out, &m), -1);
	/* The same cut by the snapshot length: the whole TLVs before the cut are used. */
	c.truncated = true;
	CHECK(lt_run("ubnt", &c, ubnt_f1, 40, &out, &m) > 0);
	CHECK_STR(lt_get(&out, "app_protocol", OBS_SRC), "UBNTAC2");
	CHECK_EQ_INT(lt_count(&out, "ip_for_mac"), 2);
	CHECK(lt_obs(&out, "ubnt_firmware") == NULL);
}

int main(void)
{
	RUN(real_usg_announcement);
	RUN(version1_reply);
	RUN(probe_says_nothing);
	RUN(bad_headers_are_refused);
	RUN(lying_lengths_are_malformed);
	return testlib_summary();
}
