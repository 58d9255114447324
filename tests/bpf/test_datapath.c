// SPDX-License-Identifier: GPL-2.0-only
/*
 * The datapath in the kernel: crafted frames through the real XDP and TC programs (BPF_PROG_TEST_RUN), then the
 * counters and ring-buffer records they produced are checked. One test per parser path.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "iotsense_abi.h"
#include "iotsense.skel.h"
#include "lib/log.h"
#include "loader.h"
#include "testlib.h"
#include "bpf_state.h"

#define XDP_PASS 2
#define TC_ACT_UNSPEC (-1)

/* ---- a tiny frame builder ---- */
struct frame {
	uint8_t b[2048];
	size_t n;
};

static void put(struct frame *f, const void *p, size_t n)
{
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void put8(struct frame *f, uint8_t v) { put(f, &v, 1); }
static void put16(struct frame *f, uint16_t v) { v = htons(v); put(f, &v, 2); }
static void put32(struct frame *f, uint32_t v) { v = htonl(v); put(f, &v, 4); }

static const uint8_t MAC_A[6] = { 0x02, 0, 0, 0, 0, 0xa };
static const uint8_t MAC_B[6] = { 0x02, 0, 0, 0, 0, 0xb };

static void eth(struct frame *f, uint16_t proto)
{
	f->n = 0;
	put(f, MAC_B, 6);
	put(f, MAC_A, 6);
	put16(f, proto);
}

static void vlan(struct frame *f, uint16_t id, uint16_t proto)
{
	put16(f, id);
	put16(f, proto);
}

/* IPv4 198.18.0.src -> 198.18.0.dst with opt_words of NOP options; tot_len fixed up by ip4_done(). */
static size_t ip4(struct frame *f, uint8_t src, uint8_t dst, uint8_t proto, int opt_words, uint16_t frag)
{
	size_t at = f->n;

	put8(f, 0x45 + opt_words);
	put8(f, 0);
	put16(f, 0);
	put16(f, 1);
	put16(f, frag);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	put32(f, 0xc6120000 | src);
	put32(f, 0xc6120000 | dst);
	for (int i = 0; i < opt_words * 4; i++)
		put8(f, 1);
	return at;
}

static void ip4_done(struct frame *f, size_t at)
{
	uint16_t len = htons((uint16_t)(f->n - at));

	memcpy(f->b + at + 2, &len, 2);
}

static size_t ip6(struct frame *f, uint8_t src, uint8_t dst, uint8_t next)
{
	size_t at = f->n;
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8 };

	put32(f, 0x60000000);
	put16(f, 0);
	put8(f, next);
	put8(f, 64);
	a[15] = src;
	put(f, a, 16);
	a[15] = dst;
	put(f, a, 16);
	return at;
}

static void ip6_done(struct frame *f, size_t at)
{
	uint16_t len = htons((uint16_t)(f->n - at - 40));

	memcpy(f->b + at + 4, &len, 2);
}

static void tcp(struct frame *f, uint16_t sport, uint16_t dport, uint8_t flags, int opt_words)
{
	put16(f, sport);
	put16(f, dport);
	put32(f, 1);
	put32(f, 0);
	put8(f, (5 + opt_words) << 4);
	put8(f, flags);
	put16(f, 65535);
	put32(f, 0);
	for (int i = 0; i < opt_words; i++) {
		put8(f, 2); /* MSS */
		put8(f, 4);
		put16(f, 1460);
	}
}

static void udp(struct frame *f, uint16_t sport, uint16_t dport, size_t payload)
{
	put16(f, sport);
	put16(f, dport);
	put16(f, 8 + payload);
	put16(f, 0);
}

/* ---- the object under test and what it emitted ---- */
static struct iotsense_bpf *skel;
static struct ring_buffer *rb;

#define MAX_EVENTS 64
static struct {
	uint8_t rec[sizeof(struct iot_ev_snippet)];
	size_t len;
} events[MAX_EVENTS];
static int nevents;

