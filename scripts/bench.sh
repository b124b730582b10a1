#!/usr/bin/env bash
# End-to-end benchmark (`make bench`): the release binary over generated days of logs of
# 1 GB and 10 GB on the local store, repeated, against HF datatrove on the same files.
#
#   bash scripts/bench.sh                       # sizes 1 and 10 (GiB of raw interactions)
#   BENCH_SIZES=1 BENCH_REPEATS=3 bash scripts/bench.sh
#   BENCH_REPEATS_10=1   repeats for one size (here 10 GiB) instead of BENCH_REPEATS
#   BENCH_PEER_SIZES=1   sizes the peer runs on (default 1: at ~6 MB/s per core 10 GiB
#                        takes half an hour per configuration); "none" skips it
#   BENCH_CORPUS=DIR     real logs whose text the generator replays (default
#                        ../shared/sample-logs/dev/logs when present, else built in)
#
# Per size it prints wall time (median of BENCH_REPEATS), MB/s of raw JSONL,
# interactions/s, peak RSS, and seconds per stage; then the peer's MB/s and the ratio.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SIZES="${BENCH_SIZES:-1 10}"
REPEATS="${BENCH_REPEATS:-3}"
PEER_SIZES="${BENCH_PEER_SIZES:-1}"
SEED="${BENCH_SEED:-42}"
WORK="${BENCH_DIR:-$ROOT/target/bench}"
CORPUS="${BENCH_CORPUS:-}"
if [[ -z "$CORPUS" && -d "$ROOT/../shared/sample-logs/dev/logs" ]]; then
  CORPUS="$ROOT/../shared/sample-logs/dev/logs"
fi
BIN="$ROOT/target/release/flywheel"
mkdir -p "$WORK"
RESULTS="$WORK/results.txt"
# BENCH_APPEND=1 adds to the previous results (e.g. a 10 GiB run after the 1 GiB ones).
[[ -n "${BENCH_APPEND:-}" ]] || : > "$RESULTS"

echo "== building (release)"
cargo build --release -q -p flywheel

for size in $SIZES; do
  data="$WORK/logs-${size}g"
  marker="$data/.generated-seed$SEED-${CORPUS:+corpus}"
  if [[ ! -f "$marker" ]]; then
    rm -rf "$data"
    echo "== generating ${size} GiB into $data"
    "$BIN" gen-sample --out "$data" --bytes "$(( size << 30 ))" --seed "$SEED" \
      ${CORPUS:+--corpus "$CORPUS"} | tee "$data.gen.txt"
    touch "$marker"
  fi
  raw=$(grep -o '([0-9]* raw bytes)' "$data.gen.txt" | tr -dc 0-9)
  reps_var="BENCH_REPEATS_${size}"
  for rep in $(seq 1 "${!reps_var:-$REPEATS}"); do
    sink="$WORK/sink-${size}g"
    rm -rf "$sink"
    /usr/bin/time -f "%e %M" -o "$WORK/time.txt" \
      "$BIN" --quiet run --source "$data" --sink "$sink"
    read -r wall rss_kb < "$WORK/time.txt"
    report=$(ls "$sink"/reports/run=*.json)
    python3 - "$report" "$size" "$rep" "$wall" "$rss_kb" "$raw" >> "$RESULTS" <<'PY'
import json, sys
report, size, rep, wall, rss_kb, raw = sys.argv[1:]
r = json.load(open(report))
groups = {"ingest": ["discover", "ingest+redact"],
          "signals": ["sql:feedback_events", "sql:scored", "sql:priors"],
          "dedup": ["sql:prompt_signatures", "sql:candidate_pairs", "sql:near_clusters",
                    "sql:ranked", "sql:deduped"],
          "select": ["sql:candidates", "sql:golden", "sql:fewshot_pool", "sql:fewshot"],
          "publish": ["publish"]}
t = {s["stage"]: s["seconds"] for s in r["stages"]}
named = {n for g in groups.values() for n in g}
stage = {g: sum(t.get(n, 0.0) for n in ns) for g, ns in groups.items()}
stage["other"] = sum(v for k, v in t.items() if k not in named)
n = r["accounting"]["interactions"]["input"]
print("RUN", size, rep, wall, rss_kb, raw, n, " ".join(f"{k}={v:.2f}" for k, v in stage.items()))
PY
    echo "   ${size} GiB run $rep: ${wall} s, peak RSS $(( rss_kb / 1024 )) MiB"
  done
done

if [[ "$PEER_SIZES" != "none" ]]; then
  VENV="$ROOT/target/datatrove-venv"
  if { [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c "import datatrove, orjson, regex" 2>/dev/null; } \
     || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q datatrove orjson regex > "$WORK/pip.log" 2>&1; }; then
    for size in $PEER_SIZES; do
      [[ " $SIZES " == *" $size "* ]] || continue
      for workers in 1 2; do
        out="$WORK/peer-${size}g-w$workers"
        rm -rf "$out"
        line=$("$VENV/bin/python" scripts/bench/datatrove_peer.py "$WORK/logs-${size}g" "$out" "$workers" 2> "$out.log" | grep '^PEER')
        echo "PEER $size $line" >> "$RESULTS"
        echo "   datatrove ${size} GiB, $workers worker(s): $(echo "$line" | cut -d' ' -f3) s"
      done
    done
  else
    echo "   cannot install datatrove (see $WORK/pip.log): skipping the peer"
  fi
fi

echo
python3 - "$RESULTS" "$(nproc)" <<'PY'
import statistics, sys
from collections import defaultdict
runs, peers = defaultdict(list), {}
for line in open(sys.argv[1]):
    f = line.split()
    if f[0] == "RUN":
        size, rep, wall, rss, raw, n = f[1], f[2], float(f[3]), int(f[4]), int(f[5]), int(f[6])
        stages = dict(kv.split("=") for kv in f[7:])
        runs[size].append((wall, rss, raw, n, {k: float(v) for k, v in stages.items()}))
    elif f[0] == "PEER":
        peers[(f[1], f[3])] = float(f[4])
print(f"flywheel run, release, {sys.argv[2]} cores; median of {max(len(v) for v in runs.values())} runs")
hdr = f"{'size':>6} {'wall s':>8} {'MB/s':>8} {'inter/s':>9} {'RSS MiB':>8}   stages (s): ingest+redact signals dedup select publish other"
print(hdr)
medians = {}
for size, rs in runs.items():
    wall = statistics.median(r[0] for r in rs)
    raw, n = rs[0][2], rs[0][3]
    rss = max(r[1] for r in rs) / 1024
    st = {k: statistics.median(r[4][k] for r in rs) for k in rs[0][4]}
    medians[size] = (wall, raw)
    print(f"{size + ' GiB':>6} {wall:>8.1f} {raw / 1e6 / wall:>8.1f} {n / wall:>9.0f} {rss:>8.0f}   "
          + " ".join(f"{st[k]:.1f}" for k in ["ingest", "signals", "dedup", "select", "publish", "other"]))
if len(medians) > 1:
    (s1, (w1, r1)), (s2, (w2, r2)) = sorted(medians.items(), key=lambda kv: kv[1][1])[:2]
    print(f"cost growth {s1} → {s2} GiB: {w2 / w1:.2f}x time for {r2 / r1:.2f}x input")
for (size, workers), secs in sorted(peers.items()):
    wall, raw = medians[size]
    print(f"datatrove {size} GiB, {workers} worker(s): {secs:.1f} s, {raw / 1e6 / secs:.1f} MB/s"
          f" → flywheel is {secs / wall:.1f}x faster")
PY
