#!/usr/bin/env bash
# Runs deploy/airflow/flywheel_dag.py under a real Apache Airflow 3 with
# `airflow dags test` (SQLite metadata DB in a temp AIRFLOW_HOME):
#   1. the real binary on data/sample-logs into a temp sink: task succeeds, outputs exist;
#   2. stub binaries for the exit-code mapping: 3 and 2 fail after one try (no retry),
#      4 then 1 then 0 is retried twice and succeeds.
# Airflow goes into target/airflow-venv (reused when it already holds AIRFLOW_VERSION).
# Prints `skipped: ...` and exits 0 when Airflow cannot be installed.
#   FLYWHEEL_BIN   binary to test (default: target/debug/flywheel, built with cargo)
#   PYTHON         interpreter for the venv (default: python3.11, else python3)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
AIRFLOW_VERSION=3.3.2
venv=target/airflow-venv

if [ -z "${FLYWHEEL_BIN:-}" ]; then
  cargo build -p flywheel --quiet
  FLYWHEEL_BIN=target/debug/flywheel
fi
[ -x "$FLYWHEEL_BIN" ] || { echo "FLYWHEEL_BIN=$FLYWHEEL_BIN is not an executable"; exit 1; }
real_bin=$(realpath "$FLYWHEEL_BIN")

# --- install ---------------------------------------------------------------------------
t0=$(date +%s)
have=$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("apache-airflow"))' 2>/dev/null || true)
if [ "$have" = "$AIRFLOW_VERSION" ]; then
  install_note="reused $venv"
else
  py=${PYTHON:-$(command -v python3.11 || command -v python3 || true)}
  [ -n "$py" ] || { echo "skipped: no python3 found"; exit 0; }
  rm -rf "$venv"
  if ! "$py" -m venv "$venv"; then
    rm -rf "$venv"; echo "skipped: could not create a venv with $py"; exit 0
  fi
  # Airflow's own constraints files live on GitHub, which is out of reach here; these
  # pins are the versions this DAG was last tested with, for the packages whose new
  # releases are most likely to break Airflow.
  pins=$(mktemp)
  cat >"$pins" <<'EOF'
sqlalchemy==2.1.9
alembic==1.20.1
fastapi==0.136.3
starlette==1.10.0
pydantic==2.14.4
pydantic-core==2.50.5
httpx==0.28.1
structlog==26.1.0
cadwyn==7.0.0
uvicorn==0.54.0
pendulum==3.3.0
msgspec==0.23.0
EOF
  if ! "$venv/bin/pip" install --quiet --disable-pip-version-check \
        "apache-airflow==$AIRFLOW_VERSION" -c "$pins"; then
    rm -rf "$venv" "$pins"
    echo "skipped: pip could not install apache-airflow==$AIRFLOW_VERSION with $py"
    exit 0
  fi
  rm -f "$pins"
  install_note="fresh install into $venv"
fi
install_s=$(( $(date +%s) - t0 ))
echo "airflow install: ${install_s} s ($install_note)"

# --- environment -----------------------------------------------------------------------
t1=$(date +%s)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Nothing from the caller's Airflow setup (a real metadata DB, Variables) may leak in.
while read -r v; do unset "$v"; done < <(compgen -e | grep -E '^(AIRFLOW|FLYWHEEL_)' || true)
export AIRFLOW_HOME=$work/airflow-home
export AIRFLOW__CORE__DAGS_FOLDER=$root/deploy/airflow
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export PYTHONDONTWRITEBYTECODE=1
export FLYWHEEL_RETRY_DELAY_SECS=1   # read by the DAG; keeps the retry cases fast
mkdir -p "$AIRFLOW_HOME"
airflow=$root/$venv/bin/airflow
echo "airflow version: $("$airflow" version 2>/dev/null | tail -n 1)"
t=$SECONDS
"$airflow" db migrate >"$work/migrate.log" 2>&1 || { tail -n 30 "$work/migrate.log"; exit 1; }
echo "# airflow db migrate: $((SECONDS - t)) s"

passed=0 failed=0
check() {  # check DESCRIPTION COMMAND...
  if "${@:2}"; then passed=$((passed + 1)); echo "ok   - $1"
  else failed=$((failed + 1)); echo "FAIL - $1"; fi
}
dags_test() {  # dags_test DATE LOG: runs the DAG, leaves the exit status in $rc
  local t=$SECONDS; rc=0
  "$airflow" dags test flywheel_nightly "$1" >"$2" 2>&1 || rc=$?
  echo "# airflow dags test flywheel_nightly $1: exit $rc, $((SECONDS - t)) s"
}
ti_state() {  # "<state> <try_number> <earlier tries' states>" of the latest run's task
  "$venv/bin/python" - "$AIRFLOW_HOME/airflow.db" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
(run_id,) = db.execute(
    "select run_id from dag_run where dag_id = 'flywheel_nightly' order by id desc limit 1").fetchone()
where = "dag_id = 'flywheel_nightly' and task_id = 'flywheel_run' and run_id = ?"
state, tries = db.execute(f"select state, try_number from task_instance where {where}", (run_id,)).fetchone()
hist = [s for (s,) in db.execute(
    f"select state from task_instance_history where {where} order by try_number", (run_id,))]
print(state, tries, ",".join(hist) or "-")
EOF
}
exists() { compgen -G "$1" >/dev/null; }
show_log_on_failure() {  # show_log_on_failure LOG FAILED_BEFORE
  [ "$failed" -eq "$2" ] || { echo "--- tail of $1"; tail -n 40 "$1"; }
}

