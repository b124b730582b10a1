//! The job against a real S3-compatible server: s3:// source and sink through the standard
//! AWS_* variables and a custom endpoint, the same checks on file://, retries under
//! injected 5xx and slow responses, and clean failures when the server is gone.
//!
//! The S3 tests run only when FLYWHEEL_TEST_S3_ENDPOINT names a server that accepts any
//! credentials (`scripts/s3_server.sh start` starts one on loopback; `.ci/run` does).
//! Each test uses a bucket of its own.

mod support;

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A run that takes longer than this has hung: it is killed and the test fails.
const RUN_LIMIT: Duration = Duration::from_secs(300);

/// The log folders of the bundled sample, uploaded under `logs/`.
const LOG_DIRS: [&str; 2] = ["interactions", "feedback"];

fn endpoint() -> Option<String> {
    match std::env::var("FLYWHEEL_TEST_S3_ENDPOINT") {
        Ok(e) if !e.trim().is_empty() => Some(e.trim().trim_end_matches('/').to_string()),
        _ => {
            eprintln!("skipped: FLYWHEEL_TEST_S3_ENDPOINT not set");
            None
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Every sample log file as (path relative to the sample, bytes).
fn sample_logs() -> Vec<(String, Vec<u8>)> {
    let sample = repo().join("data/sample-logs");
    LOG_DIRS
        .iter()
        .flat_map(|d| files(&sample.join(d)))
        .map(|f| {
            let rel = f
                .strip_prefix(&sample)
                .unwrap()
                .to_string_lossy()
                .to_string();
            (rel, std::fs::read(&f).unwrap())
        })
        .collect()
}

/// Runs `flywheel ARGS` from the repository root with only the given AWS_* variables
/// (none inherited), killing it past [`RUN_LIMIT`].
fn flywheel_env(args: &[&str], aws: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_flywheel"));
    cmd.args(args)
        .current_dir(repo())
        .env("FLYWHEEL_LOG", "warn")
        .stdin(Stdio::null());
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("AWS_") {
            cmd.env_remove(key);
        }
    }
    cmd.envs(aws.iter().copied());
    let dir = tempfile::tempdir().unwrap();
    let (out, err) = (dir.path().join("stdout"), dir.path().join("stderr"));
    cmd.stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap());
    let mut child = cmd.spawn().expect("flywheel runs");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "flywheel {args:?} ran over {RUN_LIMIT:?}; stderr: {}",
                std::fs::read_to_string(&err).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Output {
        status,
        stdout: std::fs::read(&out).unwrap(),
        stderr: std::fs::read(&err).unwrap(),
    }
}

/// The standard variables pointing at `endpoint` with the test server's credentials.
fn aws_env(endpoint: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT", endpoint.to_string()),
        ("AWS_ACCESS_KEY_ID", "test".into()),
        ("AWS_SECRET_ACCESS_KEY", "test".into()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_ALLOW_HTTP", "true".into()),
    ]
}

/// `flywheel run --source SOURCE --sink SINK` against `endpoint`.
fn run_s3(endpoint: &str, source: &str, sink: &str) -> Output {
    let env = aws_env(endpoint);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    flywheel_env(&["run", "--source", source, "--sink", sink], &env)
}

fn assert_ok(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed ({:?}): {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A bucket of the test's own on the server, created with a plain `PUT /bucket`.
struct Bucket {
    name: String,
    store: AmazonS3,
}

impl Bucket {
    fn create(endpoint: &str, tag: &str) -> Bucket {
        static SEQ: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!(
            "flywheel-{tag}-{}-{nanos}-{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        );
        let status = http_status("PUT", endpoint, &format!("/{name}"));
        assert_eq!(status, 200, "creating bucket {name} at {endpoint}");
        let store = AmazonS3Builder::new()
            .with_endpoint(endpoint)
            .with_allow_http(true)
            .with_access_key_id("test")
            .with_secret_access_key("test")
            .with_region("us-east-1")
            .with_bucket_name(&name)
            .build()
            .unwrap();
        Bucket { name, store }
    }

    fn url(&self, prefix: &str) -> String {
        format!("s3://{}/{prefix}", self.name)
    }

    /// Uploads the sample's log folders under `prefix/`.
    async fn upload_sample(&self, prefix: &str) {
        for (rel, bytes) in sample_logs() {
            let key = ObjectPath::from(format!("{prefix}/{rel}"));
            self.store.put(&key, PutPayload::from(bytes)).await.unwrap();
        }
    }

    /// Every key under `prefix/`, sorted.
    async fn keys(&self, prefix: &str) -> Vec<String> {
        let mut keys: Vec<String> = self
            .store
            .list(Some(&ObjectPath::from(prefix)))
            .map_ok(|m| m.location.to_string())
            .try_collect()
            .await
            .unwrap();
        keys.sort();
        keys
    }

    /// Copies everything under `prefix/` into `dir`, keeping relative paths.
    async fn download(&self, prefix: &str, dir: &Path) {
        for key in self.keys(prefix).await {
            let rel = key.strip_prefix(&format!("{prefix}/")).unwrap();
            let bytes = self
                .store
                .get(&ObjectPath::from(key.as_str()))
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            let file = dir.join(rel);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, bytes).unwrap();
        }
    }
}

/// Status code of a bodiless request, over a plain socket.
fn http_status(method: &str, endpoint: &str, path: &str) -> u16 {
    let authority = endpoint
        .strip_prefix("http://")
        .expect("FLYWHEEL_TEST_S3_ENDPOINT is http://host:port");
    let mut s = std::net::TcpStream::connect(authority).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    s.read_to_string(&mut response).unwrap();
    response
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP status from {endpoint}: {response:?}"))
}

/// What a reader who trusts manifests gets, checked on a local copy of a sink: one
/// manifest; every output it lists exists with its size and sha256; the accounting it
/// records balances for both logs; no planted value appears in any file under the sink.
/// Returns the counts to compare across stores.
fn check_manifest(sink: &Path) -> Value {
    let manifest = json(&find(sink, |p| p.contains("/manifests/run=")));
    let outputs = manifest["outputs"].as_array().unwrap();
    assert!(!outputs.is_empty());
    let mut listed = Vec::new();
    for o in outputs {
        let file = sink.join(o["path"].as_str().unwrap());
        let bytes = std::fs::read(&file)
            .unwrap_or_else(|e| panic!("manifest lists {}: {e}", file.display()));
        assert_eq!(o["bytes"].as_u64().unwrap(), bytes.len() as u64, "{file:?}");
        assert_eq!(
            o["sha256"].as_str().unwrap(),
            hex::encode(Sha256::digest(&bytes)),
            "{file:?}"
        );
        listed.push(json!([o["kind"], o["task"], o["rows"]]));
    }
    listed.sort_by_key(|v| v.to_string());
    for log in LOG_DIRS {
        let acc = &manifest["counts"][log];
        let sum: u64 = acc["dispositions"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert!(acc["input"].as_u64().unwrap() > 0, "{log}: {acc}");
        assert_eq!(acc["input"].as_u64().unwrap(), sum, "{log}: {acc}");
        assert_eq!(acc["balanced"], true, "{log}: {acc}");
    }

    let text = published_text(sink);
    let planted = planted(&repo().join("data/sample-logs/planted_pii.jsonl"));
    assert!(planted.len() >= 20, "the sample plants PII");
    let leaked: Vec<&String> = planted
        .iter()
        .filter(|(_, v)| text.contains(v.as_str()))
        .map(|(t, _)| t)
        .collect();
    assert!(
        leaked.is_empty(),
        "planted values leaked, types: {leaked:?}"
    );
    assert!(text.contains("<EMAIL_ADDRESS_1>"), "redaction placeholders");

    json!({ "accounting": manifest["counts"], "outputs": listed })
}

/// [`check_manifest`] and the run's report: published, the same accounting, and the
/// counts it adds (inputs, labels, golden kinds, bank sizes, PII findings).
fn check_published(sink: &Path) -> Value {
    let mut counts = check_manifest(sink);
    let (_, report) = manifest_and_report(sink);
    assert_eq!(report["status"], "published", "{report}");
    assert_eq!(report["accounting"], counts["accounting"]);
    for key in [
        "inputs",
        "partitions",
        "labels",
        "golden",
        "fewshot",
        "pii_findings",
        "pii_values",
    ] {
        counts[key] = report[key].clone();
    }
    counts
}

/// The counts of the sample run over file:// URLs, checked once and shared.
fn file_counts() -> &'static Value {
    static COUNTS: OnceLock<Value> = OnceLock::new();
    COUNTS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        for (rel, bytes) in sample_logs() {
            let file = dir.path().join("logs").join(rel);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, bytes).unwrap();
        }
        let url = |p: &str| format!("file://{}", dir.path().join(p).display());
        let out = flywheel_env(
            &["run", "--source", &url("logs"), "--sink", &url("out")],
            &[],
        );
        assert_ok(&out, "file:// run");
        check_published(&dir.path().join("out"))
    })
}

