#!/usr/bin/env bash
# A local S3-compatible server (moto) for the S3 integration tests, on loopback only.
#
#   scripts/s3_server.sh start   install moto into target/s3-venv (once), start it, wait
#                                until it answers, write target/s3-server.env
#   scripts/s3_server.sh stop    stop the server started by `start`
#   scripts/s3_server.sh env     print target/s3-server.env
#
# Typical use:
#   scripts/s3_server.sh start && . target/s3-server.env
#   cargo test -p flywheel --test s3
#   scripts/s3_server.sh stop
#
# The env file exports the endpoint and credentials in the standard AWS_* variables,
# FLYWHEEL_TEST_S3_ENDPOINT (which enables tests/s3.rs) and S3_SERVER_PID.
# Set S3_SERVER_PORT to choose the port; otherwise 19000 if free, else any free port.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=target/s3-venv
ENV_FILE=target/s3-server.env
LOG=target/s3-server.log
HOST=127.0.0.1
START_TIMEOUT=60
INSTALL_TIMEOUT=600

die() {
    echo "s3_server: $*" >&2
    exit 1
}

# True when PID is alive and is a moto server (guards against a recycled PID).
is_moto() {
    local pid=$1
    [[ -n $pid && -r /proc/$pid/cmdline ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q moto_server
}

answers() {
    curl -s -o /dev/null --max-time 2 "http://$HOST:$1/"
}

port_free() {
    "$VENV/bin/python" - "$1" <<'EOF'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
EOF
}

free_port() {
    "$VENV/bin/python" -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

install() {
    if [[ -x $VENV/bin/moto_server ]]; then
        return 0
    fi
    command -v python3 >/dev/null || die "python3 is required to install moto"
    mkdir -p target
    rm -rf "$VENV"
    echo "s3_server: installing moto[server] into $VENV" >&2
    timeout "$INSTALL_TIMEOUT" python3 -m venv "$VENV" || die "cannot create a venv at $VENV"
    if ! timeout "$INSTALL_TIMEOUT" "$VENV/bin/pip" install -q "moto[server]" >&2; then
        rm -rf "$VENV"
        die "pip install \"moto[server]\" failed or took over ${INSTALL_TIMEOUT} s"
    fi
    [[ -x $VENV/bin/moto_server ]] || die "moto installed without moto_server"
}

start() {
    if [[ -f $ENV_FILE ]]; then
        # shellcheck disable=SC1090
        pid=$(. "$ENV_FILE" && echo "${S3_SERVER_PID:-}")
        port=$(. "$ENV_FILE" && echo "${AWS_ENDPOINT##*:}")
        if is_moto "$pid" && answers "$port"; then
            echo "s3_server: already running (pid $pid) at http://$HOST:$port" >&2
            return 0
        fi
        rm -f "$ENV_FILE"
    fi
    install
    local port=${S3_SERVER_PORT:-}
    if [[ -z $port ]]; then
        if port_free 19000; then port=19000; else port=$(free_port); fi
    elif ! port_free "$port"; then
        die "port $port on $HOST is in use"
    fi
    # Its own session, so it outlives this shell; stopped by PID with `stop`.
    setsid "$VENV/bin/moto_server" -H "$HOST" -p "$port" >"$LOG" 2>&1 </dev/null &
    local pid=$!
    local deadline=$((SECONDS + START_TIMEOUT))
    until answers "$port"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            die "moto_server exited before answering on $HOST:$port; see $LOG: $(tail -n 1 "$LOG" 2>/dev/null)"
        fi
        if ((SECONDS >= deadline)); then
            kill "$pid" 2>/dev/null || true
            die "moto_server did not answer on $HOST:$port within ${START_TIMEOUT} s; see $LOG"
        fi
        sleep 0.2
    done
    cat >"$ENV_FILE" <<EOF
export AWS_ENDPOINT=http://$HOST:$port
export AWS_ACCESS_KEY_ID=test
export AWS_SECRET_ACCESS_KEY=test
export AWS_REGION=us-east-1
export AWS_ALLOW_HTTP=true
export FLYWHEEL_TEST_S3_ENDPOINT=http://$HOST:$port
export S3_SERVER_PID=$pid
EOF
    echo "s3_server: moto listening at http://$HOST:$port (pid $pid)" >&2
}

stop() {
    [[ -f $ENV_FILE ]] || { echo "s3_server: not running (no $ENV_FILE)" >&2; return 0; }
    # shellcheck disable=SC1090
    local pid
    pid=$(. "$ENV_FILE" && echo "${S3_SERVER_PID:-}")
    rm -f "$ENV_FILE"
    if ! is_moto "$pid"; then
        echo "s3_server: not running" >&2
        return 0
    fi
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || { echo "s3_server: stopped (pid $pid)" >&2; return 0; }
        sleep 0.2
    done
    kill -9 "$pid" 2>/dev/null || true
    echo "s3_server: killed (pid $pid) after 10 s" >&2
}

case "${1:-}" in
start) start ;;
stop) stop ;;
env)
    [[ -f $ENV_FILE ]] || die "not running (no $ENV_FILE); run: $0 start"
    cat "$ENV_FILE"
    ;;
*)
    echo "usage: $0 start|stop|env" >&2
    exit 2
    ;;
esac
