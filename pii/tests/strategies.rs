//! Redaction strategies and evasion robustness through the public API.

use pii::{EntityType, RecordContext, Scanner, ScannerBuilder, Strategy};

#[test]
fn pseudonyms_are_keyed_and_stable_across_records() {
    let s = ScannerBuilder::new()
        .strategy(EntityType::EmailAddress, Strategy::Pseudonym)
        .pseudonym_key(b"test-key".to_vec())
        .build()
        .unwrap();
    let a = s.redact("mail Jane@Example.org now");
    let b = s.redact("again jane@example.org!");
    let tok = &a[5..a.len() - 4];
    assert!(tok.starts_with("<EMAIL_ADDRESS_") && tok.len() == "<EMAIL_ADDRESS_>".len() + 8);
    assert!(b.contains(tok), "{a} / {b}");
    let other = ScannerBuilder::new()
        .strategy(EntityType::EmailAddress, Strategy::Pseudonym)
        .pseudonym_key(b"other-key".to_vec())
        .build()
        .unwrap();
    assert!(!other.redact("mail jane@example.org").contains(tok));
    assert!(!format!("{s:?}").contains("test-key"));
    assert!(ScannerBuilder::new()
        .strategy(EntityType::Person, Strategy::Pseudonym)
        .build()
        .is_err());
}

#[test]
fn mask_and_drop() {
    let s = ScannerBuilder::new()
        .strategy(EntityType::CreditCard, Strategy::Mask)
        .strategy(EntityType::UsSsn, Strategy::Drop)
        .build()
        .unwrap();
    assert_eq!(
        s.redact("card 4111 1111 1111 1111 ok"),
        "card **** **** **** 1111 ok"
    );
    let mut ctx = RecordContext::new();
    let out = s.redact_in("SSN 536-90-2214", &mut ctx).unwrap();
    assert!(ctx.must_drop());
    assert_eq!(out, "SSN <US_SSN_1>");
    let mut ctx = RecordContext::new();
    s.redact_in("card 4111 1111 1111 1111", &mut ctx);
    assert!(!ctx.must_drop());
}

#[test]
fn evasions_are_seen_and_offsets_stay_original() {
    let s = Scanner::new();
    let t = "card ４１１１ １１１１ １１１１ １１１１ ok";
    let f = s.detect(t);
    assert_eq!(f.len(), 1);
    assert_eq!(
        &t[f[0].start..f[0].end],
        "４１１１ １１１１ １１１１ １１１１"
    );
    let t = "ssn 536\u{200B}-90-\u{200D}2214";
    let f = s.detect(t);
    assert_eq!(f[0].entity_type, EntityType::UsSsn);
    assert_eq!(&t[f[0].start..f[0].end], "536\u{200B}-90-\u{200D}2214");
    for t in [
        "write to jane dot doe at example dot com please",
        "write to jane [at] example [dot] com please",
        "write to jane(at)example(dot)com please",
        "write to jane(at )example.com please",
        // Brackets closing on "at" elsewhere ("format)", "chat)") are no obfuscation.
        "the (date format) and (chat) aside, write to jane[at]example.com please",
    ] {
        let f = s.detect(t);
        assert_eq!(f.len(), 1, "{t}: {f:?}");
        assert_eq!(f[0].entity_type, EntityType::EmailAddress);
        assert!(t[f[0].start..f[0].end].starts_with("jane"));
        assert!(t[f[0].start..f[0].end].ends_with("com"));
    }
    assert!(s.detect("look at the example dot product").is_empty());
    assert!(s
        .detect("use a (flat) format (chat) at example.com")
        .is_empty());
}

#[test]
fn new_types() {
    let s = Scanner::new();
    let one = |t: &str| {
        let f = s.detect(t);
        assert_eq!(f.len(), 1, "{t}: {f:?}");
        (t[f[0].start..f[0].end].to_string(), f[0].entity_type)
    };
    assert_eq!(
        one("see https://www.acme-corp.io/about."),
        ("https://www.acme-corp.io/about".into(), EntityType::Url)
    );
    assert_eq!(
        one("send to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 now"),
        (
            "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2".into(),
            EntityType::Crypto
        )
    );
    assert_eq!(
        one("my NHS number is 943 476 5919"),
        ("943 476 5919".into(), EntityType::UkNhs)
    );
    assert_eq!(
        one("date of birth: 12/6/1994"),
        ("12/6/1994".into(), EntityType::DateTime)
    );
    assert_eq!(
        one("We moved here from Poland"),
        ("Poland".into(), EntityType::Location)
    );
    let only_loc = ScannerBuilder::new()
        .disable([EntityType::Location])
        .build()
        .unwrap();
    assert!(only_loc.detect("We moved here from Poland").is_empty());
}
