// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench/live: how many packets per second an XDP program on a veth keeps up with, the sensor against programs
 * that only count, in alternating windows of one run.
 *
 * A veth pair joins two network namespaces. In the generator's, bench/trafficgen.bpf.c runs under
 * BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES: its XDP_TX sends every frame out of the veth, in-kernel,
 * with no socket or skb on the way. On the receiving end one of three XDP programs runs per window:
 *   pass  bench/xdp_count.bpf.c's xdp_count_pass: counts, XDP_PASS (the same verdict as the sensor's)
 *   iot   iotsense itself, attached with `iotsense load --mode native` and a private pin dir
 *   drop  xdp_count_drop: counts, XDP_DROP (the ceiling of XDP on this veth)
 * The frames are addressed to another host's MAC, so what is passed dies early in the stack, as mirrored
 * traffic does on a SPAN port.
 *
 * By default generator and receiver share one CPU: after each batch of 64 frames the veth's NAPI runs in
 * softirq on the same CPU, so pps is what one CPU generates and receives, frames recycle locally, and the
 * receiver's cost adds up linearly. With threaded NAPI (bench/run's LIVE_SPLIT=1) the receiver's thread is
 * pinned to --napi-cpu: the receiver alone sets the rate, but cross-CPU page recycling and wakeups then
 * amplify the receiver's per-packet cost in a virtual machine. The offered rate is reported too: where it is
 * well above the kept rate, the excess was dropped at the veth's ring.
 *
 * Output: one tab-separated line per window on stdout; iotsense's `status --json` after each of its windows
 * is kept in the output directory, its counters repeated in the line so event loss is accounted.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "iotsense_abi.h"
#include "lib/log.h"
#include "loader.h"

#define MAX_REPS 20
#define CHUNK (1u << 18)	/* frames per BPF_PROG_TEST_RUN call: tens of ms at the rates seen here */
#define CMD_TIMEOUT_S 60	/* an iotsense command that takes longer has hung */

enum kind { K_PASS, K_IOT, K_DROP };
static const char *const kind_names[] = { "pass", "iot", "drop" };

static const char *gen_ns, *sink_ns, *gen_if = "vb0", *sink_if = "vb1", *objdir, *iotsense, *pin_dir,
		  *outdir = ".", *kinds = "pid";
static unsigned int gen_flows = 1, reps = 4, seconds = 3;
static int gen_cpu = 0, napi_cpu = 1, gen_nsfd = -1, sink_nsfd = -1;
static volatile sig_atomic_t stop;
/* What is attached to the receiving veth right now, for the exit handler. */
static int attached = -1, sink_ifindex;

static void die(const char *what)
{
	fprintf(stderr, "live: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int iot_cmd(const char *verb, const char *out);

/* Leaves the receiving veth as it found it, also after die(). */
static void cleanup(void)
{
	int k = attached;

	attached = -1;
	if (k < 0 || sink_nsfd < 0 || setns(sink_nsfd, CLONE_NEWNET))
		return;
	if (k == K_IOT)
		iot_cmd("unload", NULL);
	else
		bpf_xdp_detach(sink_ifindex, XDP_FLAGS_DRV_MODE, NULL);
}

static void on_signal(int sig)
{
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int open_ns(const char *name)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(path);
	return fd;
}

static void enter(int nsfd)
{
	if (setns(nsfd, CLONE_NEWNET))
		die("setns");
}

static uint64_t percpu_sum(int map_fd)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t v[1024], sum = 0;
	__u32 zero = 0;

	if (ncpu <= 0 || ncpu > 1024 || bpf_map_lookup_elem(map_fd, &zero, v))
		die("reading a per-CPU counter");
	for (int i = 0; i < ncpu; i++)
		sum += v[i];
	return sum;
}

/* Runs argv (in the current network namespace), stdout to out (else nowhere); bounded in time. */
static int run_cmd(char *const argv[], const char *out)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		char log[4096];
		int fd = open(out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			close(fd);
		}
		/* libbpf's and libxdp's notes go to a log next to the JSON, not into the bench's output. */
		snprintf(log, sizeof(log), "%s/iotsense.log", outdir);
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, 2);
			close(fd);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	for (int i = 0; i < CMD_TIMEOUT_S * 10; i++) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		usleep(100000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	fprintf(stderr, "live: %s %s timed out\n", argv[0], argv[3]);
	return -1;
}

