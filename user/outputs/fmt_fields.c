// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one mapping from a record to CEF and LEEF fields (docs/outputs.md has it as a table). Keys come from the
 * ArcSight dictionary that Microsoft Sentinel's CEF connector (CommonSecurityLog columns) and QRadar map; what
 * has no standard key goes into the custom slots with a label: the same slot means the same thing in every
 * record kind where possible (cs1 deviceType .. cs5 site, flexString1 zone), cs6 / flexString2 / cfp1 carry what
 * is particular to a kind. Short fields come first and msg last, so a line cut by a transport loses the prose,
 * not the keys.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "outputs/fmt_int.h"

/* Raw bytes a computed value may take from the record before escaping bounds it (a few escapes' worth). */
#define SCRATCH_VALUE_MAX (2 * FMT_VALUE_MAX)

static void add(struct fmt_fields *ff, const char *cef, const char *leef, const char *label, const char *s,
		size_t n)
{
	if (!s || !n || ff->n >= FMT_FIELDS_MAX)
		return;
	ff->f[ff->n++] = (struct fmt_field){ .cef = cef, .leef = leef, .label = label, .v = { s, n } };
}

static void add_path(struct fmt_fields *ff, const char *cef, const char *leef, const char *label, const json_t *o,
		     const char *path)
{
	const char *s;
	size_t n;

	if (fmt_get_str(o, path, &s, &n))
		add(ff, cef, leef, label, s, n);
}

static void add_cstr(struct fmt_fields *ff, const char *cef, const char *leef, const char *label, const char *s)
{
	if (s)
		add(ff, cef, leef, label, s, strlen(s));
}

/* Starts a computed value in scratch; end_value() turns what was appended since into a field. */
static size_t begin_value(struct fmt_fields *ff)
{
	return ff->scratch.len;
}

static void end_value(struct fmt_fields *ff, size_t start, const char *cef, const char *leef, const char *label)
{
	size_t n = ff->scratch.len - start;

	if (!n || ff->scratch.oom || ff->n >= FMT_FIELDS_MAX)
		return;
	ff->f[ff->n++] = (struct fmt_field){
		.cef = cef, .leef = leef, .label = label, .v = { (const char *)(uintptr_t)start, n }, .scratch = true
	};
}

/* Appends raw text to scratch, up to the value's budget. */
static void put_raw(struct fmt_fields *ff, size_t start, const char *s, size_t n)
{
	size_t used = ff->scratch.len - start;

	if (used >= SCRATCH_VALUE_MAX)
		return;
	fmt_buf_put(&ff->scratch, s, n < SCRATCH_VALUE_MAX - used ? n : SCRATCH_VALUE_MAX - used);
}

static void put_raw_c(struct fmt_fields *ff, size_t start, const char *s)
{
	put_raw(ff, start, s, strlen(s));
}

/* Any value as text: a string as is, a number printed, an array joined with sep, other values as JSON. */
static void put_any(struct fmt_fields *ff, size_t start, const json_t *v, const char *sep, int depth)
{
	char num[48];

	if (json_is_string(v)) {
		put_raw(ff, start, json_string_value(v), json_string_length(v));
	} else if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		put_raw_c(ff, start, num);
	} else if (json_is_real(v)) {
		snprintf(num, sizeof(num), "%.4g", json_real_value(v));
		put_raw_c(ff, start, num);
	} else if (json_is_boolean(v)) {
		put_raw_c(ff, start, json_is_true(v) ? "true" : "false");
	} else if (json_is_array(v) && depth < 2) {
		for (size_t i = 0; i < json_array_size(v) && ff->scratch.len - start < SCRATCH_VALUE_MAX; i++) {
			if (i)
				put_raw_c(ff, start, sep);
			put_any(ff, start, json_array_get(v, i), sep, depth + 1);
		}
	} else if (json_is_object(v) || json_is_array(v)) {
		struct fmt_buf tmp = { 0 };

		fmt_put_json(&tmp, v, FMT_JSON_DEPTH_MAX - 4);
		put_raw(ff, start, tmp.p, tmp.len);
		fmt_buf_free(&tmp);
	}
}

static void add_any(struct fmt_fields *ff, const char *cef, const char *leef, const char *label, const json_t *v,
		    const char *sep)
{
	size_t start = begin_value(ff);

	if (!v || json_is_null(v))
		return;
	put_any(ff, start, v, sep, 0);
	end_value(ff, start, cef, leef, label);
}

