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
    /// Entity types the config tolerates.
    pub allowed: Vec<String>,
}

impl Verdict {
    /// One line naming what failed, without values.
    pub fn failure(&self) -> String {
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
