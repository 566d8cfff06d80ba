-- Sessions become the log of their writes (docs/delivery.md). One row per write, inserted atomically:
-- an API request or a Kafka message with its readings and the session's attributes after it, so a
-- crash leaves a write wholly visible or not at all. `sessions` and `meter_values` become views.
--
-- slot is the write's place in its session: `api:<revision>` for API writes (one row per revision:
-- the insert that claims it carries the insert deduplication token of that revision, so of two racing
-- writers only one row is stored) and the Kafka `topic:partition:offset` for stream writes (a replay
-- lands on the same slot). Read with FINAL: of two rows in one slot the earliest committed wins
-- (precedence = 2^64-1 minus committed_at in ns), so a replay never changes what was stored.
CREATE TABLE IF NOT EXISTS session_writes
(
    tenant_id           String,
    session_id          String,
    slot                String,
    write_id            String COMMENT 'api:<uuid> for API writes, the Kafka coordinates for stream writes',
    revision            UInt32 COMMENT 'API writes: the revision they claimed; stream writes: the revision they saw',
    op                  LowCardinality(String) COMMENT 'create, replace, append, update (API) or stream',
    committed_at        DateTime64(6, 'UTC'),
    seq                 UInt32 COMMENT 'position in its insert: orders writes committed together',
    precedence          UInt64,
    charging_station_id String,
    connector_id        Nullable(String),
    evse_id             Nullable(String),
    status              LowCardinality(String),
    metadata            String COMMENT 'session metadata after this write, JSON object',
    created_at          DateTime64(3, 'UTC') COMMENT 'first sight of the session',
    analysis_pending    Bool COMMENT 'an API write stored while the inference service was unavailable',
    readings Nested
    (
        timestamp     DateTime64(3, 'UTC'),
        measurand     LowCardinality(String),
        unit          LowCardinality(Nullable(String)),
        value         Float64,
        phase         LowCardinality(Nullable(String)),
        location      LowCardinality(Nullable(String)),
        reconstructed Bool
    ),
    INDEX committed_idx committed_at TYPE minmax GRANULARITY 1
)
ENGINE = ReplacingMergeTree(precedence)
ORDER BY (tenant_id, session_id, slot)
SETTINGS non_replicated_deduplication_window = 100000;

-- CSAR-2 analyses with their anomalies in one row (one insert, atomic). base_revision is the
-- session revision whose readings were analysed: after a replace, older analyses are no longer shown.
-- inference_id is derived from the session, that revision, the readings and the model version, so
-- re-analysing the same data (a Kafka replay, a restart) rewrites one row.
CREATE TABLE IF NOT EXISTS session_analyses
(
    tenant_id            String,
    session_id           String,
    inference_id         String,
    base_revision        UInt32,
    charging_station_id  String,
    connector_id         Nullable(String),
    analyzed_at          DateTime64(3, 'UTC'),
    anomaly_score        Float64,
    is_anomaly           Bool,
    anomaly_confidence   Float64,
    is_incident          Bool,
    is_recurring         Bool,
    soc_reconstructed    Bool,
    reading_count        UInt32,
    unit_seconds         Float64,
    model_version        String,
    reconstructed_soc_ts Array(DateTime64(3, 'UTC')),
    reconstructed_soc    Array(Float64),
    anomalies Nested
    (
        category   LowCardinality(String),
        start_unit UInt32,
        end_unit   UInt32,
        start_ts   DateTime64(3, 'UTC'),
        end_ts     DateTime64(3, 'UTC'),
        score      Float64,
        confidence Float64
    ),
    INDEX station_idx charging_station_id TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX analyzed_idx analyzed_at TYPE minmax GRANULARITY 1
)
ENGINE = ReplacingMergeTree(analyzed_at)
ORDER BY (tenant_id, session_id, inference_id);

