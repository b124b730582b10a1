//! `[pii.strategies]` in a whole run: keyed pseudonyms stable across records and keyed by
//! the environment, masks, records dropped by policy, and the key never written anywhere.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::*;

const KEY_VAR: &str = "FLYWHEEL_TEST_PII_KEY";
const KEY: &str = "k3y-that-must-never-be-written";
const EMAIL: &str = "pat.lee@corp-mail.net";

/// Two chats sharing an address (liked), one with a card number (disliked), one with a
/// private key (disliked), and a comment holding an SSN.
fn source(dir: &Path) -> std::path::PathBuf {
    let src = dir.join("logs");
    let pem =
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----";
    write_jsonl(
        &src.join("interactions/dt=2026-11-03/part-0.jsonl"),
        &[
            chat(
                "i-1",
                "s-1",
                &format!("Send the invoice to {EMAIL} please"),
                "Done, the invoice is on its way.",
            ),
            chat(
                "i-2",
                "s-2",
                &format!("Which address do you have for me? It should be {EMAIL}"),
                &format!("The address on file is {EMAIL}."),
            ),
            chat(
                "i-3",
                "s-3",
                "Charge my card 4111 1111 1111 1111 for the renewal",
                "I could not charge that card.",
            ),
            chat(
                "i-4",
                "s-4",
                &format!("Why does this key fail to load?\n{pem}"),
                "It is not a key.",
            ),
        ],
    );
    write_jsonl(
        &src.join("feedback/dt=2026-11-03/part-0.jsonl"),
        &[
            event("f-1", "i-1", "thumbs_up", None),
            event("f-2", "i-1", "accept", None),
            event("f-3", "i-2", "thumbs_up", None),
            event("f-4", "i-2", "accept", None),
            event("f-5", "i-3", "thumbs_down", None),
            event("f-6", "i-4", "thumbs_down", None),
            event(
                "f-7",
                "i-1",
                "comment",
                Some("for the record my SSN is 536-90-2214"),
            ),
        ],
    );
    src
}

fn config(dir: &Path) -> std::path::PathBuf {
    let cfg = dir.join("flywheel.toml");
    std::fs::write(
        &cfg,
        format!(
            "[pii]\npseudonym_key_env = \"{KEY_VAR}\"\n[pii.strategies]\n\
             EMAIL_ADDRESS = \"pseudonym\"\nCREDIT_CARD = \"mask\"\nUS_SSN = \"drop\"\n"
        ),
    )
    .unwrap();
    cfg
}

fn run(cfg: &Path, src: &Path, sink: &Path, key: &str) -> std::process::Output {
    flywheel_env(
        &[
            "run",
            "--config",
            path(cfg),
            "--source",
            path(src),
            "--sink",
            path(sink),
        ],
        &[(KEY_VAR, key)],
    )
}

/// Distinct `<EMAIL_ADDRESS_xxxxxxxx>` pseudonyms in `text`, and how often each occurs.
fn email_tokens(text: &str) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for (at, _) in text.match_indices("<EMAIL_ADDRESS_") {
        let rest = &text[at + 15..];
        let hex: String = rest.chars().take_while(|c| c.is_ascii_hexdigit()).collect();
        if hex.len() == 8 && rest[8..].starts_with('>') {
            *out.entry(hex).or_default() += 1;
        }
    }
    out
}

// One address in two records becomes one keyed token in both (published in both golden
// rows); the token depends on the key, which appears in no output; cards keep their last
// four digits; a chat holding a private key (drop by default) and a feedback comment
// holding an SSN (drop by config) are filtered with the type as reason, and the
// accounting still balances.
#[test]
fn strategies_from_config_pseudonymise_mask_and_drop() {
    let dir = tempfile::tempdir().unwrap();
    let src = source(dir.path());
    let cfg = config(dir.path());
    let sink = dir.path().join("out");
    let out = run(&cfg, &src, &sink, KEY);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{err}");

    let text = published_text(&sink);
    assert!(!text.contains(EMAIL) && !text.contains("4111 1111 1111 1111"));
    assert!(!text.contains("536-90-2214") && !text.contains("MIIEvQIBADAN"));
    assert!(
        !text.contains(KEY) && !err.contains(KEY),
        "the key must never be written"
    );
    let tokens = email_tokens(&text);
    assert_eq!(tokens.len(), 1, "one address, one pseudonym: {tokens:?}");
    assert!(
        tokens.values().all(|&n| n >= 3),
        "in both records: {tokens:?}"
    );
    assert!(
        text.contains("**** **** **** 1111"),
        "masked card in the regression case"
    );

    let reason = |rows: &[serde_json::Value], id_key: &str, id: &str| {
        let row = rows
            .iter()
            .find(|r| r[id_key] == id)
            .unwrap_or_else(|| panic!("{id}"));
        (
            row["disposition"].as_str().unwrap().to_string(),
            row["reason"].as_str().unwrap().to_string(),
        )
    };
    let dispositions = parquet_rows(&find(&sink, |p| p.ends_with("/dispositions.parquet")));
    let (d, r) = reason(&dispositions, "interaction_id", "i-4");
    assert_eq!(d, "filtered");
    assert!(r.contains("PRIVATE_KEY"), "{r}");
    assert_eq!(
        reason(&dispositions, "interaction_id", "i-3").0,
        "published"
    );
    let feedback = parquet_rows(&find(&sink, |p| {
        p.ends_with("/feedback_dispositions.parquet")
    }));
    let (d, r) = reason(&feedback, "event_id", "f-7");
    assert_eq!(
        (d.as_str(), r.contains("US_SSN")),
        ("filtered", true),
        "{r}"
    );
    let (_, report) = manifest_and_report(&sink);
    assert_eq!(report["accounting"]["interactions"]["input"], 4);
    assert_eq!(report["accounting"]["feedback"]["input"], 7);

    // Another key, another pseudonym for the same address.
    let sink2 = dir.path().join("out2");
    assert!(run(&cfg, &src, &sink2, "another-key").status.success());
    let other = email_tokens(&published_text(&sink2));
    assert_eq!(other.len(), 1);
    assert_ne!(other.keys().next(), tokens.keys().next());
}

