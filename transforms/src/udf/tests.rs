//! The UDFs as SQL sees them: registered on a session, called over in-memory tables.

use std::collections::BTreeMap;
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Int64Array, ListArray, RecordBatch, StringArray,
};
use datafusion::arrow::compute::concat_batches;
use datafusion::arrow::datatypes::{DataType, Field, Int64Type, Schema};
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;

use super::PiiStats;
use crate::schema;
use crate::schema::testing::{messages_list, Chat};

fn session() -> (SessionContext, Arc<PiiStats>) {
    let ctx = SessionContext::new();
    let stats = Arc::new(PiiStats::default());
    crate::register_udfs(&ctx, Arc::new(::pii::Scanner::new()), Arc::clone(&stats));
    (ctx, stats)
}

fn register(ctx: &SessionContext, name: &str, batch: RecordBatch) {
    let table = MemTable::try_new(batch.schema(), vec![vec![batch]]).unwrap();
    ctx.register_table(name, Arc::new(table)).unwrap();
}

fn text_table(ctx: &SessionContext, values: Vec<Option<&str>>) {
    let schema = Arc::new(Schema::new(vec![Field::new("t", DataType::Utf8, true)]));
    let batch = RecordBatch::try_new(
        schema,
        vec![Arc::new(StringArray::from(values)) as ArrayRef],
    )
    .unwrap();
    register(ctx, "texts", batch);
}

async fn one_column(ctx: &SessionContext, sql: &str) -> ArrayRef {
    let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
    let batch = concat_batches(&batches[0].schema(), &batches).unwrap();
    Arc::clone(batch.column(0))
}

async fn strings(ctx: &SessionContext, sql: &str) -> Vec<Option<String>> {
    one_column(ctx, sql)
        .await
        .as_string::<i32>()
        .iter()
        .map(|s| s.map(str::to_string))
        .collect()
}

const CLEAN: &str = "The order shipped on time, thanks!";

#[tokio::test]
async fn pii_redact_replaces_findings_with_typed_placeholders() {
    // Emails and phone numbers must leave as typed placeholders, clean text must come back
    // byte-identical, NULL stays NULL, and the findings are counted per type for the report.
    let (ctx, stats) = session();
    text_table(
        &ctx,
        vec![
            Some("Mail jane.doe@example.com or call (555) 123-4567."),
            Some(CLEAN),
            None,
            Some("a: x@example.org, b: y@example.org, again X@example.org"),
        ],
    );
    let out = strings(&ctx, "SELECT pii_redact(t) FROM texts").await;
    assert_eq!(
        out,
        vec![
            Some("Mail <EMAIL_ADDRESS_1> or call <PHONE_NUMBER_1>.".to_string()),
            Some(CLEAN.to_string()),
            None,
            // Numbering is per value: a new value starts at 1 again, repeats share a number.
            Some("a: <EMAIL_ADDRESS_1>, b: <EMAIL_ADDRESS_2>, again <EMAIL_ADDRESS_1>".to_string()),
        ]
    );
    assert_eq!(
        stats.by_type(),
        BTreeMap::from([("EMAIL_ADDRESS", 4), ("PHONE_NUMBER", 1)])
    );
    // Three non-NULL strings scanned, two of them had findings.
    assert_eq!(stats.values(), (3, 2));
}

#[tokio::test]
async fn pii_redact_accepts_other_string_encodings_and_literals() {
    // String columns read from Parquet arrive as Utf8View, and SQL may pass literals: both
    // must be redacted, not rejected or panic on a downcast.
    let (ctx, _) = session();
    text_table(&ctx, vec![Some("jane.doe@example.com"), None]);
    let view = strings(
        &ctx,
        "SELECT pii_redact(arrow_cast(t, 'Utf8View')) FROM texts",
    )
    .await;
    assert_eq!(view, vec![Some("<EMAIL_ADDRESS_1>".to_string()), None]);
    let large = strings(
        &ctx,
        "SELECT pii_redact(arrow_cast(t, 'LargeUtf8')) FROM texts",
    )
    .await;
    assert_eq!(large, vec![Some("<EMAIL_ADDRESS_1>".to_string()), None]);
    let literal = strings(&ctx, "SELECT pii_redact('call (555) 123-4567')").await;
    assert_eq!(literal, vec![Some("call <PHONE_NUMBER_1>".to_string())]);
    let null = strings(&ctx, "SELECT pii_redact(NULL)").await;
    assert_eq!(null, vec![None]);
}

