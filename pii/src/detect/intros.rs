//! PERSON in the plainest personal contexts, whatever the name: "Hi, I'm Alderano Vitturi",
//! "Signed, Jolanda Soffici", "My manager Inken Radisch asked", "This is for Pelayo
//! Melero's birthday". A dictionary of US names misses most of the world's; here the
//! context carries the finding and the name only has to look like one.

use std::collections::HashSet;
use std::sync::LazyLock;

use super::names::{letter_at, letter_before, Names, Phrases};
use super::wordkey::WordSet;
use crate::classify::{Classes, HIGH, UPPER};
use crate::{EntityType, Span};

pub(crate) const WORLD_GIVEN: &str =
    include_str!("../../../data/dictionaries/given_names_world.txt");

/// Words of a relation that make the next name someone the writer knows.
pub(crate) const RELATIONS: &[&str] = &[
    "manager",
    "boss",
    "supervisor",
    "wife",
    "husband",
    "partner",
    "girlfriend",
    "boyfriend",
    "fiance",
    "fiancee",
    "son",
    "daughter",
    "mother",
    "mom",
    "mum",
    "father",
    "dad",
    "brother",
    "sister",
    "friend",
    "colleague",
    "coworker",
    "co-worker",
    "doctor",
    "dentist",
    "therapist",
    "landlord",
    "landlady",
    "tenant",
    "neighbor",
    "neighbour",
    "roommate",
    "flatmate",
    "teacher",
    "student",
    "client",
    "customer",
    "employee",
    "lawyer",
    "attorney",
    "uncle",
    "aunt",
    "cousin",
    "niece",
    "nephew",
    "grandma",
    "grandpa",
    "grandmother",
    "grandfather",
    "ex",
    "assistant",
    "accountant",
    "nurse",
    "coach",
    "tutor",
];

/// Phrases after which a capitalised name is a person the writer is or knows.
const STRONG: &[&str] = &[
    "my name is ",
    "my name's ",
    "name is ",
    "call me ",
    "signed, ",
    "signed ",
    "sincerely, ",
    "sincerely,\n",
    "regards, ",
    "regards,\n",
    "yours truly, ",
    "yours, ",
    "cheers,\n",
    "thanks,\n",
    "best,\n",
];
/// Weaker: a listed given name, or two capitalised words that end the sentence.
const SELF: &[&str] = &["i'm ", "i am ", "i’m ", "im "];
/// Events that make "for <name>'s" personal.
const EVENTS: &[&str] = &[
    "birthday",
    "wedding",
    "anniversary",
    "funeral",
    "graduation",
    "retirement",
    "party",
    "baby shower",
    "bar mitzvah",
    "bat mitzvah",
    "memorial",
    "promotion",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Strong,
    SelfIntro,
    For,
}

pub(crate) struct Intros {
    /// Lower-cased last letters of every phrase (and relation word): a one-byte filter
    /// before any phrase is compared.
    last: [bool; 256],
    strong: Phrases,
    self_intro: Phrases,
    for_: Phrases,
    given: HashSet<String>,
}

impl Intros {
    pub(crate) fn new() -> Self {
        let given = WORLD_GIVEN
            .lines()
            .map(|l| l.trim_end_matches("\tw").trim().to_lowercase())
            .filter(|l| l.len() > 2)
            .collect();
        let mut last = [false; 256];
        let cores = STRONG.iter().chain(SELF).chain(RELATIONS).chain(&["for"]);
        for p in cores {
            let core = p.trim_end_matches([' ', ',', '\n']);
            if let Some(&c) = core.as_bytes().last() {
                last[usize::from(c.to_ascii_lowercase())] = true;
                last[usize::from(c.to_ascii_uppercase())] = true;
            }
            // "signed, " is tried after its comma too.
            if p.trim_end_matches([' ', '\n']).ends_with(',') {
                last[usize::from(b',')] = true;
            }
        }
        // "Signed,  Jolanda": a run of spaces before the name.
        last[usize::from(b' ')] = true;
        Intros {
            last,
            strong: Phrases::new(STRONG),
            self_intro: Phrases::new(SELF),
            for_: Phrases::new(&["for "]),
            given,
        }
    }

