//! `flywheel gen-sample`: writes a day (or several) of realistic logs of a chosen size into
//! an object store, for benchmarks and load tests. Deterministic by seed.
//!
//! The text comes from a corpus of (task, system, prompt, answer) turns: by default a
//! built-in one; with `--corpus DIR`, the interactions of real logs in the input contract
//! (for example ../shared/sample-logs/dev/logs), so the text has the shape of production
//! chat (code, markdown, numbers, names). Around it the generator builds what the pipeline
//! has to cope with: sessions of several turns whose history grows, popular prompts asked
//! again (exact duplicates) and re-typed (near duplicates), rewrites and regenerations,
//! explicit and implicit feedback, PII planted in a few percent of the user messages and
//! in feedback comments, and part files alternating between gzip and plain JSONL.

use std::io::{BufRead, Read, Write};
use std::path::Path;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use flate2::write::GzEncoder;
use serde_json::{json, Value};

use crate::cli::GenArgs;
use crate::config::Config;
use crate::store::{self, Location};
use crate::Result;

/// One conversation turn the generator can replay.
#[derive(Clone)]
struct Turn {
    task: String,
    system: String,
    prompt: String,
    answer: String,
}

/// Deterministic xorshift64*; not for anything but test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

/// What was written.
#[derive(Debug, Default)]
pub struct Generated {
    /// Interactions written.
    pub interactions: u64,
    /// Feedback events written.
    pub feedback: u64,
    /// Raw (uncompressed) JSONL bytes.
    pub raw_bytes: u64,
    /// Objects written.
    pub objects: u64,
}

