//! Answer quality from the text itself, the way web-text filters judge documents
//! (repetition, truncation, boilerplate), for the answers feedback says little about.
//!
//! `fw_answer_defects(prompt, answer)` names what is wrong with an answer: each check is a
//! cheap pass over the answer, written to flag clear cases only (a false flag costs a
//! good example its bank place). Scoring, weights and what a defect excludes are in SQL.

use std::sync::{Arc, OnceLock};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder};
use datafusion::arrow::array::{Array, AsArray, StringBuilder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

/// A defect of an answer, in the order they are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defect {
    /// Degenerate repetition: the same lines or word 3-grams over and over.
    Repetition,
    /// Cut off: an unclosed code fence, or prose ending on a dangling word or comma.
    Truncated,
    /// Tokens or markup of the model's template in the text (`<pad>`, `</s>`, `[INST]`).
    LeakedMarkup,
    /// The model ran on into the next turn ("User:", "### Human:").
    RunsOn,
    /// Refusal boilerplate ("As an AI language model", "I cannot assist").
    Refusal,
    /// A word or two where the prompt asked for an explanation.
    TooShort,
    /// Written in another script or language than the prompt.
    OtherLanguage,
    /// A code block with nothing in it.
    EmptyCode,
}

impl Defect {
    pub fn name(self) -> &'static str {
        match self {
            Defect::Repetition => "repetition",
            Defect::Truncated => "truncated",
            Defect::LeakedMarkup => "leaked_markup",
            Defect::RunsOn => "runs_on",
            Defect::Refusal => "refusal",
            Defect::TooShort => "too_short",
            Defect::OtherLanguage => "other_language",
            Defect::EmptyCode => "empty_code",
        }
    }
}

/// Share of repeated lines or word 3-grams at which an answer is degenerate: prose
/// repeats a few percent of its 3-grams, a looping answer most of them.
const MAX_REPETITION: f64 = 0.4;

/// The defects of `answer` to `prompt`, in [`Defect`] order.
pub fn defects(prompt: &str, answer: &str) -> Vec<Defect> {
    let mut out = Vec::new();
    if repetition(answer) >= MAX_REPETITION {
        out.push(Defect::Repetition);
    }
    if truncated(answer) {
        out.push(Defect::Truncated);
    }
    if leaked_markup(answer) {
        out.push(Defect::LeakedMarkup);
    }
    if runs_on(answer) {
        out.push(Defect::RunsOn);
    }
    if refusal(answer) {
        out.push(Defect::Refusal);
    }
    if too_short(prompt, answer) {
        out.push(Defect::TooShort);
    }
    if other_language(prompt, answer) {
        out.push(Defect::OtherLanguage);
    }
    if empty_code(answer) {
        out.push(Defect::EmptyCode);
    }
    out
}

/// The larger of the share of repeated lines (of 10+ bytes) and the share of repeated
/// word 3-grams, for answers long enough to tell (30+ words). Words and lines are
/// compared by a case-folded hash, and repeats counted in a bitmap: this runs over the
/// answers of every row with feedback.
pub fn repetition(answer: &str) -> f64 {
    let mut words = answer
        .as_bytes()
        .split(u8::is_ascii_whitespace)
        .filter(|w| !w.is_empty())
        .map(fold);
    let (Some(mut a), Some(mut b)) = (words.next(), words.next()) else {
        return 0.0;
    };
    let mut n = 2;
    let grams = repeated_share(words.map(|c| {
        let gram = a.rotate_left(1) ^ b.rotate_left(23) ^ c.rotate_left(45);
        (a, b, n) = (b, c, n + 1);
        gram
    }));
    if n < 30 {
        return 0.0;
    }
    let lines: Vec<u64> = answer
        .lines()
        .map(str::trim)
        .filter(|l| l.len() >= 10)
        .map(|l| fold(l.as_bytes()))
        .collect();
    let lines = if lines.len() >= 4 {
        repeated_share(lines.into_iter())
    } else {
        0.0
    };
    grams.max(lines)
}

