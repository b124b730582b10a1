//! The command-line contract: exit codes and one-line errors that scheduler logs show.

mod support;

use support::*;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

// A missing source is a usage problem (exit 2) told in one line naming the path.
#[test]
fn missing_source_is_exit_2_in_one_line() {
    let sink = tempfile::tempdir().unwrap();
    let out = flywheel(&[
        "run",
        "--source",
        "/nonexistent/logs",
        "--sink",
        path(sink.path()),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("/nonexistent/logs"), "{err}");
}

// An unknown option is exit 2 with one line, not clap's usage block.
#[test]
fn unknown_option_is_exit_2_in_one_line() {
    let out = flywheel(&["run", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("--no-such-flag"));
}

// An unreadable or invalid config is exit 2 naming the file.
#[test]
fn unreadable_or_invalid_config_is_exit_2() {
    let out = flywheel(&["run", "--config", "/nonexistent/flywheel.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("/nonexistent/flywheel.toml"));

    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("bad.toml");
    std::fs::write(&cfg, "[params]\nw_copy = [[1], [2]]\n").unwrap();
    let out = flywheel(&["run", "--config", path(&cfg)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("params.w_copy"), "{}", stderr(&out));
}

// A SQL stage that references an unknown parameter fails validation with exit 2 and the
// file name, before anything runs.
#[test]
fn validate_reports_a_broken_sql_stage() {
    let dir = tempfile::tempdir().unwrap();
    let (cfg, sql) = config_with_sql_copy(dir.path());
    let ok = flywheel(&["validate", "--config", path(&cfg)]);
    assert!(ok.status.success(), "{}", stderr(&ok));

    let scored = sql.join("20_scored.sql");
    let text = std::fs::read_to_string(&scored)
        .unwrap()
        .replace("${w_copy}", "${w_copyy}");
    std::fs::write(&scored, text).unwrap();
    let bad = flywheel(&["validate", "--config", path(&cfg)]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("20_scored.sql") && stderr(&bad).contains("w_copyy"));
}

// Changing a weight in config changes scores without touching Rust: the SQL reads it.
#[test]
fn scoring_weights_come_from_config() {
    let sample = repo().join("data/sample-logs");
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("flywheel.toml");
    // Praise now counts for nothing: no interaction scores positive, so the reference
    // cases of the default run (21 on this sample) disappear.
    std::fs::write(
        &cfg,
        "[params]\nw_thumbs_up = 0.0\nw_accept = 0.0\nw_rating = 0.0\nw_copy = 0.0\n",
    )
    .unwrap();
    let sink = dir.path().join("out");
    let out = flywheel(&[
        "run",
        "--config",
        path(&cfg),
        "--source",
        path(&sample),
        "--sink",
        path(&sink),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (_, report) = manifest_and_report(&sink);
    let golden = |kind: &str| -> u64 {
        report["golden"]
            .as_object()
            .unwrap()
            .values()
            .filter_map(|m| m[kind].as_u64())
            .sum()
    };
    assert_eq!(golden("reference"), 0, "no signal is positive any more");
    assert!(golden("regression") > 0, "complaints still count");
}

// `pii detect` writes spans with code-point offsets and Presidio names; `pii redact`
// writes the same records with the text redacted.
#[test]
fn pii_detect_and_redact_speak_the_bench_format() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(
        &input,
        "{\"id\": \"a\", \"text\": \"héllo — mail jane.doe@example.com now\"}\n",
    )
    .unwrap();
    let pred = dir.path().join("pred.jsonl");
    let out = flywheel(&[
        "pii",
        "detect",
        "--input",
        path(&input),
        "--output",
        path(&pred),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = jsonl(&pred);
    assert_eq!(rows[0]["id"], "a");
    let span = &rows[0]["spans"][0];
    assert_eq!(span["entity_type"], "EMAIL_ADDRESS");
    // "héllo — mail " is 13 code points (but 16 bytes).
    assert_eq!(span["start"], 13);
    assert_eq!(span["end"], 13 + "jane.doe@example.com".len());

    let red = dir.path().join("red.jsonl");
    let out = flywheel(&[
        "pii",
        "redact",
        "--input",
        path(&input),
        "--output",
        path(&red),
    ]);
    assert!(out.status.success());
    let rows = jsonl(&red);
    assert_eq!(rows[0]["text"], "héllo — mail <EMAIL_ADDRESS_1> now");
}
