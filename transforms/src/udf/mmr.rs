//! Diverse few-shot banks: maximal marginal relevance (MMR) over score and prompt
//! similarity, under a count cap, a token budget and a similarity ceiling.
//!
//! Similarity is the character-trigram Jaccard of the normalised prompts, the measure
//! rewrite detection uses: it sees a re-typed prompt ("provide" / "porvide") as the same
//! question, where word-shingle MinHash puts typo twins far apart.
//!
//! SQL gathers each bank's pool with `array_agg(named_struct(...))`; the greedy selection
//! itself is sequential (each pick changes the value of the rest), which SQL cannot say.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Int64Builder, ListBuilder, StringBuilder, StructBuilder,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Fields, Float64Type, Int64Type};
use datafusion::common::{exec_err, Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::text::{jaccard, trigrams};

/// One example a bank may take.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: String,
    pub score: f64,
    pub tokens: i64,
    /// Character trigrams of the prompt ([`trigrams`]).
    pub grams: Vec<u64>,
}

impl Candidate {
    pub fn new(id: &str, score: f64, tokens: i64, prompt: &str) -> Self {
        Candidate {
            id: id.to_string(),
            score,
            tokens,
            grams: trigrams(prompt),
        }
    }
}

/// How a bank is picked: at most `max_examples` within `budget` tokens, `lambda` trading
/// score against novelty, and no two examples with prompt similarity of `max_similarity`
/// or more (1 allows any, even equal prompts).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_examples: usize,
    pub budget: i64,
    pub lambda: f64,
    pub max_similarity: f64,
}

/// Greedy MMR: repeatedly takes the candidate with the largest
/// `lambda * score / best_score - (1 - lambda) * max similarity to those taken`, among
/// those that still fit the remaining token budget and are less similar than
/// `max_similarity` to every one taken, until `max_examples` are taken or nothing is
/// left. Returns indices into `pool` in the order taken. Ties go to the smaller id, so
/// the result does not depend on the order of `pool`.
pub fn select(pool: &[Candidate], limits: Limits) -> Vec<usize> {
    let Limits {
        max_examples,
        budget,
        lambda,
        max_similarity,
    } = limits;
    let best = pool.iter().map(|c| c.score).fold(f64::MIN, f64::max);
    let scale = if best > 0.0 { best } else { 1.0 };
    let mut closest = vec![0.0f64; pool.len()];
    let mut taken = vec![false; pool.len()];
    let mut left = budget;
    let mut order = Vec::new();
    while order.len() < max_examples {
        let mut pick: Option<(f64, usize)> = None;
        for (i, c) in pool.iter().enumerate() {
            let too_close = max_similarity < 1.0 && closest[i] >= max_similarity;
            if taken[i] || c.tokens > left || too_close {
                continue;
            }
            let value = lambda * c.score / scale - (1.0 - lambda) * closest[i];
            let better = match pick {
                None => true,
                Some((v, j)) => value > v || (value == v && c.id < pool[j].id),
            };
            if better {
                pick = Some((value, i));
            }
        }
        let Some((_, p)) = pick else { break };
        taken[p] = true;
        left -= pool[p].tokens;
        order.push(p);
        for (i, c) in pool.iter().enumerate() {
            if !taken[i] {
                closest[i] = closest[i].max(jaccard(&c.grams, &pool[p].grams));
            }
        }
    }
    order
}

fn pick_fields() -> Fields {
    Fields::from(vec![
        Field::new("example_id", DataType::Utf8, false),
        Field::new("rank", DataType::Int64, false),
    ])
}

fn picks_type() -> DataType {
    DataType::List(Arc::new(Field::new(
        "item",
        DataType::Struct(pick_fields()),
        true,
    )))
}

fn literal<'a>(arg: &'a ColumnarValue, what: &str) -> Result<&'a ScalarValue> {
    match arg {
        ColumnarValue::Scalar(s) if !s.is_null() => Ok(s),
        _ => exec_err!("fw_mmr: {what} must be a non-NULL literal"),
    }
}

fn literal_i64(arg: &ColumnarValue, what: &str) -> Result<i64> {
    match literal(arg, what)?.cast_to(&DataType::Int64)? {
        ScalarValue::Int64(Some(n)) if n >= 0 => Ok(n),
        other => exec_err!("fw_mmr: {what} must be a non-negative integer, got {other}"),
    }
}

fn literal_f64(arg: &ColumnarValue, what: &str) -> Result<f64> {
    match literal(arg, what)?.cast_to(&DataType::Float64)? {
        ScalarValue::Float64(Some(x)) if (0.0..=1.0).contains(&x) => Ok(x),
        other => exec_err!("fw_mmr: {what} must be between 0 and 1, got {other}"),
    }
}

/// The candidates of one pool: a list of `{id, score, tokens, prompt}` structs.
fn candidates(pool: &ArrayRef) -> Result<Vec<Candidate>> {
    let Some(pool) = pool.as_struct_opt() else {
        return exec_err!("fw_mmr: the pool must be a list of structs");
    };
    let column = |name: &str, to: &DataType| -> Result<ArrayRef> {
        match pool.column_by_name(name) {
            Some(c) => Ok(cast(c, to)?),
            None => exec_err!("fw_mmr: pool structs need a field {name}"),
        }
    };
    let ids = column("id", &DataType::Utf8)?;
    let scores = column("score", &DataType::Float64)?;
    let tokens = column("tokens", &DataType::Int64)?;
    let prompts = column("prompt", &DataType::Utf8)?;
    let (ids, scores) = (ids.as_string::<i32>(), scores.as_primitive::<Float64Type>());
    let prompts = prompts.as_string::<i32>();
    let tokens = tokens.as_primitive::<Int64Type>();
    Ok((0..pool.len())
        .filter(|&i| pool.is_valid(i) && ids.is_valid(i))
        .map(|i| {
            Candidate::new(
                ids.value(i),
                if scores.is_valid(i) {
                    scores.value(i)
                } else {
                    0.0
                },
                if tokens.is_valid(i) {
                    tokens.value(i)
                } else {
                    0
                },
                if prompts.is_valid(i) {
                    prompts.value(i)
                } else {
                    ""
                },
            )
        })
        .collect())
}

