-- published_index: every example this run publishes, kept in the sink so that later runs
-- can recognise a question already added (cross-run deduplication, see near_clusters).
-- Inputs:     golden, fewshot.
-- Parameters: run_id.
-- prompt_key is the normalised redacted prompt, the text near_clusters compares.
SELECT DISTINCT example_id, task, label, fw_normalize(input) AS prompt_key,
       ${run_id} AS run_id
FROM (
    SELECT example_id, task, label, input FROM golden
    UNION ALL
    SELECT example_id, task, 'positive' AS label, input FROM fewshot
) published
