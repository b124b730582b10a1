//! Column builders for one partition's rows, good and bad, flushed as Arrow batches.

use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, Float64Builder, Int64Builder, ListArray, StringBuilder, StructArray,
    TimestampMicrosecondBuilder, UInt64Builder,
};
use datafusion::arrow::buffer::{NullBuffer, OffsetBuffer};
use datafusion::arrow::datatypes::{DataType, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::error::Result;

use super::parse::{self, FeedbackRow, InteractionRow, Message, Row};
use super::{ClockLimit, FileCounts, LogKind};
use crate::schema;

/// Accumulates rows of one object until a batch is full.
pub(super) struct Batcher {
    schema: SchemaRef,
    source: String,
    batch_rows: usize,
    clock: Arc<ClockLimit>,
    rows: usize,
    counts: FileCounts,
    lines: UInt64Builder,
    errors: StringBuilder,
    raws: StringBuilder,
    columns: KindColumns,
}

enum KindColumns {
    Interactions(Box<InteractionColumns>),
    Feedback(Box<FeedbackColumns>),
}

impl Batcher {
    pub fn new(
        kind: LogKind,
        schema: SchemaRef,
        source: String,
        batch_rows: usize,
        clock: Arc<ClockLimit>,
    ) -> Self {
        let columns = match kind {
            LogKind::Interactions => KindColumns::Interactions(Box::default()),
            LogKind::Feedback => KindColumns::Feedback(Box::default()),
        };
        Batcher {
            schema,
            source,
            batch_rows: batch_rows.max(1),
            clock,
            rows: 0,
            counts: FileCounts::default(),
            lines: UInt64Builder::new(),
            errors: StringBuilder::new(),
            raws: StringBuilder::new(),
            columns,
        }
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn is_full(&self) -> bool {
        self.rows >= self.batch_rows
    }

    pub fn add_bytes(&mut self, n: u64) {
        self.counts.bytes += n;
    }

    /// The object began with a byte-order mark, which was stripped.
    pub fn count_byte_order_mark(&mut self) {
        self.counts.byte_order_marks += 1;
    }

    /// One physical line. Blank lines are not rows and are skipped.
    pub fn push_line(&mut self, line_no: u64, line: &[u8]) {
        let line = trim_newline(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        let kind = match self.columns {
            KindColumns::Interactions(_) => LogKind::Interactions,
            KindColumns::Feedback(_) => LogKind::Feedback,
        };
        let parsed =
            parse::parse_line(kind, line).and_then(|row| match self.clock.check(row.ts()) {
                Some(reason) => Err(reason.to_string()),
                None => Ok(row),
            });
        match parsed {
            Ok(row) => {
                self.counts.rows += 1;
                self.rows += 1;
                self.lines.append_value(line_no);
                self.errors.append_null();
                self.raws.append_null();
                match (&mut self.columns, row) {
                    (KindColumns::Interactions(c), Row::Interaction(r)) => c.append(r),
                    (KindColumns::Feedback(c), Row::Feedback(r)) => c.append(r),
                    _ => unreachable!("parser returns the batcher's kind"),
                }
            }
            Err(reason) => self.push_error(line_no, &reason, Some(parse::readable_raw(line))),
        }
    }

    /// A row standing for a part of the object that could not be read at all.
    pub fn push_file_error(&mut self, line_no: u64, reason: &str) {
        self.push_error(line_no, reason, None);
    }

    fn push_error(&mut self, line_no: u64, reason: &str, raw: Option<String>) {
        self.counts.rows += 1;
        self.counts.quarantined += 1;
        self.rows += 1;
        self.lines.append_value(line_no);
        self.errors.append_value(reason);
        self.raws.append_option(raw);
        match &mut self.columns {
            KindColumns::Interactions(c) => c.append_null(),
            KindColumns::Feedback(c) => c.append_null(),
        }
    }

    /// The rows so far as a batch, and the counts since the previous call.
    pub fn finish(&mut self) -> Result<(RecordBatch, FileCounts)> {
        let n = self.rows;
        let mut source = StringBuilder::with_capacity(n, n * self.source.len());
        for _ in 0..n {
            source.append_value(&self.source);
        }
        let mut arrays: Vec<ArrayRef> = vec![
            Arc::new(source.finish()),
            Arc::new(self.lines.finish()),
            Arc::new(self.errors.finish()),
            Arc::new(self.raws.finish()),
        ];
        match &mut self.columns {
            KindColumns::Interactions(c) => arrays.extend(c.finish()),
            KindColumns::Feedback(c) => arrays.extend(c.finish()),
        }
        self.rows = 0;
        let batch = RecordBatch::try_new(Arc::clone(&self.schema), arrays)?;
        Ok((batch, std::mem::take(&mut self.counts)))
    }
}

fn trim_newline(mut line: &[u8]) -> &[u8] {
    while let [rest @ .., b'\n' | b'\r'] = line {
        line = rest;
    }
    line
}

fn timestamps() -> TimestampMicrosecondBuilder {
    TimestampMicrosecondBuilder::new().with_timezone("UTC")
}

/// `List<Struct<role, content>>` built from flat child builders and offsets.
struct MessagesBuilder {
    roles: StringBuilder,
    contents: StringBuilder,
    offsets: Vec<i32>,
    valid: Vec<bool>,
}

impl Default for MessagesBuilder {
    fn default() -> Self {
        MessagesBuilder {
            roles: StringBuilder::new(),
            contents: StringBuilder::new(),
            offsets: vec![0],
            valid: Vec::new(),
        }
    }
}

impl MessagesBuilder {
    fn append(&mut self, messages: Vec<Message<'_>>) {
        for (role, content) in &messages {
            self.roles.append_option(role.as_deref());
            self.contents.append_option(content.as_deref());
        }
        let last = *self.offsets.last().expect("offsets start at 0");
        self.offsets.push(last + messages.len() as i32);
        self.valid.push(true);
    }

    fn append_null(&mut self) {
        let last = *self.offsets.last().expect("offsets start at 0");
        self.offsets.push(last);
        self.valid.push(false);
    }

    fn finish(&mut self) -> ArrayRef {
        let values = StructArray::new(
            schema::message_fields(),
            vec![
                Arc::new(self.roles.finish()) as ArrayRef,
                Arc::new(self.contents.finish()),
            ],
            None,
        );
        let DataType::List(field) = schema::messages_type() else {
            unreachable!("messages is a list")
        };
        let offsets = OffsetBuffer::new(std::mem::replace(&mut self.offsets, vec![0]).into());
        let nulls = NullBuffer::from(std::mem::take(&mut self.valid));
        Arc::new(ListArray::new(
            field,
            offsets,
            Arc::new(values),
            Some(nulls),
        ))
    }
}

struct InteractionColumns {
    interaction_id: StringBuilder,
    session_id: StringBuilder,
    tenant_id: StringBuilder,
    user_id: StringBuilder,
    ts: TimestampMicrosecondBuilder,
    task: StringBuilder,
    model: StringBuilder,
    prompt_version: StringBuilder,
    messages: MessagesBuilder,
    latency_ms: Int64Builder,
    input_tokens: Int64Builder,
    output_tokens: Int64Builder,
    metadata: StringBuilder,
}

impl Default for InteractionColumns {
    fn default() -> Self {
        InteractionColumns {
            interaction_id: StringBuilder::new(),
            session_id: StringBuilder::new(),
            tenant_id: StringBuilder::new(),
            user_id: StringBuilder::new(),
            ts: timestamps(),
            task: StringBuilder::new(),
            model: StringBuilder::new(),
            prompt_version: StringBuilder::new(),
            messages: MessagesBuilder::default(),
            latency_ms: Int64Builder::new(),
            input_tokens: Int64Builder::new(),
            output_tokens: Int64Builder::new(),
            metadata: StringBuilder::new(),
        }
    }
}

impl InteractionColumns {
    fn append(&mut self, r: InteractionRow<'_>) {
        self.interaction_id.append_value(&r.interaction_id);
        self.session_id.append_option(r.session_id);
        self.tenant_id.append_option(r.tenant_id);
        self.user_id.append_option(r.user_id);
        self.ts.append_value(r.ts);
        self.task.append_option(r.task);
        self.model.append_option(r.model);
        self.prompt_version.append_option(r.prompt_version);
        self.messages.append(r.messages);
        self.latency_ms.append_option(r.latency_ms);
        self.input_tokens.append_option(r.input_tokens);
        self.output_tokens.append_option(r.output_tokens);
        self.metadata.append_option(r.metadata);
    }

    fn append_null(&mut self) {
        self.interaction_id.append_null();
        self.session_id.append_null();
        self.tenant_id.append_null();
        self.user_id.append_null();
        self.ts.append_null();
        self.task.append_null();
        self.model.append_null();
        self.prompt_version.append_null();
        self.messages.append_null();
        self.latency_ms.append_null();
        self.input_tokens.append_null();
        self.output_tokens.append_null();
        self.metadata.append_null();
    }

    fn finish(&mut self) -> Vec<ArrayRef> {
        vec![
            Arc::new(self.interaction_id.finish()),
            Arc::new(self.session_id.finish()),
            Arc::new(self.tenant_id.finish()),
            Arc::new(self.user_id.finish()),
            Arc::new(self.ts.finish()),
            Arc::new(self.task.finish()),
            Arc::new(self.model.finish()),
            Arc::new(self.prompt_version.finish()),
            self.messages.finish(),
            Arc::new(self.latency_ms.finish()),
            Arc::new(self.input_tokens.finish()),
            Arc::new(self.output_tokens.finish()),
            Arc::new(self.metadata.finish()),
        ]
    }
}

struct FeedbackColumns {
    event_id: StringBuilder,
    interaction_id: StringBuilder,
    session_id: StringBuilder,
    ts: TimestampMicrosecondBuilder,
    kind: StringBuilder,
    value: Float64Builder,
    comment: StringBuilder,
    edited_output: StringBuilder,
    metadata: StringBuilder,
}

impl Default for FeedbackColumns {
    fn default() -> Self {
        FeedbackColumns {
            event_id: StringBuilder::new(),
            interaction_id: StringBuilder::new(),
            session_id: StringBuilder::new(),
            ts: timestamps(),
            kind: StringBuilder::new(),
            value: Float64Builder::new(),
            comment: StringBuilder::new(),
            edited_output: StringBuilder::new(),
            metadata: StringBuilder::new(),
        }
    }
}

impl FeedbackColumns {
    fn append(&mut self, r: FeedbackRow) {
        self.event_id.append_option(r.event_id);
        self.interaction_id.append_value(&r.interaction_id);
        self.session_id.append_option(r.session_id);
        self.ts.append_value(r.ts);
        self.kind.append_value(&r.kind);
        self.value.append_option(r.value);
        self.comment.append_option(r.comment);
        self.edited_output.append_option(r.edited_output);
        self.metadata.append_option(r.metadata);
    }

    fn append_null(&mut self) {
        self.event_id.append_null();
        self.interaction_id.append_null();
        self.session_id.append_null();
        self.ts.append_null();
        self.kind.append_null();
        self.value.append_null();
        self.comment.append_null();
        self.edited_output.append_null();
        self.metadata.append_null();
    }

    fn finish(&mut self) -> Vec<ArrayRef> {
        vec![
            Arc::new(self.event_id.finish()),
            Arc::new(self.interaction_id.finish()),
            Arc::new(self.session_id.finish()),
            Arc::new(self.ts.finish()),
            Arc::new(self.kind.finish()),
            Arc::new(self.value.finish()),
            Arc::new(self.comment.finish()),
            Arc::new(self.edited_output.finish()),
            Arc::new(self.metadata.finish()),
        ]
    }
}
