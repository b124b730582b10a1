//! The common interaction line, read straight into a row: every field one of the known
//! ones, once, of its usual type. Strings without escapes borrow from the line, and no JSON
//! tree is built. A line this does not take (an unknown field kept as metadata, a number
//! where a string belongs, a malformed line) goes to [`super::parse`], which reads every
//! line and words every reason; so the two agree on all the lines taken here.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::parse::{parse_ts, InteractionRow, Message};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line<'a> {
    #[serde(borrow)]
    interaction_id: Cow<'a, str>,
    #[serde(borrow)]
    ts: Cow<'a, str>,
    #[serde(borrow)]
    messages: Vec<LineMessage<'a>>,
    #[serde(borrow)]
    session_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    tenant_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    user_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    task: Option<Cow<'a, str>>,
    #[serde(borrow)]
    model: Option<Cow<'a, str>>,
    #[serde(borrow)]
    prompt_version: Option<Cow<'a, str>>,
    latency_ms: Option<i64>,
    input_tokens: Option<i64>,
    output_tokens: Option<i64>,
}

/// A message object (derived structs would also take an array). Other keys (`name`,
/// `tool_calls`) are not kept, as in the general parser.
struct LineMessage<'a> {
    role: Option<Cow<'a, str>>,
    content: Content<'a>,
}

/// A message's content: a string, null, or a list of text parts joined.
#[derive(Default)]
struct Content<'a>(Option<Cow<'a, str>>);

/// The interaction on `text`, or None when the general parser must read it.
pub(super) fn interaction(text: &str) -> Option<InteractionRow<'_>> {
    // An array would fill the struct by position.
    if !text.trim_start().starts_with('{') {
        return None;
    }
    let line: Line = serde_json::from_str(text).ok()?;
    if line.interaction_id.is_empty() || line.messages.is_empty() {
        return None;
    }
    Some(InteractionRow {
        ts: parse_ts(&line.ts)?,
        interaction_id: line.interaction_id,
        session_id: line.session_id,
        tenant_id: line.tenant_id,
        user_id: line.user_id,
        task: line.task,
        model: line.model,
        prompt_version: line.prompt_version,
        messages: line
            .messages
            .into_iter()
            .map(|m| -> Message<'_> { (m.role, m.content.0) })
            .collect(),
        latency_ms: line.latency_ms,
        input_tokens: line.input_tokens,
        output_tokens: line.output_tokens,
        metadata: None,
    })
}

impl<'de: 'a, 'a> Deserialize<'de> for LineMessage<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(MessageVisitor)
    }
}

struct MessageVisitor;

impl<'de> Visitor<'de> for MessageVisitor {
    type Value = LineMessage<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a message object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut role: Option<Option<Cow<'de, str>>> = None;
        let mut content: Option<Content<'de>> = None;
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Role if role.is_none() => role = Some(map.next_value::<Text>()?.0),
                Key::Content if content.is_none() => content = Some(map.next_value()?),
                Key::Role | Key::Content => return Err(de::Error::custom("duplicate key")),
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(LineMessage {
            role: role.flatten(),
            content: content.unwrap_or_default(),
        })
    }
}

/// The keys of a message this reads.
enum Key {
    Role,
    Content,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(match v {
                    "role" => Key::Role,
                    "content" => Key::Content,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_identifier(KeyVisitor)
    }
}

/// A string or null, borrowed where the JSON has no escapes.
struct Text<'a>(Option<Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Borrowed<'b>(#[serde(borrow)] Option<Cow<'b, str>>);
        Borrowed::deserialize(d).map(|b| Text(b.0))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Content<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ContentVisitor)
    }
}

struct ContentVisitor;

impl<'de> Visitor<'de> for ContentVisitor {
    type Value = Content<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string, null or a list of text parts")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Content(Some(Cow::Borrowed(v))))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Content(Some(Cow::Owned(v.to_string()))))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Content(Some(Cow::Owned(v))))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Content(None))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = String::new();
        while let Some(Part(text)) = seq.next_element()? {
            out.push_str(text.as_deref().unwrap_or_default());
        }
        Ok(Content(Some(Cow::Owned(out))))
    }
}

/// One part of a list content: a string, or an object whose `text` (if any) is the text.
struct Part<'a>(Option<Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for Part<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(PartVisitor)
    }
}

struct PartVisitor;

