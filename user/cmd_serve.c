// SPDX-License-Identifier: GPL-2.0-only
/*
 * `iotsense serve [-c FILE] [--listen ADDR] [--token-file FILE] [--token-env VAR] [--duration S]`: the local
 * API, /metrics and the dashboard over the store in --state-dir, without sensing, until SIGINT or SIGTERM (or S
 * seconds); with a config, also its outputs, which drain the store's outbox (records `replay -c` queued, or a
 * daemon's backlog while it is stopped).
 * The token comes from a file or the environment only: a command line is visible to every user in ps.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api/server.h"
#include "cli.h"
#include "config.h"
#include "lib/log.h"
#include "outputs/outputs.h"

#define TOKEN_FILE_MAX 8192

/* The file's first line; warns when others may read it. NULL on error (said). */
static char *read_token_file(const char *path)
{
	struct stat sb;
	char *buf = NULL;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		pr_err("--token-file %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || sb.st_size > TOKEN_FILE_MAX) {
		pr_err("--token-file %s: not a regular file of at most %d bytes\n", path, TOKEN_FILE_MAX);
		goto out;
	}
	if (sb.st_mode & 077)
		pr_warn("--token-file %s is readable by group or others (mode %03o): chmod 600 it\n", path,
			(unsigned int)(sb.st_mode & 0777));
	buf = calloc(1, TOKEN_FILE_MAX + 1);
	if (!buf)
		goto out;
	n = read(fd, buf, TOKEN_FILE_MAX);
	if (n < 0) {
		pr_err("--token-file %s: %s\n", path, strerror(errno));
		free(buf);
		buf = NULL;
		goto out;
	}
	buf[strcspn(buf, "\n")] = '\0'; /* the first line is the token */
out:
	close(fd);
	return buf;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: iotsense [--state-dir DIR] serve [-c FILE] [--listen ADDR] [--token-file FILE | --token-env VAR]\n"
		   "                [--duration SECONDS]\n"
		   "  -c FILE: the config (default %s when it exists): sensor, site and zone, the API's\n"
		   "  listen address and token, the state dir, and the outputs, whose senders drain the outbox.\n"
		   "  Serves the API (/api/v1/...), Prometheus /metrics and the dashboard (/) over the inventory\n"
		   "  in the state dir, without sensing. ADDR: 127.0.0.1:8080 (default), [::1]:8080, 0.0.0.0:8080.\n"
		   "  A non-loopback ADDR needs a token; with a token every API and /metrics request needs\n"
		   "  'Authorization: Bearer TOKEN'. The token is read from FILE (first line) or the environment\n"
		   "  variable VAR, never from the command line. docs/api.md describes the endpoints.\n",
		CONFIG_DEFAULT_PATH);
}

int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "token-file", required_argument, NULL, 'f' },
		{ "token-env", required_argument, NULL, 'e' },
		{ "duration", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *listen = NULL, *token_file = NULL, *token_env = NULL, *config = NULL;
	struct outputs *outputs = NULL;
	struct iot_config cfg;
	struct api_opts ao = {};
	struct api_server *a;
	struct timespec start, now, wait;
	unsigned long duration = 0;
	char *token = NULL, err[1024];
	bool has_token;
	sigset_t set;
	int c, sig, ret = EXIT_OK;

	while ((c = getopt_long(argc, argv, "l:f:e:d:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			listen = optarg;
			break;
		case 'f':
			token_file = optarg;
			break;
		case 'e':
			token_env = optarg;
			break;
		case 'd':
			if (!parse_uint("--duration", optarg, 1, 365ul * 86400, &duration))
				return EXIT_USAGE;
			break;
		case 'c':
			config = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		pr_err("serve takes no arguments ('%s'); see --help\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (token_file && token_env) {
		pr_err("serve: give --token-file or --token-env, not both\n");
		return EXIT_USAGE;
	}
	if (!config && access(CONFIG_DEFAULT_PATH, F_OK) == 0)
		config = CONFIG_DEFAULT_PATH;
	config_defaults(&cfg);
	if (config && config_load(&cfg, config, err, sizeof(err))) {
		pr_err("%s\n", err);
		return EXIT_USAGE;
	}
	if (!g_opts.state_dir_set && cfg.state_dir[0])
		g_opts.state_dir = cfg.state_dir;
	if (!listen)
		listen = cfg.api_listen[0] ? cfg.api_listen : API_LISTEN_DEFAULT;
	/* The config's token applies unless the command line names one. */
	if (!token_file && !token_env) {
		if (cfg.api_token_file[0])
			token_file = cfg.api_token_file;
		else if (cfg.api_token_env[0])
			token_env = cfg.api_token_env;
	}
	if (token_file) {
		token = read_token_file(token_file);
		if (!token)
			goto fail_config;
	} else if (token_env) {
		const char *v = getenv(token_env);

		if (!v || !*v) {
			pr_err("--token-env %s: the variable is not set or empty\n", token_env);
			goto fail_config;
		}
		token = strdup(v);
		if (!token)
			goto fail_config;
	}

	/* Blocked before the server's threads exist, so they inherit the mask and only this thread takes them. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);

	ao.listen = listen;
	ao.token = token;
	ao.state_dir = g_opts.state_dir;
	ao.pin_dir = g_opts.pin_dir;
	ao.sensor = cfg.sensor;
	ao.site = cfg.site;
	ao.zone = cfg.zone;
	a = api_start(&ao, err, sizeof(err));
	has_token = token != NULL;
	if (token) {
		explicit_bzero(token, strlen(token)); /* the server keeps its own copy */
		free(token);
	}
	if (!a) {
		pr_err("serve: %s\n", err);
		goto fail_config;
	}
	printf("iotsense serve: http://%s/ over %s/iotsense.db (%s)\n", listen, g_opts.state_dir,
	       has_token ? "token required" : "no token: loopback only");
	fflush(stdout);

	/* The outputs drain the store's outbox from their own threads. */
	outputs = outputs_start(&cfg, g_opts.state_dir, err, sizeof(err));
	if (!outputs) {
		pr_err("serve: %s\n", err);
		api_stop(a);
		config_free(&cfg);
		return EXIT_USAGE;
	}
	if (cfg.noutputs)
		printf("iotsense serve: %d output(s) draining the outbox\n", cfg.noutputs);
	fflush(stdout);

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (duration) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec - start.tv_sec >= (time_t)duration)
				break;
			wait.tv_sec = (time_t)duration - (now.tv_sec - start.tv_sec);
			wait.tv_nsec = 0;
			sig = sigtimedwait(&set, NULL, &wait);
		} else {
			sig = sigwaitinfo(&set, NULL);
		}
		if (sig == SIGINT || sig == SIGTERM)
			break;
		if (sig < 0 && errno != EINTR && errno != EAGAIN) {
			pr_err("serve: waiting for signals: %s\n", strerror(errno));
			ret = EXIT_ERR;
			break;
		}
	}
	outputs_stop(outputs);
	api_stop(a);
	config_free(&cfg);
	return ret;
fail_config:
	config_free(&cfg);
	return EXIT_ERR;
}
