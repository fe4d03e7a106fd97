#!/usr/bin/env python3
"""Recipient and host kept apart, adequacy with its conditions, and parties,
on crafted captures with geo databases built for the test (`datatrail geodb
build`) and a user entity file:

  * an entity's domain on a cloud address: recipient = the entity (evidence
    domain), host = the cloud (the ASN's entity);
  * a TLS 1.2 server without SNI whose certificate names an organisation: the
    recipient is that organisation (evidence cert);
  * an unknown domain on the cloud: recipient "unidentified" with the
    registrable domain as its label, never the cloud;
  * a server without name or certificate: no recipient, a host;
  * a US address: transfer adequate_partial with the DPF note;
  * --vendor and the inferred first party; merge of per-file reports equals one run;
  * the text report: Recipients and Hosting networks within 80 columns.

usage: tests/recipients_test.py --datatrail PATH [--work DIR]
"""
import csv
import fcntl
import io
import json
import os
import pty
import shutil
import struct
import subprocess
import sys
import termios

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import pcapgen as g  # noqa: E402
from harness import car_setup, check, finish, options, write_capture  # noqa: E402


CLIENT = "192.168.1.20"
CLOUD_A, CLOUD_B = "52.1.1.10", "52.1.1.20"  # US, AS16509 (Amazon's ASN: an entity)
HOSTER = "5.5.5.5"  # DE, AS64501 (no entity)
HOSTER_PLAIN = "5.5.5.6"
OTHER = "8.8.4.4"  # CH (adequate), AS64502


def run(dt, *args):
    return subprocess.run([dt] + list(args), capture_output=True)


def u24(n):
    return struct.pack("!I", n)[1:]


def tls12_certificate(der):
    """A TLS 1.2 Certificate handshake message (one certificate) in a record."""
    certs = u24(len(der)) + der
    body = u24(len(certs)) + certs
    return g.tls_records(b"\x0b" + u24(len(body)) + body, record_version=0x0303)


def tls_flow(srv, cport, sni, cert=None, up=300, down=900):
    s = g.TcpSession(CLIENT, srv, cport, 443)
    s.handshake()
    s.send("c2s", g.tls_client_hello(sni, ("http/1.1",), versions=(0x0303,)))
    hello = g.tls_server_hello(tls13=cert is None, cipher=0xC02F)
    s.send("s2c", hello + (tls12_certificate(cert) if cert else b""))
    s.send("c2s", g.tls_app_data(up))
    s.send("s2c", g.tls_app_data(down))
    s.close()
    return s


def plain_flow(srv, cport):
    s = g.TcpSession(CLIENT, srv, cport, 5000)
    s.handshake()
    s.send("c2s", b"\x01" * 200)
    s.close()
    return s


