/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemon's YAML config (`iotsense run -c FILE`, `iotsense config check [FILE]`; default
 * /etc/iotsense/iotsense.yaml when it exists). Every key is optional; command-line flags win over the file.
 * Errors are "file:line:col: message" and exit 2. deploy/iotsense.yaml is the documented example.
 *
 *   sensor: { name: gw-01, site: plant-a, zone: cell-3 }
 *   interfaces: [eth0, eth1]
 *   state_dir: /var/lib/iotsense
 *   snapshot_interval: 10s          # changed device profiles this often
 *   full_snapshot_interval: 1h      # every device profile this often
 *   store: { observations_max_age: 30d, observations_max_per_device: 2000, outbox_max_records: 200000 }
 *   api: { listen: 127.0.0.1:8080, token_file: /etc/iotsense/api.token, token_env: IOTSENSE_API_TOKEN }
 *   outputs:
 *     - name: siem            # unique; the outbox keeps each output's place by name
 *       type: ndjson | syslog | http
 *       records: [device, alert, vulnerability, recommendation]   # default: all
 *       min_severity: low     # alerts/findings below it are not sent (informational|low|medium|high|critical)
 *       # ndjson: path: FILE or "-" (stdout); max_size: 100MiB; keep: 5
 *       # syslog: address: udp://H:P | tcp://H:P | unix:///dev/log; protocol: rfc5424 | rfc3164;
 *       #         format: cef | leef | json; facility: local4; app_name: iotsense
 *       # http:   url: https://...; format: splunk-hec | elastic-bulk | json; gzip: true;
 *       #         token_file / token_env; tls_verify: true; ca_file: FILE; batch: 100; timeout: 10s;
 *       #         hec_index, hec_sourcetype (iotsense:record), hec_source; elastic_index;
 *       #         auth_scheme: Bearer (Splunk for splunk-hec; ApiKey for Elastic API keys)
 *
 * Secrets (the API token, output tokens) come only from token_file / token_env: a `token:` key is refused, and so
 * is a password inside a URL, so the file can be shared, committed and printed (`config check --json`).
 */
#ifndef IOTSENSE_CONFIG_H
#define IOTSENSE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "outputs/format.h"

#define CONFIG_DEFAULT_PATH "/etc/iotsense/iotsense.yaml"
#define CONFIG_MAX_OUTPUTS 16
#define CONFIG_MAX_IFACES 64

enum output_type { OUTPUT_NDJSON, OUTPUT_SYSLOG, OUTPUT_HTTP };
enum syslog_transport { SYSLOG_UDP, SYSLOG_TCP, SYSLOG_UNIX };
enum syslog_protocol { SYSLOG_RFC5424, SYSLOG_RFC3164 };

/* Record kinds, as a bit mask for an output's filter. */
#define REC_KIND_DEVICE (1u << 0)
#define REC_KIND_ALERT (1u << 1)
#define REC_KIND_VULNERABILITY (1u << 2)
#define REC_KIND_RECOMMENDATION (1u << 3)
#define REC_KIND_ALL 0xfu

struct output_config {
	char name[64];
	enum output_type type;
	uint32_t records;     /* REC_KIND_* mask */
	int min_severity_id;  /* OCSF severity_id: 1 informational .. 5 critical; 0: everything */
	enum out_format format;
	/* ndjson */
	char path[4096];      /* "-": stdout */
	uint64_t max_size;    /* rotate past it; 0: never */
	unsigned int keep;    /* rotated files kept */
	/* syslog */
	enum syslog_transport transport;
	enum syslog_protocol protocol;
	char host[256], unix_path[108];
	uint16_t port;
	int facility;	      /* 0..23; local4 = 20 */
	char app_name[48];
	/* http */
	char url[2048];
	bool gzip, tls_verify;
	char ca_file[4096];
	char token_file[4096], token_env[128];
	unsigned int batch;   /* records per POST */
	unsigned int timeout_ms;
	char hec_index[128], hec_sourcetype[128], hec_source[128], elastic_index[128];
	char auth_scheme[16]; /* the Authorization header's scheme: "Splunk" (splunk-hec) or "Bearer" by default */
};

struct iot_config {
	char path[4096];      /* where it was read from; "" when defaults only */
	char sensor[128], site[128], zone[128];
	const char *ifaces[CONFIG_MAX_IFACES];
	int nifaces;
	char state_dir[4096]; /* "" : keep the command line's / the default */
	uint64_t snapshot_interval_s, full_snapshot_interval_s;
	uint64_t obs_max_age_s;
	uint32_t obs_max_per_device;
	uint64_t outbox_max_records;
	char api_listen[128]; /* "" : no API; "127.0.0.1:8080" style, "[::1]:8080" for IPv6 */
	char api_token_file[4096], api_token_env[128];
	struct output_config outputs[CONFIG_MAX_OUTPUTS];
	int noutputs;
	char *strings;	      /* owned storage behind ifaces */
};

/* Defaults: sensor = hostname, site "default", zone "", snapshots 10 s / 1 h, the store limits of store.h. */
void config_defaults(struct iot_config *c);
/* Parses and validates path into c (defaults first). Returns 0, or -1 with "file:line:col: message" in err. */
int config_load(struct iot_config *c, const char *path, char *err, size_t err_size);
/* The same from a buffer; name is the file name the errors carry. */
int config_load_buf(struct iot_config *c, const char *name, const char *buf, size_t len, char *err,
		    size_t err_size);
void config_free(struct iot_config *c);
/* Reads a secret (token) from a file (first line, trimmed) or an environment variable. 0 or -1 with err. */
int config_read_secret(const char *file, const char *env, char *out, size_t size, char *err, size_t err_size);

/* Names as the file spells them. */
const char *output_type_name(enum output_type t);
const char *severity_name(int severity_id); /* 0 -> "any" */
/* "device" -> REC_KIND_DEVICE ...; 0 when unknown (the outbox's kind column). */
uint32_t rec_kind_of(const char *name);

#endif
