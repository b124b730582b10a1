//! plan: what `flywheel run` with the same options would process now, without reading a
//! log line or taking the lock. The same discovery, state and run id as a run, so the
//! answer cannot drift from what a run does.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use transforms::LogKind;

use super::discover;
use super::state::State;
use super::{publish, report_path, run_id, Setup};
use crate::cli::RunArgs;
use crate::config::Config;
use crate::Result;

/// The plan as text: run id, partitions with objects and bytes per log, and whether the
/// run would publish or find its inputs already published.
pub async fn plan(config: &Config, args: &RunArgs) -> Result<String> {
    let Setup {
        range,
        config_hash: hash,
        source,
        sink,
        ..
    } = Setup::of(config, args)?;
    let discovered = discover::discover(&source, &range).await?;
    let listed = discovered.interactions.len() + discovered.feedback.len();
    let inputs = if range.is_explicit() || args.force {
        discovered
    } else {
        State::load(&sink).await?.only_new(discovered)
    };
    let mut out = String::new();
    if inputs.is_empty() {
        let _ = write!(
            out,
            "nothing new: {listed} log objects under {} for the requested dates, all processed",
            source.url
        );
        return Ok(out);
    }
    let id = run_id(&inputs, &hash);
    let _ = writeln!(out, "run {id}: {} → {}", source.url, sink.url);
    // dt → kind → (objects, bytes)
    let mut by_dt: BTreeMap<&str, BTreeMap<&str, (u64, u64)>> = BTreeMap::new();
    for kind in [LogKind::Interactions, LogKind::Feedback] {
        for f in inputs.files(kind) {
            let e = by_dt
                .entry(&f.dt)
                .or_default()
                .entry(kind.dir())
                .or_default();
            e.0 += 1;
            e.1 += f.size;
        }
    }
    for (dt, kinds) in &by_dt {
        let parts: Vec<String> = kinds
            .iter()
            .map(|(k, (n, b))| format!("{k} {n} objects {}", bytes(*b)))
            .collect();
        let _ = writeln!(out, "  dt={dt}: {}", parts.join(", "));
    }
    let _ = writeln!(
        out,
        "  total: {} objects, {}",
        inputs.interactions.len() + inputs.feedback.len(),
        bytes(inputs.bytes())
    );
    if !inputs.ignored.is_empty() {
        let _ = writeln!(out, "  ignored (not logs): {}", inputs.ignored.len());
    }
    let published = publish::exists(&sink, &report_path(&id, "json")).await?
        && publish::read_manifest(&sink, &id).await?.is_some();
    let _ = write!(
        out,
        "  {}",
        if published && !args.force {
            "already published: a run would only confirm it (use --force to republish)"
        } else {
            "a run would process these and publish"
        }
    );
    Ok(out)
}

fn bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.1} GiB", n as f64 / (1u64 << 30) as f64),
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / (1u64 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{n} B"),
    }
}
