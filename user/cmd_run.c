// SPDX-License-Identifier: GPL-2.0-only
/*
 * `iotsense run`: the daemon. Attaches to the named interfaces (or adopts what `load` pinned), then one
 * fd-based loop: signalfd (SIGINT/SIGTERM stop, SIGHUP reloads the config), a timerfd that drains the ring
 * buffer and sweeps idle flows, and the ring buffer's own epoll fd for batched wakeups. On exit it detaches
 * only what it attached itself.
 *
 * Records go through a tee (record_tee.h): to the NDJSON output, and into the store (<state-dir>/iotsense.db)
 * in one transaction a second. Beside the loop run the local API (its own threads, its own read-only store
 * connections) and the output senders (one thread each, reading the store's outbox). The loop itself never
 * waits on a collector, and on the disk only once a second.
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "api/server.h"
#include "assess/alerts.h"
#include "cli.h"
#include "config.h"
#include "contain.h"
#include "ioc_kernel.h"
#include "flows.h"
#include "lib/log.h"
#include "loader.h"
#include "outputs/outputs.h"
#include "pipeline.h"
#include "privileges.h"
#include "record_tee.h"
#include "run_ifaces.h"
#include "sensor_health.h"
#include "store/store.h"

#define DRAIN_INTERVAL_MS 100

struct run_ctx {
	struct run_ifaces ifs;	      /* -i names and patterns; what is attached; the netlink watch */
	int sig_fd, timer_fd, ep_fd, events_fd, flows_fd, counters_fd;
	struct ring_buffer *rb;
	struct pipeline pl;
	struct inventory inv;
	struct contain_watch contain; /* contained/released/expired alerts */
	uint64_t snapshot_ns;	      /* device records of changed devices this often */
	uint64_t full_snapshot_ns;    /* every device's record this often */
	FILE *out;		      /* the NDJSON output (stdout, -o FILE), or NULL: the store and outputs only */
	struct iot_config cfg;
	struct store store;
	struct record_tee tee;	      /* where the pipeline writes: out + the store */
	struct api_server *api;
	struct outputs *outputs;
	int64_t settings_version;     /* operator knowledge as last loaded from the store */
	uint64_t outbox_dropped_told; /* outbox overflow already raised as an alert */
	struct sensor_health health;  /* ring-buffer losses, a full flow table: alerts about the sensor */
	struct jsonw jw;	      /* the daemon's own records (about itself) */
	const char *api_cli;	      /* --api, which wins over the config across reloads */
	bool snapshot_cli;	      /* --snapshot-interval given: reloads keep it */
};

#define RETENTION_INTERVAL_S 60

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/*
 * The sensor about itself, as an alert record: the outbox bound removed records an output had not sent. Raised
 * once per growth of the count; its uid is stable, so the store keeps one row whose count grows.
 */
static void alert_outbox_overflow(struct run_ctx *r)
{
	char desc[256];

	snprintf(desc, sizeof(desc),
		 "%llu records were removed from the output queue (outbox_max_records) before every output had "
		 "sent them: a collector is down or too slow",
		 (unsigned long long)r->store.outbox_dropped);
	sensor_alert_write(&r->jw, r->tee.f, "output_overflow", "Records lost: the output queue overflowed", desc,
			   "high", r->store.outbox_dropped, !r->outbox_dropped_told,
			   contain_now() + contain_mono_to_real());
	r->outbox_dropped_told = r->store.outbox_dropped;
}

/* Operator knowledge (names, criticality, tags) from the store into the inventory, when it changed. */
static void operator_from_store(struct run_ctx *r)
{
	int64_t v = store_settings_version(&r->store);
	struct store_device_settings *l;
	struct inv_operator *ops;
	int n;

	if (v < 0 || v == r->settings_version || store_get_settings(&r->store, &l, &n))
		return;
	ops = calloc(n + 1, sizeof(*ops));
	if (!ops) {
		store_free_settings(l, n);
		return;
	}
	for (int i = 0; i < n; i++) {
		snprintf(ops[i].id, sizeof(ops[i].id), "%s", l[i].id);
		snprintf(ops[i].name, sizeof(ops[i].name), "%s", l[i].name);
		snprintf(ops[i].criticality, sizeof(ops[i].criticality), "%s", l[i].criticality);
		ops[i].tags_json = l[i].tags_json; /* moved */
		l[i].tags_json = NULL;
	}
	store_free_settings(l, n);
	inv_set_operator(&r->inv, ops, n);
	r->settings_version = v;
}

