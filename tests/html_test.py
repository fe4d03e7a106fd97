#!/usr/bin/env python3
"""The HTML report (issue 16): `report -f html` and `merge -f html`.

(a) the sample's page parses strictly (balanced tags, unique ids, one script,
    a Content-Security-Policy) and names no network address; size bounds;
(b) hostile names (SNI, HTTP Host, file name with <script>, quotes, </style>,
    U+2028, invalid UTF-8) end up as text, never as elements;
(c) headless Chromium, with the network off, with and without JavaScript:
    the rendered DOM has the headline numbers, the top recipient and a shaded
    map path per country of the report; the screenshot is not blank;
(d) the page of a merged report renders too (the sample twice, and the shared
    corpus when present); without data/worldmap.txt the map section says so
    and the rest is written.
Chromium (Debian package chromium, installed by scripts/setup) missing or
unable to run: the checks of (c) are skipped, saying so.

usage: tests/html_test.py --datatrail PATH [--work DIR]
"""
import html.parser
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SAMPLE = os.path.join(ROOT, "testdata", "sample.pcapng")
WORLDMAP = os.path.join(ROOT, "data", "worldmap.txt")
sys.path.insert(0, HERE)
import pcapgen as g  # noqa: E402
from harness import check, finish, options  # noqa: E402

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
EXTERNAL = re.compile(r"(https?:)?//|url\(", re.I)