/* Each element's member at key (a string), joined. */
static void add_joined(struct fmt_fields *ff, const char *cef, const char *leef, const char *label,
		       const json_t *arr, const char *key, const char *sep)
{
	size_t start = begin_value(ff), k = 0;

	for (size_t i = 0; i < json_array_size(arr) && ff->scratch.len - start < SCRATCH_VALUE_MAX; i++) {
		const char *s;
		size_t n;

		if (!fmt_get_str(json_array_get(arr, i), key, &s, &n))
			continue;
		if (k++)
			put_raw_c(ff, start, sep);
		put_raw(ff, start, s, n);
	}
	end_value(ff, start, cef, leef, label);
}

static bool is_ipv6(const char *s, size_t n)
{
	return memchr(s, ':', n) != NULL;
}

/* src / smac / shost / suser and the custom device slots, from the record's device object. */
static void add_device(struct fmt_fields *ff, const json_t *rec, const struct fmt_ctx *c)
{
	static const char *const user_keys[] = { "telnet_username", "ftp_user", "snmp_v3_username" };
	const json_t *dev = json_object_get(rec, "device");
	const char *s;
	size_t n, start;
	char uid[160];

	if (fmt_get_str(dev, "ip", &s, &n) || fmt_get_str(dev, "ips.0", &s, &n)) {
		if (is_ipv6(s, n))
			add(ff, "c6a2", "src", "Source IPv6 Address", s, n);
		else
			add(ff, "src", "src", NULL, s, n);
	}
	add_path(ff, "smac", "srcMAC", NULL, dev, "mac");
	if (!fmt_get_str(dev, "hostname", &s, &n) && !fmt_get_str(dev, "hostnames.0", &s, &n))
		s = NULL, n = 0;
	add(ff, "shost", "identHostName", NULL, s, n);
	for (size_t i = 0; i < sizeof(user_keys) / sizeof(user_keys[0]); i++) {
		char path[64];

		snprintf(path, sizeof(path), "attributes.%s.0", user_keys[i]);
		if (fmt_get_str(dev, path, &s, &n)) {
			add(ff, "suser", "usrName", NULL, s, n);
			break;
		}
	}
	add_path(ff, "cs1", "deviceType", "deviceType", dev, "type");
	add_path(ff, "cs2", "vendor", "vendor", dev, "vendor");
	add_path(ff, "cs3", "model", "model", dev, "model");
	if (fmt_get_str(dev, "uid", &s, &n)) {
		add(ff, "cs4", "deviceUid", "deviceUid", s, n);
	} else {
		device_uid_of(dev, c->site, uid, sizeof(uid));
		start = begin_value(ff);
		put_raw_c(ff, start, uid);
		end_value(ff, start, "cs4", "deviceUid", "deviceUid");
	}
}

/* The address part of one end of a flow, "ADDR:PORT" (IPv6 addresses hold colons: the port follows the last). */
static bool split_end(const char *s, const char *end, struct fmt_sv *addr, struct fmt_sv *port)
{
	const char *colon = memrchr(s, ':', (size_t)(end - s));

	if (!colon || colon == s || colon + 1 == end)
		return false;
	*addr = (struct fmt_sv){ s, (size_t)(colon - s) };
	*port = (struct fmt_sv){ colon + 1, (size_t)(end - colon - 1) };
	return true;
}

/*
 * dst / dpt / proto from the first evidence flow, "tcp 192.0.2.1:23 -> 192.0.2.2:1550": the end that is not the
 * device (the responder when neither is).
 */
static void add_peer(struct fmt_fields *ff, const json_t *rec)
{
	const json_t *ev = json_object_get(rec, "evidence");
	struct fmt_sv a[2], p[2], dev = { NULL, 0 };
	const char *flow, *sp, *arrow, *end;
	size_t fn;
	int pick;

	fmt_get_str(rec, "device.ip", &dev.s, &dev.n);
	for (size_t i = 0; i < json_array_size(ev); i++) {
		if (!fmt_get_str(json_array_get(ev, i), "flow", &flow, &fn))
			continue;
		end = flow + fn;
		sp = memchr(flow, ' ', fn);
		/* From after the first space: "tcp -> x" must not make an end of negative length. */
		arrow = sp ? memmem(sp + 1, (size_t)(end - sp - 1), " -> ", 4) : NULL;
		if (!arrow || !split_end(sp + 1, arrow, &a[0], &p[0]) || !split_end(arrow + 4, end, &a[1], &p[1]))
			continue;
		pick = dev.n && a[1].n == dev.n && !memcmp(a[1].s, dev.s, dev.n) ? 0 : 1;
		if (is_ipv6(a[pick].s, a[pick].n))
			add(ff, "c6a4", "dst", "Destination IPv6 Address", a[pick].s, a[pick].n);
		else
			add(ff, "dst", "dst", NULL, a[pick].s, a[pick].n);
		add(ff, "dpt", "dstPort", NULL, p[pick].s, p[pick].n);
		add(ff, "proto", "proto", NULL, flow, (size_t)(sp - flow));
		return;
	}
}

