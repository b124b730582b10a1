-- outcomes: where each interaction row ended: published (with where), filtered (with
-- why), duplicate (of which interaction), deferred (a regression case over the run's cap,
-- published by a later run) or quarantined (with the parse reason, or naming the first
-- row of an interaction_id reused for another conversation).
-- Inputs:     deduped, candidates, golden, fewshot, quarantined_interactions,
--             late_interactions.
-- Parameters: none.
-- carried: the row is an interaction of an earlier run re-scored here (late feedback or
-- the regression backlog), not an input of this run: dispositions leaves those out and
-- carried_outcomes keeps them, so the accounting balances and their fate is still known.
-- An example is in at most one golden row and one bank (both are per task).
WITH pub AS (
    SELECT COALESCE(f.example_id, g.example_id) AS example_id,
           concat_ws(', ', f.via, g.via) AS via
    FROM (SELECT DISTINCT example_id, 'fewshot' AS via FROM fewshot) f
    FULL JOIN (SELECT DISTINCT example_id, 'golden ' || kind AS via FROM golden) g
      ON f.example_id = g.example_id
)
SELECT d.interaction_id, d._source AS source, d._line AS line, d.task,
       CASE
           WHEN d.reused_after IS NOT NULL THEN 'quarantined'
           WHEN d.id_occurrence > 1 OR d.dup_rank > 1 THEN 'duplicate'
           WHEN p.example_id IS NOT NULL THEN 'published'
           WHEN c.golden_status = 'deferred' THEN 'deferred'
           ELSE 'filtered'
       END AS disposition,
       CASE
           WHEN d.reused_after IS NOT NULL
               THEN 'interaction_id reused with different content (first at '
                    || d.reused_after || ')'
           WHEN d.id_occurrence > 1 THEN 'repeated interaction_id'
           WHEN d.dup_kind = 'published before' THEN 'already published as ' || d.kept_id
           WHEN d.dup_kind = 'exact' THEN 'same normalised prompt'
           WHEN d.dup_kind = 'near' THEN 'near-duplicate prompt'
           WHEN p.example_id IS NOT NULL THEN p.via
           WHEN d.ineligible_reason IS NOT NULL THEN d.ineligible_reason
           WHEN c.golden_status = 'deferred'
               THEN 'regression case over max_regressions_per_run: kept for the next run'
           ELSE COALESCE(c.golden_status, 'not selected')
       END AS reason,
       CASE
           WHEN d.reused_after IS NOT NULL THEN NULL
           WHEN d.id_occurrence > 1 THEN d.interaction_id
           WHEN d.dup_rank > 1 THEN d.kept_id
       END AS duplicate_of,
       d.score, d.label,
       CASE WHEN p.example_id IS NOT NULL THEN d.example_id END AS example_id,
       d.near_cluster,
       l.interaction_id IS NOT NULL AS carried
-- Written as right joins so that the small sides (candidates, published ids, late ids)
-- are the hash tables and every deduped row streams past them.
FROM (SELECT DISTINCT interaction_id FROM late_interactions) l
RIGHT JOIN (
    pub p
    RIGHT JOIN (
        candidates c
        RIGHT JOIN deduped d
               ON d.interaction_id = c.interaction_id AND d.id_occurrence = 1
              AND d.dup_rank = 1
    ) ON d.example_id = p.example_id AND d.id_occurrence = 1 AND d.dup_rank = 1
) ON d.interaction_id = l.interaction_id
UNION ALL
SELECT NULL, q.source, q.line, NULL, 'quarantined', q.reason, NULL, NULL, NULL, NULL, NULL,
       false
FROM quarantined_interactions q
