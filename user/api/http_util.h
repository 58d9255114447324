/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The API's pure helpers, kept free of libmicrohttpd so the unit tests reach every branch: strict percent
 * decoding, query values (numbers, enums, times), the bearer token check in constant time, the listen address
 * and its loopback test, the Host header check, and the JSON error body.
 */
#ifndef IOTSENSE_API_HTTP_UTIL_H
#define IOTSENSE_API_HTTP_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/*
 * Decodes %XX escapes in place (and '+' as a space when plus_is_space, for query strings). Refuses a bad escape
 * and an encoded NUL, which no id or filter ever holds. Returns the new length, or -1.
 */
int http_url_decode(char *s, bool plus_is_space);

/* A decimal integer within [min, max]: no sign, no spaces, no hex, no leading junk. */
bool http_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/*
 * Levels, lowest first, as the store writes them: risk none|low|medium|high|critical; alert severities follow
 * OCSF (informational 1 .. critical 5). Return the rank, or -1 for anything else (case matters: the store's
 * values are lower case).
 */
int http_risk_rank(const char *s);
int http_severity_id(const char *s);

/*
 * An RFC 3339 time ("2024-05-01T10:00:00Z", fractions and offsets allowed) rewritten the way the records write
 * time (UTC, microseconds: "2024-05-01T10:00:00.000000Z"), so that SQL compares it with the stored text
 * correctly. false when s is not such a time.
 */
bool http_rfc3339_normalize(const char *s, char *out, size_t out_size);
/* ns since the epoch as the records write it. */
void http_fmt_time(uint64_t epoch_ns, char *out, size_t out_size);

/*
 * "Authorization: Bearer TOKEN" against the expected token, in time that depends on neither the token nor how
 * much of it matched (both sides are hashed with SHA-256 first, then compared with CRYPTO_memcmp).
 */
bool http_bearer_ok(const char *authorization, const char *token);
/* Constant-time equality of two byte strings of any lengths (the lengths do not leak either). */
bool http_ct_equal(const void *a, size_t alen, const void *b, size_t blen);

/*
 * A token must be 16..4096 printable ASCII bytes without spaces (it travels in a header). Trailing newlines are
 * stripped first (a token file written by echo). false with the reason in why.
 */
bool http_token_valid(char *tok, char *why, size_t why_size);

/*
 * "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:8080", "localhost:8080" (no name resolution: only localhost is
 * known). Fills ss and len. false with the reason in why.
 */
bool http_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len, char *why, size_t why_size);
bool http_addr_is_loopback(const struct sockaddr *sa);

/*
 * The Host header a loopback API without a token accepts: a loopback literal or "localhost", any port. A page
 * on the web that a browser resolves to 127.0.0.1 (DNS rebinding) sends its own name, and is refused.
 */
bool http_host_is_loopback(const char *host);

/* Whether Origin (scheme://host[:port]) names the same host[:port] as the Host header. */
bool http_origin_matches_host(const char *origin, const char *host);

/* {"error":{"status":N,"message":"..."}} (malloc'ed; NULL when out of memory). */
char *http_error_json(int status, const char *message);

#endif
