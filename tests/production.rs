//! Safe to schedule every night and to re-run by hand: incremental, idempotent, atomic,
//! one run at a time.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use support::*;

fn sample() -> PathBuf {
    repo().join("data/sample-logs")
}

/// A copy of the sample logs (interactions/ and feedback/ only) to add files to.
fn copy_sample(to: &Path) {
    for f in files(&sample()) {
        let rel = f.strip_prefix(sample()).unwrap();
        if rel.starts_with("interactions") || rel.starts_with("feedback") {
            let dest = to.join(rel);
            std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
            std::fs::copy(&f, dest).unwrap();
        }
    }
}

/// (path, sha256) of every output a sink's manifests list, plus the pointers and state.
fn published(sink: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for m in files(&sink.join("manifests")) {
        for o in json(&m)["outputs"].as_array().unwrap() {
            out.insert(
                o["path"].as_str().unwrap().to_string(),
                o["sha256"].as_str().unwrap().to_string(),
            );
        }
    }
    for f in files(sink) {
        let rel = f.strip_prefix(sink).unwrap().to_string_lossy().to_string();
        if rel.ends_with("latest.json") || rel == "state/processed.json" {
            out.insert(rel, String::from_utf8(std::fs::read(&f).unwrap()).unwrap());
        }
    }
    out
}

/// Data files on disk (everything but reports, manifests and state).
fn data_files(sink: &Path) -> Vec<String> {
    files(sink)
        .into_iter()
        .map(|f| f.strip_prefix(sink).unwrap().to_string_lossy().to_string())
        .filter(|p| {
            !p.starts_with("reports/") && !p.starts_with("manifests/") && !p.starts_with("state/")
        })
        .collect()
}

// Re-running over the same inputs publishes nothing new and exits 0: no new files.
#[test]
fn rerun_over_same_inputs_publishes_nothing_new() {
    let sink = tempfile::tempdir().unwrap();
    run_ok(&sample(), sink.path());
    let before = files(sink.path());
    let out = run_ok(&sample(), sink.path());
    assert!(String::from_utf8_lossy(&out.stdout).contains("nothing new"));
    assert_eq!(files(sink.path()), before);
}

