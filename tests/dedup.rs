//! Near-duplicate clusters in a whole run: re-typed variants of one prompt become one
//! golden example, the others name it as `duplicate_of`, and unrelated prompts stay apart.

use std::path::Path;

use crate::support::*;

/// 40 words: a changed or dropped last word keeps estimated Jaccard of 5-word shingles
/// far above 0.8 (35 of 37 shingles shared).
const BASE: &str = "I set up two factor authentication last year and now my phone was replaced \
    so the authenticator app is gone and I cannot sign in to the billing portal to download \
    the invoices my accountant needs before the end of the month what should I do";

fn source(dir: &Path) -> std::path::PathBuf {
    let src = dir.join("logs");
    let variants = [
        ("i-1", BASE.to_string()),
        // the same words with other case and punctuation: an exact duplicate after
        // normalisation
        ("i-2", format!("{}?", BASE.to_uppercase())),
        // the last word changed, or dropped: near duplicates
        ("i-3", BASE.replace("should I do", "should I try")),
        ("i-4", BASE.replace(" what should I do", " what should I")),
        // same topic, different words: not a duplicate
        (
            "i-5",
            "My recovery email is gone, what are my options for getting back into my profile"
                .to_string(),
        ),
    ];
    let chats: Vec<_> = variants
        .iter()
        .enumerate()
        .map(|(n, (id, prompt))| chat(id, &format!("s-{n}"), prompt, "Use the reset link."))
        .collect();
    write_jsonl(&src.join("interactions/dt=2026-11-03/part-0.jsonl"), &chats);
    // Every answer was disliked; i-3 was also reported, so it is the strongest evidence.
    let mut events: Vec<_> = variants
        .iter()
        .map(|(id, _)| event(&format!("f-{id}"), id, "thumbs_down", None))
        .collect();
    events.push(event("f-r", "i-3", "report", Some("wrong steps")));
    write_jsonl(&src.join("feedback/dt=2026-11-03/part-0.jsonl"), &events);
    src
}

