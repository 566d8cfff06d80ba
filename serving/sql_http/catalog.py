"""What an analyst may read: the documented tables and views of infra/clickhouse/README.md, and the
system tables clients read for their metadata, none of which holds a tenant's rows."""

from __future__ import annotations

# infra/clickhouse/README.md documents these; tests/unit/serving/sql_http/test_catalog.py holds the two together.
ANALYST_TABLES = frozenset(
    {
        "tenants",
        "session_writes",
        "sessions",
        "meter_values",
        "session_analyses",
        "session_inferences",
        "session_anomalies",
        "session_current_analyses",
        "session_analysis_errors",
        "session_explanations",
        "session_publications",
        "api_write_outbox",
        "anomalies",
        "anomaly_list",
        "issue_anomalies",
        "charging_stations",
        "station_minute_energy",
        "station_availability",
        "station_inferences",
        "charging_stations_aggregated",
        "charging_stations_aggregated_mv",
        "station_connectors_aggregated",
        "station_connectors_aggregated_mv",
        "station_daily_energy",
        "station_daily_energy_mv",
    }
)

# Documented, but credentials: not for SQL, whoever asks.
NOT_FOR_ANALYSTS = frozenset({"api_keys"})

# Metadata only (names, types, settings, functions): what clickhouse-connect, JDBC, Grafana and DBeaver
# read to start and to browse. Tables with other people's queries or rows (query_log, processes, parts,
# mutations, ...) are not here.
SYSTEM_TABLES = frozenset(
    {
        "one",
        "numbers",
        "numbers_mt",
        "zeros",
        "zeros_mt",
        "settings",
        "functions",
        "table_functions",
        "formats",
        "data_type_families",
        "databases",
        "tables",
        "columns",
        "table_engines",
        "time_zones",
        "collations",
        "build_options",
        "aggregate_function_combinators",
        "keywords",
        "data_skipping_indices",
    }
)

INFORMATION_SCHEMA = ("information_schema", "INFORMATION_SCHEMA")
INFORMATION_SCHEMA_TABLES = frozenset(
    {"tables", "columns", "schemata", "views", "key_column_usage", "referential_constraints", "statistics"}
)
INFORMATION_SCHEMA_TABLES = INFORMATION_SCHEMA_TABLES | {name.upper() for name in INFORMATION_SCHEMA_TABLES}
