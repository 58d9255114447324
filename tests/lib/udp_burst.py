#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""UDP packets for the fault tests from one raw socket, bounded in count and time, test addresses only.

  udp_burst.py DST PORT --src ADDR [--src ADDR]... --count N [--ports K] [--port-base B] [--size BYTES]
               [--seconds S] [--pace P]

Packet i goes from source address i mod S (S = the --src addresses given) and source port B + (i div S) mod K
(B: 20000 unless given): --count S*K makes S*K distinct flows of one packet each; --ports 1 makes S flows
that carry every packet.
A raw socket (IP_HDRINCL) picks any source port without one socket per flow (no file-descriptor limit). The
payload is an mDNS-shaped query padded to BYTES: on a discovery port (5353, 1900, 67) the sensor copies every
packet whole into its ring buffer. --pace P sleeps 1 ms after every P packets so a veth's receive queue is not
overrun. Prints what was sent and what the kernel refused; exits when the count or the time bound is reached.
"""
import argparse
import ipaddress
import socket
import struct
import sys
import time

ALLOWED = ipaddress.ip_network("198.18.0.0/15")


def test_address(a):
    if ipaddress.ip_address(a) not in ALLOWED:
        raise argparse.ArgumentTypeError(f"{a}: only test addresses (198.18.0.0/15)")
    return a


def mdns_query(size):
    # A PTR question for _services._dns-sd._udp.local, then zero padding the decoder stops before.
    q = b"\x09_services\x07_dns-sd\x04_udp\x05local\x00" + struct.pack("!HH", 12, 1)
    p = struct.pack("!HHHHHH", 0, 0, 1, 0, 0, 0) + q
    return p + b"\x00" + b"p" * max(0, size - len(p) - 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dst", type=test_address)
    ap.add_argument("port", type=int)
    ap.add_argument("--src", type=test_address, action="append", required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--ports", type=int, default=1)
    ap.add_argument("--port-base", type=int, default=20000)
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--pace", type=int, default=0)
    a = ap.parse_args()
    if not (0 < a.count <= 200000 and 0 < a.ports and 1024 <= a.port_base and a.port_base + a.ports <= 65536
            and 0 < a.seconds <= 60 and 1 <= a.size <= 1400):
        sys.exit("udp_burst.py: bounds: --count 1..200000, source ports in 1024..65535, --seconds up to 60, "
                 "--size 1..1400")

    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    payload = mdns_query(a.size)
    dst = socket.inet_aton(a.dst)
    srcs = [socket.inet_aton(x) for x in a.src]
    # Every packet prebuilt: the loop only sends. The kernel fills in the IP id and checksum; a UDP checksum of
    # zero means "none" over IPv4.
    pkts = []
    for i in range(min(a.count, len(srcs) * a.ports)):
        sport = a.port_base + (i // len(srcs)) % a.ports
        udp = struct.pack("!HHHH", sport, a.port, 8 + len(payload), 0) + payload
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, socket.IPPROTO_UDP, 0,
                         srcs[i % len(srcs)], dst)
        pkts.append(ip + udp)
    sent = refused = 0
    deadline = time.monotonic() + a.seconds
    for i in range(a.count):
        try:
            s.sendto(pkts[i % len(pkts)], (a.dst, 0))
            sent += 1
        except OSError:  # ENOBUFS: the queue is full; the packet is counted, not retried
            refused += 1
        if a.pace and i % a.pace == a.pace - 1:
            time.sleep(0.001)
        if i % 256 == 255 and time.monotonic() > deadline:
            break
    print(f"sent {sent} refused {refused} flows {len(pkts)}")


if __name__ == "__main__":
    main()
