// SPDX-License-Identifier: GPL-2.0-only
/*
 * Containment from user space: device IDs, the refusal checks that keep the sensor reachable, and the pinned
 * iot_contain map with its gate. The kernel enforces expiry on its own; user space deletes expired entries
 * (contain, release, status and the daemon's sweep) and keeps the gate equal to the number of entries.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <linux/if_packet.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "contain.h"
#include "lib/jsonw.h"
#include "lib/log.h"
#include "loader.h"
#include "pipeline.h"

/* ---- IDs ---- */

static const uint8_t v4mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

static bool key_is_v4(const struct iot_contain_key *k)
{
	return k->kind == IOT_CONTAIN_IP && !memcmp(k->addr, v4mapped_prefix, 12);
}

static void key_set_ip(struct iot_contain_key *k, int family, const void *addr)
{
	memset(k, 0, sizeof(*k));
	k->kind = IOT_CONTAIN_IP;
	if (family == AF_INET) {
		memcpy(k->addr, v4mapped_prefix, 12);
		memcpy(k->addr + 12, addr, 4);
	} else {
		memcpy(k->addr, addr, 16);
	}
}

static void key_set_mac(struct iot_contain_key *k, const uint8_t *mac)
{
	memset(k, 0, sizeof(*k));
	k->kind = IOT_CONTAIN_MAC;
	memcpy(k->addr, mac, 6);
}

static bool key_eq(const struct iot_contain_key *a, const struct iot_contain_key *b)
{
	return !memcmp(a, b, sizeof(*a));
}

static int hexval(char c)
{
	return isdigit((unsigned char)c) ? c - '0' : tolower((unsigned char)c) - 'a' + 10;
}

static bool parse_mac(const char *s, uint8_t mac[6])
{
	if (strlen(s) != 17)
		return false;
	for (int i = 0; i < 6; i++) {
		const char *p = s + i * 3;

		if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]))
			return false;
		if (i < 5 && p[2] != s[2]) /* one separator throughout, ':' or '-' */
			return false;
		mac[i] = hexval(p[0]) << 4 | hexval(p[1]);
	}
	return s[2] == ':' || s[2] == '-';
}

/* Addresses that name no single device. */
static const char *not_a_device(const struct iot_contain_key *k)
{
	static const uint8_t zero[16], loop6[16] = { [15] = 1 };
	const uint8_t *a = k->addr;

	if (k->kind == IOT_CONTAIN_MAC) {
		if (!memcmp(a, zero, 6))
			return "the all-zero MAC";
		if (!memcmp(a, "\xff\xff\xff\xff\xff\xff", 6))
			return "the broadcast MAC";
		if (a[0] & 1)
			return "a multicast MAC";
		return NULL;
	}
	if (key_is_v4(k)) {
		const uint8_t *v4 = a + 12;

		if (v4[0] == 0)
			return "an unspecified ('this network') address";
		if (v4[0] == 127)
			return "a loopback address";
		if (v4[0] >= 224 && v4[0] < 240)
			return "a multicast address";
		if (!memcmp(v4, "\xff\xff\xff\xff", 4))
			return "the broadcast address";
		return NULL;
	}
	if (!memcmp(a, zero, 16))
		return "the unspecified address";
	if (!memcmp(a, loop6, 16))
		return "the loopback address";
	if (a[0] == 0xff)
		return "a multicast address";
	return NULL;
}

int contain_parse_id(const char *s, struct iot_contain_key *key, char *why, size_t whylen)
{
	const char *p = s, *bad;
	bool only_mac = false, only_ip = false;
	uint8_t buf[16];
	char text[CONTAIN_ID_LEN];

	memset(key, 0, sizeof(*key));
	if (!strncmp(p, "mac:", 4)) {
		p += 4;
		only_mac = true;
	} else if (!strncmp(p, "ip:", 3)) {
		p += 3;
		only_ip = true;
	}
	if (!only_ip && parse_mac(p, buf))
		key_set_mac(key, buf);
	else if (!only_mac && inet_pton(AF_INET, p, buf) == 1)
		key_set_ip(key, AF_INET, buf);
	else if (!only_mac && inet_pton(AF_INET6, p, buf) == 1)
		key_set_ip(key, AF_INET6, buf);
	else {
		snprintf(why, whylen, "'%s' is not a device ID: give a MAC (aa:bb:cc:dd:ee:ff) or an IPv4 or IPv6 "
			 "address", s);
		return -EINVAL;
	}
	bad = not_a_device(key);
	if (bad) {
		contain_key_addr(key, text, sizeof(text));
		snprintf(why, whylen, "%s is %s, not a device", text, bad);
		return -EINVAL;
	}
	return 0;
}

