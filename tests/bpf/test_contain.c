// SPDX-License-Identifier: GPL-2.0-only
/*
 * Containment in the kernel: crafted frames through the real XDP and TC programs (BPF_PROG_TEST_RUN) with
 * entries written by user/contain.c into the object's (private) containment map. A contained MAC or IP drops
 * in every program, counted per hook and per entry; everything else passes; expired entries and a closed gate
 * drop nothing. Also the user-space side: IDs, durations, the gate bookkeeping and the refusals.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "contain.h"
#include "iotsense_abi.h"
#include "iotsense.skel.h"
#include "lib/log.h"
#include "loader.h"
#include "testlib.h"
#include "bpf_state.h"

#define XDP_DROP 1
#define XDP_PASS 2
#define TC_ACT_SHOT 2
#define TC_ACT_UNSPEC (-1)

/* ---- frames ---- */
struct frame {
	uint8_t b[512];
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
static const uint8_t MAC_X[6] = { 0x02, 0, 0, 0, 0, 0xe };
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static void eth(struct frame *f, const uint8_t *dst, const uint8_t *src, uint16_t proto)
{
	f->n = 0;
	put(f, dst, 6);
	put(f, src, 6);
	put16(f, proto);
}

/* IPv4 198.18.0.src -> 198.18.0.dst, 20 bytes, then L4 bytes; total length fixed by the caller's len. */
static void ip4(struct frame *f, uint8_t src, uint8_t dst, uint8_t proto, uint16_t frag, uint16_t l4_len)
{
	put8(f, 0x45);
	put8(f, 0);
	put16(f, 20 + l4_len);
	put16(f, 1);
	put16(f, frag);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	put32(f, 0xc6120000 | src);
	put32(f, 0xc6120000 | dst);
}

static void ip6(struct frame *f, uint8_t src, uint8_t dst, uint8_t next, uint16_t payload)
{
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8 };

	put32(f, 0x60000000);
	put16(f, payload);
	put8(f, next);
	put8(f, 64);
	a[15] = src;
	put(f, a, 16);
	a[15] = dst;
	put(f, a, 16);
}

static void tcp_syn(struct frame *f, uint16_t sport, uint16_t dport)
{
	put16(f, sport);
	put16(f, dport);
	put32(f, 1);
	put32(f, 0);
	put8(f, 5 << 4);
	put8(f, 0x02);
	put16(f, 65535);
	put32(f, 0);
}

static void udp(struct frame *f, uint16_t sport, uint16_t dport)
{
	put16(f, sport);
	put16(f, dport);
	put16(f, 12);
	put16(f, 0);
	put32(f, 0x74657374);
}

static void icmp_echo(struct frame *f)
{
	put32(f, 0x08000000);
	put32(f, 0x00010001);
}

/* TCP SYN 198.18.0.src:40000 -> 198.18.0.dst:80 between MAC_A and MAC_B. */
static void tcp4_frame(struct frame *f, uint8_t src, uint8_t dst)
{
	eth(f, MAC_B, MAC_A, 0x0800);
	ip4(f, src, dst, 6, 0, 20);
	tcp_syn(f, 40000, 80);
}

