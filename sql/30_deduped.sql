-- deduped: scored interactions grouped into exact and near duplicates.
-- Inputs:     ranked, near_clusters, published_before, priors.
-- Parameters: none.
-- dup_group:  task + label + near-duplicate cluster of the prompt (see near_clusters):
--             grouping by label keeps a prompt's bad answer as a regression case even
--             when another user liked another answer. Within a group the strongest
--             evidence is kept (largest |score|, then confidence, then earliest):
--             dup_rank = 1, and kept_id names it; dup_kind says whether a duplicate's
--             prompt equals the kept one's ('exact') or is a near duplicate ('near').
-- A group whose task, label and cluster match an example published by an earlier run is
-- not published again: all its members are duplicates (dup_kind 'published before') and
-- kept_id names that example_id.
-- A repeated interaction_id with the same conversation (the record delivered twice) is a
-- duplicate of its first row. With another conversation the id was reused (a client bug):
-- reused_after names the first row (source and line), and outcomes quarantines the later
-- one, so neither conversation disappears silently.
-- quality: the answer's model prior plus its prompt version's (see priors; 0 for a model
-- or version without feedback); selection adds w_quality times it to the score.
-- deduped is narrow (ids, keys, scores, decisions; no text): the stages after it take
-- text from turns only for the rows they publish, so no sort or hash table holds a chat.
WITH prior AS (
    SELECT concat_ws(chr(31), p.task, p.label, CAST(n.cluster_id AS VARCHAR)) AS dup_group,
           MIN(p.example_id) AS prior_example_id
    FROM published_before p
    JOIN near_clusters n ON digest(p.prompt_key, 'blake3') = n.prompt_hash
    GROUP BY concat_ws(chr(31), p.task, p.label, CAST(n.cluster_id AS VARCHAR))
),
-- Most groups are one interaction: only the others are aggregated (and joined back):
-- the rows after the kept one, and the kept one where it has some (a group's size would
-- need a window that holds the whole day).
members AS (
    SELECT dup_group, array_sort(array_agg(interaction_id)) AS source_interaction_ids
    FROM ranked
    WHERE dup_rank > 1 OR has_members
    GROUP BY dup_group
),
-- The kept row of each group with members, for them to name.
kept AS (
    SELECT dup_group, interaction_id AS kept_id, prompt_hash AS kept_prompt_hash
    FROM ranked
    WHERE has_members
),
-- The first row of each repeated id (few: most ids appear once).
firsts AS (
    SELECT f.interaction_id, f.chat_hash, f._source, f._line
    FROM (SELECT DISTINCT interaction_id FROM ranked WHERE id_occurrence > 1) x
    JOIN ranked f ON f.interaction_id = x.interaction_id AND f.id_occurrence = 1
),
decided AS (
    SELECT r._source, r._line, r.interaction_id, r.task, r.label, r.ineligible_reason,
           r.score, r.confidence, r.ts, r.tenant_id, r.prompt_version, r.example_id,
           r.id_occurrence, r.near_cluster, r.dup_group, r.model, r.defects,
           COALESCE(pm.prior, 0.0) + COALESCE(pv.prior, 0.0) AS quality,
           CASE WHEN pr.prior_example_id IS NULL THEN r.dup_rank ELSE r.dup_rank + 1 END
               AS dup_rank,
           COALESCE(pr.prior_example_id, k.kept_id, r.interaction_id) AS kept_id,
           CASE
               WHEN pr.prior_example_id IS NOT NULL THEN 'published before'
               WHEN r.dup_rank = 1 THEN NULL
               WHEN r.prompt_hash = k.kept_prompt_hash THEN 'exact'
               ELSE 'near'
           END AS dup_kind,
           -- Only the kept row carries its group's members: a copy on every member row
           -- would grow with the square of a cluster's size.
           CASE WHEN r.dup_rank = 1 AND pr.prior_example_id IS NULL THEN r.dup_group END
               AS members_of,
           CASE
               WHEN fi.interaction_id IS NOT NULL AND fi.chat_hash IS DISTINCT FROM r.chat_hash
                   THEN fi._source || ' line ' || CAST(fi._line AS VARCHAR)
           END AS reused_after
    FROM (SELECT key, prior FROM priors WHERE kind = 'prompt_version') pv
    RIGHT JOIN (
        (SELECT key, prior FROM priors WHERE kind = 'model') pm
        RIGHT JOIN (
            firsts fi
            RIGHT JOIN (
                kept k
                RIGHT JOIN (prior pr RIGHT JOIN ranked r ON r.dup_group = pr.dup_group)
                  ON k.dup_group = r.dup_group AND r.dup_rank > 1
            ) ON fi.interaction_id = r.interaction_id AND r.id_occurrence > 1
        ) ON pm.key = r.model
    ) ON pv.key = r.prompt_version
)
SELECT d.* EXCLUDE (members_of),
       CASE
           WHEN d.members_of IS NULL THEN NULL
           WHEN m.dup_group IS NULL THEN make_array(d.interaction_id)
           ELSE m.source_interaction_ids
       END AS source_interaction_ids
FROM members m
RIGHT JOIN decided d ON m.dup_group = d.members_of
