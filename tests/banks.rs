//! Few-shot banks under a token budget, and across runs: the bank keeps the best examples
//! that fit, keeps them from night to night, and drops those late feedback turned bad.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::support::*;

/// Tokens of a bank example as the SQL estimates them: characters / 4, rounded up, of
/// input and output.
fn tokens(example: &Value) -> usize {
    ["input", "output"]
        .iter()
        .map(|k| example[k].as_str().unwrap().chars().count().div_ceil(4))
        .sum()
}

fn banks(sink: &Path) -> Vec<Value> {
    files(sink)
        .iter()
        .filter(|p| p.to_string_lossy().ends_with("/latest.json"))
        .map(|p| json(p))
        .collect()
}

// With a 400-token budget every bank fits it, and at least one bank that had more
// examples under the default budget is cut, keeping its best-ranked examples in order.
#[test]
fn banks_stop_at_the_token_budget() {
    let dir = tempfile::tempdir().unwrap();
    let sample = repo().join("data/sample-logs");
    let full = dir.path().join("full");
    run_ok(&sample, &full);
    let cfg = dir.path().join("flywheel.toml");
    std::fs::write(&cfg, "[params]\nfewshot_token_budget = 400\n").unwrap();
    let small = dir.path().join("small");
    let out = flywheel(&[
        "run",
        "--config",
        path(&cfg),
        "--source",
        path(&sample),
        "--sink",
        path(&small),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut cut = 0;
    for bank in banks(&small) {
        let examples = bank["examples"].as_array().unwrap();
        let total: usize = examples.iter().map(tokens).sum();
        assert!(total <= 400, "{}: {total} tokens", bank["task"]);
        let before = banks(&full)
            .into_iter()
            .find(|b| b["task"] == bank["task"])
            .unwrap();
        let before = before["examples"].as_array().unwrap();
        if examples.len() < before.len() {
            cut += 1;
            // The picks follow the unbudgeted ranking until its next example would not
            // fit in what is left of the budget; only there may a smaller one be taken.
            let same = examples
                .iter()
                .zip(before)
                .take_while(|(a, b)| a["example_id"] == b["example_id"])
                .count();
            if same < examples.len() {
                let used: usize = examples[..same].iter().map(tokens).sum();
                assert!(
                    used + tokens(&before[same]) > 400,
                    "{}: diverged at {same} although the ranked example fits",
                    bank["task"]
                );
            }
        }
    }
    assert!(cut > 0, "some bank must hit the budget");
}

// --- Banks across runs: kept from night to night, retracted by late feedback. ---

const DAY1: &str = "2026-11-03";
const DAY2: &str = "2026-11-04";

/// Distinct prompts of task `support` with good answers, none a near-duplicate of another.
const LIKED: [(&str, &str, &str); 4] = [
    (
        "i-1",
        "How do I reverse a linked list in place without extra memory?",
        "Walk the list once, pointing each node back at its predecessor.",
    ),
    (
        "i-2",
        "What is the difference between a process and a thread?",
        "Threads of one process share its address space; processes each have their own.",
    ),
    (
        "i-3",
        "Why does my SQL query with NOT IN return no rows when the subquery has nulls?",
        "NOT IN against a NULL is unknown, so no row passes; use NOT EXISTS instead.",
    ),
    (
        "i-4",
        "Explain how a hash map resolves collisions in a few sentences",
        "Each bucket keeps a short chain, or the table probes for the next free slot.",
    ),
];

/// The liked interaction of day 2, unlike every prompt of day 1.
const NEW: (&str, &str, &str) = (
    "i-5",
    "How can I make a git commit message span several paragraphs?",
    "Run git commit without -m and write the paragraphs in the editor, separated by blank lines.",
);

/// An interaction of task `support` on `dt`.
fn asked(dt: &str, (id, prompt, answer): (&str, &str, &str)) -> Value {
    let mut c = chat(id, &format!("s-{id}"), prompt, answer);
    c["ts"] = format!("{dt}T10:00:00Z").into();
    c
}

/// Feedback events of `kinds` on `interaction` at `ts` (a rating is a 5).
fn feedback(interaction: &str, kinds: &[&str], ts: &str) -> Vec<Value> {
    kinds
        .iter()
        .map(|kind| {
            let mut e = event(
                &format!("f-{interaction}-{kind}-{ts}"),
                interaction,
                kind,
                None,
            );
            e["ts"] = ts.into();
            if *kind == "rating" {
                e["value"] = 5.into();
            }
            e
        })
        .collect()
}

/// Day 1: the four liked interactions, each with score >= fewshot_min_score (thumbs up
/// and accept: 1.8; a 5 rating and thumbs up: 2.0).
fn day1(src: &Path) {
    let interactions: Vec<Value> = LIKED.iter().map(|l| asked(DAY1, *l)).collect();
    let mut events = Vec::new();
    for (n, (id, _, _)) in LIKED.iter().enumerate() {
        let kinds: &[&str] = if n % 2 == 0 {
            &["thumbs_up", "accept"]
        } else {
            &["rating", "thumbs_up"]
        };
        events.extend(feedback(id, kinds, &format!("{DAY1}T10:05:00Z")));
    }
    day(src, DAY1, &interactions, &events);
}

/// The run ids committed in `sink`, in order (manifests/run=<id>.json).
fn run_ids(sink: &Path) -> Vec<String> {
    files(&sink.join("manifests"))
        .iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.strip_prefix("run=")
                .and_then(|n| n.strip_suffix(".json"))
                .unwrap()
                .to_string()
        })
        .collect()
}

