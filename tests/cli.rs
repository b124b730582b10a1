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

// `--corpus` takes the run's decisions with the file as the day: a name three authors
// mention is kept, one a single author mentions is redacted, a signature always is.
// Without it, every finding is reported.
#[test]
fn pii_redact_with_the_file_as_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let lines = [
        r#"{"id": "1", "user": "a", "text": "Is Outline by Rachel Cusk good?"}"#,
        r#"{"id": "2", "user": "b", "text": "Rachel Cusk wrote Transit."}"#,
        r#"{"id": "3", "user": "c", "text": "Summarise Rachel Cusk's Kudos."}"#,
        r#"{"id": "4", "user": "c", "text": "Reply to Dorothy Kessler today."}"#,
        r#"{"id": "5", "user": "d", "text": "Thanks. Signed, Rachel Cusk"}"#,
    ];
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let red = dir.path().join("red.jsonl");
    let redact = |extra: &[&str]| {
        let mut args = vec![
            "pii",
            "redact",
            "--input",
            path(&input),
            "--output",
            path(&red),
        ];
        args.extend_from_slice(extra);
        let out = flywheel(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        jsonl(&red)
            .iter()
            .map(|r| r["text"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let got = redact(&["--corpus", "--user-field", "user"]);
    assert_eq!(got[0], "Is Outline by Rachel Cusk good?");
    assert_eq!(got[3], "Reply to <PERSON_1> today.");
    assert_eq!(got[4], "Thanks. Signed, <PERSON_1>");
    // Four lines but three authors of the name without --user-field: still public.
    assert_eq!(redact(&["--corpus"])[1], "Rachel Cusk wrote Transit.");
    // The detector's view.
    assert_eq!(redact(&[])[0], "Is Outline by <PERSON_1> good?");
}

// A run killed mid-way leaves its work directory (scratch may hold unredacted text); the
// next run removes it, and leaves directories of live processes alone.
#[test]
fn the_next_run_removes_the_scratch_of_a_killed_one() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    let dead = work.join("run-killed");
    let live = work.join("run-live");
    for (d, pid) in [
        (&dead, 999_999_999u64),
        (&live, u64::from(std::process::id())),
    ] {
        std::fs::create_dir_all(d).unwrap();
        std::fs::write(d.join("flywheel-owner.pid"), pid.to_string()).unwrap();
        std::fs::write(d.join("unredacted_interactions.parquet"), "raw").unwrap();
    }
    let cfg = dir.path().join("flywheel.toml");
    std::fs::write(
        &cfg,
        format!("[engine]\nwork_dir = \"{}\"\n", work.display()),
    )
    .unwrap();
    let sink = dir.path().join("out");
    let src = repo().join("data/sample-logs");
    run_with_config(&cfg, &src, &sink);
    assert!(!dead.exists(), "the killed run's scratch is removed");
    assert!(live.exists(), "a live process keeps its work directory");
    let left: Vec<_> = std::fs::read_dir(&work)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(
        left,
        vec![std::ffi::OsString::from("run-live")],
        "the run cleaned up after itself"
    );
}

/// The sample's two partitions as two nightly runs into `sink`; returns their run ids.
fn two_nightly_runs(sink: &std::path::Path) -> (String, String) {
    let sample = repo().join("data/sample-logs");
    let mut ids = Vec::new();
    for dt in ["2026-11-01", "2026-11-02"] {
        let out = flywheel(&[
            "run",
            "--source",
            path(&sample),
            "--sink",
            path(sink),
            "--date",
            dt,
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let id = text.split_whitespace().nth(1).expect("run id").to_string();
        ids.push(id);
    }
    (ids[0].clone(), ids[1].clone())
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).to_string()
}

// validate names every problem on its own line (PII policy, sink), exit 2, and passes on
// the defaults.
#[test]
fn validate_lists_each_problem_on_its_own_line() {
    let dir = tempfile::tempdir().unwrap();
    let sample = repo().join("data/sample-logs");
    let ok = flywheel(&[
        "validate",
        "--source",
        path(&sample),
        "--sink",
        path(dir.path()),
    ]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(files(dir.path()).is_empty(), "the write probe is removed");

    let cfg = dir.path().join("bad.toml");
    std::fs::write(&cfg, "[pii.strategies]\nEMAIL_ADDRESS = \"pseudonym\"\n").unwrap();
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, "not a directory").unwrap();
    let sink = blocker.join("sink");
    let bad = flywheel_env(
        &[
            "validate",
            "--config",
            path(&cfg),
            "--source",
            path(&sample),
            "--sink",
            path(&sink),
        ],
        &[("PII_PSEUDONYM_KEY", "")],
    );
    assert_eq!(bad.status.code(), Some(2));
    let err = stderr(&bad);
    let lines: Vec<&str> = err.lines().collect();
    assert!(lines.iter().any(|l| l.contains("pii")), "{err}");
    assert!(lines.iter().any(|l| l.contains("sink")), "{err}");
    assert!(lines.last().unwrap().contains("2 problem(s)"), "{err}");
}

// plan lists what a run would read, without publishing, and knows when it was published.
#[test]
fn plan_lists_partitions_and_does_not_run() {
    let sink = tempfile::tempdir().unwrap();
    let sample = repo().join("data/sample-logs");
    let out = flywheel(&[
        "plan",
        "--source",
        path(&sample),
        "--sink",
        path(sink.path()),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("dt=2026-11-01") && text.contains("dt=2026-11-02"),
        "{text}"
    );
    assert!(text.contains("total: 5 objects"), "{text}");
    assert!(text.contains("would process"), "{text}");
    assert!(
        !sink.path().join("manifests").exists(),
        "plan publishes nothing"
    );
    let planned = text
        .split_whitespace()
        .nth(1)
        .unwrap()
        .trim_end_matches(':')
        .to_string();

    let ran = run_ok(&sample, sink.path());
    assert!(
        stdout(&ran).contains(&planned),
        "plan and run agree on the run id"
    );
    let again = flywheel(&[
        "plan",
        "--source",
        path(&sample),
        "--sink",
        path(sink.path()),
    ]);
    assert!(
        stdout(&again).starts_with("nothing new"),
        "{}",
        stdout(&again)
    );
    let backfill = flywheel(&[
        "plan",
        "--source",
        path(&sample),
        "--sink",
        path(sink.path()),
        "--date",
        "2026-11-02",
    ]);
    assert!(
        stdout(&backfill).contains("total: 2 objects"),
        "{}",
        stdout(&backfill)
    );
}

// inspect summarises a committed run from its manifest; diff lists the golden rows the
// later run added and the bank changes.
#[test]
fn inspect_and_diff_read_published_runs() {
    let sink = tempfile::tempdir().unwrap();
    let (a, b) = two_nightly_runs(sink.path());
    let newest = flywheel(&["inspect", path(sink.path())]);
    assert!(newest.status.success(), "{}", stderr(&newest));
    assert!(
        stdout(&newest).starts_with(&format!("run {b} ")),
        "{}",
        stdout(&newest)
    );
    let first = flywheel(&["inspect", path(sink.path()), "--run", &a]);
    let manifest = json(&sink.path().join(format!("manifests/run={a}.json")));
    let acc = &manifest["counts"]["interactions"];
    assert!(
        stdout(&first).contains(&format!("interactions: {} in =", acc["input"])),
        "{}",
        stdout(&first)
    );
    let missing = flywheel(&["inspect", path(sink.path()), "--run", "no-such-run"]);
    assert_eq!(missing.status.code(), Some(2));

    let diff = flywheel(&["diff", "--sink", path(sink.path()), &a, &b]);
    assert!(diff.status.success(), "{}", stderr(&diff));
    let text = stdout(&diff);
    let added: Vec<String> = files(sink.path())
        .iter()
        .filter(|p| {
            p.to_string_lossy()
                .contains(&format!("run={b}/additions.jsonl"))
        })
        .flat_map(|p| jsonl(p))
        .map(|r| r["example_id"].as_str().unwrap().to_string())
        .collect();
    assert!(!added.is_empty());
    assert!(
        text.contains(&format!("golden additions: {}", added.len())),
        "{text}"
    );
    for id in &added {
        assert!(
            text.contains(&format!("+ {id}")),
            "{id} missing from\n{text}"
        );
    }
    let listed = text
        .lines()
        .filter(|l| l.trim_start().starts_with("+ "))
        .count();
    let bank_lines = text.split("few-shot banks:").nth(1).unwrap();
    let bank_plus = bank_lines
        .lines()
        .filter(|l| l.trim_start().starts_with("+ "))
        .count();
    assert_eq!(listed - bank_plus, added.len(), "only run B's rows: {text}");
    let reversed = flywheel(&["diff", "--sink", path(sink.path()), &b, &a]);
    assert_eq!(reversed.status.code(), Some(2));
}

// --log-format json writes one JSON object per stderr line; --quiet leaves stdout empty
// and keeps only warnings; text logs carry no colour codes when not on a terminal.
#[test]
fn log_formats_and_quiet() {
    let sample = repo().join("data/sample-logs");
    let sink = tempfile::tempdir().unwrap();
    let args = [
        "run",
        "--source",
        path(&sample),
        "--sink",
        path(sink.path()),
        "--force",
    ];
    let json_run = flywheel_env(
        &[&["--log-format", "json"], &args[..]].concat(),
        &[("FLYWHEEL_LOG", "info")],
    );
    assert!(json_run.status.success(), "{}", stderr(&json_run));
    let err = stderr(&json_run);
    assert!(err.lines().count() >= 3, "{err}");
    for line in err.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON log line");
        assert!(v["level"].is_string() && v["message"].is_string(), "{line}");
    }
    assert!(err.contains("\"stage\":\"ingest+redact\""), "{err}");

    let text_run = flywheel_env(&args, &[("FLYWHEEL_LOG", "info")]);
    assert!(stderr(&text_run).contains("stage done"));
    assert!(
        !stderr(&text_run).contains('\u{1b}'),
        "no ANSI codes in a log file"
    );

    let quiet = flywheel_env(&[&["--quiet"], &args[..]].concat(), &[("FLYWHEEL_LOG", "")]);
    assert!(quiet.status.success());
    assert!(stdout(&quiet).is_empty(), "{}", stdout(&quiet));
    assert!(!stderr(&quiet).contains("INFO"), "{}", stderr(&quiet));
}

// A log collector that goes away (stderr closed) must not crash the run and strand the
// sink's lock: the run finishes, publishes and releases it.
#[test]
fn closed_stderr_does_not_crash_the_run() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let sample = repo().join("data/sample-logs");
    let sink = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_flywheel"))
        .args([
            "run",
            "--source",
            path(&sample),
            "--sink",
            path(sink.path()),
        ])
        .current_dir(repo())
        .env("FLYWHEEL_LOG", "debug")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 64];
    let _ = child.stderr.as_mut().unwrap().read(&mut first);
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(
        !sink.path().join("state/lock.json").exists(),
        "lock released"
    );
    assert!(sink.path().join("manifests").exists());
}

// Every run writes a self-contained report.html whose funnel carries the JSON's counts.
#[test]
fn html_report_carries_the_accounting() {
    let sink = tempfile::tempdir().unwrap();
    run_ok(&repo().join("data/sample-logs"), sink.path());
    let (_, report) = manifest_and_report(sink.path());
    let html = std::fs::read_to_string(find(sink.path(), |p| p.ends_with(".html"))).unwrap();
    assert!(html.contains(&format!(
        "<title>Flywheel run {}",
        report["run_id"].as_str().unwrap()
    )));
    let acc = &report["accounting"]["interactions"];
    assert!(html.contains(&format!(
        "data-label=\"in\" data-value=\"{}\"",
        acc["input"]
    )));
    for (d, n) in acc["dispositions"].as_object().unwrap() {
        assert!(
            html.contains(&format!("data-label=\"{d}\" data-value=\"{n}\"")),
            "{d}"
        );
    }
    for (t, n) in report["pii_findings"].as_object().unwrap() {
        assert!(
            html.contains(&format!("data-label=\"{t}\" data-value=\"{n}\"")),
            "{t}"
        );
    }
    assert!(!html.contains("<script") && !html.contains("src=") && !html.contains("href="));
}

// On a terminal `run` draws a progress bar over its stages (stderr is a pty here, through
// util-linux `script`); --quiet draws none.
#[test]
fn progress_bar_only_on_a_terminal() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: util-linux `script` is not installed (needed for a pty)");
        return;
    }
    let sample = repo().join("data/sample-logs");
    let on_tty = |extra: &str| {
        let sink = tempfile::tempdir().unwrap();
        let cmd = format!(
            "{} {extra} run --source {} --sink {}",
            env!("CARGO_BIN_EXE_flywheel"),
            path(&sample),
            path(sink.path())
        );
        let out = std::process::Command::new("script")
            .args(["-qec", &cmd, "/dev/null"])
            .env("FLYWHEEL_LOG", "warn")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let drawn = on_tty("");
    // The bar's position over its length: one step per stage (discover, ingest, the SQL
    // stages, gates, publish).
    let steps = 4 + std::fs::read_dir(repo().join("sql")).unwrap().count();
    assert!(drawn.contains(&format!("/{steps}")), "no bar in:\n{drawn}");
    assert!(drawn.contains("published"), "the summary follows the bar");
    let quiet = on_tty("--quiet");
    assert!(
        !quiet.contains(&format!("/{steps}")),
        "bar drawn with --quiet:\n{quiet}"
    );
}

