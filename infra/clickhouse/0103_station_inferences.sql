-- SHADE results, one row per station-day: inference_id is a uuid5 of tenant, station and day, so
-- intra-day (partial) scores are replaced by later ones and finally by the closed day's score.
CREATE TABLE IF NOT EXISTS station_inferences
(
    tenant_id           String,
    charging_station_id String,
    inference_id        String,
    day_start           DateTime('UTC') COMMENT 'local midnight of the station-day, as an instant',
    local_date          Date,
    time_zone           String,
    analyzed_at         DateTime64(3, 'UTC'),
    day_score           Float64,
    is_anomaly          Bool,
    is_partial          Bool COMMENT 'scored before the day closed',
    minutes_observed    UInt16,
    anomaly_type        LowCardinality(Nullable(String)) COMMENT 'energy_drop, energy_surge, connector_outage, idle_consumption, meter_mismatch',
    anomaly_at          Nullable(DateTime64(3, 'UTC')) COMMENT 'start of the first marker',
    expected_energy_kwh Float64,
    actual_energy_kwh   Float64,
    marker_start_minutes Array(UInt16),
    marker_end_minutes  Array(UInt16),
    marker_scores       Array(Float64),
    detection_details   String COMMENT 'JSON object, snake_case keys as produced by SHADE',
    model_version       String
)
ENGINE = ReplacingMergeTree(analyzed_at)
ORDER BY (tenant_id, charging_station_id, inference_id);
