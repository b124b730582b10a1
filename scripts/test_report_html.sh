#!/usr/bin/env bash
# Renders the run's HTML report in headless Chromium and checks the drawn page against
# the JSON report (tests/report_html/check_report.py): no console or page error, no
# request but the file itself, every chart drawn with the JSON's bars, gates as in the JSON.
#
# Installs Debian's chromium when /usr/bin/chromium is missing and a venv with Python
# Playwright (target/report-venv, reused); when either cannot be had it prints
# `skipped: ...` and exits 0. A binary that writes no reports/run=*.html is a failure.
#
# The binary is $FLYWHEEL_BIN, else target/debug/flywheel (built when missing; rebuild it
# yourself after changing the sources). The screenshot is kept at target/report-html/report.png.
set -euo pipefail
cd "$(dirname "$0")/.."

chromium=/usr/bin/chromium
venv=target/report-venv
out=target/report-html
checker=tests/report_html/check_report.py
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
mkdir -p "$out"

# --- Chromium --------------------------------------------------------------------------
if [ ! -x "$chromium" ]; then
    t=$(now)
    if [ "$(id -u)" -ne 0 ]; then
        echo "skipped: $chromium is missing and installing it needs root"
        exit 0
    fi
    export DEBIAN_FRONTEND=noninteractive
    # Without a package list (a fresh image) apt knows no candidate: update first.
    if ! apt-cache policy chromium 2>/dev/null | grep -q 'Candidate: [0-9]'; then
        apt-get update -qq >/dev/null 2>&1 || true
    fi
    if ! apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>"$out/chromium-install.log"; then
        # A stale package list names versions the mirror no longer has.
        apt-get update -qq >/dev/null 2>&1 || true
        if ! apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>"$out/chromium-install.log"; then
            echo "skipped: could not install Debian's chromium ($(tail -n 1 "$out/chromium-install.log"))"
            exit 0
        fi
    fi
    echo "report-html: installed chromium in $(since "$t") s"
fi
if [ ! -x "$chromium" ]; then
    echo "skipped: chromium installed but $chromium is missing"
    exit 0
fi
# The Debian launcher script prints a harmless shell warning on stderr on some machines.
echo "report-html: $("$chromium" --version 2>/dev/null || echo 'chromium (version unknown)')"

# --- venv with Playwright (driver only: the browser is Debian's) -----------------------
if ! "$venv/bin/python" -c 'import playwright.sync_api' >/dev/null 2>&1; then
    t=$(now)
    command -v python3 >/dev/null || { echo "skipped: python3 is missing"; exit 0; }
    rm -rf "$venv"
    if ! python3 -m venv "$venv" >/dev/null 2>&1; then
        echo "skipped: python3 -m venv failed (python3-venv missing?)"
        exit 0
    fi
    if ! PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 "$venv/bin/pip" install --quiet --disable-pip-version-check playwright; then
        rm -rf "$venv"
        echo "skipped: could not install playwright from PyPI"
        exit 0
    fi
    echo "report-html: made $venv in $(since "$t") s"
fi
echo "report-html: $("$venv/bin/python" -m pip show playwright 2>/dev/null | awk '/^Version:/ { print "python playwright " $2 }')"

# --- the real report -----------------------------------------------------------------------
bin=${FLYWHEEL_BIN:-target/debug/flywheel}
if [ ! -x "$bin" ]; then
    if [ -n "${FLYWHEEL_BIN:-}" ]; then
        echo "FAILED: FLYWHEEL_BIN=$bin is not an executable"
        exit 1
    fi
    cargo build -p flywheel --quiet
fi
sink=$(mktemp -d "${TMPDIR:-/tmp}/flywheel-report-html.XXXXXX")
trap 'rm -rf "$sink"' EXIT
t=$(now)
if ! "$bin" run --source data/sample-logs --sink "$sink" >"$sink.log" 2>&1; then
    cat "$sink.log"; rm -f "$sink.log"
    echo "FAILED: $bin run --source data/sample-logs exited non-zero"
    exit 1
fi
rm -f "$sink.log"
echo "report-html: $bin run on data/sample-logs in $(since "$t") s"

shopt -s nullglob
htmls=("$sink"/reports/run=*.html)
shopt -u nullglob
if [ "${#htmls[@]}" -ne 1 ]; then
    echo "FAILED: expected one reports/run=*.html from $bin, found ${#htmls[@]}:"
    ls -l "$sink/reports" || true
    exit 1
fi
html=${htmls[0]}
json=${html%.html}.json
if [ ! -f "$json" ]; then
    echo "FAILED: $html has no JSON report beside it ($json)"
    exit 1
fi

rm -f "$out/report.png"
cp "$html" "$out/report.html"
cp "$json" "$out/report.json"
t=$(now)
if ! "$venv/bin/python" "$checker" "$html" "$json" --screenshot "$out/report.png"; then
    echo "FAILED: $(basename "$html") does not match $(basename "$json") (copies in $out/)"
    exit 1
fi
echo "report-html: checked in $(since "$t") s"

# --- the checker can fail: broken copies of the fixture and of the real page -----------
t=$(now)
"$venv/bin/python" "$checker" --self-test >"$out/selftest-fixture.log" 2>&1 || {
    cat "$out/selftest-fixture.log"
    echo "FAILED: the checker's self-test on tests/report_html/fixture.html"
    exit 1
}
echo "report-html: self-test on the fixture passed ($(grep -c '^self-test ok' "$out/selftest-fixture.log") broken copies caught) in $(since "$t") s"

# The same breakages on the real page: each must fail the check there too.
t=$(now)
"$venv/bin/python" "$checker" --self-test "$html" "$json" >"$out/selftest-report.log" 2>&1 || {
    cat "$out/selftest-report.log"
    echo "FAILED: the checker's self-test on the real report"
    exit 1
}
echo "report-html: self-test on the real report passed in $(since "$t") s"
echo "report-html: passed; screenshot $out/report.png"
