//! `flywheel pii detect|redact`: the scanner over JSONL files, in the format
//! ../pii-bench/score.py reads (offsets in Unicode code points, Presidio entity names).

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};

use serde_json::{json, Value};

use crate::cli::PiiArgs;
use crate::config::Config;
use crate::run::engine::scanner;
use crate::{Error, Result};

/// Writes `{"id", "spans": [{"start", "end", "entity_type"}]}` per input line.
pub fn detect(args: &PiiArgs) -> Result<()> {
    let scanner = scanner(&Config::load(args.config.as_deref())?)?;
    each_line(args, |mut record, text| {
        let spans = scanner.detect(text);
        let offsets = pii::char_offsets(text, &spans);
        let spans: Vec<Value> = spans
            .iter()
            .zip(offsets)
            .map(|(s, (start, end))| json!({"start": start, "end": end, "entity_type": s.entity_type.as_str()}))
            .collect();
        let id = record.remove("id").unwrap_or(Value::Null);
        json!({"id": id, "spans": spans})
    })
}

/// Writes each input line with its text field redacted.
pub fn redact(args: &PiiArgs) -> Result<()> {
    let scanner = scanner(&Config::load(args.config.as_deref())?)?;
    let field = args.text_field.clone();
    each_line(args, |mut record, text| {
        let red = scanner.redact(text);
        record.remove("spans");
        record.insert(field.clone(), Value::String(red));
        Value::Object(record)
    })
}

fn each_line(
    args: &PiiArgs,
    mut f: impl FnMut(serde_json::Map<String, Value>, &str) -> Value,
) -> Result<()> {
    let input = File::open(&args.input)
        .map_err(|e| Error::config(format!("cannot read {}: {e}", args.input.display())))?;
    let mut out: Box<dyn Write> = match &args.output {
        Some(p) => {
            Box::new(BufWriter::new(File::create(p).map_err(|e| {
                Error::config(format!("cannot write {}: {e}", p.display()))
            })?))
        }
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    for (i, line) in BufReader::new(input).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let record: serde_json::Map<String, Value> = serde_json::from_str(&line).map_err(|e| {
            Error::config(format!(
                "{} line {}: not a JSON object ({e})",
                args.input.display(),
                i + 1
            ))
        })?;
        let text = match record.get(&args.text_field) {
            Some(Value::String(s)) => s.clone(),
            _ => {
                return Err(Error::config(format!(
                    "{} line {}: no string field `{}`",
                    args.input.display(),
                    i + 1,
                    args.text_field
                )))
            }
        };
        let value = f(record, &text);
        serde_json::to_writer(&mut out, &value)
            .map_err(|e| anyhow::anyhow!("writing output: {e}"))?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}
