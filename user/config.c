// SPDX-License-Identifier: GPL-2.0-only
/*
 * The daemon's YAML config (format in config.h, example in deploy/iotsense.yaml), read with libyaml's document
 * API so that every error points at the node it is about: "file:line:col: message". Everything is checked here,
 * once, so the daemon and the output senders never meet a value they cannot use: names, types, formats per
 * type, URLs, addresses, sizes, durations, severities, record kinds. Unknown keys are errors, with the closest
 * known key suggested; secrets only ever come from files or the environment.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "config.h"
#include "lib/yamldoc.h"
#include "store/store.h"

#define CONFIG_FILE_MAX (1u << 20)
#define IFNAME_MAX 15

static const char *const sev_names[] = { "any", "informational", "low", "medium", "high", "critical" };
static const char *const kind_names[] = { "device", "alert", "vulnerability", "recommendation" };
static const char *const type_names[] = { "ndjson", "syslog", "http" };
static const char *const facility_names[] = { "kern",	"user",	  "mail",   "daemon", "auth",	"syslog",
					      "lpr",	"news",	  "uucp",   "cron",   "authpriv", "ftp",
					      "ntp",	"audit",  "alert",  "clock",  "local0", "local1",
					      "local2", "local3", "local4", "local5", "local6", "local7" };

#define NAMES(a) a, sizeof(a) / sizeof(a[0])

const char *output_type_name(enum output_type t)
{
	return (unsigned int)t < 3 ? type_names[t] : "?";
}

const char *severity_name(int id)
{
	return id >= 0 && id <= 5 ? sev_names[id] : "?";
}

uint32_t rec_kind_of(const char *name)
{
	for (unsigned int i = 0; name && i < 4; i++)
		if (!strcmp(name, kind_names[i]))
			return 1u << i;
	return 0;
}

static int find_name(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (!strcmp(names[i], s))
			return (int)i;
	return -1;
}

/* Edit distance, for "did you mean"; keys are short, so the O(n*m) table is a few hundred cells. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[65], prev, tmp;

	if (la > 64 || lb > 64)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t best = prev + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

/* The closest of names to s when it is close enough to be a typo, else NULL. */
static const char *closest(const char *const *names, size_t n, const char *s)
{
	const char *best = NULL;
	size_t bd = 99;

	for (size_t i = 0; i < n; i++) {
		size_t d = distance(s, names[i]);

		if (d < bd) {
			bd = d;
			best = names[i];
		}
	}
	return bd <= 2 || (bd <= 3 && strlen(s) >= 8) ? best : NULL;
}

static yaml_node_t *node(struct ydoc *p, int id)
{
	return yaml_document_get_node(p->doc, id);
}

static bool unknown_key(struct ydoc *p, yaml_node_t *k, const char *where, const char *const *names, size_t n)
{
	const char *key = yd_scalar(k), *near = closest(names, n, key);
	char list[512] = "";
	size_t len = 0;

	for (size_t i = 0; i < n && len < sizeof(list); i++)
		len += snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "", names[i]);
	if (near)
		return yd_fail(p, k, "unknown key '%s' in %s; did you mean '%s'?", key, where, near);
	return yd_fail(p, k, "unknown key '%s' in %s (known: %s)", key, where, list);
}

static bool refuse_token(struct ydoc *p, yaml_node_t *k)
{
	return yd_fail(p, k, "a token is never written in the config file (it would travel with every copy, backup "
			     "and 'config check --json' of it): put it in a file readable only by iotsense and give "
			     "token_file: PATH, or give token_env: VARIABLE");
}

static bool get_str(struct ydoc *p, yaml_node_t *k, yaml_node_t *v, char *out, size_t size)
{
	const char *s = yd_scalar(v);

	if (!s || (v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !*s))
		return yd_fail(p, v, "'%s' must be a string", yd_scalar(k));
	if (strlen(s) >= size)
		return yd_fail(p, v, "'%s' is longer than %zu bytes", yd_scalar(k), size - 1);
	if (memchr(s, '\0', v->data.scalar.length))
		return yd_fail(p, v, "'%s' contains a NUL byte", yd_scalar(k));
	memcpy(out, s, strlen(s) + 1);
	return true;
}

static bool get_nonempty(struct ydoc *p, yaml_node_t *k, yaml_node_t *v, char *out, size_t size)
{
	if (!get_str(p, k, v, out, size))
		return false;
	return *out ? true : yd_fail(p, v, "'%s' must not be empty", yd_scalar(k));
}

static bool get_bool(struct ydoc *p, yaml_node_t *k, yaml_node_t *v, bool *out)
{
	static const char *const t[] = { "true", "yes", "on" }, *const f[] = { "false", "no", "off" };
	const char *s = yd_scalar(v);

	if (find_name(NAMES(t), s) >= 0)
		*out = true;
	else if (find_name(NAMES(f), s) >= 0)
		*out = false;
	else
		return yd_fail(p, v, "'%s' is true or false", yd_scalar(k));
	return true;
}