/// A hash of `bytes` with ASCII letters case-folded, eight bytes at a time (`| 0x20`
/// also maps a few punctuation pairs together, which only makes repeats a little
/// likelier).
fn fold(bytes: &[u8]) -> u64 {
    const FOLD: u64 = 0x2020_2020_2020_2020;
    let mix = |h: u64, x: u64| {
        (h ^ (x | FOLD))
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(31)
    };
    let mut h = 0x243F_6A88_85A3_08D3 ^ bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        h = mix(h, u64::from_le_bytes(c.try_into().expect("eight bytes")));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut last = [0u8; 8];
        last[..rest.len()].copy_from_slice(rest);
        h = mix(h, u64::from_le_bytes(last));
    }
    h ^ (h >> 29)
}

/// The share of `items` equal to an earlier one, counted in a 64 Ki-bit bitmap (with a
/// thousand distinct items, a new one reads as a repeat ~1.5% of the time: far below the
/// share that flags an answer).
fn repeated_share(items: impl Iterator<Item = u64>) -> f64 {
    thread_local! {
        static SEEN: std::cell::RefCell<Vec<u64>> = std::cell::RefCell::new(vec![0; 1024]);
    }
    SEEN.with(|seen| {
        let mut seen = seen.borrow_mut();
        let mut touched = Vec::new();
        let (mut total, mut repeats) = (0usize, 0usize);
        for h in items {
            let bit = (h >> 48) as usize;
            let (word, mask) = (bit / 64, 1u64 << (bit % 64));
            if seen[word] == 0 {
                touched.push(word);
            }
            repeats += usize::from(seen[word] & mask != 0);
            seen[word] |= mask;
            total += 1;
        }
        // Clear what this call set, not the whole bitmap: it runs once or twice per row.
        for word in touched {
            seen[word] = 0;
        }
        if total == 0 {
            0.0
        } else {
            repeats as f64 / total as f64
        }
    })
}

/// Words of a prompt that ask for a long answer.
const ASKS_FOR_LENGTH: &[&str] = &[
    "explain",
    "describe",
    "in detail",
    "step by step",
    "essay",
    "summarize",
    "summarise",
    "walk me through",
];

/// A word or two (under 16 characters) for a prompt of 12 words or more that asks for an
/// explanation. Short answers are often right ("101, 103, 107.", "No.", a role play's
/// "OK"), so only this clear case counts.
fn too_short(prompt: &str, answer: &str) -> bool {
    let answer = answer.trim();
    // 64 bytes are at least 16 characters: most answers stop here.
    if answer.len() >= 64 || answer.chars().count() >= 16 || answer.split_whitespace().count() > 2 {
        return false;
    }
    let asked = prompt.to_lowercase();
    asked.split_whitespace().count() >= 12 && ASKS_FOR_LENGTH.iter().any(|w| asked.contains(w))
}

/// Words that do not end a finished sentence.
const DANGLING: &[&str] = &[
    "and", "or", "but", "the", "a", "an", "of", "to", "with", "for", "in", "on", "that", "which",
    "is", "are", "was", "were", "by", "from", "as", "at", "if", "because",
];

fn truncated(answer: &str) -> bool {
    if answer.matches("```").count() % 2 == 1 {
        return true;
    }
    let text = answer.trim_end();
    if text.len() < 200 {
        return false;
    }
    if text.ends_with(',') {
        return true;
    }
    let last = text
        .rsplit(|c: char| c.is_whitespace())
        .next()
        .unwrap_or("");
    if last.chars().all(char::is_alphabetic) && DANGLING.contains(&last.to_lowercase().as_str()) {
        return true;
    }
    stops_mid_sentence(text, last)
}

