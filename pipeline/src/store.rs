//! Object-store URLs: a plain path or file:// is the local filesystem; s3:// takes its
//! credentials, region and endpoint from the standard AWS_* environment variables, and
//! its retries and timeouts from the config's `[store]`.

use std::sync::Arc;
use std::time::Duration;

use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{BackoffConfig, ClientConfigKey, ObjectStore, RetryConfig};
use url::Url;

use crate::config::StoreConfig;
use crate::{Error, Result};

/// A store and the prefix inside it that a URL points at.
#[derive(Clone, Debug)]
pub struct Location {
    /// The store.
    pub store: Arc<dyn ObjectStore>,
    /// Prefix inside the store.
    pub prefix: Path,
    /// The URL as given, for messages and manifests.
    pub url: String,
}

impl Location {
    /// `prefix/rest`.
    pub fn child(&self, rest: &str) -> Path {
        let mut p = self.prefix.clone();
        for part in rest.split('/').filter(|s| !s.is_empty()) {
            p = p.join(part);
        }
        p
    }
}

/// Opens `url` for reading; a missing local directory is a config error.
pub fn open_source(url: &str, client: &StoreConfig) -> Result<Location> {
    open(url, client, false)
}

/// Opens `url` for writing, creating a local directory when needed.
pub fn open_sink(url: &str, client: &StoreConfig) -> Result<Location> {
    open(url, client, true)
}

fn open(url: &str, client: &StoreConfig, create: bool) -> Result<Location> {
    if let Some(rest) = url.strip_prefix("s3://") {
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(Error::config(format!("{url}: no bucket in S3 URL")));
        }
        let retry = RetryConfig {
            backoff: BackoffConfig::default(),
            max_retries: client.max_retries,
            retry_timeout: Duration::from_secs(client.retry_timeout_secs),
        };
        // Per key, so the client options from the environment (AWS_ALLOW_HTTP) stay.
        let timeout = |key, secs: u64| (AmazonS3ConfigKey::Client(key), format!("{secs}s"));
        let store = [
            timeout(ClientConfigKey::ConnectTimeout, client.connect_timeout_secs),
            timeout(ClientConfigKey::Timeout, client.request_timeout_secs),
        ]
        .into_iter()
        .fold(AmazonS3Builder::from_env(), |b, (k, v)| b.with_config(k, v))
        .with_bucket_name(bucket)
        .with_retry(retry)
        .build()
        .map_err(|e| Error::config(format!("{url}: cannot configure S3: {e}")))?;
        return Ok(Location {
            store: Arc::new(store),
            prefix: Path::from(prefix.trim_end_matches('/')),
            url: url.to_string(),
        });
    }
    let path = if url.starts_with("file://") {
        Url::parse(url)
            .ok()
            .and_then(|u| u.to_file_path().ok())
            .ok_or_else(|| Error::config(format!("{url}: not a valid file:// URL")))?
    } else if url.contains("://") {
        let scheme = url.split("://").next().unwrap_or_default();
        return Err(Error::config(format!(
            "{url}: unsupported scheme {scheme}:// (use a path, file:// or s3://)"
        )));
    } else {
        std::path::PathBuf::from(url)
    };
    if create {
        std::fs::create_dir_all(&path)
            .map_err(|e| Error::config(format!("cannot create sink {}: {e}", path.display())))?;
    } else if !path.is_dir() {
        return Err(Error::config(format!(
            "source {} does not exist or is not a directory",
            path.display()
        )));
    }
    let abs = path
        .canonicalize()
        .map_err(|e| Error::config(format!("{}: {e}", path.display())))?;
    let store = LocalFileSystem::new_with_prefix(&abs)
        .map_err(|e| Error::config(format!("{}: {e}", abs.display())))?;
    Ok(Location {
        store: Arc::new(store),
        prefix: Path::default(),
        url: url.to_string(),
    })
}
