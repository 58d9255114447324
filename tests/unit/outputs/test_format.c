// SPDX-License-Identifier: GPL-2.0-only
/* Format names, record and device ids, times, the escaping core's budget, and the JSON-based renderings. */
#include "fmt_test.h"

TEST(format_names)
{
	static const char *const names[] = { "json", "cef", "leef", "splunk-hec", "elastic-bulk" };
	enum out_format f;

	for (size_t i = 0; i < 5; i++) {
		CHECK(out_format_parse(names[i], &f));
		CHECK_STR(out_format_name(f), names[i]);
	}
	CHECK(!out_format_parse("CEF", &f));
	CHECK(!out_format_parse("", &f));
	CHECK(!out_format_parse(NULL, &f));
	CHECK_STR(out_format_name((enum out_format)42), "unknown");
}

TEST(record_id)
{
	char id[33], id2[33];

	/* SHA-256("abc") = ba7816bf 8f01cfea 414140de 5dae2223 b00361a3 ...: the first 16 bytes. */
	record_id_of("abc", 3, id);
	CHECK_STR(id, "ba7816bf8f01cfea414140de5dae2223");
	record_id_of(rec_alert, strlen(rec_alert), id);
	record_id_of(rec_alert, strlen(rec_alert), id2);
	CHECK_STR(id, id2);
	record_id_of(rec_alert, strlen(rec_alert) - 1, id2);
	CHECK(strcmp(id, id2) != 0);
	CHECK_EQ_INT(strlen(id), 32);
}

TEST(device_uid)
{
	static const struct {
		const char *dev, *site, *uid;
	} cases[] = {
		{ "{\"mac\":\"00:A0:cc:3b:bf:fa\",\"ip\":\"192.0.2.1\"}", "s", "mac:00:a0:cc:3b:bf:fa" },
		{ "{\"ip\":\"192.0.2.1\"}", "plant-a", "ip:plant-a/192.0.2.1" },
		{ "{\"ip\":\"192.0.2.1\"}", NULL, "ip:default/192.0.2.1" },
		{ "{\"ips\":[\"2001:db8::1\",\"192.0.2.9\"]}", "", "ip:default/2001:db8::1" },
		{ "{\"mac\":null,\"ip\":\"\",\"id\":\"sensor\"}", "s", "" },
		{ "[1,2]", "s", "" },
	};
	char out[64], tiny[8];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *d = load(cases[i].dev);

		device_uid_of(d, cases[i].site, out, sizeof(out));
		CHECK_STR(out, cases[i].uid);
		json_decref(d);
	}
	device_uid_of(NULL, "s", out, sizeof(out));
	CHECK_STR(out, "");
	{
		json_t *d = load(cases[0].dev);

		device_uid_of(d, NULL, tiny, sizeof(tiny));
		CHECK_STR(tiny, "mac:00:");
		json_decref(d);
	}
}

