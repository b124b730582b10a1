//! PERSON: dictionary names found with aho-corasick at capitalised word starts, joined into
//! full names, with context rules for names that are also ordinary words.
//!
//! The text is not searched for every dictionary term everywhere: only words that start with
//! an upper-case letter can be names here, so the scan jumps between capitals and runs one
//! anchored automaton search at each. A customer deny list (`ScannerBuilder::names`) is the
//! exception: it is matched anywhere, any case, at word boundaries.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use aho_corasick::{
    AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, Anchored, Input, MatchKind, StartKind,
};

use super::location::{Location, PlaceWord};
use super::wordkey::{key_of, letter_run, KeyMap, WordSet, MAX_LEN};
use crate::classify::{Classes, HIGH, UPPER};
use crate::{EntityType, Span};

const FIRST: u8 = 1;
const LAST: u8 = 2;
/// Also an ordinary word: needs context.
const AMBIG: u8 = 4;
/// Never starts or continues a name ("The", "Monday", "Street").
const STOPW: u8 = 8;

const FIRST_NAMES: &str = include_str!("../../../data/dictionaries/first_names.txt");
const LAST_NAMES: &str = include_str!("../../../data/dictionaries/last_names.txt");
const AMBIGUOUS: &str = include_str!("../../../data/dictionaries/allow_names.txt");

/// Titles and forms of address that make the next capitalised word a name.
const TITLES: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "sir",
    "madam",
    "mme",
    "mlle",
    "dame",
    "lady",
    "lord",
    "rev",
    "fr",
    "capt",
    "sgt",
    "lt",
    "col",
    "gen",
    "hon",
    "mister",
    "doctor",
    "professor",
    "dear",
    "officer",
    "judge",
    "coach",
    "uncle",
    "aunt",
    "rabbi",
    "imam",
    "pastor",
    "sister",
    "brother",
    "father",
    "mother",
    "grandma",
    "grandpa",
];
/// Phrases after which any capitalised word is taken as a name.
const STRONG_INTROS: &[&str] = &[
    "my name is ",
    "name is ",
    "names are ",
    "name's ",
    "named ",
    "called ",
    "call me ",
    "signed ",
    "name? ",
    "name:",
    "name is:",
    "signed by ",
    "sincerely,\n",
    "sincerely, ",
    "regards,\n",
    "regards, ",
    "directed by: ",
    "directed by ",
    "written by ",
    "by: ",
    "from: ",
    "attn: ",
    "attention: ",
    "contact: ",
    "customer: ",
    "patient: ",
    "name: ",
    "full name: ",
    "ceo ",
    "manager ",
    "wife ",
    "husband ",
    "son ",
    "daughter ",
    "friend ",
    "colleague ",
    "boss ",
];
/// Weaker context: enough for names that are also words (`I'm Grace`), not for unknown words.
const WEAK_INTROS: &[&str] = &[
    "i'm ",
    "i am ",
    "this is ",
    "it's ",
    "it is ",
    "thanks,\n",
    "cheers,\n",
    "best,\n",
    "thanks, ",
    "cheers, ",
    "best, ",
    "ask ",
    "tell ",
    "told ",
    "to: ",
    "cc: ",
    "meet ",
    "met ",
    "hired ",
];
const GREETINGS: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "dear",
    "thanks",
    "thank you",
    "morning",
    "evening",
    "welcome",
    "bye",
    "congrats",
    "congratulations",
    "sorry",
    "yo",
];
/// Words after a name that make it part of an address or an organisation instead.
const PLACE_OR_ORG_AFTER: &[&str] = &[
    "Street",
    "St",
    "Road",
    "Rd",
    "Avenue",
    "Ave",
    "Lane",
    "Ln",
    "Drive",
    "Boulevard",
    "Blvd",
    "Way",
    "Court",
    "Ct",
    "Place",
    "Pl",
    "Square",
    "Sq",
    "Falls",
    "Brook",
    "Oval",
    "Park",
    "Hill",
    "Valley",
    "Bridge",
    "Station",
    "Airport",
    "Terrace",
    "Crescent",
    "Close",
    "Gardens",
    "Heights",
    "University",
    "College",
    "School",
    "Hospital",
    "Inc",
    "Ltd",
    "LLC",
    "Corp",
    "Co",
    "Corporation",
    "Group",
    "Holdings",
    "Company",
    "Electric",
    "Bank",
    "Trust",
    "Partners",
    "Associates",
    "Foundation",
    "Institute",
    "Industries",
    "International",
    "Systems",
    "Capital",
    "Technologies",
    "Limited",
    "PLC",
    "SA",
    "AG",
    "GmbH",
    "Ltda",
];
/// Words before a name that make it part of an address.
const PLACE_BEFORE: &[&str] = &[
    "rua ",
    "rue ",
    "via ",
    "avenida ",
    "av. ",
    "calle ",
    "avenue ",
    "route ",
    "strasse ",
    "straße ",
    "saint ",
    "st. ",
    "university of ",
    "of the ",
    "al. ",
    "ul. ",
    "plaza ",
    "piazza ",
];
/// Post-nominal suffixes kept inside a name span.
const SUFFIXES: &[&str] = &[
    "Jr.", "Jr", "Sr.", "Sr", "III", "II", "IV", "MD", "DDS", "PhD", "Esq.", "Esq",
];
/// Name particles that may sit between name parts: "Ludwig van Beethoven".
const PARTICLES: &[&str] = &[
    "van", "von", "de", "da", "del", "della", "di", "du", "le", "la", "bin", "ibn", "al", "ten",
    "ter", "van der", "van den", "de la", "de los", "dos", "das",
];
/// The first word of each particle.
static PARTICLE_FIRST_WORDS: LazyLock<WordSet> =
    LazyLock::new(|| WordSet::new(&one_word_each(PARTICLES, |p| p.split(' ').next())));

