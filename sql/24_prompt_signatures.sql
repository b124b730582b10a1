-- prompt_signatures: every distinct normalised prompt (this run's, and those earlier runs
-- published), a dense integer id and its MinHash signature, computed once.
-- Inputs:     scored, published_before.
-- Parameters: minhash_num_perm, minhash_ngram.
-- near_clusters joins these narrow integer ids instead of prompt texts, so its LSH band
-- self-join holds 16 bytes per band row whatever the prompts' length.
WITH keys AS (
    SELECT fw_normalize(prompt) AS prompt_key FROM scored WHERE prompt IS NOT NULL
    UNION
    SELECT prompt_key FROM published_before WHERE prompt_key IS NOT NULL
)
SELECT prompt_key,
       row_number() OVER (ORDER BY prompt_key) AS pid,
       fw_minhash(prompt_key, ${minhash_num_perm}, ${minhash_ngram}) AS sig
FROM keys