static int iot_cmd(const char *verb, const char *out)
{
	char *argv[] = { (char *)iotsense, "--pin-dir", (char *)pin_dir, (char *)verb, NULL, NULL, NULL, NULL,
			 NULL };

	if (!strcmp(verb, "load")) {
		argv[4] = "-i";
		argv[5] = (char *)sink_if;
		argv[6] = "--mode";
		argv[7] = "native";
	} else if (!strcmp(verb, "unload")) {
		argv[4] = "-i";
		argv[5] = (char *)sink_if;
	} else {
		argv[4] = "--json";
	}
	return run_cmd(argv, out);
}

/*
 * The veth's NAPI thread (threaded NAPI, set up by bench/run) goes to napi_cpu, away from the generator, at
 * SCHED_FIFO priority 1. Kernel threads are named napi/<ifname>-<napi id>. Returns how many it pinned.
 */
static int pin_napi(void)
{
	char want[64], path[300], comm[64];
	DIR *d = opendir("/proc");
	/*
	 * Real-time, as softirq NAPI would be: on a busy machine a CFS thread gets a share of its CPU, and the
	 * windows would measure the other tenants rather than the XDP programs.
	 */
	struct sched_param rt = { .sched_priority = 1 };
	struct dirent *e;
	cpu_set_t set;
	int n = 0, scanned = 0;

	if (!d)
		return 0;
	snprintf(want, sizeof(want), "napi/%s-", sink_if);
	CPU_ZERO(&set);
	CPU_SET(napi_cpu, &set);
	while ((e = readdir(d)) && scanned++ < 100000) {
		FILE *fp;
		pid_t pid = atoi(e->d_name);

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		fp = fopen(path, "r");
		if (!fp)
			continue;
		if (fgets(comm, sizeof(comm), fp) && !strncmp(comm, want, strlen(want)) &&
		    !sched_setaffinity(pid, sizeof(set), &set) && !sched_setscheduler(pid, SCHED_FIFO, &rt))
			n++;
		fclose(fp);
	}
	closedir(d);
	return n;
}

/* Reads "name":N from the object that follows "key":{ in a compact JSON text; 0 when absent. */
static unsigned long long json_u64(const char *text, const char *obj, const char *name)
{
	char pat[128];
	const char *o, *end, *p;

	snprintf(pat, sizeof(pat), "\"%s\":{", obj);
	o = strstr(text, pat);
	if (!o)
		return 0;
	end = strchr(o, '}');
	snprintf(pat, sizeof(pat), "\"%s\":", name);
	p = strstr(o, pat);
	if (!p || (end && p > end))
		return 0;
	return strtoull(p + strlen(pat), NULL, 10);
}

struct iot_status {
	unsigned long long packets, events, rb_drops, flows_created, create_fail, wakeups, snippets;
};

static void read_status(const char *path, struct iot_status *s)
{
	static char buf[1 << 16];
	FILE *fp = fopen(path, "r");
	size_t n = 0;

	memset(s, 0, sizeof(*s));
	if (!fp)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = 0;
	s->packets = json_u64(buf, "xdp", "packets");
	s->events = json_u64(buf, "xdp", "events");
	s->rb_drops = json_u64(buf, "xdp", "ringbuf_drops");
	s->flows_created = json_u64(buf, "xdp", "flows_created");
	s->create_fail = json_u64(buf, "xdp", "flow_create_failures");
	s->wakeups = json_u64(buf, "xdp", "consumer_wakeups");
	s->snippets = json_u64(buf, "xdp", "snippets");
}

static uint64_t iot_xdp_packets(void)
{
	char path[512];
	struct iot_counters c;
	int fd;

	snprintf(path, sizeof(path), "%s/iot_counters", pin_dir);
	fd = bpf_obj_get(path);
	if (fd < 0)
		die(path);
	if (counters_read(fd, IOT_HOOK_XDP, &c))
		die("reading iotsense's counters");
	close(fd);
	return c.c[IOT_CNT_PACKETS];
}

/* The template frame: 60 bytes, UDP to CoAP's port (not a discovery port), to a MAC that is not the veth's. */
static void build_frame(uint8_t *f, size_t *n)
{
	static const uint8_t hdr[] = {
		0x02, 0, 0, 0, 0, 0x0b, 0x02, 0, 0, 0, 0, 0x0a, 0x08, 0x00,	/* Ethernet */
		0x45, 0, 0, 46, 0, 1, 0, 0, 64, 17, 0, 0,			/* IPv4, 46 bytes, UDP */
		198, 18, 0, 1, 198, 19, 0, 2,					/* 198.18.0.1 -> 198.19.0.2 */
		0xc0, 0x00, 0x16, 0x33, 0, 26, 0, 0,				/* UDP 49152 -> 5683 */
	};

	memset(f, 'x', 60);
	memcpy(f, hdr, sizeof(hdr));
	*n = 60;
}