/// Writes logs of about `args.bytes` raw bytes under `args.out`.
pub async fn generate(config: &Config, args: &GenArgs) -> Result<Generated> {
    let sink = store::open_sink(&args.out, &config.store)?;
    let corpus = match &args.corpus {
        Some(dir) => corpus_from_logs(Path::new(dir))?,
        None => builtin_corpus(),
    };
    if corpus.is_empty() {
        return Err(crate::Error::config(
            "gen-sample: the corpus has no interactions",
        ));
    }
    let first = NaiveDate::parse_from_str(&args.date, "%Y-%m-%d")
        .map_err(|_| crate::Error::config("gen-sample: --date must be YYYY-MM-DD"))?;
    let mut rng = Rng(args.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    // A few hundred popular prompts make the exact and near duplicates.
    let popular: Vec<Turn> = (0..corpus.len().min(400))
        .map(|_| rng.pick(&corpus).clone())
        .collect();
    let per_day = args.bytes / args.days.max(1) as u64;
    let part_bytes = (args.part_mb as u64) << 20;
    let mut out = Generated::default();
    let mut next_id = 0u64;
    for day in 0..args.days.max(1) {
        let dt = first + Duration::days(day as i64);
        let midnight = Utc.from_utc_datetime(&dt.and_hms_opt(0, 0, 0).expect("midnight"));
        let mut written = 0u64;
        let mut part = 0;
        while written < per_day {
            let mut inter = Vec::with_capacity(part_bytes as usize + (1 << 20));
            let mut fb = Vec::new();
            while (inter.len() as u64) < part_bytes.min(per_day - written) {
                let session = session(&mut rng, &corpus, &popular, &mut next_id);
                let start = midnight + Duration::milliseconds(rng.below(86_000_000) as i64);
                write_session(&mut rng, &session, start, &mut inter, &mut fb, &mut out);
            }
            written += inter.len() as u64;
            out.raw_bytes += (inter.len() + fb.len()) as u64;
            let gzip = part % 2 == 1;
            for (kind, body) in [("interactions", inter), ("feedback", fb)] {
                let name = format!(
                    "{kind}/dt={dt}/part-{part:04}.jsonl{}",
                    if gzip { ".gz" } else { "" }
                );
                put(&sink, &name, if gzip { gz(&body)? } else { body }).await?;
                out.objects += 1;
            }
            part += 1;
        }
    }
    Ok(out)
}

/// One session: its id, user, tenant and turns (each a corpus turn, possibly perturbed).
struct Session {
    id: String,
    user: String,
    tenant: &'static str,
    /// (interaction id, turn, its feedback, seconds until the next turn)
    turns: Vec<(String, Turn, Vec<Event>, i64)>,
}

#[derive(Clone, Copy, PartialEq)]
enum Event {
    ThumbsUp,
    ThumbsDown,
    Rating,
    Copy,
    Regenerate,
    Comment,
}

const TENANTS: [(&str, u64); 5] = [
    ("acme", 40),
    ("globex", 25),
    ("initech", 17),
    ("umbrella", 12),
    ("hooli", 6),
];

fn session(rng: &mut Rng, corpus: &[Turn], popular: &[Turn], next_id: &mut u64) -> Session {
    let roll = rng.below(100) as u64;
    let mut acc = 0;
    let tenant = TENANTS
        .iter()
        .find(|(_, share)| {
            acc += share;
            roll < acc
        })
        .map_or("acme", |t| t.0);
    let sid = *next_id;
    let mut s = Session {
        id: format!("s-{sid:09}"),
        user: format!("u-{}-{}", &tenant[..3], rng.below(50_000)),
        tenant,
        turns: Vec::new(),
    };
    let n = 1 + usize::from(rng.chance(0.4)) + usize::from(rng.chance(0.2)) * 2;
    for _ in 0..n {
        *next_id += 1;
        // Popular prompts asked again (exact), re-typed (near), else a prompt of its own:
        // a corpus prompt with the user's details, as real prompts carry context.
        let r = rng.below(100);
        let mut turn = if r < 20 {
            rng.pick(popular).clone()
        } else {
            rng.pick(corpus).clone()
        };
        if r < 12 {
        } else if r < 20 {
            turn.prompt = retype(rng, &turn.prompt);
        } else {
            turn.prompt = personalise(rng, &turn.prompt);
        }
        if rng.chance(0.03) {
            turn.prompt = format!("{} {}", turn.prompt, planted_pii(rng));
        }
        let mut events = Vec::new();
        for (p, e) in [
            (0.12, Event::Copy),
            (0.04, Event::ThumbsUp),
            (0.02, Event::ThumbsDown),
            (0.03, Event::Rating),
            (0.03, Event::Regenerate),
            (0.01, Event::Comment),
        ] {
            if rng.chance(p) {
                events.push(e);
            }
        }
        // A rewrite: after a poor answer the user re-asks, lightly edited, within a minute.
        let rewrite = rng.chance(0.03).then(|| Turn {
            prompt: retype(rng, &turn.prompt),
            answer: rng.pick(corpus).answer.clone(),
            ..turn.clone()
        });
        let gap = if rewrite.is_some() {
            20 + rng.below(40)
        } else {
            30 + rng.below(300)
        };
        s.turns
            .push((format!("i-{:010}", *next_id), turn, events, gap as i64));
        if let Some(r) = rewrite {
            *next_id += 1;
            s.turns.push((
                format!("i-{:010}", *next_id),
                r,
                Vec::new(),
                30 + rng.below(300) as i64,
            ));
        }
    }
    s
}

/// A re-typed prompt: casing, punctuation, a polite word (near duplicates).
fn retype(rng: &mut Rng, prompt: &str) -> String {
    match rng.below(4) {
        0 => prompt.to_lowercase(),
        1 => format!("{} please", prompt.trim_end_matches(['.', '?', '!'])),
        2 => format!("Thanks! {prompt}"),
        _ => prompt.replace(", ", " "),
    }
}

const THINGS: &[&str] = &[
    "table",
    "service",
    "report",
    "dataset",
    "endpoint",
    "invoice",
    "dashboard",
    "test suite",
    "migration",
    "container",
    "spreadsheet",
    "chapter",
    "lesson plan",
    "recipe",
    "budget",
    "query",
    "pipeline",
    "cluster",
    "form",
    "survey",
    "playlist",
    "contract",
    "slide deck",
    "API",
    "model",
    "queue",
    "bucket",
    "cron job",
    "notebook",
    "workflow",
];
const TOOLS: &[&str] = &[
    "Python",
    "Rust",
    "Postgres",
    "Excel",
    "Kubernetes",
    "React",
    "Go",
    "Spark",
    "Terraform",
    "Java",
    "TypeScript",
    "Airflow",
    "Django",
    "Snowflake",
    "Git",
    "Docker",
    "Kafka",
    "Redis",
];
const DETAILS: &[&str] = &[
    "I'm working with {n} {thing}s in {tool}.",
    "This is for a {thing} that is due in {n} days.",
    "We are on {tool} {n}.{m} if that matters.",
    "The {thing} has about {n},{m}00 rows right now.",
    "My manager wants it before the {thing} review on day {n}.",
    "Keep it under {n}0 lines if you can.",
    "Context: our {thing} runs every {n} minutes on {tool}.",
    "I tried it twice and got error code {n}{m}.",
    "It should work for the {thing} and the other {n} {thing}s too.",
    "Assume {tool} and a {thing} of {n} GB.",
];

/// The prompt with one or two sentences of the user's own context.
fn personalise(rng: &mut Rng, prompt: &str) -> String {
    let mut out = prompt.to_string();
    for _ in 0..1 + rng.below(2) {
        let (thing, tool) = (*rng.pick(THINGS), *rng.pick(TOOLS));
        let d = rng
            .pick(DETAILS)
            .replace("{thing}", thing)
            .replace("{tool}", tool)
            .replace("{n}", &(2 + rng.below(98)).to_string())
            .replace("{m}", &rng.below(10).to_string());
        out.push(' ');
        out.push_str(&d);
    }
    out
}

fn planted_pii(rng: &mut Rng) -> String {
    match rng.below(6) {
        0 => format!(
            "You can reach me at {}.{}@example-mail.com.",
            rng.pick(&["jane", "omar", "li", "sven"]),
            rng.digits(3)
        ),
        1 => format!("My number is +1 415 555 {}.", rng.digits(4)),
        2 => format!("The card {} was declined.", luhn_card(rng)),
        3 => format!(
            "My SSN is 536-{}-{}.",
            10 + rng.below(80),
            1000 + rng.below(8999)
        ),
        4 => format!(
            "The server at 10.{}.{}.{} is down.",
            rng.below(255),
            rng.below(255),
            rng.below(255)
        ),
        _ => format!(
            "Thanks, {} {}",
            rng.pick(&["Maria", "David", "Aisha", "Kenji"]),
            rng.pick(&["Gonzalez", "Miller", "Okafor", "Tanaka"])
        ),
    }
}

/// A 16-digit Visa-style number with a valid Luhn check digit, grouped by four.
fn luhn_card(rng: &mut Rng) -> String {
    let mut d: Vec<u32> = std::iter::once(4)
        .chain((0..14).map(|_| rng.below(10) as u32))
        .collect();
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| {
            if i % 2 == 0 {
                let y = x * 2;
                if y > 9 {
                    y - 9
                } else {
                    y
                }
            } else {
                x
            }
        })
        .sum();
    d.push((10 - sum % 10) % 10);
    d.chunks(4)
        .map(|c| {
            c.iter()
                .map(|x| char::from_digit(*x, 10).expect("digit"))
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn write_session(
    rng: &mut Rng,
    s: &Session,
    start: chrono::DateTime<Utc>,
    inter: &mut Vec<u8>,
    fb: &mut Vec<u8>,
    out: &mut Generated,
) {
    let mut history: Vec<Value> = Vec::new();
    let mut ts = start;
    for (id, turn, events, gap) in &s.turns {
        let mut messages = vec![json!({"role": "system", "content": turn.system})];
        messages.extend(history.iter().cloned());
        messages.push(json!({"role": "user", "content": turn.prompt}));
        messages.push(json!({"role": "assistant", "content": turn.answer}));
        let row = json!({
            "interaction_id": id, "session_id": s.id, "tenant_id": s.tenant, "user_id": s.user,
            "ts": ts.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "task": turn.task, "model": "gpt-4o-mini-2024-07-18",
            "prompt_version": format!("{}-v{}", turn.task, 1 + rng.below(2)),
            "messages": messages,
            "latency_ms": 400 + rng.below(4000),
            "input_tokens": turn.prompt.len() / 4, "output_tokens": turn.answer.len() / 4,
        });
        serde_json::to_writer(&mut *inter, &row).expect("json");
        inter.push(b'\n');
        out.interactions += 1;
        for (k, e) in events.iter().enumerate() {
            let at = ts + Duration::seconds(5 + 20 * k as i64 + rng.below(30) as i64);
            let (kind, value, comment) = match e {
                Event::ThumbsUp => ("thumbs_up", json!(1), Value::Null),
                Event::ThumbsDown => ("thumbs_down", json!(-1), json!("this is wrong")),
                Event::Rating => ("rating", json!(1 + rng.below(5)), Value::Null),
                Event::Copy => ("copy", Value::Null, Value::Null),
                Event::Regenerate => ("regenerate", Value::Null, Value::Null),
                Event::Comment => (
                    "comment",
                    Value::Null,
                    json!(format!("Not what I asked. {}", planted_pii(rng))),
                ),
            };
            let event = json!({
                "event_id": format!("f-{id}-{k}"), "interaction_id": id, "session_id": s.id,
                "ts": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                "type": kind, "value": value, "comment": comment,
            });
            serde_json::to_writer(&mut *fb, &event).expect("json");
            fb.push(b'\n');
            out.feedback += 1;
        }
        history.push(json!({"role": "user", "content": turn.prompt}));
        history.push(json!({"role": "assistant", "content": turn.answer}));
        // Keep the history to the last exchange: interactions stay at 1-2 KB.
        if history.len() > 2 {
            history.drain(..2);
        }
        ts += Duration::seconds(*gap);
    }
}

fn gz(body: &[u8]) -> Result<Vec<u8>> {
    let mut enc = GzEncoder::new(
        Vec::with_capacity(body.len() / 4),
        flate2::Compression::fast(),
    );
    enc.write_all(body)?;
    Ok(enc.finish()?)
}

async fn put(sink: &Location, name: &str, body: Vec<u8>) -> Result<()> {
    use object_store::ObjectStoreExt;
    sink.store
        .put(&sink.child(name), body.into())
        .await
        .map_err(|e| anyhow::anyhow!("cannot write {}/{name}: {e}", sink.url))?;
    Ok(())
}

/// Turns of every interaction under `dir/interactions/**.jsonl[.gz]`: its task, system
/// message, last user message and answer.
fn corpus_from_logs(dir: &Path) -> Result<Vec<Turn>> {
    let mut files = Vec::new();
    let mut stack = vec![dir.join("interactions")];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| {
            crate::Error::config(format!("gen-sample: cannot read {}: {e}", d.display()))
        })?;
        for e in entries {
            let p = e?.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut turns = Vec::new();
    for f in files {
        let raw = std::fs::File::open(&f)?;
        let reader: Box<dyn Read> = if f.extension().is_some_and(|x| x == "gz") {
            Box::new(flate2::read::MultiGzDecoder::new(raw))
        } else {
            Box::new(raw)
        };
        for line in std::io::BufReader::new(reader).lines() {
            let Ok(v) = serde_json::from_str::<Value>(&line?) else {
                continue;
            };
            let msgs = v["messages"].as_array().cloned().unwrap_or_default();
            let text = |i: usize| {
                msgs.get(i)
                    .and_then(|m| m["content"].as_str())
                    .map(str::to_string)
            };
            if let (Some(prompt), Some(answer)) = (
                text(msgs.len().wrapping_sub(2)),
                text(msgs.len().wrapping_sub(1)),
            ) {
                turns.push(Turn {
                    task: v["task"].as_str().unwrap_or("qa").to_string(),
                    system: text(0).unwrap_or_default(),
                    prompt: clip(&prompt, MAX_PROMPT),
                    answer: clip(&answer, MAX_ANSWER),
                });
            }
        }
    }
    Ok(turns)
}

/// Longest prompt and answer taken from a real corpus, in bytes: long answers are cut at
/// a line or sentence end so interactions stay at the 1-2 KB of typical assistant traffic.
const MAX_PROMPT: usize = 600;
const MAX_ANSWER: usize = 1200;

fn clip(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = &text[..end];
    let cut = head
        .rfind('\n')
        .or_else(|| head.rfind(". ").map(|i| i + 1))
        .filter(|&i| i > max / 2)
        .unwrap_or(end);
    text[..cut].to_string()
}

/// A small corpus of chat turns in the style of assistant traffic.
fn builtin_corpus() -> Vec<Turn> {
    const SYSTEM: &str = "You are a helpful assistant. Answer clearly and concisely.";
    let pairs: &[(&str, &str, &str)] = &[
        ("coding", "How do I read a large CSV file in Python without loading it all into memory?", "Use the csv module or pandas in chunks:\n\n```python\nimport pandas as pd\n\nfor chunk in pd.read_csv(\"events.csv\", chunksize=100_000):\n    process(chunk)\n```\n\nEach chunk is a DataFrame of at most 100,000 rows, so memory stays flat. If you only need a few columns, pass `usecols=[\"user_id\", \"ts\"]` as well; with pyarrow installed, `engine=\"pyarrow\"` parses several times faster. For files larger than a few GB consider converting them once to Parquet and querying with DuckDB or polars."),
        ("coding", "Why does my Rust code say 'borrowed value does not live long enough'?", "The compiler found a reference that outlives the value it points to. A common case is returning a reference to a local variable:\n\n```rust\nfn longest(words: &[String]) -> &str {\n    let joined = words.join(\" \");\n    &joined // joined is dropped at the end of the function\n}\n```\n\nReturn an owned `String` instead, or take the buffer as a parameter so the caller owns it. In loops, the same error appears when you push references to a temporary into a vector declared outside the loop; move the value into the vector instead."),
        ("coding", "Write a SQL query that returns the top 5 customers by total order amount.", "```sql\nSELECT customer_id, SUM(amount) AS total_amount\nFROM orders\nGROUP BY customer_id\nORDER BY total_amount DESC\nLIMIT 5;\n```\n\nIf you need ties at the boundary, use `RANK() OVER (ORDER BY SUM(amount) DESC)` in a subquery and keep rank <= 5. An index on `orders(customer_id, amount)` lets most databases answer this from the index alone."),
        ("qa", "What is the difference between a process and a thread?", "A process is a running program with its own address space, file descriptors and resources; the operating system isolates processes from one another. A thread is a unit of execution inside a process: threads of the same process share memory and open files but each has its own stack and registers.\n\nBecause they share memory, threads communicate cheaply but need synchronisation (mutexes, channels) to avoid data races. Processes communicate through pipes, sockets or shared memory segments and a crash in one does not take down the others. Web servers often combine both: a few worker processes, each running a pool of threads."),
        ("qa", "Why is the sky blue?", "Sunlight contains all visible wavelengths. As it passes through the atmosphere it scatters off nitrogen and oxygen molecules, and this Rayleigh scattering is much stronger for short wavelengths (it goes as 1/wavelength^4). Blue light around 450 nm is scattered about 5.5 times more than red light at 700 nm, so blue reaches your eyes from every direction of the sky.\n\nViolet is scattered even more, but the Sun emits less of it, some is absorbed high in the atmosphere, and our eyes are less sensitive to it, so the sky looks blue rather than violet. At sunset light travels through far more air, the blue is scattered away, and the reds and oranges remain."),
        ("writing", "Rewrite this paragraph in a more formal tone for the newsletter: we shipped the new dashboard and people love it.", "We are pleased to announce the release of the new analytics dashboard. Early feedback from teams across the organisation has been very positive, with users highlighting the faster load times and the clearer presentation of weekly trends.\n\nOver the coming weeks we will add export to CSV, scheduled e-mail summaries and per-team views. We welcome your suggestions through the usual feedback channel and thank everyone who took part in the beta for their time and detailed reports."),
        ("writing", "Draft a short, friendly reminder that the quarterly report is due on Friday.", "Hi team,\n\nA quick reminder that the Q3 report is due this Friday at 5 pm. Please add your section to the shared document by Thursday evening so there is time for a final review. If anything is blocking you, reply to this thread and we will sort it out together.\n\nThanks for all the work this quarter; the numbers look good.\n\nBest regards"),
        ("math", "What is the derivative of x^3 * sin(x)?", "Use the product rule, (uv)' = u'v + uv', with u = x^3 and v = sin(x):\n\n- u' = 3x^2\n- v' = cos(x)\n\nSo d/dx [x^3 sin(x)] = 3x^2 sin(x) + x^3 cos(x).\n\nYou can factor out x^2 to get x^2 (3 sin(x) + x cos(x)). At x = 0 the derivative is 0, and at x = pi it is -pi^3, approximately -31.0."),
        ("math", "A train travels 240 km in 3 hours. What is its average speed in m/s?", "Average speed = distance / time = 240 km / 3 h = 80 km/h.\n\nTo convert to metres per second multiply by 1000 m/km and divide by 3600 s/h: 80 * 1000 / 3600 = 22.22 m/s (to two decimals).\n\nA quick rule: divide km/h by 3.6 to get m/s."),
        ("summarization", "Summarize the main points of this meeting: budget approved, hiring freeze lifted, launch moved to March.", "Summary of the meeting:\n\n1. **Budget**: the 2027 budget was approved as proposed, including the infrastructure line.\n2. **Hiring**: the hiring freeze is lifted; each team may open the roles already planned for Q1.\n3. **Launch**: the product launch moves from January to March to leave time for the security review and the documentation.\n\nAction items: team leads post their open roles by next Friday; the launch plan will be updated and shared before the next review."),
        ("advice", "How can I prepare for a system design interview in two weeks?", "Two weeks is enough to build a solid routine:\n\n- **Days 1-3**: review the building blocks: load balancers, caches, queues, SQL vs NoSQL, replication and partitioning, consistency trade-offs.\n- **Days 4-10**: practise one design a day out loud (URL shortener, news feed, chat, rate limiter, file storage). Time-box to 45 minutes: requirements, estimates, API, data model, high-level design, then deep dives.\n- **Days 11-14**: mock interviews with a friend, and revisit the designs where you got stuck.\n\nDuring the interview, state assumptions, do back-of-the-envelope numbers (QPS, storage), and discuss failure modes; interviewers value clear reasoning over a perfect diagram."),
        ("brainstorming", "Give me five names for a coffee shop near a university.", "Here are five ideas:\n\n1. **The Study Bean**: plays on late-night study sessions.\n2. **Syllabus & Steam**: a nod to course life.\n3. **Office Hours**: the place you go with questions.\n4. **Grounds for Thought**\n5. **The Thesis Cup**\n\nIf you want something shorter for signage and social handles, Office Hours is memorable and easy to say."),
    ];
    pairs
        .iter()
        .map(|(task, prompt, answer)| Turn {
            task: task.to_string(),
            system: SYSTEM.to_string(),
            prompt: prompt.to_string(),
            answer: answer.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_cuts_at_a_boundary_within_the_limit() {
        let text = format!("{}. {}", "a".repeat(700), "b".repeat(900));
        let c = clip(&text, MAX_ANSWER);
        assert!(c.len() <= MAX_ANSWER && c.ends_with('.'), "{}", c.len());
        assert_eq!(clip("short", 10), "short");
        assert!(clip(&"é".repeat(700), 1001).len() <= 1001);
    }

    #[test]
    fn planted_cards_are_valid_card_numbers() {
        // The scanner checks Luhn: every generated card is found as one.
        let scanner = pii::Scanner::new();
        let mut rng = Rng(7);
        for _ in 0..50 {
            let card = luhn_card(&mut rng);
            let spans = scanner.detect(&card);
            assert_eq!(spans.len(), 1, "{card}");
            assert_eq!(spans[0].entity_type, pii::EntityType::CreditCard, "{card}");
        }
    }
}
