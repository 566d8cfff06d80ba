-- The anomalies issues cover, for the lists filtered by an issue's status or assignee: they read these
-- few with FINAL instead of every listed anomaly of the tenant (284 ms at a million anomalies,
-- bench/anomaly_lists.py). The triage worker writes an anomaly's newest version here with `anomalies`
-- once an issue covers it, and the current one when an issue starts covering it.
CREATE TABLE IF NOT EXISTS issue_anomalies
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
    is_current          Bool
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (tenant_id, session_id, category);

-- Those already stored (safe to re-run: a version inserted twice is one after FINAL).
INSERT INTO issue_anomalies
SELECT * FROM anomalies FINAL
WHERE (tenant_id, session_id, category) IN (SELECT tenant_id, session_id, category FROM issue_sessions);
