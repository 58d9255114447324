/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * MAC vendor lookup from the IEEE registry as Debian's ieee-data ships it (/usr/share/ieee-data): oui.csv (MA-L,
 * 24-bit prefixes), mam.csv (MA-M, 28-bit), oui36.csv (MA-S, 36-bit) and iab.csv (IAB, 36-bit). Loaded once into
 * sorted arrays; a lookup is a binary search per prefix length, longest first. Read-only after load.
 */
#ifndef IOTSENSE_OUI_H
#define IOTSENSE_OUI_H

#include <stddef.h>
#include <stdint.h>

#define OUI_DIR_DEFAULT "/usr/share/ieee-data"
/* What oui_lookup() returns for a locally administered address (randomised phones, VMs, containers). */
#define OUI_LOCAL "locally administered"

struct oui_db;

/*
 * Loads the registry files found in dir (NULL: OUI_DIR_DEFAULT). A missing registry is not fatal: it warns once
 * and every lookup of a universal address returns NULL. Returns NULL only when out of memory.
 */
struct oui_db *oui_load(const char *dir);
void oui_free(struct oui_db *db);
/* Number of prefixes loaded. */
size_t oui_count(const struct oui_db *db);
/*
 * The organisation that owns mac's prefix, OUI_LOCAL for a locally administered address, NULL for a group
 * (multicast) address, the placeholder prefix 00-00-00, or an unknown prefix (or db == NULL). The string lives
 * as long as db.
 */
const char *oui_lookup(const struct oui_db *db, const uint8_t mac[6]);

#endif