fn messages_batch(records: &[Chat]) -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![Field::new(
        "messages",
        schema::messages_type(),
        true,
    )]));
    RecordBatch::try_new(schema, vec![Arc::new(messages_list(records)) as ArrayRef]).unwrap()
}

/// Each record as `Some(vec![(role, content)])`, `None` for a NULL list.
type Owned = Option<Vec<(Option<String>, Option<String>)>>;

fn records(list: &ListArray) -> Vec<Owned> {
    (0..list.len())
        .map(|i| {
            list.is_valid(i).then(|| {
                let chat = list.value(i);
                let chat = chat.as_struct();
                let role = chat.column_by_name("role").unwrap().as_string::<i32>();
                let content = chat.column_by_name("content").unwrap().as_string::<i32>();
                role.iter()
                    .zip(content.iter())
                    .map(|(r, c)| (r.map(str::to_string), c.map(str::to_string)))
                    .collect()
            })
        })
        .collect()
}

fn chat(msgs: &[(&str, Option<&str>)]) -> Owned {
    Some(
        msgs.iter()
            .map(|(r, c)| (Some(r.to_string()), c.map(str::to_string)))
            .collect(),
    )
}

const JANE: &[(&str, Option<&str>)] = &[
    ("user", Some("I am jane@example.com, call (555) 123-4567")),
    (
        "assistant",
        Some("Noted, I will write to jane@example.com."),
    ),
    ("user", None),
];
const BOB: &[(&str, Option<&str>)] = &[("user", Some("bob@example.org here"))];
const CLEAN_CHAT: &[(&str, Option<&str>)] = &[("system", Some("Be brief.")), ("user", Some(CLEAN))];

fn jane_redacted() -> Owned {
    chat(&[
        (
            "user",
            Some("I am <EMAIL_ADDRESS_1>, call <PHONE_NUMBER_1>"),
        ),
        (
            "assistant",
            Some("Noted, I will write to <EMAIL_ADDRESS_1>."),
        ),
        ("user", None),
    ])
}

#[tokio::test]
async fn pii_redact_messages_numbers_placeholders_per_record() {
    // The same address in two turns of one chat must get one placeholder (so the redacted
    // chat still reads coherently), numbering restarts for the next chat, roles and list
    // shape (offsets, empty and NULL lists, NULL contents) are untouched.
    let (ctx, stats) = session();
    let input = messages_batch(&[Some(JANE), None, Some(BOB), Some(&[]), Some(CLEAN_CHAT)]);
    let input_list = input.column(0).as_list::<i32>().clone();
    register(&ctx, "chats", input);

    let out = one_column(&ctx, "SELECT pii_redact_messages(messages) FROM chats").await;
    assert_eq!(out.data_type(), &schema::messages_type());
    let out = out.as_list::<i32>();
    assert_eq!(out.value_offsets(), input_list.value_offsets());
    assert_eq!(out.nulls(), input_list.nulls());
    assert_eq!(
        records(out),
        vec![
            jane_redacted(),
            None,
            chat(&[("user", Some("<EMAIL_ADDRESS_1> here"))]),
            Some(vec![]),
            chat(CLEAN_CHAT),
        ]
    );
    assert_eq!(
        stats.by_type(),
        BTreeMap::from([("EMAIL_ADDRESS", 3), ("PHONE_NUMBER", 1)])
    );
    // Non-NULL contents scanned: 2 (jane) + 1 (bob) + 2 (clean); 3 had findings.
    assert_eq!(stats.values(), (5, 3));
}

