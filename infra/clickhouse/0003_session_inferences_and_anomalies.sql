-- CSAR-2 results. inference_id is derived from the session, its readings and the model
-- version, so re-analysing the same data (a Kafka replay, an API retry) rewrites one row.
CREATE TABLE IF NOT EXISTS session_inferences
(
    tenant_id            String,
    session_id           String,
    inference_id         String,
    charging_station_id  String,
    connector_id         Nullable(String),
    analyzed_at          DateTime64(3, 'UTC'),
    anomaly_score        Float64,
    is_anomaly           Bool,
    anomaly_confidence   Float64,
    is_incident          Bool,
    is_recurring         Bool,
    anomaly_count        UInt16,
    soc_reconstructed    Bool,
    reading_count        UInt32,
    unit_seconds         Float64,
    model_version        String,
    reconstructed_soc_ts Array(DateTime64(3, 'UTC')),
    reconstructed_soc    Array(Float64)
)
ENGINE = ReplacingMergeTree(analyzed_at)
ORDER BY (tenant_id, session_id, inference_id);

CREATE TABLE IF NOT EXISTS session_anomalies
(
    tenant_id           String,
    session_id          String,
    inference_id        String,
    category            LowCardinality(String),
    start_unit          UInt32,
    end_unit            UInt32,
    start_ts            DateTime64(3, 'UTC'),
    end_ts              DateTime64(3, 'UTC'),
    score               Float64,
    confidence          Float64,
    charging_station_id String,
    connector_id        Nullable(String),
    detected_at         DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(detected_at)
ORDER BY (tenant_id, session_id, inference_id, category, start_unit);