/// One word of each phrase of `list`, as `pick` chooses it (the phrase when it picks none).
fn one_word_each(
    list: &[&'static str],
    pick: fn(&'static str) -> Option<&'static str>,
) -> Vec<&'static str> {
    list.iter().map(|&p| pick(p).unwrap_or(p)).collect()
}
/// Capitalised words that never extend or start a name.
const STOP: &[&str] = &[
    "The",
    "A",
    "An",
    "And",
    "Or",
    "But",
    "I",
    "You",
    "We",
    "He",
    "She",
    "It",
    "They",
    "Is",
    "Are",
    "Was",
    "Were",
    "Be",
    "To",
    "Of",
    "In",
    "On",
    "At",
    "For",
    "With",
    "From",
    "By",
    "As",
    "If",
    "So",
    "Not",
    "No",
    "Yes",
    "This",
    "That",
    "These",
    "Those",
    "My",
    "Your",
    "Our",
    "His",
    "Her",
    "Their",
    "Its",
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "January",
    "February",
    "March",
    "July",
    "September",
    "October",
    "November",
    "December",
    "Street",
    "St",
    "Avenue",
    "Ave",
    "Road",
    "Rd",
    "Lane",
    "Drive",
    "Inc",
    "Ltd",
    "LLC",
    "Corp",
    "Company",
    "University",
    "College",
    "School",
    "Hospital",
    "Bank",
    "Group",
    "Team",
    "Hi",
    "Hello",
    "Hey",
    "Dear",
    "Thanks",
    "Thank",
    "Please",
    "Sorry",
    "What",
    "When",
    "Where",
    "Why",
    "How",
    "Who",
    "Which",
    "Can",
    "Could",
    "Would",
    "Should",
    "Do",
    "Does",
    "Did",
    "Have",
    "Has",
    "Had",
    "Let",
    "Here",
    "There",
    "Then",
    "Also",
    "Just",
    "All",
    "Any",
    "Some",
    "OK",
    "Okay",
    "Best",
    "Regards",
    "Cheers",
    "Sincerely",
    "New",
    "Old",
    "World",
    "Everyone",
    "Folks",
    "Guys",
    "There",
    "Support",
    "Box",
    "States",
    "Nations",
    "Emirates",
    "Yesterday",
    "Today",
    "Tomorrow",
    "Tonight",
    "Maybe",
    "Sure",
    "Great",
    "Good",
    "Mount",
    "Lake",
    "River",
    "Park",
    "City",
    "County",
    "State",
    "Republic",
    "Kingdom",
    "United",
    "Street",
    "Apt",
    "Suite",
];

pub(crate) struct Names {
    dict: AhoCorasick,
    flags: Vec<u8>,
    /// The dictionary as exact word keys, when every term is plain ASCII letters (then the
    /// longest term at a word start is the word's whole letter run or nothing that counts),
    /// with the gazetteer's one-word entries ([`Names::add_places`]), so that a capitalised
    /// word is looked up once for both.
    lexicon: Option<KeyMap<WordEntry>>,
    custom: Option<AhoCorasick>,
    strong: Phrases,
    weak: Phrases,
    place: Phrases,
    /// Given names of other countries written with non-ASCII letters, lower case.
    world: HashSet<String>,
}

impl Names {
    pub(crate) fn new(
        extra: &[String],
        allow: &HashSet<String>,
    ) -> Result<Self, aho_corasick::BuildError> {
        let mut map: HashMap<String, u8> = HashMap::with_capacity(30_000);
        let mut add = |list: &str, f: u8| {
            for w in list.lines().map(str::trim).filter(|w| w.len() > 1) {
                *map.entry(w.to_ascii_lowercase()).or_insert(0) |= f;
            }
        };
        add(FIRST_NAMES, FIRST);
        // Given names of other countries: plain ASCII ones (the word-key fast path) that are
        // not also common English words (those are marked `w` in the list).
        let world: String = super::intros::WORLD_GIVEN
            .lines()
            .filter(|l| !l.ends_with("\tw") && l.bytes().all(|c| c.is_ascii_alphabetic()))
            .collect::<Vec<_>>()
            .join("\n");
        add(&world, FIRST);
        add(LAST_NAMES, LAST);
        add(AMBIGUOUS, AMBIG);
        add(&STOP.join("\n"), STOPW);
        map.retain(|k, f| *f & (FIRST | LAST | STOPW) != 0 && !allow.contains(k));
        let (terms, flags): (Vec<String>, Vec<u8>) = map.into_iter().unzip();
        let lexicon = terms
            .iter()
            .all(|t| t.bytes().all(|c| c.is_ascii_alphabetic()))
            .then(|| {
                terms
                    .iter()
                    .zip(&flags)
                    .filter_map(|(t, &name)| {
                        let place = PlaceWord::default();
                        Some((key_of(t.as_bytes())?, WordEntry { name, place }))
                    })
                    .collect()
            });
        let dict = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(StartKind::Anchored)
            // Anchored lookups at word starts only: a contiguous NFA matches as fast here
            // as a full DFA, which for tens of thousands of terms costs hundreds of MB and
            // a second to build.
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(&terms)?;
        let extra: Vec<&String> = extra.iter().filter(|t| !t.trim().is_empty()).collect();
        let custom = if extra.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(extra.iter().map(|t| t.trim()))?,
            )
        };
        Ok(Names {
            dict,
            flags,
            lexicon,
            custom,
            strong: Phrases::new(STRONG_INTROS),
            weak: Phrases::new(WEAK_INTROS),
            place: Phrases::new(PLACE_BEFORE),
            world: super::intros::WORLD_GIVEN
                .lines()
                .filter(|l| !l.ends_with("\tw") && !l.is_ascii())
                .map(str::to_lowercase)
                .collect(),
        })
    }

    /// Adds the gazetteer's one-word places and leading words of longer places to the
    /// lexicon, so that [`Names::scan`] looks each capitalised word up once.
    pub(crate) fn add_places(&mut self, places: &Location) {
        if let Some(lexicon) = &mut self.lexicon {
            for key in places.word_keys() {
                lexicon.entry(key).or_default().place = places.word_info(key);
            }
        }
    }

    /// Customer deny-list terms (`ScannerBuilder::names`): anywhere, any case, at word
    /// boundaries. Always personal, whatever their context.
    pub(crate) fn scan_custom(&self, text: &str, out: &mut Vec<Span>) {
        if let Some(ac) = &self.custom {
            let b = text.as_bytes();
            for m in ac.find_iter(text) {
                let (s, e) = (m.start(), m.end());
                if letter_before(text, s) || (e < b.len() && letter_at(text, e).is_some()) {
                    continue;
                }
                out.push(Span {
                    start: s,
                    end: e,
                    entity_type: EntityType::Person,
                });
            }
        }
    }

    /// PERSON spans, and LOCATION spans for gazetteer places when `places` is given.
    pub(crate) fn scan(
        &self,
        text: &str,
        classes: &Classes,
        places: Option<&Location>,
        out: &mut Vec<Span>,
    ) {
        let b = text.as_bytes();
        let n = b.len();
        let mut i = 0;
        let mut last_end = 0;
        while i < n {
            match classes.next(UPPER | HIGH, i) {
                Some(p) => i = p,
                None => break,
            }
            // Capitals: ASCII, or a lead byte of a script with case (Latin, Greek, Cyrillic,
            // Armenian, Latin Extended Additional); CJK and others have none.
            if b[i] >= 0x80 {
                if !((0xC3..=0xD5).contains(&b[i]) || b[i] == 0xE1) || !text.is_char_boundary(i) {
                    i += utf8_len(b[i]);
                    continue;
                }
                // A lower-case letter starts no name or place: skip it whole.
                if !text[i..].chars().next().is_some_and(char::is_uppercase) {
                    i += utf8_len(b[i]);
                    continue;
                }
            }
            // One lookup of an ASCII word for both the gazetteer and the name dictionary.
            let looked_up = match &self.lexicon {
                Some(lexicon) if b[i] < 0x80 => {
                    let (run, key) = letter_run(b, i);
                    Some((
                        run,
                        key.map(|k| lexicon.get(&k).copied().unwrap_or_default()),
                    ))
                }
                _ => None,
            };
            let place = places.and_then(|l| match looked_up {
                // Most capitalised words are in no place's name at all.
                Some((_, Some(e))) if !e.place.prefix && e.place.single.is_none() => None,
                Some((run, entry)) => l.place_with(text, i, run, entry.map(|e| e.place)),
                None => l.place_at(text, i),
            });
            let push_place = |out: &mut Vec<Span>, e: usize| {
                out.push(Span {
                    start: i,
                    end: e,
                    entity_type: EntityType::Location,
                })
            };
            // Location context wins over a name reading: "moved here from Salvador".
            let cap_follows = |e: usize| {
                e + 1 < n && b[e] == b' ' && letter_at(text, e + 1).is_some_and(char::is_uppercase)
            };
            if let Some((e, true, _)) = place.filter(|p| !cap_follows(p.0)) {
                push_place(out, e);
                last_end = e;
                i = e;
                continue;
            }
            let known = looked_up.and_then(|(run, entry)| Some((run, entry?.name)));
            let Some(tok) = self.token_with(text, i, known) else {
                if let Some((e, _, true)) = place {
                    push_place(out, e);
                    last_end = e;
                    i = e;
                    continue;
                }
                // Not a capitalised word start: skip this character.
                i += utf8_len(b[i]);
                continue;
            };
            if let Some((e, _, true)) = place {
                // A multi-word place ("United States") or a place that is not a name.
                // A lone surname that is also a place standing alone ("When Greenland is
                // white") is the place.
                if e > tok.word_end || tok.flags & FIRST == 0 {
                    push_place(out, e);
                    last_end = e;
                    i = e;
                    continue;
                }
            }
            match self.name_at(text, &tok) {
                Some(end) => {
                    let start = if tok.flags & (FIRST | LAST) != 0 {
                        self.part_before(text, tok.start)
                            .filter(|&s| s >= i.min(tok.start).saturating_sub(0) && s >= last_end)
                    } else {
                        None
                    }
                    .unwrap_or(tok.start);
                    out.push(Span {
                        start,
                        end,
                        entity_type: EntityType::Person,
                    });
                    last_end = end;
                    i = end;
                }
                None => i = tok.word_end,
            }
        }
    }

    /// The capitalised token starting at `i`, or None when `i` is not a word start with an
    /// upper-case letter followed by a lower-case one (all-caps words are skipped).
    fn token(&self, text: &str, i: usize) -> Option<Token> {
        self.token_with(text, i, None)
    }

    /// [`Names::token`] where the dictionary flags of the word's ASCII letter run (`run`
    /// bytes; 0 when not listed) are `known` already.
    fn token_with(&self, text: &str, i: usize, known: Option<(usize, u8)>) -> Option<Token> {
        let b = text.as_bytes();
        if i >= b.len() {
            return None;
        }
        // Latin-1 lower-case letters (U+00DF..U+00FF) are the common non-ASCII case.
        if b[i] == 0xC3 && i + 1 < b.len() && b[i + 1] >= 0x9F {
            return None;
        }
        let c = letter_at(text, i)?;
        if !c.is_uppercase() {
            return None;
        }
        if letter_before(text, i)
            || (i > 0 && (b[i - 1].is_ascii_digit() || b[i - 1] == b'_'))
            || (i > 1 && b[i - 1] == b'-' && letter_before(text, i - 1))
        {
            return None;
        }
        let second = i + c.len_utf8();
        match letter_at(text, second) {
            Some(c2) if c2.is_lowercase() => {}
            Some(_) => return None,
            None => {
                // A single capital: an initial, not a name.
                return None;
            }
        }
        let word_end = word_end(text, i);
        let mut flags = 0;
        let mut end = word_end;
        if c.is_ascii() {
            let hit = match known {
                Some((run, f)) => (f != 0).then_some((i + run, f)),
                None => self.dictionary_at(b, i),
            };
            if let Some((me, f)) = hit {
                if letter_at(text, me).is_none() {
                    flags = f;
                    // "Jane's": the name is "Jane"; "Jean-Luc": the whole word.
                    if me < word_end && matches!(b[me], b'\'' | 0xE2) {
                        end = me;
                    }
                }
            }
        }
        if flags == 0 {
            // Unknown word: strip a possessive.
            if let Some(p) = possessive_at(text, i, word_end) {
                end = p;
            }
            // Given names with letters beyond ASCII (František, Jindřich, Zoé).
            if !text.as_bytes()[i..end].is_ascii()
                && self.world.contains(&text[i..end].to_lowercase())
            {
                flags = FIRST;
            }
        }
        Some(Token {
            start: i,
            end,
            word_end,
            flags,
        })
    }

    /// The longest dictionary term at the ASCII capital at `i`: (its end, its flags).
    fn dictionary_at(&self, b: &[u8], i: usize) -> Option<(usize, u8)> {
        let (run, key) = letter_run(b, i);
        match (&self.lexicon, key) {
            (Some(lexicon), Some(key)) => lexicon
                .get(&key)
                .filter(|e| e.name != 0)
                .map(|e| (i + run, e.name)),
            _ => {
                let input = Input::new(b).range(i..b.len()).anchored(Anchored::Yes);
                (self.dict.find(input)).map(|m| (m.end(), self.flags[m.pattern().as_usize()]))
            }
        }
    }

    /// If a name starts at `tok`, the byte end of the full name.
    fn name_at(&self, text: &str, tok: &Token) -> Option<usize> {
        if tok.flags & STOPW != 0 {
            return None;
        }
        let b = text.as_bytes();
        let title = || title_before(b, tok.start);
        let strong = || title() || self.strong.ends_before(b, tok.start);
        let next = self.next_part(text, tok.end);
        let next_is_plain_last = next
            .as_ref()
            .is_some_and(|(_, t)| t.flags & LAST != 0 && t.flags & AMBIG == 0);
        let start_ok = if tok.flags & (FIRST | LAST) != 0 {
            if tok.flags & AMBIG == 0 {
                // A lone surname inside a Title Case run ("The Quick Brown Fox") is weak.
                tok.flags & FIRST != 0 || next.is_some() || !self.title_case_run(text, tok.start)
            } else {
                next_is_plain_last
                    || strong()
                    || self.weak.ends_before(b, tok.start)
                    || (greeting_before(b, tok.start) && closes_greeting(b, tok.end))
            }
        } else {
            // "Summarise Rachel Cusk": an unknown word opening a sentence before a given
            // name is a verb or the like, not the name's first part.
            let next_is_first = next.as_ref().is_some_and(|(_, t)| t.flags & FIRST != 0);
            (next_is_plain_last
                && !self.title_case_run(text, tok.start)
                && !(next_is_first && sentence_start(b, tok.start)))
                || strong()
                || (greeting_before(b, tok.start)
                    && closes_greeting(b, tok.end)
                    && tok.end == tok.word_end)
        };
        if !start_ok {
            return None;
        }
        // Extend over further name parts: "Jane Doe", "Kristin R Fuerst", "Ludwig van Beethoven".
        let mut end = tok.end;
        let mut cur = next;
        for _ in 0..3 {
            let Some((_, t)) = cur else { break };
            if PLACE_OR_ORG_AFTER.contains(&&text[t.start..t.end]) {
                return None;
            }
            end = t.end;
            if t.end < t.word_end {
                break; // possessive: "Jane Doe's"
            }
            cur = self.next_part(text, end);
        }
        end = suffix_end(b, end);
        if (place_or_org_after(b, end) || self.place_before(b, tok.start)) && !title() {
            return None;
        }
        Some(end)
    }

    /// A capitalised word right before `start` ("Alojzija" in "Alojzija Ana Vujcic") that can
    /// open the name: not a stop word, not possessive, not after a number.
    fn part_before(&self, text: &str, start: usize) -> Option<usize> {
        let b = text.as_bytes();
        if start < 3 || b[start - 1] != b' ' {
            return None;
        }
        let mut s = start - 1;
        while s > 0
            && (letter_before(text, s)
                || (b[s - 1] == b'-' && s >= 2 && letter_before(text, s - 1)))
        {
            s -= 1;
            while !text.is_char_boundary(s) {
                s -= 1;
            }
        }
        let t = self.token(text, s)?;
        if t.word_end != start - 1 || t.end != t.word_end || t.flags & STOPW != 0 {
            return None;
        }
        if t.flags & AMBIG != 0
            || title_before(b, s)
            || self.place_before(b, s)
            || sentence_start(b, s)
        {
            return None;
        }
        Some(s)
    }

    /// The next name part after `end`: one space, then optionally an initial (`R`, `R.`) or a
    /// particle (`van`) and a space, then a capitalised word that is not a stop word.
    fn next_part(&self, text: &str, end: usize) -> Option<(usize, Token)> {
        let b = text.as_bytes();
        let mut k = end;
        if k >= b.len() || b[k] != b' ' {
            return None;
        }
        k += 1;
        // Initial.
        if k + 1 < b.len() && b[k].is_ascii_uppercase() {
            let mut j = k + 1;
            if b[j] == b'.' {
                j += 1;
            }
            if j < b.len() && b[j] == b' ' && j + 1 < b.len() {
                if let Some(t) = self.token(text, j + 1) {
                    if self.is_part(text, &t) {
                        return Some((k, t));
                    }
                }
                if let Some((_, t)) = self.particle_part(text, j + 1) {
                    return Some((k, t));
                }
            }
        }
        if k < b.len() && b[k].is_ascii_lowercase() {
            return self.particle_part(text, k);
        }
        let t = self.token(text, k)?;
        self.is_part(text, &t).then_some((k, t))
    }

    /// A particle (`van`, `de la`) at `k`, a space, and a capitalised name part.
    fn particle_part(&self, text: &str, k: usize) -> Option<(usize, Token)> {
        let b = text.as_bytes();
        // The lower-case word here must open a particle and be followed by a space.
        let first = b[k..].iter().take_while(|c| c.is_ascii_lowercase()).count();
        if b.get(k + first) != Some(&b' ') || !PARTICLE_FIRST_WORDS.contains(&b[k..k + first]) {
            return None;
        }
        let mut best = None;
        for p in PARTICLES {
            let pe = k + p.len();
            if pe + 1 < b.len() && b[k..pe] == *p.as_bytes() && b[pe] == b' ' {
                if let Some(t) = self.token(text, pe + 1) {
                    if self.is_part(text, &t) {
                        best = Some((k, t));
                    }
                }
            }
        }
        best
    }

    /// An address word or a house number precedes: "Rua Ana ...", "4022 Oakridge".
    fn place_before(&self, b: &[u8], start: usize) -> bool {
        (start >= 2 && b[start - 1] == b' ' && b[start - 2].is_ascii_digit())
            || self.place.ends_before(b, start)
    }

    /// Whether the word before `start` is capitalised and not a stop word: the token is
    /// inside a Title Case run ("The Quick Brown Fox"), where capitals say nothing.
    fn title_case_run(&self, text: &str, start: usize) -> bool {
        let b = text.as_bytes();
        if start < 3 || b[start - 1] != b' ' {
            return false;
        }
        let mut s = start - 1;
        while s > 0 && letter_before(text, s) {
            s -= 1;
            while !text.is_char_boundary(s) {
                s -= 1;
            }
        }
        self.token(text, s)
            .is_some_and(|t| t.word_end == start - 1 && t.flags & STOPW == 0)
    }

    /// The capitalised word at `i`: (end of the name part, a listed given name, an ordinary
    /// word or stop word rather than a name).
    pub(crate) fn word_at(&self, text: &str, i: usize) -> Option<(usize, bool, bool)> {
        let t = self.token(text, i)?;
        Some((t.end, t.flags & FIRST != 0, t.flags & (AMBIG | STOPW) != 0))
    }

    fn is_part(&self, _text: &str, t: &Token) -> bool {
        t.flags & STOPW == 0 && t.end > t.start
    }
}