/// Redaction from the findings `pii_detect_messages` stored gives what a fresh scan gives,
/// on whole and on sliced batches (list offsets that do not start at 0 on one side only).
#[tokio::test]
async fn pii_redact_messages_from_stored_findings_matches_a_fresh_scan() {
    let full = messages_batch(&[
        Some(BOB),
        Some(JANE),
        None,
        Some(CLEAN_CHAT),
        Some(&[]),
        Some(JANE),
    ]);
    for batch in [full.clone(), full.slice(1, 4)] {
        let (ctx, stats) = session();
        register(&ctx, "chats", batch.clone());
        let fresh = one_column(&ctx, "SELECT pii_redact_messages(messages) FROM chats").await;
        let fresh_counts = (stats.by_type(), stats.values());
        let (ctx, stats) = session();
        register(&ctx, "chats", batch);
        let stored = one_column(
            &ctx,
            "SELECT pii_redact_messages(messages, get_field(pii_detect_messages(messages), 'mentions'))
             FROM chats",
        )
        .await;
        assert_eq!(
            records(stored.as_list::<i32>()),
            records(fresh.as_list::<i32>())
        );
        assert_eq!((stats.by_type(), stats.values()), fresh_counts);
    }
}

#[tokio::test]
async fn pii_redact_messages_handles_sliced_lists() {
    // A sliced batch has list offsets that do not start at 0: each record must still be
    // redacted from its own messages, and the rows outside the slice must not leak in.
    let (ctx, stats) = session();
    let full = messages_batch(&[
        Some(BOB),
        Some(JANE),
        None,
        Some(CLEAN_CHAT),
        Some(BOB),
        Some(JANE),
    ]);
    let sliced = full.slice(1, 4);
    assert_ne!(sliced.column(0).as_list::<i32>().value_offsets()[0], 0);
    register(&ctx, "chats", sliced);

    let out = one_column(&ctx, "SELECT pii_redact_messages(messages) FROM chats").await;
    let out = out.as_list::<i32>();
    assert_eq!(out.len(), 4);
    assert_eq!(
        records(out),
        vec![
            jane_redacted(),
            None,
            chat(CLEAN_CHAT),
            chat(&[("user", Some("<EMAIL_ADDRESS_1> here"))]),
        ]
    );
    // Only the four sliced records are scanned and counted.
    assert_eq!(
        stats.by_type(),
        BTreeMap::from([("EMAIL_ADDRESS", 3), ("PHONE_NUMBER", 1)])
    );
    assert_eq!(stats.values(), (5, 3));
}

#[tokio::test]
async fn pii_dropped_names_drop_types_found_in_any_argument() {
    // With EMAIL_ADDRESS set to drop, a record is flagged when its redacted messages or its
    // metadata hold an email placeholder; other placeholders, look-alikes without a number
    // and NULL rows are not; each type is named once.
    let scanner = ::pii::ScannerBuilder::new()
        .strategy(::pii::EntityType::EmailAddress, ::pii::Strategy::Drop)
        .strategy(::pii::EntityType::CreditCard, ::pii::Strategy::Drop)
        .build()
        .unwrap();
    let ctx = SessionContext::new();
    crate::register_udfs(&ctx, Arc::new(scanner), Arc::new(PiiStats::default()));
    let chats = messages_batch(&[Some(JANE), Some(CLEAN_CHAT), None, Some(CLEAN_CHAT)]);
    let meta = StringArray::from(vec![
        Some("card 4111 1111 1111 1111"),
        Some("<PHONE_NUMBER_1> and <EMAIL_ADDRESS_x> and <EMAIL_ADDRESS_>"),
        None,
        Some("mail bob@example.org"),
    ]);
    let schema = Arc::new(Schema::new(vec![
        chats.schema().field(0).clone(),
        Field::new("meta", DataType::Utf8, true),
    ]));
    let batch =
        RecordBatch::try_new(schema, vec![Arc::clone(chats.column(0)), Arc::new(meta)]).unwrap();
    register(&ctx, "records", batch);
    let out = strings(
        &ctx,
        "SELECT pii_dropped(pii_redact_messages(messages), pii_redact(meta)) FROM records",
    )
    .await;
    assert_eq!(
        out,
        vec![
            Some("CREDIT_CARD,EMAIL_ADDRESS".to_string()),
            None,
            None,
            Some("EMAIL_ADDRESS".to_string()),
        ]
    );
    // The default scanner drops nothing: all NULL without looking.
    let (ctx, _) = session();
    text_table(&ctx, vec![Some("<EMAIL_ADDRESS_1>")]);
    assert_eq!(
        strings(&ctx, "SELECT pii_dropped(t) FROM texts").await,
        vec![None]
    );
}

