/* SPDX-License-Identifier: GPL-2.0-only */
/* What the store's files share: times, severities and record ids as the records write them. */
#ifndef IOTSENSE_STORE_INT_H
#define IOTSENSE_STORE_INT_H

#include <stddef.h>
#include <stdint.h>

/* Now as RFC 3339 UTC with microseconds, the form every record uses. */
void store_now_rfc3339(char *buf, size_t size);
/* "2024-01-02T03:04:05.123456Z" into epoch ns; 0 when it is not in that form. */
uint64_t store_parse_time(const char *s);
/* OCSF severity_id of a severity name: informational 1 .. critical 5; 0 unknown. */
int store_severity_id(const char *sev);
/* Hex of the first 16 bytes of SHA-256 of the text. */
void store_record_id(const char *body, size_t len, char out[33]);

#endif
