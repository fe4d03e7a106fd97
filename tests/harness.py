"""What the command-line tests (cli, safety, devices, recipients) share: their
options, the check lines and the final tally."""
import argparse
import json
import os
import shutil
import subprocess
import tempfile

results = []


def check(name, cond, detail=""):
    """One named check: 'ok   NAME', or 'FAIL NAME: detail'."""
    ok = bool(cond)
    results.append(ok)
    print(("ok   " if ok else "FAIL ") + name + ("" if ok or not detail else ": " + str(detail)))


def options(name):
    """--datatrail PATH [--work DIR]: the binary (absolute) and an emptied work directory."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--datatrail", required=True)
    ap.add_argument("--work")
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix=f"dt-{name}-")
    shutil.rmtree(work, ignore_errors=True)
    return os.path.abspath(a.datatrail), work


def car_setup(dt, work, countries, asns):
    """Geo databases built for a test in WORK/geo (`datatrail geodb build` of the CSV lines
    `countries`: start,end,CC and `asns`: start,end,ASN,org) and WORK/entities.json with two
    car makers (Test Motors: test-motors.net, Other Motors: other-motors.net).
    Returns (geo directory, entities file)."""
    geo = os.path.join(work, "geo")
    os.makedirs(geo)
    built = []
    for kind, lines in (("country", countries), ("asn", asns)):
        src = os.path.join(work, kind + ".csv")
        with open(src, "w") as f:
            f.write("".join(line + "\n" for line in lines))
        built.append(subprocess.run([dt, "geodb", "build", "--type", kind, "-o",
                                     os.path.join(geo, kind + ".mmdb"), src], capture_output=True))
    check("geodb build of the test databases", all(r.returncode == 0 for r in built),
          b"".join(r.stderr for r in built).decode())
    ents = os.path.join(work, "entities.json")
    with open(ents, "w") as f:
        json.dump({"entities": [
            {"name": "Test Motors", "category": "car_maker", "country": "DE",
             "domains": ["test-motors.net"]},
            {"name": "Other Motors", "category": "car_maker", "country": "CH",
             "domains": ["other-motors.net"]}]}, f)
    return geo, ents


def write_capture(path, sessions, t0, starts=None, pcapng=False):
    """The packets of pcapgen TcpSessions, one after the other 1 ms apart from t0 (ns), as
    Ethernet frames in a pcap (or pcapng) file; starts: each session's first packet at
    t0 + starts[i] ns instead (sessions in time order)."""
    import pcapgen as g
    recs, t = [], t0
    for i, s in enumerate(sessions):
        if starts:
            t = t0 + starts[i]
        for _, p in s.ip_packets():
            recs.append(g.Rec(t, g.eth_for(p)))
            t += 1000000
    with open(path, "wb") as f:
        f.write(g.write_pcapng(recs) if pcapng else g.write_pcap(recs))


def finish():
    """Prints the tally; the exit status (1 when a check failed)."""
    failed = results.count(False)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0
