//! Properties of detect and redact over arbitrary text, and linear behaviour on a large record.

use pii::{EntityType, Scanner};
use proptest::prelude::*;
use std::sync::OnceLock;

fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(Scanner::new)
}

/// Scanners redacting every type by pseudonym, by mask and by drop.
fn strategy_scanners() -> &'static [Scanner; 3] {
    static S: OnceLock<[Scanner; 3]> = OnceLock::new();
    S.get_or_init(|| {
        [
            pii::Strategy::Pseudonym,
            pii::Strategy::Mask,
            pii::Strategy::Drop,
        ]
        .map(|st| {
            let mut b = pii::ScannerBuilder::new().pseudonym_key(b"k".to_vec());
            for t in EntityType::all() {
                b = b.strategy(*t, st);
            }
            b.build().unwrap()
        })
    })
}

/// Text mixing ordinary words, PII-like fragments, separators and tricky Unicode.
fn texty() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("Jane Doe".to_string()),
        Just("jane.doe@example.org".to_string()),
        Just("(555) 123-4567".to_string()),
        Just("4111 1111 1111 1111".to_string()),
        Just("536-90-2214".to_string()),
        Just("GB82WEST12345698765432".to_string()),
        Just("2184 Albert St".to_string()),
        Just("Apt. 5".to_string()),
        Just("Paris".to_string()),
        Just("born on 1/2/1990".to_string()),
        Just("https://foo.bar/x".to_string()),
        Just("<PERSON_1>".to_string()),
        Just("\u{200B}".to_string()),
        Just("４".to_string()),
        Just("\\n".to_string()),
        Just("é".to_string()),
        Just("日本".to_string()),
        "[ -~]{0,12}",
        "\\PC{0,6}",
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn spans_are_sorted_disjoint_and_on_boundaries(text in texty()) {
        let spans = scanner().detect(&text);
        let mut prev = 0;
        for s in &spans {
            prop_assert!(s.start < s.end && s.end <= text.len());
            prop_assert!(s.start >= prev);
            prop_assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
            prev = s.end;
        }
        let offs = pii::char_offsets(&text, &spans);
        prop_assert_eq!(offs.len(), spans.len());
    }

    #[test]
    fn redaction_is_idempotent(text in texty()) {
        let once = scanner().redact(&text);
        prop_assert_eq!(scanner().redact(&once), once);
    }

    #[test]
    fn redaction_is_idempotent_for_every_strategy(text in texty(), which in 0usize..3) {
        let s = &strategy_scanners()[which];
        let once = s.redact(&text);
        prop_assert_eq!(s.redact(&once), once);
    }
}

#[test]
fn ten_megabyte_record_is_linear() {
    // 10 MB of prose with a planted e-mail, card and phone every ~100 KB: all of them found.
    let filler = "the quick brown fox jumps over the lazy dog and then some more words follow. ";
    let mut text = String::with_capacity(10 << 20);
    let mut planted = 0;
    while text.len() < 10 << 20 {
        for _ in 0..1300 {
            text.push_str(filler);
        }
        text.push_str("mail jane.doe@example.org card 4111 1111 1111 1111 call (555) 123-4567. ");
        planted += 1;
    }
    let spans = scanner().detect(&text);
    let count = |t: EntityType| spans.iter().filter(|s| s.entity_type == t).count();
    assert_eq!(count(EntityType::EmailAddress), planted);
    assert_eq!(count(EntityType::CreditCard), planted);
    assert_eq!(count(EntityType::PhoneNumber), planted);
    assert_eq!(spans.len(), 3 * planted);
}
