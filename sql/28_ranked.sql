-- ranked: every scored interaction with its duplicate group and its place in it, the
-- part of deduplication that sorts; deduped reads it several times (the decisions, the
-- members and kept rows of multi-interaction groups), and a stage is computed once where a
-- CTE read twice is computed twice.
-- Inputs:     scored, near_clusters.
-- Parameters: none.
-- id_occurrence: the row's place among the rows with its interaction_id in log order
--             (a repeated id is its own duplicate): its position in the day sorted by id
--             and log order, minus the position of the id's first row (RANK). One sort
--             of the day, where PARTITION BY interaction_id evaluates each id on its own.
-- dup_group:  task + label + near-duplicate cluster of the prompt (see near_clusters).
-- dup_rank:   the row's place in its group by the strongest evidence (largest |score|,
--             then confidence, then earliest), by the same trick as id_occurrence: one
--             window over the day sorted by group and evidence, where a window PARTITION BY
--             dup_group evaluated each group on its own (most are one row): 2.5 -> 1.3 s
--             on the 1 GiB day.
-- has_members: the group's kept row (dup_rank 1) has duplicates after it. deduped joins
--             these few rows back to name the kept row (kept_id) on its duplicates. (A
--             frame to the end of the group makes DataFusion buffer the whole day: slower,
--             and 0.7 GB more memory.)
WITH keyed AS (
    SELECT s._source, s._line, s.interaction_id, s.task, s.label, s.ineligible_reason,
           s.score, s.confidence, s.ts, s.tenant_id, s.prompt_version, s.prompt_hash,
           s.example_id, s.chat_hash, s.model, s.defects,
           ROW_NUMBER() OVER (ORDER BY s.interaction_id, s._source, s._line)
               - RANK() OVER (ORDER BY s.interaction_id) + 1 AS id_occurrence
    FROM scored s
),
grouped AS (
    SELECT k.*,
           COALESCE(n.near_cluster, k.interaction_id) AS near_cluster,
           CASE
               WHEN k.id_occurrence = 1 AND k.ineligible_reason IS NULL
                   THEN concat_ws(chr(31), k.task, k.label, CAST(n.cluster_id AS VARCHAR))
               ELSE concat_ws(chr(31), 'row', k._source, CAST(k._line AS VARCHAR))
           END AS dup_group
    FROM near_clusters n
    RIGHT JOIN keyed k ON k.prompt_hash = n.prompt_hash
),
ranked AS (
    SELECT g.*,
           ROW_NUMBER() OVER best - RANK() OVER (ORDER BY g.dup_group) + 1 AS dup_rank,
           LEAD(g.dup_group, 1) OVER best AS next_group
    FROM grouped g
    WINDOW best AS (ORDER BY g.dup_group, abs(g.score) DESC, g.confidence DESC, g.ts,
                             g.interaction_id)
)
SELECT * EXCLUDE (next_group),
       dup_rank = 1 AND next_group IS NOT DISTINCT FROM dup_group AS has_members
FROM ranked
