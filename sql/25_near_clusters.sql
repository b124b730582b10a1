-- near_clusters: near-duplicate clusters of prompts, one row per distinct prompt.
-- Inputs:     prompt_signatures.
-- Parameters: near_threshold.
-- prompt_hash:  the prompt's key (see scored); equal keys are exact duplicates.
-- cluster_id:   the smallest pid connected to this prompt by near-duplicate pairs (so
--               the pid of the cluster's smallest prompt_key): LSH band keys unnested
--               and joined on band key, candidate pairs verified at estimated Jaccard
--               >= near_threshold from the prompts' sketches, connected components
--               (fw_components, union-find).
-- near_cluster: the smallest interaction_id of this run asking any prompt of the cluster.
-- Prompts published by earlier runs take part in the clustering, so that deduped can tell
-- a new example that repeats (exactly or nearly) one already published.
-- Exact groups collapse first: a prompt asked 50 000 times is one row here, so candidate
-- pairs grow with distinct prompts, never with how often each was asked. Every join is
-- on integer ids: no prompt text is held by any operator.
WITH bands AS (
    SELECT pid, unnest(band_keys) AS band_key
    FROM prompt_signatures
),
-- Each band bucket links its members to its smallest member only (a star, not every
-- pair): candidates grow with the prompts, not with the square of a cluster's size.
band_roots AS (
    SELECT band_key, MIN(pid) AS root FROM bands GROUP BY band_key HAVING COUNT(*) > 1
),
candidate_pairs AS (
    SELECT DISTINCT r.root AS a, b.pid AS b
    FROM band_roots r
    JOIN bands b ON b.band_key = r.band_key AND b.pid > r.root
),
near_pairs AS (
    SELECT p.a, p.b
    FROM candidate_pairs p
    JOIN prompt_signatures ka ON ka.pid = p.a
    JOIN prompt_signatures kb ON kb.pid = p.b
    WHERE fw_sketch_similarity(ka.sketch, kb.sketch) >= ${near_threshold}
),
-- fw_components takes string ids; zero-padding keeps their order numeric.
components AS (
    SELECT unnest(fw_components(lpad(CAST(a AS VARCHAR), 20, '0'),
                                lpad(CAST(b AS VARCHAR), 20, '0'))) AS member
    FROM near_pairs
),
roots AS (
    SELECT CAST(get_field(member, 'node') AS BIGINT) AS pid,
           CAST(get_field(member, 'root') AS BIGINT) AS root
    FROM components
),
clustered AS (
    SELECT s.prompt_hash, s.first_id, COALESCE(r.root, s.pid) AS cluster_id
    FROM roots r
    RIGHT JOIN prompt_signatures s ON r.pid = s.pid
)
SELECT prompt_hash, cluster_id,
       MIN(first_id) OVER (PARTITION BY cluster_id) AS near_cluster
FROM clustered
