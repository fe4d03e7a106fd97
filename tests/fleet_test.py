#!/usr/bin/env python3
"""A fleet of sessions (issue 17) on crafted captures with geo databases built
for the test:

  * --policy (report, merge): violations[] with exact rows for every rule
    kind, the text report's section at the top, exit status 4 (0 when the
    policy holds), the same violations for -j 1 / -j 2 and for a merge of
    per-file reports, no "violations" key without --policy, and bad policy
    files: exit status 1, a message naming the file and the key, nothing
    written;
  * --window 1h|1d: windows[] exactly, the text section, -j and merge alike;
  * diff: exact text and JSON rows (new, gone, changed, beacon rhythm),
    --min-change, exit status 5/0, a warning for other geo databases, bad input;
  * compare: exact text (80 columns, --label), folding, JSON cells, CSV,
    --by device, bad input;
  * the README's fleet recipes run as written (GNU parallel on this machine,
    sqlite3, the Kubernetes manifest parsed and its script run per index; the
    Slurm block only syntax-checked);
  * merge is associative and order-independent on the shared corpus: per-file
    reports merged in random groupings and orders give the bytes of one run
    (skipped, saying so, without ../shared/corpus).

usage: tests/fleet_test.py --datatrail PATH [--work DIR]
"""
import json
import os
import random
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import pcapgen as g  # noqa: E402
from harness import car_setup, check, finish, options, write_capture  # noqa: E402

CLIENT = "192.168.1.20"
US = "52.1.1.10"  # US, AS16509 (Amazon)
CN = "1.12.36.7"  # CN, AS45090
DE = "5.5.5.5"  # DE, AS64501
CH = "8.8.4.4"  # CH, AS64502
HOUR = 3600 * 10**9


def run(dt, *args):
    return subprocess.run([dt] + list(args), capture_output=True)


def tls_flow(srv, cport, sni, up):
    s = g.TcpSession(CLIENT, srv, cport, 443)
    s.handshake()
    s.send("c2s", g.tls_client_hello(sni, ("http/1.1",)))
    s.send("s2c", g.tls_server_hello())
    s.send("c2s", g.tls_app_data(up))
    s.send("s2c", g.tls_app_data(500))
    s.close()
    return s


def http_flow(srv, cport, host):
    s = g.TcpSession(CLIENT, srv, cport, 80)
    s.handshake()
    s.send("c2s", g.http_request(host, "/collect", method="POST", body=b"x" * 300))
    s.send("s2c", g.http_response())
    s.close()
    return s


def setup(dt, work):
    """Test geo databases and entities; two captures two hours apart."""
    geo, ents = car_setup(dt, work, ["52.1.1.0,52.1.1.255,US", "1.12.36.0,1.12.36.255,CN",
                                     "5.5.5.0,5.5.5.255,DE", "8.8.4.0,8.8.4.255,CH"],
                          ['52.1.1.0,52.1.1.255,16509,"Amazon.com, Inc."',
                           "1.12.36.0,1.12.36.255,45090,Shenzhen Tencent Computer Systems",
                           "5.5.5.0,5.5.5.255,64501,Test Hosting GmbH",
                           "8.8.4.0,8.8.4.255,64502,Test ISP AG"])
    os.makedirs(os.path.join(work, "in"))
    in1, in2 = os.path.join(work, "in", "1.pcap"), os.path.join(work, "in", "2.pcap")
    write_capture(in1, [tls_flow(US, 50001, "api.test-motors.net", 4000),
                        tls_flow(CN, 50002, "android.bugly.qq.com", 1000),
                        http_flow(DE, 50003, "tracker.ads-test.net")], g.T0_NS)
    write_capture(in2, [tls_flow(US, 50004, "api.test-motors.net", 4000),
                        tls_flow(US, 50005, "api.test-motors.net", 100),
                        tls_flow(CH, 50006, "api.other-motors.net", 200)], g.T0_NS + 2 * HOUR)
    return ["-q", "--geodb-dir", geo, "--entities", ents], [in1, in2]


POLICY = {"description": "every kind of rule",
          "deny_countries": ["cn"],
          "allow_transfer": ["eea", "adequate", "adequate_partial"],
          "allow_recipients": ["test motors"],
          "deny_domains": ["*.ads-test.net"],
          "plaintext": False,
          "max_bytes_per_hour": 4000}


def expected_violations(rep):
    """The rows the policy above must give, from the flows of the report (by port)."""
    ids = {f["client"]["port"]: i for i, f in enumerate(rep["flows"])}
    flows = {f["client"]["port"]: f for f in rep["flows"]}

    def row(rule, ports, recipient=None, domain=None, country=None, transfer=None, hours=None):
        fs = sorted(ids[p] for p in ports)
        up = sum(flows[p]["client"]["bytes"] for p in ports)
        r = {"rule": rule, "recipient": recipient, "domain": domain, "country": country,
             "transfer": transfer, "bytes": up, "flows": len(ports),
             "first_seen": min(flows[p]["first_seen"] for p in ports),
             "last_seen": max(flows[p]["last_seen"] for p in ports),
             "example_flows": fs[:3], "hours": None, "max_hour_bytes": None}
        if hours:
            r["hours"] = len(hours)
            r["max_hour_bytes"] = max(sum(flows[p]["client"]["bytes"] for p in h) for h in hours)
        return r

    recipients = [row("allow_recipients", [50002], recipient="Tencent Bugly"),
                  row("allow_recipients", [50003], recipient="ads-test.net"),
                  row("allow_recipients", [50006], recipient="Other Motors")]
    recipients.sort(key=lambda r: -r["bytes"])
    return ([row("deny_countries", [50002], country="CN"),
             row("allow_transfer", [50002], country="CN", transfer="third_country")] +
            recipients +
            [row("deny_domains", [50003], domain="tracker.ads-test.net"),
             row("plaintext", [50003], recipient="ads-test.net", domain="tracker.ads-test.net"),
             row("max_bytes_per_hour", [50001, 50004, 50005], recipient="Test Motors",
                 hours=[[50001], [50004, 50005]])])


