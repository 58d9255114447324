// SPDX-License-Identifier: GPL-2.0-only
/*
 * `iotsense run`: the daemon. Attaches to the named interfaces (or adopts what `load` pinned), then one
 * fd-based loop: signalfd (SIGINT/SIGTERM stop, SIGHUP reserved for reloads), a timerfd that drains the ring
 * buffer and sweeps idle flows, and the ring buffer's own epoll fd for batched wakeups. On exit it detaches
 * only what it attached itself.
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

#include "assess/alerts.h"
#include "cli.h"
#include "contain.h"
#include "device_file.h"
#include "ioc_kernel.h"
#include "flows.h"
#include "lib/log.h"
#include "loader.h"
#include "pipeline.h"

#define MAX_IFACES 64
#define DRAIN_INTERVAL_MS 100



struct run_ctx {
	const char *ifnames[MAX_IFACES];
	uint32_t ifindexes[MAX_IFACES];
	bool attached_by_us[MAX_IFACES];
	int nifaces;
	int sig_fd, timer_fd, ep_fd, events_fd, flows_fd, counters_fd;
	struct ring_buffer *rb;
	struct pipeline pl;
	struct inventory inv;
	struct contain_watch contain; /* contained/released/expired alerts */
	uint64_t snapshot_ns;	      /* device records of changed devices, and the device file, this often */
	FILE *out;
};

#define DEVICE_SNAPSHOT_S_DEFAULT 30

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/*
 * The whole inventory, rewritten at each snapshot into <state-dir>/devices.ndjson for the read commands
 * (recommendations, vulns). Failing to write it is a warning: the records on the output are what counts.
 */
