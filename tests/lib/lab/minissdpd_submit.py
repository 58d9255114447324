#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Registers a UPnP service with a running minissdpd over its Unix socket (the way miniupnpd does), so that
minissdpd answers SSDP M-SEARCHes for it. Usage: minissdpd_submit.py SOCKET ST USN SERVER LOCATION"""
import socket
import sys

MINISSDPD_SUBMIT = 4


def code_length(n):
    # minissdpd's CODELENGTH: 7 bits a byte, most significant first, the high bit set on all but the last.
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.insert(0, 0x80 | (n & 0x7F))
        n >>= 7
    return bytes(out)


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    path, fields = sys.argv[1], [f.encode() for f in sys.argv[2:6]]
    req = bytes([MINISSDPD_SUBMIT]) + b"".join(code_length(len(f)) + f for f in fields)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(5)
        s.connect(path)
        s.sendall(req)


if __name__ == "__main__":
    main()