/*
 * Sends frames out of the generator's veth for `secs` seconds, at SCHED_FIFO priority 1 like the receiver's NAPI thread: a generator that
 * gets a CFS share of a busy CPU sends in bursts, and the receiver then idles between them. The kernel's RT
 * throttling (95% by default) still leaves the other tenants a slice of each CPU.
 */
static void generate(int prog_fd, int ifindex, double secs)
{
	struct sched_param rt = { .sched_priority = 1 }, normal = { .sched_priority = 0 };
	struct xdp_md md = { .ingress_ifindex = ifindex };
	uint8_t frame[64];
	size_t n;
	double end = now_s() + secs;

	build_frame(frame, &n);
	md.data_end = n; /* the kernel checks the context's data_end against the frame's size */
	if (sched_setscheduler(0, SCHED_FIFO, &rt))
		die("SCHED_FIFO");
	for (int i = 0; i < 100000 && now_s() < end && !stop; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = n, .ctx_in = &md,
			    .ctx_size_in = sizeof(md), .repeat = CHUNK, .flags = BPF_F_TEST_XDP_LIVE_FRAMES,
			    .batch_size = 64);

		if (bpf_prog_test_run_opts(prog_fd, &o))
			die("BPF_PROG_TEST_RUN (live frames)");
	}
	sched_setscheduler(0, SCHED_OTHER, &normal);
}

static struct bpf_object *open_obj(const char *name, unsigned int flows)
{
	char path[4096];
	struct bpf_object *obj;

	snprintf(path, sizeof(path), "%s/%s", objdir, name);
	obj = bpf_object__open_file(path, NULL);
	if (!obj)
		die(path);
	if (flows != ~0u) {
		struct bpf_map *ro = bpf_object__find_map_by_name(obj, ".rodata");

		if (!ro || bpf_map__set_initial_value(ro, &flows, sizeof(flows)))
			die("setting gen_flows");
	}
	if (bpf_object__load(obj))
		die(path);
	return obj;
}

static int prog_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(obj, name);

	if (!p)
		die(name);
	return bpf_program__fd(p);
}

