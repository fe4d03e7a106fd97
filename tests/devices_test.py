#!/usr/bin/env python3
"""Devices (issue 12 item 2): which side of a flow is a device of the local network, the
devices table, flows with no local side, the MAC vendor and --device, on captures made here.

usage: tests/devices_test.py --datatrail PATH [--work DIR]
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pcapgen as g  # noqa: E402
from harness import check, finish, options  # noqa: E402


CAR_MAC = bytes.fromhex("001b44113ab7")   # a universally administered address (vendor known)
PHONE_MAC = bytes.fromhex("0aa1b2c3d4e5")  # locally administered (randomised): no vendor
GW_MAC = bytes.fromhex("0a5566778899")
CAR_V4, PHONE_V4 = "192.168.1.20", "192.168.1.30"
CAR_GUA, CAR_GUA2 = "2a02:3100:1a2b:3c00::20", "2a02:3100:1a2b:3c00:1c2d:3e4f:5a6b:7c8d"
SERVER_V4, SERVER_V6 = "52.1.1.10", "2a00:1450:4001:80b::200a"


def run(dt, *args, env=None):
    return subprocess.run([dt] + list(args), capture_output=True, timeout=120,
                          env=dict(os.environ, **(env or {})))


def tls_frames(cli, srv, cport, sni, dev_mac, up=300, t0=0, device_is_client=True):
    """A TLS connection between cli and srv; the device's frames carry dev_mac, the others the
    gateway's."""
    s = g.TcpSession(cli, srv, cport, 443)
    s.handshake()
    s.send("c2s", g.tls_client_hello(sni) + bytes(up))
    s.send("s2c", g.tls_server_hello() + bytes(900))
    s.close()
    out = []
    for seg, p in s.ip_packets():
        from_cli = seg.dir == "c2s"
        mine = from_cli == device_is_client
        src, dst = (dev_mac, GW_MAC) if mine else (GW_MAC, dev_mac)
        out.append(g.eth_for(p, src=src, dst=dst))
    return out


def write(path, frames, t0=g.T0_NS):
    with open(path, "wb") as f:
        f.write(g.write_pcap(g.timed(frames, t0=t0, step_ns=1000000)))


def report(dt, *args, env=None):
    r = run(dt, "report", "-q", "--no-geo", "-f", "json", *args, env=env)
    return json.loads(r.stdout) if r.returncode == 0 else {"_err": r.stderr.decode()}


