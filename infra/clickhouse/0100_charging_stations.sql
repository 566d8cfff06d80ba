-- Charging stations: created on first sight (a meter value or a status event), described by
-- StationMetadata messages (docs/station-messages.md). A first-sight row has version 0, so any
-- metadata row (version = its timestamp in ns) wins; read with FINAL.
CREATE TABLE IF NOT EXISTS charging_stations
(
    tenant_id                String,
    charging_station_id      String,
    id                       String COMMENT 'deterministic uuid5 of tenant and station',
    ocpp_charging_station_id String,
    address                  Nullable(String),
    operator                 Nullable(String),
    time_zone                String COMMENT 'IANA name; station-days run local midnight to local midnight',
    tariff_per_kwh           Nullable(Float64),
    currency                 Nullable(String),
    connectors               String COMMENT 'JSON array [{connectorId, maxPowerKw, currentType}]',
    metadata                 String COMMENT 'free-form JSON object from StationMetadata.metadata',
    has_metadata             Bool,
    first_seen_at            DateTime64(3, 'UTC'),
    updated_at               DateTime64(3, 'UTC'),
    version                  UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (tenant_id, charging_station_id);
