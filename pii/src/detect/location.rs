//! LOCATION: street addresses, unit numbers and post boxes by pattern, and places from the
//! bundled GeoNames gazetteer (`data/dictionaries/places.txt`).
//!
//! Addresses are found from anchors (a house number at a word start, `Apt`/`Suite`, `P.O.
//! Box`, military `PSC`/`APO` lines) and then extended over what usually follows in an
//! address: more numbers (ZIP codes), capitalised words (city, region), state codes,
//! separated by spaces, commas and line breaks. A lower-case word, sentence punctuation or a
//! `Label:` ends the address.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, Anchored, Input, MatchKind};

use super::names::{letter_at, letter_before, title_before, Phrases};
use std::sync::LazyLock;

use super::wordkey::{key_of, letter_run, KeyMap, KeySet, WordSet};
use super::{escape_before, is_word_byte};
use crate::classify::{Classes, DIGIT, UPPER};
use crate::{EntityType, Span};

const PLACES: &str = include_str!("../../../data/dictionaries/places.txt");

/// Street-type words that end a street name: "Albert St", "Petunia Way".
const STREET_SUFFIX: &[&str] = &[
    "St",
    "St.",
    "Street",
    "Ave",
    "Ave.",
    "Avenue",
    "Rd",
    "Rd.",
    "Road",
    "Blvd",
    "Blvd.",
    "Boulevard",
    "Ln",
    "Ln.",
    "Lane",
    "Dr",
    "Dr.",
    "Drive",
    "Way",
    "Ct",
    "Ct.",
    "Court",
    "Pl",
    "Pl.",
    "Place",
    "Ter",
    "Terrace",
    "Cir",
    "Circle",
    "Hwy",
    "Highway",
    "Pkwy",
    "Parkway",
    "Sq",
    "Square",
    "Crescent",
    "Cres",
    "Close",
    "Row",
    "Trail",
    "Trl",
    "Loop",
    "Alley",
    "Plaza",
    "Pike",
    "Path",
    "Walk",
    "Gardens",
    "Mews",
    "Hill",
    "Shoal",
    "Shoals",
    "Park",
];
/// Lower-case street words of other languages, before or after the name.
const STREET_WORDS: &[&str] = &[
    "rue",
    "avenue",
    "av.",
    "boulevard",
    "bd",
    "cours",
    "chemin",
    "impasse",
    "allée",
    "place",
    "quai",
    "via",
    "viale",
    "piazza",
    "corso",
    "calle",
    "avenida",
    "rua",
    "travessa",
    "paseo",
    "camino",
    "plaza",
    "carrer",
    "strada",
    "ulica",
    "ul.",
    "utca",
    "u.",
    "út",
    "tér",
    "gate",
    "vei",
    "veien",
    "vej",
    "gade",
    "gata",
    "gatan",
    "vägen",
    "väg",
    "straße",
    "strasse",
    "weg",
    "laan",
    "straat",
    "plein",
    "gasse",
    "allee",
    "ring",
    "street",
    "road",
];
/// Endings of one-word street names: "Amsinckstrasse", "Hudevad Byvej", "Síp utca".
const STREET_ENDINGS: &[&str] = &[
    "strasse", "straße", "str.", "weg", "gasse", "allee", "platz", "vej", "gade", "gatan", "vägen",
    "veien", "straat", "laan", "plein", "ova", "ská", "ská", "ого", "ul.", "utca",
];
/// Lower-case words allowed inside a multi-word place or street name.
const PARTICLES: &[&str] = &[
    "de", "del", "della", "di", "da", "do", "dos", "das", "du", "des", "la", "le", "les", "el",
    "los", "las", "van", "von", "der", "den", "het", "y", "e", "na", "pri", "pod", "nad", "am",
    "an", "im", "bei", "sur", "sous", "en", "al", "upon", "on",
];
/// Capitalised words that never continue an address ("... 50 The restaurant").
const STOP_CAPS: &[&str] = &[
    "The", "A", "An", "I", "We", "You", "He", "She", "It", "They", "This", "That", "My", "Our",
    "Your", "His", "Her", "Their", "And", "Or", "But", "If", "When", "Then", "Please", "Thanks",
    "Thank", "Is", "Are", "Was", "Can", "Could", "Would", "Will", "Do", "Does", "Did", "Have",
    "Has", "Hi", "Hello", "Dear", "Best", "Regards", "Mr", "Mrs", "Ms", "Dr", "Mobile", "Phone",
    "Tel", "Fax", "Email", "Desk", "Office", "Name", "Date",
];
/// Phrases after which a street-then-number ("Parmova 23") or an ambiguous place name is
/// taken as a location.
const ADDRESS_INTROS: &[&str] = &[
    "address is ",
    "address: ",
    "address ",
    "addresses ",
    "lives at ",
    "live at ",
    "living at ",
    "located at ",
    "located on ",
    "lives on ",
    "live on ",
    "stay at ",
    "staying at ",
    "stop at ",
    "send it to ",
    "ship to ",
    "shipped to ",
    "deliver to ",
    "delivered to ",
    "mail to ",
    "corner of ",
    "side of ",
    "moved to ",
    "move to ",
    "meet you at ",
    "enter on ",
    "is at ",
    "are at ",
];
const PLACE_INTROS: &[&str] = &[
    "in ",
    "from ",
    "to ",
    "at ",
    "near ",
    "visit ",
    "visiting ",
    "visited ",
    "lives in ",
    "based in ",
    "born in ",
    "moved to ",
    "flew to ",
    "trip to ",
    "travel to ",
    "traveling to ",
    "travelling to ",
    "university of ",
    "city of ",
    "outside ",
    "around ",
    "where: ",
    "city: ",
    "country: ",
    "location: ",
    "town: ",
    "state: ",
];

