-- golden: this run's golden-set additions, one row per example (published per task).
-- Inputs:     candidates.
-- Parameters: run_id.
-- A regression case carries the input, the bad output and the user's reason;
-- needs_reference is true unless an edit gave the corrected answer (reference_output).
SELECT c.example_id, c.task, c.kind, c.label, c.score, c.confidence,
       c.input_messages,
       c.prompt AS input,
       c.answer AS output,
       c.edited_output AS reference_output,
       (c.kind = 'regression' AND c.edited_output IS NULL) AS needs_reference,
       c.user_reason,
       named_struct(
           'thumbs_up', c.thumbs_up, 'thumbs_down', c.thumbs_down, 'rating', c.rating,
           'reported', c.reported, 'accepted', c.accepted, 'rejected', c.rejected,
           'copied', c.copied, 'regenerated', c.regenerated, 'edited', c.edited,
           'rewritten', c.rewritten
       ) AS signals,
       c.interaction_id,
       c.source_interaction_ids,
       c.prompt_version, c.model, c.tenant_id,
       c.ts AS interaction_ts,
       ${run_id} AS run_id
FROM candidates c
WHERE c.golden_status = 'selected'
