// SPDX-License-Identifier: GPL-2.0-only
/* CEF rendering of each record kind, read back with a strict CEF parser (fmt_test.h). */
#include "fmt_test.h"

static int parse_rendered(const char *text, struct parsed *p, struct fmt_buf *b)
{
	json_t *rec = load(text);

	*b = render(OUT_FMT_CEF, rec, NULL);
	json_decref(rec);
	CHECK(one_clean_line(b));
	if (!b->p || cef_parse(b->p, b->len, p)) {
		printf("  not strict CEF: %s\n", b->p ? b->p : "(null)");
		return -1;
	}
	CHECK_EQ_INT(p->pipes, 7);
	return 0;
}

TEST(alert)
{
	struct fmt_buf b;
	struct parsed p;

	if (parse_rendered(rec_alert, &p, &b))
		goto out;
	CHECK_STR(p.hdr[0], "CEF:0");
	CHECK_STR(p.hdr[1], "iotsense");
	CHECK_STR(p.hdr[2], "iotsense");
	CHECK_STR(p.hdr[3], IOTSENSE_VERSION);
	CHECK_STR(p.hdr[4], "cleartext_credentials");
	CHECK_STR(p.hdr[5], "Credentials sent in clear text");
	CHECK_STR(p.hdr[6], "5"); /* medium */
	CHECK_STR(pget(&p, "rt"), "943755160964");
	CHECK_STR(pget(&p, "src"), "192.168.0.2");
	CHECK_STR(pget(&p, "smac"), "00:a0:cc:3b:bf:fa");
	CHECK_STR(pget(&p, "dst"), "192.168.0.1");
	CHECK_STR(pget(&p, "dpt"), "23");
	CHECK_STR(pget(&p, "proto"), "tcp");
	CHECK_STR(pget(&p, "dvchost"), "gw-01");
	CHECK_STR(pget(&p, "deviceExternalId"), "gw-01");
	CHECK_STR(pget(&p, "cat"), "cleartext_credentials");
	CHECK_STR(pget(&p, "cnt"), "1");
	CHECK_STR(pget(&p, "externalId"), "00112233445566778899aabbccddeeff");
	CHECK_STR(pget_label(&p, "mitreTechniques"), "T1552,T1040");
	CHECK_STR(pget_label(&p, "findingUid"), "59de99445de5e248");
	CHECK_STR(pget_label(&p, "deviceUid"), "mac:00:a0:cc:3b:bf:fa");
	CHECK_STR(pget_label(&p, "site"), "plant-a");
	CHECK_STR(pget_label(&p, "zone"), "cell-3");
	CHECK_STR(pget(&p, "msg"), "192.168.0.2 sent credentials in clear text to 192.168.0.1:23 (Telnet login)");
	/* msg is last, so a transport that cuts the line loses prose, not keys. */
	CHECK_STR(p.key[p.n - 1], "msg");
out:
	parsed_free(&p);
	fmt_buf_free(&b);
}

TEST(device)
{
	struct fmt_buf b;
	struct parsed p;

	if (parse_rendered(rec_device, &p, &b))
		goto out;
	CHECK_STR(p.hdr[4], "device-profile");
	CHECK_STR(p.hdr[5], "Device profile");
	CHECK_STR(p.hdr[6], "3"); /* risk low */
	CHECK_STR(pget(&p, "src"), "250.58.112.87");
	CHECK_STR(pget(&p, "smac"), "00:00:00:bb:1c:de");
	CHECK_STR(pget(&p, "shost"), "R1.lab.local");
	CHECK_STR(pget(&p, "suser"), "NOAUTHNOPRIV");
	CHECK_STR(pget(&p, "act"), "observed");
	CHECK_STR(pget_label(&p, "deviceType"), "router");
	CHECK_STR(pget_label(&p, "vendor"), "Cisco");
	CHECK(!pget_label(&p, "model")); /* null: left out */
	CHECK_STR(pget_label(&p, "os"), "IOS");
	CHECK_STR(pget_label(&p, "recommendations"), "1");
	CHECK_STR(pget_label(&p, "vulnerabilities"), "0");
	CHECK_STR(pget(&p, "msg"), "risk: low; exposure: high; services: udp/161; protocols: SNMP; hostnames: "
				   "R1.lab.local");
out:
	parsed_free(&p);
	fmt_buf_free(&b);
}

TEST(vulnerability)
{
	struct fmt_buf b;
	struct parsed p;

	if (parse_rendered(rec_vuln, &p, &b))
		goto out;
	CHECK_STR(p.hdr[4], "CVE-2021-36260");
	CHECK_STR(p.hdr[5], "Known vulnerability CVE-2021-36260");
	CHECK_STR(p.hdr[6], "10");
	CHECK_STR(pget(&p, "rt"), "1709287200000");
	CHECK_STR(pget(&p, "src"), "198.18.0.7");
	CHECK_STR(pget(&p, "cat"), "vulnerability");
	CHECK_STR(pget_label(&p, "cvss"), "9.8");
	CHECK_STR(pget_label(&p, "kev"), "true");
	CHECK_STR(pget_label(&p, "vulnSource"), "nvd");
	CHECK_STR(pget_label(&p, "model"), "DS-2CD2042WD");
	CHECK_STR(pget_label(&p, "deviceUid"), "mac:00:11:22:33:44:55");
	CHECK_STR(pget(&p, "msg"), "affected: firmware < 5.5.800");
out:
	parsed_free(&p);
	fmt_buf_free(&b);
}

