#!/usr/bin/env python3
"""Checks every report and flow datatrail writes against docs/report-schema.md and docs/report.schema.json.

usage: schema_test.py --datatrail PATH [--capture FILE]... [--doc FILE] [--geodb-dir DIR]
       schema_test.py --write-schema [--doc FILE]   (regenerates docs/report.schema.json)

docs/report.schema.json (JSON Schema draft 2020-12: the report, and
$defs/flow for one flow, also one line of `datatrail flows`) is generated
from the path table of docs/report-schema.md and the summary table
lib/report/summary.def (its counters are integers); the test fails when the
committed file differs from what they generate, when the two tables disagree
on the summary's keys or their order, or when an output does not validate
(python3-jsonschema, Debian's package; a python without it re-runs the test
under /usr/bin/python3).

Builds reports from testdata/sample.pcapng (when present) and from the captures
given with --capture: `report` (with and without --debug-streams), `flows`
(NDJSON) and `merge` of a report; plus a report of a PCAPdroid capture (processes)
and of a crafted capture (an
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
SCHEMA = os.path.join(ROOT, "docs", "report.schema.json")
SUMMARY_DEF = os.path.join(ROOT, "lib", "report", "summary.def")


def load_jsonschema():
    """The jsonschema module; under a python without it (pyenv's), the test
    runs again under /usr/bin/python3 (Debian's python3-jsonschema)."""
    try:
        import jsonschema  # noqa: F401
        return jsonschema
    except ImportError:
        pass
    system = "/usr/bin/python3"
    if (os.path.exists(system) and os.path.realpath(sys.executable) != os.path.realpath(system)
            and not os.environ.get("DT_SCHEMA_REEXEC")):
        os.environ["DT_SCHEMA_REEXEC"] = "1"
        os.execv(system, [system] + sys.argv)
    sys.stderr.write("schema_test: the jsonschema module is missing: apt-get install "
                     "python3-jsonschema (scripts/setup installs it)\n")
    sys.exit(2)


def doc_rows(doc):
    """(path, type, meaning) of every table row, in document order."""
    rows = []
    with open(doc, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^\|\s*`([^`]+)`\s*\|\s*([^|]*?)\s*\|\s*(.*?)\s*\|\s*$", line)
            if m:
                rows.append(m.groups())
    return rows


def summary_def():
    """The summary keys of lib/report/summary.def in order: (key, kind)."""
    keys = []
    with open(SUMMARY_DEF, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^DT_SUM_(U64|COUNTS|DERIVED)\((\w+)", line)
            if m:
                keys.append((m.group(2), m.group(1)))
    return keys


# Flow keys written only with enrichment (`--no-geo`: absent).
ENRICHMENT = {"country", "registered_country", "asn", "org", "class", "domain", "recipient", "host", "transfer"}


def parent_of(path):
    if path.endswith("[]"):
        return path[:-2], "items"
    if "." not in path:
        return "", path
    head, key = path.rsplit(".", 1)
    return head, key


def type_schema(t):
    base = {"string": "string", "number": "number", "bool": "boolean", "object": "object",
            "array": "array"}
    m = re.match(r"^array of (string|number)$", t)
    if m:
        return {"type": "array", "items": {"type": base[m.group(1)]}}
    parts = [p.strip() for p in t.split(" or ")]
    types = [base[p] if p != "null" else "null" for p in parts]
    return {"type": types[0] if len(types) == 1 else types}


def optional(path, meaning):
    head, key = parent_of(path)
    return "absent" in meaning or (head == "flows[].server" and key in ENRICHMENT)


def build_schema(doc):
    rows = doc_rows(doc)
    integers = {k for k, kind in summary_def() if kind == "U64"}
    counts = {"summary." + k for k, kind in summary_def() if kind == "COUNTS"}
    nodes = {"": {"type": "object"}}
    children = {"": []}
    for path, t, meaning in rows:
        node = type_schema(t)
        node["description"] = meaning
        head, key = parent_of(path)
        if head == "summary" and key in integers:
            node["type"] = "integer"
            node["minimum"] = 0
        if head in counts:
            node["type"] = "integer"
            node["minimum"] = 0
        nodes[path] = node
        children.setdefault(path, [])
        children.setdefault(head, []).append((key, path, meaning))

    def finish(path):
        node = nodes[path]
        kinds = node["type"] if isinstance(node["type"], list) else [node["type"]]
        kids = children.get(path, [])
        if "object" in kinds:
            props, req = {}, []
            for key, p, meaning in kids:
                if key == "*":
                    node["additionalProperties"] = finish(p)
                else:
                    props[key] = finish(p)
                    if not optional(p, meaning):
                        req.append(key)
            if props:
                node["properties"] = props
                node["required"] = req
            # other keys are allowed: keys are added within a schema version
            # (the path table check above keeps the document complete)
        if "array" in kinds:
            for key, p, _ in kids:
                if key == "items":
                    node["items"] = finish(p)
        return node

    root = finish("")
    flow = root["properties"]["flows"].pop("items")
    root["properties"]["flows"]["items"] = {"$ref": "#/$defs/flow"}
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
              "title": "datatrail report (schema 1)",
              "description": "Generated by tests/schema_test.py --write-schema from "
                             "docs/report-schema.md and lib/report/summary.def.",
              "$defs": {"flow": dict(flow, title="one flow (a line of `datatrail flows`)")}}
    schema.update(root)
    return schema


def check_tables(doc):
    """The summary keys of the document, in order, are those of summary.def."""
    want = [k for k, _ in summary_def()]
    have = [parent_of(p)[1] for p, _, _ in doc_rows(doc) if parent_of(p)[0] == "summary"]
    if want != have:
        return [f"summary keys of {doc} differ from lib/report/summary.def:",
                f"  document: {have}", f"  table:    {want}"]
    return []


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


def process_capture(path):
    """A TLS connection recorded by PCAPdroid with its app trailer: fills flows[].process
    and the processes table."""
    sys.path.insert(0, HERE)
    import pcapgen as g
    sess = g.TcpSession("192.168.1.20", "1.12.36.7", 40000, 443)
    sess.handshake()
    sess.send("c2s", g.tls_client_hello("maps.example.com"))
    sess.close()
    frames = [g.pcapdroid(p, uid=10100, app=b"com.maps") for _, p in sess.ip_packets()]
    with open(path, "wb") as f:
        f.write(g.write_pcap(g.timed(frames)))


def run(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # 0: fine; 3 (and others below 64): finished with input errors, output still written
    # 4: --policy violated, the report is written
    if r.returncode not in (0, 1, 3, 4) or not r.stdout:
        sys.stderr.write(f"schema_test: {' '.join(cmd)} failed ({r.returncode}):\n")
        sys.stderr.write(r.stderr.decode("utf-8", "replace"))
        return None
    return r.stdout.decode("utf-8")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datatrail")
    ap.add_argument("--write-schema", action="store_true")
    ap.add_argument("--capture", action="append", default=[])
    ap.add_argument("--doc", default=os.path.join(ROOT, "docs", "report-schema.md"))
    ap.add_argument("--geodb-dir", default=None)
    a = ap.parse_args()
    if a.write_schema:
        with open(SCHEMA, "w", encoding="utf-8") as f:
            json.dump(build_schema(a.doc), f, indent=2)
            f.write("\n")
        print(f"wrote {SCHEMA}")
        return 0
    if not a.datatrail:
        ap.error("--datatrail is required")
    jsonschema = load_jsonschema()
    failures = check_tables(a.doc)
    schema = build_schema(a.doc)
    with open(SCHEMA, encoding="utf-8") as f:
        if json.load(f) != schema:
            failures.append(f"{SCHEMA} is not what {a.doc} and summary.def generate: run "
                            "tests/schema_test.py --write-schema")
    report_v = jsonschema.Draft202012Validator(schema)
    flow_v = jsonschema.Draft202012Validator({"$defs": schema["$defs"], "$ref": "#/$defs/flow"})
    order = [k for k, _ in summary_def()]
    validated = [0]

    def validate(v, doc, what):
        validated[0] += 1
        for e in sorted(v.iter_errors(doc), key=lambda e: list(e.path))[:5]:
            failures.append(f"{what}: {'/'.join(map(str, e.path))}: {e.message[:200]}")
        if v is report_v and list(doc.get("summary", {})) != order:
            failures.append(f"{what}: summary keys not in the order of summary.def")

    testdata = os.environ.get("DT_TESTDATA") or os.path.join(ROOT, "testdata")
    captures = list(a.capture)
    # a few real captures when the shared corpus is there: a TLS certificate,
    # DNS over TLS, CAPWAP tunnels
    corpus = os.environ.get("CORPUS") or os.path.join(ROOT, "..", "shared", "corpus", "pcaps")
    for name in ("ndpi-dns_dot.pcap", "ndpi-capwap.pcap", "ndpi-tls_verylong_certificate.pcap"):
        if os.path.exists(os.path.join(corpus, name)):
            captures.append(os.path.join(corpus, name))
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
            validate(report_v, rep, "report " + " ".join(extra))
            walk(rep, "", seen)
            outputs += 1
            if not extra:
                saved = os.path.join(tmp, "r.json")
                with open(saved, "w", encoding="utf-8") as f:
                    f.write(text)
        # violations[] of every rule, from a policy every capture breaks
        policy = os.path.join(tmp, "policy.json")
        with open(policy, "w", encoding="utf-8") as f:
            json.dump({"allow_countries": [], "deny_countries": ["US", "CN"],
                       "allow_transfer": [], "deny_transfer": ["eea", "third_country"],
                       "allow_recipients": [], "deny_recipients": ["Google"],
                       "deny_domains": ["com"], "plaintext": False, "max_bytes_per_hour": 0}, f)
        text = run([a.datatrail, "report", "-f", "json", "--policy", policy, "--window", "1h"] +
                   geo + captures)
        if text is None:
            return 2
        validate(report_v, json.loads(text), "report --policy --window 1h")
        walk(json.loads(text), "", seen)
        outputs += 1
        text = run([a.datatrail, "merge", "-f", "json", saved])
        if text is not None:
            validate(report_v, json.loads(text), "merge")
            walk(json.loads(text), "", seen)
            outputs += 1
        # crafted input, no geolocation data (a warning), a --local network
        crafted = os.path.join(tmp, "crafted.pcap")
        crafted_capture(crafted)
        nogeo = os.path.join(tmp, "nogeo")
        os.mkdir(nogeo)
        procs = os.path.join(tmp, "pcapdroid.pcap")
        process_capture(procs)
        text = run([a.datatrail, "report", "-f", "json", "--geodb-dir", nogeo,
                    "--local", "10.0.0.0/8", crafted, procs])
        if text is not None:
            validate(report_v, json.loads(text), "crafted report")
            walk(json.loads(text), "", seen)
            outputs += 1
        # without enrichment, without flows
        for extra in (["--no-geo"], ["--no-flows"]):
            text = run([a.datatrail, "report", "-f", "json"] + extra + captures)
            if text is not None:
                validate(report_v, json.loads(text), "report " + " ".join(extra))
                outputs += 1
        text = run([a.datatrail, "flows", "-f", "json", "--no-geo"] + captures)
        if text is not None:
            for i, line in enumerate(text.splitlines()):
                if line.strip():
                    validate(flow_v, json.loads(line), f"flows --no-geo line {i + 1}")
        text = run([a.datatrail, "flows", "-f", "json"] + geo + captures)
        if text is not None:
            for i, line in enumerate(text.splitlines()):
                if line.strip():
                    validate(flow_v, json.loads(line), f"flows line {i + 1}")
                    walk([json.loads(line)], "flows", seen)
            outputs += 1

    undocumented = sorted(p for p in seen if not any(matches(p, d) for d in documented))
    unseen = sorted(d for d in documented if not any(matches(p, d) for p in seen))
    print(f"schema_test: {outputs} outputs, {len(seen)} key paths, "
          f"{len(documented)} documented, {validated[0]} documents validated against {SCHEMA}")
    if failures:
        print(f"FAIL: {len(failures)} schema problems:")
        for f in failures[:50]:
            print(f"  {f}")
        return 1
    if unseen:
        print(f"warning: {len(unseen)} documented paths never seen:")
        for p in unseen:
            print(f"  {p}")
    if undocumented:
        print(f"FAIL: {len(undocumented)} key paths not in {a.doc}:")
        for p in undocumented:
            print(f"  {p}")
        return 1
    print("ok: every key is documented, every output valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
