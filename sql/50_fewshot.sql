-- fewshot: the few-shot bank of each task: the best-scored positives that fit the budget.
-- Inputs:     deduped.
-- Parameters: fewshot_min_score, fewshot_max_examples, fewshot_token_budget,
--             fewshot_max_example_tokens.
-- An edited answer, when there is one, is the better output to imitate.
WITH pool AS (
    SELECT d.*,
           COALESCE(d.edited_output, d.answer) AS shot_output,
           fw_token_estimate(d.prompt) + fw_token_estimate(COALESCE(d.edited_output, d.answer))
               AS tokens
    FROM deduped d
    WHERE d.dup_rank = 1 AND d.id_occurrence = 1 AND d.ineligible_reason IS NULL
      AND d.label = 'positive' AND d.score >= ${fewshot_min_score}
),
ranked AS (
    SELECT p.*,
           ROW_NUMBER() OVER (
               PARTITION BY p.task
               ORDER BY p.score DESC, p.confidence DESC, p.tokens, p.interaction_id
           ) AS rank,
           SUM(p.tokens) OVER (
               PARTITION BY p.task
               ORDER BY p.score DESC, p.confidence DESC, p.tokens, p.interaction_id
               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
           ) AS running_tokens
    FROM pool p
    WHERE p.tokens <= ${fewshot_max_example_tokens}
)
SELECT r.task, r.example_id, r.prompt AS input, r.shot_output AS output, r.score,
       r.confidence, r.tokens, r.source_interaction_ids, r.rank, r.prompt_version, r.model
FROM ranked r
WHERE r.rank <= ${fewshot_max_examples} AND r.running_tokens <= ${fewshot_token_budget}
