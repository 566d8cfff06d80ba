"""The read-only SQL endpoint of the embedded mode: ClickHouse's HTTP interface over the process's chDB (docs/sql.md)."""
