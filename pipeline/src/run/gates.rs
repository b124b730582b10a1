//! Quality gates: checks between selection and publish that refuse to publish (exit 3).

use std::collections::BTreeMap;

use datafusion::prelude::SessionContext;
use serde::Serialize;

use super::query;
use crate::Result;

/// Published text columns the leak gate re-scans: (table, column).
const PUBLISHED_TEXT: &[(&str, &str)] = &[
    ("golden", "input_messages"),
    ("golden", "input"),
    ("golden", "output"),
    ("golden", "reference_output"),
    ("golden", "user_reason"),
    ("fewshot", "input"),
    ("fewshot", "output"),
    ("quarantined_interactions", "text"),
    ("quarantined_feedback", "text"),
];

/// A gate's verdict, as the report shows it.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Verdict {
    /// True when the gate let the run publish.
    pub passed: bool,
    /// Findings per `table.column` and entity type (rows), tolerated ones included.
    pub findings: BTreeMap<String, BTreeMap<String, u64>>,
    /// Entity types the config tolerates (leak gate).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowed: Vec<String>,
    /// (per run, per object) quarantine ratio limits (quarantine gate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limits: Option<(f64, f64)>,
}

impl Verdict {
    /// One line naming what failed, without values.
    pub fn failure(&self) -> String {
        if let Some((run, object)) = self.limits {
            let parts: Vec<String> = self
                .findings
                .iter()
                .filter_map(|(scope, c)| {
                    let (q, n) = (c.get("quarantined").copied()?, c.get("rows").copied()?);
                    let limit = if scope.starts_with("run:") {
                        run
                    } else {
                        object
                    };
                    (q as f64 / n as f64 > limit).then(|| format!("{scope} ({q} of {n} rows)"))
                })
                .collect();
            return format!(
                "quarantine gate: too many quarantined rows (limits {run} per run, {object} per object): {}; nothing published, see the run report",
                parts.join(", ")
            );
        }
        let parts: Vec<String> = self
            .findings
            .iter()
            .flat_map(|(output, types)| {
                types
                    .iter()
                    .filter(|(t, _)| !self.allowed.contains(t))
                    .map(move |(t, n)| format!("{t} in {output} ({n} rows)"))
            })
            .collect();
        format!(
            "leak gate: PII found after redaction: {}; nothing published",
            parts.join(", ")
        )
    }
}

/// Re-scans every published text column with the run's scanner.
pub async fn leak(ctx: &SessionContext, allowed: &[String]) -> Result<Verdict> {
    let mut verdict = Verdict {
        passed: true,
        allowed: allowed.to_vec(),
        ..Default::default()
    };
    for (table, column) in PUBLISHED_TEXT {
        let sql = format!(
            "SELECT k1, COUNT(*) AS n FROM (SELECT pii_scan({column}) AS k1 FROM {table}) \
             WHERE k1 IS NOT NULL GROUP BY k1"
        );
        for (keys, n) in query::counts(ctx, &sql, 1).await? {
            for t in keys[0].split(',') {
                let by_type = verdict
                    .findings
                    .entry(format!("{table}.{column}"))
                    .or_default();
                *by_type.entry(t.to_string()).or_default() += n;
                if !allowed.iter().any(|a| a == t) {
                    verdict.passed = false;
                }
            }
        }
    }
    Ok(verdict)
}

/// The share of quarantined rows per log and per object against the configured limits.
pub fn quarantine(
    accounting: &BTreeMap<String, super::report::Accounting>,
    files: &BTreeMap<String, transforms::ingest::FileCounts>,
    config: &crate::config::GatesConfig,
) -> Verdict {
    let mut verdict = Verdict {
        passed: true,
        ..Default::default()
    };
    let mut check = |scope: String, quarantined: u64, input: u64, limit: f64| {
        if input == 0 || quarantined == 0 {
            return;
        }
        let ratio = quarantined as f64 / input as f64;
        let counts = verdict.findings.entry(scope).or_default();
        counts.insert("quarantined".into(), quarantined);
        counts.insert("rows".into(), input);
        if ratio > limit {
            verdict.passed = false;
        }
    };
    for (log, acc) in accounting {
        let q = acc.dispositions.get("quarantined").copied().unwrap_or(0);
        check(
            format!("run:{log}"),
            q,
            acc.input,
            config.max_quarantine_ratio,
        );
    }
    for (path, c) in files {
        check(
            format!("object:{path}"),
            c.quarantined,
            c.rows,
            config.max_file_quarantine_ratio,
        );
    }
    verdict.limits = Some((
        config.max_quarantine_ratio,
        config.max_file_quarantine_ratio,
    ));
    verdict
}
