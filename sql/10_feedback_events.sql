-- feedback_events: every well-formed feedback event of this run and what happens to it.
-- Inputs:     feedback, interactions (both already redacted).
-- Parameters: none.
-- status:     applied      counts toward its interaction's score
--             duplicate    the same event_id was seen earlier in this run
--             pii_drop     its text holds an entity type whose PII strategy is drop
--             orphan       its interaction is not in this run
--             unknown_type a type this version does not score
WITH numbered AS (
    SELECT f.*,
           ROW_NUMBER() OVER (
               PARTITION BY COALESCE(f.event_id, f._source || ':' || CAST(f._line AS VARCHAR))
               ORDER BY f._source, f._line
           ) AS occurrence
    FROM feedback f
),
known AS (
    SELECT DISTINCT interaction_id FROM interactions
)
SELECT n.event_id, n.interaction_id, n.session_id, n.ts, n.type, n.value,
       n.comment, n.edited_output, n._source, n._line, n._pii_drop,
       CASE
           WHEN n.occurrence > 1 THEN 'duplicate'
           WHEN n._pii_drop IS NOT NULL THEN 'pii_drop'
           WHEN n.type NOT IN ('thumbs_up', 'thumbs_down', 'rating', 'comment', 'report',
                               'copy', 'regenerate', 'edit', 'accept', 'reject')
               THEN 'unknown_type'
           WHEN k.interaction_id IS NULL THEN 'orphan'
           ELSE 'applied'
       END AS status
FROM numbered n
LEFT JOIN known k ON n.interaction_id = k.interaction_id
