//! Late feedback: an event arriving in a later partition than its interaction still
//! counts within `late_feedback_days`, through the redacted rows each run carries in the
//! sink, without publishing anything twice.

use std::path::Path;

use serde_json::{json, Value};

use crate::support::*;

fn at(mut event: Value, ts: &str) -> Value {
    event["ts"] = ts.into();
    event
}

/// The run whose feedback dispositions mention `event_id`.
fn feedback_row(sink: &Path, event_id: &str) -> Value {
    files(sink)
        .iter()
        .filter(|p| {
            p.to_string_lossy()
                .ends_with("/feedback_dispositions.parquet")
        })
        .flat_map(|p| parquet_rows(p))
        .find(|r| r["event_id"] == event_id)
        .unwrap_or_else(|| panic!("{event_id} has a disposition"))
}

// Day 1: a liked answer (published) and one without feedback (filtered). Day 2 brings only
// feedback: a thumbs-down with a comment on the unrated answer, which becomes a regression
// case with the user's reason, and one more thumbs-up on the published one, which is not
// published again. A thumbs-down ten days later is past the window: not applied.
#[test]
fn late_feedback_counts_within_the_window_and_publishes_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("logs");
    let sink = dir.path().join("out");
    day(
        &src,
        "2026-11-03",
        &[
            chat(
                "i-1",
                "s-1",
                "Explain how a hash map resolves collisions in a few sentences",
                "It uses magic.",
            ),
            chat(
                "i-2",
                "s-2",
                "Give me a regular expression matching ISO dates like 2026-11-03",
                "\\d{4}-\\d{2}-\\d{2}",
            ),
        ],
        &[
            event("f-1", "i-2", "thumbs_up", None),
            event("f-2", "i-2", "accept", None),
        ],
    );
    run_ok(&src, &sink);
    let first = golden_rows(&sink);
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0]["interaction_id"], "i-2");

    day(
        &src,
        "2026-11-04",
        &[],
        &[
            at(
                event("f-3", "i-1", "thumbs_down", Some("this explains nothing")),
                "2026-11-04T20:00:00Z",
            ),
            at(
                event("f-4", "i-2", "thumbs_up", None),
                "2026-11-04T21:00:00Z",
            ),
        ],
    );
    run_ok(&src, &sink);
    let all = golden_rows(&sink);
    assert_eq!(all.len(), 2, "{all:?}");
    let late = all
        .iter()
        .find(|g| g["interaction_id"] == "i-1")
        .expect("i-1 published");
    assert_eq!(late["kind"], "regression");
    assert_eq!(late["user_reason"], "this explains nothing");
    for id in ["f-3", "f-4"] {
        assert_eq!(feedback_row(&sink, id)["disposition"], "applied", "{id}");
    }
    let reports = reports(&sink);
    // The carried interactions are not inputs of the second run: its accounting balances
    // over its own rows only.
    reports.iter().for_each(assert_balanced);
    let second = reports
        .iter()
        .find(|r| r["late_feedback"]["rescored"] == 2)
        .expect("the second run re-scored both interactions of the first");
    assert_eq!(second["late_feedback"]["published"], 1);
    let text = published_text(&sink);
    assert!(!text.contains("u-1"), "raw user ids never reach the sink");

    day(
        &src,
        "2026-11-14",
        &[],
        &[at(
            event("f-5", "i-1", "report", Some("still wrong")),
            "2026-11-14T09:00:00Z",
        )],
    );
    run_ok(&src, &sink);
    let row = feedback_row(&sink, "f-5");
    assert_eq!(row["disposition"], "filtered");
    assert_eq!(golden_rows(&sink).len(), 2);
}

