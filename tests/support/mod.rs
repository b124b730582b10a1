//! Helpers shared by the integration tests: run the real binary, read what it published.
#![allow(dead_code)]

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};

/// The repository root (tests run with the package directory as cwd).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `flywheel ARGS` from the repository root.
pub fn flywheel(args: &[&str]) -> Output {
    flywheel_env(args, &[])
}

/// Runs `flywheel ARGS` from the repository root with extra environment variables.
pub fn flywheel_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flywheel"))
        .args(args)
        .current_dir(repo())
        .env("FLYWHEEL_LOG", "warn")
        .envs(env.iter().copied())
        .output()
        .expect("flywheel runs")
}

/// Runs `flywheel run --source SOURCE --sink SINK` and asserts it exits 0.
pub fn run_ok(source: &Path, sink: &Path) -> Output {
    let out = flywheel(&["run", "--source", path(source), "--sink", path(sink)]);
    assert!(
        out.status.success(),
        "flywheel run failed ({:?}): {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Every file under `dir`, sorted.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The one file under `dir` whose path matches `pred`.
pub fn find(dir: &Path, pred: impl Fn(&str) -> bool) -> PathBuf {
    let found: Vec<_> = files(dir)
        .into_iter()
        .filter(|p| pred(&p.to_string_lossy()))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one match under {}: {found:?}",
        dir.display()
    );
    found.into_iter().next().unwrap()
}

pub fn json(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

pub fn jsonl(p: &Path) -> Vec<Value> {
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Rows of a Parquet file as JSON objects.
pub fn parquet_rows(p: &Path) -> Vec<Value> {
    use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(p).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let mut buf = Vec::new();
    {
        let mut w = arrow_json::LineDelimitedWriter::new(&mut buf);
        for batch in reader {
            w.write(&batch.unwrap()).unwrap();
        }
        w.finish().unwrap();
    }
    String::from_utf8(buf)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn strings(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        Value::Array(a) => a.iter().for_each(|v| strings(v, out)),
        Value::Object(o) => o.iter().for_each(|(k, v)| {
            out.push_str(k);
            out.push('\n');
            strings(v, out)
        }),
        other => {
            out.push_str(&other.to_string());
            out.push('\n');
        }
    }
}

/// Everything published under `sink` as searchable text: raw bytes of every file, plus
/// the decoded strings of JSON documents and of Parquet rows (escapes and compression
/// would otherwise hide a value from a byte search).
pub fn published_text(sink: &Path) -> String {
    let mut text = String::new();
    for f in files(sink) {
        let name = f.to_string_lossy().to_string();
        if name.ends_with(".parquet") {
            parquet_rows(&f).iter().for_each(|v| strings(v, &mut text));
            continue;
        }
        let raw = std::fs::read(&f).unwrap();
        text.push_str(&String::from_utf8_lossy(&raw));
        if name.ends_with(".json") {
            strings(&json(&f), &mut text);
        } else if name.ends_with(".jsonl") {
            jsonl(&f).iter().for_each(|v| strings(v, &mut text));
        }
    }
    text
}

/// Planted values (`value` field) from a truth file, with their entity types.
pub fn planted(p: &Path) -> Vec<(String, String)> {
    jsonl(p)
        .into_iter()
        .map(|v| {
            (
                v["entity_type"].as_str().unwrap().to_string(),
                v["value"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The run's manifest and report.
pub fn manifest_and_report(sink: &Path) -> (Value, Value) {
    let manifest = json(&find(sink, |p| p.contains("/manifests/run=")));
    let report = json(&find(sink, |p| {
        p.contains("/reports/run=") && p.ends_with(".json")
    }));
    (manifest, report)
}

/// A copy of the repository's sql/ stages in `dir/sql`, and a config pointing at it, to
/// run with edited stages. Returns (config path, sql dir).
pub fn config_with_sql_copy(dir: &Path) -> (PathBuf, PathBuf) {
    let sql = dir.join("sql");
    std::fs::create_dir_all(&sql).unwrap();
    for f in std::fs::read_dir(repo().join("sql")).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, sql.join(f.file_name().unwrap())).unwrap();
    }
    let cfg = dir.join("flywheel.toml");
    std::fs::write(&cfg, "[sql]\ndir = \"sql\"\n").unwrap();
    (cfg, sql)
}

/// An interaction of task `support` with one user prompt and one answer.
pub fn chat(id: &str, session: &str, prompt: &str, answer: &str) -> serde_json::Value {
    json!({
        "interaction_id": id, "session_id": session, "tenant_id": "acme", "user_id": "u-1",
        "ts": "2026-11-03T10:00:00Z", "task": "support", "model": "m", "prompt_version": "v1",
        "messages": [
            {"role": "user", "content": prompt},
            {"role": "assistant", "content": answer}
        ]
    })
}

/// A feedback event of `kind` on `interaction`.
pub fn event(id: &str, interaction: &str, kind: &str, comment: Option<&str>) -> serde_json::Value {
    json!({
        "event_id": id, "interaction_id": interaction, "session_id": "s",
        "ts": "2026-11-03T10:05:00Z", "type": kind, "value": null, "comment": comment
    })
}

/// Feedback events of `kinds` on `interaction`, ids derived from both (a rating is a 5).
pub fn votes(interaction: &str, kinds: &[&str]) -> Vec<serde_json::Value> {
    kinds
        .iter()
        .map(|kind| {
            let mut e = event(&format!("f-{interaction}-{kind}"), interaction, kind, None);
            if *kind == "rating" {
                e["value"] = 5.into();
            }
            e
        })
        .collect()
}

/// Writes `rows` as a JSONL object, creating its directory.
pub fn write_jsonl(path: &Path, rows: &[serde_json::Value]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let text: Vec<String> = rows.iter().map(|r| r.to_string()).collect();
    std::fs::write(path, text.join("\n") + "\n").unwrap();
}

/// Writes one day of logs: `interactions` (skipped when empty: an empty file would be
/// quarantined) and `feedback` under `dt=DT` partitions of `src`.
pub fn day(src: &Path, dt: &str, interactions: &[Value], feedback: &[Value]) {
    if !interactions.is_empty() {
        write_jsonl(
            &src.join(format!("interactions/dt={dt}/part-0.jsonl")),
            interactions,
        );
    }
    write_jsonl(
        &src.join(format!("feedback/dt={dt}/part-0.jsonl")),
        feedback,
    );
}

/// Runs `flywheel run` with a config file in `dir` holding `params` (a `[params]` table
/// body) and asserts it exits 0.
pub fn run_with_params(dir: &Path, params: &str, src: &Path, sink: &Path) -> Output {
    let cfg = dir.join("flywheel.toml");
    std::fs::write(&cfg, format!("[params]\n{params}")).unwrap();
    run_with_config(&cfg, src, sink)
}

/// Runs `flywheel run --config CFG` and asserts it exits 0.
pub fn run_with_config(cfg: &Path, src: &Path, sink: &Path) -> Output {
    let out = flywheel(&[
        "run",
        "--config",
        path(cfg),
        "--source",
        path(src),
        "--sink",
        path(sink),
    ]);
    assert!(
        out.status.success(),
        "flywheel run failed ({:?}): {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Every golden row published into `sink`, by any run.
pub fn golden_rows(sink: &Path) -> Vec<Value> {
    files(sink)
        .iter()
        .filter(|p| {
            let p = p.to_string_lossy();
            p.contains("/golden/") && p.ends_with(".parquet")
        })
        .flat_map(|p| parquet_rows(p))
        .collect()
}

/// Reports of every run, in run order (run ids start with the last partition).
pub fn reports(sink: &Path) -> Vec<Value> {
    files(sink)
        .iter()
        .filter(|p| {
            let p = p.to_string_lossy();
            p.contains("/reports/run=") && p.ends_with(".json")
        })
        .map(|p| json(p))
        .collect()
}

/// The row of `rows` for interaction `id`.
pub fn row<'a>(rows: &'a [Value], id: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["interaction_id"] == id)
        .unwrap_or_else(|| panic!("{id} has a row: {rows:?}"))
}

/// Every log of `report` balances: input = sum of dispositions.
pub fn assert_balanced(report: &Value) {
    for (log, acc) in report["accounting"].as_object().unwrap() {
        let sum: u64 = acc["dispositions"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(acc["input"].as_u64().unwrap(), sum, "{log}: {acc}");
    }
}