/// The gazetteer's entry for one ASCII word.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct PlaceWord {
    /// The word is the leading letter run of a longer place ("new" of "New York").
    pub(crate) prefix: bool,
    /// The one-word place it is.
    pub(crate) single: Option<u32>,
}

/// The gazetteer and the context phrases.
pub(crate) struct Location {
    /// Places other than one plain ASCII word, and their index in the gazetteer.
    places: AhoCorasick,
    multi_ids: Vec<u32>,
    /// One-word places (up to 16 ASCII letters, lower-cased) and their index.
    single: KeyMap<u32>,
    /// Keys of the leading ASCII letter runs of `places` ("new" for "New York", "" for
    /// "Ōsaka"): one of them can match only where the text's letter run is one of these.
    first_runs: KeySet,
    ambiguous: Vec<bool>,
    address_intro: Phrases,
    place_intro: Phrases,
}

impl Location {
    pub(crate) fn new() -> Result<Self, aho_corasick::BuildError> {
        let mut terms = Vec::with_capacity(64_000);
        let mut ambiguous = Vec::with_capacity(64_000);
        for line in PLACES.lines() {
            let Some((name, flag)) = line.split_once('\t') else {
                continue;
            };
            terms.push(name);
            ambiguous.push(flag == "a");
        }
        // One-word places go to an exact word table; the automaton holds only the rest
        // (several words, non-ASCII letters, punctuation), which keeps it small.
        let mut single: KeyMap<u32> = KeyMap::default();
        let mut multi = Vec::new();
        let mut multi_ids = Vec::new();
        for (k, t) in terms.iter().enumerate() {
            match key_of(&t.to_ascii_lowercase().into_bytes()) {
                Some(key) => {
                    single.entry(key).or_insert(k as u32);
                }
                None => {
                    multi.push(*t);
                    multi_ids.push(k as u32);
                }
            }
        }
        let first_runs = multi
            .iter()
            .filter_map(|t| {
                let run = t.bytes().take_while(u8::is_ascii_alphabetic).count();
                key_of(&t.as_bytes()[..run].to_ascii_lowercase())
            })
            .collect();
        let places = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(aho_corasick::StartKind::Anchored)
            // Anchored lookups at word starts only: a contiguous NFA matches about as fast
            // here as a full DFA, which for many terms costs hundreds of MB to build.
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(&multi)?;
        Ok(Location {
            places,
            multi_ids,
            single,
            first_runs,
            ambiguous,
            address_intro: Phrases::new(ADDRESS_INTROS),
            place_intro: Phrases::new(PLACE_INTROS),
        })
    }

