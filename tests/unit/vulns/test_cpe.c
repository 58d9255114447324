// SPDX-License-Identifier: GPL-2.0-only
/* CPE identities (user/vulns/cpe.c): NVD vendor names, products, the CPE 2.3 string, parsing and globs. */
#include <stdio.h>
#include <string.h>

#include "testlib.h"
#include "vulns/cpe.h"

static void field(struct classify_field *f, const char *v)
{
	memset(f, 0, sizeof(*f));
	if (v) {
		snprintf(f->value, sizeof(f->value), "%s", v);
		f->confidence = 90;
	}
}

static struct classify_result result(const char *type, const char *vendor, const char *model, const char *os,
				     const char *fw)
{
	struct classify_result r;

	field(&r.type, type);
	field(&r.vendor, vendor);
	field(&r.model, model);
	field(&r.os, os);
	field(&r.firmware, fw);
	return r;
}

static const char *vendor1(const char *name)
{
	static char out[CPE_VENDORS_MAX][CPE_NAME_MAX];

	if (!cpe_vendor_names(name, out, CPE_VENDORS_MAX))
		return "(none)";
	return out[0];
}

static bool has_product(const struct cpe_ident *id, const char *vendor, const char *product)
{
	for (size_t i = 0; i < id->nproducts; i++)
		if (!strcmp(id->products[i].vendor, vendor) && !strcmp(id->products[i].product, product))
			return true;
	return false;
}

TEST(vendor_aliases)
{
	CHECK_STR(vendor1("HP"), "hp");
	CHECK_STR(vendor1("Hewlett-Packard"), "hp");
	CHECK_STR(vendor1("Hewlett Packard Enterprise"), "hpe");
	CHECK_STR(vendor1("HPE Aruba"), "arubanetworks");
	CHECK_STR(vendor1("Hikvision"), "hikvision");
	CHECK_STR(vendor1("Hangzhou Hikvision Digital Technology Co.,Ltd."), "hikvision");
	CHECK_STR(vendor1("Axis Communications"), "axis");
	CHECK_STR(vendor1("Axis Communications AB"), "axis");
	CHECK_STR(vendor1("Cisco Systems"), "cisco");
	CHECK_STR(vendor1("Cisco Systems, Inc"), "cisco");
	CHECK_STR(vendor1("Dahua"), "dahuasecurity");
	CHECK_STR(vendor1("Schneider Electric"), "schneider-electric");
	CHECK_STR(vendor1("Rockwell Automation/Allen-Bradley"), "rockwellautomation");
	CHECK_STR(vendor1("TP-Link"), "tp-link");
	CHECK_STR(vendor1("TP-LINK TECHNOLOGIES CO.,LTD."), "tp-link");
	CHECK_STR(vendor1("MikroTik"), "mikrotik");
	CHECK_STR(vendor1("Siemens"), "siemens");
	CHECK_STR(vendor1("LG Electronics"), "lg");
	CHECK_STR(vendor1("Poly"), "polycom");
	CHECK_STR(vendor1("Ubiquiti"), "ui");
	/* Whole words only: "Shp" is not HP, "Pineapple" not Apple. */
	CHECK_STR(vendor1("Pineapple Labs"), "pineapple_labs");
	CHECK_STR(vendor1("Shp"), "shp");
	/* No alias: lower case, corporate words dropped from the end, never the first word. */
	CHECK_STR(vendor1("Acme Widgets Systems, Inc."), "acme_widgets");
	CHECK_STR(vendor1("Systems Inc"), "systems");
	CHECK_STR(vendor1("   "), "(none)");
	CHECK_STR(vendor1(""), "(none)");
}

TEST(vendor_two_names)
{
	char out[CPE_VENDORS_MAX][CPE_NAME_MAX];

	CHECK_EQ_INT(cpe_vendor_names("Ubiquiti", out, CPE_VENDORS_MAX), 2);
	CHECK_STR(out[0], "ui");
	CHECK_STR(out[1], "ubiquiti");
	CHECK_EQ_INT(cpe_vendor_names("Ubiquiti", out, 1), 1);
	CHECK_EQ_INT(cpe_vendor_names(NULL, out, 2), 0);
}

