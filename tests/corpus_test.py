#!/usr/bin/env python3
"""Conformance on real captures: ../shared/corpus (pcaps + tshark's answers).

For every capture: datatrail must not crash or trip a sanitizer, must read
exactly the packets tshark reads, and must find the names tshark finds (TLS
SNI, QUIC SNI, HTTP Host, DNS answers).  Recall and precision per category are
compared with tests/corpus-figures.json: the test fails if any figure drops
below the recorded one.  Known disagreements with tshark, with the reason, are
listed in tests/corpus-exceptions.

Exits 77 (skipped) when the corpus is absent.
"""
import argparse
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CATEGORIES = ("tls_sni", "quic_sni", "http_host", "dns")


def load_exceptions(path):
    """Lines: 'capture category key... # reason'; returns {(capture, category): [keys]}."""
    ex = {}
    if not os.path.exists(path):
        return ex
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split()
            ex.setdefault((parts[0], parts[1]), []).append(tuple(parts[2:]))
    return ex


def run(datatrail, pcap):
    p = subprocess.run([datatrail, "report", "--quiet", pcap], capture_output=True, timeout=600)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def expected_keys(exp):
    keys = {c: set() for c in CATEGORIES}
    for e in exp.get("tls_sni", []):
        keys["tls_sni"].add((e["client"], e["cport"], e["server"], e["sport"], e["sni"]))
    for e in exp.get("quic_sni", []):
        keys["quic_sni"].add((e["client"], e["cport"], e["server"], e["sport"], e["sni"]))
    for e in exp.get("http_host", []):
        keys["http_host"].add((e["client"], e["server"], e["sport"], e["host"]))
    for e in exp.get("dns", []):
        for a in e.get("answers", []):
            keys["dns"].add((e["query"].lower(), a))
    return keys


def found_keys(report):
    keys = {c: set() for c in CATEGORIES}
    for f in report.get("flows", []):
        c, s = f["client"], f["server"]
        tls = f.get("tls") or {}
        # the oracle's TLS entries are tshark's tls.handshake fields: DTLS has its own
        if tls.get("sni") and f["app"] != "dtls":
            keys["tls_sni"].add((c["ip"], c["port"], s["ip"], s["port"], tls["sni"]))
        quic = f.get("quic") or {}
        if quic.get("sni"):
            keys["quic_sni"].add((c["ip"], c["port"], s["ip"], s["port"], quic["sni"]))
        http = f.get("http") or {}
        if http.get("host"):
            keys["http_host"].add((c["ip"], s["ip"], s["port"], http["host"]))
    for d in report.get("dns", []):
        if d["type"] in ("A", "AAAA", "ANY"):  # an ANY query is answered with A/AAAA too
            for a in d["answers"]:
                keys["dns"].add((d["name"].lower(), a))
    return keys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--datatrail", required=True)
    ap.add_argument("--corpus", default=os.environ.get("DATATRAIL_CORPUS",
                                                        os.path.join(ROOT, "..", "shared", "corpus")))
    ap.add_argument("--figures", default=os.path.join(HERE, "corpus-figures.json"))
    ap.add_argument("--exceptions", default=os.path.join(HERE, "corpus-exceptions"))
    ap.add_argument("--only", help="substring of capture names to run")
    ap.add_argument("--verbose", "-v", action="store_true", help="list every missing/extra name")
    ap.add_argument("--record", action="store_true", help="write the measured figures")
    args = ap.parse_args()

    pcaps_dir = os.path.join(args.corpus, "pcaps")
    if not os.path.isdir(pcaps_dir):
        print(f"SKIP: no corpus at {os.path.abspath(args.corpus)} (conformance not checked)")
        return 77
    names = sorted(n for n in os.listdir(pcaps_dir) if not args.only or args.only in n)
    exceptions = load_exceptions(args.exceptions)

    def work(name):
        with open(os.path.join(args.corpus, "expected", name + ".json")) as f:
            exp = json.load(f)
        rc, out, err = run(args.datatrail, os.path.join(pcaps_dir, name))
        return name, exp, rc, out, err

    failures = []
    totals = {c: {"expected": 0, "found": 0, "reported": 0, "extra": 0} for c in CATEGORIES}
    passed = 0
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for name, exp, rc, out, err in pool.map(work, names):
            problems = []
            # An empty or unreadable capture must be reported with exit status 2.
            ok_rc = (0, 3, 2) if exp["packets"] == 0 else (0, 3)
            if rc < 0 or rc not in ok_rc:
                problems.append(f"exit status {rc}: {err.strip()[-300:]}")
            if "runtime error" in err or "AddressSanitizer" in err or "LeakSanitizer" in err:
                problems.append("sanitizer report: " + err.strip()[-500:])
            report = None
            if rc == 2 and not out.strip():
                pass  # nothing could be read: nothing is written (issue 13)
            else:
                try:
                    report = json.loads(out)
                except ValueError as e:
                    problems.append(f"output is not JSON: {e}")
            if report is not None:
                packets = sum(i["packets"] for i in report["inputs"])
                if packets != exp["packets"] and (name, "packets") not in exceptions:
                    problems.append(f"packets {packets}, tshark reads {exp['packets']}")
                want, got = expected_keys(exp), found_keys(report)
                for c in CATEGORIES:
                    skip = set(exceptions.get((name, c), []))
                    w = {k for k in want[c] if tuple(str(x) for x in k) not in skip}
                    g = {k for k in got[c] if tuple(str(x) for x in k) not in skip}
                    t = totals[c]
                    t["expected"] += len(w)
                    t["found"] += len(w & g)
                    t["reported"] += len(g)
                    t["extra"] += len(g - w)
                    if args.verbose:
                        for k in sorted(w - g, key=str):
                            print(f"  missing {c} {name}: {k}")
                        for k in sorted(g - w, key=str):
                            print(f"  extra   {c} {name}: {k}")
            if problems:
                failures.append(name)
                print(f"FAIL {name}: " + "; ".join(problems))
            else:
                passed += 1

    figures = {}
    for c in CATEGORIES:
        t = totals[c]
        recall = t["found"] / t["expected"] if t["expected"] else 1.0
        precision = (t["reported"] - t["extra"]) / t["reported"] if t["reported"] else 1.0
        figures[c] = {"recall": round(recall, 4), "precision": round(precision, 4)}
        print(f"{c:10s} recall {t['found']}/{t['expected']} = {recall:.2%}   "
              f"precision {t['reported'] - t['extra']}/{t['reported']} = {precision:.2%}")

    if args.record:
        with open(args.figures, "w") as f:
            json.dump(figures, f, indent=2, sort_keys=True)
            f.write("\n")
        print(f"recorded figures in {args.figures}")
    elif not args.only and os.path.exists(args.figures):
        with open(args.figures) as f:
            floor = json.load(f)
        for c, fig in floor.items():
            for k, v in fig.items():
                if figures[c][k] + 1e-9 < v:
                    failures.append(f"{c}.{k}")
                    print(f"FAIL regression: {c} {k} {figures[c][k]:.4f} < recorded {v:.4f}")

    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