def test_policy(dt, work, opts, inputs):
    pol = os.path.join(work, "policy.json")
    with open(pol, "w") as f:
        json.dump(POLICY, f)
    r = run(dt, "report", *opts, "-f", "json", "--policy", pol, *inputs)
    check("report --policy: exit status 4 when violated", r.returncode == 4, r.stderr.decode())
    rep = json.loads(r.stdout)
    want = expected_violations(rep)
    check("violations: exactly the expected rows, in order", rep.get("violations") == want,
          json.dumps(rep.get("violations"), indent=1)[:3000])
    check("violations: the sample sanity (6 flows, 8 rows)",
          len(rep["flows"]) == 6 and len(rep["violations"]) == 8)
    check("violations sit between vendor and summary",
          list(rep).index("violations") == list(rep).index("vendor") + 1 and
          list(rep).index("summary") == list(rep).index("violations") + 1, list(rep))

    r1 = run(dt, "report", *opts, "-j", "1", "-f", "json", "--policy", pol, *inputs)
    r2 = run(dt, "report", *opts, "-j", "2", "-f", "json", "--policy", pol, *inputs)
    check("--policy: -j 1 and -j 2 give the same bytes", r1.stdout == r2.stdout == r.stdout)

    # merge of per-file reports, with the policy given to merge
    per = os.path.join(work, "per")
    os.makedirs(per)
    r = run(dt, "report", *opts, "--per-file", per, "-o", os.path.join(work, "all.json"), *inputs)
    check("per-file reports without --policy", r.returncode == 0, r.stderr.decode())
    files = sorted(os.path.join(per, n) for n in os.listdir(per))
    with open(files[0]) as f:
        check("no --policy: no violations key", "violations" not in json.load(f))
    m = run(dt, "merge", "-f", "json", "--policy", pol, *files)
    one = run(dt, "report", *opts, "-f", "json", "--policy", pol, *inputs)
    check("merge --policy of per-file reports = one run with --policy (bytes), exit 4",
          m.returncode == 4 and m.stdout == one.stdout, m.stderr.decode())
    m2 = run(dt, "merge", "-f", "json", os.path.join(work, "all.json"))
    check("merge without --policy: no violations key, exit 0",
          m2.returncode == 0 and "violations" not in json.loads(m2.stdout))

    # text: the section at the top, before the tables
    t = run(dt, "report", *opts, "-f", "text", "--policy", pol, *inputs)
    text = t.stdout.decode()
    check("text: exit status 4", t.returncode == 4)
    check("text: Policy violations before the first table",
          "\nPolicy violations (" + pol + ")\n" in text and
          text.index("Policy violations") < text.index("Devices"), text[:1500])
    check("text: a violation's two lines",
          "  ! deny_countries: CN\n" in text and
          "  ! plaintext: ads-test.net / tracker.ads-test.net\n" in text and
          "  ! max_bytes_per_hour: Test Motors\n" in text and
          "2 h over" in text, text[:2500])

    # an input read with errors and a violation: 4 wins over 3, the errors still in the report
    cut = os.path.join(work, "cut.pcap")
    with open(inputs[0], "rb") as f, open(cut, "wb") as g_:
        g_.write(f.read()[:-7])
    r = run(dt, "report", *opts, "-f", "json", "--policy", pol, cut)
    check("--policy with an input read in part: exit 4, inputs[].errors kept",
          r.returncode == 4 and json.loads(r.stdout)["inputs"][0]["errors"] and
          json.loads(r.stdout)["violations"], r.stderr.decode())

    # a policy that holds: exit 0, an empty array, "none" in the text
    ok = os.path.join(work, "ok.json")
    with open(ok, "w") as f:
        json.dump({"deny_countries": ["RU"], "deny_transfer": ["unknown"]}, f)
    r = run(dt, "report", *opts, "-f", "json", "--policy", ok, *inputs)
    check("a policy that holds: exit 0, violations []",
          r.returncode == 0 and json.loads(r.stdout)["violations"] == [], r.stderr.decode())
    r = run(dt, "report", *opts, "-f", "text", "--policy", ok, *inputs)
    check("text: none", "none: every flow keeps the policy" in r.stdout.decode())
    # the example policies of docs/policies are valid
    for name in sorted(os.listdir(os.path.join(ROOT, "docs", "policies"))):
        p = os.path.join(ROOT, "docs", "policies", name)
        r = run(dt, "report", *opts, "-f", "json", "--policy", p, *inputs)
        check(f"docs/policies/{name} is a valid policy", r.returncode in (0, 4), r.stderr.decode())
    r = run(dt, "report", *opts, "-f", "json", "--policy",
            os.path.join(ROOT, "docs", "policies", "eu-eea-only.json"), *inputs)
    rules = sorted({(v["country"], v["transfer"]) for v in json.loads(r.stdout)["violations"]})
    check("eu-eea-only: the US, CN and CH flows", rules == [("CH", "adequate"),
                                                          ("CN", "third_country"),
                                                          ("US", "adequate_partial")], rules)

    # bad policies: exit 1, the file and the key named, nothing written
    bad = [({"deny_country": ["CN"]}, "unknown key \"deny_country\""),
           ({"deny_countries": "CN"}, "\"deny_countries\" must be an array of strings"),
           ({"deny_countries": ["China"]}, "\"China\" is not a two-letter country code"),
           ({"allow_transfer": ["eu"]}, "\"eu\" is not a transfer class"),
           ({"plaintext": "no"}, "\"plaintext\" must be true or false"),
           ({"max_bytes_per_hour": -1}, "\"max_bytes_per_hour\" must be a whole number"),
           ({"max_bytes_per_hour": 1.5}, "\"max_bytes_per_hour\" must be a whole number"),
           ({"deny_domains": [""]}, "\"deny_domains\": \"\" is empty"),
           (["CN"], "a policy is a JSON object")]
    out = os.path.join(work, "kept.json")
    for i, (doc, msg) in enumerate(bad):
        p = os.path.join(work, f"bad{i}.json")
        with open(p, "w") as f:
            json.dump(doc, f)
        with open(out, "w") as f:
            f.write("old")
        r = run(dt, "report", *opts, "--policy", p, "-o", out, *inputs)
        err = r.stderr.decode()
        with open(out) as f:
            kept = f.read() == "old"
        check(f"bad policy {json.dumps(doc)}: exit 1, names {p} and the key, nothing written",
              r.returncode == 1 and err.startswith(f"datatrail: {p}: ") and msg in err and kept,
              (r.returncode, err))
    p = os.path.join(work, "twice.json")
    with open(p, "w") as f:
        f.write('{"plaintext": false, "plaintext": true}')
    r = run(dt, "merge", "--policy", p, os.path.join(work, "all.json"))
    check("merge: a key given twice is an error (exit 1, nothing on stdout)",
          r.returncode == 1 and not r.stdout and "given twice" in r.stderr.decode(),
          r.stderr.decode())
    p = os.path.join(work, "syntax.json")
    with open(p, "w") as f:
        f.write('{"plaintext": fals}')
    r = run(dt, "report", *opts, "--policy", p, *inputs)
    check("not JSON: exit 1, file:line:column", r.returncode == 1 and not r.stdout and
          f"datatrail: {p}:1:" in r.stderr.decode(), r.stderr.decode())
    r = run(dt, "flows", *opts, "--policy", pol, *inputs)
    check("flows --policy: a usage error", r.returncode == 1 and not r.stdout)


