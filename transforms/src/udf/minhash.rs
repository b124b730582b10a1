//! Near-duplicate detection as SQL building blocks: MinHash signatures, LSH band keys,
//! estimated Jaccard similarity (from full signatures, or from one-byte-per-value
//! sketches small enough to join a day's prompts in memory), and connected components
//! over candidate pairs.
//!
//! The SQL stage decides how they combine (exact groups first, bands unnested and joined,
//! pairs verified, components); these functions only do what SQL cannot do well. Hashing
//! is seeded by constants, so signatures are identical across runs, machines and versions
//! of the standard library, and signatures stored by an earlier run stay comparable.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BinaryArray, Float64Array, Float64Builder, Int64Array, ListArray,
    ListBuilder, StructArray, UInt64Builder,
};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields, Int64Type, UInt64Type};
use datafusion::common::utils::SingleRowListArrayBuilder;
use datafusion::common::{exec_err, Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDFImpl, ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature,
    TypeSignature, Volatility,
};

/// Seed of the permutation family; changing it invalidates stored signatures.
const SEED: u64 = 0x5EED_F1A7_0000_0001;

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// FNV-1a: a stable hash of a shingle's bytes (the words joined by single spaces).
fn shingle_hash(words: &[&str]) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            h = (h ^ u64::from(b' ')).wrapping_mul(0x0100_0000_01B3);
        }
        for b in w.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3);
        }
    }
    h
}

/// Hashes of the word shingles of already-normalised `text`: `ngram`-word shingles,
/// 3-word shingles for texts shorter than that, the whole text under 3 words.
pub fn shingles(text: &str, ngram: usize) -> Vec<u64> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let n = if words.len() >= ngram {
        ngram
    } else if words.len() >= 3 {
        3.min(ngram)
    } else {
        words.len().max(1)
    };
    if words.is_empty() {
        return vec![shingle_hash(&[])];
    }
    let mut hashes: Vec<u64> = words.windows(n).map(shingle_hash).collect();
    hashes.sort_unstable();
    hashes.dedup();
    hashes
}

/// The MinHash signature of `text`: for each of `num_perm` seeded hash functions, the
/// smallest value over the text's shingles. See [`Permutations`].
pub fn signature(text: &str, num_perm: usize, ngram: usize) -> Vec<u64> {
    Permutations::new(num_perm).signature(text, ngram)
}

/// The seeded hash family of a signature: each shingle hash is mixed once (splitmix64),
/// then permutation i maps it to `a_i * x + b_i` (mod 2^64, `a_i` odd, so a bijection).
/// One multiply-add per shingle and permutation, where a full mix per pair cost four
/// times as much; the minimum's high bits are decided by a product of all of x's bits.
pub struct Permutations {
    a: Vec<u64>,
    b: Vec<u64>,
}

impl Permutations {
    pub fn new(num_perm: usize) -> Self {
        let (a, b) = (0..num_perm as u64)
            .map(|i| {
                (
                    splitmix64(SEED ^ i) | 1,
                    splitmix64(SEED ^ i ^ 0xB0B0_0000_0000_0000),
                )
            })
            .unzip();
        Permutations { a, b }
    }

    /// [`signature`] with these permutations.
    pub fn signature(&self, text: &str, ngram: usize) -> Vec<u64> {
        let mut mins = vec![u64::MAX; self.a.len()];
        let mixed: Vec<u64> = shingles(text, ngram).into_iter().map(splitmix64).collect();
        fold_minima(&mut mins, &self.a, &self.b, &mixed);
        mins
    }
}

/// `mins[i] = min(mins[i], a[i] * x + b[i])` for every `x`. The loop is compiled twice: as
/// is, and for AVX-512 (eight 64-bit multiplies and minima per instruction, which SSE2 and
/// AVX2 lack), chosen at run time so one binary runs on every x86-64. Same arithmetic,
/// same signatures.
fn fold_minima(mins: &mut [u64], a: &[u64], b: &[u64], xs: &[u64]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512dq")
    {
        // SAFETY: the CPU has the features the function is compiled for.
        return unsafe { fold_minima_avx512(mins, a, b, xs) };
    }
    fold_minima_portable(mins, a, b, xs)
}