static void write_device_file(struct run_ctx *r)
{
	char path[4096], *buf = NULL;
	size_t len = 0;
	FILE *m;
	int err;

	if (mkdir(g_opts.state_dir, 0750) < 0 && errno != EEXIST) {
		pr_warn("%s: %s: the device file is not kept\n", g_opts.state_dir, strerror(errno));
		return;
	}
	m = open_memstream(&buf, &len);
	if (!m)
		return;
	inv_emit_devices(&r->inv, &r->pl.jw, m, false);
	if (fclose(m) == 0) {
		err = device_file_replace(device_file_path(g_opts.state_dir, path, sizeof(path)), buf, len);
		if (err)
			pr_warn("%s: %s\n", path, strerror(-err));
	}
	free(buf);
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

/* Attaches to each interface, or adopts it when `load` (or an earlier daemon) already did. */
static int attach_all(struct run_ctx *r, enum attach_xdp_mode mode, const struct loader_opts *lo)
{
	uint64_t netns = current_netns();
	int reg = registry_open(g_opts.pin_dir);

	for (int i = 0; i < r->nifaces; i++) {
		struct iot_attach_key key = { .netns = netns };
		struct iot_attach a;
		struct attach_result res;

		key.ifindex = if_nametoindex(r->ifnames[i]);
		if (!key.ifindex) {
			pr_err("no interface named '%s' in this network namespace (see 'ip link')\n", r->ifnames[i]);
			goto err;
		}
		r->ifindexes[i] = key.ifindex;
		if (reg >= 0 && !bpf_map_lookup_elem(reg, &key, &a)) {
			pr_info("%s: adopting the programs already attached (xdp prog %u)\n", r->ifnames[i],
				a.xdp_prog_id);
			continue;
		}
		if (attach_iface(g_opts.pin_dir, r->ifnames[i], mode, lo, true, &res))
			goto err;
		r->attached_by_us[i] = true;
		pr_info("%s: attached (xdp %s prog %u, tc egress prog %u)\n", r->ifnames[i],
			res.a.xdp_mode == IOT_XDP_SKB ? "skb" : res.a.xdp_mode ? "native" : "off", res.a.xdp_prog_id,
			res.a.tc_eg_prog_id);
		if (res.note[0])
			pr_warn("%s: %s\n", r->ifnames[i], res.note);
	}
	if (reg >= 0)
		close(reg);
	return 0;
err:
	if (reg >= 0)
		close(reg);
	return -1;
}

static void detach_ours(struct run_ctx *r)
{
	uint64_t netns = current_netns();

	for (int i = 0; i < r->nifaces; i++)
		if (r->attached_by_us[i])
			detach_iface(g_opts.pin_dir, netns, r->ifindexes[i]);
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
	return 0;
}

static int loop(struct run_ctx *r, uint64_t idle_ns, uint64_t duration_ns)
{
	uint64_t start = mono_ns(), last_sweep = start, last_devices = start;
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
					pr_info("SIGHUP: nothing to reload yet\n");
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
		}
		if (mono_ns() - last_sweep >= 1000000000ull) {
			last_sweep = mono_ns();
			flows_sweep(r->flows_fd, &r->pl, last_sweep, idle_ns, IOT_END_IDLE);
			contain_watch_sweep(&r->contain, g_opts.pin_dir, &r->pl);
			contained_to_inventory(r);
			alerts_flush(r->pl.alerts, &r->pl.jw, r->out, false);
			pipeline_sync_clock(&r->pl);
			if (last_sweep - last_devices >= r->snapshot_ns) {
				/* Devices whose profile changed since the last snapshot. */
				inv_emit_devices(&r->inv, &r->pl.jw, r->out, true);
				write_device_file(r);
				last_devices = last_sweep;
			}
			fflush(r->out);
		}
		if (duration_ns && mono_ns() - start >= duration_ns)
			return 0;
	}
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
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	enum attach_xdp_mode mode = ATTACH_MODE_AUTO;
	struct run_ctx r = { .sig_fd = -1, .timer_fd = -1, .ep_fd = -1, .events_fd = -1, .flows_fd = -1 };
	struct loader_opts lo;
	unsigned long idle_s = 120, duration_s = 0, snapshot_s = DEVICE_SNAPSHOT_S_DEFAULT, v;
	const char *output = NULL;
	sigset_t sigs;
	int c, ret = EXIT_ERR;

	loader_opts_default(&lo);
	r.out = stdout;
	while ((c = getopt_long(argc, argv, "i:m:o:t:d:n:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (r.nifaces == MAX_IFACES) {
				fprintf(stderr, "iotsense run: at most %d interfaces\n", MAX_IFACES);
				return EXIT_USAGE;
			}
			r.ifnames[r.nifaces++] = optarg;
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
		case 'h':
			printf("Usage: iotsense run -i IFACE... [--mode native|skb|tc|auto] [-o FILE]\n"
			       "                    [--idle-timeout SECONDS] [--duration SECONDS]\n"
			       "                    [--snapshot-interval SECONDS]   (device records; default %d)\n"
			       "  Attaches (or adopts pinned programs), writes NDJSON records to stdout or FILE.\n"
			       "  SIGINT/SIGTERM stop it and detach only what it attached.\n",
			       DEVICE_SNAPSHOT_S_DEFAULT);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	r.snapshot_ns = (uint64_t)snapshot_s * 1000000000ull;
	if (!r.nifaces || optind != argc) {
		fprintf(stderr, "iotsense run: needs at least one -i IFACE\n");
		return EXIT_USAGE;
	}
	if (!loader_have_privileges("run"))
		return EXIT_ERR;
	if (output) {
		r.out = fopen(output, "a");
		if (!r.out) {
			pr_err("cannot write %s: %s\n", output, strerror(errno));
			return EXIT_ERR;
		}
	}
	/* Blocked before attaching: a SIGTERM mid-attach waits for the loop, which then detaches cleanly. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	lo.pin_dir = g_opts.pin_dir;
	pipeline_init(&r.pl, r.out, false);
	inv_init(&r.inv);
	r.pl.inv = &r.inv;
	if (inv_load_knowledge(&r.inv, NULL, g_opts.state_dir)) {
		ret = EXIT_USAGE;
		goto out;
	}
	{
		char aerr[1024];

		r.pl.alerts = alerts_new(NULL, g_opts.state_dir, aerr, sizeof(aerr));
		r.inv.alerts = r.pl.alerts;
		if (!r.pl.alerts) {
			pr_err("%s\n", aerr);
			ret = EXIT_USAGE;
			goto out;
		}
	}
	if (attach_all(&r, mode, &lo))
		goto out;
	load_iocs_into_kernel(&r);
	r.events_fd = loader_open_pinned(g_opts.pin_dir, "iot_events");
	r.flows_fd = loader_open_pinned(g_opts.pin_dir, "iot_flows");
	if (r.events_fd < 0 || r.flows_fd < 0) {
		pr_err("the pinned maps under %s cannot be opened: %s\n", g_opts.pin_dir,
		       strerror(-(r.events_fd < 0 ? r.events_fd : r.flows_fd)));
		goto out;
	}
	if (setup_loop(&r))
		goto out;
	pr_info("sensing on %d interface(s); records go to %s\n", r.nifaces, output ? output : "stdout");
	if (!loop(&r, (uint64_t)idle_s * 1000000000ull, (uint64_t)duration_s * 1000000000ull))
		ret = EXIT_OK;
	ring_buffer__consume(r.rb);
	alerts_flush(r.pl.alerts, &r.pl.jw, r.out, true);
	inv_emit_devices(&r.inv, &r.pl.jw, r.out, true);
	write_device_file(&r);
out:
	/* One cleanup path, in reverse order of setup. */
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
	contain_watch_free(&r.contain);
	detach_ours(&r);
	fflush(r.out);
	if (r.pl.st.write_errors) {
		pr_err("writing records failed %llu times\n", (unsigned long long)r.pl.st.write_errors);
		ret = EXIT_ERR;
	}
	if (output)
		fclose(r.out);
	inv_free(&r.inv);
	alerts_free(r.pl.alerts);
	pipeline_free(&r.pl);
	return ret;
}