int contain_parse_duration(const char *s, uint64_t *ns, char *why, size_t whylen)
{
	unsigned long long v;
	uint64_t unit;
	char *end;

	errno = 0;
	if (!isdigit((unsigned char)s[0]))
		goto bad;
	v = strtoull(s, &end, 10);
	if (errno || end == s || end[0] == 0 || end[1] != 0)
		goto bad;
	switch (end[0]) {
	case 's':
		unit = 1;
		break;
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	default:
		goto bad;
	}
	if (v > CONTAIN_FOR_MAX_NS / 1000000000ull) /* no overflow below */
		goto bad;
	*ns = v * unit * 1000000000ull;
	if (*ns < CONTAIN_FOR_MIN_NS || *ns > CONTAIN_FOR_MAX_NS)
		goto bad;
	return 0;
bad:
	snprintf(why, whylen, "--for wants a duration like 30s, 10m, 2h or 1d (from 1s to 365d), not '%s'", s);
	return -EINVAL;
}

void contain_key_addr(const struct iot_contain_key *k, char *buf, size_t size)
{
	const uint8_t *a = k->addr;

	if (k->kind == IOT_CONTAIN_MAC)
		snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", a[0], a[1], a[2], a[3], a[4], a[5]);
	else if (k->kind != IOT_CONTAIN_IP || !inet_ntop(key_is_v4(k) ? AF_INET : AF_INET6,
							  key_is_v4(k) ? a + 12 : a, buf, size))
		snprintf(buf, size, "?");
}

void contain_key_id(const struct iot_contain_key *k, char *buf, size_t size)
{
	char addr[INET6_ADDRSTRLEN];

	contain_key_addr(k, addr, sizeof(addr));
	snprintf(buf, size, "%s:%s", k->kind == IOT_CONTAIN_MAC ? "mac" : "ip", addr);
}

void contain_fmt_duration(uint64_t ns, char *buf, size_t size)
{
	uint64_t s = (ns + 999999999ull) / 1000000000ull; /* rounded up: "1s" until it is over */

	if (s >= 86400)
		snprintf(buf, size, "%llud%lluh", (unsigned long long)(s / 86400),
			 (unsigned long long)(s % 86400 / 3600));
	else if (s >= 3600)
		snprintf(buf, size, "%lluh%02llum", (unsigned long long)(s / 3600),
			 (unsigned long long)(s % 3600 / 60));
	else if (s >= 60)
		snprintf(buf, size, "%llum%02llus", (unsigned long long)(s / 60), (unsigned long long)(s % 60));
	else
		snprintf(buf, size, "%llus", (unsigned long long)s);
}

/* ---- refusals: never cut the sensor off ---- */

#define MAX_NEXTHOPS 32

struct refuse_ctx {
	const struct iot_contain_key *key;
	struct {
		struct iot_contain_key ip;
		char dev[IF_NAMESIZE];
	} gw[MAX_NEXTHOPS];
	int ngw;
	struct iot_contain_key peer; /* kind 0: no SSH session */
	const char *peer_var;
	char *why;
	size_t whylen;
	bool hit;
};

/* One rtnetlink dump (RTM_GETROUTE or RTM_GETNEIGH); cb sees each RTM_NEW* message. Bounded by a receive
 * timeout and a message budget. */
