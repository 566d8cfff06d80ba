-- Layer 1's calibrated reconstruction score: how unlike familiar telemetry a session looks. It is
-- recorded for analysts ("unfamiliar telemetry", worth a look) and never raises an anomaly by itself.
ALTER TABLE session_analyses ADD COLUMN IF NOT EXISTS unfamiliar_score Float64 DEFAULT 0 AFTER model_version;

-- Analysts read every analysis ever made through this view; it names its columns, so it gains the new one here.
CREATE OR REPLACE VIEW session_inferences AS
SELECT
    tenant_id, session_id, inference_id, base_revision, charging_station_id, connector_id, analyzed_at,
    anomaly_score, is_anomaly, anomaly_confidence, is_incident, is_recurring,
    toUInt16(length(anomalies.category)) AS anomaly_count, soc_reconstructed, reading_count, unit_seconds,
    model_version, unfamiliar_score, reconstructed_soc_ts, reconstructed_soc
FROM session_analyses FINAL;
