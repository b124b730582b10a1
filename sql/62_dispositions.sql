-- dispositions: exactly one row per input interaction row (see outcomes). The run
-- report's accounting is a count of this.
-- Inputs:     outcomes.
-- Parameters: none.
SELECT * EXCLUDE (carried) FROM outcomes WHERE NOT carried
