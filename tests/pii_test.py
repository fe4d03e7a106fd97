#!/usr/bin/env python3
"""Personal data sent in clear (issue 18) on captures generated here:

  * each kind (vin, gps, imei, imeisv, iccid, imsi, mac, email, phone, identifier,
    dns_encoded) in each place (url, header, body, gzip body, MQTT topic and message,
    DNS name, TLS SNI, UDP data) and each encoding of a user identifier (plain, upper,
    lower, url, base64, hex, hex_upper, md5, sha1, sha256) is found exactly: kind,
    where, encoding and the masked sample; --show-values shows the values;
  * the report's personal_data table and the text report's lead line;
  * --pii-bytes 0 turns it off; --identifiers FILE with comments, errors as FILE:LINE;
  * false positives: random and gzip-compressed payloads (a few MB) give no finding.

usage: tests/pii_test.py --datatrail PATH [--work DIR] [--random-mb N]
"""
import gzip
import json
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pcapgen as g  # noqa: E402
from harness import check, finish  # noqa: E402

CLI, SRV = "192.168.1.20", "203.0.113.7"
T0 = 1700000000 * 10**9

VIN = "WVWZZZ1JZXW000001"
VIN_NA = "1HGCM82633A004352"
IMEI = "490154203237518"
IMEISV = "3569380356438091"
ICCID = "8949011234567890126"
IMSI = "262011234567890"
MAC = "3c:22:fb:12:34:56"
EMAIL = "jane.doe@example.org"
PHONE = "+4915112345678"
NMEA = "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47"
OWNER = "Max Mustermann"
LONG_LABEL = "a9f3k2m8q1z7x4c6v5b0n3m2l1k9j8h7g6f5d4s3a2p1"


def mask(v):
    if len(v) <= 4:
        return "*" * len(v)
    return v[:2] + "*" * min(len(v) - 4, 43) + v[-2:]


