//! report.html: the run report for people who have never seen its JSON. One self-contained
//! page (inline CSS and SVG, no script, no external asset) so it can be mailed, attached to
//! a ticket or opened from an object-store console.
//!
//! Every chart is `<svg class="chart" data-chart=NAME>` with one `<g class="bar"
//! data-label data-value>` per bar; tests/report_html checks the drawn page against the
//! JSON through these attributes.

use std::fmt::Write as _;

use super::report::Report;

/// One bar: label, value, and the value as printed beside the bar.
struct Bar {
    label: String,
    value: f64,
    printed: String,
    color: &'static str,
}

impl Bar {
    fn count(label: impl Into<String>, n: u64, color: &'static str) -> Bar {
        Bar {
            label: label.into(),
            value: n as f64,
            printed: n.to_string(),
            color,
        }
    }
}

const BLUE: &str = "#3b6fb6";
const GREEN: &str = "#3a8f5c";
const RED: &str = "#c0483f";
const GREY: &str = "#8a8f98";
const AMBER: &str = "#c98a1b";
const PURPLE: &str = "#7a5aa6";

/// Order of the funnel after `in`: where rows leave, then what is published.
const FUNNEL: [&str; 5] = [
    "quarantined",
    "filtered",
    "duplicate",
    "deferred",
    "published",
];

/// The page for one run.
pub fn render(r: &Report) -> String {
    let mut h = String::new();
    let status_class = if r.status == "refused" { "bad" } else { "ok" };
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Flywheel run {id}</title><style>{CSS}</style></head><body>\
         <header><h1>Flywheel run <code>{id}</code></h1>\
         <p><span class=\"badge {status_class}\">{status}</span> \
         {started} → {finished} · partitions {parts}</p>\
         <p class=\"muted\">source <code>{source}</code> · sink <code>{sink}</code></p></header>",
        id = esc(&r.run_id),
        status = esc(&r.status),
        started = esc(&r.started_at),
        finished = esc(&r.finished_at),
        parts = esc(&r.partitions.join(", ")),
        source = esc(&r.source),
        sink = esc(&r.sink),
    );
    gates(&mut h, r);
    funnel(&mut h, r);
    section(
        &mut h,
        "PII redacted",
        "Findings per entity type in the published text.",
    );
    let pii: Vec<Bar> = r
        .pii_findings
        .iter()
        .map(|(t, n)| Bar::count(t, *n, PURPLE))
        .collect();
    chart(&mut h, "pii", &pii, "no personal data found");
    if let (Some(s), Some(w)) = (
        r.pii_values.get("scanned"),
        r.pii_values.get("with_findings"),
    ) {
        let _ = write!(
            h,
            "<p class=\"muted\">{w} of {s} text values held personal data.</p>"
        );
    }
    labels_and_scores(&mut h, r);
    section(
        &mut h,
        "Near-duplicate clusters",
        "Clusters of near-identical prompts in this run, by size (one example kept per cluster and label).",
    );
    let clusters: Vec<Bar> = r
        .near_duplicate_clusters
        .iter()
        .map(|(size, n)| Bar::count(format!("size {size}"), *n, AMBER))
        .collect();
    chart(&mut h, "clusters", &clusters, "no near-duplicate clusters");
    golden_and_banks(&mut h, r);
    section(&mut h, "Stage timings", "Wall seconds per stage.");
    let stages: Vec<Bar> = r
        .stages
        .iter()
        .map(|s| Bar {
            label: s.stage.clone(),
            value: (s.seconds * 100.0).round() / 100.0,
            printed: format!("{:.2} s", s.seconds),
            color: GREY,
        })
        .collect();
    chart(&mut h, "stages", &stages, "no stages ran");
    outputs(&mut h, r);
    h.push_str("<footer class=\"muted\">config ");
    let _ = write!(h, "<code>{}</code>", esc(short(&r.config_hash)));
    if let Some(m) = &r.manifest {
        let _ = write!(h, " · manifest <code>{}</code>", esc(m));
    }
    h.push_str("</footer></body></html>\n");
    h
}