TEST(normalise)
{
	char b[32];

	cpe_normalise("  DS-2CD2142FWD-I  ", b, sizeof(b));
	CHECK_STR(b, "ds-2cd2142fwd-i");
	cpe_normalise("CPU 1214C  DC/DC/DC", b, sizeof(b));
	CHECK_STR(b, "cpu_1214c_dc/dc/dc");
	cpe_normalise("LaserJet Pro\tM404dn", b, sizeof(b));
	CHECK_STR(b, "laserjet_pro_m404dn");
	cpe_normalise("a b c d e f g h i j k l m n o p", b, 8);
	CHECK_STR(b, "a_b_c_d");
	cpe_normalise(NULL, b, sizeof(b));
	CHECK_STR(b, "");
}

TEST(identity_model_firmware)
{
	struct classify_result r = result("ip_camera", "Hikvision", "DS-2CD2142FWD-I", NULL, "V5.5.0 build 170725");
	struct cpe_ident id;

	CHECK(cpe_from_classify(&r, &id));
	CHECK_STR(id.vendors[0], "hikvision");
	CHECK_STR(id.model, "ds-2cd2142fwd-i");
	CHECK_STR(id.version, "V5.5.0 build 170725");
	CHECK_STR(id.type, "ip_camera");
	CHECK(has_product(&id, "hikvision", "ds-2cd2142fwd-i_firmware"));
	CHECK(has_product(&id, "hikvision", "ds-2cd2142fwd-i"));
	CHECK_STR(id.cpe, "cpe:2.3:o:hikvision:ds-2cd2142fwd-i_firmware:v5.5.0_build_170725:*:*:*:*:*:*:*");
}

TEST(identity_os)
{
	struct classify_result r = result("router", "MikroTik", "RB4011iGS+", "RouterOS", "6.48.6");
	struct cpe_ident id;

	CHECK(cpe_from_classify(&r, &id));
	CHECK(has_product(&id, "mikrotik", "routeros"));
	CHECK(id.products[0].os);
	CHECK(has_product(&id, "mikrotik", "rb4011igs+_firmware"));
	CHECK_STR(id.cpe, "cpe:2.3:o:mikrotik:routeros:6.48.6:*:*:*:*:*:*:*");

	r = result("router", "Cisco", NULL, "Cisco IOS XE", "16.9.4");
	CHECK(cpe_from_classify(&r, &id));
	CHECK(has_product(&id, "cisco", "ios_xe"));
	CHECK_STR(id.cpe, "cpe:2.3:o:cisco:ios_xe:16.9.4:*:*:*:*:*:*:*");

	r = result("router", "Cisco", NULL, "Cisco IOS", "15.2(5)E");
	CHECK(cpe_from_classify(&r, &id));
	CHECK_STR(id.cpe, "cpe:2.3:o:cisco:ios:15.2\\(5\\)e:*:*:*:*:*:*:*");

	/* A general-purpose OS's version is not the firmware: no OS product. */
	r = result("workstation", "Apple", NULL, "macOS", "13.1");
	CHECK(cpe_from_classify(&r, &id));
	CHECK_EQ_INT(id.nproducts, 0);
	CHECK_STR(id.cpe, "cpe:2.3:h:apple:*:*:*:*:*:*:*:*:*");

	/* The OS alone names the vendor. */
	r = result("router", NULL, NULL, "RouterOS", "6.40");
	CHECK(cpe_from_classify(&r, &id));
	CHECK_STR(id.vendors[0], "mikrotik");
}

