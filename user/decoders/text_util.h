/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Bounded text helpers shared by the text-banner decoders (ftp, smtp, http, sip, rtsp, telnet). Payloads are not
 * NUL-terminated and may be cut anywhere, so every helper takes an explicit length and never reads past it; no
 * helper allocates or keeps state.
 */
#ifndef IOTSENSE_TEXT_UTIL_H
#define IOTSENSE_TEXT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A view into a payload: n bytes from p. */
struct tu_span {
	const uint8_t *p;
	size_t n;
};

/*
 * Next line of p[0..n) starting at *off. A line ends at LF, CR LF or a lone CR; the terminator is not part of the
 * line. *terminated is false when the data ran out before a terminator (the last line of a cut packet). Returns
 * false when *off is at the end.
 */
bool tu_next_line(const uint8_t *p, size_t n, size_t *off, struct tu_span *line, bool *terminated);

/* Strip spaces and tabs at both ends. */
struct tu_span tu_trim(struct tu_span s);

/* s starts with lit (exact / ASCII case-insensitive). */
bool tu_prefix(struct tu_span s, const char *lit);
bool tu_prefix_ci(struct tu_span s, const char *lit);
/* s ends with lit, ASCII case-insensitive. */
bool tu_suffix_ci(struct tu_span s, const char *lit);
/* s equals lit, ASCII case-insensitive. */
bool tu_eq_ci(struct tu_span s, const char *lit);
/* Offset of the first occurrence of needle in s (exact / case-insensitive), or -1. */
long tu_find(struct tu_span s, const char *needle);
long tu_find_ci(struct tu_span s, const char *needle);

/*
 * If line is a header "Name: value" (name matched case-insensitively, blanks allowed before the colon), set
 * *value to the trimmed value and return true. A line with no colon never matches.
 */
bool tu_header(struct tu_span line, const char *name, struct tu_span *value);

/* Split off the first blank-separated token of *s; *s becomes the rest (leading blanks skipped). */
bool tu_token(struct tu_span *s, struct tu_span *tok);

/* Three ASCII digits followed by a space, a dash or the end: an FTP/SMTP reply. Sets *code. */
bool tu_reply_code(struct tu_span line, int *code);

/*
 * prefix followed by the bytes of s, cut to fit buf (always NUL-terminated). Returns the length written. Unlike
 * "%.*s", NUL bytes in s are copied: the emitter turns them into spaces instead of cutting the value there.
 */
size_t tu_join(char *buf, size_t size, const char *prefix, struct tu_span s);

#endif
