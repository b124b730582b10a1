//! Line splitting over an async byte stream, separating store failures from bad data.

use std::pin::Pin;

use datafusion::error::{DataFusionError, Result};
use tokio::io::{AsyncBufRead, AsyncBufReadExt};

use super::batch::Batcher;
use super::stream::Emitter;

/// A failure of the object store itself (network, permissions). Unlike corrupt data it
/// must fail the run, so the scheduler retries, rather than quarantine the rest of a file.
#[derive(Debug)]
pub(super) struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "object store read failed: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

/// Feeds every line of `reader` to `batcher`. A decode error (truncated or corrupt gzip)
/// quarantines the unreadable rest of the object as one row and ends the object.
pub(super) async fn read_lines(
    mut reader: Pin<Box<dyn AsyncBufRead + Send>>,
    batcher: &mut Batcher,
    emitter: &Emitter,
) -> Result<()> {
    let mut buf = Vec::with_capacity(16 * 1024);
    let mut line_no = 0u64;
    let mut seen_any = false;
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf).await {
            Ok(0) => break,
            Ok(n) => {
                line_no += 1;
                seen_any = true;
                batcher.add_bytes(n as u64);
                // A UTF-8 byte-order mark before the first line is not part of the JSON.
                if line_no == 1 && buf.starts_with(b"\xEF\xBB\xBF") {
                    batcher.count_byte_order_mark();
                    batcher.push_line(line_no, &buf[3..]);
                } else {
                    batcher.push_line(line_no, &buf);
                }
                emitter.emit_if_full(batcher).await?;
            }
            Err(e) => {
                if let Some(store) = e.get_ref().and_then(|i| i.downcast_ref::<StoreError>()) {
                    return Err(DataFusionError::Execution(format!(
                        "{}: {store}",
                        batcher.source()
                    )));
                }
                batcher.push_file_error(
                    line_no + 1,
                    &format!("unreadable rest of file after line {line_no}: {e}"),
                );
                return Ok(());
            }
        }
    }
    if !seen_any {
        batcher.push_file_error(0, "empty file (no lines after decompression)");
    }
    Ok(())
}
