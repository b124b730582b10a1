-- near_clusters: near-duplicate clusters of prompts, one row per distinct prompt key.
-- Inputs:     scored, published_before (what earlier runs published), prompt_signatures.
-- Parameters: minhash_num_perm, minhash_ngram, lsh_bands, lsh_rows, near_threshold.
-- prompt_key:   the prompt normalised by fw_normalize (NFKC, lowercase, punctuation to
--               spaces, whitespace collapsed); equal keys are exact duplicates.
-- cluster_key:  the smallest prompt_key connected to this one by near-duplicate pairs:
--               MinHash over word shingles of the key, LSH bands unnested and joined on
--               band key, candidate pairs verified at estimated Jaccard >= near_threshold,
--               connected components (fw_components, union-find).
-- near_cluster: the smallest interaction_id of this run asking any prompt of the cluster.
-- Prompts published by earlier runs take part in the clustering, so that deduped can tell
-- a new example that repeats (exactly or nearly) one already published.
-- Exact groups collapse first: a prompt asked 50 000 times is one text here, so candidate
-- pairs grow with distinct prompts, never with how often each was asked. Kept narrow (no
-- chats) so that its sorts and joins stay small.
WITH asked AS (
    SELECT fw_normalize(prompt) AS prompt_key, interaction_id
    FROM scored
    WHERE prompt IS NOT NULL
    UNION ALL
    SELECT prompt_key, CAST(NULL AS VARCHAR) AS interaction_id
    FROM published_before
    WHERE prompt_key IS NOT NULL
),
bands AS (
    SELECT pid, unnest(fw_lsh_bands(sig, ${lsh_bands}, ${lsh_rows})) AS band_key
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
    SELECT ka.prompt_key AS a, kb.prompt_key AS b
    FROM candidate_pairs p
    JOIN prompt_signatures ka ON ka.pid = p.a
    JOIN prompt_signatures kb ON kb.pid = p.b
    WHERE fw_minhash_similarity(ka.sig, kb.sig) >= ${near_threshold}
),
components AS (
    SELECT unnest(fw_components(a, b)) AS member FROM near_pairs
),
roots AS (
    SELECT get_field(member, 'node') AS prompt_key, get_field(member, 'root') AS root_key
    FROM components
),
keyed AS (
    SELECT a.prompt_key, COALESCE(r.root_key, a.prompt_key) AS cluster_key, a.interaction_id
    FROM asked a
    LEFT JOIN roots r ON a.prompt_key = r.prompt_key
)
SELECT prompt_key, cluster_key,
       MIN(MIN(interaction_id)) OVER (PARTITION BY cluster_key) AS near_cluster
FROM keyed
GROUP BY prompt_key, cluster_key