/// A last line of prose (six words or more, not a list item) ending on a lower-case word:
/// a finished sentence ends in punctuation. On the dev logs such answers average 0.47
/// satisfaction against 0.70 for the rest. Links, list items and scripts without case
/// (Hebrew, Chinese) often end without punctuation, so they do not count.
fn stops_mid_sentence(text: &str, last_word: &str) -> bool {
    if !text.ends_with(|c: char| c.is_lowercase()) || last_word.contains('/') {
        return false;
    }
    let line = text.rsplit('\n').next().unwrap_or("").trim_start();
    let list_item = line.starts_with(['-', '*', '•'])
        || line
            .split_once(['.', ')'])
            .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    !list_item && line.split_whitespace().nth(5).is_some()
}

/// Special tokens and template markup that never belong in an answer (`<|name|>` tokens
/// are caught whatever their name, by [`special_token`]).
const MARKUP: &[&str] = &[
    "<pad>", "</s>", "<s>", "<unk>", "[INST]", "[/INST]", "<<SYS>>",
];

/// One automaton per word list, built once and shared by every call.
fn automaton(
    cell: &'static OnceLock<AhoCorasick>,
    words: &[&str],
    ascii_case_insensitive: bool,
) -> &'static AhoCorasick {
    cell.get_or_init(|| {
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(ascii_case_insensitive)
            .build(words)
            .expect("fixed word lists build")
    })
}

fn leaked_markup(answer: &str) -> bool {
    static MARKUP_AC: OnceLock<AhoCorasick> = OnceLock::new();
    let starts_with_role = [
        "Assistant:",
        "ASSISTANT:",
        "### Assistant:",
        "### Response:",
    ]
    .iter()
    .any(|r| answer.trim_start().starts_with(r));
    starts_with_role
        || automaton(&MARKUP_AC, MARKUP, false).is_match(answer)
        || special_token(answer)
}

/// `<|name|>`: the delimiters of special tokens in most chat templates, whatever the name
/// (`<|prefix_end|>`, `<|endofprompt|>`); prose and code do not write them.
fn special_token(answer: &str) -> bool {
    answer.match_indices("<|").any(|(at, _)| {
        let rest = &answer[at + 2..];
        rest.find("|>").is_some_and(|end| {
            end > 0
                && end <= 32
                && rest[..end]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        })
    })
}

/// Labels of a next turn at the start of a line after the first.
const NEXT_TURN: &[&str] = &[
    "User:",
    "USER:",
    "Human:",
    "HUMAN:",
    "### Human:",
    "### User:",
    "### Instruction:",
    "<|user|>",
];

fn runs_on(answer: &str) -> bool {
    static NEXT_TURN_AC: OnceLock<AhoCorasick> = OnceLock::new();
    let b = answer.as_bytes();
    automaton(&NEXT_TURN_AC, NEXT_TURN, false)
        .find_iter(answer)
        .any(|m| {
            // At the start of a line after the first (indentation allowed).
            let before = &b[..m.start()];
            let line_start = before
                .iter()
                .rposition(|&c| c == b'\n')
                .map(|nl| before[nl + 1..].iter().all(|c| *c == b' ' || *c == b'\t'));
            line_start == Some(true)
        })
}

/// Openings of refusal boilerplate, lowercased with straight apostrophes.
const REFUSALS: &[&str] = &[
    "as an ai language model",
    "as an ai, i",
    "i'm sorry, but i can",
    "i am sorry, but i can",
    "i'm sorry, i can't",
    "i cannot assist",
    "i can't assist",
    "i can't help with that",
    "i cannot help with that",
    "i'm not able to help with",
    "i am not able to help with",
    "i'm not prepared to discuss",
    "i am not prepared to discuss",
    "i'm not comfortable",
    "i will not provide",
    "i won't provide",
];

