#!/usr/bin/env bash
# Tests deploy/cron/flywheel-nightly.sh: the real binary on data/sample-logs into a temp
# sink (also against a real held sink lock), then stub binaries for the retry rules.
#   FLYWHEEL_BIN   binary to test (default: target/debug/flywheel, built with cargo)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
t0=$(date +%s)

if [ -z "${FLYWHEEL_BIN:-}" ]; then
  cargo build -p flywheel --quiet
  FLYWHEEL_BIN=target/debug/flywheel
fi
[ -x "$FLYWHEEL_BIN" ] || { echo "FLYWHEEL_BIN=$FLYWHEEL_BIN is not an executable"; exit 1; }
real_bin=$(realpath "$FLYWHEEL_BIN")
wrapper=$root/deploy/cron/flywheel-nightly.sh

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
while read -r v; do unset "$v"; done < <(compgen -e | grep -E '^FLYWHEEL_' || true)
export FLYWHEEL_LOCK_RETRY_SECS=0 FLYWHEEL_FAIL_RETRY_SECS=0

passed=0 failed=0
check() {  # check DESCRIPTION COMMAND...
  if "${@:2}"; then passed=$((passed + 1)); echo "ok   - $1"
  else failed=$((failed + 1)); echo "FAIL - $1"; fi
}
exists() { compgen -G "$1" >/dev/null; }
count() { grep -c -- "$1" "$2" || true; }  # count PATTERN FILE
wrap() {  # wrap LOG_DIR ARGS...: runs the wrapper, leaves its exit status in $rc
  rc=0
  FLYWHEEL_LOG_DIR=$1 "$wrapper" "${@:2}" >"$1.out" 2>&1 || rc=$?
}
show() { [ "$failed" -eq "$2" ] || { echo "--- $1"; cat "$1"; }; }

# --- crontab ---------------------------------------------------------------------------
line=$(grep -v '^\s*#' deploy/cron/crontab | grep -v '^\s*$')
check "crontab: exactly one entry, five time fields, calls the wrapper" \
  test "$(echo "$line" | wc -l)" -eq 1 \
    -a "$(echo "$line" | awk '{ if (NF >= 6 && $NF ~ /flywheel-nightly\.sh$/) print "yes" }')" = yes

# --- real binary -----------------------------------------------------------------------
export FLYWHEEL_BIN=$real_bin FLYWHEEL_SOURCE=$root/data/sample-logs FLYWHEEL_SINK=$work/sink
f0=$failed logs=$work/real
wrap "$logs" 2026-11-01
log=$logs/flywheel-2026-11-01.log
check "real: exit 0 (got $rc)" test "$rc" -eq 0
check "real: manifest under the sink" exists "$FLYWHEEL_SINK/manifests/run=*.json"
check "real: log has the run summary" grep -q "published → $FLYWHEEL_SINK" "$log"
check "real: log has the manifest line" grep -q "manifest: $FLYWHEEL_SINK/manifests/run=" "$log"
check "real: log says one attempt, success" grep -q "finished: exit 0 after 1 attempt(s): success" "$log"
check "real: nothing on stdout/stderr (cron mails nothing)" test ! -s "$logs.out"
show "$log" "$f0"

# Real exit 4: a lock held by this (live) process on this host.
host=$(tr -d '[:space:]' </etc/hostname 2>/dev/null || true)
printf '{"started_at":"%s","host":"%s","pid":%d,"expires_at":"%s"}' \
  "$(date -u +%FT%TZ)" "${host:-${HOSTNAME:-unknown-host}}" $$ "$(date -u -d '+1 hour' +%FT%TZ)" \
  >"$FLYWHEEL_SINK/state/lock.json"
f0=$failed logs=$work/locked
FLYWHEEL_LOCK_RETRIES=2 wrap "$logs" 2026-11-02
log=$logs/flywheel-2026-11-02.log
check "locked sink: exit 4 after the retries (got $rc)" test "$rc" -eq 4
check "locked sink: 3 attempts (got $(count ': attempt [0-9]*: exit' "$log"))" test "$(count ': attempt [0-9]*: exit 4' "$log")" -eq 3
check "locked sink: the binary named the holder" grep -q "another run holds the lock" "$log"
check "locked sink: one failure line for cron's mail" test "$(wc -l <"$logs.out")" -eq 1
rm "$FLYWHEEL_SINK/state/lock.json"
wrap "$logs" 2026-11-02
check "lock released: the next run succeeds (got $rc)" test "$rc" -eq 0
check "lock released: the same day's log is appended to" test "$(count 'finished: exit' "$log")" -eq 2
show "$log" "$f0"

