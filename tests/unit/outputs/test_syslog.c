// SPDX-License-Identifier: GPL-2.0-only
/* Syslog framing: RFC 5424 and RFC 3164 headers, RFC 6587 octet counting, cleaning and bounds. */
#include "fmt_test.h"
#include "outputs/syslog.h"

#define T_2023 1700000000123456LL /* 2023-11-14T22:13:20.123456Z */

static struct syslog_msg base(enum syslog_protocol p)
{
	return (struct syslog_msg){ .protocol = p, .facility = 20, .severity = 4, .time_us = T_2023,
				    .hostname = "gw-01", .app_name = "iotsense", .procid = "42", .msgid = "alert" };
}

static void frame(const struct syslog_msg *m, const char *msg, size_t len, struct fmt_buf *b)
{
	fmt_buf_reset(b);
	CHECK_EQ_INT(syslog_frame(b, m, msg, len), 0);
}

TEST(rfc5424)
{
	struct syslog_msg m = base(SYSLOG_RFC5424);
	struct fmt_buf b = { 0 };

	frame(&m, "CEF:0|x", 7, &b);
	CHECK_STR(b.p, "<164>1 2023-11-14T22:13:20.123456Z gw-01 iotsense 42 alert - CEF:0|x");
	m.hostname = m.app_name = m.procid = m.msgid = NULL;
	frame(&m, "", 0, &b);
	CHECK_STR(b.p, "<164>1 2023-11-14T22:13:20.123456Z - - - - -");
	fmt_buf_free(&b);
}

TEST(rfc5424_structured_data)
{
	struct syslog_sd_param sd[] = { { "record_id", "ab12" }, { "site", "a\"b]c\\d" }, { NULL, "skipped" },
					{ "bad name=x", "v" } };
	struct syslog_msg m = base(SYSLOG_RFC5424);
	struct fmt_buf b = { 0 };

	m.sd_id = "iotsense@32473";
	m.sd = sd;
	m.nsd = 4;
	frame(&m, "m", 1, &b);
	CHECK_STR(b.p, "<164>1 2023-11-14T22:13:20.123456Z gw-01 iotsense 42 alert [iotsense@32473 record_id=\"ab12\" "
		       "site=\"a\\\"b\\]c\\\\d\" bad_name_x=\"v\"] m");
	fmt_buf_free(&b);
}

TEST(rfc3164)
{
	struct syslog_msg m = base(SYSLOG_RFC3164);
	struct fmt_buf b = { 0 };

	frame(&m, "LEEF:2.0|x", 10, &b);
	CHECK_STR(b.p, "<164>Nov 14 22:13:20 gw-01 iotsense[42]: LEEF:2.0|x");
	/* The day is space-padded; the TAG keeps to [A-Za-z0-9_.-/]. */
	m.time_us = 1643702947000000LL; /* 2022-02-01T08:09:07Z */
	m.app_name = "io tsense:x";
	m.procid = NULL;
	frame(&m, "m", 1, &b);
	CHECK_STR(b.p, "<164>Feb  1 08:09:07 gw-01 io_tsense_x: m");
	/* 32 characters of TAG at most: a long name loses its PID first, then is cut. */
	m.app_name = "abcdefghijklmnopqrstuvwxyz0123456789";
	m.procid = "1";
	frame(&m, "m", 1, &b);
	CHECK_STR(b.p, "<164>Feb  1 08:09:07 gw-01 abcdefghijklmnopqrstuvwxyz012345: m");
	fmt_buf_free(&b);
}

