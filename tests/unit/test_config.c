// SPDX-License-Identifier: GPL-2.0-only
/* user/config.c: defaults, the documented example, every kind of error with its file:line:col, secrets. */
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "testlib.h"

static struct iot_config c;
static char err[1024];

static int load(const char *yaml)
{
	err[0] = '\0';
	return config_load_buf(&c, "t.yaml", yaml, strlen(yaml), err, sizeof(err));
}

/* The load fails and err starts with want_pos ("t.yaml:L:C: ") and contains want_text. */
static int fails_at(const char *yaml, const char *want_pos, const char *want_text)
{
	if (load(yaml) == 0) {
		printf("  accepted: %s\n", yaml);
		config_free(&c);
		return 0;
	}
	if (strncmp(err, want_pos, strlen(want_pos)) || !strstr(err, want_text)) {
		printf("  got '%s', wanted '%s...%s'\n", err, want_pos, want_text);
		return 0;
	}
	return 1;
}

TEST(empty_is_defaults)
{
	CHECK_EQ_INT(load(""), 0);
	CHECK_STR(c.site, "default");
	CHECK(c.sensor[0]);
	CHECK_EQ_INT(c.snapshot_interval_s, 10);
	CHECK_EQ_INT(c.full_snapshot_interval_s, 3600);
	CHECK_EQ_INT(c.outbox_max_records, 200000);
	CHECK_EQ_INT(c.noutputs, 0);
	config_free(&c);
}

/* The installed default (deploy/iotsense.yaml): it loads as it is, safe without editing (no outputs, API on loopback). */
TEST(installed_default_loads)
{
	CHECK_EQ_INT(config_load(&c, "deploy/iotsense.yaml", err, sizeof(err)), 0);
	if (err[0])
		printf("  %s\n", err);
	CHECK_STR(c.site, "default");
	CHECK_EQ_INT(c.nifaces, 1);
	CHECK_STR(c.ifaces[0], "eth0");
	CHECK_STR(c.api_listen, "127.0.0.1:8080");
	CHECK_EQ_INT(c.noutputs, 0);
	config_free(&c);
}

/*
 * The commented-out output examples of the default file stay valid: the block between its "--- example outputs"
 * markers, with the "# " of each line taken off, must load and mean what the comments say.
 */
TEST(commented_output_examples_load)
{
	FILE *f = fopen("deploy/iotsense.yaml", "r");
	char line[512], *buf = calloc(1, 65536);
	size_t len = 0;
	bool in = false;
	const struct output_config *o;

	CHECK(f && buf);
	while (f && buf && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "# --- example outputs", 21)) {
			in = strstr(line, "begin") != NULL;
			continue;
		}
		if (in && len + strlen(line) < 65536)
			len += (size_t)sprintf(buf + len, "%s", !strncmp(line, "# ", 2) ? line + 2 : line);
	}
	if (f)
		fclose(f);
	CHECK(len > 0);
	CHECK_EQ_INT(config_load_buf(&c, "examples", buf ? buf : "", len, err, sizeof(err)), 0);
	if (err[0])
		printf("  %s\n", err);
	CHECK_EQ_INT(c.noutputs, 3);
	o = &c.outputs[1];
	CHECK_EQ_INT(o->type, OUTPUT_SYSLOG);
	CHECK_EQ_INT(o->transport, SYSLOG_TCP);
	CHECK_STR(o->host, "192.0.2.10");
	CHECK_EQ_INT(o->port, 514);
	CHECK_EQ_INT(o->format, OUT_FMT_CEF);
	CHECK_EQ_INT(o->facility, 20);
	CHECK_EQ_INT(o->records, REC_KIND_ALERT | REC_KIND_VULNERABILITY);
	CHECK_EQ_INT(o->min_severity_id, 3);
	o = &c.outputs[2];
	CHECK_EQ_INT(o->format, OUT_FMT_SPLUNK_HEC);
	CHECK_STR(o->auth_scheme, "Splunk");
	CHECK(o->gzip && o->tls_verify);
	CHECK_EQ_INT(o->timeout_ms, 10000);
	CHECK_EQ_INT(c.outputs[0].max_size, 100ull << 20);
	config_free(&c);
	free(buf);
}