/* What the tee holds goes into the store; the senders are told there is more. */
static void commit_records(struct run_ctx *r)
{
	if (record_tee_commit(&r->tee) > 0)
		outputs_kick(r->outputs);
}

/*
 * The IOC addresses of the alert engine into the kernel's map: new flows to or from them come flagged. User
 * space matches them too, so a failure here loses nothing but the flag.
 */
static void load_iocs_into_kernel(struct run_ctx *r)
{
	struct iot_addr *ips = calloc(IOT_IOC_MAX, sizeof(*ips));
	size_t n;
	int loaded;

	if (!ips)
		return;
	n = alerts_ioc_ips(r->pl.alerts, ips, IOT_IOC_MAX);
	loaded = ioc_kernel_sync(g_opts.pin_dir, ips, n);
	if (loaded < 0)
		pr_warn("loading %zu IOC addresses into the kernel failed (%s): matched in user space only\n", n,
			strerror(-loaded));
	else if (loaded)
		pr_info("%d IOC addresses flagged in the kernel\n", loaded);
	free(ips);
}

/* The devices contained now (the watch's view after its sweep) go into device records. */
static void contained_to_inventory(struct run_ctx *r)
{
	int64_t m2r = contain_mono_to_real();
	int n = r->contain.nseen;
	struct inv_contained *l = calloc(n + 1, sizeof(*l));

	if (!l)
		return;
	for (int i = 0; i < n; i++) {
		const struct contain_entry *e = &r->contain.seen[i];

		contain_key_id(&e->key, l[i].id, sizeof(l[i].id));
		l[i].since_ns = e->val.since_ns + m2r;
		l[i].until_ns = e->val.expires_ns ? e->val.expires_ns + m2r : 0;
		l[i].drops = e->val.drops;
	}
	inv_set_contained(&r->inv, l, n);
	free(l);
}

/* The containment table of the store mirrors the map (for hunt and the API). */
static void contained_to_store(struct run_ctx *r)
{
	if (store_put_containment(&r->store, r->inv.contained, r->inv.ncontained))
		pr_warn("%s: writing the containment table failed: %s\n", r->store.path, sqlite3_errmsg(r->store.db));
}

static void detach_ours(struct run_ctx *r)
{
	run_ifaces_stop(&r->ifs);
	contain_unpin_if_unused(g_opts.pin_dir);
	loader_cleanup_pins_if_unused(g_opts.pin_dir);
}

static int setup_loop(struct run_ctx *r)
{
	struct itimerspec its = {
		.it_interval = { .tv_nsec = DRAIN_INTERVAL_MS * 1000000 },
		.it_value = { .tv_nsec = DRAIN_INTERVAL_MS * 1000000 },
	};
	struct epoll_event ev = { .events = EPOLLIN };
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	r->sig_fd = signalfd(-1, &mask, SFD_CLOEXEC);
	r->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	r->ep_fd = epoll_create1(EPOLL_CLOEXEC);
	if (r->sig_fd < 0 || r->timer_fd < 0 || r->ep_fd < 0 || timerfd_settime(r->timer_fd, 0, &its, NULL)) {
		pr_err("setting up the event loop failed: %s\n", strerror(errno));
		return -1;
	}
	r->rb = ring_buffer__new(r->events_fd, pipeline_event, &r->pl, NULL);
	if (!r->rb) {
		pr_err("creating the ring buffer reader failed: %s\n", strerror(errno));
		return -1;
	}
	ev.data.fd = r->sig_fd;
	epoll_ctl(r->ep_fd, EPOLL_CTL_ADD, r->sig_fd, &ev);
	ev.data.fd = r->timer_fd;
	epoll_ctl(r->ep_fd, EPOLL_CTL_ADD, r->timer_fd, &ev);
	ev.data.fd = ring_buffer__epoll_fd(r->rb);
	epoll_ctl(r->ep_fd, EPOLL_CTL_ADD, ev.data.fd, &ev);
	if (r->ifs.nl_fd >= 0) {
		ev.data.fd = r->ifs.nl_fd;
		epoll_ctl(r->ep_fd, EPOLL_CTL_ADD, r->ifs.nl_fd, &ev);
	}
	return 0;
}