def test_windows(dt, work, opts, inputs):
    r = run(dt, "report", *opts, "-f", "json", "--window", "1h", *inputs)
    rep = json.loads(r.stdout)
    flows = {f["client"]["port"]: f for f in rep["flows"]}

    def rec(name, ports):
        return {"name": name, "bytes_up": sum(flows[p]["client"]["bytes"] for p in ports),
                "flows": len(ports)}

    def window(start, end, recs):
        return {"start": start, "end": end, "bytes_up": sum(x["bytes_up"] for x in recs),
                "flows": sum(x["flows"] for x in recs),
                "recipients": sorted(recs, key=lambda x: (-x["bytes_up"], -x["flows"], x["name"]))}
    want = [window("2022-10-24T08:00:00.000000Z", "2022-10-24T09:00:00.000000Z",
                   [rec("Test Motors", [50001]), rec("Tencent Bugly", [50002]),
                    rec("ads-test.net", [50003])]),
            window("2022-10-24T10:00:00.000000Z", "2022-10-24T11:00:00.000000Z",
                   [rec("Test Motors", [50004, 50005]), rec("Other Motors", [50006])])]
    check("--window 1h: exit 0, windows[] exactly (per hour, per recipient)",
          r.returncode == 0 and rep.get("windows") == want, json.dumps(rep.get("windows")))
    check("--window: windows sit before summary",
          list(rep).index("summary") == list(rep).index("windows") + 1, list(rep))
    r = run(dt, "report", *opts, "-f", "json", "--window", "1d", *inputs)
    w = json.loads(r.stdout)["windows"]
    check("--window 1d: one window, the UTC day, all six flows",
          len(w) == 1 and w[0]["start"] == "2022-10-24T00:00:00.000000Z" and
          w[0]["end"] == "2022-10-25T00:00:00.000000Z" and w[0]["flows"] == 6 and
          w[0]["bytes_up"] == sum(x["bytes_up"] for x in want), w)
    r1 = run(dt, "report", *opts, "-j", "1", "-f", "json", "--window", "1h", *inputs)
    r2 = run(dt, "report", *opts, "-j", "2", "-f", "json", "--window", "1h", *inputs)
    per = sorted(os.path.join(work, "per", n) for n in os.listdir(os.path.join(work, "per")))
    m = run(dt, "merge", "-f", "json", "--window", "1h", *per)
    check("--window: -j 1, -j 2 and merge --window of per-file reports give the same bytes",
          r1.stdout == r2.stdout == m.stdout, m.stderr.decode())
    t = run(dt, "report", *opts, "-f", "text", "--window", "1h", *inputs).stdout.decode()
    a = t.split("Upload per window of 1 h (UTC)\n")[-1].split("\n")[:2]
    b = [f"  2022-10-24 08:00   6.9 kB     3  Test Motors 4.7 kB, Tencent Bugly 1.6 kB, "
         "ads-test.net 659 B",
         "  2022-10-24 10:00   6.2 kB     3  Test Motors 5.4 kB, Other Motors 796 B"]
    check("--window: the text section", "\nUpload per window of 1 h (UTC)\n" in t and a == b, a)
    check("no --window: no windows key", "windows" not in json.loads(
        run(dt, "report", *opts, "-f", "json", *inputs).stdout))
    for bad in ("0h", "2x", "367d", "-1h", "h"):
        r = run(dt, "report", *opts, "--window", bad, *inputs)
        check(f"--window {bad}: usage error, nothing written",
              r.returncode == 1 and not r.stdout and "--window needs a duration" in
              r.stderr.decode(), r.stderr.decode())
    r = run(dt, "flows", *opts, "--window", "1h", *inputs)
    check("flows --window: usage error", r.returncode == 1 and not r.stdout)


