//! PII redaction as vectorised UDFs over Arrow string arrays.
//!
//! `pii_redact(text)` scrubs one string column; `pii_redact_messages(messages)` scrubs the
//! `content` of every message in a chat, numbering placeholders per record so that the
//! same address in two turns becomes the same `<EMAIL_ADDRESS_1>`. Findings are counted per
//! entity type into [`PiiStats`] for the run report; values are never recorded.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use ::pii::{RecordContext, Scanner};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, ListArray, StringBuilder, StructArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, TypeSignature, Volatility,
};

use crate::schema;

/// Findings per entity type, accumulated over every batch the UDFs see.
#[derive(Debug, Default)]
pub struct PiiStats {
    inner: Mutex<PiiCounts>,
}

#[derive(Debug, Default, Clone)]
struct PiiCounts {
    by_type: BTreeMap<&'static str, u64>,
    values_scanned: u64,
    values_redacted: u64,
}

impl PiiStats {
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
    }
}

impl PiiCounts {
    fn record(&mut self, ctx: &RecordContext) {
        for (t, n) in ctx.counts() {
            *self.by_type.entry(t.as_str()).or_default() += n as u64;
        }
    }
}

/// Redacts each string of `texts` into `out`; `records` gives the index ranges that share
/// placeholder numbering (one range per record).
fn redact_ranges(
    scanner: &Scanner,
    texts: &datafusion::arrow::array::StringArray,
    records: impl Iterator<Item = std::ops::Range<usize>>,
    counts: &mut PiiCounts,
) -> datafusion::arrow::array::StringArray {
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
        for i in range.clone() {
            if texts.is_null(i) {
                out.append_null();
                continue;
            }
            counts.values_scanned += 1;
            match scanner.redact_in(texts.value(i), &mut ctx) {
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
            texts,
            (0..texts.len()).map(|i| i..i + 1),
            &mut counts,
        );
        self.stats.merge(counts);
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

/// `pii_redact_messages(messages) -> messages`: chat contents redacted per record.
#[derive(Debug)]
pub(super) struct RedactMessages {
    scanner: Arc<Scanner>,
    stats: Arc<PiiStats>,
    signature: Signature,
}

impl RedactMessages {
    pub fn new(scanner: Arc<Scanner>, stats: Arc<PiiStats>) -> Self {
        let signature = Signature::exact(vec![schema::messages_type()], Volatility::Immutable);
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
        let mut counts = PiiCounts::default();
        let redacted = redact_ranges(
            &self.scanner,
            content.as_string::<i32>(),
            records,
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
    signature: Signature,
}

impl ScanTypes {
    pub fn new(scanner: Arc<Scanner>) -> Self {
        let signature = Signature::one_of(
            vec![
                TypeSignature::Exact(vec![DataType::Utf8]),
                TypeSignature::Exact(vec![schema::messages_type()]),
            ],
            Volatility::Immutable,
        );
        ScanTypes { scanner, signature }
    }

    fn types_of<'a>(&self, texts: impl Iterator<Item = &'a str>) -> Option<String> {
        let mut found: Vec<&'static str> = texts
            .flat_map(|t| self.scanner.detect(t))
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
        let mut out = StringBuilder::new();
        if let Some(list) = array.as_list_opt::<i32>() {
            let values = list.values().as_struct();
            let Some(content) = values.column_by_name("content") else {
                return exec_err!("pii_scan: messages have no `content` field");
            };
            let content = content.as_string::<i32>();
            let offsets = list.value_offsets();
            for i in 0..list.len() {
                let range = offsets[i] as usize..offsets[i + 1] as usize;
                let texts = range
                    .filter(|&j| !content.is_null(j))
                    .map(|j| content.value(j));
                out.append_option(self.types_of(texts));
            }
        } else {
            for t in array.as_string::<i32>().iter() {
                out.append_option(t.and_then(|t| self.types_of(std::iter::once(t))));
            }
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}
