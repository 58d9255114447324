// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for the record renderings and syslog framing (user/outputs/format.c, fmt_*.c, syslog.c).
 * Every input becomes a record two ways, and every rendering is read back; a rendering that breaks its
 * format's framing aborts, so the fuzzer reports it like a crash.
 *
 *   byte 0 bit 0 = 0: the rest is JSON text, loaded with JSON_ALLOW_NUL (as the outputs read the outbox)
 *            bit 0 = 1: the rest is raw bytes cut into pieces at 0xff 0x00 pairs that become the strings of a
 *                       record (kind from byte 1), with json_stringn_nocheck: NUL, invalid UTF-8, anything;
 *                       bits 1-4 repeat the first piece up to 16 times (long hostnames)
 *   byte 0 bits 5-7: the syslog bound (from 0, raised to the minimum, up to SYSLOG_MAX_TCP)
 *
 * Checks: CEF and LEEF lines pass the strict parsers of tests/unit/outputs/fmt_test.h (exactly the header's
 * pipes, every '=' escaped but the keys'), are one line of valid UTF-8 without controls and keep their value
 * bounds; JSON, HEC and both Elastic lines load as JSON; syslog frames stay one clean line within their bound,
 * their octet count is right, and a frame of 8 KiB or more still holds strict CEF/LEEF.
 *
 * Build: make O=build build/fuzz/fuzz_outputs. Seeds: tests/fuzz/corpus/outputs (records with byte 0 = 0).
 *   build/fuzz/fuzz_outputs -max_total_time=300 -max_len=4096 /tmp/outputs-work tests/fuzz/corpus/outputs
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt_test.h"
#include "outputs/syslog.h"

#define must(cond)                                                                         \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "fuzz_outputs: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                           \
		}                                                                          \
	} while (0)

static json_t *str(const uint8_t *p, size_t n)
{
	return json_stringn_nocheck((const char *)p, n);
}

/* The record kinds' shapes, with the pieces as their strings. */
static json_t *raw_record(const uint8_t *d, size_t n, unsigned int reps)
{
	static const char *const kinds[] = { "device", "alert", "vulnerability", "recommendation", "flow" };
	json_t *pieces[12], *rec, *dev, *sub;
	size_t np = 0, start = 0;
	uint8_t kind = n ? d[0] : 0;

	if (n) {
		d++;
		n--;
	}
	for (size_t i = 0; i + 1 < n && np < 11; i++) {
		if (d[i] == 0xff && d[i + 1] == 0x00) {
			pieces[np++] = str(d + start, i - start);
			start = i + 2;
			i++;
		}
	}
	pieces[np++] = str(d + start, n - start);
	if (reps > 1 && json_string_length(pieces[0])) {
		size_t len = json_string_length(pieces[0]);
		char *big = malloc(len * reps);

		for (unsigned int r = 0; r < reps; r++)
			memcpy(big + r * len, json_string_value(pieces[0]), len);
		json_decref(pieces[0]);
		pieces[0] = json_stringn_nocheck(big, len * reps);
		free(big);
	}
#define P(i) json_incref(pieces[(i) % np])
	rec = json_object();
	json_object_set_new(rec, "record", json_string(kinds[kind % 5]));
	json_object_set_new(rec, "time", kind & 0x80 ? P(7) : json_string("2024-03-01T10:00:00.5Z"));
	json_object_set_new(rec, "severity_id", json_integer((kind >> 3) % 8));
	dev = json_object();
	json_object_set_new(dev, "ip", P(1));
	json_object_set_new(dev, "mac", kind & 0x40 ? P(2) : json_null());
	json_object_set_new(dev, "hostnames", json_pack("[o]", P(0)));
	json_object_set_new(dev, "vendor", P(3));
	json_object_set_new(dev, "type", P(4));
	json_object_set_new(dev, "attributes", json_pack("{s:[o]}", "telnet_username", P(5)));
	json_object_set_new(dev, "risk", P(6));
	json_object_set_new(rec, "device", dev);
	sub = json_pack("{s:o,s:o,s:[o],s:o}", "uid", P(8), "title", P(0), "types", P(9), "desc", P(10));
	json_object_set_new(rec, "finding", sub);
	json_object_set_new(rec, "attacks", json_pack("[{s:{s:o}}]", "technique", "uid", P(2)));
	json_object_set_new(rec, "evidence", json_pack("[{s:o}]", "flow", P(3)));
	sub = json_pack("{s:o,s:o,s:o,s:o,s:o,s:[{s:o,s:o}]}", "id", P(1), "title", P(0), "severity", P(6),
			"category", P(4), "remediation", P(5), "proof", "key", P(7), "value", P(8));
	json_object_set_new(rec, "recommendation", sub);
	sub = json_pack("{s:o,s:f,s:b,s:o,s:o}", "cve", P(9), "cvss", 9.8, "kev", 1, "source", P(10), "affected",
			json_pack("[o,o]", P(0), P(1)));
	json_object_set_new(rec, "vulnerability", sub);
#undef P
	for (size_t i = 0; i < np; i++)
		json_decref(pieces[i]);
	return rec;
}

static void check_json_lines(const struct fmt_buf *b, int lines)
{
	const char *l, *end;

	must(b->p && strlen(b->p) == b->len && clean_text(b->p, b->len, "\n"));
	l = b->p;
	end = b->p + b->len;
	for (int i = 0; i < lines; i++) {
		const char *nl = memchr(l, '\n', (size_t)(end - l));
		json_t *j;

		if (lines == 1) {
			must(!nl);
			nl = end;
		}
		must(nl);
		j = json_loadb(l, (size_t)(nl - l), JSON_ALLOW_NUL, NULL);
		must(json_is_object(j));
		json_decref(j);
		l = nl + 1;
	}
}

