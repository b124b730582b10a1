//! report: what the run did, for people (Markdown) and machines (JSON). The accounting
//! compares rows read by the ingest stage with the dispositions the SQL assigned.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use datafusion::prelude::SessionContext;
use serde::Serialize;
use transforms::IngestStats;

use super::discover::Inputs;
use super::publish::OutputFile;
use super::query;
use crate::Result;

/// Where every input row of one log ended up.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Accounting {
    /// Rows read (lines, plus one per unreadable file remainder).
    pub input: u64,
    /// Rows per disposition.
    pub dispositions: BTreeMap<String, u64>,
    /// Rows per (disposition, reason), for filtered and quarantined rows.
    pub reasons: BTreeMap<String, BTreeMap<String, u64>>,
    /// input == sum of dispositions.
    pub balanced: bool,
    /// Objects that began with a UTF-8 byte-order mark (stripped before the first line).
    pub byte_order_marks: u64,
}

impl Accounting {
    fn equation(&self) -> String {
        let parts: Vec<String> = self
            .dispositions
            .iter()
            .map(|(k, v)| format!("{v} {k}"))
            .collect();
        format!(
            "{} in = {}",
            self.input,
            if parts.is_empty() {
                "0".into()
            } else {
                parts.join(" + ")
            }
        )
    }
}

/// Seconds spent per stage.
#[derive(Debug, Clone, Serialize)]
pub struct StageTiming {
    /// Stage name.
    pub stage: String,
    /// Wall seconds.
    pub seconds: f64,
}

/// Interactions whose score falls in `[lo, lo + 0.5)`.
#[derive(Debug, Clone, Serialize)]
pub struct ScoreBucket {
    /// The range, e.g. `0.50 to 0.75`.
    pub bucket: String,
    /// Interactions in it.
    pub count: u64,
}

/// Width of a score histogram bucket.
const SCORE_BUCKET: f64 = 0.5;

/// The run report.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Report {
    /// Run id.
    pub run_id: String,
    /// published, dry_run.
    pub status: String,
    /// Start, RFC 3339.
    pub started_at: String,
    /// End, RFC 3339.
    pub finished_at: String,
    /// Source URL.
    pub source: String,
    /// Sink URL.
    pub sink: String,
    /// Hash of the effective config and SQL stages.
    pub config_hash: String,
    /// Objects read per kind and bytes.
    pub inputs: BTreeMap<String, u64>,
    /// dt= partitions read.
    pub partitions: Vec<String>,
    /// Objects under the log folders that were not logs.
    pub ignored_objects: Vec<String>,
    /// interactions / feedback.
    pub accounting: BTreeMap<String, Accounting>,
    /// Per task: label → count (kept interactions).
    pub labels: BTreeMap<String, BTreeMap<String, u64>>,
    /// Per task: golden kind → count.
    pub golden: BTreeMap<String, BTreeMap<String, u64>>,
    /// Per task: few-shot bank size.
    pub fewshot: BTreeMap<String, u64>,
    /// Per task: estimated tokens of its few-shot bank.
    pub fewshot_tokens: BTreeMap<String, u64>,
    /// Per task: scores of the kept interactions in buckets of 0.5.
    pub score_histogram: BTreeMap<String, Vec<ScoreBucket>>,
    /// Per task: answer defect → kept interactions with feedback whose answer shows it
    /// (see scored).
    pub answer_defects: BTreeMap<String, BTreeMap<String, u64>>,
    /// Per task: answer defect → positive interactions it kept out of references and
    /// few-shot banks.
    pub defect_exclusions: BTreeMap<String, BTreeMap<String, u64>>,
    /// Priors learned from the feedback (see priors), `model:<name>` and
    /// `prompt_version:<name>` → prior (0 is the average).
    pub priors: BTreeMap<String, f64>,
    /// Near-duplicate clusters of this run by size (interactions per cluster, 2 and more):
    /// size → number of clusters.
    pub near_duplicate_clusters: BTreeMap<u64, u64>,
    /// Interactions of earlier runs re-scored because late feedback arrived
    /// (`rescored`), and how many of them this run published (`published`).
    pub late_feedback: BTreeMap<String, u64>,
    /// Regression cases over `max_regressions_per_run`: `deferred` by this run (kept for
    /// the next one), `carried_in` from the previous run's backlog and how many of those
    /// this run `published`.
    pub regression_backlog: BTreeMap<String, u64>,
    /// PII findings per entity type (redacted).
    pub pii_findings: BTreeMap<String, u64>,
    /// Findings per entity type kept as public: names many users mention, places without
    /// personal context, public URLs, reserved IP addresses, dates that are not birth dates.
    pub pii_kept_public: BTreeMap<String, u64>,
    /// Strings scanned and strings with findings.
    pub pii_values: BTreeMap<String, u64>,
    /// Quality gates and their verdicts.
    pub gates: BTreeMap<String, super::gates::Verdict>,
    /// Seconds per stage.
    pub stages: Vec<StageTiming>,
    /// Manifest path, when published.
    pub manifest: Option<String>,
    /// Outputs written.
    pub outputs: Vec<OutputFile>,
}

