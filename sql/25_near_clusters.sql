-- near_clusters: near-duplicate clusters of prompts, one row per distinct prompt key.
-- Inputs:     scored, published_before (what earlier runs published).
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
texts AS (
    SELECT prompt_key, fw_minhash(prompt_key, ${minhash_num_perm}, ${minhash_ngram}) AS sig
    FROM (SELECT DISTINCT prompt_key FROM asked) d
),
bands AS (
    SELECT prompt_key, unnest(fw_lsh_bands(sig, ${lsh_bands}, ${lsh_rows})) AS band_key
    FROM texts
),
candidate_pairs AS (
    SELECT DISTINCT a.prompt_key AS a, b.prompt_key AS b
    FROM bands a
    JOIN bands b ON a.band_key = b.band_key AND a.prompt_key < b.prompt_key
),
near_pairs AS (
    SELECT p.a, p.b
    FROM candidate_pairs p
    JOIN texts ta ON ta.prompt_key = p.a
    JOIN texts tb ON tb.prompt_key = p.b
    WHERE fw_minhash_similarity(ta.sig, tb.sig) >= ${near_threshold}
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
