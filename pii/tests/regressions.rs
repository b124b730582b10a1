//! Cases found in real logs that once went wrong.

use pii::{EntityType, Scanner};

// A numeric vector pasted into a chat (embeddings, model weights) holds no phone numbers;
// flagging them mangles the text and, worse, made redaction non-idempotent: once a
// neighbour became a placeholder, the next decimal looked like a phone.
#[test]
fn decimals_in_numeric_vectors_are_not_phones_and_redaction_is_stable() {
    let s = Scanner::new();
    let text = "[0.12 3.1285145 -0.6962907 -1.0530498 -0.2919436 0.28765103 0.3532561 1.3414723 \
                1.6859269 -0.2756677 -0.0863401 -1.4066925 0.16824576 0.38939556 1.1703911 \
                0.8253994 0.90447587 0.45478728 1.381994]\nsizes: 1000 1000 1000\n1000 1000 1000";
    let phones: Vec<_> = s
        .detect(text)
        .into_iter()
        .filter(|x| x.entity_type == EntityType::PhoneNumber)
        .map(|x| &text[x.start..x.end])
        .collect();
    assert!(phones.is_empty(), "{phones:?}");
    let once = s.redact(text);
    assert_eq!(s.redact(&once), once);
}

// A run of numbers ("(555) 123-4567 4111 1111 1111 1111 … 536-90-2214") reads as one
// numeric run until a neighbour becomes a placeholder, so its values are redacted one pass at
// a time. A fixed cap of passes once left the last phone for the next redaction to find.
#[test]
fn a_long_run_of_numbers_is_redacted_in_one_call() {
    let mut b = pii::ScannerBuilder::new().pseudonym_key(b"k".to_vec());
    for t in EntityType::all() {
        b = b.strategy(*t, pii::Strategy::Drop);
    }
    let s = b.build().unwrap();
    let text = "４ 2184 Albert St ４ (555) 123-4567 4111 1111 1111 1111 Apt. 5 Paris Apt. 5 \
                536-90-2214 536-90-2214 (555) 123-4567";
    let once = s.redact(text);
    assert!(!once.contains("4567"), "{once}");
    assert_eq!(s.redact(&once), once);
}
