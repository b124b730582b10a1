"""Selection quality of a published sink against the truth files of ../shared/sample-logs.

    python scripts/eval_dev.py SINK [TRUTH_DIR]     (needs pyarrow)

Prints: the share of interactions with a thumbs-down or report that reached golden
additions (or are duplicates of one that did, in this run or an earlier one); few-shot
examples coming from an interaction with a thumbs-down; bank sizes and token totals;
pairwise agreement of near-duplicate clusters with the datasketch reference.
"""

import glob
import json
import os
import sys
from collections import Counter

import pyarrow.parquet as pq

sink = sys.argv[1]
truth = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
    os.path.dirname(__file__), "..", "..", "shared", "sample-logs", "dev", "truth")

labels = {}
for line in open(os.path.join(truth, "labels_truth.jsonl")):
    r = json.loads(line)
    labels[r["interaction_id"]] = r

# The latest outcome of each interaction: its disposition in the run that read it, then
# what later runs made of it when late feedback re-scored it (carried_outcomes).
by_id = {}
for run in sorted(glob.glob(os.path.join(sink, "reports", "run=*/"))):
    for name in ("dispositions.parquet", "carried_outcomes.parquet"):
        f = os.path.join(run, name)
        if os.path.exists(f):
            for r in pq.read_table(f).to_pylist():
                if r["interaction_id"]:
                    by_id[r["interaction_id"]] = r
golden_ids = set()
golden_examples = set()
for f in glob.glob(os.path.join(sink, "golden", "*", "run=*", "additions.parquet")):
    for g in pq.read_table(f).to_pylist():
        golden_ids.add(g["interaction_id"])
        golden_examples.add(g["example_id"])


def reached_golden(iid, seen=()):
    if iid in golden_ids:
        return True
    r = by_id.get(iid)
    if r is None:
        return False
    if r["disposition"] == "published" and "golden" in (r["reason"] or ""):
        return True
    if r["disposition"] == "duplicate" and r["duplicate_of"] and iid not in seen:
        d = r["duplicate_of"]
        return d in golden_examples or reached_golden(d, seen + (iid,))
    return False


complaints = [i for i, t in labels.items() if {"thumbs_down", "report"} & set(t["events"])]
missed = Counter()
ok = 0
for i in complaints:
    if reached_golden(i):
        ok += 1
    else:
        r = by_id.get(i)
        missed[(r["disposition"], r["reason"]) if r else ("absent", "")] += 1
print(f"thumbs-down/report interactions reaching golden (or duplicate of one): "
      f"{ok}/{len(complaints)} = {ok / max(len(complaints), 1):.3f}")
for (d, reason), n in missed.most_common(8):
    print(f"   missed {n:5d}  {d}: {reason}")

bad_shots = 0
print("few-shot banks:")
for f in sorted(glob.glob(os.path.join(sink, "fewshot", "*", "latest.json"))):
    bank = json.load(open(f))
    ex = bank["examples"]
    # fw_token_estimate: characters / 4, rounded up, of input and output
    tokens = sum(-(-len(e["input"]) // 4) + -(-len(e["output"]) // 4) for e in ex)
    for e in ex:
        for iid in e.get("source_interaction_ids") or []:
            if "thumbs_down" in labels.get(iid, {}).get("events", []):
                bad_shots += 1
    print(f"   {bank['task']:<15} {len(ex):3d} examples  {tokens:6d} tokens")
print(f"few-shot source interactions with a thumbs-down: {bad_shots}")

ref = {}
for line in open(os.path.join(truth, "dedup_reference.jsonl")):
    r = json.loads(line)
    ref[r["interaction_id"]] = r["near_cluster"]
common = [i for i in ref if i in by_id and by_id[i].get("near_cluster")]
c2 = lambda n: n * (n - 1) // 2
pred = sum(c2(n) for n in Counter(by_id[i]["near_cluster"] for i in common).values())
true = sum(c2(n) for n in Counter(ref[i] for i in common).values())
both = sum(c2(n) for n in Counter((by_id[i]["near_cluster"], ref[i]) for i in common).values())
print(f"near-duplicate clusters vs reference over {len(common)} interactions: "
      f"pairwise precision {both / max(pred, 1):.3f}, recall {both / max(true, 1):.3f}")
