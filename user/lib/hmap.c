// SPDX-License-Identifier: GPL-2.0-only
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hmap.h"

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static size_t slot(const struct hmap *h, const char *key)
{
	size_t i = hash(key) & (h->cap - 1);

	while (h->e[i].key && strcmp(h->e[i].key, key))
		i = (i + 1) & (h->cap - 1);
	return i;
}

void *hmap_get(const struct hmap *h, const char *key)
{
	if (!h->cap)
		return NULL;
	return h->e[slot(h, key)].val;
}

static int grow(struct hmap *h)
{
	struct hmap bigger = { .cap = h->cap ? h->cap * 2 : 64 };

	bigger.e = calloc(bigger.cap, sizeof(*bigger.e));
	if (!bigger.e)
		return -1;
	for (size_t i = 0; i < h->cap; i++) {
		if (h->e[i].key) {
			bigger.e[slot(&bigger, h->e[i].key)] = h->e[i];
			bigger.n++;
		}
	}
	free(h->e);
	*h = bigger;
	return 0;
}

int hmap_put(struct hmap *h, const char *key, void *val)
{
	size_t i;

	/* Keep the load under 1/2 so probes stay short. */
	if ((h->n + 1) * 2 > h->cap && grow(h))
		return -1;
	i = slot(h, key);
	if (!h->e[i].key) {
		h->e[i].key = strdup(key);
		if (!h->e[i].key)
			return -1;
		h->n++;
	}
	h->e[i].val = val;
	return 0;
}

void hmap_free(struct hmap *h, void (*free_val)(void *))
{
	for (size_t i = 0; i < h->cap; i++) {
		if (!h->e[i].key)
			continue;
		free(h->e[i].key);
		if (free_val)
			free_val(h->e[i].val);
	}
	free(h->e);
	memset(h, 0, sizeof(*h));
}