static void check_framed(const struct fmt_buf *line, enum out_format f, size_t max, const uint8_t *d, size_t n)
{
	struct syslog_sd_param sd[] = { { "record_id", "0123" }, { "site", n ? (const char *)"s]\"\\" : "" } };
	char host[64];
	size_t hn = n < sizeof(host) - 1 ? n : sizeof(host) - 1;

	memcpy(host, d, hn);
	host[hn] = 0;
	for (int v = 0; v < 4; v++) {
		struct syslog_msg m = { .protocol = v & 1 ? SYSLOG_RFC3164 : SYSLOG_RFC5424,
					.facility = 20,
					.severity = (int)n % 9 - 1,
					.time_us = (int64_t)n * 977 - 1000000,
					.hostname = host,
					.app_name = host,
					.procid = host,
					.msgid = host,
					.sd_id = v & 2 ? "iotsense@32473" : NULL,
					.sd = sd,
					.nsd = 2,
					.max_len = max,
					.octet_count = v & 2 };
		struct fmt_buf fr = { 0 };
		const char *body, *p;
		size_t blen, bound = !max ? SYSLOG_MAX_UDP : max < SYSLOG_MIN_LEN ? SYSLOG_MIN_LEN : max;
		struct parsed ps;

		must(syslog_frame(&fr, &m, line->p, line->len) == 0);
		must(fr.p && strlen(fr.p) == fr.len && clean_text(fr.p, fr.len, ""));
		body = fr.p;
		blen = fr.len;
		if (m.octet_count) {
			char *sp;
			unsigned long cnt = strtoul(fr.p, &sp, 10);

			must(*sp == ' ' && cnt == fr.len - (size_t)(sp + 1 - fr.p));
			body = sp + 1;
			blen = cnt;
		}
		must(blen <= bound && body[0] == '<');
		if (bound < SYSLOG_MAX_UDP || f == OUT_FMT_JSON)
			goto next;
		/* MSG starts where the same header framed around nothing ends (plus its space in RFC 5424). */
		{
			struct syslog_msg e = m;
			struct fmt_buf h = { 0 };

			e.octet_count = false;
			must(syslog_frame(&h, &e, "", 0) == 0);
			must(h.len + (v & 1 ? 0 : 1) <= blen);
			p = body + h.len + (v & 1 ? 0 : 1);
			fmt_buf_free(&h);
		}
		must(!strncmp(p, f == OUT_FMT_CEF ? "CEF:0|" : "LEEF:2.0|", f == OUT_FMT_CEF ? 6 : 9));
		if (f == OUT_FMT_CEF)
			must(!cef_parse(p, blen - (size_t)(p - body), &ps) && ps.pipes == 7);
		else
			must(!leef_parse(p, blen - (size_t)(p - body), &ps) && ps.pipes == 6);
		parsed_free(&ps);
next:
		fmt_buf_free(&fr);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t bounds[] = { 0, 100, 2048, 3000, SYSLOG_MAX_UDP, 9000, 20000, SYSLOG_MAX_TCP };
	struct fmt_ctx c = { .sensor = "gw-01", .site = "plant-a", .zone = "z" };
	json_t *rec;
	char id[33], uid[160];

	if (!size)
		return 0;
	if (data[0] & 1)
		rec = raw_record(data + 1, size - 1, ((data[0] >> 1) & 0xf) + 1);
	else
		rec = json_loadb((const char *)data + 1, size - 1, JSON_ALLOW_NUL, NULL);
	if (!rec)
		return 0;
	/* Hostile context too, taken from the record's own first string when there is one. */
	if (data[0] & 0x10) {
		const char *s = json_string_value(fmt_get(rec, "device.hostnames.0"));

		c.sensor = c.site = c.zone = c.product_version = c.hec_source = c.hec_index = c.elastic_index = s;
	}
	record_id_of((const char *)data, size, id);
	must(strlen(id) == 32);
	device_uid_of(json_object_get(rec, "device"), c.site, uid, sizeof(uid));
	must(strlen(uid) < sizeof(uid));

	for (enum out_format f = OUT_FMT_JSON; f <= OUT_FMT_ELASTIC_BULK; f++) {
		struct fmt_buf b = { 0 };
		struct parsed p;
		int rc = fmt_render(f, rec, id, &c, &b);

		if (!json_is_object(rec)) {
			must(rc == -1 && b.len == 0);
			continue;
		}
		must(rc == 0);
		switch (f) {
		case OUT_FMT_CEF:
			must(one_clean_line(&b));
			must(!cef_parse(b.p, b.len, &p) && p.pipes == 7);
			for (int i = 0; i < p.n; i++)
				must(p.vlen[i] <= FMT_VALUE_MAX);
			parsed_free(&p);
			break;
		case OUT_FMT_LEEF:
			must(one_clean_line(&b) && !memchr(b.p, '\t', b.len));
			must(!leef_parse(b.p, b.len, &p) && p.pipes == 6);
			parsed_free(&p);
			break;
		case OUT_FMT_ELASTIC_BULK:
			must(b.len && b.p[b.len - 1] == '\n');
			check_json_lines(&b, 2);
			break;
		default:
			check_json_lines(&b, 1);
		}
		if (f != OUT_FMT_ELASTIC_BULK && f != OUT_FMT_SPLUNK_HEC)
			check_framed(&b, f, bounds[data[0] >> 5], data + 1, size - 1);
		fmt_buf_free(&b);
	}
	json_decref(rec);
	return 0;
}
