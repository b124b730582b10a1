//! Reads JSONL records `{"id", "text"}` and writes `{"id", "spans": [{"start", "end",
//! "entity_type"}]}` with code point offsets, for pii-bench's score.py.
//!
//!     cargo run --release -p flywheel-pii --example detect_jsonl -- IN.jsonl > pred.jsonl
//!     cargo run --release -p flywheel-pii --example detect_jsonl -- --redact IN.jsonl > red.jsonl

use std::io::{BufRead, BufReader, BufWriter, Write};

use serde_json::{json, Value};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let redact = args.iter().any(|a| a == "--redact");
    let path = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .ok_or("usage: detect_jsonl [--redact] IN.jsonl")?;
    let scanner = pii::Scanner::new();
    let input = BufReader::new(std::fs::File::open(path)?);
    let mut out = BufWriter::new(std::io::stdout().lock());
    for line in input.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let rec: Value = serde_json::from_str(&line)?;
        let text = rec["text"].as_str().unwrap_or_default();
        let row = if redact {
            json!({"id": rec["id"], "text": scanner.redact(text)})
        } else {
            let spans = scanner.detect(text);
            let offs = pii::char_offsets(text, &spans);
            let spans: Vec<Value> = spans
                .iter()
                .zip(offs)
                .map(|(s, (a, b))| json!({"start": a, "end": b, "entity_type": s.entity_type.as_str()}))
                .collect();
            json!({"id": rec["id"], "spans": spans})
        };
        serde_json::to_writer(&mut out, &row)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
