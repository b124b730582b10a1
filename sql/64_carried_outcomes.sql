-- carried_outcomes: what became of the interactions of earlier runs that this run
-- re-scored (late feedback, the regression backlog); not inputs of this run.
-- Inputs:     outcomes.
-- Parameters: none.
SELECT * EXCLUDE (carried) FROM outcomes WHERE carried
