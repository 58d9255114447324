// SPDX-License-Identifier: GPL-2.0-only
/*
 * A test driver for the output senders, used by tests/e2e/test_outputs_*.sh (built by them; not a test_*.c, so
 * tests/run does not run it alone): the same outputs_start()/outputs_stop() the daemon calls, over a state
 * dir's outbox, without sensing.
 *
 *   outputs_driver [--until-drained] STATE_DIR CONFIG MAX_SECONDS
 *
 * Runs until SIGINT/SIGTERM, MAX_SECONDS, or (--until-drained) every output has acked the last outbox row.
 * Prints one line per output ("name sent=N failures=N filtered=N pending=N acked=N error=...") on stop.
 * Exit 0; 1 when --until-drained and not drained in time; 2 on a config or start error.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "outputs/outputs.h"
#include "store/store.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

/* Every output's acked_seq has reached the outbox's last row (or the outbox is empty). */
static bool drained(struct store *ro, const struct iot_config *c)
{
	sqlite3_stmt *st;
	bool ok = true;

	for (int i = 0; ok && i < c->noutputs; i++) {
		if (sqlite3_prepare_v2(ro->db,
				       "SELECT (SELECT acked_seq FROM output_state WHERE name = ?1) >="
				       " coalesce((SELECT max(seq) FROM outbox), 0)",
				       -1, &st, NULL) != SQLITE_OK)
			return false;
		sqlite3_bind_text(st, 1, c->outputs[i].name, -1, SQLITE_STATIC);
		ok = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 1;
		sqlite3_finalize(st);
	}
	return ok;
}

int main(int argc, char **argv)
{
	static struct iot_config c;
	struct output_stats stats[CONFIG_MAX_OUTPUTS];
	bool until_drained = argc > 1 && !strcmp(argv[1], "--until-drained");
	struct store ro = { 0 };
	struct outputs *o;
	char err[1024];
	time_t end;
	int n, rc = 0;

	if (argc != 4 + until_drained) {
		fprintf(stderr, "usage: %s [--until-drained] STATE_DIR CONFIG MAX_SECONDS\n", argv[0]);
		return 2;
	}
	argv += until_drained;
	if (config_load(&c, argv[2], err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	o = outputs_start(&c, argv[1], err, sizeof(err));
	if (!o) {
		fprintf(stderr, "outputs_start: %s\n", err);
		return 2;
	}
	if (until_drained && store_open(&ro, argv[1], true, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		outputs_stop(o);
		return 2;
	}
	end = time(NULL) + atoi(argv[3]);
	while (!stop && time(NULL) < end) {
		if (until_drained && drained(&ro, &c))
			break;
		usleep(100000);
	}
	if (until_drained && !drained(&ro, &c))
		rc = 1;
	n = outputs_stats(o, stats, CONFIG_MAX_OUTPUTS);
	for (int i = 0; i < n; i++)
		printf("%s sent=%llu failures=%llu filtered=%llu pending=%llu acked=%lld error=%s\n", stats[i].name,
		       (unsigned long long)stats[i].sent, (unsigned long long)stats[i].failures,
		       (unsigned long long)stats[i].filtered, (unsigned long long)stats[i].pending,
		       (long long)stats[i].acked_seq, stats[i].last_error);
	outputs_stop(o);
	store_close(&ro);
	config_free(&c);
	return rc;
}
