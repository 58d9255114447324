// SPDX-License-Identifier: GPL-2.0-only
/*
 * `iotsense set ID name=... criticality=low|medium|high` and `iotsense tag ID key=value... [key=]`: what the
 * operator knows about a device and the sensor cannot see. Written to the store; a running daemon notices
 * (settings_version) and re-emits the device with them, and criticality weighs into its risk.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lib/jsonw.h"
#include "store/store.h"

static int settings_main(int argc, char **argv, bool tags)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *cmd = tags ? "tag" : "set";
	char id[128], err[1024];
	struct store s;
	bool json = false;
	int c, ret = EXIT_ERR, found;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			if (tags)
				printf("Usage: iotsense tag ID KEY=VALUE... [KEY=]...   (KEY= removes the tag)\n");
			else
				printf("Usage: iotsense set ID name=TEXT | criticality=low|medium|high ...\n"
				       "  (an empty value clears it: name= criticality=)\n");
			printf("  ID: a device id (mac:.., ip:..), its MAC or IP, or its name. Kept across restarts\n"
			       "  and rediscovery; a running daemon picks it up within a snapshot interval.\n");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (argc - optind < 2) {
		fprintf(stderr, "iotsense %s: needs a device and at least one %s (see --help)\n", cmd,
			tags ? "KEY=VALUE" : "name=... or criticality=...");
		return EXIT_USAGE;
	}
	for (int i = optind + 1; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');

		if (!eq || eq == argv[i]) {
			fprintf(stderr, "iotsense %s: '%s' is not KEY=VALUE\n", cmd, argv[i]);
			return EXIT_USAGE;
		}
		if (!tags && strncmp(argv[i], "name=", 5) && strncmp(argv[i], "criticality=", 12)) {
			fprintf(stderr, "iotsense set: '%.*s' is not a setting (name, criticality; tags: iotsense tag)\n",
				(int)(eq - argv[i]), argv[i]);
			return EXIT_USAGE;
		}
	}
	if (store_open(&s, g_opts.state_dir, false, err, sizeof(err))) {
		fprintf(stderr, "iotsense %s: %s\n", cmd, err);
		return EXIT_ERR;
	}
	found = store_resolve_device(&s, argv[optind], id, sizeof(id));
	if (found != 1) {
		fprintf(stderr, "iotsense %s: %s '%s' (iotsense devices lists them; use the full id)\n", cmd,
			found > 1 ? "several devices match" : "no device", argv[optind]);
		goto out;
	}
	for (int i = optind + 1; i < argc; i++) {
		char field[80];
		const char *eq = strchr(argv[i], '='), *value = eq + 1;
		int n = (int)(eq - argv[i]);

		if (tags)
			snprintf(field, sizeof(field), "tag:%.*s", n, argv[i]);
		else
			snprintf(field, sizeof(field), "%.*s", n, argv[i]);
		if (store_set_device_field(&s, id, field, *value || !tags ? value : NULL, err, sizeof(err))) {
			fprintf(stderr, "iotsense %s: %s\n", cmd, err);
			ret = strstr(err, "not") || strstr(err, "at most") ? EXIT_USAGE : EXIT_ERR;
			goto out;
		}
	}
	if (json) {
		sqlite3_stmt *st;

		if (sqlite3_prepare_v2(s.db,
				       "SELECT json_object('id', id, 'name', name, 'criticality', criticality, 'tags',"
				       " json(coalesce(tags, '{}'))) FROM devices WHERE id = ?1",
				       -1, &st, NULL) == SQLITE_OK) {
			sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
			if (sqlite3_step(st) == SQLITE_ROW)
				printf("%s\n", sqlite3_column_text(st, 0));
			sqlite3_finalize(st);
		}
	} else {
		printf("%s: updated\n", id);
	}
	ret = EXIT_OK;
out:
	store_close(&s);
	return ret;
}

int cmd_set(int argc, char **argv)
{
	return settings_main(argc, argv, false);
}

int cmd_tag(int argc, char **argv)
{
	return settings_main(argc, argv, true);
}
