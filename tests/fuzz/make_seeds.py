#!/usr/bin/env python3
"""Writes small, valid seed inputs for the protocol fuzz targets into DIR/<target>/
(generated on the fly with tests/pcapgen.py; scripts/fuzz calls it).  The
capture target is seeded from testdata/ and the shared corpus instead."""

import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import pcapgen as g  # noqa: E402


def rec(b):
    """One record of a fuzz input: 2-byte length, then the bytes."""
    return struct.pack("!H", len(b)) + b


def main():
    out = sys.argv[1]
    seeds = {}
    ch = g.tls_client_hello_msg(sni="telemetry.example.com", alpn=("h2", "http/1.1"))
    seeds["tls"] = [g.tls_records(ch), g.tls_records(ch, split=[40]),
                    g.tls_server_hello(tls13=False), ch]
    cert = os.path.join(os.path.dirname(__file__), "..", "..", "testdata", "tls", "leaf.der")
    if os.path.exists(cert):
        der = open(cert, "rb").read()
        certs = struct.pack("!I", len(der))[1:] + der
        body = b"\x00" + struct.pack("!I", len(certs))[1:] + certs
        msg = b"\x0b" + struct.pack("!I", len(body))[1:] + body
        seeds["x509"] = [der]
        sh = seeds["tls"][2]
        seeds["tls"].append(sh + g.tls_records(msg))
    seeds["tls"] += [g.dtls_client_hello("coap.example.com", ("coap",)),
                     g.dtls_client_hello("x.example", versions=(0xFEFC,), cookie=b"c" * 8),
                     g.dtls_client_hello("frag.example", frag_len=120)]
    seeds["dns"] = [
        g.dns_response(7, "a.example.com", "A", g.dns_chain("a.example.com", ["b.cdn.net"],
                                                             ["192.0.2.1", "192.0.2.2"])),
        g.dns_query(8, "example.org", "AAAA"),
    ]
    seeds["dns"] += [g.dhcp4("0a:00:00:00:00:01", "car", "vendor"),
                     g.dhcp6("0a:00:00:00:00:02", "tcu.example", "MSFT 5.0"),
                     g.coap_request("coap.example.com"),
                     g.stun_message(0x0103, mapped=("192.0.2.1", 4000), relayed=("2001:db8::1", 5),
                                    realm="turn.example.com", software="x")]
    seeds["dns"].append(b"".join(struct.pack("!H", len(m)) + m for m in seeds["dns"]))
    seeds["http"] = [g.http_request("example.com", "/x") + g.http_request("example.com", "/y"),
                     b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"]
    # pii: an HTTP request with a gzip body, MQTT with a VIN and an NMEA sentence
    body = g.gzipped(b'{"lat": 48.1371, "lon": 11.5761, "imei": "490154203237518"}')
    seeds["pii"] = [g.http_request("a.example", "/v?vin=WVWZZZ1JZXW000001", method="POST",
                                   body=body, extra=("Content-Encoding: gzip",)),
                    g.mqtt_connect("c1") + g.mqtt_publish(
                        "cars/1HGCM82633A004352/pos",
                        b"$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47")]
    a, b = "10.0.0.1", "198.51.100.7"
    syn = g.tcp(a, b, 50000, 443, seq=100, flags=g.SYN)
    data = g.tcp(a, b, 50000, 443, seq=101, flags=g.ACK | g.PSH, payload=g.tls_records(ch))
    dns_udp = g.udp(a, b, 5353, 53, seeds["dns"][0])
    frags = g.ipv4_fragments(a, b, g.UDP, dns_udp, [(0, 16), (16, len(dns_udp) - 16)])
    frames = [(0, g.eth(g.ip(a, b, g.TCP, syn))), (0, g.eth(g.ip(a, b, g.TCP, data))),
              (1, g.ip(a, b, g.UDP, dns_udp))] + [(0, g.eth(f)) for f in frags]
    frames.append((0, g.eth(g.ip("203.0.113.1", "203.0.113.2", 47,
                                 g.gre(g.ip(a, b, g.TCP, syn))))))
    seeds["decode"] = [b"".join(bytes([sel, 1]) + rec(f) for sel, f in frames)]
    payload = g.tls_records(ch)
    segs = [(100, g.SYN, b""), (101, g.ACK, payload[:50]), (151 + 20, g.ACK, payload[70:]),
            (151, g.ACK, payload[50:70]), (101, g.ACK, payload[:10])]
    seeds["tcpreasm"] = [b"\x03" + b"".join(struct.pack("!IB", s, f) + rec(p) for s, f, p in segs)]
    # QUIC: mode 1 (the target encrypts): a CRYPTO frame with the ClientHello, whole and split
    def crypto(off, data):
        return b"\x06" + varint(off) + varint(len(data)) + data
    seeds["quic"] = [b"\x01" + rec(crypto(0, ch)),
                     b"\x01" + rec(crypto(100, ch[100:])) + rec(b"\x01" + crypto(0, ch[:100]))]
    # capture: small files in the formats the real corpus lacks (gzip, big-endian,
    # nanoseconds, pcapng with several interfaces, an unknown block, SPB)
    recs = g.timed([f for _, f in frames if f[:6] == g.eth(b"")[:6]])
    raw = g.timed([g.ip(a, b, g.UDP, dns_udp)] + frags, iface=1)
    seeds["capture"] = [
        g.gzipped(g.write_pcap(recs)),
        g.write_pcap(recs, nanosecond=True, big_endian=True),
        g.write_pcapng(recs + raw, ifaces=((g.LINKTYPE_ETHERNET, 6), (g.LINKTYPE_RAW, 9)),
                       unknown_block_at=1, spb=(0,)),
        g.write_pcapng(recs, big_endian=True),
    ]
    for t, items in seeds.items():
        d = os.path.join(out, t)
        os.makedirs(d, exist_ok=True)
        for i, s in enumerate(items):
            with open(os.path.join(d, "seed%d" % i), "wb") as f:
                f.write(s)


def varint(v):
    if v < 64:
        return bytes([v])
    if v < 16384:
        return struct.pack("!H", 0x4000 | v)
    return struct.pack("!I", 0x80000000 | v)


if __name__ == "__main__":
    main()
