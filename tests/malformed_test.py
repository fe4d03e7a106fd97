#!/usr/bin/env python3
"""Broken captures (docs/security.md): each must give a clear error or a correct
partial result, never a crash.  Captures are generated here (tests/pcapgen.py):

  * every truncation point of a small pcap and a small pcapng (one run over all
    prefixes: each input must report exactly the complete packets before the cut,
    and an error unless the cut falls on a record boundary);
  * a gzip capture cut in half and one with corrupt deflate data;
  * bad magic, an empty file, absurd snaplen, absurd record lengths, zero-length
    and oversize packets, caplen > wirelen, time going backwards, a pcapng with an
    unknown block type (and one with a broken block length), tunnels 100 deep.

    tests/malformed_test.py --datatrail build/datatrail [--work DIR]
"""

import argparse
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcapgen as g  # noqa: E402

C, S, R = "192.168.1.20", "203.0.113.7", "192.168.1.1"
T0 = 1700000000 * 10**9
FAILS = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILS.append(what)


def frames():
    ch = g.tls_client_hello(sni="telemetry.example.com")
    q = g.dns_query(1, "telemetry.example.com")
    a = g.dns_response(1, "telemetry.example.com", "A",
                       [("telemetry.example.com", "A", 60, S)])
    return [
        g.eth(g.ip(C, R, g.UDP, g.udp(C, R, 40000, 53, q))),
        g.eth(g.ip(R, C, g.UDP, g.udp(R, C, 53, 40000, a))),
        g.eth(g.ip(C, S, g.TCP, g.tcp(C, S, 51000, 443, seq=99, flags=g.SYN))),
        g.eth(g.ip(S, C, g.TCP, g.tcp(S, C, 443, 51000, seq=7, ack=100, flags=g.SYN | g.ACK))),
        g.eth(g.ip(C, S, g.TCP, g.tcp(C, S, 51000, 443, seq=100, ack=8, flags=g.ACK | g.PSH,
                                      payload=ch))),
    ]


