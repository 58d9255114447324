// SPDX-License-Identifier: GPL-2.0-only
/*
 * IBM LEEF 2.0: LEEF:2.0|iotsense|iotsense|VERSION|eventId|^|key=value^key=value... The declared delimiter is
 * '^' rather than the default tab, so a line never holds a raw tab; values escape '^', '=' and '\', and lose
 * raw newlines and tabs (LEEF has no escape for them).
 */
#include <string.h>
#include <time.h>

#include "outputs/fmt_int.h"

#define LEEF_DELIM "^"

static void attr(struct fmt_buf *b, bool *first, const char *key, const char *s, size_t n)
{
	if (!*first)
		fmt_puts(b, LEEF_DELIM);
	*first = false;
	fmt_puts(b, key);
	fmt_buf_put(b, "=", 1);
	fmt_put_text(b, s, n, FMT_VALUE_MAX, FMT_ESC_LEEF_VALUE);
}

int fmt_render_leef(const json_t *rec, const char *record_id, const struct fmt_ctx *c, struct fmt_buf *out)
{
	const char *ver = c->product_version && *c->product_version ? c->product_version : IOTSENSE_VERSION;
	struct fmt_fields ff;
	bool first = true;
	char tmp[64];

	if (fmt_fields_of(rec, record_id, c, &ff))
		return -1;
	fmt_puts(out, "LEEF:2.0|iotsense|iotsense|");
	fmt_put_text(out, ver, strlen(ver), FMT_HEADER_FIELD_MAX, FMT_ESC_CEF_HEADER);
	fmt_buf_put(out, "|", 1);
	fmt_put_text(out, ff.sig.s, ff.sig.n, FMT_HEADER_FIELD_MAX, FMT_ESC_CEF_HEADER);
	fmt_puts(out, "|" LEEF_DELIM "|");
	if (ff.has_time) {
		int64_t us = ff.time_us;
		time_t s = (time_t)(us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000));
		struct tm tm;

		if (gmtime_r(&s, &tm)) {
			size_t n = strftime(tmp, sizeof(tmp), "%Y-%m-%dT%H:%M:%S", &tm);

			snprintf(tmp + n, sizeof(tmp) - n, ".%03d+0000", (int)((us - (int64_t)s * 1000000) / 1000));
			attr(out, &first, "devTime", tmp, strlen(tmp));
			/* Java SimpleDateFormat, as QRadar reads it. */
			attr(out, &first, "devTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSZ", 26);
		}
	}
	snprintf(tmp, sizeof(tmp), "%d", fmt_leef_severity(ff.severity_id));
	attr(out, &first, "sev", tmp, strlen(tmp));
	attr(out, &first, "name", ff.name.s, ff.name.n);
	for (int i = 0; i < ff.n; i++)
		if (ff.f[i].leef)
			attr(out, &first, ff.f[i].leef, ff.f[i].v.s, ff.f[i].v.n);
	fmt_fields_free(&ff);
	return out->oom ? -1 : 0;
}