static bool get_uint(struct ydoc *p, yaml_node_t *k, yaml_node_t *v, uint64_t lo, uint64_t hi, uint64_t *out)
{
	const char *s = yd_scalar(v);
	unsigned long long x;
	char *end;

	errno = 0;
	if (!s || !isdigit((unsigned char)s[0]) || (x = strtoull(s, &end, 10), *end) || errno || x < lo || x > hi)
		return yd_fail(p, v, "'%s' is a whole number from %llu to %llu", yd_scalar(k), (unsigned long long)lo,
			       (unsigned long long)hi);
	*out = x;
	return true;
}

/* "10s", "5m", "1h", "30d", "500ms" -> milliseconds. A unit is required: a bare 10 is too easy to misread. */
static bool get_duration_ms(struct ydoc *p, yaml_node_t *k, yaml_node_t *v, uint64_t lo_ms, uint64_t hi_ms,
			    uint64_t *out)
{
	static const struct {
		const char *u;
		uint64_t ms;
	} units[] = { { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 }, { "d", 86400000 } };
	const char *s = yd_scalar(v);
	unsigned long long x;
	char *end;

	errno = 0;
	if (s && isdigit((unsigned char)s[0])) {
		x = strtoull(s, &end, 10);
		for (unsigned int i = 0; !errno && i < sizeof(units) / sizeof(units[0]); i++) {
			if (strcmp(end, units[i].u) || x > UINT64_MAX / units[i].ms)
				continue;
			x *= units[i].ms;
			if (x < lo_ms || x > hi_ms)
				break;
			*out = x;
			return true;
		}
	}
	return yd_fail(p, v, "'%s' is a duration from %llums to %llus with a unit: 500ms, 10s, 5m, 1h, 30d",
		       yd_scalar(k), (unsigned long long)lo_ms, (unsigned long long)(hi_ms / 1000));
}

static bool get_duration_s(struct ydoc *p, yaml_node_t *k, yaml_node_t *v, uint64_t *out)
{
	uint64_t ms;

	if (!get_duration_ms(p, k, v, 1000, 3650ull * 86400000, &ms))
		return false;
	*out = ms / 1000;
	return true;
}

/* "100MiB", "10MB", "512KiB", "1GiB", "4096" (bytes). */
static bool get_size(struct ydoc *p, yaml_node_t *k, yaml_node_t *v, uint64_t *out)
{
	static const struct {
		const char *u;
		uint64_t mul;
	} units[] = { { "", 1 },	   { "B", 1 },		  { "KB", 1000 },	   { "KiB", 1024 },
		      { "MB", 1000000 }, { "MiB", 1048576 }, { "GB", 1000000000 }, { "GiB", 1073741824 } };
	const char *s = yd_scalar(v);
	unsigned long long x;
	char *end;

	errno = 0;
	if (s && isdigit((unsigned char)s[0])) {
		x = strtoull(s, &end, 10);
		while (*end == ' ')
			end++;
		for (unsigned int i = 0; !errno && i < sizeof(units) / sizeof(units[0]); i++)
			if (!strcmp(end, units[i].u) && x <= (1ull << 50) / units[i].mul) {
				*out = x * units[i].mul;
				return true;
			}
	}
	return yd_fail(p, v, "'%s' is a size: 4096, 512KiB, 100MiB, 1GiB (or KB, MB, GB)", yd_scalar(k));
}