fn gates(h: &mut String, r: &Report) {
    section(
        h,
        "Quality gates",
        "A failed gate stops the run before anything is published.",
    );
    h.push_str("<ul class=\"gates\" id=\"gates\">");
    for (name, v) in &r.gates {
        let (class, word) = if v.passed {
            ("ok", "passed")
        } else {
            ("bad", "FAILED")
        };
        let _ = write!(
            h,
            "<li data-gate=\"{n}\" data-passed=\"{p}\"><span class=\"badge {class}\">{word}</span> {n}",
            n = esc(name),
            p = v.passed
        );
        let findings: Vec<String> = v
            .findings
            .iter()
            .flat_map(|(output, types)| {
                types
                    .iter()
                    .map(move |(t, n)| format!("{}: {} in {n} rows", esc(output), esc(t)))
            })
            .collect();
        if !findings.is_empty() {
            let _ = write!(h, " — {}", findings.join("; "));
        }
        h.push_str("</li>");
    }
    h.push_str("</ul>");
}

fn funnel(h: &mut String, r: &Report) {
    section(
        h,
        "Where the interactions went",
        "Every input row ends in exactly one disposition; the bars add up to the first one.",
    );
    let Some(acc) = r.accounting.get("interactions") else {
        h.push_str("<p class=\"muted\">no interactions read</p>");
        return;
    };
    let mut bars = vec![Bar::count("in", acc.input, BLUE)];
    let color = |d: &str| match d {
        "published" => GREEN,
        "quarantined" => RED,
        "deferred" => AMBER,
        _ => GREY,
    };
    for d in FUNNEL {
        if let Some(n) = acc.dispositions.get(d) {
            bars.push(Bar::count(d, *n, color(d)));
        }
    }
    // Dispositions a changed SQL stage may add still show, after the known ones.
    for (d, n) in &acc.dispositions {
        if !FUNNEL.contains(&d.as_str()) {
            bars.push(Bar::count(d, *n, GREY));
        }
    }
    chart(h, "funnel", &bars, "no interactions read");
    let mark = if acc.balanced {
        "balanced"
    } else {
        "DOES NOT BALANCE"
    };
    let _ = write!(h, "<p class=\"muted\">interactions {mark}");
    if let Some(fb) = r.accounting.get("feedback") {
        let parts: Vec<String> = fb
            .dispositions
            .iter()
            .map(|(k, v)| format!("{v} {}", esc(k)))
            .collect();
        let _ = write!(h, " · feedback: {} in = {}", fb.input, parts.join(" + "));
    }
    h.push_str("</p>");
    let reasons: Vec<(String, String, u64)> = acc
        .reasons
        .iter()
        .flat_map(|(d, rs)| rs.iter().map(move |(why, n)| (d.clone(), why.clone(), *n)))
        .collect();
    if !reasons.is_empty() {
        h.push_str(
            "<table><tr><th>disposition</th><th>reason</th><th class=\"num\">rows</th></tr>",
        );
        for (d, why, n) in reasons {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{n}</td></tr>",
                esc(&d),
                esc(&why)
            );
        }
        h.push_str("</table>");
    }
}

fn labels_and_scores(h: &mut String, r: &Report) {
    section(
        h,
        "Labels per task",
        "Kept interactions (one per duplicate group) by label.",
    );
    let color = |l: &str| match l {
        "positive" => GREEN,
        "negative" => RED,
        _ => GREY,
    };
    let labels: Vec<Bar> = r
        .labels
        .iter()
        .flat_map(|(task, ls)| {
            ls.iter()
                .map(move |(l, n)| Bar::count(format!("{task}/{l}"), *n, color(l)))
        })
        .collect();
    chart(h, "labels", &labels, "no interactions kept");
    section(
        h,
        "Scores per task",
        "How many kept interactions scored in each range.",
    );
    let scores: Vec<Bar> = r
        .score_histogram
        .iter()
        .flat_map(|(task, buckets)| {
            buckets
                .iter()
                .map(move |b| Bar::count(format!("{task} {}", b.bucket), b.count, BLUE))
        })
        .collect();
    chart(h, "scores", &scores, "no scored interactions");
}

