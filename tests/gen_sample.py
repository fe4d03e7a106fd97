#!/usr/bin/env python3
"""Writes testdata/sample.pcapng: a deterministic few-minute "car drive" capture.

A vehicle head unit (192.168.1.20, IPv6 ULA fd12:3456:789a:1::20 and GUA 2a02:3100:1a2b:3c00::20)
sits behind a phone hotspot (192.168.1.1 / fd12:3456:789a:1::1, also its DNS resolver).
Fixed seed, fixed times from 2022-10-24T08:15:00Z: running it twice gives identical bytes.
Server addresses are public (approximate) addresses of the named services so geo lookups work.
See testdata/README.md for the list of flows and expected names.

    python3 tests/gen_sample.py [OUTPUT]     (default: testdata/sample.pcapng)
"""

import os
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import pcapgen as g  # noqa: E402

CAR4, GW4 = "192.168.1.20", "192.168.1.1"
CAR_ULA, GW_ULA = "fd12:3456:789a:1::20", "fd12:3456:789a:1::1"
CAR_GUA = "2a02:3100:1a2b:3c00::20"
CAR_MAC = bytes.fromhex("0aa1b2c3d4e5")
GW_MAC = bytes.fromhex("0a5566778899")
SNAP_BULK = 128  # bytes captured of each bulk-upload segment

MS = 1000000
S = 1000 * MS


def app(n, fill=0x17):
    """n bytes of TLS application data in records of at most 16 KB."""
    out = b""
    while n > 0:
        k = min(n, 16000)
        out += g.tls_app_data(k, fill)
        n -= k
    return out


class Drive:
    def __init__(self, seed=20221024):
        self.rng = g.rng(seed)
        self.events = []  # (ts_ns, seq, frame, wirelen)
        self.n = 0
        self.ports = iter(range(41000, 65000, 7))

    def port(self):
        return next(self.ports)

    def frame(self, t, ip_pkt, outbound, snap=None):
        src, dst = (CAR_MAC, GW_MAC) if outbound else (GW_MAC, CAR_MAC)
        f = g.eth_for(ip_pkt, src=src, dst=dst)
        data = f[:snap] if snap else f
        self.events.append((t, self.n, data, len(f)))
        self.n += 1

    def udp(self, t, src, dst, sp, dp, payload, outbound=True):
        self.frame(t, g.udp_ip(src, dst, sp, dp, payload), outbound)

    def tcp(self, s, t, gap=12 * MS, snap_over=None):
        """Emits the segments added to session s since the last call, from time t."""
        mark = getattr(s, "_mark", 0)
        for k, seg in enumerate(s.segs[mark:]):
            src, dst = (s.cli, s.srv) if seg.dir == "c2s" else (s.srv, s.cli)
            pkt = g.ip(src, dst, g.TCP, s.l4(seg))
            snap = SNAP_BULK if snap_over and len(seg.payload) > snap_over else None
            self.frame(t + k * gap, pkt, seg.dir == "c2s", snap)
        s._mark = len(s.segs)
        return t + (len(s.segs) - mark) * gap

    def dns(self, t, qname, qtype, answers, v6=False, rcode="NOERROR"):
        cli, srv = (CAR_ULA, GW_ULA) if v6 else (CAR4, GW4)
        sp = self.port()
        ident = self.rng.randrange(65536)
        self.udp(t, cli, srv, sp, 53, g.dns_query(ident, qname, qtype))
        self.udp(t + 18 * MS, srv, cli, 53, sp,
                 g.dns_response(ident, qname, qtype, answers, rcode), outbound=False)

    def tls(self, t, srv, sni, alpn=("h2", "http/1.1"), tls13=True, port=443, cli=CAR4,
            exchanges=((600, 2400),), close=True, mss=1400):
        s = g.TcpSession(cli, srv, self.port(), port, mss=mss,
                         isn_c=self.rng.randrange(2**32), isn_s=self.rng.randrange(2**32))
        s.handshake()
        s.send("c2s", g.tls_client_hello(sni, alpn, versions=(0x0304, 0x0303) if tls13 else (),
                                         rnd=bytes(self.rng.randrange(256) for _ in range(32))))
        s.send("s2c", g.tls_server_hello(tls13) + app(2000, 0x0B)
               if tls13 else g.tls_server_hello(False))
        t = self.tcp(s, t)
        for up, down in exchanges:
            s.send("c2s", app(up))
            if down:
                s.send("s2c", app(down))
            t = self.tcp(s, t + 40 * MS)
        if close:
            s.close()
            t = self.tcp(s, t + 100 * MS)
        return s, t

    def pcapng(self):
        ev = sorted(self.events)
        recs = [g.Rec(t, data, 0, wirelen) for t, _, data, wirelen in ev]
        recs[0].comment = "datatrail sample: synthetic car drive (tests/gen_sample.py)"
        return g.write_pcapng(recs, ifaces=((g.LINKTYPE_ETHERNET, 6),),
                              comment="synthetic capture for datatrail tests; not real traffic")