static int collect(void *ctx, void *data, size_t len)
{
	(void)ctx;
	if (nevents < MAX_EVENTS && len <= sizeof(events[0].rec)) {
		memcpy(events[nevents].rec, data, len);
		events[nevents].len = len;
		nevents++;
	}
	return 0;
}

static const struct iot_ev_hdr *ev(int i)
{
	return (const struct iot_ev_hdr *)events[i].rec;
}

static int count_type(uint8_t type, uint8_t reason)
{
	int n = 0;

	for (int i = 0; i < nevents; i++) {
		if (ev(i)->type != type)
			continue;
		if (type == IOT_EV_SNIPPET && reason && ((const struct iot_ev_snippet *)ev(i))->reason != reason)
			continue;
		n++;
	}
	return n;
}

static const struct iot_ev_snippet *find_snippet(uint8_t reason, int nth)
{
	for (int i = 0; i < nevents; i++) {
		const struct iot_ev_snippet *s = (const void *)ev(i);

		if (s->hdr.type == IOT_EV_SNIPPET && s->reason == reason && nth-- == 0)
			return s;
	}
	return NULL;
}

static struct iot_counters cnt[IOT_HOOK_MAX];

/* Fresh state for each test: empty flow tables, full budgets, zero counters, no records. */
static void reset(void)
{
	ring_buffer__consume(rb);
	bpf_state_clear(skel);
	nevents = 0;
	memset(cnt, 0, sizeof(cnt));
}

static int run_prog(struct bpf_program *prog, struct frame *f)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->b, .data_size_in = (__u32)f->n);
	int err;

	skel->bss->replay_now_ns += 1000;
	err = bpf_prog_test_run_opts(bpf_program__fd(prog), &o);
	if (err)
		printf("  test run failed: %s\n", strerror(errno));
	ring_buffer__consume(rb);
	for (int h = 0; h < IOT_HOOK_MAX; h++)
		bpf_state_counters(skel, h, &cnt[h]);
	return err ? -1000 : (int)o.retval;
}

static int run_xdp(struct frame *f)
{
	return run_prog(skel->progs.iot_xdp, f);
}

#define X(counter) (cnt[IOT_HOOK_XDP].c[counter])

/* ---- tests ---- */

TEST(tcp_handshake_and_payload)
{
	struct frame f;
	const struct iot_ev_snippet *s;
	size_t ip;

	reset();
	eth(&f, 0x0800);
	ip = ip4(&f, 1, 2, 6, 0, 0);
	tcp(&f, 40000, 80, 0x02, 1);
	ip4_done(&f, ip);
	CHECK_EQ_INT(run_xdp(&f), XDP_PASS);
	eth(&f, 0x0800);
	ip = ip4(&f, 2, 1, 6, 0, 0);
	tcp(&f, 80, 40000, 0x12, 1);
	ip4_done(&f, ip);
	CHECK_EQ_INT(run_xdp(&f), XDP_PASS);
	eth(&f, 0x0800);
	ip = ip4(&f, 1, 2, 6, 0, 0);
	tcp(&f, 40000, 80, 0x18, 0);
	put(&f, "GET / HTTP/1.0\r\n\r\n", 18);
	ip4_done(&f, ip);
	CHECK_EQ_INT(run_xdp(&f), XDP_PASS);

	CHECK_EQ_INT(X(IOT_CNT_PACKETS), 3);
	CHECK_EQ_INT(X(IOT_CNT_TCP), 3);
	CHECK_EQ_INT(X(IOT_CNT_FLOWS_CREATED), 1);
	CHECK_EQ_INT(count_type(IOT_EV_FLOW_START, 0), 1);
	CHECK_EQ_INT(count_type(IOT_EV_SNIPPET, IOT_SNIP_SYN), 2);
	s = find_snippet(IOT_SNIP_FLOW, 0);
	CHECK(s != NULL);
	if (s) {
		CHECK_EQ_INT(s->cap_len - s->payload_off, 18);
		CHECK(memcmp(s->data + s->payload_off, "GET / HTTP/1.0", 14) == 0);
		CHECK_EQ_INT(s->from_initiator, 1);
		CHECK_EQ_INT(s->l4_off, 20);
		CHECK_EQ_INT(s->eth_proto, 0x0800);
	}
	/* The SYN-ACK came from the responder. */
	s = find_snippet(IOT_SNIP_SYN, 1);
	CHECK(s && s->from_initiator == 0);
}