# --- 1. the real binary ----------------------------------------------------------------
sink=$work/sink
export FLYWHEEL_BIN=$real_bin FLYWHEEL_SOURCE=$root/data/sample-logs FLYWHEEL_SINK=$sink
f0=$failed
dags_test 2026-11-01 "$work/real.log"
state=$(ti_state)
check "real run: airflow dags test exits 0 (got $rc)" test "$rc" -eq 0
check "real run: task succeeded on the first try (got: $state)" test "$state" = "success 1 -"
check "real run: a manifest under manifests/" exists "$sink/manifests/run=*.json"
check "real run: golden additions.parquet" exists "$sink/golden/*/run=*/additions.parquet"
check "real run: fewshot latest.json" exists "$sink/fewshot/*/latest.json"
check "real run: the binary's summary is in the task log" grep -q "published → $sink" "$work/real.log"
show_log_on_failure "$work/real.log" "$f0"

# --- 2. exit-code mapping, with a stub binary ------------------------------------------
# The stub exits with the next code from STUB_CODES on each call (the last one repeats)
# and records its arguments and the AWS_ENDPOINT_URL it was given.
stub=$work/stub-flywheel
cat >"$stub" <<'EOF'
#!/usr/bin/env bash
n=$(( $(cat "$STUB_DIR/calls" 2>/dev/null || echo 0) + 1 ))
echo "$n" >"$STUB_DIR/calls"
echo "$*" >"$STUB_DIR/args"
echo "${AWS_ENDPOINT_URL:-}" >"$STUB_DIR/endpoint"
read -ra codes <<<"$STUB_CODES"
i=$(( n <= ${#codes[@]} ? n - 1 : ${#codes[@]} - 1 ))
echo "stub flywheel: call $n, exiting ${codes[$i]}"
exit "${codes[$i]}"
EOF
chmod +x "$stub"
export FLYWHEEL_BIN=$stub STUB_DIR=$work/stub AWS_ENDPOINT_URL=http://127.0.0.1:9
stub_case() {  # stub_case NAME CODES STATE CALLS LOG_TEXT STATES_SET_PER_TRY
  local f0=$failed
  rm -rf "$STUB_DIR"; mkdir -p "$STUB_DIR"
  export STUB_CODES=$2
  dags_test 2026-11-02 "$work/$1.log"
  local state calls; state=$(ti_state); calls=$(cat "$STUB_DIR/calls" 2>/dev/null || echo 0)
  check "exit $2: task ends '$3' (got: $state)" test "$state" = "$3"
  check "exit $2: binary called $4 time(s) (got $calls)" test "$calls" -eq "$4"
  check "exit $2: task log says '$5'" grep -q "$5" "$work/$1.log"
  check "exit $2: Airflow marked the try(s) '$6'" \
    test "$(grep -o 'new_state=[a-z_]*' "$work/$1.log" | cut -d= -f2 | paste -sd,)" = "$6"
  show_log_on_failure "$work/$1.log" "$f0"
}
# A Variable (here given as AIRFLOW_VAR_*) is picked up too.
export AIRFLOW_VAR_FLYWHEEL_CONFIG=$work/flywheel.toml
stub_case gate "3" "failed 1 -" 1 "quality gate failed (not retried)" failed
check "the binary got --date {{ ds }}, source, sink and the config Variable" \
  test "$(cat "$STUB_DIR/args")" = "run --date 2026-11-02 --source $root/data/sample-logs --sink $sink --config $work/flywheel.toml"
check "object-store settings reach the binary" test "$(cat "$STUB_DIR/endpoint")" = "http://127.0.0.1:9"
unset AIRFLOW_VAR_FLYWHEEL_CONFIG
stub_case usage "2" "failed 1 -" 1 "usage or configuration error (not retried)" failed
stub_case lock "4 1 0" "success 3 failed,failed" 3 "another run holds the sink lock (will retry)" \
  up_for_retry,up_for_retry,success
check "exit 4 1 0: exit 1 was retried as well" grep -q "flywheel exited 1: runtime failure (will retry)" "$work/lock.log"

test_s=$(( $(date +%s) - t1 ))
echo "airflow install: ${install_s} s; dags tests: ${test_s} s"
echo "airflow: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
