#!/usr/bin/env bash
# Nightly Flywheel run for cron:  flywheel-nightly.sh [YYYY-MM-DD]   (default: yesterday, UTC)
#
# Runs `flywheel run --date DATE` with --source/--sink/--config from the environment,
# appends everything to $FLYWHEEL_LOG_DIR/flywheel-DATE.log, retries what a retry can fix
# and exits with the binary's final exit code:
#   0 success (also "nothing new")      done
#   1 runtime failure                   retried FLYWHEEL_FAIL_RETRIES times (default 2),
#                                       FLYWHEEL_FAIL_RETRY_SECS apart (default 600)
#   2 usage or configuration error      not retried
#   3 a quality gate failed             not retried
#   4 another run holds the sink lock   retried FLYWHEEL_LOCK_RETRIES times (default 6),
#                                       FLYWHEEL_LOCK_RETRY_SECS apart (default 300)
# Any other status (killed by a signal, say) counts as a runtime failure. A binary that
# cannot be started is a configuration error (exit 2). A second wrapper started on this
# host while one is running exits 4 at once (flock(1), where installed).
#
# Environment (FLYWHEEL_ENV_FILE, if set, is sourced first and may set all of these):
#   FLYWHEEL_BIN       binary (default: flywheel on PATH)
#   FLYWHEEL_SOURCE    --source URL or path      (optional; else the config's)
#   FLYWHEEL_SINK      --sink URL or path        (optional; else the config's)
#   FLYWHEEL_CONFIG    --config TOML file        (optional)
#   FLYWHEEL_LOG_DIR   log folder (default /var/log/flywheel)
#   AWS_* and FLYWHEEL_LOG pass through to the binary unchanged.
# On failure one line goes to stderr, so cron's mail carries it; the rest is in the log.
set -euo pipefail

if [ -n "${FLYWHEEL_ENV_FILE:-}" ]; then
  [ -r "$FLYWHEEL_ENV_FILE" ] || { echo "flywheel-nightly: cannot read FLYWHEEL_ENV_FILE=$FLYWHEEL_ENV_FILE" >&2; exit 2; }
  set -a
  # shellcheck disable=SC1090
  . "$FLYWHEEL_ENV_FILE"
  set +a
fi

run_date=${1:-$(date -u -d yesterday +%F 2>/dev/null || date -u -v-1d +%F)}
if ! [[ $run_date =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]]; then
  echo "usage: $(basename "$0") [YYYY-MM-DD]   (got '$run_date')" >&2
  exit 2
fi
bin=${FLYWHEEL_BIN:-flywheel}
log_dir=${FLYWHEEL_LOG_DIR:-/var/log/flywheel}
lock_retries=${FLYWHEEL_LOCK_RETRIES:-6}
lock_secs=${FLYWHEEL_LOCK_RETRY_SECS:-300}
fail_retries=${FLYWHEEL_FAIL_RETRIES:-2}
fail_secs=${FLYWHEEL_FAIL_RETRY_SECS:-600}

mkdir -p "$log_dir" || { echo "flywheel-nightly: cannot create log dir $log_dir" >&2; exit 1; }
log_file=$log_dir/flywheel-$run_date.log
log() { echo "$(date -u +%FT%TZ) flywheel-nightly[$$]: $*" >>"$log_file"; }
finish() {  # finish EXIT_CODE MESSAGE
  log "finished: exit $1 after $attempt attempt(s): $2"
  [ "$1" -eq 0 ] || echo "flywheel-nightly $run_date: exit $1: $2 (log: $log_file)" >&2
  exit "$1"
}
attempt=0 lock_used=0 fail_used=0

# One wrapper at a time on this host.
if command -v flock >/dev/null; then
  exec 9>>"$log_dir/.flywheel-nightly.lock"
  flock -n 9 || finish 4 "another flywheel-nightly is running on this host"
else
  log "flock(1) not found: not guarding against overlapping wrappers"
fi

cmd=("$bin" run --date "$run_date")
[ -z "${FLYWHEEL_SOURCE:-}" ] || cmd+=(--source "$FLYWHEEL_SOURCE")
[ -z "${FLYWHEEL_SINK:-}" ] || cmd+=(--sink "$FLYWHEEL_SINK")
[ -z "${FLYWHEEL_CONFIG:-}" ] || cmd+=(--config "$FLYWHEEL_CONFIG")

while :; do
  attempt=$((attempt + 1))
  log "attempt $attempt: ${cmd[*]}"
  rc=0
  "${cmd[@]}" </dev/null >>"$log_file" 2>&1 || rc=$?
  log "attempt $attempt: exit $rc"
  case $rc in
    0) finish 0 "success" ;;
    2) finish 2 "usage or configuration error (not retried)" ;;
    3) finish 3 "a quality gate failed (not retried)" ;;
    126 | 127) finish 2 "cannot run $bin (not retried)" ;;
    4)
      [ "$lock_used" -lt "$lock_retries" ] || finish 4 "another run still holds the sink lock after $lock_retries retries"
      lock_used=$((lock_used + 1))
      log "another run holds the sink lock: lock retry $lock_used of $lock_retries in $lock_secs s"
      sleep "$lock_secs"
      ;;
    *)
      [ "$fail_used" -lt "$fail_retries" ] || finish "$rc" "runtime failure after $fail_retries retries"
      fail_used=$((fail_used + 1))
      log "runtime failure: failure retry $fail_used of $fail_retries in $fail_secs s"
      sleep "$fail_secs"
      ;;
  esac
done
