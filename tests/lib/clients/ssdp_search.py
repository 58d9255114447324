#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""An SSDP control point: sends one M-SEARCH (to ADDRESS, default the SSDP multicast group) and prints the
responses that come within 2 seconds. Usage: ssdp_search.py [ADDRESS] [ST]"""
import socket
import sys
import time


def main():
    address = sys.argv[1] if len(sys.argv) > 1 else "239.255.255.250"
    st = sys.argv[2] if len(sys.argv) > 2 else "ssdp:all"
    msg = ("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\n"
           f"ST: {st}\r\nUSER-AGENT: Linux/6.1 UPnP/1.1 iotsense-lab/1.0\r\n\r\n")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 2)
        s.sendto(msg.encode(), (address, 1900))
        end = time.monotonic() + 2
        while (left := end - time.monotonic()) > 0:
            s.settimeout(left)
            try:
                data, peer = s.recvfrom(2048)
            except socket.timeout:
                break
            print(f"--- {peer[0]}\n{data.decode(errors='replace').strip()}")


if __name__ == "__main__":
    main()
