-- The anomaly lists read `anomaly_list`: the current anomalies sorted by occurrence, so a page and its
-- total read a few granules instead of deduplicating every version of a tenant's anomalies (argMax
-- over `anomalies` took seconds with a million of them; bench/anomaly_lists.py). The triage worker
-- writes it with `anomalies`: a new current version is a row with sign = 1, and the version it
-- replaces or clears gets a copy with sign = -1. A merge drops a row and its copy together; until then
-- readers add up signs. Each write compares the session's rows here with `anomalies` and writes only
-- the difference, so a replayed or interrupted write lists nothing twice (key_hash is no longer read).
CREATE TABLE IF NOT EXISTS anomaly_list
(
    tenant_id           String,
    session_id          String,
    category            LowCardinality(String),
    anomaly_id          String,
    charging_station_id String,
    connector_id        String,
    risk_score          Float64,
    max_score           Float64,
    confidence          Float64,
    period_start        DateTime64(3, 'UTC'),
    period_end          DateTime64(3, 'UTC'),
    first_detected_at   DateTime64(3, 'UTC'),
    updated_at          DateTime64(3, 'UTC'),
    inference_id        String,
    is_current          Bool,
    sign                Int8,
    -- a version and an anomaly as numbers, for cheap set lookups (which versions have a -1 copy, which
    -- anomalies issues cover); 128 bits, so that no two share one
    version_hash        UInt128 MATERIALIZED reinterpretAsUInt128(sipHash128(session_id, category, updated_at, inference_id)),
    key_hash            UInt128 MATERIALIZED reinterpretAsUInt128(sipHash128(session_id, category)),
    INDEX sign_idx sign TYPE minmax GRANULARITY 1,
    INDEX session_idx session_id TYPE bloom_filter GRANULARITY 1,
    INDEX updated_idx updated_at TYPE minmax GRANULARITY 1,
    PROJECTION by_connector (SELECT * ORDER BY tenant_id, charging_station_id, connector_id, period_start),
    PROJECTION by_score (SELECT * ORDER BY tenant_id, risk_score)
)
ENGINE = CollapsingMergeTree(sign)
ORDER BY (tenant_id, period_start, session_id, category, updated_at)
SETTINGS non_replicated_deduplication_window = 10000, deduplicate_merge_projection_mode = 'rebuild';

-- The current anomalies already stored (safe to re-run: a row already listed is not inserted again).
INSERT INTO anomaly_list
    (tenant_id, session_id, category, anomaly_id, charging_station_id, connector_id, risk_score, max_score,
     confidence, period_start, period_end, first_detected_at, updated_at, inference_id, is_current, sign)
SELECT tenant_id, session_id, category, anomaly_id, charging_station_id, connector_id, risk_score, max_score,
       confidence, period_start, period_end, first_detected_at, updated_at, inference_id, is_current, 1
FROM anomalies FINAL
WHERE is_current
  AND (tenant_id, session_id, category, updated_at) NOT IN
      (SELECT tenant_id, session_id, category, updated_at FROM anomaly_list WHERE sign = 1);
