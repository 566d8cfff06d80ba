"""ClickHouse client factory: chDB in-process (`chdb://path`) or a server (`http(s)://...`)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import clickhouse_connect
from clickhouse_connect.driver.client import Client

from evwatch.config import Settings
from evwatch.private_files import private_dir

log = logging.getLogger("evwatch.storage")


def connect(settings: Settings) -> Client:
    """Open a client on the configured DSN, creating the evwatch database if needed."""
    dsn = settings.clickhouse_dsn
    if dsn.startswith("chdb://") and dsn != "chdb://memory":
        private_dir(Path(dsn.removeprefix("chdb://")))
    database = settings.clickhouse.database
    # A server client is shared by the request threads: without session ids, concurrent queries are fine
    # (with them, the server refuses a second query in a session that is busy).
    server: dict[str, Any] = {} if dsn.startswith("chdb://") else {"autogenerate_session_id": False}
    clickhouse_connect.get_client(dsn=dsn, **server).command(f"CREATE DATABASE IF NOT EXISTS `{database}`")
    # tz_mode="aware" so DateTime64(3, 'UTC') columns come back as tz-aware datetimes.
    return clickhouse_connect.get_client(dsn=dsn, database=database, tz_mode="aware", **server)


def scalar(client: Client, sql: str, parameters: dict[str, Any] | None = None) -> int:
    """The single integer a `SELECT count()`-style query returns."""
    return int(client.query(sql, parameters=parameters or {}).result_rows[0][0])


def ping(client: Client) -> bool:
    """True when the engine answers a trivial query."""
    try:
        return client.command("SELECT 1") == 1
    except Exception:  # noqa: BLE001 - any failure means "not reachable" for /ready
        log.debug("ClickHouse ping failed", exc_info=True)
        return False
