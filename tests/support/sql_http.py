"""The README's example queries for analysts, and rows from different SQL clients made comparable."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import clickhouse_connect
from clickhouse_connect.driver.client import Client

_TIME = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")
README = Path(__file__).resolve().parents[2] / "README.md"


def readme_queries() -> list[str]:
    """The statements of the first ```sql block under README.md's "For analysts", as written there."""
    text = README.read_text()
    section = text[text.index("## For analysts") :]
    block = re.search(r"```sql\n(.*?)```", section, re.S)
    assert block is not None, "README.md's analyst section has no sql example"
    return [part.strip() for part in block.group(1).split(";\n") if part.strip()]


def cell(value: Any) -> Any:
    """A value as every client can show it: numbers rounded, booleans as numbers, times to the millisecond in UTC."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return round(float(value), 6)
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    if isinstance(value, str):
        if value in {"true", "false"}:
            return float(value == "true")
        if _TIME.match(value):
            parsed = datetime.fromisoformat(value)
            return cell(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))
        try:
            return round(float(value), 6)
        except ValueError:
            return value
    return value


def rows(table: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """Rows with comparable cells, in their order."""
    return [tuple(cell(v) for v in row) for row in table]


def sql_client(runtime: Any, key: str, **options: Any) -> Client:
    """clickhouse-connect over http:// to the runtime's SQL endpoint, the key as password."""
    host, port = runtime.sql_http.address
    return clickhouse_connect.get_client(
        host=host, port=port, username="analyst", password=key, database="evwatch", **options
    )


def sql_url(runtime: Any) -> str:
    """The runtime's SQL endpoint."""
    host, port = runtime.sql_http.address
    return f"http://{host}:{port}/"
