-- Refreshable views (every 60 s) behind /v1/stations: per station, per connector, per day.
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

CREATE MATERIALIZED VIEW IF NOT EXISTS charging_stations_aggregated_mv
REFRESH EVERY 60 SECOND TO charging_stations_aggregated AS
WITH
    latest AS (
        SELECT tenant_id, session_id, argMax(inference_id, analyzed_at) AS inference_id,
               argMax(is_anomaly, analyzed_at) AS is_anomaly
        FROM session_inferences GROUP BY tenant_id, session_id
    ),
    sess AS (
        SELECT s.tenant_id AS tenant_id, s.charging_station_id AS charging_station_id,
               count() AS total_sessions, countIf(l.is_anomaly) AS anomalous_sessions
        FROM (SELECT tenant_id, session_id, argMax(charging_station_id, version) AS charging_station_id
              FROM sessions GROUP BY tenant_id, session_id) AS s
        LEFT JOIN latest AS l ON l.tenant_id = s.tenant_id AND l.session_id = s.session_id
        GROUP BY s.tenant_id, s.charging_station_id
    ),
    anom AS (
        SELECT a.tenant_id AS tenant_id, a.charging_station_id AS charging_station_id,
               count() AS n, max(a.start_ts) AS last_ts
        FROM session_anomalies AS a FINAL
        INNER JOIN latest AS l
            ON l.tenant_id = a.tenant_id AND l.session_id = a.session_id AND l.inference_id = a.inference_id
        GROUP BY a.tenant_id, a.charging_station_id
    ),
    shade AS (
        SELECT tenant_id, charging_station_id, argMax(day_score, analyzed_at) AS ai_score,
               countIf(is_anomaly) AS n, maxIf(assumeNotNull(anomaly_at), is_anomaly) AS last_ts
        FROM station_inferences FINAL GROUP BY tenant_id, charging_station_id
    )
SELECT
    st.tenant_id AS tenant_id,
    st.charging_station_id AS charging_station_id,
    st.id AS id,
    st.ocpp_charging_station_id AS ocpp_charging_station_id,
    sess.total_sessions AS total_sessions,
    sess.anomalous_sessions AS anomalous_sessions,
    anom.n AS session_anomalies,
    shade.n AS station_anomalies,
    anom.n + shade.n AS total_anomalies,
    if(shade.charging_station_id = '', NULL, shade.ai_score) AS ai_score,
    multiIf(anom.n = 0 AND shade.n = 0, NULL, anom.n = 0, shade.last_ts, shade.n = 0, anom.last_ts,
            greatest(anom.last_ts, shade.last_ts)) AS last_anomaly_date,
    now64(3) AS refreshed_at
FROM (SELECT * FROM charging_stations FINAL) AS st
LEFT JOIN sess ON sess.tenant_id = st.tenant_id AND sess.charging_station_id = st.charging_station_id
LEFT JOIN anom ON anom.tenant_id = st.tenant_id AND anom.charging_station_id = st.charging_station_id
LEFT JOIN shade ON shade.tenant_id = st.tenant_id AND shade.charging_station_id = st.charging_station_id;

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

CREATE MATERIALIZED VIEW IF NOT EXISTS station_connectors_aggregated_mv
REFRESH EVERY 60 SECOND TO station_connectors_aggregated AS
WITH
    latest AS (
        SELECT tenant_id, session_id, argMax(inference_id, analyzed_at) AS inference_id,
               argMax(is_anomaly, analyzed_at) AS is_anomaly
        FROM session_inferences GROUP BY tenant_id, session_id
    ),
    sess AS (
        SELECT tenant_id, session_id, argMax(charging_station_id, version) AS charging_station_id,
               argMax(connector_id, version) AS connector_id
        FROM sessions GROUP BY tenant_id, session_id
    ),
    counts AS (
        SELECT s.tenant_id AS tenant_id, s.charging_station_id AS charging_station_id,
               assumeNotNull(s.connector_id) AS connector_id,
               count() AS total_sessions, countIf(l.is_anomaly) AS anomalous_sessions
        FROM sess AS s LEFT JOIN latest AS l ON l.tenant_id = s.tenant_id AND l.session_id = s.session_id
        WHERE s.connector_id IS NOT NULL
        GROUP BY tenant_id, charging_station_id, connector_id
    ),
    cats AS (
        SELECT tenant_id, charging_station_id, connector_id,
               CAST((groupArray(category), groupArray(n)), 'Map(String, UInt64)') AS anomaly_categories
        FROM (
            SELECT a.tenant_id AS tenant_id, a.charging_station_id AS charging_station_id,
                   assumeNotNull(a.connector_id) AS connector_id, a.category AS category,
                   uniqExact(a.session_id) AS n
            FROM session_anomalies AS a FINAL
            INNER JOIN latest AS l
                ON l.tenant_id = a.tenant_id AND l.session_id = a.session_id AND l.inference_id = a.inference_id
            WHERE a.connector_id IS NOT NULL
            GROUP BY tenant_id, charging_station_id, connector_id, category
        )
        GROUP BY tenant_id, charging_station_id, connector_id
    )
SELECT c.tenant_id AS tenant_id, c.charging_station_id AS charging_station_id, c.connector_id AS connector_id,
       c.total_sessions AS total_sessions, c.anomalous_sessions AS anomalous_sessions,
       cats.anomaly_categories AS anomaly_categories, now64(3) AS refreshed_at
FROM counts AS c
LEFT JOIN cats ON cats.tenant_id = c.tenant_id AND cats.charging_station_id = c.charging_station_id
    AND cats.connector_id = c.connector_id;

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
