// SPDX-License-Identifier: GPL-2.0-only
/*
 * `iotsense serve [--listen ADDR] [--token-file FILE] [--token-env VAR] [--duration S]`: the local API, /metrics
 * and the dashboard over the store in --state-dir, without sensing, until SIGINT or SIGTERM (or S seconds).
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
#include "lib/log.h"

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
	fprintf(f, "Usage: iotsense [--state-dir DIR] serve [--listen ADDR] [--token-file FILE | --token-env VAR]\n"
		   "                [--duration SECONDS]\n"
		   "  Serves the API (/api/v1/...), Prometheus /metrics and the dashboard (/) over the inventory\n"
		   "  in the state dir, without sensing. ADDR: 127.0.0.1:8080 (default), [::1]:8080, 0.0.0.0:8080.\n"
		   "  A non-loopback ADDR needs a token; with a token every API and /metrics request needs\n"
		   "  'Authorization: Bearer TOKEN'. The token is read from FILE (first line) or the environment\n"
		   "  variable VAR, never from the command line. docs/api.md describes the endpoints.\n");
}

int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "token-file", required_argument, NULL, 'f' },
		{ "token-env", required_argument, NULL, 'e' },
		{ "duration", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *listen = API_LISTEN_DEFAULT, *token_file = NULL, *token_env = NULL;
	struct api_opts ao = {};
	struct api_server *a;
	struct timespec start, now, wait;
	unsigned long duration = 0;
	char *token = NULL, err[1024];
	bool has_token;
	sigset_t set;
	int c, sig, ret = EXIT_OK;

	while ((c = getopt_long(argc, argv, "l:f:e:d:h", opts, NULL)) != -1) {
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
	if (token_file) {
		token = read_token_file(token_file);
		if (!token)
			return EXIT_ERR;
	} else if (token_env) {
		const char *v = getenv(token_env);

		if (!v || !*v) {
			pr_err("--token-env %s: the variable is not set or empty\n", token_env);
			return EXIT_ERR;
		}
		token = strdup(v);
		if (!token)
			return EXIT_ERR;
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
	a = api_start(&ao, err, sizeof(err));
	has_token = token != NULL;
	if (token) {
		explicit_bzero(token, strlen(token)); /* the server keeps its own copy */
		free(token);
	}
	if (!a) {
		pr_err("serve: %s\n", err);
		return EXIT_ERR;
	}
	printf("iotsense serve: http://%s/ over %s/iotsense.db (%s)\n", listen, g_opts.state_dir,
	       has_token ? "token required" : "no token: loopback only");
	fflush(stdout);

	/*
	 * OUTPUT SENDERS: the outputs helper starts the senders here (they drain the store's outbox to the
	 * configured outputs) and stops them after the loop below, before api_stop().
	 */

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
	api_stop(a);
	return ret;
}
