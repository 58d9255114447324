// SPDX-License-Identifier: GPL-2.0-only
/* `iotsense replay FILE...`: captures through the real datapath, NDJSON on stdout. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "assess/alerts.h"
#include "cli.h"
#include "lib/log.h"
#include "loader.h"
#include "pipeline.h"
#include "replay.h"

int cmd_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "snippets", required_argument, NULL, 'n' },
		{ "no-progress", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct loader_opts lo;
	struct replay_totals tot;
	const char *output = NULL;
	FILE *out = stdout;
	bool progress = isatty(STDERR_FILENO);
	unsigned long v;
	int c, ret;

	loader_opts_default(&lo);
	while ((c = getopt_long(argc, argv, "o:n:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'n':
			if (!parse_uint("--snippets", optarg, 0, 255, &v))
				return EXIT_USAGE;
			lo.snippets_per_dir = v;
			break;
		case 'q':
			progress = false;
			break;
		case 'h':
			printf("Usage: iotsense replay [-o FILE] [--snippets N] [--no-progress] CAPTURE...\n"
			       "  Runs the XDP program over each pcap/pcapng capture in the kernel (BPF_PROG_TEST_RUN)\n"
			       "  and prints one NDJSON record per event.\n");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "iotsense replay: name at least one capture file\n");
		return EXIT_USAGE;
	}
	if (!loader_have_privileges("replay"))
		return EXIT_ERR;
	if (output) {
		out = fopen(output, "w");
		if (!out) {
			pr_err("cannot write %s: %s\n", output, strerror(errno));
			return EXIT_ERR;
		}
	}
	/* Alerts over the whole replay, written at the end. */
	{
		char aerr[1024];
		struct alerts *alerts = alerts_new(NULL, g_opts.state_dir, aerr, sizeof(aerr));
		struct jsonw jw;

		if (!alerts) {
			pr_err("%s\n", aerr);
			if (output)
				fclose(out);
			return EXIT_USAGE;
		}
		ret = replay_files(argv + optind, argc - optind, &lo, out, progress, alerts, &tot);
		jw_init(&jw);
		alerts_flush(alerts, &jw, out, true);
		jw_free(&jw);
		alerts_free(alerts);
	}
	if (output && fclose(out)) {
		pr_err("writing %s failed: %s\n", output, strerror(errno));
		ret = EXIT_ERR;
	}
	return ret == 2 ? EXIT_USAGE : ret ? EXIT_ERR : EXIT_OK;
}
