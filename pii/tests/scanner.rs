//! Behaviour of the public API: what is found, how it is redacted, and what must never break.

use pii::{char_offsets, EntityType, RecordContext, Scanner, ScannerBuilder, Span};
use std::sync::OnceLock;

fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(Scanner::new)
}

/// (text, type) of every finding.
fn found(text: &str) -> Vec<(&str, EntityType)> {
    scanner()
        .detect(text)
        .iter()
        .map(|s| (&text[s.start..s.end], s.entity_type))
        .collect()
}

fn only(text: &str, value: &str, t: EntityType) {
    assert_eq!(found(text), vec![(value, t)], "in {text:?}");
}

#[test]
fn entity_names_parse_back() {
    for t in EntityType::all() {
        assert_eq!(t.as_str().parse::<EntityType>().unwrap(), *t);
    }
    assert_eq!(EntityType::CreditCard.as_str(), "CREDIT_CARD");
    assert!("NOPE".parse::<EntityType>().is_err());
}

#[test]
fn emails() {
    only(
        "write to Jane.Doe+tag@mail.example.co.uk today",
        "Jane.Doe+tag@mail.example.co.uk",
        EntityType::EmailAddress,
    );
    only(
        "E-mail:\\nSkyeDickens@armyspy.com",
        "SkyeDickens@armyspy.com",
        EntityType::EmailAddress,
    );
    assert!(found("the @mention and a@b are not addresses").is_empty());
}

#[test]
fn phones() {
    for p in [
        "(555) 123-4567",
        "555.123.4567",
        "+44 20 7946 0958",
        "+1-202-555-0143",
        "020 7946 0958",
    ] {
        only(&format!("call {p} now"), p, EntityType::PhoneNumber);
    }
    // Look-alikes: order ids, dates, times, versions, years, money.
    for t in [
        "order #727315900261 shipped",
        "released 2024-05-01 12:30:45",
        "upgraded from v4.27.7 to v18.0.1",
        "from 1990 to 2020",
        "it costs 1 000 000 dollars",
    ] {
        assert!(found(t).is_empty(), "{t}: {:?}", found(t));
    }
}

#[test]
fn credit_cards_need_luhn() {
    only(
        "card 4111 1111 1111 1111 exp 12/29",
        "4111 1111 1111 1111",
        EntityType::CreditCard,
    );
    only(
        "amex 3782-822463-10005",
        "3782-822463-10005",
        EntityType::CreditCard,
    );
    only(
        "pay with 5555555555554444",
        "5555555555554444",
        EntityType::CreditCard,
    );
    assert!(found("pay with 5555555555554445")
        .iter()
        .all(|f| f.1 != EntityType::CreditCard));
}

#[test]
fn ssns() {
    only("SSN 536-90-2214", "536-90-2214", EntityType::UsSsn);
    only(
        "my social security number is 536902214",
        "536902214",
        EntityType::UsSsn,
    );
    for bad in [
        "000-12-3456",
        "666-12-3456",
        "912-12-3456",
        "536-00-2214",
        "536-90-0000",
    ] {
        assert!(found(&format!("SSN {bad}")).is_empty(), "{bad}");
    }
    assert!(found("ticket 536902214").is_empty());
}

#[test]
fn ibans() {
    only(
        "IBAN GB82WEST12345698765432.",
        "GB82WEST12345698765432",
        EntityType::IbanCode,
    );
    only(
        "IBAN GB82 WEST 1234 5698 7654 32 thanks",
        "GB82 WEST 1234 5698 7654 32",
        EntityType::IbanCode,
    );
    only(
        "DE89 3704 0044 0532 0130 00",
        "DE89 3704 0044 0532 0130 00",
        EntityType::IbanCode,
    );
    assert!(found("IBAN GB83WEST12345698765432").is_empty());
    // A capital pair inside a word opens no IBAN, and does not hide the one after it.
    only(
        "see example.comFR14 2004 1010 0505 0001 3M02 606 GB82WEST12345698765432 ok",
        "GB82WEST12345698765432",
        EntityType::IbanCode,
    );
}

