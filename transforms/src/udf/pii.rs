//! PII redaction as vectorised UDFs over Arrow string arrays.
//!
//! `pii_redact(text)` scrubs one string column; `pii_redact_messages(messages)` scrubs the
//! `content` of every message in a chat, numbering placeholders per record so that the
//! same address in two turns becomes the same `<EMAIL_ADDRESS_1>`. Both take the run's
//! public-versus-personal decisions ([`PiiStats::set_policy`]): `pii_detect_messages`
//! scans a chat once, listing the names and places a record mentions without personal
//! context and storing every finding; the run counts distinct users per value over the
//! day, keeps the values public enough, and `pii_redact_messages` redacts from the stored
//! findings. Findings, and findings kept as public, are counted per entity type into
//! [`PiiStats`] for the run report; values are never recorded.

use std::collections::BTreeMap;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, RwLock};

use ::pii::{Class, EntityType, Mention, Policy, RecordContext, Scanner, Strategy};
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, ListArray, ListBuilder, StringArray, StringBuilder, StructArray,
    StructBuilder, UInt16Builder, UInt32Builder,
};
use datafusion::arrow::datatypes::{DataType, Field, Fields, UInt16Type, UInt32Type};
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, TypeSignature, Volatility,
};

use crate::schema;

/// The run's redaction policy, and findings per entity type accumulated over every batch
/// the UDFs see.
#[derive(Debug)]
pub struct PiiStats {
    inner: Mutex<PiiCounts>,
    policy: RwLock<Arc<Policy>>,
}

impl Default for PiiStats {
    fn default() -> Self {
        PiiStats::with_policy(Policy::new())
    }
}

#[derive(Debug, Default, Clone)]
struct PiiCounts {
    by_type: BTreeMap<&'static str, u64>,
    kept_public: BTreeMap<&'static str, u64>,
    values_scanned: u64,
    values_redacted: u64,
}

impl PiiStats {
    /// Counters starting at zero, redacting as `policy` decides.
    pub fn with_policy(policy: Policy) -> Self {
        PiiStats {
            inner: Mutex::default(),
            policy: RwLock::new(Arc::new(policy)),
        }
    }

    /// Replaces the policy the redaction and scan UDFs apply from their next batch on (the
    /// run sets it once the day's public names are counted).
    pub fn set_policy(&self, policy: Policy) {
        *self.policy.write().expect("pii policy poisoned") = Arc::new(policy);
    }

    /// The policy in force.
    pub fn policy(&self) -> Arc<Policy> {
        Arc::clone(&self.policy.read().expect("pii policy poisoned"))
    }

    /// Findings kept as public (not redacted) per Presidio entity name.
    pub fn kept_public(&self) -> BTreeMap<&'static str, u64> {
        self.lock().kept_public.clone()
    }

    /// Findings per Presidio entity name.
    pub fn by_type(&self) -> BTreeMap<&'static str, u64> {
        self.lock().by_type.clone()
    }

    /// (strings scanned, strings that had at least one finding).
    pub fn values(&self) -> (u64, u64) {
        let c = self.lock();
        (c.values_scanned, c.values_redacted)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, PiiCounts> {
        self.inner.lock().expect("pii stats poisoned")
    }

    fn merge(&self, local: PiiCounts) {
        let mut c = self.lock();
        c.values_scanned += local.values_scanned;
        c.values_redacted += local.values_redacted;
        for (k, v) in local.by_type {
            *c.by_type.entry(k).or_default() += v;
        }
        for (k, v) in local.kept_public {
            *c.kept_public.entry(k).or_default() += v;
        }
    }
}

impl PiiCounts {
    fn record(&mut self, ctx: &RecordContext) {
        for (t, n) in ctx.counts() {
            *self.by_type.entry(t.as_str()).or_default() += n as u64;
        }
        for (t, n) in ctx.kept() {
            *self.kept_public.entry(t.as_str()).or_default() += n as u64;
        }
    }
}

