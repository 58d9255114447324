// SPDX-License-Identifier: GPL-2.0-only
/*
 * JSON rendering: the record on one line, written by our own walker rather than json_dumps so that every
 * string goes through the escaping core (invalid UTF-8 becomes U+FFFD, controls \u escapes, each string
 * bounded) whatever the json_t holds: a record built with json_stringn_nocheck may hold any bytes at all.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "outputs/fmt_int.h"

void fmt_put_json_str(struct fmt_buf *b, const char *s, size_t n)
{
	fmt_buf_put(b, "\"", 1);
	fmt_put_text(b, s, n, FMT_JSON_STRING_MAX, FMT_ESC_JSON);
	fmt_buf_put(b, "\"", 1);
}

static void put_real(struct fmt_buf *b, double d)
{
	char tmp[40];
	int n;

	if (!isfinite(d)) {
		fmt_puts(b, "null");
		return;
	}
	n = snprintf(tmp, sizeof(tmp), "%.17g", d);
	fmt_buf_put(b, tmp, (size_t)n);
	/* Keep it a real for the reader: 3 would come back as an integer. */
	if (!strpbrk(tmp, ".eE"))
		fmt_puts(b, ".0");
}

/* Iterating does not change the object; jansson's iterator API only lacks const. */
#define ITER(o) json_object_iter((json_t *)(o))

void fmt_put_json(struct fmt_buf *b, const json_t *v, int depth)
{
	size_t i;
	void *it;

	if (depth >= FMT_JSON_DEPTH_MAX) {
		fmt_puts(b, "null");
		return;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		fmt_buf_put(b, "{", 1);
		for (it = ITER(v), i = 0; it; it = json_object_iter_next((json_t *)v, it), i++) {
			if (i)
				fmt_buf_put(b, ",", 1);
			fmt_put_json_str(b, json_object_iter_key(it), json_object_iter_key_len(it));
			fmt_buf_put(b, ":", 1);
			fmt_put_json(b, json_object_iter_value(it), depth + 1);
		}
		fmt_buf_put(b, "}", 1);
		break;
	case JSON_ARRAY:
		fmt_buf_put(b, "[", 1);
		for (i = 0; i < json_array_size(v); i++) {
			if (i)
				fmt_buf_put(b, ",", 1);
			fmt_put_json(b, json_array_get(v, i), depth + 1);
		}
		fmt_buf_put(b, "]", 1);
		break;
	case JSON_STRING:
		fmt_put_json_str(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		fmt_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		put_real(b, json_real_value(v));
		break;
	case JSON_TRUE:
		fmt_puts(b, "true");
		break;
	case JSON_FALSE:
		fmt_puts(b, "false");
		break;
	default:
		fmt_puts(b, "null");
	}
}

static void put_member(struct fmt_buf *b, bool *first, const char *key, const char *val)
{
	if (!*first)
		fmt_buf_put(b, ",", 1);
	*first = false;
	fmt_put_json_str(b, key, strlen(key));
	fmt_buf_put(b, ":", 1);
	fmt_put_json_str(b, val, strlen(val));
}

/* The device object with its cross-sensor uid added when the record has none. */
static void put_device(struct fmt_buf *b, const json_t *dev, const struct fmt_ctx *c)
{
	char uid[160];
	bool first;

	fmt_put_json(b, dev, 1);
	if (json_object_get(dev, "uid"))
		return;
	device_uid_of(dev, c->site, uid, sizeof(uid));
	if (!uid[0] || b->oom || !b->len || b->p[b->len - 1] != '}')
		return;
	/* Reopen the object just written: drop its '}' and append the member. */
	b->len--;
	first = json_object_size(dev) == 0;
	put_member(b, &first, "uid", uid);
	fmt_buf_put(b, "}", 1);
}

void fmt_put_json_record(struct fmt_buf *b, const json_t *rec, const char *record_id, const struct fmt_ctx *c,
			 bool with_timestamp)
{
	const char *const extra_keys[] = { "record_id", "sensor", "site", "zone" };
	const char *const extra_vals[] = { record_id, c->sensor, c->site, c->zone };
	bool first = true;
	const char *ts;
	size_t tsn;
	void *it;

	fmt_buf_put(b, "{", 1);
	for (it = ITER(rec); it; it = json_object_iter_next((json_t *)rec, it)) {
		const char *key = json_object_iter_key(it);
		size_t klen = json_object_iter_key_len(it);
		const json_t *v = json_object_iter_value(it);

		if (!first)
			fmt_buf_put(b, ",", 1);
		first = false;
		fmt_put_json_str(b, key, klen);
		fmt_buf_put(b, ":", 1);
		if (klen == 6 && !memcmp(key, "device", 6) && json_is_object(v))
			put_device(b, v, c);
		else
			fmt_put_json(b, v, 1);
	}
	for (size_t i = 0; i < sizeof(extra_keys) / sizeof(extra_keys[0]); i++)
		if (extra_vals[i] && extra_vals[i][0] && !json_object_get(rec, extra_keys[i]))
			put_member(b, &first, extra_keys[i], extra_vals[i]);
	/* Kibana's data views sort on @timestamp; the record's own time is the event's time. */
	if (with_timestamp && !json_object_get(rec, "@timestamp") && fmt_get_str(rec, "time", &ts, &tsn)) {
		int64_t us;

		if (fmt_parse_time(ts, tsn, &us)) {
			if (!first)
				fmt_buf_put(b, ",", 1);
			first = false;
			fmt_puts(b, "\"@timestamp\":");
			fmt_put_json_str(b, ts, tsn);
		}
	}
	fmt_buf_put(b, "}", 1);
}

int fmt_render_json(const json_t *rec, const char *record_id, const struct fmt_ctx *c, struct fmt_buf *out)
{
	fmt_put_json_record(out, rec, record_id, c, false);
	return out->oom ? -1 : 0;
}
