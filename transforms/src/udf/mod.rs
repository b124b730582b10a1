//! Scalar UDFs the SQL stages call, registered from one list.
//!
//! Keep [`udfs`] the single place that lists them: every engine that plans or executes
//! Flywheel's SQL registers exactly this list.

mod minhash;
mod mmr;
mod pii;
mod text;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use datafusion::logical_expr::{AggregateUDF, ScalarUDF};
use datafusion::prelude::SessionContext;

pub use self::pii::PiiStats;

/// Every Flywheel UDF, built around one compiled scanner.
pub fn udfs(scanner: Arc<::pii::Scanner>, stats: Arc<PiiStats>) -> Vec<ScalarUDF> {
    vec![
        ScalarUDF::new_from_impl(pii::RedactText::new(
            Arc::clone(&scanner),
            Arc::clone(&stats),
        )),
        ScalarUDF::new_from_impl(pii::RedactMessages::new(Arc::clone(&scanner), stats)),
        ScalarUDF::new_from_impl(pii::DroppedTypes::new(&scanner)),
        ScalarUDF::new_from_impl(pii::ScanTypes::new(scanner)),
        ScalarUDF::new_from_impl(text::NormalizeText::new()),
        ScalarUDF::new_from_impl(text::TokenEstimate::new()),
        ScalarUDF::new_from_impl(text::Similarity::new()),
        ScalarUDF::new_from_impl(minhash::MinHash::new()),
        ScalarUDF::new_from_impl(minhash::LshBands::new()),
        ScalarUDF::new_from_impl(minhash::MinHashSimilarity::new()),
        ScalarUDF::new_from_impl(mmr::Mmr::new()),
    ]
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

pub use minhash::{band_keys, signature, similarity};
pub use text::{normalize, text_similarity};
