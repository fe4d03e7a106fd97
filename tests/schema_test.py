#!/usr/bin/env python3
"""Checks that every key datatrail writes is documented in docs/report-schema.md.

usage: schema_test.py --datatrail PATH [--capture FILE]... [--doc FILE] [--geodb-dir DIR]

Builds reports from testdata/sample.pcapng (when present) and from the captures
given with --capture: `report` (with and without --debug-streams), `flows`
(NDJSON) and `merge` of a report; plus a report of a crafted capture (an
unsupported link type, a truncated record) without geolocation data.  Every key path of the output (e.g.
`flows[].server.country`) must match a `path` row of the schema document;
documented paths never seen are listed as a warning.  Exit status 0 when all
keys are documented, 1 otherwise, 2 on usage or run errors.
"""

import argparse
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def doc_paths(doc):
    """The `path` column of every table row: | `a.b[].c` | type | meaning |"""
    paths = set()
    with open(doc, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^\|\s*`([^`]+)`\s*\|", line)
            if m:
                paths.add(m.group(1))
    return paths


def split(path):
    """'a.b[].c' -> ['a', 'b[]', 'c']"""
    return path.split(".") if path else []


def matches(concrete, pattern):
    c, p = split(concrete), split(pattern)
    if len(c) != len(p):
        return False
    for cs, ps in zip(c, p):
        # '*' stands for any key of an object (not an array)
        if ps != cs and not (ps == "*" and not cs.endswith("[]")):
            return False
    return True


def walk(value, path, out):
    if isinstance(value, dict):
        for k, v in value.items():
            p = f"{path}.{k}" if path else k
            out.add(p)
            walk(v, p, out)
    elif isinstance(value, list):
        for v in value:
            out.add(path + "[]")
            walk(v, path + "[]", out)


def crafted_capture(path):
    """A pcap with a frame of an unsupported link type (USER0, 147) and a
    truncated second record: fills summary.unsupported_link_types and
    inputs[].errors."""
    hdr = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 147)
    rec = struct.pack("<IIII", 1666599300, 0, 4, 4) + b"abcd"
    cut = struct.pack("<IIII", 1666599301, 0, 100, 100) + b"xy"
    with open(path, "wb") as f:
        f.write(hdr + rec + cut)


def run(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # 0: fine; 3 (and others below 64): finished with input errors, output still written
    if r.returncode not in (0, 1, 3) or not r.stdout:
        sys.stderr.write(f"schema_test: {' '.join(cmd)} failed ({r.returncode}):\n")
        sys.stderr.write(r.stderr.decode("utf-8", "replace"))
        return None
    return r.stdout.decode("utf-8")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datatrail", required=True)
    ap.add_argument("--capture", action="append", default=[])
    ap.add_argument("--doc", default=os.path.join(ROOT, "docs", "report-schema.md"))
    ap.add_argument("--geodb-dir", default=None)
    a = ap.parse_args()

    testdata = os.environ.get("DT_TESTDATA") or os.path.join(ROOT, "testdata")
    captures = list(a.capture)
    sample = os.path.join(testdata, "sample.pcapng")
    if os.path.exists(sample):
        captures.insert(0, sample)
    if not captures:
        sys.stderr.write("schema_test: no testdata/sample.pcapng and no --capture\n")
        return 2
    documented = doc_paths(a.doc)
    if not documented:
        sys.stderr.write(f"schema_test: no path rows in {a.doc}\n")
        return 2

    geo = ["--geodb-dir", a.geodb_dir] if a.geodb_dir else []
    seen = set()
    outputs = 0
    with tempfile.TemporaryDirectory(prefix="dt-schema-") as tmp:
        for extra in ([], ["--debug-streams"]):
            text = run([a.datatrail, "report", "-f", "json"] + geo + extra + captures)
            if text is None:
                return 2
            rep = json.loads(text)
            walk(rep, "", seen)
            outputs += 1
            if not extra:
                saved = os.path.join(tmp, "r.json")
                with open(saved, "w", encoding="utf-8") as f:
                    f.write(text)
        text = run([a.datatrail, "merge", "-f", "json", saved])
        if text is not None:
            walk(json.loads(text), "", seen)
            outputs += 1
        # crafted input, no geolocation data (a warning), a --local network
        crafted = os.path.join(tmp, "crafted.pcap")
        crafted_capture(crafted)
        nogeo = os.path.join(tmp, "nogeo")
        os.mkdir(nogeo)
        text = run([a.datatrail, "report", "-f", "json", "--geodb-dir", nogeo,
                    "--local", "10.0.0.0/8", crafted])
        if text is not None:
            walk(json.loads(text), "", seen)
            outputs += 1
        text = run([a.datatrail, "flows", "-f", "json"] + geo + captures)
        if text is not None:
            for line in text.splitlines():
                if line.strip():
                    walk([json.loads(line)], "flows", seen)
            outputs += 1

    undocumented = sorted(p for p in seen if not any(matches(p, d) for d in documented))
    unseen = sorted(d for d in documented if not any(matches(p, d) for p in seen))
    print(f"schema_test: {outputs} outputs, {len(seen)} key paths, "
          f"{len(documented)} documented")
    if unseen:
        print(f"warning: {len(unseen)} documented paths never seen:")
        for p in unseen:
            print(f"  {p}")
    if undocumented:
        print(f"FAIL: {len(undocumented)} key paths not in {a.doc}:")
        for p in undocumented:
            print(f"  {p}")
        return 1
    print("ok: every key is documented")
    return 0


if __name__ == "__main__":
    sys.exit(main())
