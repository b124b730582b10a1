#!/usr/bin/env python3
"""Renders a run's HTML report in headless Chromium and checks it against the JSON report.

    check_report.py REPORT.html REPORT.json [--screenshot OUT.png]
    check_report.py --self-test [REPORT.html REPORT.json]

The page must load with no console error, no page error and no request other than the
file itself; every chart of the contract must be drawn with exactly the bars the JSON
implies (label, value, a rect wider than 0 for a non-zero value, the value printed in a
<text>); the gates must match gates.<name>.passed; the title must hold the run id.

--self-test checks the given page (the bundled fixture by default), then a set of broken
copies of it, each of which must fail the check for the reason it was broken for.

Exit status: 0 passed, 1 a check failed, 2 usage error or the browser could not start.
"""

import argparse
import json
import math
import os
import re
import struct
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu"]
FUNNEL_ORDER = ["quarantined", "filtered", "duplicate", "deferred", "published"]
CHARTS = ["funnel", "pii", "labels", "scores", "clusters", "banks", "tokens", "stages"]
GATES = ["leak", "quarantine"]


# --- what the JSON says each chart holds -------------------------------------------------

def printed_count(v):
    """An integer as the report prints it: plainly."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ValueError(f"not a number: {v!r}")
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


def expected_bars(report):
    """{chart: [(label, value as number, value as printed) ...]} from the JSON report.

    A chart whose source is missing or empty maps to [] (absent or bar-less is fine).
    """
    exp = {}
    inter = (report.get("accounting") or {}).get("interactions") or {}
    bars = []
    if "input" in inter:
        bars.append(("in", inter["input"], printed_count(inter["input"])))
        disp = inter.get("dispositions") or {}
        for k in FUNNEL_ORDER:
            if k in disp:
                bars.append((k, disp[k], printed_count(disp[k])))
    exp["funnel"] = bars
    exp["pii"] = [(k, v, printed_count(v)) for k, v in (report.get("pii_findings") or {}).items()]
    exp["labels"] = [
        (f"{task}/{label}", n, printed_count(n))
        for task, m in (report.get("labels") or {}).items()
        for label, n in (m or {}).items()
    ]
    exp["scores"] = [
        (f"{task} {b['bucket']}", b["count"], printed_count(b["count"]))
        for task, buckets in (report.get("score_histogram") or {}).items()
        for b in (buckets or [])
    ]
    exp["clusters"] = [
        (f"size {size}", n, printed_count(n))
        for size, n in (report.get("near_duplicate_clusters") or {}).items()
    ]
    exp["banks"] = [(k, v, printed_count(v)) for k, v in (report.get("fewshot") or {}).items()]
    exp["tokens"] = [(k, v, printed_count(v)) for k, v in (report.get("fewshot_tokens") or {}).items()]
    exp["stages"] = [(s["stage"], s["seconds"], f"{s['seconds']:.2f}") for s in (report.get("stages") or [])]
    return exp


# --- what the page drew -----------------------------------------------------------------

# Runs in the page: every chart, its bars, and the gates, as plain data.
COLLECT_JS = r"""
() => {
  const num = (s) => (s === null || s === undefined || s === '') ? null : Number(String(s).replace('%', ''));
  const charts = [...document.querySelectorAll('svg.chart')].map((svg) => {
    const box = svg.getBoundingClientRect();
    const bars = [...svg.querySelectorAll('g.bar')].map((g) => {
      const rects = [...g.querySelectorAll('rect')].map((r) => ({
        width: r.getAttribute('width'),
        drawn: r.getBoundingClientRect().width,
      }));
      return {
        label: g.getAttribute('data-label'),
        value: g.getAttribute('data-value'),
        rects,
        texts: [...g.querySelectorAll('text')].map((t) => t.textContent),
      };
    });
    return { name: svg.getAttribute('data-chart'), width: box.width, height: box.height,
             children: svg.childElementCount, bars };
  });
  const gates = [...document.querySelectorAll('[data-gate]')].map((el) => ({
    tag: el.tagName.toLowerCase(), gate: el.getAttribute('data-gate'), passed: el.getAttribute('data-passed'),
  }));
  // Anything that would load from elsewhere if the browser got to it (lazy images,
  // unused fonts, <use href> into another file): listed whether or not it was fetched.
  const refs = [];
  for (const el of document.querySelectorAll('[src], link[href], use[href], image[href], object[data], iframe, embed')) {
    const u = el.getAttribute('src') || el.getAttribute('href') || el.getAttribute('data') || '';
    if (el.tagName.toLowerCase() === 'use' && u.startsWith('#')) continue;
    if (u.startsWith('data:')) continue;
    refs.push(`<${el.tagName.toLowerCase()}> ${u}`);
  }
  for (const s of document.querySelectorAll('style')) {
    for (const m of s.textContent.matchAll(/(@import|url\()\s*['"]?([^'")\s]+)/g)) {
      if (!m[2].startsWith('data:') && !m[2].startsWith('#')) refs.push(`<style> ${m[1]} ${m[2]}`);
    }
  }
  return { title: document.title, charts, gates, refs };
}
"""


def value_in_text(printed, text, label):
    """Whether `printed` appears in `text` as a whole number (36 not inside 136 or 3.6)."""
    if label:
        text = text.replace(label, " ")
    return re.search(r"(?<![\d.])" + re.escape(printed) + r"(?![\d])(?!\.\d)", text) is not None


def check_chart(name, expected, drawn, failures):
    """Appends to failures; returns the one-line summary."""
    found = [c for c in drawn if c["name"] == name]
    if len(found) > 1:
        failures.append(f"{name}: {len(found)} charts with data-chart={name!r}")
    chart = found[0] if found else None
    if not expected:
        if chart and chart["bars"]:
            failures.append(f"{name}: the JSON source is empty but the chart has {len(chart['bars'])} bars")
            return f"chart {name:<8} FAIL  bars drawn for an empty source"
        return f"chart {name:<8} ok    empty source, " + ("absent" if not chart else "no bars")
    if not chart:
        failures.append(f"{name}: missing (expected {len(expected)} bars)")
        return f"chart {name:<8} FAIL  missing"
    n_before = len(failures)
    if not (chart["width"] > 0 and chart["height"] > 0):
        failures.append(f"{name}: SVG drawn {chart['width']}x{chart['height']} px")
    bars = chart["bars"]
    labels = [b["label"] for b in bars]
    exp_labels = [e[0] for e in expected]
    if sorted(map(str, labels)) != sorted(exp_labels):
        missing = [l for l in exp_labels if l not in labels]
        extra = [l for l in labels if l not in exp_labels]
        dup = sorted({l for l in labels if labels.count(l) > 1 and exp_labels.count(l) < labels.count(l)})
        failures.append(
            f"{name}: bars {labels} != expected {exp_labels}"
            + (f"; missing {missing}" if missing else "")
            + (f"; unexpected {extra}" if extra else "")
            + (f"; repeated {dup}" if dup else "")
        )
    elif name == "funnel" and labels != exp_labels:
        failures.append(f"{name}: bar order {labels} != {exp_labels}")
    order_note = ""
    if labels != exp_labels and sorted(map(str, labels)) == sorted(exp_labels) and name != "funnel":
        order_note = " (order differs from the JSON's)"
    by_label = {}
    for b in bars:
        by_label.setdefault(b["label"], []).append(b)
    for label, value, printed in expected:
        cands = by_label.get(label) or []
        if not cands:
            continue
        b = cands.pop(0)
        where = f"{name}: bar {label!r}"
        dv = b["value"]
        if name == "stages":
            if dv is None or not re.fullmatch(r"\d+\.\d\d", dv):
                failures.append(f"{where}: data-value {dv!r} is not a two-decimal number")
            elif abs(float(dv) - float(value)) > 0.005 + 1e-9:
                failures.append(f"{where}: data-value {dv} but the JSON has {value} s")
            else:
                printed = dv  # the page's own rounding of a tie, within half a hundredth
        elif dv != printed:
            failures.append(f"{where}: data-value {dv!r} != {printed!r}")
        if not b["rects"]:
            failures.append(f"{where}: no <rect>")
        elif float(printed) > 0:  # VALUE as printed: a 0.00 s stage may be drawn 0 wide
            widths = []
            for r in b["rects"]:
                try:
                    widths.append(float(str(r["width"]).rstrip("%")))
                except (TypeError, ValueError):
                    widths.append(float("nan"))
            if not any(w > 0 for w in widths if not math.isnan(w)):
                failures.append(f"{where}: value {printed} but rect width {[r['width'] for r in b['rects']]}")
            elif not any(r["drawn"] > 0 for r in b["rects"]):
                failures.append(f"{where}: rect width attribute > 0 but drawn 0 px wide")
        if not b["texts"]:
            failures.append(f"{where}: no <text>")
        elif not any(value_in_text(printed, t, label) for t in b["texts"]):
            failures.append(f"{where}: no <text> shows {printed!r} (texts {b['texts']})")
    if len(failures) > n_before:
        return f"chart {name:<8} FAIL  {len(failures) - n_before} problem(s), {len(bars)} bars"
    shown = ", ".join(f"{l}={p}" for l, _, p in expected[:6]) + (", ..." if len(expected) > 6 else "")
    return f"chart {name:<8} ok    {len(bars)} bars{order_note}: {shown}"


def png_size(path):
    data = Path(path).read_bytes()[:24]
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", data[16:24])


def check_page(browser, html_path, report, screenshot=None, quiet=False):
    """Renders html_path and checks it; returns (failures, summary lines)."""
    html_path = Path(html_path).resolve()
    url = html_path.as_uri()
    failures, lines = [], []
    console_errors, page_errors, requests = [], [], []

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    # Nothing leaves the machine: every request but the page itself is aborted (and
    # recorded below as a failure).
    context.route(re.compile(r"^(?!file:).*"), lambda route: route.abort())
    page = context.new_page()
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.on("websocket", lambda ws: requests.append(ws.url))
    t0 = time.monotonic()
    try:
        page.goto(url, wait_until="load", timeout=30_000)
        page.wait_for_timeout(250)  # late timers and errors
        drawn = page.evaluate(COLLECT_JS)
        render_s = time.monotonic() - t0
        if screenshot:
            Path(screenshot).parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
    finally:
        context.close()

    others = [u for u in requests if u != url]
    if console_errors:
        failures.append(f"console errors: {console_errors}")
    if page_errors:
        failures.append(f"page errors: {page_errors}")
    if others:
        failures.append(f"requests besides the file itself: {others}")
    if drawn["refs"]:
        failures.append(f"references to external resources: {drawn['refs']}")
    run_id = report.get("run_id", "")
    if not run_id or run_id not in drawn["title"]:
        failures.append(f"title {drawn['title']!r} does not contain run id {run_id!r}")
    lines.append(f"page     {'ok' if not failures else 'FAIL'}    title {drawn['title']!r}, "
                 f"{len(console_errors)} console errors, {len(page_errors)} page errors, "
                 f"{len(others)} other requests, rendered in {render_s:.2f} s")

    exp = expected_bars(report)
    for name in CHARTS:
        lines.append(check_chart(name, exp[name], drawn["charts"], failures))
    unknown = sorted({c["name"] for c in drawn["charts"]} - set(CHARTS))
    if unknown:
        lines.append(f"note: charts outside the contract (not checked): {unknown}")

    gates = report.get("gates") or {}
    for g in GATES + sorted(set(gates) - set(GATES)):
        els = [e for e in drawn["gates"] if e["gate"] == g]
        if g not in gates:
            if els:
                failures.append(f"gate {g}: on the page but not in the JSON")
            lines.append(f"gate  {g:<10} -     not in the JSON")
            continue
        want = "true" if gates[g].get("passed") else "false"
        if g not in GATES and not els:
            lines.append(f"gate  {g:<10} -     not on the page (outside the contract)")
            continue
        if len(els) != 1 or els[0]["tag"] != "li" or els[0]["passed"] != want:
            failures.append(f"gate {g}: page has {els}, JSON passed={want}")
            lines.append(f"gate  {g:<10} FAIL  page {[e['passed'] for e in els]}, JSON {want}")
        else:
            lines.append(f"gate  {g:<10} ok    passed={want}")

    if screenshot:
        size = png_size(screenshot)
        nbytes = Path(screenshot).stat().st_size
        if not size or size[0] == 0 or size[1] == 0:
            failures.append(f"screenshot {screenshot} is not a PNG with pixels")
        else:
            lines.append(f"screenshot {screenshot}: {size[0]}x{size[1]} px, {nbytes} bytes")
    if not quiet:
        for line in lines:
            print(line)
    return failures, lines


# --- broken copies for --self-test ------------------------------------------------------

def _dom_mutation(js):
    """A breakage made in the rendered DOM, then saved as a copy of the page."""
    return ("dom", js)


def _text_mutation(fn):
    """A breakage made in the page's source text."""
    return ("text", fn)


def _before_body_end(snippet):
    def fn(src):
        i = src.lower().rfind("</body>")
        return src[:i] + snippet + src[i:] if i >= 0 else src + snippet
    return fn


# (name, mutation, a substring the failure must contain)
BREAKAGES = [
    ("remove a funnel bar", _dom_mutation(
        "document.querySelector('svg.chart[data-chart=funnel] g.bar:last-of-type').remove()"), "funnel: bars"),
    ("remove the stages chart", _dom_mutation(
        "document.querySelector('svg.chart[data-chart=stages]').remove()"), "stages: missing"),
    ("zero-width pii rect", _dom_mutation(
        "document.querySelector('svg.chart[data-chart=pii] g.bar rect').setAttribute('width', '0')"), "rect width"),
    ("wrong printed label count", _dom_mutation(
        "(() => { const g = document.querySelector('svg.chart[data-chart=labels] g.bar');"
        " for (const t of g.querySelectorAll('text')) t.textContent = t.textContent.replace(/\\d+/g, '999'); })()"),
        "labels: bar"),
    ("wrong data-value on a bank", _dom_mutation(
        "(() => { const g = document.querySelector('svg.chart[data-chart=banks] g.bar');"
        " g.setAttribute('data-value', String(Number(g.getAttribute('data-value')) + 1)); })()"), "banks: bar"),
    ("swap funnel order", _dom_mutation(
        "(() => { const bs = document.querySelectorAll('svg.chart[data-chart=funnel] g.bar');"
        " bs[1].parentNode.insertBefore(bs[2], bs[1]); })()"), "funnel: bar order"),
    ("flip the leak gate", _dom_mutation(
        "(() => { const e = document.querySelector('[data-gate=leak]');"
        " e.setAttribute('data-passed', e.getAttribute('data-passed') === 'true' ? 'false' : 'true'); })()"),
        "gate leak"),
    ("title without run id", _dom_mutation("document.title = 'Flywheel run'"), "title"),
    ("script calling console.error", _text_mutation(
        _before_body_end("<script>console.error('chart failed to draw')</script>")), "console errors"),
    ("script throwing", _text_mutation(
        _before_body_end("<script>null.draw()</script>")), "page errors"),
    ("external stylesheet", _text_mutation(
        _before_body_end('<link rel="stylesheet" href="http://127.0.0.1:9/report.css">')), "requests besides"),
    ("image from next to the file", _text_mutation(
        _before_body_end('<img src="logo.png" alt="">')), "requests besides"),
]


def self_test(browser, html_path, report):
    print(f"self-test: {html_path} must pass")
    failures, _ = check_page(browser, html_path, report)
    ok = not failures
    if failures:
        print("self-test FAILED: the unbroken page does not pass:")
        for f in failures:
            print(f"  - {f}")
    src = Path(html_path).read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="report-html-selftest-") as tmp:
        for i, (name, (kind, how), must) in enumerate(BREAKAGES):
            broken = Path(tmp) / f"broken-{i:02d}.html"
            if kind == "text":
                broken.write_text(how(src), encoding="utf-8")
            else:
                ctx = browser.new_context()
                page = ctx.new_page()
                page.goto(Path(html_path).resolve().as_uri(), wait_until="load")
                page.evaluate(how)
                out = page.evaluate(
                    "() => (document.doctype ? '<!DOCTYPE html>\\n' : '') + document.documentElement.outerHTML")
                ctx.close()
                broken.write_text(out, encoding="utf-8")
            got, _ = check_page(browser, broken, report, quiet=True)
            hit = [f for f in got if must in f]
            if hit:
                print(f"self-test ok: {name}: fails as it should ({hit[0][:110]})")
            else:
                ok = False
                print(f"self-test FAILED: {name}: expected a failure containing {must!r}, got {got or 'a pass'}")
    print("self-test " + ("passed" if ok else "FAILED"))
    return ok


def launch(p):
    return p.chromium.launch(
        executable_path=CHROMIUM, headless=True, chromium_sandbox=False, args=CHROMIUM_FLAGS)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("html", nargs="?")
    ap.add_argument("json", nargs="?")
    ap.add_argument("--screenshot", help="full-page PNG to write")
    ap.add_argument("--self-test", action="store_true",
                    help="check that the page passes and that broken copies of it fail")
    a = ap.parse_args()
    if a.self_test and not a.html:
        a.html, a.json = str(HERE / "fixture.html"), str(HERE / "fixture.json")
    if not a.html or not a.json:
        ap.error("REPORT.html and REPORT.json are required (or --self-test)")
    report = json.loads(Path(a.json).read_text(encoding="utf-8"))

    try:
        from playwright.sync_api import sync_playwright
    except ImportError as e:
        print(f"error: python playwright is not installed ({e})", file=sys.stderr)
        return 2
    with sync_playwright() as p:
        t0 = time.monotonic()
        try:
            browser = launch(p)
        except Exception as e:  # noqa: BLE001 - any launch failure is reported the same way
            print(f"error: could not start {CHROMIUM}: {e}", file=sys.stderr)
            return 2
        print(f"browser  {CHROMIUM} {browser.version}, started in {time.monotonic() - t0:.2f} s")
        try:
            if a.self_test:
                return 0 if self_test(browser, a.html, report) else 1
            failures, _ = check_page(browser, a.html, report, screenshot=a.screenshot)
        finally:
            browser.close()
    if failures:
        print(f"FAILED: {len(failures)} problem(s) in {a.html}:")
        for f in failures:
            print(f"  - {f}")
        return 1
    print(f"passed: {a.html}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