static void add_count(struct fmt_fields *ff, const char *cef, const char *label, const json_t *arr)
{
	size_t start = begin_value(ff);
	char num[24];

	if (!json_is_array(arr))
		return;
	snprintf(num, sizeof(num), "%zu", json_array_size(arr));
	put_raw_c(ff, start, num);
	end_value(ff, start, cef, label, label);
}

static void fields_device(struct fmt_fields *ff, const json_t *rec)
{
	static const char *const parts[] = { "risk", "exposure", "services", "protocols", "hostnames", "cpe" };
	const json_t *dev = json_object_get(rec, "device");
	const json_t *v;
	size_t start;

	ff->sig = (struct fmt_sv){ "device-profile", 14 };
	ff->name = (struct fmt_sv){ "Device profile", 14 };
	add_cstr(ff, "cat", "cat", NULL, "device-profile");
	v = json_object_get(dev, "contained");
	if (json_is_boolean(v))
		add_cstr(ff, "act", "act", NULL, json_is_true(v) ? "contained" : "observed");
	add_count(ff, "cn1", "recommendations", json_object_get(dev, "recommendations"));
	add_count(ff, "cn2", "vulnerabilities", json_object_get(dev, "vulnerabilities"));
	add_path(ff, "flexString2", "firmware", "firmware", dev, "firmware");
	add_path(ff, "cs6", "os", "os", dev, "os");
	/* The rest of the profile in one readable line. */
	start = begin_value(ff);
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		v = json_object_get(dev, parts[i]);
		if (!v || json_is_null(v) || (json_is_array(v) && !json_array_size(v)))
			continue;
		if (ff->scratch.len > start)
			put_raw_c(ff, start, "; ");
		put_raw_c(ff, start, parts[i]);
		put_raw_c(ff, start, ": ");
		put_any(ff, start, v, ",", 0);
	}
	end_value(ff, start, "msg", "msg", NULL);
}

static void fields_alert(struct fmt_fields *ff, const json_t *rec)
{
	const char *s;
	size_t n;

	if (fmt_get_str(rec, "finding.types.0", &s, &n) || fmt_get_str(rec, "finding.uid", &s, &n))
		ff->sig = (struct fmt_sv){ s, n };
	else
		ff->sig = (struct fmt_sv){ "alert", 5 };
	if (fmt_get_str(rec, "finding.title", &s, &n))
		ff->name = (struct fmt_sv){ s, n };
	else
		ff->name = (struct fmt_sv){ "Alert", 5 };
	add_peer(ff, rec);
	add_any(ff, "cat", "cat", NULL, fmt_get(rec, "finding.types"), ",");
	add_any(ff, "cnt", "count", NULL, json_object_get(rec, "count"), ",");
	add_path(ff, "flexString2", "findingUid", "findingUid", rec, "finding.uid");
	add_joined(ff, "cs6", "mitreTechniques", "mitreTechniques", json_object_get(rec, "attacks"), "technique.uid",
		   ",");
	add_path(ff, "msg", "msg", NULL, rec, "finding.desc");
}

static void fields_vulnerability(struct fmt_fields *ff, const json_t *rec)
{
	const json_t *vu = json_object_get(rec, "vulnerability");
	const char *s;
	size_t n, start;

	if (fmt_get_str(vu, "cve", &s, &n) || fmt_get_str(vu, "id", &s, &n))
		ff->sig = (struct fmt_sv){ s, n };
	else
		ff->sig = (struct fmt_sv){ "vulnerability", 13 };
	if (fmt_get_str(vu, "title", &s, &n)) {
		ff->name = (struct fmt_sv){ s, n };
	} else {
		start = begin_value(ff);
		put_raw_c(ff, start, "Known vulnerability ");
		put_raw(ff, start, ff->sig.s, ff->sig.n);
		/* The name is a header field: resolved like the others once scratch stops growing. */
		ff->name = (struct fmt_sv){ (const char *)(uintptr_t)start, ff->scratch.len - start };
		ff->name_scratch = true;
	}
	add_cstr(ff, "cat", "cat", NULL, "vulnerability");
	add_any(ff, "cfp1", "cvss", "cvss", json_object_get(vu, "cvss"), ",");
	add_any(ff, "cs6", "kev", "kev", json_object_get(vu, "kev"), ",");
	add_path(ff, "flexString2", "vulnSource", "vulnSource", vu, "source");
	start = begin_value(ff);
	if (fmt_get_str(vu, "desc", &s, &n) || fmt_get_str(vu, "description", &s, &n)) {
		put_raw(ff, start, s, n);
	} else if (json_object_get(vu, "affected")) {
		put_raw_c(ff, start, "affected: ");
		put_any(ff, start, json_object_get(vu, "affected"), ", ", 0);
	}
	end_value(ff, start, "msg", "msg", NULL);
}

