//! Implicit signals from session order: a user re-asking a similar prompt soon after an
//! answer (a rewrite) counts against that answer; a regeneration, a late re-ask or a
//! re-ask by someone else does not.

use std::path::Path;

use serde_json::Value;

use crate::support::*;

/// `chat()` with its timestamp and user replaced.
fn asked(id: &str, session: &str, user: &str, ts: &str, prompt: &str, answer: &str) -> Value {
    let mut c = chat(id, session, prompt, answer);
    c["user_id"] = user.into();
    c["ts"] = ts.into();
    c
}

fn dispositions(sink: &Path) -> Vec<Value> {
    parquet_rows(&find(sink, |p| p.ends_with("/dispositions.parquet")))
}

/// Runs over one day of `interactions`, each later (re-asked) one liked with a thumbs-up
/// so that it is a different example (positive label) from the first ask; the first asks
/// get no feedback at all, so their label comes from the rewrite signal alone.
fn run_day(dir: &Path, interactions: &[Value], liked: &[&str]) -> std::path::PathBuf {
    let src = dir.join("logs");
    let sink = dir.join("out");
    write_jsonl(
        &src.join("interactions/dt=2026-11-03/part-0.jsonl"),
        interactions,
    );
    let events: Vec<Value> = liked
        .iter()
        .map(|id| event(&format!("f-{id}"), id, "thumbs_up", None))
        .collect();
    write_jsonl(&src.join("feedback/dt=2026-11-03/part-0.jsonl"), &events);
    run_ok(&src, &sink);
    sink
}

// A lightly edited re-ask 30 s later in the same session by the same user marks the first
// answer rewritten: with no other feedback, w_rewrite (-0.5) alone makes it a negative
// label and a published regression case with signals.rewritten = 1. The same pattern 10
// minutes apart (outside rewrite_window_secs = 120) is no rewrite: the first answer stays
// neutral and is filtered. A regeneration (the very same prompt over the same message list
// seconds later) is no rewrite either. The re-asks themselves are never rewritten.
#[test]
fn a_similar_re_ask_within_the_window_marks_the_answer_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let regen = "Translate good morning, how did you sleep into French";
    let interactions = [
        // within the window: a-1, then "please" added 30 s later
        asked(
            "a-1",
            "s-rw",
            "u-1",
            "2026-11-03T10:00:00Z",
            "How do I export my invoices from the billing portal as a CSV file?",
            "You cannot.",
        ),
        asked(
            "a-2",
            "s-rw",
            "u-1",
            "2026-11-03T10:00:30Z",
            "How do I export my invoices from the billing portal as a CSV file please?",
            "Open Billing, pick Invoices, then Export as CSV.",
        ),
        // outside the window: a typo fixed 10 minutes later
        asked(
            "b-1",
            "s-late",
            "u-1",
            "2026-11-03T10:00:00Z",
            "What is the diference between a mutex and a semaphore in Rust?",
            "They are the same.",
        ),
        asked(
            "b-2",
            "s-late",
            "u-1",
            "2026-11-03T10:10:00Z",
            "What is the difference between a mutex and a semaphore in Rust?",
            "A mutex guards one owner; a semaphore counts permits.",
        ),
        // a regeneration: identical prompt and message list 5 s later
        asked(
            "c-1",
            "s-regen",
            "u-1",
            "2026-11-03T10:00:00Z",
            regen,
            "Bonjour.",
        ),
        asked(
            "c-2",
            "s-regen",
            "u-1",
            "2026-11-03T10:00:05Z",
            regen,
            "Bonjour, as-tu bien dormi ?",
        ),
    ];
    let sink = run_day(dir.path(), &interactions, &["a-2", "b-2", "c-2"]);

    let golden = golden_rows(&sink);
    let rewritten = golden
        .iter()
        .find(|g| g["interaction_id"] == "a-1")
        .unwrap_or_else(|| panic!("the rewritten answer is a regression case: {golden:?}"));
    assert_eq!(rewritten["kind"], "regression");
    assert_eq!(rewritten["label"], "negative");
    assert_eq!(rewritten["signals"]["rewritten"], 1);
    assert_eq!(rewritten["score"].as_f64(), Some(-0.5));
    assert_eq!(
        rewritten["confidence"], 1,
        "the rewrite is the one agreeing signal"
    );

    // the re-asks were liked: references, not rewritten themselves
    for id in ["a-2", "b-2", "c-2"] {
        let g = golden
            .iter()
            .find(|g| g["interaction_id"] == id)
            .unwrap_or_else(|| panic!("{id} is a reference: {golden:?}"));
        assert_eq!(g["kind"], "reference", "{id}");
        assert_eq!(g["signals"]["rewritten"], 0, "{id}");
    }
    let ids: Vec<&str> = golden
        .iter()
        .map(|g| g["interaction_id"].as_str().unwrap())
        .collect();
    for id in ["b-1", "c-1"] {
        assert!(!ids.contains(&id), "{id} is not a rewrite: {golden:?}");
    }

    let rows = dispositions(&sink);
    assert_eq!(row(&rows, "a-1")["disposition"], "published");
    assert_eq!(row(&rows, "a-1")["label"], "negative");
    for id in ["b-1", "c-1"] {
        let r = row(&rows, id);
        assert_eq!(r["disposition"], "filtered", "{id}: {r}");
        assert_eq!(r["reason"], "neutral label", "{id}: {r}");
        assert_eq!(r["score"].as_f64(), Some(0.0), "{id}: {r}");
    }
}

