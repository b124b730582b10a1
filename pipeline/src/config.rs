//! Configuration: the built-in defaults (data/flywheel.toml, compiled in) deep-merged with
//! an optional user file. Relative paths resolve from the file that sets them.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

const DEFAULTS: &str = include_str!("../../data/flywheel.toml");

/// Everything a run needs to know besides its command-line options.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Source URL or path of the logs.
    pub source: String,
    /// Sink URL or path for outputs.
    pub sink: String,
    /// Query engine settings.
    pub engine: EngineConfig,
    /// What the log reader accepts beyond the input contract's types.
    pub ingest: IngestConfig,
    /// Where the SQL stages come from.
    pub sql: SqlConfig,
    /// Scanner deny and allow lists.
    pub pii: PiiConfig,
    /// Checks that refuse to publish.
    pub gates: GatesConfig,
    /// Object store client: retries and timeouts.
    pub store: StoreConfig,
    /// Named parameters of the SQL stages.
    pub params: BTreeMap<String, toml::Value>,
}

/// Row checks at ingest.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IngestConfig {
    /// Hours a row's `ts` may be after the run's start before it is quarantined.
    pub max_clock_skew_hours: u64,
}

/// Quality gates.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GatesConfig {
    /// Entity types the leak gate tolerates in published text.
    pub leak_allow: Vec<String>,
    /// Largest share of quarantined rows in a run, per log, before refusing to publish.
    pub max_quarantine_ratio: f64,
    /// Largest share of quarantined rows in any one source object.
    pub max_file_quarantine_ratio: f64,
}

/// Query engine settings.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EngineConfig {
    /// Memory pool limit in MiB; beyond it operators spill.
    pub memory_limit_mb: usize,
    /// Rows per batch from the log reader.
    pub batch_rows: usize,
    /// Partitions per query; 0 = CPU cores.
    pub target_partitions: usize,
    /// Scratch directory; empty = a temporary one.
    pub work_dir: String,
    /// Minutes after which another run may take over this run's lock.
    pub lock_ttl_minutes: u64,
}

/// Object store client settings (S3; the local filesystem ignores them).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    /// Retries of a failed request (5xx, 429, timeouts, refused connections).
    pub max_retries: usize,
    /// No retry starts later than this many seconds after a request's first attempt.
    pub retry_timeout_secs: u64,
    /// Seconds to establish a connection.
    pub connect_timeout_secs: u64,
    /// Seconds for a whole request, response body included.
    pub request_timeout_secs: u64,
}

/// SQL stage location.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SqlConfig {
    /// Directory of NN_name.sql files; empty = built-in stages.
    pub dir: String,
}

/// Scanner lists and redaction policy.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PiiConfig {
    /// Extra terms redacted as PERSON.
    pub deny: Vec<String>,
    /// Terms never redacted.
    pub allow: Vec<String>,
    /// Entity types not detected at all.
    pub disable: Vec<String>,
    /// Name of the environment variable holding the pseudonym key (the key itself never
    /// enters the config, its hash, logs or reports).
    pub pseudonym_key_env: String,
    /// Redaction per entity type: placeholder, pseudonym, mask or drop.
    pub strategies: BTreeMap<String, String>,
    /// A name mentioned without personal context by at least this many distinct users in
    /// a run is public knowledge and kept.
    pub public_min_users: u64,
    /// ... and by users of at least this many tenants (or of every tenant when the run
    /// has fewer).
    pub public_min_tenants: u64,
    /// A name an answer brings up that the conversation's own messages never mention is
    /// public knowledge (the model knew it).
    pub public_from_answers: bool,
    /// Places (countries, states, cities) without personal context are kept.
    pub keep_places: bool,
    /// URLs of public sites (no credentials, tokens, e-mail addresses or profile paths)
    /// are kept.
    pub keep_public_urls: bool,
    /// Loopback, unspecified, documentation and public-resolver IP addresses are kept.
    pub keep_reserved_ips: bool,
    /// Dates without birth context are kept.
    pub keep_dates: bool,
}

impl PiiConfig {
    /// The redaction policy before the day's public names are known.
    pub fn policy(&self) -> pii::Policy {
        pii::Policy::new()
            .keep_places(self.keep_places)
            .keep_public_urls(self.keep_public_urls)
            .keep_reserved_ips(self.keep_reserved_ips)
            .keep_dates(self.keep_dates)
    }

    /// The configured strategy of each entity type named in `[pii.strategies]`.
    pub fn strategies(&self) -> Result<Vec<(pii::EntityType, pii::Strategy)>> {
        self.strategies
            .iter()
            .map(|(t, s)| {
                let t = t.parse::<pii::EntityType>().map_err(|_| {
                    Error::config(format!("config pii.strategies: unknown entity type {t}"))
                })?;
                let s = match s.as_str() {
                    "placeholder" => pii::Strategy::Placeholder,
                    "pseudonym" => pii::Strategy::Pseudonym,
                    "mask" => pii::Strategy::Mask,
                    "drop" => pii::Strategy::Drop,
                    other => {
                        return Err(Error::config(format!(
                            "config pii.strategies.{}: unknown strategy {other:?} (expected placeholder, pseudonym, mask or drop)",
                            t.as_str()
                        )))
                    }
                };
                Ok((t, s))
            })
            .collect()
    }
}