// A pseudonym strategy without its key is a config error (exit 2) naming the variable.
#[test]
fn pseudonym_without_key_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let src = source(dir.path());
    let cfg = config(dir.path());
    let out = run(&cfg, &src, &dir.path().join("out"), "");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(KEY_VAR) && err.trim().lines().count() == 1,
        "{err}"
    );
    assert!(!dir.path().join("out").exists(), "nothing written");
}

/// An interaction of user `user` in tenant `tenant`.
fn chat_of(id: &str, user: &str, tenant: &str, prompt: &str, answer: &str) -> serde_json::Value {
    let mut c = chat(id, &format!("s-{id}"), prompt, answer);
    c["user_id"] = user.into();
    c["tenant_id"] = tenant.into();
    c
}

// Public versus personal, decided over the day: an author asked about by four users of
// two tenants is kept; a name only one user mentions is redacted; the same author's name
// in a signature is redacted in that record; a reserved address is kept and a customer's
// public one is not; an introduced non-US name is redacted. The report counts what was
// kept as public, and the leak gate (same policy) lets the run publish.
#[test]
fn public_names_are_counted_over_the_day_and_personal_ones_redacted() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("logs");
    let ask = "What should I read first by Rachel Cusk?";
    let answer = "Start with Outline; it is short.";
    let mut interactions =
        vec![
        chat_of("i-1", "u-1", "acme", ask, answer),
        chat_of("i-2", "u-2", "acme", &format!("{ask} Thanks!"), answer),
        chat_of("i-3", "u-3", "globex", &format!("Quick one: {ask}"), answer),
        chat_of("i-4", "u-4", "globex", &format!("{ask} I liked Transit."), answer),
        chat_of(
            "i-5",
            "u-5",
            "acme",
            "Is Outline a good book? Signed, Rachel Cusk",
            "Yes, it is well reviewed.",
        ),
        chat_of(
            "i-6",
            "u-6",
            "acme",
            "Draft a reply to Dorothy Kessler about the invoice.",
            "Here is a short reply you can send.",
        ),
        chat_of(
            "i-7",
            "u-7",
            "globex",
            "Hi, I'm Alderano Vitturi. Why does nginx on 127.0.0.1 answer but 81.169.13.42 not?",
            "Check the listen directive of the server block.",
        ),
    ];
    for c in &mut interactions {
        c["task"] = "qa".into();
    }
    let feedback: Vec<_> = (1..=7)
        .map(|i| event(&format!("f-{i}"), &format!("i-{i}"), "thumbs_down", None))
        .collect();
    day(&src, "2026-11-03", &interactions, &feedback);
    let sink = dir.path().join("out");
    run_ok(&src, &sink);

    let rows = golden_rows(&sink);
    let input = |id: &str| row(&rows, id)["input"].as_str().unwrap().to_string();
    assert!(input("i-1").contains("Rachel Cusk"), "{}", input("i-1"));
    assert!(input("i-4").contains("Rachel Cusk"), "{}", input("i-4"));
    assert_eq!(input("i-5"), "Is Outline a good book? Signed, <PERSON_1>");
    assert_eq!(
        input("i-6"),
        "Draft a reply to <PERSON_1> about the invoice."
    );
    assert_eq!(
        input("i-7"),
        "Hi, I'm <PERSON_1>. Why does nginx on 127.0.0.1 answer but <IP_ADDRESS_1> not?"
    );
    let text = published_text(&sink);
    for value in ["Dorothy Kessler", "Alderano", "81.169.13.42"] {
        assert!(!text.contains(value), "{value} leaked");
    }
    let (_, report) = manifest_and_report(&sink);
    let kept = &report["pii_kept_public"];
    assert!(kept["PERSON"].as_u64().unwrap() >= 4, "{kept}");
    assert!(kept["IP_ADDRESS"].as_u64().unwrap() >= 1, "{kept}");
    assert_balanced(&report);
}

// With a higher bar for "many users", the same author is redacted everywhere.
#[test]
fn the_public_threshold_comes_from_config() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("logs");
    let ask = "What should I read first by Rachel Cusk?";
    let interactions: Vec<_> = (1..=3)
        .map(|i| {
            chat_of(
                &format!("i-{i}"),
                &format!("u-{i}"),
                "acme",
                ask,
                "Outline.",
            )
        })
        .collect();
    let feedback: Vec<_> = (1..=3)
        .map(|i| event(&format!("f-{i}"), &format!("i-{i}"), "thumbs_down", None))
        .collect();
    day(&src, "2026-11-03", &interactions, &feedback);
    let cfg = dir.path().join("flywheel.toml");
    std::fs::write(&cfg, "[pii]\npublic_min_users = 10\n").unwrap();
    let sink = dir.path().join("out");
    run_with_config(&cfg, &src, &sink);
    assert!(!published_text(&sink).contains("Rachel Cusk"));
    // The default bar (3 users; one tenant is all this run has) keeps it.
    let sink2 = dir.path().join("out2");
    run_ok(&src, &sink2);
    assert!(published_text(&sink2).contains("Rachel Cusk"));
}