static bool env_name_valid(const char *s)
{
	if (!*s || isdigit((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

static bool get_env_name(struct ydoc *p, yaml_node_t *k, yaml_node_t *v, char *out, size_t size)
{
	if (!get_nonempty(p, k, v, out, size))
		return false;
	return env_name_valid(out) ? true
				   : yd_fail(p, v, "'%s' is an environment variable name (letters, digits, _)",
					     yd_scalar(k));
}

/* host:port or [v6]:port into host (brackets removed) and port. */
static bool split_host_port(const char *s, char *host, size_t hsize, uint16_t *port)
{
	const char *colon, *h = s;
	size_t hl;
	char *end;
	unsigned long x;

	if (*s == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':')
			return false;
		h = s + 1;
		hl = (size_t)(rb - h);
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || memchr(s, ':', (size_t)(colon - s)))
			return false; /* an IPv6 address needs brackets */
		hl = (size_t)(colon - s);
	}
	if (!hl || hl >= hsize)
		return false;
	for (size_t i = 0; i < hl; i++)
		if (!isalnum((unsigned char)h[i]) && !strchr(".-_:%", h[i]))
			return false;
	errno = 0;
	x = strtoul(colon + 1, &end, 10);
	if (!isdigit((unsigned char)colon[1]) || *end || errno || x == 0 || x > 65535)
		return false;
	memcpy(host, h, hl);
	host[hl] = '\0';
	*port = (uint16_t)x;
	return true;
}

/* udp://host:port, tcp://host:port, unix:///path */
static bool get_syslog_address(struct ydoc *p, yaml_node_t *v, struct output_config *o)
{
	const char *s = yd_scalar(v);

	if (s && !strncmp(s, "unix://", 7)) {
		if (s[7] != '/' || strlen(s + 7) >= sizeof(o->unix_path))
			return yd_fail(p, v, "a unix socket address is unix:///absolute/path (at most %zu bytes)",
				       sizeof(o->unix_path) - 1);
		o->transport = SYSLOG_UNIX;
		strcpy(o->unix_path, s + 7);
		return true;
	}
	if (s && (!strncmp(s, "udp://", 6) || !strncmp(s, "tcp://", 6)) &&
	    split_host_port(s + 6, o->host, sizeof(o->host), &o->port)) {
		o->transport = s[0] == 'u' ? SYSLOG_UDP : SYSLOG_TCP;
		return true;
	}
	return yd_fail(p, v, "address is udp://HOST:PORT, tcp://HOST:PORT or unix:///PATH ([ADDR]:PORT for IPv6)");
}

/* http(s)://host[:port][/path][?query]; credentials in the URL are refused like any other secret in the file. */
static bool get_url(struct ydoc *p, yaml_node_t *k, yaml_node_t *v, struct output_config *o)
{
	const char *s = yd_scalar(v), *host, *end;
	char hostport[300];
	uint16_t port;
	size_t n;

	if (!get_nonempty(p, k, v, o->url, sizeof(o->url)))
		return false;
	if (!strncmp(s, "https://", 8))
		host = s + 8;
	else if (!strncmp(s, "http://", 7))
		host = s + 7;
	else
		return yd_fail(p, v, "url must start with https:// or http://");
	end = host + strcspn(host, "/?#");
	if (memchr(host, '@', (size_t)(end - host)))
		return yd_fail(p, v, "no credentials in the url: put the token in token_file or token_env (sent as an "
				     "Authorization header)");
	for (const char *c = s; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f)
			return yd_fail(p, v, "url contains a space or a control character (percent-encode it)");
	n = (size_t)(end - host);
	if (!n || n >= sizeof(hostport))
		return yd_fail(p, v, "url has no host");
	memcpy(hostport, host, n);
	hostport[n] = '\0';
	if (strchr(hostport, ':')) {
		if (!split_host_port(hostport, o->host, sizeof(o->host), &port))
			return yd_fail(p, v, "url has a bad host:port ('%s'; [ADDR]:PORT for IPv6)", hostport);
	} else {
		for (const char *h = hostport; *h; h++)
			if (!isalnum((unsigned char)*h) && !strchr(".-_", *h))
				return yd_fail(p, v, "url has a bad host ('%s')", hostport);
		strcpy(o->host, hostport);
	}
	return true;
}

static bool get_kinds(struct ydoc *p, yaml_node_t *v, uint32_t *mask)
{
	if (!v || v->type != YAML_SEQUENCE_NODE || v->data.sequence.items.start == v->data.sequence.items.top)
		return yd_fail(p, v, "records is a non-empty list of: device, alert, vulnerability, recommendation");
	*mask = 0;
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *e = node(p, *it);
		uint32_t k = rec_kind_of(yd_scalar(e));
		const char *near;

		if (!k) {
			near = yd_scalar(e) ? closest(NAMES(kind_names), yd_scalar(e)) : NULL;
			return yd_fail(p, e, "unknown record kind '%s'%s%s%s (device, alert, vulnerability, "
					     "recommendation)",
				       yd_scalar(e) ? yd_scalar(e) : "?", near ? "; did you mean '" : "",
				       near ? near : "", near ? "'?" : "");
		}
		*mask |= k;
	}
	return true;
}

static bool get_severity(struct ydoc *p, yaml_node_t *v, int *out)
{
	int i = find_name(NAMES(sev_names), yd_scalar(v));

	if (i < 0 && yd_scalar(v) && !strcmp(yd_scalar(v), "info"))
		i = 1;
	if (i < 0)
		return yd_fail(p, v, "min_severity is informational, low, medium, high or critical");
	*out = i;
	return true;
}

static bool name_valid(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_.", *s))
			return false;
	return true;
}

/* Keys by output type; "common" apply to every type. */
static const char *const out_common[] = { "name", "type", "records", "min_severity", "format" };
static const char *const out_ndjson[] = { "path", "max_size", "keep" };
static const char *const out_syslog[] = { "address", "protocol", "facility", "app_name" };
static const char *const out_http[] = { "url",	       "gzip",		"token_file",	  "token_env",
					"tls_verify",  "ca_file",	"batch",	  "timeout",
					"hec_index",   "hec_sourcetype", "hec_source",	  "elastic_index",
					"auth_scheme" };
static const char *const out_all[] = { "name",	    "type",	   "records",	     "min_severity", "format",
				       "path",	    "max_size",	   "keep",	     "address",	     "protocol",
				       "facility",  "app_name",	   "url",	     "gzip",	     "token_file",
				       "token_env", "tls_verify",  "ca_file",	     "batch",	     "timeout",
				       "hec_index", "hec_sourcetype", "hec_source", "elastic_index", "auth_scheme" };

static bool key_of_type(enum output_type t, const char *key)
{
	if (find_name(NAMES(out_common), key) >= 0)
		return true;
	switch (t) {
	case OUTPUT_NDJSON:
		return find_name(NAMES(out_ndjson), key) >= 0;
	case OUTPUT_SYSLOG:
		return find_name(NAMES(out_syslog), key) >= 0;
	case OUTPUT_HTTP:
		return find_name(NAMES(out_http), key) >= 0;
	}
	return false;
}

static void output_defaults(struct output_config *o, enum output_type t)
{
	memset(o, 0, sizeof(*o));
	o->type = t;
	o->records = REC_KIND_ALL;
	o->keep = 5;
	o->max_size = 100ull << 20;
	o->protocol = SYSLOG_RFC5424;
	o->facility = 20; /* local4 */
	strcpy(o->app_name, "iotsense");
	o->tls_verify = true;
	o->batch = 100;
	o->timeout_ms = 10000;
	strcpy(o->hec_sourcetype, "iotsense:record");
	switch (t) {
	case OUTPUT_NDJSON:
		o->format = OUT_FMT_JSON;
		break;
	case OUTPUT_SYSLOG:
		o->format = OUT_FMT_CEF;
		break;
	case OUTPUT_HTTP:
		o->format = OUT_FMT_JSON;
		break;
	}
}

static bool format_allowed(enum output_type t, enum out_format f)
{
	switch (t) {
	case OUTPUT_NDJSON:
		return f == OUT_FMT_JSON;
	case OUTPUT_SYSLOG:
		return f == OUT_FMT_CEF || f == OUT_FMT_LEEF || f == OUT_FMT_JSON;
	case OUTPUT_HTTP:
		return f == OUT_FMT_SPLUNK_HEC || f == OUT_FMT_ELASTIC_BULK || f == OUT_FMT_JSON;
	}
	return false;
}

static const char *formats_of(enum output_type t)
{
	static const char *const f[] = { "json", "cef, leef or json", "splunk-hec, elastic-bulk or json" };

	return f[t];
}

static bool parse_output(struct ydoc *p, yaml_node_t *map, struct output_config *o)
{
	yaml_node_t *type_node = NULL, *fmt_node = NULL, *name_node = NULL, *where_node = NULL;
	uint64_t x;
	int t;

	if (!map || map->type != YAML_MAPPING_NODE)
		return yd_fail(p, map, "an output is a mapping: {name: NAME, type: ndjson|syslog|http, ...}");
	/* The type decides the defaults and which keys are allowed: find it first. */
	for (yaml_node_pair_t *kv = map->data.mapping.pairs.start; kv < map->data.mapping.pairs.top; kv++)
		if (yd_scalar(node(p, kv->key)) && !strcmp(yd_scalar(node(p, kv->key)), "type"))
			type_node = node(p, kv->value);
	if (!type_node)
		return yd_fail(p, map, "this output has no type (ndjson, syslog or http)");
	t = find_name(NAMES(type_names), yd_scalar(type_node));
	if (t < 0)
		return yd_fail(p, type_node, "unknown output type '%s' (ndjson, syslog or http)",
			       yd_scalar(type_node) ? yd_scalar(type_node) : "?");
	output_defaults(o, (enum output_type)t);

	for (yaml_node_pair_t *kv = map->data.mapping.pairs.start; kv < map->data.mapping.pairs.top; kv++) {
		yaml_node_t *k = node(p, kv->key), *v = node(p, kv->value);
		const char *key = yd_scalar(k);

		if (!key)
			return yd_fail(p, k, "keys are strings");
		for (yaml_node_pair_t *kv2 = map->data.mapping.pairs.start; kv2 < kv; kv2++)
			if (yd_scalar(node(p, kv2->key)) && !strcmp(yd_scalar(node(p, kv2->key)), key))
				return yd_fail(p, k, "'%s' given twice in this output", key);
		if (!strcmp(key, "token") || !strcmp(key, "password") || !strcmp(key, "api_key"))
			return refuse_token(p, k);
		if (!key_of_type(o->type, key)) {
			if (find_name(NAMES(out_all), key) >= 0)
				return yd_fail(p, k, "'%s' is not a key of a%s %s output", key,
					       o->type == OUTPUT_HTTP ? "n" : "", type_names[o->type]);
			return unknown_key(p, k, "an output", NAMES(out_all));
		}
		if (!strcmp(key, "type"))
			continue;
		if (!strcmp(key, "name")) {
			if (!get_nonempty(p, k, v, o->name, sizeof(o->name)))
				return false;
			if (!name_valid(o->name))
				return yd_fail(p, v, "an output name is letters, digits, '-', '_' and '.'");
			name_node = v;
		} else if (!strcmp(key, "records")) {
			if (!get_kinds(p, v, &o->records))
				return false;
		} else if (!strcmp(key, "min_severity")) {
			if (!get_severity(p, v, &o->min_severity_id))
				return false;
		} else if (!strcmp(key, "format")) {
			fmt_node = v;
		} else if (!strcmp(key, "path")) {
			if (!get_nonempty(p, k, v, o->path, sizeof(o->path)))
				return false;
			if (strcmp(o->path, "-") && o->path[0] != '/')
				return yd_fail(p, v, "path is an absolute file name, or \"-\" for stdout");
			where_node = v;
		} else if (!strcmp(key, "max_size")) {
			if (!get_size(p, k, v, &o->max_size))
				return false;
			if (o->max_size && o->max_size < 4096)
				return yd_fail(p, v, "max_size is 0 (never rotate) or at least 4KiB");
		} else if (!strcmp(key, "keep")) {
			if (!get_uint(p, k, v, 0, 100, &x))
				return false;
			o->keep = (unsigned int)x;
		} else if (!strcmp(key, "address")) {
			if (!get_syslog_address(p, v, o))
				return false;
			where_node = v;
		} else if (!strcmp(key, "protocol")) {
			if (yd_scalar(v) && !strcmp(yd_scalar(v), "rfc5424"))
				o->protocol = SYSLOG_RFC5424;
			else if (yd_scalar(v) && !strcmp(yd_scalar(v), "rfc3164"))
				o->protocol = SYSLOG_RFC3164;
			else
				return yd_fail(p, v, "protocol is rfc5424 or rfc3164");
		} else if (!strcmp(key, "facility")) {
			t = find_name(NAMES(facility_names), yd_scalar(v));
			if (t < 0 && yd_scalar(v) && isdigit((unsigned char)yd_scalar(v)[0])) {
				if (!get_uint(p, k, v, 0, 23, &x))
					return false;
				t = (int)x;
			}
			if (t < 0)
				return yd_fail(p, v, "facility is a syslog facility name (local0..local7, daemon, "
						     "auth, ...) or a number from 0 to 23");
			o->facility = t;
		} else if (!strcmp(key, "app_name")) {
			if (!get_nonempty(p, k, v, o->app_name, sizeof(o->app_name)))
				return false;
			for (const char *c = o->app_name; *c; c++)
				if (*c <= ' ' || *c > '~')
					return yd_fail(p, v, "app_name is printable ASCII without spaces");
		} else if (!strcmp(key, "url")) {
			if (!get_url(p, k, v, o))
				return false;
			where_node = v;
		} else if (!strcmp(key, "gzip")) {
			if (!get_bool(p, k, v, &o->gzip))
				return false;
		} else if (!strcmp(key, "tls_verify")) {
			if (!get_bool(p, k, v, &o->tls_verify))
				return false;
		} else if (!strcmp(key, "ca_file")) {
			if (!get_nonempty(p, k, v, o->ca_file, sizeof(o->ca_file)))
				return false;
		} else if (!strcmp(key, "token_file")) {
			if (!get_nonempty(p, k, v, o->token_file, sizeof(o->token_file)))
				return false;
		} else if (!strcmp(key, "token_env")) {
			if (!get_env_name(p, k, v, o->token_env, sizeof(o->token_env)))
				return false;
		} else if (!strcmp(key, "batch")) {
			if (!get_uint(p, k, v, 1, 10000, &x))
				return false;
			o->batch = (unsigned int)x;
		} else if (!strcmp(key, "timeout")) {
			if (!get_duration_ms(p, k, v, 100, 300000, &x))
				return false;
			o->timeout_ms = (unsigned int)x;
		} else if (!strcmp(key, "hec_index")) {
			if (!get_nonempty(p, k, v, o->hec_index, sizeof(o->hec_index)))
				return false;
		} else if (!strcmp(key, "hec_sourcetype")) {
			if (!get_nonempty(p, k, v, o->hec_sourcetype, sizeof(o->hec_sourcetype)))
				return false;
		} else if (!strcmp(key, "hec_source")) {
			if (!get_nonempty(p, k, v, o->hec_source, sizeof(o->hec_source)))
				return false;
		} else if (!strcmp(key, "elastic_index")) {
			if (!get_nonempty(p, k, v, o->elastic_index, sizeof(o->elastic_index)))
				return false;
		} else if (!strcmp(key, "auth_scheme")) {
			if (!get_nonempty(p, k, v, o->auth_scheme, sizeof(o->auth_scheme)))
				return false;
			for (const char *c = o->auth_scheme; *c; c++)
				if (!isalnum((unsigned char)*c) && *c != '-')
					return yd_fail(p, v, "auth_scheme is one word: Bearer, Splunk, ApiKey, ...");
		}
	}
	if (!name_node)
		return yd_fail(p, map, "this output has no name (outputs keep their place in the outbox by name)");
	if (fmt_node) {
		enum out_format f;

		if (!yd_scalar(fmt_node) || !out_format_parse(yd_scalar(fmt_node), &f) || !format_allowed(o->type, f))
			return yd_fail(p, fmt_node, "format of a%s %s output is %s", o->type == OUTPUT_HTTP ? "n" : "",
				       type_names[o->type], formats_of(o->type));
		o->format = f;
	}
	switch (o->type) {
	case OUTPUT_NDJSON:
		if (!where_node)
			return yd_fail(p, map, "an ndjson output needs path: FILE (or \"-\" for stdout)");
		break;
	case OUTPUT_SYSLOG:
		if (!where_node)
			return yd_fail(p, map, "a syslog output needs address: udp://HOST:PORT, tcp://HOST:PORT or "
					       "unix:///dev/log");
		break;
	case OUTPUT_HTTP:
		if (!where_node)
			return yd_fail(p, map, "an http output needs url: https://...");
		if (o->format == OUT_FMT_SPLUNK_HEC && !o->token_file[0] && !o->token_env[0])
			return yd_fail(p, map, "a splunk-hec output needs its HEC token: token_file: PATH or "
					       "token_env: VARIABLE");
		if (o->format == OUT_FMT_ELASTIC_BULK && !o->elastic_index[0])
			strcpy(o->elastic_index, "iotsense");
		if (!o->auth_scheme[0])
			strcpy(o->auth_scheme, o->format == OUT_FMT_SPLUNK_HEC ? "Splunk" : "Bearer");
		break;
	}
	return true;
}

static bool parse_outputs(struct ydoc *p, yaml_node_t *seq, struct iot_config *c)
{
	if (!seq || seq->type != YAML_SEQUENCE_NODE)
		return yd_fail(p, seq, "outputs is a list of outputs (- name: ..., type: ...)");
	for (yaml_node_item_t *it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
		yaml_node_t *e = node(p, *it);
		struct output_config *o = &c->outputs[c->noutputs];

		if (c->noutputs == CONFIG_MAX_OUTPUTS)
			return yd_fail(p, e, "at most %d outputs", CONFIG_MAX_OUTPUTS);
		if (!parse_output(p, e, o))
			return false;
		for (int i = 0; i < c->noutputs; i++)
			if (!strcmp(c->outputs[i].name, o->name))
				return yd_fail(p, e, "output name '%s' is used twice (each output keeps its place in "
						     "the outbox by name)",
					       o->name);
		c->noutputs++;
	}
	return true;
}

static bool parse_sensor(struct ydoc *p, yaml_node_t *map, struct iot_config *c)
{
	static const char *const keys[] = { "name", "site", "zone" };

	if (!map || map->type != YAML_MAPPING_NODE)
		return yd_fail(p, map, "sensor is a mapping: {name: gw-01, site: plant-a, zone: cell-3}");
	for (yaml_node_pair_t *kv = map->data.mapping.pairs.start; kv < map->data.mapping.pairs.top; kv++) {
		yaml_node_t *k = node(p, kv->key), *v = node(p, kv->value);
		int i = find_name(NAMES(keys), yd_scalar(k));
		char *dst[] = { c->sensor, c->site, c->zone };

		if (i < 0)
			return yd_scalar(k) ? unknown_key(p, k, "sensor", NAMES(keys)) : yd_fail(p, k, "keys are strings");
		if (!get_str(p, k, v, dst[i], sizeof(c->sensor)))
			return false;
		if (i < 2 && !*dst[i])
			return yd_fail(p, v, "sensor %s must not be empty", keys[i]);
	}
	return true;
}

static bool parse_store(struct ydoc *p, yaml_node_t *map, struct iot_config *c)
{
	static const char *const keys[] = { "observations_max_age", "observations_max_per_device",
					    "outbox_max_records" };
	uint64_t x;

	if (!map || map->type != YAML_MAPPING_NODE)
		return yd_fail(p, map, "store is a mapping: {observations_max_age: 30d, ...}");
	for (yaml_node_pair_t *kv = map->data.mapping.pairs.start; kv < map->data.mapping.pairs.top; kv++) {
		yaml_node_t *k = node(p, kv->key), *v = node(p, kv->value);

		switch (find_name(NAMES(keys), yd_scalar(k))) {
		case 0:
			if (yd_scalar(v) && !strcmp(yd_scalar(v), "0"))
				c->obs_max_age_s = 0;
			else if (!get_duration_s(p, k, v, &c->obs_max_age_s))
				return false;
			break;
		case 1:
			if (!get_uint(p, k, v, 0, 1000000, &x))
				return false;
			c->obs_max_per_device = (uint32_t)x;
			break;
		case 2:
			if (!get_uint(p, k, v, 0, 100000000, &c->outbox_max_records))
				return false;
			break;
		default:
			return yd_scalar(k) ? unknown_key(p, k, "store", NAMES(keys)) : yd_fail(p, k, "keys are strings");
		}
	}
	return true;
}

static bool parse_api(struct ydoc *p, yaml_node_t *map, struct iot_config *c)
{
	static const char *const keys[] = { "listen", "token_file", "token_env" };
	char host[256];
	uint16_t port;

	if (!map || map->type != YAML_MAPPING_NODE)
		return yd_fail(p, map, "api is a mapping: {listen: 127.0.0.1:8080, token_file: PATH}");
	for (yaml_node_pair_t *kv = map->data.mapping.pairs.start; kv < map->data.mapping.pairs.top; kv++) {
		yaml_node_t *k = node(p, kv->key), *v = node(p, kv->value);

		if (yd_scalar(k) && !strcmp(yd_scalar(k), "token"))
			return refuse_token(p, k);
		switch (find_name(NAMES(keys), yd_scalar(k))) {
		case 0:
			if (!get_nonempty(p, k, v, c->api_listen, sizeof(c->api_listen)))
				return false;
			if (strcmp(c->api_listen, "off") && !split_host_port(c->api_listen, host, sizeof(host), &port))
				return yd_fail(p, v, "listen is ADDRESS:PORT, e.g. 127.0.0.1:8080 or [::1]:8080, or off");
			break;
		case 1:
			if (!get_nonempty(p, k, v, c->api_token_file, sizeof(c->api_token_file)))
				return false;
			break;
		case 2:
			if (!get_env_name(p, k, v, c->api_token_env, sizeof(c->api_token_env)))
				return false;
			break;
		default:
			return yd_scalar(k) ? unknown_key(p, k, "api", NAMES(keys)) : yd_fail(p, k, "keys are strings");
		}
	}
	return true;
}

static bool parse_ifaces(struct ydoc *p, yaml_node_t *seq, struct iot_config *c)
{
	size_t total = 0, off = 0;

	if (!seq || seq->type != YAML_SEQUENCE_NODE)
		return yd_fail(p, seq, "interfaces is a list: [eth0, eth1]");
	for (yaml_node_item_t *it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
		yaml_node_t *e = node(p, *it);
		const char *s = yd_scalar(e);

		if (it - seq->data.sequence.items.start >= CONFIG_MAX_IFACES)
			return yd_fail(p, e, "at most %d interfaces", CONFIG_MAX_IFACES);
		if (!s || !*s || strlen(s) > IFNAME_MAX || strpbrk(s, "/ \t:"))
			return yd_fail(p, e, "an interface name is 1 to %d characters, without '/', ':' or spaces",
				       IFNAME_MAX);
		total += strlen(s) + 1;
	}
	free(c->strings);
	c->strings = malloc(total + 1);
	if (!c->strings)
		return yd_fail(p, seq, "out of memory");
	c->nifaces = 0;
	for (yaml_node_item_t *it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
		const char *s = yd_scalar(node(p, *it));

		memcpy(c->strings + off, s, strlen(s) + 1);
		c->ifaces[c->nifaces++] = c->strings + off;
		off += strlen(s) + 1;
	}
	return true;
}

static bool parse_root(struct ydoc *p, struct iot_config *c)
{
	static const char *const keys[] = { "sensor",	     "interfaces", "state_dir", "snapshot_interval",
					    "full_snapshot_interval", "store", "api",	      "outputs" };
	yaml_node_t *root = yaml_document_get_root_node(p->doc);

	if (!root)
		return true; /* an empty file: the defaults */
	if (root->type != YAML_MAPPING_NODE)
		return yd_fail(p, root, "the config is a mapping of keys (sensor, interfaces, outputs, ...)");
	for (yaml_node_pair_t *kv = root->data.mapping.pairs.start; kv < root->data.mapping.pairs.top; kv++) {
		yaml_node_t *k = node(p, kv->key), *v = node(p, kv->value);
		const char *key = yd_scalar(k);
		bool ok;

		if (!key)
			return yd_fail(p, k, "keys are strings");
		for (yaml_node_pair_t *kv2 = root->data.mapping.pairs.start; kv2 < kv; kv2++)
			if (yd_scalar(node(p, kv2->key)) && !strcmp(yd_scalar(node(p, kv2->key)), key))
				return yd_fail(p, k, "'%s' given twice", key);
		switch (find_name(NAMES(keys), key)) {
		case 0:
			ok = parse_sensor(p, v, c);
			break;
		case 1:
			ok = parse_ifaces(p, v, c);
			break;
		case 2:
			ok = get_nonempty(p, k, v, c->state_dir, sizeof(c->state_dir));
			if (ok && c->state_dir[0] != '/')
				ok = yd_fail(p, v, "state_dir is an absolute directory name");
			break;
		case 3:
			ok = get_duration_s(p, k, v, &c->snapshot_interval_s);
			break;
		case 4:
			ok = get_duration_s(p, k, v, &c->full_snapshot_interval_s);
			break;
		case 5:
			ok = parse_store(p, v, c);
			break;
		case 6:
			ok = parse_api(p, v, c);
			break;
		case 7:
			ok = parse_outputs(p, v, c);
			break;
		default:
			if (!strcmp(key, "token") || !strcmp(key, "api_token"))
				return refuse_token(p, k);
			return unknown_key(p, k, "the config", NAMES(keys));
		}
		if (!ok)
			return false;
	}
	return true;
}

void config_defaults(struct iot_config *c)
{
	memset(c, 0, sizeof(*c));
	if (gethostname(c->sensor, sizeof(c->sensor) - 1) < 0 || !c->sensor[0])
		strcpy(c->sensor, "iotsense");
	strcpy(c->site, "default");
	c->snapshot_interval_s = 10;
	c->full_snapshot_interval_s = 3600;
	c->obs_max_age_s = STORE_OBS_MAX_AGE_S_DEFAULT;
	c->obs_max_per_device = STORE_OBS_MAX_PER_DEVICE_DEFAULT;
	c->outbox_max_records = STORE_OUTBOX_MAX_DEFAULT;
}

/* Parses a buffer (the file's bytes); also the fuzzer's entry. */
int config_load_buf(struct iot_config *c, const char *name, const char *buf, size_t len, char *err,
		    size_t err_size)
{
	struct ydoc p = { .file = name, .err = err, .err_size = err_size };
	yaml_parser_t parser;
	yaml_document_t doc;
	bool ok;

	config_defaults(c);
	snprintf(c->path, sizeof(c->path), "%s", name);
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, err_size, "%s:%zu:%zu: %s%s%s", name, parser.problem_mark.line + 1,
			 parser.problem_mark.column + 1, parser.problem ? parser.problem : "YAML syntax error",
			 parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return -1;
	}
	p.doc = &doc;
	ok = parse_root(&p, c);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (!ok) {
		config_free(c);
		return -1;
	}
	return 0;
}