fn golden_and_banks(h: &mut String, r: &Report) {
    section(
        h,
        "Golden additions",
        "Rows added to each task's golden set by this run.",
    );
    if r.golden.is_empty() {
        h.push_str("<p class=\"muted\">no golden additions</p>");
    } else {
        h.push_str("<table><tr><th>task</th><th class=\"num\">regression</th><th class=\"num\">reference</th></tr>");
        for (task, kinds) in &r.golden {
            let k = |n: &str| kinds.get(n).copied().unwrap_or(0);
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                esc(task),
                k("regression"),
                k("reference")
            );
        }
        h.push_str("</table>");
    }
    let late = |k: &str| r.late_feedback.get(k).copied().unwrap_or(0);
    let backlog = |k: &str| r.regression_backlog.get(k).copied().unwrap_or(0);
    let _ = write!(
        h,
        "<p class=\"muted\">late feedback: {} earlier interactions re-scored, {} published · \
         regression backlog: {} deferred, {} carried in, {} of them published</p>",
        late("rescored"),
        late("published"),
        backlog("deferred"),
        backlog("carried_in"),
        backlog("published")
    );
    if backlog("deferred") > 0 {
        let _ = write!(
            h,
            "<p class=\"warn\">Regression cap reached: {} regression cases deferred to the next run.</p>",
            backlog("deferred")
        );
    }
    section(
        h,
        "Few-shot banks",
        "Examples per bank, and their estimated tokens.",
    );
    let banks: Vec<Bar> = r
        .fewshot
        .iter()
        .map(|(t, n)| Bar::count(t, *n, GREEN))
        .collect();
    h.push_str("<h3>examples</h3>");
    chart(h, "banks", &banks, "no few-shot banks");
    h.push_str("<h3>estimated tokens</h3>");
    let tokens: Vec<Bar> = r
        .fewshot_tokens
        .iter()
        .map(|(t, n)| Bar::count(t, *n, BLUE))
        .collect();
    chart(h, "tokens", &tokens, "no few-shot banks");
}

fn outputs(h: &mut String, r: &Report) {
    if r.outputs.is_empty() {
        return;
    }
    section(
        h,
        "Outputs",
        "Files this run published (listed in its manifest).",
    );
    h.push_str(
        "<table><tr><th>path</th><th class=\"num\">rows</th><th class=\"num\">bytes</th></tr>",
    );
    for o in &r.outputs {
        let _ = write!(
            h,
            "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&o.path),
            o.rows,
            o.bytes
        );
    }
    h.push_str("</table>");
}

fn section(h: &mut String, title: &str, hint: &str) {
    let _ = write!(
        h,
        "<h2>{}</h2><p class=\"hint\">{}</p>",
        esc(title),
        esc(hint)
    );
}