def diff_reports(dt, work, opts):
    """BASE: a beacon to the US every 60 s (3 connections), a CN flow, a plaintext DE flow;
    NEW: the beacon every 300 s, the CN flow with 10% more data, a CH flow, no DE flow."""
    d = os.path.join(work, "diff")
    os.makedirs(d)
    beacon = lambda port: tls_flow(US, port, "api.test-motors.net", 100)  # noqa: E731
    sec = 10**9
    write_capture(os.path.join(d, "base.pcap"),
                  [beacon(51001), tls_flow(CN, 51002, "android.bugly.qq.com", 1000),
                   http_flow(DE, 51003, "tracker.ads-test.net"), beacon(51004), beacon(51005)],
                  g.T0_NS, [0, sec, 2 * sec, 60 * sec, 120 * sec])
    write_capture(os.path.join(d, "new.pcap"),
                  [beacon(52001), tls_flow(CN, 52002, "android.bugly.qq.com", 1100),
                   tls_flow(CH, 52003, "api.other-motors.net", 200), beacon(52004),
                   beacon(52005)],
                  g.T0_NS + 24 * HOUR, [0, sec, 2 * sec, 300 * sec, 600 * sec])
    paths = []
    for name in ("base", "new"):
        p = os.path.join(d, name + ".json")
        r = run(dt, "report", *opts, "-o", p, os.path.join(d, name + ".pcap"))
        check(f"diff: the {name} report", r.returncode == 0, r.stderr.decode())
        paths.append(p)
    return d, paths


DIFF_TEXT = """datatrail diff: {base} -> {new}
  rows new, gone, or changed by more than 20% (upload or flows; beacons: interval)

Countries
  + CH                               new      796 B up, 1 flow
  - DE                               gone     659 B up, 1 flow (before)

Recipients
  + Other Motors                     new      796 B up, 1 flow
  - ads-test.net                     gone     659 B up, 1 flow (before)

Hosting networks
  + Test ISP AG                      new      796 B up, 1 flow
  - Test Hosting GmbH                gone     659 B up, 1 flow (before)

Domains
  + other-motors.net                 new      796 B up, 1 flow
  - ads-test.net                     gone     659 B up, 1 flow (before)

Transfer classes
  + adequate                         new      796 B up, 1 flow
  - eea                              gone     659 B up, 1 flow (before)

Beacon rhythms
  ~ 52.1.1.10 (api.test-motors.net)  changed  every 60 s -> 300 s (+400%), 3 -> 3 connections
"""