/// Counts dispositions of both logs and checks them against what ingest read.
pub async fn accounting(
    ctx: &SessionContext,
    inputs: &Inputs,
    stats: &IngestStats,
) -> Result<BTreeMap<String, Accounting>> {
    let files = stats.snapshot();
    let mut out = BTreeMap::new();
    for (name, table, kind) in [
        (
            "interactions",
            "dispositions",
            transforms::LogKind::Interactions,
        ),
        (
            "feedback",
            "feedback_dispositions",
            transforms::LogKind::Feedback,
        ),
    ] {
        let counted: Vec<_> = inputs
            .files(kind)
            .iter()
            .filter_map(|f| files.get(f.location.as_ref()))
            .collect();
        let mut acc = Accounting {
            input: counted.iter().map(|c| c.rows).sum(),
            byte_order_marks: counted.iter().map(|c| c.byte_order_marks).sum(),
            ..Default::default()
        };
        let sql = format!(
            "SELECT disposition AS k1, reason AS k2, COUNT(*) AS n FROM {table} GROUP BY disposition, reason"
        );
        for (keys, n) in query::counts(ctx, &sql, 2).await? {
            *acc.dispositions.entry(keys[0].clone()).or_default() += n;
            if keys[0] == "filtered" || keys[0] == "quarantined" || keys[0] == "duplicate" {
                *acc.reasons
                    .entry(keys[0].clone())
                    .or_default()
                    .entry(keys[1].clone())
                    .or_default() += n;
            }
        }
        acc.balanced = acc.input == acc.dispositions.values().sum::<u64>();
        out.insert(name.to_string(), acc);
    }
    Ok(out)
}

/// `k1, n` rows of `sql` as a map.
async fn keyed_counts(ctx: &SessionContext, sql: &str) -> Result<BTreeMap<String, u64>> {
    let rows = query::counts(ctx, sql, 1).await?;
    Ok(rows.into_iter().map(|(k, n)| (k[0].clone(), n)).collect())
}

