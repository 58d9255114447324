#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""A scripted Telnet user for the lab: connect, log in when asked (mode "login"), reach the shell prompt, run one
command, exit. Refuses every option the server offers (WONT/DONT), as a dumb terminal would. Bounded: every wait
ends after a few seconds. Exit 0 when the shell answered, 1 with what was seen otherwise.

usage: telnet_client.py HOST PORT open|login [USER PASSWORD]
"""
import socket
import sys
import time

IAC, WILL, WONT, DO, DONT = 255, 251, 252, 253, 254


def main():
    host, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    user = sys.argv[4] if len(sys.argv) > 4 else "iotuser"
    password = sys.argv[5] if len(sys.argv) > 5 else "secret"
    s = socket.create_connection((host, port), timeout=5)
    s.settimeout(1)
    seen = bytearray()

    def until(patterns, limit=5.0):
        end = time.time() + limit
        while time.time() < end:
            for p in patterns:
                if p in seen:
                    return p
            try:
                data = s.recv(4096)
            except socket.timeout:
                continue
            if not data:
                return None
            reply, i = bytearray(), 0
            while i < len(data):
                if data[i] == IAC and i + 2 < len(data) and data[i + 1] in (WILL, WONT, DO, DONT):
                    reply += bytes([IAC, DONT if data[i + 1] in (WILL, WONT) else WONT, data[i + 2]])
                    i += 3
                    continue
                seen.append(data[i])
                i += 1
            if reply:
                s.sendall(bytes(reply))
        return None

    if mode == "login":
        if until([b"login:"]) is None:
            sys.exit("telnet_client: no login prompt; saw %r" % bytes(seen[-200:]))
        s.sendall(user.encode() + b"\r\n")
        if until([b"assword:"]) is None:
            sys.exit("telnet_client: no password prompt; saw %r" % bytes(seen[-200:]))
        s.sendall(password.encode() + b"\r\n")
    del seen[:]
    if until([b"$ ", b"# "]) is None:
        sys.exit("telnet_client: no shell prompt; saw %r" % bytes(seen[-200:]))
    s.sendall(b"echo lab-ok\r\n")
    ok = until([b"lab-ok\r\n"]) is not None
    s.sendall(b"exit\r\n")
    time.sleep(0.2)
    s.close()
    sys.exit(0 if ok else "telnet_client: the shell did not answer")


if __name__ == "__main__":
    main()
