// SPDX-License-Identifier: GPL-2.0-only
/* The recommendations catalog: the shipped file loads with the seed ids; proofs hold exactly when they should;
 * broken catalogs fail with file:line:col. */
#include <stdlib.h>
#include <unistd.h>

#include "assess/recommend.h"
#include "testlib.h"

static struct rec_catalog *shipped(void)
{
	char err[1024];
	struct rec_catalog *c = rec_load("rules/recommendations.yaml", err, sizeof(err));

	if (!c)
		printf("  %s\n", err);
	return c;
}

/* The JSON of the open recommendations for these attributes. */
static char *eval(const struct rec_catalog *c, const struct assess_attr *a, size_t n, int *open)
{
	static char out[65536];
	struct jsonw w;

	jw_init(&w);
	jw_obj_open(&w);
	*open = rec_put_device(&w, c, a, n, NULL);
	jw_obj_close(&w);
	snprintf(out, sizeof(out), "%.*s", (int)w.len, w.buf);
	jw_free(&w);
	return out;
}

static const char *title_of(const struct rec_catalog *c, const char *id)
{
	for (size_t i = 0; i < rec_count(c); i++)
		if (!strcmp(rec_info(c, i)->id, id))
			return rec_info(c, i)->title;
	return NULL;
}

TEST(shipped_catalog_has_the_seed_recommendations)
{
	struct rec_catalog *c = shipped();

	CHECK(c != NULL);
	if (!c)
		return;
	CHECK(rec_count(c) >= 8);
	CHECK_STR(title_of(c, "IOTS-REC-0001"), "Require authentication for Telnet management interface");
	CHECK_STR(title_of(c, "IOTS-REC-0002"), "Disable insecure administration protocol – Telnet");
	CHECK_STR(title_of(c, "IOTS-REC-0003"), "Remove insecure administration protocols SNMP v1 and SNMP v2");
	CHECK_STR(title_of(c, "IOTS-REC-0004"), "Require authentication for VNC management interface");
	rec_free(c);
}

TEST(telnet_without_login_opens_0001_and_0002)
{
	struct rec_catalog *c = shipped();
	struct assess_attr a[] = {
		{ "telnet_noauth_shell", "/ #", "tcp 198.18.0.5:23 -> 198.18.0.9:40000", 1000000000ull },
		{ "service", "tcp/23", "", 1 },
	};
	int open = 0;
	char *j;

	if (!c)
		return;
	j = eval(c, a, 2, &open);
	CHECK_EQ_INT(open, 2);
	CHECK(strstr(j, "\"id\":\"IOTS-REC-0001\"") != NULL);
	CHECK(strstr(j, "\"id\":\"IOTS-REC-0002\"") != NULL);
	CHECK(strstr(j, "\"key\":\"telnet_noauth_shell\",\"value\":\"/ #\",\"flow\":\"tcp 198.18.0.5:23") != NULL);
	rec_free(c);
}

TEST(snmp_needs_an_answer_in_v1_or_v2c)
{
	struct rec_catalog *c = shipped();
	struct assess_attr v3[] = { { "snmp_answered_version", "3", "", 1 }, { "snmp_version", "2c", "", 1 } };
	struct assess_attr v2[] = { { "snmp_answered_version", "2c", "", 1 },
				    { "snmp_answered_community", "s3cr3t-ro", "", 1 } };
	struct assess_attr pub[] = { { "snmp_answered_version", "1", "", 1 },
				     { "snmp_answered_community", "public", "", 1 } };
	int open = 0;
	char *j;

	if (!c)
		return;
	eval(c, v3, 2, &open);
	CHECK_EQ_INT(open, 0); /* a v2c request to it proves nothing; it answered v3 only */
	j = eval(c, v2, 2, &open);
	CHECK_EQ_INT(open, 1);
	CHECK(strstr(j, "IOTS-REC-0003") && !strstr(j, "IOTS-REC-0008"));
	CHECK(strstr(j, "\"key\":\"snmp_answered_community\",\"value\":\"s3cr3t-ro\"") != NULL);
	j = eval(c, pub, 2, &open);
	CHECK_EQ_INT(open, 2);
	CHECK(strstr(j, "IOTS-REC-0003") && strstr(j, "IOTS-REC-0008"));
	rec_free(c);
}