/// Label, golden and few-shot counts per task.
pub async fn selection_counts(ctx: &SessionContext, report: &mut Report) -> Result<()> {
    let nested = |rows: Vec<(Vec<String>, u64)>| {
        let mut m: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
        for (k, n) in rows {
            m.entry(k[0].clone()).or_default().insert(k[1].clone(), n);
        }
        m
    };
    report.labels = nested(
        query::counts(
            ctx,
            "SELECT task AS k1, label AS k2, COUNT(*) AS n FROM deduped
             WHERE dup_rank = 1 AND id_occurrence = 1 AND ineligible_reason IS NULL
             GROUP BY task, label",
            2,
        )
        .await?,
    );
    report.golden = nested(
        query::counts(
            ctx,
            "SELECT task AS k1, kind AS k2, COUNT(*) AS n FROM golden GROUP BY task, kind",
            2,
        )
        .await?,
    );
    report.fewshot = keyed_counts(
        ctx,
        "SELECT task AS k1, COUNT(*) AS n FROM fewshot GROUP BY task",
    )
    .await?;
    report.fewshot_tokens = keyed_counts(
        ctx,
        "SELECT task AS k1, CAST(SUM(tokens) AS BIGINT) AS n FROM fewshot GROUP BY task",
    )
    .await?;
    report.score_histogram = score_histogram(ctx).await?;
    // A row's defects are one comma-separated value: unnest them to count each.
    let defects = |filter: &str| {
        format!(
            "SELECT task AS k1, defect AS k2, COUNT(*) AS n FROM (
                 SELECT task, unnest(string_to_array(defects, ',')) AS defect FROM deduped
                 WHERE dup_rank = 1 AND id_occurrence = 1 AND ineligible_reason IS NULL
                   AND defects IS NOT NULL {filter}
             ) d GROUP BY task, defect"
        )
    };
    report.answer_defects = nested(query::counts(ctx, &defects(""), 2).await?);
    report.defect_exclusions =
        nested(query::counts(ctx, &defects("AND label = 'positive'"), 2).await?);
    report.priors = query::rows(
        ctx,
        "SELECT kind || ':' || key AS k, prior FROM priors ORDER BY kind, key",
    )
    .await?
    .into_iter()
    .filter_map(|r| Some((r.get("k")?.as_str()?.to_string(), r.get("prior")?.as_f64()?)))
    .collect();
    report.near_duplicate_clusters = keyed_counts(
        ctx,
        "SELECT CAST(size AS VARCHAR) AS k1, COUNT(*) AS n FROM (
             SELECT near_cluster, COUNT(*) AS size FROM deduped
             WHERE id_occurrence = 1 GROUP BY near_cluster
         ) c WHERE size > 1 GROUP BY size",
    )
    .await?
    .into_iter()
    .filter_map(|(k, n)| Some((k.parse().ok()?, n)))
    .collect();
    report.late_feedback = keyed_counts(
        ctx,
        "WITH late AS (
             SELECT interaction_id FROM late_interactions
             WHERE interaction_id NOT IN (SELECT interaction_id FROM backlog_interactions)
         )
         SELECT 'rescored' AS k1, COUNT(DISTINCT interaction_id) AS n FROM late
         UNION ALL
         SELECT 'published', COUNT(DISTINCT interaction_id) FROM golden
         WHERE interaction_id IN (SELECT interaction_id FROM late)",
    )
    .await?;
    report.regression_backlog = keyed_counts(
        ctx,
        "WITH carried AS (
             SELECT interaction_id FROM late_interactions
             WHERE interaction_id IN (SELECT interaction_id FROM backlog_interactions)
         )
         SELECT 'deferred' AS k1, COUNT(*) AS n FROM candidates
         WHERE golden_status = 'deferred'
         UNION ALL
         SELECT 'carried_in', COUNT(DISTINCT interaction_id) FROM carried
         UNION ALL
         SELECT 'published', COUNT(DISTINCT interaction_id) FROM golden
         WHERE interaction_id IN (SELECT interaction_id FROM carried)",
    )
    .await?;
    if let Some(&n) = report
        .regression_backlog
        .get("deferred")
        .filter(|n| **n > 0)
    {
        tracing::warn!(
            deferred = n,
            "regression cases over max_regressions_per_run: {n} deferred to the next run"
        );
    }
    Ok(())
}

