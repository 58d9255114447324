// SPDX-License-Identifier: GPL-2.0-only
/*
 * `iotsense config check [--json] [FILE]`: validates the daemon's config (default /etc/iotsense/iotsense.yaml).
 * Exit 0 when it is good, 2 with "file:line:col: message" when not. --json prints the effective config, defaults
 * filled in, so an operator sees what the daemon will do. The file holds no secret (config.c refuses tokens
 * and URL credentials); URL query strings may (webhook keys), so they are redacted.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "lib/jsonw.h"

static void kstr_if(struct jsonw *w, const char *k, const char *v)
{
	if (v && *v)
		jw_kstr(w, k, v);
}

/* https://host/path?secret=1 -> https://host/path?<redacted> */
static void url_redacted(struct jsonw *w, const char *url)
{
	char buf[sizeof(((struct output_config *)0)->url) + 16];
	size_t n = strcspn(url, "?#");

	snprintf(buf, sizeof(buf), "%.*s%s", (int)n, url, url[n] ? "?<redacted>" : "");
	jw_kstr(w, "url", buf);
}

static void dump_output(struct jsonw *w, const struct output_config *o)
{
	static const char *const transports[] = { "udp", "tcp", "unix" };
	char addr[512];

	jw_obj_open(w);
	jw_kstr(w, "name", o->name);
	jw_kstr(w, "type", output_type_name(o->type));
	jw_key(w, "records");
	jw_arr_open(w);
	for (uint32_t k = 0; k < 4; k++)
		if (o->records & (1u << k))
			jw_str(w, (const char *[]){ "device", "alert", "vulnerability", "recommendation" }[k]);
	jw_arr_close(w);
	jw_kstr(w, "min_severity", severity_name(o->min_severity_id));
	jw_kstr(w, "format", out_format_name(o->format));
	switch (o->type) {
	case OUTPUT_NDJSON:
		jw_kstr(w, "path", o->path);
		if (strcmp(o->path, "-")) {
			jw_ku64(w, "max_size", o->max_size);
			jw_ku64(w, "keep", o->keep);
		}
		break;
	case OUTPUT_SYSLOG:
		if (o->transport == SYSLOG_UNIX)
			snprintf(addr, sizeof(addr), "unix://%s", o->unix_path);
		else
			snprintf(addr, sizeof(addr), strchr(o->host, ':') ? "%s://[%s]:%u" : "%s://%s:%u",
				 transports[o->transport], o->host, o->port);
		jw_kstr(w, "address", addr);
		jw_kstr(w, "protocol", o->protocol == SYSLOG_RFC3164 ? "rfc3164" : "rfc5424");
		jw_ku64(w, "facility", (uint64_t)o->facility);
		jw_kstr(w, "app_name", o->app_name);
		break;
	case OUTPUT_HTTP:
		url_redacted(w, o->url);
		jw_kbool(w, "gzip", o->gzip);
		jw_kbool(w, "tls_verify", o->tls_verify);
		kstr_if(w, "ca_file", o->ca_file);
		kstr_if(w, "token_file", o->token_file);
		kstr_if(w, "token_env", o->token_env);
		if (o->token_file[0] || o->token_env[0])
			jw_kstr(w, "auth_scheme", o->auth_scheme);
		jw_ku64(w, "batch", o->batch);
		jw_ku64(w, "timeout_ms", o->timeout_ms);
		if (o->format == OUT_FMT_SPLUNK_HEC) {
			kstr_if(w, "hec_index", o->hec_index);
			kstr_if(w, "hec_sourcetype", o->hec_sourcetype);
			kstr_if(w, "hec_source", o->hec_source);
		}
		if (o->format == OUT_FMT_ELASTIC_BULK)
			kstr_if(w, "elastic_index", o->elastic_index);
		break;
	}
	jw_obj_close(w);
}

static void dump(const struct iot_config *c)
{
	struct jsonw w;

	jw_init(&w);
	jw_obj_open(&w);
	jw_kstr(&w, "path", c->path);
	jw_key(&w, "sensor");
	jw_obj_open(&w);
	jw_kstr(&w, "name", c->sensor);
	jw_kstr(&w, "site", c->site);
	jw_kstr(&w, "zone", c->zone);
	jw_obj_close(&w);
	jw_key(&w, "interfaces");
	jw_arr_open(&w);
	for (int i = 0; i < c->nifaces; i++)
		jw_str(&w, c->ifaces[i]);
	jw_arr_close(&w);
	kstr_if(&w, "state_dir", c->state_dir);
	jw_ku64(&w, "snapshot_interval_s", c->snapshot_interval_s);
	jw_ku64(&w, "full_snapshot_interval_s", c->full_snapshot_interval_s);
	jw_key(&w, "store");
	jw_obj_open(&w);
	jw_ku64(&w, "observations_max_age_s", c->obs_max_age_s);
	jw_ku64(&w, "observations_max_per_device", c->obs_max_per_device);
	jw_ku64(&w, "outbox_max_records", c->outbox_max_records);
	jw_obj_close(&w);
	jw_key(&w, "api");
	jw_obj_open(&w);
	kstr_if(&w, "listen", c->api_listen);
	kstr_if(&w, "token_file", c->api_token_file);
	kstr_if(&w, "token_env", c->api_token_env);
	jw_obj_close(&w);
	jw_key(&w, "outputs");
	jw_arr_open(&w);
	for (int i = 0; i < c->noutputs; i++)
		dump_output(&w, &c->outputs[i]);
	jw_arr_close(&w);
	jw_obj_close(&w);
	jw_end_line(&w);
	if (!w.oom)
		fwrite(w.buf, 1, w.len, stdout);
	jw_free(&w);
}

int cmd_config(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	static struct iot_config c; /* large (paths of every output): not on the stack */
	const char *path = CONFIG_DEFAULT_PATH;
	bool json = false;
	char err[1024];
	int opt;

	while ((opt = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'h':
			printf("Usage: iotsense config check [--json] [FILE]\n"
			       "  Validates the daemon's config (default %s; example: deploy/iotsense.yaml).\n"
			       "  Exit 0 when good, 2 with file:line:col: message when not. --json: the effective\n"
			       "  config, defaults filled in (tokens are never in it; URL queries are redacted).\n",
			       CONFIG_DEFAULT_PATH);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind >= argc || strcmp(argv[optind], "check")) {
		fprintf(stderr, "iotsense config: the subcommand is 'check' (iotsense config check [--json] [FILE])\n");
		return EXIT_USAGE;
	}
	optind++; /* getopt_long has moved every option (before or after "check") in front of it */
	if (optind < argc)
		path = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "iotsense config check takes one FILE ('%s' is extra)\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (config_load(&c, path, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return EXIT_USAGE;
	}
	if (json)
		dump(&c);
	else
		printf("%s: ok (%d output%s)\n", path, c.noutputs, c.noutputs == 1 ? "" : "s");
	config_free(&c);
	return EXIT_OK;
}