/// A lower-cased ASCII word in the name dictionary and the gazetteer.
#[derive(Clone, Copy, Debug, Default)]
struct WordEntry {
    /// Name dictionary flags (`FIRST`, `LAST`, `AMBIG`, `STOPW`); 0 when not listed.
    name: u8,
    place: PlaceWord,
}

#[derive(Clone, Copy, Debug)]
struct Token {
    start: usize,
    /// End of the name part (a possessive `'s` excluded).
    end: usize,
    /// End of the whole word.
    word_end: usize,
    flags: u8,
}

#[inline]
pub(crate) fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xFF => 4,
        _ => 1,
    }
}

/// The letter at byte `i`, if `i` is in bounds and the char there is alphabetic.
#[inline]
pub(crate) fn letter_at(text: &str, i: usize) -> Option<char> {
    let b = text.as_bytes();
    if i >= b.len() {
        return None;
    }
    if b[i].is_ascii() {
        return b[i].is_ascii_alphabetic().then_some(b[i] as char);
    }
    if !text.is_char_boundary(i) {
        return None;
    }
    text[i..].chars().next().filter(|c| c.is_alphabetic())
}

#[inline]
pub(crate) fn letter_before(text: &str, i: usize) -> bool {
    let b = text.as_bytes();
    if i == 0 || super::escape_before(b, i) {
        return false;
    }
    if b[i - 1].is_ascii() {
        return b[i - 1].is_ascii_alphabetic();
    }
    text[..i]
        .chars()
        .next_back()
        .is_some_and(char::is_alphabetic)
}

