//! Few-shot banks under a token budget: the bank keeps the best examples that fit.

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
            // the kept ones are a prefix of the ranking, not a reshuffle
            let ids = |v: &[Value]| {
                v.iter()
                    .map(|e| e["example_id"].clone())
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                ids(examples),
                ids(&before[..examples.len()]),
                "{}",
                bank["task"]
            );
        }
    }
    assert!(cut > 0, "some bank must hit the budget");
}