fn refusal(answer: &str) -> bool {
    static REFUSALS_AC: OnceLock<AhoCorasick> = OnceLock::new();
    let mut cut = answer.len().min(240);
    while !answer.is_char_boundary(cut) {
        cut -= 1;
    }
    let head = &answer[..cut];
    let ac = automaton(&REFUSALS_AC, REFUSALS, true);
    // Typographic apostrophes ("I’m") read as straight ones.
    if head.contains('\u{2019}') {
        ac.is_match(&head.replace('\u{2019}', "'"))
    } else {
        ac.is_match(head)
    }
}

/// The writing system of most of a text's letters.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Script {
    Latin,
    Cyrillic,
    Greek,
    Arabic,
    Hebrew,
    Cjk,
    Hangul,
    Devanagari,
    Thai,
    Other,
}

/// Every [`Script`], in declaration order (`Script as usize` indexes it).
const SCRIPTS: [Script; 10] = [
    Script::Latin,
    Script::Cyrillic,
    Script::Greek,
    Script::Arabic,
    Script::Hebrew,
    Script::Cjk,
    Script::Hangul,
    Script::Devanagari,
    Script::Thai,
    Script::Other,
];

fn script(c: char) -> Script {
    match c as u32 {
        0x41..=0x5A | 0x61..=0x7A | 0xC0..=0x24F => Script::Latin,
        0x370..=0x3FF => Script::Greek,
        0x400..=0x52F => Script::Cyrillic,
        0x590..=0x5FF => Script::Hebrew,
        0x600..=0x6FF => Script::Arabic,
        0x900..=0x97F => Script::Devanagari,
        0xE00..=0xE7F => Script::Thai,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF => Script::Cjk,
        0xAC00..=0xD7AF => Script::Hangul,
        _ => Script::Other,
    }
}

/// The script of at least two thirds of the text's letters (20 or more), if one has
/// them (code, names and product words in Latin letters fill the rest).
fn main_script(text: &str) -> Option<Script> {
    let (counts, letters) = script_counts(text);
    main_of(&counts, letters)
}

/// Letters of the first thousand characters per [`Script`], and in all. ASCII, most
/// text, is counted a byte at a time.
fn script_counts(text: &str) -> ([usize; SCRIPTS.len()], usize) {
    let mut counts = [0usize; SCRIPTS.len()];
    let head = &text.as_bytes()[..text.len().min(1000)];
    if head.is_ascii() {
        let n = head.iter().filter(|b| b.is_ascii_alphabetic()).count();
        counts[Script::Latin as usize] = n;
        return (counts, n);
    }
    let mut letters = 0;
    for c in text.chars().take(1000) {
        let letter = if c.is_ascii() {
            c.is_ascii_alphabetic()
        } else {
            c.is_alphabetic()
        };
        if letter {
            counts[script(c) as usize] += 1;
            letters += 1;
        }
    }
    (counts, letters)
}

/// The script of two thirds of `letters` (20 or more), if one has them.
fn main_of(counts: &[usize; SCRIPTS.len()], letters: usize) -> Option<Script> {
    let (best, n) = counts
        .iter()
        .enumerate()
        .max_by_key(|(_, n)| **n)
        .expect("some scripts");
    (letters >= 20 && *n * 3 >= letters * 2).then_some(SCRIPTS[best])
}

/// Frequent function words of the Latin-script languages chats are most often in; none is
/// also a common English word ("do", "per", "die" are left out).
const STOPWORDS: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "the", "and", "is", "you", "that", "it", "of", "to", "with", "this", "are", "for",
        ],
    ),
    (
        "es",
        &[
            "el", "los", "las", "que", "es", "y", "por", "para", "con", "una", "del", "pero",
        ],
    ),
    (
        "fr",
        &[
            "le", "les", "est", "et", "des", "une", "pour", "dans", "vous", "avec", "je", "sur",
        ],
    ),
    (
        "de",
        &[
            "der", "das", "und", "ist", "nicht", "ein", "eine", "mit", "sie", "ich", "zu", "auf",
        ],
    ),
    (
        "pt",
        &[
            "não", "você", "uma", "é", "com", "isso", "também", "mais", "como", "muito",
        ],
    ),
    (
        "it",
        &[
            "il", "che", "è", "di", "sono", "gli", "della", "questo", "anche", "perché",
        ],
    ),
];

