-- prompt_signatures: every distinct normalised prompt (this run's, and those earlier runs
-- published), a dense integer id, the first interaction asking it, and what near_clusters
-- needs of its MinHash signature, computed once: the LSH band keys and a one-byte-per-value
-- sketch to verify candidate pairs with (128 bytes where the signature has 1 KB, so the
-- verifying joins hold a day's prompts in memory).
-- Inputs:     scored, published_before.
-- Parameters: minhash_num_perm, minhash_ngram, lsh_bands, lsh_rows.
-- pid numbers the prompts in prompt_key order, so the smallest pid of a set of prompts
-- is its smallest prompt_key. near_clusters joins these integer ids instead of prompt
-- texts, so its LSH band self-join holds 16 bytes per band row whatever the prompts'
-- length. first_id is NULL for a prompt only earlier runs asked.
WITH asked AS (
    SELECT prompt_key, prompt_hash, interaction_id FROM scored WHERE prompt_key IS NOT NULL
    UNION ALL
    SELECT prompt_key, digest(prompt_key, 'blake3') AS prompt_hash,
           CAST(NULL AS VARCHAR) AS interaction_id
    FROM published_before
    WHERE prompt_key IS NOT NULL
),
keys AS (
    SELECT prompt_key, prompt_hash, MIN(interaction_id) AS first_id
    FROM asked
    GROUP BY prompt_key, prompt_hash
),
signed AS (
    SELECT prompt_hash, first_id,
           CAST(row_number() OVER (ORDER BY prompt_key) AS BIGINT) AS pid,
           fw_minhash(prompt_key, ${minhash_num_perm}, ${minhash_ngram}) AS sig
    FROM keys
)
SELECT prompt_hash, first_id, pid,
       fw_lsh_bands(sig, ${lsh_bands}, ${lsh_rows}) AS band_keys,
       fw_minhash_sketch(sig) AS sketch
FROM signed
