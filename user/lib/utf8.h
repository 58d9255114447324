/* SPDX-License-Identifier: GPL-2.0-only */
/* UTF-8 validation for the writers of wire bytes (JSON, tables, collector formats): one strict decoder. */
#ifndef IOTSENSE_UTF8_H
#define IOTSENSE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Length of the valid UTF-8 sequence at s (n > 0 bytes left), and its code point in *cp when cp is not NULL;
 * 0 when s does not start one. Overlong forms, surrogates and values past U+10FFFF are invalid.
 */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

#endif
