// SPDX-License-Identifier: GPL-2.0-only
/*
 * `iotsense contain ID [--for DURATION]` and `iotsense release ID`: write the pinned containment map that every
 * XDP and TC program of the sensor reads, so the device's frames (from it or to it) are dropped at line rate.
 * Exit codes: 0 done, 1 refused or failed, 2 bad usage (an ID that names no device, a bad --for).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "contain.h"
#include "lib/jsonw.h"
#include "lib/log.h"
#include "loader.h"

static void fmt_time(uint64_t mono_ns, char *buf, size_t size)
{
	uint64_t ns = mono_ns + contain_mono_to_real();
	time_t secs = ns / 1000000000ull;
	struct tm tm;

	gmtime_r(&secs, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void print_json(const char *action, const struct iot_contain_key *k, const struct iot_contain_val *v,
		       bool updated, uint64_t now)
{
	char id[CONTAIN_ID_LEN], addr[INET6_ADDRSTRLEN];
	int64_t m2r = contain_mono_to_real();
	struct jsonw w;

	contain_key_id(k, id, sizeof(id));
	contain_key_addr(k, addr, sizeof(addr));
	jw_init(&w);
	jw_obj_open(&w);
	jw_kstr(&w, "action", action);
	jw_kstr(&w, "id", id);
	jw_kstr(&w, "kind", k->kind == IOT_CONTAIN_MAC ? "mac" : "ip");
	jw_kstr(&w, "address", addr);
	jw_ktime(&w, "since", v->since_ns + m2r);
	if (!strcmp(action, "contained")) {
		jw_kbool(&w, "updated", updated);
		if (v->expires_ns) {
			jw_ktime(&w, "expires", v->expires_ns + m2r);
			jw_ku64(&w, "remaining_s",
				v->expires_ns > now ? (v->expires_ns - now + 999999999ull) / 1000000000ull : 0);
		} else {
			jw_key(&w, "expires");
			jw_null(&w);
			jw_key(&w, "remaining_s");
			jw_null(&w);
		}
	}
	jw_ku64(&w, "drops", v->drops);
	jw_obj_close(&w);
	jw_end_line(&w);
	fputs(w.buf, stdout);
	jw_free(&w);
}

/* Common to both commands: one ID argument, parsed before anything touches the kernel. */
static int take_id(const char *cmd, int argc, char **argv, struct iot_contain_key *key)
{
	char why[256];

	if (optind != argc - 1) {
		fprintf(stderr, "iotsense %s: needs exactly one ID (a MAC like aa:bb:cc:dd:ee:ff, or an IP address); "
			"'iotsense %s --help' for more\n", cmd, cmd);
		return EXIT_USAGE;
	}
	if (contain_parse_id(argv[optind], key, why, sizeof(why))) {
		fprintf(stderr, "iotsense %s: %s\n", cmd, why);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int cmd_contain(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "for", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct iot_contain_key key;
	struct iot_contain_val v;
	struct contain_maps m;
	char why[512], addr[INET6_ADDRSTRLEN], when[64], dur[32];
	uint64_t for_ns = 0, now;
	bool json = false, updated;
	int c, err;

	/* 0, not main()'s 1: a full getopt restart, so options may follow the ID ("contain ID --for 2h"). */
	optind = 0;
	while ((c = getopt_long(argc, argv, "f:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (contain_parse_duration(optarg, &for_ns, why, sizeof(why))) {
				fprintf(stderr, "iotsense contain: %s\n", why);
				return EXIT_USAGE;
			}
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			printf("Usage: iotsense contain ID [--for DURATION] [--json]\n"
			       "  Drops every frame from or to the device at line rate (XDP and TC), counted, until\n"
			       "  'iotsense release ID' or, with --for (30s, 10m, 2h, 1d; at most 365d), until it\n"
			       "  expires. ID: a MAC (aa:bb:cc:dd:ee:ff) or an IPv4/IPv6 address, optionally as\n"
			       "  mac:... or ip:... (the inventory's device ids).\n"
			       "  Refused: this host's own addresses and MACs, the default route's next hop and the\n"
			       "  peer of the current SSH session.\n");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	err = take_id("contain", argc, argv, &key);
	if (err)
		return err;
	if (!loader_have_privileges("contain"))
		return EXIT_ERR;
	contain_key_addr(&key, addr, sizeof(addr));
	if (contain_refused(&key, why, sizeof(why))) {
		pr_err("refused: %s\n", why);
		return EXIT_ERR;
	}
	if (contain_open(g_opts.pin_dir, &m, false))
		return EXIT_ERR;
	now = contain_now();
	contain_purge_expired(&m, now);
	err = contain_add(&m, &key, for_ns, now, &v, &updated);
	contain_close(&m);
	if (err == -E2BIG) {
		pr_err("the containment map is full (%d devices): release some first ('iotsense status' lists them)\n",
		       IOT_CONTAIN_MAX);
		return EXIT_ERR;
	}
	if (err) {
		pr_err("containing %s failed: %s\n", addr, strerror(-err));
		return EXIT_ERR;
	}
	if (json) {
		print_json("contained", &key, &v, updated, now);
		return EXIT_OK;
	}
	if (updated) {
		fmt_time(v.since_ns, when, sizeof(when));
		printf("%s was contained already (since %s, %llu frames dropped); now ", addr, when,
		       (unsigned long long)v.drops);
	} else {
		printf("contained %s: its frames are dropped ", addr);
	}
	if (for_ns) {
		contain_fmt_duration(for_ns, dur, sizeof(dur));
		fmt_time(v.expires_ns, when, sizeof(when));
		printf("for %s, until %s; 'iotsense release %s' lifts it sooner\n", dur, when, addr);
	} else {
		printf("until 'iotsense release %s'\n", addr);
	}
	return EXIT_OK;
}

int cmd_release(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct iot_contain_key key;
	struct iot_contain_val old = {};
	struct contain_maps m;
	char addr[INET6_ADDRSTRLEN], when[64];
	uint64_t now;
	bool json = false;
	int c, err;

	optind = 0; /* see cmd_contain() */
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			printf("Usage: iotsense release ID [--json]\n"
			       "  Lifts the containment of ID (as given to 'iotsense contain').\n");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	err = take_id("release", argc, argv, &key);
	if (err)
		return err;
	if (!loader_have_privileges("release"))
		return EXIT_ERR;
	if (contain_open(g_opts.pin_dir, &m, false))
		return EXIT_ERR;
	now = contain_now();
	err = contain_del(&m, &key, now, &old);
	contain_close(&m);
	contain_key_addr(&key, addr, sizeof(addr));
	if (err == -ENOENT) {
		if (old.since_ns) {
			fmt_time(old.expires_ns, when, sizeof(when));
			pr_err("%s is not contained: its containment expired at %s\n", addr, when);
		} else {
			pr_err("%s is not contained ('iotsense status' lists the contained devices)\n", addr);
		}
		return EXIT_ERR;
	}
	if (err) {
		pr_err("releasing %s failed: %s\n", addr, strerror(-err));
		return EXIT_ERR;
	}
	if (json) {
		print_json("released", &key, &old, false, now);
		return EXIT_OK;
	}
	fmt_time(old.since_ns, when, sizeof(when));
	printf("released %s (contained since %s; %llu frames dropped)\n", addr, when, (unsigned long long)old.drops);
	return EXIT_OK;
}
