// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bytes from the wire cannot break a format's framing: hostile strings (|, =, \, ^, newlines, NUL, ESC, C1
 * controls, U+2028, invalid UTF-8, a 64 KiB hostname, format injections) go into the fields that reach a CEF
 * header, a CEF/LEEF extension value and JSON; every rendering is read back with a strict parser and must hold
 * exactly one line, exactly the header's pipes, and the value as the format's rules say it comes back.
 */
#include "fmt_test.h"
#include "lib/jsonw.h"
#include "outputs/syslog.h"

#define FFFD "\xef\xbf\xbd"

struct hostile {
	const char *name;
	const char *s;
	size_t n;
	/* What a collector reads back: CEF extension value, CEF header field, LEEF value (NULL: as s). */
	const char *cef, *hdr, *leef;
	/* What JSON reads back (NULL: as s) and its length. */
	const char *json;
	size_t json_n;
};

#define S(x) x, sizeof(x) - 1

static const struct hostile cases[] = {
	{ "pipes", S("a|b|c||"), NULL, NULL, NULL, NULL, 0 },
	{ "equals", S("k=v x=y ="), NULL, NULL, NULL, NULL, 0 },
	{ "backslashes", S("C:\\dir\\ \\n \\"), NULL, NULL, NULL, NULL, 0 },
	{ "newlines", S("line1\nline2\r\nCEF:0|evil|x"), NULL, "line1 line2  CEF:0|evil|x", "line1 line2  CEF:0|evil|x",
	  NULL, 0 },
	{ "nul", S("nul\0byte"), "nul" FFFD "byte", "nul" FFFD "byte", "nul" FFFD "byte", NULL, 0 },
	{ "invalid_utf8", S("\xff\xfe\xc3(\xed\xa0\x80\xf4\x90\x80\x80"), FFFD FFFD FFFD "(" FFFD FFFD FFFD FFFD FFFD FFFD FFFD,
	  FFFD FFFD FFFD "(" FFFD FFFD FFFD FFFD FFFD FFFD FFFD, FFFD FFFD FFFD "(" FFFD FFFD FFFD FFFD FFFD FFFD FFFD,
	  FFFD FFFD FFFD "(" FFFD FFFD FFFD FFFD FFFD FFFD FFFD, sizeof(FFFD FFFD FFFD "(" FFFD FFFD FFFD FFFD FFFD FFFD FFFD) - 1 },
	{ "caret_tab", S("a^b\tc^"), "a^b c^", "a^b c^", "a^b c^", NULL, 0 },
	{ "escape_c1", S("\x1b[31mred\xc2\x85\x7f"), FFFD "[31mred" FFFD FFFD, FFFD "[31mred" FFFD FFFD,
	  FFFD "[31mred" FFFD FFFD, NULL, 0 },
	{ "json_breakers", S("\"}\n{\"x\":1,\"y\":\"\\u0000"), NULL, "\"} {\"x\":1,\"y\":\"\\u0000",
	  "\"} {\"x\":1,\"y\":\"\\u0000", NULL, 0 },
	{ "line_separator", S("a\xe2\x80\xa8" "b\xe2\x80\xa9"), "a b ", "a b ", "a b ", NULL, 0 },
	{ "cef_injection", S("x act=blocked cs1Label=deviceType cs1=router msg=owned"), NULL, NULL, NULL, NULL, 0 },
	{ "leef_injection", S("x^sev=10^cat=owned"), NULL, NULL, NULL, NULL, 0 },
	{ "utf8_ok", S("Gr\xc3\xbc\xc3\x9f" "e \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x93\xb7"), NULL, NULL, NULL, NULL, 0 },
};

static bool same(const char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && !memcmp(a, b, an);
}

