//! discover: list the `dt=` partitions of both logs under the source.

use futures::TryStreamExt;
use object_store::ObjectMeta;
use transforms::ingest::Format;
use transforms::{LogKind, SourceFile};

use crate::store::Location;
use crate::{Error, Result};

/// Which partitions to process (inclusive bounds on `dt=YYYY-MM-DD`).
#[derive(Debug, Clone, Default)]
pub struct DateRange {
    /// First date, or unbounded.
    pub from: Option<String>,
    /// Last date, or unbounded.
    pub to: Option<String>,
}

impl DateRange {
    /// From `--date` or `--from/--to`; dates are checked here so a typo is exit 2.
    pub fn new(date: Option<&str>, from: Option<&str>, to: Option<&str>) -> Result<DateRange> {
        let check = |d: Option<&str>| -> Result<Option<String>> {
            match d {
                None => Ok(None),
                Some(d) if is_date(d) => Ok(Some(d.to_string())),
                Some(_) => Err(Error::config(
                    "dates must be YYYY-MM-DD (in --date, --from, --to)",
                )),
            }
        };
        let (from, to) = match date {
            Some(d) => (check(Some(d))?, check(Some(d))?),
            None => (check(from)?, check(to)?),
        };
        if let (Some(f), Some(t)) = (&from, &to) {
            if f > t {
                return Err(Error::config(format!("--from {f} is after --to {t}")));
            }
        }
        Ok(DateRange { from, to })
    }

    /// True when dates were given: a backfill that ignores what was processed before.
    pub fn is_explicit(&self) -> bool {
        self.from.is_some() || self.to.is_some()
    }

    fn contains(&self, dt: &str) -> bool {
        self.from.as_deref().is_none_or(|f| dt >= f) && self.to.as_deref().is_none_or(|t| dt <= t)
    }
}

fn is_date(s: &str) -> bool {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() && s.len() == 10
}

/// What a run will read.
#[derive(Debug, Default)]
pub struct Inputs {
    /// Interaction objects, sorted by path.
    pub interactions: Vec<SourceFile>,
    /// Feedback objects, sorted by path.
    pub feedback: Vec<SourceFile>,
    /// Objects under the log folders that are not logs (by name), for the report.
    pub ignored: Vec<String>,
}

impl Inputs {
    /// Objects of one kind.
    pub fn files(&self, kind: LogKind) -> &[SourceFile] {
        match kind {
            LogKind::Interactions => &self.interactions,
            LogKind::Feedback => &self.feedback,
        }
    }

    /// True when there is nothing to read.
    pub fn is_empty(&self) -> bool {
        self.interactions.is_empty() && self.feedback.is_empty()
    }

    /// Total listed bytes.
    pub fn bytes(&self) -> u64 {
        self.interactions
            .iter()
            .chain(&self.feedback)
            .map(|f| f.size)
            .sum()
    }
}

/// Lists `interactions/dt=*/` and `feedback/dt=*/` under the source.
pub async fn discover(source: &Location, range: &DateRange) -> Result<Inputs> {
    let mut inputs = Inputs::default();
    for kind in [LogKind::Interactions, LogKind::Feedback] {
        let prefix = source.child(kind.dir());
        let metas: Vec<ObjectMeta> = source
            .store
            .list(Some(&prefix))
            .try_collect()
            .await
            .map_err(|e| anyhow::anyhow!("cannot list {}/{}: {e}", source.url, kind.dir()))?;
        let mut files = Vec::new();
        for meta in metas {
            let rel: Vec<_> = meta
                .location
                .prefix_match(&prefix)
                .map(|parts| parts.map(|p| p.as_ref().to_string()).collect())
                .unwrap_or_default();
            let Some(name) = rel.last() else { continue };
            if name.starts_with('.') || name.starts_with('_') {
                continue; // markers such as _SUCCESS or .gitkeep
            }
            let dt = rel
                .iter()
                .find_map(|p| p.strip_prefix("dt="))
                .filter(|d| is_date(d));
            match (dt, Format::from_name(name)) {
                (Some(dt), Some(format)) => {
                    if range.contains(dt) {
                        files.push(SourceFile {
                            dt: dt.to_string(),
                            size: meta.size,
                            e_tag: meta.e_tag.clone(),
                            location: meta.location,
                            format,
                        });
                    }
                }
                _ => inputs.ignored.push(meta.location.to_string()),
            }
        }
        files.sort_by(|a, b| a.location.as_ref().cmp(b.location.as_ref()));
        match kind {
            LogKind::Interactions => inputs.interactions = files,
            LogKind::Feedback => inputs.feedback = files,
        }
    }
    inputs.ignored.sort();
    Ok(inputs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_ranges_are_inclusive_and_checked() {
        let r = DateRange::new(None, Some("2026-11-02"), Some("2026-11-03")).unwrap();
        assert!(!r.contains("2026-11-01"));
        assert!(r.contains("2026-11-02") && r.contains("2026-11-03"));
        assert!(!r.contains("2026-11-04"));
        let one = DateRange::new(Some("2026-11-02"), None, None).unwrap();
        assert!(one.contains("2026-11-02") && !one.contains("2026-11-03"));
        assert_eq!(
            DateRange::new(Some("2026-13-01"), None, None)
                .unwrap_err()
                .exit_code(),
            2
        );
        assert!(DateRange::new(None, Some("2026-11-03"), Some("2026-11-01")).is_err());
    }
}
