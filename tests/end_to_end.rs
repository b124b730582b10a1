//! Whole runs of the real binary over fixture trees: what a user gets in the sink.

mod banks;
mod dedup;
mod late;
mod pii_policy;
mod quality;
mod selection;
mod signals;
mod support;

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};
use support::*;

fn sample() -> std::path::PathBuf {
    repo().join("data/sample-logs")
}

// The bundled sample publishes golden additions and banks; every output the manifest
// lists exists with the bytes and row count it claims, so readers can trust manifests.
#[test]
fn sample_run_publishes_outputs_the_manifest_vouches_for() {
    let sink = tempfile::tempdir().unwrap();
    let out = run_ok(&sample(), sink.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("manifest:"),
        "summary names the manifest: {stdout}"
    );

    let (manifest, report) = manifest_and_report(sink.path());
    let outputs = manifest["outputs"].as_array().unwrap();
    let kinds: Vec<&str> = outputs
        .iter()
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    for kind in [
        "golden_parquet",
        "golden_jsonl",
        "fewshot_bank",
        "dispositions",
        "published_index",
    ] {
        assert!(kinds.contains(&kind), "manifest lists {kind}: {kinds:?}");
    }
    for o in outputs {
        let file = sink.path().join(o["path"].as_str().unwrap());
        let bytes = std::fs::read(&file).unwrap();
        assert_eq!(o["bytes"].as_u64().unwrap(), bytes.len() as u64, "{file:?}");
        assert_eq!(
            o["sha256"].as_str().unwrap(),
            hex::encode(Sha256::digest(&bytes))
        );
        let rows = o["rows"].as_u64().unwrap();
        match o["kind"].as_str().unwrap() {
            "golden_parquet"
            | "dispositions"
            | "feedback_dispositions"
            | "carried_outcomes"
            | "published_index"
            | "carry_interactions"
            | "carry_feedback"
            | "backlog_interactions"
            | "backlog_feedback" => {
                assert_eq!(parquet_rows(&file).len() as u64, rows, "{file:?}")
            }
            "golden_jsonl" | "quarantine" => assert_eq!(jsonl(&file).len() as u64, rows),
            "fewshot_bank" => assert_eq!(
                json(&file)["examples"].as_array().unwrap().len() as u64,
                rows
            ),
            other => panic!("unexpected output kind {other}"),
        }
    }
    assert_eq!(report["status"], "published");
    assert_eq!(manifest["config_hash"], report["config_hash"]);
}

// Golden rows carry what eval owners need: a stable id, the redacted conversation, the
// bad or good output, the label and lineage back to source interactions.
#[test]
fn golden_rows_and_banks_carry_content_and_lineage() {
    let sink = tempfile::tempdir().unwrap();
    run_ok(&sample(), sink.path());
    let golden: Vec<_> = files(sink.path())
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with("additions.parquet"))
        .collect();
    assert!(!golden.is_empty());
    let mut kinds = BTreeMap::new();
    for f in &golden {
        let task = f
            .parent()
            .unwrap()
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        for row in parquet_rows(f) {
            assert_eq!(row["task"].as_str().unwrap(), task);
            assert!(row["example_id"].as_str().unwrap().starts_with("ex-"));
            assert!(!row["input"].as_str().unwrap().is_empty());
            assert!(!row["output"].as_str().unwrap().is_empty());
            assert!(!row["input_messages"].as_array().unwrap().is_empty());
            assert!(!row["source_interaction_ids"].as_array().unwrap().is_empty());
            let kind = row["kind"].as_str().unwrap().to_string();
            match kind.as_str() {
                "regression" => assert_eq!(row["label"], "negative"),
                "reference" => assert_eq!(row["label"], "positive"),
                other => panic!("unknown kind {other}"),
            }
            *kinds.entry(kind).or_insert(0) += 1;
        }
    }
    assert!(
        kinds.get("regression").copied().unwrap_or(0) > 0,
        "{kinds:?}"
    );
    assert!(
        kinds.get("reference").copied().unwrap_or(0) > 0,
        "{kinds:?}"
    );

    let latest: Vec<_> = files(sink.path())
        .into_iter()
        .filter(|p| p.ends_with("latest.json"))
        .collect();
    assert!(!latest.is_empty());
    for l in latest {
        let bank = json(&l);
        let bank_file =
            l.with_file_name(format!("bank-{}.json", bank["version"].as_str().unwrap()));
        assert_eq!(
            std::fs::read(&bank_file).unwrap(),
            std::fs::read(&l).unwrap()
        );
        for ex in bank["examples"].as_array().unwrap() {
            for key in [
                "input",
                "output",
                "score",
                "example_id",
                "source_interaction_ids",
            ] {
                assert!(!ex[key].is_null(), "bank example lacks {key}");
            }
        }
    }
}