TEST(ipv4_options_and_tcp_options_move_the_payload)
{
	struct frame f;
	const struct iot_ev_snippet *s;
	size_t ip;

	reset();
	eth(&f, 0x0800);
	ip = ip4(&f, 1, 2, 6, 2, 0); /* IHL 7 */
	tcp(&f, 40000, 23, 0x18, 3); /* doff 8 */
	put(&f, "login:", 6);
	ip4_done(&f, ip);
	CHECK_EQ_INT(run_xdp(&f), XDP_PASS);
	s = find_snippet(IOT_SNIP_FLOW, 0);
	CHECK(s != NULL);
	if (s) {
		CHECK_EQ_INT(s->l4_off, 28);
		CHECK_EQ_INT(s->payload_off, 28 + 32);
		CHECK(memcmp(s->data + s->payload_off, "login:", 6) == 0);
	}
}

TEST(vlan_and_qinq)
{
	struct frame f;
	const struct iot_ev_snippet *s;
	size_t ip;

	reset();
	eth(&f, 0x8100);
	vlan(&f, 100, 0x0800);
	ip = ip4(&f, 1, 2, 17, 0, 0);
	udp(&f, 5000, 6000, 4);
	put(&f, "ping", 4);
	ip4_done(&f, ip);
	CHECK_EQ_INT(run_xdp(&f), XDP_PASS);
	eth(&f, 0x88a8);
	vlan(&f, 200, 0x8100);
	vlan(&f, 300, 0x0800);
	ip = ip4(&f, 1, 2, 17, 0, 0);
	udp(&f, 5000, 6000, 4);
	put(&f, "pong", 4);
	ip4_done(&f, ip);
	CHECK_EQ_INT(run_xdp(&f), XDP_PASS);
	CHECK_EQ_INT(X(IOT_CNT_VLAN), 2);
	CHECK_EQ_INT(X(IOT_CNT_UDP), 2);
	/* Different outer VLANs are different segments: two flows. */
	CHECK_EQ_INT(X(IOT_CNT_FLOWS_CREATED), 2);
	s = find_snippet(IOT_SNIP_FLOW, 1);
	CHECK(s && s->vlan == 200 && s->key.vlan == 200);
	CHECK(s && memcmp(s->data + s->payload_off, "pong", 4) == 0);
}

TEST(ipv6_extension_headers)
{
	struct frame f;
	const struct iot_ev_snippet *s;
	size_t ip;

	reset();
	eth(&f, 0x86dd);
	ip = ip6(&f, 1, 2, 0); /* hop-by-hop */
	put8(&f, 60);	       /* next: destination options */
	put8(&f, 0);
	for (int i = 0; i < 6; i++)
		put8(&f, 1);
	put8(&f, 17); /* next: UDP */
	put8(&f, 1);  /* 16 bytes */
	for (int i = 0; i < 14; i++)
		put8(&f, 1);
	udp(&f, 5353, 5353, 3);
	put(&f, "abc", 3);
	ip6_done(&f, ip);
	CHECK_EQ_INT(run_xdp(&f), XDP_PASS);
	CHECK_EQ_INT(X(IOT_CNT_IPV6), 1);
	CHECK_EQ_INT(X(IOT_CNT_UDP), 1);
	s = find_snippet(IOT_SNIP_DISCOVERY, 0); /* mDNS */
	CHECK(s != NULL);
	if (s) {
		CHECK_EQ_INT(s->l4_off, 40 + 8 + 16);
		CHECK(memcmp(s->data + s->payload_off, "abc", 3) == 0);
		CHECK_EQ_INT(s->eth_proto, 0x86dd);
	}

	/* Seven hop-by-hop headers: longer than the bounded walk. */
	reset();
	eth(&f, 0x86dd);
	ip = ip6(&f, 1, 2, 0);
	for (int i = 0; i < 7; i++) {
		put8(&f, 0);
		put8(&f, 0);
		for (int j = 0; j < 6; j++)
			put8(&f, 1);
	}
	ip6_done(&f, ip);
	CHECK_EQ_INT(run_xdp(&f), XDP_PASS);
	CHECK_EQ_INT(X(IOT_CNT_ERR_IPV6_EXT), 1);
	CHECK_EQ_INT(X(IOT_CNT_FLOWS_CREATED), 0);
}

