//! What a run selects for publication beyond the labels: opted-out tenants, the tenant
//! share of references, the regression cap with its backlog across runs, and few-shot
//! banks per prompt version.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::*;

/// An interaction of `tenant` at `ts`.
fn ask(id: &str, tenant: &str, ts: &str, prompt: &str, answer: &str) -> Value {
    let mut c = chat(id, &format!("s-{id}"), prompt, answer);
    c["tenant_id"] = tenant.into();
    c["ts"] = ts.into();
    c
}

fn matching(sink: &Path, pred: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    files(sink)
        .into_iter()
        .filter(|p| pred(&p.to_string_lossy()))
        .collect()
}

/// Dispositions of every run, in run order (run ids start with the last partition).
fn dispositions(sink: &Path) -> Vec<Vec<Value>> {
    matching(sink, |p| p.ends_with("/dispositions.parquet"))
        .iter()
        .map(|p| parquet_rows(p))
        .collect()
}

fn ids(rows: &[Value]) -> Vec<String> {
    let mut out: Vec<String> = rows
        .iter()
        .map(|r| r["interaction_id"].as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

const OPT_OUT_PROMPTS: [&str; 3] = [
    "Which GPU instance type should globex rent for fine tuning a seven billion model",
    "Draft a polite reminder to the vendor about the overdue purchase order",
    "Summarise the quarterly churn figures for the board deck in three bullets",
];

fn opt_out_source(dir: &Path) -> PathBuf {
    let src = dir.join("logs");
    let ts = "2026-11-03T10:00:00Z";
    let interactions = [
        ask(
            "a-1",
            "acme",
            ts,
            "How do I rotate the API key of a service account",
            "Open Settings, Keys, then Rotate.",
        ),
        ask(
            "a-2",
            "acme",
            ts,
            "What is the capital of Australia",
            "Sydney.",
        ),
        ask("g-1", "globex", ts, OPT_OUT_PROMPTS[0], "An 80 GB card."),
        ask("g-2", "globex", ts, OPT_OUT_PROMPTS[1], "Pay up now."),
        ask(
            "g-3",
            "globex",
            ts,
            OPT_OUT_PROMPTS[2],
            "Churn fell; NRR rose; CAC flat.",
        ),
    ];
    let feedback = [
        votes("a-1", &["thumbs_up", "accept"]),
        votes("a-2", &["thumbs_down"]),
        votes("g-1", &["thumbs_up", "accept"]),
        votes("g-2", &["thumbs_down", "report"]),
        votes("g-3", &["rating", "thumbs_up"]),
    ]
    .concat();
    day(&src, "2026-11-03", &interactions, &feedback);
    src
}

// An opted-out tenant's rows are never published, however strong their feedback: each is
// filtered with reason "tenant opted out", and neither golden additions, few-shot banks
// nor the published index holds their ids or text; other tenants publish as usual. Without
// the opt-out the same rows would be published (so the test is not vacuous).
#[test]
fn opted_out_tenants_are_never_published() {
    let dir = tempfile::tempdir().unwrap();
    let src = opt_out_source(dir.path());

    // max_tenant_reference_share = 1.0: only the opt-out differs between the two runs
    let control = dir.path().join("control");
    run_with_params(
        dir.path(),
        "max_tenant_reference_share = 1.0\n",
        &src,
        &control,
    );
    let rows = &dispositions(&control)[0];
    for id in ["g-1", "g-2", "g-3"] {
        assert_eq!(row(rows, id)["disposition"], "published", "{id}");
    }

    let sink = dir.path().join("out");
    run_with_params(
        dir.path(),
        "max_tenant_reference_share = 1.0\nopt_out_tenants = [\"globex\"]\n",
        &src,
        &sink,
    );
    let rows = &dispositions(&sink)[0];
    for id in ["g-1", "g-2", "g-3"] {
        let r = row(rows, id);
        assert_eq!(r["disposition"], "filtered", "{id}: {r}");
        assert_eq!(r["reason"], "tenant opted out", "{id}: {r}");
        assert!(r["example_id"].is_null(), "{id}: {r}");
    }
    for id in ["a-1", "a-2"] {
        assert_eq!(row(rows, id)["disposition"], "published", "{id}");
    }
    let golden = golden_rows(&sink);
    assert_eq!(ids(&golden), ["a-1", "a-2"], "{golden:?}");
    assert!(golden.iter().all(|g| g["tenant_id"] == "acme"));

    // nothing of theirs in what consumers read
    let published = matching(&sink, |p| {
        p.contains("/golden/") || p.contains("/fewshot/") || p.contains("/index/")
    });
    assert!(
        published
            .iter()
            .any(|p| p.to_string_lossy().contains("/fewshot/")),
        "acme's liked answer makes a bank: {published:?}"
    );
    let mut text = String::new();
    for p in &published {
        if p.to_string_lossy().ends_with(".parquet") {
            for r in parquet_rows(p) {
                text.push_str(&r.to_string());
            }
        } else {
            text.push_str(&std::fs::read_to_string(p).unwrap());
        }
    }
    assert!(text.contains("rotate the API key"), "acme is published");
    for needle in ["g-1", "g-2", "g-3", "globex"]
        .into_iter()
        .chain(OPT_OUT_PROMPTS)
        .chain(["An 80 GB card.", "Pay up now."])
    {
        assert!(!text.contains(needle), "{needle} is published");
    }
    let index = parquet_rows(&find(&sink, |p| p.ends_with("/published.parquet")));
    let golden_examples: BTreeSet<&str> = golden
        .iter()
        .map(|g| g["example_id"].as_str().unwrap())
        .collect();
    let indexed: BTreeSet<&str> = index
        .iter()
        .map(|r| r["example_id"].as_str().unwrap())
        .collect();
    assert_eq!(indexed, golden_examples, "only acme's examples are indexed");
}

/// Nine liked answers to different questions: a-1..a-3 rated 5 with thumbs-up and accept
/// (the strongest), a-4..a-6, g-1, g-2 and n-1 with thumbs-up and accept. All are reference
/// cases (score >= reference_min_score 1.0, confidence >= 1).
fn share_source(dir: &Path, tenant_of: impl Fn(&str) -> &'static str) -> PathBuf {
    let src = dir.join("logs");
    let cases = [
        (
            "a-1",
            "How do I undo the last git commit but keep my changes",
        ),
        (
            "a-2",
            "Explain the difference between TCP and UDP in two sentences",
        ),
        (
            "a-3",
            "Write a SQL query counting orders per customer in 2025",
        ),
        ("a-4", "What does the HTTP status code 418 mean"),
        (
            "a-5",
            "Convert 72 degrees Fahrenheit to Celsius and show the formula",
        ),
        ("a-6", "Give me a regular expression for a UK postcode"),
        ("g-1", "Summarise the plot of Hamlet in one paragraph"),
        ("g-2", "Suggest three names for a hiking club in the Alps"),
        ("n-1", "How many bytes are in a kibibyte versus a kilobyte"),
    ];
    let interactions: Vec<Value> = cases
        .iter()
        .map(|(id, prompt)| {
            ask(
                id,
                tenant_of(id),
                "2026-11-03T10:00:00Z",
                prompt,
                &format!("A careful answer to: {prompt}."),
            )
        })
        .collect();
    let feedback: Vec<Value> = cases
        .iter()
        .flat_map(|(id, _)| match *id {
            "a-1" | "a-2" | "a-3" => votes(id, &["rating", "thumbs_up", "accept"]),
            _ => votes(id, &["thumbs_up", "accept"]),
        })
        .collect();
    day(&src, "2026-11-03", &interactions, &feedback);
    src
}

/// Banks off (no example reaches fewshot_min_score), so a reference left out of the golden
/// set is not published through a bank either and its disposition tells why.
const SHARE_PARAMS: &str = "max_tenant_reference_share = 0.5\nfewshot_min_score = 100.0\n";

// With several tenants no tenant has more than max_tenant_reference_share of the run's
// references: acme's six against globex's two and initech's one are capped at three
// (3 of 6), keeping acme's best-scored ones; the other three are filtered with reason
// "over tenant share of references" while every other tenant's references are kept.
#[test]
fn no_tenant_exceeds_its_share_of_references() {
    let dir = tempfile::tempdir().unwrap();
    let src = share_source(dir.path(), |id| match &id[..1] {
        "a" => "acme",
        "g" => "globex",
        _ => "initech",
    });
    let sink = dir.path().join("out");
    run_with_params(dir.path(), SHARE_PARAMS, &src, &sink);

    let golden = golden_rows(&sink);
    assert!(golden.iter().all(|g| g["kind"] == "reference"));
    assert_eq!(
        ids(&golden),
        ["a-1", "a-2", "a-3", "g-1", "g-2", "n-1"],
        "{golden:?}"
    );
    let mut per_tenant: BTreeMap<&str, usize> = BTreeMap::new();
    for g in &golden {
        *per_tenant
            .entry(g["tenant_id"].as_str().unwrap())
            .or_default() += 1;
    }
    for (tenant, n) in &per_tenant {
        assert!(
            2 * n <= golden.len(),
            "{tenant} has {n} of {} references",
            golden.len()
        );
    }
    let rows = &dispositions(&sink)[0];
    for id in ["a-4", "a-5", "a-6"] {
        let r = row(rows, id);
        assert_eq!(r["disposition"], "filtered", "{id}: {r}");
        assert_eq!(r["reason"], "over tenant share of references", "{id}: {r}");
    }
}

// With one single tenant the share cap does not bind: all nine references are published.
#[test]
fn the_tenant_share_does_not_bind_a_single_tenant() {
    let dir = tempfile::tempdir().unwrap();
    let src = share_source(dir.path(), |_| "acme");
    let sink = dir.path().join("out");
    run_with_params(dir.path(), SHARE_PARAMS, &src, &sink);
    let golden = golden_rows(&sink);
    assert_eq!(golden.len(), 9, "{golden:?}");
    let rows = &dispositions(&sink)[0];
    assert!(
        rows.iter().all(|r| r["disposition"] == "published"),
        "{rows:?}"
    );
}

// max_regressions_per_run = 2 with five disliked answers: each run publishes the two
// oldest regression cases still due and defers the rest (disposition "deferred", counted
// in the report and warned about on stdout), and later runs drain the backlog even though
// their own inputs are unrelated: 2 + 2 + 1, each case exactly once, oldest first; every
// run's accounting balances over its own inputs.
#[test]
fn regression_cases_over_the_cap_are_deferred_and_drained_by_later_runs() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("logs");
    let sink = dir.path().join("out");
    // ids out of time order, so "oldest first" is not "smallest id first"
    let cases = [
        (
            "r-3",
            "09:00",
            "Why does my sourdough starter smell like acetone",
        ),
        (
            "r-5",
            "09:10",
            "How do I change a flat tyre on a bicycle with quick release",
        ),
        (
            "r-1",
            "09:20",
            "What is the boiling point of water at the top of Everest",
        ),
        (
            "r-4",
            "09:30",
            "List the planets of the solar system ordered by mass",
        ),
        (
            "r-2",
            "09:40",
            "How long should I steep green tea so it is not bitter",
        ),
    ];
    let interactions: Vec<Value> = cases
        .iter()
        .map(|(id, hm, prompt)| {
            ask(
                id,
                "acme",
                &format!("2026-11-03T{hm}:00Z"),
                prompt,
                "I do not know.",
            )
        })
        .collect();
    let feedback: Vec<Value> = cases
        .iter()
        .flat_map(|(id, _, _)| votes(id, &["thumbs_down"]))
        .collect();
    day(&src, "2026-11-03", &interactions, &feedback);
    let params = "max_regressions_per_run = 2\n";

    let out = run_with_params(dir.path(), params, &src, &sink);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("WARNING"), "{stdout}");
    let report = &reports(&sink)[0];
    assert_eq!(report["regression_backlog"]["deferred"], 3, "{report}");
    assert_balanced(report);
    let acc = &report["accounting"]["interactions"];
    assert_eq!(acc["input"], 5);
    assert_eq!(acc["dispositions"]["deferred"], 3, "{acc}");
    let rows = &dispositions(&sink)[0];
    for id in ["r-3", "r-5"] {
        assert_eq!(row(rows, id)["disposition"], "published", "{id}");
    }
    for id in ["r-1", "r-4", "r-2"] {
        let r = row(rows, id);
        assert_eq!(r["disposition"], "deferred", "{id}: {r}");
    }
    assert_eq!(ids(&golden_rows(&sink)), ["r-3", "r-5"]);

    // day 2: one new, liked, unrelated interaction
    day(
        &src,
        "2026-11-04",
        &[ask(
            "p-2",
            "acme",
            "2026-11-04T10:00:00Z",
            "Recommend a beginner friendly houseplant for a dark room",
            "A snake plant.",
        )],
        &votes("p-2", &["thumbs_up", "accept"]),
    );
    let out = run_with_params(dir.path(), params, &src, &sink);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("WARNING"),
        "one case is still deferred: {stdout}"
    );
    let report = &reports(&sink)[1];
    assert!(report["run_id"].as_str().unwrap().starts_with("2026-11-04"));
    let backlog = &report["regression_backlog"];
    assert_eq!(backlog["carried_in"], 3, "{backlog}");
    assert_eq!(backlog["published"], 2, "{backlog}");
    assert_eq!(backlog["deferred"], 1, "{backlog}");
    assert_balanced(report);
    assert_eq!(report["accounting"]["interactions"]["input"], 1);
    let second: Vec<Value> = golden_rows(&sink)
        .into_iter()
        .filter(|g| g["run_id"] == report["run_id"])
        .collect();
    assert_eq!(ids(&second), ["p-2", "r-1", "r-4"], "{second:?}");

    // day 3: the last one
    day(
        &src,
        "2026-11-05",
        &[ask(
            "p-3",
            "acme",
            "2026-11-05T10:00:00Z",
            "What is a good stretch for a stiff lower back after cycling",
            "Try a knee-to-chest stretch.",
        )],
        &votes("p-3", &["thumbs_up", "accept"]),
    );
    let out = run_with_params(dir.path(), params, &src, &sink);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stdout.contains("WARNING"),
        "the backlog is drained: {stdout}"
    );
    let report = &reports(&sink)[2];
    assert!(report["run_id"].as_str().unwrap().starts_with("2026-11-05"));
    let backlog = &report["regression_backlog"];
    assert_eq!(backlog["carried_in"], 1, "{backlog}");
    assert_eq!(backlog["published"], 1, "{backlog}");
    assert_eq!(backlog["deferred"], 0, "{backlog}");
    assert_balanced(report);

    // across the runs: every case once, none lost
    let all = golden_rows(&sink);
    let regressions: Vec<Value> = all
        .iter()
        .filter(|g| g["kind"] == "regression")
        .cloned()
        .collect();
    assert_eq!(
        ids(&regressions),
        ["r-1", "r-2", "r-3", "r-4", "r-5"],
        "{regressions:?}"
    );
    let run_of = |id: &str| {
        regressions
            .iter()
            .find(|g| g["interaction_id"] == id)
            .unwrap()["run_id"]
            .as_str()
            .unwrap()[..10]
            .to_string()
    };
    for (id, date) in [
        ("r-3", "2026-11-03"),
        ("r-5", "2026-11-03"),
        ("r-1", "2026-11-04"),
        ("r-4", "2026-11-04"),
        ("r-2", "2026-11-05"),
    ] {
        assert_eq!(run_of(id), date, "{id}");
    }
    // the deferred cases keep their feedback through the backlog
    for g in &regressions {
        assert_eq!(g["signals"]["thumbs_down"], 1, "{g}");
    }
}

