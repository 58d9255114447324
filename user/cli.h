/* SPDX-License-Identifier: GPL-2.0-only */
/* What every subcommand gets, and the exit codes (xdp-loader/bpftool style). */
#ifndef IOTSENSE_CLI_H
#define IOTSENSE_CLI_H

#include <stdbool.h>

#define EXIT_OK 0
#define EXIT_ERR 1
#define EXIT_USAGE 2

struct global_opts {
	const char *pin_dir;
	const char *state_dir;
	bool state_dir_set; /* given on the command line: replay then also fills the store there */
};

extern struct global_opts g_opts;

int cmd_load(int argc, char **argv);
int cmd_unload(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_vulns(int argc, char **argv);
int cmd_feed(int argc, char **argv);
int cmd_recommendations(int argc, char **argv);
int cmd_devices(int argc, char **argv);
int cmd_contain(int argc, char **argv);
int cmd_release(int argc, char **argv);
int cmd_hunt(int argc, char **argv);
int cmd_device(int argc, char **argv);
int cmd_alerts(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_tag(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_config(int argc, char **argv);

/* Parses "4" style numeric flags; prints the error and returns false when val is not in [min, max]. */
bool parse_uint(const char *flag, const char *val, unsigned long min, unsigned long max, unsigned long *out);

#endif