#[test]
fn ip_addresses() {
    only("ssh to 10.0.0.1 please", "10.0.0.1", EntityType::IpAddress);
    only(
        "host 2001:db8:85a3::8a2e:370:7334 is down",
        "2001:db8:85a3::8a2e:370:7334",
        EntityType::IpAddress,
    );
    only(
        "peer fe80::1ff:fe23:4567:890a up",
        "fe80::1ff:fe23:4567:890a",
        EntityType::IpAddress,
    );
    // Only hex digits and colons make an address: found inside any run of them.
    only(
        "log: std::vec at 10:30 then [::ffff:10:20:30]:8080 dropped",
        "::ffff:10:20:30",
        EntityType::IpAddress,
    );
    for t in [
        "at 12:30:45 sharp",
        "version 1.2.3",
        "use std::io::Read",
        "999.1.1.1",
        "a:b:c:d dead:beef",
    ] {
        assert!(found(t).is_empty(), "{t}: {:?}", found(t));
    }
    // A MAC address is its own type, never an IP.
    only(
        "MAC 00:1a:2b:3c:4d:5e",
        "00:1a:2b:3c:4d:5e",
        EntityType::MacAddress,
    );
}

#[test]
fn secrets() {
    only(
        "key AKIAIOSFODNN7EXAMPLE here",
        "AKIAIOSFODNN7EXAMPLE",
        EntityType::ApiKey,
    );
    only(
        "export GITHUB_TOKEN=ghp_0123456789abcdefghijABCDEFGHIJ012345",
        "ghp_0123456789abcdefghijABCDEFGHIJ012345",
        EntityType::ApiKey,
    );
    only(
        "postgres://admin:s3cr3tPass@db.internal:5432/app",
        "s3cr3tPass",
        EntityType::Password,
    );
    let pem =
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----";
    only(&format!("key:\n{pem}\nbye"), pem, EntityType::PrivateKey);
    for t in [
        "commit dd7df79d82a5d04395d6a3a21f42a6ec7f306532 fixed the build",
        "request id 71510aef-cdb0-a7a4-f96b-e33c319f5bd4",
        "sha256 c9139238ca75a58d0ee8dac8600d0bf5812178c9b811b8970e960e0bd09ff55a",
        "image data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk",
        "the task-key-management module and sk-learn style api",
    ] {
        assert!(found(t).is_empty(), "{t}: {:?}", found(t));
    }
}

#[test]
fn persons() {
    only(
        "I met Jane Doe at the conference.",
        "Jane Doe",
        EntityType::Person,
    );
    only(
        "Please ask Dr. Okonkwo about it.",
        "Okonkwo",
        EntityType::Person,
    );
    only("Hi Will, can you review?", "Will", EntityType::Person);
    // Common words that are also names stay unflagged without context.
    for t in [
        "Will this work? May I ask? Grace periods apply. Mark the box.",
        "We use Python and Rust at work.",
        "The Quick Brown Fox",
        "ship it to Spain by Sunday",
    ] {
        let persons: Vec<_> = found(t)
            .into_iter()
            .filter(|f| f.1 == EntityType::Person)
            .collect();
        assert!(persons.is_empty(), "{t}: {persons:?}");
    }
    // Spain is a place.
    only("ship it to Spain by Sunday", "Spain", EntityType::Location);
}

#[test]
fn builder_names_and_allow() {
    let s = ScannerBuilder::new()
        .names(["Acme Widgets", "zork"])
        .allow(["Jane Doe", "Smith"])
        .build()
        .unwrap();
    let t = "acme widgets hired Jane Doe and ZORK; Smith left";
    let got: Vec<&str> = s.detect(t).iter().map(|x| &t[x.start..x.end]).collect();
    assert_eq!(got, vec!["acme widgets", "ZORK"]);
}

#[test]
fn placeholders_are_consistent_within_a_record() {
    let s = scanner();
    let mut rec = RecordContext::new();
    let a = s
        .redact_in("mail a@x.com or A@X.COM, not b@x.com", &mut rec)
        .unwrap();
    assert_eq!(
        a,
        "mail <EMAIL_ADDRESS_1> or <EMAIL_ADDRESS_1>, not <EMAIL_ADDRESS_2>"
    );
    // Same record, another field: numbering continues, same values keep their number.
    let b = s
        .redact_in(
            "reply to b@x.com; call (555) 123-4567 or 555.123.4567",
            &mut rec,
        )
        .unwrap();
    assert_eq!(
        b,
        "reply to <EMAIL_ADDRESS_2>; call <PHONE_NUMBER_1> or <PHONE_NUMBER_1>"
    );
    assert_eq!(s.redact_in("nothing here", &mut rec), None);
    let counts: Vec<(EntityType, usize)> = rec.counts().collect();
    assert_eq!(
        counts,
        vec![(EntityType::EmailAddress, 4), (EntityType::PhoneNumber, 2)]
    );
}

