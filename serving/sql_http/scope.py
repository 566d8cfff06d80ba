"""The settings every query runs under: the caller's row filter and the operator's limits, then `readonly`.

A tenant's key reads its own rows through ClickHouse's `additional_table_filters`: every table and
view of the store that has `tenant_id` gets `tenant_id = '<tenant>'`, applied by the engine wherever
the query reads that table (in a view, a subquery, a join, a WITH). The settings are in place before
`readonly = 1`, which then refuses any change to them, by `SET`, a `SETTINGS` clause or a URL parameter.
"""

from __future__ import annotations

from collections.abc import Iterable

from evwatch.config import SqlHttpSettings
from evwatch.storage.readonly_sql import quote as _literal


def tenant_filters(tenant_id: str, store: str, tenant_tables: Iterable[str]) -> str:
    """The `additional_table_filters` map (as its SQL literal) limiting every table to one tenant's rows."""
    condition = f"tenant_id = {_literal(tenant_id)}"
    entries = ", ".join(f"{_literal(f'{store}.{table}')}: {_literal(condition)}" for table in sorted(tenant_tables))
    return "{" + entries + "}"


def limits(config: SqlHttpSettings) -> list[tuple[str, str]]:
    """Time, memory, result size and threads of one query (SQL literals); past a limit the query fails,
    it is not cut short."""
    return [
        ("max_execution_time", f"{config.max_execution_time_s:g}"),
        ("timeout_overflow_mode", "'throw'"),
        ("max_memory_usage", str(config.max_memory_bytes)),
        ("max_result_rows", str(config.max_result_rows)),
        ("max_result_bytes", str(config.max_result_bytes)),
        ("result_overflow_mode", "'throw'"),
        ("max_threads", str(config.max_threads)),
    ]