def test_diff(dt, work, opts):
    d, (base, new) = diff_reports(dt, work, opts)
    env = dict(os.environ, COLUMNS="100")
    r = subprocess.run([dt, "diff", "-f", "text", "base.json", "new.json"], capture_output=True,
                       env=env, cwd=d)
    check("diff -f text: exit 5 (changed)", r.returncode == 5, r.stderr.decode())
    want = DIFF_TEXT.format(base="base.json", new="new.json")
    check("diff -f text: the exact text", r.stdout.decode() == want, r.stdout.decode())
    r = run(dt, "diff", base, new)
    j = json.loads(r.stdout)
    check("diff json: header", j["base"] == base and j["new"] == new and j["min_change"] == 0.2
          and j["changed"] is True and j["warnings"] == [] and j["datatrail"]["schema"] == 2, j)
    check("diff json: a new row",
          j["countries"][0] == {"key": "CH", "change": "new", "base": None,
                                "new": {"bytes_up": 796, "flows": 1}, "bytes_up_change": None,
                                "flows_change": None}, j["countries"])
    check("diff json: a gone row",
          j["recipients"][1] == {"key": "ads-test.net", "change": "gone",
                                 "base": {"bytes_up": 659, "flows": 1}, "new": None,
                                 "bytes_up_change": None, "flows_change": None}, j["recipients"])
    check("diff json: the beacon, with its interval and change",
          j["beacons"] == [{"key": US, "name": "api.test-motors.net", "change": "changed",
                            "base": {"bytes_up": j["beacons"][0]["base"]["bytes_up"], "flows": 3,
                                     "connections": 3, "interval_median_s": 60},
                            "new": {"bytes_up": j["beacons"][0]["base"]["bytes_up"], "flows": 3,
                                    "connections": 3, "interval_median_s": 300},
                            "bytes_up_change": 0, "flows_change": 0, "interval_change": 4}],
          j["beacons"])
    cn = [x for x in j["countries"] if x["key"] == "CN"]
    check("diff: CN grew less than 20%: not listed", cn == [], cn)
    r = run(dt, "diff", "--min-change", "5%", base, new)
    cn = [x for x in json.loads(r.stdout)["countries"] if x["key"] == "CN"]
    check("diff --min-change 5%: CN listed as changed, with its relative change",
          len(cn) == 1 and cn[0]["change"] == "changed" and 0.05 < cn[0]["bytes_up_change"] < 0.1
          and cn[0]["flows_change"] == 0, cn)
    r = run(dt, "diff", "-f", "text", base, base)
    check("diff of a report with itself: exit 0, no change",
          r.returncode == 0 and r.stdout.decode().endswith("\nNo change beyond 20%.\n"),
          r.stdout.decode())
    r = run(dt, "diff", "--min-change", "500", base, new)
    j = json.loads(r.stdout)
    check("diff --min-change 500: only new and gone rows; the beacon (+400%) is not listed",
          r.returncode == 5 and j["beacons"] == [] and len(j["countries"]) == 2)

    # other geo databases: a warning naming both files and the difference
    with open(new) as f:
        other = json.load(f)
    for g_ in other["geo_databases"]:
        g_["build_date"] = "2020-01-01T00:00:00Z"
    other_p = os.path.join(d, "other-geo.json")
    with open(other_p, "w") as f:
        json.dump(other, f)
    r = run(dt, "diff", base, other_p)
    err = r.stderr.decode()
    check("diff: different geo databases: a warning on stderr naming both files and the dates",
          r.returncode == 5 and f"datatrail diff: warning: {base} and {other_p} were made with "
          "different geo databases (country database" in err and "2020-01-01" in err, err)
    check("diff: ... and in the output's warnings",
          len(json.loads(r.stdout)["warnings"]) == 1)
    r = run(dt, "merge", "-f", "json", base, other_p)
    check("merge: a report with other geo databases than the first: merged, with a warning",
          r.returncode == 0 and r.stderr.decode().startswith(
              f"datatrail merge: warning: {other_p}: made with other geo databases than the first "
              "report (country database") and len(json.loads(r.stdout)["inputs"]) == 2,
          r.stderr.decode())
    r = run(dt, "merge", "-f", "json", base, new)
    check("merge: the same geo databases: no warning", r.returncode == 0 and not r.stderr,
          r.stderr.decode())

    # bad input: exit 2, the file named, nothing written
    notrep = os.path.join(d, "not-a-report.json")
    with open(notrep, "w") as f:
        f.write("[1, 2]")
    newer = os.path.join(d, "newer.json")
    other["datatrail"]["schema"] = 3
    with open(newer, "w") as f:
        json.dump(other, f)
    noflows = os.path.join(d, "noflows.json")
    r = run(dt, "report", *opts, "--no-flows", "-o", noflows, os.path.join(d, "base.pcap"))
    out = os.path.join(d, "kept.json")
    for bad, msg in ((notrep, "not a datatrail report"),
                     (newer, "a report of schema version 3: this datatrail"),
                     (noflows, "made with --no-flows"),
                     (os.path.join(d, "missing.json"), "No such file")):
        with open(out, "w") as f:
            f.write("old")
        r = run(dt, "diff", "-o", out, base, bad)
        with open(out) as f:
            kept = f.read() == "old"
        err = r.stderr.decode()
        check(f"diff with {os.path.basename(bad)}: exit 2, names it, nothing written",
              r.returncode == 2 and err.startswith(f"datatrail diff: {bad}") and msg in err and kept,
              (r.returncode, err))
    r = run(dt, "merge", newer)
    check("merge of a newer schema version: refused, named",
          r.returncode == 2 and f"{newer}: a report of schema version 3" in r.stderr.decode(),
          r.stderr.decode())
    r = run(dt, "diff", base)
    check("diff with one report: usage error", r.returncode == 1)
    r = run(dt, "diff", "--min-change", "lots", base, new)
    check("diff --min-change lots: usage error", r.returncode == 1 and
          "--min-change needs a percentage" in r.stderr.decode())


COMPARE_TEXT = """datatrail compare: 3 reports; cells: upload/flows

Countries                                   car-1          car-2      base.pcap
  US                                     4.7 kB/1       5.4 kB/2       2.1 kB/3
  CN                                     1.6 kB/1              -       1.6 kB/1
  DE                                      659 B/1              -        659 B/1
  CH                                            -        796 B/1              -

Recipients                                  car-1          car-2      base.pcap
  Test Motors                            4.7 kB/1       5.4 kB/2       2.1 kB/3
  Tencent Bugly                          1.6 kB/1              -       1.6 kB/1
  ads-test.net                            659 B/1              -        659 B/1
  Other Motors                                  -        796 B/1              -

Hosting networks                            car-1          car-2      base.pcap
  Amazon Web Services                    4.7 kB/1       5.4 kB/2       2.1 kB/3
  Tencent                                1.6 kB/1              -       1.6 kB/1
  Test Hosting GmbH                       659 B/1              -        659 B/1
  Test ISP AG                                   -        796 B/1              -

Domains                                     car-1          car-2      base.pcap
  test-motors.net                        4.7 kB/1       5.4 kB/2       2.1 kB/3
  qq.com                                 1.6 kB/1              -       1.6 kB/1
  ads-test.net                            659 B/1              -        659 B/1
  other-motors.net                              -        796 B/1              -

Transfer classes                            car-1          car-2      base.pcap
  adequate_partial                       4.7 kB/1       5.4 kB/2       2.1 kB/3
  third_country                          1.6 kB/1              -       1.6 kB/1
  eea                                     659 B/1              -        659 B/1
  adequate                                      -        796 B/1              -

Total                                    6.9 kB/3       6.2 kB/3       4.3 kB/5
"""


