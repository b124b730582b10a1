//! End-to-end tests of [`log_table`]: objects in an in-memory store, read through SQL.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, ListArray, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use datafusion::arrow::compute::concat_batches;
use datafusion::arrow::datatypes::{
    DataType, Field, Float64Type, Int64Type, Schema, SchemaRef, TimeUnit, TimestampMicrosecondType,
    UInt64Type,
};
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::prelude::SessionContext;
use flate2::write::GzEncoder;
use flate2::Compression;
use object_store::memory::InMemory;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

use super::{log_table, ClockLimit, FileCounts, Format, IngestStats, LogKind, SourceFile};
use crate::schema;

const ALL_ROWS: &str = "SELECT * FROM logs ORDER BY _source, _line";

/// 2026-11-01T10:00:00.123Z in microseconds since the epoch.
const TS_MICROS: i64 = 1_793_527_200_123_000;

fn interaction(id: &str) -> String {
    format!(
        r#"{{"interaction_id":"{id}","ts":"2026-11-01T10:00:00.123Z","messages":[{{"role":"user","content":"hi"}}]}}"#
    )
}

fn jsonl(lines: &[String]) -> Vec<u8> {
    let mut out = String::new();
    for l in lines {
        out.push_str(l);
        out.push('\n');
    }
    out.into_bytes()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

struct Fixture {
    store: Arc<InMemory>,
    files: Vec<SourceFile>,
    partitions: usize,
    clock: ClockLimit,
}

impl Fixture {
    fn new() -> Self {
        Fixture {
            store: Arc::new(InMemory::new()),
            files: Vec::new(),
            partitions: 4,
            clock: ClockLimit::none(),
        }
    }

    fn clock(mut self, clock: ClockLimit) -> Self {
        self.clock = clock;
        self
    }

    fn partitions(mut self, n: usize) -> Self {
        self.partitions = n;
        self
    }

    /// Stores `bytes` under `name` and lists it with its true size and format.
    async fn put(mut self, name: &str, bytes: Vec<u8>) -> Self {
        let size = bytes.len() as u64;
        let location = Path::from(name);
        self.store
            .put(&location, PutPayload::from(bytes))
            .await
            .unwrap();
        self.files.push(SourceFile {
            location,
            dt: "2026-11-01".into(),
            size,
            e_tag: None,
            format: Format::from_name(name).expect("a log file name"),
        });
        self
    }

    /// Runs `sql` over the objects registered as table `logs`.
    async fn query(
        self,
        kind: LogKind,
        batch_rows: usize,
        sql: &str,
    ) -> datafusion::error::Result<(Vec<RecordBatch>, BTreeMap<String, FileCounts>)> {
        let stats = Arc::new(IngestStats::default());
        let store: Arc<dyn ObjectStore> = self.store;
        let table = log_table(
            store,
            kind,
            self.files,
            Arc::clone(&stats),
            batch_rows,
            self.partitions,
            self.clock,
        )?;
        let ctx = SessionContext::new();
        ctx.register_table("logs", Arc::new(table))?;
        let batches = ctx.sql(sql).await?.collect().await?;
        Ok((batches, stats.snapshot()))
    }

    /// Every row, ordered by source and line, as one batch, with the stats.
    async fn ingest(self, kind: LogKind) -> (RecordBatch, BTreeMap<String, FileCounts>) {
        let (batches, stats) = self.query(kind, 1024, ALL_ROWS).await.unwrap();
        (concat_batches(&kind.schema(), &batches).unwrap(), stats)
    }
}

fn col<'a>(b: &'a RecordBatch, name: &str) -> &'a ArrayRef {
    b.column_by_name(name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

fn strs(b: &RecordBatch, name: &str) -> Vec<Option<String>> {
    col(b, name)
        .as_string::<i32>()
        .iter()
        .map(|s| s.map(str::to_string))
        .collect()
}

fn lines(b: &RecordBatch) -> Vec<u64> {
    col(b, "_line")
        .as_primitive::<UInt64Type>()
        .values()
        .to_vec()
}

fn counts(rows: u64, quarantined: u64, bytes: u64) -> FileCounts {
    FileCounts {
        rows,
        quarantined,
        bytes,
        byte_order_marks: 0,
    }
}

#[tokio::test]
async fn good_jsonl_lines_become_typed_rows_without_error() {
    // Valid lines must fill every typed column and leave `_error`/`_raw` NULL, so good rows
    // pass the quarantine filter untouched.
    let input = vec![
        r#"{"interaction_id":"i-1","session_id":"s-1","ts":"2026-11-01T10:00:00.123Z","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}],"latency_ms":250,"input_tokens":12,"output_tokens":3,"model":"m-1","extra":{"k":1},"tag":"x"}"#.to_string(),
        r#"{"interaction_id":"i-2","ts":"2026-11-01T12:00:00.5+02:00","messages":[{"role":"user","content":null}]}"#.to_string(),
    ];
    let data = jsonl(&input);
    let size = data.len() as u64;
    let (rows, stats) = Fixture::new()
        .put("interactions/dt=2026-11-01/a.jsonl", data)
        .await
        .ingest(LogKind::Interactions)
        .await;

    assert_eq!(rows.num_rows(), 2);
    assert_eq!(col(&rows, "_error").null_count(), 2);
    assert_eq!(col(&rows, "_raw").null_count(), 2);
    assert_eq!(lines(&rows), vec![1, 2]);
    assert_eq!(
        strs(&rows, "_source"),
        vec![Some("interactions/dt=2026-11-01/a.jsonl".to_string()); 2]
    );
    assert_eq!(
        strs(&rows, "interaction_id"),
        vec![Some("i-1".into()), Some("i-2".into())]
    );
    assert_eq!(strs(&rows, "session_id"), vec![Some("s-1".into()), None]);
    assert_eq!(strs(&rows, "model"), vec![Some("m-1".into()), None]);

    let ts = col(&rows, "ts");
    assert_eq!(ts.data_type(), &schema::timestamp_type());
    let ts = ts.as_primitive::<TimestampMicrosecondType>();
    // 12:00:00.5+02:00 is 10:00:00.5 UTC.
    assert_eq!(
        ts.values().to_vec(),
        vec![TS_MICROS, TS_MICROS - 123_000 + 500_000]
    );

    let messages = col(&rows, "messages").as_list::<i32>();
    assert_eq!(messages.null_count(), 0);
    assert_eq!(messages.value_length(0), 3);
    assert_eq!(messages.value_length(1), 1);
    let first = messages.value(0);
    let first = first.as_struct();
    let roles: Vec<_> = first
        .column_by_name("role")
        .unwrap()
        .as_string::<i32>()
        .iter()
        .collect();
    assert_eq!(roles, vec![Some("system"), Some("user"), Some("assistant")]);
    let second = messages.value(1);
    let content = second
        .as_struct()
        .column_by_name("content")
        .unwrap()
        .clone();
    assert!(content.is_null(0), "null content stays NULL");

    let latency = col(&rows, "latency_ms").as_primitive::<Int64Type>();
    assert_eq!(latency.value(0), 250);
    assert!(latency.is_null(1));
    assert_eq!(
        col(&rows, "output_tokens")
            .as_primitive::<Int64Type>()
            .value(0),
        3
    );
    // Unknown fields are kept as a JSON object (compared as JSON: key order is not kept).
    let metadata = strs(&rows, "metadata");
    let parsed: serde_json::Value = serde_json::from_str(metadata[0].as_deref().unwrap()).unwrap();
    assert_eq!(parsed, serde_json::json!({"extra": {"k": 1}, "tag": "x"}));
    assert_eq!(metadata[1], None);

    assert_eq!(
        stats,
        BTreeMap::from([(
            "interactions/dt=2026-11-01/a.jsonl".to_string(),
            counts(2, 0, size)
        )])
    );
}

#[tokio::test]
async fn malformed_line_is_quarantined_alone_and_blank_lines_are_skipped() {
    // One bad line must not fail the query or disturb its neighbours; it becomes a row that
    // names its physical line and keeps its text, while blank lines are not rows at all.
    let bad = r#"{"interaction_id":"i-2","ts":"#;
    let text = format!(
        "{}\n\n{bad}\n{}\r\n   \n{}",
        interaction("i-1"),
        interaction("i-3"),
        interaction("i-4"),
    );
    let (rows, stats) = Fixture::new()
        .put("a.jsonl", text.clone().into_bytes())
        .await
        .ingest(LogKind::Interactions)
        .await;

    assert_eq!(lines(&rows), vec![1, 3, 4, 6]);
    let errors = strs(&rows, "_error");
    assert!(errors[0].is_none() && errors[2].is_none() && errors[3].is_none());
    let reason = errors[1].as_deref().expect("bad line has an error");
    assert!(reason.starts_with("malformed JSON"), "{reason}");
    assert_eq!(
        strs(&rows, "_raw"),
        vec![None, Some(bad.to_string()), None, None]
    );
    assert_eq!(
        strs(&rows, "interaction_id"),
        vec![
            Some("i-1".into()),
            None,
            Some("i-3".into()),
            Some("i-4".into())
        ]
    );
    // The quarantined row has no typed values.
    assert!(col(&rows, "ts").is_null(1));
    assert!(col(&rows, "messages").is_null(1));
    assert_eq!(col(&rows, "messages").null_count(), 1);

    assert_eq!(stats["a.jsonl"], counts(4, 1, text.len() as u64));
}

#[tokio::test]
async fn a_byte_order_mark_is_stripped_and_counted_in_plain_and_gzip_objects() {
    // Windows tools and some exporters write a BOM before the first line: the line is
    // still a valid row, and the object's counts say a BOM was stripped.
    let body = jsonl(&[interaction("i-1"), interaction("i-2")]);
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend(&body);
    let (rows, stats) = Fixture::new()
        .put("a.jsonl", with_bom.clone())
        .await
        .put("b.jsonl.gz", gzip(&with_bom))
        .await
        .put("c.jsonl", body.clone())
        .await
        .ingest(LogKind::Interactions)
        .await;
    assert_eq!(col(&rows, "_error").null_count(), 6, "no row quarantined");
    for name in ["a.jsonl", "b.jsonl.gz"] {
        let c = &stats[name];
        assert_eq!(
            (c.rows, c.quarantined, c.byte_order_marks),
            (2, 0, 1),
            "{name}"
        );
    }
    assert_eq!(stats["c.jsonl"].byte_order_marks, 0);
}

#[tokio::test]
async fn multi_member_gzip_yields_every_line() {
    // Concatenated gzip members are one valid stream (what appending writers produce): all
    // members' lines must be read, not only the first member's.
    let first = jsonl(&[interaction("i-1"), interaction("i-2")]);
    let second = jsonl(&[interaction("i-3"), interaction("i-4")]);
    let mut data = gzip(&first);
    data.extend(gzip(&second));
    let (rows, stats) = Fixture::new()
        .put("a.jsonl.gz", data)
        .await
        .ingest(LogKind::Interactions)
        .await;

    assert_eq!(lines(&rows), vec![1, 2, 3, 4]);
    assert_eq!(col(&rows, "_error").null_count(), 4);
    assert_eq!(
        strs(&rows, "interaction_id"),
        ["i-1", "i-2", "i-3", "i-4"].map(|s| Some(s.to_string()))
    );
    // Bytes are counted after decompression.
    assert_eq!(
        stats["a.jsonl.gz"],
        counts(4, 0, (first.len() + second.len()) as u64)
    );
}

#[tokio::test]
async fn truncated_gzip_keeps_lines_before_the_cut_and_quarantines_the_rest() {
    // A cut-off upload must not lose the readable lines nor fail the query: the unreadable
    // remainder is one quarantined row without raw text, so input accounting stays exact.
    let head = jsonl(&[interaction("i-1"), interaction("i-2"), interaction("i-3")]);
    let tail = jsonl(&[interaction(&"x".repeat(500)), interaction("i-5")]);
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(&head).unwrap();
    enc.flush().unwrap(); // sync flush: the head is decodable on its own
    let cut = enc.get_ref().len() + 5;
    enc.write_all(&tail).unwrap();
    let full = enc.finish().unwrap();
    assert!(cut < full.len() - 8, "the cut is inside the deflate data");

    let (rows, stats) = Fixture::new()
        .put("a.jsonl.gz", full[..cut].to_vec())
        .await
        .ingest(LogKind::Interactions)
        .await;

    assert_eq!(lines(&rows), vec![1, 2, 3, 4]);
    assert_eq!(
        strs(&rows, "interaction_id"),
        vec![
            Some("i-1".into()),
            Some("i-2".into()),
            Some("i-3".into()),
            None
        ]
    );
    let errors = strs(&rows, "_error");
    assert_eq!(errors[..3], [None, None, None]);
    let reason = errors[3].as_deref().unwrap();
    assert!(
        reason.starts_with("unreadable rest of file after line 3"),
        "{reason}"
    );
    assert_eq!(col(&rows, "_raw").null_count(), 4);
    let c = &stats["a.jsonl.gz"];
    assert_eq!((c.rows, c.quarantined), (3 + 1, 1));
}

#[tokio::test]
async fn file_that_is_not_gzip_is_one_quarantined_row() {
    // A `.gz` name over plain bytes is corrupt data, not a store failure: one quarantined
    // row at line 1 instead of a failed run.
    let (rows, stats) = Fixture::new()
        .put("a.jsonl.gz", jsonl(&[interaction("i-1")]))
        .await
        .ingest(LogKind::Interactions)
        .await;

    assert_eq!(rows.num_rows(), 1);
    assert_eq!(lines(&rows), vec![1]);
    let reason = strs(&rows, "_error")[0].clone().unwrap();
    assert!(
        reason.starts_with("unreadable rest of file after line 0"),
        "{reason}"
    );
    assert!(col(&rows, "_raw").is_null(0));
    assert_eq!(stats["a.jsonl.gz"], counts(1, 1, 0));
}

#[tokio::test]
async fn empty_object_is_one_quarantined_row() {
    // A 0-byte object is an input that produced nothing: it must show up as one quarantined
    // row at line 0 so an empty upload is visible rather than silently ignored.
    let (rows, stats) = Fixture::new()
        .put("interactions/dt=2026-11-01/empty.jsonl", Vec::new())
        .await
        .ingest(LogKind::Interactions)
        .await;
    assert_eq!(rows.num_rows(), 1);
    assert_eq!(lines(&rows), vec![0]);
    assert_eq!(
        strs(&rows, "_error"),
        vec![Some("empty file (0 bytes)".to_string())]
    );
    assert!(col(&rows, "_raw").is_null(0));
    assert!(col(&rows, "interaction_id").is_null(0));
    assert_eq!(
        stats["interactions/dt=2026-11-01/empty.jsonl"],
        counts(1, 1, 0)
    );
}

#[tokio::test]
async fn empty_gzip_is_one_quarantined_row() {
    // A non-empty object that decompresses to nothing is flagged the same way, at line 0.
    let (rows, stats) = Fixture::new()
        .put("a.jsonl.gz", gzip(b""))
        .await
        .ingest(LogKind::Interactions)
        .await;
    assert_eq!(lines(&rows), vec![0]);
    assert_eq!(
        strs(&rows, "_error"),
        vec![Some(
            "empty file (no lines after decompression)".to_string()
        )]
    );
    assert_eq!(stats["a.jsonl.gz"], counts(1, 1, 0));
}

#[tokio::test]
async fn invalid_utf8_in_a_value_is_quarantined_with_a_lossy_raw() {
    // Bytes that are not UTF-8 must quarantine only their line, with the reason saying so
    // and `_raw` still readable text (for the redactor) rather than an error.
    let mut data = jsonl(&[interaction("i-1")]);
    data.extend_from_slice(
        b"{\"interaction_id\":\"i-\xff\xfe\",\"ts\":\"2026-11-01T10:00:00Z\"}\n",
    );
    data.extend(jsonl(&[interaction("i-3")]));
    let (rows, stats) = Fixture::new()
        .put("a.jsonl", data)
        .await
        .ingest(LogKind::Interactions)
        .await;

    assert_eq!(lines(&rows), vec![1, 2, 3]);
    let errors = strs(&rows, "_error");
    assert!(errors[0].is_none() && errors[2].is_none());
    let reason = errors[1].as_deref().unwrap();
    assert!(reason.starts_with("invalid UTF-8"), "{reason}");
    let raw = strs(&rows, "_raw")[1].clone().unwrap();
    assert!(raw.starts_with(r#"{"interaction_id":"i-"#), "{raw}");
    assert!(raw.contains('\u{FFFD}'), "{raw}");
    assert_eq!(
        (stats["a.jsonl"].rows, stats["a.jsonl"].quarantined),
        (3, 1)
    );
}

#[tokio::test]
async fn small_batches_still_return_every_row() {
    // Batching bounds memory, never content: 10 lines in batches of 3 are 10 rows, in order,
    // and the counts of every flushed batch add up.
    let all: Vec<String> = (1..=10).map(|i| interaction(&format!("i-{i}"))).collect();
    let (batches, stats) = Fixture::new()
        .put("a.jsonl", jsonl(&all))
        .await
        .query(LogKind::Interactions, 3, "SELECT * FROM logs")
        .await
        .unwrap();

    assert!(batches.iter().all(|b| b.num_rows() <= 3));
    let rows = concat_batches(&schema::interactions(), &batches).unwrap();
    assert_eq!(lines(&rows), (1..=10).collect::<Vec<u64>>());
    assert_eq!(col(&rows, "_error").null_count(), 10);
    assert_eq!(stats["a.jsonl"].rows, 10);
    assert_eq!(stats["a.jsonl"].quarantined, 0);
}

#[tokio::test]
async fn each_object_is_counted_under_its_own_path() {
    // Stats are per object so the run report can point at the file with bad lines.
    let (rows, stats) = Fixture::new()
        .put("a.jsonl", jsonl(&[interaction("a-1"), "nope".to_string()]))
        .await
        .put("b.jsonl", jsonl(&[interaction("b-1")]))
        .await
        .ingest(LogKind::Interactions)
        .await;

    assert_eq!(
        strs(&rows, "_source"),
        ["a.jsonl", "a.jsonl", "b.jsonl"].map(|s| Some(s.to_string()))
    );
    assert_eq!(stats.len(), 2);
    assert_eq!(
        (stats["a.jsonl"].rows, stats["a.jsonl"].quarantined),
        (2, 1)
    );
    assert_eq!(
        (stats["b.jsonl"].rows, stats["b.jsonl"].quarantined),
        (1, 0)
    );
}

#[tokio::test]
async fn objects_sharing_a_partition_are_read_whole_in_path_order() {
    // With fewer partitions than objects, one partition reads several objects one after
    // another: each keeps its own line numbering and counts, and no batch mixes objects.
    let (batches, stats) = Fixture::new()
        .put("c.jsonl", jsonl(&[interaction("c-1")]))
        .await
        .put(
            "a.jsonl",
            jsonl(&[interaction("a-1"), interaction("a-2"), interaction("a-3")]),
        )
        .await
        .put("b.jsonl", jsonl(&["{}".to_string(), interaction("b-2")]))
        .await
        .partitions(1)
        .query(LogKind::Interactions, 2, "SELECT * FROM logs")
        .await
        .unwrap();

    for b in &batches {
        let sources = strs(b, "_source");
        assert!(sources.iter().all(|s| *s == sources[0]), "{sources:?}");
    }
    let rows = concat_batches(&schema::interactions(), &batches).unwrap();
    assert_eq!(
        strs(&rows, "_source"),
        ["a.jsonl", "a.jsonl", "a.jsonl", "b.jsonl", "b.jsonl", "c.jsonl"]
            .map(|s| Some(s.to_string()))
    );
    assert_eq!(lines(&rows), vec![1, 2, 3, 1, 2, 1]);
    assert_eq!(
        strs(&rows, "_error")[3].as_deref(),
        Some("missing required field `interaction_id`")
    );
    assert_eq!(
        (stats["a.jsonl"].rows, stats["a.jsonl"].quarantined),
        (3, 0)
    );
    assert_eq!(
        (stats["b.jsonl"].rows, stats["b.jsonl"].quarantined),
        (2, 1)
    );
    assert_eq!(
        (stats["c.jsonl"].rows, stats["c.jsonl"].quarantined),
        (1, 0)
    );
}

#[tokio::test]
async fn partition_count_does_not_change_the_rows_or_counts() {
    // Parallelism is a tuning knob: any partition count must yield the same rows and stats.
    let mut expected = None;
    for n in [0, 1, 2, 5, 10] {
        let mut fixture = Fixture::new().partitions(n);
        for i in 0..5 {
            let mut objs: Vec<String> =
                (0..=i).map(|j| interaction(&format!("o{i}-{j}"))).collect();
            objs.push("not json".to_string());
            fixture = fixture.put(&format!("o{i}.jsonl"), jsonl(&objs)).await;
        }
        let (rows, stats) = fixture.ingest(LogKind::Interactions).await;
        let got = (
            strs(&rows, "_source"),
            lines(&rows),
            strs(&rows, "interaction_id"),
            stats,
        );
        assert_eq!(got.0.len(), 5 + 15, "partitions {n}");
        match &expected {
            None => expected = Some(got),
            Some(e) => assert_eq!(&got, e, "partitions {n}"),
        }
    }
}

#[tokio::test]
async fn no_objects_is_an_empty_table() {
    // A day without logs is not an error: the table exists and has no rows.
    let (batches, stats) = Fixture::new()
        .query(LogKind::Feedback, 1024, "SELECT count(*) AS n FROM logs")
        .await
        .unwrap();
    let n = col(&batches[0], "n").as_primitive::<Int64Type>().value(0);
    assert_eq!(n, 0);
    assert!(stats.is_empty());
}

fn listed(name: &str, size: u64) -> SourceFile {
    SourceFile {
        location: Path::from(name),
        dt: "2026-11-01".into(),
        size,
        e_tag: None,
        format: Format::Jsonl,
    }
}

fn names(groups: &[Vec<SourceFile>]) -> Vec<Vec<String>> {
    groups
        .iter()
        .map(|g| g.iter().map(|f| f.location.to_string()).collect())
        .collect()
}

#[test]
fn balance_spreads_objects_by_size_and_keeps_path_order() {
    // Partitions should finish together: largest objects go first into the lightest group,
    // and each group reads its objects in path order.
    let files = vec![
        listed("d", 10),
        listed("a", 100),
        listed("c", 50),
        listed("b", 60),
    ];
    assert_eq!(
        names(&super::balance(files.clone(), 2)),
        vec![vec!["a", "d"], vec!["b", "c"]]
    );
    // Never more groups than objects, never fewer than one, never an empty group.
    assert_eq!(super::balance(files.clone(), 10).len(), 4);
    assert_eq!(
        names(&super::balance(files, 0)),
        vec![vec!["a", "b", "c", "d"]]
    );
    assert!(super::balance(Vec::new(), 4).is_empty());
    // Empty objects still weigh something, so they do not all pile into one group.
    let empties = (0..4).map(|i| listed(&format!("e{i}"), 0)).collect();
    assert_eq!(
        names(&super::balance(empties, 2)),
        vec![vec!["e0", "e2"], vec!["e1", "e3"]]
    );
}

#[tokio::test]
async fn missing_object_fails_the_query() {
    // A store failure is not bad data: it must fail the run (so it is retried) instead of
    // being quarantined as if the file were corrupt.
    let fixture = Fixture::new();
    let mut fixture = fixture.put("a.jsonl", jsonl(&[interaction("i-1")])).await;
    fixture.files[0].location = Path::from("gone.jsonl");
    let err = fixture
        .query(LogKind::Interactions, 1024, ALL_ROWS)
        .await
        .expect_err("a missing object must fail the query");
    assert!(err.to_string().contains("gone.jsonl"), "{err}");
}

fn messages_list(records: &[Option<&[(&str, &str)]>]) -> ListArray {
    type Owned<'a> = Option<Vec<(&'a str, Option<&'a str>)>>;
    let owned: Vec<Owned> = records
        .iter()
        .map(|r| r.map(|m| m.iter().map(|(role, c)| (*role, Some(*c))).collect()))
        .collect();
    let chats: Vec<crate::schema::testing::Chat> = owned.iter().map(|r| r.as_deref()).collect();
    crate::schema::testing::messages_list(&chats)
}

fn parquet(batch: &RecordBatch) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut w = ArrowWriter::try_new(&mut buf, batch.schema(), None).unwrap();
    w.write(batch).unwrap();
    w.close().unwrap();
    buf
}

fn parquet_schema(ts: DataType) -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("interaction_id", DataType::Utf8, true),
        Field::new("ts", ts, true),
        Field::new("messages", schema::messages_type(), true),
    ]))
}

