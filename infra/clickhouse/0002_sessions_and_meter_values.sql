-- Charging sessions (mutable: status, metadata) and their normalised meter values.
CREATE TABLE IF NOT EXISTS sessions
(
    tenant_id           String,
    session_id          String,
    charging_station_id String,
    connector_id        Nullable(String),
    evse_id             Nullable(String),
    status              LowCardinality(String),
    metadata            String COMMENT 'session metadata, JSON object as sent',
    created_at          DateTime64(3, 'UTC'),
    updated_at          DateTime64(3, 'UTC'),
    version             UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (tenant_id, session_id);

-- One row per reading. source_key identifies where the reading came from (Kafka
-- topic/partition/offset/index or API request/index), so a replay rewrites the same row while a
-- reading sent twice stays twice (evidence for DATA_GAP).
CREATE TABLE IF NOT EXISTS meter_values
(
    tenant_id           String,
    session_id          String,
    charging_station_id String,
    connector_id        Nullable(String),
    timestamp           DateTime64(3, 'UTC'),
    measurand           LowCardinality(String),
    unit                LowCardinality(Nullable(String)) COMMENT 'canonical unit: kWh, kW, Percent, A, V, ...',
    value               Float64,
    phase               LowCardinality(Nullable(String)),
    location            LowCardinality(Nullable(String)),
    reconstructed       Bool,
    source_key          String,
    ingested_at         DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(timestamp)
ORDER BY (tenant_id, session_id, timestamp, measurand, source_key);
