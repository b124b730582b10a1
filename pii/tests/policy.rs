//! Public versus personal: each rule of [`pii::Policy`] on a small text, both ways.

use pii::{Class, EntityType, Policy, RecordContext, Scanner};

fn scanner() -> Scanner {
    Scanner::new()
}

/// The policy of a run in which these names were mentioned by enough users.
fn with_public(names: &[&str]) -> Policy {
    Policy::new().public_values(names.iter().map(|n| (EntityType::Person, *n)))
}

#[test]
fn a_public_author_is_kept_and_the_same_name_in_a_signature_is_not() {
    let s = scanner();
    let policy = with_public(&["Rachel Cusk", "Stephen King"]);
    let text = "Compare The Shining by Stephen King with Outline by Rachel Cusk.";
    assert_eq!(s.redact_with(text, &policy), text);
    assert_eq!(
        s.redact_with("Thanks for the help. Signed, Rachel Cusk", &policy),
        "Thanks for the help. Signed, <PERSON_1>"
    );
    // Without the corpus's verdict, a name with no context is redacted.
    assert_eq!(
        s.redact_with("Outline by Rachel Cusk.", &Policy::new()),
        "Outline by <PERSON_1>."
    );
}

#[test]
fn personal_contexts_win_over_frequency() {
    let s = scanner();
    let policy = with_public(&["Regina Burke", "Dylan Lowe", "David Spencer", "Jane Roe"]);
    for (text, want) in [
        (
            "Solve x. My manager Regina Burke asked me this.",
            "Solve x. My manager <PERSON_1> asked me this.",
        ),
        (
            "Hi, I'm Dylan Lowe. Help me.",
            "Hi, I'm <PERSON_1>. Help me.",
        ),
        (
            "This is for David Spencer's birthday.",
            "This is for <PERSON_1>'s birthday.",
        ),
        (
            "Write to Jane Roe, jane.roe@mail.org",
            "Write to <PERSON_1>, <EMAIL_ADDRESS_1>",
        ),
        (
            "Please reach out to Jane Roe today.",
            "Please reach out to <PERSON_1> today.",
        ),
        (
            "Notes\nFrom: Jane Roe\nSubject: rent",
            "Notes\nFrom: <PERSON_1>\nSubject: rent",
        ),
    ] {
        assert_eq!(s.redact_with(text, &policy), want, "{text}");
    }
    // Mid-sentence, "from" is prose: a public name stays.
    let film = "A new game from Jane Roe is out.";
    assert_eq!(s.redact_with(film, &policy), film);
}

#[test]
fn a_name_personal_in_one_field_is_redacted_in_every_field_of_the_record() {
    let s = scanner();
    let policy = with_public(&["Kyle Warren"]);
    let mut record = RecordContext::new();
    let out = s.redact_record(
        &[
            "Kyle Warren wrote the answer below.",
            "Hi, I'm Kyle Warren.",
        ],
        &mut record,
        &policy,
    );
    assert_eq!(
        out[0].as_deref(),
        Some("<PERSON_1> wrote the answer below.")
    );
    assert_eq!(out[1].as_deref(), Some("Hi, I'm <PERSON_1>."));
}

#[test]
fn names_from_everywhere_after_introductions() {
    let s = scanner();
    for (text, name) in [
        (
            "wrong answer  Hi, I'm Alderano Vitturi.",
            "Alderano Vitturi",
        ),
        ("Signed, Jolanda Soffici", "Jolanda Soffici"),
        ("This is for Inken Radisch's birthday.", "Inken Radisch"),
        (
            "My manager Calcedonio Baresi asked me this.",
            "Calcedonio Baresi",
        ),
        ("Hi, I'm Giulia.", "Giulia"),
    ] {
        let found: Vec<_> = s
            .mentions(text)
            .into_iter()
            .map(|m| (&text[m.span.start..m.span.end], m.span.entity_type, m.class))
            .collect();
        assert_eq!(
            found,
            vec![(name, EntityType::Person, Class::PersonalContext)],
            "{text}"
        );
    }
}

#[test]
fn ordinary_capitalised_words_are_not_names() {
    let s = scanner();
    for text in [
        "Set the flag to True before the loop.",
        "Study Numbers: Attendees per session",
        "Sites and Styles of the period",
        "When Greenland is white and ice-covered, why is it called Greenland?",
    ] {
        let persons: Vec<_> = s
            .detect(text)
            .into_iter()
            .filter(|sp| sp.entity_type == EntityType::Person)
            .map(|sp| &text[sp.start..sp.end])
            .collect();
        assert!(persons.is_empty(), "{text}: {persons:?}");
    }
}

#[test]
fn code_identifiers_are_kept_and_a_key_in_the_same_block_is_caught() {
    let s = scanner();
    let text = "Model:\n```python\nclass User(db.Model):\n    password = db.Column(db.String(80))\n    active = True\n    Session = sessionmaker(bind=engine)\n    aws_key = \"AKIAU8GG53T7M0KX5JDR\"\n```\nDone.";
    let found: Vec<_> = s
        .detect_with(text, &Policy::new())
        .into_iter()
        .map(|sp| (&text[sp.start..sp.end], sp.entity_type))
        .collect();
    assert_eq!(found, vec![("AKIAU8GG53T7M0KX5JDR", EntityType::ApiKey)]);
    // A literal password in code is still a password.
    let text = "```\ndb_password = \"Tr0ub4dor&3x\"\n```";
    assert!(s
        .detect_with(text, &Policy::new())
        .iter()
        .any(|sp| sp.entity_type == EntityType::Password));
}