static void usage(void)
{
	fprintf(stderr, "Usage: live --gen-ns NS --sink-ns NS -o BENCH_OBJ_DIR -i IOTSENSE -P PIN_DIR [-f FLOWS]\n"
			"            [-r REPS] [-t SECONDS] [-k KINDS(p,i,d)] [--gen-if IF] [--sink-if IF]\n"
			"            [--gen-cpu N] [--napi-cpu N] [-O OUTDIR]\n"
			"  FLOWS 0: a new flow on every frame\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "gen-ns", required_argument, NULL, 'G' },
		{ "sink-ns", required_argument, NULL, 'S' },
		{ "gen-if", required_argument, NULL, 'g' },
		{ "sink-if", required_argument, NULL, 's' },
		{ "gen-cpu", required_argument, NULL, 'c' },
		{ "napi-cpu", required_argument, NULL, 'n' },
		{ "objdir", required_argument, NULL, 'o' },
		{ "iotsense", required_argument, NULL, 'i' },
		{ "pin-dir", required_argument, NULL, 'P' },
		{ "flows", required_argument, NULL, 'f' },
		{ "reps", required_argument, NULL, 'r' },
		{ "seconds", required_argument, NULL, 't' },
		{ "kinds", required_argument, NULL, 'k' },
		{ "outdir", required_argument, NULL, 'O' },
		{},
	};
	struct bpf_object *gen_obj, *cnt_obj;
	int c, gen_fd, gen_ctr_fd, cnt_fd, pass_fd, drop_fd, gen_ifindex, nkinds;
	cpu_set_t set;

	while ((c = getopt_long(argc, argv, "G:S:g:s:c:n:o:i:P:f:r:t:k:O:", opts, NULL)) != -1) {
		switch (c) {
		case 'G':
			gen_ns = optarg;
			break;
		case 'S':
			sink_ns = optarg;
			break;
		case 'g':
			gen_if = optarg;
			break;
		case 's':
			sink_if = optarg;
			break;
		case 'c':
			gen_cpu = atoi(optarg);
			break;
		case 'n':
			napi_cpu = atoi(optarg);
			break;
		case 'o':
			objdir = optarg;
			break;
		case 'i':
			iotsense = optarg;
			break;
		case 'P':
			pin_dir = optarg;
			break;
		case 'f':
			gen_flows = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			reps = strtoul(optarg, NULL, 0);
			break;
		case 't':
			seconds = strtoul(optarg, NULL, 0);
			break;
		case 'k':
			kinds = optarg;
			break;
		case 'O':
			outdir = optarg;
			break;
		default:
			usage();
		}
	}
	nkinds = strlen(kinds);
	if (!gen_ns || !sink_ns || !objdir || !iotsense || !pin_dir || !reps || reps > MAX_REPS || !seconds ||
	    seconds > 60 || !nkinds || nkinds > 3 || strspn(kinds, "pid") != (size_t)nkinds)
		usage();
	log_init(LOG_WARN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	atexit(cleanup);

	CPU_ZERO(&set);
	CPU_SET(gen_cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");
	gen_nsfd = open_ns(gen_ns);
	sink_nsfd = open_ns(sink_ns);

	gen_obj = open_obj("trafficgen.bpf.o", gen_flows);
	gen_fd = prog_fd(gen_obj, "trafficgen");
	gen_ctr_fd = bpf_object__find_map_fd_by_name(gen_obj, "gen_ctr");
	cnt_obj = open_obj("xdp_count.bpf.o", ~0u);
	pass_fd = prog_fd(cnt_obj, "xdp_count_pass");
	drop_fd = prog_fd(cnt_obj, "xdp_count_drop");
	cnt_fd = bpf_object__find_map_fd_by_name(cnt_obj, "count_pkts");

	enter(gen_nsfd);
	gen_ifindex = if_nametoindex(gen_if);
	enter(sink_nsfd);
	sink_ifindex = if_nametoindex(sink_if);
	if (!gen_ifindex || !sink_ifindex)
		die("the veth pair");

	/* flows rep kind pps offered_pps secs rx_pkts gen_frames | iot: packets events rb_drops flows fail wakeups */
	printf("# flows\trep\tkind\tpps\toffered_pps\tseconds\trx_packets\tgen_frames\tiot_packets\tevents\t"
	       "ringbuf_drops\tflows_created\tflow_create_failures\tconsumer_wakeups\tsnippets\tnapi_threads\n");
	for (unsigned int r = 0; r < reps && !stop; r++) {
		for (int k = 0; k < nkinds && !stop; k++) {
			/* Rotate the order each repetition so no kind always follows the same one. */
			char ch = kinds[(k + r) % nkinds];
			enum kind kind = ch == 'p' ? K_PASS : ch == 'i' ? K_IOT : K_DROP;
			struct iot_status st = {};
			uint64_t rx0, rx1, g0, g1;
			char json[512];
			double t0, t1;
			int napi;

			enter(sink_nsfd);
			if (kind == K_IOT) {
				if (iot_cmd("load", NULL))
					die("iotsense load");
			} else if (bpf_xdp_attach(sink_ifindex, kind == K_PASS ? pass_fd : drop_fd,
						  XDP_FLAGS_DRV_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL)) {
				die("attaching the counting program");
			}
			attached = kind;
			napi = pin_napi();
			usleep(200000); /* let the attach settle (ND/MLD chatter, first NAPI runs) */
			rx0 = kind == K_IOT ? iot_xdp_packets() : percpu_sum(cnt_fd);
			g0 = percpu_sum(gen_ctr_fd);
			enter(gen_nsfd);
			t0 = now_s();
			generate(gen_fd, gen_ifindex, seconds);
			t1 = now_s();
			enter(sink_nsfd);
			usleep(20000); /* the veth ring (256 frames) drains */
			rx1 = kind == K_IOT ? iot_xdp_packets() : percpu_sum(cnt_fd);
			g1 = percpu_sum(gen_ctr_fd);
			if (kind == K_IOT) {
				snprintf(json, sizeof(json), "%s/live-f%u-r%u.json", outdir, gen_flows, r);
				if (iot_cmd("status", json))
					fprintf(stderr, "live: iotsense status failed\n");
				read_status(json, &st);
				attached = -1;
				if (iot_cmd("unload", NULL))
					die("iotsense unload");
			} else if (bpf_xdp_detach(sink_ifindex, XDP_FLAGS_DRV_MODE, NULL)) {
				die("detaching the counting program");
			}
			attached = -1;
			printf("%u\t%u\t%s\t%.0f\t%.0f\t%.3f\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%d\n",
			       gen_flows, r, kind_names[kind], (rx1 - rx0) / (t1 - t0), (g1 - g0) / (t1 - t0),
			       t1 - t0, (unsigned long long)(rx1 - rx0), (unsigned long long)(g1 - g0), st.packets,
			       st.events, st.rb_drops, st.flows_created, st.create_fail, st.wakeups, st.snippets,
			       napi);
			fflush(stdout);
			fprintf(stderr, "live: flows %u rep %u %-4s %.2f Mpps\n", gen_flows, r, kind_names[kind],
				(rx1 - rx0) / (t1 - t0) / 1e6);
		}
	}
	bpf_object__close(cnt_obj);
	bpf_object__close(gen_obj);
	return stop ? 1 : 0;
}