// gen-sample writes a day of logs of about the requested size, the same bytes for the
// same seed, in gzip and plain parts, that a run reads in full (every row accounted for).
#[test]
fn gen_sample_is_deterministic_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    let gen = |name: &str, seed: &str| {
        let out = dir.path().join(name);
        let res = flywheel(&[
            "gen-sample",
            "--out",
            path(&out),
            "--bytes",
            "3000000",
            "--part-mb",
            "1",
            "--seed",
            seed,
        ]);
        assert!(res.status.success(), "{}", stderr(&res));
        out
    };
    let (a, b, c) = (gen("a", "7"), gen("b", "7"), gen("c", "8"));
    let contents = |root: &std::path::Path| {
        files(root)
            .iter()
            .map(|p| {
                (
                    p.strip_prefix(root).unwrap().to_path_buf(),
                    std::fs::read(p).unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(contents(&a), contents(&b), "same seed, same bytes");
    assert_ne!(contents(&a), contents(&c), "another seed, other logs");
    let names: Vec<String> = files(&a)
        .iter()
        .map(|p| p.to_string_lossy().to_string())
        .collect();
    assert!(
        names.iter().any(|n| n.ends_with(".jsonl.gz"))
            && names.iter().any(|n| n.ends_with(".jsonl"))
    );
    let raw: usize = files(&a.join("interactions"))
        .iter()
        .filter(|p| !p.to_string_lossy().ends_with(".gz"))
        .map(|p| std::fs::metadata(p).unwrap().len() as usize)
        .sum();
    assert!(
        raw > 500_000,
        "plain parts hold about half the bytes: {raw}"
    );

    let sink = dir.path().join("sink");
    run_ok(&a, &sink);
    let (_, report) = manifest_and_report(&sink);
    assert_balanced(&report);
    let acc = &report["accounting"]["interactions"];
    assert!(acc["input"].as_u64().unwrap() > 1500, "{acc}");
    assert!(
        acc["dispositions"]["duplicate"].as_u64().unwrap() > 0,
        "popular prompts repeat"
    );
    assert!(
        report["pii_findings"]["EMAIL_ADDRESS"].as_u64().unwrap() > 0,
        "planted PII"
    );
}

// --profile writes each materialised stage's EXPLAIN ANALYZE (operators with their
// metrics) and publishes what a plain run publishes; view stages have no plan of their own.
#[test]
fn profile_writes_each_stage_plan_with_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let (sink, profile) = (dir.path().join("sink"), dir.path().join("profile"));
    let src = repo().join("data/sample-logs");
    let out = flywheel(&[
        "run",
        "--source",
        path(&src),
        "--sink",
        path(&sink),
        "--profile",
        path(&profile),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let scored = std::fs::read_to_string(profile.join("scored.txt")).unwrap();
    assert!(scored.contains("output_rows="), "{scored}");
    assert!(scored.contains("elapsed_compute="), "{scored}");
    assert!(profile.join("fewshot.txt").exists());
    assert!(
        !profile.join("turns.txt").exists(),
        "a view has no plan of its own"
    );
    let (manifest, _) = manifest_and_report(&sink);
    assert!(!manifest["outputs"].as_array().unwrap().is_empty());
}