#[test]
fn reserved_addresses_and_public_sites_are_kept_customer_ones_are_not() {
    let s = scanner();
    let p = Policy::new();
    let text = "Run it on 127.0.0.1:8000, DNS 8.8.8.8, docs at https://docs.python.org/3/ and example 192.0.2.10.";
    assert_eq!(s.redact_with(text, &p), text);
    assert_eq!(
        s.redact_with("Our server 45.22.74.83 is down", &p),
        "Our server <IP_ADDRESS_1> is down"
    );
    let reset = s.redact_with("Reset via https://acme.io/reset?token=8f3kq92LmZp01xQa", &p);
    assert!(reset.starts_with("Reset via <URL_1>"), "{reset}");
    assert!(
        !reset.contains("acme.io") && !reset.contains("8f3kq92"),
        "{reset}"
    );
    // Contact details stay personal at documentation domains and 555 numbers too.
    assert_eq!(
        s.redact_with("Mail jane@example.com or (555) 123-4567", &p),
        "Mail <EMAIL_ADDRESS_1> or <PHONE_NUMBER_1>"
    );
    // The detector's view redacts them all.
    assert_ne!(s.redact_with(text, &Policy::redact_all()), text);
}

#[test]
fn places_are_kept_unless_someone_lives_there() {
    let s = scanner();
    let p = Policy::new();
    let text = "Which countries border China? Compare Japan and the United States.";
    assert_eq!(s.redact_with(text, &p), text);
    assert_eq!(
        s.redact_with("I live in Springfield and work remotely.", &p),
        "I live in <LOCATION_1> and work remotely."
    );
    assert_eq!(
        s.redact_with(
            "Which countries border China?",
            &p.clone().keep_places(false)
        ),
        "Which countries border <LOCATION_1>?"
    );
}

#[test]
fn dialogue_greetings_in_stories_are_not_personal() {
    let s = scanner();
    let classes: Vec<Class> = s
        .mentions("“Hey, Jake! I was in the neighborhood,” Mia said.")
        .into_iter()
        .filter(|m| m.span.entity_type == EntityType::Person)
        .map(|m| m.class)
        .collect();
    assert!(classes.iter().all(|c| *c == Class::Name), "{classes:?}");
    let hi = s.mentions("Hey Jake, can you review this?");
    assert_eq!(hi[0].class, Class::PersonalContext);
}

#[test]
fn decimals_are_not_phone_numbers() {
    let s = scanner();
    assert!(s.detect("scores 0.74269533 and 0.29899004").is_empty());
    assert_eq!(s.detect("call 020 7946 0958 now").len(), 1);
}

/// A run scans each text once and redacts later from the findings it stored: codes
/// round-trip every type and class, and redacting from stored findings gives exactly what
/// scanning again gives.
#[test]
fn stored_findings_redact_like_a_fresh_scan() {
    let s = scanner();
    let texts = [
        "Hi, I'm Jane Roe from Leeds. Mail jane.roe@example.com or call +44 20 7946 0958.",
        "Compare The Shining by Stephen King with Outline by Rachel Cusk, born 1967-02-08.",
        "password = 'hunter2-correct-horse' and see https://example.org/docs",
        "Ａｌｉｃｅ wrote from 10.0.0.1 on 2026-11-01",
        "nothing personal here",
    ];
    let policy = with_public(&["Stephen King"]);
    let mut decoded_any = 0;
    let found: Vec<Vec<pii::Mention>> = texts
        .iter()
        .map(|t| {
            s.mentions(t)
                .into_iter()
                .map(|m| {
                    let back = pii::Mention::decode(m.span.start, m.span.end, m.code());
                    assert_eq!(back, Some(m));
                    decoded_any += 1;
                    back.unwrap()
                })
                .collect()
        })
        .collect();
    assert!(decoded_any >= 6, "the texts have findings to store");
    let (mut a, mut b) = (RecordContext::new(), RecordContext::new());
    let fresh = s.redact_record(&texts, &mut a, &policy);
    let stored = s.redact_found(&texts, found, &mut b, &policy);
    assert_eq!(fresh, stored);
    assert!(fresh[0].as_deref().is_some_and(|t| !t.contains("jane.roe")));
    assert_eq!(
        a.counts().collect::<Vec<_>>(),
        b.counts().collect::<Vec<_>>()
    );
    for t in EntityType::all() {
        for c in [Class::Personal, Class::Name, Class::Date, Class::PublicUrl] {
            let m = pii::Mention {
                span: pii::Span {
                    start: 1,
                    end: 2,
                    entity_type: *t,
                },
                class: c,
            };
            assert_eq!(pii::Mention::decode(1, 2, m.code()), Some(m));
        }
    }
    assert_eq!(pii::Mention::decode(0, 1, u16::MAX), None);
}
