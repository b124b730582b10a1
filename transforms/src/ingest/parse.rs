//! One line → one typed row, or a reason it was rejected.
//!
//! Reasons name the field and the expected type, never a value: quarantine files and
//! reports must not carry personal data.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDateTime};
use serde_json::{Map, Value};

use super::LogKind;

/// A parsed interaction, ready to append to column builders. Its strings borrow from the
/// line where the JSON holds them without escapes ([`super::fast_parse`]).
#[derive(Debug, Default)]
pub(super) struct InteractionRow<'a> {
    pub interaction_id: Cow<'a, str>,
    pub session_id: Option<Cow<'a, str>>,
    pub tenant_id: Option<Cow<'a, str>>,
    pub user_id: Option<Cow<'a, str>>,
    pub ts: i64,
    pub task: Option<Cow<'a, str>>,
    pub model: Option<Cow<'a, str>>,
    pub prompt_version: Option<Cow<'a, str>>,
    pub messages: Vec<Message<'a>>,
    pub latency_ms: Option<i64>,
    pub input_tokens: Option<i64>,
    pub output_tokens: Option<i64>,
    pub metadata: Option<String>,
}

/// A message's role and content.
pub(super) type Message<'a> = (Option<Cow<'a, str>>, Option<Cow<'a, str>>);

/// A parsed feedback event.
#[derive(Debug, Default)]
pub(super) struct FeedbackRow {
    pub event_id: Option<String>,
    pub interaction_id: String,
    pub session_id: Option<String>,
    pub ts: i64,
    pub kind: String,
    pub value: Option<f64>,
    pub comment: Option<String>,
    pub edited_output: Option<String>,
    pub metadata: Option<String>,
}

pub(super) enum Row<'a> {
    Interaction(InteractionRow<'a>),
    Feedback(FeedbackRow),
}

const INTERACTION_FIELDS: &[&str] = &[
    "interaction_id",
    "session_id",
    "tenant_id",
    "user_id",
    "ts",
    "task",
    "model",
    "prompt_version",
    "messages",
    "latency_ms",
    "input_tokens",
    "output_tokens",
];

const FEEDBACK_FIELDS: &[&str] = &[
    "event_id",
    "interaction_id",
    "session_id",
    "ts",
    "type",
    "value",
    "comment",
    "edited_output",
];

impl Row<'_> {
    /// The row's `ts`, microseconds since the epoch.
    pub(super) fn ts(&self) -> i64 {
        match self {
            Row::Interaction(r) => r.ts,
            Row::Feedback(r) => r.ts,
        }
    }
}

/// Parses one line (without its newline) of the given kind: the common interaction line
/// directly ([`super::fast_parse`]), any other through [`parse_general`].
pub(super) fn parse_line(kind: LogKind, line: &[u8]) -> Result<Row<'_>, String> {
    let text = std::str::from_utf8(line)
        .map_err(|e| format!("invalid UTF-8 at byte {}", e.valid_up_to()))?;
    if kind == LogKind::Interactions {
        if let Some(row) = super::fast_parse::interaction(text) {
            return Ok(Row::Interaction(row));
        }
    }
    parse_general(kind, text)
}

/// Any line, through a JSON tree: the unknown fields become metadata, and a rejected line
/// gets its reason.
pub(super) fn parse_general(kind: LogKind, text: &str) -> Result<Row<'static>, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("malformed JSON: {e}"))?;
    let Value::Object(mut obj) = value else {
        return Err(format!(
            "line is a JSON {}, expected an object",
            type_name(&value)
        ));
    };
    match kind {
        LogKind::Interactions => parse_interaction(&mut obj).map(Row::Interaction),
        LogKind::Feedback => parse_feedback(&mut obj).map(Row::Feedback),
    }
}

fn parse_interaction(obj: &mut Map<String, Value>) -> Result<InteractionRow<'static>, String> {
    let owned = |s: Option<String>| s.map(Cow::Owned);
    Ok(InteractionRow {
        interaction_id: Cow::Owned(required_str(obj, "interaction_id")?),
        ts: required_ts(obj, "ts")?,
        messages: messages(obj)?,
        session_id: owned(opt_str(obj, "session_id")?),
        tenant_id: owned(opt_str(obj, "tenant_id")?),
        user_id: owned(opt_str(obj, "user_id")?),
        task: owned(opt_str(obj, "task")?),
        model: owned(opt_str(obj, "model")?),
        prompt_version: owned(opt_str(obj, "prompt_version")?),
        latency_ms: opt_int(obj, "latency_ms")?,
        input_tokens: opt_int(obj, "input_tokens")?,
        output_tokens: opt_int(obj, "output_tokens")?,
        metadata: metadata(obj, INTERACTION_FIELDS),
    })
}

