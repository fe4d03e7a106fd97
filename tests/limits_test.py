#!/usr/bin/env python3
"""Resource limits (docs/security.md): captures generated on the fly and
streamed into `datatrail report -q --no-geo -` (nothing big is stored):

  * N distinct UDP flows, all alive at once (default and --full: 1,000,000),
    under the default flow limit (100,000): the excess is evicted, counted,
    still reported, and memory stays under the bound of a full table;
  * L distinct flows (default 200,000; --full: 1,000,000) with --max-flows L:
    none evicted, memory under the bound for L live flows; and with
    --max-flows L/10 (eviction counted);
  * one TCP stream of S bytes (default 256 MiB; --full: 2 GiB), in order, with
    retransmissions and a hole;
  * N flows to as many distinct public servers (the report's tables: their
    memory limit is reached, counted, and the totals stay exact);
  * N DNS responses for as many distinct names over 40,000 flows (the DNS
    table's limit is reached and counted; every response is counted).

It checks the report's counters and that the peak RSS of datatrail stays
under the bound documented in docs/security.md for that many live flows.

    tests/limits_test.py --datatrail build/datatrail [--full] [--flows N] [--live L]
                         [--stream-mb S] [--no-rss]
"""

import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
import threading
import time

# Documented bounds (docs/security.md): RSS = BASE + PER_FLOW * live flows,
# plus the limits of the report's tables where a capture fills them.
BASE_KB = 64 * 1024  # program, libraries, geo metadata, the output's buffers
PER_FLOW_BYTES = 1024        # measured: about 0.73 KiB per live UDP flow (gcc -O2, glibc)
STREAM_BOUND_KB = 96 * 1024  # one long TCP stream: buffering is capped (64 KiB per direction)
DEFAULT_MAX_FLOWS = 100000   # --max-flows default (lib/flow/flow.c)
ROLLUP_KB = 2 * 48 * 1024    # DT_ROLLUP_MAX_BYTES, twice: allocator overhead, output
DNS_KB = 2 * 16 * 1024 + 64 * 1024 + 45 * 1024  # DNS table (twice), parser state, resolution

TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
STREAM_SENT = [0]  # payload bytes the client sent, retransmissions included
T0 = 1700000000 * 1000000  # microseconds


def pcap_header():
    return struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 101)  # LINKTYPE_RAW


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ip4(src, dst, proto, l4):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 0, 0x4000, 64, proto, 0, src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + l4