/// Keys holding paths, resolved against the directory of the file that sets them.
const PATH_KEYS: &[&[&str]] = &[
    &["source"],
    &["sink"],
    &["engine", "work_dir"],
    &["sql", "dir"],
];

impl Config {
    /// Defaults merged with `path`, if given.
    pub fn load(path: Option<&Path>) -> Result<Config> {
        let mut merged: toml::Table = DEFAULTS.parse().expect("built-in defaults parse");
        if let Some(path) = path {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Error::config(format!("cannot read config {}: {e}", path.display()))
            })?;
            let mut user: toml::Table = text.parse().map_err(|e: toml::de::Error| {
                Error::config(format!(
                    "config {} is not valid TOML: {}",
                    path.display(),
                    e.message()
                ))
            })?;
            let base = path.parent().unwrap_or(Path::new("."));
            resolve_paths(&mut user, base);
            merge(&mut merged, user);
        }
        let config: Config =
            toml::Value::Table(merged)
                .try_into()
                .map_err(|e: toml::de::Error| {
                    let from = path
                        .map(|p| p.display().to_string())
                        .unwrap_or_else(|| "defaults".into());
                    Error::config(format!("config {from}: {}", e.message()))
                })?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<()> {
        if self.engine.batch_rows == 0 {
            return Err(Error::config("config engine.batch_rows must be at least 1"));
        }
        if self.engine.memory_limit_mb < 64 {
            return Err(Error::config(
                "config engine.memory_limit_mb must be at least 64",
            ));
        }
        if self.store.connect_timeout_secs == 0 || self.store.request_timeout_secs == 0 {
            return Err(Error::config(
                "config store.connect_timeout_secs and store.request_timeout_secs must be at least 1",
            ));
        }
        for t in self.gates.leak_allow.iter().chain(&self.pii.disable) {
            if t.parse::<pii::EntityType>().is_err() {
                return Err(Error::config(format!(
                    "config: unknown entity type {t} (expected a Presidio name such as EMAIL_ADDRESS)"
                )));
            }
        }
        self.pii.strategies()?;
        let scalar = |v: &toml::Value| {
            matches!(
                v,
                toml::Value::Integer(_)
                    | toml::Value::Float(_)
                    | toml::Value::Boolean(_)
                    | toml::Value::String(_)
            )
        };
        for (name, value) in &self.params {
            let ok = match value {
                toml::Value::Array(items) => items.iter().all(scalar),
                v => scalar(v),
            };
            if !ok {
                return Err(Error::config(format!(
                    "config params.{name} must be a number, boolean, string or a list of them"
                )));
            }
        }
        Ok(())
    }
}

fn resolve_paths(table: &mut toml::Table, base: &Path) {
    for keys in PATH_KEYS {
        if let Some(toml::Value::String(s)) = lookup_mut(table, keys) {
            if !s.is_empty() && !s.contains("://") && Path::new(s.as_str()).is_relative() {
                *s = base.join(&*s).to_string_lossy().into_owned();
            }
        }
    }
}

fn lookup_mut<'a>(table: &'a mut toml::Table, keys: &[&str]) -> Option<&'a mut toml::Value> {
    let (first, rest) = keys.split_first()?;
    let value = table.get_mut(*first)?;
    if rest.is_empty() {
        Some(value)
    } else {
        lookup_mut(value.as_table_mut()?, rest)
    }
}

fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_load_and_user_values_override_and_resolve() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.toml");
        std::fs::write(
            &path,
            "sink = \"published\"\n[params]\nw_copy = 0.5\nextra = 'x'\n",
        )
        .unwrap();
        let c = Config::load(Some(&path)).unwrap();
        assert_eq!(c.sink, dir.path().join("published").to_string_lossy());
        assert_eq!(c.params["w_copy"].as_float(), Some(0.5));
        assert_eq!(c.params["w_thumbs_up"].as_float(), Some(1.0));
        assert_eq!(c.source, "data/sample-logs");
    }

    #[test]
    fn unknown_keys_and_bad_toml_are_config_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.toml");
        std::fs::write(&path, "[engine]\nmemroy_limit_mb = 5\n").unwrap();
        let e = Config::load(Some(&path)).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.one_line().contains("memroy_limit_mb"), "{}", e.one_line());
        std::fs::write(&path, "source = [").unwrap();
        assert_eq!(Config::load(Some(&path)).unwrap_err().exit_code(), 2);
        for bad in [
            "[pii.strategies]\nEMAIL_ADDRESS = \"shred\"\n",
            "[pii.strategies]\nEMAIL = \"mask\"\n",
            "[pii]\ndisable = [\"PHONE\"]\n",
        ] {
            std::fs::write(&path, bad).unwrap();
            let e = Config::load(Some(&path)).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad}");
            assert!(e.one_line().contains("unknown"), "{}", e.one_line());
        }
        let missing = dir.path().join("nope.toml");
        assert!(Config::load(Some(&missing))
            .unwrap_err()
            .one_line()
            .contains("cannot read config"));
    }
}