    /// A gazetteer place starting at the capital at `i`: (end, has location context, may
    /// stand alone). A place needs context when it is also a common word or a name.
    pub(crate) fn place_at(&self, text: &str, i: usize) -> Option<(usize, bool, bool)> {
        let b = text.as_bytes();
        // The longest place at `i`. A match ending inside the text's letter run is rejected
        // below, so only two can count: a longer place from the automaton (which can match
        // only if the run is one of its leading runs), else the one-word place equal to the
        // run. Runs too long for a key go to the automaton.
        let (run, key) = letter_run(b, i);
        let word = key.map(|k| self.word_info(k));
        self.place_with(text, i, run, word)
    }

    /// Keys of the words [`Location::word_info`] knows something of.
    pub(crate) fn word_keys(&self) -> impl Iterator<Item = u128> + '_ {
        self.single.keys().chain(&self.first_runs).copied()
    }

    /// What the gazetteer says of the lower-cased ASCII word with this key.
    pub(crate) fn word_info(&self, key: u128) -> PlaceWord {
        PlaceWord {
            prefix: self.first_runs.contains(&key),
            single: self.single.get(&key).copied(),
        }
    }

    /// [`Location::place_at`] for a capital at `i` whose letter run (`run` bytes) has been
    /// looked up already: `word` is None when the run is too long for a key.
    pub(crate) fn place_with(
        &self,
        text: &str,
        i: usize,
        run: usize,
        word: Option<PlaceWord>,
    ) -> Option<(usize, bool, bool)> {
        let b = text.as_bytes();
        if letter_before(text, i) || (i > 0 && (b[i - 1].is_ascii_digit() || b[i - 1] == b'_')) {
            return None;
        }
        let longer = word
            .is_none_or(|w| w.prefix)
            .then(|| {
                let input = Input::new(b).range(i..b.len()).anchored(Anchored::Yes);
                let m = self.places.find(input)?;
                Some((m.end(), self.multi_ids[m.pattern().as_usize()]))
            })
            .flatten();
        let (end, id) = longer.or_else(|| Some((i + run, word?.single?)))?;
        if letter_at(text, end).is_some()
            || (end < b.len() && (b[end].is_ascii_digit() || b[end] == b'_' || b[end] == b'@'))
            || (end + 1 < b.len() && b[end] == b'-' && letter_at(text, end + 1).is_some())
            || (end + 1 < b.len() && b[end] == b'.' && b[end + 1].is_ascii_alphanumeric())
        {
            return None;
        }
        let w = &b[i..end];
        // Title case or all caps; "paris" and "pARIS" are not places here.
        let all_caps = !w.iter().any(u8::is_ascii_lowercase);
        let word_starts_ok = w
            .split(|&c| c == b' ')
            .all(|p| p.is_empty() || !p[0].is_ascii_lowercase() || p.len() <= 4);
        if !word_starts_ok {
            return None;
        }
        let ctx = self.place_intro.ends_before(b, i);
        let ambiguous = self.ambiguous[id as usize];
        if title_before(b, i) {
            return None;
        }
        let alone = if all_caps {
            !ambiguous && end - i >= 4 && !w.contains(&b' ')
        } else {
            !ambiguous
        };
        (ctx || alone).then_some((end, ctx, alone))
    }

    /// Street addresses, units and post boxes.
    pub(crate) fn scan_addresses(&self, text: &str, classes: &Classes, out: &mut Vec<Span>) {
        let b = text.as_bytes();
        let n = b.len();
        let mut i = 0;
        let mut last_end = 0;
        while i < n {
            // Candidates: a digit at a word start, or a capital that may open a unit or box.
            let Some(p) = classes.next(DIGIT | UPPER, i) else {
                break;
            };
            i = p;
            if !b[i].is_ascii_digit() && !matches!(b[i], b'A' | b'S' | b'P' | b'U' | b'F' | b'D') {
                i += 1;
                continue;
            }
            if i > 0 && is_word_byte(b[i - 1]) && !escape_before(b, i) {
                i += 1;
                continue;
            }
            let found = if b[i].is_ascii_digit() {
                self.number_first(text, i, last_end)
            } else if b[i..].starts_with(b"Box ")
                || !matches!(
                    b.get(i + 1),
                    Some(b'p' | b'u' | b'.' | b'O' | b't' | b'n' | b'S' | b'P')
                )
            {
                None
            } else {
                unit_or_box(b, i).map(|e| (i, e))
            };
            match found {
                Some((s, e)) => {
                    let e = extend(text, e);
                    out.push(Span {
                        start: s,
                        end: e,
                        entity_type: EntityType::Location,
                    });
                    last_end = e;
                    i = e;
                }
                None => {
                    i += 1;
                    while i < n && b[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
        }
    }

    /// An address around the digit run at `i`: "2184 Albert St", "63014 7 Caradon Hill",
    /// "Parmova 23" (number after the street name), "Via Nuova del Campo 85".
    fn number_first(&self, text: &str, i: usize, not_before: usize) -> Option<(usize, usize)> {
        let b = text.as_bytes();
        let d_end = digits_end(b, i);
        if d_end - i > 6 || (d_end < b.len() && !boundary(b, d_end)) {
            return None;
        }
        // Number first.
        let mut k = d_end;
        let mut numbers = 1;
        if let Some(k2) = space(b, k) {
            let e2 = digits_end(b, k2);
            if e2 > k2 && e2 - k2 <= 5 && boundary(b, e2) && space(b, e2).is_some() {
                k = e2;
                numbers += 1;
            }
        }
        if let Some(ws) = space(b, k) {
            if let Some((we, words, suffix, prefix_word)) = street_words(text, ws) {
                let mut end = we;
                let mut trailing = false;
                if let Some(t) = space(b, we) {
                    let te = digits_end(b, t);
                    if te > t && te - t <= 5 && boundary(b, te) {
                        end = te;
                        trailing = true;
                        if te < b.len() && b[te] == b'.' && te + 1 < b.len() && b[te + 1] == b' ' {
                            // "Síp utca 17." keeps its dot only inside a longer address.
                        }
                    }
                }
                let unit_follows = next_piece_is_unit(b, end);
                let ctx = self.address_intro.ends_before(b, i);
                if suffix || prefix_word || trailing || unit_follows || (ctx && words <= 4) {
                    return Some((i, end));
                }
            }
        }
        let _ = numbers;
        // Street name first, then the number: "Parmova 23", "Kõrkja 83".
        let s = street_before(text, i, not_before)?;
        let name = &b[s..i - 1];
        let ending = name.split(|&c| c == b' ').any(|w| {
            let lw = w.to_ascii_lowercase();
            STREET_ENDINGS.iter().any(|e| lw.ends_with(e.as_bytes()))
                || STREET_WORDS.iter().any(|e| lw == e.as_bytes())
        });
        if ending
            || next_piece_is_unit(b, d_end)
            || self.address_intro.ends_before(b, s)
            || street_suffix_after(b, d_end)
        {
            return Some((s, d_end));
        }
        None
    }
}

fn digits_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    i
}

/// A number or word ends here: end of text, whitespace, `,`, `.` + space, or an escape.
fn boundary(b: &[u8], i: usize) -> bool {
    i >= b.len()
        || matches!(
            b[i],
            b' ' | b',' | b'\n' | b'\r' | b'\t' | b';' | b')' | b'\\'
        )
        || (b[i] == b'.' && (i + 1 >= b.len() || matches!(b[i + 1], b' ' | b'\n' | b'\\')))
        || (b[i] == b'?' || b[i] == b'!')
}

/// One space at `i`; the index after it.
fn space(b: &[u8], i: usize) -> Option<usize> {
    (i + 1 < b.len() && b[i] == b' ' && b[i + 1] != b' ').then_some(i + 1)
}

/// A word at `i`: (end, starts upper-case, all upper-case). Letters with inner `-`/`'`.
fn word(text: &str, i: usize) -> Option<(usize, bool, bool)> {
    let b = text.as_bytes();
    let first = letter_at(text, i)?;
    let mut j = i;
    let mut all_upper = true;
    loop {
        while let Some(c) = letter_at(text, j) {
            if c.is_lowercase() {
                all_upper = false;
            }
            j += c.len_utf8();
        }
        if j + 1 < b.len() && matches!(b[j], b'-' | b'\'') && letter_at(text, j + 1).is_some() {
            j += 1;
        } else {
            break;
        }
    }
    Some((j, first.is_uppercase(), all_upper))
}

/// The word lists above as sets (they are looked up for every address candidate).
static STOP_CAPS_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(STOP_CAPS));
static STREET_SUFFIX_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(STREET_SUFFIX));
static STREET_WORDS_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(STREET_WORDS));
static PARTICLES_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(PARTICLES));