// A rewrite is the same user's: another user in the same session asking nearly the same
// prompt 30 s later says nothing about the first user's answer, which stays neutral.
#[test]
fn a_re_ask_by_another_user_in_the_session_is_not_a_rewrite() {
    let dir = tempfile::tempdir().unwrap();
    let interactions = [
        asked(
            "d-1",
            "s-shared",
            "u-1",
            "2026-11-03T10:00:00Z",
            "Suggest a name for a coffee shop near the university campus",
            "Coffee Shop.",
        ),
        asked(
            "d-2",
            "s-shared",
            "u-2",
            "2026-11-03T10:00:30Z",
            "Suggest a name for a coffee shop near the university campus, please",
            "The Study Bean.",
        ),
        // control: the same pattern by one user in another session is a rewrite
        asked(
            "e-1",
            "s-alone",
            "u-3",
            "2026-11-03T10:00:00Z",
            "Recommend a board game for four players who like trading",
            "Chess.",
        ),
        asked(
            "e-2",
            "s-alone",
            "u-3",
            "2026-11-03T10:00:30Z",
            "Recommend a board game for four players who like trading, please",
            "Catan.",
        ),
    ];
    let sink = run_day(dir.path(), &interactions, &["d-2", "e-2"]);

    let rows = dispositions(&sink);
    let d1 = row(&rows, "d-1");
    assert_eq!(d1["disposition"], "filtered", "{d1}");
    assert_eq!(d1["reason"], "neutral label", "{d1}");
    let e1 = row(&rows, "e-1");
    assert_eq!(e1["disposition"], "published", "{e1}");
    assert_eq!(e1["label"], "negative", "{e1}");

    let golden = golden_rows(&sink);
    assert!(
        golden.iter().all(|g| g["interaction_id"] != "d-1"),
        "{golden:?}"
    );
    let e1 = golden
        .iter()
        .find(|g| g["interaction_id"] == "e-1")
        .unwrap();
    assert_eq!(e1["signals"]["rewritten"], 1);
}

// Only the user's next three asks can rewrite an answer: a similar re-ask after three
// other asks (40 s later, inside the window) leaves the first answer neutral, after two it
// is a rewrite. An ask with no other ask of its user near it (k-1, five minutes before the
// next) takes no part, and does not hide the rewrite among the asks after it.
#[test]
fn only_the_next_three_asks_can_rewrite_an_answer() {
    let dir = tempfile::tempdir().unwrap();
    // Each session asks its own question (or deduplication would merge the sessions):
    // the question at 10:00:00, the other asks 10 s apart, then the question again.
    let others = [
        "What is the capital of Australia?",
        "Convert 30 degrees Celsius to Fahrenheit",
        "Name three sorting algorithms with their complexity",
    ];
    let re_asked = |prefix: &str, session: &str, question: &str, between: &[&str]| {
        let mut asks = vec![asked(
            &format!("{prefix}-1"),
            session,
            "u-1",
            "2026-11-03T10:00:00Z",
            question,
            "Too short.",
        )];
        let again = format!("{question}, please");
        let prompts = between.iter().copied().chain([again.as_str()]);
        for (i, prompt) in prompts.enumerate() {
            asks.push(asked(
                &format!("{prefix}-{}", i + 2),
                session,
                "u-1",
                &format!("2026-11-03T10:00:{}0Z", i + 1),
                prompt,
                "An answer that serves.",
            ));
        }
        asks
    };
    let poem = "Write a short poem about autumn leaves falling in the city park";
    let heat = "Explain how a heat pump warms a house in the winter";
    let mut interactions = re_asked("g", "s-far", poem, &others);
    interactions.extend(re_asked("h", "s-near", heat, &others[..2]));
    let recipes = "List some easy vegetarian dinner recipes for a busy weeknight";
    let recipes_again = format!("{recipes}, please");
    for (id, ts, prompt, answer) in [
        (
            "k-1",
            "2026-11-03T10:00:00Z",
            "How many ounces are in a pound?",
            "16.",
        ),
        ("k-2", "2026-11-03T10:05:00Z", recipes, "Salad."),
        (
            "k-3",
            "2026-11-03T10:05:30Z",
            recipes_again.as_str(),
            "Lentil curry, veggie stir-fry, pasta primavera.",
        ),
    ] {
        interactions.push(asked(id, "s-gap", "u-1", ts, prompt, answer));
    }
    let sink = run_day(dir.path(), &interactions, &["g-5", "h-4", "k-3"]);

    let rows = dispositions(&sink);
    for id in ["g-1", "k-1"] {
        let r = row(&rows, id);
        assert_eq!(r["disposition"], "filtered", "{id}: {r}");
        assert_eq!(r["reason"], "neutral label", "{id}: {r}");
    }
    for id in ["h-1", "k-2"] {
        let r = row(&rows, id);
        assert_eq!(r["disposition"], "published", "{id}: {r}");
        assert_eq!(r["label"], "negative", "{id}: {r}");
    }
    let golden = golden_rows(&sink);
    for id in ["h-1", "k-2"] {
        let g = golden
            .iter()
            .find(|g| g["interaction_id"] == id)
            .unwrap_or_else(|| panic!("{id} is a regression case: {golden:?}"));
        assert_eq!(g["signals"]["rewritten"], 1, "{id}");
    }
}

