//! Scalar UDFs the SQL stages call, registered from one list.
//!
//! Keep [`udfs`] the single place that lists them: every engine that plans or executes
//! Flywheel's SQL registers exactly this list.

mod minhash;
mod mmr;
mod pii;
mod quality;
mod text;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use datafusion::logical_expr::{AggregateUDF, ScalarUDF};
use datafusion::prelude::SessionContext;

pub use self::pii::PiiStats;

/// Every Flywheel UDF: the PII functions around one compiled scanner (ingest and the
/// leak gate, on the driver) and the [`stage_udfs`].
pub fn udfs(scanner: Arc<::pii::Scanner>, stats: Arc<PiiStats>) -> Vec<ScalarUDF> {
    let mut all = vec![
        ScalarUDF::new_from_impl(pii::RedactText::new(
            Arc::clone(&scanner),
            Arc::clone(&stats),
        )),
        ScalarUDF::new_from_impl(pii::RedactMessages::new(
            Arc::clone(&scanner),
            Arc::clone(&stats),
        )),
        ScalarUDF::new_from_impl(pii::DroppedTypes::new(&scanner)),
        ScalarUDF::new_from_impl(pii::DetectMessages::new(Arc::clone(&scanner))),
        ScalarUDF::new_from_impl(pii::ScanTypes::new(scanner, stats)),
    ];
    all.extend(stage_udfs());
    all
}

/// The stateless UDFs the SQL stages call: the ones a cluster's scheduler and executors
/// carry. The PII functions are not among them on purpose: they hold the run's policy
/// (deny lists, strategies, pseudonym key) and fill the run's counters, so they run only
/// where the run is driven.
pub fn stage_udfs() -> Vec<ScalarUDF> {
    vec![
        ScalarUDF::new_from_impl(text::NormalizeText::new()),
        ScalarUDF::new_from_impl(text::TokenEstimate::new()),
        ScalarUDF::new_from_impl(text::Similarity::new()),
        ScalarUDF::new_from_impl(text::ChatHash::new()),
        ScalarUDF::new_from_impl(quality::AnswerDefects::new()),
        ScalarUDF::new_from_impl(minhash::MinHash::new()),
        ScalarUDF::new_from_impl(minhash::LshBands::new()),
        ScalarUDF::new_from_impl(minhash::MinHashSimilarity::new()),
        ScalarUDF::new_from_impl(minhash::MinHashSketch::new()),
        ScalarUDF::new_from_impl(minhash::SketchSimilarity::new()),
        ScalarUDF::new_from_impl(mmr::Mmr::new()),
    ]
}

/// A query calling every [`stage_udfs`] and [`udafs`] once, over one literal row. A
/// cluster node built without one of them fails only when a task runs, so a run sends
/// this first and learns at once.
pub fn canary_sql() -> &'static str {
    "SELECT fw_normalize(MIN(a)) AS normalized,
            SUM(fw_token_estimate(a)) AS tokens,
            MAX(fw_similarity(a, b)) AS similarity,
            MAX(fw_answer_defects(a, b)) AS defects,
            MAX(fw_chat_hash(make_array(named_struct('role', a, 'content', b)))) AS chat,
            MAX(cardinality(fw_lsh_bands(fw_minhash(a, 16, 3), 4, 4))) AS bands,
            MAX(fw_minhash_similarity(fw_minhash(a, 16, 3), fw_minhash(b, 16, 3))) AS jaccard,
            MAX(fw_sketch_similarity(fw_minhash_sketch(fw_minhash(a, 16, 3)),
                                     fw_minhash_sketch(fw_minhash(b, 16, 3)))) AS sketched,
            cardinality(fw_mmr(array_agg(named_struct(
                'id', a, 'score', 1.0, 'tokens', fw_token_estimate(a), 'prompt', a)),
                1, 100, 0.5, 0.7)) AS picks,
            cardinality(fw_components(CAST(length(a) AS BIGINT),
                                     CAST(length(b) AS BIGINT))) AS components
     FROM (VALUES ('canary prompt one', 'canary prompt two')) AS t(a, b)"
}

/// Registers the [`stage_udfs`] and [`udafs`] on a session.
pub fn register_stage_udfs(ctx: &SessionContext) {
    for udf in stage_udfs() {
        ctx.register_udf(udf);
    }
    for udaf in udafs() {
        ctx.register_udaf(udaf);
    }
}

/// Every Flywheel aggregate function.
pub fn udafs() -> Vec<AggregateUDF> {
    vec![AggregateUDF::new_from_impl(minhash::Components::new())]
}

/// Registers [`udfs`] on a session.
pub fn register_udfs(ctx: &SessionContext, scanner: Arc<::pii::Scanner>, stats: Arc<PiiStats>) {
    for udf in udfs(scanner, stats) {
        ctx.register_udf(udf);
    }
    for udaf in udafs() {
        ctx.register_udaf(udaf);
    }
}

pub use minhash::{band_keys, signature, similarity, sketch, sketch_similarity};
pub use text::{normalize, text_similarity};
