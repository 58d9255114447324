#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `iotsense feed import` and `iotsense vulns` through the binary: real-format NVD CVE API 2.0 and CISA KEV files
# (tests/unit/vulns/data/) into a temporary --state-dir, the normalised files, bad input refused with exit 1 and
# the previous import kept, usage errors exit 2, and the CVEs a device in range gets (and one out of range does
# not), as a table and as OCSF Vulnerability Finding records. Needs no privileges.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/sh.sh
DATA=tests/unit/vulns/data
NVD=$DATA/nvdcve-2.0-sample.json
KEV=$DATA/known_exploited_vulnerabilities-sample.json
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
S=$tmp/state
run() { "$IOTSENSE" --state-dir "$S" "$@"; }

# --- NVD ------------------------------------------------------------------------------------------------------
run feed import nvd "$NVD" >"$tmp/out" 2>"$tmp/err"
check "nvd import: exit 0" test $? -eq 0
check "nvd import: reports CVEs and ranges" grep -q "nvd: imported 5 CVEs (14 CPE ranges, 3 known exploited)" "$tmp/out"
check "nvd import: reports the skipped entry and why" grep -q "skipped 1: 1 no CPE configuration yet" "$tmp/out"
check "nvd import: no progress line off a terminal" test ! -s "$tmp/err"
check "nvd import: normalised file, header + 5 CVEs" test "$(wc -l <"$S/feeds/nvd.ndjson")" -eq 6
check "nvd import: header line" grep -qx '{"iotsense_feed":"nvd","version":1}' "$S/feeds/nvd.ndjson"
check "nvd import: a range as imported" \
	grep -q '"cve":"CVE-2018-14847","cvss":9.1,"cvss_version":"3.0","severity":"critical","kev":true' "$S/feeds/nvd.ndjson"
check "nvd import: firmware-on-hardware range" grep -q '"product":"cpu_1214c","on":true,"end_excluding":"4.5.0"' "$S/feeds/nvd.ndjson"
cp "$S/feeds/nvd.ndjson" "$tmp/nvd.before"

run feed import nvd "$NVD.gz" --json >"$tmp/out.json" 2>/dev/null
check "nvd import gzip --json: exit 0" test $? -eq 0
check "nvd import gzip --json: one JSON object" \
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["ok"] and d["imported"]==5 and d["skipped"]=={"no_cpe_configuration":1} and d["total"]==5 and d["kept"]==0' "$tmp/out.json"
check "nvd import gzip: same normalised file" cmp -s "$S/feeds/nvd.ndjson" "$tmp/nvd.before"

bad() { # name, content (printf format), expected message
	printf "$2" >"$tmp/$1"
	run feed import nvd "$tmp/$1" >/dev/null 2>"$tmp/err"
	local rc=$?
	check "bad input $1: exit 1" test $rc -eq 1
	check "bad input $1: says why" grep -q "$3" "$tmp/err"
	check "bad input $1: previous import kept" cmp -s "$S/feeds/nvd.ndjson" "$tmp/nvd.before"
}
bad text.json 'this is not JSON' "not a JSON object"
bad empty.json '' "holds no JSON text"
bad shape.json '{"resultsPerPage":0}' 'no "vulnerabilities" array'
bad truncated.json '{"format":"NVD_CVE","vulnerabilities":[{"cve":{"id":"CVE-2018-14847"' "truncated"
bad garbage.json '{"vulnerabilities":[]}}' "after the end of the JSON document"
head -c 1000 "$NVD.gz" >"$tmp/cut.json.gz"
run feed import nvd "$tmp/cut.json.gz" >/dev/null 2>"$tmp/err"
check "truncated gzip: exit 1" test $? -eq 1
check "truncated gzip: says so" grep -q "gzip data ends early: the file is truncated; nothing was changed" "$tmp/err"
check "truncated gzip: previous import kept" cmp -s "$S/feeds/nvd.ndjson" "$tmp/nvd.before"
run feed import nvd "$KEV" >/dev/null 2>"$tmp/err"
check "kev file as nvd: exit 1, named" grep -q "a CISA KEV catalog: use \`iotsense feed import kev\`" "$tmp/err"
run feed import nvd "$tmp/nosuchfile" --json >"$tmp/out.json" 2>/dev/null
check "missing file --json: exit 1" test $? -eq 1
check "missing file --json: ok false with the error" \
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert not d["ok"] and "No such file" in d["error"]' "$tmp/out.json"
check "no temporary files left" test "$(ls -A "$S/feeds" | grep -c tmp)" -eq 0

# --- KEV ------------------------------------------------------------------------------------------------------
run feed import kev "$KEV" >"$tmp/out" 2>&1
check "kev import: exit 0" test $? -eq 0
check "kev import: reports the catalog" grep -q "kev: imported 2 known exploited CVEs (catalog 2022.09.08)" "$tmp/out"
check "kev import: normalised file" test "$(wc -l <"$S/feeds/kev.ndjson")" -eq 3
cp "$S/feeds/kev.ndjson" "$tmp/kev.before"
run feed import kev "$NVD" >/dev/null 2>"$tmp/err"
check "nvd file as kev: exit 1" test $? -eq 1
check "nvd file as kev: catalog kept" cmp -s "$S/feeds/kev.ndjson" "$tmp/kev.before"