#[test]
fn redaction_is_idempotent_and_placeholders_are_not_findings() {
    let s = scanner();
    let t =
        "Jane Doe <jane@x.com>, card 4111 1111 1111 1111, ip 10.0.0.1, key AKIAIOSFODNN7EXAMPLE, \
             url https://u:hunter22@h.io, Hi Will, ssn 536-90-2214";
    let once = s.redact(t);
    assert_eq!(s.redact(&once), once);
    assert!(s
        .detect("<EMAIL_ADDRESS_1> <PERSON_12> <PHONE_NUMBER_3> <API_KEY_1>")
        .is_empty());
}

/// Every bench text (when the shared bench is checked out beside the repo) redacts
/// idempotently, and spans are sorted, non-overlapping and on char boundaries.
#[test]
fn bench_texts_redact_idempotently() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/pii-bench");
    let s = scanner();
    let mut n = 0;
    for f in ["dev.jsonl", "secrets-dev.jsonl"] {
        let Ok(body) = std::fs::read_to_string(dir.join(f)) else {
            continue;
        };
        for line in body.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let text = v["text"].as_str().unwrap();
            let spans = s.detect(text);
            for w in spans.windows(2) {
                assert!(w[0].end <= w[1].start);
            }
            for sp in &spans {
                assert!(
                    sp.start < sp.end
                        && text.is_char_boundary(sp.start)
                        && text.is_char_boundary(sp.end)
                );
            }
            let once = s.redact(text);
            assert_eq!(s.redact(&once), once, "not idempotent: {text:?}");
            n += 1;
        }
    }
    eprintln!("checked {n} bench texts");
}

#[test]
fn char_offsets_count_code_points() {
    let text = "héllo 日本 jane@x.com 👋 (555) 123-4567";
    let spans = scanner().detect(text);
    assert_eq!(spans.len(), 2);
    let offs = char_offsets(text, &spans);
    let chars: Vec<char> = text.chars().collect();
    let got: Vec<String> = offs
        .iter()
        .map(|&(a, b)| chars[a..b].iter().collect())
        .collect();
    assert_eq!(got, vec!["jane@x.com", "(555) 123-4567"]);
    // Unsorted input is fine too.
    let rev: Vec<Span> = spans.iter().rev().copied().collect();
    assert_eq!(
        char_offsets(text, &rev),
        offs.iter().rev().copied().collect::<Vec<_>>()
    );
}

#[test]
fn odd_input_does_not_panic() {
    let s = scanner();
    assert!(s.detect("").is_empty());
    assert_eq!(s.redact(""), "");
    for t in [
        "\u{0}\u{FEFF}\u{200B}Ḁ̸̢ ÀÉÎ Ǆ ǅ ǆ İ ß ẞ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u{10FFFF}",
        "Ωmega Ärger Ñandú Łódź Þorkell",
        "@@@ ::: ... --- +++ ((( ))) 1-2-3 +1 ( 0",
        "Mr. ",
        "Hi ",
        "-----BEGIN RSA PRIVATE KEY-----",
        "postgres://a:@b",
        "GB82",
        "\\n\\n\\n",
    ] {
        let _ = s.detect(t);
        let r = s.redact(t);
        assert_eq!(s.redact(&r), r);
    }
    let huge = "Jane Doe wrote to jane@x.com from 10.0.0.1. ".repeat(50_000) + &"é".repeat(100_000);
    let spans = s.detect(&huge);
    assert_eq!(spans.len(), 150_000);
    assert_eq!(char_offsets(&huge, &spans).len(), spans.len());
}

#[test]
fn scanner_is_send_sync_and_shareable() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Scanner>();
    let s = scanner();
    std::thread::scope(|sc| {
        for _ in 0..4 {
            sc.spawn(|| assert_eq!(s.redact("a@x.com"), "<EMAIL_ADDRESS_1>"));
        }
    });
}