#[inline(always)]
fn fold_minima_portable(mins: &mut [u64], a: &[u64], b: &[u64], xs: &[u64]) {
    for &x in xs {
        for ((m, a), b) in mins.iter_mut().zip(a).zip(b) {
            *m = (*m).min(a.wrapping_mul(x).wrapping_add(*b));
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq")]
fn fold_minima_avx512(mins: &mut [u64], a: &[u64], b: &[u64], xs: &[u64]) {
    fold_minima_portable(mins, a, b, xs)
}

/// Share of equal positions: the MinHash estimate of Jaccard similarity.
pub fn similarity(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() || a.len() != b.len() {
        return 0.0;
    }
    let equal = a.iter().zip(b).filter(|(x, y)| x == y).count();
    equal as f64 / a.len() as f64
}

/// The b-bit MinHash sketch of a signature (b = 8): one byte of each value, an eighth of
/// the signature's size, which is what lets a day's distinct prompts meet in a hash join
/// (Li and König, "b-Bit Minwise Hashing", 2010). Bits 32..40: a minimum's top bits lean
/// towards zero, and the low bits of `a * x + b` depend only on the low bits of x.
pub fn sketch(sig: &[u64]) -> Vec<u8> {
    sig.iter().map(|v| (*v >> 32) as u8).collect()
}

/// Jaccard similarity estimated from two sketches: two different minima share a low byte
/// by chance one time in 256, so the share of equal bytes is corrected for that. At the
/// default threshold (0.8 over 128 values) it keeps a pair exactly when the full
/// signatures would, except when a chance byte collision lifts a pair one value short.
pub fn sketch_similarity(a: &[u8], b: &[u8]) -> f64 {
    const CHANCE: f64 = 1.0 / 256.0;
    if a.is_empty() || a.len() != b.len() {
        return 0.0;
    }
    let equal = a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / a.len() as f64;
    ((equal - CHANCE) / (1.0 - CHANCE)).clamp(0.0, 1.0)
}

/// One key per band of `rows` consecutive values (the band index is mixed in, so equal
/// values in different bands do not collide). Values past `bands * rows` are unused; bands
/// that do not fit in the signature are left out.
pub fn band_keys(sig: &[u64], bands: usize, rows: usize) -> Vec<u64> {
    let bands = sig.len().checked_div(rows).map_or(0, |fit| bands.min(fit));
    (0..bands)
        .map(|band| {
            sig[band * rows..(band + 1) * rows]
                .iter()
                .fold(splitmix64(SEED ^ band as u64), |h, v| splitmix64(h ^ v))
        })
        .collect()
}

fn signature_type() -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::UInt64, true)))
}

/// A positive integer literal argument (per-run parameters travel as literals).
fn literal_usize(arg: &ColumnarValue, udf: &str, what: &str) -> Result<usize> {
    match arg {
        ColumnarValue::Scalar(s) => match s.cast_to(&DataType::Int64)? {
            ScalarValue::Int64(Some(n)) if n > 0 => Ok(n as usize),
            other => exec_err!("{udf}: {what} must be a positive integer, got {other}"),
        },
        ColumnarValue::Array(_) => exec_err!("{udf}: {what} must be a literal"),
    }
}

fn list_u64(values: impl Iterator<Item = Option<Vec<u64>>>) -> ListArray {
    let mut out = ListBuilder::new(UInt64Builder::new());
    for v in values {
        match v {
            Some(v) => {
                out.values().append_slice(&v);
                out.append(true);
            }
            None => out.append(false),
        }
    }
    out.finish()
}

fn u64s(list: &ListArray, i: usize) -> Option<Vec<u64>> {
    list.is_valid(i)
        .then(|| list.value(i).as_primitive::<UInt64Type>().values().to_vec())
}

macro_rules! scalar_udf {
    ($name:ident, $sql:literal, $args:expr, $ret:expr, |$self_:ident, $a:ident| $body:block) => {
        #[derive(Debug, PartialEq, Eq, Hash)]
        pub(super) struct $name {
            signature: Signature,
        }
        impl $name {
            pub fn new() -> Self {
                $name {
                    signature: Signature::one_of($args, Volatility::Immutable),
                }
            }
        }
        impl ScalarUDFImpl for $name {
            fn name(&self) -> &str {
                $sql
            }
            fn signature(&self) -> &Signature {
                &self.signature
            }
            fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
                Ok($ret)
            }
            fn invoke_with_args(&$self_, $a: ScalarFunctionArgs) -> Result<ColumnarValue> $body
        }
    };
}

