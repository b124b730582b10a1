//! Small helpers to read query results that are bounded by construction (counts per
//! group, a few-shot bank) as JSON values.

use datafusion::prelude::SessionContext;
use serde_json::{Map, Value};

use crate::Result;

/// Runs `sql` and returns its rows as JSON objects. Only for small, bounded results.
pub async fn rows(ctx: &SessionContext, sql: &str) -> Result<Vec<Map<String, Value>>> {
    let batches = ctx.sql(sql).await?.collect().await?;
    let mut buf = Vec::new();
    {
        let mut writer = arrow_json::ArrayWriter::new(&mut buf);
        for b in &batches {
            writer
                .write(b)
                .map_err(datafusion::error::DataFusionError::from)?;
        }
        writer
            .finish()
            .map_err(datafusion::error::DataFusionError::from)?;
    }
    if buf.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<Map<String, Value>> =
        serde_json::from_slice(&buf).map_err(|e| anyhow::anyhow!("decoding query rows: {e}"))?;
    Ok(rows)
}

/// Rows of `SELECT <k1>, …, <kN>, COUNT(*) AS n … GROUP BY …`, with the keys aliased
/// `k1`…`kN`, as (keys, count); a NULL key reads "(none)".
pub async fn counts(
    ctx: &SessionContext,
    sql: &str,
    keys: usize,
) -> Result<Vec<(Vec<String>, u64)>> {
    let rows = rows(ctx, sql).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let key = (1..=keys)
                .map(|i| match row.get(&format!("k{i}")) {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Null) | None => "(none)".to_string(),
                    Some(other) => other.to_string(),
                })
                .collect();
            (key, row.get("n").and_then(Value::as_u64).unwrap_or(0))
        })
        .collect())
}