TEST(octet_counting)
{
	struct syslog_msg m = base(SYSLOG_RFC5424);
	struct fmt_buf b = { 0 };
	unsigned long n = 0;
	char *sp;

	m.octet_count = true;
	m.max_len = SYSLOG_MAX_TCP;
	frame(&m, "hello", 5, &b);
	sp = b.p ? strchr(b.p, ' ') : NULL;
	CHECK(sp != NULL);
	if (sp) {
		n = strtoul(b.p, NULL, 10);
		CHECK_EQ_INT(n, b.len - (size_t)(sp + 1 - b.p));
		CHECK(!strncmp(sp + 1, "<164>1 ", 7));
		CHECK(sp[-1] != ' ' && b.p[0] != ' ');
	}
	CHECK_STR(b.p, "66 <164>1 2023-11-14T22:13:20.123456Z gw-01 iotsense 42 alert - hello");
	fmt_buf_free(&b);
}

TEST(header_fields_cleaned_and_bounded)
{
	struct syslog_msg m = base(SYSLOG_RFC5424);
	struct fmt_buf b = { 0 };
	char host[300], app[100], pid[200], msgid[40], want[1024];

	memset(host, 'h', sizeof(host) - 1);
	host[sizeof(host) - 1] = 0;
	memset(app, 'a', sizeof(app) - 1);
	app[sizeof(app) - 1] = 0;
	memset(pid, 'p', sizeof(pid) - 1);
	pid[sizeof(pid) - 1] = 0;
	memset(msgid, 'm', sizeof(msgid) - 1);
	msgid[sizeof(msgid) - 1] = 0;
	m.hostname = host;
	m.app_name = app;
	m.procid = pid;
	m.msgid = msgid;
	frame(&m, "x", 1, &b);
	snprintf(want, sizeof(want), "<164>1 2023-11-14T22:13:20.123456Z %.255s %.48s %.128s %.32s - x", host, app, pid,
		 msgid);
	CHECK_STR(b.p, want);

	m = base(SYSLOG_RFC5424);
	m.hostname = "bad host\nname\xff";
	m.app_name = "app\tname";
	m.facility = 99;
	m.severity = -3;
	frame(&m, "x", 1, &b);
	CHECK_STR(b.p, "<184>1 2023-11-14T22:13:20.123456Z bad_host_name_ app_name 42 alert - x");
	fmt_buf_free(&b);
}

TEST(msg_one_line)
{
	struct syslog_msg m = base(SYSLOG_RFC5424);
	struct fmt_buf b = { 0 };

	frame(&m, "a\nb\0c\rd\te\x1b", 10, &b);
	CHECK_STR(b.p, "<164>1 2023-11-14T22:13:20.123456Z gw-01 iotsense 42 alert - a b\xef\xbf\xbd" "c d e\xef\xbf\xbd");
	CHECK(one_clean_line(&b));
	fmt_buf_free(&b);
}

TEST(msg_bounded)
{
	static char big[20000];
	struct syslog_msg m = base(SYSLOG_RFC5424);
	struct fmt_buf b = { 0 };
	size_t hdr;

	memset(big, 'a', sizeof(big));
	frame(&m, big, sizeof(big), &b);
	CHECK_EQ_INT(b.len, SYSLOG_MAX_UDP);
	m.octet_count = true;
	frame(&m, big, sizeof(big), &b);
	CHECK(b.p && !strncmp(b.p, "8192 <164>", 10));
	CHECK_EQ_INT(b.len, 5 + SYSLOG_MAX_UDP);
	/* Too small a bound is raised to what a header needs. */
	m = base(SYSLOG_RFC3164);
	m.max_len = 10;
	frame(&m, big, sizeof(big), &b);
	CHECK_EQ_INT(b.len, SYSLOG_MIN_LEN);

	/* A cut between '\' and the character it escapes drops the '\'. */
	m = base(SYSLOG_RFC5424);
	frame(&m, "", 0, &b);
	hdr = b.len + 1;
	memset(big, 'a', sizeof(big));
	big[SYSLOG_MAX_UDP - hdr - 1] = '\\';
	big[SYSLOG_MAX_UDP - hdr] = '=';
	frame(&m, big, sizeof(big), &b);
	CHECK_EQ_INT(b.len, SYSLOG_MAX_UDP - 1);
	CHECK(b.p && b.p[b.len - 1] == 'a');
	/* An escaped backslash at the cut stays whole. */
	big[SYSLOG_MAX_UDP - hdr - 2] = '\\';
	big[SYSLOG_MAX_UDP - hdr - 1] = '\\';
	frame(&m, big, sizeof(big), &b);
	CHECK_EQ_INT(b.len, SYSLOG_MAX_UDP);
	CHECK(b.p && b.p[b.len - 1] == '\\' && b.p[b.len - 2] == '\\');
	/* A UTF-8 sequence that does not fit is left out whole. */
	memcpy(big + SYSLOG_MAX_UDP - hdr - 2, "a\xc3\xa9", 3);
	frame(&m, big, sizeof(big), &b);
	CHECK_EQ_INT(b.len, SYSLOG_MAX_UDP - 1);
	CHECK(one_clean_line(&b));
	fmt_buf_free(&b);
}