/* The port of an API address ("127.0.0.1:80", "[::1]:8080"), or 0. */
static unsigned long listen_port(const char *listen)
{
	const char *colon = listen ? strrchr(listen, ':') : NULL;

	return colon ? strtoul(colon + 1, NULL, 10) : 0;
}

/*
 * Least privilege once attached (privileges.h): CAP_BPF always; CAP_NET_ADMIN and CAP_PERFMON while the
 * netlink watch may attach more or there is something of ours to detach; CAP_SYS_ADMIN only for libxdp's
 * dispatcher; CAP_NET_BIND_SERVICE for an API below port 1024. Before the API's and outputs' threads exist.
 */
static int drop_privileges(struct run_ctx *r, const char *user)
{
	const char *listen = r->api_cli ? r->api_cli : r->cfg.api_listen[0] ? r->cfg.api_listen : API_LISTEN_DEFAULT;
	const char *dirs[] = { g_opts.state_dir, g_opts.pin_dir };
	bool watching = r->ifs.nl_fd >= 0;
	struct priv_needs needs = {
		.net_admin = watching || run_ifaces_any_ours(&r->ifs),
		.perfmon = watching,
		.sys_admin = run_ifaces_any_multiprog(&r->ifs),
		.bind_service = strcmp(listen, "off") && listen_port(listen) < 1024,
		.user = user,
		.chown_dirs = dirs,
		.nchown = 2,
	};
	uint64_t kept;
	char err[512], names[256];
	int fd;

	if (privileges_drop(&needs, &kept, err, sizeof(err))) {
		pr_err("%s\n", err);
		return -1;
	}
	pr_info("capabilities after attach: %s%s%s\n", privileges_names(kept, names, sizeof(names)),
		user ? "; running as " : "", user ? user : "");
	/* The pins must still be reachable (a user may not get through /sys/fs/bpf's permissions). */
	fd = loader_open_pinned(g_opts.pin_dir, "iot_counters");
	if (fd < 0) {
		pr_err("after dropping privileges the pins under %s cannot be opened (%s)%s\n", g_opts.pin_dir,
		       strerror(-fd), user ? ": the user needs search permission on every directory above them "
					     "(chmod o+x /sys/fs/bpf, or --pin-dir on a bpffs it can reach)" : "");
		return -1;
	}
	close(fd);
	return 0;
}

static void start_api(struct run_ctx *r, const char *listen);

/*
 * SIGHUP: the config file again. A file that does not load changes nothing (the error says where); a good one
 * applies the sensor's identity, the snapshot intervals, the store's limits, the outputs (senders restarted on
 * the new list; each keeps its place in the outbox by name) and the API. Interfaces and the state dir need a
 * restart, which is said.
 */
static void reload_config(struct run_ctx *r)
{
	struct iot_config nc;
	struct outputs *outs;
	char err[1024];

	if (!r->cfg.path[0]) {
		pr_warn("SIGHUP: started without a config file (-c): nothing to reload\n");
		return;
	}
	if (config_load(&nc, r->cfg.path, err, sizeof(err))) {
		pr_err("SIGHUP: %s: keeping the running config\n", err);
		config_free(&nc);
		return;
	}
	if (strcmp(nc.state_dir, r->cfg.state_dir)) {
		/* g_opts.state_dir may point into r->cfg: the running one stays until a restart. */
		pr_warn("SIGHUP: state_dir changed: restart iotsense to use it\n");
		snprintf(nc.state_dir, sizeof(nc.state_dir), "%s", r->cfg.state_dir);
	}
	for (int i = 0; i < nc.nifaces || i < r->cfg.nifaces; i++)
		if (i >= nc.nifaces || i >= r->cfg.nifaces || strcmp(nc.ifaces[i], r->cfg.ifaces[i])) {
			pr_warn("SIGHUP: interfaces changed: restart iotsense to follow them\n");
			break;
		}
	/* Old senders first (two senders of one output would send twice); each output keeps its place by name. */
	outputs_stop(r->outputs);
	outs = outputs_start(&nc, g_opts.state_dir, err, sizeof(err));
	if (!outs) {
		pr_err("SIGHUP: %s: keeping the running config\n", err);
		config_free(&nc);
		r->outputs = outputs_start(&r->cfg, g_opts.state_dir, err, sizeof(err));
		if (!r->outputs)
			pr_err("SIGHUP: the running outputs did not restart either: %s\n", err);
		return;
	}
	r->outputs = outs;
	api_stop(r->api);
	r->api = NULL;
	config_free(&r->cfg);
	r->cfg = nc; /* the identity and ifaces pointers below point into r->cfg from here on */
	r->store.id = (struct store_identity){ r->cfg.sensor, r->cfg.site, r->cfg.zone };
	r->store.limits.obs_max_age_s = r->cfg.obs_max_age_s;
	r->store.limits.obs_max_per_device = r->cfg.obs_max_per_device;
	r->store.limits.outbox_max_records = r->cfg.outbox_max_records;
	r->store.outbox = r->cfg.noutputs > 0;
	if (!r->snapshot_cli)
		r->snapshot_ns = r->cfg.snapshot_interval_s * 1000000000ull;
	r->full_snapshot_ns = r->cfg.full_snapshot_interval_s * 1000000000ull;
	start_api(r, r->api_cli);
	pr_info("SIGHUP: %s reloaded: sensor %s, site %s, %d output(s)\n", r->cfg.path, r->cfg.sensor, r->cfg.site,
		r->cfg.noutputs);
}

