//! The SQL stages on DataFusion Ballista: the same run, executed by an in-process
//! scheduler and executor (standalone) and by a loopback cluster of `flywheel scheduler`
//! and two `flywheel executor` processes, publishes exactly what a local run publishes.

mod support;

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::*;

fn sample() -> std::path::PathBuf {
    repo().join("data/sample-logs")
}

/// (path, sha256, rows) of every output the run's manifest lists.
fn outputs(sink: &Path) -> Vec<(String, String, u64)> {
    let (manifest, _) = manifest_and_report(sink);
    let mut out: Vec<_> = manifest["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["path"].as_str().unwrap().to_string(),
                o["sha256"].as_str().unwrap().to_string(),
                o["rows"].as_u64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn accounting(sink: &Path) -> Value {
    manifest_and_report(sink).1["accounting"].clone()
}

/// `flywheel run` of the sample into `sink` with `--engine ENGINE`.
fn run_engine(engine: &str, sink: &Path) -> std::process::Output {
    flywheel(&[
        "run",
        "--source",
        path(&sample()),
        "--sink",
        path(sink),
        "--engine",
        engine,
    ])
}

fn run_on(engine: &str, sink: &Path) {
    let out = run_engine(engine, sink);
    assert!(
        out.status.success(),
        "run --engine {engine} failed ({:?}): {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn assert_same_outputs(local: &Path, other: &Path) {
    let (a, b) = (outputs(local), outputs(other));
    assert!(
        a.len() >= 10,
        "the sample publishes golden sets and banks: {a:?}"
    );
    let differing: Vec<_> = a.iter().zip(&b).filter(|(x, y)| x != y).collect();
    assert!(
        a.len() == b.len() && differing.is_empty(),
        "published files (path, sha256, rows) differ from the local run's: {differing:?}"
    );
    assert_eq!(accounting(local), accounting(other));
}

#[test]
fn standalone_ballista_publishes_what_a_local_run_publishes() {
    let local = tempfile::tempdir().unwrap();
    run_ok(&sample(), local.path());
    let standalone = tempfile::tempdir().unwrap();
    run_on("standalone", standalone.path());
    assert_same_outputs(local.path(), standalone.path());
}

#[test]
fn a_bad_engine_is_a_one_line_config_error_before_anything_is_written() {
    let sink = tempfile::tempdir().unwrap();
    let out = run_engine("ballista://nohost", sink.path());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("ballista://HOST:PORT"), "{err}");
    assert!(files(sink.path()).is_empty(), "nothing written");
}

#[test]
fn an_unreachable_cluster_fails_the_run_before_ingest() {
    let sink = tempfile::tempdir().unwrap();
    let port = free_port();
    let out = run_engine(&format!("ballista://127.0.0.1:{port}"), sink.path());
    // A runtime failure (exit 1: a retry may help), as README says.
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Ballista"), "{err}");
    assert!(!sink.path().join("manifests").exists(), "nothing published");
}

/// Children killed when the test ends, pass or fail.
struct Cluster(Vec<Child>);

impl Drop for Cluster {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn spawn(args: &[String], log: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_flywheel"))
        .args(args)
        // Info level: each executor logs the tasks it runs.
        .env("FLYWHEEL_LOG", "info")
        .stdout(Stdio::from(std::fs::File::create(log).unwrap()))
        .stderr(Stdio::from(
            std::fs::OpenOptions::new().append(true).open(log).unwrap(),
        ))
        .spawn()
        .expect("flywheel starts")
}

fn wait_listening(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{what} never listened on {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn loopback_cluster_of_one_scheduler_and_two_executors_publishes_what_a_local_run_publishes() {
    let dir = tempfile::tempdir().unwrap();
    let scheduler_port = free_port();
    let mut cluster = Cluster(Vec::new());
    let s = |v: &str| v.to_string();
    cluster.0.push(spawn(
        &[
            s("scheduler"),
            s("--bind-host"),
            s("127.0.0.1"),
            s("--external-host"),
            s("127.0.0.1"),
            s("--port"),
            scheduler_port.to_string(),
        ],
        &dir.path().join("scheduler.log"),
    ));
    wait_listening(scheduler_port, "the scheduler");
    let mut executor_ports = Vec::new();
    for i in 0..2 {
        let (flight, grpc) = (free_port(), free_port());
        let work = dir.path().join(format!("executor-{i}"));
        std::fs::create_dir_all(&work).unwrap();
        // Shuffle files go here; they are removed once a job ends.
        cluster.0.push(spawn(
            &[
                s("executor"),
                s("--scheduler"),
                format!("127.0.0.1:{scheduler_port}"),
                s("--bind-host"),
                s("127.0.0.1"),
                s("--external-host"),
                s("127.0.0.1"),
                s("--port"),
                flight.to_string(),
                s("--grpc-port"),
                grpc.to_string(),
                s("--vcores"),
                s("1"),
                s("--work-dir"),
                path(&work).to_string(),
            ],
            &dir.path().join(format!("executor-{i}.log")),
        ));
        executor_ports.push(flight);
    }
    for port in &executor_ports {
        wait_listening(*port, "an executor");
    }

    let local = tempfile::tempdir().unwrap();
    run_ok(&sample(), local.path());
    let remote = tempfile::tempdir().unwrap();
    run_on(
        &format!("ballista://127.0.0.1:{scheduler_port}"),
        remote.path(),
    );
    assert_same_outputs(local.path(), remote.path());
    // Both executors took part: each logged tasks it ran.
    for i in 0..2 {
        let log = std::fs::read_to_string(dir.path().join(format!("executor-{i}.log"))).unwrap();
        let tasks = log.matches("Execute task").count();
        assert!(tasks > 0, "executor {i} ran no task; its log:\n{log}");
        eprintln!("executor {i}: {tasks} tasks");
    }
}