def two_devices(path):
    """Two devices (Ethernet addresses) behind one router: the first to the US and CN, the
    second to CH and the US."""
    router = bytes.fromhex("020000000099")
    devs = [(bytes.fromhex("0200000000a1"), "192.168.1.21",
             [(US, "api.test-motors.net", 3000), (CN, "android.bugly.qq.com", 500)]),
            (bytes.fromhex("0200000000b2"), "192.168.1.22",
             [(CH, "api.other-motors.net", 700), (US, "api.test-motors.net", 100)])]
    recs, t, port = [], g.T0_NS, 53000
    for mac, ip, flows in devs:
        for srv, sni, up in flows:
            port += 1
            s = g.TcpSession(ip, srv, port, 443)
            s.handshake()
            s.send("c2s", g.tls_client_hello(sni, ("http/1.1",)))
            s.send("s2c", g.tls_server_hello())
            s.send("c2s", g.tls_app_data(up))
            s.close()
            for seg, p in s.ip_packets():
                src, dst = (mac, router) if seg.dir == "c2s" else (router, mac)
                recs.append(g.Rec(t, g.eth_for(p, src=src, dst=dst)))
                t += 1000000
    with open(path, "wb") as f:
        f.write(g.write_pcap(recs))


def test_compare(dt, work, opts):
    per = sorted(os.path.join(work, "per", n) for n in os.listdir(os.path.join(work, "per")))
    base = os.path.join(work, "diff", "base.json")
    reports = per + [base]
    env = dict(os.environ, COLUMNS="80")
    r = subprocess.run([dt, "compare", "-f", "text", "--label", "car-1", "--label", "car-2"] +
                       reports, capture_output=True, env=env)
    check("compare -f text: exit 0, the exact text (80 columns, --label)",
          r.returncode == 0 and r.stdout.decode() == COMPARE_TEXT, r.stdout.decode())
    env["COLUMNS"] = "50"
    r = subprocess.run([dt, "compare", "-f", "text", "--top", "1"] + reports, capture_output=True,
                       env=env)
    text = r.stdout.decode()
    check("compare -f text in 50 columns: folded into two blocks, --top 1",
          "\nColumns 1-2 of 3\n" in text and "\nColumns 3-3 of 3\n" in text and
          "  \u2026 3 more (--top N, --all; the JSON has all)\n" in text and
          max(len(line) for line in text.splitlines()) <= 50, text)
    r = run(dt, "compare", "-f", "json", *reports)
    j = json.loads(r.stdout)
    check("compare json: columns (labels from the inputs, the report, totals)",
          [c["label"] for c in j["columns"]] == ["1.pcap", "2.pcap", "base.pcap"] and
          j["columns"][2]["report"] == base and j["columns"][0]["device"] is None and
          j["by"] == "report" and j["warnings"] == [] and
          [c["flows"] for c in j["columns"]] == [3, 3, 5], j["columns"])
    with open(per[0]) as f:
        one = json.load(f)
    us = {"key": "US", "bytes_up": 4675 + 5370 + j["countries"][0]["cells"][2]["bytes_up"],
          "flows": 6, "cells": [{"bytes_up": 4675, "flows": 1}, {"bytes_up": 5370, "flows": 2},
                                j["countries"][0]["cells"][2]]}
    check("compare json: a row with its total and a cell per column",
          j["countries"][0] == us and
          j["countries"][3] == {"key": "CH", "bytes_up": 796, "flows": 1,
                                "cells": [None, {"bytes_up": 796, "flows": 1}, None]},
          j["countries"])
    check("compare json: the cells are the reports' own table rows",
          all(any(c["code"] == row["key"] and c["bytes_up"] == row["cells"][0]["bytes_up"] and
                  c["flows"] == row["cells"][0]["flows"] for c in one["countries"])
              for row in j["countries"] if row["cells"][0]))
    check("compare json: transfer classes and hosting rows",
          [t["key"] for t in j["transfers"]] == ["adequate_partial", "third_country", "eea",
                                                 "adequate"] and
          j["hosting"][0]["key"] == "Amazon Web Services")
    r = run(dt, "compare", "-f", "csv", *per)
    lines = r.stdout.decode().split("\r\n")
    check("compare -f csv: header and rows",
          lines[0] == "table,key,bytes_up,flows,1.pcap bytes_up,1.pcap flows,2.pcap bytes_up,"
                      "2.pcap flows" and lines[1] == "countries,US,10045,3,4675,1,5370,2" and
          "recipients,Other Motors,796,1,0,0,796,1" in lines and
          "transfers,eea,659,1,659,1,0,0" in lines, lines[:6])

    # --by device: a column per Ethernet address over all reports
    d = os.path.join(work, "devices")
    os.makedirs(d)
    two_devices(os.path.join(d, "two.pcap"))
    rep = os.path.join(d, "two.json")
    r = run(dt, "report", *opts, "-o", rep, os.path.join(d, "two.pcap"))
    r = run(dt, "compare", "--by", "device", "-f", "json", rep, per[0])
    j = json.loads(r.stdout)
    cols = [c["label"] for c in j["columns"]]
    check("compare --by device: one column per device, in order first seen",
          cols == ["02:00:00:00:00:a1", "02:00:00:00:00:b2", "02:00:00:00:00:01"] and
          j["by"] == "device" and j["columns"][0]["device"] == cols[0], cols)
    rows = {row["key"]: [c and c["flows"] for c in row["cells"]] for row in j["countries"]}
    check("compare --by device: each device's flows in its column",
          rows == {"US": [1, 1, 1], "CN": [1, None, 1], "CH": [None, 1, None], "DE": [None, None, 1]},
          rows)
    # --policy: a first table of the violations per column, exit status 4
    pol = os.path.join(work, "policy.json")
    r = run(dt, "compare", "-f", "json", "--policy", pol, *reports)
    j = json.loads(r.stdout)
    rows = {v["key"]: [c and c["flows"] for c in v["cells"]] for v in j["violations"]}
    check("compare --policy: exit 4, the violations of each column",
          r.returncode == 4 and list(j)[list(j).index("columns") + 1] == "violations" and
          rows == {"max_bytes_per_hour: Test Motors": [1, 2, None],
                   "allow_recipients: Tencent Bugly": [1, None, 1],
                   "allow_transfer: CN / third_country": [1, None, 1],
                   "deny_countries: CN": [1, None, 1],
                   "allow_recipients: ads-test.net": [1, None, 1],
                   "deny_domains: tracker.ads-test.net": [1, None, 1],
                   "plaintext: ads-test.net / tracker.ads-test.net": [1, None, 1],
                   "allow_recipients: Other Motors": [None, 1, None]}, rows)
    r = run(dt, "compare", "-f", "text", "--policy", pol, *reports)
    check("compare --policy -f text: the Policy violations table first",
          r.returncode == 4 and r.stdout.decode().split("\n")[2].startswith("Policy violations"))
    ok = os.path.join(work, "ok.json")
    r = run(dt, "compare", "-f", "json", "--policy", ok, *reports)
    check("compare with a policy that holds: exit 0, violations []",
          r.returncode == 0 and json.loads(r.stdout)["violations"] == [])
    r = run(dt, "compare", "-f", "json", *reports)
    check("compare without --policy: no violations key", "violations" not in json.loads(r.stdout))
    r = run(dt, "compare", "--policy", os.path.join(work, "bad0.json"), *reports)
    check("compare with a bad policy: exit 1, nothing written",
          r.returncode == 1 and not r.stdout and "unknown key" in r.stderr.decode())
    r = run(dt, "compare", "--by", "device", "--label", "x", rep)
    check("compare --by device --label: usage error", r.returncode == 1)
    r = run(dt, "compare", "--label", "a", "--label", "b", rep)
    check("compare: more labels than reports: usage error", r.returncode == 1)
    out = os.path.join(work, "compare-kept.json")
    with open(out, "w") as f:
        f.write("old")
    r = run(dt, "compare", "-o", out, rep, os.path.join(work, "diff", "newer.json"))
    with open(out) as f:
        kept = f.read() == "old"
    check("compare with a newer schema version: exit 2, named, nothing written",
          r.returncode == 2 and kept and "newer.json: a report of schema version 3" in
          r.stderr.decode(), r.stderr.decode())
    r = run(dt, "compare", rep, os.path.join(work, "diff", "other-geo.json"))
    check("compare: other geo databases than the first: a warning naming the file",
          r.returncode == 0 and "other-geo.json was made with other geo databases than " + rep
          in r.stderr.decode() and len(json.loads(r.stdout)["warnings"]) == 1, r.stderr.decode())


