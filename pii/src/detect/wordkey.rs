//! Exact lookups of short ASCII words: a word of up to 16 letters, lower-cased, packed into a
//! `u128`. Looking a capitalised word up in a hash table of these keys is much cheaper than
//! walking a dictionary automaton from every capital of a text.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// Longest word that has a key.
pub(crate) const MAX_LEN: usize = 16;

/// The run of ASCII letters starting at `i`: its length, and its key when it has at most
/// [`MAX_LEN`] letters.
#[inline]
pub(crate) fn letter_run(b: &[u8], i: usize) -> (usize, Option<u128>) {
    let mut key = 0u128;
    let mut j = i;
    while j < b.len() && b[j].is_ascii_alphabetic() {
        if j - i < MAX_LEN {
            key |= u128::from(b[j] | 0x20) << (8 * (j - i));
        }
        j += 1;
    }
    let len = j - i;
    (len, (len <= MAX_LEN).then_some(key))
}

/// The key of a lower-case ASCII word of at most [`MAX_LEN`] letters (empty included).
pub(crate) fn key_of(word: &[u8]) -> Option<u128> {
    if word.len() > MAX_LEN || !word.iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    let (_, key) = letter_run(word, 0);
    key
}

/// A fixed list of words compared exactly (case-sensitively, or ASCII case-insensitively
/// when built by [`WordSet::folded`]): plain ASCII words by key, the few others (`St.`,
/// `straße`, `co-worker`) one by one.
pub(crate) struct WordSet {
    keys: KeySet,
    other: Vec<&'static [u8]>,
    fold: bool,
}

impl WordSet {
    pub(crate) fn new(list: &[&'static str]) -> Self {
        Self::build(list, false)
    }

    /// A set of lower-case words that matches them in any ASCII case.
    pub(crate) fn folded(list: &[&'static str]) -> Self {
        Self::build(list, true)
    }

    fn build(list: &[&'static str], fold: bool) -> Self {
        let mut set = WordSet {
            keys: KeySet::default(),
            other: Vec::new(),
            fold,
        };
        for w in list {
            let w = w.as_bytes();
            let key = if fold {
                key_of(w).filter(|_| !w.is_empty())
            } else {
                exact_key(w)
            };
            match key {
                Some(k) => {
                    set.keys.insert(k);
                }
                None => set.other.push(w),
            }
        }
        set
    }

    #[inline]
    pub(crate) fn contains(&self, w: &[u8]) -> bool {
        if self.fold {
            return match key_of(w) {
                Some(k) => self.keys.contains(&k),
                None => self.other.iter().any(|o| o.eq_ignore_ascii_case(w)),
            };
        }
        match exact_key(w) {
            Some(k) => self.keys.contains(&k),
            None => self.other.contains(&w),
        }
    }
}

/// Like [`key_of`] but keeping case; None unless `w` is 1 to [`MAX_LEN`] ASCII letters.
#[inline]
fn exact_key(w: &[u8]) -> Option<u128> {
    if w.is_empty() || w.len() > MAX_LEN {
        return None;
    }
    let mut key = 0u128;
    for (j, &c) in w.iter().enumerate() {
        if !c.is_ascii_alphabetic() {
            return None;
        }
        key |= u128::from(c) << (8 * j);
    }
    Some(key)
}

pub(crate) type KeyMap<V> = HashMap<u128, V, BuildHasherDefault<KeyHasher>>;
pub(crate) type KeySet = HashSet<u128, BuildHasherDefault<KeyHasher>>;

/// A multiply-fold hash for `u128` keys (the table is built from trusted dictionaries).
#[derive(Default)]
pub(crate) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &c in bytes {
            self.write_u64(u64::from(c));
        }
    }

    #[inline]
    fn write_u64(&mut self, v: u64) {
        let m = u128::from(self.0 ^ v) * 0x9E37_79B9_7F4A_7C15;
        self.0 = (m as u64) ^ ((m >> 64) as u64);
    }

    #[inline]
    fn write_u128(&mut self, v: u128) {
        self.write_u64(v as u64);
        self.write_u64((v >> 64) as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_and_keys() {
        assert_eq!(letter_run(b"Jane's", 0), (4, key_of(b"jane")));
        assert_eq!(letter_run(b"x JANE", 2), (4, key_of(b"jane")));
        assert_eq!(letter_run(b"Abcdefghijklmnopq", 0).1, None);
        assert_eq!(letter_run(b"\xc3\x96", 0), (0, Some(0)));
        assert_eq!(key_of(b"o'brien"), None);
        assert_ne!(key_of(b"ab"), key_of(b"ba"));
        let set = WordSet::new(&["St", "St.", "straße"]);
        assert!(set.contains(b"St") && set.contains(b"St.") && set.contains("straße".as_bytes()));
        assert!(!set.contains(b"st") && !set.contains(b"S") && !set.contains(b""));
        let folded = WordSet::folded(&["dr", "co-worker"]);
        assert!(folded.contains(b"DR") && folded.contains(b"Dr") && folded.contains(b"Co-Worker"));
        assert!(!folded.contains(b"D") && !folded.contains(b"drs") && !folded.contains(b""));
    }
}
