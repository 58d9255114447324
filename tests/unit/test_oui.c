// SPDX-License-Identifier: GPL-2.0-only
/* The MAC vendor registry (user/oui.c): CSV parsing, longest-prefix lookup, special addresses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"
#include "oui.h"

static void write_file(const char *dir, const char *name, const char *text)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	if (!f) {
		perror(p);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

static void remove_file(const char *dir, const char *name)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	unlink(p);
}

static const char *lookup(const struct oui_db *db, uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t e,
			  uint8_t f)
{
	const uint8_t mac[6] = { a, b, c, d, e, f };

	return oui_lookup(db, mac);
}

TEST(small_registry)
{
	char dir[] = "/tmp/iotsense-oui-XXXXXX";
	struct oui_db *db;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}

	write_file(dir, "oui.csv",
		   "Registry,Assignment,Organization Name,Organization Address\n"
		   "MA-L,000B82,\"Grandstream Networks, Inc.\",1297 Beacon Street Brookline MA US 02446 \n"
		   "MA-L,B827EB,Raspberry Pi Foundation,Mitchell Wood House Caldecote Cambridgeshire GB CB23 7NU \n"
		   "MA-L,70B3D5,IEEE Registration Authority,445 Hoes Lane Piscataway NJ US 08554 \n"
		   "MA-L,001C06,\"Siemens Numerical Control Ltd., Nanjing\",\"No. 18 Siemens Road\n"
		   "Jiangning Development Zone\" Nanjing  CN 211100 \n"
		   "MA-L,0050C2,IEEE Registration Authority,445 Hoes Lane Piscataway NJ US 08554 \n"
		   "MA-L,ACDE48,Private,\n"
		   "MA-L,B827EB,Duplicate Later Name,\n"
		   "MA-L,00004C,\"Quote \"\"Inc\"\"\",\n"
		   "MA-L,000000,XEROX CORPORATION,M/S 105-50C WEBSTER NY US 14580 \n");
	write_file(dir, "oui36.csv",
		   "Registry,Assignment,Organization Name,Organization Address\n"
		   "MA-S,70B3D5F2F,TELEPLATFORMS,\"Polbina st., 3/1 Moscow  RU 109388 \"\n");
	write_file(dir, "mam.csv",
		   "Registry,Assignment,Organization Name,Organization Address\n"
		   "MA-M,B827EB1,Not A Real Block,\n");
	write_file(dir, "iab.csv",
		   "Registry,Assignment,Organization Name,Organization Address\n"
		   "IAB,0050C27D5,DEUTA-WERKE GmbH,Paffrather Strasse 140 Bergisch-Gladbach NRW DE 51465 \n");
	db = oui_load(dir);
	CHECK(db != NULL);
	/* Private and IEEE RA rows are skipped, the duplicate collapses, the address continuation is no row. */
	CHECK_EQ_INT(oui_count(db), 8);
	CHECK_STR(lookup(db, 0x00, 0x0b, 0x82, 0x01, 0xfc, 0x42), "Grandstream Networks, Inc.");
	CHECK_STR(lookup(db, 0x00, 0x1c, 0x06, 0x0f, 0xbd, 0xe5), "Siemens Numerical Control Ltd., Nanjing");
	CHECK_STR(lookup(db, 0x00, 0x00, 0x4c, 0, 0, 1), "Quote \"Inc\"");
	/* The first-loaded name of a duplicated prefix wins. */
	CHECK_STR(lookup(db, 0xb8, 0x27, 0xeb, 0xa6, 0xb2, 0x2f), "Raspberry Pi Foundation");
	/* Longest prefix first: 28-bit MA-M inside the 24-bit block, 36-bit MA-S and IAB. */
	CHECK_STR(lookup(db, 0xb8, 0x27, 0xeb, 0x10, 0, 0), "Not A Real Block");
	CHECK_STR(lookup(db, 0xb8, 0x27, 0xeb, 0x1f, 0xff, 0xff), "Not A Real Block");
	CHECK_STR(lookup(db, 0xb8, 0x27, 0xeb, 0x20, 0, 0), "Raspberry Pi Foundation");
	CHECK_STR(lookup(db, 0x70, 0xb3, 0xd5, 0xf2, 0xf0, 0x01), "TELEPLATFORMS");
	CHECK_STR(lookup(db, 0x00, 0x50, 0xc2, 0x7d, 0x50, 0x01), "DEUTA-WERKE GmbH");
	/* The rest of an IEEE RA block, and a private one, name nobody. */
	CHECK(lookup(db, 0x70, 0xb3, 0xd5, 0x00, 0x00, 0x01) == NULL);
	CHECK(lookup(db, 0xac, 0xde, 0x48, 0x00, 0x11, 0x22) == NULL);
	/* Unknown universal prefix. */
	CHECK(lookup(db, 0xfc, 0xfc, 0xfc, 0, 0, 0) == NULL);
	/* 00-00-00 is a placeholder on the wire, whatever the registry says. */
	CHECK(lookup(db, 0x00, 0x00, 0x00, 0x42, 0x88, 0x22) == NULL);
	oui_free(db);
	remove_file(dir, "oui.csv");
	remove_file(dir, "oui36.csv");
	remove_file(dir, "mam.csv");
	remove_file(dir, "iab.csv");
	rmdir(dir);
}

