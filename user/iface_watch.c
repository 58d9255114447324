// SPDX-License-Identifier: GPL-2.0-only
/* Interface names, patterns and the netlink link watch (see iface_watch.h). */
#include <errno.h>
#include <fnmatch.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "iface_watch.h"

bool iface_is_pattern(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

bool iface_matches(const char *const *pats, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!fnmatch(pats[i], name, 0))
			return true;
	return false;
}

int iface_watch_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* The IFLA_IFNAME of a link message, or NULL. */
static const char *link_name(struct nlmsghdr *nh)
{
	struct ifinfomsg *ifi = NLMSG_DATA(nh);
	int len = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi));

	for (struct rtattr *a = IFLA_RTA(ifi); len > 0 && RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == IFLA_IFNAME && RTA_PAYLOAD(a) >= 1 && RTA_PAYLOAD(a) <= IF_NAMESIZE &&
		    memchr(RTA_DATA(a), '\0', RTA_PAYLOAD(a)))
			return RTA_DATA(a);
	return NULL;
}

int iface_watch_read(int fd, iface_cb cb, void *ctx)
{
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));

	/* Bounded: at most 1024 reads a call; what is left stays readable for the next round of the loop. */
	for (int round = 0; round < 1024; round++) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);

		if (len < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -errno;
		for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)len);
		     nh = NLMSG_NEXT(nh, len)) {
			struct ifinfomsg *ifi;
			const char *name;

			if (nh->nlmsg_type != RTM_NEWLINK && nh->nlmsg_type != RTM_DELLINK)
				continue;
			if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
				continue;
			ifi = NLMSG_DATA(nh);
			name = link_name(nh);
			if (!name || ifi->ifi_index <= 0)
				continue;
			cb(ctx, nh->nlmsg_type == RTM_NEWLINK ? IFACE_PRESENT : IFACE_GONE, (uint32_t)ifi->ifi_index,
			   name);
		}
	}
	return 0;
}

int iface_scan(iface_cb cb, void *ctx)
{
	struct if_nameindex *all = if_nameindex();

	if (!all)
		return -errno;
	for (struct if_nameindex *i = all; i->if_index; i++)
		cb(ctx, IFACE_PRESENT, i->if_index, i->if_name);
	if_freenameindex(all);
	return 0;
}
