"""Golden additions of the runs committed after a given run, loaded the way an eval owner
does it: polars, and only what the manifests list.

    python examples/eval_owner.py SINK [--since RUN_ID] [--task T] [--no-verify] [--chars N]

SINK is a local path, a file:// URL, or (when fsspec with the matching backend, e.g.
s3fs, is installed) any fsspec URL such as s3://bucket/prefix.

A run exists for a reader once its manifest `manifests/run=<run_id>.json` does (the
manifest is the commit point); files under golden/ that no manifest lists are ignored.
Runs are ordered by commit: the manifest's `created_at`, then the last input partition,
then the run id. `--since RUN_ID` keeps the runs committed after RUN_ID (exclusive);
without it every committed run is loaded. A forced re-run (`flywheel run --force`)
keeps its first `created_at` (the re-run time is `republished_at`) and its files come out
byte-identical, so it does not count as new.

Each listed file is checked against the manifest (size, sha256, rows) unless
--no-verify is given. Prints, per task, the row count by kind and one line per row.

As a library:

    from eval_owner import load_additions
    df = load_additions("/data/flywheel", since="2026-11-01-73a3229789b4")
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import posixpath
import sys
from datetime import datetime, timezone
from urllib.parse import unquote, urlparse

import polars as pl

GOLDEN_KIND = "golden_parquet"

# Columns of an empty result, so callers can select them whatever was loaded.
EMPTY_SCHEMA = {
    "example_id": pl.String,
    "task": pl.String,
    "kind": pl.String,
    "label": pl.String,
    "input": pl.String,
    "output": pl.String,
    "run_id": pl.String,
}


class ManifestMismatch(ValueError):
    """A file differs from what its manifest says (size, sha256 or rows)."""


class UnknownRun(LookupError):
    """--since names a run that has no manifest in the sink."""


# --- storage -------------------------------------------------------------------------


class LocalSink:
    def __init__(self, root: str):
        self.root = root

    def list_manifests(self) -> list[str]:
        d = os.path.join(self.root, "manifests")
        if not os.path.isdir(d):
            return []
        return sorted(
            "manifests/" + n for n in os.listdir(d) if n.startswith("run=") and n.endswith(".json")
        )

    def read(self, rel: str) -> bytes:
        with open(os.path.join(self.root, *rel.split("/")), "rb") as f:
            return f.read()


class FsspecSink:
    def __init__(self, url: str):
        import fsspec  # optional dependency

        self.fs, self.root = fsspec.core.url_to_fs(url)
        self.root = self.root.rstrip("/")

    def list_manifests(self) -> list[str]:
        found = self.fs.glob(f"{self.root}/manifests/run=*.json")
        return sorted("manifests/" + posixpath.basename(p) for p in found)

    def read(self, rel: str) -> bytes:
        return self.fs.cat_file(f"{self.root}/{rel}")


def open_sink(url: str):
    """A local path, a file:// URL, or any URL fsspec understands."""
    parsed = urlparse(url)
    if parsed.scheme == "file":
        if parsed.netloc not in ("", "localhost"):
            raise ValueError(f"file:// URL with a remote host: {url}")
        return LocalSink(unquote(parsed.path))
    if len(parsed.scheme) <= 1:  # a plain path (or a Windows drive letter)
        return LocalSink(url)
    try:
        return FsspecSink(url)
    except ImportError as e:
        raise SystemExit(f"{url}: reading {parsed.scheme}:// needs fsspec ({e})") from e


# --- manifests -----------------------------------------------------------------------


def _parse_ts(value) -> datetime:
    if not value:
        return datetime.min.replace(tzinfo=timezone.utc)
    ts = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return ts if ts.tzinfo else ts.replace(tzinfo=timezone.utc)


def commit_key(manifest: dict):
    """Order of commit, as the pipeline orders it: created_at, then the last input partition,
    then the run id (whose prefix is that partition)."""
    last_dt = max((i.get("dt") or "" for i in manifest.get("inputs", [])), default="")
    return (_parse_ts(manifest.get("created_at")), last_dt, manifest["run_id"])


def committed_runs(sink) -> list[dict]:
    """Every manifest in the sink, in commit order."""
    if isinstance(sink, str):
        sink = open_sink(sink)
    manifests = []
    for rel in sink.list_manifests():
        try:
            m = json.loads(sink.read(rel))
        except ValueError as e:
            raise ManifestMismatch(f"{rel}: not valid JSON ({e})") from e
        expected = rel[len("manifests/run="):-len(".json")]
        if m.get("run_id") != expected:
            raise ManifestMismatch(f"{rel}: run_id is {m.get('run_id')!r}")
        manifests.append(m)
    return sorted(manifests, key=commit_key)