TEST(vnc_none_and_nothing_else)
{
	struct rec_catalog *c = shipped();
	struct assess_attr none[] = { { "vnc_auth_none", "1", "", 1 }, { "service", "tcp/5900", "", 1 } };
	struct assess_attr pw[] = { { "vnc_security_types", "VNC Authentication", "", 1 },
				    { "service", "tcp/5900", "", 1 }, { "service", "tcp/22", "", 1 } };
	int open = 0;

	if (!c)
		return;
	CHECK(strstr(eval(c, none, 2, &open), "IOTS-REC-0004") != NULL);
	CHECK_EQ_INT(open, 1);
	eval(c, pw, 3, &open);
	CHECK_EQ_INT(open, 0);
	eval(c, NULL, 0, &open);
	CHECK_EQ_INT(open, 0);
	eval(NULL, none, 2, &open); /* no catalog: an empty list, not a crash */
	CHECK_EQ_INT(open, 0);
	rec_free(c);
}

/* Writes text to a temporary catalog and loads it; returns the error ("" when it loaded). */
static const char *load_text(const char *text)
{
	static char err[1024];
	char path[] = "/tmp/iotsense-rec-XXXXXX";
	int fd = mkstemp(path);
	struct rec_catalog *c;

	err[0] = 0;
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return "mkstemp/write failed";
	close(fd);
	c = rec_load(path, err, sizeof(err));
	unlink(path);
	rec_free(c);
	/* Skip the temporary path: the tests compare what follows it. */
	return strchr(err, ':') ? strchr(err, ':') + 1 : err;
}

#define ENTRY "- id: IOTS-REC-0100\n  title: t\n  remediation: r\n"

TEST(broken_catalogs_say_where)
{
	CHECK_STR(load_text(ENTRY "  severity: high\n  proof:\n    - service: '.'\n"), "");
	CHECK_STR(load_text(ENTRY "  severity: urgent\n  proof:\n    - service: '.'\n"),
		  "4:13: severity 'urgent': one of low, medium, high, critical");
	CHECK(strstr(load_text(ENTRY "  severity: high\n  proof:\n    - service: '(unclosed'\n"),
		     "6:16: bad pattern for 'service'") != NULL);
	CHECK_STR(load_text(ENTRY "  severity: high\n  proofs:\n    - service: '.'\n"),
		  "5:3: unknown key 'proofs' (id, title, severity, category, remediation, proof)");
	CHECK_STR(load_text(ENTRY "  severity: high\n  proof:\n    - service: '.'\n" ENTRY
				  "  severity: low\n  proof:\n    - service: '.'\n"),
		  "7:7: id 'IOTS-REC-0100' is used twice");
	CHECK_STR(load_text(ENTRY "  severity: high\n  proof:\n    - {}\n"),
		  "6:7: an empty proof would hold on every device");
	CHECK_STR(load_text("- id: REC-1\n  title: t\n  remediation: r\n  severity: low\n  proof:\n    - a: b\n"),
		  "1:7: id 'REC-1' is not of the form IOTS-REC-NNNN");
	CHECK(strstr(load_text("- id: [unclosed\n"), "1:") != NULL);
	CHECK_STR(load_text("id: IOTS-REC-0001\n"), "1:1: the catalog is a list of entries ('- id: IOTS-REC-0001 ...')");
}

TEST(smbv1_server_but_not_an_smbv1_client)
{
	struct rec_catalog *c = shipped();
	struct assess_attr srv[] = { { "smb_version", "1", "", 1 }, { "service", "tcp/445", "", 1 } };
	struct assess_attr cli[] = { { "smb_dialects", "NT LM 0.12,SMB 2.002", "", 1 } };
	int open = 0;

	if (!c)
		return;
	CHECK(strstr(eval(c, srv, 2, &open), "IOTS-REC-0010") != NULL);
	CHECK_EQ_INT(open, 1);
	eval(c, cli, 1, &open);
	CHECK_EQ_INT(open, 0);
	rec_free(c);
}

int main(void)
{
	RUN(shipped_catalog_has_the_seed_recommendations);
	RUN(telnet_without_login_opens_0001_and_0002);
	RUN(snmp_needs_an_answer_in_v1_or_v2c);
	RUN(vnc_none_and_nothing_else);
	RUN(broken_catalogs_say_where);
	RUN(smbv1_server_but_not_an_smbv1_client);
	return testlib_summary();
}
