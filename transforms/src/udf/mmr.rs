//! Diverse few-shot banks: maximal marginal relevance (MMR) over score and prompt
//! similarity, under a count cap and a token budget.
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

use super::minhash::similarity;

/// One example a bank may take.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: String,
    pub score: f64,
    pub tokens: i64,
    /// MinHash signature of the normalised prompt.
    pub sig: Vec<u64>,
}

/// Greedy MMR: repeatedly takes the candidate with the largest
/// `lambda * score / best_score - (1 - lambda) * max similarity to those taken`, among
/// those that still fit the remaining token budget, until `max_examples` are taken or
/// nothing fits. Returns indices into `pool` in the order taken. Ties go to the smaller
/// id, so the result does not depend on the order of `pool`.
pub fn select(pool: &[Candidate], max_examples: usize, budget: i64, lambda: f64) -> Vec<usize> {
    let best = pool.iter().map(|c| c.score).fold(f64::MIN, f64::max);
    let scale = if best > 0.0 { best } else { 1.0 };
    let mut closest = vec![0.0f64; pool.len()];
    let mut taken = vec![false; pool.len()];
    let mut left = budget;
    let mut order = Vec::new();
    while order.len() < max_examples {
        let mut pick: Option<(f64, usize)> = None;
        for (i, c) in pool.iter().enumerate() {
            if taken[i] || c.tokens > left {
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
                closest[i] = closest[i].max(similarity(&c.sig, &pool[p].sig));
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

/// The candidates of one pool: a list of `{id, score, tokens, sig}` structs.
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
    let Some(sigs) = pool
        .column_by_name("sig")
        .and_then(|s| s.as_list_opt::<i32>())
    else {
        return exec_err!("fw_mmr: pool structs need a field sig (a MinHash signature)");
    };
    let (ids, scores) = (ids.as_string::<i32>(), scores.as_primitive::<Float64Type>());
    let tokens = tokens.as_primitive::<Int64Type>();
    Ok((0..pool.len())
        .filter(|&i| pool.is_valid(i) && ids.is_valid(i))
        .map(|i| Candidate {
            id: ids.value(i).to_string(),
            score: if scores.is_valid(i) {
                scores.value(i)
            } else {
                0.0
            },
            tokens: if tokens.is_valid(i) {
                tokens.value(i)
            } else {
                0
            },
            sig: if sigs.is_valid(i) {
                sigs.value(i)
                    .as_primitive::<datafusion::arrow::datatypes::UInt64Type>()
                    .values()
                    .to_vec()
            } else {
                Vec::new()
            },
        })
        .collect())
}

/// `fw_mmr(pool, max_examples, token_budget, lambda) -> list<{example_id, rank}>`, see
/// [`select`]; `pool` is `array_agg(named_struct('id', .., 'score', .., 'tokens', ..,
/// 'sig', fw_minhash(..)))`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(super) struct Mmr {
    signature: Signature,
}

impl Mmr {
    pub fn new() -> Self {
        Mmr {
            signature: Signature::any(4, Volatility::Immutable),
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
        let max_examples = literal_i64(&args.args[1], "max_examples")? as usize;
        let budget = literal_i64(&args.args[2], "token_budget")?;
        let lambda = literal_f64(&args.args[3], "lambda")?;
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
            for (rank, p) in select(&pool, max_examples, budget, lambda)
                .into_iter()
                .enumerate()
            {
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

    fn c(id: &str, score: f64, tokens: i64, sig: &[u64]) -> Candidate {
        Candidate {
            id: id.into(),
            score,
            tokens,
            sig: sig.to_vec(),
        }
    }

    #[test]
    fn mmr_prefers_a_different_prompt_over_a_near_copy() {
        // b repeats a's prompt; c is another question, a little less liked. Relevance
        // alone would take a, b; MMR takes a, then c.
        let pool = [
            c("a", 2.0, 10, &[1, 2, 3, 4]),
            c("b", 1.9, 10, &[1, 2, 3, 4]),
            c("c", 1.5, 10, &[5, 6, 7, 8]),
        ];
        let ids = |v: Vec<usize>| {
            v.into_iter()
                .map(|i| pool[i].id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(select(&pool, 2, 100, 0.7)), ["a", "c"]);
        // lambda 1 is plain relevance
        assert_eq!(ids(select(&pool, 2, 100, 1.0)), ["a", "b"]);
        // the order of the pool does not matter
        let mut shuffled = pool.to_vec();
        shuffled.reverse();
        let got: Vec<_> = select(&shuffled, 3, 100, 0.7)
            .into_iter()
            .map(|i| shuffled[i].id.clone())
            .collect();
        assert_eq!(got, ["a", "c", "b"]);
    }

    #[test]
    fn mmr_keeps_to_the_budget_and_the_count() {
        let pool = [
            c("a", 2.0, 60, &[1]),
            c("b", 1.8, 50, &[2]),
            c("c", 1.0, 30, &[3]),
            c("d", 0.9, 10, &[4]),
        ];
        // a (60) leaves 40: b (50) no longer fits, c and d do
        let got = select(&pool, 8, 100, 0.7);
        assert_eq!(got, [0, 2, 3]);
        assert!(got.iter().map(|&i| pool[i].tokens).sum::<i64>() <= 100);
        assert_eq!(select(&pool, 1, 100, 0.7), [0]);
        assert!(select(&pool, 8, 5, 0.7).is_empty());
        assert!(select(&[], 8, 100, 0.7).is_empty());
    }
}
