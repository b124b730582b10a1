-- candidates: each kept (deduplicated, eligible) interaction with its golden-set kind and
-- whether it is selected.
-- Inputs:     deduped.
-- Parameters: reference_min_score, reference_min_confidence, max_references_per_task.
-- kind:       regression  negative label: every reported bad answer becomes a test case
--             reference   strong positive: enough score and agreeing signals
-- golden_status: 'selected' or why not (quota, neutral, weak positive).
WITH kept AS (
    SELECT d.*,
           CASE
               WHEN d.label = 'negative' THEN 'regression'
               WHEN d.label = 'positive'
                    AND d.score >= ${reference_min_score}
                    AND d.confidence >= ${reference_min_confidence} THEN 'reference'
           END AS kind
    FROM deduped d
    WHERE d.dup_rank = 1 AND d.id_occurrence = 1 AND d.ineligible_reason IS NULL
),
ranked AS (
    SELECT k.*,
           ROW_NUMBER() OVER (
               PARTITION BY k.task, k.kind
               ORDER BY k.score DESC, k.confidence DESC, k.interaction_id
           ) AS kind_rank
    FROM kept k
)
SELECT r.*,
       CASE
           WHEN r.kind = 'regression' THEN 'selected'
           WHEN r.kind = 'reference' AND r.kind_rank <= ${max_references_per_task} THEN 'selected'
           WHEN r.kind = 'reference' THEN 'over reference quota'
           WHEN r.label = 'neutral' THEN 'neutral label'
           ELSE 'positive below reference threshold'
       END AS golden_status
FROM ranked r