static int nl_dump(uint16_t type, void (*cb)(struct nlmsghdr *nh, struct refuse_ctx *c), struct refuse_ctx *c)
{
	struct {
		struct nlmsghdr nh;
		union {
			struct rtmsg rt;
			struct ndmsg nd;
		} u;
	} req;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 2 };
	static char buf[65536] __attribute__((aligned(8)));
	int fd, err = 0, rounds;
	bool done = false;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(type == RTM_GETROUTE ? sizeof(struct rtmsg) : sizeof(struct ndmsg));
	req.nh.nlmsg_type = type;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = 1;
	/* AF_UNSPEC in either header: every family. */
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		goto out;
	}
	for (rounds = 0; !done && rounds < 100000; rounds++) {
		ssize_t got = recv(fd, buf, sizeof(buf), 0);
		int len = (int)got;
		struct nlmsghdr *nh;

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			err = got < 0 ? -errno : -EIO;
			break;
		}
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);

				err = e->error ? e->error : 0;
				done = true;
				break;
			}
			if (nh->nlmsg_type == type - 2) /* RTM_NEWROUTE, RTM_NEWNEIGH */
				cb(nh, c);
		}
	}
	if (!done && !err)
		err = -EIO;
out:
	close(fd);
	return err;
}

static void add_nexthop(struct refuse_ctx *c, int family, const void *addr, int len, int oif)
{
	if (c->ngw >= MAX_NEXTHOPS || !((family == AF_INET && len == 4) || (family == AF_INET6 && len == 16)))
		return;
	key_set_ip(&c->gw[c->ngw].ip, family, addr);
	if (!oif || !if_indextoname(oif, c->gw[c->ngw].dev))
		c->gw[c->ngw].dev[0] = 0;
	c->ngw++;
}

static void add_via(struct refuse_ctx *c, const struct rtattr *a, int oif)
{
	const struct rtvia *via = RTA_DATA(a);

	if (RTA_PAYLOAD(a) >= sizeof(*via))
		add_nexthop(c, via->rtvia_family, via->rtvia_addr, RTA_PAYLOAD(a) - sizeof(*via), oif);
}

/* Default routes (any table): their gateways, including each path of a multipath route. */
static void route_cb(struct nlmsghdr *nh, struct refuse_ctx *c)
{
	struct rtmsg *rt = NLMSG_DATA(nh);
	int len = RTM_PAYLOAD(nh), oif = 0;
	struct rtattr *a;

	if (rt->rtm_dst_len != 0 || rt->rtm_type != RTN_UNICAST ||
	    (rt->rtm_family != AF_INET && rt->rtm_family != AF_INET6))
		return;
	for (a = RTM_RTA(rt); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == RTA_OIF && RTA_PAYLOAD(a) >= 4)
			memcpy(&oif, RTA_DATA(a), 4);
	len = RTM_PAYLOAD(nh);
	for (a = RTM_RTA(rt); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == RTA_GATEWAY) {
			add_nexthop(c, rt->rtm_family, RTA_DATA(a), RTA_PAYLOAD(a), oif);
		} else if (a->rta_type == RTA_VIA) {
			add_via(c, a, oif);
		} else if (a->rta_type == RTA_MULTIPATH) {
			struct rtnexthop *nhp = RTA_DATA(a);
			int mlen = RTA_PAYLOAD(a);

			while (mlen >= (int)sizeof(*nhp) && nhp->rtnh_len >= sizeof(*nhp) && nhp->rtnh_len <= mlen) {
				int alen = nhp->rtnh_len - sizeof(*nhp);
				struct rtattr *s;

				for (s = RTNH_DATA(nhp); RTA_OK(s, alen); s = RTA_NEXT(s, alen)) {
					if (s->rta_type == RTA_GATEWAY)
						add_nexthop(c, rt->rtm_family, RTA_DATA(s), RTA_PAYLOAD(s),
							    nhp->rtnh_ifindex);
					else if (s->rta_type == RTA_VIA)
						add_via(c, s, nhp->rtnh_ifindex);
				}
				mlen -= RTNH_ALIGN(nhp->rtnh_len);
				nhp = RTNH_NEXT(nhp);
			}
		}
	}
}

