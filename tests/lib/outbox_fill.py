#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Queues records in a state dir's outbox, as the daemon does, for the output tests.

   outbox_fill.py DB NDJSON COPIES EXPECTED [FIRST_COPY]

Takes the device and alert records of NDJSON (`iotsense replay` output), COPIES times each, made distinct by a
"test_copy" member (FIRST_COPY.., default 0) (so every queued record has its own record_id); alerts get severities 1..5 in turn, so
min_severity filters have something to filter. Writes one line per queued row to EXPECTED:
seq<TAB>record_id<TAB>kind<TAB>severity_id<TAB>body. The record_id is what iotsense computes: hex of the first 16 bytes of
SHA-256 over the line."""
import hashlib
import json
import sqlite3
import sys
import time

SEV = {1: "informational", 2: "low", 3: "medium", 4: "high", 5: "critical"}


def main():
    db, src, copies, expected = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    first = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    recs = [json.loads(l) for l in open(src) if l.strip()]
    recs = [r for r in recs if r.get("record") in ("device", "alert")]
    con = sqlite3.connect(db, timeout=10)
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())
    n = 0
    with open(expected, "w") as out:
        for k in range(first, first + copies):
            for r in recs:
                r = dict(r, test_copy=k)
                sev = 0
                if r["record"] == "alert":
                    sev = 1 + n % 5
                    r["severity_id"], r["severity"] = sev, SEV[sev]
                line = json.dumps(r, separators=(",", ":"))
                rid = hashlib.sha256(line.encode()).hexdigest()[:32]
                cur = con.execute(
                    "INSERT INTO outbox (record_id, kind, severity_id, created_at, body) VALUES (?,?,?,?,?)",
                    (rid, r["record"], sev, now, line))
                out.write(f"{cur.lastrowid}\t{rid}\t{r['record']}\t{sev}\t{line}\n")
                n += 1
    con.commit()
    print(n)


main()