// A 3-member near-duplicate cluster plus an exact duplicate: one regression case (the
// reported one), the other three are duplicates of it with the reason telling exact from
// near; the differently worded prompt is its own case; all share or not share a cluster id.
#[test]
fn near_duplicates_collapse_into_the_best_scored_member() {
    let dir = tempfile::tempdir().unwrap();
    let src = source(dir.path());
    let sink = dir.path().join("out");
    run_ok(&src, &sink);
    let rows = parquet_rows(&find(&sink, |p| p.ends_with("/dispositions.parquet")));
    let row = |id: &str| {
        rows.iter()
            .find(|r| r["interaction_id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(row("i-3")["disposition"], "published");
    for (id, reason) in [
        ("i-1", "near-duplicate prompt"),
        ("i-2", "near-duplicate prompt"),
        ("i-4", "near-duplicate prompt"),
    ] {
        let r = row(id);
        assert_eq!(r["disposition"], "duplicate", "{id}");
        assert_eq!(r["duplicate_of"], "i-3", "{id}");
        assert_eq!(r["reason"], reason, "{id}");
        assert_eq!(r["near_cluster"], "i-1", "{id}");
    }
    assert_eq!(row("i-5")["disposition"], "published");
    assert_eq!(row("i-5")["near_cluster"], "i-5");
    let golden = parquet_rows(&find(&sink, |p| {
        p.contains("/golden/") && p.ends_with(".parquet")
    }));
    assert_eq!(golden.len(), 2);
    let kept = golden
        .iter()
        .find(|g| g["interaction_id"] == "i-3")
        .unwrap();
    let members: Vec<&str> = kept["source_interaction_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(members, ["i-1", "i-2", "i-3", "i-4"]);
}

// A question already published by an earlier run is not added again, exactly or nearly
// repeated: the next day's repeats are duplicates naming the published example, while a
// new question is published; a forced re-run of the first day still finds its own
// examples new (it must not match itself).
#[test]
fn examples_published_by_earlier_runs_are_not_added_again() {
    let dir = tempfile::tempdir().unwrap();
    let src = source(dir.path());
    let sink = dir.path().join("out");
    run_ok(&src, &sink);
    let first = parquet_rows(&find(&sink, |p| {
        p.contains("/golden/") && p.ends_with(".parquet")
    }));
    let published = first.iter().find(|g| g["interaction_id"] == "i-3").unwrap();
    let published_id = published["example_id"].as_str().unwrap().to_string();

    let day2 = src.join("interactions/dt=2026-11-04/part-0.jsonl");
    write_jsonl(
        &day2,
        &[
            chat(
                "i-6",
                "s-6",
                &BASE.replace("should I do", "should I try"),
                "Call support.",
            ),
            chat(
                "i-7",
                "s-7",
                &BASE.replace(" what should I do", ""),
                "Call support.",
            ),
            chat(
                "i-8",
                "s-8",
                "Write a haiku about autumn leaves falling on a quiet pond",
                "Leaves drift...",
            ),
        ],
    );
    write_jsonl(
        &src.join("feedback/dt=2026-11-04/part-0.jsonl"),
        &["i-6", "i-7", "i-8"].map(|id| event(&format!("f-{id}"), id, "thumbs_down", None)),
    );
    run_ok(&src, &sink);
    let reports = files(&sink);
    let second = reports
        .iter()
        .filter(|p| p.to_string_lossy().ends_with("/dispositions.parquet"))
        .map(|p| parquet_rows(p))
        .find(|rows| rows.iter().any(|r| r["interaction_id"] == "i-8"))
        .expect("the second run's dispositions");
    let row = |id: &str| {
        second
            .iter()
            .find(|r| r["interaction_id"] == id)
            .unwrap()
            .clone()
    };
    for id in ["i-6", "i-7"] {
        assert_eq!(row(id)["disposition"], "duplicate", "{id}");
        assert_eq!(row(id)["duplicate_of"], published_id.as_str(), "{id}");
        assert_eq!(
            row(id)["reason"],
            format!("already published as {published_id}"),
            "{id}"
        );
    }
    assert_eq!(row("i-8")["disposition"], "published");

    let out = flywheel(&[
        "run",
        "--force",
        "--date",
        "2026-11-03",
        "--source",
        path(&src),
        "--sink",
        path(&sink),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let again = parquet_rows(&find(&sink, |p| {
        p.contains("/golden/") && p.contains("2026-11-03") && p.ends_with(".parquet")
    }));
    assert_eq!(
        again, first,
        "re-running the first day republishes the same rows"
    );
}

// A record delivered three times (in two files, between other records) is processed once:
// the first delivery in log order (file, then line) stands, the later ones are duplicates
// of their own id. The ids around them are unaffected.
#[test]
fn a_repeated_interaction_id_keeps_its_first_delivery_in_log_order() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let src = dir.join("logs");
    let sink = dir.join("out");
    let twice = chat(
        "r-1",
        "s-r",
        "How do I rotate my API key?",
        "Settings, then Keys.",
    );
    let other = |id: &str| {
        chat(
            id,
            &format!("s-{id}"),
            &format!("Question {id} about billing"),
            "Yes.",
        )
    };
    write_jsonl(
        &src.join("interactions/dt=2026-11-03/part-0.jsonl"),
        &[other("a-1"), twice.clone(), other("z-1"), twice.clone()],
    );
    write_jsonl(
        &src.join("interactions/dt=2026-11-03/part-1.jsonl"),
        &[twice, other("a-2")],
    );
    write_jsonl(&src.join("feedback/dt=2026-11-03/part-0.jsonl"), &[]);
    run_ok(&src, &sink);
    let rows = parquet_rows(&find(&sink, |p| p.ends_with("/dispositions.parquet")));
    let repeated: Vec<(String, i64, String)> = rows
        .iter()
        .filter(|r| r["interaction_id"] == "r-1")
        .map(|r| {
            (
                r["source"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string(),
                r["line"].as_i64().unwrap(),
                r["reason"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(repeated.len(), 3, "{rows:?}");
    let mut later: Vec<_> = repeated
        .iter()
        .filter(|(_, _, reason)| reason == "repeated interaction_id")
        .map(|(file, line, _)| (file.as_str(), *line))
        .collect();
    later.sort();
    assert_eq!(
        later,
        vec![("part-0.jsonl", 4), ("part-1.jsonl", 1)],
        "{rows:?}"
    );
    for id in ["a-1", "z-1", "a-2"] {
        assert_ne!(row(&rows, id)["reason"], "repeated interaction_id", "{id}");
    }
}

// An interaction_id reused for another conversation (a client bug) loses neither: the
// first row is processed, the later one is quarantined with a reason naming the first
// (file and line), in dispositions, the report and the quarantine file. A delivery with
// the same conversation is still a plain duplicate.
#[test]
fn an_interaction_id_reused_for_another_conversation_is_quarantined() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let src = dir.join("logs");
    let sink = dir.join("out");
    let first = chat(
        "r-1",
        "s-r",
        "How do I rotate my API key?",
        "Settings, then Keys.",
    );
    let other_chat = chat(
        "r-1",
        "s-q",
        "Can I export invoices as CSV?",
        "Yes, from Billing.",
    );
    write_jsonl(
        &src.join("interactions/dt=2026-11-03/part-0.jsonl"),
        &[first.clone(), other_chat, first],
    );
    write_jsonl(&src.join("feedback/dt=2026-11-03/part-0.jsonl"), &[]);
    run_ok(&src, &sink);
    let rows = parquet_rows(&find(&sink, |p| p.ends_with("/dispositions.parquet")));
    let mut by_line: Vec<(i64, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["line"].as_i64().unwrap(),
                r["disposition"].as_str().unwrap().to_string(),
                r["reason"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    by_line.sort();
    assert_eq!(by_line.len(), 3, "{rows:?}");
    assert_ne!(
        by_line[0].1, "quarantined",
        "the first row stands: {by_line:?}"
    );
    assert_eq!(by_line[1].1, "quarantined", "{by_line:?}");
    let reason = &by_line[1].2;
    assert!(
        reason.starts_with("interaction_id reused with different content (first at ")
            && reason.ends_with("part-0.jsonl line 1)"),
        "{reason}"
    );
    assert_eq!(
        (by_line[2].1.as_str(), by_line[2].2.as_str()),
        ("duplicate", "repeated interaction_id")
    );

    let (_, report) = manifest_and_report(&sink);
    let acc = &report["accounting"]["interactions"];
    assert_eq!(acc["dispositions"]["quarantined"], 1, "{acc}");
    assert_eq!(acc["reasons"]["quarantined"][reason.as_str()], 1, "{acc}");
    assert_balanced(&report);
    let q = jsonl(&find(&sink, |p| {
        p.contains("/quarantine/") && p.ends_with("interactions.jsonl")
    }));
    assert_eq!(q.len(), 1, "{q:?}");
    assert_eq!(q[0]["line"], 2);
    assert_eq!(q[0]["reason"].as_str(), Some(reason.as_str()));
}
