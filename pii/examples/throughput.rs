//! Single-core throughput of `Scanner::detect` on generated chat-like text with sparse PII.
//!
//!     cargo run --release -p flywheel-pii --example throughput [-- MB]
//!     cargo run --release -p flywheel-pii --example throughput -- --jsonl interactions.jsonl...
//!
//! With `--jsonl`, the texts are the `messages[].content` strings of interaction logs
//! (uncompressed JSONL), repeated until at least 8 MB.

use std::time::Instant;

/// Small deterministic PRNG (xorshift), so runs are comparable.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

const WORDS: &[&str] = &[
    "the",
    "a",
    "to",
    "of",
    "and",
    "in",
    "is",
    "it",
    "you",
    "that",
    "for",
    "on",
    "with",
    "can",
    "this",
    "be",
    "how",
    "what",
    "function",
    "error",
    "when",
    "I",
    "my",
    "code",
    "data",
    "model",
    "please",
    "help",
    "should",
    "would",
    "return",
    "value",
    "list",
    "file",
    "using",
    "need",
    "question",
    "answer",
    "example",
    "because",
    "about",
    "like",
    "make",
    "time",
    "work",
    "test",
    "version",
    "server",
    "request",
    "response",
    "user",
    "into",
    "from",
    "there",
    "some",
    "which",
    "also",
    "more",
    "than",
    "then",
    "only",
    "other",
    "first",
    "after",
    "before",
    "could",
    "same",
    "Python",
    "Rust",
    "SQL",
    "JSON",
    "API",
    "Thanks",
    "However",
    "Here",
    "Note",
    "The",
    "This",
    "3",
    "10",
    "2024",
    "v1.2.3",
    "42",
    "x",
    "config.yaml",
    "main.rs",
    "e.g.",
    "i.e.",
    "—",
    "café",
];
const PII: &[&str] = &[
    "jane.doe@example.com",
    "(555) 123-4567",
    "+44 20 7946 0958",
    "4111 1111 1111 1111",
    "536-90-2214",
    "GB82 WEST 1234 5698 7654 32",
    "10.0.0.1",
    "Jane Doe",
    "Mr. Smith",
    "AKIAIOSFODNN7EXAMPLE",
];

/// `messages[].content` of every line of the given JSONL files.
fn load_jsonl(paths: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for p in paths {
        let text = std::fs::read_to_string(p).expect("readable JSONL file");
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).expect("JSON line");
            for m in v["messages"].as_array().into_iter().flatten() {
                if let Some(c) = m["content"].as_str() {
                    out.push(c.to_string());
                }
            }
        }
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--jsonl") {
        let base = load_jsonl(&args[1..]);
        let mut messages = Vec::new();
        let mut total = 0;
        while total < 8 << 20 && !base.is_empty() {
            for m in &base {
                total += m.len();
                messages.push(m.clone());
            }
        }
        return measure(messages);
    }
    let mb: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(8);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut messages = Vec::new();
    let mut total = 0;
    while total < mb << 20 {
        let len = 80 + (rng.next() % 1500) as usize;
        let mut m = String::with_capacity(len + 32);
        let mut sentence_start = true;
        while m.len() < len {
            let w = rng.pick(WORDS);
            if sentence_start {
                let mut c = w.chars();
                if let Some(f) = c.next() {
                    m.extend(f.to_uppercase());
                    m.push_str(c.as_str());
                }
            } else {
                m.push_str(w);
            }
            sentence_start = rng.next().is_multiple_of(12);
            m.push_str(if sentence_start { ". " } else { " " });
        }
        if rng.next().is_multiple_of(20) {
            m.push_str(rng.pick(PII));
            m.push('.');
        }
        total += m.len();
        messages.push(m);
    }
    measure(messages);
}

fn measure(messages: Vec<String>) {
    let total: usize = messages.iter().map(String::len).sum();
    let scanner = pii::Scanner::new();
    // Warm up, then measure.
    for m in messages.iter().take(200) {
        std::hint::black_box(scanner.detect(m));
    }
    // Five passes; the median is what a loaded machine still reproduces.
    let mut passes = Vec::new();
    let mut found = 0;
    for _ in 0..5 {
        let t = Instant::now();
        found = messages
            .iter()
            .map(|m| scanner.detect(m).len())
            .sum::<usize>();
        passes.push(t.elapsed().as_secs_f64());
    }
    passes.sort_by(f64::total_cmp);
    let secs = passes[2];
    println!(
        "detect: {} messages, {:.1} MB, {} findings, median of 5 passes {:.3} s, {:.0} MB/s (one core; fastest {:.0})",
        messages.len(),
        total as f64 / 1e6,
        found,
        secs,
        total as f64 / 1e6 / secs,
        total as f64 / 1e6 / passes[0]
    );
    let big = messages.join("\n");
    let t = Instant::now();
    let n = scanner.detect(&big).len();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "detect (one {:.1} MB text): {} findings, {:.0} MB/s",
        big.len() as f64 / 1e6,
        n,
        big.len() as f64 / 1e6 / secs
    );
    let t = Instant::now();
    let mut changed = 0;
    for m in &messages {
        let mut ctx = pii::RecordContext::new();
        changed += usize::from(scanner.redact_in(m, &mut ctx).is_some());
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "redact_in: {} changed, {:.0} MB/s",
        changed,
        total as f64 / 1e6 / secs
    );
}
