//! Text helpers for keys and budgets: normalisation for duplicate detection, a similarity
//! of two prompts for rewrites, and a token estimate for few-shot budgets.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, Float64Array, Int64Array, StringBuilder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// The normal form two prompts must share to be exact duplicates: NFKC, lowercase,
/// punctuation replaced by spaces, whitespace collapsed, trimmed.
pub fn normalize(text: &str) -> String {
    if text.is_ascii() {
        return normalize_ascii(text.as_bytes());
    }
    // Most text is already in NFKC form, which the quick check tells without decomposing
    // and recomposing every character.
    if is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        normalize_chars(text.chars(), text.len())
    } else {
        normalize_chars(text.nfkc(), text.len())
    }
}

fn normalize_chars(chars: impl Iterator<Item = char>, capacity: usize) -> String {
    let mut out = String::with_capacity(capacity);
    for c in chars {
        if c.is_whitespace() || is_punctuation(c) {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.extend(c.to_lowercase());
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// [`normalize`] of ASCII text, a byte at a time (ASCII is its own NFKC form, and its
/// whitespace is the ASCII whitespace plus vertical tab).
fn normalize_ascii(text: &[u8]) -> String {
    let mut out = Vec::with_capacity(text.len());
    for &c in text {
        if c.is_ascii_whitespace() || c == 0x0b || c.is_ascii_punctuation() {
            if !out.is_empty() && out.last() != Some(&b' ') {
                out.push(b' ');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    if out.last() == Some(&b' ') {
        out.pop();
    }
    String::from_utf8(out).expect("ASCII in, ASCII out")
}

fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(
            c,
            '\u{00A1}' | '\u{00AB}' | '\u{00BB}' | '\u{00BF}' | '\u{2010}'..='\u{2027}' | '\u{2030}'..='\u{205E}' | '\u{3001}'..='\u{3003}' | '\u{FF01}'..='\u{FF0F}'
        )
}

/// `fw_normalize(text) -> text`, see [`normalize`].
#[derive(Debug, PartialEq, Eq, Hash)]
pub(super) struct NormalizeText {
    signature: Signature,
}

impl NormalizeText {
    pub fn new() -> Self {
        NormalizeText {
            signature: Signature::uniform(1, vec![DataType::Utf8], Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for NormalizeText {
    fn name(&self) -> &str {
        "fw_normalize"
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
        let mut out = StringBuilder::with_capacity(texts.len(), texts.value_data().len());
        for t in texts.iter() {
            out.append_option(t.map(normalize));
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

/// `fw_token_estimate(text) -> bigint`: about four characters per token, the usual rule of
/// thumb for English with BPE tokenizers; budgets need an estimate, not an exact count.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(super) struct TokenEstimate {
    signature: Signature,
}

impl TokenEstimate {
    pub fn new() -> Self {
        TokenEstimate {
            signature: Signature::uniform(1, vec![DataType::Utf8], Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for TokenEstimate {
    fn name(&self) -> &str {
        "fw_token_estimate"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let array = args.args[0].to_array(args.number_rows)?;
        let texts = array.as_string::<i32>();
        let out: Int64Array = texts
            .iter()
            .map(|t| t.map(|t| t.chars().count().div_ceil(4) as i64))
            .collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

/// The distinct character trigrams of `normalize(text)`, sorted, each packed into a u64
/// (three 21-bit code points); a text shorter than three characters is its own single
/// gram, marked by the top bit. Sorted vectors rather than hash sets: two merge passes
/// are several times cheaper than hashing every gram.
pub(super) fn trigrams(text: &str) -> Vec<u64> {
    let chars: Vec<char> = normalize(text).chars().collect();
    let pack = |w: &[char]| w.iter().fold(0u64, |h, &c| (h << 21) | u64::from(c));
    if chars.len() < 3 {
        return vec![pack(&chars) | (1 << 63)];
    }
    let mut grams: Vec<u64> = chars.windows(3).map(pack).collect();
    grams.sort_unstable();
    grams.dedup();
    grams
}

/// Jaccard similarity of the character trigrams of two normalised texts, in [0, 1].
/// Trigrams rather than word shingles: a re-asked prompt differs by a typo or a word, and
/// prompts are often too short for word shingles to say anything.
pub fn text_similarity(a: &str, b: &str) -> f64 {
    jaccard(&trigrams(a), &trigrams(b))
}

/// Jaccard similarity of two sorted, distinct [`trigrams`] vectors.
pub(super) fn jaccard(x: &[u64], y: &[u64]) -> f64 {
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while i < x.len() && j < y.len() {
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    shared as f64 / (x.len() + y.len() - shared) as f64
}

/// `fw_similarity(text, text) -> double`, see [`text_similarity`]; NULL if either is NULL.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(super) struct Similarity {
    signature: Signature,
}

impl Similarity {
    pub fn new() -> Self {
        Similarity {
            signature: Signature::uniform(2, vec![DataType::Utf8], Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for Similarity {
    fn name(&self) -> &str {
        "fw_similarity"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let a = args.args[0].to_array(args.number_rows)?;
        let b = args.args[1].to_array(args.number_rows)?;
        let out: Float64Array = a
            .as_string::<i32>()
            .iter()
            .zip(b.as_string::<i32>().iter())
            .map(|(a, b)| Some(text_similarity(a?, b?)))
            .collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

#[cfg(test)]
mod tests {
    use super::{normalize, normalize_chars, text_similarity};
    use unicode_normalization::UnicodeNormalization;

    #[test]
    fn ascii_fast_path_matches_the_char_path() {
        // A trailing "é" sends the same text through the NFKC char path.
        for c in 0u8..0x80 {
            for text in [
                format!("A{}b", c as char),
                format!("{}x{} ", c as char, c as char),
            ] {
                let slow = normalize(&format!("{text} é"));
                let slow = slow.trim_end_matches('é').trim_end();
                assert_eq!(normalize(&text), slow, "byte {c:#04x}");
            }
        }
    }

    #[test]
    fn normalize_folds_case_punctuation_and_width() {
        assert_eq!(normalize("  Hello,   World!! "), "hello world");
        assert_eq!(normalize("ＨＥＬＬＯ：world"), "hello world");
        assert_eq!(normalize("What's 2+2?"), "what s 2 2");
        assert_eq!(normalize(""), "");
    }

    /// Text the NFKC quick check passes is folded without decomposing it; every text
    /// folds as its full NFKC form does.
    #[test]
    fn normalize_agrees_with_the_full_nfkc_path() {
        for text in [
            "naïve café — “quoted” · Straße ΣΊΣΥΦΟΣ 東京",
            "Cafe\u{301} au lait",
            "ＨＥＬＬＯ，ｗｏｒｌｄ",
            "ﬁnance ① ㎏ ½",
            "emoji 🙂 and tabs\tand\u{a0}spaces",
        ] {
            assert_eq!(
                normalize(text),
                normalize_chars(text.nfkc(), text.len()),
                "{text}"
            );
        }
        assert_eq!(normalize("ﬁnance ①"), "finance 1");
        assert_eq!(normalize("Cafe\u{301}"), "café");
    }

    #[test]
    fn similarity_tolerates_typos_and_separates_other_prompts() {
        let a = "How do I reverse a linked list in Python?";
        assert_eq!(
            text_similarity(a, "how do i reverse a linked list in python"),
            1.0
        );
        let typo = text_similarity(a, "How do I revrese a linked list in Python please?");
        assert!(typo > 0.6 && typo < 1.0, "{typo}");
        let other = text_similarity(a, "Write a haiku about autumn leaves on a pond");
        assert!(other < 0.2, "{other}");
        assert_eq!(text_similarity("ok", "ok"), 1.0);
        assert_eq!(text_similarity("ok", "no"), 0.0);
        assert_eq!(text_similarity("", ""), 1.0);
    }

    /// The merge over sorted packed grams is exactly set Jaccard over character trigrams,
    /// repeated grams, short texts and characters beyond the BMP included.
    #[test]
    fn similarity_is_exact_trigram_jaccard() {
        use std::collections::HashSet;
        let grams = |t: &str| -> HashSet<Vec<char>> {
            let c: Vec<char> = normalize(t).chars().collect();
            if c.len() < 3 {
                return HashSet::from([c]);
            }
            c.windows(3).map(<[char]>::to_vec).collect()
        };
        let texts = [
            "aaaa aaaa aaaa",
            "aaa",
            "ab",
            "abc",
            "Über straße über STRASSE",
            "emoji 😀😀😀 party 🎉",
            "emoji 😀😀 party",
            "How do I reverse a linked list in Python?",
            "how to reverse linked list python",
        ];
        for a in texts {
            for b in texts {
                let (x, y) = (grams(a), grams(b));
                let want = x.intersection(&y).count() as f64 / x.union(&y).count() as f64;
                assert_eq!(text_similarity(a, b), want, "{a:?} / {b:?}");
            }
        }
    }
}

/// `fw_chat_hash(messages) -> bigint`: a hash of a conversation's roles and contents, so
/// two rows under one `interaction_id` can be told apart (a record delivered twice, or an
/// id reused for another conversation). Compared within one run only: SipHash with fixed
/// keys, fast enough to run over every row.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(super) struct ChatHash {
    signature: Signature,
}

impl ChatHash {
    pub fn new() -> Self {
        ChatHash {
            signature: Signature::any(1, Volatility::Immutable),
        }
    }
}

/// [`ChatHash`] of one list of `{role, content}` structs.
fn chat_hash(messages: &dyn Array) -> i64 {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let messages = messages.as_struct();
    let column = |name: &str| messages.column_by_name(name).map(|c| c.as_string::<i32>());
    let (roles, contents) = (column("role"), column("content"));
    let mut h = DefaultHasher::new();
    messages.len().hash(&mut h);
    for i in 0..messages.len() {
        roles
            .and_then(|r| r.is_valid(i).then(|| r.value(i)))
            .hash(&mut h);
        contents
            .and_then(|c| c.is_valid(i).then(|| c.value(i)))
            .hash(&mut h);
    }
    h.finish() as i64
}

impl ScalarUDFImpl for ChatHash {
    fn name(&self) -> &str {
        "fw_chat_hash"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match &arg_types[0] {
            DataType::List(item) if matches!(item.data_type(), DataType::Struct(_)) => {
                Ok(DataType::Int64)
            }
            other => datafusion::common::plan_err!(
                "fw_chat_hash expects a list of {{role, content}} messages, got {other}"
            ),
        }
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let array = args.args[0].to_array(args.number_rows)?;
        let lists = array.as_list::<i32>();
        let out: Int64Array = (0..lists.len())
            .map(|i| {
                lists
                    .is_valid(i)
                    .then(|| chat_hash(lists.value(i).as_ref()))
            })
            .collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}