static void check_value(const char *what, const char *got, size_t got_n, const char *want, size_t want_n)
{
	if (!got || !same(got, got_n, want, want_n)) {
		printf("  %s: %s: got \"%.*s\" (%zu bytes), want \"%.*s\" (%zu bytes)\n", testlib_cur, what,
		       (int)(got ? got_n : 0), got ? got : "", got ? got_n : 0, (int)want_n, want, want_n);
		testlib_cur_failed = 1;
	}
}

/* The alert and device records with s in the fields that reach headers, values and JSON. */
static json_t *hostile_alert(const char *s, size_t n)
{
	json_t *r = load(rec_alert), *f = json_object_get(r, "finding");

	json_object_set_new(f, "title", json_stringn_nocheck(s, n));
	json_array_set_new(json_object_get(f, "types"), 0, json_stringn_nocheck(s, n));
	json_object_set_new(f, "desc", json_stringn_nocheck(s, n));
	return r;
}

static json_t *hostile_device(const char *s, size_t n)
{
	json_t *r = load(rec_device), *d = json_object_get(r, "device");

	json_array_set_new(json_object_get(d, "hostnames"), 0, json_stringn_nocheck(s, n));
	json_object_set_new(d, "vendor", json_stringn_nocheck(s, n));
	return r;
}

static void check_cef(const struct hostile *h)
{
	json_t *a = hostile_alert(h->s, h->n), *d = hostile_device(h->s, h->n);
	struct fmt_buf b = render(OUT_FMT_CEF, a, NULL);
	const char *cef = h->cef ? h->cef : h->s, *hdr = h->hdr ? h->hdr : h->s;
	size_t cef_n = h->cef ? strlen(h->cef) : h->n, hdr_n = h->hdr ? strlen(h->hdr) : h->n;
	struct parsed p;

	CHECK(one_clean_line(&b));
	if (!cef_parse(b.p, b.len, &p)) {
		CHECK_EQ_INT(p.pipes, 7);
		check_value("CEF signatureId", p.hdr[4], strlen(p.hdr[4]), hdr, hdr_n);
		check_value("CEF name", p.hdr[5], strlen(p.hdr[5]), hdr, hdr_n);
		check_value("CEF msg", pget(&p, "msg"), pget_len(&p, "msg"), cef, cef_n);
		check_value("CEF cat", pget(&p, "cat"), pget_len(&p, "cat"), cef, cef_n);
		/* Nothing was injected: the keys are the ones the mapping writes, once each. */
		CHECK_STR(pget(&p, "src"), "192.168.0.2");
		CHECK(!pget(&p, "act"));
		CHECK_STR(p.hdr[6], "5");
	} else {
		printf("  %s: not strict CEF: %s\n", h->name, b.p);
		CHECK(0);
	}
	parsed_free(&p);
	fmt_buf_free(&b);

	b = render(OUT_FMT_CEF, d, NULL);
	CHECK(one_clean_line(&b));
	if (!cef_parse(b.p, b.len, &p)) {
		CHECK_EQ_INT(p.pipes, 7);
		check_value("CEF shost", pget(&p, "shost"), pget_len(&p, "shost"), cef, cef_n);
		CHECK_STR(pget(&p, "act"), "observed");
		CHECK_STR(pget_label(&p, "deviceType"), "router");
	} else {
		printf("  %s: not strict CEF: %s\n", h->name, b.p);
		CHECK(0);
	}
	parsed_free(&p);
	fmt_buf_free(&b);
	json_decref(a);
	json_decref(d);
}

