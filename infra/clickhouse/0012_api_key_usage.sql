-- When each key was last used, apart from api_keys: usage is written often (at most once a minute per
-- key and worker) and must never race a revocation that rewrites the key's row.
CREATE TABLE IF NOT EXISTS api_key_usage
(
    tenant_id    String,
    key_id       String,
    last_used_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(last_used_at)
ORDER BY (tenant_id, key_id);