// file:// URLs pass the same checks as the S3 runs below; it is their reference.
#[test]
fn file_urls_publish_a_sink_that_passes_the_checks() {
    let counts = file_counts();
    assert!(
        counts["accounting"]["interactions"]["input"]
            .as_u64()
            .unwrap()
            > 0
    );
}

// s3:// source and sink through the standard variables and a custom endpoint: the
// manifest is under out/manifests/, everything it lists is there with its size and
// sha256, the accounting balances, nothing planted leaks, and the counts equal the
// file:// run's. A second run finds nothing new.
#[test]
fn s3_source_and_sink_publish_what_file_urls_publish() {
    let Some(endpoint) = endpoint() else { return };
    let rt = runtime();
    let bucket = Bucket::create(&endpoint, "run");
    rt.block_on(bucket.upload_sample("logs"));

    let started = Instant::now();
    let out = run_s3(&endpoint, &bucket.url("logs"), &bucket.url("out"));
    assert_ok(&out, "s3:// run");
    eprintln!("s3 run took {:.1} s", started.elapsed().as_secs_f64());
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(
        summary.contains(&format!("manifest: {}/manifests/run=", bucket.url("out"))),
        "{summary}"
    );

    let keys = rt.block_on(bucket.keys("out"));
    let manifests: Vec<_> = keys
        .iter()
        .filter(|k| k.starts_with("out/manifests/run=") && k.ends_with(".json"))
        .collect();
    assert_eq!(manifests.len(), 1, "{keys:?}");
    let local = tempfile::tempdir().unwrap();
    rt.block_on(bucket.download("out", local.path()));
    let counts = check_published(local.path());
    assert_eq!(&counts, file_counts(), "s3:// and file:// runs differ");

    let again = run_s3(&endpoint, &bucket.url("logs"), &bucket.url("out"));
    assert_ok(&again, "second s3:// run");
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("nothing new"),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
    let after = rt.block_on(bucket.keys("out"));
    let new: Vec<_> = after.iter().filter(|k| !keys.contains(k)).collect();
    assert!(new.is_empty(), "a run over nothing new wrote {new:?}");
}