/// End of the word starting at `i`: letters, with inner `'`, `’` or `-` followed by a letter.
fn word_end(text: &str, i: usize) -> usize {
    let b = text.as_bytes();
    let mut j = i;
    loop {
        loop {
            while j < b.len() && b[j].is_ascii_alphabetic() {
                j += 1;
            }
            match letter_at(text, j) {
                Some(c) if !c.is_ascii() => j += c.len_utf8(),
                _ => break,
            }
        }
        let joiner = if j < b.len() && matches!(b[j], b'\'' | b'-') {
            1
        } else if b[j..].starts_with("’".as_bytes()) {
            3
        } else {
            0
        };
        if joiner > 0 && letter_at(text, j + joiner).is_some() {
            j += joiner;
        } else {
            return j;
        }
    }
}

/// Byte index of a trailing `'s` / `’s` inside `[i, word_end)`.
fn possessive_at(text: &str, i: usize, word_end: usize) -> Option<usize> {
    let w = &text[i..word_end];
    for suf in ["'s", "’s"] {
        if let Some(stem) = w.strip_suffix(suf) {
            return Some(i + stem.len());
        }
    }
    None
}

/// A compiled list of context phrases, matched against the text right before a word.
///
/// A phrase ending in a space matches any run of spaces or tabs ("Name:    Jane"); one
/// ending in another whitespace byte (`"regards,\n"`) matches exactly. Matching is ASCII
/// case-insensitive and the phrase must start at a word boundary.
pub(crate) struct Phrases {
    /// Lower-case cores of the phrases ending in spaces, by their last byte: at a word only
    /// the phrases that can end right before it are compared.
    spaced: Vec<Vec<Vec<u8>>>,
    /// (lower-case core, exact trailing white space) of the few other phrases.
    exact: Vec<(Vec<u8>, Vec<u8>)>,
    /// Last bytes of those trailing white spaces.
    exact_last: [bool; 256],
}

