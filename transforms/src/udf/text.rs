//! Text helpers for keys and budgets: normalisation for duplicate detection and a token
//! estimate for few-shot budgets.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, Int64Array, StringBuilder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use unicode_normalization::UnicodeNormalization;

/// The normal form two prompts must share to be exact duplicates: NFKC, lowercase,
/// punctuation replaced by spaces, whitespace collapsed, trimmed.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let push = |c: char, out: &mut String| {
        if c.is_whitespace() || is_punctuation(c) {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.extend(c.to_lowercase());
        }
    };
    if text.is_ascii() {
        text.chars().for_each(|c| push(c, &mut out));
    } else {
        text.nfkc().for_each(|c| push(c, &mut out));
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
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

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn normalize_folds_case_punctuation_and_width() {
        assert_eq!(normalize("  Hello,   World!! "), "hello world");
        assert_eq!(normalize("ＨＥＬＬＯ：world"), "hello world");
        assert_eq!(normalize("What's 2+2?"), "what s 2 2");
        assert_eq!(normalize(""), "");
    }
}