#[tokio::test]
async fn parquet_rows_get_the_same_validation_as_json_lines() {
    // Parquet input obeys the JSONL contract: good rows are typed the same way and a row
    // missing a required field is quarantined with the same reason, at its row number.
    let hello: &[(&str, &str)] = &[("user", "hi"), ("assistant", "hello")];
    let batch = RecordBatch::try_new(
        parquet_schema(DataType::Utf8),
        vec![
            Arc::new(StringArray::from(vec![Some("p-1"), None, Some("p-3")])),
            Arc::new(StringArray::from(vec![
                "2026-11-01T10:00:00.123Z",
                "2026-11-01T10:00:00.123Z",
                "2026-11-01 10:00:00.123",
            ])),
            Arc::new(messages_list(&[
                Some(hello),
                Some(hello),
                Some(&hello[..1]),
            ])),
        ],
    )
    .unwrap();
    let (rows, stats) = Fixture::new()
        .put("interactions/dt=2026-11-01/a.parquet", parquet(&batch))
        .await
        .ingest(LogKind::Interactions)
        .await;

    assert_eq!(lines(&rows), vec![1, 2, 3]);
    assert_eq!(
        strs(&rows, "interaction_id"),
        vec![Some("p-1".into()), None, Some("p-3".into())]
    );
    let errors = strs(&rows, "_error");
    assert_eq!(
        errors,
        vec![
            None,
            Some("missing required field `interaction_id`".into()),
            None
        ]
    );
    let raw = strs(&rows, "_raw")[1].clone().unwrap();
    assert!(
        raw.contains("hello"),
        "raw is the row rendered as JSON: {raw}"
    );
    // A zone-less timestamp (as Parquet renders) is read as UTC.
    let ts = col(&rows, "ts").as_primitive::<TimestampMicrosecondType>();
    assert_eq!((ts.value(0), ts.value(2)), (TS_MICROS, TS_MICROS));
    let messages = col(&rows, "messages").as_list::<i32>();
    assert_eq!((messages.value_length(0), messages.value_length(2)), (2, 1));
    let m0 = messages.value(0);
    let contents: Vec<_> = m0
        .as_struct()
        .column_by_name("content")
        .unwrap()
        .as_string::<i32>()
        .iter()
        .collect();
    assert_eq!(contents, vec![Some("hi"), Some("hello")]);

    let c = &stats["interactions/dt=2026-11-01/a.parquet"];
    assert_eq!((c.rows, c.quarantined), (3, 1));
}