/* A neighbour whose MAC is the key's: refused when its IP is a default next hop or the SSH peer. */
static void neigh_cb(struct nlmsghdr *nh, struct refuse_ctx *c)
{
	struct ndmsg *nd = NLMSG_DATA(nh);
	int len = NLMSG_PAYLOAD(nh, sizeof(*nd));
	struct rtattr *a;
	struct iot_contain_key ip = { 0 };
	bool mac_match = false;
	char mac[32], addr[INET6_ADDRSTRLEN];

	if (c->hit || (nd->ndm_family != AF_INET && nd->ndm_family != AF_INET6))
		return;
	for (a = (struct rtattr *)((char *)nd + NLMSG_ALIGN(sizeof(*nd))); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == NDA_LLADDR && RTA_PAYLOAD(a) == 6 && !memcmp(RTA_DATA(a), c->key->addr, 6))
			mac_match = true;
		else if (a->rta_type == NDA_DST &&
			 RTA_PAYLOAD(a) == (nd->ndm_family == AF_INET ? 4u : 16u))
			key_set_ip(&ip, nd->ndm_family, RTA_DATA(a));
	}
	if (!mac_match || !ip.kind)
		return;
	contain_key_addr(c->key, mac, sizeof(mac));
	contain_key_addr(&ip, addr, sizeof(addr));
	for (int i = 0; i < c->ngw; i++) {
		if (key_eq(&ip, &c->gw[i].ip)) {
			snprintf(c->why, c->whylen,
				 "%s is the MAC of %s, the next hop of this host's default route%s%s: containing it "
				 "would cut the management path",
				 mac, addr, c->gw[i].dev[0] ? " via " : "", c->gw[i].dev);
			c->hit = true;
			return;
		}
	}
	if (c->peer.kind && key_eq(&ip, &c->peer)) {
		snprintf(c->why, c->whylen, "%s is the MAC of %s, the peer of the current SSH session ($%s): "
			 "containing it would cut this session", mac, addr, c->peer_var);
		c->hit = true;
	}
}

/* The client address of the SSH session this command runs in, if any. */
static void ssh_peer(struct refuse_ctx *c)
{
	static const char *const vars[] = { "SSH_CONNECTION", "SSH_CLIENT" };
	uint8_t buf[16];

	for (unsigned int i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);
		char host[INET6_ADDRSTRLEN + 16];
		size_t n;

		if (!v || !*v)
			continue;
		n = strcspn(v, " \t%"); /* first field; a link-local zone ("%eth0") is not part of the address */
		if (n >= sizeof(host))
			continue;
		memcpy(host, v, n);
		host[n] = 0;
		if (inet_pton(AF_INET, host, buf) == 1)
			key_set_ip(&c->peer, AF_INET, buf);
		else if (inet_pton(AF_INET6, host, buf) == 1)
			key_set_ip(&c->peer, AF_INET6, buf);
		else
			continue;
		c->peer_var = vars[i];
		return;
	}
}

static bool local_interface(const struct iot_contain_key *key, char *why, size_t whylen)
{
	struct ifaddrs *ifa, *i;
	struct iot_contain_key k;
	char text[INET6_ADDRSTRLEN];
	bool hit = false;

	if (getifaddrs(&ifa)) {
		snprintf(why, whylen, "cannot list this host's interfaces (%s): refusing rather than risk containing "
			 "the sensor itself", strerror(errno));
		return true;
	}
	contain_key_addr(key, text, sizeof(text));
	for (i = ifa; i && !hit; i = i->ifa_next) {
		int fam = i->ifa_addr ? i->ifa_addr->sa_family : AF_UNSPEC;

		if (key->kind == IOT_CONTAIN_IP && fam == AF_INET)
			key_set_ip(&k, AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr);
		else if (key->kind == IOT_CONTAIN_IP && fam == AF_INET6)
			key_set_ip(&k, AF_INET6, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr);
		else if (key->kind == IOT_CONTAIN_MAC && fam == AF_PACKET &&
			 ((struct sockaddr_ll *)i->ifa_addr)->sll_halen == 6)
			key_set_mac(&k, ((struct sockaddr_ll *)i->ifa_addr)->sll_addr);
		else
			continue;
		if (key_eq(&k, key)) {
			snprintf(why, whylen,
				 "%s is %s of this host (interface %s): containing it would cut the sensor off; "
				 "contain the device, not the host", text,
				 key->kind == IOT_CONTAIN_MAC ? "the MAC of an interface" : "an address", i->ifa_name);
			hit = true;
		}
	}
	freeifaddrs(ifa);
	return hit;
}