// Every input row ends in exactly one disposition, for both logs, and the dispositions
// file has one row per input interaction.
#[test]
fn accounting_balances_for_interactions_and_feedback() {
    let sink = tempfile::tempdir().unwrap();
    run_ok(&sample(), sink.path());
    let (_, report) = manifest_and_report(sink.path());
    assert_balanced(&report);
    for log in ["interactions", "feedback"] {
        let acc = &report["accounting"][log];
        assert!(acc["input"].as_u64().unwrap() > 0, "{log}");
        assert_eq!(acc["balanced"], true);
    }
    let dispositions = parquet_rows(&find(sink.path(), |p| p.ends_with("/dispositions.parquet")));
    assert_eq!(
        dispositions.len() as u64,
        report["accounting"]["interactions"]["input"]
            .as_u64()
            .unwrap()
    );
    for d in &dispositions {
        let disp = d["disposition"].as_str().unwrap();
        assert!(["published", "filtered", "duplicate", "quarantined"].contains(&disp));
        if disp == "duplicate" {
            assert!(
                d["duplicate_of"].is_string(),
                "duplicate names what it duplicates: {d}"
            );
        }
    }
    // The sample plants repeated prompts: at least one is removed as a duplicate.
    assert!(dispositions.iter().any(|d| d["disposition"] == "duplicate"));
}

// No planted PII value appears in any published byte: data, banks, reports, quarantine.
#[test]
fn no_planted_pii_reaches_the_sink() {
    let sink = tempfile::tempdir().unwrap();
    run_ok(&sample(), sink.path());
    let text = published_text(sink.path());
    let planted = planted(&sample().join("planted_pii.jsonl"));
    assert!(planted.len() >= 20, "the sample plants PII");
    let leaks: Vec<_> = planted
        .iter()
        .filter(|(_, v)| text.contains(v.as_str()))
        .collect();
    assert!(
        leaks.is_empty(),
        "{} planted values leaked, types: {:?}",
        leaks.len(),
        leaks.iter().map(|(t, _)| t).collect::<Vec<_>>()
    );
    // Placeholders show the redaction happened rather than the text being dropped.
    assert!(text.contains("<EMAIL_ADDRESS_1>"));
}