/// Scores of the interactions counted in `labels`, per task, in fixed-width buckets.
async fn score_histogram(ctx: &SessionContext) -> Result<BTreeMap<String, Vec<ScoreBucket>>> {
    let sql = format!(
        "SELECT task AS k1, CAST(FLOOR(score / {SCORE_BUCKET}) AS BIGINT) AS k2, COUNT(*) AS n
         FROM deduped
         WHERE dup_rank = 1 AND id_occurrence = 1 AND ineligible_reason IS NULL
           AND score IS NOT NULL
         GROUP BY 1, 2"
    );
    let mut by_task: BTreeMap<String, BTreeMap<i64, u64>> = BTreeMap::new();
    for (k, n) in query::counts(ctx, &sql, 2).await? {
        if let Ok(b) = k[1].parse::<i64>() {
            by_task.entry(k[0].clone()).or_default().insert(b, n);
        }
    }
    Ok(by_task
        .into_iter()
        .map(|(task, buckets)| {
            let rows = buckets
                .into_iter()
                .map(|(b, count)| {
                    let lo = b as f64 * SCORE_BUCKET;
                    ScoreBucket {
                        bucket: format!("{lo:.2} to {:.2}", lo + SCORE_BUCKET),
                        count,
                    }
                })
                .collect();
            (task, rows)
        })
        .collect())
}