// An explicit complaint makes the answer a regression case whatever else it got: a
// thumbs-down next to a thumbs-up, a 5 rating and a copy (score +1.3) is still negative,
// with the user's comment as its reason; the same praise without the thumbs-down is a
// reference case.
#[test]
fn an_explicit_complaint_outweighs_praise() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("logs");
    let sink = dir.path().join("out");
    let praise = |id: &str| {
        ["thumbs_up", "rating", "copy"].map(|kind| {
            let mut e = event(&format!("f-{id}-{kind}"), id, kind, None);
            if kind == "rating" {
                e["value"] = 5.into();
            }
            e
        })
    };
    let mut events: Vec<Value> = praise("i-1").into_iter().chain(praise("i-2")).collect();
    events.push(event(
        "f-i-1-down",
        "i-1",
        "thumbs_down",
        Some("the dates are wrong"),
    ));
    day(
        &src,
        "2026-11-03",
        &[
            chat(
                "i-1",
                "s-1",
                "When did the Berlin wall fall and why",
                "In 1991.",
            ),
            chat(
                "i-2",
                "s-2",
                "Name three prime numbers above one hundred",
                "101, 103, 107.",
            ),
        ],
        &events,
    );
    run_ok(&src, &sink);
    let golden = golden_rows(&sink);
    let complained = row(&golden, "i-1");
    assert_eq!(complained["kind"], "regression");
    assert_eq!(complained["label"], "negative");
    assert_eq!(complained["user_reason"], "the dates are wrong");
    assert!(complained["score"].as_f64().unwrap() > 0.0, "{complained}");
    assert_eq!(row(&golden, "i-2")["kind"], "reference");
}

/// Comments at the same instant join in log order (object, then line), whichever order the
/// engine meets them in: the same inputs give the same golden row on every run.
#[test]
fn comments_at_the_same_instant_join_in_log_order() {
    let dir = tempfile::tempdir().unwrap();
    let (src, sink) = (dir.path().join("logs"), dir.path().join("sink"));
    day(
        &src,
        "2026-11-03",
        &[chat(
            "i-1",
            "s-1",
            "When did the Berlin wall fall",
            "In 1991.",
        )],
        &[event("f-1", "i-1", "thumbs_down", None)],
    );
    // Two more objects with two comments each, all at the same second, written out of
    // name order.
    for (name, comments) in [
        ("part-c.jsonl", ["third", "fourth"]),
        ("part-a.jsonl", ["first", "second"]),
    ] {
        let rows: Vec<_> = comments
            .iter()
            .enumerate()
            .map(|(i, c)| event(&format!("{name}-{i}"), "i-1", "comment", Some(c)))
            .collect();
        write_jsonl(&src.join(format!("feedback/dt=2026-11-03/{name}")), &rows);
    }
    run_ok(&src, &sink);
    let golden = golden_rows(&sink);
    assert_eq!(
        row(&golden, "i-1")["user_reason"],
        "first | second | third | fourth"
    );
}
