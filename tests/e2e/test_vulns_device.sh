#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Issue 4's vulnerability bar, end to end: `feed import nvd` of a file in NVD's CVE API 2.0 format, then a
# replay of a real BACnet capture whose devices report their firmware: the CVE whose range holds the device's
# version is on that device, the one whose range does not is on no device; a KEV import marks a CVE as known
# exploited and raises the device's exposure. The CVE ids are test ids (CVE-2099-*), the format is real.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/sh.sh
CORPUS=${CORPUS:-../shared/corpus/pcaps}
CAP=$CORPUS/icsnpp-bacnet-example.pcap
DATA=tests/e2e/data
[ -f "$CAP" ] || { echo "FAIL no capture $CAP"; echo "0 passed, 1 failed"; exit 1; }
STATE=$(mktemp -d /tmp/iotsense-vulns.XXXXXX)
trap 'rm -rf "$STATE"' EXIT

check "feed import nvd" "$IOTSENSE" --state-dir "$STATE" feed import nvd "$DATA/nvd-bacnet-lab.json"
gzip -c "$DATA/nvd-bacnet-lab.json" >"$STATE/nvd.json.gz"
check "feed import nvd (gzip)" "$IOTSENSE" --state-dir "$STATE" feed import nvd "$STATE/nvd.json.gz"
"$IOTSENSE" --state-dir "$STATE" replay --no-progress "$CAP" >"$STATE/before-kev.ndjson" 2>"$STATE/replay.err"
check "replay with the imported feed" test -s "$STATE/before-kev.ndjson"

# cves_of FILE IP: the CVE ids on the device with that IP, comma-joined and sorted; then its exposure.
cves_of() {
	python3 - "$1" "$2" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    if not line.startswith('{"record":"device"'):
        continue
    d = json.loads(line)["device"]
    if sys.argv[2] in d.get("ips", []):
        print(",".join(sorted(v["cve"] for v in d.get("vulnerabilities", []))),
              d.get("exposure"), ",".join(sorted(v["cve"] for v in d.get("vulnerabilities", []) if v.get("kev"))))
PY
}
all_cves() {
	python3 - "$1" <<'PY'
import json, sys
s = set()
for line in open(sys.argv[1]):
    if line.startswith('{"record":"device"'):
        s.update(v["cve"] for v in json.loads(line)["device"].get("vulnerabilities", []) if v["cve"].startswith("CVE-2099"))
print(",".join(sorted(s)))
PY
}
export -f cves_of all_cves
# Siemens RCG-525 1.4.7 < 2.0: in range.
check "in range: CVE-2099-10001 on the Siemens RCG-525 (1.4.7)" \
	bash -c "[ \"\$(cves_of $STATE/before-kev.ndjson 172.20.32.116 | cut -d' ' -f1)\" = CVE-2099-10001 ]"
check "CVSS 9.8 makes the Siemens device's exposure high" \
	bash -c "[ \"\$(cves_of $STATE/before-kev.ndjson 172.20.32.116 | cut -d' ' -f2)\" = high ]"
# SAMSON DPA-307 5.5.8 is not < 5.0: out of range, and on no other device either.
check "out of range: nothing on the SAMSON DPA-307 (5.5.8)" \
	bash -c "[ -z \"\$(cves_of $STATE/before-kev.ndjson 172.20.32.121 | cut -d' ' -f1)\" ]"
check "CVE-2099-10002 on no device at all" \
	bash -c "! all_cves $STATE/before-kev.ndjson | grep -q CVE-2099-10002"
# WILO ZAC-176 2.6.4 within [2.6.0, 2.6.4]: the inclusive end holds.
check "boundary: CVE-2099-10003 on the WILO ZAC-176 (2.6.4, end inclusive)" \
	bash -c "[ \"\$(cves_of $STATE/before-kev.ndjson 172.20.32.114 | cut -d' ' -f1)\" = CVE-2099-10003 ]"
check "CVSS 5.4 alone: the WILO device's exposure is low" \
	bash -c "[ \"\$(cves_of $STATE/before-kev.ndjson 172.20.32.114 | cut -d' ' -f2)\" = low ]"
check "exactly the two in-range test CVEs in the whole capture" \
	bash -c "[ \"\$(all_cves $STATE/before-kev.ndjson)\" = CVE-2099-10001,CVE-2099-10003 ]"

check "feed import kev" "$IOTSENSE" --state-dir "$STATE" feed import kev "$DATA/kev-bacnet-lab.json"
"$IOTSENSE" --state-dir "$STATE" replay --no-progress "$CAP" >"$STATE/after-kev.ndjson" 2>>"$STATE/replay.err"
check "KEV marks CVE-2099-10003 known exploited" \
	bash -c "[ \"\$(cves_of $STATE/after-kev.ndjson 172.20.32.114 | cut -d' ' -f3)\" = CVE-2099-10003 ]"
check "a KEV CVE raises the WILO device's exposure to high" \
	bash -c "[ \"\$(cves_of $STATE/after-kev.ndjson 172.20.32.114 | cut -d' ' -f2)\" = high ]"
check "iotsense vulns --from lists the in-range CVEs" bash -c \
	"'$IOTSENSE' --state-dir '$STATE' vulns --from '$STATE/after-kev.ndjson' | grep -q CVE-2099-10001"

summary