static int loop(struct run_ctx *r, uint64_t idle_ns, uint64_t duration_ns)
{
	uint64_t start = mono_ns(), last_sweep = start, last_devices = start, last_full = start, last_retention = 0;
	int rb_fd = ring_buffer__epoll_fd(r->rb);

	for (;;) {
		struct epoll_event evs[4];
		int n = epoll_wait(r->ep_fd, evs, 4, 1000);

		if (n < 0 && errno != EINTR) {
			pr_err("epoll_wait: %s\n", strerror(errno));
			return -1;
		}
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd == r->sig_fd) {
				struct signalfd_siginfo si;

				if (read(r->sig_fd, &si, sizeof(si)) == sizeof(si) && si.ssi_signo == SIGHUP) {
					commit_records(r); /* what is pending goes out under the config it was made under */
					reload_config(r);
					continue;
				}
				return 0;
			}
			if (fd == r->timer_fd) {
				uint64_t ticks;

				if (read(r->timer_fd, &ticks, sizeof(ticks)) < 0)
					continue;
			}
			if (fd == r->timer_fd || fd == rb_fd)
				ring_buffer__consume(r->rb);
			if (fd == r->ifs.nl_fd)
				run_ifaces_on_netlink(&r->ifs);
		}
		if (mono_ns() - last_sweep >= 1000000000ull) {
			last_sweep = mono_ns();
			flows_sweep(r->flows_fd, &r->pl, last_sweep, idle_ns, IOT_END_IDLE);
			contain_watch_sweep(&r->contain, g_opts.pin_dir, &r->pl);
			contained_to_inventory(r);
			operator_from_store(r);
			alerts_flush(r->pl.alerts, &r->pl.jw, r->tee.f, false);
			sensor_health_tick(&r->health, r->counters_fd, r->flows_fd, r->pl.st.flows_in_table, &r->jw,
					   r->tee.f, last_sweep, contain_now() + contain_mono_to_real());
			pipeline_sync_clock(&r->pl);
			if (last_sweep - last_full >= r->full_snapshot_ns) {
				/* Every device: a periodic full snapshot for the collectors. */
				inv_emit_devices(&r->inv, &r->pl.jw, r->tee.f, false);
				contained_to_store(r);
				last_full = last_devices = last_sweep;
			} else if (last_sweep - last_devices >= r->snapshot_ns) {
				/* Devices whose profile changed since the last snapshot. */
				inv_emit_devices(&r->inv, &r->pl.jw, r->tee.f, true);
				contained_to_store(r);
				last_devices = last_sweep;
			}
			commit_records(r);
			if (last_sweep - last_retention >= RETENTION_INTERVAL_S * 1000000000ull) {
				if (store_retention(&r->store, (contain_now() + contain_mono_to_real()) / 1000000000ull) < 0)
					pr_warn("%s: retention failed: %s\n", r->store.path, sqlite3_errmsg(r->store.db));
				last_retention = last_sweep;
			} else if (r->store.outbox && last_devices == last_sweep) {
				/* The outbox bound at each snapshot: a collector outage must not grow it for a minute. */
				store_outbox_bound(&r->store);
			}
			if (r->store.outbox_dropped > r->outbox_dropped_told) {
				alert_outbox_overflow(r);
				commit_records(r);
			}
		}
		if (duration_ns && mono_ns() - start >= duration_ns)
			return 0;
	}
}