bool contain_refused(const struct iot_contain_key *key, char *why, size_t whylen)
{
	struct refuse_ctx *c;
	char text[INET6_ADDRSTRLEN];
	bool hit;
	int err;

	if (local_interface(key, why, whylen))
		return true;
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(why, whylen, "out of memory while checking the management path");
		return true;
	}
	c->key = key;
	c->why = why;
	c->whylen = whylen;
	contain_key_addr(key, text, sizeof(text));
	err = nl_dump(RTM_GETROUTE, route_cb, c);
	if (err) {
		snprintf(why, whylen, "cannot read the routing table (%s): refusing rather than risk cutting the "
			 "management path", strerror(-err));
		free(c);
		return true;
	}
	ssh_peer(c);
	if (key->kind == IOT_CONTAIN_IP) {
		for (int i = 0; i < c->ngw && !c->hit; i++) {
			if (key_eq(key, &c->gw[i].ip)) {
				snprintf(why, whylen, "%s is the next hop of this host's default route%s%s: containing "
					 "it would cut the management path", text, c->gw[i].dev[0] ? " via " : "",
					 c->gw[i].dev);
				c->hit = true;
			}
		}
		if (!c->hit && c->peer.kind && key_eq(key, &c->peer)) {
			snprintf(why, whylen, "%s is the peer of the current SSH session ($%s): containing it would "
				 "cut this session", text, c->peer_var);
			c->hit = true;
		}
	} else if (c->ngw || c->peer.kind) {
		err = nl_dump(RTM_GETNEIGH, neigh_cb, c);
		if (err && !c->hit) {
			snprintf(why, whylen, "cannot read the neighbour table (%s): refusing rather than risk cutting "
				 "the management path", strerror(-err));
			c->hit = true;
		}
	}
	hit = c->hit;
	free(c);
	return hit;
}

/* ---- the maps ---- */

uint64_t contain_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int64_t contain_mono_to_real(void)
{
	struct timespec r, m;

	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m);
	return ((int64_t)r.tv_sec - m.tv_sec) * 1000000000ll + (r.tv_nsec - m.tv_nsec);
}

/* The map must have our layout: a map pinned by another iotsense version is refused, not misread. */
static int check_layout(int fd, const char *name, uint32_t key_size, uint32_t value_size)
{
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.key_size != key_size || info.value_size != value_size) {
		pr_err("the pinned %s has another layout (another iotsense version?): run 'iotsense unload --all' "
		       "and load again\n", name);
		return -EPROTO;
	}
	return 0;
}

