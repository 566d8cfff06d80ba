-- Refreshable views (every 60 s) behind /v1/stations: per station, per connector, per day. The first
-- two views' queries read the sessions, so they live in 0105 (after the session log of 0007).
CREATE TABLE IF NOT EXISTS charging_stations_aggregated
(
    tenant_id                String,
    charging_station_id      String,
    id                       String,
    ocpp_charging_station_id String,
    total_sessions           UInt64,
    anomalous_sessions       UInt64,
    session_anomalies        UInt64 COMMENT 'anomalies in the latest CSAR-2 analysis of each session',
    station_anomalies        UInt64 COMMENT 'anomalous SHADE station-days',
    total_anomalies          UInt64,
    ai_score                 Nullable(Float64) COMMENT 'latest SHADE day score',
    last_anomaly_date        Nullable(DateTime64(3, 'UTC')),
    refreshed_at             DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (tenant_id, charging_station_id);

CREATE TABLE IF NOT EXISTS station_connectors_aggregated
(
    tenant_id           String,
    charging_station_id String,
    connector_id        String,
    total_sessions      UInt64,
    anomalous_sessions  UInt64,
    anomaly_categories  Map(String, UInt64) COMMENT 'anomalous sessions per CSAR-2 category',
    refreshed_at        DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (tenant_id, charging_station_id, connector_id);

CREATE TABLE IF NOT EXISTS station_daily_energy
(
    tenant_id           String,
    charging_station_id String,
    connector_id        String,
    day                 Date COMMENT 'UTC day',
    energy_kwh          Float64,
    refreshed_at        DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (tenant_id, charging_station_id, connector_id, day);

CREATE MATERIALIZED VIEW IF NOT EXISTS station_daily_energy_mv
REFRESH EVERY 60 SECOND TO station_daily_energy AS
SELECT tenant_id, charging_station_id, connector_id, toDate(minute) AS day, sum(energy_kwh) AS energy_kwh,
       now64(3) AS refreshed_at
FROM station_minute_energy FINAL
GROUP BY tenant_id, charging_station_id, connector_id, day;
