-- feedback_dispositions: exactly one row per input feedback row: applied (its signal
-- counted toward an interaction of this run), filtered (with why), duplicate or
-- quarantined (with the parse reason).
-- Inputs:     feedback_events, quarantined_feedback, late_feedback (events of earlier
--             runs carried with their interaction: not inputs of this run, no row here).
-- Parameters: none.
SELECT e.event_id, e.interaction_id, e._source AS source, e._line AS line,
       CASE e.status
           WHEN 'applied' THEN 'applied'
           WHEN 'duplicate' THEN 'duplicate'
           ELSE 'filtered'
       END AS disposition,
       CASE e.status
           WHEN 'applied' THEN e.type
           WHEN 'duplicate' THEN 'repeated event_id'
           WHEN 'orphan' THEN 'interaction not in this run'
           WHEN 'pii_drop' THEN 'PII policy drops it (' || e._pii_drop || ')'
           ELSE 'unknown feedback type'
       END AS reason,
       CASE WHEN e.status = 'duplicate' THEN e.event_id END AS duplicate_of
FROM feedback_events e
WHERE NOT EXISTS (
    SELECT 1 FROM late_feedback l WHERE l._source = e._source AND l._line = e._line
)
UNION ALL
SELECT NULL, NULL, q.source, q.line, 'quarantined', q.reason, NULL
FROM quarantined_feedback q
