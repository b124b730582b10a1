"""The consumer examples under examples/ against real runs of the binary: the eval owner's
loader of golden additions since a run, and the prompt service's few-shot loader.

Two runs over the sample logs (--date 2026-11-01, then --date 2026-11-02) publish into one
sink; expectations come from the manifests and from the listed files read with pyarrow,
not from the code under test."""

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import pyarrow.parquet as pq
import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("FLYWHEEL_BIN", os.path.join(REPO, "target", "debug", "flywheel"))
SOURCE = os.path.join(REPO, "data", "sample-logs")
EXAMPLES = os.path.join(REPO, "examples")
sys.path.insert(0, EXAMPLES)

import eval_owner  # noqa: E402
from prompt_service import fewshot_loader as fl  # noqa: E402

DAY1, DAY2 = "2026-11-01", "2026-11-02"


def run_flywheel(sink, date):
    subprocess.run([BIN, "run", "--source", SOURCE, "--sink", sink, "--date", date],
                   check=True, capture_output=True, cwd=REPO)


def manifests(sink):
    out = {}
    for path in glob.glob(os.path.join(sink, "manifests", "run=*.json")):
        with open(path, encoding="utf-8") as f:
            m = json.load(f)
        out[m["run_id"]] = m
    return out


def run_of_day(sink, day):
    (m,) = [m for m in manifests(sink).values() if {i["dt"] for i in m["inputs"]} == {day}]
    return m


def listed(manifest, kind):
    return [o for o in manifest["outputs"] if o["kind"] == kind]


def golden_ids(sink, manifest):
    ids = []
    for o in listed(manifest, "golden_parquet"):
        ids += pq.read_table(os.path.join(sink, o["path"])).column("example_id").to_pylist()
    return ids


def rows_by_task(manifest):
    return {o["task"]: o["rows"] for o in listed(manifest, "golden_parquet")}


@pytest.fixture(scope="module")
def published():
    """The sink after both runs, and a few-shot loader that cached every bank of the first
    run before the second one published."""
    with tempfile.TemporaryDirectory() as sink:
        run_flywheel(sink, DAY1)
        loader = fl.FewshotLoader(sink)
        tasks = [o["task"] for o in listed(run_of_day(sink, DAY1), "fewshot_bank")]
        before = {t: loader.get(t) for t in tasks}
        run_flywheel(sink, DAY2)
        yield {"sink": sink, "loader": loader, "before": before}


@pytest.fixture(scope="module")
def sink(published):
    return published["sink"]


@pytest.fixture(scope="module")
def first(sink):
    return run_of_day(sink, DAY1)


@pytest.fixture(scope="module")
def second(sink):
    return run_of_day(sink, DAY2)


@pytest.fixture
def sink_copy(sink, tmp_path):
    dst = tmp_path / "sink"
    shutil.copytree(sink, dst)
    return str(dst)


# --- eval owner ----------------------------------------------------------------------


def test_two_runs_publish_disjoint_golden_rows(sink, first, second):
    # What the later assertions rely on: both runs add rows, and no example twice.
    a, b = golden_ids(sink, first), golden_ids(sink, second)
    assert a and b
    assert not set(a) & set(b)


def test_since_first_run_loads_exactly_the_second_runs_rows(sink, first, second):
    df = eval_owner.load_additions(sink, since=first["run_id"])
    assert df.height == sum(o["rows"] for o in listed(second, "golden_parquet"))
    assert sorted(df["example_id"].to_list()) == sorted(golden_ids(sink, second))
    assert set(df["run_id"].to_list()) == {second["run_id"]}
    got = dict(df.group_by("task").len().iter_rows())
    assert got == rows_by_task(second)


def test_without_since_loads_both_runs_in_commit_order(sink, first, second):
    df = eval_owner.load_additions(sink)
    assert sorted(df["example_id"].to_list()) == sorted(golden_ids(sink, first) + golden_ids(sink, second))
    assert df["run_id"].unique(maintain_order=True).to_list() == [first["run_id"], second["run_id"]]
    assert eval_owner.load_additions("file://" + sink).height == df.height


def test_since_latest_run_is_empty_and_unknown_run_is_an_error(sink, second):
    df = eval_owner.load_additions(sink, since=second["run_id"])
    assert df.height == 0 and "example_id" in df.columns
    with pytest.raises(eval_owner.UnknownRun):
        eval_owner.load_additions(sink, since="2026-10-31-000000000000")


def test_task_filter(sink, first, second):
    task = max(rows_by_task(second), key=rows_by_task(second).get)
    df = eval_owner.load_additions(sink, task=task)
    assert set(df["task"].to_list()) == {task}
    assert df.height == rows_by_task(first).get(task, 0) + rows_by_task(second)[task]