/* A cut CEF/LEEF line keeps whole keys: half a key is dropped, a value keeps what fits. */
TEST(cut_at_fields)
{
	static char line[12000];
	struct syslog_msg m = base(SYSLOG_RFC5424);
	struct fmt_buf b = { 0 };
	struct parsed p;
	const char *at;
	size_t hdr, n;

	frame(&m, "", 0, &b);
	hdr = b.len + 1;
	for (int leef = 0; leef < 2; leef++) {
		const char *head = leef ? "LEEF:2.0|v|p|1|e|^|k1=v1^k2=" : "CEF:0|v|p|1|s|n|5|k1=v1 k2=";
		char sep = leef ? '^' : ' ';

		/* The bound falls inside k2's value: the value is kept, cut. */
		memset(line, 'x', sizeof(line));
		memcpy(line, head, strlen(head));
		frame(&m, line, sizeof(line), &b);
		at = b.p + hdr;
		n = b.len - hdr;
		CHECK_EQ_INT(b.len, SYSLOG_MAX_UDP);
		CHECK(leef ? !leef_parse(at, n, &p) : !cef_parse(at, n, &p));
		CHECK(pget_len(&p, "k2") == n - strlen(head));
		parsed_free(&p);
		/* The bound falls inside the key k3 that follows: k3's half goes. */
		line[SYSLOG_MAX_UDP - hdr - 3] = sep;
		memcpy(line + SYSLOG_MAX_UDP - hdr - 2, "k3=v3", 5);
		frame(&m, line, sizeof(line), &b);
		at = b.p + hdr;
		n = b.len - hdr;
		CHECK_EQ_INT(b.len, SYSLOG_MAX_UDP - 3);
		CHECK(leef ? !leef_parse(at, n, &p) : !cef_parse(at, n, &p));
		CHECK(p.n == 2 && !pget(&p, "k3"));
		parsed_free(&p);
	}
	fmt_buf_free(&b);
}

TEST(severity_of_records)
{
	static const struct {
		const char *rec;
		int sev;
	} cases[] = {
		{ "{\"severity_id\":5}", 2 }, { "{\"severity_id\":4}", 3 }, { "{\"severity\":\"medium\"}", 4 },
		{ "{\"severity_id\":2}", 5 }, { "{\"record\":\"device\"}", 6 }, { "{\"severity_id\":6}", 1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *r = load(cases[i].rec);

		CHECK_EQ_INT(syslog_severity_of(r), cases[i].sev);
		json_decref(r);
	}
}

int main(void)
{
	RUN(rfc5424);
	RUN(rfc5424_structured_data);
	RUN(rfc3164);
	RUN(octet_counting);
	RUN(header_fields_cleaned_and_bounded);
	RUN(msg_one_line);
	RUN(msg_bounded);
	RUN(cut_at_fields);
	RUN(severity_of_records);
	return testlib_summary();
}
