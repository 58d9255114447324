#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""A VNC viewer's handshake (RFC 6143) for the lab: version, security types, choose None when offered (then
ClientInit and read ServerInit), else the first type offered and stop at its challenge. Prints what it saw.

usage: vnc_client.py HOST PORT
"""
import socket
import sys


def recv_exact(s, n):
    out = b""
    while len(out) < n:
        d = s.recv(n - len(out))
        if not d:
            break
        out += d
    return out


def main():
    s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
    version = recv_exact(s, 12)
    if not version.startswith(b"RFB "):
        sys.exit("vnc_client: not an RFB server: %r" % version)
    s.sendall(b"RFB 003.008\n")
    count = recv_exact(s, 1)
    types = list(recv_exact(s, count[0])) if count and count[0] else []
    if not types:
        sys.exit("vnc_client: the server offered no security type")
    choice = 1 if 1 in types else types[0]
    s.sendall(bytes([choice]))
    if choice == 1:
        recv_exact(s, 4)  # SecurityResult
        s.sendall(b"\x01")  # ClientInit: shared
        init = s.recv(256)
        print("vnc_client: offered %s, chose None, ServerInit %d bytes" % (types, len(init)))
    else:
        challenge = recv_exact(s, 16)
        print("vnc_client: offered %s, chose %d, challenge %d bytes" % (types, choice, len(challenge)))
    s.close()


if __name__ == "__main__":
    main()
