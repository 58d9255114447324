// SPDX-License-Identifier: GPL-2.0-only
/*
 * Splunk HTTP Event Collector envelope (services/collector/event): one JSON object per record, concatenated in a
 * batch. "time" is the record's own time in epoch seconds with microseconds, so Splunk indexes the event when
 * it happened, not when the outbox drained; without a time Splunk uses its receipt time.
 */
#include <inttypes.h>
#include <string.h>

#include "outputs/fmt_int.h"

static void put_kv(struct fmt_buf *b, const char *key, const char *val)
{
	if (!val || !*val)
		return;
	fmt_buf_put(b, "\"", 1);
	fmt_puts(b, key);
	fmt_buf_put(b, "\":", 2);
	fmt_put_json_str(b, val, strlen(val));
	fmt_buf_put(b, ",", 1);
}

int fmt_render_hec(const json_t *rec, const char *record_id, const struct fmt_ctx *c, struct fmt_buf *out)
{
	int64_t us;

	fmt_buf_put(out, "{", 1);
	if (fmt_record_time(rec, &us)) {
		uint64_t a = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;

		fmt_printf(out, "\"time\":%s%" PRIu64 ".%06" PRIu64 ",", us < 0 ? "-" : "", a / 1000000, a % 1000000);
	}
	put_kv(out, "host", c->sensor);
	put_kv(out, "source", c->hec_source && *c->hec_source ? c->hec_source : "iotsense");
	put_kv(out, "sourcetype", c->hec_sourcetype && *c->hec_sourcetype ? c->hec_sourcetype : "iotsense:record");
	put_kv(out, "index", c->hec_index);
	fmt_puts(out, "\"event\":");
	fmt_put_json_record(out, rec, record_id, c, false);
	fmt_buf_put(out, "}", 1);
	return out->oom ? -1 : 0;
}
