#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""A collector for the http output tests (python3 stdlib only).

   http_receiver.py PORT TOKEN LOG [DELAY_S]

Accepts POSTs on 127.0.0.1:PORT. /services/collector/event is Splunk HEC: the envelopes one a line, each with
"event" (the record), "time", "host", "sourcetype"; /hook is a webhook: a JSON array of records. Checks the
Authorization header ("Splunk TOKEN" for HEC, "Bearer TOKEN" otherwise; TOKEN "-": no header expected) and
gunzips Content-Encoding: gzip bodies. Appends one JSON line per record to LOG: {"path", "record_id", "gzip",
"sourcetype", "record"}; a request that fails a check gets 400/401 and a line {"error": ...}. DELAY_S: each
answer waits this long (a slow collector, so a test can kill the sender mid-drain)."""
import gzip
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, TOKEN, LOG = int(sys.argv[1]), sys.argv[2], sys.argv[3]
DELAY = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0


def log(obj):
    with open(LOG, "a") as f:
        f.write(json.dumps(obj) + "\n")


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, code, body, error=None):
        if error:
            log({"error": error, "path": self.path})
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        hec = self.path == "/services/collector/event"
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        want = None if TOKEN == "-" else ("Splunk " if hec else "Bearer ") + TOKEN
        if self.headers.get("Authorization") != want:
            return self.answer(401, {"text": "Invalid authorization", "code": 3},
                               "authorization %r" % self.headers.get("Authorization"))
        gz = self.headers.get("Content-Encoding") == "gzip"
        try:
            if gz:
                body = gzip.decompress(body)
            text = body.decode("utf-8")
            if hec:
                items = []
                for line in text.splitlines():
                    if not line.strip():
                        continue
                    env = json.loads(line)
                    for k in ("event", "time", "host", "sourcetype"):
                        if k not in env:
                            raise ValueError("HEC envelope without %s" % k)
                    items.append((env["event"], env["sourcetype"]))
            else:
                arr = json.loads(text)
                if not isinstance(arr, list):
                    raise ValueError("webhook body is not a JSON array")
                items = [(r, None) for r in arr]
            for rec, st in items:
                if not isinstance(rec, dict) or "record_id" not in rec:
                    raise ValueError("record without record_id")
        except Exception as e:  # the test reads the error line
            return self.answer(400, {"text": "Invalid data format", "code": 6}, str(e))
        for rec, st in items:
            log({"path": self.path, "record_id": rec["record_id"], "gzip": gz, "sourcetype": st, "record": rec})
        time.sleep(DELAY)
        self.answer(200, {"text": "Success", "code": 0})


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