fn parse_feedback(obj: &mut Map<String, Value>) -> Result<FeedbackRow, String> {
    Ok(FeedbackRow {
        interaction_id: required_str(obj, "interaction_id")?,
        kind: required_str(obj, "type")?,
        ts: required_ts(obj, "ts")?,
        event_id: opt_str(obj, "event_id")?,
        session_id: opt_str(obj, "session_id")?,
        value: opt_number(obj, "value")?,
        comment: opt_str(obj, "comment")?,
        edited_output: opt_str(obj, "edited_output")?,
        metadata: metadata(obj, FEEDBACK_FIELDS),
    })
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn wrong_type(field: &str, expected: &str, found: &Value) -> String {
    format!(
        "field `{field}` must be {expected}, found {}",
        type_name(found)
    )
}

fn required_str(obj: &mut Map<String, Value>, field: &str) -> Result<String, String> {
    match obj.shift_remove(field) {
        None | Some(Value::Null) => Err(format!("missing required field `{field}`")),
        Some(Value::String(s)) if s.is_empty() => Err(format!("required field `{field}` is empty")),
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(wrong_type(field, "a string", &other)),
    }
}

fn opt_str(obj: &mut Map<String, Value>, field: &str) -> Result<Option<String>, String> {
    match obj.shift_remove(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(wrong_type(field, "a string", &other)),
    }
}

fn opt_int(obj: &mut Map<String, Value>, field: &str) -> Result<Option<i64>, String> {
    match obj.shift_remove(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.is_finite() && f.abs() < 9.2e18)
                    .map(|f| f.round() as i64)
            })
            .map(Some)
            .ok_or_else(|| format!("field `{field}` is out of range")),
        Some(other) => Err(wrong_type(field, "an integer", &other)),
    }
}

fn opt_number(obj: &mut Map<String, Value>, field: &str) -> Result<Option<f64>, String> {
    match obj.shift_remove(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(Value::Bool(b)) => Ok(Some(if b { 1.0 } else { 0.0 })),
        Some(other) => Err(wrong_type(field, "a number", &other)),
    }
}

fn required_ts(obj: &mut Map<String, Value>, field: &str) -> Result<i64, String> {
    match obj.shift_remove(field) {
        None | Some(Value::Null) => Err(format!("missing required field `{field}`")),
        Some(Value::String(s)) => {
            parse_ts(&s).ok_or_else(|| format!("field `{field}` is not an RFC 3339 timestamp"))
        }
        Some(other) => Err(wrong_type(field, "an RFC 3339 string", &other)),
    }
}

/// RFC 3339 (`Z` or an offset); zone-less ISO forms, as Parquet→JSON renders them, are UTC.
pub(super) fn parse_ts(s: &str) -> Option<i64> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_micros());
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .map(|t| t.and_utc().timestamp_micros())
}

fn messages(obj: &mut Map<String, Value>) -> Result<Vec<Message<'static>>, String> {
    let list = match obj.shift_remove("messages") {
        None | Some(Value::Null) => return Err("missing required field `messages`".into()),
        Some(Value::Array(a)) => a,
        Some(other) => return Err(wrong_type("messages", "an array", &other)),
    };
    if list.is_empty() {
        return Err("required field `messages` is empty".into());
    }
    list.into_iter()
        .enumerate()
        .map(|(i, m)| {
            let Value::Object(mut m) = m else {
                return Err(wrong_type(&format!("messages[{i}]"), "an object", &m));
            };
            let role = opt_str(&mut m, "role").map_err(|_| {
                format!("field `messages[{i}].role` must be a string")
            })?;
            let content = content(m.shift_remove("content"))
                .map_err(|found| format!("field `messages[{i}].content` must be a string or a list of text parts, found {found}"))?;
            Ok((role.map(Cow::Owned), content.map(Cow::Owned)))
        })
        .collect()
}

/// Message content: a string, null, or a list of `{type: text, text}` parts (joined).
fn content(v: Option<Value>) -> Result<Option<String>, &'static str> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(Value::Array(parts)) => {
            let mut out = String::new();
            for p in parts {
                match p {
                    Value::String(s) => out.push_str(&s),
                    Value::Object(mut o) => match o.shift_remove("text") {
                        Some(Value::String(s)) => out.push_str(&s),
                        None | Some(Value::Null) => {} // images and other parts carry no text
                        Some(other) => return Err(type_name(&other)),
                    },
                    other => return Err(type_name(&other)),
                }
            }
            Ok(Some(out))
        }
        Some(other) => Err(type_name(&other)),
    }
}

