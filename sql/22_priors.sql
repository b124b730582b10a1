-- priors: how each model and each prompt version fares with users, learned from the
-- logs' own feedback (run and carried window), no outside data.
-- Inputs:     scored.
-- Parameters: prior_strength.
-- A vote is +1 for a positive label, -1 for a negative one (neutral rows do not vote).
-- model: the model's net praise rate, shrunk toward the overall rate by prior_strength
-- votes' worth of it, centred on it: a model users complain about gets a negative
-- prior, one they praise a positive one, one seen a few times stays near 0.
-- prompt_version: what the model does not explain: the version's votes minus the rate
-- their models predict, summed and shrunk the same way (a version served mostly by a
-- weak model is not blamed for it twice).
-- deduped adds a row's model and version priors into its quality; selection ranks by
-- feedback score plus w_quality times quality (see candidates and fewshot_pool).
WITH judged AS (
    SELECT model, prompt_version,
           CASE label WHEN 'positive' THEN 1.0 ELSE -1.0 END AS vote
    FROM scored
    WHERE label <> 'neutral' AND ineligible_reason IS NULL
),
overall AS (
    SELECT COALESCE(AVG(vote), 0.0) AS rate FROM judged
),
models AS (
    SELECT j.model, COUNT(*) AS n, SUM(j.vote) AS net,
           (SUM(j.vote) + ${prior_strength} * MIN(o.rate)) / (COUNT(*) + ${prior_strength})
               - MIN(o.rate) AS prior
    FROM judged j CROSS JOIN overall o
    WHERE j.model IS NOT NULL
    GROUP BY j.model
),
versions AS (
    SELECT j.prompt_version, COUNT(*) AS n, SUM(j.vote) AS net,
           SUM(j.vote - o.rate - COALESCE(m.prior, 0.0)) / (COUNT(*) + ${prior_strength})
               AS prior
    FROM judged j
    CROSS JOIN overall o
    LEFT JOIN models m ON m.model = j.model
    WHERE j.prompt_version IS NOT NULL
    GROUP BY j.prompt_version
)
-- Rounded: a sum of fractions depends on the order partitions add it in, and a cluster
-- run must publish what a local run does.
SELECT 'model' AS kind, model AS key, n AS judged, net / n AS net_rate,
       ROUND(prior, 6) AS prior
FROM models
UNION ALL
SELECT 'prompt_version', prompt_version, n, net / n, ROUND(prior, 6) FROM versions
