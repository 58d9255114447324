// SPDX-License-Identifier: GPL-2.0-only
/* The fingerprint rules engine (user/classify.c): load errors with their exact position, matching, templates. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "classify.h"
#include "testlib.h"

/* A fresh temporary directory per test, holding the files the test writes. */
struct tdir {
	char path[64];
};

static void tdir_make(struct tdir *d)
{
	snprintf(d->path, sizeof(d->path), "/tmp/iotsense-classify-XXXXXX");
	if (!mkdtemp(d->path)) {
		perror("mkdtemp");
		exit(1);
	}
}

static void tdir_write(const struct tdir *d, const char *name, const char *text)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", d->path, name);
	f = fopen(p, "w");
	if (!f) {
		perror(p);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

static void tdir_remove(struct tdir *d)
{
	DIR *dir = opendir(d->path);
	struct dirent *de;

	while (dir && (de = readdir(dir))) {
		char p[512];

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", d->path, de->d_name);
		unlink(p);
	}
	if (dir)
		closedir(dir);
	rmdir(d->path);
}

/* Loads one file of rules that must fail; returns the error with the temporary directory cut from the path. */
static const char *load_error(const char *text, struct classify_error *err)
{
	static char msg[800];
	struct classify_rules *rs;
	struct tdir d;
	size_t n;

	tdir_make(&d);
	tdir_write(&d, "r.yaml", text);
	rs = classify_load(d.path, err);
	tdir_remove(&d);
	if (rs) {
		classify_free(rs);
		return "(loaded)";
	}
	n = strlen(d.path);
	snprintf(msg, sizeof(msg), "%s", strncmp(err->msg, d.path, n) == 0 ? err->msg + n + 1 : err->msg);
	return msg;
}

/* Loads one file of rules that must be valid. */
static struct classify_rules *load_ok(const char *text)
{
	struct classify_rules *rs;
	struct classify_error err;
	struct tdir d;

	tdir_make(&d);
	tdir_write(&d, "r.yaml", text);
	rs = classify_load(d.path, &err);
	tdir_remove(&d);
	if (!rs)
		printf("  unexpected load error: %s\n", err.msg);
	return rs;
}

static int classify(const struct classify_rules *rs, const char *oui, const struct classify_attr *a, size_t n,
		    struct classify_result *res)
{
	struct classify_input in = { .oui_vendor = oui, .nattrs = n, .attrs = a };

	return classify_device(rs, &in, res);
}

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

TEST(error_bad_yaml)
{
	struct classify_error err;
	const char *m = load_error("- id: a\n"
				   "  match: {snmp_sysdescr: 'x'\n"
				   "  set: {type: printer}\n",
				   &err);

	/* libyaml reports an unclosed flow mapping where it expected ',' or '}': the start of line 3. */
	CHECK(starts_with(m, "r.yaml:3:3: YAML: did not find expected ',' or '}'"));
	CHECK_EQ_INT(err.line, 3);
	CHECK_EQ_INT(err.column, 3);
	CHECK(!err.io);
	CHECK(strstr(err.file, "r.yaml") != NULL);
}

TEST(error_bad_yaml_tab)
{
	struct classify_error err;
	const char *m = load_error("- id: a\n\tmatch: x\n", &err);

	CHECK_STR(m, "r.yaml:2:1: YAML: found a tab character that violates indentation (while scanning a plain "
		     "scalar at line 1)");
}

TEST(error_bad_utf8)
{
	struct classify_error err;
	const char *m = load_error("- id: a\n  description: '\xff'\n", &err);

	CHECK(starts_with(m, "r.yaml:2:17: YAML: invalid leading UTF-8 octet"));
}

TEST(error_unknown_key)
{
	struct classify_error err;
	const char *m = load_error("- id: hp\n"
				   "  matches:\n"
				   "    snmp_sysdescr: '^HP'\n",
				   &err);

	CHECK_STR(m, "r.yaml:2:3: unknown key 'matches' in a rule (expected id, description, match, set or "
		     "confidence)");
}

TEST(error_unknown_set_field)
{
	struct classify_error err;
	const char *m = load_error("- id: hp\n"
				   "  match: {a_b: 'x'}\n"
				   "  set:\n"
				   "    colour: red\n"
				   "  confidence: 5\n",
				   &err);

	CHECK(starts_with(m, "r.yaml:4:5: unknown field 'colour' in set"));
}

TEST(error_unknown_type)
{
	struct classify_error err;
	const char *m = load_error("- id: fridge\n"
				   "  match:\n"
				   "    dhcp_vendor_class: '^Fridge'\n"
				   "  set:\n"
				   "    type: refrigerator\n"
				   "  confidence: 50\n",
				   &err);

	CHECK(starts_with(m, "r.yaml:5:11: unknown device type 'refrigerator' (one of: printer, voip_phone,"));
	CHECK(strstr(m, "iot_other)") != NULL);
}

TEST(error_bad_regex)
{
	struct classify_error err;
	const char *m = load_error("- id: bad\n"
				   "  match:\n"
				   "    http_server: '^(Boa|GoAhead'\n"
				   "  set: {type: iot_other}\n"
				   "  confidence: 10\n",
				   &err);

	CHECK_STR(m, "r.yaml:3:18: bad pattern for 'http_server': missing closing parenthesis (at offset 13)");
	CHECK_EQ_INT(err.line, 3);
	CHECK_EQ_INT(err.column, 18);
}

TEST(error_bad_regex_in_any)
{
	struct classify_error err;
	const char *m = load_error("- id: bad\n"
				   "  match:\n"
				   "    any:\n"
				   "      - ssdp_server: 'ok'\n"
				   "      - http_server: 'a{2,1}'\n"
				   "  set: {type: iot_other}\n"
				   "  confidence: 10\n",
				   &err);

	CHECK(starts_with(m, "r.yaml:5:22: bad pattern for 'http_server': numbers out of order"));
}

TEST(error_missing_id)
{
	struct classify_error err;
	const char *m = load_error("- id: first\n"
				   "  match: {a_b: 'x'}\n"
				   "  set: {type: printer}\n"
				   "  confidence: 10\n"
				   "\n"
				   "- match:\n"
				   "    snmp_sysdescr: '^HP'\n"
				   "  set: {type: printer}\n"
				   "  confidence: 90\n",
				   &err);

	/* The rule's mapping starts at its first key, after "- ". */
	CHECK_STR(m, "r.yaml:6:3: rule without 'id'");
}

TEST(error_missing_confidence)
{
	struct classify_error err;
	const char *m = load_error("- id: x\n"
				   "  match: {a_b: 'x'}\n"
				   "  set: {type: printer}\n",
				   &err);

	CHECK_STR(m, "r.yaml:1:3: rule 'x' has no 'confidence'");
}

TEST(error_duplicate_id_same_file)
{
	struct classify_error err;
	const char *m = load_error("- id: twice\n"
				   "  match: {a_b: 'x'}\n"
				   "  set: {type: printer}\n"
				   "  confidence: 10\n"
				   "- id: twice\n"
				   "  match: {a_b: 'y'}\n"
				   "  set: {type: router}\n"
				   "  confidence: 10\n",
				   &err);

	CHECK(starts_with(m, "r.yaml:5:7: duplicate rule id 'twice' (first defined at "));
	CHECK(strstr(m, "r.yaml:1:7)") != NULL);
}

TEST(error_duplicate_id_across_files)
{
	struct classify_rules *rs;
	struct classify_error err;
	char want[300];
	struct tdir d;

	tdir_make(&d);
	tdir_write(&d, "a.yaml", "- id: dup\n  match: {a_b: 'x'}\n  set: {type: printer}\n  confidence: 10\n");
	tdir_write(&d, "b.yaml", "# second file\n\n- id: dup\n  match: {a_b: 'y'}\n  set: {vendor: X}\n"
				 "  confidence: 10\n");
	rs = classify_load(d.path, &err);
	CHECK(rs == NULL);
	/* Files load in name order, so the second definition is the one in b.yaml. */
	snprintf(want, sizeof(want), "%s/b.yaml:3:7: duplicate rule id 'dup' (first defined at %s/a.yaml:1:7)",
		 d.path, d.path);
	CHECK_STR(err.msg, want);
	CHECK_EQ_INT(err.line, 3);
	CHECK_EQ_INT(err.column, 7);
	classify_free(rs);
	tdir_remove(&d);
}

TEST(error_templates)
{
	struct classify_error err;

	CHECK_STR(load_error("- id: t\n  match: {a_b: '^(x)'}\n  set: {model: '{2}'}\n  confidence: 5\n", &err),
		  "r.yaml:3:16: model: '{2}': the pattern of the first condition (a_b) has 1 capture group");
	CHECK_STR(load_error("- id: t\n  match: {a_b: '^(x)'}\n  set: {model: '{fw}'}\n  confidence: 5\n", &err),
		  "r.yaml:3:16: model: '{fw}': no pattern of this rule has a group (?<fw>...)");
	CHECK_STR(load_error("- id: t\n  match: {a_b: 'x'}\n  set: {model: 'a{b'}\n  confidence: 5\n", &err),
		  "r.yaml:3:16: model: unterminated '{' (write '{{' for a literal brace)");
	CHECK_STR(load_error("- id: t\n  match: {a_b: 'x'}\n  set: {model: 'a}'}\n  confidence: 5\n", &err),
		  "r.yaml:3:16: model: '}' without '{' (write '}}' for a literal brace)");
	/* Unquoted {1} is a YAML flow mapping, not a string. */
	CHECK(starts_with(load_error("- id: t\n  match: {a_b: '(x)'}\n  set:\n    model: {1}\n  confidence: 5\n",
				     &err),
			  "r.yaml:4:13: unknown key '1' in 'model'"));
}

TEST(error_misc)
{
	struct classify_error err;

	CHECK_STR(load_error("- id: t\n  match: {a_b: 'x'}\n  set: {type: printer}\n  confidence: 101\n", &err),
		  "r.yaml:4:15: confidence must be a whole number from 1 to 100, not '101'");
	CHECK_STR(load_error("- id: t\n  match: {a_b: ''}\n  set: {type: printer}\n  confidence: 1\n", &err),
		  "r.yaml:2:16: empty pattern for 'a_b' (write '.' to require that the key is present)");
	CHECK_STR(load_error("- id: t\n  match: {a_b: 'x', a_b: 'y'}\n  set: {type: printer}\n  confidence: 1\n",
			     &err),
		  "r.yaml:2:21: duplicate condition 'a_b' (combine the patterns in one regex)");
	CHECK_STR(load_error("- id: t\n  match: {any: [{any: [{a: 'x'}]}]}\n  set: {type: printer}\n"
			     "  confidence: 1\n",
			     &err),
		  "r.yaml:2:18: any: cannot be nested");
	CHECK_STR(load_error("- id: t\n  match: {a-b: 'x'}\n  set: {type: printer}\n  confidence: 1\n", &err),
		  "r.yaml:2:11: 'a-b' is not an observation key (a letter, then letters, digits, '_'; at most 39)");
	CHECK_STR(load_error("- id: Bad Id\n  match: {a: 'x'}\n  set: {type: printer}\n  confidence: 1\n", &err),
		  "r.yaml:1:7: bad rule id 'Bad Id' (lower-case letters, digits, '-', '_', '.'; at most 47)");
	CHECK_STR(load_error("- &r\n  id: t\n  match: {a: 'x'}\n  set: {type: printer}\n  confidence: 1\n- *r\n",
			     &err),
		  "r.yaml:6:3: aliases (*name) are not supported in rules");
	CHECK_STR(load_error("id: t\n", &err), "r.yaml:1:1: expected a list of rules ('- id: ...')");
	CHECK_STR(load_error("- id: t\n  match: {a: 'x'}\n  set: {type: printer}\n  confidence: 1\n---\n- id: u\n",
			     &err),
		  "r.yaml:5:1: one YAML document per file");
	CHECK_STR(load_error("- id: t\n  match: {}\n  set: {type: printer}\n  confidence: 1\n", &err),
		  "r.yaml:2:10: match: needs at least one condition");
	CHECK_STR(load_error("- id: t\n  match: {a: 'x'}\n  set: {}\n  confidence: 1\n", &err),
		  "r.yaml:3:8: set: needs at least one field");
	CHECK_STR(load_error("- id: t\n  match: {a: \"x\\0\"}\n  set: {type: printer}\n  confidence: 1\n", &err),
		  "r.yaml:2:14: NUL character in a string");
}

TEST(error_io)
{
	struct classify_error err;
	struct classify_rules *rs = classify_load("/nonexistent/iotsense-rules", &err);

	CHECK(rs == NULL);
	CHECK(err.io);
	CHECK_STR(err.msg, "/nonexistent/iotsense-rules: No such file or directory");
	CHECK_EQ_INT(err.line, 0);
}

TEST(load_counts_and_empty_files)
{
	struct classify_rules *rs;
	struct classify_error err;
	struct tdir d;

	tdir_make(&d);
	tdir_write(&d, "empty.yaml", "# only a comment\n");
	tdir_write(&d, "list.yaml", "[]\n");
	tdir_write(&d, "two.yaml", "- id: a\n  match: {k: 'x'}\n  set: {type: printer}\n  confidence: 1\n"
				   "- id: b\n  match: {k: 'y'}\n  set: {type: router}\n  confidence: 1\n");
	tdir_write(&d, "ignored.yml", "this is not loaded: [\n");
	tdir_write(&d, ".hidden.yaml", "neither is this: [\n");
	rs = classify_load(d.path, &err);
	CHECK(rs != NULL);
	CHECK_EQ_INT(classify_rule_count(rs), 2);
	CHECK_EQ_INT(classify_file_count(rs), 3);
	classify_free(rs);
	tdir_remove(&d);
}

/* The README's example rule, so the documentation cannot drift from the loader. */
static const char readme_rule[] =
	"- id: hp-printer-snmp\n"
	"  description: HP JetDirect sysDescr\n"
	"  match:\n"
	"    snmp_sysdescr: '(?i)^HP ETHERNET MULTI-ENVIRONMENT,.*?JETDIRECT,(JD\\d+)(?:.*?,EEPROM (?<fw>[^,]+))?'\n"
	"    any:\n"
	"      - service: '^tcp/9100$'\n"
	"      - mdns_service: '^_ipp\\._tcp\\.'\n"
	"  set:\n"
	"    type: printer\n"
	"    vendor: HP\n"
	"    model: 'JetDirect {1}'\n"
	"    firmware: {value: '{fw}', confidence: 80}\n"
	"  confidence: 90\n";

TEST(match_captures_numbered_and_named)
{
	struct classify_rules *rs = load_ok(readme_rule);
	const struct classify_attr a[] = {
		{ "service", "tcp/80" },
		{ "snmp_sysdescr", "HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD153,EEPROM JSI24090012,"
				   "CIDATE 02/19/2020" },
		{ "service", "tcp/9100" },
	};
	struct classify_result r;

	CHECK(rs != NULL);
	CHECK_EQ_INT(classify(rs, NULL, a, 3, &r), 1);
	CHECK_STR(r.type.value, "printer");
	CHECK_EQ_INT(r.type.confidence, 90);
	CHECK_STR(r.vendor.value, "HP");
	CHECK_STR(r.model.value, "JetDirect JD153");
	CHECK_STR(r.firmware.value, "JSI24090012");
	CHECK_EQ_INT(r.firmware.confidence, 80);
	CHECK_STR(r.model.rule_id, "hp-printer-snmp");
	CHECK_STR(r.model.evidence, "snmp_sysdescr=HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD153,EEPROM "
				    "JSI24090012,CIDATE 02/19/2020; service=tcp/9100");
	CHECK_STR(r.os.value, "");
	CHECK_EQ_INT(r.os.confidence, 0);
	/* Without the any: alternative the rule does not hold. */
	CHECK_EQ_INT(classify(rs, NULL, a, 2, &r), 0);
	CHECK_STR(r.type.value, "");
	classify_free(rs);
}

TEST(match_optional_group_leaves_field)
{
	struct classify_rules *rs = load_ok(readme_rule);
	const struct classify_attr a[] = {
		{ "snmp_sysdescr", "HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD24" },
		{ "mdns_service", "_ipp._tcp.local" },
	};
	struct classify_result r;

	CHECK_EQ_INT(classify(rs, NULL, a, 2, &r), 1);
	CHECK_STR(r.model.value, "JetDirect JD24");
	CHECK_STR(r.firmware.value, "");
	CHECK_EQ_INT(r.firmware.confidence, 0);
	classify_free(rs);
}

TEST(match_any_first_and_oui)
{
	struct classify_rules *rs = load_ok("- id: cam\n"
					    "  match:\n"
					    "    any:\n"
					    "      - http_server: '^(App)-webs/'\n"
					    "      - oui_vendor: '^Hangzhou (Hikvision)'\n"
					    "  set: {type: ip_camera, vendor: '{1}'}\n"
					    "  confidence: 70\n");
	const struct classify_attr a[] = { { "http_server", "App-webs/" } };
	struct classify_result r;

	CHECK(rs != NULL);
	CHECK_EQ_INT(classify(rs, NULL, a, 1, &r), 1);
	CHECK_STR(r.vendor.value, "App");
	CHECK_EQ_INT(classify(rs, "Hangzhou Hikvision Digital Technology Co.,Ltd.", NULL, 0, &r), 1);
	CHECK_STR(r.vendor.value, "Hikvision");
	CHECK_STR(r.vendor.evidence, "oui_vendor=Hangzhou Hikvision Digital Technology Co.,Ltd.");
	CHECK_EQ_INT(classify(rs, "Axis Communications AB", NULL, 0, &r), 0);
	classify_free(rs);
}

TEST(match_any_value_of_a_key)
{
	struct classify_rules *rs = load_ok("- id: sip\n"
					    "  match: {sip_user_agent: '^Yealink SIP-(?<m>T\\w+) (?<fw>[\\d.]+)$'}\n"
					    "  set: {model: '{m}', firmware: '{fw}', vendor: '{{Yealink}}'}\n"
					    "  confidence: 90\n");
	const struct classify_attr a[] = {
		{ "sip_user_agent", "Asterisk PBX" },
		{ "sip_user_agent", "Yealink SIP-T46S 66.85.0.5" },
		{ NULL, "ignored" },
		{ "sip_user_agent", NULL },
	};
	struct classify_result r;

	CHECK_EQ_INT(classify(rs, NULL, a, 4, &r), 1);
	CHECK_STR(r.model.value, "T46S");
	CHECK_STR(r.firmware.value, "66.85.0.5");
	CHECK_STR(r.vendor.value, "{Yealink}");
	classify_free(rs);
}

TEST(confidence_precedence)
{
	struct classify_rules *rs = load_ok("- id: weak\n"
					    "  match: {tcp_os: '^Linux$'}\n"
					    "  set: {os: Linux, type: workstation}\n"
					    "  confidence: 35\n"
					    "- id: strong\n"
					    "  match: {dhcp_vendor_class: '^android-dhcp-'}\n"
					    "  set: {os: Android, type: {value: mobile, confidence: 30}}\n"
					    "  confidence: 88\n"
					    "- id: tie-loses\n"
					    "  match: {dhcp_vendor_class: '^android'}\n"
					    "  set: {os: NotAndroid}\n"
					    "  confidence: 88\n");
	const struct classify_attr a[] = { { "dhcp_vendor_class", "android-dhcp-11" }, { "tcp_os", "Linux" } };
	struct classify_result r;

	CHECK_EQ_INT(classify(rs, NULL, a, 2, &r), 3);
	CHECK_STR(r.os.value, "Android");
	CHECK_EQ_INT(r.os.confidence, 88);
	CHECK_STR(r.os.rule_id, "strong");
	/* The per-field confidence (30) of "strong" loses to the weak rule's 35. */
	CHECK_STR(r.type.value, "workstation");
	CHECK_STR(r.type.rule_id, "weak");
	CHECK_EQ_INT(r.type.confidence, 35);
	classify_free(rs);
}

TEST(value_truncated_on_utf8_boundary)
{
	struct classify_rules *rs = load_ok("- id: long\n  match: {k: '^(.*)$'}\n  set: {model: '{1}'}\n"
					    "  confidence: 50\n");
	char v[300];
	struct classify_attr a[] = { { "k", v } };
	struct classify_result r;

	/* 94 ASCII bytes then 'é' (2 bytes): the value holds 95 bytes, so 'é' must go whole. */
	memset(v, 'a', 94);
	snprintf(v + 94, sizeof(v) - 94, "\xc3\xa9tail");
	CHECK_EQ_INT(classify(rs, NULL, a, 1, &r), 1);
	CHECK_EQ_INT(strlen(r.model.value), 94);
	CHECK(strlen(r.model.evidence) < CLASSIFY_EVIDENCE_MAX);
	classify_free(rs);
}

TEST(match_limit_is_a_non_match)
{
	struct classify_rules *rs = load_ok("- id: evil\n  match: {k: '^(a|aa)+$'}\n  set: {type: printer}\n"
					    "  confidence: 50\n");
	char v[200];
	struct classify_attr a[] = { { "k", v } };
	struct classify_result r;
	clock_t t0 = clock();

	memset(v, 'a', 120);
	v[120] = 'b';
	v[121] = '\0';
	CHECK_EQ_INT(classify(rs, NULL, a, 1, &r), 0);
	CHECK((clock() - t0) / (CLOCKS_PER_SEC / 1000) < 1000);
	classify_free(rs);
}

TEST(invalid_utf8_values_still_match)
{
	struct classify_rules *rs = load_ok("- id: u\n  match: {k: '(?i)^acme (\\w+)'}\n  set: {model: '{1}'}\n"
					    "  confidence: 50\n");
	const struct classify_attr a[] = { { "k", "ACME x1\xff\xfe" } };
	struct classify_result r;

	CHECK_EQ_INT(classify(rs, NULL, a, 1, &r), 1);
	CHECK_STR(r.model.value, "x1");
	classify_free(rs);
}

TEST(rules_dir_resolution)
{
	char buf[512];
	struct tdir d;
	char sub[128];

	tdir_make(&d);
	CHECK_STR(classify_rules_dir(d.path, buf, sizeof(buf)), d.path);
	snprintf(sub, sizeof(sub), "%s/fingerprints", d.path);
	CHECK(mkdir(sub, 0700) == 0);
	CHECK_STR(classify_rules_dir(d.path, buf, sizeof(buf)), sub);
	setenv("IOTSENSE_RULES_DIR", sub, 1);
	CHECK_STR(classify_rules_dir(NULL, buf, sizeof(buf)), sub);
	unsetenv("IOTSENSE_RULES_DIR");
	rmdir(sub);
	tdir_remove(&d);
}

TEST(types)
{
	CHECK(classify_type_valid("plc"));
	CHECK(classify_type_valid("iot_other"));
	CHECK(!classify_type_valid("PLC"));
	CHECK(!classify_type_valid(""));
}

int main(void)
{
	RUN(error_bad_yaml);
	RUN(error_bad_yaml_tab);
	RUN(error_bad_utf8);
	RUN(error_unknown_key);
	RUN(error_unknown_set_field);
	RUN(error_unknown_type);
	RUN(error_bad_regex);
	RUN(error_bad_regex_in_any);
	RUN(error_missing_id);
	RUN(error_missing_confidence);
	RUN(error_duplicate_id_same_file);
	RUN(error_duplicate_id_across_files);
	RUN(error_templates);
	RUN(error_misc);
	RUN(error_io);
	RUN(load_counts_and_empty_files);
	RUN(match_captures_numbered_and_named);
	RUN(match_optional_group_leaves_field);
	RUN(match_any_first_and_oui);
	RUN(match_any_value_of_a_key);
	RUN(confidence_precedence);
	RUN(value_truncated_on_utf8_boundary);
	RUN(match_limit_is_a_non_match);
	RUN(invalid_utf8_values_still_match);
	RUN(rules_dir_resolution);
	RUN(types);
	return testlib_summary();
}
