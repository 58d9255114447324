// SPDX-License-Identifier: GPL-2.0-only
/* LEEF 2.0 rendering of each record kind, read back with a strict LEEF parser (fmt_test.h). */
#include "fmt_test.h"

static int parse_rendered(const char *text, struct parsed *p, struct fmt_buf *b)
{
	json_t *rec = load(text);

	*b = render(OUT_FMT_LEEF, rec, NULL);
	json_decref(rec);
	CHECK(one_clean_line(b));
	CHECK(b->p && !memchr(b->p, '\t', b->len));
	if (!b->p || leef_parse(b->p, b->len, p)) {
		printf("  not strict LEEF: %s\n", b->p ? b->p : "(null)");
		return -1;
	}
	CHECK_EQ_INT(p->pipes, 6);
	CHECK_STR(p->hdr[0], "LEEF:2.0");
	CHECK_STR(p->hdr[1], "iotsense");
	CHECK_STR(p->hdr[2], "iotsense");
	CHECK_STR(p->hdr[3], IOTSENSE_VERSION);
	CHECK_STR(p->hdr[5], "^");
	return 0;
}

TEST(alert)
{
	struct fmt_buf b;
	struct parsed p;

	if (parse_rendered(rec_alert, &p, &b))
		goto out;
	CHECK_STR(p.hdr[4], "cleartext_credentials");
	CHECK_STR(pget(&p, "devTime"), "1999-11-28T02:12:40.964+0000");
	CHECK_STR(pget(&p, "devTimeFormat"), "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
	CHECK_STR(pget(&p, "sev"), "5");
	CHECK_STR(pget(&p, "name"), "Credentials sent in clear text");
	CHECK_STR(pget(&p, "src"), "192.168.0.2");
	CHECK_STR(pget(&p, "srcMAC"), "00:a0:cc:3b:bf:fa");
	CHECK_STR(pget(&p, "dst"), "192.168.0.1");
	CHECK_STR(pget(&p, "dstPort"), "23");
	CHECK_STR(pget(&p, "proto"), "tcp");
	CHECK_STR(pget(&p, "cat"), "cleartext_credentials");
	CHECK_STR(pget(&p, "sensor"), "gw-01");
	CHECK_STR(pget(&p, "site"), "plant-a");
	CHECK_STR(pget(&p, "zone"), "cell-3");
	CHECK_STR(pget(&p, "recordId"), "00112233445566778899aabbccddeeff");
	CHECK_STR(pget(&p, "mitreTechniques"), "T1552,T1040");
	CHECK_STR(pget(&p, "deviceUid"), "mac:00:a0:cc:3b:bf:fa");
	CHECK(!pget(&p, "deviceExternalId")); /* CEF only */
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
	CHECK_STR(pget(&p, "sev"), "3");
	CHECK_STR(pget(&p, "identHostName"), "R1.lab.local");
	CHECK_STR(pget(&p, "usrName"), "NOAUTHNOPRIV");
	CHECK_STR(pget(&p, "deviceType"), "router");
	CHECK_STR(pget(&p, "vendor"), "Cisco");
	CHECK_STR(pget(&p, "os"), "IOS");
	CHECK_STR(pget(&p, "recommendations"), "1");
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
	CHECK_STR(pget(&p, "sev"), "10");
	CHECK_STR(pget(&p, "devTime"), "2024-03-01T10:00:00.000+0000");
	CHECK_STR(pget(&p, "cvss"), "9.8");
	CHECK_STR(pget(&p, "kev"), "true");
	CHECK_STR(pget(&p, "model"), "DS-2CD2042WD");
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
	CHECK_STR(pget(&p, "sev"), "8");
	CHECK_STR(pget(&p, "cat"), "insecure_protocol");
	CHECK_STR(pget(&p, "proof"), "snmp_answered_version=2c; snmp_answered_community=adsl");
	CHECK_STR(pget(&p, "msg"), "Disable v1/v2c and use SNMPv3 with authPriv.");
out:
	parsed_free(&p);
	fmt_buf_free(&b);
}

TEST(unknown_and_escapes)
{
	struct fmt_buf b;
	struct parsed p;

	if (parse_rendered("{\"record\":\"odd^kind|x\",\"device\":{\"mac\":\"AA:BB:CC:DD:EE:FF\",\"hostname\":"
			   "\"a^b=c\\\\d\"}}",
			   &p, &b))
		goto out;
	CHECK_STR(p.hdr[4], "odd^kind|x");
	CHECK_STR(pget(&p, "sev"), "1");
	CHECK_STR(pget(&p, "cat"), "odd^kind|x");
	CHECK_STR(pget(&p, "identHostName"), "a^b=c\\d");
	CHECK_STR(pget(&p, "deviceUid"), "mac:aa:bb:cc:dd:ee:ff");
	CHECK(!pget(&p, "devTime"));
out:
	parsed_free(&p);
	fmt_buf_free(&b);
}

int main(void)
{
	RUN(alert);
	RUN(device);
	RUN(vulnerability);
	RUN(recommendation);
	RUN(unknown_and_escapes);
	return testlib_summary();
}