TEST(values_parse)
{
	CHECK_EQ_INT(load("snapshot_interval: 5m\nfull_snapshot_interval: 2h\n"
			  "store: {observations_max_age: 7d, outbox_max_records: 10}\n"
			  "api: {listen: '[::1]:9090', token_env: API_TOK}\n"
			  "outputs:\n"
			  "  - {name: f, type: ndjson, path: /tmp/x.ndjson, max_size: 512KiB, keep: 0}\n"
			  "  - {name: s, type: syslog, address: 'udp://[2001:db8::1]:514', protocol: rfc3164,"
			  " format: leef, facility: 3}\n"
			  "  - {name: u, type: syslog, address: 'unix:///dev/log', format: json}\n"
			  "  - {name: w, type: http, url: 'http://h:8080/hook?k=1', timeout: 500ms, batch: 7}\n"),
		     0);
	CHECK_EQ_INT(c.snapshot_interval_s, 300);
	CHECK_EQ_INT(c.full_snapshot_interval_s, 7200);
	CHECK_EQ_INT(c.obs_max_age_s, 7 * 86400);
	CHECK_EQ_INT(c.outbox_max_records, 10);
	CHECK_STR(c.api_listen, "[::1]:9090");
	CHECK_EQ_INT(c.outputs[0].max_size, 512 * 1024);
	CHECK_EQ_INT(c.outputs[0].keep, 0);
	CHECK_STR(c.outputs[1].host, "2001:db8::1");
	CHECK_EQ_INT(c.outputs[1].transport, SYSLOG_UDP);
	CHECK_EQ_INT(c.outputs[1].protocol, SYSLOG_RFC3164);
	CHECK_EQ_INT(c.outputs[1].facility, 3);
	CHECK_EQ_INT(c.outputs[2].transport, SYSLOG_UNIX);
	CHECK_STR(c.outputs[2].unix_path, "/dev/log");
	CHECK_EQ_INT(c.outputs[3].timeout_ms, 500);
	CHECK_EQ_INT(c.outputs[3].batch, 7);
	CHECK_STR(c.outputs[3].auth_scheme, "Bearer");
	CHECK_EQ_INT(c.outputs[3].records, REC_KIND_ALL);
	config_free(&c);
}