/// Unknown fields are kept, as a JSON object string, for the redact stage to scrub.
fn metadata(obj: &mut Map<String, Value>, known: &[&str]) -> Option<String> {
    for k in known {
        obj.shift_remove(*k);
    }
    (!obj.is_empty()).then(|| Value::Object(std::mem::take(obj)).to_string())
}

/// Best-effort readable text of a rejected line, for the redactor to scan before the line
/// is written to quarantine: JSON `\uXXXX` escapes are decoded so names and addresses
/// written with escapes are still found. Capped so one huge bad line stays cheap.
pub(super) fn readable_raw(line: &[u8]) -> String {
    const CAP: usize = 256 * 1024;
    let lossy = String::from_utf8_lossy(&line[..line.len().min(CAP)]);
    let mut out = String::with_capacity(lossy.len());
    let mut chars = lossy.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.peek() {
                Some('u') => {
                    chars.next();
                    let hex: String = chars.by_ref().take(4).collect();
                    match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                        Some(d) => out.push(d),
                        None => {
                            out.push_str("\\u");
                            out.push_str(&hex);
                        }
                    }
                }
                Some('n') => {
                    chars.next();
                    out.push('\n');
                }
                Some('"') | Some('\\') | Some('/') => out.push(chars.next().unwrap_or('\\')),
                _ => out.push(c),
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interaction(line: &str) -> Result<InteractionRow<'_>, String> {
        match parse_line(LogKind::Interactions, line.as_bytes())? {
            Row::Interaction(r) => Ok(r),
            Row::Feedback(_) => unreachable!(),
        }
    }

    const GOOD: &str = r#"{"interaction_id":"i-1","ts":"2026-11-01T10:00:00.123Z","messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}],"extra":{"k":1}}"#;

    #[test]
    fn good_line_keeps_unknown_fields_as_metadata() {
        let r = interaction(GOOD).unwrap();
        assert_eq!(r.interaction_id, "i-1");
        assert_eq!(r.messages.len(), 2);
        assert_eq!(r.metadata.as_deref(), Some(r#"{"extra":{"k":1}}"#));
        assert_eq!(r.ts, 1_793_527_200_123_000);
    }

    #[test]
    fn offset_timestamps_are_normalised_to_utc() {
        let a = interaction(&GOOD.replace("10:00:00.123Z", "10:00:00.123+00:00"))
            .unwrap()
            .ts;
        let b = interaction(&GOOD.replace("10:00:00.123Z", "12:00:00.123+02:00"))
            .unwrap()
            .ts;
        assert_eq!(a, b);
    }

    #[test]
    fn reasons_name_the_field_but_never_the_value() {
        let wrong = GOOD.replace(r#""i-1""#, "5551234567");
        let reason = interaction(&wrong).unwrap_err();
        assert_eq!(
            reason,
            "field `interaction_id` must be a string, found number"
        );
        assert!(!reason.contains("555"));

        let missing = GOOD.replace(r#""ts":"2026-11-01T10:00:00.123Z","#, "");
        assert_eq!(
            interaction(&missing).unwrap_err(),
            "missing required field `ts`"
        );

        let bad_ts = GOOD.replace("2026-11-01T10:00:00.123Z", "jane@example.com");
        let reason = interaction(&bad_ts).unwrap_err();
        assert!(reason.contains("RFC 3339") && !reason.contains("jane"));

        let bad_msg = GOOD.replace(r#""content":"hi""#, r#""content":42"#);
        assert!(interaction(&bad_msg)
            .unwrap_err()
            .contains("messages[0].content"));
    }

    #[test]
    fn malformed_json_and_invalid_utf8_are_rejected() {
        assert!(interaction("{\"interaction_id\": ")
            .unwrap_err()
            .starts_with("malformed JSON"));
        assert_eq!(
            interaction("[1,2]").unwrap_err(),
            "line is a JSON array, expected an object"
        );
        let bytes = b"{\"interaction_id\":\"\xff\"}";
        let Err(reason) = parse_line(LogKind::Interactions, bytes) else {
            panic!("invalid UTF-8 accepted")
        };
        assert_eq!(reason, "invalid UTF-8 at byte 19");
    }

    #[test]
    fn content_parts_are_joined() {
        let line = GOOD.replace(
            r#""content":"hi""#,
            r#""content":[{"type":"text","text":"a"},{"type":"image_url"},{"type":"text","text":"b"}]"#,
        );
        assert_eq!(
            interaction(&line).unwrap().messages[0].1.as_deref(),
            Some("ab")
        );
    }

    #[test]
    fn readable_raw_decodes_escapes() {
        assert_eq!(
            readable_raw(br#"{"n":"Jos\u00e9 \"x\""}"#),
            r#"{"n":"José "x""}"#
        );
        assert_eq!(readable_raw(br"\uZZZZ"), r"\uZZZZ");
    }
}