// Bad lines cost one quarantined row each, never the night: the run succeeds, every bad
// item is in quarantine with file, line and a reason, and its text is redacted.
#[test]
fn bad_input_is_quarantined_with_file_line_and_reason() {
    let fixtures = repo().join("tests/fixtures/bad-input");
    let sink = tempfile::tempdir().unwrap();
    run_ok(&fixtures, sink.path());
    let q = jsonl(&find(sink.path(), |p| {
        p.ends_with("quarantine/run=")
            || p.contains("/quarantine/") && p.ends_with("interactions.jsonl")
    }));
    for row in &q {
        assert!(row["source"].as_str().unwrap().contains("interactions/dt="));
        assert!(row["line"].is_u64());
        assert!(!row["reason"].as_str().unwrap().is_empty());
    }
    let reasons: Vec<&str> = q.iter().map(|r| r["reason"].as_str().unwrap()).collect();
    for expected in [
        "malformed JSON",
        "invalid UTF-8",
        "missing required field `interaction_id`",
        "missing required field `messages`",
        "field `ts` must be",
        "field `messages` must be an array",
        "line is a JSON array",
        "unreadable rest of file",
        "empty file",
    ] {
        assert!(
            reasons.iter().any(|r| r.starts_with(expected)),
            "no quarantined row for {expected:?}: {reasons:?}"
        );
    }
    let fq = jsonl(&find(sink.path(), |p| {
        p.contains("/quarantine/") && p.ends_with("feedback.jsonl")
    }));
    let freasons: Vec<&str> = fq.iter().map(|r| r["reason"].as_str().unwrap()).collect();
    assert!(
        freasons.iter().any(|r| r.starts_with("malformed JSON")),
        "{freasons:?}"
    );
    assert!(
        freasons
            .iter()
            .any(|r| r.starts_with("missing required field `type`")),
        "{freasons:?}"
    );

    // Values planted in bad lines do not survive into quarantine files.
    let text = published_text(sink.path());
    for (_, value) in planted(&fixtures.join("planted_pii.jsonl")) {
        assert!(!text.contains(&value), "planted value leaked");
    }

    let (_, report) = manifest_and_report(sink.path());
    let acc = &report["accounting"]["interactions"];
    assert_eq!(acc["balanced"], true);
    assert_eq!(
        acc["dispositions"]["quarantined"].as_u64().unwrap(),
        q.len() as u64
    );
    let facc = &report["accounting"]["feedback"];
    assert_eq!(facc["balanced"], true);
    let freasons = &facc["reasons"];
    assert!(
        freasons["filtered"]["interaction not in this run"]
            .as_u64()
            .unwrap()
            >= 1,
        "{facc}"
    );
    assert!(
        freasons["duplicate"]["repeated event_id"].as_u64().unwrap() >= 1,
        "{facc}"
    );
    assert!(
        acc["reasons"]["duplicate"]["repeated interaction_id"]
            .as_u64()
            .unwrap()
            >= 1,
        "{acc}"
    );
}

// An empty source is a quiet night: exit 0, "nothing new", nothing published.
#[test]
fn empty_source_succeeds_with_nothing_new() {
    let sink = tempfile::tempdir().unwrap();
    let out = run_ok(&repo().join("tests/fixtures/empty-source"), sink.path());
    assert!(String::from_utf8_lossy(&out.stdout).contains("nothing new"));
    assert!(files(sink.path()).is_empty());
}