TEST(errors_point_at_the_node)
{
	CHECK(fails_at("a: [\n", "t.yaml:2:1: ", "did not find expected node"));
	CHECK(fails_at("sensr: {name: x}\n", "t.yaml:1:1: ", "did you mean 'sensor'"));
	CHECK(fails_at("outputs:\n  - name: a\n    type: syslog\n    adress: udp://h:1\n", "t.yaml:4:5: ",
		       "did you mean 'address'"));
	CHECK(fails_at("outputs:\n  - name: a\n    type: syslog\n    url: https://h/\n", "t.yaml:4:5: ",
		       "'url' is not a key of a syslog output"));
	CHECK(fails_at("outputs:\n  - {name: a, type: ndjson, path: /x}\n  - {name: a, type: ndjson, path: /y}\n",
		       "t.yaml:3:5: ", "used twice"));
	CHECK(fails_at("outputs:\n  - {name: a, type: kafka}\n", "t.yaml:2:21: ", "unknown output type"));
	CHECK(fails_at("outputs:\n  - {name: a, type: ndjson, path: /x, format: cef}\n", "t.yaml:2:47: ",
		       "json"));
	CHECK(fails_at("outputs:\n  - {name: a, type: http, url: 'ftp://h/x'}\n", "t.yaml:2:32: ",
		       "https:// or http://"));
	CHECK(fails_at("outputs:\n  - {name: a, type: http, url: 'https://u:p@h/x'}\n", "t.yaml:2:32: ",
		       "no credentials in the url"));
	CHECK(fails_at("outputs:\n  - {name: a, type: syslog, address: 'tcp://h'}\n", "t.yaml:2:38: ",
		       "udp://HOST:PORT"));
	CHECK(fails_at("outputs:\n  - {name: a, type: syslog, address: 'tcp://h:70000'}\n", "t.yaml:2:38: ",
		       "address is"));
	CHECK(fails_at("outputs:\n  - {name: a, type: ndjson, path: /x, max_size: 10 parsecs}\n", "t.yaml:2:49: ",
		       "is a size"));
	CHECK(fails_at("snapshot_interval: 10\n", "t.yaml:1:20: ", "with a unit"));
	CHECK(fails_at("outputs:\n  - {name: a, type: ndjson, path: /x, min_severity: severe}\n", "t.yaml:2:53: ",
		       "min_severity is"));
	CHECK(fails_at("outputs:\n  - {name: a, type: ndjson, path: /x, records: [alerts]}\n", "t.yaml:2:49: ",
		       "did you mean 'alert'"));
	CHECK(fails_at("outputs:\n  - {name: a, type: http, url: 'https://h/', format: splunk-hec}\n", "t.yaml:2:5: ",
		       "needs its HEC token"));
	CHECK(fails_at("outputs:\n  - {name: a, type: ndjson}\n", "t.yaml:2:5: ", "needs path"));
	CHECK(fails_at("outputs:\n  - {type: ndjson, path: /x}\n", "t.yaml:2:5: ", "no name"));
	CHECK(fails_at("api: {listen: localhost}\n", "t.yaml:1:15: ", "ADDRESS:PORT"));
	CHECK(fails_at("outputs:\n  - {name: a, type: http, url: 'https://h/', gzip: maybe}\n", "t.yaml:2:52: ",
		       "true or false"));
	CHECK(fails_at("outputs: {name: a}\n", "t.yaml:1:10: ", "list of outputs"));
	CHECK(fails_at("[1, 2]\n", "t.yaml:1:1: ", "mapping"));
}

TEST(tokens_are_refused_in_the_file)
{
	CHECK(fails_at("api: {listen: '127.0.0.1:1', token: s3cret}\n", "t.yaml:1:30: ", "token_file"));
	CHECK(fails_at("outputs:\n  - {name: a, type: http, url: 'https://h/', token: s3cret}\n", "t.yaml:2:46: ",
		       "token_env"));
	CHECK(!strstr(err, "s3cret"));
}

TEST(read_secret)
{
	char path[] = "/tmp/iotsense-test-token-XXXXXX", tok[64];
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	CHECK_EQ_INT(write(fd, "  abc123 \n", 10), 10);
	close(fd);
	CHECK_EQ_INT(config_read_secret(path, NULL, tok, sizeof(tok), err, sizeof(err)), 0);
	CHECK_STR(tok, "abc123");
	unlink(path);
	CHECK_EQ_INT(config_read_secret(path, NULL, tok, sizeof(tok), err, sizeof(err)), -1);
	CHECK(strstr(err, path) != NULL);
	setenv("IOTSENSE_TEST_TOK", "xyz", 1);
	CHECK_EQ_INT(config_read_secret(NULL, "IOTSENSE_TEST_TOK", tok, sizeof(tok), err, sizeof(err)), 0);
	CHECK_STR(tok, "xyz");
	CHECK_EQ_INT(config_read_secret(NULL, "IOTSENSE_TEST_UNSET_TOK", tok, sizeof(tok), err, sizeof(err)), -1);
}

TEST(names)
{
	CHECK_EQ_INT(rec_kind_of("alert"), REC_KIND_ALERT);
	CHECK_EQ_INT(rec_kind_of("flow"), 0);
	CHECK_STR(severity_name(5), "critical");
	CHECK_STR(output_type_name(OUTPUT_HTTP), "http");
}

int main(void)
{
	RUN(empty_is_defaults);
	RUN(installed_default_loads);
	RUN(commented_output_examples_load);
	RUN(values_parse);
	RUN(errors_point_at_the_node);
	RUN(tokens_are_refused_in_the_file);
	RUN(read_secret);
	RUN(names);
	return testlib_summary();
}
