-- Connector status changes (OCPP StatusNotification). A status holds until the connector's next
-- row; connector_id '0' is the whole station. Unavailable and Faulted count as down (uptime).
CREATE TABLE IF NOT EXISTS station_availability
(
    tenant_id           String,
    charging_station_id String,
    connector_id        String,
    timestamp           DateTime64(3, 'UTC'),
    status              LowCardinality(String),
    error_code          LowCardinality(String),
    info                Nullable(String),
    source_key          String COMMENT 'Kafka topic:partition:offset of the message',
    ingested_at         DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(timestamp)
ORDER BY (tenant_id, charging_station_id, connector_id, timestamp, status);