def recipes():
    """The README's recipe blocks: {name: shell text} of each ```sh block whose first line is
    '# recipe: NAME (...)'."""
    out, block = {}, None
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        for line in f:
            if block is None and line.startswith("```sh"):
                block = []
            elif block is not None and line.startswith("```"):
                if block and block[0].startswith("# recipe: "):
                    out[block[0][10:].split(" (")[0].strip()] = "".join(block)
                block = None
            elif block is not None:
                block.append(line)
    return out


def test_recipes(dt, work):
    rec = recipes()
    check("README: the recipe blocks", sorted(rec) == ["duckdb, clickhouse", "one machine",
                                                       "parallel over hosts", "slurm", "sqlite"],
          sorted(rec))
    env = dict(os.environ, PATH=os.path.dirname(dt) + os.pathsep + os.environ.get("PATH", ""))
    base = os.path.join(work, "recipes")

    def sessions(name):
        d = os.path.join(base, name)
        os.makedirs(os.path.join(d, "sessions"))
        write_capture(os.path.join(d, "sessions", "1.pcapng"),
                      [tls_flow(US, 54001, "api.test-motors.net", 900),
                       http_flow(DE, 54002, "tracker.ads-test.net")], g.T0_NS, pcapng=True)
        write_capture(os.path.join(d, "sessions", "2.pcapng"),
                      [tls_flow(CN, 54003, "android.bugly.qq.com", 400)], g.T0_NS + HOUR,
                      pcapng=True)
        one = subprocess.run([dt, "report", "-q", "-f", "json", "sessions/1.pcapng",
                              "sessions/2.pcapng"], capture_output=True, cwd=d).stdout
        return d, one

    def sh(text, d):
        return subprocess.run(["sh", "-c", text], capture_output=True, cwd=d, env=env)

    have_parallel = shutil.which("parallel") is not None
    for name in ("one machine", "parallel over hosts"):
        if not have_parallel:
            print(f"skip recipe {name}: no GNU parallel (Debian package parallel)")
            continue
        d, one = sessions(name.replace(" ", "-"))
        with open(os.path.join(d, "hosts.txt"), "w") as f:
            f.write(":\n")
        r = sh(rec[name], d)
        with open(os.path.join(d, "fleet.json"), "rb") as f:
            got = f.read()
        check(f"recipe {name}: runs, merge of the reports = one run (bytes)",
              r.returncode == 0 and got == one and len(one) > 1000,
              (r.returncode, r.stderr.decode()[-500:]))
        check(f"recipe {name}: the captures are still there",
              sorted(os.listdir(os.path.join(d, "sessions"))) == ["1.pcapng", "2.pcapng"])
    r = subprocess.run(["sh", "-n", "-c", rec["slurm"]], capture_output=True)
    check("recipe slurm (untested): shell syntax", r.returncode == 0, r.stderr.decode())

    try:
        import yaml
    except ImportError:
        yaml = None
        print("skip the Kubernetes manifest: no python3-yaml")
    if yaml:
        with open(os.path.join(ROOT, "contrib", "kubernetes", "datatrail-indexed-job.yaml")) as f:
            job = yaml.safe_load(f)
        spec = job["spec"]
        pod = spec["template"]["spec"]
        c = pod["containers"][0]
        check("kubernetes manifest: a batch/v1 Indexed Job with the data volume",
              job["apiVersion"] == "batch/v1" and job["kind"] == "Job" and
              spec["completionMode"] == "Indexed" and spec["completions"] >= 1 and
              pod["restartPolicy"] == "Never" and c["command"] == ["/bin/sh", "-c"] and
              c["volumeMounts"][0]["mountPath"] == "/data" and
              pod["volumes"][0]["name"] == c["volumeMounts"][0]["name"], job)
        d, one = sessions("kubernetes")
        with open(os.path.join(d, "sessions.txt"), "w") as f:
            f.write("sessions/1.pcapng\nsessions/2.pcapng\n")
        script = c["args"][0].replace("/data", d)
        ok = True
        for i in range(spec["completions"]):
            r = subprocess.run(["sh", "-c", script], capture_output=True, cwd=d,
                               env=dict(env, JOB_COMPLETION_INDEX=str(i)))
            ok &= r.returncode == 0
        reports = sorted(os.path.join(d, "reports", n) for n in os.listdir(os.path.join(d, "reports")))
        m = run(dt, "merge", "-f", "json", *reports)
        check("kubernetes manifest: its script for each index, merged = one run (bytes)",
              ok and len(reports) == 2 and m.stdout == one, r.stderr.decode())

    if not shutil.which("sqlite3"):
        print("skip recipe sqlite: no sqlite3 (Debian package sqlite3)")
        return
    d, one = sessions("sqlite")
    r = sh(rec["sqlite"], d)
    got = r.stdout.decode().replace("\r", "").splitlines()
    want = [f"{c['code'] or ''},{c['bytes_up']},{c['flows']}" for c in json.loads(one)["countries"]]
    check("recipe sqlite: upload and flows per country = the report's countries table",
          r.returncode == 0 and got == want and len(want) >= 1, (got, want, r.stderr.decode()))


