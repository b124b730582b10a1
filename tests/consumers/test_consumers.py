"""What eval owners and prompt services do with a published run, with their own tools:
the golden Parquet read by polars and pyarrow, the few-shot bank by a plain JSON loader,
both checked against the manifest."""

import glob
import json
import os
import subprocess
import tempfile

import polars as pl
import pyarrow.parquet as pq
import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("FLYWHEEL_BIN", os.path.join(REPO, "target", "debug", "flywheel"))

GOLDEN_COLUMNS = {
    "example_id", "task", "kind", "label", "score", "confidence", "input_messages", "input",
    "output", "reference_output", "needs_reference", "user_reason", "signals",
    "answer_defects", "answer_quality",
    "interaction_id", "source_interaction_ids", "prompt_version", "model", "tenant_id",
    "interaction_ts", "run_id",
}


@pytest.fixture(scope="module")
def sink():
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(
            [BIN, "run", "--source", os.path.join(REPO, "data", "sample-logs"), "--sink", d],
            check=True, capture_output=True, cwd=REPO,
        )
        yield d


@pytest.fixture(scope="module")
def manifest(sink):
    (path,) = glob.glob(os.path.join(sink, "manifests", "run=*.json"))
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def outputs(manifest, kind):
    return [o for o in manifest["outputs"] if o["kind"] == kind]


def test_polars_reads_golden_parquet_with_the_contract_schema(sink, manifest):
    golden = outputs(manifest, "golden_parquet")
    assert golden, "the sample publishes golden additions"
    for o in golden:
        df = pl.read_parquet(os.path.join(sink, o["path"]))
        assert df.height == o["rows"]
        assert GOLDEN_COLUMNS <= set(df.columns)
        assert df["task"].unique().to_list() == [o["task"]]
        assert set(df["kind"].unique().to_list()) <= {"regression", "reference"}
        assert df["example_id"].n_unique() == df.height
        assert df["input_messages"].dtype == pl.List(pl.Struct({"role": pl.String, "content": pl.String}))


def test_pyarrow_reads_golden_parquet_and_lineage(sink, manifest):
    total = 0
    for o in outputs(manifest, "golden_parquet"):
        table = pq.read_table(os.path.join(sink, o["path"]))
        assert table.num_rows == o["rows"]
        ids = table.column("source_interaction_ids").to_pylist()
        assert all(len(x) >= 1 for x in ids)
        assert set(table.column("run_id").to_pylist()) == {manifest["run_id"]}
        total += table.num_rows
    assert total == sum(o["rows"] for o in outputs(manifest, "golden_jsonl"))


def test_fewshot_bank_loads_with_plain_json(sink, manifest):
    banks = outputs(manifest, "fewshot_bank")
    assert banks
    for o in banks:
        with open(os.path.join(sink, o["path"]), encoding="utf-8") as f:
            bank = json.load(f)
        assert bank["task"] == o["task"]
        assert bank["version"] == manifest["run_id"]
        assert len(bank["examples"]) == o["rows"]
        for ex in bank["examples"]:
            assert ex["input"] and ex["output"] and ex["example_id"].startswith("ex-")
            assert isinstance(ex["source_interaction_ids"], list)
        with open(os.path.join(sink, "fewshot", o["task"], "latest.json"), encoding="utf-8") as f:
            assert json.load(f) == bank