#[tokio::test]
async fn fw_normalize_folds_width_case_punctuation_and_space() {
    // Duplicate detection compares this form: NFKC, lower case, punctuation as space,
    // whitespace collapsed and trimmed; NULL stays NULL.
    let (ctx, _) = session();
    text_table(
        &ctx,
        vec![
            Some("  Hello,\tWORLD!!\n"),
            Some("ＨＥＬＬＯ：ｗｏｒｌｄ"),
            Some("«Déjà   vu» — ﬁne…"),
            Some("What's 2+2?"),
            Some(""),
            Some("?!"),
            None,
        ],
    );
    let out = strings(&ctx, "SELECT fw_normalize(t) FROM texts").await;
    assert_eq!(
        out,
        vec![
            Some("hello world".to_string()),
            Some("hello world".to_string()),
            Some("déjà vu fine".to_string()),
            Some("what s 2 2".to_string()),
            Some(String::new()),
            Some(String::new()),
            None,
        ]
    );
    // Composed and decomposed accents normalise to the same key.
    assert_eq!(super::normalize("Cafe\u{301}"), super::normalize("Café"));
}

#[tokio::test]
async fn fw_token_estimate_is_characters_over_four_rounded_up() {
    // Few-shot budgets use ceil(chars / 4): characters, not bytes, so accented text is not
    // over-counted; NULL in gives NULL out.
    let (ctx, _) = session();
    text_table(
        &ctx,
        vec![
            Some(""),
            Some("abcd"),
            Some("abcde"),
            Some("éééé"),
            Some("héllo wörld"),
            None,
        ],
    );
    let out = one_column(&ctx, "SELECT fw_token_estimate(t) FROM texts").await;
    assert_eq!(out.data_type(), &DataType::Int64);
    let got: Vec<Option<i64>> = out.as_primitive::<Int64Type>().iter().collect();
    assert_eq!(got, vec![Some(0), Some(1), Some(2), Some(1), Some(3), None]);
}

#[tokio::test]
async fn near_duplicate_functions_compose_in_sql() {
    // Signatures of equal texts are equal and band keys collide; unrelated texts share no
    // band; fw_components merges edges seen by different partitions (partial aggregates
    // merged) into components rooted at their smallest node.
    let (ctx, _) = session();
    text_table(
        &ctx,
        vec![
            Some("the quick brown fox jumps over the lazy dog today"),
            Some("the quick brown fox jumps over the lazy dog today"),
            Some("completely different words about compilers and type systems here"),
        ],
    );
    let sim = one_column(
        &ctx,
        "SELECT fw_minhash_similarity(fw_minhash(a.t, 64, 5), fw_minhash(b.t, 64, 5))
         FROM (SELECT t, row_number() OVER () AS n FROM texts) a
         JOIN (SELECT t, row_number() OVER () AS n FROM texts) b ON b.n = 1
         ORDER BY a.n",
    )
    .await;
    let sim = sim.as_primitive::<datafusion::arrow::datatypes::Float64Type>();
    assert_eq!(sim.value(0), 1.0);
    assert_eq!(sim.value(1), 1.0);
    assert!(sim.value(2) < 0.1);
    let shared = one_column(
        &ctx,
        "SELECT COUNT(*) FROM (
             SELECT k FROM (SELECT DISTINCT t, unnest(fw_lsh_bands(fw_minhash(t, 64, 5), 8, 8)) AS k FROM texts)
             GROUP BY k HAVING COUNT(*) > 1)",
    )
    .await;
    let shared = shared.as_primitive::<Int64Type>().value(0);
    assert_eq!(shared, 0, "distinct texts share no band");

    let schema = Arc::new(Schema::new(vec![
        Field::new("a", DataType::Int64, true),
        Field::new("b", DataType::Int64, true),
    ]));
    let edges = |pairs: &[(i64, i64)]| {
        let (a, b): (Vec<i64>, Vec<i64>) = pairs.iter().copied().unzip();
        RecordBatch::try_new(
            Arc::clone(&schema),
            vec![Arc::new(Int64Array::from(a)), Arc::new(Int64Array::from(b))],
        )
        .unwrap()
    };
    let table = MemTable::try_new(
        Arc::clone(&schema),
        vec![
            vec![edges(&[(4, 3), (24, 25)])],
            vec![edges(&[(3, 2), (5, 4)])],
        ],
    )
    .unwrap();
    ctx.register_table("edges", Arc::new(table)).unwrap();
    let batches = ctx
        .sql(
            "SELECT get_field(m, 'node') AS node, get_field(m, 'root') AS root
             FROM (SELECT unnest(fw_components(a, b)) AS m FROM edges) ORDER BY node",
        )
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let batch = concat_batches(&batches[0].schema(), &batches).unwrap();
    let col = |i: usize| -> Vec<i64> {
        batch
            .column(i)
            .as_primitive::<Int64Type>()
            .values()
            .to_vec()
    };
    // Numeric order: 24 < 25, where as text "24" < "3" would have made 24 the root of
    // a component holding 3.
    assert_eq!(col(0), [2, 3, 4, 5, 24, 25]);
    assert_eq!(col(1), [2, 2, 2, 2, 24, 24]);
}