/// A horizontal bar chart; bars scale to the largest value.
fn chart(h: &mut String, name: &str, bars: &[Bar], empty: &str) {
    if bars.is_empty() {
        let _ = write!(
            h,
            "<p class=\"muted empty\" data-chart-empty=\"{name}\">{}</p>",
            esc(empty)
        );
        return;
    }
    const LABEL_W: f64 = 210.0;
    const BAR_W: f64 = 430.0;
    const ROW_H: f64 = 22.0;
    let max = bars.iter().map(|b| b.value).fold(0.0, f64::max);
    let height = ROW_H * bars.len() as f64 + 4.0;
    let _ = write!(
        h,
        "<svg class=\"chart\" data-chart=\"{name}\" role=\"img\" aria-label=\"{name}\" \
         width=\"{w}\" height=\"{height}\" viewBox=\"0 0 {w} {height}\">",
        w = LABEL_W + BAR_W + 90.0
    );
    for (i, b) in bars.iter().enumerate() {
        let y = ROW_H * i as f64 + 2.0;
        let width = if max > 0.0 && b.value > 0.0 {
            (b.value / max * BAR_W).max(1.0)
        } else {
            0.0
        };
        let label = esc(&b.label);
        let value = if b.printed.ends_with(" s") {
            format!("{:.2}", b.value)
        } else {
            b.printed.clone()
        };
        let _ = write!(
            h,
            "<g class=\"bar\" data-label=\"{label}\" data-value=\"{value}\">\
             <text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{label}</text>\
             <rect x=\"{LABEL_W}\" y=\"{y}\" width=\"{width:.1}\" height=\"{bh}\" fill=\"{c}\" rx=\"2\"/>\
             <text x=\"{vx:.1}\" y=\"{ty}\" class=\"value\">{p}</text></g>",
            lx = LABEL_W - 8.0,
            ty = y + 15.0,
            bh = ROW_H - 6.0,
            c = b.color,
            vx = LABEL_W + width + 6.0,
            p = esc(&b.printed),
        );
    }
    h.push_str("</svg>");
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// Escapes text for HTML content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const CSS: &str = "body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;\
color:#1d232b;max-width:860px;margin:24px auto;padding:0 16px}\
h1{font-size:22px;margin:0 0 6px}h3{font-size:13px;margin:10px 0 0;color:#5d6670;font-weight:600}h2{font-size:17px;margin:28px 0 2px;border-bottom:1px solid #e3e6ea;padding-bottom:3px}\
code{font:12px ui-monospace,Menlo,monospace;background:#f3f4f6;padding:1px 4px;border-radius:3px}\
.muted,.hint{color:#5d6670}.hint{margin:2px 0 8px;font-size:13px}\
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;font-weight:600}\
.badge.ok{background:#3a8f5c}.badge.bad{background:#c0483f}\
.gates{list-style:none;padding:0}.gates li{margin:4px 0}.warn{color:#8a5a00;font-weight:600}\
table{border-collapse:collapse;margin:8px 0;font-size:13px}td,th{padding:3px 10px;border-bottom:1px solid #eceef1;text-align:left}\
.num{text-align:right;font-variant-numeric:tabular-nums}\
svg.chart{display:block;margin:6px 0;font-size:12px}svg.chart text{fill:#1d232b}svg.chart text.value{fill:#3d4650}\
footer{margin-top:32px;font-size:12px}";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::report::{Accounting, StageTiming};

    fn report() -> Report {
        let mut r = Report {
            run_id: "2026-11-02-abc".into(),
            status: "published".into(),
            ..Default::default()
        };
        r.accounting.insert(
            "interactions".into(),
            Accounting {
                input: 10,
                dispositions: [("published".to_string(), 6), ("filtered".to_string(), 4)].into(),
                reasons: Default::default(),
                balanced: true,
                byte_order_marks: 0,
            },
        );
        r.pii_findings.insert("EMAIL_ADDRESS".into(), 3);
        r.fewshot.insert("<qa>".into(), 2);
        r.stages.push(StageTiming {
            stage: "ingest".into(),
            seconds: 1.234,
        });
        r
    }

    #[test]
    fn funnel_starts_with_input_then_known_order() {
        let h = render(&report());
        let funnel = &h[h.find("data-chart=\"funnel\"").unwrap()..];
        let funnel = &funnel[..funnel.find("</svg>").unwrap()];
        let labels: Vec<&str> = funnel
            .split("data-label=\"")
            .skip(1)
            .map(|s| &s[..s.find('"').unwrap()])
            .collect();
        assert_eq!(labels, ["in", "filtered", "published"]);
        assert!(funnel.contains("data-value=\"10\""));
    }

    #[test]
    fn text_from_the_data_is_escaped_and_empty_charts_say_so() {
        let h = render(&report());
        assert!(h.contains("data-label=\"&lt;qa&gt;\""));
        assert!(!h.contains("<qa>"));
        assert!(h.contains("data-chart-empty=\"clusters\""));
        assert!(h.contains("data-value=\"1.23\"") && h.contains("1.23 s"));
        assert!(!h.contains("<script") && !h.contains("http"));
    }
}