TEST(fragments)
{
	struct frame f;
	size_t ip;

	reset();
	/* First fragment: MF set, offset 0: parsed. */
	eth(&f, 0x0800);
	ip = ip4(&f, 1, 2, 17, 0, 0x2000);
	udp(&f, 7000, 7001, 8);
	put(&f, "12345678", 8);
	ip4_done(&f, ip);
	CHECK_EQ_INT(run_xdp(&f), XDP_PASS);
	/* Later fragment: no UDP header in it. */
	eth(&f, 0x0800);
	ip = ip4(&f, 1, 2, 17, 0, 185);
	put(&f, "tailtail", 8);
	ip4_done(&f, ip);
	CHECK_EQ_INT(run_xdp(&f), XDP_PASS);
	/* IPv6 later fragment. */
	eth(&f, 0x86dd);
	ip = ip6(&f, 1, 2, 44);
	put8(&f, 17);
	put8(&f, 0);
	put16(&f, 185 << 3);
	put32(&f, 7);
	put(&f, "tailtail", 8);
	ip6_done(&f, ip);
	CHECK_EQ_INT(run_xdp(&f), XDP_PASS);
	CHECK_EQ_INT(X(IOT_CNT_FRAG_FIRST), 1);
	CHECK_EQ_INT(X(IOT_CNT_FRAG_LATER), 2);
	CHECK_EQ_INT(X(IOT_CNT_FLOWS_CREATED), 1);
}

TEST(truncated_and_malformed_headers_are_counted_and_passed)
{
	struct frame f;
	size_t ip;

	reset();
	eth(&f, 0x0800); /* IPv4 header cut at 10 bytes */
	put(&f, "\x45\x00\x00\x28\x00\x01\x00\x00\x40\x06", 10);
	CHECK_EQ_INT(run_xdp(&f), XDP_PASS);
	eth(&f, 0x0800); /* IHL 4: shorter than a header */
	ip = ip4(&f, 1, 2, 6, 0, 0);
	f.b[ip] = 0x44;
	tcp(&f, 1, 2, 0x10, 0);
	ip4_done(&f, ip);
	CHECK_EQ_INT(run_xdp(&f), XDP_PASS);
	eth(&f, 0x0800); /* TCP header cut */
	ip = ip4(&f, 1, 2, 6, 0, 0);
	put(&f, "\x00\x01\x00\x02\x00\x00", 6);
	ip4_done(&f, ip);
	CHECK_EQ_INT(run_xdp(&f), XDP_PASS);
	eth(&f, 0x0800); /* TCP data offset 4 */
	ip = ip4(&f, 1, 2, 6, 0, 0);
	tcp(&f, 1, 2, 0x10, 0);
	f.b[ip + 20 + 12] = 0x40;
	ip4_done(&f, ip);
	CHECK_EQ_INT(run_xdp(&f), XDP_PASS);
	eth(&f, 0x0800); /* TCP options run past the packet */
	ip = ip4(&f, 1, 2, 6, 0, 0);
	tcp(&f, 1, 2, 0x10, 0);
	f.b[ip + 20 + 12] = 0xf0;
	ip4_done(&f, ip);
	CHECK_EQ_INT(run_xdp(&f), XDP_PASS);
	eth(&f, 0x8100); /* VLAN tag cut */
	put(&f, "\x00", 1);
	CHECK_EQ_INT(run_xdp(&f), XDP_PASS);
	CHECK_EQ_INT(X(IOT_CNT_ERR_IP), 2);
	CHECK_EQ_INT(X(IOT_CNT_ERR_L4), 3);
	CHECK_EQ_INT(X(IOT_CNT_ERR_ETH), 1);
	CHECK_EQ_INT(X(IOT_CNT_FLOWS_CREATED), 0);
	CHECK_EQ_INT(nevents, 0);
}