def luhn_ok(s):
    total = 0
    for i, ch in enumerate(reversed(s)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return total % 10 == 0


def tcp_flow(cport, sport, c2s, s2c=b""):
    s = g.TcpSession(CLI, SRV, cport, sport)
    s.handshake()
    s.send("c2s", c2s)
    if s2c:
        s.send("s2c", s2c)
    s.close()
    return [p for _, p in s.ip_packets()]


def frames_of(packets):
    return [g.eth_for(p) for p in packets]


def capture(path, packet_lists):
    frames = []
    for pl in packet_lists:
        frames += frames_of(pl)
    with open(path, "wb") as f:
        f.write(g.write_pcap(g.timed(frames, t0=T0)))


def pii_capture(path):
    import base64
    import hashlib
    flows = []
    # 1 HTTP: VIN in the URL, IMEI in a header, GPS + e-mail in a JSON body
    body = json.dumps({"lat": 48.137154, "lon": 11.576124, "mail": EMAIL}).encode()
    flows.append(tcp_flow(50001, 80, g.http_request(
        "api.example.com", "/v1/cars?vin=%s" % VIN, method="POST", body=body,
        extra=("X-Device-Imei: %s" % IMEI,))))
    # 2 HTTP with a gzip body: ICCID inside
    gz = gzip.compress(json.dumps({"iccid": ICCID, "pad": "x" * 200}).encode())
    flows.append(tcp_flow(50002, 80, g.http_request(
        "api.example.com", "/v1/sim", method="POST", body=gz,
        extra=("Content-Encoding: gzip",))))
    # 3 MQTT: VIN (North American, check digit) in the topic, NMEA in the message
    flows.append(tcp_flow(50003, 1883, g.mqtt_connect("client-1")
                          + g.mqtt_publish("cars/%s/pos" % VIN_NA, NMEA.encode())))
    # 4 UDP data: MAC, phone, IMEISV
    flows.append([g.udp_ip(CLI, SRV, 40000, 9999,
                           ("mac=%s tel=%s imeisv=%s" % (MAC, PHONE, IMEISV)).encode())])
    # 5 DNS: an IMSI and a long label in names
    flows.append([g.udp_ip(CLI, "192.168.1.1", 40001, 53,
                           g.dns_query(1, "imsi-%s.tm.example.com" % IMSI))])
    flows.append([g.udp_ip(CLI, "192.168.1.1", 40002, 53,
                           g.dns_query(2, "%s.t.example.com" % LONG_LABEL))])
    # 6 the owner's name in every encoding, one HTTP request each, as a header value
    o = OWNER.encode()
    encs = {
        "plain": OWNER, "upper": OWNER.upper(), "lower": OWNER.lower(),
        "url": "Max%20Mustermann", "base64": base64.b64encode(o).decode(),
        "hex": o.hex(), "hex_upper": o.hex().upper(),
        "md5": hashlib.md5(o).hexdigest(), "sha1": hashlib.sha1(o).hexdigest(),
        "sha256": hashlib.sha256(o).hexdigest(),
    }
    port = 50100
    for enc, text in encs.items():
        flows.append(tcp_flow(port, 80, g.http_request(
            "id.example.com", "/", extra=("X-Owner: %s" % text,))))
        port += 1
    # base64 at the other two alignments, in bodies
    for shift in (1, 2):
        b = base64.b64encode(b"x" * shift + o).decode()
        flows.append(tcp_flow(port, 80, g.http_request("id.example.com", "/", method="POST",
                                                       body=b.encode())))
        port += 1
    # 7 TLS SNI with the VIN in lower case (a user identifier)
    flows.append(tcp_flow(50200, 443, g.tls_client_hello(sni="%s.cars.example.com" % VIN.lower())))
    capture(path, flows)
    return encs


def false_positives(dt, work, mb):
    """Random and gzip-compressed payloads, random bytes as base64 text and random numbers as
    JSON text, over TCP (raw and as HTTP bodies) and UDP: no finding, no personal_data."""
    rnd = random.Random(18)
    flows, port, total = [], 20000, 0
    while total < mb * 10**6:
        kind = port % 4
        if kind == 0:    # random bytes
            blob = rnd.randbytes(60000)
        elif kind == 1:  # gzip-compressed
            blob = gzip.compress(rnd.randbytes(20000) + json.dumps(
                {"t": port, "v": [rnd.random() for _ in range(800)]}).encode())
        elif kind == 2:  # random bytes as base64 text (scanned: it does not look random)
            import base64
            blob = base64.b64encode(rnd.randbytes(45000))
        else:            # random numbers as JSON text
            blob = json.dumps({"v": [rnd.random() * 10 ** rnd.randint(0, 18)
                                     for _ in range(3000)]}).encode()
        if port % 3 == 0 and kind < 2:
            flows.append(tcp_flow(port, 80, g.http_request("r.example.com", "/", method="POST",
                                                           body=blob,
                                                           extra=("Content-Encoding: gzip",))))
        elif port % 3 == 1 or kind >= 2:
            flows.append(tcp_flow(port, 7000, blob))
        else:
            flows.append([g.udp_ip(CLI, SRV, port, 7001, blob[i:i + 1400])
                          for i in range(0, len(blob), 1400)])
        total += len(blob)
        port += 1
    cap = os.path.join(work, "random.pcap")
    capture(cap, flows)
    r = run(dt, "report", "-q", "--no-geo", "-f", "json", "--pii-bytes", "65536", cap)
    rep = json.loads(r.stdout)
    found = [x for f in rep["flows"] for x in f.get("findings", [])]
    check("%d MB of random and compressed payloads: no finding" % mb,
          not found and "personal_data" not in rep, found[:5])


def run(dt, *args):
    return subprocess.run([dt] + list(args), capture_output=True)


def findings_of(report):
    out = []
    for f in report.get("flows", []):
        for x in f.get("findings", []):
            out.append((f["client"]["port"], x["kind"], x["where"], x["encoding"], x["sample"],
                        x.get("name")))
    return sorted(out, key=lambda t: (t[0], t[1], t[2], t[3], t[4]))


def main():
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--datatrail", required=True)
    ap.add_argument("--work")
    ap.add_argument("--random-mb", type=int, default=4)
    a = ap.parse_args()
    dt = os.path.abspath(a.datatrail)
    work = a.work or "/tmp/dt-pii"
    os.makedirs(work, exist_ok=True)
    check("ICCID of the test is Luhn-valid", luhn_ok(ICCID))
    cap = os.path.join(work, "pii.pcap")
    encs = pii_capture(cap)
    r = run(dt, "report", "-q", "--no-geo", "-f", "json", "--identifier", "OWNER=" + OWNER,
            "--identifier", "VIN=" + VIN, cap)
    check("report runs", r.returncode == 0, r.stderr.decode())
    rep = json.loads(r.stdout)
    got = findings_of(rep)
    nmea = NMEA[:2] + "*" * 43 + NMEA[-2:]
    want = [
        (40000, "imeisv", "data", "plain", mask(IMEISV), None),
        (40000, "mac", "data", "plain", mask(MAC), None),
        (40000, "phone", "data", "plain", mask(PHONE), None),
        (40001, "imsi", "dns", "plain", mask(IMSI), None),
        (40002, "dns_encoded", "dns", "plain", mask(LONG_LABEL), None),
        (50001, "email", "body", "plain", mask(EMAIL), None),
        (50001, "gps", "body", "plain", mask("48.137154,11.576124"), None),
        (50001, "identifier", "url", "plain", mask(VIN), "VIN"),
        (50001, "imei", "header", "plain", mask(IMEI), "X-Device-Imei"),
        (50001, "vin", "url", "plain", mask(VIN), None),
        (50002, "iccid", "body", "gzip", mask(ICCID), None),
        (50003, "gps", "message", "plain", nmea, None),
        (50003, "vin", "topic", "plain", mask(VIN_NA), None),
    ]
    port = 50100
    for enc, text in encs.items():
        if enc == "base64":  # the characters that depend on the value alone
            text = text[:len(OWNER) * 8 // 6]
        want.append((port, "identifier", "header", enc, mask(text), "OWNER"))
        port += 1
    import base64
    for shift in (1, 2):
        b64 = base64.b64encode(b"x" * shift + OWNER.encode()).decode()
        # the characters that depend on the value alone
        lo, hi = (shift * 8 + 5) // 6, (shift + len(OWNER)) * 8 // 6
        want.append((port, "identifier", "body", "base64", mask(b64[lo:hi]), "OWNER"))
        port += 1
    want.append((50200, "identifier", "sni", "lower", mask(VIN.lower()), "VIN"))
    want.sort(key=lambda t: (t[0], t[1], t[2], t[3], t[4]))
    check("each kind, place and encoding found exactly", got == want,
          "\n  got  %s\n  want %s" % ([t for t in got if t not in want],
                                      [t for t in want if t not in got]))
    offsets = {(f["client"]["port"], x["kind"]): x["offset"] for f in rep["flows"]
               for x in f.get("findings", [])}
    req = g.http_request("api.example.com", "/v1/cars?vin=%s" % VIN, method="POST",
                         body=json.dumps({"lat": 48.137154, "lon": 11.576124,
                                          "mail": EMAIL}).encode(),
                         extra=("X-Device-Imei: %s" % IMEI,))
    check("offsets are stream offsets", offsets.get((50001, "vin")) == req.find(VIN.encode())
          and offsets.get((50001, "imei")) == req.find(IMEI.encode()), offsets)
    pd = rep.get("personal_data", {})
    rows = {(x["kind"], x["flows"]) for x in pd.get("rows", [])}
    check("personal_data: kinds and flows",
          ("identifier", 14) in rows and ("vin", 2) in rows and ("gps", 2) in rows
          and pd.get("flows") == 19 and pd.get("findings") == len(want), (pd.get("flows"), rows))
    # --show-values, text report, --pii-bytes 0, merge
    r = run(dt, "report", "-q", "--no-geo", "-f", "json", "--show-values", cap)
    vals = {x["sample"] for f in json.loads(r.stdout)["flows"] for x in f.get("findings", [])}
    check("--show-values shows values", {IMEI, EMAIL, ICCID, MAC, PHONE} <= vals, vals)
    r = run(dt, "report", "-q", "--no-geo", "-f", "text", "--identifier", "OWNER=" + OWNER,
            "--identifier", "VIN=" + VIN, cap)
    lines = r.stdout.decode().splitlines()
    check("text report leads with personal data", len(lines) > 2 and
          lines[2].startswith("  Personal data sent in clear: 19 flows"), lines[:3])
    r = run(dt, "report", "-q", "--no-geo", "-f", "html", cap)
    check("html report states personal data", b"<b>Personal data sent in clear</b>: 6 flows, "
          b"12 findings (gps, vin, " in r.stdout)
    r = run(dt, "report", "-q", "--no-geo", "-f", "json", "--pii-bytes", "0", cap)
    off = json.loads(r.stdout)
    check("--pii-bytes 0: no findings, no personal_data",
          "personal_data" not in off and not any("findings" in f for f in off["flows"]))
    one = os.path.join(work, "one.json")
    run(dt, "report", "-q", "--no-geo", "-f", "json", "-o", one, cap)
    r = run(dt, "merge", "-f", "json", one)
    merged = json.loads(r.stdout) if r.returncode == 0 else {}
    check("merge keeps personal_data", merged.get("personal_data") ==
          json.loads(open(one).read()).get("personal_data"), r.stderr)
    # --identifiers FILE: comments, blank lines; errors name FILE:LINE
    ids = os.path.join(work, "ids.txt")
    with open(ids, "w") as f:
        f.write("# the owner\n\nOWNER=%s\n" % OWNER)
    r = run(dt, "report", "-q", "--no-geo", "-f", "json", "--identifiers", ids, cap)
    n = sum(1 for f in json.loads(r.stdout)["flows"] for x in f.get("findings", [])
            if x["kind"] == "identifier")
    check("--identifiers FILE", r.returncode == 0 and n == 12, (r.returncode, n))
    with open(ids, "w") as f:
        f.write("# the owner\nOWNER=%s\nbroken line\n" % OWNER)
    r = run(dt, "report", "-q", "--no-geo", "-f", "json", "--identifiers", ids, cap)
    check("--identifiers: an error names FILE:LINE", r.returncode == 1 and
          ("%s:3:" % ids) in r.stderr.decode(), r.stderr)
    r = run(dt, "report", "-q", "--no-geo", "--identifier", "X=ab", cap)
    check("--identifier: a short value is refused", r.returncode == 1 and
          b"NAME=VALUE" in r.stderr, r.stderr)
    r = subprocess.run([sys.executable, os.path.join(HERE, "schema_test.py"), "--datatrail", dt,
                        "--capture", cap], capture_output=True)
    check("findings and personal_data follow the schema", r.returncode == 0,
          r.stdout.decode()[-600:] + r.stderr.decode()[-300:])
    false_positives(dt, work, a.random_mb)
    finish()


if __name__ == "__main__":
    main()