impl Report {
    /// The Markdown rendering.
    pub fn markdown(&self) -> String {
        let mut md = String::new();
        let _ = writeln!(md, "# Flywheel run {}\n", self.run_id);
        let _ = writeln!(md, "- status: **{}**", self.status);
        let _ = writeln!(md, "- source: `{}`", self.source);
        let _ = writeln!(md, "- sink: `{}`", self.sink);
        let _ = writeln!(
            md,
            "- started {} · finished {}",
            self.started_at, self.finished_at
        );
        let _ = writeln!(md, "- partitions: {}", self.partitions.join(", "));
        if let Some(m) = &self.manifest {
            let _ = writeln!(md, "- manifest: `{m}`");
        }
        let _ = writeln!(md, "\n## Accounting\n");
        for (name, acc) in &self.accounting {
            let mark = if acc.balanced {
                "balanced"
            } else {
                "DOES NOT BALANCE"
            };
            let _ = writeln!(md, "- **{name}**: {} ({mark})", acc.equation());
            if acc.byte_order_marks > 0 {
                let n = acc.byte_order_marks;
                let _ = writeln!(
                    md,
                    "  - {n} objects began with a byte-order mark (stripped)"
                );
            }
            for (disp, reasons) in &acc.reasons {
                for (reason, n) in reasons {
                    let _ = writeln!(md, "  - {disp}: {reason}: {n}");
                }
            }
        }
        let _ = writeln!(md, "\n## Golden additions and few-shot banks\n");
        let _ = writeln!(
            md,
            "| task | positive | negative | neutral | regression | reference | few-shot |"
        );
        let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---:|");
        let tasks: std::collections::BTreeSet<&String> = self
            .labels
            .keys()
            .chain(self.golden.keys())
            .chain(self.fewshot.keys())
            .collect();
        for t in tasks {
            let l = |k: &str| {
                self.labels
                    .get(t)
                    .and_then(|m| m.get(k))
                    .copied()
                    .unwrap_or(0)
            };
            let g = |k: &str| {
                self.golden
                    .get(t)
                    .and_then(|m| m.get(k))
                    .copied()
                    .unwrap_or(0)
            };
            let f = self.fewshot.get(t).copied().unwrap_or(0);
            let _ = writeln!(
                md,
                "| {t} | {} | {} | {} | {} | {} | {f} |",
                l("positive"),
                l("negative"),
                l("neutral"),
                g("regression"),
                g("reference")
            );
        }
        let backlog = |k: &str| self.regression_backlog.get(k).copied().unwrap_or(0);
        if backlog("deferred") > 0 {
            let _ = writeln!(
                md,
                "\n**Regression cap reached: {} regression cases deferred to the next run** \
                 (max_regressions_per_run); none is dropped.",
                backlog("deferred")
            );
        }
        if backlog("carried_in") > 0 {
            let _ = writeln!(
                md,
                "\nBacklog: {} deferred regression cases carried in, {} published now.",
                backlog("carried_in"),
                backlog("published")
            );
        }
        if !self.answer_defects.is_empty() {
            let _ = writeln!(
                md,
                "\n## Answer quality\n\nDefects in answers (kept interactions; positives kept out of references and banks):\n"
            );
            for (task, defects) in &self.answer_defects {
                for (defect, n) in defects {
                    let excluded = self
                        .defect_exclusions
                        .get(task)
                        .and_then(|m| m.get(defect))
                        .copied()
                        .unwrap_or(0);
                    let _ = writeln!(
                        md,
                        "- {task}: {defect}: {n} ({excluded} positives excluded)"
                    );
                }
            }
        }
        let mut priors: Vec<(&String, &f64)> = self.priors.iter().collect();
        priors.sort_by(|a, b| a.1.total_cmp(b.1));
        if priors.len() > 1 {
            let show = |p: &[(&String, &f64)]| {
                p.iter()
                    .map(|(k, v)| format!("{k} {v:+.2}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let n = priors.len().min(3);
            let _ = writeln!(
                md,
                "\nPriors from feedback: lowest {}; highest {}.",
                show(&priors[..n]),
                show(&priors[priors.len() - n..])
            );
        }
        let late = |k: &str| self.late_feedback.get(k).copied().unwrap_or(0);
        let _ = writeln!(
            md,
            "\nLate feedback: {} interactions of earlier runs re-scored, {} published now.",
            late("rescored"),
            late("published")
        );
        let _ = writeln!(md, "\n## PII redacted\n");
        if self.pii_findings.is_empty() {
            let _ = writeln!(md, "none found");
        }
        for (t, n) in &self.pii_findings {
            let _ = writeln!(md, "- {t}: {n}");
        }
        if !self.pii_kept_public.is_empty() {
            let _ = writeln!(md, "\nKept as public (no personal context; see `[pii]`):\n");
            for (t, n) in &self.pii_kept_public {
                let _ = writeln!(md, "- {t}: {n}");
            }
        }
        let _ = writeln!(md, "\n## Gates\n");
        for (name, v) in &self.gates {
            let verdict = if v.passed { "passed" } else { "FAILED" };
            let _ = writeln!(md, "- {name}: {verdict}");
            for (output, types) in &v.findings {
                for (t, n) in types {
                    let _ = writeln!(md, "  - {output}: {t} in {n} rows");
                }
            }
        }
        let _ = writeln!(md, "\n## Stages\n");
        for s in &self.stages {
            let _ = writeln!(md, "- {}: {:.2} s", s.stage, s.seconds);
        }
        md
    }

    /// The few lines printed at the end of a run.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "run {} {} → {}", self.run_id, self.status, self.sink);
        for (name, acc) in &self.accounting {
            let _ = writeln!(s, "  {name}: {}", acc.equation());
        }
        let regression: u64 = self
            .golden
            .values()
            .filter_map(|m| m.get("regression"))
            .sum();
        let reference: u64 = self
            .golden
            .values()
            .filter_map(|m| m.get("reference"))
            .sum();
        let _ = writeln!(
            s,
            "  golden additions: {regression} regression + {reference} reference over {} tasks; few-shot banks: {}",
            self.golden.len(),
            self.fewshot.len()
        );
        if let Some(n) = self.regression_backlog.get("deferred").filter(|n| **n > 0) {
            let _ = writeln!(
                s,
                "  WARNING: {n} regression cases over max_regressions_per_run, deferred to the next run"
            );
        }
        let list = |counts: &BTreeMap<String, u64>| {
            let items: Vec<String> = counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
            if items.is_empty() {
                "none".to_string()
            } else {
                items.join(", ")
            }
        };
        let _ = writeln!(s, "  PII redacted: {}", list(&self.pii_findings));
        if !self.pii_kept_public.is_empty() {
            let _ = writeln!(s, "  PII kept as public: {}", list(&self.pii_kept_public));
        }
        if let Some(m) = &self.manifest {
            let _ = write!(
                s,
                "  manifest: {}/{m}\n  report:   {}/reports/run={}.md",
                self.sink, self.sink, self.run_id
            );
        }
        s
    }
}