// A forced re-run of the same inputs rewrites the same paths with byte-identical data.
#[test]
fn forced_rerun_is_byte_identical() {
    let sink = tempfile::tempdir().unwrap();
    run_ok(&sample(), sink.path());
    let first = published(sink.path());
    let files_before = data_files(sink.path());
    let out = flywheel(&[
        "run",
        "--force",
        "--source",
        path(&sample()),
        "--sink",
        path(sink.path()),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("nothing new"));
    assert_eq!(published(sink.path()), first);
    assert_eq!(data_files(sink.path()), files_before);
}

// Re-publishing an older night after a newer one committed reproduces the older night's
// files exactly (later runs do not leak into it), keeps its commit position, and leaves
// every latest.json on the newer night's bank.
#[test]
fn forcing_an_older_night_after_a_newer_one_changes_nothing_else() {
    let sink = tempfile::tempdir().unwrap();
    let src = sample();
    let night = |dt: &str, force: bool| {
        let mut args = vec![
            "run",
            "--source",
            path(&src),
            "--sink",
            path(sink.path()),
            "--date",
            dt,
        ];
        if force {
            args.push("--force");
        }
        let out = flywheel(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    night("2026-11-01", false);
    let first = published(sink.path());
    night("2026-11-02", false);
    let both = published(sink.path());
    let manifests = || {
        let mut m: Vec<Value> = files(&sink.path().join("manifests"))
            .iter()
            .map(|p| json(p))
            .collect();
        m.sort_by_key(|m| m["created_at"].as_str().unwrap().to_string());
        m.iter()
            .map(|m| m["run_id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let order = manifests();
    night("2026-11-01", true);
    assert_eq!(
        published(sink.path()),
        both,
        "nothing of either night changed"
    );
    assert_eq!(
        manifests(),
        order,
        "the re-published night keeps its commit position"
    );
    for (path, sha) in &first {
        if !path.ends_with("latest.json") && path != "state/processed.json" {
            assert_eq!(both.get(path), Some(sha), "{path}");
        }
    }
}

// A late file landing in an old dt= partition is processed by the next plain run, alone.
#[test]
fn late_file_in_old_partition_is_picked_up_alone() {
    let src = tempfile::tempdir().unwrap();
    copy_sample(src.path());
    let sink = tempfile::tempdir().unwrap();
    run_ok(src.path(), sink.path());
    let late = src
        .path()
        .join("interactions/dt=2026-11-01/part-0099.jsonl");
    let line = |id: &str| {
        format!(
            "{{\"interaction_id\":\"{id}\",\"ts\":\"2026-11-01T23:59:00Z\",\"task\":\"qa\",\
             \"messages\":[{{\"role\":\"user\",\"content\":\"late question {id}\"}},\
             {{\"role\":\"assistant\",\"content\":\"late answer\"}}]}}\n"
        )
    };
    std::fs::write(&late, line("late-1") + &line("late-2")).unwrap();
    run_ok(src.path(), sink.path());
    let reports: Vec<Value> = files(&sink.path().join("reports"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| json(&p))
        .collect();
    assert_eq!(reports.len(), 2);
    let inputs: Vec<u64> = reports
        .iter()
        .map(|r| r["accounting"]["interactions"]["input"].as_u64().unwrap())
        .collect();
    assert!(
        inputs.contains(&2),
        "the second run read only the late file: {inputs:?}"
    );
    let state = json(&sink.path().join("state/processed.json"));
    assert!(state["objects"]
        .as_object()
        .unwrap()
        .keys()
        .any(|k| k.ends_with("part-0099.jsonl")));
}

fn write_lock(sink: &Path, host: &str, pid: u32, expires_at: &str) {
    std::fs::create_dir_all(sink.join("state")).unwrap();
    let lock = serde_json::json!({"started_at": "2026-11-22T03:00:00Z", "host": host, "pid": pid, "expires_at": expires_at});
    std::fs::write(sink.join("state/lock.json"), lock.to_string()).unwrap();
}

fn this_host() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| std::env::var("HOSTNAME").unwrap_or_default())
}

// A live holder blocks a second run: exit 4 with one line naming the holder; a stale
// lock (expired, or naming this host and a dead process) is taken over.
#[test]
fn lock_blocks_a_second_run_and_stale_locks_are_taken_over() {
    let sink = tempfile::tempdir().unwrap();
    // Held by this very test process on this host: alive.
    write_lock(
        sink.path(),
        &this_host(),
        std::process::id(),
        "2999-01-01T00:00:00Z",
    );
    let out = flywheel(&[
        "run",
        "--source",
        path(&sample()),
        "--sink",
        path(sink.path()),
    ]);
    assert_eq!(out.status.code(), Some(4));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("2026-11-22T03:00:00Z") && err.contains(&this_host()),
        "{err}"
    );
    assert!(!sink.path().join("manifests").exists());

    // Another host, expired: taken over.
    write_lock(sink.path(), "elsewhere", 1, "2000-01-01T00:00:00Z");
    run_ok(&sample(), sink.path());
    assert!(
        !sink.path().join("state/lock.json").exists(),
        "released at the end"
    );

    // This host, a process that no longer exists, not yet expired: taken over at once.
    let sink2 = tempfile::tempdir().unwrap();
    let mut child = Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    write_lock(sink2.path(), &this_host(), dead, "2999-01-01T00:00:00Z");
    run_ok(&sample(), sink2.path());
}

// Too many quarantined rows refuse to publish (exit 3) with the report still written.
#[test]
fn quarantine_gate_refuses_with_report() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("flywheel.toml");
    std::fs::write(&cfg, "[gates]\nmax_quarantine_ratio = 0.1\n").unwrap();
    let sink = dir.path().join("out");
    let fixtures = repo().join("tests/fixtures/bad-input");
    let out = flywheel(&[
        "run",
        "--config",
        path(&cfg),
        "--source",
        path(&fixtures),
        "--sink",
        path(&sink),
    ]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("quarantine gate") && err.contains("run:interactions"),
        "{err}"
    );
    assert!(!sink.join("manifests").exists());
    let report = json(&find(&sink, |p| p.ends_with(".json")));
    assert_eq!(report["status"], "refused");
    assert_eq!(report["gates"]["quarantine"]["passed"], false);
}

// Killed at any point (abort, as abrupt as SIGKILL), the next plain run ends in exactly
// the state of an uninterrupted run: same outputs, same bytes, same pointers and state,
// no stray data files, no lock left behind.
#[test]
fn killed_at_any_point_the_next_run_equals_a_clean_run() {
    let reference = tempfile::tempdir().unwrap();
    run_ok(&sample(), reference.path());
    let want = published(reference.path());
    let want_files = data_files(reference.path());
    let manifest = json(&find(reference.path(), |p| p.contains("/manifests/")));
    let outputs = manifest["outputs"].as_array().unwrap().len();
    let banks = manifest["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["kind"] == "fewshot_bank")
        .count();
    let mut points = vec!["locked".to_string()];
    points.extend((0..outputs).map(|i| format!("data:{i}")));
    points.push("before_manifest".into());
    points.push("after_manifest".into());
    points.extend((0..banks).map(|i| format!("pointer:{i}")));
    points.extend(["after_report", "before_state", "after_state"].map(String::from));

    for point in &points {
        let sink = tempfile::tempdir().unwrap();
        let crashed = Command::new(env!("CARGO_BIN_EXE_flywheel"))
            .args([
                "run",
                "--source",
                path(&sample()),
                "--sink",
                path(sink.path()),
            ])
            .current_dir(repo())
            .env("FLYWHEEL_FAILPOINT", point)
            .env("FLYWHEEL_LOG", "error")
            .output()
            .unwrap();
        assert!(
            !crashed.status.success(),
            "{point}: the failpoint was not reached"
        );
        run_ok(&sample(), sink.path());
        assert_eq!(published(sink.path()), want, "after a crash at {point}");
        assert_eq!(
            data_files(sink.path()),
            want_files,
            "stray files after a crash at {point}"
        );
        assert!(!sink.path().join("state/lock.json").exists());
        let reports = files(&sink.path().join("reports"));
        assert!(
            reports
                .iter()
                .any(|p| p.extension().is_some_and(|e| e == "json"))
                && reports
                    .iter()
                    .any(|p| p.extension().is_some_and(|e| e == "md")),
            "the report is written after a crash at {point}"
        );
    }
    eprintln!("kill points exercised: {}", points.len());
    assert!(points.len() >= 20, "{} points", points.len());
}
