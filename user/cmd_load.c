// SPDX-License-Identifier: GPL-2.0-only
/* `iotsense load`, `unload` and `status`: the kernel side on its own, pinned so it outlives the command. */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "cli.h"
#include "contain.h"
#include "flows.h"
#include "lib/jsonw.h"
#include "lib/log.h"
#include "loader.h"
#include "store/store.h"

static const char *const mode_names[] = { "none", "native", "skb" };

bool parse_attach_mode(const char *s, enum attach_xdp_mode *m)
{
	if (!strcmp(s, "native"))
		*m = ATTACH_MODE_NATIVE;
	else if (!strcmp(s, "skb") || !strcmp(s, "generic"))
		*m = ATTACH_MODE_SKB;
	else if (!strcmp(s, "tc"))
		*m = ATTACH_MODE_TC;
	else if (!strcmp(s, "auto"))
		*m = ATTACH_MODE_AUTO;
	else
		return false;
	return true;
}

int cmd_load(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "mode", required_argument, NULL, 'm' },
		{ "snippets", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	enum attach_xdp_mode mode = ATTACH_MODE_AUTO;
	struct loader_opts lo;
	struct attach_result res;
	const char *ifname = NULL;
	unsigned long v;
	int c, err;

	loader_opts_default(&lo);
	while ((c = getopt_long(argc, argv, "i:m:n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			ifname = optarg;
			break;
		case 'm':
			if (!parse_attach_mode(optarg, &mode)) {
				fprintf(stderr, "iotsense load: --mode is native, skb, tc or auto, not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'n':
			if (!parse_uint("--snippets", optarg, 0, 255, &v))
				return EXIT_USAGE;
			lo.snippets_per_dir = v;
			break;
		case 'h':
			printf("Usage: iotsense load -i IFACE [--mode native|skb|tc|auto] [--snippets N]\n"
			       "  Attaches XDP (ingress) and TC (egress) to IFACE and pins them under the pin dir.\n"
			       "  auto (default): native XDP, else generic XDP, else TC ingress.\n");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (!ifname || optind != argc) {
		fprintf(stderr, "iotsense load: needs -i IFACE (and nothing else)\n");
		return EXIT_USAGE;
	}
	if (!loader_have_privileges("load"))
		return EXIT_ERR;
	lo.pin_dir = g_opts.pin_dir;
	err = attach_iface(g_opts.pin_dir, ifname, mode, &lo, false, &res);
	if (err) {
		contain_unpin_if_unused(g_opts.pin_dir);
		loader_cleanup_pins_if_unused(g_opts.pin_dir);
		return EXIT_ERR;
	}
	printf("iotsense attached to %s: XDP %s%s (prog %u), TC egress (prog %u)%s\n", ifname,
	       mode_names[res.a.xdp_mode], res.a.xdp_multiprog ? " via libxdp dispatcher" : "", res.a.xdp_prog_id,
	       res.a.tc_eg_prog_id, res.a.tc_in_prog_id ? ", TC ingress" : "");
	if (res.note[0])
		printf("note: %s\n", res.note);
	return EXIT_OK;
}

int cmd_unload(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *ifname = NULL;
	bool all = false;
	uint64_t netns = current_netns();
	int c, fd, ret = EXIT_OK, n = 0;

	while ((c = getopt_long(argc, argv, "i:ah", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			ifname = optarg;
			break;
		case 'a':
			all = true;
			break;
		case 'h':
			printf("Usage: iotsense unload -i IFACE | --all\n"
			       "  Detaches iotsense (only its own programs and the clsact qdisc it created) and removes\n"
			       "  the pins once no interface is left.\n");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (!!ifname == all || optind != argc) {
		fprintf(stderr, "iotsense unload: needs exactly one of -i IFACE or --all\n");
		return EXIT_USAGE;
	}
	if (!loader_have_privileges("unload"))
		return EXIT_ERR;
	if (ifname) {
		uint32_t ifindex = if_nametoindex(ifname);

		if (!ifindex) {
			pr_err("no interface named '%s' in this network namespace\n", ifname);
			return EXIT_ERR;
		}
		if (detach_iface(g_opts.pin_dir, netns, ifindex) == -ENOENT) {
			pr_err("iotsense is not attached to %s\n", ifname);
			ret = EXIT_ERR;
		} else {
			n++;
		}
	} else {
		struct iot_attach_key key, *prev = NULL, keys[1024];
		int nk = 0;

		fd = registry_open(g_opts.pin_dir);
		if (fd >= 0) {
			while (nk < 1024 && !bpf_map_get_next_key(fd, prev, &keys[nk])) {
				prev = &keys[nk];
				nk++;
			}
			close(fd);
		}
		for (int i = 0; i < nk; i++) {
			key = keys[i];
			if (key.netns != netns) {
				pr_warn("an interface in another network namespace stays attached (ifindex %u)\n",
					key.ifindex);
				continue;
			}
			if (!detach_iface(g_opts.pin_dir, key.netns, key.ifindex))
				n++;
		}
	}
	contain_unpin_if_unused(g_opts.pin_dir);
	if (loader_cleanup_pins_if_unused(g_opts.pin_dir))
		pr_info("removed the pins under %s\n", g_opts.pin_dir);
	if (all && !n)
		printf("nothing to unload\n");
	else if (n)
		printf("detached from %d interface%s\n", n, n == 1 ? "" : "s");
	return ret;
}

/* Is our program still where the registry says? */
static bool xdp_still_attached(uint32_t ifindex, uint32_t prog_id)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *p = NULL;
	bool found = false;

	if (libxdp_get_error(mp) || !mp)
		return false;
	if (xdp_multiprog__is_legacy(mp)) {
		p = xdp_multiprog__main_prog(mp);
		found = p && xdp_program__id(p) == prog_id;
	} else {
		while ((p = xdp_multiprog__next_prog(p, mp)))
			if (xdp_program__id(p) == prog_id)
				found = true;
	}
	xdp_multiprog__close(mp);
	return found;
}

static int by_since(const void *a, const void *b)
{
	const struct contain_entry *x = a, *y = b;

	return x->val.since_ns < y->val.since_ns ? -1 : x->val.since_ns > y->val.since_ns;
}

/* The contained devices, oldest first, after deleting the expired ones. -1 when there is no containment map. */
static int read_contained(struct contain_entry **out, uint64_t now)
{
	struct contain_maps m;
	int n;

	*out = NULL;
	if (contain_open(g_opts.pin_dir, &m, true))
		return -1;
	contain_purge_expired(&m, now);
	n = contain_list(&m, out);
	contain_close(&m);
	if (n > 1)
		qsort(*out, n, sizeof(**out), by_since);
	return n;
}

static void print_contained(const struct contain_entry *ce, int n, uint64_t now)
{
	int64_t m2r = contain_mono_to_real();

	if (n <= 0) {
		printf("\ncontained devices: none\n");
		return;
	}
	printf("\n%-44s %-20s %-15s %s\n", "CONTAINED", "SINCE", "REMAINING", "DROPS");
	for (int i = 0; i < n; i++) {
		char id[CONTAIN_ID_LEN], since[32], left[32];
		time_t secs = (ce[i].val.since_ns + m2r) / 1000000000ull;
		struct tm tm;

		contain_key_id(&ce[i].key, id, sizeof(id));
		gmtime_r(&secs, &tm);
		strftime(since, sizeof(since), "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (ce[i].val.expires_ns)
			contain_fmt_duration(ce[i].val.expires_ns > now ? ce[i].val.expires_ns - now : 0, left,
					     sizeof(left));
		else
			snprintf(left, sizeof(left), "until released");
		printf("%-44s %-20s %-15s %llu\n", id, since, left, (unsigned long long)ce[i].val.drops);
	}
}

static void json_contained(struct jsonw *w, const struct contain_entry *ce, int n, uint64_t now)
{
	int64_t m2r = contain_mono_to_real();

	jw_key(w, "contained");
	jw_arr_open(w);
	for (int i = 0; i < n; i++) {
		const struct iot_contain_val *v = &ce[i].val;
		char id[CONTAIN_ID_LEN], addr[CONTAIN_ID_LEN];

		contain_key_id(&ce[i].key, id, sizeof(id));
		contain_key_addr(&ce[i].key, addr, sizeof(addr));
		jw_obj_open(w);
		jw_kstr(w, "id", id);
		jw_kstr(w, "kind", ce[i].key.kind == IOT_CONTAIN_MAC ? "mac" : "ip");
		jw_kstr(w, "address", addr);
		jw_ktime(w, "since", v->since_ns + m2r);
		if (v->expires_ns) {
			jw_ktime(w, "expires", v->expires_ns + m2r);
			jw_ku64(w, "remaining_s",
				v->expires_ns > now ? (v->expires_ns - now + 999999999ull) / 1000000000ull : 0);
		} else {
			jw_key(w, "expires");
			jw_null(w);
			jw_key(w, "remaining_s");
			jw_null(w);
		}
		jw_ku64(w, "drops", v->drops);
		jw_obj_close(w);
	}
	jw_arr_close(w);
}

static bool tc_still_attached(uint32_t ifindex, enum bpf_tc_attach_point where, uint32_t prog_id)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = where);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = IOT_TC_HANDLE, .priority = IOT_TC_PRIO);

	return !bpf_tc_query(&hook, &opts) && opts.prog_id == prog_id;
}

/* The store and the outputs' queues (the daemon's side of things), when there is a store. */
static void print_store(void)
{
	struct store_summary *sum = calloc(1, sizeof(*sum));
	char err[512];

	if (!sum)
		return;
	if (store_summary(g_opts.state_dir, sum, err, sizeof(err))) {
		printf("\nstore: none at %s/%s\n", g_opts.state_dir, STORE_FILE_NAME);
		free(sum);
		return;
	}
	printf("\nstore %s: %lld devices, %lld alerts, %lld observations, %lld records queued for outputs\n",
	       sum->path, (long long)sum->devices, (long long)sum->alerts, (long long)sum->observations,
	       (long long)sum->outbox);
	if (sum->noutputs)
		printf("%-20s %10s %10s %9s %9s  %s\n", "OUTPUT", "SENT", "QUEUED", "FAILURES", "DROPPED",
		       "LAST ERROR");
	for (int i = 0; i < sum->noutputs; i++) {
		const struct store_output_summary *o = &sum->outputs[i];

		printf("%-20s %10lld %10lld %9lld %9lld  %s\n", o->name, (long long)o->sent, (long long)o->queued,
		       (long long)o->failures, (long long)o->dropped, o->last_error[0] ? o->last_error : "-");
	}
	free(sum);
}

static void json_store(struct jsonw *w)
{
	struct store_summary *sum = calloc(1, sizeof(*sum));
	char err[512];

	jw_key(w, "store");
	if (!sum || store_summary(g_opts.state_dir, sum, err, sizeof(err))) {
		jw_null(w);
		free(sum);
		return;
	}
	jw_obj_open(w);
	jw_kstr(w, "path", sum->path);
	jw_key(w, "devices");
	jw_i64(w, sum->devices);
	jw_key(w, "alerts");
	jw_i64(w, sum->alerts);
	jw_key(w, "observations");
	jw_i64(w, sum->observations);
	jw_key(w, "outbox");
	jw_i64(w, sum->outbox);
	jw_key(w, "outputs");
	jw_arr_open(w);
	for (int i = 0; i < sum->noutputs; i++) {
		const struct store_output_summary *o = &sum->outputs[i];

		jw_obj_open(w);
		jw_kstr(w, "name", o->name);
		jw_key(w, "sent");
		jw_i64(w, o->sent);
		jw_key(w, "queued");
		jw_i64(w, o->queued);
		jw_key(w, "failures");
		jw_i64(w, o->failures);
		jw_key(w, "dropped");
		jw_i64(w, o->dropped);
		jw_key(w, "acked_seq");
		jw_i64(w, o->acked_seq);
		jw_kstr(w, "last_error", o->last_error);
		jw_kstr(w, "last_ok", o->last_ok);
		jw_obj_close(w);
	}
	jw_arr_close(w);
	jw_obj_close(w);
	free(sum);
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	static const char *const hook_names[IOT_HOOK_MAX] = { "xdp", "tc_ingress", "tc_egress" };
	struct iot_counters cnt[IOT_HOOK_MAX];
	struct iot_attach_key keys[1024], *prev = NULL;
	struct iot_attach vals[1024];
	struct contain_entry *ce;
	struct jsonw w;
	bool json = false;
	uint64_t netns = current_netns(), now = contain_now();
	int c, fd, nk = 0, cnt_fd, flows_fd, nflows = -1, nce;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			printf("Usage: iotsense status [--json]\n");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return EXIT_USAGE;
	if (!loader_have_privileges("status"))
		return EXIT_ERR;
	fd = registry_open(g_opts.pin_dir);
	if (fd == -EPERM || fd == -EACCES) {
		pr_err("reading %s was refused: run as root\n", g_opts.pin_dir);
		return EXIT_ERR;
	}
	if (fd >= 0) {
		while (nk < 1024 && !bpf_map_get_next_key(fd, prev, &keys[nk])) {
			if (!bpf_map_lookup_elem(fd, &keys[nk], &vals[nk])) {
				prev = &keys[nk];
				nk++;
			} else {
				break;
			}
		}
		close(fd);
	}
	cnt_fd = loader_open_pinned(g_opts.pin_dir, "iot_counters");
	for (int h = 0; h < IOT_HOOK_MAX; h++) {
		memset(&cnt[h], 0, sizeof(cnt[h]));
		if (cnt_fd >= 0)
			counters_read(cnt_fd, h, &cnt[h]);
	}
	if (cnt_fd >= 0)
		close(cnt_fd);
	flows_fd = loader_open_pinned(g_opts.pin_dir, "iot_flows");
	if (flows_fd >= 0) {
		nflows = flows_count(flows_fd);
		close(flows_fd);
	}

	if (!json) {
		if (!nk) {
			printf("iotsense is not attached to any interface (pin dir %s)\n", g_opts.pin_dir);
			print_store();
			return EXIT_OK;
		}
		printf("%-16s %-7s %-7s %-9s %-8s %-8s %s\n", "INTERFACE", "IFINDEX", "XDP", "XDP-PROG", "TC-EGR",
		       "TC-INGR", "STATE");
		for (int i = 0; i < nk; i++) {
			const struct iot_attach *a = &vals[i];
			bool here = keys[i].netns == netns;
			bool ok = here && (!a->xdp_prog_id || xdp_still_attached(keys[i].ifindex, a->xdp_prog_id)) &&
				  tc_still_attached(keys[i].ifindex, BPF_TC_EGRESS, a->tc_eg_prog_id);

			printf("%-16s %-7u %-7s %-9u %-8u %-8u %s%s\n", a->ifname, keys[i].ifindex,
			       mode_names[a->xdp_mode % 3], a->xdp_prog_id, a->tc_eg_prog_id, a->tc_in_prog_id,
			       !here ? "other netns" : ok ? "attached" : "DETACHED BY SOMEONE ELSE",
			       a->xdp_prog_id && !a->xdp_multiprog ? " (xdp alone: no libxdp dispatcher)" : "");
		}
		printf("\nflows in table: %d\n\n%-26s", nflows, "COUNTER");
		for (int h = 0; h < IOT_HOOK_MAX; h++)
			printf(" %14s", hook_names[h]);
		printf("\n");
		for (int i = 0; i < IOT_CNT_MAX; i++) {
			printf("%-26s", iot_counter_names[i]);
			for (int h = 0; h < IOT_HOOK_MAX; h++)
				printf(" %14llu", (unsigned long long)cnt[h].c[i]);
			printf("\n");
		}
		nce = read_contained(&ce, now);
		print_contained(ce, nce, now);
		free(ce);
		print_store();
		return EXIT_OK;
	}

	jw_init(&w);
	jw_obj_open(&w);
	jw_kstr(&w, "pin_dir", g_opts.pin_dir);
	jw_kbool(&w, "attached", nk > 0);
	jw_key(&w, "interfaces");
	jw_arr_open(&w);
	for (int i = 0; i < nk; i++) {
		const struct iot_attach *a = &vals[i];
		bool here = keys[i].netns == netns;

		jw_obj_open(&w);
		jw_kstr(&w, "name", a->ifname);
		jw_ku64(&w, "ifindex", keys[i].ifindex);
		jw_ku64(&w, "netns", keys[i].netns);
		jw_kbool(&w, "this_netns", here);
		jw_kstr(&w, "xdp_mode", mode_names[a->xdp_mode % 3]);
		jw_ku64(&w, "xdp_prog_id", a->xdp_prog_id);
		jw_kbool(&w, "xdp_multiprog", a->xdp_multiprog);
		jw_ku64(&w, "tc_egress_prog_id", a->tc_eg_prog_id);
		jw_ku64(&w, "tc_ingress_prog_id", a->tc_in_prog_id);
		jw_kbool(&w, "clsact_created", a->clsact_created);
		jw_kbool(&w, "owner_daemon", a->owner_daemon);
		if (here) {
			jw_kbool(&w, "xdp_attached",
				 a->xdp_prog_id && xdp_still_attached(keys[i].ifindex, a->xdp_prog_id));
			jw_kbool(&w, "tc_egress_attached",
				 tc_still_attached(keys[i].ifindex, BPF_TC_EGRESS, a->tc_eg_prog_id));
		}
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	jw_key(&w, "flows");
	jw_i64(&w, nflows);
	jw_key(&w, "counters");
	jw_obj_open(&w);
	for (int h = 0; h < IOT_HOOK_MAX; h++) {
		jw_key(&w, hook_names[h]);
		jw_obj_open(&w);
		for (int i = 0; i < IOT_CNT_MAX; i++)
			jw_ku64(&w, iot_counter_names[i], cnt[h].c[i]);
		jw_obj_close(&w);
	}
	jw_obj_close(&w);
	nce = read_contained(&ce, now);
	json_contained(&w, ce, nce, now);
	free(ce);
	json_store(&w);
	jw_obj_close(&w);
	jw_end_line(&w);
	fputs(w.buf, stdout);
	jw_free(&w);
	return EXIT_OK;
}