/// Redacts each string of `texts` into `out`; `records` gives the index ranges that share
/// placeholder numbering and personal-context names (one range per record).
/// With `stored`, entry `i`'s findings are read from it (a scan made earlier over the same
/// text) instead of scanning it again.
fn redact_ranges(
    scanner: &Scanner,
    policy: &Policy,
    texts: &StringArray,
    records: impl Iterator<Item = std::ops::Range<usize>>,
    stored: Option<&StoredMentions>,
    counts: &mut PiiCounts,
) -> StringArray {
    let mut out = StringBuilder::with_capacity(texts.len(), texts.value_data().len());
    let mut next = 0;
    let copy = |out: &mut StringBuilder, i: usize| {
        if texts.is_null(i) {
            out.append_null()
        } else {
            out.append_value(texts.value(i))
        }
    };
    for range in records {
        // Entries outside any record (sliced list values) are copied untouched.
        (next..range.start).for_each(|i| copy(&mut out, i));
        let mut ctx = RecordContext::new();
        let present: Vec<usize> = range.clone().filter(|&i| !texts.is_null(i)).collect();
        let values: Vec<&str> = present.iter().map(|&i| texts.value(i)).collect();
        let redacted = match stored {
            Some(stored) => {
                let found = present.iter().map(|&i| stored.entry(i)).collect();
                scanner.redact_found(&values, found, &mut ctx, policy)
            }
            None => scanner.redact_record(&values, &mut ctx, policy),
        };
        let mut redacted = redacted.into_iter();
        for i in range.clone() {
            if texts.is_null(i) {
                out.append_null();
                continue;
            }
            counts.values_scanned += 1;
            match redacted.next().flatten() {
                Some(red) => {
                    counts.values_redacted += 1;
                    out.append_value(red)
                }
                None => out.append_value(texts.value(i)),
            }
        }
        counts.record(&ctx);
        next = range.end;
    }
    (next..texts.len()).for_each(|i| copy(&mut out, i));
    out.finish()
}

macro_rules! scanner_udf_boilerplate {
    ($t:ty) => {
        impl PartialEq for $t {
            fn eq(&self, other: &Self) -> bool {
                Arc::ptr_eq(&self.scanner, &other.scanner)
            }
        }
        impl Eq for $t {}
        impl Hash for $t {
            fn hash<H: Hasher>(&self, state: &mut H) {
                self.name().hash(state)
            }
        }
    };
}

/// `pii_redact(text) -> text`: every finding replaced by a typed placeholder.
#[derive(Debug)]
pub(super) struct RedactText {
    scanner: Arc<Scanner>,
    stats: Arc<PiiStats>,
    signature: Signature,
}

impl RedactText {
    pub fn new(scanner: Arc<Scanner>, stats: Arc<PiiStats>) -> Self {
        let signature = Signature::uniform(1, vec![DataType::Utf8], Volatility::Immutable);
        RedactText {
            scanner,
            stats,
            signature,
        }
    }
}

scanner_udf_boilerplate!(RedactText);