def main():
    dt, work = options("recipients")
    os.makedirs(os.path.join(work, "in"))
    os.makedirs(os.path.join(work, "per"))

    # Geo databases of the test: countries and ASNs of the addresses above.
    geo, ents = car_setup(dt, work, ["52.1.1.0,52.1.1.255,US", "5.5.5.0,5.5.5.255,DE",
                                     "8.8.4.0,8.8.4.255,CH"],
                          ['52.1.1.0,52.1.1.255,16509,"Amazon.com, Inc."',
                           "5.5.5.0,5.5.5.255,64501,Test Hosting GmbH",
                           "8.8.4.0,8.8.4.255,64502,Test ISP AG"])

    with open(os.path.join(ROOT, "testdata", "tls", "leaf.der"), "rb") as f:
        der = f.read()  # subject O "Datatrail Test Org", CN www.example-car.test
    part1 = [tls_flow(CLOUD_A, 50001, "api.test-motors.net", up=4000),
             tls_flow(CLOUD_A, 50002, "api.test-motors.net", up=100),
             tls_flow(HOSTER, 50003, None, cert=der)]
    part2 = [tls_flow(CLOUD_B, 50004, "ads.unknown-sdk-test.net"),
             tls_flow(OTHER, 50005, "api.other-motors.net"),
             plain_flow(HOSTER_PLAIN, 50006)]
    in1, in2 = os.path.join(work, "in", "1.pcap"), os.path.join(work, "in", "2.pcap")
    write_capture(in1, part1, g.T0_NS)
    write_capture(in2, part2, g.T0_NS + 60 * 10**9)

    opts = ["-q", "--geodb-dir", geo, "--entities", ents]
    r = run(dt, "report", *opts, "-f", "json", in1, in2)
    check("report runs", r.returncode == 0, r.stderr.decode())
    rep = json.loads(r.stdout)
    flows = {f["server"]["ip"] + ":" + str(f["client"]["port"]): f for f in rep["flows"]}
    srv = lambda k: flows[k]["server"]  # noqa: E731

    s = srv(CLOUD_A + ":50001")
    check("entity domain: recipient is the entity, evidence domain",
          s["recipient"] == {"name": "Test Motors", "identified": True, "evidence": "domain",
                             "matched": "test-motors.net", "category": "car_maker",
                             "party": None}, s["recipient"])
    check("entity domain: host is the ASN's entity",
          s["host"] == {"name": "Amazon Web Services", "evidence": "asn",
                        "matched": "AS16509 Amazon.com, Inc.", "category": "cloud"}, s["host"])
    s = srv(HOSTER + ":50003")
    check("cert-only (TLS 1.2, no SNI): recipient is the subject O, evidence cert",
          s["name"] == "www.example-car.test" and s["name_source"] == "cert" and
          s["recipient"]["name"] == "Datatrail Test Org" and s["recipient"]["evidence"] == "cert"
          and s["recipient"]["identified"] is True and s["recipient"]["party"] == "third_party",
          s)
    check("cert-only: host is the raw ASN organisation",
          s["host"]["name"] == "Test Hosting GmbH" and s["host"]["category"] is None, s["host"])
    s = srv(CLOUD_B + ":50004")
    check("unknown domain on a cloud ASN: unidentified, labelled by its registrable domain",
          s["recipient"] == {"name": "unknown-sdk-test.net", "identified": False,
                             "evidence": "unidentified", "matched": "ads.unknown-sdk-test.net",
                             "category": None, "party": "unknown"}, s["recipient"])
    check("unknown domain on a cloud ASN: the cloud is only the host",
          s["host"]["name"] == "Amazon Web Services", s["host"])
    s = srv(HOSTER_PLAIN + ":50006")
    check("no name, no certificate: recipient unknown (null), host known",
          s["recipient"] is None and s["host"]["name"] == "Test Hosting GmbH", s)
    check("no named flow's recipient comes from the ASN",
          all(f["server"]["recipient"]["evidence"] in ("domain", "cert", "unidentified")
              for f in rep["flows"] if f["server"]["name"]))

    cos = {c["name"]: c for c in rep["companies"]}
    check("companies are the recipients (no hosting network among them)",
          sorted(cos) == ["Datatrail Test Org", "Other Motors", "Test Motors",
                          "unknown-sdk-test.net"], sorted(cos))
    check("companies row: identified, evidence, category, party",
          cos["unknown-sdk-test.net"]["identified"] is False and
          cos["unknown-sdk-test.net"]["evidence"] == ["unidentified"] and
          cos["Test Motors"]["evidence"] == ["domain"] and
          cos["Test Motors"]["category"] == "car_maker" and
          cos["Datatrail Test Org"]["evidence"] == ["cert"], cos)
    hosts = {h["name"]: h for h in rep["hosting"]}
    check("hosting: networks with their ASNs and the recipients they host",
          hosts["Amazon Web Services"]["asns"] == [16509] and
          sorted(hosts["Amazon Web Services"]["recipients"]) == ["Test Motors",
                                                               "unknown-sdk-test.net"] and
          hosts["Test Hosting GmbH"]["flows"] == 2 and rep["summary"]["hosting_networks"] == 3,
          rep["hosting"])
    ri = rep["summary"]["recipients_identified"]
    check("summary: named flows and those with an identified recipient",
          ri["named_flows"] == 5 and ri["flows"] == 4 and ri["named_bytes_up"] > ri["bytes_up"] > 0,
          ri)

    # Adequacy with its conditions: the US only for Data Privacy Framework participants.
    us = [c for c in rep["countries"] if c["code"] == "US"][0]
    check("US: adequate_partial with the DPF note",
          us["transfer"] == "adequate_partial" and "Data Privacy Framework" in us["adequacy_note"]
          and srv(CLOUD_A + ":50001")["transfer"] == "adequate_partial", us)
    de = [c for c in rep["countries"] if c["code"] == "DE"][0]
    check("DE: eea, no note", de["transfer"] == "eea" and de["adequacy_note"] is None, de)
    tr = rep["summary"]["transfers"]
    check("summary.transfers.adequate_partial counts the US flows",
          tr["adequate_partial"]["flows"] == 3 and tr["adequate"]["flows"] == 1, tr)

    # Parties: the first party inferred (Test Motors: 2 flows, Other Motors: 1), or given.
    check("vendor inferred: the car maker with the most flows",
          rep["vendor"] == {"name": "Test Motors", "inferred": True}, rep["vendor"])
    pt = rep["summary"]["parties"]
    check("parties: first, third, unknown",
          pt["first_party"]["flows"] == 2 and pt["first_party"]["recipients"] == 1 and
          pt["third_party"]["recipients"] == 2 and pt["unknown"]["recipients"] == 1 and
          cos["Other Motors"]["party"] == "third_party" and
          cos["Test Motors"]["party"] == "first_party", pt)
    r = run(dt, "report", *opts, "--vendor", "other MOTORS", "-f", "json", in1, in2)
    rv = json.loads(r.stdout)
    cv = {c["name"]: c["party"] for c in rv["companies"]}
    fv = [f for f in rv["flows"] if f["server"]["ip"] == OTHER][0]
    check("--vendor (case-insensitive) sets the first party, in the tables and the flows",
          r.returncode == 0 and rv["vendor"] == {"name": "Other Motors", "inferred": False} and
          cv["Other Motors"] == "first_party" and cv["Test Motors"] == "third_party" and
          fv["server"]["recipient"]["party"] == "first_party", (rv["vendor"], cv))
    r = run(dt, "report", *opts, "--vendor", "No Such Maker", in1)
    check("--vendor with an unknown name: exit 1, says where the names are",
          r.returncode == 1 and b"--vendor 'No Such Maker' is not an entity name" in r.stderr and
          b"entities.json" in r.stderr and not r.stdout, r.stderr.decode())

    # Merge of per-file reports equals one run (the options aside: empty after merge).
    per = os.path.join(work, "per")
    r = run(dt, "report", *opts, "-f", "json", "--per-file", per, "-o",
            os.path.join(work, "all.json"), in1, in2)
    files = sorted(os.path.join(per, x) for x in os.listdir(per))
    rm = run(dt, "merge", "-f", "json", *files)
    one, merged = json.loads(open(os.path.join(work, "all.json")).read()), json.loads(rm.stdout)
    for d in (one, merged):
        d.pop("options")
    check("merge of per-file reports equals one run (recipients, hosting, parties, vendor)",
          rm.returncode == 0 and one == merged and merged["vendor"]["inferred"] is True,
          [k for k in one if one.get(k) != merged.get(k)])
    per_v = os.path.join(work, "per_v")
    os.makedirs(per_v)
    r = run(dt, "report", *opts, "--vendor", "Other Motors", "-f", "json", "--per-file", per_v,
            "-o", os.path.join(work, "all_v.json"), in1, in2)
    files = sorted(os.path.join(per_v, x) for x in os.listdir(per_v))
    rm = run(dt, "merge", "-f", "json", *files)
    one, merged = json.loads(open(os.path.join(work, "all_v.json")).read()), json.loads(rm.stdout)
    for d in (one, merged):
        d.pop("options")
    check("merge keeps the --vendor of the reports", one == merged and
          merged["vendor"] == {"name": "Other Motors", "inferred": False},
          [k for k in one if one.get(k) != merged.get(k)])
    rm = run(dt, "merge", "--vendor", "test motors", "--entities", ents, "-f", "json", *files)
    check("merge --vendor overrides it",
          json.loads(rm.stdout)["vendor"] == {"name": "Test Motors", "inferred": False})

    # The text report on an 80-column terminal.
    mfd, sfd = pty.openpty()
    fcntl.ioctl(sfd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = dict(os.environ, NO_COLOR="1")
    p = subprocess.Popen([dt, "report", *opts, in1, in2], stdout=sfd, stderr=subprocess.PIPE,
                         env=env)
    os.close(sfd)
    out = b""
    while True:
        try:
            chunk = os.read(mfd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    p.wait()
    os.close(mfd)
    text = out.decode().replace("\r\n", "\n")
    lines = text.split("\n")
    widest = max(len(x) for x in lines)
    check("text: every line within 80 columns", widest <= 80, widest)
    rl = [x for x in lines if x.startswith("  Test Motors ")]
    check("text: the Recipients table with party and evidence marker",
          "Recipients (who operates the named services)" in text and rl and
          rl[0].split()[2:4] == ["first", "d"], rl)
    check("text: unidentified and certificate markers, the legend",
          any(x.startswith("  unknown-sdk-test.net") and " unknown ? " in x for x in lines) and
          any(x.startswith("  Datatrail Test Org") and " third   c " in x for x in lines) and
          "Ev: d = name in entity list, c = certificate organisation, ? = unidentified" in text,
          text)
    check("text: the Hosting networks table",
          "Hosting networks (who runs the servers)" in text and
          any(x.startswith("  Amazon Web Services") and "16509" in x for x in lines), text)
    check("text: adequate (partial) and its note once",
          "adequate (partial)" in text and text.count("Data Privacy Framework") == 1 and
          "First party (device maker): Test Motors (inferred from the flows)\n" in text, text)

    # CSV: the endpoint table names recipient, party and host.
    r = run(dt, "report", *opts, "-f", "csv", in1, in2)
    rows = list(csv.reader(io.StringIO(r.stdout.decode())))
    head = rows[0]
    row = [x for x in rows if x and x[0] == CLOUD_A][0]
    check("CSV endpoints: recipient, party, host columns",
          row[head.index("recipient")] == "Test Motors" and row[head.index("party")] ==
          "first_party" and row[head.index("host")] == "Amazon Web Services", rows[:3])

    # Issue 12 item 3: location and registration.  A location database beside the registry's
    # puts CLOUD_A's range in DE while it is registered in the US: country (and so the
    # transfer class) is the location, registered_country the registry's, and the report
    # says where they differ.
    geo2 = os.path.join(work, "geo2")
    os.makedirs(geo2)
    for f in ("country.mmdb", "asn.mmdb"):
        shutil.copy(os.path.join(geo, f), geo2)
    loc = os.path.join(work, "loc.csv")
    with open(loc, "w") as f:
        f.write("52.1.1.0,52.1.1.255,DE\n5.5.5.0,5.5.5.255,DE\n8.8.4.0,8.8.4.255,CH\n")
    r = run(dt, "geodb", "build", "--type", "country", "-o", os.path.join(geo2, "location.mmdb"),
            loc)
    check("geodb build of the location database", r.returncode == 0, r.stderr.decode())
    for how, args in (("found beside the registry's", ["--geodb-dir", geo2]),
                      ("given with --location-db", ["--geodb-dir", geo, "--location-db",
                                                    os.path.join(geo2, "location.mmdb")])):
        r = run(dt, "report", "-q", "--entities", ents, *args, "-f", "json", in1, in2)
        loc_rep = json.loads(r.stdout) if r.returncode == 0 else {"flows": [], "summary": {}}
        a = [f["server"] for f in loc_rep["flows"] if f["server"]["ip"] in (CLOUD_A, CLOUD_B)]
        check(f"location DB {how}: country DE, registered US, transfer eea",
              len(a) == 3 and all(s["country"] == "DE" and s["registered_country"] == "US" and
                                  s["transfer"] == "eea" for s in a), a)
        dis = loc_rep["summary"].get("country_disagreements", {})
        check(f"location DB {how}: summary.country_disagreements",
              dis.get("flows") == 3 and dis.get("endpoints") == 2 and
              dis.get("bytes_up") == sum(x["client"]["bytes"] for x in loc_rep["flows"]
                                         if x["server"]["ip"] in (CLOUD_A, CLOUD_B)), dis)
        kinds = [d["kind"] for d in loc_rep.get("geo_databases", [])]
        check(f"location DB {how}: recorded in geo_databases", "location" in kinds, kinds)
    r = run(dt, "report", "-q", "--entities", ents, "--geodb-dir", geo2, "-f", "text", in1, in2)
    check("text: the location/registration difference is said",
          b"located elsewhere than registered: 2 addresses" in r.stdout and
          b"DE (reg. US) 2" in r.stdout, r.stdout.decode()[-600:])
    hosted = [f["server"] for f in rep["flows"] if f["server"]["ip"] in (CLOUD_A, CLOUD_B)]
    check("without a location database: country is the registry's, no disagreement",
          all(s["country"] == s["registered_country"] == "US" for s in hosted) and
          rep["summary"]["country_disagreements"]["flows"] == 0, hosted)
    r = run(dt, "lookup", "--geodb-dir", geo2, CLOUD_A)
    check("lookup prints both countries", r.returncode == 0 and
          b"DE Germany [registered US]" in r.stdout, r.stdout)

    return finish()


if __name__ == "__main__":
    sys.exit(main())
