//! Answer quality in whole runs: an answer whose text shows a defect loses its bank and
//! reference place to a clean one, and a model users complain about ranks below one they
//! praise, while every complaint stays a regression case that carries what was found.

use std::path::Path;

use serde_json::Value;

use crate::support::*;

const DT: &str = "2026-11-03";

/// An interaction of task `support` answered by `model`.
fn answered(id: &str, model: &str, prompt: &str, answer: &str) -> Value {
    let mut c = chat(id, &format!("s-{id}"), prompt, answer);
    c["model"] = model.into();
    c
}

fn bank_sources(sink: &Path) -> Vec<String> {
    json(&sink.join("fewshot/support/latest.json"))["examples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["source_interaction_ids"][0].as_str().unwrap().to_string())
        .collect()
}

/// Golden rows by interaction id.
fn golden_by_id(sink: &Path) -> std::collections::BTreeMap<String, Value> {
    golden_rows(sink)
        .into_iter()
        .map(|r| (r["interaction_id"].as_str().unwrap().to_string(), r))
        .collect()
}

// The better-liked answer leaks template tokens: it loses the one bank place and the
// reference to a clean answer with a lower feedback score, and its disposition says why.
#[test]
fn a_defective_answer_loses_its_place_to_a_clean_one() {
    let tmp = tempfile::tempdir().unwrap();
    let (src, sink) = (tmp.path().join("logs"), tmp.path().join("out"));
    let rows = [
        answered(
            "i-pad",
            "m",
            "How do I undo my last git commit but keep the changes?",
            "Run git reset --soft HEAD~1: the commit is gone and its changes stay staged.<pad><pad>",
        ),
        answered(
            "i-clean",
            "m",
            "What does the HTTP status code 429 mean for my API client?",
            "Too Many Requests: the server is rate limiting you, so wait and retry later.",
        ),
    ];
    let mut events = votes("i-pad", &["rating", "thumbs_up", "accept"]);
    events.extend(votes("i-clean", &["thumbs_up", "accept"]));
    day(&src, DT, &rows, &events);
    run_with_params(tmp.path(), "fewshot_max_examples = 1\n", &src, &sink);

    assert_eq!(bank_sources(&sink), ["i-clean"]);
    let golden = golden_by_id(&sink);
    assert_eq!(golden["i-clean"]["kind"], "reference");
    assert!(!golden.contains_key("i-pad"), "{golden:?}");
    let dispositions = parquet_rows(&find(&sink, |p| p.ends_with("/dispositions.parquet")));
    assert_eq!(
        row(&dispositions, "i-pad")["reason"],
        "answer defect (leaked_markup)"
    );
}

// Users complain about model "weak" and praise model "strong": between two equally liked
// answers the strong model's takes the bank place; the weak model's complaints are all
// regression cases, each carrying its (negative) quality, and none has a defect.
#[test]
fn a_model_users_complain_about_ranks_below_one_they_praise() {
    let tmp = tempfile::tempdir().unwrap();
    let (src, sink) = (tmp.path().join("logs"), tmp.path().join("out"));
    // Distinct questions, so none is a near-duplicate of another.
    const TOPICS: [&str; 12] = [
        "reset my password after the email link expired",
        "change the billing address printed on invoices",
        "invite a contractor without giving admin rights",
        "move a project to another workspace",
        "limit how many emails the weekly digest sends",
        "restore a dashboard someone deleted yesterday",
        "connect the webhook to our Slack channel",
        "see which user changed a setting last week",
        "set a spending cap on the production account",
        "schedule a report to run every Monday morning",
        "translate the help widget into German",
        "close my account and download all my data",
    ];
    let mut rows = Vec::new();
    let mut events = Vec::new();
    for (i, topic) in TOPICS.iter().enumerate() {
        let (weak, strong) = (format!("w-{i}"), format!("s-{i}"));
        rows.push(answered(
            &weak,
            "weak",
            &format!("How can I {topic}?"),
            "Please check the documentation.",
        ));
        events.extend(votes(&weak, &["thumbs_down"]));
        rows.push(answered(
            &strong,
            "strong",
            &format!("What is the quickest way to {topic}?"),
            "Open Settings and follow the steps under the matching section.",
        ));
        events.extend(votes(&strong, &["thumbs_up"]));
    }
    rows.push(answered(
        "cand-weak",
        "weak",
        "How do I rotate the API keys of a service account safely?",
        "Create a second key, move clients to it, then delete the first one.",
    ));
    rows.push(answered(
        "cand-strong",
        "strong",
        "Can I export every invoice of last year as one CSV file?",
        "Yes: Billing, then Invoices, filter by year and choose Export as CSV.",
    ));
    for id in ["cand-weak", "cand-strong"] {
        events.extend(votes(id, &["rating", "thumbs_up"]));
    }
    day(&src, DT, &rows, &events);
    run_with_params(
        tmp.path(),
        "fewshot_max_examples = 1\nmax_references_per_task = 1\n",
        &src,
        &sink,
    );

    assert_eq!(bank_sources(&sink), ["cand-strong"]);
    let golden = golden_by_id(&sink);
    assert_eq!(golden["cand-strong"]["kind"], "reference");
    let weak: Vec<&Value> = golden
        .values()
        .filter(|r| r["model"] == "weak" && r["kind"] == "regression")
        .collect();
    assert_eq!(weak.len(), 12, "every complaint is a regression case");
    for r in weak {
        assert!(r["answer_quality"].as_f64().unwrap() < 0.0, "{r}");
        assert!(r["answer_defects"].is_null(), "{r}");
    }
    assert!(golden["cand-strong"]["answer_quality"].as_f64().unwrap() > 0.0);
}
