//! One run at a time per sink: a lock object created with a conditional put
//! (`PutMode::Create`), holding the run id, host, pid and expiry. A stale lock is taken
//! over: past its expiry, or at once when it names this host and its process is gone (a
//! run killed at 3 a.m. must not block the next one for hours).

use chrono::{DateTime, Duration, Utc};
use object_store::{ObjectStoreExt, PutMode, PutOptions, PutPayload};
use serde::{Deserialize, Serialize};

use crate::store::Location;
use crate::{Error, Result};

const PATH: &str = "state/lock.json";

/// What the lock object says about its holder.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Holder {
    /// When the holding run started.
    pub started_at: DateTime<Utc>,
    /// Host name.
    pub host: String,
    /// Process id on that host.
    pub pid: u32,
    /// When the lock may be taken over regardless.
    pub expires_at: DateTime<Utc>,
}

/// A held lock; call [`Lock::release`] when the run ends, successfully or not.
pub struct Lock {
    sink: Location,
}

fn host() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown-host".into())
}

pub(crate) fn process_alive(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

impl Lock {
    /// Takes the sink's lock or fails with exit 4 naming the holder.
    pub async fn acquire(sink: &Location, ttl: Duration) -> Result<Lock> {
        let me = Holder {
            started_at: Utc::now(),
            host: host(),
            pid: std::process::id(),
            expires_at: Utc::now() + ttl,
        };
        let path = sink.child(PATH);
        let body = serde_json::to_vec(&me).expect("lock serialises");
        for _ in 0..3 {
            let create = PutOptions {
                mode: PutMode::Create,
                ..Default::default()
            };
            match sink
                .store
                .put_opts(&path, PutPayload::from(body.clone()), create)
                .await
            {
                Ok(_) => return Ok(Lock { sink: sink.clone() }),
                Err(object_store::Error::AlreadyExists { .. }) => {}
                Err(e) => {
                    return Err(
                        anyhow::anyhow!("cannot create lock {}/{PATH}: {e}", sink.url).into(),
                    )
                }
            }
            let holder: Option<Holder> = match sink.store.get(&path).await {
                Ok(got) => serde_json::from_slice(&got.bytes().await?).ok(),
                Err(object_store::Error::NotFound { .. }) => continue, // released meanwhile
                Err(e) => return Err(e.into()),
            };
            let stale = match &holder {
                None => true, // unreadable lock: a writer died mid-put
                Some(h) if h.expires_at < Utc::now() => true,
                Some(h) => h.host == me.host && !process_alive(h.pid),
            };
            if !stale {
                let h = holder.expect("not stale implies readable");
                return Err(Error::Locked(format!(
                    "another run holds the lock {}/{PATH}: started {} on host {} (pid {}), held until {}",
                    sink.url,
                    h.started_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    h.host,
                    h.pid,
                    h.expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                )));
            }
            match &holder {
                Some(h) => tracing::warn!(
                    "taking over a stale lock of the run started {} on host {} (pid {})",
                    h.started_at,
                    h.host,
                    h.pid
                ),
                None => tracing::warn!("taking over an unreadable lock"),
            }
            sink.store.delete(&path).await.or_else(|e| match e {
                object_store::Error::NotFound { .. } => Ok(()),
                e => Err(e),
            })?;
        }
        Err(Error::Locked(format!(
            "could not take the lock {}/{PATH}: contended",
            sink.url
        )))
    }

    /// Deletes the lock object.
    pub async fn release(self) -> Result<()> {
        match self.sink.store.delete(&self.sink.child(PATH)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => {
                Err(anyhow::anyhow!("cannot release lock {}/{PATH}: {e}", self.sink.url).into())
            }
        }
    }
}
