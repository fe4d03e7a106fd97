#!/usr/bin/env python3
"""Runs the crafted-capture cases of tests/cases.py against a datatrail binary.

    python3 tests/run_cases.py --datatrail build/datatrail --work build/cases [--only NAME ...]
    python3 tests/run_cases.py --list
    python3 tests/run_cases.py --write-only --work DIR      (captures only, e.g. for tshark)
    python3 tests/run_cases.py --tshark --work DIR          (check the generator with tshark)

Each case's captures go to WORK/NAME/; datatrail runs there with relative file names.
Prints "ok NAME" or "FAIL NAME: detail" per case, then "N passed, N failed"; exit 1 on failure.
"""

import argparse
import json
import os
import subprocess
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cases  # noqa: E402

TIMEOUT = 60


def fmt(v):
    s = json.dumps(v, sort_keys=True)
    return s if len(s) <= 200 else s[:200] + "...(%d chars)" % len(s)


def compare(path, want, got, errs):
    """want is a subset of got: dicts recursively, lists element-wise with equal length."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            errs.append("%s: got %s, want an object" % (path, fmt(got)))
            return
        for k, v in want.items():
            if k not in got:
                errs.append("%s.%s: missing (want %s)" % (path, k, fmt(v)))
            else:
                compare("%s.%s" % (path, k), v, got[k], errs)
    elif isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            errs.append("%s: got %s, want %s" % (path, fmt(got), fmt(want)))
            return
        for i, (w, g) in enumerate(zip(want, got)):
            compare("%s[%d]" % (path, i), w, g, errs)
    elif isinstance(want, str) and isinstance(got, str) and len(want) > 64 and want != got:
        # long hex streams: say where they differ
        n = next((i for i, (a, b) in enumerate(zip(want, got)) if a != b), min(len(want), len(got)))
        errs.append("%s: differs at hex char %d (byte %d): got len %d ...%s..., "
                    "want len %d ...%s..."
                    % (path, n, n // 2, len(got), got[max(0, n - 8):n + 24],
                       len(want), want[max(0, n - 8):n + 24]))
    elif want != got or isinstance(want, bool) != isinstance(got, bool):
        errs.append("%s: got %s, want %s" % (path, fmt(got), fmt(want)))


def flow_key(f):
    try:
        return (f.get("proto"), f["client"]["ip"], f["client"].get("port"), f["server"]["ip"],
                f["server"].get("port"))
    except (KeyError, TypeError, AttributeError):
        return None


def flow_label(k):
    return "%s %s:%s->%s:%s" % k


def run(cmd, cwd, stdin_path):
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    try:
        p = subprocess.run(cmd, cwd=cwd, stdin=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT)
        return (p.returncode, p.stdout.decode("utf-8", "replace"),
                p.stderr.decode("utf-8", "replace"))
    except subprocess.TimeoutExpired:
        return None, "", "timeout after %ds" % TIMEOUT
    finally:
        if stdin_path:
            stdin.close()


def stderr_tail(err):
    err = err.strip().replace("\n", " | ")
    return (" [stderr: %s]" % err[-300:]) if err else ""


def check_case(name, spec, exe, work):
    d = os.path.join(work, name)
    os.makedirs(d, exist_ok=True)
    for fn, data in spec["files"]:
        with open(os.path.join(d, fn), "wb") as f:
            f.write(data)
    inputs = spec.get("inputs") or [fn for fn, _ in spec["files"]]
    stdin_path = os.path.join(d, spec["stdin"]) if spec.get("stdin") else None
    args = list(spec.get("args", []))
    errs = []
    flows = None

    if "flows" in spec or "nflows" in spec:
        rc, out, err = run([exe, "flows", "--debug-streams"] + args + inputs, d, stdin_path)
        if rc is None:
            return ["flows: " + err]
        flows = []
        for i, line in enumerate(out.splitlines()):
            if not line.strip():
                continue
            try:
                flows.append(json.loads(line))
            except ValueError as x:
                errs.append("flows: line %d is not JSON (%s): %s" % (i + 1, x, line[:120]))
        if rc not in (0, spec.get("exit", 0)):
            errs.append("flows: exit code %s, want %s%s"
                        % (rc, spec.get("exit", 0), stderr_tail(err)))
        if "nflows" in spec and len(flows) != spec["nflows"]:
            errs.append("flows: %d flows, want %d: %s" % (len(flows), spec["nflows"],
                        ", ".join(flow_label(flow_key(f)) for f in flows if flow_key(f))))
        by_key = {}
        for f in flows:
            by_key.setdefault(flow_key(f), f)
        single_input = len(inputs) == 1
        for want in spec.get("flows", []):
            want = dict(want)
            if single_input and "input" not in want:
                want["input"] = inputs[0]
            k = flow_key(want)
            if k is None:
                errs.append("case error: expected flow without client/server ip and port")
                continue
            got = by_key.get(k)
            if got is None:
                rev = (k[0], k[3], k[4], k[1], k[2])
                if rev in by_key:
                    errs.append("flow %s: found with client and server swapped" % flow_label(k))
                    continue
                errs.append("flow %s: missing (have: %s)" % (flow_label(k), ", ".join(
                    flow_label(flow_key(f)) for f in flows if flow_key(f)) or "none"))
                continue
            ferrs = []
            compare("", want, got, ferrs)
            errs += ["flow %s: %s" % (flow_label(k), e.lstrip(".")) for e in ferrs]

    if "summary" in spec or "rinputs" in spec or "exit" in spec or "check" in spec:
        rc, out, err = run([exe, "report"] + args + inputs, d, stdin_path)
        if rc is None:
            return errs + ["report: " + err]
        want_rc = spec.get("exit", 0)
        if rc != want_rc:
            errs.append("report: exit code %s, want %s%s" % (rc, want_rc, stderr_tail(err)))
        try:
            rep = json.loads(out) if out.strip() else None
        except ValueError as x:
            rep = None
            errs.append("report: not JSON (%s): %s" % (x, out[:120]))
        if rep is None and ("summary" in spec or "rinputs" in spec or "check" in spec):
            if not out.strip():
                errs.append("report: no output%s" % stderr_tail(err))
        elif rep is not None:
            if spec.get("twice"):
                rc2, out2, _ = run([exe, "report"] + args + inputs, d, stdin_path)
                if out2 != out:
                    n = next((i for i, (a, b) in enumerate(zip(out, out2)) if a != b),
                             min(len(out), len(out2)))
                    errs.append("report: not deterministic, two runs differ at char %d: %r vs %r"
                                % (n, out[max(0, n - 40):n + 40], out2[max(0, n - 40):n + 40]))
            if "summary" in spec:
                compare("summary", spec["summary"], rep.get("summary"), errs)
            if "rinputs" in spec:
                compare("inputs", spec["rinputs"], rep.get("inputs"), errs)
            if "check" in spec:
                errs += spec["check"](rep, flows)
    return errs


def tshark_check(selected, work):
    """Every capture must be read by tshark with no malformed packet and no bad checksum,
    unless the case says it is deliberately broken (tshark_malformed: True)."""
    passed = failed = 0
    for n, f in selected:
        spec = f()
        d = os.path.join(work, n)
        os.makedirs(d, exist_ok=True)
        errs = []
        for fn, data in spec["files"]:
            path = os.path.join(d, fn)
            with open(path, "wb") as fh:
                fh.write(data)
            p = subprocess.run(["tshark", "-n", "-r", path, "-o", "tcp.check_checksum:TRUE",
                                "-o", "udp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
                                "-T", "fields", "-e", "frame.number", "-e", "_ws.malformed",
                                "-e", "ip.checksum.status", "-e", "tcp.checksum.status",
                                "-e", "udp.checksum.status"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
            err = p.stderr.decode("utf-8", "replace")
            err = "\n".join(x for x in err.splitlines() if "Running as user" not in x)
            bad = []
            for line in p.stdout.decode().splitlines():
                c = line.split("\t")
                if c[1:2] != [""] or any("0" in x.split(",") for x in c[2:]):
                    bad.append(c[0])
            if (bad or err.strip()) and n not in cases.TSHARK_MALFORMED:
                errs.append("%s: malformed/bad checksum in frames %s %s"
                            % (fn, ",".join(bad[:10]), err.strip()[:200]))
        if errs:
            failed += 1
            print("FAIL %s: %s" % (n, "; ".join(errs)))
        else:
            passed += 1
            print("ok %s" % n)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--datatrail", help="path to the datatrail binary")
    ap.add_argument("--work", default="cases-work", help="directory for generated captures")
    ap.add_argument("--only", action="append", default=[], help="run only this case (repeatable)")
    ap.add_argument("--list", action="store_true", help="list case names")
    ap.add_argument("--write-only", action="store_true", help="only write the captures")
    ap.add_argument("--tshark", action="store_true",
                    help="write the captures and check that tshark reads them without malformed "
                         "packets or bad checksums (except cases.TSHARK_MALFORMED)")
    a = ap.parse_args()

    selected = [(n, f) for n, f in cases.CASES if not a.only or n in a.only]
    if a.list:
        for n, _ in cases.CASES:
            print(n)
        return 0
    unknown = set(a.only) - {n for n, _ in cases.CASES}
    if unknown:
        print("unknown case(s): %s" % ", ".join(sorted(unknown)))
        return 2
    work = os.path.abspath(a.work)
    os.makedirs(work, exist_ok=True)
    if a.write_only:
        for n, f in selected:
            d = os.path.join(work, n)
            os.makedirs(d, exist_ok=True)
            for fn, data in f()["files"]:
                with open(os.path.join(d, fn), "wb") as fh:
                    fh.write(data)
        print("%d cases written to %s" % (len(selected), work))
        return 0
    if a.tshark:
        return tshark_check(selected, work)
    if not a.datatrail:
        ap.error("--datatrail is required")
    exe = os.path.abspath(a.datatrail)
    passed = failed = 0
    for n, f in selected:
        try:
            errs = check_case(n, f(), exe, work)
        except Exception as x:  # a broken case must not hide the others
            errs = ["runner error: %r" % x]
        if errs:
            failed += 1
            print("FAIL %s: %s" % (n, "; ".join(errs)))
        else:
            passed += 1
            print("ok %s" % n)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
