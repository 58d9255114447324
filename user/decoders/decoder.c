// SPDX-License-Identifier: GPL-2.0-only
/* Shared plumbing for decoders: dispatch over the table and the sanitising emitters. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "decoder.h"

int dec_run_all(const struct dec_ctx *ctx, const uint8_t *p, size_t n, struct dec_out *out)
{
	for (const struct decoder *const *d = iot_decoders; *d; d++) {
		if (!(*d)->match(ctx, p, n))
			continue;
		if ((*d)->decode(ctx, p, n, out) < 0)
			out->malformed++;
	}
	return out->n;
}

const struct decoder *dec_find(const char *name)
{
	for (const struct decoder *const *d = iot_decoders; *d; d++)
		if (strcmp((*d)->name, name) == 0)
			return *d;
	return NULL;
}

struct iot_obs *dec_emit(struct dec_out *out, enum obs_subject subj, const char *key, const char *val,
			 size_t len, uint8_t confidence)
{
	struct iot_obs *o;
	size_t i, w = 0;

	if (len > OBS_VALUE_MAX - 1)
		len = OBS_VALUE_MAX - 1;
	/* Trim leading blanks so " value" and "value" are one fact. */
	while (len && (val[0] == ' ' || val[0] == '\t' || val[0] == '\r' || val[0] == '\n' || val[0] == 0)) {
		val++;
		len--;
	}
	while (len && (val[len - 1] == ' ' || val[len - 1] == '\t' || val[len - 1] == '\r' ||
		       val[len - 1] == '\n' || val[len - 1] == 0))
		len--;
	if (!len)
		return NULL;
	if (out->n >= DEC_OUT_MAX) {
		out->dropped++;
		return NULL;
	}
	o = &out->obs[out->n++];
	memset(o, 0, sizeof(*o));
	snprintf(o->key, sizeof(o->key), "%s", key);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)val[i];
		/* Wire bytes are untrusted: no control byte survives into a value. */
		o->value[w++] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
	}
	o->value[w] = 0;
	o->subject = (uint8_t)subj;
	o->confidence = confidence;
	return o;
}

struct iot_obs *dec_emit_str(struct dec_out *out, enum obs_subject subj, const char *key, const char *val)
{
	return dec_emit(out, subj, key, val, strlen(val), 90);
}

struct iot_obs *dec_emitf(struct dec_out *out, enum obs_subject subj, const char *key, const char *fmt, ...)
{
	char buf[OBS_VALUE_MAX];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (len < 0)
		return NULL;
	if ((size_t)len >= sizeof(buf))
		len = sizeof(buf) - 1;
	return dec_emit(out, subj, key, buf, (size_t)len, 90);
}

struct iot_obs *dec_emit_for_mac(struct dec_out *out, const uint8_t mac[6], const char *key, const char *val)
{
	struct iot_obs *o = dec_emit_str(out, OBS_MAC, key, val);

	if (o)
		memcpy(o->subject_mac, mac, 6);
	return o;
}

struct iot_obs *dec_emit_for_ip(struct dec_out *out, const struct iot_addr *ip, const char *key, const char *val)
{
	struct iot_obs *o = dec_emit_str(out, OBS_IP, key, val);

	if (o)
		o->subject_ip = *ip;
	return o;
}

void dec_format_mac(const uint8_t mac[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

void dec_format_addr(const struct iot_addr *a, char *buf, size_t size)
{
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (a->family == AF_INET || (a->family != AF_INET6 && memcmp(a->b, v4mapped, 12) == 0)) {
		if (!inet_ntop(AF_INET, a->b + 12, buf, (socklen_t)size))
			snprintf(buf, size, "?");
	} else if (!inet_ntop(AF_INET6, a->b, buf, (socklen_t)size)) {
		snprintf(buf, size, "?");
	}
}

void dec_addr_from_v4(struct iot_addr *a, const uint8_t v4[4])
{
	memset(a, 0, sizeof(*a));
	a->b[10] = 0xff;
	a->b[11] = 0xff;
	memcpy(a->b + 12, v4, 4);
	a->family = AF_INET;
}

void dec_addr_from_v6(struct iot_addr *a, const uint8_t v6[16])
{
	memcpy(a->b, v6, 16);
	a->family = AF_INET6;
}

void dec_hex(const uint8_t *p, size_t n, char *buf)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		buf[2 * i] = digits[p[i] >> 4];
		buf[2 * i + 1] = digits[p[i] & 15];
	}
	buf[2 * n] = 0;
}