def test_reads_only_listed_files_and_verifies_them(sink_copy, first, second):
    # An uncommitted run's files (no manifest) are not additions.
    o = listed(second, "golden_parquet")[0]
    stray = os.path.join(sink_copy, "golden", o["task"], "run=2026-11-03-000000000000")
    os.makedirs(stray)
    shutil.copy(os.path.join(sink_copy, o["path"]), os.path.join(stray, "additions.parquet"))
    expected = len(golden_ids(sink_copy, first)) + len(golden_ids(sink_copy, second))
    assert eval_owner.load_additions(sink_copy).height == expected

    # A listed file that is not what the manifest says is refused, unless told not to check.
    other = next(x for x in listed(first, "golden_parquet") if x["rows"] != o["rows"])
    shutil.copy(os.path.join(sink_copy, other["path"]), os.path.join(sink_copy, o["path"]))
    with pytest.raises(eval_owner.ManifestMismatch):
        eval_owner.load_additions(sink_copy, since=first["run_id"])
    df = eval_owner.load_additions(sink_copy, since=first["run_id"], verify=False)
    assert df.height == sum(x["rows"] for x in listed(second, "golden_parquet")) - o["rows"] + other["rows"]


def cli(*args):
    return subprocess.run([sys.executable, os.path.join(EXAMPLES, "eval_owner.py"), *args],
                          capture_output=True, text=True, cwd=REPO)


def test_cli_prints_one_section_per_task(sink, first, second):
    p = cli(sink, "--since", first["run_id"])
    assert p.returncode == 0, p.stderr
    sections = dict(
        (t, int(n)) for t, n in re.findall(r"^== (\S+): (\d+) rows? \(", p.stdout, re.MULTILINE)
    )
    assert sections == rows_by_task(second)
    for ex_id in golden_ids(sink, second):
        assert ex_id in p.stdout
    for ex_id in golden_ids(sink, first):
        assert ex_id not in p.stdout
    assert f"golden rows: {sum(sections.values())}" in p.stdout

    everything = cli(sink)
    assert everything.returncode == 0
    assert all(ex_id in everything.stdout for ex_id in golden_ids(sink, first))

    bad = cli(sink, "--since", "no-such-run")
    assert bad.returncode == 2 and "no-such-run" in bad.stderr


# --- prompt service ------------------------------------------------------------------


def listed_bank(sink, manifest, task):
    (o,) = [o for o in listed(manifest, "fewshot_bank") if o["task"] == task]
    with open(os.path.join(sink, o["path"]), encoding="utf-8") as f:
        return json.load(f)


def biggest_bank_task(manifest):
    return max(listed(manifest, "fewshot_bank"), key=lambda o: o["rows"])["task"]


class CountingStore(fl.LocalStore):
    def __init__(self, root):
        super().__init__(root)
        self.read_keys = []

    def read(self, key):
        self.read_keys.append(key)
        return super().read(key)


def write_bank(sink, task, bank):
    """Publish as the pipeline does: a whole new object replacing latest.json."""
    path = os.path.join(sink, "fewshot", task, "latest.json")
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(bank, f)
    os.replace(tmp, path)


def test_loader_serves_the_banks_the_last_run_published(sink, second):
    loader = fl.FewshotLoader("file://" + sink)
    for o in listed(second, "fewshot_bank"):
        bank = loader.get(o["task"])
        want = listed_bank(sink, second, o["task"])
        assert bank.version == second["run_id"]
        assert list(bank.examples) == want["examples"]
        assert len(bank.examples) == o["rows"]


def test_prompt_has_the_examples_in_order_then_the_new_message(sink, second):
    task = biggest_bank_task(second)
    examples = listed_bank(sink, second, task)["examples"]
    assert len(examples) >= 2, "order needs at least two examples"
    msgs = fl.FewshotLoader(sink).prompt(task, "a brand-new question", system="Be brief.")
    assert msgs[0] == {"role": "system", "content": "Be brief."}
    pairs = [(msgs[i], msgs[i + 1]) for i in range(1, len(msgs) - 1, 2)]
    assert [(u["role"], a["role"]) for u, a in pairs] == [("user", "assistant")] * len(examples)
    assert [(u["content"], a["content"]) for u, a in pairs] == [(e["input"], e["output"]) for e in examples]
    assert msgs[-1] == {"role": "user", "content": "a brand-new question"}