def test_merge_associative(dt, work):
    corpus = os.environ.get("CORPUS") or os.path.join(ROOT, "..", "shared", "corpus", "pcaps")
    if not os.path.isdir(corpus):
        print(f"skip merge associativity: no corpus at {corpus}")
        return
    per = os.path.join(work, "corpus-per")
    os.makedirs(per)
    one = os.path.join(work, "corpus-one.json")
    r = run(dt, "report", "-q", "-j2", "-f", "json", "--per-file", per, "-o", one, corpus)
    check("corpus: one run with --per-file", r.returncode in (0, 3), r.stderr.decode()[-500:])
    with open(one, "rb") as f:
        want = f.read()
    files = sorted(os.path.join(per, n) for n in os.listdir(per))
    rnd = random.Random(17)
    for trial in range(3):
        # random groups of consecutive reports, each merged, then the groups merged
        cuts = sorted(rnd.sample(range(1, len(files)), 5))
        groups = [files[a:b] for a, b in zip([0] + cuts, cuts + [len(files)])]
        parts = []
        for k, grp in enumerate(groups):
            p = os.path.join(work, f"group{trial}-{k}.json")
            r = run(dt, "merge", "-f", "json", "-o", p, *grp)
            parts.append(p)
        r = run(dt, "merge", "-f", "json", *parts)
        check(f"corpus: merge of merges of {len(groups)} random groups = one run (bytes)",
              r.stdout == want, r.stderr.decode()[-300:])
    # order: the same reports in another order give the same totals and tables; what is kept
    # in the order first seen follows the order given: inputs[], flows[] and each name's
    # dns[].answers, the names in the summary's objects of counts (malformed_by_reason,
    # tunneled_packets: equal as objects, compared so here), the warnings, and the options and
    # vendor of the first report (equal on this corpus)
    shuffled = files[:]
    rnd.shuffle(shuffled)
    r = run(dt, "merge", "-f", "json", *shuffled)
    a, b = json.loads(want), json.loads(r.stdout)
    order = ("inputs", "flows", "dns")
    same = [k for k in a if k not in order and a[k] == b[k]]

    def unordered(rep):
        return (sorted(map(json.dumps, rep["inputs"])), sorted(map(json.dumps, rep["flows"])),
                [dict(d, answers=sorted(d["answers"])) for d in rep["dns"]])
    check("corpus: merge in a random order = one run, but for the order of inputs[], flows[], "
          "dns[].answers and names in the summary's counts",
          sorted(same) == sorted(k for k in a if k not in order) and
          unordered(a) == unordered(b),
          [k for k in a if a[k] != b.get(k)])


def main():
    dt, work = options("fleet")
    os.makedirs(work)
    opts, inputs = setup(dt, work)
    test_policy(dt, work, opts, inputs)
    test_windows(dt, work, opts, inputs)
    test_diff(dt, work, opts)
    test_compare(dt, work, opts)
    test_recipes(dt, work)
    test_merge_associative(dt, work)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
