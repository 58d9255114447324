// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IEEE MAC registry (Debian's ieee-data) in memory: one sorted array per prefix length, names in one string
 * pool. About 46 000 prefixes, 2 MB, loaded once at start.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "oui.h"

/* Prefix lengths in bits, longest first: a 36-bit MA-S block lies inside a 24-bit MA-L block. */
static const unsigned int oui_bits[] = { 36, 28, 24 };
#define OUI_NLEN (sizeof(oui_bits) / sizeof(oui_bits[0]))

static const char *const oui_files[] = { "oui.csv", "mam.csv", "oui36.csv", "iab.csv" };

struct oui_entry {
	uint64_t prefix;   /* the first bits of the MAC, right-aligned */
	uint32_t name_off; /* into pool; also the load order, which breaks ties between duplicates */
};

struct oui_table {
	struct oui_entry *e;
	size_t n, cap;
};

struct oui_db {
	struct oui_table t[OUI_NLEN];
	char *pool;
	size_t pool_len, pool_cap;
};

static int len_index(unsigned int bits)
{
	for (size_t i = 0; i < OUI_NLEN; i++)
		if (oui_bits[i] == bits)
			return (int)i;
	return -1;
}

/*
 * The next CSV field of line at *p into out (quotes removed, "" unescaped); *p moves past its comma. Returns
 * false at the end of the line.
 */
static bool csv_field(const char **p, char *out, size_t outsz)
{
	const char *s = *p;
	size_t n = 0;
	bool quoted = false;

	if (!s)
		return false;
	if (*s == '"') {
		quoted = true;
		s++;
	}
	for (; *s && *s != '\n' && *s != '\r'; s++) {
		if (quoted && *s == '"') {
			if (s[1] == '"') {
				s++;
			} else {
				quoted = false;
				continue;
			}
		} else if (!quoted && *s == ',') {
			break;
		}
		if (n + 1 < outsz)
			out[n++] = *s;
	}
	out[n] = '\0';
	*p = *s == ',' ? s + 1 : NULL;
	return true;
}

static void trim(char *s)
{
	size_t n = strlen(s), i = 0;

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	memmove(s, s + i, n - i + 1);
}

static bool parse_hex(const char *s, uint64_t *v)
{
	*v = 0;
	for (; *s; s++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return false;
		*v = *v << 4 | (uint64_t)d;
	}
	return true;
}

static bool add_entry(struct oui_db *db, int li, uint64_t prefix, const char *name)
{
	struct oui_table *t = &db->t[li];
	size_t len = strlen(name) + 1;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		struct oui_entry *e = realloc(t->e, cap * sizeof(*e));

		if (!e)
			return false;
		t->e = e;
		t->cap = cap;
	}
	if (db->pool_len + len > db->pool_cap) {
		size_t cap = db->pool_cap ? db->pool_cap * 2 : 1 << 16;
		char *p;

		while (cap < db->pool_len + len)
			cap *= 2;
		p = realloc(db->pool, cap);
		if (!p)
			return false;
		db->pool = p;
		db->pool_cap = cap;
	}
	memcpy(db->pool + db->pool_len, name, len);
	t->e[t->n++] = (struct oui_entry){ .prefix = prefix, .name_off = (uint32_t)db->pool_len };
	db->pool_len += len;
	return true;
}

/*
 * Reads one registry file: "Registry,Assignment,Organization Name,Organization Address". The prefix length comes
 * from the assignment's hex digits (6, 7 or 9); lines that are not assignments (the header, a quoted address
 * continued on the next line) are skipped. Returns -1 when the file is missing, 0 when read, -2 out of memory.
 */