/// Function word (as [`word_key`]) → the languages (bit i: `STOPWORDS[i]`) it belongs to,
/// sorted.
fn stopword_languages() -> &'static [(u64, u8)] {
    static TABLE: OnceLock<Vec<(u64, u8)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table: Vec<(u64, u8)> = Vec::new();
        for (i, (_, words)) in STOPWORDS.iter().enumerate() {
            for w in *words {
                let key = word_key(w.as_bytes()).expect("function words are short");
                match table.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, langs)) => *langs |= 1 << i,
                    None => table.push((key, 1 << i)),
                }
            }
        }
        table.sort_unstable();
        table
    })
}

/// A word of up to eight bytes as one integer, ASCII lowercased: a table lookup is then
/// a few integer comparisons.
fn word_key(w: &[u8]) -> Option<u64> {
    (w.len() <= 8).then(|| {
        w.iter()
            .fold(0u64, |k, b| (k << 8) | u64::from(b.to_ascii_lowercase()))
    })
}

/// The language whose function words make up clearly most of those found (`min_hits` or
/// more, and twice the next language's), judged on the first 400 bytes.
fn latin_language(text: &str, min_hits: usize) -> Option<&'static str> {
    let table = stopword_languages();
    let mut hits = [0usize; STOPWORDS.len()];
    // Words: runs of ASCII letters and non-ASCII bytes (accented letters), lowercased in
    // place of ASCII; function words are short, so longer runs are skipped.
    let head = &text.as_bytes()[..text.len().min(400)];
    for w in head.split(|b| b.is_ascii() && !b.is_ascii_alphabetic()) {
        let Some(key) = word_key(w).filter(|_| !w.is_empty()) else {
            continue;
        };
        if let Ok(at) = table.binary_search_by(|(k, _)| k.cmp(&key)) {
            for (i, h) in hits.iter_mut().enumerate() {
                if table[at].1 & (1 << i) != 0 {
                    *h += 1;
                }
            }
        }
    }
    let best = (0..hits.len()).max_by_key(|&i| (hits[i], std::cmp::Reverse(i)))?;
    let second = (0..hits.len())
        .filter(|&i| i != best)
        .map(|i| hits[i])
        .max()
        .unwrap_or(0);
    (hits[best] >= min_hits && hits[best] >= 2 * second).then_some(STOPWORDS[best].0)
}

/// Words of a prompt that ask for another language on purpose.
const LANGUAGE_REQUESTS: &[&str] = &[
    "translat",
    "traduc",
    "übersetz",
    "english",
    "spanish",
    "french",
    "german",
    "italian",
    "portuguese",
    "russian",
    "chinese",
    "japanese",
    "korean",
    "arabic",
    "hindi",
    "español",
    "français",
    "deutsch",
    "language",
];

fn other_language(prompt: &str, answer: &str) -> bool {
    let Some(a) = main_script(answer) else {
        return false;
    };
    let (counts, letters) = script_counts(prompt);
    let differs = if counts[a as usize] * 5 < letters {
        // Another script: the prompt has (next to) none of the answer's, so code, logs
        // and names in Latin letters around a question in Russian do not count against it.
        main_of(&counts, letters).is_some()
    } else {
        // The same Latin script: the function words tell the languages apart.
        a == Script::Latin
            && latin_language(prompt, 3)
                .is_some_and(|p| latin_language(answer, 5).is_some_and(|a| a != p))
    };
    differs && {
        let asked = prompt.to_lowercase();
        !LANGUAGE_REQUESTS.iter().any(|w| asked.contains(w))
    }
}