class Page(html.parser.HTMLParser):
    """A strict reading: every element closed in order (SVG elements may
    close themselves), ids unique; what the checks need is collected."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.ids, self.tags = [], [], {}, []
        self.attrs_seen, self.text, self.paths, self.section = [], [], [], None
        self.section_text = {}
        self.scripts = 0

    def _start(self, tag, attrs, closed):
        a = dict(attrs)
        self.tags.append(tag)
        self.attrs_seen.append((tag, attrs))
        if "id" in a:
            if a["id"] in self.ids:
                self.errors.append("duplicate id " + a["id"])
            self.ids[a["id"]] = tag
        if tag == "script":
            self.scripts += 1
        if tag == "section":
            self.section = a.get("id")
        if tag == "path" and "data-cc" in a:
            self.paths.append(a)
        if not closed and tag not in VOID:
            self.stack.append(tag)

    def handle_starttag(self, tag, attrs):
        self._start(tag, attrs, False)

    def handle_startendtag(self, tag, attrs):
        self._start(tag, attrs, True)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("</%s> closes %s" % (tag, self.stack[-1] if self.stack else "nothing"))
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()

    def handle_data(self, data):
        if "script" in self.stack or "style" in self.stack:
            return
        self.text.append(data)
        if self.section:
            self.section_text[self.section] = self.section_text.get(self.section, "") + data

    def all_text(self):
        return "".join(self.text)


def parse(text):
    p = Page()
    p.feed(text)
    p.close()
    if p.stack:
        p.errors.append("left open: " + " ".join(p.stack))
    return p


def run(dt, *args, env=None):
    return subprocess.run([dt] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=300, env=env)


def read(path):
    with open(path, encoding="utf-8", errors="strict") as f:
        return f.read()


def fmt_bytes(b):
    """As the report writes bytes (render.c)."""
    if b < 1000:
        return "%.0f B" % b
    units, u, b = ["kB", "MB", "GB", "TB", "PB"], 0, b / 1000
    while b >= 999.95 and u < 4:
        b, u = b / 1000, u + 1
    return "%.1f %s" % (b, units[u])


def map_codes():
    codes = set()
    with open(WORLDMAP, encoding="utf-8") as f:
        for line in f:
            if re.match(r"[A-Z]{2} M", line):
                codes.add(line[:2])
    return codes


def structure(name, text, max_bytes):
    """(a): strict parse, CSP, one script, no external address; the parsed page."""
    p = parse(text)
    check(name + ": parses strictly", not p.errors, p.errors[:5])
    check(name + ": starts with <!DOCTYPE html>", text.startswith("<!DOCTYPE html>"))
    csp = [dict(a).get("content", "") for t, a in p.attrs_seen
           if t == "meta" and dict(a).get("http-equiv") == "Content-Security-Policy"]
    check(name + ": CSP forbids the network",
          len(csp) == 1 and "default-src 'none'" in csp[0] and "img-src data:" in csp[0], csp)
    check(name + ": one script element", p.scripts == 1, p.scripts)
    bad = [(t, k, v) for t, attrs in p.attrs_seen for k, v in attrs
           if k in ("src", "href", "xlink:href", "style", "action") and v and EXTERNAL.search(v)]
    check(name + ": no src/href/url() to an address", not bad, bad[:3])
    refs = [m for m in re.findall(r"(?:src|href)\s*=\s*[\"']?([^\"' >]*)|url\(([^)]*)\)", text)
            if re.search(r"https?:", "".join(m))]
    check(name + ": no http:// or https:// in any src, href or url()", not refs, refs[:3])
    check(name + ": no element that loads (img, link, iframe, object)",
          not set(p.tags) & {"img", "link", "iframe", "object", "embed"})
    check(name + ": size %d bytes < %d" % (len(text.encode()), max_bytes),
          len(text.encode()) < max_bytes)
    return p


def sections_in_order(name, p):
    want = ["answer", "map", "bars", "timeline", "flow", "tables", "quality", "inputs", "how"]
    got = [i for i in p.ids if i in want]
    check(name + ": sections in the issue's order", got == want, got)


def hostile_capture(work):
    """SNI and HTTP Host with markup, quotes, U+2028 and invalid UTF-8."""
    s = g.TcpSession("192.168.1.20", "52.219.170.45", 51000, 443, mss=1400)
    s.handshake()
    s.send("c2s", g.tls_client_hello(b"a<script>alert(1)</script>.example.com", ("h2",)))
    s.send("s2c", g.tls_server_hello())
    s.send("c2s", g.tls_app_data(300))
    s.close()
    h = g.TcpSession("192.168.1.20", "35.186.224.25", 51001, 80, mss=1400)
    h.handshake()
    h.send("c2s", b"GET / HTTP/1.1\r\nHost: x</style>\"'<img src=x onerror=alert(2)>"
           b"\xe2\x80\xa8\xff\xfe.example.org\r\n\r\n")
    h.close()
    frames = [g.eth_for(p) for _, p in s.ip_packets() + h.ip_packets()]
    # the file name too: markup, a quote, U+2028 and an invalid byte
    path = os.path.join(work.encode(), b"ev<u>il\"\xe2\x80\xa8\xff.pcap")
    with open(path, "wb") as f:
        f.write(g.write_pcap(g.timed(frames)))
    return path


def escaping(dt, work):
    """(b)"""
    cap = hostile_capture(work)
    out = os.path.join(work, "hostile.html")
    r = run(dt, "report", "-q", "-f", "html", "-o", out, cap)
    check("hostile: report -f html exits 0", r.returncode == 0, r.stderr[-300:])
    if r.returncode:
        return None
    raw = open(out, "rb").read()
    text = raw.decode("utf-8")  # strict: invalid UTF-8 was replaced
    p = structure("hostile", text, 5 << 20)
    body = p.all_text()
    check("hostile: the SNI is text", "a<script>alert(1)</script>.example.com" in body)
    check("hostile: the Host is text", "x</style>\"'<img src=x onerror=alert(2)>" in body)
    check("hostile: the file name is text, U+2028 kept, invalid byte as U+FFFD",
          "ev<u>il\"\u2028\ufffd.pcap" in body)
    check("hostile: no raw U+2028 or U+2029 in the file",
          "\u2028" not in text and "\u2029" not in text)
    check("hostile: no injected element", not set(p.tags) & {"img", "u"} and p.scripts == 1,
          sorted(set(p.tags)))
    check("hostile: no event handler attribute",
          not [k for _, attrs in p.attrs_seen for k, _ in attrs if k.startswith("on")])
    return out


class Chromium:
    def __init__(self):
        self.exe = shutil.which("chromium") or shutil.which("chromium-browser")
        self.why = None if self.exe else "no chromium (Debian package chromium; scripts/setup)"
        if self.exe:
            r = self.run("--dump-dom", "about:blank")
            if r is None or r.returncode or "<html" not in r.stdout.decode(errors="replace"):
                self.why = "chromium cannot run here: " + (
                    "timed out" if r is None else r.stderr.decode(errors="replace")[-300:])

    def run(self, *args, js=True):
        cmd = [self.exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-extensions", "--disable-background-networking",
               "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
               "--user-data-dir=" + self.profile]
        if not js:
            cmd.append("--blink-settings=scriptEnabled=false")
        try:
            return subprocess.run(cmd + list(args), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, timeout=120)
        except subprocess.TimeoutExpired:
            return None

    profile = "/tmp/dt-html-test-profile"


def png_colours(path):
    """Distinct colours and the share of pixels that are not the top-left one."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return 0, 0.0
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    if depth != 8 or ctype not in (2, 6):
        return 0, 0.0
    bpp = 3 if ctype == 2 else 4
    raw, stride = zlib.decompress(idat), w * bpp
    prev, colours, other, first = bytearray(stride), set(), 0, None
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 255
            elif f == 4:
                c = prev[i - bpp] if i >= bpp else 0
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for x in range(0, stride, bpp * 2):  # every other pixel is plenty
            px = bytes(line[x:x + 3])
            first = px if first is None else first
            colours.add(px)
            other += px != first
        prev = line
    return len(colours), other / max(1, (h * w) // 2)


def no_script_copy(page, work, name):
    """The page with a Content-Security-Policy of script-src 'none': Chromium
    runs no script of it, as with JavaScript off.  (This Chromium's headless
    --dump-dom and --screenshot write nothing with
    --blink-settings=scriptEnabled=false: they need script themselves.)"""
    text = read(page)
    out = os.path.join(work, name + "-noscript.html")
    with open(out, "w", encoding="utf-8") as f:
        f.write(re.sub(r"script-src [^;\"]*", "script-src 'none'", text, count=1))
    return out


def rendered(ch, name, page, report, work, png=True):
    """(c): the DOM Chromium renders, with and without JavaScript."""
    codes = map_codes()
    up = report["summary"]["bytes_up"]
    top = next((c["name"] for c in report["companies"] if c["bytes_up"]), None)
    shaded = {c["code"] for c in report["countries"] if c.get("code") and c["bytes_up"]}
    for js in (True, False):
        tag = "%s (%s)" % (name, "JavaScript" if js else "no JavaScript")
        url = "file://" + os.path.abspath(page)
        t0 = time.monotonic()
        r = ch.run("--dump-dom", url, js=js)
        if not js and r is not None and not r.stdout.strip():
            url = "file://" + no_script_copy(page, work, name)
            r = ch.run("--dump-dom", url)
        print("     %s: chromium --dump-dom %.2f s" % (tag, time.monotonic() - t0))
        ok = r is not None and r.returncode == 0
        check(tag + ": chromium renders it", ok, r and r.stderr[-300:])
        if not ok:
            continue
        dom = parse(r.stdout.decode("utf-8"))
        answer = dom.section_text.get("answer", "")
        check(tag + ": the answer has the bytes sent (%s)" % fmt_bytes(up), fmt_bytes(up) in answer,
              answer[:300])
        check(tag + ": the answer has the recipients and countries",
              "%d recipient" % report["summary"]["companies"] in answer and
              "%d countr" % report["summary"]["countries"] in answer, answer[:300])
        check(tag + ": the top recipient is named (%s)" % top, top is None or top in answer)
        paths = {p["data-cc"]: p.get("class", "") for p in dom.paths}
        missing = sorted(c for c in shaded & codes if not re.fullmatch(r"s[1-5]", paths.get(c, "")))
        check(tag + ": a shaded map path per country of the report (%d)" % len(shaded & codes),
              not missing, missing)
        check(tag + ": no other path shaded",
              not [c for c, k in paths.items() if k and c not in shaded])
        check(tag + ": every map path has data-cc and a title",
              len(dom.paths) > 150 and all(p.get("data-cc") for p in dom.paths))
        filters = sum(1 for t, a in dom.attrs_seen if t == "input")
        check(tag + (": the script added the table filters" if js else ": no script ran"),
              (filters > 0) if js else filters == 0, filters)
        if png:
            shot = os.path.join(work, "%s-%s.png" % (name, "js" if js else "nojs"))
            r = ch.run("--screenshot=" + shot, "--window-size=700,1100", url)
            ok = r is not None and os.path.exists(shot)
            n, share = png_colours(shot) if ok else (0, 0.0)
            check(tag + ": the screenshot is not blank (%d colours, %.0f%% not background)"
                  % (n, 100 * share), ok and n >= 20 and share > 0.03)


def main():
    dt, work = options("html")
    os.makedirs(work)
    env = dict(os.environ)
    # (a) the sample
    page = os.path.join(work, "sample.html")
    rep = os.path.join(work, "sample.json")
    r = run(dt, "report", "-q", "-f", "html", "-o", page, SAMPLE)
    check("sample: report -f html exits 0", r.returncode == 0, r.stderr[-300:])
    r2 = run(dt, "report", "-q", "-f", "json", "-o", rep, SAMPLE)
    check("sample: report -f json exits 0", r2.returncode == 0, r2.stderr[-300:])
    if r.returncode or r2.returncode:
        return finish()
    report = json.load(open(rep))
    p = structure("sample", read(page), 300 << 10)
    sections_in_order("sample", p)
    text = p.all_text()
    check("sample: every recipient is in the recipients table",
          all(c["name"] in text for c in report["companies"]))
    check("sample: the inputs name the capture", "sample.pcapng" in text)
    # --top bounds the tables and says how many rows are left out
    small = os.path.join(work, "top2.html")
    r = run(dt, "report", "-q", "-f", "html", "--top", "2", "-o", small, SAMPLE)
    n_ep = len(report["endpoints"])
    check("--top 2: says how many servers are left out",
          r.returncode == 0 and "%d more servers left out" % (n_ep - 2) in parse(read(small)).all_text())
    # no map file: the map section says so, the rest is written
    empty = os.path.join(work, "nodata")
    os.makedirs(empty)
    e2 = dict(env, DATATRAIL_DATA_DIR=empty)
    r = run(dt, "report", "-q", "--no-geo", "-f", "html", SAMPLE, env=e2)
    nomap = parse(r.stdout.decode("utf-8")) if r.returncode == 0 else None
    check("no worldmap.txt: the map section says so, the tables are written",
          nomap is not None and not nomap.errors and "No map" in nomap.section_text.get("map", "")
          and "t-endpoints" in nomap.ids, r.stderr[-300:])
    # (b)
    hostile = escaping(dt, work)
    # (d) a merged report: the sample twice, as two devices' reports
    merged = os.path.join(work, "merged.html")
    r = run(dt, "merge", "-f", "html", "-o", merged, rep, rep)
    check("merge -f html exits 0", r.returncode == 0, r.stderr[-300:])
    mjson = os.path.join(work, "merged.json")
    run(dt, "merge", "-f", "json", "-o", mjson, rep, rep)
    if r.returncode == 0:
        structure("merged", read(merged), 5 << 20)
    # compare -f html: the same frame; labels (user text) and file names stay text
    cmp_page = os.path.join(work, "compare.html")
    label = '<img src=x onerror=alert(1)> "car"'
    r = run(dt, "compare", "-f", "html", "--label", label, "--label", "car2", "-o", cmp_page,
            rep, rep)
    check("compare -f html exits 0", r.returncode == 0, r.stderr[-300:])
    if r.returncode == 0:
        cp = structure("compare", read(cmp_page), 5 << 20)
        ctext = cp.all_text()
        check("compare: the hostile label is text, in the column heads", label in ctext)
        check("compare: a table per kind and the totals",
              all(i in cp.ids for i in ("countries", "recipients", "total")), cp.ids)
        check("compare: every recipient of the sample is a row",
              all(c["name"] in ctext for c in report["companies"]))
    # (c)
    ch = Chromium()
    if ch.why:
        print("skip chromium checks: " + ch.why)
        return finish()
    shutil.rmtree(ch.profile, ignore_errors=True)
    rendered(ch, "sample", page, report, work)
    if os.path.exists(merged):
        rendered(ch, "merged", merged, json.load(open(mjson)), work, png=False)
    corpus = os.environ.get("DATATRAIL_CORPUS", os.path.join(ROOT, "..", "shared", "corpus"))
    pcaps = os.path.join(corpus, "pcaps")
    if os.path.isdir(pcaps):
        # the shared corpus as one report (hundreds of captures: a fleet)
        cj, ch_page = os.path.join(work, "corpus.json"), os.path.join(work, "corpus.html")
        run(dt, "report", "-q", "-j", "2", "-o", cj, pcaps)
        r = run(dt, "merge", "-f", "html", "-o", ch_page, cj)
        check("corpus: merge -f html exits 0", r.returncode == 0, r.stderr[-300:])
        if r.returncode == 0:
            structure("corpus", read(ch_page), 5 << 20)
            rendered(ch, "corpus", ch_page, json.load(open(cj)), work, png=False)
    else:
        print("skip corpus: %s absent" % pcaps)
    if hostile:
        r = ch.run("--dump-dom", "file://" + hostile)
        dom = parse(r.stdout.decode("utf-8")) if r and r.returncode == 0 else None
        check("hostile (chromium): one script, no injected element, the names as text",
              dom is not None and dom.scripts == 1 and "img" not in dom.tags and
              "a<script>alert(1)</script>.example.com" in dom.all_text())
    shutil.rmtree(ch.profile, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
