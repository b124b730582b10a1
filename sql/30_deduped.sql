-- deduped: scored interactions grouped into exact duplicates.
-- Inputs:     scored.
-- Parameters: none.
-- Two interactions are duplicates when they share task, label and normalised prompt
-- (fw_normalize: NFKC, lowercase, punctuation to spaces, whitespace collapsed). Grouping
-- by label keeps a prompt's bad answer as a regression case even when another user
-- liked a different answer to it. Within a group the strongest evidence is kept
-- (largest |score|, then confidence, then earliest): dup_rank = 1, and kept_id names it.
-- A repeated interaction_id (the same record delivered twice) is its own duplicate.
WITH keyed AS (
    SELECT s.*,
           fw_normalize(s.prompt) AS prompt_key,
           ROW_NUMBER() OVER (PARTITION BY s.interaction_id ORDER BY s._source, s._line)
               AS id_occurrence
    FROM scored s
),
grouped AS (
    SELECT k.*,
           CASE
               WHEN k.id_occurrence = 1 AND k.ineligible_reason IS NULL
                   THEN concat_ws(chr(31), k.task, k.label, k.prompt_key)
               ELSE concat_ws(chr(31), 'row', k._source, CAST(k._line AS VARCHAR))
           END AS dup_group
    FROM keyed k
),
ranked AS (
    SELECT g.*,
           ROW_NUMBER() OVER (
               PARTITION BY g.dup_group
               ORDER BY abs(g.score) DESC, g.confidence DESC, g.ts, g.interaction_id
           ) AS dup_rank,
           first_value(g.interaction_id) OVER (
               PARTITION BY g.dup_group
               ORDER BY abs(g.score) DESC, g.confidence DESC, g.ts, g.interaction_id
           ) AS kept_id
    FROM grouped g
),
members AS (
    SELECT dup_group, array_agg(interaction_id ORDER BY interaction_id) AS source_interaction_ids
    FROM ranked
    GROUP BY dup_group
)
SELECT r.*,
       m.source_interaction_ids,
       'ex-' || substr(encode(sha256(concat_ws(chr(31), r.task, r.label, r.prompt_key,
                                               COALESCE(r.edited_output, r.answer))), 'hex'), 1, 20)
           AS example_id
FROM ranked r
JOIN members m ON r.dup_group = m.dup_group
