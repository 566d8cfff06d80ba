-- Tenants and their API keys. Keys are stored as SHA-256 hashes, never in plain text.
CREATE TABLE IF NOT EXISTS tenants
(
    tenant_id  String,
    name       String,
    created_at DateTime64(3, 'UTC'),
    version    UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY tenant_id;

CREATE TABLE IF NOT EXISTS api_keys
(
    tenant_id    String,
    key_id       String,
    key_hash     String,
    key_prefix   String,
    role         LowCardinality(String),
    description  Nullable(String),
    created_at   DateTime64(3, 'UTC'),
    expires_at   Nullable(DateTime64(3, 'UTC')),
    last_used_at Nullable(DateTime64(3, 'UTC')),
    revoked_at   Nullable(DateTime64(3, 'UTC')),
    version      UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (tenant_id, key_id);