// With fewshot_per_prompt_version = true the sample logs get one bank per task and prompt
// version, at fewshot/<task>/<prompt_version>/bank-<run>.json with latest.json (a copy)
// beside it, and no per-task bank; every example of a bank comes from an interaction of
// that prompt version.
#[test]
fn banks_split_by_prompt_version() {
    let dir = tempfile::tempdir().unwrap();
    let sink = dir.path().join("out");
    run_with_params(
        dir.path(),
        "fewshot_per_prompt_version = true\n",
        &repo().join("data/sample-logs"),
        &sink,
    );
    let fewshot = sink.join("fewshot");
    let banks = matching(&fewshot, |p| {
        p.rsplit('/').next().unwrap().starts_with("bank-")
    });
    assert!(!banks.is_empty());

    // interaction → prompt version, from the run's (redacted) carried rows
    let version_of: BTreeMap<String, String> = parquet_rows(&find(&sink, |p| {
        p.contains("/carry/") && p.ends_with("/interactions.parquet")
    }))
    .into_iter()
    .filter_map(|r| {
        Some((
            r["interaction_id"].as_str()?.to_string(),
            r["prompt_version"].as_str()?.to_string(),
        ))
    })
    .collect();
    // published example → the interaction kept for it
    let interaction_of: BTreeMap<String, String> = dispositions(&sink)[0]
        .iter()
        .filter_map(|r| {
            Some((
                r["example_id"].as_str()?.to_string(),
                r["interaction_id"].as_str()?.to_string(),
            ))
        })
        .collect();

    let mut versions_per_task: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for bank_path in &banks {
        let rel = bank_path.strip_prefix(&fewshot).unwrap();
        let parts: Vec<&str> = rel.iter().map(|s| s.to_str().unwrap()).collect();
        assert_eq!(parts.len(), 3, "fewshot/<task>/<version>/bank: {rel:?}");
        let (task, version) = (parts[0], parts[1]);
        let bank = json(bank_path);
        assert_eq!(bank["task"], task, "{rel:?}");
        assert_eq!(bank["prompt_version"], version, "{rel:?}");
        let latest = bank_path.with_file_name("latest.json");
        assert_eq!(
            std::fs::read(&latest).unwrap(),
            std::fs::read(bank_path).unwrap(),
            "{latest:?}"
        );
        let examples = bank["examples"].as_array().unwrap();
        assert!(!examples.is_empty(), "{rel:?}");
        for e in examples {
            let example = e["example_id"].as_str().unwrap();
            let interaction = &interaction_of[example];
            assert_eq!(
                version_of[interaction], version,
                "{rel:?}: {example} comes from {interaction}"
            );
        }
        versions_per_task
            .entry(task.to_string())
            .or_default()
            .insert(version.to_string());
    }
    let latest = matching(&fewshot, |p| p.ends_with("/latest.json"));
    assert_eq!(
        latest.len(),
        banks.len(),
        "one latest.json per bank: {latest:?}"
    );
    assert!(
        versions_per_task.values().any(|v| v.len() > 1),
        "some task is split over versions: {versions_per_task:?}"
    );
}
