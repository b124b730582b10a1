//! state: which source objects have been published, so a plain run reads only what is
//! new (including late files landing in old `dt=` partitions). Written after the
//! manifest, so a run that dies before its commit point is simply done again.

use std::collections::BTreeMap;

use object_store::{ObjectStoreExt, PutPayload};
use serde::{Deserialize, Serialize};
use transforms::{LogKind, SourceFile};

use super::discover::Inputs;
use crate::store::Location;
use crate::Result;

const PATH: &str = "state/processed.json";

/// One processed object, identified by path, size and ETag (when the store has one).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Processed {
    /// Size in bytes when processed.
    pub size: u64,
    /// ETag when processed.
    pub e_tag: Option<String>,
    /// The run that published it.
    pub run_id: String,
}

/// Processed objects by `kind/path`.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct State {
    /// Objects already published.
    pub objects: BTreeMap<String, Processed>,
}

fn key(kind: LogKind, f: &SourceFile) -> String {
    format!("{}:{}", kind.dir(), f.location)
}

impl State {
    /// Reads the state; a sink without one has processed nothing.
    pub async fn load(sink: &Location) -> Result<State> {
        match sink.store.get(&sink.child(PATH)).await {
            Ok(got) => {
                let bytes = got.bytes().await?;
                serde_json::from_slice(&bytes).map_err(|e| {
                    anyhow::anyhow!(
                        "{}/{PATH} is corrupt ({e}); move it away to reprocess everything",
                        sink.url
                    )
                    .into()
                })
            }
            Err(object_store::Error::NotFound { .. }) => Ok(State::default()),
            Err(e) => Err(anyhow::anyhow!("cannot read {}/{PATH}: {e}", sink.url).into()),
        }
    }

    /// Drops the objects already processed with the same size and ETag.
    pub fn only_new(&self, mut inputs: Inputs) -> Inputs {
        for kind in [LogKind::Interactions, LogKind::Feedback] {
            let files = match kind {
                LogKind::Interactions => &mut inputs.interactions,
                LogKind::Feedback => &mut inputs.feedback,
            };
            files.retain(|f| {
                self.objects
                    .get(&key(kind, f))
                    .is_none_or(|p| p.size != f.size || p.e_tag != f.e_tag)
            });
        }
        inputs
    }

    /// Records `inputs` as published by `run_id` and writes the state.
    pub async fn record(&mut self, sink: &Location, inputs: &Inputs, run_id: &str) -> Result<()> {
        for kind in [LogKind::Interactions, LogKind::Feedback] {
            for f in inputs.files(kind) {
                self.objects.insert(
                    key(kind, f),
                    Processed {
                        size: f.size,
                        e_tag: f.e_tag.clone(),
                        run_id: run_id.to_string(),
                    },
                );
            }
        }
        let mut bytes = serde_json::to_vec_pretty(self).expect("state serialises");
        bytes.push(b'\n');
        sink.store
            .put(&sink.child(PATH), PutPayload::from(bytes))
            .await
            .map_err(|e| anyhow::anyhow!("cannot write {}/{PATH}: {e}", sink.url))?;
        Ok(())
    }
}