#[tokio::test]
async fn parquet_timestamp_columns_are_accepted() {
    // Parquet writers usually store `ts` as a timestamp, not a string; both zoned and
    // zone-less timestamp columns must land as the same UTC instant.
    for tz in [None, Some("UTC"), Some("+02:00")] {
        let ts = TimestampMicrosecondArray::from(vec![TS_MICROS]).with_timezone_opt(tz);
        let batch = RecordBatch::try_new(
            parquet_schema(DataType::Timestamp(
                TimeUnit::Microsecond,
                tz.map(Into::into),
            )),
            vec![
                Arc::new(StringArray::from(vec!["p-1"])),
                Arc::new(ts),
                Arc::new(messages_list(&[Some(&[("user", "hi")])])),
            ],
        )
        .unwrap();
        let (rows, _) = Fixture::new()
            .put("a.parquet", parquet(&batch))
            .await
            .ingest(LogKind::Interactions)
            .await;
        assert_eq!(strs(&rows, "_error"), vec![None], "tz {tz:?}");
        let got = col(&rows, "ts").as_primitive::<TimestampMicrosecondType>();
        assert_eq!(got.value(0), TS_MICROS, "tz {tz:?}");
    }
}

#[tokio::test]
async fn parquet_row_numbers_continue_across_reader_batches() {
    // `_line` of a Parquet row is its row number in the file, also past the reader's
    // internal batch boundary (1024 rows), so a quarantined row can be found again.
    let n = 1030;
    let ids: Vec<Option<String>> = (1..=n)
        .map(|i| (i != n).then(|| format!("p-{i}")))
        .collect();
    let one: &[(&str, &str)] = &[("user", "hi")];
    let batch = RecordBatch::try_new(
        parquet_schema(DataType::Utf8),
        vec![
            Arc::new(StringArray::from(ids)),
            Arc::new(StringArray::from(vec!["2026-11-01T10:00:00Z"; n])),
            Arc::new(messages_list(&vec![Some(one); n])),
        ],
    )
    .unwrap();
    let (batches, stats) = Fixture::new()
        .put("a.parquet", parquet(&batch))
        .await
        .query(
            LogKind::Interactions,
            100,
            "SELECT _line, _error FROM logs WHERE _error IS NOT NULL",
        )
        .await
        .unwrap();
    let bad = concat_batches(&batches[0].schema(), &batches).unwrap();
    assert_eq!(lines(&bad), vec![n as u64]);
    assert_eq!(
        (stats["a.parquet"].rows, stats["a.parquet"].quarantined),
        (n as u64, 1)
    );
}