impl ScalarUDFImpl for RedactText {
    fn name(&self) -> &str {
        "pii_redact"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let array = args.args[0].to_array(args.number_rows)?;
        let texts = array.as_string::<i32>();
        let mut counts = PiiCounts::default();
        let out = redact_ranges(
            &self.scanner,
            &self.stats.policy(),
            texts,
            (0..texts.len()).map(|i| i..i + 1),
            None,
            &mut counts,
        );
        self.stats.merge(counts);
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

/// `pii_redact_messages(messages [, mentions]) -> messages`: chat contents redacted per
/// record; with the `mentions` that `pii_detect_messages` stored for the same messages,
/// without scanning them again.
#[derive(Debug)]
pub(super) struct RedactMessages {
    scanner: Arc<Scanner>,
    stats: Arc<PiiStats>,
    signature: Signature,
}

impl RedactMessages {
    pub fn new(scanner: Arc<Scanner>, stats: Arc<PiiStats>) -> Self {
        let signature = Signature::one_of(
            vec![
                TypeSignature::Exact(vec![schema::messages_type()]),
                TypeSignature::Exact(vec![schema::messages_type(), mentions_type()]),
            ],
            Volatility::Immutable,
        );
        RedactMessages {
            scanner,
            stats,
            signature,
        }
    }
}

scanner_udf_boilerplate!(RedactMessages);

impl ScalarUDFImpl for RedactMessages {
    fn name(&self) -> &str {
        "pii_redact_messages"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(schema::messages_type())
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let array = args.args[0].to_array(args.number_rows)?;
        let Some(list) = array.as_list_opt::<i32>() else {
            return exec_err!("pii_redact_messages expects a list of {{role, content}}");
        };
        let values = list.values().as_struct();
        let Some(content) = values.column_by_name("content") else {
            return exec_err!("pii_redact_messages: messages have no `content` field");
        };
        let offsets = list.value_offsets();
        // NULL lists are not records: their entries (if any) are copied, not scanned.
        let records = (0..list.len())
            .filter(|&i| list.is_valid(i))
            .map(|i| offsets[i] as usize..offsets[i + 1] as usize);
        let stored = match args.args.get(1) {
            Some(m) => Some(StoredMentions::of(list, &m.to_array(args.number_rows)?)?),
            None => None,
        };
        let mut counts = PiiCounts::default();
        let redacted = redact_ranges(
            &self.scanner,
            &self.stats.policy(),
            content.as_string::<i32>(),
            records,
            stored.as_ref(),
            &mut counts,
        );
        self.stats.merge(counts);

        let (fields, mut columns, nulls) = values.clone().into_parts();
        let idx = fields
            .iter()
            .position(|f| f.name() == "content")
            .expect("content found above");
        columns[idx] = Arc::new(redacted) as ArrayRef;
        let values = StructArray::try_new(fields, columns, nulls)?;
        let DataType::List(field) = list.data_type().clone() else {
            unreachable!("checked as list")
        };
        let out = ListArray::try_new(
            field,
            list.offsets().clone(),
            Arc::new(values),
            list.nulls().cloned(),
        )?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

/// `pii_scan(text | messages) -> text`: the entity types found, comma-separated and
/// sorted, or NULL when clean. The leak gate runs it over what is about to be published;
/// it reports types, never values.
#[derive(Debug)]
pub(super) struct ScanTypes {
    scanner: Arc<Scanner>,
    stats: Arc<PiiStats>,
    signature: Signature,
}

impl ScanTypes {
    pub fn new(scanner: Arc<Scanner>, stats: Arc<PiiStats>) -> Self {
        let signature = Signature::one_of(
            vec![
                TypeSignature::Exact(vec![DataType::Utf8]),
                TypeSignature::Exact(vec![schema::messages_type()]),
            ],
            Volatility::Immutable,
        );
        ScanTypes {
            scanner,
            stats,
            signature,
        }
    }

    /// The types the redaction would have replaced: the gate and redaction share one
    /// policy, so a kept public name never fails a run.
    fn types_of(&self, policy: &Policy, texts: &mut dyn Iterator<Item = &str>) -> Option<String> {
        let mut found: Vec<&'static str> = texts
            .flat_map(|t| self.scanner.detect_with(t, policy))
            .map(|s| s.entity_type.as_str())
            .collect();
        found.sort_unstable();
        found.dedup();
        (!found.is_empty()).then(|| found.join(","))
    }
}

impl PartialEq for ScanTypes {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.scanner, &other.scanner)
    }
}
impl Eq for ScanTypes {}
impl Hash for ScanTypes {
    fn hash<H: Hasher>(&self, state: &mut H) {
        "pii_scan".hash(state)
    }
}

impl ScalarUDFImpl for ScanTypes {
    fn name(&self) -> &str {
        "pii_scan"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let array = args.args[0].to_array(args.number_rows)?;
        let policy = self.stats.policy();
        let out = per_row(&array, "pii_scan", |texts| self.types_of(&policy, texts))?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

/// One output string per row of `array` (text, or messages whose non-NULL contents are
/// the row's texts); `f` is called once per row, in order, with no texts for a NULL row.
fn per_row(
    array: &ArrayRef,
    udf: &str,
    mut f: impl FnMut(&mut dyn Iterator<Item = &str>) -> Option<String>,
) -> Result<StringArray> {
    let mut out = StringBuilder::new();
    if let Some(list) = array.as_list_opt::<i32>() {
        let values = list.values().as_struct();
        let Some(content) = values.column_by_name("content") else {
            return exec_err!("{udf}: messages have no `content` field");
        };
        let content = content.as_string::<i32>();
        let offsets = list.value_offsets();
        for i in 0..list.len() {
            let entries = match list.is_valid(i) {
                true => offsets[i] as usize..offsets[i + 1] as usize,
                false => 0..0,
            };
            let mut texts = entries
                .filter(|&j| !content.is_null(j))
                .map(|j| content.value(j));
            out.append_option(f(&mut texts));
        }
    } else {
        for t in array.as_string::<i32>().iter() {
            out.append_option(f(&mut t.into_iter()));
        }
    }
    Ok(out.finish())
}

/// `pii_dropped(text | messages, ...) -> text`: the entity types whose redaction strategy
/// is `drop` and whose placeholder appears in any of the already-redacted arguments,
/// comma-separated and sorted, or NULL. Reading the placeholders back avoids scanning the text a second time; the SQL
/// stages filter records where it is not NULL.
#[derive(Debug)]
pub(super) struct DroppedTypes {
    /// `<TYPE_` prefixes of the types to drop, with their names.
    markers: Vec<(String, &'static str)>,
    signature: Signature,
}

impl DroppedTypes {
    pub fn new(scanner: &Scanner) -> Self {
        let markers = EntityType::all()
            .iter()
            .filter(|t| scanner.strategy(**t) == Strategy::Drop)
            .map(|t| (format!("<{}_", t.as_str()), t.as_str()))
            .collect();
        DroppedTypes {
            markers,
            signature: Signature::variadic_any(Volatility::Immutable),
        }
    }

    fn dropped_in(&self, text: &str, found: &mut Vec<&'static str>) {
        for (marker, name) in &self.markers {
            if !found.contains(name) && has_placeholder(text, marker) {
                found.push(name);
            }
        }
    }
}

/// Whether `text` holds `<TYPE_1>`-style placeholder starting with `marker` (`<TYPE_`).
fn has_placeholder(text: &str, marker: &str) -> bool {
    text.match_indices(marker).any(|(at, _)| {
        let rest = &text.as_bytes()[at + marker.len()..];
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        digits > 0 && rest.get(digits) == Some(&b'>')
    })
}

impl PartialEq for DroppedTypes {
    fn eq(&self, other: &Self) -> bool {
        self.markers == other.markers
    }
}
impl Eq for DroppedTypes {}
impl Hash for DroppedTypes {
    fn hash<H: Hasher>(&self, state: &mut H) {
        "pii_dropped".hash(state)
    }
}

impl ScalarUDFImpl for DroppedTypes {
    fn name(&self) -> &str {
        "pii_dropped"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        if self.markers.is_empty() {
            let nulls = StringArray::new_null(args.number_rows);
            return Ok(ColumnarValue::Array(Arc::new(nulls)));
        }
        // Types found per row, over every argument.
        let mut rows: Vec<Vec<&'static str>> = vec![Vec::new(); args.number_rows];
        for arg in &args.args {
            let array = arg.to_array(args.number_rows)?;
            if !matches!(array.data_type(), DataType::Utf8) && array.as_list_opt::<i32>().is_none()
            {
                return exec_err!(
                    "pii_dropped takes text or messages, not {}",
                    array.data_type()
                );
            }
            let mut row = 0;
            per_row(&array, "pii_dropped", |texts| {
                for text in texts {
                    self.dropped_in(text, &mut rows[row]);
                }
                row += 1;
                None
            })?;
        }
        let out: StringArray = rows
            .into_iter()
            .map(|mut found| {
                found.sort_unstable();
                (!found.is_empty()).then(|| found.join(","))
            })
            .collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

/// The findings of each message, as `pii_detect_messages` stores them: one list per
/// message of `{start, end, code}` ([`Mention::code`]).
pub fn mentions_type() -> DataType {
    let found = Field::new("item", DataType::Struct(mention_fields()), true);
    let per_message = Field::new("item", DataType::List(Arc::new(found)), true);
    DataType::List(Arc::new(per_message))
}

fn mention_fields() -> Fields {
    Fields::from(vec![
        Field::new("start", DataType::UInt32, false),
        Field::new("end", DataType::UInt32, false),
        Field::new("code", DataType::UInt16, false),
    ])
}

/// Stored findings read back per message entry of the messages they were made for.
struct StoredMentions {
    per_message: ListArray,
    /// Message entry index → index into `per_message`.
    entry_of: Vec<Option<usize>>,
}

impl StoredMentions {
    fn of(messages: &ListArray, stored: &ArrayRef) -> Result<StoredMentions> {
        let Some(rows) = stored.as_list_opt::<i32>() else {
            return exec_err!("pii_redact_messages: mentions must be a list per record");
        };
        let per_message = rows.values().as_list::<i32>().clone();
        // A finding that cannot be read back would go unredacted: refuse, never skip.
        let codes = per_message
            .values()
            .as_struct()
            .column(2)
            .as_primitive::<UInt16Type>();
        if codes
            .values()
            .iter()
            .any(|&c| Mention::decode(0, 0, c).is_none())
        {
            return exec_err!("pii_redact_messages: mentions hold an unknown finding code");
        }
        let mut entry_of = vec![None; messages.values().len()];
        let (m_off, s_off) = (messages.value_offsets(), rows.value_offsets());
        for r in 0..messages.len() {
            if messages.is_null(r) || rows.is_null(r) {
                continue;
            }
            let n = (m_off[r + 1] - m_off[r]) as usize;
            if (s_off[r + 1] - s_off[r]) as usize != n {
                return exec_err!("pii_redact_messages: mentions do not match the messages");
            }
            for k in 0..n {
                entry_of[m_off[r] as usize + k] = Some(s_off[r] as usize + k);
            }
        }
        Ok(StoredMentions {
            per_message,
            entry_of,
        })
    }

    fn entry(&self, i: usize) -> Vec<Mention> {
        let Some(k) = self.entry_of.get(i).copied().flatten() else {
            return Vec::new();
        };
        if self.per_message.is_null(k) {
            return Vec::new();
        }
        let found = self.per_message.value(k);
        let found = found.as_struct();
        let start = found.column(0).as_primitive::<UInt32Type>();
        let end = found.column(1).as_primitive::<UInt32Type>();
        let code = found.column(2).as_primitive::<UInt16Type>();
        (0..found.len())
            .map(|j| {
                let (s, e) = (start.value(j) as usize, end.value(j) as usize);
                Mention::decode(s, e, code.value(j)).expect("codes checked in StoredMentions::of")
            })
            .collect()
    }
}

/// `pii_detect_messages(messages) -> {candidates, mentions}`: the one scan of a chat.
/// `candidates` lists the names and places a record mentions without personal context,
/// in their normal form, once per record, each with `source`: `user` when any user (or
/// tool) message mentions it, else `system` (the application's prompt), else `answer` (the
/// model, unprompted: public knowledge); the run counts distinct users per value over the
/// day from it. `mentions` stores every finding per message ([`mentions_type`]), so that
/// `pii_redact_messages` redacts with the day's decisions without scanning again.
#[derive(Debug)]
pub(super) struct DetectMessages {
    scanner: Arc<Scanner>,
    signature: Signature,
}

impl DetectMessages {
    pub fn new(scanner: Arc<Scanner>) -> Self {
        let signature = Signature::exact(vec![schema::messages_type()], Volatility::Immutable);
        DetectMessages { scanner, signature }
    }

    fn candidate_fields() -> Fields {
        Fields::from(vec![
            Field::new("entity_type", DataType::Utf8, false),
            Field::new("value", DataType::Utf8, false),
            Field::new("source", DataType::Utf8, false),
        ])
    }

    fn candidates_type() -> DataType {
        DataType::List(Arc::new(Field::new(
            "item",
            DataType::Struct(Self::candidate_fields()),
            true,
        )))
    }

    fn fields() -> Fields {
        Fields::from(vec![
            Field::new("candidates", Self::candidates_type(), true),
            Field::new("mentions", mentions_type(), true),
        ])
    }
}

scanner_udf_boilerplate!(DetectMessages);

impl ScalarUDFImpl for DetectMessages {
    fn name(&self) -> &str {
        "pii_detect_messages"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Struct(Self::fields()))
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let array = args.args[0].to_array(args.number_rows)?;
        let Some(list) = array.as_list_opt::<i32>() else {
            return exec_err!("pii_detect_messages expects a list of {{role, content}}");
        };
        let values = list.values().as_struct();
        let (Some(role), Some(content)) = (
            values.column_by_name("role"),
            values.column_by_name("content"),
        ) else {
            return exec_err!("pii_detect_messages: messages need `role` and `content`");
        };
        let (role, content) = (role.as_string::<i32>(), content.as_string::<i32>());
        let mut candidates =
            ListBuilder::new(StructBuilder::from_fields(Self::candidate_fields(), 0)).with_field(
                Arc::new(Field::new(
                    "item",
                    DataType::Struct(Self::candidate_fields()),
                    true,
                )),
            );
        let DataType::List(per_message) = mentions_type() else {
            unreachable!("mentions are a list")
        };
        let DataType::List(found_field) = per_message.data_type().clone() else {
            unreachable!("per message, a list")
        };
        let mut mentions = ListBuilder::new(
            ListBuilder::new(StructBuilder::from_fields(mention_fields(), 0))
                .with_field(found_field),
        )
        .with_field(per_message);
        let offsets = list.value_offsets();
        for i in 0..list.len() {
            if list.is_null(i) {
                candidates.append(false);
                mentions.append(false);
                continue;
            }
            // Each candidate value once, with the most personal source that mentions it
            // (any finding counts as a mention, whatever its class).
            let mut seen: Vec<(EntityType, String)> = Vec::new();
            let mut by_user: HashSet<(EntityType, String)> = HashSet::new();
            let mut by_system: HashSet<(EntityType, String)> = HashSet::new();
            for j in offsets[i] as usize..offsets[i + 1] as usize {
                let per_message = mentions.values();
                if content.is_null(j) {
                    per_message.append(true);
                    continue;
                }
                let text = content.value(j);
                let r = if role.is_null(j) {
                    "user"
                } else {
                    role.value(j)
                };
                for m in self.scanner.mentions(text) {
                    let found = per_message.values();
                    found
                        .field_builder::<UInt32Builder>(0)
                        .expect("start")
                        .append_value(m.span.start as u32);
                    found
                        .field_builder::<UInt32Builder>(1)
                        .expect("end")
                        .append_value(m.span.end as u32);
                    found
                        .field_builder::<UInt16Builder>(2)
                        .expect("code")
                        .append_value(m.code());
                    found.append(true);
                    let t = m.span.entity_type;
                    let key = (t, ::pii::normal_form(t, &text[m.span.start..m.span.end]));
                    match r {
                        "assistant" => {}
                        "system" | "developer" => {
                            by_system.insert(key.clone());
                        }
                        _ => {
                            by_user.insert(key.clone());
                        }
                    }
                    if matches!(m.class, Class::Name | Class::Place) && !seen.contains(&key) {
                        seen.push(key);
                    }
                }
                per_message.append(true);
            }
            mentions.append(true);
            let entries = candidates.values();
            for key in seen {
                let source = if by_user.contains(&key) {
                    "user"
                } else if by_system.contains(&key) {
                    "system"
                } else {
                    "answer"
                };
                for (f, v) in [key.0.as_str(), key.1.as_str(), source]
                    .into_iter()
                    .enumerate()
                {
                    entries
                        .field_builder::<StringBuilder>(f)
                        .expect("candidate field")
                        .append_value(v);
                }
                entries.append(true);
            }
            candidates.append(true);
        }
        let out = StructArray::try_new(
            Self::fields(),
            vec![
                Arc::new(candidates.finish()) as ArrayRef,
                Arc::new(mentions.finish()) as ArrayRef,
            ],
            None,
        )?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::testing::messages_list;

    /// Stored findings of one chat with one message, each `(start, end, code)`.
    fn stored(found: &[(u32, u32, u16)]) -> ArrayRef {
        let DataType::List(per_message) = mentions_type() else {
            unreachable!()
        };
        let DataType::List(found_field) = per_message.data_type().clone() else {
            unreachable!()
        };
        let mut rows = ListBuilder::new(
            ListBuilder::new(StructBuilder::from_fields(mention_fields(), 0))
                .with_field(found_field),
        )
        .with_field(per_message);
        let entries = rows.values().values();
        for &(s, e, c) in found {
            entries
                .field_builder::<UInt32Builder>(0)
                .unwrap()
                .append_value(s);
            entries
                .field_builder::<UInt32Builder>(1)
                .unwrap()
                .append_value(e);
            entries
                .field_builder::<UInt16Builder>(2)
                .unwrap()
                .append_value(c);
            entries.append(true);
        }
        rows.values().append(true);
        rows.append(true);
        Arc::new(rows.finish())
    }

    /// A stored finding this build cannot read back is refused, not skipped: skipping it
    /// would publish the value unredacted.
    #[test]
    fn unknown_finding_codes_are_refused() {
        let messages = messages_list(&[Some(&[("user", Some("mail jo@example.com"))])]);
        let code = Scanner::new().mentions("mail jo@example.com")[0].code();
        let ok = StoredMentions::of(&messages, &stored(&[(5, 19, code)])).unwrap();
        assert_eq!(ok.entry(0).len(), 1);
        assert!(StoredMentions::of(&messages, &stored(&[(5, 19, u16::MAX)])).is_err());
    }
}