fn empty_code(answer: &str) -> bool {
    let parts: Vec<&str> = answer.split("```").collect();
    // Odd parts are fence bodies: the info string ("python") on the first line, then code.
    parts
        .iter()
        .skip(1)
        .step_by(2)
        .take(parts.len() / 2)
        .any(|body| {
            body.split_once('\n')
                .map_or(*body, |(_, code)| code)
                .trim()
                .is_empty()
        })
}

/// `fw_answer_defects(prompt, answer) -> varchar`: the names of the answer's [`Defect`]s
/// joined by commas, NULL when it has none (or either text is NULL).
#[derive(Debug, PartialEq, Eq, Hash)]
pub(super) struct AnswerDefects {
    signature: Signature,
}

impl AnswerDefects {
    pub fn new() -> Self {
        AnswerDefects {
            signature: Signature::uniform(2, vec![DataType::Utf8], Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for AnswerDefects {
    fn name(&self) -> &str {
        "fw_answer_defects"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let prompts = args.args[0].to_array(args.number_rows)?;
        let answers = args.args[1].to_array(args.number_rows)?;
        let (prompts, answers) = (prompts.as_string::<i32>(), answers.as_string::<i32>());
        let mut out = StringBuilder::with_capacity(answers.len(), 0);
        for i in 0..answers.len() {
            if prompts.is_null(i) || answers.is_null(i) {
                out.append_null();
                continue;
            }
            let found = defects(prompts.value(i), answers.value(i));
            if found.is_empty() {
                out.append_null();
            } else {
                let names: Vec<&str> = found.iter().map(|d| d.name()).collect();
                out.append_value(names.join(","));
            }
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUESTION: &str = "How do I read a CSV file in Python and sum one of its columns?";
    const GOOD: &str = "Use the csv module: open the file, wrap it in csv.DictReader, and add \
        up float(row['amount']) for each row. With pandas it is one line: \
        pd.read_csv('f.csv')['amount'].sum(). Both skip the header for you.";

    fn names(prompt: &str, answer: &str) -> Vec<&'static str> {
        defects(prompt, answer)
            .into_iter()
            .map(Defect::name)
            .collect()
    }

    #[test]
    fn a_good_answer_has_no_defect() {
        assert!(
            names(QUESTION, GOOD).is_empty(),
            "{:?}",
            names(QUESTION, GOOD)
        );
        let code = "Here you go:\n```python\nimport csv\nprint(sum(float(r['a']) for r in \
                    csv.DictReader(open('f.csv'))))\n```\nThat prints the total.";
        assert!(
            names(QUESTION, code).is_empty(),
            "{:?}",
            names(QUESTION, code)
        );
        // Short answers to short prompts are fine.
        assert!(names("Thanks!", "You're welcome.").is_empty());
    }

    #[test]
    fn a_looping_answer_is_repetition() {
        let looping = "I can help with that. ".repeat(20);
        assert_eq!(names(QUESTION, &looping), ["repetition"]);
        let lines = "Step one: open the file\n".repeat(8);
        assert!(names(QUESTION, &lines).contains(&"repetition"));
        assert!(repetition(GOOD) < 0.1);
    }

    #[test]
    fn an_answer_cut_mid_sentence_is_truncated() {
        let cut = format!("{GOOD} It also handles quoting and");
        assert_eq!(names(QUESTION, &cut), ["truncated"]);
        let fence = "Here is the code:\n```python\nimport csv\nfor row in reader:";
        assert_eq!(names(QUESTION, fence), ["truncated"]);
        let stopped = format!("{GOOD} This way your totals stay exact even when the file grows");
        assert_eq!(names(QUESTION, &stopped), ["truncated"]);
    }

    #[test]
    fn lists_links_and_short_closing_lines_may_end_without_punctuation() {
        for end in [
            "\n- read the file with the csv module and add the column up",
            "\n3. read the file with the csv module and add the column up",
            " The docs are at https://docs.python.org/3/library/csv",
            "\n\nCheers, and good luck",
        ] {
            let answer = format!("{GOOD}{end}");
            assert!(names(QUESTION, &answer).is_empty(), "{end}");
        }
    }

    #[test]
    fn template_tokens_and_next_turns_are_caught() {
        assert_eq!(
            names(QUESTION, &format!("{GOOD}<pad><pad>")),
            ["leaked_markup"]
        );
        assert_eq!(
            names(QUESTION, &format!("[INST] {GOOD}")),
            ["leaked_markup"]
        );
        assert_eq!(
            names(QUESTION, &format!("{GOOD}\n\n### Human: and in Rust?")),
            ["runs_on"]
        );
        assert_eq!(
            names(
                QUESTION,
                &format!("Use the csv<|prefix_end|> module. {GOOD}")
            ),
            ["leaked_markup"]
        );
        // A tag in code is not a leaked token, nor is `<|` in an expression.
        assert!(names(QUESTION, "Write `a <| b |> c` in F#, or `x <|| y`.").is_empty());
        assert!(names(QUESTION, "Use <span> and <div> elements.").is_empty());
    }

    #[test]
    fn refusals_short_answers_and_empty_code() {
        assert_eq!(
            names(
                QUESTION,
                "As an AI language model, I cannot browse your files."
            ),
            ["refusal"]
        );
        assert_eq!(
            names(QUESTION, "I\u{2019}m not prepared to discuss it."),
            ["refusal"]
        );
        let explain = "Can you explain step by step how the garbage collector in Java decides \
            which objects to free?";
        assert_eq!(names(explain, "Yes."), ["too_short"]);
        // A short answer to a question that wants one is no defect.
        assert!(names(
            "Name three prime numbers above one hundred, please",
            "101, 103, 107."
        )
        .is_empty());
        assert!(names(QUESTION, "/home/$USER").is_empty());
        assert_eq!(
            names(QUESTION, "Sure, here it is:\n```python\n\n```\nRun it."),
            ["empty_code"]
        );
    }

    #[test]
    fn a_reply_in_another_language_is_caught() {
        let spanish = "Para leer un archivo CSV en Python, usa el módulo csv y suma los \
            valores de la columna con un bucle: es la forma más simple y no necesita \
            nada más que la biblioteca estándar para que funcione.";
        let asked = "How do I read a CSV file in Python and add up the values of one of its \
            columns, with the standard library only?";
        assert_eq!(names(asked, spanish), ["other_language"]);
        // A prompt too short to name its language is not judged.
        assert!(names(QUESTION, spanish).is_empty());
        let japanese =
            "PythonでCSVファイルを読むには、csvモジュールを使って各行の値を足し合わせます。\
            pandasを使えば一行で合計を計算できます。";
        assert_eq!(names(QUESTION, japanese), ["other_language"]);
        // The prompt's own language is fine, and short texts are not judged.
        assert!(!other_language("¿Cómo leo un CSV?", "Con el módulo csv."));
        // Asked for: a translation.
        assert!(names(&format!("Translate to Spanish: {QUESTION}"), spanish).is_empty());
        // A question in Russian around logs in Latin letters, answered in Russian.
        let russian_q = "Есть redis cluster, как заменить два узла на новые без простоя?\n\
            2171e17381d051fe master - 0 1722943144000 3 connected 5461-10922\n\
            2c4e0b6005ab703c slave 2171e17381d051fe 0 1722943145000 3 connected";
        let russian_a = "Ниже приведён один из вариантов плана действий, который позволит \
            заменить два узла на новые в уже работающем кластере.";
        assert!(names(russian_q, russian_a).is_empty());
        // English words that are function words elsewhere ("do") do not make a language.
        let tuple_q = "how do i do tuple comprehension in python";
        let tuple_a = "In Python, you can create a tuple comprehension using a generator \
            expression inside a tuple constructor: tuple(x * 2 for x in range(5)). It is \
            the closest thing to a comprehension for tuples, and it is fast.";
        assert!(names(tuple_q, tuple_a).is_empty());
    }
}
