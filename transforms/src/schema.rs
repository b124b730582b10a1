//! Canonical Arrow schemas of ingested logs.
//!
//! Every ingested row carries its provenance (`_source`, `_line`) and, when it could not
//! be parsed, `_error` (the reason) and `_raw` (the line text, redacted before it leaves
//! the redact stage). Good rows have `_error` NULL and typed columns filled.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Fields, Schema, SchemaRef, TimeUnit};

/// Provenance and error columns shared by every ingested kind.
fn provenance_fields() -> Vec<Field> {
    vec![
        Field::new("_source", DataType::Utf8, false),
        Field::new("_line", DataType::UInt64, false),
        Field::new("_error", DataType::Utf8, true),
        Field::new("_raw", DataType::Utf8, true),
    ]
}

/// Timestamps are normalised to UTC microseconds.
pub fn timestamp_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

/// One chat message: `{role, content}`.
pub fn message_fields() -> Fields {
    Fields::from(vec![
        Field::new("role", DataType::Utf8, true),
        Field::new("content", DataType::Utf8, true),
    ])
}

/// `messages`: list of `{role, content}` structs (OpenAI chat format).
pub fn messages_type() -> DataType {
    DataType::List(Arc::new(Field::new(
        "item",
        DataType::Struct(message_fields()),
        true,
    )))
}

/// Schema of ingested interactions.
pub fn interactions() -> SchemaRef {
    let mut fields = provenance_fields();
    fields.extend([
        Field::new("interaction_id", DataType::Utf8, true),
        Field::new("session_id", DataType::Utf8, true),
        Field::new("tenant_id", DataType::Utf8, true),
        Field::new("user_id", DataType::Utf8, true),
        Field::new("ts", timestamp_type(), true),
        Field::new("task", DataType::Utf8, true),
        Field::new("model", DataType::Utf8, true),
        Field::new("prompt_version", DataType::Utf8, true),
        Field::new("messages", messages_type(), true),
        Field::new("latency_ms", DataType::Int64, true),
        Field::new("input_tokens", DataType::Int64, true),
        Field::new("output_tokens", DataType::Int64, true),
        Field::new("metadata", DataType::Utf8, true),
    ]);
    Arc::new(Schema::new(fields))
}

/// Schema of ingested feedback events.
pub fn feedback() -> SchemaRef {
    let mut fields = provenance_fields();
    fields.extend([
        Field::new("event_id", DataType::Utf8, true),
        Field::new("interaction_id", DataType::Utf8, true),
        Field::new("session_id", DataType::Utf8, true),
        Field::new("ts", timestamp_type(), true),
        Field::new("type", DataType::Utf8, true),
        Field::new("value", DataType::Float64, true),
        Field::new("comment", DataType::Utf8, true),
        Field::new("edited_output", DataType::Utf8, true),
        Field::new("metadata", DataType::Utf8, true),
    ]);
    Arc::new(Schema::new(fields))
}

/// Test helper: a `messages` column from per-record chats (`None` = a NULL list).
#[cfg(test)]
pub(crate) mod testing {
    use std::sync::Arc;

    use datafusion::arrow::array::{ArrayRef, ListArray, StringArray, StructArray};
    use datafusion::arrow::buffer::{NullBuffer, OffsetBuffer};
    use datafusion::arrow::datatypes::DataType;

    /// One record's messages: (role, content).
    pub type Chat<'a> = Option<&'a [(&'a str, Option<&'a str>)]>;

    pub fn messages_list(records: &[Chat]) -> ListArray {
        let mut roles = Vec::new();
        let mut contents = Vec::new();
        let mut offsets = vec![0i32];
        for r in records {
            for (role, content) in r.unwrap_or(&[]) {
                roles.push(*role);
                contents.push(*content);
            }
            offsets.push(roles.len() as i32);
        }
        let values = StructArray::new(
            super::message_fields(),
            vec![
                Arc::new(StringArray::from(roles)) as ArrayRef,
                Arc::new(StringArray::from(contents)),
            ],
            None,
        );
        let DataType::List(field) = super::messages_type() else {
            unreachable!()
        };
        ListArray::new(
            field,
            OffsetBuffer::new(offsets.into()),
            Arc::new(values),
            Some(NullBuffer::from_iter(records.iter().map(Option::is_some))),
        )
    }
}