TEST(ethernet_padding_is_not_payload)
{
	struct frame f;
	size_t ip;

	reset();
	eth(&f, 0x0800);
	ip = ip4(&f, 1, 2, 6, 0, 0);
	tcp(&f, 40000, 80, 0x10, 0);
	ip4_done(&f, ip);
	put(&f, "\0\0\0\0\0\0", 6); /* pads the frame to 60 bytes */
	CHECK_EQ_INT(run_xdp(&f), XDP_PASS);
	CHECK_EQ_INT(count_type(IOT_EV_SNIPPET, 0), 0);
}

TEST(first_n_payload_packets_per_direction)
{
	struct frame f;
	size_t ip;

	reset();
	for (int i = 0; i < 6; i++) {
		eth(&f, 0x0800);
		ip = ip4(&f, 1, 2, 6, 0, 0);
		tcp(&f, 40000, 8080, 0x18, 0);
		put(&f, "GET /x\r\n", 8);
		ip4_done(&f, ip);
		run_xdp(&f);
	}
	CHECK_EQ_INT(count_type(IOT_EV_SNIPPET, IOT_SNIP_FLOW), 4);
	CHECK(find_snippet(IOT_SNIP_FLOW, 3) && find_snippet(IOT_SNIP_FLOW, 3)->seq == 3);
}

TEST(long_ports_copy_more_payload_packets)
{
	struct frame f;
	size_t ip;

	/* Telnet: keystrokes and prompts come one small packet at a time, long after the first four. */
	reset();
	for (int i = 0; i < 40; i++) {
		eth(&f, 0x0800);
		ip = ip4(&f, 1, 2, 6, 0, 0);
		tcp(&f, 40000, 23, 0x18, 0);
		put(&f, "x", 1);
		ip4_done(&f, ip);
		run_xdp(&f);
	}
	CHECK_EQ_INT(count_type(IOT_EV_SNIPPET, IOT_SNIP_FLOW), 32);
}

TEST(discovery_ports_copy_every_packet)
{
	struct frame f;
	size_t ip;

	reset();
	for (int i = 0; i < 7; i++) {
		eth(&f, 0x0800);
		ip = ip4(&f, 5, 255, 17, 0, 0);
		udp(&f, 68, 67, 4);
		put(&f, "dhcp", 4);
		ip4_done(&f, ip);
		run_xdp(&f);
	}
	CHECK_EQ_INT(count_type(IOT_EV_SNIPPET, IOT_SNIP_DISCOVERY), 7);
	CHECK_EQ_INT(X(IOT_CNT_DISCOVERY), 7);
}

