// SPDX-License-Identifier: GPL-2.0-only
/*
 * The syslog output: each record framed (syslog.h: RFC 5424 or 3164) and sent over UDP, TCP (RFC 6587 octet
 * counting) or a unix socket (datagram, as /dev/log is, else stream with newline framing). A stream is
 * connected on first use and again after any error; before each batch a TCP connection the collector has
 * closed meanwhile is noticed and replaced, so a collector restart costs a reconnect, not the batch.
 * What TCP cannot promise: bytes the kernel accepted just before the collector died are lost with it (no
 * application-level ack in syslog; RELP would add one). UDP promises nothing: a refused port shows up as an
 * error on a later send, which retries the batch, but a lost datagram is lost.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "outputs/out_int.h"
#include "outputs/syslog.h"

#define CONNECT_TIMEOUT_MS 5000
#define SEND_TIMEOUT_MS 2000

struct sl {
	const struct out_env *env;
	const struct output_config *cfg;
	int fd;
	int socktype;	     /* SOCK_DGRAM or SOCK_STREAM once connected */
	struct fmt_buf frame;
	char procid[16];
	char where[300];     /* for messages: tcp://host:port */
};

static void sl_disconnect(struct sl *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

/* connect() with a timeout: the socket is non-blocking until connected. */
static int connect_timeout(int fd, const struct sockaddr *sa, socklen_t len, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	socklen_t el = sizeof(int);
	int e = 0;

	if (connect(fd, sa, len) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return -1;
	if (poll(&p, 1, ms) <= 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0 || e) {
		errno = e ? e : errno;
		return -1;
	}
	return 0;
}

static void set_blocking_with_timeout(int fd)
{
	struct timeval tv = { .tv_sec = SEND_TIMEOUT_MS / 1000, .tv_usec = (SEND_TIMEOUT_MS % 1000) * 1000 };

	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int sl_connect_inet(struct sl *d, char *err, size_t err_size)
{
	struct addrinfo hints = { .ai_socktype = d->cfg->transport == SYSLOG_TCP ? SOCK_STREAM : SOCK_DGRAM };
	struct addrinfo *res = NULL;
	char port[8];
	int rc, e = 0;

	snprintf(port, sizeof(port), "%u", d->cfg->port);
	rc = getaddrinfo(d->cfg->host, port, &hints, &res);
	if (rc) {
		snprintf(err, err_size, "%s: %s", d->where, gai_strerror(rc));
		return -1;
	}
	for (struct addrinfo *a = res; a; a = a->ai_next) {
		int ms = atomic_load(d->env->stopping) ? 1000 : CONNECT_TIMEOUT_MS;

		d->fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
		if (d->fd < 0) {
			e = errno;
			continue;
		}
		if (connect_timeout(d->fd, a->ai_addr, a->ai_addrlen, ms) == 0) {
			d->socktype = a->ai_socktype;
			set_blocking_with_timeout(d->fd);
			freeaddrinfo(res);
			return 0;
		}
		e = errno;
		sl_disconnect(d);
	}
	freeaddrinfo(res);
	snprintf(err, err_size, "%s: %s", d->where, strerror(e));
	return -1;
}

static int sl_connect_unix(struct sl *d, char *err, size_t err_size)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	static const int types[] = { SOCK_DGRAM, SOCK_STREAM };
	int e = 0;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", d->cfg->unix_path);
	for (int i = 0; i < 2; i++) {
		d->fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0);
		if (d->fd < 0) {
			e = errno;
			continue;
		}
		if (connect(d->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			d->socktype = types[i];
			set_blocking_with_timeout(d->fd);
			return 0;
		}
		e = errno;
		sl_disconnect(d);
		if (e != EPROTOTYPE) /* only a socket of the other type is worth a second try */
			break;
	}
	snprintf(err, err_size, "%s: %s", d->where, strerror(e));
	return -1;
}

/* A stream the peer closed (or reset) since the last batch: drop it so that this batch reconnects. */
static void sl_check_alive(struct sl *d)
{
	struct pollfd p = { .fd = d->fd, .events = POLLIN | POLLRDHUP };
	char junk[512];

	if (d->fd < 0 || d->socktype != SOCK_STREAM || poll(&p, 1, 0) <= 0)
		return;
	for (int i = 0; i < 64; i++) { /* a collector has nothing to say; bounded drain if it does */
		ssize_t r = recv(d->fd, junk, sizeof(junk), MSG_DONTWAIT);

		if (r > 0)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && !(p.revents & (POLLRDHUP | POLLHUP | POLLERR)))
			return;
		break;
	}
	sl_disconnect(d);
}

static int sl_open(void **state, const struct out_env *env, char *err, size_t err_size)
{
	static const char *const transports[] = { "udp", "tcp", "unix" };
	struct sl *d = calloc(1, sizeof(*d));

	if (!d) {
		snprintf(err, err_size, "out of memory");
		return -1;
	}
	d->env = env;
	d->cfg = env->cfg;
	d->fd = -1;
	snprintf(d->procid, sizeof(d->procid), "%d", (int)getpid());
	if (d->cfg->transport == SYSLOG_UNIX)
		snprintf(d->where, sizeof(d->where), "unix://%s", d->cfg->unix_path);
	else
		snprintf(d->where, sizeof(d->where), strchr(d->cfg->host, ':') ? "%s://[%s]:%u" : "%s://%s:%u",
			 transports[d->cfg->transport], d->cfg->host, d->cfg->port);
	*state = d;
	return 0;
}

/* OCSF severity_id -> syslog severity (as syslog.h documents for records). */
static int syslog_sev(int severity_id)
{
	static const int map[] = { 6, 6, 5, 4, 3, 2, 2 }; /* unknown, info, low, medium, high, critical, fatal */

	return severity_id >= 0 && severity_id <= 6 ? map[severity_id] : 6;
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int sl_send(void *state, const struct out_batch *b, const struct out_item *items, size_t n, size_t *done,
		   char *err, size_t err_size)
{
	struct sl *d = state;

	*done = 0;
	sl_check_alive(d);
	if (d->fd < 0 && (d->cfg->transport == SYSLOG_UNIX ? sl_connect_unix(d, err, err_size)
							   : sl_connect_inet(d, err, err_size)) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		bool stream = d->socktype == SOCK_STREAM;
		struct syslog_msg m = {
			.protocol = d->cfg->protocol,
			.facility = d->cfg->facility,
			.severity = syslog_sev(items[i].severity_id),
			.time_us = items[i].time_s * 1000000,
			.hostname = d->env->hostname,
			.app_name = d->cfg->app_name,
			.procid = d->procid,
			.msgid = items[i].kind,
			.max_len = stream ? SYSLOG_MAX_TCP : SYSLOG_MAX_UDP,
			/* TCP: octet counting; a unix stream (syslog-ng, journald) expects one message a line */
			.octet_count = stream && d->cfg->transport == SYSLOG_TCP,
		};
		int rc;

		fmt_buf_reset(&d->frame);
		if (syslog_frame(&d->frame, &m, b->buf.p + items[i].off, items[i].len) < 0) {
			snprintf(err, err_size, "out of memory");
			return -1;
		}
		if (stream && !m.octet_count)
			fmt_buf_put(&d->frame, "\n", 1);
		if (d->frame.oom) {
			snprintf(err, err_size, "out of memory");
			return -1;
		}
		if (stream)
			rc = send_all(d->fd, d->frame.p, d->frame.len);
		else
			while ((rc = (int)send(d->fd, d->frame.p, d->frame.len, MSG_NOSIGNAL)) < 0 && errno == EINTR)
				;
		if (rc < 0) {
			snprintf(err, err_size, "%s: %s", d->where,
				 errno == EAGAIN ? "send timed out (the collector does not read)" : strerror(errno));
			sl_disconnect(d);
			return -1;
		}
		*done = i + 1;
	}
	return 0;
}

static void sl_close(void *state)
{
	struct sl *d = state;

	sl_disconnect(d);
	fmt_buf_free(&d->frame);
	free(d);
}

const struct out_driver out_syslog = { .open = sl_open, .send = sl_send, .close = sl_close };
