"""What the SQL endpoint costs over the engine itself (docs/sql.md): the same queries through
clickhouse-connect over http:// to the endpoint (a tenant's key: filter, limits, readonly, AST check,
HTTP) and through clickhouse-connect's in-process chDB client (the tenant in the WHERE clause).

A store of its own: 2 tenants x 100 stations x 2 connectors x 14 days of station minutes (8.1 M rows).
`python -m bench.sql_http` (chDB opens one data path per process). Writes bench/results/sql_http.json.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import clickhouse_connect

from bench.results_io import percentiles, write_result
from evwatch.clock import utc_now
from evwatch.config import ClickHouseSettings, Settings, SqlHttpSettings
from evwatch.domain.api_keys import generate_key
from evwatch.storage.clickhouse import connect
from evwatch.storage.migrations import migrate
from evwatch.storage.readonly_sql import ReadOnlyEngine
from evwatch.storage.tenants import ClickHouseTenantStore
from serving.auth import Authenticator, KeyCache
from serving.key_usage import KeyUsage
from serving.sql_http.gateway import SqlGateway
from serving.sql_http.server import SqlHttpServer

STATIONS, CONNECTORS, DAYS = 100, 2, 14
RUNS = 60

QUERIES = {
    "select_1": ("SELECT 1", "SELECT 1"),
    "count_tenant_minutes": (
        "SELECT count() FROM station_minute_energy",
        "SELECT count() FROM station_minute_energy WHERE tenant_id = 'a'",
    ),
    "energy_per_station_day": (
        "SELECT charging_station_id, toDate(minute) AS day, round(sum(energy_kwh), 6) FROM station_minute_energy "
        "GROUP BY charging_station_id, day ORDER BY charging_station_id, day",
        "SELECT charging_station_id, toDate(minute) AS day, round(sum(energy_kwh), 6) FROM station_minute_energy "
        "WHERE tenant_id = 'a' GROUP BY charging_station_id, day ORDER BY charging_station_id, day",
    ),
}


def _time(run: Callable[[], Any]) -> list[float]:
    run()  # warm
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    return samples


def run() -> dict[str, Any]:
    """Seed the store, serve it, and time each query both ways."""
    with tempfile.TemporaryDirectory(prefix="evwatch-bench-sql-") as tmp:
        settings = Settings(
            var_dir=Path(tmp),
            clickhouse=ClickHouseSettings(dsn=f"chdb://{tmp}/chdb"),
            sql_http=SqlHttpSettings(address="127.0.0.1:0"),
        )
        client = connect(settings)
        migrate(client)
        tenants = ClickHouseTenantStore(client)
        key = generate_key()
        tenants.upsert_tenant("a", "a", utc_now())
        tenants.insert_api_key("a", key, "admin", "bench", utc_now(), None)
        minutes = DAYS * 24 * 60
        for tenant in ("a", "b"):
            client.command(
                "INSERT INTO station_minute_energy SELECT "
                f"'{tenant}', concat('CP-', toString(intDiv(number, {CONNECTORS * minutes}))), "
                f"toString(intDiv(number, {minutes}) % {CONNECTORS} + 1), "
                f"toDateTime('2026-01-01 00:00:00', 'UTC') + (number % {minutes}) * 60, "
                "(number % 7) / 60, number % 3 = 0, 1 "
                f"FROM numbers({STATIONS * CONNECTORS * minutes})"
            )
        rows = client.query("SELECT count() FROM station_minute_energy").result_rows[0][0]
        usage = KeyUsage(tenants.record_key_usage)
        gateway = SqlGateway(
            ReadOnlyEngine(settings.clickhouse_dsn),
            Authenticator(KeyCache(tenants.find_api_key), usage).authenticate,
            settings.sql_http,
            settings.clickhouse.database,
        )
        server = SqlHttpServer(gateway, "127.0.0.1", 0, version="bench", timezone="UTC", max_body=1 << 20)
        server.start()
        try:
            host, port = server.address
            remote = clickhouse_connect.get_client(
                host=host, port=port, username="analyst", password=key.plain, database="evwatch"
            )
            results: dict[str, Any] = {}
            for name, (scoped, direct) in QUERIES.items():
                assert remote.query(scoped).result_rows == client.query(direct).result_rows, name
                endpoint = percentiles(_time(lambda q=scoped: remote.query(q)))  # type: ignore[misc]
                engine = percentiles(_time(lambda q=direct: client.query(q)))  # type: ignore[misc]
                results[name] = {"endpoint": endpoint, "engine": engine}
        finally:
            server.close()
            usage.close()
            client.close()
    summary = {
        name: {"endpoint_p50_ms": r["endpoint"]["p50_ms"], "engine_p50_ms": r["engine"]["p50_ms"]}
        for name, r in results.items()
    }
    return {
        "rows": rows,
        "runs": RUNS,
        "queries": {n: q[0] for n, q in QUERIES.items()},
        "results": results,
        "summary": summary,
    }


if __name__ == "__main__":
    write_result("sql_http", run())
