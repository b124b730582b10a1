-- fewshot: the few-shot bank of each task (and prompt version, when
-- fewshot_per_prompt_version): good examples that differ from each other, within a count
-- and a token budget.
-- Inputs:     fewshot_pool (the competing examples, new and current, with their text).
-- Parameters: fewshot_max_examples, fewshot_token_budget, fewshot_max_example_tokens,
--             fewshot_mmr_lambda, fewshot_max_similarity,
--             fewshot_redacted_weight, fewshot_exclude_redacted.
-- Competitors as fewshot_pool admits them. fw_mmr picks by maximal marginal relevance: each next example
-- maximises lambda * merit / best merit (merit: score plus w_quality times quality, see
-- fewshot_pool) - (1 - lambda) * its largest prompt similarity
-- to the examples already picked, among those that still fit the budget and are less
-- similar than fewshot_max_similarity to each of them; rank is the order of picking (ties
-- by example_id, so banks are deterministic). Similarity is the character-trigram Jaccard
-- of the normalised prompts (as for rewrites): a re-typed prompt ("provide" / "porvide")
-- is the same question, which word-shingle MinHash does not see.
-- An example whose text needed redaction (it holds a placeholder such as <US_SSN_1>) is a
-- poor demonstration: MMR sees its score times fewshot_redacted_weight, so clean examples
-- are picked first; fewshot_exclude_redacted leaves such examples out altogether.
WITH banks AS (
    SELECT task, bank_version,
           fw_mmr(
               array_agg(named_struct(
                   'id', example_id,
                   'score', CASE WHEN redacted THEN merit * ${fewshot_redacted_weight} ELSE merit END,
                   'tokens', tokens,
                   'prompt', prompt_key)),
               ${fewshot_max_examples}, ${fewshot_token_budget}, ${fewshot_mmr_lambda},
               ${fewshot_max_similarity}
           ) AS picks
    FROM fewshot_pool
    WHERE tokens <= ${fewshot_max_example_tokens}
      AND NOT (${fewshot_exclude_redacted} AND redacted)
    GROUP BY task, bank_version
),
picked AS (
    SELECT task, bank_version, unnest(picks) AS pick FROM banks
)
SELECT p.task, NULLIF(p.bank_version, '') AS prompt_version, p.example_id, p.input,
       p.output, p.score, p.tokens, p.source_interaction_ids,
       get_field(k.pick, 'rank') AS rank
FROM picked k
JOIN fewshot_pool p
  ON p.task = k.task
 AND p.bank_version = k.bank_version
 AND p.example_id = get_field(k.pick, 'example_id')
