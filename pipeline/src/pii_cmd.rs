//! `flywheel pii detect|redact`: the scanner over JSONL files, in the format
//! ../pii-bench/score.py reads (offsets in Unicode code points, Presidio entity names).

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};

use serde_json::{json, Value};

use crate::cli::PiiArgs;
use crate::config::Config;
use crate::run::engine::scanner;
use crate::{Error, Result};

/// Writes `{"id", "spans": [{"start", "end", "entity_type"}]}` per input line.
pub fn detect(args: &PiiArgs) -> Result<()> {
    let config = Config::load(args.config.as_deref())?;
    let scanner = scanner(&config)?;
    let policy = policy(args, &config, &scanner)?;
    each_line(args, &mut output(args)?, |mut record, text| {
        let spans = scanner.detect_with(text, &policy);
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
    let config = Config::load(args.config.as_deref())?;
    let scanner = scanner(&config)?;
    let policy = policy(args, &config, &scanner)?;
    let field = args.text_field.clone();
    each_line(args, &mut output(args)?, |mut record, text| {
        let red = scanner.redact_with(text, &policy);
        record.remove("spans");
        record.insert(field.clone(), Value::String(red));
        Value::Object(record)
    })
}

/// Every finding ([`pii::Policy::redact_all`]), or with `--corpus` the run's decisions
/// with the file as the day: a first pass counts distinct users per name mentioned
/// without personal context.
fn policy(args: &PiiArgs, config: &Config, scanner: &pii::Scanner) -> Result<pii::Policy> {
    if !args.corpus {
        return Ok(pii::Policy::redact_all());
    }
    let mut users: HashMap<(pii::EntityType, String), HashSet<String>> = HashMap::new();
    let mut line = 0u64;
    each_line(args, &mut std::io::sink(), |record, text| {
        line += 1;
        let who = match args.user_field.as_ref().and_then(|f| record.get(f)) {
            Some(Value::String(s)) => s.clone(),
            Some(v) => v.to_string(),
            None => format!("line {line}"),
        };
        for m in scanner.mentions(text) {
            if matches!(m.class, pii::Class::Name | pii::Class::Place) {
                let t = m.span.entity_type;
                let v = pii::normal_form(t, &text[m.span.start..m.span.end]);
                users.entry((t, v)).or_default().insert(who.clone());
            }
        }
        Value::Null
    })?;
    let min = config.pii.public_min_users as usize;
    let public = users
        .into_iter()
        .filter(|(_, who)| who.len() >= min)
        .map(|(key, _)| key);
    Ok(config.pii.policy().public_values(public))
}

fn output(args: &PiiArgs) -> Result<Box<dyn Write>> {
    Ok(match &args.output {
        Some(p) => {
            Box::new(BufWriter::new(File::create(p).map_err(|e| {
                Error::config(format!("cannot write {}: {e}", p.display()))
            })?))
        }
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    })
}

fn each_line(
    args: &PiiArgs,
    out: &mut dyn Write,
    mut f: impl FnMut(serde_json::Map<String, Value>, &str) -> Value,
) -> Result<()> {
    let input = File::open(&args.input)
        .map_err(|e| Error::config(format!("cannot read {}: {e}", args.input.display())))?;
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
        serde_json::to_writer(&mut *out, &value)
            .map_err(|e| anyhow::anyhow!("writing output: {e}"))?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}