def build():
    d = Drive()
    T = g.T0_NS

    # 0 s: the head unit joins the hotspot and checks connectivity (plain HTTP)
    d.dns(T + 100 * MS, "connectivitycheck.gstatic.com", "A",
          [("connectivitycheck.gstatic.com", "A", 300, "142.250.185.99")])
    s = g.TcpSession(CAR4, "142.250.185.99", d.port(), 80, isn_c=d.rng.randrange(2**32),
                     isn_s=d.rng.randrange(2**32)).handshake()
    s.send("c2s", g.http_request("connectivitycheck.gstatic.com", "/generate_204",
                                 user_agent="Dalvik/2.1.0 (Linux; U; Android 10; IVI Build/QP1A)"))
    s.send("s2c", g.http_response(204))
    s.close()
    d.tcp(s, T + 150 * MS)

    # 1 s: NTP time sync
    d.dns(T + 1 * S, "time.android.com", "A", [("time.android.com", "A", 300, "216.239.35.0")])
    d.udp(T + 1 * S + 40 * MS, CAR4, "216.239.35.0", 123, 123, g.ntp_packet(T + 1 * S))
    d.udp(T + 1 * S + 70 * MS, "216.239.35.0", CAR4, 123, 123,
          g.ntp_packet(T + 1 * S + 60 * MS, False), outbound=False)

    # 2 s: IPv6 DNS over the ULA pair, then maps tiles over IPv6 (GUA) with TLS 1.3
    d.dns(T + 2 * S, "maps.googleapis.com", "AAAA",
          [("maps.googleapis.com", "AAAA", 300, "2a00:1450:4001:80b::200a")], v6=True)
    d.tls(T + 2 * S + 50 * MS, "2a00:1450:4001:80b::200a", "maps.googleapis.com", cli=CAR_GUA,
          exchanges=((800, 12000), (700, 9000)))

    # 3 s: Tencent Bugly crash reporting SDK (TLS 1.2)
    d.dns(T + 3 * S, "android.bugly.qq.com", "A",
          [("android.bugly.qq.com", "A", 600, "1.12.36.7")])
    d.tls(T + 3 * S + 40 * MS, "1.12.36.7", "android.bugly.qq.com", alpn=("http/1.1",),
          tls13=False, exchanges=((1800, 400),))

    # 5 s: car maker telemetry backend
    d.dns(T + 5 * S, "b2vapi.bmwgroup.com", "A",
          [("b2vapi.bmwgroup.com", "A", 300, "160.46.226.165")])
    d.tls(T + 5 * S + 40 * MS, "160.46.226.165", "b2vapi.bmwgroup.com",
          exchanges=((3000, 800), (2500, 600)))

    # 7 s: HERE/TomTom map data behind a CDN: CNAME chain to Akamai
    d.dns(T + 7 * S, "api.tomtom.com", "A",
          g.dns_chain("api.tomtom.com", ["api.tomtom.com.edgekey.net", "e7245.dscb.akamaiedge.net"],
                      ["23.55.161.88", "23.55.161.90"]))
    d.tls(T + 7 * S + 40 * MS, "23.55.161.88", "api.tomtom.com",
          exchanges=((900, 30000),))

    # 9 s: music streaming
    d.dns(T + 9 * S, "apresolve.spotify.com", "A",
          [("apresolve.spotify.com", "A", 300, "35.186.224.25")])
    d.tls(T + 9 * S + 40 * MS, "35.186.224.25", "apresolve.spotify.com",
          exchanges=((500, 1500), (700, 20000)))

    # 11 s: QUIC (the RFC 9001 Appendix A.2 client Initial, SNI example.com)
    d.dns(T + 11 * S, "example.com", "A", [("example.com", "A", 3600, "96.7.128.175")])
    qp = d.port()
    d.udp(T + 11 * S + 30 * MS, CAR4, "96.7.128.175", qp, 443, g.RFC9001_CLIENT_INITIAL)
    for k in range(3):  # opaque 1-RTT packets both ways (short header)
        d.udp(T + 11 * S + (60 + 20 * k) * MS, "96.7.128.175", CAR4, 443, qp,
              bytes([0x41]) + bytes(d.rng.randrange(256) for _ in range(300)), outbound=False)
        d.udp(T + 11 * S + (70 + 20 * k) * MS, CAR4, "96.7.128.175", qp, 443,
              bytes([0x41]) + bytes(d.rng.randrange(256) for _ in range(60)))

    # 13 s: a TLS connection without SNI, named only by the DNS answer before it
    d.dns(T + 13 * S, "ota.cariad.technology", "A",
          [("ota.cariad.technology", "A", 60, "52.28.151.19")])
    d.tls(T + 13 * S + 40 * MS, "52.28.151.19", None, alpn=(),
          exchanges=((400, 6000),))

    # 15 s: AWS IoT Core MQTT over TLS on 8883; then a small beacon every 60 s
    iot = "a3k7odshaiipe8-ats.iot.eu-central-1.amazonaws.com"
    d.dns(T + 15 * S, iot, "A", [(iot, "A", 60, "3.123.52.214"), (iot, "A", 60, "3.121.6.180")])
    s, t = d.tls(T + 15 * S + 40 * MS, "3.123.52.214", iot, alpn=("x-amzn-mqtt-ca",),
                 port=8883, exchanges=((120, 40),), close=False)
    for k in range(1, 5):  # 75 s, 135 s, 195 s, 255 s
        s.send("c2s", g.tls_app_data(180 + k))  # encrypted MQTT PUBLISH
        s.send("s2c", g.tls_app_data(30))  # PUBACK
        d.tcp(s, T + (15 + 60 * k) * S)
    s.close()
    d.tcp(s, T + 290 * S)

    # 120 s: bulk log upload (~420 KB) in large GRO-style segments; only 128 bytes of each
    # segment are captured, the IP total length still says how much was sent
    logs = "vehicle-logs.s3.eu-central-1.amazonaws.com"
    d.dns(T + 120 * S, logs, "A",
          g.dns_chain(logs, ["s3-r-w.eu-central-1.amazonaws.com"], ["52.219.170.45"]))
    s = g.TcpSession(CAR4, "52.219.170.45", d.port(), 443, mss=28960,
                     isn_c=d.rng.randrange(2**32), isn_s=d.rng.randrange(2**32)).handshake()
    s.send("c2s", g.tls_client_hello(logs, ("http/1.1",)))
    s.send("s2c", g.tls_server_hello())
    t = d.tcp(s, T + 120 * S + 40 * MS)
    bulk = b"".join(g.tls_app_data(16384, 0x40 + i % 16) for i in range(26))
    s.send("c2s", bulk)
    s.send("s2c", g.tls_app_data(350))
    t = d.tcp(s, t + 30 * MS, gap=5 * MS, snap_over=2000)
    s.close()
    d.tcp(s, t + 200 * MS)

    # 180 s: Spotify again, a second connection (same name, new flow)
    d.tls(T + 180 * S, "35.186.224.25", "apresolve.spotify.com", exchanges=((600, 8000),))

    # 240 s: failed lookup
    d.dns(T + 240 * S, "telemetry.invalid-oem.example", "A", [], rcode="NXDOMAIN")
    return d.pcapng()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "testdata",
                                                             "sample.pcapng")
    data = build()
    with open(out, "wb") as f:
        f.write(data)
    print("wrote %s (%d bytes)" % (out, len(data)))


if __name__ == "__main__":
    main()