static void check_leef(const struct hostile *h)
{
	json_t *a = hostile_alert(h->s, h->n), *d = hostile_device(h->s, h->n);
	struct fmt_buf b = render(OUT_FMT_LEEF, a, NULL);
	const char *leef = h->leef ? h->leef : h->s, *hdr = h->hdr ? h->hdr : h->s;
	size_t leef_n = h->leef ? strlen(h->leef) : h->n, hdr_n = h->hdr ? strlen(h->hdr) : h->n;
	struct parsed p;

	CHECK(one_clean_line(&b) && !memchr(b.p, '\t', b.len));
	if (!leef_parse(b.p, b.len, &p)) {
		CHECK_EQ_INT(p.pipes, 6);
		check_value("LEEF eventId", p.hdr[4], strlen(p.hdr[4]), hdr, hdr_n);
		check_value("LEEF name", pget(&p, "name"), pget_len(&p, "name"), leef, leef_n);
		check_value("LEEF msg", pget(&p, "msg"), pget_len(&p, "msg"), leef, leef_n);
		CHECK_STR(pget(&p, "sev"), "5");
		CHECK_STR(pget(&p, "src"), "192.168.0.2");
	} else {
		printf("  %s: not strict LEEF: %s\n", h->name, b.p);
		CHECK(0);
	}
	parsed_free(&p);
	fmt_buf_free(&b);

	b = render(OUT_FMT_LEEF, d, NULL);
	CHECK(one_clean_line(&b));
	if (!leef_parse(b.p, b.len, &p)) {
		check_value("LEEF identHostName", pget(&p, "identHostName"), pget_len(&p, "identHostName"), leef, leef_n);
		check_value("LEEF vendor", pget(&p, "vendor"), pget_len(&p, "vendor"), leef, leef_n);
		CHECK_STR(pget(&p, "deviceType"), "router");
	} else {
		printf("  %s: not strict LEEF: %s\n", h->name, b.p);
		CHECK(0);
	}
	parsed_free(&p);
	fmt_buf_free(&b);
	json_decref(a);
	json_decref(d);
}

/* JSON, HEC and Elastic: each line valid JSON, the value back as JSON says (invalid UTF-8 as U+FFFD). */
static void check_json(const struct hostile *h)
{
	static const enum out_format fmts[] = { OUT_FMT_JSON, OUT_FMT_SPLUNK_HEC, OUT_FMT_ELASTIC_BULK };
	static const char *const paths[] = { "finding.desc", "event.finding.desc", "finding.desc" };
	const char *want = h->json ? h->json : h->s;
	size_t want_n = h->json ? h->json_n : h->n;
	json_t *a = hostile_alert(h->s, h->n);

	for (size_t i = 0; i < 3; i++) {
		struct fmt_buf b = render(fmts[i], a, NULL);
		const char *line = b.p ? b.p : "";
		size_t len = b.len;
		json_t *j;

		if (fmts[i] == OUT_FMT_ELASTIC_BULK) {
			const char *nl = memchr(line, '\n', len);

			CHECK(nl && len && line[len - 1] == '\n');
			if (!nl || !len)
				goto next;
			len -= (size_t)(nl + 1 - line) + 1;
			line = nl + 1;
		}
		CHECK(!memchr(line, '\n', len) && !memchr(line, '\0', len) && clean_text(line, len, ""));
		j = json_loadb(line, len, JSON_ALLOW_NUL, NULL);
		CHECK(j);
		{
			const json_t *v = fmt_get(j, paths[i]);

			check_value(out_format_name(fmts[i]), json_string_value(v), json_string_length(v), want, want_n);
		}
		json_decref(j);
next:
		fmt_buf_free(&b);
	}
	json_decref(a);
}

/* Syslog around the CEF line: still one clean line, still strict CEF after the header. */
static void check_syslog(const struct hostile *h)
{
	json_t *a = hostile_alert(h->s, h->n);
	struct fmt_buf b = render(OUT_FMT_CEF, a, NULL), f = { 0 };
	struct syslog_msg m = { .protocol = SYSLOG_RFC3164, .facility = 20, .severity = 4, .hostname = "gw-01" };
	struct parsed p;
	const char *cef;

	CHECK_EQ_INT(syslog_frame(&f, &m, b.p, b.len), 0);
	CHECK(one_clean_line(&f));
	cef = f.p ? strstr(f.p, "CEF:0|") : NULL;
	CHECK(cef && !cef_parse(cef, f.len - (size_t)(cef - f.p), &p) && p.pipes == 7);
	parsed_free(&p);
	fmt_buf_free(&f);
	fmt_buf_free(&b);
	json_decref(a);
}

