#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""A deterministic mixed IoT capture for the peer benchmark (bench/peers.sh) and the RSS run.

Same seed and options, same bytes: everything comes from one random.Random(seed), timestamps included, and the
pcap is written by hand (standard library only). Several hundred devices with MACs of real vendors (OUIs from
the IEEE registry) talk HTTP, SSH, Telnet, TLS, DNS, mDNS, SNMP, DHCP, SIP, NTP and SSDP, each as its real
exchange: TCP sessions open with the 3-way handshake (SYN options per device OS, so p0f can fingerprint them),
carry payload both ways and close with FIN; UDP protocols send the request and its answer. A share of the
devices also speaks IPv6 (2001:db8::/32) and a share sits on a tagged VLAN (802.1Q, both directions). Sessions
are interleaved (a pool of open sessions, one packet of a random one at a time), as on a real link.

Addresses: the devices are in 198.18.0.0/16, the "Internet" servers in 198.19.0.0/16 (both in the benchmarking
range 198.18.0.0/15), IPv6 in 2001:db8::/32. The file is only ever read, never sent.

  gencap.py -o FILE [--seed N] [--packets N | --sessions N] [--hosts N] [--mix full|flows]

--mix flows (for the RSS run) uses only the short UDP exchanges (DNS, NTP, SNMP, SIP OPTIONS), so that
--sessions 1000000 means a million flows in two million packets.
"""
import argparse
import array
import random
import struct
import sys

T0 = 1767225600  # 2026-01-01 00:00:00 UTC: fixed, so the bytes do not depend on the day they were made

# Device profiles: OUI, SYN signature (TTL, window, options kind), and what the device says in each protocol.
PROFILES = [
    dict(name="rpi", oui="b827eb", os="linux", host="raspberrypi", vendor_class="dhcpcd-8.1.2:Linux-5.10.103-v7l+:armv7l:BCM2711",
         ssh="SSH-2.0-OpenSSH_7.9p1 Raspbian-10+deb10u2", http_server="lighttpd/1.4.53", ua="curl/7.64.0",
         snmp="Linux raspberrypi 5.10.103-v7l+ #1529 SMP Tue Mar 8 12:24:00 GMT 2022 armv7l",
         protos=["http_srv", "ssh_srv", "dns", "ntp", "dhcp", "tls", "snmp"]),
    dict(name="plug", oui="240ac4", os="lwip", host="ESP_", vendor_class="espressif", ua="ESP8266HTTPClient",
         sni="a1.tuyaus.com", mdns="_esphomelib._tcp", protos=["dns", "ntp", "dhcp", "tls", "mdns"]),
    dict(name="plug2", oui="68c63a", os="lwip", host="ESP_", vendor_class="espressif", ua="ESP8266HTTPClient",
         sni="m1.tuyaus.com", protos=["dns", "ntp", "dhcp", "tls", "http_cli"]),
    dict(name="hue", oui="001788", os="linux", host="Philips-hue", http_server="nginx", ua="hue/1.0",
         ssdp="Hue/1.0 UPnP/1.0 IpBridge/1.50.0", mdns="_hue._tcp", sni="ws.meethue.com",
         protos=["http_srv", "ssdp", "mdns", "tls", "dns", "ntp", "dhcp"]),
    dict(name="sonos", oui="000e58", os="linux", host="Sonos-", http_server="Linux UPnP/1.0 Sonos/70.3-35220 (ZPS33)",
         ssdp="Linux UPnP/1.0 Sonos/70.3-35220 (ZPS33)", mdns="_sonos._tcp", sni="api.sonos.com",
         protos=["http_srv", "ssdp", "mdns", "tls", "dns", "dhcp"]),
    dict(name="axis", oui="00408c", os="linux", host="axis-accc8e", http_server="Apache/2.4.48 (Unix) OpenSSL/1.1.1k",
         ssh="SSH-2.0-OpenSSH_8.4", snmp="AXIS P1435-LE Network Camera 9.80.3.8", mdns="_axis-video._tcp",
         ssdp="Linux/4.9, UPnP/1.0, Portable SDK for UPnP devices/1.6.22",
         protos=["http_srv", "ssh_srv", "snmp", "mdns", "ssdp", "dns", "ntp", "dhcp"]),
    dict(name="hikvision", oui="c056e3", os="linux", host="HIKVISION", http_server="App-webs/",
         telnet="\r\nBusyBox v1.19.3 (2016-04-19 15:39:02 CST) built-in shell\r\n\r\nlogin: ",
         snmp="Hikvision DS-2CD2142FWD-I", ssdp="Linux/3.0, UPnP/1.0, Hikvision-Webs",
         protos=["http_srv", "telnet_srv", "snmp", "ssdp", "dns", "ntp", "dhcp"]),
    dict(name="dahua", oui="3cef8c", os="linux", host="DH-NVR", http_server="Webs",
         telnet="\xff\xfd\x01\xff\xfd\x1f\xff\xfb\x01\xff\xfb\x03\r\nDahua NVR4104-P-4KS2 login: ",
         protos=["http_srv", "telnet_srv", "dns", "ntp", "dhcp", "tls"], sni="p2p.dahuap2p.com"),
    dict(name="printer", oui="3cd92b", os="embedded", host="HP3CD92B", http_server="HP HTTP Server; HP OfficeJet Pro 8710 - M9L66A; Serial Number: CN7BF1N0X2",
         snmp="HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD153,EEPROM JSI24090012", mdns="_ipp._tcp",
         protos=["http_srv", "snmp", "mdns", "dns", "dhcp"]),
    dict(name="chromecast", oui="f4f5d8", os="linux", host="Chromecast", mdns="_googlecast._tcp", sni="clients3.google.com",
         ua="Mozilla/5.0 (X11; Linux armv7l) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/87.0.4280.141 Safari/537.36 CrKey/1.54.250320",
         protos=["mdns", "tls", "dns", "ntp", "dhcp", "ssdp_search", "http_cli"]),
    dict(name="plc", oui="001b1b", os="embedded", host="S7-1200", http_server="Siemens",
         snmp="Siemens, SIMATIC S7, CPU-1200, 6ES7 214-1AG40-0XB0, HW: 1, FW: V4.2.3", protos=["http_srv", "snmp", "ntp"]),
    dict(name="schneider", oui="0080f4", os="embedded", host="BMXP342020", http_server="Schneider-WEB/V2.1.4",
         snmp="Schneider Electric BMX P34 2020 v2.8", telnet="\r\nVxWorks login: ", protos=["http_srv", "snmp", "telnet_srv"]),
    dict(name="nest", oui="18b430", os="linux", host="Nest-Thermostat", sni="frontdoor.nest.com",
         protos=["tls", "dns", "ntp", "dhcp"]),
    dict(name="echo", oui="44650d", os="linux", host="amazon-echo", sni="avs-alexa-na.amazon.com", mdns="_amzn-wplay._tcp",
         protos=["tls", "dns", "ntp", "dhcp", "mdns", "ssdp_search"]),
    dict(name="unifi", oui="24a43c", os="linux", host="UAP-AC-Lite", ssh="SSH-2.0-dropbear_2019.78", http_server="lighttpd",
         snmp="Linux UAP-AC-Lite 4.4.153 #1 SMP Fri Sep 10 12:56:34 MDT 2021 mips", protos=["ssh_srv", "snmp", "http_srv", "dns", "dhcp", "tls"],
         sni="fw-update.ubnt.com"),
    dict(name="yealink", oui="805ec0", os="linux", host="SIP-T46S", vendor_class="yealink", http_server="yealink embed httpd",
         sip="Yealink SIP-T46S 66.86.0.15", protos=["sip", "http_srv", "dns", "ntp", "dhcp"]),
    dict(name="polycom", oui="0004f2", os="linux", host="VVX411", vendor_class="Polycom-VVX411", sip="PolycomVVX-VVX_411-UA/6.3.0.14929",
         protos=["sip", "dns", "ntp", "dhcp", "tls"], sni="pcs.polycom.com"),
]
# The people's machines that open the sessions to the devices.
CLIENTS = [("3c22fb", "macos", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.1 Safari/605.1.15",
            "SSH-2.0-OpenSSH_9.0"),
           ("f8bc12", "windows", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
            "SSH-2.0-PuTTY_Release_0.78")]
SYN_SIG = {  # ttl, window, tcp options (the SYN's, in the OS's order)
    "linux": (64, 64240, "mss,sok,ts,nop,ws7"),
    "lwip": (255, 5744, "mss"),
    "embedded": (64, 8192, "mss,nop,ws0,nop,nop,sok"),
    "macos": (64, 65535, "mss,nop,ws6,nop,nop,ts,sok,eol"),
    "windows": (128, 64240, "mss,nop,ws8,nop,nop,sok"),
}
MIXES = {  # session kind: weight
    "full": {"http": 14, "ssh": 5, "telnet": 4, "tls": 16, "dns": 18, "mdns": 9, "snmp": 8, "dhcp": 3, "sip": 4,
             "ntp": 10, "ssdp": 9},
    "flows": {"dns": 10, "ntp": 6, "snmp": 4, "sip": 1},
}
ROUTER_MAC = bytes.fromhex("7483c2000001")  # Ubiquiti EdgeRouter: gateway, DNS, DHCP, NTP
NMS_MAC = bytes.fromhex("002590000002")     # Supermicro server: the SNMP manager
PBX_MAC = bytes.fromhex("b827eb000003")     # Raspberry Pi running the SIP PBX
ROUTER4, NMS4, PBX4 = bytes([198, 18, 0, 1]), bytes([198, 18, 0, 2]), bytes([198, 18, 0, 3])
ROUTER6 = bytes.fromhex("20010db8000000000000000000000001")
BCAST = b"\xff" * 6


def csum(data, init=0):
    if len(data) & 1:
        data += b"\0"
    s = sum(array.array("H", data)) + init
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    s = ~s & 0xffff
    return ((s & 0xff) << 8) | (s >> 8)  # array("H") summed little-endian words: swap back


class Host:
    def __init__(self, rng, i, prof, v6, vlan):
        self.prof = prof
        self.mac = bytes.fromhex(prof["oui"]) + struct.pack(">I", 0x100000 + i)[1:]
        self.ip4 = bytes([198, 18, 1 + i // 250, 2 + i % 250])
        self.ip6 = bytes.fromhex("20010db8000000010000000000") + struct.pack(">I", i + 2)[1:] if v6 else None
        self.vlan = vlan
        self.os = prof["os"]
        self.name = prof["host"] + (self.mac[3:].hex().upper() if prof["host"].endswith(("_", "-")) else "")


class Packets:
    """Builds the frames of one session between two endpoints (mac, ip, vlan) in both directions."""

    def __init__(self, rng, a, b, v6):
        self.rng, self.a, self.b, self.v6 = rng, a, b, v6
        self.out = []

    def l2(self, src, dst, ethertype):
        vlan = src[2] or dst[2]
        if vlan:
            return dst[0] + src[0] + struct.pack(">HHH", 0x8100, vlan, ethertype)
        return dst[0] + src[0] + struct.pack(">H", ethertype)

    def ip(self, src, dst, proto, l4, ttl):
        if self.v6:
            hdr = struct.pack(">IHBB", 0x60000000, len(l4), proto, ttl) + src[1] + dst[1]
            return self.l2(src, dst, 0x86dd) + hdr + l4
        hdr = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), self.rng.getrandbits(16), 0x4000, ttl, proto, 0,
                          src[1], dst[1])
        hdr = hdr[:10] + struct.pack(">H", csum(hdr)) + hdr[12:]
        return self.l2(src, dst, 0x0800) + hdr + l4

    def pseudo(self, src, dst, proto, n):
        if self.v6:
            return src[1] + dst[1] + struct.pack(">IxxxB", n, proto)
        return src[1] + dst[1] + struct.pack(">xBH", proto, n)

    def udp(self, fwd, sport, dport, payload, ttl=64):
        src, dst = (self.a, self.b) if fwd else (self.b, self.a)
        l4 = struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload
        c = csum(self.pseudo(src, dst, 17, len(l4)) + l4) or 0xffff
        self.out.append(self.ip(src, dst, 17, l4[:6] + struct.pack(">H", c) + l4[8:], ttl))

    def tcp_seg(self, fwd, flags, payload=b"", opts=b"", win=None):
        st = self.tcp
        src, dst = (self.a, self.b) if fwd else (self.b, self.a)
        i = 0 if fwd else 1
        sport, dport = (st["cport"], st["sport"]) if fwd else (st["sport"], st["cport"])
        ack = st["seq"][1 - i] if flags & 0x10 else 0
        off = (20 + len(opts)) // 4
        l4 = struct.pack(">HHIIBBHHH", sport, dport, st["seq"][i], ack, off << 4, flags,
                         win if win is not None else st["win"][i], 0, 0) + opts + payload
        c = csum(self.pseudo(src, dst, 6, len(l4)) + l4)
        self.out.append(self.ip(src, dst, 6, l4[:16] + struct.pack(">H", c) + l4[18:], st["ttl"][i]))
        st["seq"][i] = (st["seq"][i] + len(payload) + (1 if flags & 0x03 else 0)) & 0xffffffff

    def tcp_open(self, cport, sport, cos, sos):
        r = self.rng
        cttl, cwin, copts = SYN_SIG[cos]
        sttl, swin, sopts = SYN_SIG[sos]
        self.tcp = dict(cport=cport, sport=sport, seq=[r.getrandbits(32), r.getrandbits(32)],
                        win=[cwin if cwin < 65535 else 65535, swin], ttl=[cttl, sttl])
        self.tcp_seg(True, 0x02, opts=tcp_opts(copts, r), win=cwin)
        self.tcp_seg(False, 0x12, opts=tcp_opts(sopts, r, synack=True), win=swin)
        self.tcp_seg(True, 0x10)

    def tcp_data(self, fwd, payload, mss=1400):
        for o in range(0, len(payload), mss):
            self.tcp_seg(fwd, 0x18, payload[o:o + mss])
            self.tcp_seg(not fwd, 0x10)  # the delayed ACK, one per segment here

    def tcp_close(self):
        self.tcp_seg(True, 0x11)
        self.tcp_seg(False, 0x11)
        self.tcp_seg(True, 0x10)


def tcp_opts(spec, rng, synack=False):
    b = b""
    for o in spec.split(","):
        if o == "mss":
            b += struct.pack(">BBH", 2, 4, 1460)
        elif o == "sok":
            b += b"\x04\x02"
        elif o == "ts":
            b += struct.pack(">BBII", 8, 10, rng.getrandbits(32), rng.getrandbits(32) if synack else 0)
        elif o == "nop":
            b += b"\x01"
        elif o.startswith("ws"):
            b += struct.pack(">BBB", 3, 3, int(o[2:]))
        elif o == "eol":
            b += b"\x00"
    while len(b) % 4:
        b += b"\x00"
    return b


def dns_name(name):
    return b"".join(bytes([len(p)]) + p.encode() for p in name.split(".") if p) + b"\0"


def dns_rr(name, rtype, rdata, ttl=120, cls=1):
    return dns_name(name) + struct.pack(">HHIH", rtype, cls, ttl, len(rdata)) + rdata


def ber(tag, body):
    n = len(body)
    ln = bytes([n]) if n < 128 else bytes([0x81, n]) if n < 256 else bytes([0x82, n >> 8, n & 0xff])
    return bytes([tag]) + ln + body


def ber_oid(oid):
    p = [int(x) for x in oid.split(".")]
    out = bytes([40 * p[0] + p[1]])
    for v in p[2:]:
        enc = [v & 0x7f]
        v >>= 7
        while v:
            enc.append(0x80 | (v & 0x7f))
            v >>= 7
        out += bytes(reversed(enc))
    return ber(0x06, out)


def snmp_msg(pdu_tag, reqid, varbinds):
    vbs = b"".join(ber(0x30, ber_oid(o) + v) for o, v in varbinds)
    pdu = ber(pdu_tag, ber(0x02, struct.pack(">I", reqid)) + b"\x02\x01\x00\x02\x01\x00" + ber(0x30, vbs))
    return ber(0x30, b"\x02\x01\x01" + ber(0x04, b"public") + pdu)


def ssh_kexinit(rng, server):
    lists = ["curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,diffie-hellman-group14-sha256",
             "rsa-sha2-512,rsa-sha2-256,ssh-ed25519" if server else "ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512",
             "chacha20-poly1305@openssh.com,aes128-ctr,aes256-ctr", "chacha20-poly1305@openssh.com,aes128-ctr,aes256-ctr",
             "umac-64-etm@openssh.com,hmac-sha2-256", "umac-64-etm@openssh.com,hmac-sha2-256", "none,zlib@openssh.com",
             "none,zlib@openssh.com", "", ""]
    body = bytes([20]) + rng.randbytes(16) + b"".join(struct.pack(">I", len(s)) + s.encode() for s in lists) + b"\0" + b"\0" * 4
    pad = 8 - (len(body) + 5) % 8
    pad += 8 if pad < 4 else 0
    return struct.pack(">IB", len(body) + pad + 1, pad) + body + b"\0" * pad


def tls_client_hello(rng, sni):
    ext = b""
    s = sni.encode()
    ext += struct.pack(">HHHBH", 0, len(s) + 5, len(s) + 3, 0, len(s)) + s
    ext += struct.pack(">HH", 10, 8) + struct.pack(">H", 6) + bytes.fromhex("001d00170018")  # groups
    ext += struct.pack(">HHB", 11, 2, 1) + b"\0"  # ec point formats
    ext += struct.pack(">HH", 13, 10) + struct.pack(">H", 8) + bytes.fromhex("0403080404010201")  # sig algs
    alpn = b"\x02h2\x08http/1.1"
    ext += struct.pack(">HHH", 16, len(alpn) + 2, len(alpn)) + alpn
    ext += struct.pack(">HHB", 43, 5, 4) + bytes.fromhex("03040303")  # supported versions
    ext += struct.pack(">HHHHH", 51, 38, 36, 0x1d, 32) + rng.randbytes(32)  # key share
    suites = bytes.fromhex("130113021303c02bc02fc02cc030cca9cca8c013c014009c009d002f0035")
    body = b"\x03\x03" + rng.randbytes(32) + b"\x20" + rng.randbytes(32) + struct.pack(">H", len(suites)) + suites
    body += b"\x01\x00" + struct.pack(">H", len(ext)) + ext
    hs = b"\x01" + struct.pack(">I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack(">H", len(hs)) + hs


def tls_server_hello(rng):
    ext = struct.pack(">HHH", 43, 2, 0x0304) + struct.pack(">HHHH", 51, 36, 0x1d, 32) + rng.randbytes(32)
    body = b"\x03\x03" + rng.randbytes(32) + b"\x20" + rng.randbytes(32) + b"\x13\x01\x00" + struct.pack(">H", len(ext)) + ext
    hs = b"\x02" + struct.pack(">I", len(body))[1:] + body
    return b"\x16\x03\x03" + struct.pack(">H", len(hs)) + hs + b"\x14\x03\x03\x00\x01\x01"


def tls_app(rng, n):
    return b"\x17\x03\x03" + struct.pack(">H", n) + rng.randbytes(n)


def dhcp_msg(rng, op, xid, mac, yiaddr, opts):
    o = b"".join(bytes([k, len(v)]) + v for k, v in opts) + b"\xff"
    m = struct.pack(">BBBBIHH4s4s4s4s", op, 1, 6, 0, xid, 0, 0x8000, b"\0" * 4, yiaddr, b"\0" * 4, b"\0" * 4)
    return m + mac + b"\0" * 10 + b"\0" * 192 + b"\x63\x82\x53\x63" + o


class Gen:
    def __init__(self, args):
        self.rng = rng = random.Random(args.seed)
        self.args = args
        self.hosts = []
        for i in range(args.hosts):
            prof = PROFILES[rng.randrange(len(PROFILES))]
            v6 = rng.random() < args.v6_share
            vlan = 20 if rng.random() < args.vlan_share else 0
            self.hosts.append(Host(rng, i, prof, v6, vlan))
        self.clients = [(bytes.fromhex(CLIENTS[i % 2][0]) + bytes([0x10, 0, i]), bytes([198, 18, 0, 10 + i]),
                         bytes.fromhex("20010db80000000000000000000000") + bytes([0x10 + i]), CLIENTS[i % 2]) for i in range(8)]
        self.by_proto = {}
        for h in self.hosts:
            for p in h.prof["protos"]:
                self.by_proto.setdefault(p, []).append(h)
        self.kinds = list(MIXES[args.mix])
        self.weights = [MIXES[args.mix][k] for k in self.kinds]

    def ep(self, h, v6):
        return (h.mac, h.ip6 if v6 else h.ip4, h.vlan)

    def infra(self, mac, ip4, ip6, h, v6):
        return (mac, ip6 if v6 else ip4, h.vlan)  # on the device's VLAN: the trunk carries both directions tagged

    def remote(self, h, v6):
        n = self.rng.randrange(1, 200)
        ip = bytes.fromhex("20010db8ffff000000000000000000") + bytes([n]) if v6 else bytes([198, 19, n // 16, n])
        return (ROUTER_MAC, ip, h.vlan)

    def eport(self):
        return self.rng.randrange(32768, 61000)

    def pick(self, proto):
        l = self.by_proto.get(proto)
        return l[self.rng.randrange(len(l))] if l else None

    def session(self):
        rng = self.rng
        kind = rng.choices(self.kinds, self.weights)[0]
        return getattr(self, "s_" + kind)()

    def s_http(self):
        rng = self.rng
        if rng.random() < 0.6:  # a person's browser to a device's web page
            h = self.pick("http_srv")
            c = self.clients[rng.randrange(len(self.clients))]
            v6 = bool(h.ip6) and rng.random() < 0.5
            p = Packets(rng, (c[0], c[2] if v6 else c[1], h.vlan), self.ep(h, v6), v6)
            p.tcp_open(self.eport(), 80, c[3][1], h.os)
            host = "%d.%d.%d.%d" % tuple(h.ip4)
            p.tcp_data(True, ("GET /%s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: text/html,*/*\r\n"
                              "Accept-Language: en-US\r\nConnection: close\r\n\r\n" %
                              (rng.choice(["", "index.html", "login.asp", "doc/page/login.asp", "cgi-bin/status"]), host, c[3][2])).encode())
            body = b"<html><head><title>%s</title></head><body>" % h.name.encode() + b"x" * rng.randrange(200, 3000) + b"</body></html>"
            p.tcp_data(False, ("HTTP/1.1 200 OK\r\nServer: %s\r\nContent-Type: text/html\r\nContent-Length: %d\r\n"
                               "Connection: close\r\n\r\n" % (h.prof["http_server"], len(body))).encode() + body)
        else:  # a device fetching from the Internet
            h = self.pick("http_cli") or self.pick("dns")
            v6 = bool(h.ip6) and rng.random() < 0.5
            p = Packets(rng, self.ep(h, v6), self.remote(h, v6), v6)
            p.tcp_open(self.eport(), 80, h.os, "linux")
            p.tcp_data(True, ("GET /firmware/check?model=%s HTTP/1.1\r\nHost: update.example.com\r\nUser-Agent: %s\r\n\r\n" %
                              (h.prof["name"], h.prof.get("ua", "Wget"))).encode())
            p.tcp_data(False, b"HTTP/1.1 204 No Content\r\nServer: nginx/1.18.0\r\nDate: Thu, 01 Jan 2026 00:00:00 GMT\r\n\r\n")
        p.tcp_close()
        return p.out

    def s_ssh(self):
        rng = self.rng
        h = self.pick("ssh_srv")
        c = self.clients[rng.randrange(len(self.clients))]
        v6 = bool(h.ip6) and rng.random() < 0.5
        p = Packets(rng, (c[0], c[2] if v6 else c[1], h.vlan), self.ep(h, v6), v6)
        p.tcp_open(self.eport(), 22, c[3][1], h.os)
        p.tcp_data(False, (h.prof["ssh"] + "\r\n").encode())
        p.tcp_data(True, (c[3][3] + "\r\n").encode())
        p.tcp_data(False, ssh_kexinit(rng, True))
        p.tcp_data(True, ssh_kexinit(rng, False))
        for _ in range(rng.randrange(2, 6)):  # key exchange and the encrypted session
            p.tcp_data(True, rng.randbytes(rng.randrange(40, 200)))
            p.tcp_data(False, rng.randbytes(rng.randrange(40, 600)))
        p.tcp_close()
        return p.out

    def s_telnet(self):
        rng = self.rng
        h = self.pick("telnet_srv")
        c = self.clients[rng.randrange(len(self.clients))]
        p = Packets(rng, (c[0], c[1], h.vlan), self.ep(h, False), False)
        p.tcp_open(self.eport(), 23, c[3][1], h.os)
        p.tcp_data(False, b"\xff\xfd\x18\xff\xfd\x20\xff\xfd\x23\xff\xfd\x27")
        p.tcp_data(True, b"\xff\xfc\x18\xff\xfc\x20\xff\xfc\x23\xff\xfc\x27")
        p.tcp_data(False, h.prof["telnet"].encode("latin-1"))
        p.tcp_data(True, b"admin\r\n")
        p.tcp_data(False, b"Password: ")
        p.tcp_data(True, b"12345\r\n")
        p.tcp_data(False, b"\r\nLogin incorrect\r\n")
        p.tcp_close()
        return p.out

    def s_tls(self):
        rng = self.rng
        h = self.pick("tls")
        v6 = bool(h.ip6) and rng.random() < 0.5
        p = Packets(rng, self.ep(h, v6), self.remote(h, v6), v6)
        p.tcp_open(self.eport(), 443, h.os, "linux")
        p.tcp_data(True, tls_client_hello(rng, h.prof.get("sni", "cloud.example.com")))
        p.tcp_data(False, tls_server_hello(rng) + tls_app(rng, rng.randrange(1500, 3000)))
        for _ in range(rng.randrange(1, 4)):
            p.tcp_data(True, tls_app(rng, rng.randrange(30, 300)))
            p.tcp_data(False, tls_app(rng, rng.randrange(30, 1200)))
        p.tcp_close()
        return p.out

    def s_dns(self):
        rng = self.rng
        h = self.pick("dns")
        v6 = bool(h.ip6) and rng.random() < 0.5
        p = Packets(rng, self.ep(h, v6), self.infra(ROUTER_MAC, ROUTER4, ROUTER6, h, v6), v6)
        name = h.prof.get("sni") or rng.choice(["pool.ntp.org", "time.google.com", "connectivitycheck.gstatic.com"])
        qid = rng.getrandbits(16)
        qtype = 28 if v6 else 1
        q = dns_name(name) + struct.pack(">HH", qtype, 1)
        sport = self.eport()
        p.udp(True, sport, 53, struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + q)
        rdata = bytes.fromhex("20010db8ffff0000000000000000") + rng.randbytes(2) if v6 else bytes([198, 19, rng.randrange(256), rng.randrange(1, 255)])
        p.udp(False, 53, sport, struct.pack(">HHHHHH", qid, 0x8180, 1, 1, 0, 0) + q +
              b"\xc0\x0c" + struct.pack(">HHIH", qtype, 1, 300, len(rdata)) + rdata)
        return p.out

    def s_mdns(self):
        rng = self.rng
        h = self.pick("mdns")
        v6 = bool(h.ip6) and rng.random() < 0.3
        dst = (b"\x33\x33\x00\x00\x00\xfb", bytes.fromhex("ff0200000000000000000000000000fb"), h.vlan) if v6 else \
              (b"\x01\x00\x5e\x00\x00\xfb", bytes([224, 0, 0, 251]), h.vlan)
        p = Packets(rng, self.ep(h, v6), dst, v6)
        svc = h.prof["mdns"] + ".local"
        inst = "%s.%s" % (h.name, svc)
        target = h.name + ".local"
        txt = b"".join(bytes([len(t)]) + t for t in [b"md=" + h.prof["name"].encode(), b"fn=" + h.name.encode(), b"ve=05"])
        ans = dns_rr(svc, 12, dns_name(inst), 4500) + dns_rr(inst, 33, struct.pack(">HHH", 0, 0, 8009) + dns_name(target), 120, 0x8001)
        ans += dns_rr(inst, 16, txt, 4500, 0x8001) + dns_rr(target, 1, h.ip4, 120, 0x8001)
        if rng.random() < 0.3:  # a query first, then the announcement
            p.udp(True, 5353, 5353, struct.pack(">HHHHHH", 0, 0, 1, 0, 0, 0) + dns_name(svc) + struct.pack(">HH", 12, 1), ttl=255)
        p.udp(True, 5353, 5353, struct.pack(">HHHHHH", 0, 0x8400, 0, 4, 0, 0) + ans, ttl=255)
        return p.out

    def s_snmp(self):
        rng = self.rng
        h = self.pick("snmp")
        p = Packets(rng, self.infra(NMS_MAC, NMS4, None, h, False), self.ep(h, False), False)
        rid = rng.getrandbits(31)
        oids = ["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.1.2.0"]
        sport = self.eport()
        p.udp(True, sport, 161, snmp_msg(0xa0, rid, [(o, b"\x05\x00") for o in oids]))
        vals = [ber(0x04, h.prof["snmp"].encode()), ber(0x04, h.name.encode()), ber_oid("1.3.6.1.4.1.8072.3.2.10")]
        p.udp(False, 161, sport, snmp_msg(0xa2, rid, list(zip(oids, vals))))
        return p.out

    def s_dhcp(self):
        rng = self.rng
        h = self.pick("dhcp")
        p = Packets(rng, (h.mac, b"\0" * 4, h.vlan), (BCAST, b"\xff" * 4, h.vlan), False)
        xid = rng.getrandbits(32)
        common = [(61, b"\x01" + h.mac), (12, h.name.encode()), (55, bytes([1, 3, 6, 15, 28, 42, 51, 54, 58, 59]))]
        if h.prof.get("vendor_class"):
            common.append((60, h.prof["vendor_class"].encode()))
        p.udp(True, 68, 67, dhcp_msg(rng, 1, xid, h.mac, b"\0" * 4, [(53, b"\x01")] + common))
        srv = [(54, ROUTER4), (51, struct.pack(">I", 86400)), (1, bytes([255, 255, 0, 0])), (3, ROUTER4), (6, ROUTER4)]
        # The server's answers go to the broadcast address too (the client has no address yet).
        p.a, p.b = (BCAST, b"\xff" * 4, h.vlan), (ROUTER_MAC, ROUTER4, h.vlan)
        p.udp(False, 67, 68, dhcp_msg(rng, 2, xid, h.mac, h.ip4, [(53, b"\x02")] + srv))
        p.a, p.b = (h.mac, b"\0" * 4, h.vlan), (BCAST, b"\xff" * 4, h.vlan)
        p.udp(True, 68, 67, dhcp_msg(rng, 1, xid, h.mac, b"\0" * 4, [(53, b"\x03"), (50, h.ip4), (54, ROUTER4)] + common))
        p.a, p.b = (BCAST, b"\xff" * 4, h.vlan), (ROUTER_MAC, ROUTER4, h.vlan)
        p.udp(False, 67, 68, dhcp_msg(rng, 2, xid, h.mac, h.ip4, [(53, b"\x05")] + srv))
        return p.out

    def s_sip(self):
        rng = self.rng
        h = self.pick("sip")
        p = Packets(rng, self.ep(h, False), self.infra(PBX_MAC, PBX4, None, h, False), False)
        ip = "%d.%d.%d.%d" % tuple(h.ip4)
        ext = 100 + self.hosts.index(h) % 900 if len(self.hosts) < 2000 else 100 + h.ip4[3]
        callid = rng.randbytes(8).hex()
        tag = rng.randbytes(4).hex()
        method = "REGISTER" if self.args.mix == "full" and rng.random() < 0.7 else "OPTIONS"
        req = ("%s sip:198.18.0.3 SIP/2.0\r\nVia: SIP/2.0/UDP %s:5060;branch=z9hG4bK%s\r\nFrom: <sip:%d@198.18.0.3>;tag=%s\r\n"
               "To: <sip:%d@198.18.0.3>\r\nCall-ID: %s@%s\r\nCSeq: 1 %s\r\nContact: <sip:%d@%s:5060>\r\nMax-Forwards: 70\r\n"
               "User-Agent: %s\r\nExpires: 3600\r\nContent-Length: 0\r\n\r\n") % (
            method, ip, rng.randbytes(4).hex(), ext, tag, ext, callid, ip, method, ext, ip, h.prof["sip"])
        sport = 5060 if self.args.mix == "full" else self.eport()  # one flow per session for --mix flows
        p.udp(True, sport, 5060, req.encode())
        resp = ("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP %s:5060\r\nFrom: <sip:%d@198.18.0.3>;tag=%s\r\nTo: <sip:%d@198.18.0.3>;tag=%s\r\n"
                "Call-ID: %s@%s\r\nCSeq: 1 %s\r\nServer: Asterisk PBX 18.10.0\r\nContent-Length: 0\r\n\r\n") % (
            ip, ext, tag, ext, rng.randbytes(4).hex(), callid, ip, method)
        p.udp(False, 5060, sport, resp.encode())
        return p.out

    def s_ntp(self):
        rng = self.rng
        h = self.pick("ntp")
        v6 = bool(h.ip6) and rng.random() < 0.3
        p = Packets(rng, self.ep(h, v6), self.infra(ROUTER_MAC, ROUTER4, ROUTER6, h, v6), v6)
        # ntpd sends from 123, SNTP clients from an ephemeral port; --mix flows wants one flow per session.
        sport = 123 if self.args.mix == "full" and rng.random() < 0.5 else self.eport()
        xmt = rng.randbytes(8)
        p.udp(True, sport, 123, struct.pack(">BBbb", 0x23, 0, 6, -20) + b"\0" * 36 + xmt)
        ref = struct.pack(">I", T0 + 2208988800)
        p.udp(False, 123, sport, struct.pack(">BBbb", 0x24, 2, 6, -23) + struct.pack(">II", 0x100, 0x200) + bytes([198, 19, 0, 123]) +
              ref + rng.randbytes(4) + xmt + ref + rng.randbytes(4) + ref + rng.randbytes(4))
        return p.out

    def s_ssdp(self):
        rng = self.rng
        if rng.random() < 0.3:  # a search and the answers of the devices that serve UPnP
            c = self.pick("ssdp_search")
            p = Packets(rng, self.ep(c, False), (b"\x01\x00\x5e\x7f\xff\xfa", bytes([239, 255, 255, 250]), c.vlan), False)
            sport = self.eport()
            p.udp(True, sport, 1900, b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\n"
                  b"ST: ssdp:all\r\nUSER-AGENT: Google Chrome/87.0.4280.141 Linux\r\n\r\n", ttl=1)
            for _ in range(2):
                h = self.pick("ssdp")
                q = Packets(rng, self.ep(h, False), self.ep(c, False), False)
                q.udp(True, 1900, sport, ("HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\nLOCATION: http://%d.%d.%d.%d:80/description.xml\r\n"
                                          "SERVER: %s\r\nST: upnp:rootdevice\r\nUSN: uuid:%s::upnp:rootdevice\r\n\r\n" %
                                          (tuple(h.ip4) + (h.prof["ssdp"], h.mac.hex()))).encode())
                p.out += q.out
            return p.out
        h = self.pick("ssdp")
        p = Packets(rng, self.ep(h, False), (b"\x01\x00\x5e\x7f\xff\xfa", bytes([239, 255, 255, 250]), h.vlan), False)
        p.udp(True, 1900, 1900, ("NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=100\r\n"
                                 "LOCATION: http://%d.%d.%d.%d:80/description.xml\r\nNT: upnp:rootdevice\r\nNTS: ssdp:alive\r\n"
                                 "SERVER: %s\r\nUSN: uuid:2f402f80-da50-11e1-9b23-%s::upnp:rootdevice\r\n\r\n" %
                                 (tuple(h.ip4) + (h.prof["ssdp"], h.mac.hex()))).encode(), ttl=4)
        return p.out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--packets", type=int, default=1000000, help="stop after this many packets")
    ap.add_argument("--sessions", type=int, default=0, help="instead: stop after this many complete sessions")
    ap.add_argument("--hosts", type=int, default=400)
    ap.add_argument("--mix", choices=sorted(MIXES), default="full")
    ap.add_argument("--v6-share", type=float, default=0.25, help="devices that also speak IPv6")
    ap.add_argument("--vlan-share", type=float, default=0.15, help="devices on VLAN 20")
    ap.add_argument("--pool", type=int, default=32, help="sessions open at once")
    args = ap.parse_args()
    if args.hosts < 1 or args.hosts > 60000:
        ap.error("--hosts: 1 to 60000")
    g = Gen(args)
    rng = g.rng
    out = open(args.output, "wb")
    out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    pool, started, done, n = [], 0, 0, 0
    t_us = 0
    limit_sessions = args.sessions
    stats = {"packets": 0, "sessions": 0, "bytes": 0}
    while True:
        while len(pool) < args.pool and (not limit_sessions or started < limit_sessions):
            pool.append([g.session(), 0])
            started += 1
        if not pool:
            break
        i = rng.randrange(len(pool))
        s = pool[i]
        frame = s[0][s[1]]
        s[1] += 1
        if s[1] == len(s[0]):
            pool[i] = pool[-1]
            pool.pop()
            done += 1
        t_us += 1 + int(rng.expovariate(1 / 40.0))
        ts = T0 * 1000000 + t_us
        out.write(struct.pack("<IIII", ts // 1000000, ts % 1000000, len(frame), len(frame)))
        out.write(frame)
        n += 1
        stats["bytes"] += len(frame)
        if not limit_sessions and n >= args.packets:
            break
    out.close()
    v6 = sum(1 for h in g.hosts if h.ip6)
    vl = sum(1 for h in g.hosts if h.vlan)
    print("gencap: %s: %d packets, %d bytes, %d sessions complete (%d started), %d hosts (%d with IPv6, %d on VLAN 20), seed %d"
          % (args.output, n, stats["bytes"], done, started, len(g.hosts), v6, vl, args.seed), file=sys.stderr)


if __name__ == "__main__":
    main()
