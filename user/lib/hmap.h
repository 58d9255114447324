/* SPDX-License-Identifier: GPL-2.0-only */
/* A string-keyed hash map (open addressing, linear probing) for the inventory's identities. No deletion. */
#ifndef IOTSENSE_HMAP_H
#define IOTSENSE_HMAP_H

#include <stddef.h>

struct hmap_entry {
	char *key;
	void *val;
};

struct hmap {
	struct hmap_entry *e;
	size_t cap, n;
};

void *hmap_get(const struct hmap *h, const char *key);
/* Inserts (key copied); returns 0, or -1 when out of memory. An existing key's value is replaced. */
int hmap_put(struct hmap *h, const char *key, void *val);
/* Calls fn for each value; the order is the table's, not insertion's. */
void hmap_free(struct hmap *h, void (*free_val)(void *));

#define hmap_for_each(h, i) for (size_t i = 0; i < (h)->cap; i++) if ((h)->e[i].key)

#endif