TEST(identity_without_vendor_or_version)
{
	struct classify_result r = result("printer", NULL, "LaserJet", NULL, "1.0");
	struct cpe_ident id;

	CHECK(!cpe_from_classify(&r, &id));
	CHECK_STR(id.cpe, "");

	r = result("printer", "Brother", "HL-L2350DW series", NULL, NULL);
	CHECK(cpe_from_classify(&r, &id));
	CHECK_STR(id.version, "");
	CHECK_STR(id.cpe, "cpe:2.3:h:brother:hl-l2350dw_series:-:*:*:*:*:*:*:*");

	r = result(NULL, "Hikvision", NULL, NULL, NULL);
	CHECK(cpe_from_classify(&r, &id));
	CHECK_EQ_INT(id.nproducts, 0);
	CHECK_STR(id.cpe, "cpe:2.3:h:hikvision:*:*:*:*:*:*:*:*:*");

	/* Ubiquiti: both NVD vendor names, each with the model's products. */
	r = result("access_point", "Ubiquiti", "U7PG2", NULL, "4.3.28");
	CHECK(cpe_from_classify(&r, &id));
	CHECK_EQ_INT(id.nvendors, 2);
	CHECK(has_product(&id, "ui", "u7pg2_firmware"));
	CHECK(has_product(&id, "ubiquiti", "u7pg2"));
}

TEST(escape_and_parse)
{
	struct cpe_name cn;
	char b[128] = "";

	cpe_escape("ds-2cd2026g2-iu/sl (x)+", b, sizeof(b));
	CHECK_STR(b, "ds-2cd2026g2-iu\\/sl\\ \\(x\\)\\+");

	CHECK(cpe_parse("cpe:2.3:o:hikvision:ds-2cd2026g2-iu\\/sl_firmware:-:*:*:*:*:*:*:*", &cn));
	CHECK_EQ_INT(cn.part, 'o');
	CHECK_STR(cn.vendor, "hikvision");
	CHECK_STR(cn.product, "ds-2cd2026g2-iu/sl_firmware");
	CHECK_STR(cn.version, "-");
	CHECK(cpe_parse("cpe:2.3:o:cisco:ios:15.2\\(5\\)e:*:*:*:*:*:*:*", &cn));
	CHECK_STR(cn.version, "15.2(5)e");
	CHECK(cpe_parse("cpe:2.3:h:Siemens:CPU_1214C:-", &cn));
	CHECK_STR(cn.vendor, "siemens");
	CHECK_STR(cn.product, "cpu_1214c");
	CHECK(!cpe_parse("cpe:/o:mikrotik:routeros:6.42", &cn));
	CHECK(!cpe_parse("cpe:2.3:x:a:b:c", &cn));
	CHECK(!cpe_parse("cpe:2.3:o:mikrotik", &cn));
	CHECK(!cpe_parse("cpe:2.3:o::routeros:1", &cn));
	CHECK(!cpe_parse(NULL, &cn));
	CHECK(!cpe_parse("cpe:2.3:o:a\\", &cn));
}

TEST(globs)
{
	CHECK(cpe_glob("cp-88*", "cp-8845"));
	CHECK(cpe_glob("cp-88*", "cp-88"));
	CHECK(!cpe_glob("cp-88*", "cp-7841"));
	CHECK(cpe_glob("ipc-h*w3*", "ipc-hdw3541t-zs"));
	CHECK(cpe_glob("ipc-h*w3*", "ipc-hdbw3441r-zs"));
	CHECK(!cpe_glob("ipc-h*w3*", "ipc-hfw2431s"));
	CHECK(cpe_glob("ds-2cd2??2f-i*", "ds-2cd2042f-iw"));
	CHECK(!cpe_glob("ds-2cd2??2f-i*", "ds-2cd2142fwd-i"));
	CHECK(cpe_glob("*", ""));
	CHECK(cpe_glob("*laserjet_enterprise*", "color_laserjet_enterprise_m553"));
	CHECK(cpe_glob("ROUTEROS", "routeros"));
	CHECK(!cpe_glob("a", ""));
	CHECK(!cpe_glob("", "a"));
	CHECK(cpe_glob("a*b*c", "axxbyyc"));
	CHECK(!cpe_glob("a*b*c", "axxbyy"));
	/* Many stars on a long subject stay fast (no exponential backtracking). */
	CHECK(!cpe_glob("*a*a*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}

int main(void)
{
	RUN(vendor_aliases);
	RUN(vendor_two_names);
	RUN(normalise);
	RUN(identity_model_firmware);
	RUN(identity_os);
	RUN(identity_without_vendor_or_version);
	RUN(escape_and_parse);
	RUN(globs);
	return testlib_summary();
}
