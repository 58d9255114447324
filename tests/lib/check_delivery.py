#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Checks what a collector received against what was queued (at least once, in order, nothing extra).

   check_delivery.py EXPECTED RECEIVED [--kinds device,alert] [--min-severity N] [--ignore EXPECTED0]

EXPECTED: outbox_fill.py's seq<TAB>record_id<TAB>kind<TAB>severity_id<TAB>body lines; RECEIVED: one record_id a line,
in arrival order. The filter mirrors the output's (min_severity applies to findings, not device records).
Fails when a wanted record is missing, an unwanted one arrived, or the first arrivals are out of queue order.
--ignore: record ids queued earlier (another EXPECTED file) are left out of RECEIVED, for UDP, which cannot
promise the records it sent before the collector was up. Prints one summary line."""
import argparse
import sys

ap = argparse.ArgumentParser()
ap.add_argument("expected")
ap.add_argument("received")
ap.add_argument("--kinds", default="device,alert,vulnerability,recommendation")
ap.add_argument("--min-severity", type=int, default=0)
ap.add_argument("--ignore")
a = ap.parse_args()
kinds = set(a.kinds.split(","))
want = []
for line in open(a.expected):
    seq, rid, kind, sev = line.rstrip("\n").split("\t")[:4]
    if kind in kinds and (kind == "device" or int(sev) >= a.min_severity):
        want.append(rid)
ignore = set(l.split("\t")[1] for l in open(a.ignore)) if a.ignore else set()
got = [l.strip() for l in open(a.received) if l.strip() and l.strip() not in ignore]
first, seen = [], set()
for rid in got:
    if rid not in seen:
        seen.add(rid)
        first.append(rid)
missing = [r for r in want if r not in seen]
extra = [r for r in first if r not in set(want)]
in_order = [r for r in first if r in set(want)] == [r for r in want if r in seen]
print("%d wanted, %d received (%d duplicates), %d missing, %d unwanted, order %s"
      % (len(want), len(got), len(got) - len(first), len(missing), len(extra), "kept" if in_order else "BROKEN"))
sys.exit(0 if not missing and not extra and in_order and want else 1)