#[tokio::test]
async fn canary_calls_every_stage_function_and_runs_on_them_alone() {
    let sql = crate::canary_sql();
    let names: Vec<String> = crate::stage_udfs()
        .iter()
        .map(|f| f.name().to_string())
        .chain(crate::udafs().iter().map(|f| f.name().to_string()))
        .collect();
    for name in &names {
        assert!(sql.contains(&format!("{name}(")), "canary lacks {name}");
    }
    // Only the stage functions registered, as on a cluster node: the canary runs.
    let ctx = SessionContext::new();
    crate::register_stage_udfs(&ctx);
    let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
    assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 1);
    // Without one of them it fails: the canary would catch a node built without it.
    let bare = SessionContext::new();
    for udf in crate::stage_udfs()
        .into_iter()
        .filter(|f| f.name() != "fw_mmr")
    {
        bare.register_udf(udf);
    }
    for udaf in crate::udafs() {
        bare.register_udaf(udaf);
    }
    let Err(err) = bare.sql(sql).await else {
        panic!("the canary planned without fw_mmr");
    };
    assert!(err.to_string().contains("fw_mmr"), "{err}");
}

// Two rows under one interaction_id are the same record only when their conversations
// match message for message; a changed word, a changed role, a missing or an extra
// message makes another hash.
#[tokio::test]
async fn chat_hash_tells_conversations_apart() {
    let (ctx, _) = session();
    let a: &[(&str, Option<&str>)] = &[
        ("user", Some("Sort a list?")),
        ("assistant", Some("sorted(xs)")),
    ];
    let records: [Chat; 7] = [
        Some(a),
        Some(a),
        Some(&[
            ("user", Some("Sort a list?")),
            ("assistant", Some("sorted(ys)")),
        ]),
        Some(&[
            ("system", Some("Sort a list?")),
            ("assistant", Some("sorted(xs)")),
        ]),
        Some(&[("user", Some("Sort a list?")), ("assistant", None)]),
        Some(&[("user", Some("Sort a list?"))]),
        None,
    ];
    register(&ctx, "chats", messages_batch(&records));
    let hashes = one_column(&ctx, "SELECT fw_chat_hash(messages) FROM chats").await;
    let hashes = hashes.as_primitive::<Int64Type>();
    assert_eq!(
        hashes.value(0),
        hashes.value(1),
        "the same chat, the same hash"
    );
    let distinct: std::collections::HashSet<i64> = (0..6).map(|i| hashes.value(i)).collect();
    assert_eq!(distinct.len(), 5, "every other chat differs");
    assert!(hashes.is_null(6));
}
