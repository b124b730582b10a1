-- golden: this run's golden-set additions, one row per example (published per task).
-- Inputs:     candidates, scored (signals, edit and comments), turns (the text of the
--             selected rows).
-- Parameters: run_id.
-- A regression case carries the input, the bad output and the user's reason;
-- needs_reference is true unless an edit gave the corrected answer (reference_output).
-- answer_defects and answer_quality (see scored, deduped) tell a reviewer whether a
-- complaint is about an answer that looks fine (no defect, a well-liked model).
SELECT c.example_id, c.task, c.kind, c.label, c.score, c.confidence,
       t.input_messages,
       t.prompt AS input,
       t.answer AS output,
       s.edited_output AS reference_output,
       (c.kind = 'regression' AND s.edited_output IS NULL) AS needs_reference,
       s.user_reason,
       named_struct(
           'thumbs_up', s.thumbs_up, 'thumbs_down', s.thumbs_down, 'rating', s.rating,
           'reported', s.reported, 'accepted', s.accepted, 'rejected', s.rejected,
           'copied', s.copied, 'regenerated', s.regenerated, 'edited', s.edited,
           'rewritten', s.rewritten
       ) AS signals,
       c.defects AS answer_defects,
       c.quality AS answer_quality,
       c.interaction_id,
       c.source_interaction_ids,
       c.prompt_version, s.model, c.tenant_id,
       c.ts AS interaction_ts,
       ${run_id} AS run_id
FROM (SELECT * FROM candidates WHERE golden_status = 'selected') c
JOIN scored s
  ON s._source = c._source AND s._line = c._line AND s.interaction_id = c.interaction_id
JOIN turns t
  ON t._source = c._source AND t._line = c._line AND t.interaction_id = c.interaction_id
