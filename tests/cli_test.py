#!/usr/bin/env python3
"""The command line as a user runs it: many inputs, -j, --per-file, merge,
directories, output files, formats and exit codes.  Captures come from the
project's own generator (tests/pcapgen.py) and testdata/sample.pcapng.

usage: tests/cli_test.py --datatrail PATH [--work DIR]
"""
import gzip
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import pcapgen as g  # noqa: E402
from harness import check, finish, options  # noqa: E402


def run(dt, *args, stdin=None, env=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([dt] + list(args), capture_output=True, input=stdin, env=e)


def small_capture(path, port):
    """A DNS answer then a TLS connection naming the server, as pcap."""
    s = g.TcpSession("192.168.1.20", "1.12.36.7", 40000 + port, 443)
    s.handshake()
    s.send("c2s", g.tls_client_hello(f"host{port}.example.com"))
    s.send("s2c", g.tls_server_hello())
    s.close()
    t0 = 1666599300 * 10**9
    recs = [g.Rec(t0 + i * 1000000, g.eth_for(p)) for i, (_, p) in enumerate(s.ip_packets())]
    with open(path, "wb") as f:
        f.write(g.write_pcap(recs))


def coverage_script(dt, work, ind):
    """scripts/recipient-coverage on crafted reports of both shapes and on a real run."""
    script = os.path.join(ROOT, "scripts", "recipient-coverage")

    def flow(name, cls, up, down, server, client_local=True, server_local=False):
        s = {"ip": "192.0.2.1", "local": server_local, "bytes": down, "name": name, "class": cls,
             "domain": name.split(".", 1)[-1] if name else None, "org": "Example Hosting"}
        s.update(server)
        return {"client": {"ip": "10.0.0.2", "local": client_local, "bytes": up}, "server": s}

    def unid(label, schema):
        if schema == 1:
            return {"company": "Example Hosting", "company_source": "asn"}
        return {"recipient": {"name": label, "evidence": "unidentified", "identified": False,
                              "matched": label}}

    def ident(how, schema):
        if schema == 1:
            return {"company": "Known", "company_source": how}
        return {"recipient": {"name": "Known", "evidence": how, "identified": True}}

    for schema in (1, 2):
        rep = {"datatrail": {"schema": schema}, "flows": [
            flow("a.known.example", "public", 100, 1, ident("domain", schema)),
            flow("b.known.example", "public", 50, 1, ident("cert", schema)),
            flow("c.other.example", "public", 30, 1, unid("other.example", schema)),
            # neither side local: the client is taken as the sender, as docs/report-schema.md says
            flow("d.other.example", "public", 7, 1, unid("other.example", schema), client_local=False),
            # the device is the server: its bytes are the upload
            flow("e.other.example", "public", 1, 9, unid("other.example", schema), client_local=False,
                 server_local=True),
            flow(None, "public", 1000, 1, {}),                                  # unnamed: not counted
            # an address where a name goes (HTTP Host 1.2.3.4): no recipient, left out
            flow("192.0.2.7:8080", "public", 1000, 1, {"recipient": None} if schema == 2 else
                 {"company": "Example Hosting", "company_source": "asn"}),
            flow("printer.lan", "private", 1000, 1, ident("domain", schema)),  # not public
        ]}
        p = os.path.join(work, "coverage-%d.json" % schema)
        with open(p, "w") as f:
            json.dump(rep, f)
        r = subprocess.run([sys.executable, script, "--report", p, "--json", "--unidentified", "5"],
                           capture_output=True)
        fig = json.loads(r.stdout) if r.returncode == 0 else {}
        ev = fig.get("by_evidence", {})
        want_unid = "asn" if schema == 1 else "unidentified"
        check("recipient-coverage schema %d: counts named public flows and their upload" % schema,
              fig.get("named_public_flows") == 5 and fig.get("bytes_up") == 196 and
              fig.get("left_out_addresses") == 1 and
              fig["identified"]["flows"] == 2 and fig["identified"]["bytes_up"] == 150 and
              ev["domain"]["flows"] == 1 and ev["cert"]["bytes_up"] == 50 and
              ev[want_unid] == {"flows": 3, "bytes_up": 46}, r.stdout.decode()[:600] + r.stderr.decode())
        wl = fig.get("unidentified", {}).get("by_flows", [])
        check("recipient-coverage schema %d: worklist by registrable domain" % schema,
              [(w["domain"], w["flows"], w["bytes_up"]) for w in wl] == [("other.example", 3, 46)], str(wl))
    r = subprocess.run([sys.executable, script, dt, "--corpus", os.path.join(work, "no-such-corpus")],
                       capture_output=True)
    check("recipient-coverage: absent corpus is skipped, saying so",
          r.returncode == 0 and b"skipped" in r.stdout, r.stdout.decode() + r.stderr.decode())
    keep = os.path.join(work, "coverage-run.json")
    r = subprocess.run([sys.executable, script, dt, "--corpus", ind, "--keep", keep, "--json"],
                       capture_output=True)
    ok = r.returncode == 0 and os.path.exists(keep)
    if ok:
        fig, rep = json.loads(r.stdout), json.load(open(keep))
        ri = rep["summary"].get("recipients_identified")
        # the script's count agrees with the report's own, where the report has one (schema 2)
        ok = fig["named_public_flows"] > 0 and fig["identified"]["flows"] > 0 and (
            ri is None or (ri["named_flows"], ri["flows"], ri["named_bytes_up"], ri["bytes_up"]) ==
            (fig["named_public_flows"], fig["identified"]["flows"], fig["bytes_up"], fig["identified"]["bytes_up"]))
    check("recipient-coverage runs datatrail over a directory", ok, r.stdout.decode() + r.stderr.decode())
    h = subprocess.run([sys.executable, script, "--help"], capture_output=True)
    check("recipient-coverage --help", h.returncode == 0 and b"--unidentified N" in h.stdout)


def true_bytes(dt, work):
    """Issue 12 item 6: inputs[].bytes and summary.bytes are captured bytes; the claimed wire
    length is a separate field, and an implausible claim (4 GB for a 60-byte frame) is a
    malformed frame, not 4 GB."""
    pkt = g.eth_for(g.udp_ip("192.168.1.2", "8.8.8.8", 1234, 53, g.dns_query(7, "a.example.com")))
    snap = g.eth_for(g.ip("192.168.1.2", "8.8.8.8", 6,
                          g.tcp("192.168.1.2", "8.8.8.8", 40000, 443, payload=b"x" * 1000)))
    recs = [g.Rec(g.T0_NS, pkt), g.Rec(g.T0_NS + 1000, pkt, wirelen=4093509168),
            g.Rec(g.T0_NS + 2000, snap[:100], wirelen=len(snap))]
    path = os.path.join(work, "wirelen.pcap")
    with open(path, "wb") as f:
        f.write(g.write_pcap(recs))
    r = run(dt, "report", "-q", "--no-geo", "-f", "json", path)
    rep = json.loads(r.stdout)
    i, s = rep["inputs"][0], rep["summary"]
    captured = 2 * len(pkt) + 100
    check("bytes: captured bytes, wire_bytes: plausible wire lengths",
          i["bytes"] == s["bytes"] == captured and
          i["wire_bytes"] == s["wire_bytes"] == 2 * len(pkt) + len(snap),
          str((i["bytes"], i["wire_bytes"], captured)))
    check("bytes: a 4 GB wire length is a malformed frame (wire_length_implausible)",
          s["malformed_by_reason"] == {"wire_length_implausible": 1}, str(s["malformed_by_reason"]))


def main():
    dt, work = options("cli")
    os.makedirs(os.path.join(work, "in", "sub"))
    ind = os.path.join(work, "in")
    shutil.copy(os.path.join(ROOT, "testdata", "sample.pcapng"), os.path.join(ind, "a.pcapng"))
    small_capture(os.path.join(ind, "b.pcap"), 1)
    small_capture(os.path.join(work, "c.tmp"), 2)
    with open(os.path.join(work, "c.tmp"), "rb") as f, gzip.open(os.path.join(ind, "sub", "c.pcap.gz"), "wb") as z:
        z.write(f.read())
    with open(os.path.join(ind, "notes.txt"), "w") as f:
        f.write("not a capture\n")
    nogeo = ["-q", "--no-geo"]

    # Directories: captures found recursively, sorted, other files ignored.
    r = run(dt, "report", *nogeo, "-f", "json", ind)
    rep = json.loads(r.stdout)
    paths = [i["path"] for i in rep["inputs"]]
    check("directory inputs", r.returncode == 0 and [os.path.basename(p) for p in paths] ==
          ["a.pcapng", "b.pcap", "c.pcap.gz"], f"rc {r.returncode}, {paths}")
    names = {f["server"]["name"] for f in rep["flows"]}
    check("gzip input read", "host2.example.com" in names, str(sorted(n for n in names if n))[:200])

    # -j: the same bytes for any number of jobs.
    outs = [run(dt, "report", *nogeo, "-f", "json", "-j", str(j), ind).stdout for j in (1, 2, 3)]
    check("report -j 1 == -j 2 == -j 3 (bytes)", outs[0] == outs[1] == outs[2] and len(outs[0]) > 1000)
    # The members known before any flow, then the flows (written as they end), then the rest.
    keys = list(json.loads(outs[0]))
    check("report members: datatrail, options, flows, inputs, ..., dns",
          keys[:4] == ["datatrail", "options", "flows", "inputs"] and keys[-1] == "dns", str(keys))
    # 24 small inputs: -j 2 reads them several to a part (three at first), and
    # more parts than it holds at once (four): workers wait for the report to
    # take parts in order, and the bytes stay the same.
    # (Named one by one: a directory walk would read a linked file once.)
    many = os.path.join(work, "many")
    os.makedirs(many)
    names = []
    for k in range(24):
        src = ("a.pcapng", "b.pcap", os.path.join("sub", "c.pcap.gz"))[k % 3]
        names.append(os.path.join(many, f"{k:02d}-{os.path.basename(src)}"))
        os.link(os.path.join(ind, src), names[-1])
    mo = [run(dt, "report", *nogeo, "-f", "json", "-j", str(j), *names).stdout for j in (1, 2)]
    check("report of 24 inputs: -j 1 == -j 2 (bytes)",
          mo[0] == mo[1] and len(json.loads(mo[0])["inputs"]) == 24)
    fl = [run(dt, "flows", *nogeo, "-j", str(j), ind).stdout for j in (1, 2)]
    check("flows -j 1 == -j 2 (bytes)", fl[0] == fl[1] and fl[0].count(b"\n") == len(rep["flows"]))

    # --per-file + merge: the merged report equals the combined one.
    pf = os.path.join(work, "per-file")
    os.makedirs(pf)
    combined = run(dt, "report", *nogeo, "-f", "json", "-j", "2", "--per-file", pf, ind)
    files = sorted(os.listdir(pf))
    check("--per-file writes one report per input", len(files) == 3, str(files))
    m = run(dt, "merge", *[os.path.join(pf, f) for f in files])
    check("merge of per-file reports == combined report (bytes)",
          m.returncode == 0 and m.stdout == combined.stdout, m.stderr.decode()[-300:])
    one = json.loads(open(os.path.join(pf, files[1])).read())
    check("a per-file report holds only its input", len(one["inputs"]) == 1 and
          one["summary"]["flows"] == sum(1 for f in rep["flows"] if f["input"] == one["inputs"][0]["path"]))
    # processes (PCAPdroid's app trailer, PKTAP): merged as the combined report has them
    pd = os.path.join(work, "proc")
    os.makedirs(os.path.join(pd, "per-file"))
    for i, (name, wrap, lt) in enumerate((
            ("droid.pcap", lambda p: g.pcapdroid(p, uid=10100, app=b"com.maps"), 1),
            ("mac.pcap", lambda p: g.pktap(g.eth_for(p), pid=501, comm=b"Safari"), 258))):
        s = g.TcpSession("192.168.1.20", "1.12.36.7", 41000 + i, 443)
        s.handshake()
        s.send("c2s", g.tls_client_hello("maps.example.com"))
        s.close()
        recs = [g.Rec(1666599300 * 10**9 + k * 1000000, wrap(p))
                for k, (_, p) in enumerate(s.ip_packets())]
        open(os.path.join(pd, name), "wb").write(g.write_pcap(recs, lt))
    combined = run(dt, "report", *nogeo, "-f", "json", "--per-file", os.path.join(pd, "per-file"),
                   os.path.join(pd, "droid.pcap"), os.path.join(pd, "mac.pcap"))
    parts = sorted(os.listdir(os.path.join(pd, "per-file")))
    m = run(dt, "merge", *[os.path.join(pd, "per-file", f) for f in parts])
    procs = json.loads(combined.stdout).get("processes", [])
    check("merge keeps the processes table (bytes)", m.returncode == 0 and
          m.stdout == combined.stdout and [p["name"] for p in procs] == ["Safari", "com.maps"],
          str(procs)[:300])

    nf = run(dt, "report", *nogeo, "-f", "json", "--no-flows", os.path.join(ind, "b.pcap"))
    p = os.path.join(work, "noflows.json")
    open(p, "wb").write(nf.stdout)
    m2 = run(dt, "merge", p)
    check("merge refuses a report without flows", m2.returncode == 2 and b"--no-flows" in m2.stderr)

    # -o: written whole, no temporary left; an unwritable place fails with 2 and no file.
    out = os.path.join(work, "out.json")
    r = run(dt, "report", *nogeo, "-o", out, ind)
    left = [f for f in os.listdir(work) if ".tmp." in f]
    check("-o writes the report (JSON by default)", r.returncode == 0 and
          json.load(open(out))["summary"]["inputs"] == 3 and not left, str(left))
    r = run(dt, "report", *nogeo, "-o", os.path.join(work, "no", "such", "dir", "x.json"), ind)
    check("-o into a missing directory: exit 2", r.returncode == 2, str(r.returncode))

    # -o onto a FIFO (as onto /dev/null): written in place, never replaced by a file.
    fifo = os.path.join(work, "fifo")
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", fifo], stdout=subprocess.PIPE)
    r = run(dt, "report", *nogeo, "-f", "json", "-o", fifo, os.path.join(ind, "b.pcap"))
    got = reader.communicate(timeout=60)[0]
    import stat
    check("-o onto a FIFO writes through it", r.returncode == 0 and stat.S_ISFIFO(os.stat(fifo).st_mode)
          and json.loads(got)["summary"]["inputs"] == 1)

    # Exit codes.
    check("unknown option: exit 1", run(dt, "report", "--bogus", ind).returncode == 1)
    check("no input: exit 1", run(dt, "report").returncode == 1)
    r = run(dt, "report", *nogeo, os.path.join(work, "missing.pcap"))
    check("missing file: exit 2, named", r.returncode == 2 and b"missing.pcap" in r.stderr, r.stderr.decode())
    bad = os.path.join(work, "trunc.pcap")
    data = open(os.path.join(ind, "b.pcap"), "rb").read()
    open(bad, "wb").write(data[:-7])
    r = run(dt, "report", *nogeo, "-f", "json", os.path.join(ind, "b.pcap"), bad)
    rj = json.loads(r.stdout)
    check("a truncated input: exit 3, error in the report", r.returncode == 3 and
          rj["inputs"][1]["errors"] and rj["inputs"][0]["errors"] == [], r.stderr.decode())

    # stdin.
    r = run(dt, "report", *nogeo, "-f", "json", "-", stdin=data)
    check("stdin", r.returncode == 0 and json.loads(r.stdout)["inputs"][0]["path"] == "-")

    # Formats.
    r = run(dt, "report", "-q", "-f", "text", os.path.join(ind, "a.pcapng"), env={"NO_COLOR": "1"})
    lines = r.stdout.decode().splitlines()
    check("text report fits about a screen (70 lines)", r.returncode == 0 and 5 < len(lines) <= 70, f"{len(lines)} lines")
    check("text report has no colour when not a terminal", b"\x1b[" not in r.stdout)
    r = run(dt, "flows", *nogeo, "-f", "csv", os.path.join(ind, "a.pcapng"))
    rows = r.stdout.decode().splitlines()
    nflows = sum(1 for f in rep["flows"] if f["input"].endswith("a.pcapng"))
    check("flows as CSV: header + one row per flow", r.returncode == 0 and len(rows) == nflows + 1,
          f"{len(rows)} rows, {nflows} flows")
    check("bad --format: exit 1", run(dt, "flows", "-f", "text", ind).returncode == 1)

    # lookup, geodb build and merge: where options may go, and the messages for bad ones.
    csv_c = os.path.join(work, "cc.csv")
    open(csv_c, "w").write("1.0.0.0,1.0.0.255,AU\n")
    csv_a = os.path.join(work, "asn.csv")
    open(csv_a, "w").write('1.0.0.0,1.0.0.255,13335,Cloud"flare\\\n')
    cdb, adb = os.path.join(work, "c.mmdb"), os.path.join(work, "a.mmdb")
    r1 = run(dt, "geodb", "build", csv_c, "--type", "country", "-o", cdb)
    r2 = run(dt, "geodb", "build", "--type", "asn", "--output", adb, "--skip-bad", csv_a)
    check("geodb build: options before and after the CSV files", r1.returncode == 0 and
          r2.returncode == 0 and b"1 ranges" in r2.stderr, (r1.stderr + r2.stderr).decode())
    r = run(dt, "geodb", "build", "--type", "asn", "-o", adb, "--bogus", csv_a)
    check("geodb build: unknown option", r.returncode == 1 and
          r.stderr == b"datatrail geodb: unknown or incomplete option --bogus\n", r.stderr.decode())
    dbs = ["--country-db", cdb, "--asn-db", adb]
    r = run(dt, "lookup", *dbs, "1.0.0.1", "--json", "::1")
    lines = r.stdout.decode().split("\n")
    ok = r.returncode == 0 and len(lines) == 4 and lines[-1] == ""
    if ok:
        j = json.loads(r.stdout)
        ok = ([x["ip"] for x in j["results"]] == ["1.0.0.1", "::1"] and
              j["results"][0]["org"] == 'Cloud"flare\\' and j["results"][0]["country"] == "AU" and
              j["results"][1]["asn"] is None and len(j["databases"]) == 2 and
              lines[1].startswith('{"ip":"1.0.0.1"') and lines[1].endswith("},") and
              lines[2].startswith('{"ip":"::1"'))
    check("lookup --json: options anywhere, one result per line", ok, r.stdout.decode()[:300])
    r = run(dt, "lookup", *dbs, "1.0.0.1")
    check("lookup as text", r.returncode == 0 and
          r.stdout == b'1.0.0.1  AU Australia  AS13335 Cloud"flare\\  public\n', r.stdout.decode())
    r = run(dt, "lookup", *dbs, "--", "1.0.0.1")
    check("lookup: -- ends the options", r.returncode == 0 and
          r.stdout.startswith(b"1.0.0.1  AU Australia"), r.stderr.decode())
    r = run(dt, "lookup", *dbs, "1.0.0.1", "--country-db")
    check("lookup: option without its value", r.returncode == 1 and
          r.stderr == b"datatrail lookup: unknown or incomplete option --country-db\n", r.stderr.decode())
    r = run(dt, "lookup", *dbs, "garbage")
    check("lookup: not an address", r.returncode == 1 and
          r.stderr == b"datatrail lookup: not an IP address: garbage\n", r.stderr.decode())
    rp = os.path.join(pf, files[1])
    r = run(dt, "merge", rp, "-f", "csv")
    check("merge: options after the reports", r.returncode == 0 and r.stdout.startswith(b"ip,"),
          r.stderr.decode())
    r = run(dt, "merge", "--bogus", rp)
    check("merge: unknown option", r.returncode == 1 and r.stderr.startswith(
        b"datatrail merge: unknown or incomplete option '--bogus'\n\nUsage: datatrail merge"))
    r = run(dt, "merge", "-f", "csv", "--", rp)
    check("merge: -- ends the options", r.returncode == 0 and r.stdout.startswith(b"ip,"),
          r.stdout.decode()[:100] + r.stderr.decode())
    r = run(dt, "report", "-q", "--no-geo", "--per-file", "/proc", "-f", "json", os.path.join(ind, "b.pcap"))
    check("--per-file not writable: exit 3, said on stderr", r.returncode == 3 and
          b"datatrail: /proc/0001-b.pcap.json.tmp: cannot write: " in r.stderr, r.stderr.decode())

    coverage_script(dt, work, ind)
    true_bytes(dt, work)

    # Help and version match the code.
    h = run(dt, "help", "report").stdout.decode()
    check("help report lists the options", all(o in h for o in ("--jobs", "--per-file", "--format", "--local",
                                                                  "--no-geo", "--entities")))
    check("--version", run(dt, "--version").stdout.startswith(b"datatrail "))

    return finish()


if __name__ == "__main__":
    sys.exit(main())