TEST(times)
{
	static const struct {
		const char *s;
		bool ok;
		int64_t us;
	} cases[] = {
		{ "1999-11-28T02:12:40.964875Z", true, 943755160964875LL },
		{ "1970-01-01T00:00:00Z", true, 0 },
		{ "1970-01-01T01:00:00.5+01:00", true, 500000 },
		{ "1969-12-31T23:59:59.25Z", true, -750000 },
		{ "2024-03-01T10:00:00.123456789Z", true, 1709287200123456LL },
		{ "2024-03-01T10:00:00", false, 0 },
		{ "2024-13-01T10:00:00Z", false, 0 },
		{ "2024-03-01T10:00:00.Z", false, 0 },
		{ "2024-03-01T10:00:00Zjunk", false, 0 },
		{ "yesterday", false, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t us = 0;
		bool ok = fmt_parse_time(cases[i].s, strlen(cases[i].s), &us);

		CHECK_EQ_INT(ok, cases[i].ok);
		if (ok && cases[i].ok)
			CHECK_EQ_INT(us, cases[i].us);
	}
}

TEST(text_budget_never_splits)
{
	/* "é" is 2 bytes, "\n" escapes to 2 in CEF: no budget may leave half of either. */
	const char *s = "aé\n\xff";

	for (size_t max = 0; max < 12; max++) {
		struct fmt_buf b = { 0 };
		size_t n = fmt_put_text(&b, s, strlen(s), max, FMT_ESC_CEF_VALUE);

		CHECK(n <= max);
		CHECK(b.len == n);
		if (n)
			CHECK(clean_text(b.p, b.len, ""));
		if (n && b.p[n - 1] == '\\')
			CHECK(0);
		fmt_buf_free(&b);
	}
	{
		struct fmt_buf b = { 0 };

		fmt_put_text(&b, s, strlen(s), 100, FMT_ESC_CEF_VALUE);
		CHECK_STR(b.p, "aé\\n\xef\xbf\xbd");
		fmt_buf_free(&b);
	}
}

static json_t *rendered_json(enum out_format f, const char *text, const struct fmt_ctx *c, struct fmt_buf *b)
{
	json_t *rec = load(text), *out;
	json_error_t e;

	*b = render(f, rec, c);
	json_decref(rec);
	out = json_loadb(b->p ? b->p : "", b->len, 0, &e);
	if (!out)
		printf("  rendering is not JSON: %s: %s\n", e.text, b->p ? b->p : "");
	return out;
}

TEST(json_adds_missing_only)
{
	struct fmt_buf b;
	json_t *j = rendered_json(OUT_FMT_JSON, rec_alert, NULL, &b), *orig = load(rec_alert);

	CHECK(one_clean_line(&b));
	CHECK(j);
	if (j) {
		CHECK_STR(json_string_value(json_object_get(j, "record_id")), "00112233445566778899aabbccddeeff");
		CHECK_STR(json_string_value(json_object_get(j, "sensor")), "gw-01");
		CHECK_STR(json_string_value(json_object_get(j, "site")), "plant-a");
		CHECK_STR(json_string_value(json_object_get(j, "zone")), "cell-3");
		CHECK_STR(json_string_value(fmt_get(j, "device.uid")), "mac:00:a0:cc:3b:bf:fa");
		/* Everything else is the record as it was. */
		json_object_del(j, "record_id");
		json_object_del(j, "sensor");
		json_object_del(j, "site");
		json_object_del(j, "zone");
		json_object_del(json_object_get(j, "device"), "uid");
		CHECK(json_equal(j, orig));
	}
	json_decref(j);
	json_decref(orig);
	fmt_buf_free(&b);

	/* What the record has already is kept, not overwritten. */
	j = rendered_json(OUT_FMT_JSON, "{\"record\":\"x\",\"site\":\"own\",\"device\":{\"uid\":\"u1\",\"ip\":\"1.2.3.4\"}}",
			  NULL, &b);
	if (j) {
		CHECK_STR(json_string_value(json_object_get(j, "site")), "own");
		CHECK_STR(json_string_value(fmt_get(j, "device.uid")), "u1");
	} else {
		CHECK(0);
	}
	json_decref(j);
	fmt_buf_free(&b);
}

TEST(json_values)
{
	struct fmt_buf b;
	json_t *j = rendered_json(OUT_FMT_JSON, "{\"a\":1.5,\"b\":3.0,\"c\":-7,\"d\":[true,false,null],\"e\":{},"
						 "\"device\":{}}",
				  &(struct fmt_ctx){ 0 }, &b);

	CHECK(j);
	if (j) {
		CHECK(json_is_real(json_object_get(j, "b")));
		CHECK_EQ_INT(json_integer_value(json_object_get(j, "c")), -7);
		CHECK_EQ_INT(json_array_size(json_object_get(j, "d")), 3);
		CHECK_EQ_INT(json_object_size(json_object_get(j, "device")), 0);
		CHECK_STR(json_string_value(json_object_get(j, "record_id")), "00112233445566778899aabbccddeeff");
		CHECK(!json_object_get(j, "sensor"));
	}
	json_decref(j);
	fmt_buf_free(&b);
}

TEST(hec_envelope)
{
	struct fmt_ctx c = test_ctx;
	struct fmt_buf b;
	json_t *j = rendered_json(OUT_FMT_SPLUNK_HEC, rec_alert, NULL, &b);

	CHECK(one_clean_line(&b));
	CHECK(j);
	if (j) {
		CHECK(json_is_real(json_object_get(j, "time")));
		CHECK(b.p && strstr(b.p, "\"time\":943755160.964875,"));
		CHECK_STR(json_string_value(json_object_get(j, "host")), "gw-01");
		CHECK_STR(json_string_value(json_object_get(j, "source")), "iotsense");
		CHECK_STR(json_string_value(json_object_get(j, "sourcetype")), "iotsense:record");
		CHECK(!json_object_get(j, "index"));
		CHECK_STR(json_string_value(fmt_get(j, "event.record")), "alert");
		CHECK_STR(json_string_value(fmt_get(j, "event.record_id")), "00112233445566778899aabbccddeeff");
		CHECK_STR(json_string_value(fmt_get(j, "event.zone")), "cell-3");
	}
	json_decref(j);
	fmt_buf_free(&b);

	c.hec_index = "iot";
	c.hec_sourcetype = "iotsense:alert";
	c.hec_source = "gw\"01";
	j = rendered_json(OUT_FMT_SPLUNK_HEC, "{\"record\":\"alert\",\"time\":\"1969-12-31T23:59:59.25Z\"}", &c, &b);
	if (j) {
		CHECK_STR(json_string_value(json_object_get(j, "index")), "iot");
		CHECK_STR(json_string_value(json_object_get(j, "sourcetype")), "iotsense:alert");
		CHECK_STR(json_string_value(json_object_get(j, "source")), "gw\"01");
		CHECK(b.p && strstr(b.p, "\"time\":-0.750000,"));
	} else {
		CHECK(0);
	}
	json_decref(j);
	fmt_buf_free(&b);

	/* No time: Splunk takes its receipt time. */
	j = rendered_json(OUT_FMT_SPLUNK_HEC, "{\"record\":\"alert\",\"time\":\"soon\"}", NULL, &b);
	CHECK(j && !json_object_get(j, "time"));
	json_decref(j);
	fmt_buf_free(&b);
}

TEST(elastic_bulk)
{
	struct fmt_ctx c = test_ctx;
	json_t *rec = load(rec_vuln), *action, *doc;
	struct fmt_buf b;
	char *nl;

	c.elastic_index = "iotsense-records";
	b = render(OUT_FMT_ELASTIC_BULK, rec, &c);
	CHECK(b.len > 2 && b.p[b.len - 1] == '\n');
	nl = b.p ? strchr(b.p, '\n') : NULL;
	CHECK(nl && nl + 1 < b.p + b.len && !memchr(nl + 1, '\n', (size_t)(b.p + b.len - nl - 2)));
	if (nl) {
		action = json_loadb(b.p, (size_t)(nl - b.p), 0, NULL);
		doc = json_loadb(nl + 1, (size_t)(b.p + b.len - nl - 2), 0, NULL);
		CHECK_STR(json_string_value(fmt_get(action, "index._index")), "iotsense-records");
		CHECK_STR(json_string_value(fmt_get(action, "index._id")), "00112233445566778899aabbccddeeff");
		CHECK_STR(json_string_value(json_object_get(doc, "@timestamp")), "2024-03-01T10:00:00Z");
		CHECK_STR(json_string_value(fmt_get(doc, "vulnerability.cve")), "CVE-2021-36260");
		CHECK_STR(json_string_value(json_object_get(doc, "record_id")), "00112233445566778899aabbccddeeff");
		json_decref(action);
		json_decref(doc);
	}
	fmt_buf_free(&b);
	/* No index configured: the bulk URL names it. */
	b = render(OUT_FMT_ELASTIC_BULK, rec, NULL);
	CHECK(b.p && !strncmp(b.p, "{\"index\":{\"_id\":\"00112233445566778899aabbccddeeff\"}}\n", 52));
	fmt_buf_free(&b);
	json_decref(rec);
}

TEST(render_appends_and_refuses)
{
	struct fmt_buf b = { 0 };
	json_t *arr = json_array(), *rec = load(rec_device);

	fmt_buf_put(&b, "keep", 4);
	CHECK_EQ_INT(fmt_render(OUT_FMT_CEF, arr, "id", &test_ctx, &b), -1);
	CHECK_EQ_INT(fmt_render(OUT_FMT_CEF, NULL, "id", &test_ctx, &b), -1);
	CHECK_EQ_INT(fmt_render((enum out_format)99, rec, "id", &test_ctx, &b), -1);
	CHECK_EQ_INT(b.len, 4);
	CHECK_STR(b.p, "keep");
	CHECK_EQ_INT(fmt_render(OUT_FMT_LEEF, rec, NULL, NULL, &b), 0);
	CHECK(b.p && !strncmp(b.p, "keepLEEF:2.0|", 13));
	fmt_buf_reset(&b);
	CHECK_EQ_INT(b.len, 0);
	CHECK_EQ_INT(fmt_render(OUT_FMT_JSON, rec, NULL, NULL, &b), 0);
	CHECK(b.p && b.p[0] == '{');
	fmt_buf_free(&b);
	json_decref(arr);
	json_decref(rec);
}

int main(void)
{
	RUN(format_names);
	RUN(record_id);
	RUN(device_uid);
	RUN(times);
	RUN(text_budget_never_splits);
	RUN(json_adds_missing_only);
	RUN(json_values);
	RUN(hec_envelope);
	RUN(elastic_bulk);
	RUN(render_appends_and_refuses);
	return testlib_summary();
}