fn is_in(list: &LazyLock<WordSet>, w: &[u8]) -> bool {
    list.contains(w)
}

/// Street words from `i`: (end, number of words, ends with a street suffix, has a
/// lower-case street word). The first word is capitalised or a street word.
fn street_words(text: &str, i: usize) -> Option<(usize, usize, bool, bool)> {
    let b = text.as_bytes();
    let mut k = i;
    let mut end = i;
    let mut words = 0;
    let mut suffix = false;
    let mut street_word = false;
    while words < 6 {
        if unit_or_box(b, k).is_some() {
            break;
        }
        let Some((we, cap, _)) = word(text, k) else {
            break;
        };
        let mut we2 = we;
        if we < b.len() && b[we] == b'.' {
            we2 = we + 1;
        }
        let w = &b[k..we];
        let wd = &b[k..we2];
        let lw = w.to_ascii_lowercase();
        if cap {
            if is_in(&STOP_CAPS_SET, w) || (we < b.len() && b[we] == b':') {
                break;
            }
            suffix = is_in(&STREET_SUFFIX_SET, w) || is_in(&STREET_SUFFIX_SET, wd);
        } else if is_in(&STREET_WORDS_SET, &lw) || is_in(&STREET_WORDS_SET, wd) {
            street_word = true;
            suffix = false;
        } else if words > 0 && is_in(&PARTICLES_SET, w) {
            suffix = false;
        } else {
            break;
        }
        if !cap && words == 0 && !street_word {
            break;
        }
        // An abbreviation keeps its dot ("St.", "u."), a sentence end does not.
        end = if we2 > we && (is_in(&STREET_SUFFIX_SET, wd) || is_in(&STREET_WORDS_SET, wd)) {
            we2
        } else {
            we
        };
        words += 1;
        match space(b, end) {
            Some(n) if letter_at(text, n).is_some() => k = n,
            _ => break,
        }
    }
    // Particles cannot end a street name.
    while words > 0 {
        let ls = b[..end]
            .iter()
            .rposition(|&c| c == b' ')
            .map_or(i, |p| p + 1);
        if ls >= i && is_in(&PARTICLES_SET, &b[ls..end]) && ls > i {
            end = ls - 1;
            words -= 1;
        } else {
            break;
        }
    }
    (words > 0).then_some((end, words, suffix, street_word))
}