-- The API writes the relay has delivered to evwatch.api-writes (the outbox's ledger).
CREATE TABLE IF NOT EXISTS session_publications
(
    tenant_id    String,
    session_id   String,
    slot         String,
    write_id     String,
    published_at DateTime64(3, 'UTC'),
    INDEX published_idx published_at TYPE minmax GRANULARITY 1
)
ENGINE = ReplacingMergeTree(published_at)
ORDER BY (tenant_id, session_id, slot);

ALTER TABLE session_analysis_errors ADD COLUMN IF NOT EXISTS base_revision UInt32 DEFAULT 0;
ALTER TABLE session_analysis_errors ADD COLUMN IF NOT EXISTS reading_count UInt32 DEFAULT 0;

-- The views below take the old tables' names. The station aggregates read the old tables: 0105 recreates them.
DROP VIEW IF EXISTS charging_stations_aggregated_mv;
DROP VIEW IF EXISTS station_connectors_aggregated_mv;
RENAME TABLE IF EXISTS sessions TO sessions_before_0007;
RENAME TABLE IF EXISTS meter_values TO meter_values_before_0007;
RENAME TABLE IF EXISTS session_inferences TO session_inferences_before_0007;
RENAME TABLE IF EXISTS session_anomalies TO session_anomalies_before_0007;

-- What was stored before: one write per session (revision 0), readings in their arrival order.
INSERT INTO session_writes
    (tenant_id, session_id, slot, write_id, revision, op, committed_at, seq, precedence, charging_station_id,
     connector_id, evse_id, status, metadata, created_at, analysis_pending, readings.timestamp,
     readings.measurand, readings.unit, readings.value, readings.phase, readings.location, readings.reconstructed)
SELECT s.tenant_id, s.session_id, 'import:0007', 'import:0007', 0, 'stream', s.updated_at, 0,
       18446744073709551615 - toUInt64(toUnixTimestamp64Nano(toDateTime64(s.updated_at, 9))),
       s.charging_station_id, s.connector_id, s.evse_id, s.status, s.metadata, s.created_at, false,
       m.ts, m.measurand, m.unit, m.value, m.phase, m.location, m.reconstructed
FROM (SELECT * FROM sessions_before_0007 FINAL) AS s
LEFT JOIN
(
    SELECT tenant_id, session_id,
           arrayMap(x -> x.3, arraySort(x -> (x.1, x.2), groupArray((ingested_at, seq, timestamp)))) AS ts,
           arrayMap(x -> x.3, arraySort(x -> (x.1, x.2), groupArray((ingested_at, seq, measurand)))) AS measurand,
           arrayMap(x -> x.3, arraySort(x -> (x.1, x.2), groupArray((ingested_at, seq, unit)))) AS unit,
           arrayMap(x -> x.3, arraySort(x -> (x.1, x.2), groupArray((ingested_at, seq, value)))) AS value,
           arrayMap(x -> x.3, arraySort(x -> (x.1, x.2), groupArray((ingested_at, seq, phase)))) AS phase,
           arrayMap(x -> x.3, arraySort(x -> (x.1, x.2), groupArray((ingested_at, seq, location)))) AS location,
           arrayMap(x -> x.3, arraySort(x -> (x.1, x.2), groupArray((ingested_at, seq, reconstructed)))) AS reconstructed
    FROM meter_values_before_0007 FINAL
    GROUP BY tenant_id, session_id
) AS m ON m.tenant_id = s.tenant_id AND m.session_id = s.session_id
SETTINGS join_use_nulls = 0;

INSERT INTO session_analyses
    (tenant_id, session_id, inference_id, base_revision, charging_station_id, connector_id, analyzed_at,
     anomaly_score, is_anomaly, anomaly_confidence, is_incident, is_recurring, soc_reconstructed, reading_count,
     unit_seconds, model_version, reconstructed_soc_ts, reconstructed_soc, anomalies.category,
     anomalies.start_unit, anomalies.end_unit, anomalies.start_ts, anomalies.end_ts, anomalies.score,
     anomalies.confidence)
SELECT i.tenant_id, i.session_id, i.inference_id, 0, i.charging_station_id, i.connector_id, i.analyzed_at,
       i.anomaly_score, i.is_anomaly, i.anomaly_confidence, i.is_incident, i.is_recurring, i.soc_reconstructed,
       i.reading_count, i.unit_seconds, i.model_version, i.reconstructed_soc_ts, i.reconstructed_soc,
       a.category, a.start_unit, a.end_unit, a.start_ts, a.end_ts, a.score, a.confidence
FROM (SELECT * FROM session_inferences_before_0007 FINAL) AS i
LEFT JOIN
(
    SELECT tenant_id, session_id, inference_id,
           groupArray(category) AS category, groupArray(start_unit) AS start_unit, groupArray(end_unit) AS end_unit,
           groupArray(start_ts) AS start_ts, groupArray(end_ts) AS end_ts, groupArray(score) AS score,
           groupArray(confidence) AS confidence
    FROM (SELECT * FROM session_anomalies_before_0007 FINAL ORDER BY start_unit, category)
    GROUP BY tenant_id, session_id, inference_id
) AS a ON a.tenant_id = i.tenant_id AND a.session_id = i.session_id AND a.inference_id = i.inference_id
SETTINGS join_use_nulls = 0;

DROP TABLE IF EXISTS sessions_before_0007;
DROP TABLE IF EXISTS meter_values_before_0007;
DROP TABLE IF EXISTS session_inferences_before_0007;
DROP TABLE IF EXISTS session_anomalies_before_0007;

-- One row per session: the attributes of its latest write (by revision, then commit order).
CREATE VIEW IF NOT EXISTS sessions AS
SELECT
    tenant_id,
    session_id,
    latest.1 AS charging_station_id,
    latest.2 AS connector_id,
    latest.3 AS evse_id,
    latest.4 AS status,
    latest.5 AS metadata,
    created_at,
    updated_at,
    last_revision AS revision,
    replaced_at_revision AS base_revision
FROM
(
    SELECT
        tenant_id,
        session_id,
        argMax((charging_station_id, connector_id, evse_id, status, metadata), (revision, committed_at, seq)) AS latest,
        min(created_at) AS created_at,
        toDateTime64(max(committed_at), 3, 'UTC') AS updated_at,
        max(revision) AS last_revision,
        maxIf(revision, op = 'replace') AS replaced_at_revision
    FROM session_writes FINAL
    GROUP BY tenant_id, session_id
);

-- One row per reading the session holds now: writes older than its latest replace are left out.
CREATE VIEW IF NOT EXISTS meter_values AS
SELECT
    w.tenant_id AS tenant_id,
    w.session_id AS session_id,
    w.charging_station_id AS charging_station_id,
    w.connector_id AS connector_id,
    r.timestamp AS timestamp,
    r.measurand AS measurand,
    r.unit AS unit,
    r.value AS value,
    r.phase AS phase,
    r.location AS location,
    r.reconstructed AS reconstructed,
    w.write_id AS source_key,
    w.revision AS revision,
    toDateTime64(w.committed_at, 3, 'UTC') AS ingested_at
FROM
(
    SELECT *, max(if(op = 'replace', revision, 0)) OVER (PARTITION BY tenant_id, session_id) AS base
    FROM session_writes FINAL
) AS w
ARRAY JOIN w.readings AS r
WHERE w.revision >= w.base;

-- Every analysis ever made (also of readings since replaced): the history.
CREATE VIEW IF NOT EXISTS session_inferences AS
SELECT
    tenant_id, session_id, inference_id, base_revision, charging_station_id, connector_id, analyzed_at,
    anomaly_score, is_anomaly, anomaly_confidence, is_incident, is_recurring,
    toUInt16(length(anomalies.category)) AS anomaly_count, soc_reconstructed, reading_count, unit_seconds,
    model_version, reconstructed_soc_ts, reconstructed_soc
FROM session_analyses FINAL;

CREATE VIEW IF NOT EXISTS session_anomalies AS
SELECT
    tenant_id, session_id, inference_id, base_revision, a.category AS category, a.start_unit AS start_unit,
    a.end_unit AS end_unit, a.start_ts AS start_ts, a.end_ts AS end_ts, a.score AS score,
    a.confidence AS confidence, charging_station_id, connector_id, analyzed_at AS detected_at
FROM session_analyses FINAL
ARRAY JOIN anomalies AS a;

-- The analysis each session shows: the latest one of the readings it holds now.
CREATE VIEW IF NOT EXISTS session_current_analyses AS
SELECT * EXCEPT n
FROM
(
    SELECT a.*, row_number() OVER (PARTITION BY a.tenant_id, a.session_id ORDER BY a.reading_count DESC, a.analyzed_at DESC) AS n
    FROM (SELECT * FROM session_analyses FINAL) AS a
    INNER JOIN (SELECT tenant_id, session_id, base_revision FROM sessions) AS s
        ON s.tenant_id = a.tenant_id AND s.session_id = a.session_id AND s.base_revision = a.base_revision
)
WHERE n = 1;