impl Phrases {
    pub(crate) fn new(list: &[&str]) -> Self {
        let mut spaced = vec![Vec::new(); 256];
        let mut exact = Vec::new();
        for p in list {
            let p = p.as_bytes();
            let core = p.trim_ascii_end().to_ascii_lowercase();
            let tail = &p[core.len()..];
            if tail.is_empty() || tail[0] == b' ' {
                let last = *core.last().expect("non-empty phrase");
                spaced[usize::from(last)].push(core);
            } else {
                exact.push((core, tail.to_vec()));
            }
        }
        let mut exact_last = [false; 256];
        for (_, tail) in &exact {
            exact_last[usize::from(tail[tail.len() - 1])] = true;
        }
        Phrases {
            spaced,
            exact,
            exact_last,
        }
    }

    /// Whether the text before `i` ends with one of the phrases.
    pub(crate) fn ends_before(&self, b: &[u8], i: usize) -> bool {
        let at_word = |core: &[u8], end: usize| {
            end >= core.len()
                && b[end - core.len()..end].eq_ignore_ascii_case(core)
                && (end == core.len() || !b[end - core.len() - 1].is_ascii_alphanumeric())
        };
        let mut j = i;
        while j > 0 && matches!(b[j - 1], b' ' | b'\t') {
            j -= 1;
        }
        if j < i
            && j > 0
            && self.spaced[usize::from(b[j - 1].to_ascii_lowercase())]
                .iter()
                .any(|core| at_word(core, j))
        {
            return true;
        }
        i > 0
            && self.exact_last[usize::from(b[i - 1])]
            && self.exact.iter().any(|(core, tail)| {
                i >= tail.len() && b[i - tail.len()..i] == tail[..] && at_word(core, i - tail.len())
            })
    }
}