TEST(recommendation)
{
	struct fmt_buf b;
	struct parsed p;

	if (parse_rendered(rec_recommendation, &p, &b))
		goto out;
	CHECK_STR(p.hdr[4], "IOTS-REC-0003");
	CHECK_STR(p.hdr[5], "Remove insecure administration protocols SNMP v1 and SNMP v2");
	CHECK_STR(p.hdr[6], "8"); /* high */
	CHECK_STR(pget(&p, "cat"), "insecure_protocol");
	CHECK_STR(pget_label(&p, "vendor"), "EQUIP'TRANS");
	/* '=' inside the value went out escaped and came back. */
	CHECK_STR(pget_label(&p, "proof"), "snmp_answered_version=2c; snmp_answered_community=adsl");
	CHECK_STR(pget(&p, "msg"), "Disable v1/v2c and use SNMPv3 with authPriv.");
	CHECK_STR(pget_label(&p, "deviceUid"), "mac:00:01:00:00:00:08");
out:
	parsed_free(&p);
	fmt_buf_free(&b);
}

TEST(unknown_kind_generic)
{
	struct fmt_buf b;
	struct parsed p;

	if (parse_rendered("{\"record\":\"flow\",\"time\":\"2020-01-01T00:00:00Z\",\"evidence\":[{\"flow\":"
			   "\"udp 2001:db8::1:5353 -> 2001:db8::2:53\"}]}",
			   &p, &b))
		goto out;
	CHECK_STR(p.hdr[4], "flow");
	CHECK_STR(p.hdr[5], "flow");
	CHECK_STR(p.hdr[6], "0");
	CHECK_STR(pget(&p, "rt"), "1577836800000");
	CHECK_STR(pget(&p, "cat"), "flow");
	/* IPv6 goes to the IPv6 slots, the port after the last colon. */
	CHECK_STR(pget_label(&p, "Destination IPv6 Address"), "2001:db8::2");
	CHECK_STR(pget(&p, "dpt"), "53");
	CHECK(!pget(&p, "dst"));
out:
	parsed_free(&p);
	fmt_buf_free(&b);
}

TEST(no_record_kind_no_time)
{
	struct fmt_buf b;
	struct parsed p;

	if (parse_rendered("{\"device\":{\"ip\":\"2001:db8::7\"}}", &p, &b))
		goto out;
	CHECK_STR(p.hdr[4], "record");
	CHECK(!pget(&p, "rt"));
	CHECK_STR(pget_label(&p, "Source IPv6 Address"), "2001:db8::7");
	CHECK_STR(pget_label(&p, "deviceUid"), "ip:plant-a/2001:db8::7");
out:
	parsed_free(&p);
	fmt_buf_free(&b);
}

/* Flows that are not "PROTO A:P -> B:Q" give no peer fields, and nothing worse (found by fuzz_outputs). */
TEST(odd_flows)
{
	static const char *const flows[] = { "tcp -> 1:2", "tcp  -> :", " -> ", "tcp a -> b", "tcp :1 -> :2", "x",
					     "tcp 1.2.3.4:5 -> " };

	for (size_t i = 0; i < sizeof(flows) / sizeof(flows[0]); i++) {
		json_t *r = load("{\"record\":\"alert\",\"evidence\":[{\"flow\":\"\"}]}");
		struct fmt_buf b;
		struct parsed p;

		json_object_set_new(json_array_get(json_object_get(r, "evidence"), 0), "flow", json_string(flows[i]));
		b = render(OUT_FMT_CEF, r, NULL);
		CHECK(!cef_parse(b.p, b.len, &p));
		CHECK(!pget(&p, "dst") && !pget(&p, "dpt"));
		parsed_free(&p);
		fmt_buf_free(&b);
		json_decref(r);
	}
}

TEST(severity_map)
{
	static const struct {
		const char *rec;
		const char *sev;
	} cases[] = {
		{ "{\"record\":\"alert\",\"severity_id\":1}", "1" },
		{ "{\"record\":\"alert\",\"severity_id\":2}", "3" },
		{ "{\"record\":\"alert\",\"severity_id\":4}", "8" },
		{ "{\"record\":\"alert\",\"severity_id\":5}", "10" },
		{ "{\"record\":\"alert\",\"severity_id\":99,\"severity\":\"high\"}", "8" },
		{ "{\"record\":\"recommendation\",\"recommendation\":{\"severity\":\"low\"}}", "3" },
		{ "{\"record\":\"device\",\"device\":{\"risk\":\"none\"}}", "1" },
		{ "{\"record\":\"device\",\"device\":{\"risk\":\"bogus\"}}", "0" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fmt_buf b;
		struct parsed p;

		if (!parse_rendered(cases[i].rec, &p, &b))
			CHECK_STR(p.hdr[6], cases[i].sev);
		parsed_free(&p);
		fmt_buf_free(&b);
	}
}

TEST(version_and_context)
{
	struct fmt_ctx c = { .product_version = "1.2|3" };
	json_t *rec = load(rec_alert);
	struct fmt_buf b = render(OUT_FMT_CEF, rec, &c);
	struct parsed p;

	if (!cef_parse(b.p, b.len, &p)) {
		CHECK_STR(p.hdr[3], "1.2|3");
		CHECK_EQ_INT(p.pipes, 7);
		CHECK(!pget(&p, "dvchost")); /* no sensor name: left out */
		CHECK_STR(pget_label(&p, "deviceUid"), "mac:00:a0:cc:3b:bf:fa");
	} else {
		CHECK(0);
	}
	parsed_free(&p);
	fmt_buf_free(&b);
	json_decref(rec);
}

int main(void)
{
	RUN(alert);
	RUN(device);
	RUN(vulnerability);
	RUN(recommendation);
	RUN(unknown_kind_generic);
	RUN(no_record_kind_no_time);
	RUN(odd_flows);
	RUN(severity_map);
	RUN(version_and_context);
	return testlib_summary();
}
