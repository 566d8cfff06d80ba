"""One SQL request from key to bytes: who asks, what they may read, under which limits."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from evwatch.config import SqlHttpSettings
from evwatch.domain.roles import SUPER_ADMIN
from evwatch.storage.readonly_sql import EngineError, ReadOnlyEngine, ReadOnlySession
from serving.auth import Principal
from serving.sql_http import ast_dump
from serving.sql_http.catalog import INFORMATION_SCHEMA
from serving.sql_http.errors import (
    AUTHENTICATION_FAILED,
    BAD_ARGUMENTS,
    QUERY_IS_TOO_LARGE,
    TOO_MANY_SIMULTANEOUS_QUERIES,
    UNKNOWN_DATABASE,
    ClickHouseError,
)
from serving.sql_http.policy import check
from serving.sql_http.scope import limits, tenant_filters
from serving.sql_http.statement import single_statement

log = logging.getLogger("evwatch.sql_http")

# The store's table list is read again after this long (migrations add tables only at start), and at
# most this often when a query names a table the list does not have.
_TABLES_TTL_S = 30.0
_TABLES_MISS_S = 1.0


@dataclass(frozen=True)
class SqlRequest:
    """What a client sent, as the HTTP interface reads it."""

    query: str
    key: str | None
    database: str | None = None
    default_format: str | None = None
    # URL parameters that are ClickHouse settings, and `param_<name>` query parameters (without the prefix)
    settings: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SqlAnswer:
    """The query's output and what the response headers say about it."""

    body: bytes
    output_format: str
    rows_read: int
    bytes_read: int
    elapsed_s: float


class SqlGateway:
    """Runs analysts' queries on the embedded engine, read-only, scoped to the key's tenant, within limits."""

    def __init__(
        self,
        engine: ReadOnlyEngine,
        authenticate: Callable[[str], Principal | None],
        config: SqlHttpSettings,
        store: str,
    ) -> None:
        self._engine = engine
        self._authenticate = authenticate
        self._config = config
        self._store = store
        self._slots = threading.BoundedSemaphore(config.max_concurrent_queries)
        self._tables: dict[str, bool] = {}
        self._tables_read_at = -_TABLES_TTL_S
        self._tables_lock = threading.Lock()

    def principal(self, key: str | None) -> Principal:
        """The caller behind an API key, or AUTHENTICATION_FAILED."""
        principal = self._authenticate(key) if key else None
        if principal is None or principal.tenant_id is None:
            raise ClickHouseError.refused(
                AUTHENTICATION_FAILED,
                "Authentication failed: the password must be an evwatch API key that is neither revoked nor expired",
            )
        return principal

    def run(self, request: SqlRequest) -> SqlAnswer:
        """Authenticate, check and run one statement; a ClickHouseError for every refusal or failure."""
        principal = self.principal(request.key)
        if len(request.query.encode()) > self._config.max_query_bytes:
            raise ClickHouseError.refused(
                QUERY_IS_TOO_LARGE, f"Query is too large (more than {self._config.max_query_bytes} bytes)"
            )
        statement = single_statement(request.query)
        for name, value in request.params.items():
            # an {x:Identifier} value is printed raw in the AST dump: no line breaks that could forge it
            if any(ord(c) < 0x20 or c == "\x7f" for c in value):
                raise ClickHouseError.refused(
                    BAD_ARGUMENTS, f"Query parameter {name} has a control character, which the SQL endpoint refuses"
                )
        database = self._database(request.database)
        tenant = None if principal.role == SUPER_ADMIN else principal.tenant_id
        if not self._slots.acquire(timeout=self._config.queue_timeout_s):
            raise ClickHouseError.refused(
                TOO_MANY_SIMULTANEOUS_QUERIES,
                f"Too many simultaneous queries: {self._config.max_concurrent_queries} are running and none "
                f"ended within {self._config.queue_timeout_s:g} s",
            )
        try:
            return self._run(statement, database, tenant, request)
        except EngineError as exc:
            raise ClickHouseError.from_engine(str(exc)) from None
        finally:
            self._slots.release()

    def _run(self, statement: str, database: str, tenant: str | None, request: SqlRequest) -> SqlAnswer:
        tables = self.tables()
        prelude = limits(self._config)
        if tenant is not None:
            scoped = [name for name, has_tenant in tables.items() if has_tenant]
            prelude.insert(0, ("additional_table_filters", tenant_filters(tenant, self._store, scoped)))
        with self._engine.session(prelude) as session:
            session.use(database)
            self._apply(session, request.settings)
            tree = _parse(session.explain_ast(statement, request.params))
            checked = check(
                tree, database=database, store=self._store, lookup=self._lookup, tenant_scoped=tenant is not None
            )
            output_format = checked.output_format or request.default_format or "TabSeparated"
            result = session.query(statement, output_format, request.params)
        return SqlAnswer(result.body, output_format, result.rows_read, result.bytes_read, result.elapsed_s)

    def tables(self, max_age_s: float = _TABLES_TTL_S) -> dict[str, bool]:
        """The store's tables and views, each with whether it has `tenant_id` (read at most every 30 s)."""
        with self._tables_lock:
            if time.monotonic() - self._tables_read_at > max_age_s:
                self._tables = self._engine.tables(self._store)
                self._tables_read_at = time.monotonic()
            return self._tables

    def _lookup(self, table: str) -> bool | None:
        found = self.tables().get(table)
        return found if found is not None else self.tables(_TABLES_MISS_S).get(table)

    def _database(self, requested: str | None) -> str:
        # the endpoint's default database is the store; "default" is what clients send when told nothing
        if not requested or requested == "default":
            return self._store
        if requested in {self._store, "system", *INFORMATION_SCHEMA}:
            return requested
        raise ClickHouseError.refused(UNKNOWN_DATABASE, f"Database {requested} does not exist")

    @staticmethod
    def _apply(session: ReadOnlySession, settings: Mapping[str, str]) -> None:
        # After readonly: the engine accepts a setting sent with the value it already has (clients do
        # that) and refuses any change with its own READONLY error.
        for name, value in settings.items():
            session.set_text(name, value)


def _parse(dump: str) -> ast_dump.Node:
    try:
        return ast_dump.parse(dump)
    except ValueError as exc:
        log.warning("unexpected EXPLAIN AST output: %s", exc)
        raise ClickHouseError.refused(62, f"The statement could not be checked: {exc}") from None