/// End of a post-nominal suffix right after `end` (" Jr.", " MD"), else `end`.
fn suffix_end(b: &[u8], end: usize) -> usize {
    if end >= b.len() || b[end] != b' ' {
        return end;
    }
    for s in SUFFIXES {
        let e = end + 1 + s.len();
        if e <= b.len()
            && &b[end + 1..e] == s.as_bytes()
            && (e == b.len() || !b[e].is_ascii_alphanumeric())
        {
            return e;
        }
    }
    end
}

/// A street or organisation word follows: "Oakridge Lane", "Stanley Electric".
fn place_or_org_after(b: &[u8], end: usize) -> bool {
    if end >= b.len() || b[end] != b' ' {
        return false;
    }
    if b[end..].starts_with(b" & ") {
        return true;
    }
    let s = end + 1;
    let mut e = s;
    while e < b.len() && b[e].is_ascii_alphabetic() {
        e += 1;
    }
    let w = &b[s..e];
    PLACE_OR_ORG_AFTER.iter().any(|p| p.as_bytes() == w)
}

/// The word before `i` (one space, optional `.`) is a title: "Dr. ", "Mrs ".
pub(crate) fn title_before(b: &[u8], i: usize) -> bool {
    if i < 3 || b[i - 1] != b' ' {
        return false;
    }
    let mut e = i - 1;
    if b[e - 1] == b'.' {
        e -= 1;
    }
    let mut s = e;
    while s > 0 && b[s - 1].is_ascii_alphabetic() {
        s -= 1;
    }
    if s == e || e - s > 10 || (s > 0 && (b[s - 1].is_ascii_alphanumeric() || b[s - 1] >= 0x80)) {
        return false;
    }
    TITLE_SET.contains(&b[s..e])
}