static int load_file(struct oui_db *db, const char *path)
{
	char *line = NULL;
	size_t cap = 0;
	int ret = 0;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		char reg[16], hex[16], name[256];
		const char *p = line;
		uint64_t prefix;
		int li;

		if (!csv_field(&p, reg, sizeof(reg)) || !csv_field(&p, hex, sizeof(hex)) ||
		    !csv_field(&p, name, sizeof(name)))
			continue;
		if (strcmp(reg, "MA-L") && strcmp(reg, "MA-M") && strcmp(reg, "MA-S") && strcmp(reg, "IAB"))
			continue;
		li = len_index((unsigned int)strlen(hex) * 4);
		trim(name);
		/*
		 * "Private" hides the owner, and "IEEE Registration Authority" holds a block it re-assigns in longer
		 * prefixes: neither is a vendor.
		 */
		if (li < 0 || !parse_hex(hex, &prefix) || !name[0] || strcmp(name, "Private") == 0 ||
		    strcmp(name, "IEEE Registration Authority") == 0)
			continue;
		if (!add_entry(db, li, prefix, name)) {
			ret = -2;
			break;
		}
	}
	free(line);
	fclose(f);
	return ret;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct oui_entry *x = a, *y = b;

	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return x->name_off < y->name_off ? -1 : x->name_off > y->name_off;
}

/* Sorts a table and keeps the first-loaded entry of each duplicated prefix, so lookups are deterministic. */
static void finish_table(struct oui_table *t)
{
	size_t w = 0;

	if (!t->n) /* a missing registry leaves the table empty (and e NULL, which qsort must not get) */
		return;
	qsort(t->e, t->n, sizeof(*t->e), cmp_entry);
	for (size_t r = 0; r < t->n; r++)
		if (w == 0 || t->e[w - 1].prefix != t->e[r].prefix)
			t->e[w++] = t->e[r];
	t->n = w;
}

struct oui_db *oui_load(const char *dir)
{
	struct oui_db *db = calloc(1, sizeof(*db));
	bool ok = false;

	if (!db)
		return NULL;
	if (!dir)
		dir = OUI_DIR_DEFAULT;
	for (size_t i = 0; i < sizeof(oui_files) / sizeof(oui_files[0]); i++) {
		char path[4096];
		int rc;

		snprintf(path, sizeof(path), "%s/%s", dir, oui_files[i]);
		rc = load_file(db, path);
		if (rc == -2)
			goto out;
		/* Only the main registry is worth a warning; the longer-prefix files are a refinement. */
		if (rc == -1 && i == 0)
			pr_warn("MAC vendor registry %s: %s; MAC vendors will be unknown (apt install ieee-data)\n",
				path, strerror(errno));
		else if (rc == -1)
			pr_debug("MAC vendor registry %s: %s\n", path, strerror(errno));
	}
	for (size_t i = 0; i < OUI_NLEN; i++)
		finish_table(&db->t[i]);
	ok = true;
out:
	if (!ok) {
		oui_free(db);
		return NULL;
	}
	return db;
}

void oui_free(struct oui_db *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < OUI_NLEN; i++)
		free(db->t[i].e);
	free(db->pool);
	free(db);
}

size_t oui_count(const struct oui_db *db)
{
	size_t n = 0;

	for (size_t i = 0; db && i < OUI_NLEN; i++)
		n += db->t[i].n;
	return n;
}

const char *oui_lookup(const struct oui_db *db, const uint8_t mac[6])
{
	uint64_t m = 0;

	if (mac[0] & 0x01) /* group address: names no device */
		return NULL;
	if (mac[0] & 0x02)
		return OUI_LOCAL;
	/*
	 * 00-00-00 is registered (to Xerox, in 1981), but on the wire it is a placeholder: test rigs, anonymised
	 * captures, broken firmware. Naming a vendor for it would be wrong far more often than right.
	 */
	if (!db || (mac[0] == 0 && mac[1] == 0 && mac[2] == 0))
		return NULL;
	for (int i = 0; i < 6; i++)
		m = m << 8 | mac[i];
	for (size_t i = 0; i < OUI_NLEN; i++) {
		const struct oui_table *t = &db->t[i];
		uint64_t key = m >> (48 - oui_bits[i]);
		size_t lo = 0, hi = t->n;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (t->e[mid].prefix < key)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < t->n && t->e[lo].prefix == key)
			return db->pool + t->e[lo].name_off;
	}
	return NULL;
}
