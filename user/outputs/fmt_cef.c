// SPDX-License-Identifier: GPL-2.0-only
/*
 * ArcSight CEF 0: CEF:0|iotsense|iotsense|VERSION|signatureId|name|severity|extension. Header fields escape
 * '\' and '|' (and lose raw newlines); extension values escape '\', '=' and newlines (\n, \r), so the only
 * unescaped '=' on the line follow keys and the only unescaped '|' are the header's seven.
 */
#include <inttypes.h>
#include <string.h>

#include "outputs/fmt_int.h"

static void header_field(struct fmt_buf *b, const char *s, size_t n)
{
	fmt_put_text(b, s, n, FMT_HEADER_FIELD_MAX, FMT_ESC_CEF_HEADER);
	fmt_buf_put(b, "|", 1);
}

static void ext_sep(struct fmt_buf *b, bool *first)
{
	if (!*first)
		fmt_buf_put(b, " ", 1);
	*first = false;
}

int fmt_render_cef(const json_t *rec, const char *record_id, const struct fmt_ctx *c, struct fmt_buf *out)
{
	const char *ver = c->product_version && *c->product_version ? c->product_version : IOTSENSE_VERSION;
	struct fmt_fields ff;
	bool first = true;

	if (fmt_fields_of(rec, record_id, c, &ff))
		return -1;
	fmt_puts(out, "CEF:0|iotsense|iotsense|");
	header_field(out, ver, strlen(ver));
	header_field(out, ff.sig.s, ff.sig.n);
	header_field(out, ff.name.s, ff.name.n);
	fmt_printf(out, "%d|", fmt_cef_severity(ff.severity_id));
	if (ff.has_time) {
		ext_sep(out, &first);
		/* rt in milliseconds since the epoch: the form Sentinel's TimeGenerated and QRadar both take. */
		fmt_printf(out, "rt=%" PRId64, ff.time_us >= 0 ? ff.time_us / 1000 : -((-ff.time_us + 999) / 1000));
	}
	for (int i = 0; i < ff.n; i++) {
		const struct fmt_field *f = &ff.f[i];

		if (!f->cef)
			continue;
		if (f->label) {
			ext_sep(out, &first);
			fmt_puts(out, f->cef);
			fmt_puts(out, "Label=");
			fmt_put_text(out, f->label, strlen(f->label), FMT_VALUE_MAX, FMT_ESC_CEF_VALUE);
		}
		ext_sep(out, &first);
		fmt_puts(out, f->cef);
		fmt_buf_put(out, "=", 1);
		fmt_put_text(out, f->v.s, f->v.n, FMT_VALUE_MAX, FMT_ESC_CEF_VALUE);
	}
	fmt_fields_free(&ff);
	return out->oom ? -1 : 0;
}
