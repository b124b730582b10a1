-- near_clusters: near-duplicate clusters of prompts, one row per distinct prompt.
-- Inputs:     prompt_signatures, candidate_pairs.
-- Parameters: near_threshold.
-- prompt_hash:  the prompt's key (see scored); equal keys are exact duplicates.
-- cluster_id:   the smallest pid connected to this prompt by near-duplicate pairs (so
--               the pid of the cluster's smallest prompt_key): the LSH candidate pairs
--               (candidate_pairs) verified at estimated Jaccard >= near_threshold from
--               the prompts' sketches, connected components (fw_components, union-find).
-- near_cluster: the smallest interaction_id of this run asking any prompt of the cluster.
-- Prompts published by earlier runs take part in the clustering, so that deduped can tell
-- a new example that repeats (exactly or nearly) one already published.
-- Exact groups collapse first: a prompt asked 50 000 times is one row here, so candidate
-- pairs grow with distinct prompts, never with how often each was asked. Every join is
-- on integer ids: no prompt text is held by any operator.
-- Verifying a pair needs both sketches, and no hash table may hold one per pair (5 M
-- pairs of 128 bytes on a 10 GiB day, a 0.9 GB table that cannot spill). The pairs
-- (16 bytes each) are the table that the day's signatures stream past, taking the
-- member's sketch; the roots' sketches (one per band bucket at most) are the other.
-- Each join's first input is its hash table, as written: with statistics-driven
-- reordering DataFusion took the day's signatures (3.8 M rows against 5.1 M pairs at
-- 10 GiB) as the table of two joins, 0.6 GB each.
-- Setting: datafusion.optimizer.join_reordering = false
WITH root_sketches AS (
    SELECT s.pid, s.sketch
    FROM (SELECT DISTINCT a FROM candidate_pairs) r
    JOIN prompt_signatures s ON s.pid = r.a
),
member_sketches AS (
    SELECT p.a, p.b, s.sketch
    FROM candidate_pairs p
    JOIN prompt_signatures s ON s.pid = p.b
),
near_pairs AS (
    SELECT m.a, m.b
    FROM root_sketches r
    JOIN member_sketches m ON m.a = r.pid
    WHERE fw_sketch_similarity(r.sketch, m.sketch) >= ${near_threshold}
),
components AS (
    SELECT unnest(fw_components(a, b)) AS member
    FROM near_pairs
),
roots AS (
    SELECT get_field(member, 'node') AS pid, get_field(member, 'root') AS root
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