/// `fw_mmr(pool, max_examples, token_budget, lambda, max_similarity)
/// -> list<{example_id, rank}>`, see [`select`]; `pool` is
/// `array_agg(named_struct('id', .., 'score', .., 'tokens', .., 'prompt', ..))`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(super) struct Mmr {
    signature: Signature,
}

impl Mmr {
    pub fn new() -> Self {
        Mmr {
            signature: Signature::any(5, Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for Mmr {
    fn name(&self) -> &str {
        "fw_mmr"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match &arg_types[0] {
            DataType::List(f) if matches!(f.data_type(), DataType::Struct(_)) => Ok(picks_type()),
            other => exec_err!("fw_mmr: the pool must be a list of structs, got {other}"),
        }
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let limits = Limits {
            max_examples: literal_i64(&args.args[1], "max_examples")? as usize,
            budget: literal_i64(&args.args[2], "token_budget")?,
            lambda: literal_f64(&args.args[3], "lambda")?,
            max_similarity: literal_f64(&args.args[4], "max_similarity")?,
        };
        let pools = args.args[0].to_array(args.number_rows)?;
        let pools = pools.as_list::<i32>();
        let mut out = ListBuilder::new(StructBuilder::from_fields(pick_fields(), 0));
        for i in 0..pools.len() {
            if pools.is_null(i) {
                out.append(false);
                continue;
            }
            let pool = candidates(&pools.value(i))?;
            let picks = out.values();
            for (rank, p) in select(&pool, limits).into_iter().enumerate() {
                picks
                    .field_builder::<StringBuilder>(0)
                    .expect("example_id field")
                    .append_value(&pool[p].id);
                picks
                    .field_builder::<Int64Builder>(1)
                    .expect("rank field")
                    .append_value(rank as i64 + 1);
                picks.append(true);
            }
            out.append(true);
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: &str, score: f64, tokens: i64, prompt: &str) -> Candidate {
        Candidate::new(id, score, tokens, prompt)
    }

    fn limits(max_examples: usize, budget: i64, lambda: f64) -> Limits {
        Limits {
            max_examples,
            budget,
            lambda,
            max_similarity: 1.0,
        }
    }

    #[test]
    fn mmr_prefers_a_different_prompt_over_a_near_copy() {
        // b repeats a's prompt; c is another question, a little less liked. Relevance
        // alone would take a, b; MMR takes a, then c.
        let pool = [
            c("a", 2.0, 10, "how do I reset my password"),
            c("b", 1.9, 10, "How do I reset my password?"),
            c("c", 1.5, 10, "which plans include SSO"),
        ];
        let ids = |v: Vec<usize>| {
            v.into_iter()
                .map(|i| pool[i].id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(select(&pool, limits(2, 100, 0.7))), ["a", "c"]);
        // lambda 1 is plain relevance
        assert_eq!(ids(select(&pool, limits(2, 100, 1.0))), ["a", "b"]);
        // the order of the pool does not matter
        let mut shuffled = pool.to_vec();
        shuffled.reverse();
        let got: Vec<_> = select(&shuffled, limits(3, 100, 0.7))
            .into_iter()
            .map(|i| shuffled[i].id.clone())
            .collect();
        assert_eq!(got, ["a", "c", "b"]);
    }

    #[test]
    fn mmr_keeps_to_the_budget_and_the_count() {
        let pool = [
            c("a", 2.0, 60, "alpha question"),
            c("b", 1.8, 50, "bravo topic"),
            c("c", 1.0, 30, "charlie matter"),
            c("d", 0.9, 10, "delta issue"),
        ];
        // a (60) leaves 40: b (50) no longer fits, c and d do
        let got = select(&pool, limits(8, 100, 0.7));
        assert_eq!(got, [0, 2, 3]);
        assert!(got.iter().map(|&i| pool[i].tokens).sum::<i64>() <= 100);
        assert_eq!(select(&pool, limits(1, 100, 0.7)), [0]);
        assert!(select(&pool, limits(8, 5, 0.7)).is_empty());
        assert!(select(&[], limits(8, 100, 0.7)).is_empty());
    }

    // Typo twins: one misspelt word keeps trigram similarity high (word 5-gram MinHash
    // puts them far apart), and the ceiling keeps the second twin out even when score
    // alone (lambda 1) would take both.
    #[test]
    fn typo_twins_never_share_a_bank() {
        let a = "Please provide a summary of the quarterly report for the sales team";
        let b = "Please porvide a summary of the quarterly report for the sales team";
        let pool = [
            c("twin-a", 2.0, 10, a),
            c("twin-b", 2.0, 10, b),
            c(
                "other",
                1.0,
                10,
                "What is the refund policy for annual plans?",
            ),
        ];
        assert!(super::super::text::text_similarity(a, b) >= 0.7);
        let ceiling = Limits {
            max_similarity: 0.7,
            ..limits(8, 100, 1.0)
        };
        assert_eq!(select(&pool, ceiling), [0, 2]);
        assert_eq!(select(&pool, limits(8, 100, 1.0)), [0, 1, 2]);
    }
}