# --- stub binaries ---------------------------------------------------------------------
# The stub exits with the next code from STUB_CODES on each call (the last one repeats).
stub=$work/stub-flywheel
cat >"$stub" <<'EOF'
#!/usr/bin/env bash
n=$(( $(cat "$STUB_DIR/calls" 2>/dev/null || echo 0) + 1 ))
echo "$n" >"$STUB_DIR/calls"
echo "$*" >"$STUB_DIR/args"
read -ra codes <<<"$STUB_CODES"
i=$(( n <= ${#codes[@]} ? n - 1 : ${#codes[@]} - 1 ))
echo "stub flywheel: call $n, exiting ${codes[$i]}"
exit "${codes[$i]}"
EOF
chmod +x "$stub"
export FLYWHEEL_BIN=$stub
stub_case() {  # stub_case NAME CODES EXPECTED_EXIT EXPECTED_CALLS [WRAPPER ARGS...]
  local f0=$failed
  export STUB_DIR=$work/$1 STUB_CODES=$2
  mkdir -p "$STUB_DIR"
  wrap "$STUB_DIR/log" "${@:5}"
  local calls; calls=$(cat "$STUB_DIR/calls" 2>/dev/null || echo 0)
  log=$(ls "$STUB_DIR"/log/flywheel-*.log)
  check "exits '$2': wrapper exits $3 (got $rc)" test "$rc" -eq "$3"
  check "exits '$2': $4 attempt(s) (got $calls)" test "$calls" -eq "$4"
  check "exits '$2': log counts $4 attempt(s)" test "$(count ': attempt [0-9]*: exit' "$log")" -eq "$4"
  show "$log" "$f0"
}
stub_case lock "4 4 0" 0 3 2026-11-01
check "exits '4 4 0': both lock retries logged" test "$(count 'another run holds the sink lock: lock retry' "$log")" -eq 2
stub_case gate "3" 3 1 2026-11-01
check "exits '3': logged as not retried" grep -q "quality gate failed (not retried)" "$log"
stub_case usage "2" 2 1 2026-11-01
stub_case runtime "1" 1 3 2026-11-01                     # FLYWHEEL_FAIL_RETRIES defaults to 2
stub_case flaky "1 0" 0 2 2026-11-01
FLYWHEEL_LOCK_RETRIES=1 stub_case lock-exhausted "4" 4 2 2026-11-01
# No argument: yesterday (UTC); settings from FLYWHEEL_ENV_FILE are passed on.
echo "FLYWHEEL_CONFIG=$work/flywheel.toml" >"$work/flywheel.env"
FLYWHEEL_ENV_FILE=$work/flywheel.env stub_case default-date "0" 0 1
yesterday=$(date -u -d yesterday +%F)
check "no argument: runs --date $yesterday with source, sink and the env file's config" \
  test "$(cat "$STUB_DIR/args")" = "run --date $yesterday --source $FLYWHEEL_SOURCE --sink $FLYWHEEL_SINK --config $work/flywheel.toml"
check "no argument: logs to flywheel-$yesterday.log" test "$log" = "$STUB_DIR/log/flywheel-$yesterday.log"

# A bad date is a usage error, before anything runs.
wrap "$work/bad-date" 2026-1-1
check "bad date: exit 2 (got $rc)" test "$rc" -eq 2

# Two wrappers on one host: the second exits 4 at once without running the binary.
if ! command -v flock >/dev/null; then
  echo "skip - overlap: flock(1) not installed"
else
  export STUB_DIR=$work/overlap STUB_CODES=0
  mkdir -p "$STUB_DIR/log"
  exec 8>>"$STUB_DIR/log/.flywheel-nightly.lock"
  flock -n 8
  wrap "$STUB_DIR/log" 2026-11-01
  exec 8>&-
  check "overlap: second wrapper exits 4 (got $rc)" test "$rc" -eq 4
  check "overlap: the binary did not run" test ! -e "$STUB_DIR/calls"
fi

echo "cron wrapper tests: $(( $(date +%s) - t0 )) s"
echo "cron: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