int contain_open(const char *pin_dir, struct contain_maps *m, bool quiet)
{
	int err, fd;

	m->map_fd = m->state_fd = m->lock_fd = -1;
	m->map_fd = loader_open_pinned(pin_dir, "iot_contain");
	if (m->map_fd < 0) {
		err = m->map_fd;
		if (quiet)
			return err;
		if (err == -EPERM || err == -EACCES) {
			pr_err("reading %s was refused: run as root\n", pin_dir);
		} else if (err == -ENOENT) {
			fd = loader_open_pinned(pin_dir, "iot_attach");
			if (fd >= 0) {
				close(fd);
				pr_err("the iotsense maps pinned under %s predate containment: run 'iotsense unload "
				       "--all', then 'iotsense load -i IFACE' again\n", pin_dir);
			} else {
				pr_err("no pinned iotsense maps under %s: run 'iotsense load -i IFACE' or "
				       "'iotsense run' first\n", pin_dir);
			}
		} else {
			pr_err("opening %s/iot_contain failed: %s\n", pin_dir, strerror(-err));
		}
		return err;
	}
	m->state_fd = loader_open_pinned(pin_dir, "iot_contain_state");
	if (m->state_fd < 0) {
		err = m->state_fd;
		if (!quiet)
			pr_err("opening %s/iot_contain_state failed: %s\n", pin_dir, strerror(-err));
		goto fail;
	}
	err = check_layout(m->map_fd, "iot_contain", sizeof(struct iot_contain_key), sizeof(struct iot_contain_val));
	if (!err)
		err = check_layout(m->state_fd, "iot_contain_state", sizeof(__u32), sizeof(struct iot_contain_state));
	if (err)
		goto fail;
	m->lock_fd = open(pin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (m->lock_fd < 0) {
		err = -errno;
		if (!quiet)
			pr_err("opening %s failed: %s\n", pin_dir, strerror(-err));
		goto fail;
	}
	return 0;
fail:
	contain_close(m);
	return err;
}

void contain_close(struct contain_maps *m)
{
	if (m->map_fd >= 0)
		close(m->map_fd);
	if (m->state_fd >= 0)
		close(m->state_fd);
	if (m->lock_fd >= 0)
		close(m->lock_fd);
	m->map_fd = m->state_fd = m->lock_fd = -1;
}

/* Writers take the pin dir's flock: bounded wait, every holder is a short command. */
static int lock_take(struct contain_maps *m)
{
	if (m->lock_fd < 0)
		return 0;
	for (int i = 0; i < 50; i++) {
		if (!flock(m->lock_fd, LOCK_EX | LOCK_NB))
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		usleep(100000);
	}
	pr_err("another iotsense command holds the containment lock for 5 s; try again\n");
	return -EBUSY;
}

static void lock_drop(struct contain_maps *m)
{
	if (m->lock_fd >= 0)
		flock(m->lock_fd, LOCK_UN);
}

/* Entries per kind. The hash map holds at most IOT_CONTAIN_MAX; the walk is bounded even if it restarts (an
 * overcount only costs lookups, never a missed drop). */
static void count_entries(int fd, struct iot_contain_state *st)
{
	struct iot_contain_key k, next;
	int err = bpf_map_get_next_key(fd, NULL, &k);

	memset(st, 0, sizeof(*st));
	for (int n = 0; !err && n < 2 * IOT_CONTAIN_MAX; n++) {
		if (k.kind == IOT_CONTAIN_MAC)
			st->macs++;
		else
			st->ips++;
		err = bpf_map_get_next_key(fd, &k, &next);
		k = next;
	}
}

static int sync_gate_locked(struct contain_maps *m)
{
	struct iot_contain_state st;
	__u32 zero = 0;

	count_entries(m->map_fd, &st);
	if (bpf_map_update_elem(m->state_fd, &zero, &st, BPF_ANY)) {
		int err = -errno;

		pr_err("updating the containment gate failed: %s\n", strerror(-err));
		return err;
	}
	return 0;
}

int contain_sync_gate(struct contain_maps *m)
{
	int err = lock_take(m);

	if (err)
		return err;
	err = sync_gate_locked(m);
	lock_drop(m);
	return err;
}

int contain_add(struct contain_maps *m, const struct iot_contain_key *key, uint64_t for_ns, uint64_t now,
		struct iot_contain_val *out, bool *updated)
{
	struct iot_contain_val v = {}, old;
	int err = lock_take(m);

	if (err)
		return err;
	*updated = false;
	/* A live entry keeps its since and drops (the few drops counted between lookup and update are lost). */
	if (!bpf_map_lookup_elem(m->map_fd, key, &old) && !contain_expired(&old, now)) {
		v = old;
		*updated = true;
	} else {
		v.since_ns = now;
	}
	v.expires_ns = for_ns ? now + for_ns : 0;
	/* Entry first, then the gate: a gate open before its entry costs lookups, never a missed drop. */
	if (bpf_map_update_elem(m->map_fd, key, &v, BPF_ANY))
		err = -errno;
	else
		err = sync_gate_locked(m);
	lock_drop(m);
	if (!err && out)
		*out = v;
	return err;
}

int contain_del(struct contain_maps *m, const struct iot_contain_key *key, uint64_t now, struct iot_contain_val *old)
{
	struct iot_contain_val v;
	int err = lock_take(m);

	if (err)
		return err;
	if (bpf_map_lookup_elem(m->map_fd, key, &v)) {
		err = -ENOENT;
	} else {
		if (old)
			*old = v;
		if (bpf_map_delete_elem(m->map_fd, key) && errno != ENOENT) {
			err = -errno;
		} else {
			err = sync_gate_locked(m);
			if (!err && contain_expired(&v, now))
				err = -ENOENT; /* it had lapsed already: removed, but it was not contained */
		}
	}
	lock_drop(m);
	return err;
}

int contain_list(const struct contain_maps *m, struct contain_entry **out)
{
	struct contain_entry *v = NULL;
	struct iot_contain_key k, next;
	int n = 0, cap = 0, err = bpf_map_get_next_key(m->map_fd, NULL, &k);

	*out = NULL;
	for (int steps = 0; !err && steps < 2 * IOT_CONTAIN_MAX; steps++) {
		if (n == cap) {
			struct contain_entry *nv = realloc(v, (cap ? cap * 2 : 16) * sizeof(*v));

			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
			cap = cap ? cap * 2 : 16;
		}
		/* An entry deleted under us is skipped; a restarted walk can repeat one, so skip repeats too. */
		if (!bpf_map_lookup_elem(m->map_fd, &k, &v[n].val)) {
			bool dup = false;

			for (int i = 0; i < n && !dup; i++)
				dup = key_eq(&v[i].key, &k);
			if (!dup) {
				v[n].key = k;
				n++;
			}
		}
		err = bpf_map_get_next_key(m->map_fd, &k, &next);
		k = next;
	}
	*out = v;
	return n;
}

int contain_purge_expired(struct contain_maps *m, uint64_t now)
{
	struct contain_entry *e;
	int n, purged = 0, err = lock_take(m);

	if (err)
		return err;
	n = contain_list(m, &e);
	for (int i = 0; i < n; i++)
		if (contain_expired(&e[i].val, now) && !bpf_map_delete_elem(m->map_fd, &e[i].key))
			purged++;
	free(e);
	if (purged)
		sync_gate_locked(m);
	lock_drop(m);
	return n < 0 ? n : purged;
}

void contain_unpin_if_unused(const char *pin_dir)
{
	struct iot_attach_key ak;
	struct contain_maps m;
	char path[PATH_MAX];
	int fd = registry_open(pin_dir);

	if (fd >= 0) {
		bool empty = bpf_map_get_next_key(fd, NULL, &ak) != 0;

		close(fd);
		if (!empty)
			return;
	}
	if (!contain_open(pin_dir, &m, true)) {
		struct contain_entry *e;
		uint64_t now = contain_now();
		int n = contain_list(&m, &e), live = 0;

		for (int i = 0; i < n; i++)
			live += !contain_expired(&e[i].val, now);
		free(e);
		contain_close(&m);
		if (live)
			pr_warn("%d contained device%s released: no interface is attached any more to enforce it\n",
				live, live == 1 ? "" : "s");
	}
	snprintf(path, sizeof(path), "%s/iot_contain", pin_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/iot_contain_state", pin_dir);
	unlink(path);
}

/* ---- the daemon's alerts ---- */

/*
 * One record per containment transition, aligned with OCSF Detection Finding (class_uid 2004, category 2):
 *   record      "alert"
 *   class_uid   2004; category_uid 2 (Findings)
 *   activity_id 1 (Create) when contained, 3 (Close) when released or expired
 *   time        when the sweep saw the transition (RFC 3339, UTC)
 *   severity    "high" (severity_id 4) for contained; "informational" (1) for released and expired
 *   finding     {title, uid}: uid names the containment episode (device id @ since, epoch ms), so the
 *               contained and closing records of one episode share it
 *   device      {id ("mac:..." or "ip:..."), mac or ip}
 *   action      "contained" | "released" | "expired"
 *   since       when it was contained; expires: when it lapses (null: until released)
 *   drops       frames dropped for it so far (for released: as of the last sweep)
 */
static void emit_alert(struct pipeline *pl, const struct contain_entry *e, const char *action, uint64_t now,
		       int64_t m2r)
{
	struct jsonw *w = &pl->jw;
	bool opened = !strcmp(action, "contained");
	char id[CONTAIN_ID_LEN], addr[INET6_ADDRSTRLEN], uid[CONTAIN_ID_LEN + 32];
	uint64_t since = e->val.since_ns + m2r;

	contain_key_id(&e->key, id, sizeof(id));
	contain_key_addr(&e->key, addr, sizeof(addr));
	snprintf(uid, sizeof(uid), "contain:%s@%llu", id, (unsigned long long)(since / 1000000));
	jw_reset(w);
	jw_obj_open(w);
	jw_kstr(w, "record", "alert");
	jw_ku64(w, "class_uid", 2004); /* OCSF Detection Finding */
	jw_ku64(w, "category_uid", 2);
	jw_ku64(w, "activity_id", opened ? 1 : 3);
	jw_ktime(w, "time", now + m2r);
	jw_kstr(w, "severity", opened ? "high" : "informational");
	jw_ku64(w, "severity_id", opened ? 4 : 1);
	jw_key(w, "finding");
	jw_obj_open(w);
	jw_kstr(w, "title", opened ? "Device contained" : !strcmp(action, "expired") ? "Device containment expired" :
			   "Device released from containment");
	jw_kstr(w, "uid", uid);
	jw_obj_close(w);
	jw_key(w, "device");
	jw_obj_open(w);
	jw_kstr(w, "id", id);
	jw_kstr(w, e->key.kind == IOT_CONTAIN_MAC ? "mac" : "ip", addr);
	jw_obj_close(w);
	jw_kstr(w, "action", action);
	jw_ktime(w, "since", since);
	if (e->val.expires_ns) {
		jw_ktime(w, "expires", e->val.expires_ns + m2r);
	} else {
		jw_key(w, "expires");
		jw_null(w);
	}
	jw_ku64(w, "drops", e->val.drops);
	jw_obj_close(w);
	jw_end_line(w);
	if (w->oom || fwrite(w->buf, 1, w->len, pl->out) != w->len)
		pl->st.write_errors++;
}

static const struct contain_entry *find_entry(const struct contain_entry *v, int n, const struct iot_contain_key *k)
{
	for (int i = 0; i < n; i++)
		if (key_eq(&v[i].key, k))
			return &v[i];
	return NULL;
}

void contain_watch_sweep(struct contain_watch *w, const char *pin_dir, struct pipeline *pl)
{
	struct contain_entry *cur;
	uint64_t now = contain_now();
	int64_t m2r = contain_mono_to_real();
	int n, nlive = 0, expired = 0;

	if (!w->opened) {
		if (contain_open(pin_dir, &w->m, true)) {
			if (!w->warned)
				pr_warn("no containment map under %s: no contain/release alerts\n", pin_dir);
			w->warned = true;
			return;
		}
		w->opened = true;
	}
	n = contain_list(&w->m, &cur);
	if (n < 0)
		return;
	/* Ends first, then starts: gone since the last sweep (released, or expired and deleted by status or contain)
	 * or expired now. */
	for (int i = 0; i < w->nseen; i++)
		if (!find_entry(cur, n, &w->seen[i].key))
			emit_alert(pl, &w->seen[i], contain_expired(&w->seen[i].val, now) ? "expired" : "released", now,
				   m2r);
	for (int i = 0; i < n; i++) {
		if (contain_expired(&cur[i].val, now)) {
			emit_alert(pl, &cur[i], "expired", now, m2r);
			expired++;
		}
	}
	for (int i = 0; i < n; i++) {
		const struct contain_entry *prev = find_entry(w->seen, w->nseen, &cur[i].key);

		/* New, or contained again with another expiry. */
		if (contain_expired(&cur[i].val, now))
			continue;
		if (!prev || prev->val.since_ns != cur[i].val.since_ns ||
		    prev->val.expires_ns != cur[i].val.expires_ns)
			emit_alert(pl, &cur[i], "contained", now, m2r);
	}
	if (expired)
		contain_purge_expired(&w->m, now);
	for (int i = 0; i < n; i++)
		if (!contain_expired(&cur[i].val, now))
			cur[nlive++] = cur[i];
	free(w->seen);
	w->seen = cur;
	w->nseen = nlive;
}

void contain_watch_free(struct contain_watch *w)
{
	if (w->opened)
		contain_close(&w->m);
	free(w->seen);
	memset(w, 0, sizeof(*w));
}