def test_token_budget_bounds_the_examples(sink, second):
    task = biggest_bank_task(second)
    bank = fl.FewshotLoader(sink).get(task)
    est = fl.estimate_tokens
    base = est("S") + est("Q")
    costs = [est(e["input"] + e["output"]) for e in bank.examples]
    pairs = lambda msgs: [(u["content"], a["content"]) for u, a in zip(msgs[1:-1:2], msgs[2:-1:2])]  # noqa: E731
    every = [(e["input"], e["output"]) for e in bank.examples]

    assert pairs(fl.render_messages(bank, "Q", system="S")) == every
    assert pairs(fl.render_messages(bank, "Q", system="S", token_budget=base + sum(costs))) == every
    assert fl.render_messages(bank, "Q", system="S", token_budget=base) == [
        {"role": "system", "content": "S"}, {"role": "user", "content": "Q"}]
    # Exactly the first example's cost left: it, and nothing after it, fits.
    assert pairs(fl.render_messages(bank, "Q", system="S", token_budget=base + costs[0])) == every[:1]
    # One token short of all: something is left out, the rest keeps bank order and fits.
    kept = pairs(fl.render_messages(bank, "Q", system="S", token_budget=base + sum(costs) - 1))
    assert len(kept) < len(every) and kept == [p for p in every if p in kept]
    assert base + sum(costs[every.index(p)] for p in kept) <= base + sum(costs) - 1
    assert pairs(fl.render_messages(bank, "Q", system="S", max_examples=1)) == every[:1]


def test_cached_bank_is_not_read_again_while_unchanged(sink_copy, second):
    task = biggest_bank_task(second)
    store = CountingStore(sink_copy)
    loader = fl.FewshotLoader(sink_copy, store=store)
    bank = loader.get(task)
    assert loader.get(task) is bank
    loader.prompt(task, "again")
    assert len(store.read_keys) == 1

    # The object is rewritten with the same version: read once more, the cached bank stays.
    path = os.path.join(sink_copy, "fewshot", task, "latest.json")
    write_bank(sink_copy, task, json.load(open(path, encoding="utf-8")))
    assert loader.get(task) is bank
    assert len(store.read_keys) == 2
    assert loader.get(task) is bank
    assert len(store.read_keys) == 2


def test_new_version_replaces_the_cached_bank(sink_copy, first, second):
    task = biggest_bank_task(second)
    loader = fl.FewshotLoader(sink_copy)
    assert loader.get(task).version == second["run_id"]

    new = dict(listed_bank(sink_copy, first, task), version="2026-11-03-0123456789ab")
    write_bank(sink_copy, task, new)
    bank = loader.get(task)
    assert bank.version == "2026-11-03-0123456789ab"
    assert list(bank.examples) == new["examples"]

    # Half-written or foreign objects do not replace a good bank; the next good one does.
    path = os.path.join(sink_copy, "fewshot", task, "latest.json")
    with open(path, "w", encoding="utf-8") as f:
        f.write('{"task": "%s", "version": "2026-11-04-' % task)
    assert loader.get(task) is bank
    write_bank(sink_copy, task, dict(new, task="not-" + task, version="2026-11-04-x"))
    assert loader.get(task) is bank
    write_bank(sink_copy, task, dict(new, version="2026-11-04-x"))
    assert loader.get(task).version == "2026-11-04-x"


def test_loader_follows_a_real_publish(published, first, second):
    loader, before, sink = published["loader"], published["before"], published["sink"]
    assert before and {b.version for b in before.values()} == {first["run_id"]}
    for task, bank in before.items():
        assert list(bank.examples) == listed_bank(sink, first, task)["examples"]
    for o in listed(second, "fewshot_bank"):
        bank = loader.get(o["task"])
        assert bank.version == second["run_id"]
        assert list(bank.examples) == listed_bank(sink, second, o["task"])["examples"]


def test_empty_and_missing_banks_render_zero_shot(sink_copy, second):
    task = biggest_bank_task(second)
    write_bank(sink_copy, task, {"task": task, "version": "2026-11-05-empty", "generated_at": None,
                                 "examples": []})
    loader = fl.FewshotLoader(sink_copy)
    bank = loader.get(task)
    assert bank.empty and bank.version == "2026-11-05-empty"
    zero_shot = [{"role": "system", "content": "S"}, {"role": "user", "content": "Q"}]
    assert loader.prompt(task, "Q", system="S") == zero_shot
    with pytest.raises(fl.BankNotFound):
        loader.get("no-such-task")
    assert loader.prompt("no-such-task", "Q", system="S") == zero_shot


def test_s3_store_checks_the_etag_before_reading():
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    bank = {"task": "qa", "version": "v1", "generated_at": None,
            "examples": [{"input": "q", "output": "a", "example_id": "ex-1"}]}
    with moto.mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="fw-banks")
        put = lambda doc: client.put_object(Bucket="fw-banks", Key="fw/fewshot/qa/latest.json",  # noqa: E731
                                            Body=json.dumps(doc).encode())
        put(bank)
        store = fl.S3Store("fw-banks", "/fw/", client=client)
        reads = []
        real_read = store.read
        store.read = lambda key: reads.append(key) or real_read(key)
        loader = fl.FewshotLoader("s3://fw-banks/fw", store=store)
        first = loader.get("qa")
        assert loader.get("qa") is first and len(reads) == 1
        put(dict(bank, version="v2"))
        assert loader.get("qa").version == "v2" and len(reads) == 2
        with pytest.raises(fl.BankNotFound):
            loader.get("math")