    /// PERSON spans after personal phrases. Only capitalised word starts are tried (the
    /// `classes` bitmaps), each against the phrases ending right before it.
    pub(crate) fn scan(&self, text: &str, classes: &Classes, names: &Names, out: &mut Vec<Span>) {
        let b = text.as_bytes();
        let mut i = 0;
        while let Some(p) = classes.next(UPPER | HIGH, i) {
            i = p + 1;
            if p < 2 || b[p - 1] != b' ' && b[p - 1] != b'\n' {
                if b[p] >= 0x80 {
                    // Inside a non-ASCII run (CJK, Cyrillic words): skip it whole.
                    i = b[p..]
                        .iter()
                        .position(|&c| c < 0x80)
                        .map_or(b.len(), |k| p + k);
                }
                continue;
            }
            if !self.last[usize::from(b[p - 2])] {
                continue;
            }
            let kind = if self.strong.ends_before(b, p) || relation_before(b, p, &["my", "our"]) {
                Kind::Strong
            } else if self.self_intro.ends_before(b, p) {
                Kind::SelfIntro
            } else if self.for_.ends_before(b, p) {
                Kind::For
            } else {
                continue;
            };
            if !text.is_char_boundary(p) {
                continue;
            }
            let words = self.name_words(text, p, names);
            let Some(last) = words.last() else { continue };
            let end = match kind {
                Kind::Strong => Some(last.end),
                Kind::SelfIntro => {
                    let listed = words[0].given || words[0].listed;
                    let two = words.len() >= 2 && !words[0].word && !words[1].word;
                    let closes = last.end >= b.len()
                        || matches!(b[last.end], b'.' | b',' | b'!' | b'?' | b'\n' | b';' | b')');
                    ((listed && !words[0].word) || (two && closes)).then_some(last.end)
                }
                Kind::For => (last.possessive && event_after(b, last.word_end)).then_some(last.end),
            };
            if let Some(e) = end {
                out.push(Span {
                    start: p,
                    end: e,
                    entity_type: EntityType::Person,
                });
                i = e;
            }
        }
    }

    /// Up to three capitalised, name-shaped words from `i`, separated by single spaces
    /// (or a hyphen inside one word). Stops at a possessive.
    fn name_words(&self, text: &str, mut i: usize, names: &Names) -> Vec<Word> {
        let b = text.as_bytes();
        let mut out: Vec<Word> = Vec::new();
        while out.len() < 3 && i < b.len() {
            let Some(c) = letter_at(text, i) else { break };
            if !c.is_uppercase() || letter_before(text, i) {
                break;
            }
            let mut e = i + c.len_utf8();
            let mut lower = false;
            loop {
                if let Some(c) = letter_at(text, e) {
                    lower |= c.is_lowercase();
                    e += c.len_utf8();
                    continue;
                }
                // An inner hyphen or apostrophe joins (Jean-Luc, O'Brien); `'s` ends a possessive.
                let joiner = e < b.len() && matches!(b[e], b'-' | b'\'');
                let possessive_s =
                    joiner && b.get(e + 1) == Some(&b's') && letter_at(text, e + 2).is_none();
                if joiner && letter_at(text, e + 1).is_some() && !possessive_s {
                    e += 1;
                    continue;
                }
                break;
            }
            if !lower {
                break;
            }
            // A possessive stays part of the word here and is split off below.
            if text[e..].starts_with("'s") || text[e..].starts_with("’s") {
                let after = e + if b[e] == b'\'' { 2 } else { 4 };
                if letter_at(text, after).is_none() {
                    e = after;
                }
            }
            let (word_end, possessive) = strip_possessive(text, i, e);
            let (listed, given_us, word) = match names.word_at(text, i) {
                Some((_, given, word)) => (true, given, word),
                None => (false, false, false),
            };
            let lc = text[i..word_end].to_lowercase();
            let given = given_us || self.given.contains(&lc);
            // A common word ends the name; an ordinary word cannot open one unless it is
            // also a given name ("I'm Grace").
            if COMMON.contains(&lc.as_str()) || (word && out.is_empty() && !given) {
                break;
            }
            out.push(Word {
                end: word_end,
                word_end: e,
                given,
                listed,
                word,
                possessive,
            });
            if possessive || e >= b.len() || b[e] != b' ' {
                break;
            }
            i = e + 1;
        }
        out
    }
}

static RELATION_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::folded(RELATIONS));

/// "my manager ", "our landlord, " right before `i` (`owners` are the possessives).
pub(crate) fn relation_before(b: &[u8], i: usize, owners: &[&str]) -> bool {
    let mut e = i;
    while e > 0 && matches!(b[e - 1], b' ' | b',' | b'\t') {
        e -= 1;
    }
    if e == i {
        return false;
    }
    let word_start = |e: usize| {
        let mut s = e;
        while s > 0 && (b[s - 1].is_ascii_alphabetic() || b[s - 1] == b'-') {
            s -= 1;
        }
        s
    };
    let s = word_start(e);
    if s == e || e - s > 12 {
        return false;
    }
    if s < 2 || b[s - 1] != b' ' {
        return false;
    }
    // The owner ("my") is cheaper to compare than the relation word to look up.
    let oe = s - 1;
    let os = word_start(oe);
    let owner = &b[os..oe];
    owners
        .iter()
        .any(|o| owner.eq_ignore_ascii_case(o.as_bytes()))
        && RELATION_SET.contains(&b[s..e])
}

struct Word {
    /// End of the name part (a possessive excluded).
    end: usize,
    /// End of the whole word.
    word_end: usize,
    given: bool,
    listed: bool,
    word: bool,
    possessive: bool,
}

fn strip_possessive(text: &str, s: usize, e: usize) -> (usize, bool) {
    let w = &text[s..e];
    for suf in ["'s", "’s", "'"] {
        if let Some(stem) = w.strip_suffix(suf) {
            if !stem.is_empty() {
                return (s + stem.len(), true);
            }
        }
    }
    (e, false)
}