impl<'de> Visitor<'de> for PartVisitor {
    type Value = Part<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string or a text part")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Part(Some(Cow::Borrowed(v))))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Part(Some(Cow::Owned(v.to_string()))))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut text: Option<Option<Cow<'de, str>>> = None;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if key == "text" {
                if text.is_some() {
                    return Err(de::Error::duplicate_field("text"));
                }
                text = Some(map.next_value::<Text>()?.0);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(Part(text.flatten()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"interaction_id":"i-1","ts":"2026-11-01T10:00:00.123Z","session_id":null,"messages":[{"role":"user","content":"hi \"you\""},{"role":"assistant","content":"hello","name":"bot"}],"latency_ms":12}"#;

    #[test]
    fn takes_the_common_line_and_borrows_its_strings() {
        let r = interaction(GOOD).unwrap();
        assert!(matches!(r.interaction_id, Cow::Borrowed("i-1")));
        assert_eq!(r.ts, 1_793_527_200_123_000);
        assert_eq!(r.session_id, None);
        assert_eq!(r.latency_ms, Some(12));
        assert_eq!(r.messages.len(), 2);
        // An escaped string is unescaped into its own copy.
        assert_eq!(r.messages[0].1.as_deref(), Some("hi \"you\""));
        assert!(matches!(r.messages[1].1, Some(Cow::Borrowed("hello"))));
    }

    #[test]
    fn leaves_every_other_line_to_the_general_parser() {
        for line in [
            // An unknown field (metadata), a duplicate, a wrong type, a float count.
            GOOD.replace(r#""latency_ms":12"#, r#""latency_ms":12,"extra":1"#),
            GOOD.replace(r#""latency_ms":12"#, r#""latency_ms":12,"task":"a","task":"b""#),
            GOOD.replace(r#""i-1""#, "5"),
            GOOD.replace(r#""latency_ms":12"#, r#""latency_ms":12.4"#),
            // Empty id, no messages, a timestamp that does not parse, a malformed line.
            GOOD.replace(r#""i-1""#, r#""""#),
            GOOD.replace(
                r#"[{"role":"user","content":"hi \"you\""},{"role":"assistant","content":"hello","name":"bot"}]"#,
                "[]",
            ),
            GOOD.replace("2026-11-01T10:00:00.123Z", "yesterday"),
            GOOD[..40].to_string(),
            r#"[1,2]"#.to_string(),
            GOOD.replace(r#""content":"hello""#, r#""content":[{"text":1}]"#),
            // Arrays where objects belong, and a role given twice.
            GOOD.replace(
                r#"{"role":"assistant","content":"hello","name":"bot"}"#,
                r#"["assistant","hello"]"#,
            ),
            format!(r#"[{}]"#, &GOOD[1..GOOD.len() - 1]),
            GOOD.replace(r#""role":"user""#, r#""role":"user","role":"x""#),
        ] {
            assert!(interaction(&line).is_none(), "{line}");
        }
    }

    /// Every line taken here reads as the general parser reads it: the bundled sample, the
    /// bad-input fixtures and variants of a line.
    #[test]
    fn agrees_with_the_general_parser() {
        use super::super::parse::{parse_general, Row};
        use super::super::LogKind;
        let files = [
            include_str!("../../../data/sample-logs/interactions/dt=2026-11-01/part-0000.jsonl"),
            include_str!(
                "../../../tests/fixtures/bad-input/interactions/dt=2026-11-05/part-0000.jsonl"
            ),
        ];
        let variants = [
            GOOD.to_string(),
            GOOD.replace(
                r#""latency_ms":12"#,
                r#""latency_ms":-3,"input_tokens":null"#,
            ),
            GOOD.replace(
                r#""content":"hello""#,
                r#""content":"caf\u00e9 \ud83d\ude00 \n""#,
            ),
            GOOD.replace(r#""content":"hello""#, r#""content":[]"#),
            GOOD.replace(r#""role":"user","#, ""),
            GOOD.replace("2026-11-01T10:00:00.123Z", "2026-11-01 10:00:00"),
        ];
        let mut taken = 0;
        let lines = files.iter().flat_map(|f| f.lines()).map(str::to_string);
        for line in lines.chain(variants) {
            let Some(fast) = interaction(&line) else {
                continue;
            };
            taken += 1;
            let Ok(Row::Interaction(general)) = parse_general(LogKind::Interactions, &line) else {
                panic!("taken here, rejected there: {line}");
            };
            assert_eq!(format!("{fast:?}"), format!("{general:?}"), "{line}");
        }
        assert!(taken >= 20, "{taken}");
    }

    #[test]
    fn content_parts_are_joined() {
        let line = GOOD.replace(
            r#""content":"hello""#,
            r#""content":[{"type":"text","text":"a"},{"type":"image_url"},"b",{"text":null}]"#,
        );
        assert_eq!(
            interaction(&line).unwrap().messages[1].1.as_deref(),
            Some("ab")
        );
        let line = GOOD.replace(r#""content":"hello""#, r#""content":null"#);
        assert_eq!(interaction(&line).unwrap().messages[1].1, None);
    }
}
