/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading device records back: the read commands (recommendations, vulns, devices) work on the device records
 * of the store (<state-dir>/iotsense.db, which `iotsense run` and `iotsense replay --state-dir` fill), or on any
 * NDJSON file of records such as the output of `iotsense replay` (--from FILE). From a file only
 * "record":"device" lines count; for a device that appears several times the last record wins.
 */
#ifndef IOTSENSE_DEVICE_FILE_H
#define IOTSENSE_DEVICE_FILE_H

#include <jansson.h>
#include <stddef.h>

#define DEVICE_FILE_NAME "devices.ndjson"

struct device_set {
	json_t **recs; /* the whole records ({"record":"device",...,"device":{...}}), in first-seen order */
	size_t n;
	size_t bad_lines; /* device lines that were not JSON objects (a cut file): reported, never fatal */
};

/* <state_dir>/devices.ndjson into buf; returns buf. */
const char *device_file_path(const char *state_dir, char *buf, size_t size);
/* Loads path ("-" is stdin). Returns 0, or -1 with a message in err that says what to do next. */
int device_set_load(struct device_set *s, const char *path, char *err, size_t err_size);
void device_set_free(struct device_set *s);
/* The store's devices, with the operator's name, criticality and tags merged in. 0, or -1 with err. */
int device_set_load_store(struct device_set *s, const char *state_dir, char *err, size_t err_size);
/*
 * What the read commands do: load from (or, when NULL, the store in state_dir), print the error or the
 * count of unreadable lines. Returns 0 or -1 (the error was printed).
 */
int device_set_open(struct device_set *s, const char *from, const char *state_dir);
/* The "device" object of record i. */
json_t *device_set_device(const struct device_set *s, size_t i);
/* Writes the snapshot for the read commands: path.tmp, then rename (readers never see half a file). */
int device_file_replace(const char *path, const char *data, size_t len);

#endif
