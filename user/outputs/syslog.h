/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Syslog framing for a rendered record (CEF, LEEF or JSON): RFC 5424
 *   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD-ID PARAM="VALUE"...] MSG
 * or RFC 3164
 *   <PRI>Mmm dd hh:mm:ss HOSTNAME TAG[PROCID]: MSG
 * optionally prefixed with an RFC 6587 octet count ("LEN SP") for TCP. Header fields keep to PRINTUSASCII and
 * RFC 5424's lengths (others become '_'; empty ones the NILVALUE "-"); MSG is one line (raw newlines, tabs and
 * other controls are replaced) and the whole message is bounded, cut at a UTF-8 boundary and never inside a
 * CEF/LEEF escape. No newline is appended: TCP with newline framing adds its own, safely, since MSG has none.
 */
#ifndef IOTSENSE_OUTPUTS_SYSLOG_H
#define IOTSENSE_OUTPUTS_SYSLOG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "outputs/format.h"

/*
 * Whole-message bounds (header + MSG, without the octet count). UDP: 8 KiB, which rsyslog and syslog-ng accept
 * by default ($MaxMessageSize 8k) and which stays inside one datagram; longer records are cut. TCP: 64 KiB.
 * RFC 5424 only promises 480 octets: smaller max_len values are raised to SYSLOG_MIN_LEN so the header fits.
 */
#define SYSLOG_MAX_UDP 8192
#define SYSLOG_MAX_TCP 65536
#define SYSLOG_MIN_LEN 2048

struct syslog_sd_param {
	const char *name, *value;
};

struct syslog_msg {
	enum syslog_protocol protocol;
	int facility;	 /* 0..23 (local4 = 20); clamped */
	int severity;	 /* 0 emergency .. 7 debug; clamped */
	int64_t time_us; /* TIMESTAMP, µs since the epoch (UTC; RFC 3164 has no zone: UTC is written) */
	const char *hostname, *app_name, *procid, *msgid; /* NULL or "": "-" (3164: TAG "iotsense") */
	/* One optional RFC 5424 SD-ELEMENT, e.g. "iotsense@PEN" with record_id, site, zone (NULL: "-"). */
	const char *sd_id;
	const struct syslog_sd_param *sd;
	size_t nsd;
	size_t max_len;	  /* 0: SYSLOG_MAX_UDP */
	bool octet_count; /* RFC 6587 octet counting (TCP) */
};

/* Appends one framed message with MSG = msg[0..len). Returns 0, or -1 on allocation failure (out unchanged). */
int syslog_frame(struct fmt_buf *out, const struct syslog_msg *m, const char *msg, size_t len);

/* The syslog severity for a record: critical -> crit (2), high -> err, medium -> warning, low -> notice, else info. */
int syslog_severity_of(const json_t *rec);

#endif
