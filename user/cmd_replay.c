// SPDX-License-Identifier: GPL-2.0-only
/* `iotsense replay FILE...`: captures through the real datapath, NDJSON on stdout. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "assess/alerts.h"
#include "cli.h"
#include "config.h"
#include "lib/log.h"
#include "loader.h"
#include "pipeline.h"
#include "record_tee.h"
#include "replay.h"
#include "store/store.h"

int cmd_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "snippets", required_argument, NULL, 'n' },
		{ "no-progress", no_argument, NULL, 'q' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct loader_opts lo;
	struct replay_totals tot;
	const char *output = NULL;
	FILE *out = stdout;
	bool progress = isatty(STDERR_FILENO);
	struct record_tee tee;
	struct store store;
	struct iot_config cfg;
	const char *config = NULL;
	bool use_store = false;
	unsigned long v;
	int c, ret = 1;

	loader_opts_default(&lo);
	while ((c = getopt_long(argc, argv, "o:n:qc:h", opts, NULL)) != -1) {
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
		case 'S':
			g_opts.state_dir = optarg;
			g_opts.state_dir_set = true;
			break;
		case 'c':
			config = optarg;
			break;
		case 'h':
			printf("Usage: iotsense replay [-o FILE] [--snippets N] [--no-progress] [--state-dir DIR] [-c FILE]\n"
			       "                       CAPTURE...\n"
			       "  Runs the XDP program over each pcap/pcapng capture in the kernel (BPF_PROG_TEST_RUN)\n"
			       "  and prints one NDJSON record per event. With --state-dir (here or before the command),\n"
			       "  the device and alert records also go into DIR/iotsense.db, for devices, hunt and the API;\n"
			       "  with -c, stamped with the config's sensor, site and zone, and queued for its outputs\n"
			       "  (delivered by 'iotsense serve -c FILE' or 'iotsense run -c FILE').\n");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "iotsense replay: name at least one capture file\n");
		return EXIT_USAGE;
	}
	config_defaults(&cfg);
	if (config) {
		char cerr[1024];

		if (config_load(&cfg, config, cerr, sizeof(cerr))) {
			pr_err("%s\n", cerr);
			return EXIT_USAGE;
		}
		if (!g_opts.state_dir_set && cfg.state_dir[0]) {
			g_opts.state_dir = cfg.state_dir;
			g_opts.state_dir_set = true;
		}
	}
	if (!loader_have_privileges("replay")) {
		config_free(&cfg);
		return EXIT_ERR;
	}
	if (output) {
		out = fopen(output, "w");
		if (!out) {
			pr_err("cannot write %s: %s\n", output, strerror(errno));
			config_free(&cfg);
			return EXIT_ERR;
		}
	}
	if (g_opts.state_dir_set) {
		char serr[1024];

		if (store_open(&store, g_opts.state_dir, false, serr, sizeof(serr))) {
			pr_err("%s\n", serr);
			goto out_close;
		}
		use_store = true;
		store.id = (struct store_identity){ cfg.sensor, cfg.site, cfg.zone };
		store.outbox = cfg.noutputs > 0;
	}
	if (record_tee_open(&tee, out, use_store ? &store : NULL)) {
		pr_err("%s\n", strerror(errno));
		goto out_store;
	}
	/* Alerts over the whole replay, written at the end. */
	{
		char aerr[1024];
		struct alerts *alerts = alerts_new(NULL, g_opts.state_dir, aerr, sizeof(aerr));
		struct jsonw jw;

		if (!alerts) {
			pr_err("%s\n", aerr);
			ret = 2;
			goto out_tee;
		}
		ret = replay_files(argv + optind, argc - optind, &lo, tee.f, progress, alerts, &tot);
		jw_init(&jw);
		alerts_flush(alerts, &jw, tee.f, true);
		jw_free(&jw);
		alerts_free(alerts);
	}
	if (record_tee_commit(&tee) < 0) {
		pr_err("%s\n", tee.last_error);
		ret = 1;
	} else if (use_store) {
		pr_info("%s: %llu devices, %llu alerts stored\n", store.path, (unsigned long long)store.devices,
			(unsigned long long)store.alerts);
	}
out_tee:
	record_tee_close(&tee);
out_store:
	if (use_store)
		store_close(&store);
out_close:
	if (output && fclose(out)) {
		pr_err("writing %s failed: %s\n", output, strerror(errno));
		ret = EXIT_ERR;
	}
	config_free(&cfg);
	return ret == 2 ? EXIT_USAGE : ret ? EXIT_ERR : EXIT_OK;
}