def runs_after(manifests: list[dict], since: str | None) -> list[dict]:
    if since is None:
        return list(manifests)
    ids = [m["run_id"] for m in manifests]
    if since not in ids:
        raise UnknownRun(f"no manifest for run {since!r} (committed runs: {', '.join(ids) or 'none'})")
    return manifests[ids.index(since) + 1:]


def _safe_rel(path: str) -> str:
    norm = posixpath.normpath(path)
    if path.startswith("/") or norm.startswith("..") or "://" in path:
        raise ManifestMismatch(f"manifest output outside the sink: {path!r}")
    return norm


def _read_listed(sink, output: dict, verify: bool) -> pl.DataFrame:
    rel = _safe_rel(output["path"])
    data = sink.read(rel)
    if verify:
        if "bytes" in output and len(data) != output["bytes"]:
            raise ManifestMismatch(f"{rel}: {len(data)} bytes, manifest says {output['bytes']}")
        digest = hashlib.sha256(data).hexdigest()
        if "sha256" in output and digest != output["sha256"]:
            raise ManifestMismatch(f"{rel}: sha256 {digest}, manifest says {output['sha256']}")
    df = pl.read_parquet(io.BytesIO(data))
    if verify and "rows" in output and df.height != output["rows"]:
        raise ManifestMismatch(f"{rel}: {df.height} rows, manifest says {output['rows']}")
    return df


def read_additions(sink, runs: list[dict], task: str | None = None,
                   verify: bool = True) -> pl.DataFrame:
    """The golden rows that these manifests list, in their order."""
    frames = []
    for m in runs:
        for o in m.get("outputs", []):
            if o.get("kind") != GOLDEN_KIND or (task is not None and o.get("task") != task):
                continue
            frames.append(_read_listed(sink, o, verify))
    if not frames:
        return pl.DataFrame(schema=EMPTY_SCHEMA)
    # Columns may be added to the contract over time; older runs get nulls for them.
    return pl.concat(frames, how="diagonal_relaxed")


def load_additions(sink, since: str | None = None, task: str | None = None,
                   verify: bool = True) -> pl.DataFrame:
    """The golden rows of the runs committed after `since` (all runs when None), in commit
    order, then in the order each manifest lists its files. Only the golden Parquet files
    that the manifests list are read. Raises UnknownRun when `since` has no manifest and
    ManifestMismatch when a file differs from its manifest entry (unless verify=False)."""
    if isinstance(sink, str):
        sink = open_sink(sink)
    return read_additions(sink, runs_after(committed_runs(sink), since), task, verify)


# --- CLI -----------------------------------------------------------------------------


def _short(text, width: int) -> str:
    if text is None:
        return "-"
    flat = " ".join(str(text).split())
    return flat if len(flat) <= width else flat[: max(width - 1, 0)] + "…"


def print_additions(df: pl.DataFrame, runs: list[dict], since: str | None, width: int,
                    out=sys.stdout) -> None:
    ids = ", ".join(m["run_id"] for m in runs) or "none"
    scope = f"committed after {since}" if since else "all committed runs"
    print(f"runs ({scope}): {ids}", file=out)
    print(f"golden rows: {df.height}", file=out)
    if df.height == 0:
        return
    for task in sorted(df["task"].unique().to_list()):
        rows = df.filter(pl.col("task") == task)
        kinds = rows["kind"].value_counts(sort=True)
        by_kind = ", ".join(f"{k} {n}" for k, n in kinds.iter_rows())
        noun = "row" if rows.height == 1 else "rows"
        print(f"\n== {task}: {rows.height} {noun} ({by_kind}) ==", file=out)
        for r in rows.iter_rows(named=True):
            print(
                f"  {r.get('kind') or '-':<10} {r.get('label') or '-':<8} {r['example_id']}"
                f"  in: {_short(r.get('input'), width)}  out: {_short(r.get('output'), width)}",
                file=out,
            )


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Golden additions committed after a run.")
    p.add_argument("sink", help="sink path or URL (file://, s3:// with fsspec)")
    p.add_argument("--since", metavar="RUN_ID", help="only runs committed after this one")
    p.add_argument("--task", help="only this task")
    p.add_argument("--no-verify", action="store_true", help="skip the size/sha256/rows checks")
    p.add_argument("--chars", type=int, default=60, help="width of the input/output excerpts")
    a = p.parse_args(argv)
    sink = open_sink(a.sink)
    try:
        runs = runs_after(committed_runs(sink), a.since)
        df = read_additions(sink, runs, task=a.task, verify=not a.no_verify)
    except (UnknownRun, ManifestMismatch) as e:
        print(f"eval_owner: {e}", file=sys.stderr)
        return 2
    print_additions(df, runs, a.since, a.chars)
    return 0


if __name__ == "__main__":
    sys.exit(main())