#[tokio::test]
async fn unreadable_parquet_is_one_quarantined_row() {
    // Bytes that are not Parquet are quarantined as one row, not a failed query.
    let (rows, stats) = Fixture::new()
        .put("a.parquet", b"not parquet at all".to_vec())
        .await
        .ingest(LogKind::Interactions)
        .await;
    assert_eq!(lines(&rows), vec![1]);
    let reason = strs(&rows, "_error")[0].clone().unwrap();
    assert!(reason.starts_with("unreadable Parquet file"), "{reason}");
    assert!(col(&rows, "_raw").is_null(0));
    assert_eq!(
        (stats["a.parquet"].rows, stats["a.parquet"].quarantined),
        (1, 1)
    );
}

#[tokio::test]
async fn feedback_value_accepts_numbers_and_booleans_but_not_strings() {
    // `value` is a score: numbers pass through, booleans become 1/0 (thumbs up/down), and a
    // string is quarantined with a reason naming the field but not echoing the value.
    let line = |value: &str| {
        format!(
            r#"{{"interaction_id":"i-1","type":"rating","ts":"2026-11-01T10:00:00.123Z"{value}}}"#
        )
    };
    let lines_in = [
        line(r#","value":4.5"#),
        line(r#","value":true"#),
        line(r#","value":false"#),
        line(r#","value":"5551234567""#),
        line(r#","comment":"ok","source":"web""#),
    ];
    let (rows, stats) = Fixture::new()
        .put("feedback/dt=2026-11-01/f.jsonl", jsonl(&lines_in))
        .await
        .ingest(LogKind::Feedback)
        .await;

    assert_eq!(lines(&rows), vec![1, 2, 3, 4, 5]);
    let value = col(&rows, "value").as_primitive::<Float64Type>();
    let got: Vec<Option<f64>> = value.iter().collect();
    assert_eq!(got, vec![Some(4.5), Some(1.0), Some(0.0), None, None]);
    let errors = strs(&rows, "_error");
    assert_eq!(
        errors,
        vec![
            None,
            None,
            None,
            Some("field `value` must be a number, found string".into()),
            None
        ]
    );
    assert_eq!(
        strs(&rows, "type"),
        vec![
            Some("rating".into()),
            Some("rating".into()),
            Some("rating".into()),
            None,
            Some("rating".into())
        ]
    );
    assert_eq!(strs(&rows, "comment")[4].as_deref(), Some("ok"));
    assert_eq!(
        strs(&rows, "metadata")[4].as_deref(),
        Some(r#"{"source":"web"}"#)
    );
    let ts = col(&rows, "ts").as_primitive::<TimestampMicrosecondType>();
    assert_eq!(ts.value(0), TS_MICROS);
    let c = &stats["feedback/dt=2026-11-01/f.jsonl"];
    assert_eq!((c.rows, c.quarantined), (5, 1));
}

#[test]
fn format_follows_the_object_name() {
    // Only log encodings are picked up; anything else in the prefix is ignored.
    assert_eq!(Format::from_name("a/b.jsonl"), Some(Format::Jsonl));
    assert_eq!(Format::from_name("b.json"), Some(Format::Jsonl));
    assert_eq!(Format::from_name("b.ndjson"), Some(Format::Jsonl));
    assert_eq!(Format::from_name("b.jsonl.gz"), Some(Format::JsonlGz));
    assert_eq!(Format::from_name("b.json.gz"), Some(Format::JsonlGz));
    assert_eq!(Format::from_name("b.parquet"), Some(Format::Parquet));
    assert_eq!(Format::from_name("_SUCCESS"), None);
    assert_eq!(Format::from_name("b.csv"), None);
}

/// Each partition streams its objects in path order and their lines in order, and the
/// table says so: ordering the day's rows by provenance merges partitions, never sorts.
#[tokio::test]
async fn rows_come_in_provenance_order_without_a_sort() {
    let mut f = Fixture::new().partitions(2);
    for name in ["d.jsonl", "a.jsonl", "c.jsonl.gz", "b.jsonl", "e.jsonl"] {
        let rows: Vec<String> = (0..5)
            .map(|i| interaction(&format!("{name}-{i}")))
            .collect();
        let bytes = jsonl(&rows);
        let bytes = if name.ends_with(".gz") {
            gzip(&bytes)
        } else {
            bytes
        };
        f = f.put(name, bytes).await;
    }
    let stats = Arc::new(IngestStats::default());
    let table = log_table(
        f.store,
        LogKind::Interactions,
        f.files,
        stats,
        2,
        2,
        ClockLimit::none(),
    )
    .unwrap();
    let ctx = SessionContext::new_with_config(
        datafusion::prelude::SessionConfig::new().with_target_partitions(2),
    );
    ctx.register_table("logs", Arc::new(table)).unwrap();
    let df = ctx.sql(ALL_ROWS).await.unwrap();
    let plan = df.clone().create_physical_plan().await.unwrap();
    let text = datafusion::physical_plan::displayable(plan.as_ref())
        .indent(false)
        .to_string();
    assert!(!text.contains("SortExec"), "{text}");
    assert!(text.contains("SortPreservingMergeExec"), "{text}");
    let batches = df.collect().await.unwrap();
    let all = concat_batches(&LogKind::Interactions.schema(), &batches).unwrap();
    let got: Vec<(String, u64)> = strs(&all, "_source")
        .into_iter()
        .map(Option::unwrap)
        .zip(lines(&all))
        .collect();
    let mut sorted = got.clone();
    sorted.sort();
    assert_eq!(got.len(), 25);
    assert_eq!(got, sorted);
}

// A client clock years ahead (2099) is quarantined naming the field, never the value; a
// row two days after its partition (a late clock, a time zone) is an ordinary row.
#[tokio::test]
async fn a_timestamp_far_past_the_run_start_is_quarantined() {
    let two_days_late = interaction("i-late").replace("2026-11-01T10", "2026-11-03T10");
    let far_future = interaction("i-future").replace("2026-11-01T10", "2099-11-01T10");
    let start = TS_MICROS + 48 * 3_600_000_000; // the nightly run, two days later
    let feedback_future =
        r#"{"interaction_id":"i-1","type":"thumbs_up","ts":"2031-01-01T00:00:00Z"}"#;
    let (batch, stats) = Fixture::new()
        .clock(ClockLimit::after(start, 24))
        .put(
            "interactions/a.jsonl",
            jsonl(&[interaction("i-1"), two_days_late, far_future]),
        )
        .await
        .ingest(LogKind::Interactions)
        .await;
    assert_eq!(
        strs(&batch, "interaction_id"),
        [Some("i-1".into()), Some("i-late".into()), None]
    );
    let errors = strs(&batch, "_error");
    let reason = errors[2].as_deref().expect("the 2099 row is quarantined");
    assert!(
        reason.starts_with("field `ts` is more than 24 h after the run started"),
        "{reason}"
    );
    assert!(!reason.contains("2099"), "{reason}");
    assert_eq!(stats["interactions/a.jsonl"].quarantined, 1);

    let (batch, _) = Fixture::new()
        .clock(ClockLimit::after(start, 24))
        .put("feedback/a.jsonl", jsonl(&[feedback_future.to_string()]))
        .await
        .ingest(LogKind::Feedback)
        .await;
    assert!(
        strs(&batch, "_error")[0].is_some(),
        "feedback is held to the same clock"
    );
}
