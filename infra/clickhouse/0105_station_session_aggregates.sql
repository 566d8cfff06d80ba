-- The per-station and per-connector aggregates over the session views (0007): a session counts with the
-- analysis it shows now. Before 0007 these read the session tables directly (first created by 0104).
CREATE MATERIALIZED VIEW IF NOT EXISTS charging_stations_aggregated_mv
REFRESH EVERY 60 SECOND TO charging_stations_aggregated AS
WITH
    sess AS (
        SELECT s.tenant_id AS tenant_id, s.charging_station_id AS charging_station_id,
               count() AS total_sessions, countIf(c.is_anomaly) AS anomalous_sessions,
               sum(length(c.anomalies.category)) AS anomalies,
               max(if(length(c.anomalies.start_ts) = 0, NULL, arrayMax(c.anomalies.start_ts))) AS last_ts
        FROM sessions AS s
        LEFT JOIN session_current_analyses AS c ON c.tenant_id = s.tenant_id AND c.session_id = s.session_id
        GROUP BY s.tenant_id, s.charging_station_id
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
    sess.anomalies AS session_anomalies,
    shade.n AS station_anomalies,
    sess.anomalies + shade.n AS total_anomalies,
    if(shade.charging_station_id = '', NULL, shade.ai_score) AS ai_score,
    multiIf(sess.anomalies = 0 AND shade.n = 0, NULL, sess.anomalies = 0, shade.last_ts, shade.n = 0, sess.last_ts,
            greatest(assumeNotNull(sess.last_ts), shade.last_ts)) AS last_anomaly_date,
    now64(3) AS refreshed_at
FROM (SELECT * FROM charging_stations FINAL) AS st
LEFT JOIN sess ON sess.tenant_id = st.tenant_id AND sess.charging_station_id = st.charging_station_id
LEFT JOIN shade ON shade.tenant_id = st.tenant_id AND shade.charging_station_id = st.charging_station_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS station_connectors_aggregated_mv
REFRESH EVERY 60 SECOND TO station_connectors_aggregated AS
WITH
    joined AS (
        SELECT s.tenant_id AS tenant_id, s.charging_station_id AS charging_station_id,
               assumeNotNull(s.connector_id) AS connector_id, s.session_id AS session_id,
               c.is_anomaly AS is_anomaly, c.anomalies.category AS categories
        FROM sessions AS s
        LEFT JOIN session_current_analyses AS c ON c.tenant_id = s.tenant_id AND c.session_id = s.session_id
        WHERE s.connector_id IS NOT NULL
    ),
    counts AS (
        SELECT tenant_id, charging_station_id, connector_id,
               count() AS total_sessions, countIf(is_anomaly) AS anomalous_sessions
        FROM joined GROUP BY tenant_id, charging_station_id, connector_id
    ),
    cats AS (
        SELECT tenant_id, charging_station_id, connector_id,
               CAST((groupArray(category), groupArray(n)), 'Map(String, UInt64)') AS anomaly_categories
        FROM (
            SELECT tenant_id, charging_station_id, connector_id, category, uniqExact(session_id) AS n
            FROM joined ARRAY JOIN categories AS category
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