def run(exe, paths, extra=()):
    p = subprocess.run([exe, "report", "-q", "--no-geo", "-f", "json"] + list(extra) + paths,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    err = p.stderr.decode(errors="replace")
    if p.returncode < 0 or p.returncode > 3 or "Sanitizer" in err or "runtime error" in err:
        check(False, "datatrail survives %s (exit %d): %s" % (paths[:1], p.returncode, err[-2000:]))
        return p.returncode, None
    try:
        return p.returncode, json.loads(p.stdout)
    except ValueError:
        check(p.returncode == 2 and not p.stdout, "no report only when nothing could be read")
        return p.returncode, None


def truncations(exe, work, name, data, bounds, header_ends):
    """bounds: offsets where a record ends (the n-th complete packet ends at bounds[n-1])."""
    paths = []
    for n in range(len(data) + 1):
        p = os.path.join(work, "%s.%05d" % (name, n))
        with open(p, "wb") as f:
            f.write(data[:n])
        paths.append(p)
    rc, rep = run(exe, paths)
    if rep is None:
        check(False, "%s: report over every truncation point" % name)
        return
    bad = []
    byp = {i["path"]: i for i in rep["inputs"]}
    for n, p in enumerate(paths):
        i = byp.get(p)
        if i is None:
            bad.append("%d: missing from inputs" % n)
            continue
        want = sum(1 for b in bounds if b <= n)
        clean = n in bounds or n in header_ends
        if i["packets"] != want:
            bad.append("%d: %d packets, want %d" % (n, i["packets"], want))
        if clean and i["errors"]:
            bad.append("%d: cut on a boundary but errors %s" % (n, i["errors"]))
        if not clean and not (i["errors"] and i["errors"][0]["message"]):
            bad.append("%d: cut inside a record/header but no error" % n)
    check(not bad, "%s: %d truncation points, each reads the complete packets before the cut "
          "and reports an error unless the cut is on a record boundary%s"
          % (name, len(paths), (": " + "; ".join(bad[:5])) if bad else ""))
    check(rc == 3, "%s truncations: exit status 3 (some inputs with errors), got %d" % (name, rc))
    full = byp.get(paths[-1], {"flows": None})
    check(full["flows"] == 2, "%s: the whole file has its 2 flows (got %s)" % (name, full["flows"]))


def write(work, name, data):
    p = os.path.join(work, name)
    with open(p, "wb") as f:
        f.write(data)
    return p


def one(exe, work, name, data, extra=()):
    rc, rep = run(exe, [write(work, name, data)], extra)
    return rc, rep, (rep["inputs"][0] if rep else None)


def pcap_raw(recs, snaplen=262144, linktype=1):
    """recs: (ts_ns, caplen, wirelen, data) written as given (lengths not checked)."""
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype)]
    for ts, cl, wl, d in recs:
        out.append(struct.pack("<IIII", ts // 10**9, ts % 10**9 // 1000, cl, wl) + d)
    return b"".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--datatrail", required=True)
    ap.add_argument("--work")
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="dt-malformed-")
    os.makedirs(work, exist_ok=True)
    exe = a.datatrail
    fr = frames()
    recs = g.timed(fr, T0)

    # every truncation point: classic pcap
    data = g.write_pcap(recs)
    bounds, off = [], 24
    for f in fr:
        off += 16 + len(f)
        bounds.append(off)
    truncations(exe, work, "trunc.pcap", data, bounds, (24,))

    # every truncation point: pcapng (SHB, IDB, EPBs)
    shb = g.pcapng_shb()
    idb = g.pcapng_idb(g.LINKTYPE_ETHERNET)
    epbs = [g.pcapng_epb(r) for r in recs]
    data = shb + idb + b"".join(epbs)
    bounds, off = [], len(shb) + len(idb)
    for e in epbs:
        off += len(e)
        bounds.append(off)
    # a section header alone, or with its interface, is a valid empty capture
    truncations(exe, work, "trunc.pcapng", data, bounds, (len(shb), len(shb) + len(idb)))

    # bad magic; an empty file; a text file
    for name, d in (("badmagic.pcap", b"\x01\x02\x03\x04" + g.write_pcap(recs)[4:]),
                    ("empty.pcap", b""), ("text.pcap", b"GET / HTTP/1.1\r\n\r\n" * 4)):
        rc, rep, i = one(exe, work, name, d)
        ok = rc == 2 and (i is None or (i["errors"] and i["errors"][0]["message"]))
        check(ok, "%s: exit 2 with a reason (got %d, %s)" % (name, rc, i and i["errors"]))

    # absurd snaplen in the file header: packets are still read
    for snap in (0, 0xFFFFFFFF, 0x7FFFFFFF):
        rc, rep, i = one(exe, work, "snaplen.pcap", pcap_raw(
            [(T0 + k, len(f), len(f), f) for k, f in enumerate(fr)], snaplen=snap))
        check(rc == 0 and i and i["packets"] == len(fr) and i["flows"] == 2,
              "snaplen %#x: all %d packets and 2 flows (exit %d, %s packets)"
              % (snap, len(fr), rc, i and i["packets"]))

    # absurd record length in the middle: the packets before, and an error
    for cl in (0x7FFFFFF0, 0xFFFFFFFF, 262144 * 4):
        rr = [(T0 + k, len(f), len(f), f) for k, f in enumerate(fr)]
        rr[2] = (rr[2][0], cl, cl, fr[2])
        rc, rep, i = one(exe, work, "reclen.pcap", pcap_raw(rr))
        check(rc == 3 and i and i["packets"] == 2 and i["errors"] and
              i["errors"][0]["packet"] == 3,
              "record length %#x in packet 3: 2 packets, then an error at packet 3 (exit %d, %s)"
              % (cl, rc, i and (i["packets"], i["errors"])))

    # zero-length packets, caplen > wirelen, an oversize (but complete) packet
    big = g.eth(g.ip(C, S, g.UDP, g.udp(C, S, 40001, 9999, b"x" * 65000)))
    rr = [(T0, 0, 0, b""), (T0 + 1, 0, 60, b""), (T0 + 2, len(fr[0]), 10, fr[0]),
          (T0 + 3, len(big), len(big), big), (T0 + 4, len(fr[1]), len(fr[1]), fr[1])]
    rc, rep, i = one(exe, work, "oddlen.pcap", pcap_raw(rr))
    check(rc == 0 and i and i["packets"] == 5 and rep["summary"]["malformed"] >= 2,
          "zero-length, caplen>wirelen and 65 kB packets: 5 packets read, the empty ones "
          "malformed (exit %d, %s, malformed %s)" % (rc, i and i["packets"],
                                                     rep and rep["summary"]["malformed"]))
    rr = [(T0, 300000, 300000, b"\0" * 300000), (T0 + 1, len(fr[0]), len(fr[0]), fr[0])]
    rc, rep, i = one(exe, work, "oversize.pcap", pcap_raw(rr))
    check(i is not None and rc in (0, 3) and (rc == 3) == bool(i["errors"]),
          "packet larger than any snaplen (300000 bytes): read or refused with a reason "
          "(exit %d, %s)" % (rc, i and (i["packets"], i["errors"])))

    # time going backwards: every packet and flow counted, first/last seen ordered
    back = [g.Rec(T0 + 3600 * 10**9, fr[0]), g.Rec(T0, fr[1]), g.Rec(T0 - 86400 * 10**9, fr[2]),
            g.Rec(T0 + 10, fr[3]), g.Rec(T0 + 5, fr[4])]
    rc, rep, i = one(exe, work, "backwards.pcap", g.write_pcap(back))
    fl = rep["flows"] if rep else []
    check(rc == 0 and i and i["packets"] == 5 and len(fl) == 2 and
          all(f["first_seen"] <= f["last_seen"] for f in fl) and
          i["first_seen"] <= i["last_seen"],
          "time going backwards: 5 packets, 2 flows, first_seen <= last_seen (exit %d)" % rc)

    # pcapng: an unknown block type is skipped; a broken block length is an error
    d = g.write_pcapng(recs, unknown_block_at=2)
    rc, rep, i = one(exe, work, "unknown.pcapng", d)
    check(rc == 0 and i and i["packets"] == len(fr) and i["flows"] == 2 and not i["errors"],
          "pcapng with an unknown block type: all packets, no error (exit %d)" % rc)
    k = len(shb) + len(idb) + len(epbs[0]) + len(epbs[1])
    for bl in (0, 5, 0xFFFFFFF0):
        d = bytearray(shb + idb + b"".join(epbs))
        struct.pack_into("<I", d, k + 4, bl)
        rc, rep, i = one(exe, work, "blocklen.pcapng", bytes(d))
        check(rc == 3 and i and i["packets"] == 2 and i["errors"] and i["errors"][0]["message"],
              "pcapng block length %#x in the third packet: 2 packets then an error (exit %d, %s)"
              % (bl, rc, i and (i["packets"], i["errors"])))

    # tunnels: GRE in IPv4, 4 deep decodes; 100 deep is counted as malformed
    def nested(depth):
        pkt = g.ip(C, S, g.UDP, g.udp(C, S, 40002, 9999, b"deep"))
        for n in range(depth):
            pkt = g.ip("198.51.100.%d" % (n % 250 + 1), "198.51.100.254", 47, g.gre(pkt))
        return g.eth(pkt)
    rr = g.timed([nested(4), nested(100), nested(100)], T0)
    rc, rep, i = one(exe, work, "tunnels.pcap", g.write_pcap(rr))
    s = rep["summary"] if rep else {}
    check(rc == 0 and i and i["packets"] == 3 and s.get("malformed") == 2 and
          s.get("tunneled_packets", {}).get("gre") == 1 and i["flows"] == 1,
          "GRE 4 deep decoded, 100 deep counted as malformed (exit %d, malformed %s, tunneled %s)"
          % (rc, s.get("malformed"), s.get("tunneled_packets")))

    # gzip: cut in the middle (the packets before, then an error), corrupt deflate data
    many = [g.eth(g.ip(C, S, g.UDP, g.udp(C, S, 1000 + k, 2000, b"x" * 300))) for k in range(50)]
    gz = g.gzipped(g.write_pcap(g.timed(many, T0)))
    rc, rep, i = one(exe, work, "cut.pcap.gz", gz[:len(gz) // 2])
    check(rc == 3 and i and 0 < i["packets"] < 50 and i["errors"],
          "gzip cut in half: the packets before the cut, then an error (exit %d, %s)"
          % (rc, i and (i["packets"], i["errors"])))
    bad = bytearray(gz)
    for k in range(20, 40):
        bad[k] ^= 0x5A
    rc, rep, i = one(exe, work, "corrupt.pcap.gz", bytes(bad))
    check(rc in (2, 3) and (i is None or i["errors"]),
          "corrupt gzip: an error, no crash (exit %d, %s)" % (rc, i and i["errors"]))

    # a directory of captures without subdirectories (UBSan once flagged
    # qsort(NULL, 0) in cmd/inputs.c here), holding a broken capture too
    d = os.path.join(work, "dir")
    os.makedirs(d, exist_ok=True)
    write(d, "a.pcap", g.write_pcap(recs))
    write(d, "b.pcap", g.write_pcap(recs)[:-7])
    rc, rep = run(exe, [d])
    check(rc == 3 and rep and [i["packets"] for i in rep["inputs"]] == [5, 4],
          "a directory input: both captures, the truncated one partial (exit %d)" % rc)

    if not a.work:
        shutil.rmtree(work, ignore_errors=True)
    if FAILS:
        sys.exit("%d check(s) failed" % len(FAILS))
    print("all malformed-capture checks passed")


if __name__ == "__main__":
    main()
