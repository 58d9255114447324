#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Accuracy over ../shared/corpus: replay each capture, then score the facts of truth.tsv.

A fact holds when the device record of the IP or MAC named in its row carries the expected value for that
attribute (rows named "cdp:Switch" name a device by what it calls itself). Multi-valued truths
("DISCOVER,OFFER,...") hold when the device carries every listed value.
app_protocol labels are compared through an alias table (nDPI and Zeek spell some protocols differently).

Prints recall per capture and per attribute family, then macro recall (mean over captures), and exits 1 when
--min-macro or --min-capture is not met.
"""
import argparse
import collections
import json
import os
import subprocess
import sys

# Spellings that name the same protocol: our label -> the labels peers use for it.
ALIASES = {
    "FTP": {"FTP", "FTP_CONTROL"},
    "Modbus": {"Modbus", "Modbus/TCP"},
    "S7comm": {"S7comm", "S7Comm"},
    "TLS": {"TLS", "TLS.ntop"},  # nDPI appends the sub-protocol it guesses from the SNI
}


def canon(attr, value):
    v = value.strip()
    if attr == "app_protocol":
        for ours, theirs in ALIASES.items():
            if v in theirs:
                return ours
    # MACs and host names are case-insensitive (nDPI lower-cases names; the wire keeps the device's case).
    if attr.endswith(("mac", "hostname", "_name_seen", "query_name")) or attr == "ip_for_mac":
        v = v.lower()
    return v


def replay(binary, pcap):
    out = subprocess.run([binary, "replay", "--no-progress", pcap], capture_output=True, text=True)
    if out.returncode != 0:
        sys.stderr.write("replay of %s failed: %s\n" % (pcap, out.stderr.strip()))
    return out.stdout.splitlines()


def device_values(lines):
    """{ip, mac, or "name:<host name>": {attribute: [values]}} from the device records."""
    vals = {}
    for line in lines:
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if r.get("record") != "device":
            continue
        d = r["device"]
        attrs = d.get("attributes", {})
        names = [d.get("mac")] + d.get("ips", []) + ["name:" + h.lower() for h in d.get("hostnames", [])]
        for n in names:
            if n:
                vals.setdefault(n.lower(), {})
                for k, v in attrs.items():
                    vals[n.lower()].setdefault(k, []).extend(v)
    return vals


def lookup(vals, who):
    if ":" in who and who.count(":") == 1 and not who.startswith("fe80"):
        return vals.get("name:" + who.split(":", 1)[1], {})  # "cdp:switch"
    return vals.get(who, {})


def holds(values, attr, expected):
    exp = canon(attr, expected)
    got = [canon(attr, v) for v in values]
    if exp in got:
        return True
    if "," in expected and not attr.endswith("_list"):
        return all(e.strip() in got for e in exp.split(","))
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iotsense", default=os.environ.get("IOTSENSE", "build/iotsense"))
    ap.add_argument("--corpus", default="../shared/corpus")
    ap.add_argument("--min-macro", type=float, default=0.0)
    ap.add_argument("--min-capture", type=float, default=0.0)
    ap.add_argument("--json", action="store_true", help="print the scores as one JSON object")
    ap.add_argument("--misses", action="store_true", help="list every fact not found")
    a = ap.parse_args()

    facts = collections.defaultdict(list)
    with open(os.path.join(a.corpus, "truth.tsv")) as f:
        next(f)
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 4:
                facts[parts[0]].append((parts[1].lower(), parts[2], parts[3]))

    per_capture, per_attr, misses = {}, collections.defaultdict(lambda: [0, 0]), []
    for pcap in sorted(facts):
        vals = device_values(replay(a.iotsense, os.path.join(a.corpus, "pcaps", pcap)))
        found = 0
        for who, attr, exp in facts[pcap]:
            ok = holds(lookup(vals, who).get(attr, []), attr, exp)
            found += ok
            fam = attr if attr == "app_protocol" else attr.split("_")[0]
            per_attr[fam][0] += ok
            per_attr[fam][1] += 1
            if not ok:
                misses.append((pcap, who, attr, exp, lookup(vals, who).get(attr, [])[:3]))
        per_capture[pcap] = (found, len(facts[pcap]))

    macro = sum(f / t for f, t in per_capture.values()) / len(per_capture)
    worst = min(f / t for f, t in per_capture.values())
    total_f = sum(f for f, _ in per_capture.values())
    total_t = sum(t for _, t in per_capture.values())
    if a.json:
        print(json.dumps({"macro_recall": macro, "min_capture_recall": worst, "facts_found": total_f,
                          "facts": total_t,
                          "captures": {k: {"found": f, "facts": t} for k, (f, t) in per_capture.items()},
                          "families": {k: {"found": f, "facts": t} for k, (f, t) in per_attr.items()}}))
    else:
        print("%-40s %7s" % ("CAPTURE", "RECALL"))
        for pcap, (f, t) in per_capture.items():
            print("%-40s %3d/%-3d %.2f" % (pcap, f, t, f / t))
        print("\n%-40s %7s" % ("FAMILY", "RECALL"))
        for fam, (f, t) in sorted(per_attr.items()):
            print("%-40s %3d/%-3d %.2f" % (fam, f, t, f / t))
        print("\nfacts found %d/%d; macro recall %.3f; lowest capture %.2f" % (total_f, total_t, macro, worst))
        if a.misses:
            for m in misses:
                print("MISS %s %s %s=%r got %r" % m)
    ok = macro >= a.min_macro and worst >= a.min_capture
    print("accuracy: %d passed, %d failed" % (1 if ok else 0, 0 if ok else 1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
