-- fewshot: the few-shot bank of each task (and prompt version, when
-- fewshot_per_prompt_version): good examples that differ from each other, within a count
-- and a token budget.
-- Inputs:     deduped, scored (labels, edits), turns (the text of the picked rows),
--             previous_banks.
-- Parameters: fewshot_min_score, fewshot_max_examples, fewshot_token_budget,
--             fewshot_max_example_tokens, fewshot_mmr_lambda, fewshot_per_prompt_version,
--             minhash_num_perm, minhash_ngram, fewshot_redacted_weight,
--             fewshot_exclude_redacted.
-- Only positive labels. fw_mmr picks by maximal marginal relevance: each next example
-- maximises lambda * score / best score - (1 - lambda) * its largest MinHash similarity
-- to the examples already picked, among those that still fit the budget; rank is the
-- order of picking (ties by example_id, so banks are deterministic).
-- tokens: fw_token_estimate of input + output (characters / 4, rounded up).
-- An edited answer, when there is one, is the better output to imitate.
-- An example whose text needed redaction (it holds a placeholder such as <US_SSN_1>) is a
-- poor demonstration: MMR sees its score times fewshot_redacted_weight, so clean examples
-- are picked first; fewshot_exclude_redacted leaves such examples out altogether.
WITH fresh AS (
    SELECT d.task,
           CASE WHEN ${fewshot_per_prompt_version} THEN COALESCE(d.prompt_version, '') ELSE '' END
               AS bank_version,
           d.example_id, t.prompt AS input, COALESCE(s.edited_output, t.answer) AS output,
           d.score, d.source_interaction_ids
    FROM (SELECT * FROM deduped
          WHERE dup_rank = 1 AND id_occurrence = 1 AND ineligible_reason IS NULL
            AND label = 'positive' AND score >= ${fewshot_min_score}) d
    JOIN scored s
      ON s._source = d._source AND s._line = d._line AND s.interaction_id = d.interaction_id
    JOIN turns t
      ON t._source = d._source AND t._line = d._line AND t.interaction_id = d.interaction_id
),
-- The bank's current examples compete with the new ones, so a quiet night keeps a full
-- bank (previous_banks: as the newest committed run published each bank); an example
-- whose interaction is no longer positive (late feedback) leaves the bank.
retracted AS (
    SELECT DISTINCT b.example_id
    FROM (SELECT example_id, unnest(source_interaction_ids) AS interaction_id
          FROM previous_banks) b
    JOIN scored s ON s.interaction_id = b.interaction_id
    WHERE s.label <> 'positive'
),
kept AS (
    SELECT b.task,
           CASE WHEN ${fewshot_per_prompt_version} THEN b.bank_version ELSE '' END
               AS bank_version,
           b.example_id, b.input, b.output, b.score, b.source_interaction_ids
    FROM previous_banks b
    WHERE b.example_id NOT IN (SELECT example_id FROM fresh)
      AND b.example_id NOT IN (SELECT example_id FROM retracted)
      AND b.score >= ${fewshot_min_score}
),
pool AS (
    SELECT p.*, fw_normalize(p.input) AS prompt_key,
           fw_token_estimate(p.input) + fw_token_estimate(p.output) AS tokens,
           regexp_like(p.input || ' ' || p.output, '<[A-Z][A-Z_]*_[0-9a-f]+>') AS redacted
    FROM (SELECT * FROM fresh UNION ALL SELECT * FROM kept) p
),
banks AS (
    SELECT task, bank_version,
           fw_mmr(
               array_agg(named_struct(
                   'id', example_id,
                   'score', CASE WHEN redacted THEN score * ${fewshot_redacted_weight} ELSE score END,
                   'tokens', tokens,
                   'sig', fw_minhash(prompt_key, ${minhash_num_perm}, ${minhash_ngram}))),
               ${fewshot_max_examples}, ${fewshot_token_budget}, ${fewshot_mmr_lambda}
           ) AS picks
    FROM pool
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
JOIN pool p
  ON p.task = k.task
 AND p.bank_version = k.bank_version
 AND p.example_id = get_field(k.pick, 'example_id')
