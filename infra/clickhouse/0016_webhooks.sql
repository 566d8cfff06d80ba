-- Webhooks as their admins configure them (docs/webhooks.md). The signing secrets are stored as they
-- are, since signing needs them; they are never listed. A rotation keeps the replaced secret until
-- previous_secret_until. Deleting writes a row with deleted = true (read with FINAL).
CREATE TABLE IF NOT EXISTS webhooks
(
    tenant_id             String,
    webhook_id            String,
    url                   String,
    events                Array(String),
    description           Nullable(String),
    enabled               Bool,
    secret                String,
    previous_secret       String,
    previous_secret_until Nullable(DateTime64(3, 'UTC')),
    created_at            DateTime64(3, 'UTC'),
    updated_at            DateTime64(3, 'UTC'),
    deleted               Bool,
    version               UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (tenant_id, webhook_id);

-- How a webhook's receiver is doing, written by the sender (consecutive failures, automatic
-- disabling) and reset by re-enabling it; apart from `webhooks` so neither writer overwrites the other.
CREATE TABLE IF NOT EXISTS webhook_health
(
    tenant_id     String,
    webhook_id    String,
    failure_count UInt32,
    disabled_at   Nullable(DateTime64(3, 'UTC')),
    version       UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (tenant_id, webhook_id);

-- One event for one webhook: delivery_id is derived from both, so an event consumed twice is one
-- delivery. seq orders a webhook's deliveries; status is pending until delivered or failed (given up).
CREATE TABLE IF NOT EXISTS webhook_deliveries
(
    tenant_id       String,
    webhook_id      String,
    delivery_id     String,
    event_id        String,
    event_type      LowCardinality(String),
    payload         String,
    status          LowCardinality(String),
    attempt_count   UInt32,
    http_status     Nullable(UInt16),
    next_attempt_at DateTime64(3, 'UTC'),
    created_at      DateTime64(3, 'UTC'),
    completed_at    Nullable(DateTime64(3, 'UTC')),
    seq             UInt64,
    version         UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (tenant_id, webhook_id, delivery_id);

-- Every HTTP attempt: the answer's status, how long it took, its first KB, or why there was none.
CREATE TABLE IF NOT EXISTS webhook_attempts
(
    tenant_id     String,
    webhook_id    String,
    delivery_id   String,
    attempt       UInt32,
    at            DateTime64(3, 'UTC'),
    http_status   Nullable(UInt16),
    latency_ms    UInt32,
    response_body String,
    error         String
)
ENGINE = ReplacingMergeTree
ORDER BY (tenant_id, webhook_id, delivery_id, attempt);
