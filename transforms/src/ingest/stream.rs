//! One partition = a group of objects read one after another as a stream of lines into
//! Arrow batches. Grouping bounds memory and open connections by the partition count,
//! not by the number of objects in a day.

use std::io;
use std::pin::Pin;
use std::sync::Arc;

use async_compression::tokio::bufread::GzipDecoder;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
// Deprecated upstream in favour of hand-written readers; it still does exactly this job.
#[allow(deprecated)]
use datafusion::parquet::arrow::async_reader::ParquetObjectReader;
use datafusion::parquet::arrow::ParquetRecordBatchStreamBuilder;
use datafusion::physical_plan::stream::RecordBatchReceiverStream;
use datafusion::physical_plan::streaming::PartitionStream;
use futures::{StreamExt, TryStreamExt};
use object_store::{ObjectStore, ObjectStoreExt};
use tokio::io::{AsyncBufRead, BufReader};
use tokio::sync::mpsc::Sender;
use tokio_util::io::StreamReader;

use super::batch::Batcher;
use super::lines::{read_lines, StoreError};
use super::{ClockLimit, Format, IngestStats, LogKind, SourceFile};

#[derive(Debug)]
pub(super) struct FilePartition {
    pub store: Arc<dyn ObjectStore>,
    pub kind: LogKind,
    pub files: Vec<SourceFile>,
    pub schema: SchemaRef,
    pub stats: Arc<IngestStats>,
    pub batch_rows: usize,
    pub clock: Arc<ClockLimit>,
}

impl PartitionStream for FilePartition {
    fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    fn execute(&self, _ctx: Arc<TaskContext>) -> SendableRecordBatchStream {
        // A small channel keeps the reader at most two batches ahead of the consumer.
        let mut builder = RecordBatchReceiverStream::builder(Arc::clone(&self.schema), 2);
        let tx = builder.tx();
        let store = Arc::clone(&self.store);
        let files = self.files.clone();
        let emitter = Emitter {
            tx,
            stats: Arc::clone(&self.stats),
        };
        let (kind, schema, batch_rows) = (self.kind, Arc::clone(&self.schema), self.batch_rows);
        let clock = Arc::clone(&self.clock);
        builder.spawn(async move {
            for file in files {
                let batcher = Batcher::new(
                    kind,
                    Arc::clone(&schema),
                    file.location.to_string(),
                    batch_rows,
                    Arc::clone(&clock),
                );
                read_object(Arc::clone(&store), file, batcher, &emitter).await?;
            }
            Ok(())
        });
        builder.build()
    }
}

/// Emits full batches as they fill; the caller flushes the remainder.
pub(super) struct Emitter {
    tx: Sender<Result<datafusion::arrow::record_batch::RecordBatch>>,
    stats: Arc<IngestStats>,
}

impl Emitter {
    pub async fn emit(&self, batcher: &mut Batcher) -> Result<()> {
        let (batch, counts) = batcher.finish()?;
        self.stats.add(batcher.source(), &counts);
        if batch.num_rows() > 0 && self.tx.send(Ok(batch)).await.is_err() {
            // The consumer hung up (query cancelled); stop reading quietly.
            return Err(DataFusionError::Execution("ingest cancelled".into()));
        }
        Ok(())
    }

    pub async fn emit_if_full(&self, batcher: &mut Batcher) -> Result<()> {
        if batcher.is_full() {
            self.emit(batcher).await?;
        }
        Ok(())
    }
}

async fn read_object(
    store: Arc<dyn ObjectStore>,
    file: SourceFile,
    mut batcher: Batcher,
    emitter: &Emitter,
) -> Result<()> {
    if file.size == 0 {
        batcher.push_file_error(0, "empty file (0 bytes)");
        return emitter.emit(&mut batcher).await;
    }
    match file.format {
        Format::Jsonl | Format::JsonlGz => {
            let get = store
                .get(&file.location)
                .await
                .map_err(|e| DataFusionError::External(Box::new(e)))?;
            let bytes = get
                .into_stream()
                .map_err(|e| io::Error::other(StoreError(e.to_string())));
            let reader = StreamReader::new(bytes);
            let reader: Pin<Box<dyn AsyncBufRead + Send>> = if file.format == Format::JsonlGz {
                let mut gz = GzipDecoder::new(reader);
                gz.multiple_members(true);
                Box::pin(BufReader::with_capacity(256 * 1024, gz))
            } else {
                Box::pin(reader)
            };
            read_lines(reader, &mut batcher, emitter).await?;
        }
        Format::Parquet => read_parquet(store, &file, &mut batcher, emitter).await?,
    }
    emitter.emit(&mut batcher).await
}

/// Parquet rows go through the same validation as JSON lines: each row is rendered as a
/// JSON object and parsed, so both encodings obey one contract and one set of reasons.
async fn read_parquet(
    store: Arc<dyn ObjectStore>,
    file: &SourceFile,
    batcher: &mut Batcher,
    emitter: &Emitter,
) -> Result<()> {
    #[allow(deprecated)]
    let reader = ParquetObjectReader::new(store, file.location.clone()).with_file_size(file.size);
    let mut stream = match ParquetRecordBatchStreamBuilder::new(reader).await {
        Ok(b) => b.with_batch_size(1024).build()?,
        Err(e) => {
            batcher.push_file_error(1, &format!("unreadable Parquet file: {e}"));
            return Ok(());
        }
    };
    let mut row = 0u64;
    while let Some(next) = stream.next().await {
        let batch = match next {
            Ok(b) => b,
            Err(e) => {
                batcher.push_file_error(row + 1, &format!("unreadable rest of Parquet file: {e}"));
                return Ok(());
            }
        };
        let mut buf = Vec::with_capacity(batch.get_array_memory_size());
        {
            let mut writer = arrow_json::LineDelimitedWriter::new(&mut buf);
            writer.write(&batch)?;
            writer.finish()?;
        }
        for line in buf.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            row += 1;
            batcher.add_bytes(line.len() as u64 + 1);
            batcher.push_line(row, line);
            emitter.emit_if_full(batcher).await?;
        }
    }
    Ok(())
}
