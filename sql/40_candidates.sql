-- candidates: each kept (deduplicated, eligible) interaction with its golden-set kind and
-- whether it is selected.
-- Inputs:     deduped.
-- Parameters: reference_min_score, reference_min_confidence, max_references_per_task,
--             max_references_per_run, max_tenant_reference_share, max_regressions_per_run,
--             w_quality, reference_min_quality.
-- kind:       regression  negative label: every reported bad answer becomes a test case
--             reference   strong positive: enough score and agreeing signals, no defect
--                         in the answer's text (see scored) and a quality of at least
--                         reference_min_quality (see deduped)
-- golden_status: 'selected', 'deferred' (a regression case over max_regressions_per_run:
--             kept for the next run, never dropped) or why not (quota, tenant share,
--             neutral, weak positive).
-- Narrow like deduped: golden takes the text of the selected rows from scored.
-- Regression cases are taken oldest first, so a backlog drains in order: every complaint
-- is one, whatever the answer's quality. References are taken best first (feedback score
-- plus w_quality times quality, see deduped): within the task quota, then the run quota, then no tenant above
-- max_tenant_reference_share of the run's references (when more than one tenant has any).
WITH kept AS (
    SELECT d.*,
           d.score + ${w_quality} * d.quality AS merit,
           CASE
               WHEN d.label = 'negative' THEN 'regression'
               WHEN d.label = 'positive'
                    AND d.score >= ${reference_min_score}
                    AND d.confidence >= ${reference_min_confidence}
                    AND d.defects IS NULL
                    AND d.quality >= ${reference_min_quality} THEN 'reference'
           END AS kind
    FROM deduped d
    WHERE d.dup_rank = 1 AND d.id_occurrence = 1 AND d.ineligible_reason IS NULL
),
ranked AS (
    SELECT k.*,
           ROW_NUMBER() OVER (
               PARTITION BY k.task, k.kind
               ORDER BY k.merit DESC, k.confidence DESC, k.interaction_id
           ) AS kind_rank,
           ROW_NUMBER() OVER (
               PARTITION BY k.kind
               ORDER BY k.ts, k.interaction_id
           ) AS age_rank
    FROM kept k
),
in_task_quota AS (
    SELECT interaction_id, COALESCE(tenant_id, '') AS tenant,
           ROW_NUMBER() OVER (ORDER BY merit DESC, confidence DESC, interaction_id) AS run_rank
    FROM ranked
    WHERE kind = 'reference' AND kind_rank <= ${max_references_per_task}
),
in_run_quota AS (
    SELECT i.*,
           ROW_NUMBER() OVER (PARTITION BY i.tenant ORDER BY i.run_rank) AS tenant_rank
    FROM in_task_quota i
    WHERE i.run_rank <= ${max_references_per_run}
),
tenant_counts AS (
    SELECT tenant, COUNT(*) AS n FROM in_run_quota GROUP BY tenant
),
-- The largest per-tenant cap c with c <= share * sum(min(n, c)): capping every tenant at
-- c leaves none above the share (sum(min(n, c)) / c only falls as c grows, so the caps
-- that fit are 1..c*).
caps AS (
    SELECT unnest(range(1, m + 1)) AS cap
    FROM (SELECT MAX(n) AS m FROM tenant_counts) most
    WHERE m IS NOT NULL
),
fitting_caps AS (
    SELECT c.cap
    FROM caps c CROSS JOIN tenant_counts t
    GROUP BY c.cap
    HAVING c.cap <= ${max_tenant_reference_share} * SUM(LEAST(t.n, c.cap))
),
tenant_cap AS (
    SELECT CASE
               WHEN (SELECT COUNT(*) FROM tenant_counts) < 2 THEN 9223372036854775807
               ELSE COALESCE((SELECT MAX(cap) FROM fitting_caps), 0)
           END AS cap
)
SELECT r.* EXCLUDE (age_rank),
       CASE
           WHEN r.kind = 'regression' AND ${max_regressions_per_run} > 0
                AND r.age_rank > ${max_regressions_per_run} THEN 'deferred'
           WHEN r.kind = 'regression' THEN 'selected'
           WHEN r.kind = 'reference' AND r.kind_rank > ${max_references_per_task}
               THEN 'over reference quota per task'
           WHEN r.kind = 'reference' AND q.interaction_id IS NULL
               THEN 'over reference quota per run'
           WHEN r.kind = 'reference' AND q.tenant_rank > (SELECT cap FROM tenant_cap)
               THEN 'over tenant share of references'
           WHEN r.kind = 'reference' THEN 'selected'
           WHEN r.label = 'neutral' THEN 'neutral label'
           WHEN r.defects IS NOT NULL THEN 'answer defect (' || r.defects || ')'
           WHEN r.label = 'positive' AND r.quality < ${reference_min_quality}
               THEN 'answer quality below reference_min_quality'
           ELSE 'positive below reference threshold'
       END AS golden_status
FROM in_run_quota q
RIGHT JOIN ranked r ON r.interaction_id = q.interaction_id