// Parquet logs obey the same contract as JSONL: good rows are processed, a row without
// a required field is quarantined with its row number.
#[test]
fn parquet_logs_are_read_and_validated() {
    use datafusion::arrow::array::{ArrayRef, ListArray, StringArray, StructArray};
    use datafusion::arrow::buffer::OffsetBuffer;
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::arrow::record_batch::RecordBatch;
    use std::sync::Arc;

    let src = tempfile::tempdir().unwrap();
    let dir = src.path().join("interactions/dt=2026-11-07");
    std::fs::create_dir_all(&dir).unwrap();
    let n = 4;
    let ids = StringArray::from(vec![Some("p-1"), Some("p-2"), None, Some("p-4")]);
    let ts = StringArray::from(vec!["2026-11-07T10:00:00Z"; n]);
    let roles = StringArray::from(["user", "assistant"].repeat(n));
    let contents: Vec<String> = (0..n)
        .flat_map(|i| {
            [
                format!("question number {i} about parquet"),
                format!("answer {i}"),
            ]
        })
        .collect();
    let fields = transforms::schema::message_fields();
    let structs = StructArray::new(
        fields,
        vec![
            Arc::new(roles) as ArrayRef,
            Arc::new(StringArray::from(contents)),
        ],
        None,
    );
    let DataType::List(item) = transforms::schema::messages_type() else {
        unreachable!()
    };
    let lists = ListArray::new(
        item,
        OffsetBuffer::from_lengths(vec![2; n]),
        Arc::new(structs),
        None,
    );
    let schema = Arc::new(Schema::new(vec![
        Field::new("interaction_id", DataType::Utf8, true),
        Field::new("ts", DataType::Utf8, false),
        Field::new("messages", transforms::schema::messages_type(), true),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![Arc::new(ids), Arc::new(ts), Arc::new(lists)],
    )
    .unwrap();
    let file = std::fs::File::create(dir.join("part-0000.parquet")).unwrap();
    let mut w = datafusion::parquet::arrow::ArrowWriter::try_new(file, schema, None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();

    let sink = tempfile::tempdir().unwrap();
    run_ok(src.path(), sink.path());
    let (_, report) = manifest_and_report(sink.path());
    let acc = &report["accounting"]["interactions"];
    assert_eq!(acc["input"], 4);
    assert_eq!(acc["dispositions"]["quarantined"], 1);
    let q = jsonl(&find(sink.path(), |p| p.ends_with("interactions.jsonl")));
    assert_eq!(q[0]["line"], 3);
    assert_eq!(q[0]["reason"], "missing required field `interaction_id`");
}

// The realistic logs beside the repository (skipped when absent): no planted value of a
// pattern type may appear anywhere under the sink, and the near-duplicate clusters agree
// with the datasketch MinHashLSH reference (pairwise "same cluster" precision and recall
// >= 0.9 over the interactions it clusters).
#[test]
fn shared_sample_logs_leak_no_pattern_pii_and_clusters_agree() {
    let shared = repo().join("../shared/sample-logs/dev");
    if !shared.exists() {
        eprintln!("skipped: ../shared/sample-logs not present");
        return;
    }
    let sink = tempfile::tempdir().unwrap();
    run_ok(&shared.join("logs"), sink.path());
    let text = published_text(sink.path());
    let leaks: Vec<String> = planted(&shared.join("truth/pii_truth.jsonl"))
        .into_iter()
        .filter(|(t, v)| t != "PERSON" && text.contains(v.as_str()))
        .map(|(t, _)| t)
        .collect();
    assert!(leaks.is_empty(), "leaked pattern PII of types {leaks:?}");

    let ours: BTreeMap<String, String> =
        parquet_rows(&find(sink.path(), |p| p.ends_with("/dispositions.parquet")))
            .into_iter()
            .filter_map(|r| {
                Some((
                    r["interaction_id"].as_str()?.to_string(),
                    r["near_cluster"].as_str()?.to_string(),
                ))
            })
            .collect();
    let reference: Vec<(String, String)> = jsonl(&shared.join("truth/dedup_reference.jsonl"))
        .into_iter()
        .map(|r| {
            let id = r["interaction_id"].as_str().unwrap().to_string();
            (id, r["near_cluster"].as_str().unwrap().to_string())
        })
        .filter(|(id, _)| ours.contains_key(id))
        .collect();
    assert!(
        reference.len() > 4000,
        "{} interactions compared",
        reference.len()
    );
    let pairs = |keys: Vec<(&str, &str)>| -> u64 {
        let mut sizes: BTreeMap<(&str, &str), u64> = BTreeMap::new();
        keys.into_iter()
            .for_each(|k| *sizes.entry(k).or_default() += 1);
        sizes.values().map(|n| n * (n - 1) / 2).sum()
    };
    let ours_pairs = pairs(
        reference
            .iter()
            .map(|(id, _)| (ours[id].as_str(), ""))
            .collect(),
    );
    let ref_pairs = pairs(reference.iter().map(|(_, c)| (c.as_str(), "")).collect());
    let both = pairs(
        reference
            .iter()
            .map(|(id, c)| (ours[id].as_str(), c.as_str()))
            .collect(),
    );
    let (precision, recall) = (
        both as f64 / ours_pairs as f64,
        both as f64 / ref_pairs as f64,
    );
    assert!(
        precision >= 0.9 && recall >= 0.9,
        "pairwise precision {precision:.3}, recall {recall:.3}"
    );
}

// A stage that publishes text the redact stage never saw is caught by the leak gate:
// exit 3 naming the entity type and output (never the value), no manifest, no data,
// and the report still says why. Allowing the type in config lets the run through.
#[test]
fn leak_gate_refuses_to_publish_unredacted_text() {
    let dir = tempfile::tempdir().unwrap();
    let (cfg, sql) = config_with_sql_copy(dir.path());
    let golden = sql.join("45_golden.sql");
    let text = std::fs::read_to_string(&golden).unwrap();
    let leaky = text.replace(
        "t.answer AS output",
        // Far from the answer's text: contact details beside a name would (rightly) make
        // the gate treat that name as personal.
        "t.answer || repeat(' ', 80) || '(escalate to leaky.person@example.org)' AS output",
    );
    assert_ne!(text, leaky);
    std::fs::write(&golden, leaky).unwrap();
    let sink = dir.path().join("out");
    let source = sample();
    let args = [
        "run",
        "--config",
        path(&cfg),
        "--source",
        path(&source),
        "--sink",
        path(&sink),
    ];
    let out = flywheel(&args);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("EMAIL_ADDRESS") && err.contains("golden.output"),
        "{err}"
    );
    assert!(
        !err.contains("leaky.person"),
        "the value must not be shown: {err}"
    );
    let written: Vec<_> = files(&sink)
        .iter()
        .map(|p| p.to_string_lossy().to_string())
        .collect();
    assert!(
        written.iter().all(|p| p.contains("/reports/run=")),
        "only the report: {written:?}"
    );
    let report = json(&find(&sink, |p| p.ends_with(".json")));
    assert_eq!(report["status"], "refused");
    assert_eq!(report["gates"]["leak"]["passed"], false);
    assert!(!published_text(&sink).contains("leaky.person"));

    std::fs::write(
        &cfg,
        "[sql]\ndir = \"sql\"\n[gates]\nleak_allow = [\"EMAIL_ADDRESS\"]\n",
    )
    .unwrap();
    let out = flywheel(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// An object written with a UTF-8 byte-order mark (Windows tools, some exporters) loses
// no row: its first interaction is published like any other, and the report says how
// many objects carried a BOM.
#[test]
fn a_byte_order_mark_costs_no_row() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("logs");
    let rows = [
        chat(
            "i-1",
            "s-1",
            "How do I sort a list in Python?",
            "Use sorted(xs).",
        ),
        chat("i-2", "s-2", "How do I reverse a list?", "Use xs[::-1]."),
    ];
    day(
        &src,
        "2026-11-03",
        &rows,
        &[event("f-1", "i-1", "thumbs_up", None)],
    );
    let file = src.join("interactions/dt=2026-11-03/part-0.jsonl");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(std::fs::read(&file).unwrap());
    std::fs::write(&file, bytes).unwrap();
    let sink = dir.path().join("out");
    run_ok(&src, &sink);
    let (_, report) = manifest_and_report(&sink);
    let acc = &report["accounting"]["interactions"];
    assert_eq!(acc["input"], 2);
    assert_eq!(acc["byte_order_marks"], 1);
    assert!(acc["dispositions"].get("quarantined").is_none(), "{acc}");
    assert_balanced(&report);
}

// A client clock years ahead costs its row, quarantined with a reason naming the field
// (never the value); a timestamp two days after its partition is an ordinary row. The
// allowed skew is configurable.
#[test]
fn timestamps_far_ahead_of_the_run_are_quarantined() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("logs");
    let mut ahead = chat("i-2099", "s-2", "How do I reverse a list?", "Use xs[::-1].");
    ahead["ts"] = "2099-01-01T00:00:00Z".into();
    let mut late = chat("i-late", "s-3", "How do I copy a list?", "Use xs.copy().");
    late["ts"] = "2026-11-05T23:00:00Z".into();
    let rows = [
        chat(
            "i-1",
            "s-1",
            "How do I sort a list in Python?",
            "Use sorted(xs).",
        ),
        ahead,
        late,
    ];
    day(
        &src,
        "2026-11-03",
        &rows,
        &[event("f-1", "i-1", "thumbs_up", None)],
    );
    let sink = dir.path().join("out");
    run_ok(&src, &sink);
    let (_, report) = manifest_and_report(&sink);
    let acc = &report["accounting"]["interactions"];
    assert_eq!(acc["input"], 3);
    assert_eq!(acc["dispositions"]["quarantined"], 1, "{acc}");
    assert_balanced(&report);
    let q = jsonl(&find(&sink, |p| p.ends_with("interactions.jsonl")));
    assert_eq!(q.len(), 1);
    assert_eq!(q[0]["line"], 2);
    let reason = q[0]["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("field `ts` is more than 24 h after the run started"),
        "{reason}"
    );
    assert!(!reason.contains("2099"));

    // With a skew of a century the same row is accepted.
    let cfg = dir.path().join("flywheel.toml");
    std::fs::write(&cfg, "[ingest]\nmax_clock_skew_hours = 876000\n").unwrap();
    let sink = dir.path().join("out-lenient");
    run_with_config(&cfg, &src, &sink);
    let (_, report) = manifest_and_report(&sink);
    let acc = &report["accounting"]["interactions"];
    assert!(acc["dispositions"].get("quarantined").is_none(), "{acc}");
}
