#!/usr/bin/env python3
"""Output safety (issue 13): datatrail never destroys a file and never hides a
problem.  An output that is an input is refused, a run that reads nothing
writes nothing, a signal leaves no temporary file, files get the umask's mode,
options go anywhere before `--`, and write errors on stdout are errors.

usage: tests/safety_test.py --datatrail PATH [--work DIR]
"""
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SAMPLE = os.path.join(ROOT, "testdata", "sample.pcapng")
sys.path.insert(0, HERE)
from harness import check, finish, options  # noqa: E402


def run(dt, *args, stdin=None, umask=None):
    """stdin: None, or an open file the command reads."""
    pre = (lambda: os.umask(umask)) if umask is not None else None
    return subprocess.run([dt] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          stdin=stdin, preexec_fn=pre, timeout=120)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def restore(path, data):
    """Puts a capture back after a run that (wrongly) replaced it."""
    if read(path) != data:
        os.unlink(path)
        with open(path, "wb") as f:
            f.write(data)


def temporaries(*dirs):
    return [f for d in dirs for f in os.listdir(d) if ".tmp" in f]


def main():
    dt, work = options("safety")
    os.makedirs(work)
    q = ["-q", "--no-geo", "-f", "json"]
    cap = os.path.join(work, "same.pcapng")
    shutil.copy(SAMPLE, cap)
    orig = read(cap)

    # 1. -o or a --per-file target that is an input: refused, exit 1, the input untouched.
    r = run(dt, "report", *q, "-o", cap, cap)
    check("1: -o onto the input: exit 1, named, input untouched", r.returncode == 1 and
          read(cap) == orig and b"same.pcapng" in r.stderr and not temporaries(work),
          (r.returncode, r.stderr))
    restore(cap, orig)
    link = os.path.join(work, "link.pcapng")
    os.symlink(cap, link)
    r = run(dt, "report", *q, "-o", link, cap)
    check("1: -o onto a symlink to the input: refused", r.returncode == 1 and read(cap) == orig,
          (r.returncode, r.stderr))
    restore(cap, orig)
    hard = os.path.join(work, "hard.pcapng")
    os.link(cap, hard)
    r = run(dt, "report", *q, "-o", cap, hard)
    check("1: -o onto a hard link of the input: refused", r.returncode == 1 and read(cap) == orig,
          (r.returncode, r.stderr))
    restore(cap, orig)
    with open(cap, "rb") as f:
        r = run(dt, "report", *q, "-o", cap, "-", stdin=f)
    check("1: -o onto the file stdin reads: refused", r.returncode == 1 and read(cap) == orig,
          (r.returncode, r.stderr))
    restore(cap, orig)
    indir = os.path.join(work, "dir")
    os.makedirs(indir)
    shutil.copy(SAMPLE, os.path.join(indir, "d.pcapng"))
    d_orig = read(os.path.join(indir, "d.pcapng"))
    r = run(dt, "report", *q, "-o", os.path.join(indir, "d.pcapng"), indir)
    check("1: -o onto a capture found in a directory input: refused", r.returncode == 1 and
          read(os.path.join(indir, "d.pcapng")) == d_orig, (r.returncode, r.stderr))
    pf = os.path.join(work, "pf")
    os.makedirs(pf)
    target = os.path.join(pf, "0001-x.pcapng.json")
    shutil.copy(SAMPLE, target)
    alias = os.path.join(work, "x.pcapng")
    os.symlink(target, alias)
    r = run(dt, "report", *q, "--per-file", pf, alias)
    check("1: --per-file target that is the input: refused", r.returncode == 1 and
          read(target) == orig and b"--per-file" in r.stderr and not temporaries(pf),
          (r.returncode, r.stderr))
    csv = os.path.join(work, "ranges.csv")
    with open(csv, "w") as f:
        f.write("1.0.0.0,1.0.0.255,AU\n")
    r = run(dt, "geodb", "build", "--type", "country", "-o", csv, csv)
    check("1: geodb build -o onto its CSV: refused", r.returncode == 1 and
          read(csv) == b"1.0.0.0,1.0.0.255,AU\n", (r.returncode, r.stderr))
    r = run(dt, "merge", "-o", cap, cap)
    check("1: merge -o onto its input: refused", r.returncode == 1 and read(cap) == orig,
          (r.returncode, r.stderr))

    # 2. Nothing read (exit 2): nothing written, an existing -o file untouched.
    good = os.path.join(work, "good.json")
    r = run(dt, "report", *q, "-o", good, SAMPLE)
    before = read(good)
    missing = os.path.join(work, "missing.pcap")
    r = run(dt, "report", *q, "-o", good, missing)
    check("2: nothing read: exit 2, the existing -o file untouched", r.returncode == 2 and
          read(good) == before and not temporaries(work), (r.returncode, r.stderr))
    r = run(dt, "report", *q, missing)
    check("2: nothing read: nothing on stdout", r.returncode == 2 and r.stdout == b"" and
          b"missing.pcap" in r.stderr, (r.returncode, r.stdout[:80]))
    r = run(dt, "flows", "-q", "--no-geo", "-o", good, missing)
    check("2: flows, nothing read: the existing -o file untouched", r.returncode == 2 and
          read(good) == before, (r.returncode, r.stderr))
    notrep = os.path.join(work, "notreport.json")
    with open(notrep, "w") as f:
        f.write('{"a": 1}\n')
    r = run(dt, "merge", "-o", good, notrep, SAMPLE)
    check("2: merge of no report: exit 2, each named, -o untouched", r.returncode == 2 and
          read(good) == before and b"notreport.json" in r.stderr and b"sample.pcapng" in r.stderr,
          (r.returncode, r.stderr))
    r = run(dt, "merge", notrep)
    check("2: merge of no report: nothing on stdout", r.returncode == 2 and r.stdout == b"",
          r.stdout[:80])
    r = run(dt, "merge", good, notrep)
    check("2: merge of a report and a non-report: exit 3, the report merged",
          r.returncode == 3 and json.loads(r.stdout)["summary"]["inputs"] == 1 and
          b"notreport.json" in r.stderr, (r.returncode, r.stderr))

    # 3. A signal during a run: the temporaries are removed, exit 128 + signal.
    one = os.path.join(work, "one.pcapng")
    shutil.copy(SAMPLE, one)
    for sig, code in ((signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)):
        odir = os.path.join(work, f"sig{int(sig)}")
        pdir = os.path.join(odir, "pf")
        os.makedirs(pdir)
        out = os.path.join(odir, "out.json")
        p = subprocess.Popen([dt, "report", *q, "-j", "1", "--per-file", pdir, "-o", out, one, "-"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        p.stdin.write(orig[:4096])  # stdin stays open: the run waits for more
        p.stdin.flush()
        deadline = time.time() + 30
        while time.time() < deadline and not (temporaries(odir) and os.listdir(pdir)):
            time.sleep(0.05)
        started = bool(temporaries(odir))
        p.send_signal(sig)
        try:
            p.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
        p.stdin.close() if not p.stdin.closed else None
        check(f"3: {sig.name}: exit {code}, no temporary left", started and p.returncode == code
              and not temporaries(odir, pdir) and not os.path.exists(out),
              (started, p.returncode, temporaries(odir, pdir)))

    # 4. -o files get mode 0666 & ~umask, as shell redirection does.
    for um in (0o022, 0o002):
        out = os.path.join(work, f"mode{um:o}.json")
        r = run(dt, "report", *q, "-o", out, SAMPLE, umask=um)
        mode = stat.S_IMODE(os.stat(out).st_mode) if os.path.exists(out) else None
        check(f"4: -o with umask {um:03o}: mode {0o666 & ~um:o}", r.returncode == 0 and
              mode == 0o666 & ~um, oct(mode) if mode is not None else r.stderr)

    # 6. Directory inputs: walked by inode (loops skipped with a warning, every file read once),
    # suffixes matched case-insensitively, rotated names accepted, skipped files counted.
    walk = os.path.join(work, "walk")
    sub = os.path.join(walk, "sub")
    os.makedirs(sub)
    for name in ("a.pcapng", "CAR.PCAP", "x.PcapNG", "drive.pcap.1", "old.pcapng.2.gz"):
        shutil.copy(SAMPLE, os.path.join(walk, name)) if not name.endswith(".gz") else None
    import gzip
    with gzip.open(os.path.join(walk, "old.pcapng.2.gz"), "wb") as f:
        f.write(orig)
    for name in ("notes.txt", "drive.pcap.bak", "x.pcap.1a"):
        with open(os.path.join(walk, name), "w") as f:
            f.write("not a capture\n")
    shutil.copy(SAMPLE, os.path.join(sub, "b.pcap"))
    os.symlink("..", os.path.join(sub, "loop"))          # a loop back to walk/
    os.symlink("a.pcapng", os.path.join(walk, "alias.pcapng"))  # the same file again
    os.symlink(sub, os.path.join(walk, "sub-alias"))     # the same directory again
    r = run(dt, "report", *q, walk)
    paths = [os.path.basename(i["path"]) for i in json.loads(r.stdout)["inputs"]] \
        if r.returncode == 0 else []
    check("6: directory walk: every capture once, case-insensitive and rotated suffixes",
          r.returncode == 0 and sorted(paths) == sorted(
              ["a.pcapng", "CAR.PCAP", "x.PcapNG", "drive.pcap.1", "old.pcapng.2.gz", "b.pcap"]),
          (r.returncode, paths, r.stderr))
    err = r.stderr.decode()
    check("6: the loop is skipped with a warning naming it", "loop" in err and "warning" in err,
          err)
    check("6: files skipped per directory counted", f"{walk}: 3 files skipped" in err, err)
    r = run(dt, "report", *q, sub)
    check("6: a loop inside the directory does not fail the run", r.returncode == 0 and
          len(json.loads(r.stdout)["inputs"]) >= 1, (r.returncode, r.stderr))

    # 8. A relocatable install: cmake --install puts bin/, share/man/man1 and share/datatrail
    # under a prefix; the binary finds its data beside itself, from any directory, also after
    # the tree is moved; --geodb-dir that does not exist is an error; messages name scripts/setup.
    build = os.path.dirname(dt)
    prefix = os.path.join(work, "prefix")
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATATRAIL_DATA_DIR", "DATATRAIL_GEODB_DIR")}
    r = subprocess.run(["cmake", "--install", build, "--prefix", prefix], capture_output=True,
                       timeout=120)
    installed = [os.path.join(prefix, p) for p in ("bin/datatrail", "share/man/man1/datatrail.1",
                                                   "share/datatrail/entities.json",
                                                   "share/datatrail/countries.json")]
    check("8: cmake --install: binary, man page and data under the prefix", r.returncode == 0 and
          all(os.path.exists(p) for p in installed), (r.returncode, r.stderr[-300:]))
    geo = os.path.exists(os.path.join(ROOT, "data", "country.mmdb"))
    moved = os.path.join(work, "moved")
    for where in (prefix, moved):
        if where == moved and os.path.isdir(prefix):
            os.rename(prefix, moved)
        r = subprocess.run([os.path.join(where, "bin", "datatrail"), "report", "-q", "-f", "json",
                            SAMPLE], capture_output=True, cwd="/", env=env, timeout=120)
        rep = json.loads(r.stdout) if r.returncode == 0 else {}
        dbs = [d["path"] for d in rep.get("geo_databases", [])]
        check(f"8: the installed binary ({os.path.basename(where)}) run from / finds its data",
              r.returncode == 0 and (not geo or (dbs and all(
                  os.path.realpath(p).startswith(os.path.realpath(where)) for p in dbs) and
                  rep["summary"]["countries"] > 0)), (r.returncode, r.stderr[-300:], dbs))
    for args in (("report", "-q", "--geodb-dir", os.path.join(work, "nonexistent"), SAMPLE),
                 ("lookup", "--geodb-dir", cap, "8.8.8.8")):
        r = run(dt, *args)
        check(f"8: {args[0]} --geodb-dir that is not a directory: exit 1, named",
              r.returncode == 1 and args[-2].encode() in r.stderr and r.stdout == b"",
              (r.returncode, r.stderr))
    nogeo = os.path.join(work, "nogeo")
    os.makedirs(nogeo)
    for f in ("entities.json", "countries.json"):
        shutil.copy(os.path.join(ROOT, "data", f), nogeo)
    r = subprocess.run([dt, "report", "-q", "-f", "json", "--geodb-dir", nogeo, SAMPLE],
                       capture_output=True, env=dict(env, DATATRAIL_DATA_DIR=nogeo), timeout=120)
    warns = " ".join(w if isinstance(w, str) else json.dumps(w)
                     for w in json.loads(r.stdout)["warnings"]) if r.returncode == 0 else ""
    if not any(os.path.isdir(d) and os.listdir(d) for d in
               ("/usr/share/GeoIP", "/var/lib/GeoIP", "/usr/local/share/GeoIP")):
        check("8: no geo data: the warning names scripts/setup, as README does",
              "scripts/setup" in warns and "fetch-geodata" not in warns, (r.returncode, warns))

    # 9. --per-file + merge equals the one-run report: unreadable inputs included, and times
    # kept to the digit on extreme timestamps (2262 and 2554 in nanoseconds, microsecond and
    # nanosecond captures mixed).
    sys.path.insert(0, HERE)
    import pcapgen as g
    pkt = g.eth_for(g.udp_ip("10.0.0.1", "10.0.0.2", 1234, 53, g.dns_query(1, "a.example.com")))
    extreme = []
    for i, (t0, res) in enumerate(((2**63 + 12345, 9), (2**64 - 5 * 10**9, 6), (1, 9), (0, 6))):
        p = os.path.join(work, f"extreme{i}.pcapng")
        with open(p, "wb") as f:
            f.write(g.write_pcapng(g.timed([pkt] * 3, t0=t0, step_ns=997),
                                   ifaces=((g.LINKTYPE_ETHERNET, res),)))
        extreme.append(p)
    for group in ((SAMPLE, missing, extreme[0]), (extreme[0], extreme[1]), (extreme[2], extreme[3])):
        pfd = tempfile.mkdtemp(dir=work)
        one = os.path.join(pfd, "one.json")
        r = run(dt, "report", *q, "--per-file", pfd, "-o", one, *group)
        parts = sorted(os.path.join(pfd, f) for f in os.listdir(pfd) if f[:4].isdigit())
        m = run(dt, "merge", *parts)
        a = json.load(open(one)) if os.path.exists(one) else {}
        b = json.loads(m.stdout) if m.returncode == 0 else {}
        diff = [k for k in a if k != "options" and a.get(k) != b.get(k)]
        check(f"9: --per-file + merge == one run ({', '.join(os.path.basename(x) for x in group)})",
              r.returncode in (0, 3) and len(parts) == len(group) and a and not diff,
              (r.returncode, m.returncode, len(parts), diff))

    # 5. A capture of a link type datatrail does not decode: not a clean run. Exit 3, a
    # warning naming the link type in JSON, and a Data quality section in the text.
    ul = os.path.join(work, "linktype147.pcap")
    with open(ul, "wb") as f:
        f.write(g.write_pcap(g.timed([b"\x01\x02\x03\x04" * 10] * 3), linktype=147))
    r = run(dt, "report", "-q", "--no-geo", "-f", "json", ul)
    w = json.loads(r.stdout).get("warnings", []) if r.stdout else []
    check("5: unsupported link type: exit 3, said on stderr, a structured warning naming it",
          r.returncode == 3 and b"no packet decoded" in r.stderr and
          any(x["code"] == "unsupported_link_types" and x["count"] == 3 and
              "LINKTYPE_147 (3)" in x["message"] for x in w), (r.returncode, r.stderr, w))
    old = os.path.join(work, "old-geo")
    os.makedirs(old)
    with open(os.path.join(work, "old.csv"), "w") as f:
        f.write("8.8.8.0,8.8.8.255,US\n")
    subprocess.run([dt, "geodb", "build", "--type", "country", "-o",
                    os.path.join(old, "country.mmdb"), os.path.join(work, "old.csv")],
                   env=dict(os.environ, SOURCE_DATE_EPOCH="1577836800"), capture_output=True)
    r = run(dt, "report", "-q", "-f", "json", "--geodb-dir", old, SAMPLE)
    w = json.loads(r.stdout).get("warnings", []) if r.returncode == 0 else []
    check("5: geo data more than a year old: a warning (geo_outdated)",
          any(x["code"] == "geo_outdated" and "2020-01-01" in x["message"] for x in w), w)
    r = run(dt, "report", "-q", "--no-geo", "-f", "text", ul)
    check("5: the text report has a Data quality section saying so",
          "Data quality" in r.stdout.decode() and "LINKTYPE_147" in r.stdout.decode(),
          r.stdout.decode()[-500:])
    r = run(dt, "report", "-q", "--no-geo", "-f", "text", SAMPLE)
    check("5: without enrichment no claim that servers had no name",
          "without a name" not in r.stdout.decode(), r.stdout.decode()[-400:])
    r = run(dt, "report", "-q", "--no-geo", "-f", "text", missing, SAMPLE)
    check("5: an input that could not be read is in the Data quality section",
          "1 not at all" in r.stdout.decode(), r.stdout.decode()[-400:])

    # 12 and 13. The text report: honest without geo data, within the terminal's width, no
    # colours on TERM=dumb, durations in days, a plaintext table with a header, --top/--all,
    # and CSV cells a spreadsheet would run as formulas neutralised.
    def on_pty(cols, *args, term="xterm"):
        cmd = " ".join("'" + a.replace("'", "'\\''") + "'" for a in [dt, *args])
        r = subprocess.run(["script", "-qec", f"stty cols {cols}; TERM={term} {cmd}", "/dev/null"],
                           capture_output=True, timeout=120, env=dict(os.environ, NO_COLOR=""))
        return r.returncode, r.stdout.decode("utf-8", "replace").replace("\r", "")

    import re
    strip = lambda s: re.sub(r"\x1b\[[0-9;]*m", "", s)  # noqa: E731
    r = run(dt, "report", "-q", "--no-geo", "-f", "text", SAMPLE)
    head = r.stdout.decode()
    check("12: without geo data the EU/EEA share is unknown, not 0.0%",
          "Upload leaving the EU/EEA: unknown" in head and "EU/EEA: 0.0%" not in head, head[:400])
    if shutil.which("script"):
        for cols in (80, 50):
            rc, out = on_pty(cols, "report", "-q", SAMPLE)
            long = [ln for ln in strip(out).splitlines() if len(ln) > cols]
            check(f"12/13: on a {cols}-column terminal no line is longer", rc == 0 and not long
                  and "Devices" in out, long[:3])
        rc, out = on_pty(80, "report", "-q", SAMPLE)
        check("12: 'United States (US)' whole at 80 columns", "United States (US)" in out,
              out[:600])
        check("13: colours on a terminal", "\x1b[" in out, out[:100])
        rc, out = on_pty(80, "report", "-q", SAMPLE, term="dumb")
        check("13: TERM=dumb: no colours", rc == 0 and "\x1b[" not in out, out[:100])
    r = subprocess.run([dt, "report", "-q", "-f", "text", SAMPLE], capture_output=True,
                       env=dict(os.environ, COLUMNS="60"))
    long = [ln for ln in r.stdout.decode().splitlines() if len(ln) > 60]
    check("13: COLUMNS=60 (not a terminal): no line is longer", r.returncode == 0 and not long
          and "Countries" in r.stdout.decode(), long[:3])
    days = os.path.join(work, "days.pcap")
    pkt = g.eth_for(g.udp_ip("192.168.1.2", "8.8.8.8", 1234, 53, g.dns_query(1, "a.example.com")))
    with open(days, "wb") as f:
        f.write(g.write_pcap([g.Rec(g.T0_NS, pkt), g.Rec(g.T0_NS + (3 * 86400 + 5 * 3600) * 10**9,
                                                        pkt)]))
    r = run(dt, "report", "-q", "--no-geo", "-f", "text", days)
    check("13: a span over a day reads in days", "(3 d 05 h)" in r.stdout.decode(),
          r.stdout.decode()[:200])
    r = run(dt, "report", "-q", "--no-geo", "-f", "text", SAMPLE)
    plain = r.stdout.decode().split("Sent without encryption")[-1]
    check("13: the plaintext table has a header and plain counts", "Destination" in plain and
          " fl\n" not in plain and "Flows" in plain, plain)
    r = run(dt, "report", "-q", "-f", "text", "--top", "2", SAMPLE)
    t2 = r.stdout.decode()
    r = run(dt, "report", "-q", "-f", "text", "--all", SAMPLE)
    ta = r.stdout.decode()
    check("13: --top 2 cuts tables with a 'more' line, --all shows every row",
          "more domains (--top N, --all" in t2 and "more domains" not in ta and
          ta.count("\n") > t2.count("\n"), (t2.count("\n"), ta.count("\n")))
    heads = {"devices": "device,mac,vendor", "countries": "code,name,transfer",
             "companies": "name,identified,evidence", "hosting": "name,category,asns",
             "organizations": "asn,org", "domains": "domain,names,recipient",
             "plaintext": "destination,port,app", "endpoints": "ip,names,ports"}
    ok = []
    for name, head in heads.items():
        r = run(dt, "report", "-q", "-f", "csv", "--table", name, SAMPLE)
        ok.append(r.returncode == 0 and r.stdout.decode().startswith(head) and
                  r.stdout.count(b"\r\n") >= 2)
    check("13: --table NAME: a CSV of every table", all(ok), ok)
    ptd = os.path.join(work, "per-table")
    os.makedirs(ptd)
    r = run(dt, "merge", "-f", "csv", "--table", "countries", "--per-table", ptd, good)
    check("13: merge --table and --per-table DIR: one CSV per table",
          r.returncode == 0 and r.stdout.startswith(b"code,name,transfer") and
          sorted(os.listdir(ptd)) == sorted(f"{n}.csv" for n in heads), (r.stderr, os.listdir(ptd)))
    r = run(dt, "report", "-q", "-f", "csv", "--table", "bogus", SAMPLE)
    check("13: --table with an unknown name: exit 1, the names listed", r.returncode == 1 and
          b"devices" in r.stderr, r.stderr)
    evil = os.path.join(work, "formula.pcap")
    s = g.TcpSession("192.168.1.2", "203.0.113.9", 40000, 80)
    s.handshake()
    s.send("c2s", g.http_request("=cmd|'/C calc'!A1"))
    s.close()
    with open(evil, "wb") as f:
        f.write(g.write_pcap(g.timed([g.eth_for(p) for _, p in s.ip_packets()])))
    r = run(dt, "report", "-q", "--no-geo", "-f", "csv", evil)
    rows = r.stdout.decode().splitlines()
    check("13: CSV: a cell starting with = is neutralised with a leading quote",
          len(rows) == 2 and ",'=cmd|'/c calc'!a1," in rows[1], rows)

    # 7. Options anywhere before `--`, for every command; `-` stays an operand.
    out = os.path.join(work, "after.json")
    r = run(dt, "report", SAMPLE, "-o", out, "-q", "--no-geo")
    check("7: report INPUT -o FILE: options after the input", r.returncode == 0 and
          os.path.exists(out) and json.load(open(out))["summary"]["inputs"] == 1,
          (r.returncode, r.stderr))
    r = run(dt, "flows", SAMPLE, "--no-geo", "-q", "-f", "csv")
    check("7: flows INPUT -f csv", r.returncode == 0 and r.stdout[:1] not in (b"", b"{"),
          (r.returncode, r.stderr, r.stdout[:60]))
    with open(SAMPLE, "rb") as f:
        r = run(dt, "report", "-", "-q", "--no-geo", "-f", "json", stdin=f)
    check("7: - (stdin) is an operand among options", r.returncode == 0 and
          json.loads(r.stdout)["inputs"][0]["path"] == "-", (r.returncode, r.stderr))
    dash = os.path.join(work, "-h")
    shutil.copy(SAMPLE, dash)
    r = subprocess.run([dt, "report", "-q", "--no-geo", "-f", "json", "--", "-h"], cwd=work,
                       capture_output=True, timeout=120)
    check("7: after --, -h is a file name", r.returncode == 0 and r.stdout.startswith(b"{") and
          json.loads(r.stdout)["inputs"][0]["path"] == "-h", (r.returncode, r.stdout[:60]))
    r = run(dt, "merge", good, "-f", "csv")
    check("7: merge REPORT -f csv", r.returncode == 0 and r.stdout.startswith(b"ip,"),
          (r.returncode, r.stderr))
    r = run(dt, "merge", good, "-o", os.path.join(work, "merged.json"))
    check("7: merge REPORT -o FILE", r.returncode == 0 and
          json.load(open(os.path.join(work, "merged.json")))["summary"]["inputs"] == 1,
          (r.returncode, r.stderr))
    r = run(dt, "lookup", "--", "127.0.0.1")
    check("7: lookup -- IP: -- ends the options", r.returncode == 0 and
          r.stdout.startswith(b"127.0.0.1"), (r.returncode, r.stderr))

    # 11. lookup: each address looked up, each bad one named; write errors on stdout fail.
    r = run(dt, "lookup", "127.0.0.1", "garbage", "::1")
    check("11: lookup IP garbage IP: the addresses printed, garbage named, exit 3",
          r.returncode == 3 and r.stdout.startswith(b"127.0.0.1") and b"\n::1" in r.stdout and
          r.stderr.count(b"not an IP address: garbage") == 1, (r.returncode, r.stdout, r.stderr))
    r = run(dt, "lookup", "--json", "127.0.0.1", "garbage")
    ok = r.returncode == 3
    if ok:
        ok = [x["ip"] for x in json.loads(r.stdout)["results"]] == ["127.0.0.1"]
    check("11: lookup --json IP garbage: the address's result", ok, (r.returncode, r.stdout))
    r = run(dt, "lookup", "garbage", "junk")
    check("11: lookup with no address: exit 1, each named", r.returncode == 1 and
          b"garbage" in r.stderr and b"junk" in r.stderr, (r.returncode, r.stderr))
    full = [("lookup", "127.0.0.1"), ("report", *q, SAMPLE), ("flows", "-q", "--no-geo", SAMPLE),
            ("merge", good), ("help",), ("help", "report"), ("--version",), ("lookup", "--help")]
    if os.path.exists("/dev/full"):
        for args in full:
            with open("/dev/full", "wb") as devfull:
                r = subprocess.run([dt, *args], stdout=devfull, stderr=subprocess.PIPE, timeout=120)
            check(f"11: {args[0]} {args[-1] if len(args) > 1 else ''} >/dev/full: an error",
                  r.returncode != 0 and b"datatrail" in r.stderr and r.returncode != 1,
                  (r.returncode, r.stderr))

    # 14. scripts/fetch-geodata --help: its usage, exit 0, nothing downloaded.
    # npm, curl and wget are stubs that fail: a broken --help cannot download anything.
    data = os.path.join(work, "geodata")
    stubs = os.path.join(work, "stubs")
    os.makedirs(data)
    os.makedirs(stubs)
    for tool in ("npm", "curl", "wget"):
        with open(os.path.join(stubs, tool), "w") as f:
            f.write(f"#!/bin/sh\necho called >> {stubs}/called\nexit 1\n")
        os.chmod(os.path.join(stubs, tool), 0o755)
    env = dict(os.environ, DATA_DIR=data, PATH=stubs + os.pathsep + os.environ.get("PATH", ""))
    for h in ("--help", "-h"):
        r = subprocess.run([os.path.join(ROOT, "scripts", "fetch-geodata"), h], capture_output=True,
                           env=env, timeout=60)
        check(f"14: fetch-geodata {h}: usage, exit 0, nothing fetched", r.returncode == 0 and
              b"usage: scripts/fetch-geodata" in r.stdout and os.listdir(data) == [] and
              not os.path.exists(os.path.join(stubs, "called")),
              (r.returncode, r.stdout[:200], r.stderr[:200], os.listdir(data)))

    # 10. One message format: "datatrail: FILE: what happened (at byte N)", the name once,
    # control characters in file names escaped.
    rnd = os.path.join(work, "random.pcap")
    with open(rnd, "wb") as f:
        f.write(bytes(range(7, 207)))
    r = run(dt, "report", *q, rnd)
    check("10: not a capture: the file name once", r.returncode == 2 and
          r.stderr == f"datatrail: {rnd}: not a pcap or pcapng file (magic 0x0708090a)\n".encode(),
          r.stderr)
    r = run(dt, "report", *q, missing)
    check("10: missing file: the file name once", r.stderr ==
          f"datatrail: {missing}: cannot open: No such file or directory\n".encode(), r.stderr)
    empty = os.path.join(work, "empty.pcap")
    open(empty, "wb").close()
    r = run(dt, "report", *q, empty)
    check("10: empty file: the file name once", r.stderr ==
          f"datatrail: {empty}: empty file\n".encode(), r.stderr)
    gz = os.path.join(work, "bad.pcap.gz")
    with open(gz, "wb") as f:
        f.write(b"\x1f\x8b\x08\x00" + bytes(60))
    r = run(dt, "report", *q, gz)
    check("10: broken gzip: no <fd:N>, the name once", r.returncode == 2 and b"<fd:" not in r.stderr
          and r.stderr.count(gz.encode()) == 1, r.stderr)
    trunc = os.path.join(work, "trunc.pcapng")
    with open(trunc, "wb") as f:
        f.write(orig[:len(orig) - 10])
    r = run(dt, "report", *q, trunc)
    lines = r.stderr.decode().splitlines()
    check("10: truncated capture: 'FILE: packet N: what (at byte B; ...)'", r.returncode == 3 and
          len(lines) == 1 and lines[0].startswith(f"datatrail: {trunc}: packet ") and
          "(at byte " in lines[0] and lines[0].count(trunc) == 1, lines)
    rep = json.loads(r.stdout)
    e = rep["inputs"][0]["errors"][0]
    check("10: the report's error message ends with the byte offset of its offset field",
          e["message"].endswith(f"(at byte {e['offset']})"), e)
    hdr = os.path.join(work, "badidb.pcapng")
    shb_len = int.from_bytes(orig[4:8], "little")
    with open(hdr, "wb") as f:  # the interface description block's length field says 7
        f.write(orig[:shb_len + 4] + (7).to_bytes(4, "little") + orig[shb_len + 8:])
    r = run(dt, "report", *q, hdr)
    check("10: a broken pcapng header block is named as such, not 'packet 1'",
          b": interface description block: " in r.stderr and b"packet 1" not in r.stderr, r.stderr)
    ctl = os.path.join(work, "evil\x1b[2Jname\n.pcap")
    r = run(dt, "report", *q, ctl)
    check("10: control characters in a file name escaped", r.returncode == 2 and
          b"\x1b" not in r.stderr and b"evil\\x1b[2Jname\\x0a.pcap" in r.stderr and
          r.stderr.count(b"\n") == 1, r.stderr)

    return finish()


if __name__ == "__main__":
    sys.exit(main())