/// A loopback port with nothing listening.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn assert_one_line_naming(out: &Output, names: &[&str]) {
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "one line on stderr: {err}");
    assert!(lines[0].starts_with("flywheel: error: "), "{err}");
    assert!(
        names.iter().any(|n| lines[0].contains(n)),
        "the line names one of {names:?}: {err}"
    );
}

// With nothing listening at the endpoint, a run exits 1 with one line naming the
// endpoint or the s3:// URL, and writes nothing: neither into a local sink when the
// source is unreachable, nor into S3 when the sink is.
#[test]
fn unreachable_endpoint_fails_with_one_line_and_writes_nothing() {
    let Some(endpoint) = endpoint() else { return };
    let dead = format!("http://127.0.0.1:{}", closed_port());
    let dead_host = dead.trim_start_matches("http://").to_string();

    let sink = tempfile::tempdir().unwrap();
    let out = run_s3(&dead, "s3://flywheel-unreachable/logs", path(sink.path()));
    assert_one_line_naming(&out, &[&dead_host, "s3://flywheel-unreachable/logs"]);
    assert!(files(sink.path()).is_empty(), "{:?}", files(sink.path()));

    let sample = repo().join("data/sample-logs");
    let out = run_s3(&dead, path(&sample), "s3://flywheel-unreachable/out");
    assert_one_line_naming(&out, &[&dead_host, "s3://flywheel-unreachable/out"]);

    // The same bucket name on the live server holds nothing afterwards.
    let bucket = Bucket::create(&endpoint, "dead");
    let out = run_s3(&dead, path(&sample), &bucket.url("out"));
    assert_one_line_naming(&out, &[&dead_host, &bucket.url("out")]);
    assert!(runtime().block_on(bucket.keys("out")).is_empty());
}

/// What the proxy does to requests, counted from 0 in arrival order.
#[derive(Clone, Copy, Default)]
struct Faults {
    /// Answer request n with `503 Slow Down` when n % every == every - 1 (0: never).
    fail_every: usize,
    /// Hold request n for `delay` before forwarding when n % every == every / 2 (0: never).
    delay_every: usize,
    delay: Duration,
    /// From request n on, the server is gone: the connection is dropped and the port
    /// closed, so later connections are refused.
    gone_after: Option<usize>,
}

#[derive(Default)]
struct ProxyStats {
    requests: AtomicUsize,
    failed: AtomicUsize,
    delayed: AtomicUsize,
    errors: AtomicUsize,
}