# --- usage ----------------------------------------------------------------------------------------------------
run feed >/dev/null 2>&1
check "feed without a subcommand: exit 2" test $? -eq 2
run feed export nvd x >/dev/null 2>&1
check "feed export: exit 2" test $? -eq 2
run feed import nvd >/dev/null 2>&1
check "feed import nvd without FILE: exit 2" test $? -eq 2
run feed import cves "$NVD" >/dev/null 2>&1
check "unknown feed: exit 2" test $? -eq 2
# An NVD file is not an IOC list: refused with the line and column, nothing imported.
run feed import iocs "$NVD" >/dev/null 2>"$tmp/err"
check "iocs: an NVD file given as an IOC list exits 1" test $? -eq 1
check "iocs: the error names file:line" grep -q "$(basename "$NVD"):[0-9]*" "$tmp/err"
run feed import nvd "$NVD" --bogus >/dev/null 2>&1
check "bad flag: exit 2" test $? -eq 2
run feed --help >/dev/null 2>&1
check "feed --help: exit 0" test $? -eq 0

# --- vulns: a device in range and one out of range ------------------------------------------------------------
cat >"$tmp/devices.ndjson" <<'EOF'
{"record":"device","class_uid":5001,"device":{"id":"mac:02:00:00:00:00:01","mac":"02:00:00:00:00:01","ips":["198.18.0.1"],"type":"router","vendor":"MikroTik","model":"RB4011iGS+","os":"RouterOS","firmware":"6.40.5"}}
{"record":"device","class_uid":5001,"device":{"id":"mac:02:00:00:00:00:02","mac":"02:00:00:00:00:02","ips":["198.18.0.2"],"type":"router","vendor":"MikroTik","model":"RB4011iGS+","os":"RouterOS","firmware":"6.49.7"}}
{"record":"device","class_uid":5001,"device":{"id":"mac:02:00:00:00:00:03","mac":"02:00:00:00:00:03","ips":["198.18.0.3"],"type":"plc","vendor":"Siemens","model":"CPU 1214C DC/DC/DC","firmware":"4.4.0"}}
{"record":"flow"}
EOF
R=$tmp/norules # only the imported feeds
run vulns --from "$tmp/devices.ndjson" --rules-dir "$R" --by-device >"$tmp/out" 2>&1
check "vulns: exit 0" test $? -eq 0
check "vulns: the device in range has the CVE" \
	bash -c "sed -n '/^mac:02:00:00:00:00:01/,/^mac:/p' '$tmp/out' | grep -q 'CVE-2018-14847 .* KEV  mikrotik:routeros <= 6.42 (nvd)'"
check "vulns: the device out of range has none" bash -c "! grep -q '^mac:02:00:00:00:00:02' '$tmp/out'"
check "vulns: firmware on hardware" grep -q "CVE-2020-15782 .*siemens:cpu_1214c (firmware) < 4.5.0" "$tmp/out"
check "vulns: summary line" grep -q "^4 CVEs (2 known exploited) on 2 of 3 devices" "$tmp/out"
run vulns --from "$tmp/devices.ndjson" --rules-dir "$R" --json >"$tmp/out.ndjson" 2>/dev/null
check "vulns --json: one OCSF 2002 record per device and CVE" python3 - "$tmp/out.ndjson" <<'EOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert len(recs) == 4, len(recs)
for r in recs:
    assert r["class_uid"] == 2002 and r["type_uid"] == 200201 and r["category_uid"] == 2
    assert r["vulnerabilities"][0]["cve"]["uid"].startswith("CVE-")
pairs = sorted((r["device"]["uid"], r["vulnerabilities"][0]["cve"]["uid"]) for r in recs)
assert ("mac:02:00:00:00:00:01", "CVE-2018-14847") in pairs
assert not any(d == "mac:02:00:00:00:00:02" for d, _ in pairs)
k = [r for r in recs if r["vulnerabilities"][0]["cve"]["uid"] == "CVE-2018-14847"][0]
assert k["severity_id"] == 5 and k["vulnerabilities"][0]["is_exploit_available"] is True
assert k["vulnerabilities"][0]["cve"]["cvss"][0] == {"base_score": 9.1, "severity": "Critical", "version": "3.0"}
assert k["device"]["ip"] == "198.18.0.1"
EOF
run vulns --from "$tmp/nosuch.ndjson" >/dev/null 2>&1
check "vulns: missing device file: exit 1" test $? -eq 1
run vulns extra >/dev/null 2>&1
check "vulns: stray argument: exit 2" test $? -eq 2

# --- the shipped feed -------------------------------------------------------------------------------------------
"$IOTSENSE" rules check >"$tmp/out" 2>&1
check "rules check: passes with the vulnerability feed" grep -q "^ok: [0-9]* vulnerabilities in [0-9]* files (rules/vulns)" "$tmp/out"
summary
