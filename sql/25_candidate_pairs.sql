-- candidate_pairs: the pairs of distinct prompts that share an LSH band bucket, to be
-- verified by near_clusters. A table of its own (16 bytes a pair) because near_clusters
-- reads it twice, and as a CTE DataFusion would compute the day's band aggregation twice.
-- Inputs:     prompt_signatures.
-- Parameters: none.
-- a is the bucket's smallest pid (its root), b another member: each band bucket links its
-- members to its root only (a star, not every pair), so pairs grow with the prompts, not
-- with the square of a cluster's size. Every join is on integer ids.
WITH bands AS (
    SELECT pid, unnest(band_keys) AS band_key
    FROM prompt_signatures
),
band_roots AS (
    SELECT band_key, MIN(pid) AS root FROM bands GROUP BY band_key HAVING COUNT(*) > 1
)
SELECT DISTINCT r.root AS a, b.pid AS b
FROM band_roots r
JOIN bands b ON b.band_key = r.band_key AND b.pid > r.root
