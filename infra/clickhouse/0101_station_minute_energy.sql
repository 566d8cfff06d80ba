-- Energy per UTC minute per connector, from register deltas of successive meter values (a delta
-- spread over the minutes it spans). connector_id '0' is the station's own meter. Rows carry the
-- minute's full value, so a re-write replaces (newest version wins); read with FINAL.
CREATE TABLE IF NOT EXISTS station_minute_energy
(
    tenant_id           String,
    charging_station_id String,
    connector_id        String,
    minute              DateTime('UTC'),
    energy_kwh          Float64,
    session_active      Bool COMMENT 'a session was running on the connector in this minute',
    version             UInt64
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(minute)
ORDER BY (tenant_id, charging_station_id, connector_id, minute);
