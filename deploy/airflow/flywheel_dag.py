"""Flywheel nightly: one task that runs ``flywheel run --date {{ ds }}``.

Each night, once the day has ended, the run for that day processes its
``dt=<ds>`` partition. The schedule is a daily *data interval* (midnight to
midnight UTC), so ``ds`` is the day that just ended, as in Airflow 2. A plain
``"@daily"`` on Airflow 3 would make ``ds`` the day that is just beginning.

Settings, each read from an Airflow Variable first and the environment second:

    flywheel_bin     / FLYWHEEL_BIN       binary (default: ``flywheel`` on PATH)
    flywheel_source  / FLYWHEEL_SOURCE    --source URL or path (optional)
    flywheel_sink    / FLYWHEEL_SINK      --sink URL or path (optional)
    flywheel_config  / FLYWHEEL_CONFIG    --config TOML file (optional)

The binary inherits the worker's environment, so object-store settings
(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL, AWS_REGION, ...)
and FLYWHEEL_LOG pass straight through. Its output is streamed into the task
log.

Exit codes of ``flywheel run`` and what the task does with them:

    0  success (including "nothing new")     -> task succeeds
    1  runtime failure                       -> task fails and is retried
    2  usage or configuration error          -> task fails, no retry
    3  a quality gate failed                 -> task fails, no retry
    4  another run holds the sink lock       -> task fails and is retried later

"No retry" is AirflowFailException; anything else raised uses the task's
retries (3, ten minutes apart; FLYWHEEL_RETRY_DELAY_SECS overrides the delay).
"""

from __future__ import annotations

import logging
import os
import shlex
import subprocess
from datetime import timedelta

import pendulum
from airflow.sdk import Variable, dag, task

try:
    from airflow.sdk.exceptions import AirflowFailException
except ImportError:  # Airflow 3.0 / 3.1
    from airflow.exceptions import AirflowFailException
try:
    from airflow.sdk import CronDataIntervalTimetable
except ImportError:  # Airflow 3.0 / 3.1
    from airflow.timetables.interval import CronDataIntervalTimetable

log = logging.getLogger("flywheel")

RETRY_DELAY = timedelta(seconds=int(os.environ.get("FLYWHEEL_RETRY_DELAY_SECS", "600")))


def _setting(name: str) -> str | None:
    """Airflow Variable ``name.lower()`` if set, else environment variable ``name``."""
    return Variable.get(name.lower(), default=None) or os.environ.get(name) or None


@task(retries=3, retry_delay=RETRY_DELAY, execution_timeout=timedelta(hours=6))
def flywheel_run(run_date: str) -> None:
    cmd = [_setting("FLYWHEEL_BIN") or "flywheel", "run", "--date", run_date]
    for flag in ("source", "sink", "config"):
        value = _setting(f"FLYWHEEL_{flag.upper()}")
        if value:
            cmd += [f"--{flag}", value]
    log.info("running: %s", shlex.join(cmd))

    try:
        proc = subprocess.Popen(
            cmd,
            env=dict(os.environ),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
    except OSError as e:  # missing or non-executable binary: retrying will not help
        raise AirflowFailException(f"cannot start {cmd[0]!r}: {e}") from e
    try:
        for line in proc.stdout:
            log.info("%s", line.rstrip("\n"))
        rc = proc.wait()
    finally:  # timeout or kill of the task: do not leave the binary running
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()

    if rc == 0:
        return
    if rc == 2:
        raise AirflowFailException("flywheel exited 2: usage or configuration error (not retried)")
    if rc == 3:
        raise AirflowFailException("flywheel exited 3: a quality gate failed (not retried)")
    if rc == 4:
        raise RuntimeError("flywheel exited 4: another run holds the sink lock (will retry)")
    raise RuntimeError(f"flywheel exited {rc}: runtime failure (will retry)")


@dag(
    dag_id="flywheel_nightly",
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["flywheel"],
    doc_md=__doc__,
)
def flywheel_nightly():
    flywheel_run(run_date="{{ ds }}")


flywheel_nightly()