TEST(special_addresses)
{
	/* Locally administered (bit 1 of the first byte) and group (bit 0) addresses, with or without a db. */
	CHECK_STR(lookup(NULL, 0x02, 0xcc, 0xc0, 0xa8, 0xc9, 0xdf), OUI_LOCAL);
	CHECK_STR(lookup(NULL, 0x8a, 0x3c, 0xd6, 0xe1, 0x4d, 0xc4), OUI_LOCAL);
	CHECK(lookup(NULL, 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb) == NULL);
	CHECK(lookup(NULL, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff) == NULL);
	CHECK(lookup(NULL, 0x00, 0x0b, 0x82, 0x01, 0xfc, 0x42) == NULL);
}

TEST(missing_registry_is_not_fatal)
{
	struct oui_db *db = oui_load("/nonexistent/ieee-data");

	CHECK(db != NULL);
	CHECK_EQ_INT(oui_count(db), 0);
	CHECK(lookup(db, 0x00, 0x0b, 0x82, 0x01, 0xfc, 0x42) == NULL);
	CHECK_STR(lookup(db, 0x02, 0, 0, 0, 0, 1), OUI_LOCAL);
	oui_free(db);
}

TEST(real_registry)
{
	struct oui_db *db;

	if (access(OUI_DIR_DEFAULT "/oui.csv", R_OK) != 0) {
		printf("  (skipped: no %s/oui.csv; apt install ieee-data)\n", OUI_DIR_DEFAULT);
		return;
	}
	db = oui_load(NULL);
	CHECK(db != NULL);
	CHECK(oui_count(db) > 30000);
	CHECK_STR(lookup(db, 0x00, 0x0b, 0x82, 0x01, 0xfc, 0x42), "Grandstream Networks, Inc.");
	CHECK_STR(lookup(db, 0xd8, 0x0d, 0x17, 0xd6, 0x55, 0xab), "TP-LINK TECHNOLOGIES CO.,LTD.");
	CHECK_STR(lookup(db, 0x00, 0x00, 0xbc, 0x5f, 0x49, 0x51), "Rockwell Automation");
	CHECK_STR(lookup(db, 0xb8, 0x27, 0xeb, 0xa6, 0xb2, 0x2f), "Raspberry Pi Foundation");
	oui_free(db);
}

int main(void)
{
	RUN(small_registry);
	RUN(special_addresses);
	RUN(missing_registry_is_not_fatal);
	RUN(real_registry);
	return testlib_summary();
}
