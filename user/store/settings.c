// SPDX-License-Identifier: GPL-2.0-only
/*
 * Operator knowledge on devices: a display name, a criticality (low|medium|high) and tags. These columns of
 * devices are never written by the discovery path (ingest.c leaves them alone), so they survive restarts and
 * rediscovery. Each change bumps meta.settings_version; the daemon watches it and re-emits the device.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

#define NAME_MAX_LEN 120
#define TAG_KEY_MAX 64
#define TAG_VALUE_MAX 256

/* Tag keys go into a JSON path: letters, digits, '_', '-', '.' only, so no key can escape it. */
static bool tag_key_ok(const char *k)
{
	size_t n = strlen(k);

	if (!n || n > TAG_KEY_MAX)
		return false;
	for (; *k; k++)
		if (!isalnum((unsigned char)*k) && *k != '_' && *k != '-' && *k != '.')
			return false;
	return true;
}

static bool printable(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v < 0x20 || *v == 0x7f)
			return false;
	return true;
}

int store_set_device_field(struct store *s, const char *id, const char *field, const char *value, char *err,
			   size_t err_size)
{
	char sql[256], path[TAG_KEY_MAX + 8];
	sqlite3_stmt *st = NULL;
	int changed, rc;

	if (s->readonly) {
		snprintf(err, err_size, "the store was opened read-only");
		return -EROFS;
	}
	if (!strcmp(field, "name")) {
		if (value && (strlen(value) > NAME_MAX_LEN || !printable(value))) {
			snprintf(err, err_size, "a name is at most %d printable characters", NAME_MAX_LEN);
			return -EINVAL;
		}
		snprintf(sql, sizeof(sql), "UPDATE devices SET name = ?2 WHERE id = ?1");
	} else if (!strcmp(field, "criticality")) {
		if (value && *value && strcmp(value, "low") && strcmp(value, "medium") && strcmp(value, "high")) {
			snprintf(err, err_size, "criticality is low, medium or high, not '%s'", value);
			return -EINVAL;
		}
		snprintf(sql, sizeof(sql), "UPDATE devices SET criticality = ?2 WHERE id = ?1");
	} else if (!strncmp(field, "tag:", 4)) {
		if (!tag_key_ok(field + 4)) {
			snprintf(err, err_size,
				 "a tag key is 1 to %d letters, digits, '_', '-' or '.', not '%s'", TAG_KEY_MAX,
				 field + 4);
			return -EINVAL;
		}
		if (value && (strlen(value) > TAG_VALUE_MAX || !printable(value))) {
			snprintf(err, err_size, "a tag value is at most %d printable characters", TAG_VALUE_MAX);
			return -EINVAL;
		}
		snprintf(path, sizeof(path), "$.\"%s\"", field + 4);
		if (value)
			snprintf(sql, sizeof(sql),
				 "UPDATE devices SET tags = json_set(coalesce(tags, '{}'), ?3, ?2) WHERE id = ?1");
		else
			snprintf(sql, sizeof(sql),
				 "UPDATE devices SET tags = nullif(json_remove(coalesce(tags, '{}'), ?3), '{}')"
				 " WHERE id = ?1");
	} else {
		snprintf(err, err_size, "unknown field '%s' (name, criticality, or tag:KEY)", field);
		return -EINVAL;
	}
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		goto sql_err;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		goto sql_err_rollback;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	if (value && *value)
		sqlite3_bind_text(st, 2, value, -1, SQLITE_TRANSIENT);
	else if (value && !strncmp(field, "tag:", 4))
		sqlite3_bind_text(st, 2, "", -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 2);
	if (!strncmp(field, "tag:", 4))
		sqlite3_bind_text(st, 3, path, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE)
		goto sql_err_rollback;
	changed = sqlite3_changes(s->db);
	if (!changed) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		snprintf(err, err_size, "no device '%s' in the inventory ('iotsense devices' lists them)", id);
		return -ENOENT;
	}
	if (sqlite3_exec(s->db,
			 "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'settings_version'", NULL,
			 NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto sql_err_rollback;
	return 0;
sql_err_rollback:
	snprintf(err, err_size, "%s: %s", s->path, sqlite3_errmsg(s->db));
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -EIO;
sql_err:
	snprintf(err, err_size, "%s: %s", s->path, sqlite3_errmsg(s->db));
	return -EIO;
}

int store_get_settings(struct store *s, struct store_device_settings **out, int *n)
{
	sqlite3_stmt *st;
	struct store_device_settings *l = NULL;
	int cnt = 0, cap = 0;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT id, name, criticality, tags FROM devices"
			       " WHERE name IS NOT NULL OR criticality IS NOT NULL OR tags IS NOT NULL",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct store_device_settings *e;
		const char *tags = (const char *)sqlite3_column_text(st, 3);

		if (cnt == cap) {
			void *p = realloc(l, (cap = cap ? cap * 2 : 16) * sizeof(*l));

			if (!p)
				break;
			l = p;
		}
		e = &l[cnt++];
		memset(e, 0, sizeof(*e));
		snprintf(e->id, sizeof(e->id), "%s", (const char *)sqlite3_column_text(st, 0));
		if (sqlite3_column_text(st, 1))
			snprintf(e->name, sizeof(e->name), "%s", (const char *)sqlite3_column_text(st, 1));
		if (sqlite3_column_text(st, 2))
			snprintf(e->criticality, sizeof(e->criticality), "%s",
				 (const char *)sqlite3_column_text(st, 2));
		e->tags_json = tags ? strdup(tags) : NULL;
	}
	sqlite3_finalize(st);
	*out = l;
	*n = cnt;
	return 0;
}

void store_free_settings(struct store_device_settings *l, int n)
{
	for (int i = 0; i < n; i++)
		free(l[i].tags_json);
	free(l);
}

/* ID as the inventory writes it (mac:.., ip:..), a bare MAC or IP, or the operator's name for the device. */
int store_resolve_device(struct store *s, const char *query, char *id, size_t size)
{
	static const char *const sql =
		"SELECT id FROM devices WHERE id = ?1 UNION ALL"
		" SELECT device_id FROM device_addresses WHERE address = lower(?1) UNION ALL"
		" SELECT id FROM devices WHERE name = ?1 LIMIT 2";
	sqlite3_stmt *st;
	int n = 0;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, query, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);

		if (n && !strcmp(id, v))
			continue;
		if (!n++)
			snprintf(id, size, "%s", v);
	}
	sqlite3_finalize(st);
	return n; /* 0: none, 1: found, 2: ambiguous */
}
