// SPDX-License-Identifier: GPL-2.0-only
/* iotsense: passive IoT/OT device sensor. The subcommand table and global options. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lib/log.h"
#include "loader.h"

#include "version.h"

struct global_opts g_opts = {
	.pin_dir = IOT_PIN_DIR_DEFAULT,
	.state_dir = "/var/lib/iotsense",
};

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "run", cmd_run, "attach (or adopt pinned programs), consume events, write NDJSON records" },
	{ "load", cmd_load, "attach to an interface and pin; the kernel keeps sensing after exit" },
	{ "unload", cmd_unload, "detach and remove pins; other XDP/TC programs are left untouched" },
	{ "status", cmd_status, "interfaces, program ids, modes and every counter" },
	{ "replay", cmd_replay, "run the BPF programs over pcap/pcapng captures; print NDJSON records" },
	{ "rules", cmd_rules, "validate rule files (fingerprints); errors as file:line:col" },
	{ "vulns", cmd_vulns, "known CVEs of the inventory's devices (CPE identity, local feed, NVD, KEV)" },
	{ "feed", cmd_feed, "import feeds: NVD CVE JSON 2.0 (gz ok), CISA KEV, IOC lists" },
	{ "devices", cmd_devices, "the inventory, riskiest first (table, or --json records)" },
	{ "recommendations", cmd_recommendations, "security recommendations and the devices they are open on" },
	{ "contain", cmd_contain, "drop a device's traffic at line rate (MAC or IP), optionally --for a while" },
	{ "release", cmd_release, "lift a device's containment" },
	{ "device", cmd_device, "one device's full profile: evidence, services, findings, alerts" },
	{ "alerts", cmd_alerts, "alerts, newest first (table, or --json records)" },
	{ "hunt", cmd_hunt, "read-only SQL over the inventory (docs/hunting.md); table, --json or --csv" },
	{ "set", cmd_set, "operator knowledge: a device's name or criticality (ID name=... criticality=high)" },
	{ "tag", cmd_tag, "operator tags on a device (ID key=value, key= removes)" },
	{ "serve", cmd_serve, "the local API, /metrics and the dashboard over the store, without sensing" },
	{ "config", cmd_config, "validate a config file (config check [FILE]); errors as file:line:col" },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: iotsense [-v] [--pin-dir DIR] [--state-dir DIR] COMMAND [ARGS]\n\nCommands:\n");
	for (unsigned int i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-16s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'iotsense COMMAND --help' for a command's options. Exit codes: 0 ok, 1 error, 2 usage.\n");
}

bool parse_uint(const char *flag, const char *val, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(val, &end, 0);
	if (errno || end == val || *end || val[0] == '-' || v < min || v > max) {
		fprintf(stderr, "iotsense: %s wants a number from %lu to %lu, not '%s'\n", flag, min, max, val);
		return false;
	}
	*out = v;
	return true;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "pin-dir", required_argument, NULL, 'P' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	enum log_level level = LOG_WARN;
	const char *env = getenv("IOTSENSE_PIN_DIR");
	int c;

	if (env && *env)
		g_opts.pin_dir = env;
	env = getenv("IOTSENSE_STATE_DIR");
	if (env && *env) {
		g_opts.state_dir = env;
		g_opts.state_dir_set = true; /* as explicit as --state-dir: a config's state_dir does not override it */
	}
	/* "+": stop at the command name; its own options follow it. */
	while ((c = getopt_long(argc, argv, "+vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			if (level < LOG_DEBUG)
				level++;
			break;
		case 'P':
			g_opts.pin_dir = optarg;
			break;
		case 'S':
			g_opts.state_dir = optarg;
			g_opts.state_dir_set = true;
			break;
		case 'V':
			printf("iotsense %s\n", IOTSENSE_VERSION);
			return EXIT_OK;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	log_init(level);
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (unsigned int i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name) == 0) {
			argv += optind;
			argc -= optind;
			optind = 0; /* 0, not 1: glibc then re-initialises getopt, so options may follow positionals */
			return commands[i].fn(argc, argv);
		}
	}
	fprintf(stderr, "iotsense: unknown command '%s'\n\n", argv[optind]);
	usage(stderr);
	return EXIT_USAGE;
}