/* The config: -c FILE, else the default file when it exists, else the defaults. Command-line flags win. */
static int load_config(struct run_ctx *r, const char *path)
{
	char err[1024];

	if (!path && access(CONFIG_DEFAULT_PATH, F_OK) == 0)
		path = CONFIG_DEFAULT_PATH;
	if (!path) {
		config_defaults(&r->cfg);
		return 0;
	}
	if (config_load(&r->cfg, path, err, sizeof(err))) {
		pr_err("%s\n", err);
		return -1;
	}
	return 0;
}

/* The local API: config or --api; "off" disables it. A port in use is a warning: sensing matters more. */
static void start_api(struct run_ctx *r, const char *listen)
{
	struct api_opts ao = {
		.state_dir = g_opts.state_dir,
		.pin_dir = g_opts.pin_dir,
		.sensor = r->cfg.sensor,
		.site = r->cfg.site,
		.zone = r->cfg.zone,
		.daemon_stats = &r->pl.st,
	};
	char token[512] = "", err[1024];

	if (!listen)
		listen = r->cfg.api_listen[0] ? r->cfg.api_listen : API_LISTEN_DEFAULT;
	if (!strcmp(listen, "off"))
		return;
	if ((r->cfg.api_token_file[0] || r->cfg.api_token_env[0]) &&
	    config_read_secret(r->cfg.api_token_file[0] ? r->cfg.api_token_file : NULL,
			       r->cfg.api_token_env[0] ? r->cfg.api_token_env : NULL, token, sizeof(token), err,
			       sizeof(err))) {
		pr_warn("API not started: %s\n", err);
		return;
	}
	ao.listen = listen;
	ao.token = token;
	r->api = api_start(&ao, err, sizeof(err));
	if (!r->api)
		pr_warn("API not started: %s\n", err);
	else
		pr_info("API and dashboard on http://%s/\n", listen);
	explicit_bzero(token, sizeof(token));
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "mode", required_argument, NULL, 'm' },
		{ "output", required_argument, NULL, 'o' },
		{ "idle-timeout", required_argument, NULL, 't' },
		{ "duration", required_argument, NULL, 'd' },
		{ "snippets", required_argument, NULL, 'n' },
		{ "snapshot-interval", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "api", required_argument, NULL, 'a' },
		{ "flows-max", required_argument, NULL, 'F' },
		{ "no-watch", no_argument, NULL, 'W' },
		{ "user", required_argument, NULL, 'U' },
		{ "keep-capabilities", no_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	enum attach_xdp_mode mode = ATTACH_MODE_AUTO;
	struct run_ctx r = { .sig_fd = -1, .timer_fd = -1, .ep_fd = -1, .events_fd = -1, .flows_fd = -1,
			     .counters_fd = -1, .settings_version = -1, .ifs.nl_fd = -1 };
	struct loader_opts lo;
	unsigned long idle_s = 120, duration_s = 0, snapshot_s = 0, v;
	const char *output = NULL, *config = NULL, *api = NULL, *user = NULL;
	bool tee_open = false, no_watch = false, keep_caps = false;
	char err[1024];
	sigset_t sigs;
	int c, ret = EXIT_ERR;

	loader_opts_default(&lo);
	while ((c = getopt_long(argc, argv, "i:m:o:t:d:n:s:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (run_ifaces_add(&r.ifs, optarg))
				return EXIT_USAGE;
			break;
		case 'F':
			if (!parse_uint("--flows-max", optarg, 1024, 1 << 24, &v))
				return EXIT_USAGE;
			lo.flows_max = v;
			break;
		case 'W':
			no_watch = true;
			break;
		case 'U':
			user = optarg;
			break;
		case 'K':
			keep_caps = true;
			break;
		case 'm':
			if (!parse_attach_mode(optarg, &mode)) {
				fprintf(stderr, "iotsense run: --mode is native, skb, tc or auto, not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'o':
			output = optarg;
			break;
		case 't':
			if (!parse_uint("--idle-timeout", optarg, 1, 86400, &idle_s))
				return EXIT_USAGE;
			break;
		case 'd':
			if (!parse_uint("--duration", optarg, 1, 31536000, &duration_s))
				return EXIT_USAGE;
			break;
		case 'n':
			if (!parse_uint("--snippets", optarg, 0, 255, &v))
				return EXIT_USAGE;
			lo.snippets_per_dir = v;
			break;
		case 's':
			if (!parse_uint("--snapshot-interval", optarg, 1, 86400, &snapshot_s))
				return EXIT_USAGE;
			break;
		case 'c':
			config = optarg;
			break;
		case 'a':
			api = optarg;
			break;
		case 'h':
			printf("Usage: iotsense run [-i IFACE|PATTERN]... [-c FILE] [--mode native|skb|tc|auto] [-o FILE|-]\n"
			       "                    [--api ADDR:PORT|off] [--idle-timeout SECONDS] [--duration SECONDS]\n"
			       "                    [--snapshot-interval SECONDS] [--flows-max N] [--no-watch]\n"
			       "                    [--user USER] [--keep-capabilities]\n"
			       "  Attaches (or adopts pinned programs) and senses. -i takes names and shell patterns\n"
			       "  ('lxc*', 'eth0.*'): interfaces that match and appear later are attached, those that go\n"
			       "  are forgotten (netlink), a name that comes back is attached again; --no-watch attaches\n"
			       "  once. --flows-max sizes the flow table when this run creates it (default 65536).\n"
			       "  After attaching it drops every capability it no longer needs (iotsense(8),\n"
			       "  CAPABILITIES); --user also switches to that user, --keep-capabilities keeps them all.\n"
			       "  Device profiles and alerts go into the\n"
			       "  store (<state-dir>/%s), to the outputs of the config (-c, default %s\n"
			       "  when it exists), and as NDJSON to stdout (or -o FILE) unless the config has outputs.\n"
			       "  The API and dashboard listen on %s unless --api or the config say otherwise.\n"
			       "  SIGINT/SIGTERM stop it and detach only what it attached.\n",
			       STORE_FILE_NAME, CONFIG_DEFAULT_PATH, API_LISTEN_DEFAULT);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "iotsense run: unexpected argument '%s' (interfaces go with -i)\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (load_config(&r, config))
		return EXIT_USAGE;
	for (int i = 0; !r.ifs.npats && i < r.cfg.nifaces; i++)
		if (run_ifaces_add(&r.ifs, r.cfg.ifaces[i])) {
			config_free(&r.cfg);
			return EXIT_USAGE;
		}
	if (!g_opts.state_dir_set && r.cfg.state_dir[0])
		g_opts.state_dir = r.cfg.state_dir;
	r.snapshot_ns = (uint64_t)(snapshot_s ? snapshot_s : r.cfg.snapshot_interval_s) * 1000000000ull;
	r.snapshot_cli = snapshot_s != 0;
	r.api_cli = api;
	r.full_snapshot_ns = (uint64_t)r.cfg.full_snapshot_interval_s * 1000000000ull;
	if (!r.ifs.npats) {
		fprintf(stderr, "iotsense run: needs at least one -i IFACE (or interfaces: in the config)\n");
		config_free(&r.cfg);
		return EXIT_USAGE;
	}
	if (!loader_have_privileges("run")) {
		config_free(&r.cfg);
		return EXIT_ERR;
	}
	/* Blocked before anything starts: a SIGTERM mid-attach waits for the loop, which then detaches cleanly; the
	 * API's and the senders' threads inherit the mask, so the signalfd gets every signal. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGPIPE);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	jw_init(&r.jw);
	inv_init(&r.inv);
	pipeline_init(&r.pl, NULL, false);
	if (output && strcmp(output, "-")) {
		r.out = fopen(output, "a");
		if (!r.out) {
			pr_err("cannot write %s: %s\n", output, strerror(errno));
			goto out;
		}
	} else if (output || !r.cfg.noutputs) {
		r.out = stdout;
	}
	if (store_open(&r.store, g_opts.state_dir, false, err, sizeof(err))) {
		pr_err("%s\n", err);
		goto out;
	}
	r.store.limits.obs_max_age_s = r.cfg.obs_max_age_s;
	r.store.limits.obs_max_per_device = r.cfg.obs_max_per_device;
	r.store.limits.outbox_max_records = r.cfg.outbox_max_records;
	r.store.id = (struct store_identity){ r.cfg.sensor, r.cfg.site, r.cfg.zone };
	r.store.outbox = r.cfg.noutputs > 0;
	if (record_tee_open(&r.tee, r.out, &r.store)) {
		pr_err("%s\n", strerror(errno));
		goto out;
	}
	tee_open = true;
	r.pl.out = r.tee.f;
	lo.pin_dir = g_opts.pin_dir;
	r.pl.inv = &r.inv;
	if (inv_load_knowledge(&r.inv, NULL, g_opts.state_dir)) {
		ret = EXIT_USAGE;
		goto out;
	}
	r.pl.alerts = alerts_new(NULL, g_opts.state_dir, err, sizeof(err));
	r.inv.alerts = r.pl.alerts;
	if (!r.pl.alerts) {
		pr_err("%s\n", err);
		ret = EXIT_USAGE;
		goto out;
	}
	operator_from_store(&r);
	r.ifs.mode = mode;
	r.ifs.lo = &lo;
	r.ifs.pin_dir = g_opts.pin_dir;
	if (run_ifaces_start(&r.ifs, no_watch))
		goto out;
	load_iocs_into_kernel(&r);
	r.events_fd = loader_open_pinned(g_opts.pin_dir, "iot_events");
	r.flows_fd = loader_open_pinned(g_opts.pin_dir, "iot_flows");
	r.counters_fd = loader_open_pinned(g_opts.pin_dir, "iot_counters");
	if (r.events_fd < 0 || r.flows_fd < 0) {
		pr_err("the pinned maps under %s cannot be opened: %s\n", g_opts.pin_dir,
		       strerror(-(r.events_fd < 0 ? r.events_fd : r.flows_fd)));
		goto out;
	}
	if (setup_loop(&r))
		goto out;
	if (!keep_caps && drop_privileges(&r, user))
		goto out;
	r.outputs = outputs_start(&r.cfg, g_opts.state_dir, err, sizeof(err));
	if (!r.outputs) {
		pr_err("%s\n", err);
		ret = EXIT_USAGE;
		goto out;
	}
	start_api(&r, api);
	pr_info("sensing on %d interface(s)%s; records go to %s, %d output(s) and %s\n", run_ifaces_count(&r.ifs),
		r.ifs.nl_fd >= 0 ? " and watching for more" : "",
		output ? output : r.out ? "stdout" : "no NDJSON stream", r.cfg.noutputs, r.store.path);
	/* The baseline of the sensor's own counters now, so losses in the loop's first second are raised too. */
	sensor_health_tick(&r.health, r.counters_fd, r.flows_fd, 0, &r.jw, r.tee.f, mono_ns(),
			   contain_now() + contain_mono_to_real());
	if (!loop(&r, (uint64_t)idle_s * 1000000000ull, (uint64_t)duration_s * 1000000000ull))
		ret = EXIT_OK;
	ring_buffer__consume(r.rb);
	alerts_flush(r.pl.alerts, &r.pl.jw, r.tee.f, true);
	inv_emit_devices(&r.inv, &r.pl.jw, r.tee.f, true);
	contained_to_store(&r);
	commit_records(&r);
out:
	/* One cleanup path, in reverse order of setup. */
	api_stop(r.api);
	outputs_stop(r.outputs); /* after the last commit: it sends what it can of it */
	ring_buffer__free(r.rb);
	if (r.ep_fd >= 0)
		close(r.ep_fd);
	if (r.timer_fd >= 0)
		close(r.timer_fd);
	if (r.sig_fd >= 0)
		close(r.sig_fd);
	if (r.events_fd >= 0)
		close(r.events_fd);
	if (r.flows_fd >= 0)
		close(r.flows_fd);
	if (r.counters_fd >= 0)
		close(r.counters_fd);
	contain_watch_free(&r.contain);
	detach_ours(&r);
	if (tee_open)
		record_tee_close(&r.tee);
	if (r.pl.st.write_errors) {
		pr_err("writing records failed %llu times\n", (unsigned long long)r.pl.st.write_errors);
		ret = EXIT_ERR;
	}
	if (r.tee.store_errors)
		pr_err("writing to the store failed %llu times\n", (unsigned long long)r.tee.store_errors);
	if (r.store.skipped)
		pr_warn("%llu records were refused by the store's tables and skipped\n",
			(unsigned long long)r.store.skipped);
	if (r.out && r.out != stdout)
		fclose(r.out);
	else if (r.out)
		fflush(r.out);
	store_close(&r.store);
	inv_free(&r.inv);
	alerts_free(r.pl.alerts);
	pipeline_free(&r.pl);
	jw_free(&r.jw);
	config_free(&r.cfg);
	return ret;
}