TEST(l2_discovery_protocols)
{
	struct frame f;
	const struct iot_ev_snippet *s;

	reset();
	eth(&f, 0x0806); /* ARP request */
	put(&f, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
	put(&f, MAC_A, 6);
	put32(&f, 0xc6120001);
	put(&f, "\0\0\0\0\0\0", 6);
	put32(&f, 0xc6120002);
	CHECK_EQ_INT(run_xdp(&f), XDP_PASS);
	eth(&f, 0x88cc); /* LLDP: chassis id TLV */
	put(&f, "\x02\x07\x04\x02\x00\x00\x00\x00\x0a\x00\x00", 11);
	CHECK_EQ_INT(run_xdp(&f), XDP_PASS);
	eth(&f, 40); /* 802.3 length, LLC/SNAP CDP */
	put(&f, "\xaa\xaa\x03\x00\x00\x0c\x20\x00", 8);
	put(&f, "\x02\xb4\x00\x00\x00\x01\x00\x08sw01", 12);
	CHECK_EQ_INT(run_xdp(&f), XDP_PASS);
	eth(&f, 0x8892); /* PROFINET DCP identify request */
	put(&f, "\xfe\xfe\x05\x00\x00\x00\x00\x01\x00\x01\x00\x04\xff\xff\x00\x00", 16);
	CHECK_EQ_INT(run_xdp(&f), XDP_PASS);
	CHECK_EQ_INT(X(IOT_CNT_ARP), 1);
	CHECK_EQ_INT(X(IOT_CNT_LLDP), 1);
	CHECK_EQ_INT(X(IOT_CNT_CDP), 1);
	CHECK_EQ_INT(X(IOT_CNT_PROFINET_DCP), 1);
	CHECK_EQ_INT(count_type(IOT_EV_SNIPPET, IOT_SNIP_DISCOVERY), 4);
	s = find_snippet(IOT_SNIP_DISCOVERY, 3);
	CHECK(s && s->eth_proto == 0x8892 && s->data[0] == 0xfe && s->cap_len == 16);
	s = find_snippet(IOT_SNIP_DISCOVERY, 0);
	CHECK(s && s->eth_proto == 0x0806 && s->cap_len == 28 && s->payload_off == 0);
	s = find_snippet(IOT_SNIP_DISCOVERY, 2);
	CHECK(s && s->eth_proto == 0x2000 && s->data[0] == 0x02 && s->cap_len == 12);
}

TEST(tcp_end_records_on_rst_and_fin)
{
	struct frame f;
	size_t ip;

	reset();
	eth(&f, 0x0800);
	ip = ip4(&f, 1, 2, 6, 0, 0);
	tcp(&f, 40001, 80, 0x02, 0);
	ip4_done(&f, ip);
	run_xdp(&f);
	eth(&f, 0x0800);
	ip = ip4(&f, 2, 1, 6, 0, 0);
	tcp(&f, 80, 40001, 0x14, 0); /* RST-ACK */
	ip4_done(&f, ip);
	run_xdp(&f);
	CHECK_EQ_INT(count_type(IOT_EV_FLOW_END, 0), 1);
	for (int i = 0; i < nevents; i++)
		if (ev(i)->type == IOT_EV_FLOW_END)
			CHECK_EQ_INT(((const struct iot_ev_flow *)ev(i))->reason, IOT_END_RST);

	reset();
	for (int side = 0; side < 2; side++) {
		eth(&f, 0x0800);
		ip = ip4(&f, side ? 2 : 1, side ? 1 : 2, 6, 0, 0);
		tcp(&f, side ? 80 : 40002, side ? 40002 : 80, 0x11, 0);
		ip4_done(&f, ip);
		run_xdp(&f);
	}
	CHECK_EQ_INT(count_type(IOT_EV_FLOW_END, 0), 1);
	CHECK_EQ_INT(X(IOT_CNT_FLOWS_ENDED), 1);
}

TEST(tc_programs_share_the_parser_and_pass)
{
	struct frame f;
	size_t ip;

	reset();
	eth(&f, 0x0800);
	ip = ip4(&f, 1, 2, 6, 0, 0);
	tcp(&f, 40003, 22, 0x18, 0);
	put(&f, "SSH-2.0-Test\r\n", 14);
	ip4_done(&f, ip);
	CHECK_EQ_INT(run_prog(skel->progs.iot_tc_egress, &f), TC_ACT_UNSPEC);
	CHECK_EQ_INT(run_prog(skel->progs.iot_tc_ingress, &f), TC_ACT_UNSPEC);
	CHECK_EQ_INT(cnt[IOT_HOOK_TC_EGRESS].c[IOT_CNT_TCP], 1);
	CHECK_EQ_INT(cnt[IOT_HOOK_TC_INGRESS].c[IOT_CNT_TCP], 1);
	CHECK_EQ_INT(X(IOT_CNT_PACKETS), 0);
	/* Same flow from both hooks: one flow, two snippets. */
	CHECK_EQ_INT(count_type(IOT_EV_FLOW_START, 0), 1);
	CHECK_EQ_INT(count_type(IOT_EV_SNIPPET, IOT_SNIP_FLOW), 2);
}

/* Runs TC egress as if the frame had come in on ingress_ifindex (a frame forwarded by a bridge or router). */
static int run_egress_forwarded(struct frame *f, __u32 ingress_ifindex)
{
	struct __sk_buff ctx = { .ingress_ifindex = ingress_ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->b, .data_size_in = (__u32)f->n, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx));
	int err;

	skel->bss->replay_now_ns += 1000;
	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.iot_tc_egress), &o);
	if (err)
		printf("  test run failed: %s\n", strerror(errno));
	ring_buffer__consume(rb);
	for (int h = 0; h < IOT_HOOK_MAX; h++)
		bpf_state_counters(skel, h, &cnt[h]);
	return err ? -1000 : (int)o.retval;
}