/// Capitalised street words right before the number at `i` (one space between): their start.
fn street_before(text: &str, i: usize, not_before: usize) -> Option<usize> {
    let b = text.as_bytes();
    if i < 3 || b[i - 1] != b' ' {
        return None;
    }
    let mut s = None;
    let mut e = i - 1;
    for _ in 0..4 {
        // The word ending at `e`.
        let mut ws = e;
        while ws > 0
            && (letter_before(text, ws)
                || (ws > 1 && matches!(b[ws - 1], b'-' | b'.') && letter_before(text, ws - 1)))
        {
            ws -= 1;
            while !text.is_char_boundary(ws) {
                ws -= 1;
            }
        }
        if ws == e || ws < not_before {
            break;
        }
        let Some((we, cap, _)) = word(text, ws) else {
            break;
        };
        let w = &b[ws..we];
        if cap {
            if is_in(&STOP_CAPS_SET, w) {
                break;
            }
            s = Some(ws);
        } else if !(is_in(&PARTICLES_SET, w) || is_in(&STREET_WORDS_SET, &b[ws..e])) {
            break;
        }
        if ws < 2 || b[ws - 1] != b' ' || !letter_before(text, ws - 1) {
            break;
        }
        e = ws - 1;
    }
    let s = s?;
    if title_before(b, s) {
        return None;
    }
    Some(s)
}