def write_datagrams(out, n, packet):
    """n records, one microsecond apart (nothing times out): packet(i) -> IP packet."""
    out.write(pcap_header())
    buf = bytearray()
    for i in range(n):
        pkt = packet(i)
        t = T0 + i
        buf += struct.pack("<IIII", t // 1000000, t % 1000000, len(pkt), len(pkt)) + pkt
        if len(buf) > 1 << 20:
            out.write(buf)
            buf = bytearray()
    out.write(buf)
    out.close()


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def write_flows(out, n):
    """n UDP datagrams, each a new flow: 10.a.b.c:40000 -> 198.51.100.1:9999."""
    dst = bytes([198, 51, 100, 1])
    l4 = udp(40000, 9999, b"datatrail-limits")

    def packet(i):
        src = bytes([10 if i < (1 << 24) else 11, (i >> 16) & 255, (i >> 8) & 255, i & 255])
        return ip4(src, dst, 17, l4)
    write_datagrams(out, n, packet)


def write_servers(out, n):
    """n UDP datagrams from one host, each to another public server 11.x.y.z."""
    src = bytes([10, 0, 0, 1])

    def packet(i):
        dst = bytes([11, (i >> 16) & 255, (i >> 8) & 255, i & 255])
        return ip4(src, dst, 17, udp(40000 + (i & 1023), 9999, b"datatrail-limits"))
    write_datagrams(out, n, packet)


def dns_response(i):
    """A response for x<i>.flood.example.com A 198.51.x.y."""
    name = b"".join(bytes([len(p)]) + p for p in [b"x%07d" % i, b"flood", b"example", b"com"])
    q = name + b"\0" + struct.pack("!HH", 1, 1)
    a = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + bytes([198, 51, (i >> 8) & 255, i & 255])
    return struct.pack("!HHHHHH", i & 0xFFFF, 0x8180, 1, 1, 0, 0) + q + a


def write_dns(out, n):
    """n DNS responses with distinct names, resolver -> client, over 40,000 client ports."""
    cli, srv = bytes([10, 0, 0, 2]), bytes([10, 0, 0, 1])
    write_datagrams(out, n, lambda i: ip4(srv, cli, 17, udp(53, 20000 + (i % 40000), dns_response(i))))


def write_stream(out, total):
    """One TCP connection (handshake, then `total` bytes client->server in 1448-byte
    segments, every 1000th segment sent twice, one 1448-byte hole, then FIN)."""
    out.write(pcap_header())
    c, s = bytes([192, 168, 1, 20]), bytes([203, 0, 113, 9])
    tcount = [0]

    def rec(src, dst, seq, ack, flags, payload=b""):
        tcp = struct.pack("!HHIIBBHHH", 51000 if src == c else 443, 443 if src == c else 51000,
                          seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0)
        pkt = ip4(src, dst, 6, tcp + payload)
        t = T0 + tcount[0]
        tcount[0] += 10
        return struct.pack("<IIII", t // 1000000, t % 1000000, len(pkt), len(pkt)) + pkt

    isn = 0xFFFF0000  # wraps after 64 KiB
    out.write(rec(c, s, isn, 0, 0x02))
    out.write(rec(s, c, 7, isn + 1, 0x12))
    out.write(rec(c, s, isn + 1, 8, 0x10))
    seg = bytes((i * 7) & 255 for i in range(1448))
    # The segment bytes differ only in the headers: build them in chunks.
    off, n, buf = 0, 0, bytearray()
    sent = 0
    while off < total:
        ln = min(1448, total - off)
        if n != 5000:  # one hole
            r = rec(c, s, isn + 1 + off, 8, 0x18, seg[:ln])
            buf += r
            sent += ln
            if n % 1000 == 999:
                buf += r
                sent += ln
        off += ln
        n += 1
        if len(buf) > 1 << 20:
            out.write(buf)
            buf = bytearray()
    STREAM_SENT[0] = sent
    buf += rec(c, s, isn + 1 + total, 8, 0x11)
    buf += rec(s, c, 8, isn + 2 + total, 0x11)
    out.write(buf)
    out.close()


def run(datatrail, writer, arg, extra=()):
    """Runs datatrail on the generated capture; returns (report, peak RSS KiB, seconds)."""
    t0 = time.time()
    timefile = os.path.join(tempfile.gettempdir(), "limits_test.%d.rss" % os.getpid())
    # /usr/bin/time measures datatrail alone: a child forked from this (large)
    # Python process would inherit its peak RSS across exec.
    wrap = [TIME, "-f", "%M", "-o", timefile] if TIME else []
    p = subprocess.Popen(wrap + [datatrail, "report", "-q", "--no-geo", "-f", "json"] + list(extra) +
                         ["-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    w = threading.Thread(target=writer, args=(p.stdin, arg))
    w.start()
    out = []
    err = []
    ro = threading.Thread(target=lambda: out.append(p.stdout.read()))
    re_ = threading.Thread(target=lambda: err.append(p.stderr.read()))
    ro.start()
    re_.start()
    p.wait()
    w.join()
    ro.join()
    re_.join()
    if p.returncode != 0:
        sys.exit("datatrail exited with %d: %s" % (p.returncode, err[0].decode(errors="replace")))
    rss = None
    if TIME:
        with open(timefile) as f:
            rss = int(f.read().split()[-1])
        os.unlink(timefile)
    return json.loads(out[0]), rss, time.time() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--datatrail", required=True)
    ap.add_argument("--full", action="store_true",
                    help="also 1,000,000 flows alive at once (about 2 GiB) and a 2 GiB stream")
    ap.add_argument("--flows", type=int, help="distinct flows under the default limit")
    ap.add_argument("--live", type=int, help="distinct flows with --max-flows set to as many")
    ap.add_argument("--stream-mb", type=int)
    ap.add_argument("--no-rss", action="store_true",
                    help="do not check RSS (sanitizer or valgrind builds)")
    a = ap.parse_args()
    global TIME
    if a.no_rss:
        TIME = None
    nflows = a.flows or 1000000
    nlive = a.live or (1000000 if a.full else min(nflows, 200000))
    smb = a.stream_mb or (2048 if a.full else 256)
    fails = []

    if not TIME and not a.no_rss:
        print("note: /usr/bin/time is missing (Debian package 'time'): RSS is not checked")

    def check(cond, what):
        if cond is None:
            return
        print(("ok   " if cond else "FAIL ") + what)
        if not cond:
            fails.append(what)

    def bound(live):
        return BASE_KB + PER_FLOW_BYTES * live // 1024

    # The default limit: memory is that of a full table, whatever the capture.
    rep, rss, secs = run(a.datatrail, write_flows, nflows)
    s = rep["summary"]
    held = min(nflows, DEFAULT_MAX_FLOWS)
    print("flows: %d distinct UDP flows, default limit, peak RSS %s KiB, %.1f s" % (nflows, rss, secs))
    check(rep["options"]["max_flows"] == DEFAULT_MAX_FLOWS,
          "default --max-flows is %d (got %d)" % (DEFAULT_MAX_FLOWS, rep["options"]["max_flows"]))
    check(s["flows"] == nflows, "%d flows reported (got %d)" % (nflows, s["flows"]))
    check(s["flows_evicted"] == nflows - held, "evicted flows counted: %d (got %d)"
          % (nflows - held, s["flows_evicted"]))
    check(s["peak_live_flows"] == held, "%d flows alive at once (peak %d)" % (held, s["peak_live_flows"]))
    check(rss < bound(held) if rss else None, "peak RSS %s KiB < documented bound %d KiB"
          % (rss, bound(held)))

    # A limit that holds them all: nothing is evicted, memory grows with live flows.
    rep, rss, secs = run(a.datatrail, write_flows, nlive, ["--max-flows", str(nlive)])
    s = rep["summary"]
    print("flows: %d distinct UDP flows, --max-flows %d, peak RSS %s KiB, %.1f s"
          % (nlive, nlive, rss, secs))
    check(s["flows"] == nlive, "%d flows reported (got %d)" % (nlive, s["flows"]))
    check(s["flows_evicted"] == 0, "no flow evicted when --max-flows holds them all")
    check(s["peak_live_flows"] == nlive, "all flows alive at once (peak %d)" % s["peak_live_flows"])
    check(rss < bound(nlive) if rss else None, "peak RSS %s KiB < documented bound %d KiB"
          % (rss, bound(nlive)))

    limit = nlive // 10
    rep, rss2, secs = run(a.datatrail, write_flows, nlive, ["--max-flows", str(limit)])
    s = rep["summary"]
    print("flows: %d distinct UDP flows, --max-flows %d, peak RSS %s KiB, %.1f s"
          % (nlive, limit, rss2, secs))
    check(s["flows"] == nlive, "every flow still reported with --max-flows (got %d)" % s["flows"])
    check(s["flows_evicted"] == nlive - limit, "evicted flows counted: %d (got %d)"
          % (nlive - limit, s["flows_evicted"]))
    check(s["peak_live_flows"] <= limit, "live flows stay <= --max-flows (%d)" % s["peak_live_flows"])
    check(rss2 < bound(limit) if rss2 else None, "peak RSS %s KiB < documented bound %d KiB"
          % (rss2, bound(limit)))

    total = smb * 1024 * 1024
    rep, rss3, secs = run(a.datatrail, write_stream, total)
    s = rep["summary"]
    print("stream: one TCP stream of %d MiB, peak RSS %s KiB, %.1f s (%.0f MB/s)"
          % (smb, rss3, secs, total / 1e6 / secs))
    tcp = [f for f in rep.get("flows", []) if f.get("proto") == "tcp"]
    check(len(tcp) == 1, "one TCP flow reported (got %d)" % len(tcp))
    if tcp:
        f = tcp[0]
        check(f["client"]["payload"] == STREAM_SENT[0],
              "client payload %d: every byte sent, retransmissions too, not the hole (got %d)"
              % (STREAM_SENT[0], f["client"]["payload"]))
        check(f["tcp"]["gaps"] == 1, "one gap (got %s)" % f["tcp"]["gaps"])
    check(s["reassembly_peak_bytes"] <= 2 * 64 * 1024,
          "reassembly peak %d bytes <= 2 x 64 KiB" % s["reassembly_peak_bytes"])
    check(rss3 < STREAM_BOUND_KB if rss3 else None, "peak RSS %s KiB < documented bound %d KiB"
          % (rss3, STREAM_BOUND_KB))
    # Distinct servers fill the report's tables, not the flow table.
    rep, rss4, secs = run(a.datatrail, write_servers, nflows)
    s = rep["summary"]
    listed = len(rep.get("endpoints", []))
    print("servers: %d flows to as many servers, peak RSS %s KiB, %.1f s, %d endpoints listed"
          % (nflows, rss4, secs, listed))
    check(s["flows"] == nflows, "%d flows reported (got %d)" % (nflows, s["flows"]))
    check(s["remote_addresses"] == listed, "remote_addresses is what is listed (%d)" % listed)
    if nflows > 200000:
        check(s["rollup_entries_dropped"] > 0 and any(w["code"] == "rollup_limit" and
                                                      w["count"] == s["rollup_entries_dropped"]
                                                      for w in rep["warnings"]),
              "the tables' limit was reached: %d entries dropped, with a warning"
              % s["rollup_entries_dropped"])
    up = sum(c["bytes_up"] for c in rep["countries"])
    check(s["bytes_up"] == up and up == nflows * 44,
          "totals exact: bytes_up %d = %d sent" % (s["bytes_up"], nflows * 44))
    bound = BASE_KB + PER_FLOW_BYTES * min(nflows, DEFAULT_MAX_FLOWS) // 1024 + ROLLUP_KB
    check(rss4 < bound if rss4 else None, "peak RSS %s KiB < documented bound %d KiB" % (rss4, bound))

    # A flood of distinct DNS names fills the DNS table.
    rep, rss5, secs = run(a.datatrail, write_dns, nflows)
    s = rep["summary"]
    print("dns: %d responses with distinct names, peak RSS %s KiB, %.1f s, %d names kept"
          % (nflows, rss5, secs, s["dns_names"]))
    check(s["dns_names"] + s["dns_table_dropped"] == nflows,
          "every response is in the table or counted as dropped (%d + %d)"
          % (s["dns_names"], s["dns_table_dropped"]))
    check(s["dns_names"] == len(rep["dns"]), "dns_names is what is listed")
    bound = BASE_KB + PER_FLOW_BYTES * min(nflows, 40000) // 1024 + DNS_KB
    check(rss5 < bound if rss5 else None, "peak RSS %s KiB < documented bound %d KiB" % (rss5, bound))
    if fails:
        sys.exit("%d check(s) failed" % len(fails))
    print("all limits checks passed")


if __name__ == "__main__":
    main()