TEST(egress_skips_frames_already_sensed_at_ingress)
{
	int sensed = bpf_map__fd(skel->maps.iot_sensed_ifs);
	__u32 port_a = 7, port_b = 8, hooks = 1;
	struct frame f;
	size_t ip;

	reset();
	eth(&f, 0x0800);
	ip = ip4(&f, 1, 2, 6, 0, 0);
	tcp(&f, 40004, 23, 0x18, 0);
	put(&f, "login: ", 7);
	ip4_done(&f, ip);
	CHECK_EQ_INT(bpf_map_update_elem(sensed, &port_a, &hooks, BPF_ANY), 0);
	/* Forwarded from port A, where XDP saw it: passed and counted, not sensed twice. */
	CHECK_EQ_INT(run_egress_forwarded(&f, port_a), TC_ACT_UNSPEC);
	CHECK_EQ_INT(cnt[IOT_HOOK_TC_EGRESS].c[IOT_CNT_SEEN_AT_INGRESS], 1);
	CHECK_EQ_INT(cnt[IOT_HOOK_TC_EGRESS].c[IOT_CNT_TCP], 0);
	CHECK_EQ_INT(count_type(IOT_EV_SNIPPET, 0), 0);
	/* Forwarded from port B, which we do not sense (a WAN port): sensed at egress. */
	CHECK_EQ_INT(run_egress_forwarded(&f, port_b), TC_ACT_UNSPEC);
	CHECK_EQ_INT(cnt[IOT_HOOK_TC_EGRESS].c[IOT_CNT_TCP], 1);
	CHECK_EQ_INT(count_type(IOT_EV_SNIPPET, IOT_SNIP_FLOW), 1);
	/* Sent by the host itself (no ingress interface): sensed. */
	CHECK_EQ_INT(run_egress_forwarded(&f, 0), TC_ACT_UNSPEC);
	CHECK_EQ_INT(cnt[IOT_HOOK_TC_EGRESS].c[IOT_CNT_TCP], 2);
	CHECK_EQ_INT(cnt[IOT_HOOK_TC_EGRESS].c[IOT_CNT_SEEN_AT_INGRESS], 1);
	bpf_map_delete_elem(sensed, &port_a);
}

