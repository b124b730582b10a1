//! Single-core throughput of `detect` and `redact` for `scripts/bench_pii.sh`.
//!
//!     bench --jsonl FILE...          texts of pii-bench records ({"text": ...}), repeated to 32 MB
//!     bench --generate BYTES [SEED]  a generated corpus of chat text with sparse PII, made in
//!                                    64 MB chunks so memory stays small (timing excludes making it)
//!
//! Prints one line per operation: `RESULT <corpus> <op> <MB> <seconds> <MB/s> <findings>`.

use std::time::Instant;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

/// Sentences of assistant and user turns in LLM logs: prose, code, numbers, markdown.
const SENTENCES: &[&str] = &[
    "Sure, here is a quick summary of the main points from the document you shared.",
    "The function returns a vector of results, so you can iterate over it directly.",
    "Can you explain why the build fails when I run cargo test on the main branch?",
    "To fix this, update the dependency to version 2.4.1 and rerun the migration.",
    "In Python you would write `for i in range(10): print(i)` to get the same output.",
    "The meeting notes mention three action items and a follow-up next Tuesday.",
    "Here's a table with the quarterly numbers: Q1 1,204, Q2 1,388, Q3 1,502 and Q4 1,677.",
    "**Step 1:** install the package. **Step 2:** configure the API endpoint in config.yaml.",
    "I think the error comes from the null check on line 42 of main.rs.",
    "The model was trained on 1.2 million examples for 3 epochs with a learning rate of 3e-4.",
    "Please rewrite this paragraph in a more formal tone for the newsletter.",
    "What's the difference between a process and a thread in an operating system?",
    "The SQL query joins the orders table with customers on customer_id and groups by month.",
    "Thanks! That worked. Now I'd like to add pagination to the results page.",
    "Translate the following sentence into French: the weather is nice today.",
    "A good rule of thumb is to keep functions short and give them descriptive names.",
    "The HTTP response had status 503, so the client retried after 30 seconds.",
    "Let me know if you'd like me to expand on any of these sections.",
    "Here is the JSON: {\"id\": 17, \"status\": \"ok\", \"items\": [1, 2, 3]}.",
    "The recipe needs 200 g of flour, 2 eggs and a pinch of salt; bake for 25 minutes.",
    "Commit a1b2c3d fixed the race condition in the scheduler; see the changelog for v0.9.3.",
    "The café on the corner serves the best coffee — naïve as that sounds.",
    "Our team uses Kubernetes for deployment and Grafana dashboards for monitoring.",
    "The Great Gatsby is a novel by F. Scott Fitzgerald published in 1925.",
];
/// Sparse PII dropped into some messages.
const PII: &[&str] = &[
    "You can reach me at jane.doe@gmail.com if anything changes.",
    "My number is (415) 555-0132, call after 5pm.",
    "Call me on +44 20 7946 0958 tomorrow.",
    "My card 4111 1111 1111 1111 was declined again.",
    "Her SSN is 536-90-2214.",
    "Wire it to GB82 WEST 1234 5698 7654 32 please.",
    "The server at 10.24.3.17 is down.",
    "I spoke with Maria Gonzalez from accounting.",
    "Dr. Okonkwo will review the results.",
    "Use key AKIAIOSFODNN7EXAMPLE for the staging bucket.",
    "Ship it to 742 Evergreen Terrace, Springfield, IL 62704.",
    "I moved to Lisbon last year.",
    "She was born on 3/14/1988.",
    "See https://www.mycompany-intranet.com/team/alice for details.",
];

fn message(rng: &mut Rng, out: &mut String) {
    let n = 1 + (rng.next() % 8) as usize;
    for _ in 0..n {
        out.push_str(rng.pick(SENTENCES));
        out.push(' ');
    }
    if rng.next().is_multiple_of(25) {
        out.push_str(rng.pick(PII));
    }
}

/// A chunk of about `size` bytes of messages.
fn chunk(rng: &mut Rng, size: usize) -> Vec<String> {
    let mut msgs = Vec::new();
    let mut total = 0;
    while total < size {
        let mut m = String::with_capacity(1024);
        message(rng, &mut m);
        total += m.len();
        msgs.push(m);
    }
    msgs
}

struct Totals {
    bytes: usize,
    detect_s: f64,
    redact_s: f64,
    found: usize,
    changed: usize,
}

fn run(scanner: &pii::Scanner, msgs: &[String], t: &mut Totals) {
    let start = Instant::now();
    let mut found = 0;
    for m in msgs {
        found += scanner.detect(m).len();
    }
    t.detect_s += start.elapsed().as_secs_f64();
    let start = Instant::now();
    let mut changed = 0;
    for m in msgs {
        let mut ctx = pii::RecordContext::new();
        changed += usize::from(std::hint::black_box(scanner.redact_in(m, &mut ctx)).is_some());
    }
    t.redact_s += start.elapsed().as_secs_f64();
    t.bytes += msgs.iter().map(String::len).sum::<usize>();
    t.found += found;
    t.changed += changed;
}

fn report(corpus: &str, t: &Totals) {
    let mb = t.bytes as f64 / 1e6;
    println!(
        "RESULT {corpus} detect {mb:.1} {:.3} {:.1} {}",
        t.detect_s,
        mb / t.detect_s,
        t.found
    );
    println!(
        "RESULT {corpus} redact {mb:.1} {:.3} {:.1} {}",
        t.redact_s,
        mb / t.redact_s,
        t.changed
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let scanner = pii::Scanner::new();
    let mut t = Totals {
        bytes: 0,
        detect_s: 0.0,
        redact_s: 0.0,
        found: 0,
        changed: 0,
    };
    match args.first().map(String::as_str) {
        Some("--jsonl") => {
            for p in &args[1..] {
                let mut base = Vec::new();
                for line in std::fs::read_to_string(p)?.lines() {
                    if line.trim().is_empty() {
                        continue;
                    }
                    let v: serde_json::Value = serde_json::from_str(line)?;
                    if let Some(s) = v["text"].as_str() {
                        base.push(s.to_string());
                    }
                }
                let size: usize = base.iter().map(String::len).sum();
                let reps = (32 << 20) / size.max(1) + 1;
                let mut t = Totals {
                    bytes: 0,
                    detect_s: 0.0,
                    redact_s: 0.0,
                    found: 0,
                    changed: 0,
                };
                run(
                    &scanner,
                    &base,
                    &mut Totals {
                        bytes: 0,
                        detect_s: 0.0,
                        redact_s: 0.0,
                        found: 0,
                        changed: 0,
                    },
                );
                for _ in 0..reps {
                    run(&scanner, &base, &mut t);
                }
                let name = std::path::Path::new(p)
                    .file_name()
                    .map_or("jsonl".into(), |f| f.to_string_lossy().into_owned());
                report(&name, &t);
            }
        }
        Some("--generate") => {
            let bytes: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1 << 30);
            let seed: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(42);
            let mut rng = Rng(seed | 1);
            let warm = chunk(&mut rng, 1 << 20);
            run(
                &scanner,
                &warm,
                &mut Totals {
                    bytes: 0,
                    detect_s: 0.0,
                    redact_s: 0.0,
                    found: 0,
                    changed: 0,
                },
            );
            while t.bytes < bytes {
                let msgs = chunk(&mut rng, (64 << 20).min(bytes - t.bytes).max(1 << 16));
                run(&scanner, &msgs, &mut t);
            }
            report("generated", &t);
        }
        _ => return Err("usage: bench --jsonl FILE... | --generate BYTES [SEED]".into()),
    }
    Ok(())
}