/// The one committed run whose id starts with `dt`.
fn run_of(sink: &Path, dt: &str) -> String {
    let ids: Vec<String> = run_ids(sink)
        .into_iter()
        .filter(|id| id.starts_with(dt))
        .collect();
    assert_eq!(ids.len(), 1, "one run of {dt}: {ids:?}");
    ids.into_iter().next().unwrap()
}

fn latest(sink: &Path) -> Value {
    json(&sink.join("fewshot/support/latest.json"))
}

fn example_ids(bank: &Value) -> BTreeSet<String> {
    bank["examples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["example_id"].as_str().unwrap().to_string())
        .collect()
}

/// The example of `bank` whose source interactions include `interaction`.
fn example_of(bank: &Value, interaction: &str) -> String {
    let found: Vec<&Value> = bank["examples"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["source_interaction_ids"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i == interaction)
        })
        .collect();
    assert_eq!(found.len(), 1, "one example of {interaction}: {bank}");
    found[0]["example_id"].as_str().unwrap().to_string()
}

/// The day-1 bank: the four liked prompts, each its own example, version the day-1 run.
fn assert_day1_bank(sink: &Path) -> Value {
    let bank = latest(sink);
    assert_eq!(bank["task"], "support");
    assert_eq!(bank["version"], run_of(sink, DAY1).as_str());
    assert_eq!(example_ids(&bank).len(), LIKED.len(), "{bank}");
    for (id, _, _) in LIKED {
        example_of(&bank, id);
    }
    bank
}

// A bank keeps its examples across runs: day 1 makes a bank of four liked prompts; day 2
// (a new partition) brings one more liked interaction with a new prompt, and the bank
// after day 2 holds all five (well within fewshot_max_examples and the token budget),
// versioned by the day-2 run. A quiet night does not shrink a bank to its new examples.
#[test]
fn banks_keep_their_examples_across_runs() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("logs");
    let sink = dir.path().join("out");
    day1(&src);
    run_ok(&src, &sink);
    let before = assert_day1_bank(&sink);

    day(
        &src,
        DAY2,
        &[asked(DAY2, NEW)],
        &feedback(
            NEW.0,
            &["thumbs_up", "accept"],
            &format!("{DAY2}T10:05:00Z"),
        ),
    );
    run_ok(&src, &sink);
    let run2 = run_of(&sink, DAY2);
    let after = latest(&sink);
    assert_eq!(after["version"], run2.as_str(), "{after}");
    assert_eq!(
        after,
        json(&sink.join(format!("fewshot/support/bank-{run2}.json"))),
        "latest.json is the day-2 bank"
    );
    let new = example_of(&after, NEW.0);
    let mut expected = example_ids(&before);
    expected.insert(new);
    assert_eq!(example_ids(&after), expected, "{after}");
    assert_eq!(after["examples"].as_array().unwrap().len(), LIKED.len() + 1);
    // the kept examples are the day-1 ones, content and lineage unchanged
    for e in before["examples"].as_array().unwrap() {
        let kept = after["examples"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["example_id"] == e["example_id"])
            .unwrap();
        for k in ["input", "output", "score", "source_interaction_ids"] {
            assert_eq!(kept[k], e[k], "{k} of {}", e["example_id"]);
        }
    }
}

