-- fewshot_pool: the examples competing for each few-shot bank, with their text: this
-- run's good examples and the banks' current ones. fewshot reads it twice (to pick, and
-- to take the picked rows' text); as a CTE it was computed twice, each time reading the
-- chats of the day's positive rows.
-- Inputs:     deduped, scored (labels, edits), turns (the text of the rows),
--             previous_banks.
-- Parameters: fewshot_min_score, fewshot_per_prompt_version, w_quality,
--             fewshot_min_quality, fewshot_neutral_min_quality.
-- An edited answer, when there is one, is the better output to imitate.
-- The bank's current examples compete with the new ones, so a quiet night keeps a full
-- bank (previous_banks: as the newest committed run published each bank); an example
-- whose interaction is no longer positive (late feedback) leaves the bank.
-- The competitors: answers users liked (positive, score >= fewshot_min_score) and, since
-- most answers get no feedback at all, unjudged ones (neutral) from a model and prompt
-- version users clearly praise (quality >= fewshot_neutral_min_quality). Never an answer
-- with a defect in its text (see scored), or one whose model and version users like
-- clearly less than average (quality below fewshot_min_quality). merit, what MMR ranks
-- by, is the feedback score plus w_quality times quality (see deduped); a bank's current
-- examples compete with their score alone (quality 0, the average).
-- tokens: fw_token_estimate of input + output (characters / 4, rounded up).
-- redacted: the text holds a placeholder such as <US_SSN_1>.
WITH fresh AS (
    SELECT d.task,
           CASE WHEN ${fewshot_per_prompt_version} THEN COALESCE(d.prompt_version, '') ELSE '' END
               AS bank_version,
           d.example_id, t.prompt AS input, COALESCE(s.edited_output, t.answer) AS output,
           d.score, d.score + ${w_quality} * d.quality AS merit, d.source_interaction_ids
    FROM (SELECT * FROM deduped
          WHERE dup_rank = 1 AND id_occurrence = 1 AND ineligible_reason IS NULL
            AND defects IS NULL AND quality >= ${fewshot_min_quality}
            AND (label = 'positive' AND score >= ${fewshot_min_score}
                 OR label = 'neutral' AND quality >= ${fewshot_neutral_min_quality})) d
    JOIN scored s
      ON s._source = d._source AND s._line = d._line AND s.interaction_id = d.interaction_id
    JOIN turns t
      ON t._source = d._source AND t._line = d._line AND t.interaction_id = d.interaction_id
    -- scored checked the text of the rows with feedback (defects, above); an unjudged
    -- answer is checked here, among the few this stage admits.
    WHERE d.label = 'positive' OR fw_answer_defects(t.prompt, t.answer) IS NULL
),
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
           b.example_id, b.input, b.output, b.score, b.score AS merit,
           b.source_interaction_ids
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
)
SELECT * FROM pool