fn event_after(b: &[u8], e: usize) -> bool {
    if e >= b.len() || b[e] != b' ' {
        return false;
    }
    let rest = &b[e + 1..];
    EVENTS.iter().any(|ev| {
        rest.len() >= ev.len()
            && rest[..ev.len()].eq_ignore_ascii_case(ev.as_bytes())
            && rest.get(ev.len()).is_none_or(|c| !c.is_ascii_alphabetic())
    })
}

/// Capitalised words that follow these phrases without being names ("I'm Not sure",
/// "My manager Asked", "I am French").
const COMMON: &[&str] = &[
    "the",
    "a",
    "an",
    "and",
    "or",
    "but",
    "not",
    "so",
    "just",
    "also",
    "very",
    "really",
    "still",
    "here",
    "there",
    "back",
    "sorry",
    "happy",
    "glad",
    "sure",
    "fine",
    "good",
    "ok",
    "okay",
    "new",
    "ready",
    "going",
    "trying",
    "looking",
    "working",
    "using",
    "writing",
    "learning",
    "building",
    "doing",
    "having",
    "making",
    "getting",
    "thinking",
    "feeling",
    "wondering",
    "asking",
    "planning",
    "interested",
    "curious",
    "confused",
    "stuck",
    "currently",
    "in",
    "at",
    "on",
    "from",
    "with",
    "to",
    "for",
    "of",
    "by",
    "as",
    "if",
    "when",
    "what",
    "who",
    "how",
    "why",
    "yes",
    "no",
    "hi",
    "hello",
    "hey",
    "thanks",
    "thank",
    "please",
    "i",
    "you",
    "he",
    "she",
    "we",
    "they",
    "it",
    "this",
    "that",
    "my",
    "your",
    "our",
    "his",
    "her",
    "their",
    "english",
    "french",
    "german",
    "italian",
    "spanish",
    "american",
    "british",
    "chinese",
    "japanese",
    "indian",
    "russian",
    "korean",
    "dutch",
    "polish",
    "swedish",
    "canadian",
    "mexican",
    "brazilian",
    "australian",
    "irish",
    "scottish",
    "welsh",
    "african",
    "asian",
    "european",
    "christian",
    "muslim",
    "jewish",
    "catholic",
    "male",
    "female",
    "single",
    "married",
    "retired",
    "student",
    "engineer",
    "developer",
    "programmer",
    "teacher",
    "doctor",
    "nurse",
    "manager",
    "python",
    "java",
    "rust",
    "gpt",
    "chatgpt",
    "assistant",
    "ai",
    "bot",
    "user",
    "admin",
    "customer",
    "team",
    "dear",
    "sir",
    "madam",
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "asked",
    "said",
    "says",
    "wants",
    "needs",
    "told",
    "gave",
    "sent",
    "is",
    "was",
    "will",
    "would",
    "can",
    "could",
    "should",
    "has",
    "had",
    "did",
    "does",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "today",
    "tomorrow",
    "yesterday",
    "all",
    "everyone",
    "everybody",
    "guys",
    "folks",
    "there's",
    "it's",
    "i'm",
    "let's",
    "what's",
    "first",
    "second",
    "last",
    "best",
    "kind",
    "warm",
    "regards",
    "sincerely",
    "cheers",
    "love",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn found(t: &str) -> Vec<&str> {
        let names = Names::new(&[], &HashSet::new()).unwrap();
        let intros = Intros::new();
        let mut v = Vec::new();
        intros.scan(t, &Classes::of(t.as_bytes()), &names, &mut v);
        v.iter().map(|s| &t[s.start..s.end]).collect()
    }

    #[test]
    fn names_from_everywhere_in_personal_phrases() {
        assert_eq!(
            found("wrong answer  Hi, I'm Alderano Vitturi."),
            vec!["Alderano Vitturi"]
        );
        assert_eq!(
            found("Signed, Jolanda Soffici Hi, I need help"),
            vec!["Jolanda Soffici"]
        );
        assert_eq!(
            found("My manager Michèle Pineau asked me this."),
            vec!["Michèle Pineau"]
        );
        assert_eq!(
            found("This is for Inken Radisch's birthday."),
            vec!["Inken Radisch"]
        );
        assert_eq!(found("Hi, I'm Giulia. Help me"), vec!["Giulia"]);
        assert_eq!(found("Regards,\nSean O'Brien"), vec!["Sean O'Brien"]);
    }

    #[test]
    fn ordinary_words_after_phrases_are_not_names() {
        for t in [
            "I'm Not sure what to do.",
            "I am French and live here.",
            "I'm Working on it.",
            "This is for Python's birthday? no",
            "A gift for Christmas and for New Year",
            "for Todd Howard's games",
            "I'm Happy.",
        ] {
            assert!(found(t).is_empty(), "{t:?}: {:?}", found(t));
        }
    }
}