/// A fault-injecting HTTP/1.1 proxy in front of the S3 server, one request per
/// connection (it answers `Connection: close`), on a loopback port of its own.
struct Proxy {
    endpoint: String,
    stats: Arc<ProxyStats>,
}

impl Proxy {
    fn start(rt: &tokio::runtime::Runtime, upstream: &str, faults: Faults) -> Proxy {
        let upstream: SocketAddr = upstream
            .strip_prefix("http://")
            .and_then(|a| a.parse().ok())
            .expect("FLYWHEEL_TEST_S3_ENDPOINT is http://ip:port");
        let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let stats = Arc::new(ProxyStats::default());
        let s = Arc::clone(&stats);
        rt.spawn(async move {
            loop {
                let Ok((conn, _)) = listener.accept().await else {
                    return;
                };
                let n = s.requests.fetch_add(1, Ordering::SeqCst);
                if faults.gone_after.is_some_and(|k| n >= k) {
                    return; // drops this connection and the listener
                }
                let s = Arc::clone(&s);
                tokio::spawn(async move {
                    let handled = tokio::time::timeout(
                        Duration::from_secs(60),
                        forward(conn, upstream, n, faults, &s),
                    )
                    .await;
                    if !matches!(handled, Ok(Ok(()))) {
                        s.errors.fetch_add(1, Ordering::SeqCst);
                    }
                });
            }
        });
        Proxy { endpoint, stats }
    }

    fn count(&self, what: &AtomicUsize) -> usize {
        what.load(Ordering::SeqCst)
    }
}