static void fields_recommendation(struct fmt_fields *ff, const json_t *rec)
{
	const json_t *r = json_object_get(rec, "recommendation");
	const json_t *proof = json_object_get(r, "proof");
	const char *s;
	size_t n, start;

	if (fmt_get_str(r, "id", &s, &n))
		ff->sig = (struct fmt_sv){ s, n };
	else
		ff->sig = (struct fmt_sv){ "recommendation", 14 };
	if (fmt_get_str(r, "title", &s, &n))
		ff->name = (struct fmt_sv){ s, n };
	else
		ff->name = (struct fmt_sv){ "Recommendation", 14 };
	add_path(ff, "cat", "cat", NULL, r, "category");
	/* Proof as "key=value" pairs; the escaping takes care of the '='. */
	start = begin_value(ff);
	for (size_t i = 0; i < json_array_size(proof) && ff->scratch.len - start < SCRATCH_VALUE_MAX; i++) {
		const json_t *p = json_array_get(proof, i);

		if (ff->scratch.len > start)
			put_raw_c(ff, start, "; ");
		put_any(ff, start, json_object_get(p, "key"), ",", 0);
		put_raw_c(ff, start, "=");
		put_any(ff, start, json_object_get(p, "value"), ",", 0);
	}
	end_value(ff, start, "cs6", "proof", "proof");
	add_path(ff, "msg", "msg", NULL, r, "remediation");
}

static void fields_other(struct fmt_fields *ff, const json_t *rec)
{
	const char *s;
	size_t n;

	if (!fmt_get_str(rec, "record", &s, &n))
		s = "record", n = 6;
	ff->sig = (struct fmt_sv){ s, n };
	ff->name = (struct fmt_sv){ s, n };
	add(ff, "cat", "cat", NULL, s, n);
	add_peer(ff, rec);
}

int fmt_fields_of(const json_t *rec, const char *record_id, const struct fmt_ctx *c, struct fmt_fields *ff)
{
	memset(ff, 0, sizeof(*ff));
	ff->severity_id = fmt_severity_id(rec);
	ff->has_time = fmt_record_time(rec, &ff->time_us);
	add_cstr(ff, "deviceExternalId", NULL, NULL, c->sensor);
	add_cstr(ff, "dvchost", "sensor", NULL, c->sensor);
	add_device(ff, rec, c);
	add_cstr(ff, "cs5", "site", "site", c->site);
	add_cstr(ff, "flexString1", "zone", "zone", c->zone);
	add_cstr(ff, "externalId", "recordId", NULL, record_id);
	switch (fmt_kind_of(rec)) {
	case FMT_REC_DEVICE: fields_device(ff, rec); break;
	case FMT_REC_ALERT: fields_alert(ff, rec); break;
	case FMT_REC_VULNERABILITY: fields_vulnerability(ff, rec); break;
	case FMT_REC_RECOMMENDATION: fields_recommendation(ff, rec); break;
	default: fields_other(ff, rec);
	}
	if (ff->scratch.oom) {
		fmt_fields_free(ff);
		return -1;
	}
	/* Scratch has stopped growing: offsets become pointers. */
	for (int i = 0; i < ff->n; i++) {
		if (ff->f[i].scratch) {
			ff->f[i].v.s = ff->scratch.p + (uintptr_t)ff->f[i].v.s;
			ff->f[i].scratch = false;
		}
	}
	if (ff->name_scratch) {
		ff->name.s = ff->scratch.p + (uintptr_t)ff->name.s;
		ff->name_scratch = false;
	}
	return 0;
}

void fmt_fields_free(struct fmt_fields *ff)
{
	fmt_buf_free(&ff->scratch);
}