fn street_suffix_after(b: &[u8], i: usize) -> bool {
    if i >= b.len() || b[i] != b' ' {
        return false;
    }
    let s = i + 1;
    let mut e = s;
    while e < b.len() && b[e].is_ascii_alphabetic() {
        e += 1;
    }
    e > s && is_in(&STREET_SUFFIX_SET, &b[s..e]) && (e >= b.len() || !b[e].is_ascii_alphanumeric())
}

/// Separator bytes between address pieces: spaces, commas, line breaks (also as `\n`
/// escapes). Returns the next piece start and whether a blank line was crossed.
fn skip_sep(b: &[u8], mut i: usize) -> (usize, bool) {
    let mut newlines = 0;
    let mut commas = 0;
    loop {
        if i >= b.len() {
            break;
        }
        match b[i] {
            b' ' | b'\t' => i += 1,
            b',' => {
                commas += 1;
                i += 1
            }
            b'\n' | b'\r' => {
                if b[i] == b'\n' {
                    newlines += 1;
                }
                i += 1
            }
            b'\\' if i + 1 < b.len() && matches!(b[i + 1], b'n' | b'r' | b't') => {
                if b[i + 1] == b'n' {
                    newlines += 1;
                }
                i += 2
            }
            _ => break,
        }
    }
    (i, newlines >= 2 || commas >= 2)
}

fn next_piece_is_unit(b: &[u8], i: usize) -> bool {
    let (k, blank) = skip_sep(b, i);
    !blank && k > i && unit_or_box(b, k).is_some()
}

/// `Apt. 742`, `Suite 929`, `P.O. Box 101`, `PSC 3262, Box 5366`, `APO AE 25322`,
/// `USNV Tobiassen`: the end of the unit or box at `i`.
fn unit_or_box(b: &[u8], i: usize) -> Option<usize> {
    const UNITS: &[&str] = &[
        "Apt. ",
        "Apt ",
        "Apartment ",
        "Suite ",
        "Ste. ",
        "Unit ",
        "P.O. Box ",
        "PO Box ",
        "P. O. Box ",
        "Box ",
        "PSC ",
    ];
    let rest = &b[i..];
    for u in UNITS {
        if rest.starts_with(u.as_bytes()) {
            let k = i + u.len();
            let e = digits_end(b, k);
            if e == k || e - k > 6 {
                return None;
            }
            let mut e = e;
            if e < b.len() && b[e].is_ascii_uppercase() && boundary(b, e + 1) {
                e += 1;
            }
            if !boundary(b, e) {
                return None;
            }
            if *u == "Unit " && e - k > 4 {
                return None;
            }
            return Some(e);
        }
    }
    for m in ["APO ", "FPO ", "DPO "] {
        if rest.starts_with(m.as_bytes()) && rest.len() >= 12 {
            let k = i + 4;
            if matches!(&b[k..k + 3], b"AA " | b"AE " | b"AP ") {
                let e = digits_end(b, k + 3);
                if e - (k + 3) == 5 && boundary(b, e) {
                    return Some(e);
                }
            }
        }
    }
    for m in ["USNS ", "USNV ", "USS ", "USCGC "] {
        if rest.starts_with(m.as_bytes()) {
            let k = i + m.len();
            let text = std::str::from_utf8(&b[k..]).ok()?;
            let (we, cap, _) = word(text, 0)?;
            if cap && we > 1 {
                return Some(k + we);
            }
        }
    }
    None
}