// A carried file that is not the Parquet its manifest promises (truncated, overwritten) stops
// the next run with exit 1 and one line naming the object, before anything is published.
#[test]
fn a_damaged_carried_file_fails_the_next_run_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let (src, sink) = (dir.path().join("logs"), dir.path().join("out"));
    day(
        &src,
        "2026-11-03",
        &[chat(
            "i-1",
            "s-1",
            "Explain hash map collisions briefly",
            "It uses magic.",
        )],
        &[event("f-1", "i-1", "thumbs_up", None)],
    );
    run_ok(&src, &sink);
    let carried = find(&sink, |p| {
        p.contains("carry/") && p.ends_with("interactions.parquet")
    });
    std::fs::write(&carried, b"not parquet").unwrap();
    day(
        &src,
        "2026-11-04",
        &[],
        &[at(
            event("f-2", "i-1", "thumbs_down", None),
            "2026-11-04T20:00:00Z",
        )],
    );
    let out = flywheel(&["run", "--source", path(&src), "--sink", path(&sink)]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("carry/") && err.contains("not readable"),
        "{err}"
    );
    assert_eq!(golden_rows(&sink).len(), 1, "nothing more was published");
}

// A run's carry is its staged file as ingest wrote it, quarantined lines included. On the
// next day a quarantined line stays in its own run's quarantine and never comes back as an
// interaction, and a carried chat the PII policy drops (a private key, dropped by default)
// stays dropped when late feedback reaches it, while its neighbour becomes a regression case.
#[test]
fn carried_rows_keep_their_quarantine_and_their_pii_policy() {
    let dir = tempfile::tempdir().unwrap();
    let (src, sink) = (dir.path().join("logs"), dir.path().join("out"));
    let pem =
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----";
    let lines = [
        chat(
            "i-1",
            "s-1",
            "Explain hash map collisions briefly",
            "It uses magic.",
        )
        .to_string(),
        "{\"interaction_id\": \"i-8\", \"messages\": [".to_string(),
        json!({"interaction_id": "i-9", "ts": "2099-01-01T00:00:00Z", "messages": []}).to_string(),
        chat(
            "i-2",
            "s-2",
            &format!("Why does this key not load?\n{pem}"),
            "It is fine.",
        )
        .to_string(),
    ];
    let file = src.join("interactions/dt=2026-11-03/part-0.jsonl");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    write_jsonl(&src.join("feedback/dt=2026-11-03/part-0.jsonl"), &[]);
    run_ok(&src, &sink);
    let carried = find(&sink, |p| {
        p.contains("carry/") && p.ends_with("interactions.parquet")
    });
    let carried = parquet_rows(&carried);
    assert_eq!(carried.len(), 4, "the carry holds every staged row");
    assert_eq!(carried.iter().filter(|r| !r["_error"].is_null()).count(), 2);

    day(
        &src,
        "2026-11-04",
        &[],
        &[
            at(
                event("f-1", "i-1", "thumbs_down", None),
                "2026-11-04T20:00:00Z",
            ),
            at(
                event("f-2", "i-2", "thumbs_down", None),
                "2026-11-04T20:00:00Z",
            ),
            at(
                event("f-3", "i-9", "thumbs_down", None),
                "2026-11-04T20:00:00Z",
            ),
        ],
    );
    run_ok(&src, &sink);
    let outcomes: Vec<Value> = files(&sink)
        .iter()
        .filter(|p| p.to_string_lossy().ends_with("/carried_outcomes.parquet"))
        .flat_map(|p| parquet_rows(p))
        .collect();
    let outcome = |id: &str| {
        outcomes
            .iter()
            .find(|r| r["interaction_id"] == id)
            .unwrap_or_else(|| panic!("{id} re-scored: {outcomes:?}"))
    };
    assert_eq!(outcomes.len(), 2, "{outcomes:?}");
    assert_eq!(outcome("i-1")["disposition"], "published");
    assert_eq!(outcome("i-2")["disposition"], "filtered");
    let reason = outcome("i-2")["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("PRIVATE_KEY"), "{reason}");
    let quarantined = files(&sink)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("quarantine/"))
        .count();
    assert_eq!(
        quarantined, 1,
        "only the first run quarantined the broken lines"
    );
    let orphan = feedback_row(&sink, "f-3");
    assert_eq!(orphan["disposition"], "filtered");
    assert_eq!(orphan["reason"], "interaction not in this run");
    assert!(!published_text(&sink).contains("MIIEvQIBADAN"));
}
