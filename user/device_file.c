// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "device_file.h"
#include "lib/log.h"
#include "store/store.h"

const char *device_file_path(const char *state_dir, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", state_dir, DEVICE_FILE_NAME);
	return buf;
}

static const char *device_id(json_t *rec)
{
	return json_string_value(json_object_get(json_object_get(rec, "device"), "id"));
}

/* Replaces the record of the same device, or appends. Linear: inventories are thousands of devices, not millions. */
static int set_put(struct device_set *s, json_t *rec)
{
	const char *id = device_id(rec);
	json_t **n;

	for (size_t i = 0; i < s->n; i++) {
		if (!strcmp(device_id(s->recs[i]), id)) {
			json_decref(s->recs[i]);
			s->recs[i] = rec;
			return 0;
		}
	}
	n = realloc(s->recs, (s->n + 1) * sizeof(*n));
	if (!n)
		return -1;
	s->recs = n;
	s->recs[s->n++] = rec;
	return 0;
}

int device_set_load(struct device_set *s, const char *path, char *err, size_t err_size)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	memset(s, 0, sizeof(*s));
	if (!f) {
		snprintf(err, err_size, "%s: %s%s", path, strerror(errno),
			 errno == ENOENT ? " (no inventory yet: run 'iotsense run', or pass --from FILE with the "
					   "output of 'iotsense replay')" : "");
		return -1;
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		json_error_t jerr;
		json_t *rec;

		/* Flow and payload records are not read: no need to parse them (payloads may hold \u0000). */
		if (!strstr(line, "\"record\":\"device\""))
			continue;
		rec = json_loadb(line, (size_t)len, JSON_ALLOW_NUL, &jerr);
		if (!rec || !json_is_object(rec)) {
			s->bad_lines++;
			json_decref(rec);
			continue;
		}
		if (!json_is_string(json_object_get(rec, "record")) ||
		    strcmp(json_string_value(json_object_get(rec, "record")), "device") || !device_id(rec)) {
			json_decref(rec);
			continue;
		}
		if (set_put(s, rec) < 0) {
			json_decref(rec);
			snprintf(err, err_size, "%s: out of memory", path);
			free(line);
			if (f != stdin)
				fclose(f);
			device_set_free(s);
			return -1;
		}
	}
	free(line);
	if (ferror(f)) {
		snprintf(err, err_size, "%s: read error", path);
		if (f != stdin)
			fclose(f);
		device_set_free(s);
		return -1;
	}
	if (f != stdin)
		fclose(f);
	return 0;
}

/*
 * The devices of the store, in first-seen order, each record with what the operator set (name, criticality,
 * tags) merged into its device object, so the readers show them like the daemon's next record will.
 */
int device_set_load_store(struct device_set *s, const char *state_dir, char *err, size_t err_size)
{
	struct store st;
	sqlite3_stmt *q = NULL;
	int rc;

	memset(s, 0, sizeof(*s));
	if (store_open(&st, state_dir, true, err, err_size))
		return -1;
	if (sqlite3_prepare_v2(st.db,
			       "SELECT record, name, criticality, tags FROM devices ORDER BY first_seen, id", -1, &q,
			       NULL) != SQLITE_OK)
		goto sql_err;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		json_t *rec = json_loadb((const char *)sqlite3_column_text(q, 0), sqlite3_column_bytes(q, 0),
					 JSON_ALLOW_NUL, NULL);
		json_t *dev = json_object_get(rec, "device"), **n;

		if (!json_is_object(dev)) {
			s->bad_lines++;
			json_decref(rec);
			continue;
		}
		if (sqlite3_column_text(q, 1))
			json_object_set_new(dev, "name", json_string((const char *)sqlite3_column_text(q, 1)));
		if (sqlite3_column_text(q, 2))
			json_object_set_new(dev, "criticality", json_string((const char *)sqlite3_column_text(q, 2)));
		if (sqlite3_column_text(q, 3))
			json_object_set_new(dev, "tags", json_loads((const char *)sqlite3_column_text(q, 3), 0, NULL));
		n = realloc(s->recs, (s->n + 1) * sizeof(*n));
		if (!n) {
			json_decref(rec);
			snprintf(err, err_size, "out of memory");
			goto fail;
		}
		s->recs = n;
		s->recs[s->n++] = rec;
	}
	if (rc != SQLITE_DONE)
		goto sql_err;
	sqlite3_finalize(q);
	store_close(&st);
	return 0;
sql_err:
	snprintf(err, err_size, "%s: %s", st.path, sqlite3_errmsg(st.db));
fail:
	sqlite3_finalize(q);
	store_close(&st);
	device_set_free(s);
	return -1;
}

int device_set_open(struct device_set *s, const char *from, const char *state_dir)
{
	char path[4096], err[1024];

	if (!from) {
		if (device_set_load_store(s, state_dir, err, sizeof(err)) < 0) {
			pr_err("%s\n", err);
			return -1;
		}
		if (s->bad_lines)
			pr_warn("%s: %zu device rows are not JSON records; skipped\n", store_path(state_dir, path,
				sizeof(path)), s->bad_lines);
		return 0;
	}
	if (device_set_load(s, from, err, sizeof(err)) < 0) {
		pr_err("%s\n", err);
		return -1;
	}
	if (s->bad_lines)
		pr_warn("%s: %zu lines are not JSON records; skipped\n", from, s->bad_lines);
	return 0;
}

void device_set_free(struct device_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		json_decref(s->recs[i]);
	free(s->recs);
	memset(s, 0, sizeof(*s));
}

json_t *device_set_device(const struct device_set *s, size_t i)
{
	return json_object_get(s->recs[i], "device");
}

int device_file_replace(const char *path, const char *data, size_t len)
{
	char tmp[4096];
	FILE *f;
	int ok;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	ok = fwrite(data, 1, len, f) == len;
	ok &= fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok &= fclose(f) == 0;
	if (!ok || rename(tmp, path) < 0) {
		int e = errno ? errno : EIO;

		unlink(tmp);
		return -e;
	}
	return 0;
}