static TITLE_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::folded(TITLES));

/// The last word of each greeting.
static GREETING_LAST_WORDS: LazyLock<WordSet> =
    LazyLock::new(|| WordSet::folded(&one_word_each(GREETINGS, |g| g.rsplit(' ').next())));

/// "Hi ", "Thanks, " ... right before `i`.
pub(crate) fn greeting_before(b: &[u8], i: usize) -> bool {
    let mut e = i;
    while e > 0 && matches!(b[e - 1], b' ' | b',') {
        e -= 1;
    }
    if e == i {
        return false;
    }
    // Most words before a capital end no greeting: look their last word up first.
    let mut s = e;
    while s > 0 && e - s <= MAX_LEN && b[s - 1].is_ascii_alphabetic() {
        s -= 1;
    }
    if !GREETING_LAST_WORDS.contains(&b[s..e]) {
        return false;
    }
    GREETINGS.iter().any(|g| {
        let g = g.as_bytes();
        e >= g.len()
            && b[e - g.len()..e].eq_ignore_ascii_case(g)
            && (e == g.len() || !b[e - g.len() - 1].is_ascii_alphanumeric())
    })
}

/// After a greeting the name is followed by punctuation or the end: "Hi Will," / "Thanks Grace!".
pub(crate) fn closes_greeting(b: &[u8], end: usize) -> bool {
    end >= b.len() || matches!(b[end], b',' | b'!' | b'.' | b'\n' | b':' | b'?' | b'-')
}