fn find_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A message head with any Connection header replaced by `Connection: close`.
fn close_after(head: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(head);
    let mut out = String::new();
    for line in text.split("\r\n").filter(|l| !l.is_empty()) {
        if !line.to_ascii_lowercase().starts_with("connection:") {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str("Connection: close\r\n\r\n");
    out.into_bytes()
}

async fn forward(
    mut client: TcpStream,
    upstream: SocketAddr,
    n: usize,
    faults: Faults,
    stats: &ProxyStats,
) -> std::io::Result<()> {
    let invalid = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_string());
    // The request: its head, then Content-Length bytes of body.
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(i) = find_bytes(&buf, b"\r\n\r\n") {
            break i + 4;
        }
        let mut chunk = [0u8; 8192];
        let read = client.read(&mut chunk).await?;
        if read == 0 {
            return Err(invalid("client closed before the request head ended"));
        }
        buf.extend_from_slice(&chunk[..read]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    if head.contains("transfer-encoding: chunked") {
        return Err(invalid("chunked request bodies are not supported here"));
    }
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map(|v| v.trim().parse().unwrap_or(0))
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let mut chunk = vec![0u8; head_end + length - buf.len()];
        let read = client.read(&mut chunk).await?;
        if read == 0 {
            return Err(invalid("client closed before the request body ended"));
        }
        buf.extend_from_slice(&chunk[..read]);
    }

    if faults.fail_every > 0 && n % faults.fail_every == faults.fail_every - 1 {
        stats.failed.fetch_add(1, Ordering::SeqCst);
        let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
            <Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>";
        let response = format!(
            "HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        client.write_all(response.as_bytes()).await?;
        return client.shutdown().await;
    }
    if faults.delay_every > 0 && n % faults.delay_every == faults.delay_every / 2 {
        stats.delayed.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(faults.delay).await;
    }

    let mut server = TcpStream::connect(upstream).await?;
    server.write_all(&close_after(&buf[..head_end])).await?;
    server.write_all(&buf[head_end..]).await?;
    let mut response = Vec::new();
    server.read_to_end(&mut response).await?;
    let Some(i) = find_bytes(&response, b"\r\n\r\n") else {
        return Err(invalid("no response head from the server"));
    };
    client.write_all(&close_after(&response[..i + 4])).await?;
    client.write_all(&response[i + 4..]).await?;
    client.shutdown().await
}

// Through a proxy that answers every 4th request `503 Slow Down` and holds others for a
// second, the run retries and publishes the same as a clean run.
#[test]
fn s3_run_retries_through_5xx_and_slow_responses() {
    let Some(endpoint) = endpoint() else { return };
    let rt = runtime();
    let bucket = Bucket::create(&endpoint, "faults");
    rt.block_on(bucket.upload_sample("logs"));
    let faults = Faults {
        fail_every: 4,
        delay_every: 7,
        delay: Duration::from_secs(1),
        gone_after: None,
    };
    let proxy = Proxy::start(&rt, &endpoint, faults);

    let started = Instant::now();
    let out = run_s3(&proxy.endpoint, &bucket.url("logs"), &bucket.url("out"));
    assert_ok(&out, "s3:// run through the faulty proxy");
    eprintln!(
        "run through the proxy: {:.1} s, {} requests, {} answered 503, {} delayed",
        started.elapsed().as_secs_f64(),
        proxy.count(&proxy.stats.requests),
        proxy.count(&proxy.stats.failed),
        proxy.count(&proxy.stats.delayed)
    );
    assert!(proxy.count(&proxy.stats.failed) >= 3, "503s were injected");
    assert!(
        proxy.count(&proxy.stats.delayed) >= 1,
        "delays were injected"
    );
    assert_eq!(
        proxy.count(&proxy.stats.errors),
        0,
        "the proxy forwarded cleanly"
    );

    let local = tempfile::tempdir().unwrap();
    rt.block_on(bucket.download("out", local.path()));
    assert_eq!(&check_published(local.path()), file_counts());
}

// When the server goes away in the middle of a run (its port closes after the first n
// requests), the run exits 1 with one error line naming the endpoint or the sink, and
// nothing is half-published: no manifest, or one whose outputs are all there with their
// sizes and hashes. Once the server is back, a plain run completes the publication.
// The failing runs use `[store] max_retries = 1`, which their error line reports.
#[test]
fn server_gone_mid_run_fails_cleanly_and_the_next_run_recovers() {
    let Some(endpoint) = endpoint() else { return };
    let rt = runtime();
    let bucket = Bucket::create(&endpoint, "gone");
    rt.block_on(bucket.upload_sample("logs"));
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("flywheel.toml");
    std::fs::write(
        &config,
        "[store]\nmax_retries = 1\nretry_timeout_secs = 20\n",
    )
    .unwrap();

    // How many requests a whole run makes, through a proxy that only counts.
    let counter = Proxy::start(&rt, &endpoint, Faults::default());
    let out = run_s3(&counter.endpoint, &bucket.url("logs"), &bucket.url("count"));
    assert_ok(&out, "counted s3:// run");
    let total = counter.count(&counter.stats.requests);
    assert!(total >= 10, "a run makes {total} requests");

    for (i, gone_after) in [total / 5, total / 2, total * 4 / 5]
        .into_iter()
        .enumerate()
    {
        let sink = format!("out{i}");
        let proxy = Proxy::start(
            &rt,
            &endpoint,
            Faults {
                gone_after: Some(gone_after),
                ..Default::default()
            },
        );
        let host = proxy.endpoint.trim_start_matches("http://").to_string();
        let env = aws_env(&proxy.endpoint);
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (source, sink_url) = (bucket.url("logs"), bucket.url(&sink));
        let args = [
            "run",
            "--config",
            path(&config),
            "--source",
            &source,
            "--sink",
            &sink_url,
        ];
        let out = flywheel_env(&args, &env);
        assert_eq!(
            out.status.code(),
            Some(1),
            "gone after {gone_after}: {out:?}"
        );
        let err = String::from_utf8_lossy(&out.stderr);
        let errors: Vec<&str> = err
            .lines()
            .filter(|l| l.starts_with("flywheel: error: "))
            .collect();
        assert_eq!(errors.len(), 1, "one error line: {err}");
        assert_eq!(err.lines().last(), Some(errors[0]), "{err}");
        assert!(
            errors[0].contains(&host) || errors[0].contains(&sink_url),
            "the line names the endpoint or the sink: {err}"
        );
        assert!(
            errors[0].contains("max_retries: 1,"),
            "config applied: {err}"
        );

        let local = tempfile::tempdir().unwrap();
        rt.block_on(bucket.download(&sink, local.path()));
        let committed = files(local.path())
            .iter()
            .any(|p| p.to_string_lossy().contains("/manifests/run="));
        if committed {
            check_manifest(local.path());
        }

        let out = run_s3(&endpoint, &source, &sink_url);
        assert_ok(&out, "s3:// run after the server came back");
        let summary = String::from_utf8_lossy(&out.stdout);
        eprintln!(
            "gone after {gone_after} of {total} requests (committed: {committed}); then: {}",
            summary.lines().next().unwrap_or_default()
        );
        let local = tempfile::tempdir().unwrap();
        rt.block_on(bucket.download(&sink, local.path()));
        if committed {
            // The interrupted run got past its commit point: the next one only finishes
            // pointers and state, and the manifest is the result.
            let expected = file_counts();
            let counts = check_manifest(local.path());
            assert_eq!(counts["accounting"], expected["accounting"]);
            assert_eq!(counts["outputs"], expected["outputs"]);
        } else {
            assert_eq!(&check_published(local.path()), file_counts());
        }
    }
}
