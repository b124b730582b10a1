# Flywheel developer commands. `make run` and `make test` are the two a newcomer needs.
CARGO ?= cargo
BIN := target/debug/flywheel
RELEASE_BIN := target/release/flywheel

.PHONY: run test lint fmt release run-shared eval-shared bench bench-pii test-consumers test-report-html test-cron test-airflow test-ops

## Build (debug: quick to compile, fast enough for the bundled sample) and run on data/sample-logs.
run:
	$(CARGO) build -p flywheel
	$(BIN) run --source data/sample-logs --sink out

## Unit and integration tests of every crate.
test:
	$(CARGO) test --workspace

## Formatting and lints, as CI checks them.
lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

## Optimised binary for real volumes.
release:
	$(CARGO) build --release -p flywheel

## The realistic sample beside the repository, when present.
run-shared: release
	$(RELEASE_BIN) run --source ../shared/sample-logs/dev/logs --sink out/shared

## Selection quality of that run against the sample's truth files (uses the consumers' venv).
eval-shared: run-shared
	bash scripts/test_consumers.sh --venv-only
	target/consumers-venv/bin/python scripts/eval_dev.py out/shared ../shared/sample-logs/dev/truth

## End to end on generated 1 GiB and 10 GiB days (release), against datatrove on the same files.
bench:
	bash scripts/bench.sh

## PII scanner throughput and quality against Presidio on the same records.
bench-pii:
	bash scripts/bench_pii.sh

## Consumers: the golden Parquet read by polars and pyarrow, banks by a JSON loader.
test-consumers:
	bash scripts/test_consumers.sh

## report.html rendered in headless Chromium: no console errors, every chart drawn.
test-report-html:
	bash scripts/test_report_html.sh

## The cron wrapper: lock-aware retries, exit codes, log file.
test-cron:
	bash scripts/test_cron.sh

## The Airflow DAG under `airflow dags test` (Airflow from PyPI into target/airflow-venv).
test-airflow:
	bash scripts/test_airflow.sh

## Everything around a run as operators and consumers use it.
test-ops: test-consumers test-report-html test-cron test-airflow
