//! `flywheel inspect` and `flywheel diff`: published runs read back from their manifests
//! only, as a consumer would (a run without a committed manifest does not exist).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::Value;

use crate::config::Config;
use crate::run::history::{committed_manifests, get};
use crate::run::publish::bank_dir;
use crate::store::{self, Location};
use crate::{Error, Result};

/// A summary of one committed run (the newest when `run` is None).
pub async fn inspect(config: &Config, sink_url: &str, run: Option<&str>) -> Result<String> {
    let sink = store::open_source(sink_url, &config.store)?;
    let manifests = committed_manifests(&sink).await?;
    let m = match run {
        Some(id) => &manifests[position(&manifests, id, sink_url)?],
        None => manifests
            .last()
            .ok_or_else(|| Error::config(format!("{sink_url}: no committed runs")))?,
    };
    let id = m["run_id"].as_str().unwrap_or_default();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "run {id} committed {} (flywheel {}, config {})",
        text(&m["created_at"]),
        text(&m["flywheel_version"]),
        text(&m["config_hash"]).get(..12).unwrap_or_default()
    );
    let _ = writeln!(out, "  source: {}", text(&m["source"]));
    let inputs = m["inputs"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let dts: BTreeSet<&str> = inputs.iter().filter_map(|f| f["dt"].as_str()).collect();
    let bytes: u64 = inputs.iter().filter_map(|f| f["size"].as_u64()).sum();
    let _ = writeln!(
        out,
        "  inputs: {} objects, {bytes} bytes, partitions {}",
        inputs.len(),
        dts.into_iter().collect::<Vec<_>>().join(", ")
    );
    for (log, acc) in m["counts"].as_object().into_iter().flatten() {
        let parts: Vec<String> = acc["dispositions"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(d, n)| format!("{n} {d}"))
            .collect();
        let _ = writeln!(out, "  {log}: {} in = {}", acc["input"], parts.join(" + "));
    }
    let outputs = m["outputs"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let golden: Vec<String> = outputs_of(m, "golden_parquet")
        .map(|o| format!("{} {}", text(&o["task"]), o["rows"]))
        .collect();
    let _ = writeln!(out, "  golden additions: {}", list_or_none(&golden));
    let banks: Vec<String> = outputs_of(m, "fewshot_bank")
        .map(|o| format!("{} {}", bank_dir(text(&o["path"])), o["rows"]))
        .collect();
    let _ = writeln!(out, "  few-shot banks (examples): {}", list_or_none(&banks));
    let _ = writeln!(
        out,
        "  outputs: {} files listed in manifests/run={id}.json",
        outputs.len()
    );
    let _ = write!(
        out,
        "  report: reports/run={id}.html (.md, .json) · {} committed runs in {sink_url}",
        manifests.len()
    );
    Ok(out)
}

/// Golden rows added by the runs after `a` up to and including `b`, and how each
/// few-shot bank changed between the two (examples added and removed).
pub async fn diff(config: &Config, sink_url: &str, a: &str, b: &str) -> Result<String> {
    let sink = store::open_source(sink_url, &config.store)?;
    let manifests = committed_manifests(&sink).await?;
    let (ia, ib) = (
        position(&manifests, a, sink_url)?,
        position(&manifests, b, sink_url)?,
    );
    if ia > ib {
        return Err(Error::config(format!(
            "run {a} was committed after run {b}: give the earlier run first"
        )));
    }
    let mut out = String::new();
    let _ = writeln!(out, "from run {a} to run {b} ({} runs later)", ib - ia);
    // task → (kind, label, example_id, run)
    let mut added: BTreeMap<String, Vec<(String, String, String, String)>> = BTreeMap::new();
    for m in &manifests[ia + 1..=ib] {
        let run = text(&m["run_id"]).to_string();
        for o in outputs_of(m, "golden_jsonl") {
            let body = get(&sink, &sink.child(text(&o["path"]))).await?;
            for line in body.split(|&c| c == b'\n').filter(|l| !l.is_empty()) {
                let row: Value = serde_json::from_slice(line)
                    .map_err(|e| anyhow::anyhow!("{}: corrupt row: {e}", text(&o["path"])))?;
                added
                    .entry(text(&row["task"]).to_string())
                    .or_default()
                    .push((
                        text(&row["kind"]).to_string(),
                        text(&row["label"]).to_string(),
                        text(&row["example_id"]).to_string(),
                        run.clone(),
                    ));
            }
        }
    }
    let total: usize = added.values().map(Vec::len).sum();
    let _ = writeln!(out, "golden additions: {total}");
    for (task, rows) in &added {
        let kinds: BTreeMap<&str, usize> = rows.iter().fold(BTreeMap::new(), |mut m, r| {
            *m.entry(r.0.as_str()).or_default() += 1;
            m
        });
        let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
        let _ = writeln!(out, "  {task}: +{} ({})", rows.len(), kinds.join(", "));
        for (kind, label, id, run) in rows {
            let _ = writeln!(out, "    + {id}  {kind} {label}  run {run}");
        }
    }
    let before = banks_as_of(&sink, &manifests[..=ia]).await?;
    let after = banks_as_of(&sink, &manifests[..=ib]).await?;
    let _ = write!(out, "few-shot banks:");
    let dirs: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let mut changed = 0;
    for dir in dirs {
        let empty = Bank::default();
        let (x, y) = (
            before.get(dir).unwrap_or(&empty),
            after.get(dir).unwrap_or(&empty),
        );
        let plus: Vec<&String> = y.examples.difference(&x.examples).collect();
        let minus: Vec<&String> = x.examples.difference(&y.examples).collect();
        if plus.is_empty() && minus.is_empty() && x.version == y.version {
            continue;
        }
        changed += 1;
        let _ = write!(
            out,
            "\n  {dir}: {} → {} examples, +{} -{} (bank {} → {})",
            x.examples.len(),
            y.examples.len(),
            plus.len(),
            minus.len(),
            or_none(&x.version),
            or_none(&y.version)
        );
        for id in plus {
            let _ = write!(out, "\n    + {id}");
        }
        for id in minus {
            let _ = write!(out, "\n    - {id}");
        }
    }
    if changed == 0 {
        let _ = write!(out, " unchanged");
    }
    Ok(out)
}

#[derive(Default)]
struct Bank {
    version: String,
    examples: BTreeSet<String>,
}

/// Each bank directory's newest bank among `manifests` (oldest first).
async fn banks_as_of(sink: &Location, manifests: &[Value]) -> Result<BTreeMap<String, Bank>> {
    let mut newest: BTreeMap<String, String> = BTreeMap::new();
    for m in manifests {
        for o in outputs_of(m, "fewshot_bank") {
            let path = text(&o["path"]);
            newest.insert(bank_dir(path).to_string(), path.to_string());
        }
    }
    let mut out = BTreeMap::new();
    for (dir, path) in newest {
        let bank: Value = serde_json::from_slice(&get(sink, &sink.child(&path)).await?)
            .map_err(|e| anyhow::anyhow!("{path} is corrupt: {e}"))?;
        let examples = bank["examples"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["example_id"].as_str().map(str::to_string))
            .collect();
        out.insert(
            dir,
            Bank {
                version: text(&bank["version"]).to_string(),
                examples,
            },
        );
    }
    Ok(out)
}

fn position(manifests: &[Value], run: &str, sink_url: &str) -> Result<usize> {
    manifests
        .iter()
        .position(|m| m["run_id"] == run)
        .ok_or_else(|| Error::config(format!("run {run}: no committed manifest in {sink_url}")))
}

fn outputs_of<'a>(m: &'a Value, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    m["outputs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(move |o| o["kind"] == kind)
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

fn or_none(s: &str) -> &str {
    if s.is_empty() {
        "none"
    } else {
        s
    }
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}