/// The day-2 thumbs-down on `i-2`, within late_feedback_days of its interaction.
fn day2_thumbs_down(src: &Path) {
    day(
        src,
        DAY2,
        &[],
        &feedback("i-2", &["thumbs_down"], &format!("{DAY2}T20:00:00Z")),
    );
}

// An example leaves the bank when late feedback turns it negative: day 2 brings only a
// thumbs-down (within late_feedback_days) on an interaction whose example is in the
// day-1 bank; after day 2 that example is gone from latest.json, the interaction is a
// regression case of the day-2 run's golden additions, and the other examples stay.
#[test]
fn late_negative_feedback_takes_an_example_out_of_the_bank() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("logs");
    let sink = dir.path().join("out");
    day1(&src);
    run_ok(&src, &sink);
    let before = assert_day1_bank(&sink);
    let retracted = example_of(&before, "i-2");

    day2_thumbs_down(&src);
    run_ok(&src, &sink);
    let run2 = run_of(&sink, DAY2);
    let after = latest(&sink);
    assert_eq!(after["version"], run2.as_str(), "{after}");
    let mut expected = example_ids(&before);
    expected.remove(&retracted);
    assert_eq!(example_ids(&after), expected, "{after}");

    let golden = parquet_rows(&sink.join(format!("golden/support/run={run2}/additions.parquet")));
    let case = golden
        .iter()
        .find(|g| g["interaction_id"] == "i-2")
        .unwrap_or_else(|| panic!("i-2 is a golden addition of {run2}: {golden:?}"));
    assert_eq!(case["kind"], "regression", "{case}");
    assert_eq!(case["label"], "negative", "{case}");
}

// Banks across runs are deterministic: the same two days (a new liked interaction and a
// late thumbs-down on a banked one) run into two fresh sinks give byte-identical banks,
// latest.json and versioned, under the same paths.
#[test]
fn banks_across_runs_are_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("logs");
    let sinks = [dir.path().join("a"), dir.path().join("b")];
    day1(&src);
    for sink in &sinks {
        run_ok(&src, sink);
    }
    let mut events = feedback(
        NEW.0,
        &["rating", "thumbs_up"],
        &format!("{DAY2}T10:05:00Z"),
    );
    events.extend(feedback(
        "i-2",
        &["thumbs_down"],
        &format!("{DAY2}T20:00:00Z"),
    ));
    day(&src, DAY2, &[asked(DAY2, NEW)], &events);
    for sink in &sinks {
        run_ok(&src, sink);
    }
    // (bank files are UTF-8 JSON: compared as text, a difference shows readably)
    let banks = |sink: &Path| -> Vec<(String, String)> {
        files(&sink.join("fewshot"))
            .iter()
            .map(|p| {
                let name = p.strip_prefix(sink).unwrap().to_string_lossy().to_string();
                (name, std::fs::read_to_string(p).unwrap())
            })
            .collect()
    };
    let (a, b) = (banks(&sinks[0]), banks(&sinks[1]));
    let names: Vec<&str> = a.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.contains(&"fewshot/support/latest.json") && names.len() == 3,
        "two versioned banks and latest.json: {names:?}"
    );
    assert_eq!(a, b, "banks differ between the two sinks");
    // and the day-2 bank really is the merged one: i-2 out, i-5 in
    let bank = latest(&sinks[0]);
    assert_eq!(bank["version"], run_of(&sinks[0], DAY2).as_str());
    let sources: Vec<&Value> = bank["examples"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["source_interaction_ids"].as_array().unwrap())
        .collect();
    assert_eq!(sources.len(), LIKED.len(), "{bank}");
    assert!(sources.iter().any(|i| *i == NEW.0) && !sources.iter().any(|i| *i == "i-2"));
}

// The same when late feedback retracts a bank's only example: after day 2 no latest.json
// of the task may still offer it, and it does not come back on day 3, when a new liked
// interaction makes the bank again (the retracted interaction got no new feedback then).
#[test]
fn a_bank_emptied_by_late_feedback_does_not_keep_offering_its_example() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("logs");
    let sink = dir.path().join("out");
    day(
        &src,
        DAY1,
        &[asked(DAY1, LIKED[1])],
        &feedback(
            "i-2",
            &["thumbs_up", "accept"],
            &format!("{DAY1}T10:05:00Z"),
        ),
    );
    run_ok(&src, &sink);
    let retracted = example_of(&latest(&sink), "i-2");

    day2_thumbs_down(&src);
    run_ok(&src, &sink);
    let pointer = sink.join("fewshot/support/latest.json");
    if pointer.exists() {
        let bank = latest(&sink);
        assert!(
            !example_ids(&bank).contains(&retracted),
            "after the day-2 run latest.json still offers {retracted}: {bank}"
        );
    }

    const DAY3: &str = "2026-11-05";
    day(
        &src,
        DAY3,
        &[asked(DAY3, NEW)],
        &feedback(
            NEW.0,
            &["thumbs_up", "accept"],
            &format!("{DAY3}T10:05:00Z"),
        ),
    );
    run_ok(&src, &sink);
    let bank = latest(&sink);
    assert_eq!(bank["version"], run_of(&sink, DAY3).as_str());
    example_of(&bank, NEW.0);
    assert!(
        !example_ids(&bank).contains(&retracted),
        "the day-3 bank brings back {retracted}: {bank}"
    );
}

