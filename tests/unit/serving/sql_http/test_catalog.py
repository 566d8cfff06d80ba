"""The tables open to SQL are the ones infra/clickhouse/README.md documents for analysts."""

from __future__ import annotations

import re
from pathlib import Path

from serving.sql_http.catalog import ANALYST_TABLES, NOT_FOR_ANALYSTS

README = Path(__file__).resolve().parents[4] / "infra" / "clickhouse" / "README.md"


def test_every_documented_table_is_open_to_sql_or_named_as_not() -> None:
    documented: set[str] = set()
    for line in README.read_text().splitlines():
        first = line.split("|")[1] if line.startswith("| `") else ""
        documented |= set(re.findall(r"`([a-z_]+)`", first))
    assert documented == ANALYST_TABLES | NOT_FOR_ANALYSTS