TEST(hostile_strings)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int before = testlib_cur_failed;

		testlib_cur_failed = 0;
		check_cef(&cases[i]);
		check_leef(&cases[i]);
		check_json(&cases[i]);
		check_syslog(&cases[i]);
		if (testlib_cur_failed)
			printf("  ^ case %s\n", cases[i].name);
		testlib_cur_failed |= before;
	}
}

/* A 64 KiB hostname full of escapes: every value bounded, a prefix of the original, the line still strict. */
TEST(huge_hostname)
{
	size_t n = 64 * 1024;
	char *s = malloc(n);
	json_t *d, *a;
	struct fmt_buf b, f = { 0 };
	struct parsed p;
	const char *v;

	for (size_t i = 0; i < n; i++)
		s[i] = "host=|\\^\n"[i % 9];
	d = hostile_device(s, n);
	a = hostile_alert(s, n);
	b = render(OUT_FMT_CEF, d, NULL);
	CHECK(one_clean_line(&b));
	CHECK(b.len < 16 * 1024);
	if (!cef_parse(b.p, b.len, &p)) {
		v = pget(&p, "shost");
		CHECK(v && pget_len(&p, "shost") > 100 && pget_len(&p, "shost") <= FMT_VALUE_MAX);
		CHECK(v && !memcmp(v, s, pget_len(&p, "shost")));
	} else {
		CHECK(0);
	}
	parsed_free(&p);
	fmt_buf_free(&b);

	b = render(OUT_FMT_CEF, a, NULL);
	if (!cef_parse(b.p, b.len, &p)) {
		CHECK_EQ_INT(p.pipes, 7);
		CHECK(strlen(p.hdr[5]) <= FMT_HEADER_FIELD_MAX);
	} else {
		CHECK(0);
	}
	parsed_free(&p);
	/* Through syslog UDP: bounded, and the cut line is still strict CEF. */
	{
		struct syslog_msg m = { .protocol = SYSLOG_RFC5424, .facility = 20, .severity = 4 };
		const char *cef;

		CHECK_EQ_INT(syslog_frame(&f, &m, b.p, b.len), 0);
		CHECK(f.len <= SYSLOG_MAX_UDP);
		cef = f.p ? strstr(f.p, "CEF:0|") : NULL;
		CHECK(cef && !cef_parse(cef, f.len - (size_t)(cef - f.p), &p));
		parsed_free(&p);
	}
	fmt_buf_free(&b);
	fmt_buf_free(&f);

	b = render(OUT_FMT_LEEF, d, NULL);
	CHECK(one_clean_line(&b));
	if (!leef_parse(b.p, b.len, &p)) {
		CHECK(pget_len(&p, "identHostName") <= FMT_VALUE_MAX);
	} else {
		CHECK(0);
	}
	parsed_free(&p);
	fmt_buf_free(&b);

	b = render(OUT_FMT_JSON, d, NULL);
	{
		json_t *j = json_loadb(b.p, b.len, 0, NULL);
		const json_t *h = fmt_get(j, "device.hostnames.0");

		CHECK(j && json_string_length(h) > 1000 && json_string_length(h) <= FMT_JSON_STRING_MAX);
		json_decref(j);
	}
	fmt_buf_free(&b);
	json_decref(a);
	json_decref(d);
	free(s);
}

/*
 * The way records really arrive: the pipeline's JSON writer escapes wire bytes (invalid UTF-8 as \u00XX,
 * controls as \u00XX) and the outputs read the line back with JSON_ALLOW_NUL.
 */