def main():
    dt, work = options("devices")
    os.makedirs(work)
    oui = os.path.join(work, "oui.txt")
    with open(oui, "w") as f:
        f.write("OUI/MA-L\t\t\tOrganization\n00-1B-44   (hex)\t\tTest Car Electronics\r\n"
                "001B44     (base 16)\t\tTest Car Electronics\r\n")
    env = {"DATATRAIL_OUI_FILE": oui}

    # Two devices behind NAT: each its own row, by MAC address.
    nat = os.path.join(work, "nat.pcap")
    write(nat, tls_frames(CAR_V4, SERVER_V4, 40001, "api.car.example", CAR_MAC, up=4000) +
          tls_frames(PHONE_V4, SERVER_V4, 40002, "api.phone.example", PHONE_MAC, up=100))
    rep = report(dt, nat, env=env)
    devs = {d["device"]: d for d in rep.get("devices", [])}
    car, phone = devs.get("00:1b:44:11:3a:b7", {}), devs.get("0a:a1:b2:c3:d4:e5", {})
    check("two devices behind NAT: two rows, by MAC", len(devs) == 2 and
          car.get("addresses") == [CAR_V4] and phone.get("addresses") == [PHONE_V4],
          rep.get("devices", rep))
    flows = rep.get("flows", [])
    check("each device's upload is what it sent", car.get("bytes_up") == sum(
        f["client"]["bytes"] for f in flows if f["client"]["ip"] == CAR_V4) and
        phone.get("bytes_up") == sum(f["client"]["bytes"] for f in flows
                                     if f["client"]["ip"] == PHONE_V4), (car, phone))
    check("MAC vendor from the OUI registry; a randomised MAC has none",
          car.get("vendor") == "Test Car Electronics" and phone.get("vendor") is None,
          (car.get("vendor"), phone.get("vendor")))
    check("flows carry the local side's MAC, not the gateway's",
          all(f["client"]["mac"] in ("00:1b:44:11:3a:b7", "0a:a1:b2:c3:d4:e5") and
              f["server"]["mac"] is None for f in flows), [f["client"]["mac"] for f in flows])
    rep = report(dt, nat, env={"DATATRAIL_OUI_FILE": os.path.join(work, "missing-oui.txt")})
    check("no OUI registry: vendor null and one warning naming ieee-data",
          all(d["vendor"] is None for d in rep.get("devices", [])) and
          sum("ieee-data" in w["message"] and w["code"] == "oui_missing"
              for w in rep.get("warnings", [])) == 1, rep.get("warnings"))
    r = run(dt, "report", "-q", "--no-geo", "-f", "text", nat, env=env)
    check("text: a Devices section with the vendor", b"Devices" in r.stdout and
          b"Test Car Electronics" in r.stdout, r.stdout.decode()[:800])

    # A device with a public IPv6 address: the same MAC as its private IPv4 side (and a
    # privacy address in the same /64, seen before the IPv4 flow): one device, local.
    v6 = os.path.join(work, "v6.pcap")
    write(v6, tls_frames(CAR_GUA2, SERVER_V6, 40010, "early.example", CAR_MAC) +
          tls_frames(CAR_V4, SERVER_V4, 40011, "v4.example", CAR_MAC) +
          tls_frames(CAR_GUA, SERVER_V6, 40012, "late.example", CAR_MAC))
    rep = report(dt, v6, env=env)
    flows = rep.get("flows", [])
    check("a public IPv6 address of a device's MAC is local (also a flow seen earlier)",
          len(flows) == 3 and all(f["client"]["local"] and not f["server"]["local"]
                                  for f in flows), [(f["client"]["ip"], f["client"]["local"])
                                                    for f in flows])
    devs = rep.get("devices", [])
    check("one device with its IPv4 and both IPv6 addresses",
          len(devs) == 1 and sorted(devs[0]["addresses"]) == sorted([CAR_V4, CAR_GUA, CAR_GUA2]),
          devs)
    check("no flow without a local side", rep.get("summary", {}).get("direction_unknown") ==
          {"flows": 0, "bytes": 0}, rep.get("summary", {}).get("direction_unknown"))

    # A capture with no local side: counted apart, no upload, no device.
    nol = os.path.join(work, "nolocal.pcap")
    write(nol, tls_frames("198.51.100.7", SERVER_V4, 40020, "x.example", CAR_MAC))
    rep = report(dt, nol)
    s = rep.get("summary", {})
    check("no local side: summary.direction_unknown, no upload, no device, no country row",
          s.get("direction_unknown", {}).get("flows") == 1 and s.get("bytes_up") == 0 and
          s.get("bytes_down") == 0 and rep.get("devices") == [] and rep.get("endpoints") == [],
          (s.get("direction_unknown"), s.get("bytes_up"), rep.get("devices")))
    r = run(dt, "report", "-q", "--no-geo", "-f", "text", nol)
    check("text: the flows with no local side are said", b"No local side in 1 flows" in r.stdout,
          r.stdout.decode()[:400])
    rep = report(dt, "--local", "198.51.100.0/24", nol)
    check("--local makes it the device", rep.get("summary", {}).get("direction_unknown", {})
          .get("flows") == 0 and len(rep.get("devices", [])) == 1, rep.get("devices"))

    # --device: only that device's flows; by MAC or by address; merge does the same.
    for dev in ("00:1B:44:11:3A:B7", CAR_V4):
        rep = report(dt, "--device", dev, nat, env=env)
        fl = rep.get("flows", [])
        check(f"--device {dev}: only its flows", len(fl) == 1 and fl[0]["client"]["ip"] == CAR_V4
              and len(rep.get("devices", [])) == 1 and rep["options"]["device"] in
              ("00:1b:44:11:3a:b7", CAR_V4), [f["client"]["ip"] for f in fl])
    r = run(dt, "report", "--device", "not-a-device", nat)
    check("--device with neither an address nor a MAC: exit 1, named",
          r.returncode == 1 and b"not-a-device" in r.stderr, r.stderr)
    full = os.path.join(work, "full.json")
    with open(full, "wb") as f:
        f.write(run(dt, "report", "-q", "--no-geo", "-f", "json", nat, env=env).stdout)
    m = run(dt, "merge", "--device", CAR_V4, full, env=env)
    one = report(dt, "--device", CAR_V4, nat, env=env)
    mr = json.loads(m.stdout) if m.returncode == 0 else {}
    check("merge --device equals report --device (devices, flows, summary totals)",
          mr.get("devices") == one.get("devices") and mr.get("flows") == one.get("flows") and
          mr.get("summary", {}).get("bytes_up") == one.get("summary", {}).get("bytes_up"),
          (m.returncode, m.stderr))

    # merge of per-file reports gives the same devices table as one run.
    pf = os.path.join(work, "pf")
    os.makedirs(pf)
    run(dt, "report", "-q", "--no-geo", "--per-file", pf, "-o", os.path.join(work, "all.json"),
        nat, v6, nol, env=env)
    parts = sorted(os.path.join(pf, x) for x in os.listdir(pf))
    m = run(dt, "merge", *parts, env=env)
    allr = json.load(open(os.path.join(work, "all.json")))
    mr = json.loads(m.stdout) if m.returncode == 0 else {}
    check("merge of per-file reports: the same devices and direction_unknown",
          mr.get("devices") == allr["devices"] and
          mr["summary"]["direction_unknown"] == allr["summary"]["direction_unknown"],
          (mr.get("devices"), allr["devices"]))

    return finish()


if __name__ == "__main__":
    sys.exit(main())