static void arp_frame(struct frame *f, const uint8_t *eth_src, const uint8_t *sha, uint8_t spa, uint8_t tpa)
{
	eth(f, BCAST, eth_src, 0x0806);
	put(f, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
	put(f, sha, 6);
	put32(f, 0xc6120000 | spa);
	put(f, "\0\0\0\0\0\0", 6);
	put32(f, 0xc6120000 | tpa);
}

/* ---- the object ---- */
static struct iotsense_bpf *skel;
static struct ring_buffer *rb;
static struct contain_maps cm;
static struct iot_counters cnt[IOT_HOOK_MAX];
static int nevents;

static int collect(void *ctx, void *data, size_t len)
{
	(void)ctx;
	(void)data;
	(void)len;
	nevents++;
	return 0;
}

static void reset(void)
{
	struct iot_contain_state zero_state = {};
	struct iot_contain_key ck;
	__u32 z = 0;

	ring_buffer__consume(rb);
	bpf_state_clear(skel);
	while (!bpf_map_get_next_key(cm.map_fd, NULL, &ck))
		bpf_map_delete_elem(cm.map_fd, &ck);
	bpf_map_update_elem(cm.state_fd, &z, &zero_state, BPF_ANY);
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

static int xdp(struct frame *f) { return run_prog(skel->progs.iot_xdp, f); }
static int tc_in(struct frame *f) { return run_prog(skel->progs.iot_tc_ingress, f); }
static int tc_eg(struct frame *f) { return run_prog(skel->progs.iot_tc_egress, f); }

#define DROPS(hook) (cnt[hook].c[IOT_CNT_CONTAINED_DROP])

static struct iot_contain_key id(const char *s)
{
	struct iot_contain_key k;
	char why[256];

	if (contain_parse_id(s, &k, why, sizeof(why)))
		printf("  bad test id %s: %s\n", s, why);
	return k;
}

static void contain(const char *s)
{
	struct iot_contain_key k = id(s);
	struct iot_contain_val v;
	bool updated;

	CHECK_EQ_INT(contain_add(&cm, &k, 0, contain_now(), &v, &updated), 0);
}

static uint64_t entry_drops(const char *s)
{
	struct iot_contain_key k = id(s);
	struct iot_contain_val v = {};

	if (bpf_map_lookup_elem(cm.map_fd, &k, &v))
		return (uint64_t)-1;
	return v.drops;
}

static uint32_t gate(void)
{
	struct iot_contain_state st = {};
	__u32 z = 0;

	bpf_map_lookup_elem(cm.state_fd, &z, &st);
	return st.macs + st.ips;
}

/* ---- tests ---- */

TEST(nothing_contained_everything_passes)
{
	struct frame f;

	reset();
	tcp4_frame(&f, 1, 2);
	CHECK_EQ_INT(xdp(&f), XDP_PASS);
	CHECK_EQ_INT(tc_in(&f), TC_ACT_UNSPEC);
	CHECK_EQ_INT(tc_eg(&f), TC_ACT_UNSPEC);
	for (int h = 0; h < IOT_HOOK_MAX; h++)
		CHECK_EQ_INT(DROPS(h), 0);
	CHECK_EQ_INT(cnt[IOT_HOOK_XDP].c[IOT_CNT_FLOWS_CREATED], 1);
}

TEST(closed_gate_skips_the_lookups)
{
	struct iot_contain_key k = id("02:00:00:00:00:0a");
	struct iot_contain_val v = { .since_ns = contain_now() };
	struct iot_contain_state ips_only = { .ips = 1 };
	struct frame f;
	__u32 z = 0;

	/* An entry written behind the gate's back: the gate still says empty, so nothing drops. */
	reset();
	CHECK_EQ_INT(bpf_map_update_elem(cm.map_fd, &k, &v, BPF_ANY), 0);
	tcp4_frame(&f, 1, 2);
	CHECK_EQ_INT(xdp(&f), XDP_PASS);
	CHECK_EQ_INT(entry_drops("02:00:00:00:00:0a"), 0);
	CHECK_EQ_INT(gate(), 0);
	/* Open for IPs only: the MAC entry is still not consulted. */
	CHECK_EQ_INT(bpf_map_update_elem(cm.state_fd, &z, &ips_only, BPF_ANY), 0);
	CHECK_EQ_INT(xdp(&f), XDP_PASS);
	CHECK_EQ_INT(entry_drops("02:00:00:00:00:0a"), 0);
	CHECK_EQ_INT(contain_sync_gate(&cm), 0);
	CHECK_EQ_INT(gate(), 1);
	CHECK_EQ_INT(xdp(&f), XDP_DROP);
	CHECK_EQ_INT(entry_drops("02:00:00:00:00:0a"), 1);
}

TEST(contained_source_mac_drops_in_xdp_and_tc)
{
	struct frame f;

	reset();
	contain("02:00:00:00:00:0a");
	CHECK_EQ_INT(gate(), 1);
	tcp4_frame(&f, 1, 2); /* from MAC_A */
	CHECK_EQ_INT(xdp(&f), XDP_DROP);
	CHECK_EQ_INT(tc_in(&f), TC_ACT_SHOT);
	CHECK_EQ_INT(tc_eg(&f), TC_ACT_SHOT);
	CHECK_EQ_INT(DROPS(IOT_HOOK_XDP), 1);
	CHECK_EQ_INT(DROPS(IOT_HOOK_TC_INGRESS), 1);
	CHECK_EQ_INT(DROPS(IOT_HOOK_TC_EGRESS), 1);
	CHECK_EQ_INT(entry_drops("02:00:00:00:00:0a"), 3);
	/* Dropped before the flow table and the ring: a contained device costs no flow and no record. */
	CHECK_EQ_INT(cnt[IOT_HOOK_XDP].c[IOT_CNT_FLOWS_CREATED], 0);
	CHECK_EQ_INT(nevents, 0);
	/* Still counted as seen; not parsed. */
	CHECK_EQ_INT(cnt[IOT_HOOK_XDP].c[IOT_CNT_PACKETS], 1);
	CHECK_EQ_INT(cnt[IOT_HOOK_XDP].c[IOT_CNT_TCP], 0);
}

TEST(contained_destination_mac_drops)
{
	struct frame f;

	reset();
	contain("mac:02-00-00-00-00-0b");
	tcp4_frame(&f, 1, 2); /* to MAC_B */
	CHECK_EQ_INT(xdp(&f), XDP_DROP);
	CHECK_EQ_INT(tc_eg(&f), TC_ACT_SHOT);
	CHECK_EQ_INT(entry_drops("02:00:00:00:00:0b"), 2);
	eth(&f, MAC_X, MAC_A, 0x0800); /* neither MAC */
	ip4(&f, 1, 2, 6, 0, 20);
	tcp_syn(&f, 40000, 80);
	CHECK_EQ_INT(xdp(&f), XDP_PASS);
	CHECK_EQ_INT(DROPS(IOT_HOOK_XDP), 1);
}

TEST(contained_ipv4_drops_both_directions_any_protocol)
{
	struct frame f;

	reset();
	contain("198.18.0.2");
	tcp4_frame(&f, 1, 2);
	CHECK_EQ_INT(xdp(&f), XDP_DROP);
	tcp4_frame(&f, 2, 1);
	CHECK_EQ_INT(tc_eg(&f), TC_ACT_SHOT);
	/* ICMP: the parser does not key it, containment still sees its addresses. */
	eth(&f, MAC_B, MAC_A, 0x0800);
	ip4(&f, 1, 2, 1, 0, 8);
	icmp_echo(&f);
	CHECK_EQ_INT(tc_in(&f), TC_ACT_SHOT);
	/* A later fragment and a VLAN-tagged frame. */
	eth(&f, MAC_B, MAC_A, 0x0800);
	ip4(&f, 2, 1, 17, 185, 8);
	put32(&f, 0);
	put32(&f, 0);
	CHECK_EQ_INT(xdp(&f), XDP_DROP);
	eth(&f, MAC_B, MAC_A, 0x8100);
	put16(&f, 100);
	put16(&f, 0x0800);
	ip4(&f, 1, 2, 17, 0, 12);
	udp(&f, 5000, 6000);
	CHECK_EQ_INT(xdp(&f), XDP_DROP);
	CHECK_EQ_INT(entry_drops("198.18.0.2"), 5);
	CHECK_EQ_INT(DROPS(IOT_HOOK_XDP), 3);
	CHECK_EQ_INT(DROPS(IOT_HOOK_TC_EGRESS), 1);
	CHECK_EQ_INT(DROPS(IOT_HOOK_TC_INGRESS), 1);
	/* Another host on the same segment passes and is tracked. */
	tcp4_frame(&f, 1, 3);
	CHECK_EQ_INT(xdp(&f), XDP_PASS);
	CHECK_EQ_INT(cnt[IOT_HOOK_XDP].c[IOT_CNT_FLOWS_CREATED], 1);
	CHECK_EQ_INT(DROPS(IOT_HOOK_XDP), 3);
}

TEST(contained_ipv6_drops)
{
	struct frame f;

	reset();
	contain("2001:db8::2");
	eth(&f, MAC_B, MAC_A, 0x86dd);
	ip6(&f, 1, 2, 17, 12);
	udp(&f, 5000, 6000);
	CHECK_EQ_INT(xdp(&f), XDP_DROP);
	CHECK_EQ_INT(tc_eg(&f), TC_ACT_SHOT);
	eth(&f, MAC_B, MAC_A, 0x86dd);
	ip6(&f, 2, 1, 58, 8); /* ICMPv6 from it */
	icmp_echo(&f);
	CHECK_EQ_INT(tc_in(&f), TC_ACT_SHOT);
	CHECK_EQ_INT(entry_drops("2001:db8::2"), 3);
	eth(&f, MAC_B, MAC_A, 0x86dd);
	ip6(&f, 1, 3, 17, 12);
	udp(&f, 5000, 6000);
	CHECK_EQ_INT(xdp(&f), XDP_PASS);
	/* An IPv4 entry must not match the IPv6 address with the same last byte, nor the reverse. */
	contain("198.18.0.3");
	CHECK_EQ_INT(xdp(&f), XDP_PASS);
}

TEST(arp_from_or_for_a_contained_device_drops)
{
	struct frame f;

	reset();
	contain("02:00:00:00:00:0e");
	contain("198.18.0.2");
	arp_frame(&f, MAC_A, MAC_A, 1, 2); /* who has the contained IP */
	CHECK_EQ_INT(xdp(&f), XDP_DROP);
	arp_frame(&f, MAC_A, MAC_X, 1, 9); /* sender hardware address is the contained MAC */
	CHECK_EQ_INT(tc_eg(&f), TC_ACT_SHOT);
	arp_frame(&f, MAC_X, MAC_X, 7, 9); /* from the contained MAC */
	CHECK_EQ_INT(tc_in(&f), TC_ACT_SHOT);
	arp_frame(&f, MAC_A, MAC_A, 1, 9); /* unrelated */
	CHECK_EQ_INT(xdp(&f), XDP_PASS);
	CHECK_EQ_INT(cnt[IOT_HOOK_XDP].c[IOT_CNT_ARP], 1); /* dropped before the parser counts it */
	CHECK_EQ_INT(entry_drops("198.18.0.2"), 1);
	CHECK_EQ_INT(entry_drops("02:00:00:00:00:0e"), 2);
}

TEST(expired_entries_pass_live_ones_drop)
{
	struct iot_contain_key k = id("198.18.0.2");
	uint64_t now = contain_now();
	struct iot_contain_val v = { .since_ns = now - 10000000000ull, .expires_ns = now - 1000000000ull };
	struct frame f;

	reset();
	CHECK_EQ_INT(bpf_map_update_elem(cm.map_fd, &k, &v, BPF_ANY), 0);
	CHECK_EQ_INT(contain_sync_gate(&cm), 0);
	tcp4_frame(&f, 1, 2);
	CHECK_EQ_INT(xdp(&f), XDP_PASS);
	CHECK_EQ_INT(tc_eg(&f), TC_ACT_UNSPEC);
	CHECK_EQ_INT(entry_drops("198.18.0.2"), 0);
	CHECK_EQ_INT(DROPS(IOT_HOOK_XDP), 0);
	v.expires_ns = now + 3600000000000ull;
	CHECK_EQ_INT(bpf_map_update_elem(cm.map_fd, &k, &v, BPF_ANY), 0);
	CHECK_EQ_INT(xdp(&f), XDP_DROP);
	CHECK_EQ_INT(entry_drops("198.18.0.2"), 1);
}

TEST(truncated_frames_are_not_dropped)
{
	struct frame f;

	reset();
	contain("198.18.0.2");
	eth(&f, MAC_B, MAC_A, 0x0800); /* IPv4 header cut at 10 bytes: no addresses to match */
	put(&f, "\x45\x00\x00\x28\x00\x01\x00\x00\x40\x06", 10);
	CHECK_EQ_INT(xdp(&f), XDP_PASS);
	eth(&f, BCAST, MAC_A, 0x0806); /* ARP cut short */
	put(&f, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
	CHECK_EQ_INT(xdp(&f), XDP_PASS);
	CHECK_EQ_INT(DROPS(IOT_HOOK_XDP), 0);
}

TEST(add_release_purge_keep_the_gate)
{
	struct iot_contain_key k = id("198.18.0.5"), k2 = id("02:00:00:00:00:55");
	struct iot_contain_val v, old = {};
	struct contain_entry *e;
	uint64_t now = contain_now();
	bool updated;
	int n;

	reset();
	CHECK_EQ_INT(contain_add(&cm, &k, 60000000000ull, now, &v, &updated), 0);
	CHECK(!updated);
	CHECK_EQ_INT(v.expires_ns, now + 60000000000ull);
	CHECK_EQ_INT(gate(), 1);
	CHECK_EQ_INT(contain_add(&cm, &k, 0, now + 5, &v, &updated), 0);
	CHECK(updated);
	CHECK_EQ_INT(v.since_ns, now);
	CHECK_EQ_INT(v.expires_ns, 0);
	CHECK_EQ_INT(gate(), 1);
	CHECK_EQ_INT(contain_add(&cm, &k2, 2000000000ull, now, &v, &updated), 0);
	CHECK_EQ_INT(gate(), 2);
	n = contain_list(&cm, &e);
	CHECK_EQ_INT(n, 2);
	free(e);
	/* k2 lapses: purge deletes it and closes its part of the gate. */
	CHECK_EQ_INT(contain_purge_expired(&cm, now + 3000000000ull), 1);
	CHECK_EQ_INT(gate(), 1);
	CHECK_EQ_INT(contain_del(&cm, &k, now, &old), 0);
	CHECK_EQ_INT(old.since_ns, now);
	CHECK_EQ_INT(gate(), 0);
	CHECK_EQ_INT(contain_del(&cm, &k, now, NULL), -ENOENT);
	/* Releasing an entry that already expired: removed, but reported as not contained. */
	CHECK_EQ_INT(contain_add(&cm, &k, 1000000000ull, now, &v, &updated), 0);
	memset(&old, 0, sizeof(old));
	CHECK_EQ_INT(contain_del(&cm, &k, now + 2000000000ull, &old), -ENOENT);
	CHECK(old.since_ns == now);
	CHECK_EQ_INT(gate(), 0);
}

TEST(ids_and_durations)
{
	struct iot_contain_key k;
	char why[256], buf[64];
	uint64_t ns;

	CHECK_EQ_INT(contain_parse_id("AA:bb:cc:dd:ee:0f", &k, why, sizeof(why)), 0);
	CHECK_EQ_INT(k.kind, IOT_CONTAIN_MAC);
	contain_key_id(&k, buf, sizeof(buf));
	CHECK_STR(buf, "mac:aa:bb:cc:dd:ee:0f");
	CHECK_EQ_INT(contain_parse_id("ip:198.18.1.2", &k, why, sizeof(why)), 0);
	contain_key_addr(&k, buf, sizeof(buf));
	CHECK_STR(buf, "198.18.1.2");
	CHECK(k.addr[10] == 0xff && k.addr[11] == 0xff && k.addr[12] == 198);
	/* v4-mapped IPv6 is the same device as its IPv4 address. */
	CHECK_EQ_INT(contain_parse_id("::ffff:198.18.1.2", &k, why, sizeof(why)), 0);
	contain_key_id(&k, buf, sizeof(buf));
	CHECK_STR(buf, "ip:198.18.1.2");
	CHECK_EQ_INT(contain_parse_id("2001:DB8::1", &k, why, sizeof(why)), 0);
	contain_key_id(&k, buf, sizeof(buf));
	CHECK_STR(buf, "ip:2001:db8::1");
	CHECK_EQ_INT(contain_parse_id("mac:198.18.1.2", &k, why, sizeof(why)), -EINVAL);
	CHECK_EQ_INT(contain_parse_id("ip:aa:bb:cc:dd:ee:ff", &k, why, sizeof(why)), -EINVAL);
	CHECK_EQ_INT(contain_parse_id("aa:bb:cc:dd:ee", &k, why, sizeof(why)), -EINVAL);
	CHECK_EQ_INT(contain_parse_id("aa:bb-cc:dd:ee:ff", &k, why, sizeof(why)), -EINVAL);
	CHECK_EQ_INT(contain_parse_id("198.18.1.300", &k, why, sizeof(why)), -EINVAL);
	CHECK(strstr(why, "not a device ID") != NULL);
	CHECK_EQ_INT(contain_parse_id("printer", &k, why, sizeof(why)), -EINVAL);
	CHECK_EQ_INT(contain_parse_id("", &k, why, sizeof(why)), -EINVAL);
	CHECK_EQ_INT(contain_parse_id("ff:ff:ff:ff:ff:ff", &k, why, sizeof(why)), -EINVAL);
	CHECK(strstr(why, "broadcast") != NULL);
	CHECK_EQ_INT(contain_parse_id("01:00:5e:00:00:fb", &k, why, sizeof(why)), -EINVAL);
	CHECK_EQ_INT(contain_parse_id("00:00:00:00:00:00", &k, why, sizeof(why)), -EINVAL);
	CHECK_EQ_INT(contain_parse_id("0.0.0.0", &k, why, sizeof(why)), -EINVAL);
	CHECK_EQ_INT(contain_parse_id("127.0.0.53", &k, why, sizeof(why)), -EINVAL);
	CHECK(strstr(why, "loopback") != NULL);
	CHECK_EQ_INT(contain_parse_id("224.0.0.251", &k, why, sizeof(why)), -EINVAL);
	CHECK_EQ_INT(contain_parse_id("255.255.255.255", &k, why, sizeof(why)), -EINVAL);
	CHECK_EQ_INT(contain_parse_id("::", &k, why, sizeof(why)), -EINVAL);
	CHECK_EQ_INT(contain_parse_id("::1", &k, why, sizeof(why)), -EINVAL);
	CHECK_EQ_INT(contain_parse_id("ff02::fb", &k, why, sizeof(why)), -EINVAL);

	CHECK_EQ_INT(contain_parse_duration("30s", &ns, why, sizeof(why)), 0);
	CHECK_EQ_INT(ns, 30000000000ull);
	CHECK_EQ_INT(contain_parse_duration("10m", &ns, why, sizeof(why)), 0);
	CHECK_EQ_INT(ns, 600000000000ull);
	CHECK_EQ_INT(contain_parse_duration("2h", &ns, why, sizeof(why)), 0);
	CHECK_EQ_INT(ns, 7200000000000ull);
	CHECK_EQ_INT(contain_parse_duration("1d", &ns, why, sizeof(why)), 0);
	CHECK_EQ_INT(ns, 86400000000000ull);
	CHECK_EQ_INT(contain_parse_duration("365d", &ns, why, sizeof(why)), 0);
	CHECK_EQ_INT(contain_parse_duration("366d", &ns, why, sizeof(why)), -EINVAL);
	CHECK_EQ_INT(contain_parse_duration("0s", &ns, why, sizeof(why)), -EINVAL);
	CHECK_EQ_INT(contain_parse_duration("10", &ns, why, sizeof(why)), -EINVAL);
	CHECK_EQ_INT(contain_parse_duration("-5m", &ns, why, sizeof(why)), -EINVAL);
	CHECK_EQ_INT(contain_parse_duration("5w", &ns, why, sizeof(why)), -EINVAL);
	CHECK_EQ_INT(contain_parse_duration("5mm", &ns, why, sizeof(why)), -EINVAL);
	CHECK_EQ_INT(contain_parse_duration("99999999999999999999s", &ns, why, sizeof(why)), -EINVAL);
	CHECK(strstr(why, "30s, 10m, 2h or 1d") != NULL);
	contain_fmt_duration(7200000000000ull, buf, sizeof(buf));
	CHECK_STR(buf, "2h00m");
	contain_fmt_duration(1500000000ull, buf, sizeof(buf));
	CHECK_STR(buf, "2s");
}

TEST(refusals)
{
	struct iot_contain_key k;
	char why[512] = "";
	const char *saved = getenv("SSH_CONNECTION"), *saved2 = getenv("SSH_CLIENT");
	char *s1 = saved ? strdup(saved) : NULL, *s2 = saved2 ? strdup(saved2) : NULL;

	/* The loopback interface's address is this host's: contain_refused says so even past the ID check. */
	memset(&k, 0, sizeof(k));
	k.kind = IOT_CONTAIN_IP;
	k.addr[10] = k.addr[11] = 0xff;
	k.addr[12] = 127;
	k.addr[15] = 1;
	CHECK(contain_refused(&k, why, sizeof(why)));
	CHECK(strstr(why, "address of this host") != NULL);

	unsetenv("SSH_CLIENT");
	setenv("SSH_CONNECTION", "198.18.99.7 52000 198.18.99.1 22", 1);
	k = id("198.18.99.7");
	CHECK(contain_refused(&k, why, sizeof(why)));
	CHECK(strstr(why, "SSH session") != NULL);
	unsetenv("SSH_CONNECTION");
	setenv("SSH_CLIENT", "2001:db8:99::7 52000 22", 1);
	k = id("2001:db8:99::7");
	CHECK(contain_refused(&k, why, sizeof(why)));
	CHECK(strstr(why, "SSH_CLIENT") != NULL);
	unsetenv("SSH_CLIENT");
	CHECK(!contain_refused(&k, why, sizeof(why)));
	k = id("198.18.99.7");
	CHECK(!contain_refused(&k, why, sizeof(why)));
	if (s1)
		setenv("SSH_CONNECTION", s1, 1);
	if (s2)
		setenv("SSH_CLIENT", s2, 1);
	free(s1);
	free(s2);
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
	/* The object's private maps, as contain_open() would give them for the pinned ones; no lock needed. */
	cm.map_fd = bpf_map__fd(skel->maps.iot_contain);
	cm.state_fd = bpf_map__fd(skel->maps.iot_contain_state);
	cm.lock_fd = -1;
	rb = ring_buffer__new(bpf_map__fd(skel->maps.iot_events), collect, NULL, NULL);
	RUN(nothing_contained_everything_passes);
	RUN(closed_gate_skips_the_lookups);
	RUN(contained_source_mac_drops_in_xdp_and_tc);
	RUN(contained_destination_mac_drops);
	RUN(contained_ipv4_drops_both_directions_any_protocol);
	RUN(contained_ipv6_drops);
	RUN(arp_from_or_for_a_contained_device_drops);
	RUN(expired_entries_pass_live_ones_drop);
	RUN(truncated_frames_are_not_dropped);
	RUN(add_release_purge_keep_the_gate);
	RUN(ids_and_durations);
	RUN(refusals);
	ring_buffer__free(rb);
	iotsense_bpf__destroy(skel);
	return testlib_summary();
}
