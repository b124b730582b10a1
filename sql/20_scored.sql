-- scored: one row per well-formed interaction with its feedback signals, score, label
-- (positive / negative / neutral) and confidence (how many independent signals agree
-- with the label). An explicit complaint (thumbs-down or report) labels the interaction
-- negative whatever else it got: every reported bad answer must become a regression
-- case, and a copy or a later thumbs-up does not make the answer good.
-- Inputs:     turns, feedback_events.
-- Parameters: w_* (weight of each signal's presence), rating_min, rating_max,
--             positive_threshold, negative_threshold, rewrite_window_secs,
--             rewrite_min_similarity, opt_out_tenants.
-- prompt_key is the prompt normalised by fw_normalize (NFKC, lowercase, punctuation to
-- spaces, whitespace collapsed): equal keys are exact duplicates. prompt_hash, its BLAKE3
-- digest, is the 32-byte key later stages join on, so no join ever holds prompt texts.
-- example_id hashes task, label, prompt_key and the output, so re-runs produce the same
-- ids. scored holds no chat text (ids, keys, signals, scores; the sparse edit and
-- comment texts of the feedback): golden and fewshot take the text of the rows they
-- publish from turns.
-- Each signal counts once per interaction however often it fired, so one user clicking
-- thumbs-up ten times is one vote. Events at the same instant are taken in log order
-- (source, line), so comments and edits come out the same on every run. Ratings are normalised to [-1, 1].
-- defects (fw_answer_defects): what the answer's own text shows is wrong with it, comma
-- separated (repetition, truncated, leaked_markup, runs_on, refusal, too_short,
-- other_language, empty_code), NULL for none. Banks and references leave such answers
-- out; a regression case keeps them, so a reviewer sees whether the complaint is about
-- an answer that looks fine. Checked here for the rows with a feedback signal (those
-- that can become references or regression cases: the checks cost ~10 us a row, and
-- most rows have none); fewshot_pool checks the unjudged answers it admits.
-- rewritten (implicit, from session order): the same user asked a similar prompt
-- (fw_similarity >= rewrite_min_similarity) in the same session within
-- rewrite_window_secs after this one, among their next three asks, so this answer did
-- not serve. The very same prompt over the same conversation is a regeneration, not a
-- rewrite.
WITH asked AS (
    SELECT interaction_id, session_id, COALESCE(user_hash, '') AS user_key,
           CAST(ts AS BIGINT) AS ts_us,
           message_count AS turns,
           prompt
    FROM turns
    WHERE session_id IS NOT NULL AND ts IS NOT NULL
),
-- The next three asks of the same user in the session: LEAD over one window ordered by
-- session, user and time, checking that the row ahead is the same session and user. A
-- PARTITION BY (session, user) window is the same but costs ~10 µs per row: most
-- partitions are a few rows, and DataFusion evaluates each one on its own. A sort (which
-- spills) rather than a self-join of the day's prompts (a hash table that cannot).
following AS (
    SELECT interaction_id, session_id, user_key, ts_us, turns, prompt,
           LEAD(session_id, 1) OVER w AS session_1, LEAD(user_key, 1) OVER w AS user_1,
           LEAD(ts_us, 1) OVER w AS ts_1, LEAD(turns, 1) OVER w AS turns_1,
           LEAD(prompt, 1) OVER w AS prompt_1,
           LEAD(session_id, 2) OVER w AS session_2, LEAD(user_key, 2) OVER w AS user_2,
           LEAD(ts_us, 2) OVER w AS ts_2, LEAD(turns, 2) OVER w AS turns_2,
           LEAD(prompt, 2) OVER w AS prompt_2,
           LEAD(session_id, 3) OVER w AS session_3, LEAD(user_key, 3) OVER w AS user_3,
           LEAD(ts_us, 3) OVER w AS ts_3, LEAD(turns, 3) OVER w AS turns_3,
           LEAD(prompt, 3) OVER w AS prompt_3
    FROM asked
    WINDOW w AS (ORDER BY session_id, user_key, ts_us, interaction_id)
),
-- Similarity is computed only for the asks inside the window that are not regenerations
-- (CASE evaluates its THEN on the rows whose WHEN holds).
rewrites AS (
    SELECT DISTINCT interaction_id
    FROM following
    WHERE CASE WHEN session_1 = session_id AND user_1 = user_key
               AND ts_1 > ts_us AND ts_1 - ts_us <= ${rewrite_window_secs} * 1000000
               AND NOT (prompt_1 = prompt AND turns_1 = turns)
          THEN fw_similarity(prompt, prompt_1) >= ${rewrite_min_similarity} END
       OR CASE WHEN session_2 = session_id AND user_2 = user_key
               AND ts_2 > ts_us AND ts_2 - ts_us <= ${rewrite_window_secs} * 1000000
               AND NOT (prompt_2 = prompt AND turns_2 = turns)
          THEN fw_similarity(prompt, prompt_2) >= ${rewrite_min_similarity} END
       OR CASE WHEN session_3 = session_id AND user_3 = user_key
               AND ts_3 > ts_us AND ts_3 - ts_us <= ${rewrite_window_secs} * 1000000
               AND NOT (prompt_3 = prompt AND turns_3 = turns)
          THEN fw_similarity(prompt, prompt_3) >= ${rewrite_min_similarity} END
),
-- Flags, rating and count by plain aggregates; the ordered ones (the last edit, the
-- comments in order) only over the few events that carry text: an ordered aggregate keeps
-- one accumulator object per group, ~15 µs per interaction with feedback.
flags AS (
    SELECT interaction_id,
           MAX(CASE WHEN type = 'thumbs_up'   THEN 1 ELSE 0 END) AS thumbs_up,
           MAX(CASE WHEN type = 'thumbs_down' THEN 1 ELSE 0 END) AS thumbs_down,
           AVG(CASE WHEN type = 'rating'      THEN value END)    AS rating,
           MAX(CASE WHEN type = 'report'      THEN 1 ELSE 0 END) AS reported,
           MAX(CASE WHEN type = 'accept'      THEN 1 ELSE 0 END) AS accepted,
           MAX(CASE WHEN type = 'reject'      THEN 1 ELSE 0 END) AS rejected,
           MAX(CASE WHEN type = 'copy'        THEN 1 ELSE 0 END) AS copied,
           MAX(CASE WHEN type = 'regenerate'  THEN 1 ELSE 0 END) AS regenerated,
           MAX(CASE WHEN type = 'edit'        THEN 1 ELSE 0 END) AS edited,
           COUNT(*) AS feedback_events
    FROM feedback_events
    WHERE status = 'applied'
    GROUP BY interaction_id
),
texts AS (
    SELECT interaction_id,
           first_value(edited_output ORDER BY ts DESC, _source DESC, _line DESC)
               FILTER (WHERE type = 'edit' AND edited_output IS NOT NULL) AS edited_output,
           string_agg(comment, ' | ' ORDER BY ts, _source, _line)
               FILTER (WHERE comment IS NOT NULL AND comment <> '') AS user_reason
    FROM feedback_events
    WHERE status = 'applied'
      AND ((type = 'edit' AND edited_output IS NOT NULL) OR (comment IS NOT NULL AND comment <> ''))
    GROUP BY interaction_id
),
signals AS (
    SELECT f.*, x.edited_output, x.user_reason
    FROM texts x RIGHT JOIN flags f ON x.interaction_id = f.interaction_id
),
joined AS (
    SELECT t.interaction_id, t.session_id, t.tenant_id, t.user_hash, t.ts,
           COALESCE(t.task, 'unknown') AS task, t.model, t.prompt_version,
           t._source, t._line, t.chat_hash,
           t.answer,
           CASE WHEN s.interaction_id IS NOT NULL OR r.interaction_id IS NOT NULL
                THEN fw_answer_defects(t.prompt, t.answer)
           END AS defects,
           fw_normalize(t.prompt) AS prompt_key,
           CASE
               WHEN t.tenant_id IN ${opt_out_tenants} THEN 'tenant opted out'
               WHEN t._pii_drop IS NOT NULL
                   THEN 'PII policy drops it (' || t._pii_drop || ')'
               WHEN (t.answer_role IS DISTINCT FROM 'assistant') OR COALESCE(trim(t.answer), '') = ''
                   THEN 'no assistant answer'
               WHEN (t.prompt_role IS DISTINCT FROM 'user') OR COALESCE(trim(t.prompt), '') = ''
                   THEN 'no user prompt before the answer'
           END AS ineligible_reason,
           COALESCE(s.thumbs_up, 0)   AS thumbs_up,
           COALESCE(s.thumbs_down, 0) AS thumbs_down,
           s.rating,
           (s.rating - (${rating_min} + ${rating_max}) / 2.0)
               / ((${rating_max} - ${rating_min}) / 2.0) AS rating_norm,
           COALESCE(s.reported, 0)    AS reported,
           COALESCE(s.accepted, 0)    AS accepted,
           COALESCE(s.rejected, 0)    AS rejected,
           COALESCE(s.copied, 0)      AS copied,
           COALESCE(s.regenerated, 0) AS regenerated,
           COALESCE(s.edited, 0)      AS edited,
           CASE WHEN r.interaction_id IS NULL THEN 0 ELSE 1 END AS rewritten,
           s.edited_output, s.user_reason,
           COALESCE(s.feedback_events, 0) AS feedback_events
    FROM rewrites r
    RIGHT JOIN (signals s RIGHT JOIN turns t ON s.interaction_id = t.interaction_id)
      ON r.interaction_id = t.interaction_id
),
weighted AS (
    SELECT j.*,
           ${w_thumbs_up} * j.thumbs_up
         + ${w_thumbs_down} * j.thumbs_down
         + ${w_rating} * COALESCE(j.rating_norm, 0)
         + ${w_report} * j.reported
         + ${w_accept} * j.accepted
         + ${w_reject} * j.rejected
         + ${w_copy} * j.copied
         + ${w_regenerate} * j.regenerated
         + ${w_edit} * j.edited
         + ${w_rewrite} * j.rewritten AS score
    FROM joined j
),
labelled AS (
    SELECT w.*,
           CASE
               WHEN w.thumbs_down + w.reported > 0 THEN 'negative'
               WHEN w.score <= ${negative_threshold} THEN 'negative'
               WHEN w.score >= ${positive_threshold} THEN 'positive'
               ELSE 'neutral'
           END AS label
    FROM weighted w
)
SELECT l.* EXCLUDE (answer),
       digest(l.prompt_key, 'blake3') AS prompt_hash,
       'ex-' || substr(encode(sha256(concat_ws(chr(31), l.task, l.label, l.prompt_key,
                                               COALESCE(l.edited_output, l.answer))), 'hex'), 1, 20)
           AS example_id,
       CASE l.label
           WHEN 'positive'
               THEN l.thumbs_up + l.accepted + l.copied
                    + CASE WHEN l.rating_norm > 0 THEN 1 ELSE 0 END
           WHEN 'negative'
               THEN l.thumbs_down + l.reported + l.rejected + l.regenerated + l.edited
                    + l.rewritten
                    + CASE WHEN l.rating_norm < 0 THEN 1 ELSE 0 END
           ELSE 0
       END AS confidence
FROM labelled l