int config_load(struct iot_config *c, const char *path, char *err, size_t err_size)
{
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	FILE *f;
	int rc = -1;

	config_defaults(c);
	f = fopen(path, "rb");
	if (!f || fstat(fileno(f), &st) < 0) {
		snprintf(err, err_size, "%s:0:0: %s (give the config with -c FILE)", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CONFIG_FILE_MAX) {
		snprintf(err, err_size, "%s:0:0: not a regular file of at most %u bytes", path, CONFIG_FILE_MAX);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		snprintf(err, err_size, "%s:0:0: out of memory", path);
		goto out;
	}
	n = fread(buf, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		snprintf(err, err_size, "%s:0:0: %s", path, strerror(errno));
		goto out;
	}
	rc = config_load_buf(c, path, buf, n, err, err_size);
out:
	free(buf);
	if (f)
		fclose(f);
	return rc;
}

void config_free(struct iot_config *c)
{
	free(c->strings);
	c->strings = NULL;
	c->nifaces = 0;
}

int config_read_secret(const char *file, const char *env, char *out, size_t size, char *err, size_t err_size)
{
	const char *v;
	size_t n;

	out[0] = '\0';
	if (file && *file) {
		FILE *f = fopen(file, "r");
		struct stat st;

		if (!f) {
			snprintf(err, err_size, "%s: %s (token_file: the file with the token, readable by iotsense)",
				 file, strerror(errno));
			return -1;
		}
		if (fstat(fileno(f), &st) == 0 && (st.st_mode & 0004))
			fprintf(stderr, "iotsense: warning: %s is world-readable; chmod 0600 it\n", file);
		if (!fgets(out, (int)size, f))
			out[0] = '\0';
		fclose(f);
		v = out;
	} else if (env && *env) {
		v = getenv(env);
		if (!v) {
			snprintf(err, err_size, "environment variable %s is not set (token_env names it)", env);
			return -1;
		}
		if (strlen(v) >= size) {
			snprintf(err, err_size, "%s: the token is longer than %zu bytes", env, size - 1);
			return -1;
		}
		memmove(out, v, strlen(v) + 1);
	} else {
		snprintf(err, err_size, "no token_file or token_env given");
		return -1;
	}
	/* Trim: a token file usually ends in a newline, and an editor may add spaces. */
	v = out;
	while (*v && isspace((unsigned char)*v))
		v++;
	memmove(out, v, strlen(v) + 1);
	n = strlen(out);
	while (n && isspace((unsigned char)out[n - 1]))
		out[--n] = '\0';
	if (!n) {
		snprintf(err, err_size, "%s: the token is empty", file && *file ? file : env);
		return -1;
	}
	for (const char *c = out; *c; c++)
		if ((unsigned char)*c < ' ' || *c == 0x7f) {
			snprintf(err, err_size, "%s: the token has a control character", file && *file ? file : env);
			return -1;
		}
	return 0;
}