/// Whether a bank example's text holds a redaction placeholder such as `<US_SSN_1>`.
fn redacted(example: &Value) -> bool {
    ["input", "output"].iter().any(|k| {
        let t = example[k].as_str().unwrap();
        t.match_indices('<').any(|(i, _)| {
            let rest = &t[i + 1..];
            let name = rest.find('_').map(|u| &rest[..u]);
            name.is_some_and(|n| {
                !n.is_empty() && n.bytes().all(|c| c.is_ascii_uppercase() || c == b'_')
            }) && rest.contains('>')
        })
    })
}

// Banks on the sample hold examples whose text needed redaction; with
// fewshot_exclude_redacted none is left, and the banks are still published.
#[test]
fn redacted_examples_can_be_left_out_of_banks() {
    let dir = tempfile::tempdir().unwrap();
    let sample = repo().join("data/sample-logs");
    let full = dir.path().join("full");
    run_ok(&sample, &full);
    let all: Vec<Value> = banks(&full)
        .iter()
        .flat_map(|b| b["examples"].as_array().unwrap().clone())
        .collect();
    assert!(
        all.iter().any(redacted),
        "the sample's banks hold redacted examples"
    );
    let clean = dir.path().join("clean");
    run_with_params(
        dir.path(),
        "fewshot_exclude_redacted = true",
        &sample,
        &clean,
    );
    let kept: Vec<Value> = banks(&clean)
        .iter()
        .flat_map(|b| b["examples"].as_array().unwrap().clone())
        .collect();
    assert!(!kept.is_empty());
    assert!(
        !kept.iter().any(redacted),
        "no bank example holds a placeholder"
    );
}

// Typo twins: two liked prompts one misspelt word apart ("provide" / "porvide") are not
// near-duplicates for word 5-gram MinHash, so both reach the bank's pool with top scores;
// the bank takes one of them (character-trigram similarity >= fewshot_max_similarity),
// and every other liked prompt still gets its place.
#[test]
fn typo_twins_do_not_share_a_bank() {
    let tmp = tempfile::tempdir().unwrap();
    let (src, sink) = (tmp.path().join("logs"), tmp.path().join("out"));
    let twins = [
        (
            "t-1",
            "Could you provide a short summary of the quarterly sales report for my team",
            "Revenue grew 8% on the quarter, led by renewals; churn held at 2%.",
        ),
        (
            "t-2",
            "Could you porvide a short summary of the quarterly sales report for my team",
            "Sales rose 8% over the quarter, mostly renewals, with churn steady at 2%.",
        ),
    ];
    let interactions: Vec<Value> = LIKED
        .iter()
        .chain(&twins)
        .map(|l| asked(DAY1, *l))
        .collect();
    let mut events = Vec::new();
    for (id, _, _) in LIKED.iter().chain(&twins) {
        events.extend(feedback(
            id,
            &["rating", "thumbs_up"],
            &format!("{DAY1}T10:05:00Z"),
        ));
    }
    day(&src, DAY1, &interactions, &events);
    run_ok(&src, &sink);

    let dispositions = parquet_rows(&find(&sink, |p| p.ends_with("/dispositions.parquet")));
    for (id, _, _) in &twins {
        assert_ne!(
            row(&dispositions, id)["disposition"],
            "duplicate",
            "{id} is no near-dup"
        );
    }
    let bank = latest(&sink);
    let in_bank = |id: &str| {
        bank["examples"].as_array().unwrap().iter().any(|e| {
            e["source_interaction_ids"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i == id)
        })
    };
    assert!(in_bank("t-1") != in_bank("t-2"), "exactly one twin: {bank}");
    for (id, _, _) in LIKED {
        assert!(in_bank(id), "{id}: {bank}");
    }
}