/// Extends an address over the pieces that follow: units, ZIP codes, city and region names,
/// state codes.
fn extend(text: &str, mut end: usize) -> usize {
    let b = text.as_bytes();
    for _ in 0..8 {
        let (k, blank) = skip_sep(b, end);
        if blank || k == end || k >= b.len() {
            break;
        }
        if let Some(e) = unit_or_box(b, k) {
            end = e;
            continue;
        }
        if b[k].is_ascii_digit() {
            let e = digits_end(b, k);
            let mut e2 = e;
            if e < b.len() && b[e] == b'-' {
                let e3 = digits_end(b, e + 1);
                if (3..=4).contains(&(e3 - e - 1)) {
                    e2 = e3;
                }
            }
            // "\n0731 40 44 23" after an address is a phone number, not a ZIP code.
            let more_digits = e2 + 1 < b.len()
                && matches!(b[e2], b' ' | b'-' | b'.')
                && b[e2 + 1].is_ascii_digit();
            if e2 - k <= 9 && boundary(b, e2) && !more_digits {
                end = e2;
                continue;
            }
            break;
        }
        // A run of capitalised words (with particles), or an all-caps word.
        let mut j = k;
        let mut got = None;
        let mut words = 0;
        while words < 5 {
            let Some((we, cap, _)) = word(text, j) else {
                break;
            };
            let w = &b[j..we];
            if cap {
                if is_in(&STOP_CAPS_SET, w) || (we < b.len() && b[we] == b':') {
                    break;
                }
                got = Some(we);
            } else if !(words > 0 && (is_in(&PARTICLES_SET, w) || w == b"kraj")) {
                break;
            }
            words += 1;
            match space(b, we) {
                Some(n) if letter_at(text, n).is_some() => j = n,
                _ => break,
            }
        }
        match got {
            Some(e) if e > k => {
                // The piece must end at a separator, not inside `word.` or `word?`.
                if e < b.len() && !boundary(b, e) && b[e] != b'.' {
                    break;
                }
                end = e;
            }
            _ => break,
        }
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addrs(t: &str) -> Vec<&str> {
        let l = Location::new().unwrap();
        let mut v = Vec::new();
        l.scan_addresses(t, &Classes::of(t.as_bytes()), &mut v);
        v.iter().map(|s| &t[s.start..s.end]).collect()
    }

    #[test]
    fn street_addresses() {
        assert_eq!(
            addrs("I live at 2184 Albert St, Springfield, IL 62704 now."),
            vec!["2184 Albert St, Springfield, IL 62704"]
        );
        assert_eq!(
            addrs("send it to 10 Downing Street"),
            vec!["10 Downing Street"]
        );
        assert_eq!(
            addrs("He lives on the north side of Parmova 23."),
            vec!["Parmova 23"]
        );
        assert_eq!(
            addrs("Ulrike lives at 834 Amsinckstrasse 9, Arnsdorf"),
            vec!["834 Amsinckstrasse 9, Arnsdorf"]
        );
        assert_eq!(addrs("Suite 929 and more"), vec!["Suite 929"]);
        assert_eq!(
            addrs("Box: PSC 4377, Box 2567\nAPO AP 42078"),
            vec!["PSC 4377, Box 2567\nAPO AP 42078"]
        );
    }

    #[test]
    fn not_addresses() {
        for t in [
            "I have 3 apples and 2 Pears",
            "In 2019 Apple released the phone",
            "upgrade to Python 3 and Django 4",
            "the 5 Best Practices",
            "We had 12 people",
        ] {
            assert!(addrs(t).is_empty(), "{t}: {:?}", addrs(t));
        }
    }

    #[test]
    fn places() {
        let l = Location::new().unwrap();
        let at = |t: &str, w: &str| {
            let i = t.find(w).unwrap();
            l.place_at(t, i).map(|e| t[i..e.0].to_string())
        };
        assert_eq!(
            at("We moved here from Poland", "Poland").as_deref(),
            Some("Poland")
        );
        assert_eq!(
            at("I flew to Paris today", "Paris").as_deref(),
            Some("Paris")
        );
        assert_eq!(at("Nice to meet you", "Nice"), None);
        assert_eq!(
            at("Who is coming to United States?", "United").as_deref(),
            Some("United States")
        );
    }
}
