"""Handles on the process's chDB engine for the SQL endpoint: one per query, set up before it runs.

chDB hosts one engine per process and lets it be opened many times over: each `chdb.connect` on the
same path is a session of its own on the one engine (clickhouse-connect's chdb clients do the same),
so a query here shares the data and the engine's own locking with the dataflow and the API, while its
settings (`readonly`, limits, row filters) stay on its handle and die with it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import chdb


class EngineError(Exception):
    """An exception the engine raised, its text as the engine wrote it (`Code: N. DB::Exception: ...`)."""


@dataclass(frozen=True)
class Result:
    """A query's output in the format it asked for, and what the engine counted."""

    body: bytes
    rows_read: int
    bytes_read: int
    elapsed_s: float


def quote(value: str) -> str:
    """`value` as a ClickHouse string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _check_name(name: str) -> None:
    if not name.replace("_", "a").isalnum() or not name[:1].isalpha():
        raise EngineError(f"Code: 115. DB::Exception: Unknown setting '{name}'. (UNKNOWN_SETTING)")


class ReadOnlySession:
    """One handle, settings applied; closed when its `with` block ends."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def set(self, name: str, literal: str) -> None:
        """`SET name = <literal>` (SQL) on this handle; the engine refuses a change once `readonly` is set."""
        _check_name(name)
        self._run(f"SET {name} = {literal}", "TabSeparated", None)

    def set_many(self, settings: Sequence[tuple[str, str]]) -> None:
        """`SET a = <literal>, b = <literal>, ...` in one statement."""
        for name, _ in settings:
            _check_name(name)
        self._run("SET " + ", ".join(f"{name} = {literal}" for name, literal in settings), "TabSeparated", None)

    def set_text(self, name: str, value: str) -> None:
        """`SET name = 'value'`: a setting as a client sends it, as text."""
        self.set(name, quote(value))

    def use(self, database: str) -> None:
        """Unqualified names resolve in `database`."""
        self._run(f"USE `{database.replace('`', '')}`", "TabSeparated", None)

    def explain_ast(self, statement: str, params: Mapping[str, str] | None = None) -> str:
        """The engine parser's tree of `statement` (parsed only, nothing analysed or run); `params` are
        its `{name:Type}` substitutions."""
        return self._run(f"EXPLAIN AST {statement}", "TSVRaw", params).body.decode()

    def query(self, statement: str, output_format: str, params: Mapping[str, str] | None = None) -> Result:
        """Run `statement`, its output in `output_format` unless it names a FORMAT itself."""
        return self._run(statement, output_format, params)

    def _run(self, sql: str, output_format: str, params: Mapping[str, str] | None) -> Result:
        try:
            result = self._conn.query(sql, output_format, params=dict(params) if params else None)
        except Exception as exc:  # noqa: BLE001 - chDB raises its own and RuntimeError; both carry the engine's text
            raise EngineError(str(exc)) from None
        body = result.bytes() or b""
        return Result(body, int(result.rows_read()), int(result.bytes_read()), float(result.elapsed()))


class ReadOnlyEngine:
    """Opens handles on the chDB data path the process already has open."""

    def __init__(self, dsn: str) -> None:
        if not dsn.startswith("chdb://"):
            raise ValueError(f"the SQL endpoint serves the embedded engine only, not {dsn}")
        # the spelling clickhouse-connect gives the engine: chDB compares paths literally
        self._path = os.path.realpath(dsn.removeprefix("chdb://"))

    @contextmanager
    def session(self, prelude: Sequence[tuple[str, str]]) -> Iterator[ReadOnlySession]:
        """A fresh handle with `prelude`'s settings (SQL literals) applied in order, then `readonly = 1`."""
        conn = chdb.connect(self._path)
        try:
            session = ReadOnlySession(conn)
            # one SET (one round trip into the engine), readonly last: the engine applies them in order
            session.set_many([*prelude, ("readonly", "1")])
            yield session
        finally:
            conn.close()

    def tables(self, database: str) -> dict[str, bool]:
        """The tables and views of `database`, each with whether it has a `tenant_id` column."""
        with self.session(()) as session:
            body = session.query(
                "SELECT t.name, countIf(c.name = 'tenant_id') > 0 FROM system.tables AS t "
                "LEFT JOIN system.columns AS c ON c.database = t.database AND c.table = t.name "
                "WHERE t.database = {db:String} GROUP BY t.name",
                "TSVRaw",
                {"db": database},
            ).body
        out: dict[str, bool] = {}
        for line in body.decode().splitlines():
            name, has_tenant = line.split("\t")
            out[name] = has_tenant in {"1", "true"}
        return out

    def version(self) -> str:
        """The engine's ClickHouse version."""
        with self.session(()) as session:
            return session.query("SELECT version()", "TSVRaw").body.decode().strip()