scalar_udf!(
    MinHash,
    "fw_minhash",
    vec![TypeSignature::Exact(vec![
        DataType::Utf8,
        DataType::Int64,
        DataType::Int64
    ])],
    signature_type(),
    |self, args| {
        // fw_minhash(normalised_text, num_perm, ngram) -> list<uint64>
        let num_perm = literal_usize(&args.args[1], "fw_minhash", "num_perm")?;
        let ngram = literal_usize(&args.args[2], "fw_minhash", "ngram")?;
        let texts = args.args[0].to_array(args.number_rows)?;
        let texts = texts.as_string::<i32>();
        let perms = Permutations::new(num_perm);
        let out = list_u64(texts.iter().map(|t| t.map(|t| perms.signature(t, ngram))));
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
);

scalar_udf!(
    LshBands,
    "fw_lsh_bands",
    vec![TypeSignature::Exact(vec![
        signature_type(),
        DataType::Int64,
        DataType::Int64
    ])],
    signature_type(),
    |self, args| {
        // fw_lsh_bands(signature, bands, rows) -> list<uint64>: one key per band
        let bands = literal_usize(&args.args[1], "fw_lsh_bands", "bands")?;
        let rows = literal_usize(&args.args[2], "fw_lsh_bands", "rows")?;
        let sigs = args.args[0].to_array(args.number_rows)?;
        let sigs = sigs.as_list::<i32>();
        let out =
            list_u64((0..sigs.len()).map(|i| u64s(sigs, i).map(|s| band_keys(&s, bands, rows))));
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
);

scalar_udf!(
    MinHashSimilarity,
    "fw_minhash_similarity",
    vec![TypeSignature::Exact(vec![
        signature_type(),
        signature_type()
    ])],
    DataType::Float64,
    |self, args| {
        // fw_minhash_similarity(signature, signature) -> estimated Jaccard in [0, 1]
        let a = args.args[0].to_array(args.number_rows)?;
        let b = args.args[1].to_array(args.number_rows)?;
        let (a, b) = (a.as_list::<i32>(), b.as_list::<i32>());
        let mut out = Float64Builder::with_capacity(a.len());
        for i in 0..a.len() {
            match (u64s(a, i), u64s(b, i)) {
                (Some(x), Some(y)) => out.append_value(similarity(&x, &y)),
                _ => out.append_null(),
            }
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
);

scalar_udf!(
    MinHashSketch,
    "fw_minhash_sketch",
    vec![TypeSignature::Exact(vec![signature_type()])],
    DataType::Binary,
    |self, args| {
        // fw_minhash_sketch(signature) -> binary: one byte per value
        let sigs = args.args[0].to_array(args.number_rows)?;
        let sigs = sigs.as_list::<i32>();
        let out: BinaryArray = (0..sigs.len())
            .map(|i| u64s(sigs, i).map(|s| sketch(&s)))
            .collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
);

scalar_udf!(
    SketchSimilarity,
    "fw_sketch_similarity",
    vec![TypeSignature::Exact(vec![
        DataType::Binary,
        DataType::Binary
    ])],
    DataType::Float64,
    |self, args| {
        // fw_sketch_similarity(sketch, sketch) -> estimated Jaccard in [0, 1]
        let a = args.args[0].to_array(args.number_rows)?;
        let b = args.args[1].to_array(args.number_rows)?;
        let (a, b) = (a.as_binary::<i32>(), b.as_binary::<i32>());
        let out: Float64Array = a
            .iter()
            .zip(b.iter())
            .map(|(x, y)| Some(sketch_similarity(x?, y?)))
            .collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
);

/// `fw_components(a, b)`: aggregate over the edges of a graph (pairs of BIGINT node ids)
/// → a list of `{node, root}`, one per node seen, `root` the smallest id of its connected
/// component. Union-find over integers, so memory is linear in the nodes of the edges
/// (~40 bytes each), never in the pairs a transitive closure would produce.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(super) struct Components {
    signature: Signature,
}

impl Components {
    pub fn new() -> Self {
        Components {
            signature: Signature::exact(
                vec![DataType::Int64, DataType::Int64],
                Volatility::Immutable,
            ),
        }
    }
}

fn member_fields() -> Fields {
    Fields::from(vec![
        Field::new("node", DataType::Int64, false),
        Field::new("root", DataType::Int64, false),
    ])
}

fn components_type() -> DataType {
    DataType::List(Arc::new(Field::new(
        "item",
        DataType::Struct(member_fields()),
        true,
    )))
}

impl AggregateUDFImpl for Components {
    fn name(&self) -> &str {
        "fw_components"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(components_type())
    }
    fn accumulator(&self, _args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::<UnionFind>::default())
    }
    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        let list = DataType::List(Arc::new(Field::new("item", DataType::Int64, true)));
        Ok(vec![
            Arc::new(Field::new(
                format!("{}_nodes", args.name),
                list.clone(),
                true,
            )),
            Arc::new(Field::new(format!("{}_roots", args.name), list, true)),
        ])
    }
}

#[derive(Debug, Default)]
struct UnionFind {
    /// Node id → its index in `nodes` and `parent`.
    index: HashMap<i64, usize>,
    nodes: Vec<i64>,
    parent: Vec<usize>,
}

impl UnionFind {
    fn index(&mut self, node: i64) -> usize {
        let next = self.nodes.len();
        let at = *self.index.entry(node).or_insert(next);
        if at == next {
            self.nodes.push(node);
            self.parent.push(next);
        }
        at
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn unite(&mut self, a: i64, b: i64) {
        let (a, b) = (self.index(a), self.index(b));
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.parent[ra.max(rb)] = ra.min(rb);
        }
    }

    fn unite_arrays(&mut self, a: &Int64Array, b: &Int64Array) {
        for (a, b) in a.iter().zip(b.iter()) {
            if let (Some(a), Some(b)) = (a, b) {
                self.unite(a, b);
            }
        }
    }

    /// Each node with the smallest id in its component.
    fn members(&mut self) -> (Vec<i64>, Vec<i64>) {
        // The smallest node id of each component, at its root's index.
        let mut smallest = vec![i64::MAX; self.nodes.len()];
        let roots: Vec<usize> = (0..self.nodes.len()).map(|x| self.find(x)).collect();
        for (&r, &node) in roots.iter().zip(&self.nodes) {
            smallest[r] = smallest[r].min(node);
        }
        let roots = roots.into_iter().map(|r| smallest[r]).collect();
        (self.nodes.clone(), roots)
    }
}

fn id_list(values: Vec<i64>) -> ScalarValue {
    SingleRowListArrayBuilder::new(Arc::new(Int64Array::from(values))).build_list_scalar()
}

impl Accumulator for UnionFind {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        self.unite_arrays(
            values[0].as_primitive::<Int64Type>(),
            values[1].as_primitive::<Int64Type>(),
        );
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let (nodes, roots) = (states[0].as_list::<i32>(), states[1].as_list::<i32>());
        for i in 0..nodes.len() {
            if nodes.is_valid(i) && roots.is_valid(i) {
                let (n, r) = (nodes.value(i), roots.value(i));
                self.unite_arrays(n.as_primitive::<Int64Type>(), r.as_primitive::<Int64Type>());
            }
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let (nodes, roots) = self.members();
        Ok(vec![id_list(nodes), id_list(roots)])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let (nodes, roots) = self.members();
        let values = StructArray::new(
            member_fields(),
            vec![
                Arc::new(Int64Array::from(nodes)) as ArrayRef,
                Arc::new(Int64Array::from(roots)) as ArrayRef,
            ],
            None,
        );
        Ok(SingleRowListArrayBuilder::new(Arc::new(values)).build_list_scalar())
    }

    fn size(&self) -> usize {
        // The map's entries (key, index, control byte) and the two vectors.
        std::mem::size_of::<Self>()
            + self.index.capacity() * (std::mem::size_of::<(i64, usize)>() + 1)
            + self.nodes.capacity() * std::mem::size_of::<i64>()
            + self.parent.capacity() * std::mem::size_of::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shingles_follow_the_length_rules() {
        // 5-word shingles for long texts, 3-word under 5 words, the whole text under 3.
        assert_eq!(shingles("a b c d e f", 5).len(), 2);
        assert_eq!(shingles("a b c d", 5).len(), 2);
        assert_eq!(shingles("a b", 5), vec![shingle_hash(&["a", "b"])]);
        assert_eq!(shingles("", 5).len(), 1);
    }

    /// The loop compiled for the CPU (AVX-512 where it has it) gives what the portable one
    /// does, over a full signature's width and a remainder that fills no vector.
    #[test]
    fn every_compiled_fold_gives_the_same_minima() {
        for num_perm in [128, 13] {
            let perms = Permutations::new(num_perm);
            let xs: Vec<u64> = (0..200u64).map(splitmix64).collect();
            let mut chosen = vec![u64::MAX; num_perm];
            let mut portable = chosen.clone();
            fold_minima(&mut chosen, &perms.a, &perms.b, &xs);
            fold_minima_portable(&mut portable, &perms.a, &perms.b, &xs);
            assert_eq!(chosen, portable);
            assert!(chosen.iter().all(|m| *m != u64::MAX));
        }
    }

    /// The signature is its definition: value i is the least of the seeded hash i over the
    /// shingles, however the loop is arranged.
    #[test]
    fn signature_is_the_least_seeded_hash_per_permutation() {
        let perms = Permutations::new(64);
        for text in [
            "",
            "one two",
            "a b c d e f g h i j k l",
            "the same the same the same",
        ] {
            let want: Vec<u64> = (0..64)
                .map(|i| {
                    shingles(text, 5)
                        .iter()
                        .map(|h| {
                            perms.a[i]
                                .wrapping_mul(splitmix64(*h))
                                .wrapping_add(perms.b[i])
                        })
                        .min()
                        .unwrap()
                })
                .collect();
            assert_eq!(signature(text, 64, 5), want, "{text:?}");
        }
    }

    #[test]
    fn similarity_estimates_jaccard() {
        // Two texts sharing 20 of 25 distinct 5-word shingles (Jaccard 0.8 - ish) land
        // near their true Jaccard with 256 permutations; identical texts are 1.0 and
        // unrelated texts near 0.
        let base: Vec<String> = (0..24).map(|i| format!("w{i}")).collect();
        let a = base.join(" ");
        let mut other = base.clone();
        other[23] = "zz".into();
        other[22] = "yy".into();
        let b = other.join(" ");
        let (sa, sb) = (signature(&a, 256, 5), signature(&b, 256, 5));
        let truth = {
            let x: std::collections::HashSet<u64> = shingles(&a, 5).into_iter().collect();
            let y: std::collections::HashSet<u64> = shingles(&b, 5).into_iter().collect();
            x.intersection(&y).count() as f64 / x.union(&y).count() as f64
        };
        assert!((similarity(&sa, &sb) - truth).abs() < 0.1, "{truth}");
        assert_eq!(similarity(&sa, &signature(&a, 256, 5)), 1.0);
        let c = (0..24)
            .map(|i| format!("v{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert!(similarity(&sa, &signature(&c, 256, 5)) < 0.05);
    }

    #[test]
    fn sketches_estimate_what_signatures_do() {
        // Over pairs of texts from identical to unrelated, the corrected sketch estimate
        // stays within a few values of the full signature's; unrelated texts, whose
        // bytes still match one time in 256, are corrected down to ~0.
        let words: Vec<String> = (0..40).map(|i| format!("w{i}")).collect();
        let base = signature(&words.join(" "), 128, 5);
        for changed in [0, 1, 2, 4, 8, 16, 40] {
            let mut other = words.clone();
            for w in other.iter_mut().take(changed) {
                *w = format!("{w}x");
            }
            let sig = signature(&other.join(" "), 128, 5);
            let full = similarity(&base, &sig);
            let sketched = sketch_similarity(&sketch(&base), &sketch(&sig));
            assert!(
                (full - sketched).abs() <= 3.0 / 128.0,
                "{changed}: {full} {sketched}"
            );
        }
        assert_eq!(sketch(&base).len(), 128);
        assert_eq!(sketch_similarity(&sketch(&base), &sketch(&base)), 1.0);
        // A lone chance match is corrected to nothing rather than counted.
        let (a, mut b) = (vec![1u8; 256], vec![2u8; 256]);
        b[0] = 1;
        assert_eq!(sketch_similarity(&a, &b), 0.0);
        assert_eq!(sketch_similarity(&a, &b[..10]), 0.0);
        // Only bits 32..40 are kept.
        assert_eq!(sketch(&[0x12_3456_7890, 0xFF]), vec![0x12, 0x00]);
    }

    #[test]
    fn band_keys_collide_only_on_equal_bands() {
        let s: Vec<u64> = (0..12).collect();
        let mut t = s.clone();
        t[0] = 99; // only band 0 differs
        let (ks, kt) = (band_keys(&s, 3, 4), band_keys(&t, 3, 4));
        assert_eq!(ks.len(), 3);
        assert_ne!(ks[0], kt[0]);
        assert_eq!(ks[1..], kt[1..]);
        // the same values in another band give another key
        let u: Vec<u64> = [4, 5, 6, 7, 4, 5, 6, 7, 4, 5, 6, 7].to_vec();
        let ku = band_keys(&u, 3, 4);
        assert_ne!(ku[0], ku[1]);
        // bands past the end of the signature are left out
        assert_eq!(band_keys(&s, 5, 4).len(), 3);
    }

    #[test]
    fn union_find_roots_are_smallest_members() {
        let mut uf = UnionFind::default();
        uf.unite(4, 3);
        uf.unite(24, 25);
        uf.unite(3, 2);
        uf.unite(5, 4);
        let (nodes, roots) = uf.members();
        let got: HashMap<_, _> = nodes.into_iter().zip(roots).collect();
        for n in [2, 3, 4, 5] {
            assert_eq!(got[&n], 2, "{n}");
        }
        assert_eq!(got[&25], 24);
        assert_eq!(got.len(), 6);
    }
}