/// Whether `i` starts a sentence (start of text or after `.`, `!`, `?`, `:` or a newline).
fn sentence_start(b: &[u8], i: usize) -> bool {
    let mut k = i;
    while k > 0 && matches!(b[k - 1], b' ' | b'\t' | b'"' | b'\'' | b'(') {
        k -= 1;
    }
    k == 0
        || super::escape_before(b, k)
        || matches!(b[k - 1], b'.' | b'!' | b'?' | b':' | b'\n' | b'\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(t: &str) -> Vec<&str> {
        let n = Names::new(&[], &HashSet::new()).unwrap();
        let mut v = Vec::new();
        n.scan(t, &Classes::of(t.as_bytes()), None, &mut v);
        v.iter().map(|s| &t[s.start..s.end]).collect()
    }

    #[test]
    fn full_names_join() {
        assert_eq!(names("I spoke with Jane Doe yesterday."), vec!["Jane Doe"]);
        assert_eq!(names("Kristin R Fuerst\n"), vec!["Kristin R Fuerst"]);
        assert_eq!(
            names("ask Jennifer Lopez-Garcia now"),
            vec!["Jennifer Lopez-Garcia"]
        );
        assert_eq!(names("that was Jennifer's idea"), vec!["Jennifer"]);
    }

    #[test]
    fn names_after_text_in_other_scripts() {
        // Lower-case letters beyond ASCII (skipped whole) and scripts without case around
        // names: only the capitals count.
        let t = "über élodie: ещё 東京で Hi, I'm Þorkell Hallbjörnsson — straße Ørsted";
        assert_eq!(names(t), vec!["Þorkell Hallbjörnsson"]);
        assert_eq!(names("привет, Dr. Ивана Петрова"), vec!["Ивана Петрова"]);
    }

    #[test]
    fn ambiguous_names_need_context() {
        assert!(names("Will you send it? May I ask? Grace period ends in June.").is_empty());
        assert_eq!(names("Hi Will, can you check?"), vec!["Will"]);
        assert_eq!(names("Thanks Grace!"), vec!["Grace"]);
        assert_eq!(names("I'm Rose and I need help"), vec!["Rose"]);
        assert_eq!(names("Will Smith starred"), vec!["Will Smith"]);
        assert_eq!(names("ask Mr. Bill Gates"), vec!["Bill Gates"]);
    }

    #[test]
    fn titles_force_names() {
        assert_eq!(
            names("Please ask Dr. Xylophonius about it"),
            vec!["Xylophonius"]
        );
        assert_eq!(
            names("My name is Þorkell Hallbjörnsson."),
            vec!["Þorkell Hallbjörnsson"]
        );
    }

    #[test]
    fn ordinary_text_is_clean() {
        assert!(names("The quick brown fox. This is a Test of the API.").is_empty());
        assert!(names("lowercase john smith is not flagged by the dictionary").is_empty());
        assert!(names("JOHN SMITH").is_empty());
    }
}