TEST(flows_to_ioc_addresses_are_flagged)
{
	int ips = bpf_map__fd(skel->maps.iot_ioc_ips), count = bpf_map__fd(skel->maps.iot_ioc_count);
	struct iot_ioc_key bad = { .addr = { [10] = 0xff, [11] = 0xff, 203, 0, 113, 66 } };
	__u32 zero = 0, one = 1;
	__u8 v = 1;
	const struct iot_ev_flow *start = NULL;
	struct frame f;
	size_t ip;

	reset();
	CHECK_EQ_INT(bpf_map_update_elem(ips, &bad, &v, BPF_ANY), 0);
	/* The gate is closed (count 0): no lookup, no flag. */
	eth(&f, 0x0800);
	ip = ip4(&f, 1, 2, 6, 0, 0);
	f.b[ip + 16] = 203, f.b[ip + 17] = 0, f.b[ip + 18] = 113;
	f.b[ip + 19] = 66;
	tcp(&f, 40005, 443, 0x02, 0);
	ip4_done(&f, ip);
	run_xdp(&f);
	CHECK_EQ_INT(X(IOT_CNT_IOC_FLOWS), 0);
	reset();
	CHECK_EQ_INT(bpf_map_update_elem(count, &zero, &one, BPF_ANY), 0);
	run_xdp(&f);
	CHECK_EQ_INT(X(IOT_CNT_IOC_FLOWS), 1);
	for (int i = 0; i < nevents; i++)
		if (ev(i)->type == IOT_EV_FLOW_START)
			start = (const void *)ev(i);
	CHECK(start && (start->flow.flags & IOT_FLOW_F_IOC));
	/* Another destination: not flagged. */
	f.b[ip + 19] = 67;
	ip4_done(&f, ip);
	run_xdp(&f);
	CHECK_EQ_INT(X(IOT_CNT_IOC_FLOWS), 1);
	CHECK_EQ_INT(X(IOT_CNT_FLOWS_CREATED), 2);
	bpf_map_delete_elem(ips, &bad);
	bpf_map_update_elem(count, &zero, &zero, BPF_ANY);
}

TEST(both_directions_share_one_flow)
{
	struct frame f;
	size_t ip;
	int flows = 0;
	struct iot_flow_key k, *prev = NULL, cur;

	reset();
	for (int i = 0; i < 4; i++) {
		eth(&f, 0x0800);
		ip = ip4(&f, i & 1 ? 2 : 1, i & 1 ? 1 : 2, 17, 0, 0);
		udp(&f, i & 1 ? 161 : 50000, i & 1 ? 50000 : 161, 2);
		put(&f, "\x30\x00", 2);
		ip4_done(&f, ip);
		run_xdp(&f);
	}
	while (!bpf_map_get_next_key(bpf_map__fd(skel->maps.iot_flows), prev, &k)) {
		cur = k;
		prev = &cur;
		flows++;
	}
	CHECK_EQ_INT(flows, 1);
	if (flows == 1) {
		struct iot_flow fl;

		CHECK(!bpf_map_lookup_elem(bpf_map__fd(skel->maps.iot_flows), &cur, &fl));
		CHECK_EQ_INT(fl.packets[0] + fl.packets[1], 4);
		CHECK_EQ_INT(fl.packets[0], 2);
	}
}

int main(void)
{
	struct loader_opts o;

	log_init(LOG_WARN);
	loader_opts_default(&o);
	o.replay = true;
	skel = loader_open_and_load(&o);
	if (!skel) {
		printf("cannot load the BPF object (root and a BPF-capable kernel needed)\n0 passed, 1 failed\n");
		return 1;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.iot_events), collect, NULL, NULL);
	RUN(tcp_handshake_and_payload);
	RUN(ipv4_options_and_tcp_options_move_the_payload);
	RUN(vlan_and_qinq);
	RUN(ipv6_extension_headers);
	RUN(fragments);
	RUN(truncated_and_malformed_headers_are_counted_and_passed);
	RUN(ethernet_padding_is_not_payload);
	RUN(first_n_payload_packets_per_direction);
	RUN(long_ports_copy_more_payload_packets);
	RUN(discovery_ports_copy_every_packet);
	RUN(l2_discovery_protocols);
	RUN(tcp_end_records_on_rst_and_fin);
	RUN(tc_programs_share_the_parser_and_pass);
	RUN(egress_skips_frames_already_sensed_at_ingress);
	RUN(flows_to_ioc_addresses_are_flagged);
	RUN(both_directions_share_one_flow);
	ring_buffer__free(rb);
	iotsense_bpf__destroy(skel);
	return testlib_summary();
}
