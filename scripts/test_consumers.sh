#!/usr/bin/env bash
# Runs tests/consumers with the tools eval owners and prompt services use (polars,
# pyarrow), installed into a throwaway venv. Skips cleanly when they cannot be installed.
#   --venv-only   only make the venv (other scripts reuse it)
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/consumers-venv
if ! "$venv/bin/python" -c "import polars, pyarrow, pytest, boto3, moto" 2>/dev/null; then
  python3 -m venv "$venv"
  if ! "$venv/bin/pip" install --quiet polars pyarrow pytest boto3 "moto[s3]"; then
    echo "skipped: could not install polars/pyarrow/pytest/boto3/moto from PyPI"
    exit 0
  fi
fi
if [ "${1:-}" = "--venv-only" ]; then
  exit 0
fi
cargo build -p flywheel --quiet
"$venv/bin/pytest" -q tests/consumers