TEST(records_from_pipeline_text)
{
	static const char banner[] = "Welcome\0\xff\xfe|x=y\\\n\x1b[0m";
	struct jsonw w;
	json_t *r;
	struct fmt_buf b;
	struct parsed p;

	jw_init(&w);
	jw_obj_open(&w);
	jw_kstr(&w, "record", "alert");
	jw_key(&w, "finding");
	jw_obj_open(&w);
	jw_key(&w, "title");
	jw_strn(&w, banner, sizeof(banner) - 1);
	jw_key(&w, "desc");
	jw_strn(&w, banner, sizeof(banner) - 1);
	jw_obj_close(&w);
	jw_obj_close(&w);
	CHECK(!w.oom && strstr(w.buf, "\\u0000") && strstr(w.buf, "\\u00ff"));
	r = load(w.buf);
	CHECK(r != NULL);
	b = render(OUT_FMT_CEF, r, NULL);
	CHECK(one_clean_line(&b));
	if (!cef_parse(b.p, b.len, &p)) {
		/* \u00ff is U+00FF by then: valid text; NUL and ESC are neutralised, the rest round-trips. */
		CHECK_STR(pget(&p, "msg"), "Welcome" FFFD "\xc3\xbf\xc3\xbe|x=y\\\n" FFFD "[0m");
		CHECK_STR(p.hdr[5], "Welcome" FFFD "\xc3\xbf\xc3\xbe|x=y\\ " FFFD "[0m");
	} else {
		CHECK(0);
	}
	parsed_free(&p);
	fmt_buf_free(&b);
	b = render(OUT_FMT_JSON, r, NULL);
	{
		json_t *j = json_loadb(b.p, b.len, JSON_ALLOW_NUL, NULL);

		CHECK(j && json_equal(fmt_get(j, "finding"), json_object_get(r, "finding")));
		json_decref(j);
	}
	fmt_buf_free(&b);
	json_decref(r);
	jw_free(&w);
}

/* Hostile context strings (sensor name, site, versions) are escaped like record text. */
TEST(hostile_context)
{
	struct fmt_ctx c = { .sensor = "gw|01 act=x\n", .site = "s^=\\", .zone = "z\"}", .product_version = "1|2\n",
			     .hec_source = "src\"\n", .elastic_index = "i\"x" };
	json_t *r = load(rec_alert);
	static const enum out_format all[] = { OUT_FMT_JSON, OUT_FMT_CEF, OUT_FMT_LEEF, OUT_FMT_SPLUNK_HEC,
					       OUT_FMT_ELASTIC_BULK };
	struct fmt_buf b;
	struct parsed p;

	b = render(OUT_FMT_CEF, r, &c);
	if (!cef_parse(b.p, b.len, &p)) {
		CHECK_STR(p.hdr[3], "1|2 ");
		CHECK_STR(pget(&p, "dvchost"), "gw|01 act=x\n");
		CHECK(!pget(&p, "act"));
	} else {
		CHECK(0);
	}
	parsed_free(&p);
	fmt_buf_free(&b);
	b = render(OUT_FMT_LEEF, r, &c);
	if (!leef_parse(b.p, b.len, &p)) {
		CHECK_STR(pget(&p, "site"), "s^=\\");
	} else {
		CHECK(0);
	}
	parsed_free(&p);
	fmt_buf_free(&b);
	for (size_t i = 0; i < 5; i++) {
		b = render(all[i], r, &c);
		CHECK(b.p && clean_text(b.p, b.len, "\n"));
		if (all[i] != OUT_FMT_CEF && all[i] != OUT_FMT_LEEF) {
			/* Every line is JSON. */
			for (char *l = b.p, *nl; l && l < b.p + b.len; l = nl + 1) {
				json_t *j;

				nl = memchr(l, '\n', (size_t)(b.p + b.len - l));
				if (!nl)
					nl = b.p + b.len;
				j = json_loadb(l, (size_t)(nl - l), 0, NULL);
				CHECK(j);
				json_decref(j);
			}
		}
		fmt_buf_free(&b);
	}
	json_decref(r);
}

int main(void)
{
	RUN(hostile_strings);
	RUN(huge_hostname);
	RUN(records_from_pipeline_text);
	RUN(hostile_context);
	return testlib_summary();
}
