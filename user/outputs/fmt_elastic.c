// SPDX-License-Identifier: GPL-2.0-only
/*
 * Elastic bulk API pair: the action line names the document by record_id, so a record sent twice (at least
 * once delivery after an outage) overwrites itself instead of doubling. Without elastic_index the action has no
 * _index and the bulk URL must name one (POST /INDEX/_bulk).
 */
#include <string.h>

#include "outputs/fmt_int.h"

int fmt_render_elastic(const json_t *rec, const char *record_id, const struct fmt_ctx *c, struct fmt_buf *out)
{
	bool comma = false;

	fmt_puts(out, "{\"index\":{");
	if (c->elastic_index && *c->elastic_index) {
		fmt_puts(out, "\"_index\":");
		fmt_put_json_str(out, c->elastic_index, strlen(c->elastic_index));
		comma = true;
	}
	if (record_id && *record_id) {
		if (comma)
			fmt_buf_put(out, ",", 1);
		fmt_puts(out, "\"_id\":");
		fmt_put_json_str(out, record_id, strlen(record_id));
	}
	fmt_puts(out, "}}\n");
	fmt_put_json_record(out, rec, record_id, c, true);
	fmt_buf_put(out, "\n", 1);
	return out->oom ? -1 : 0;
}
