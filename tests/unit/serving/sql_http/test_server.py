"""The HTTP side of the SQL endpoint without an engine: health, refusals before a query runs, bounds."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from evwatch.config import SqlHttpSettings
from evwatch.storage.readonly_sql import ReadOnlyEngine
from serving.sql_http.gateway import SqlGateway
from serving.sql_http.server import SqlHttpServer


@pytest.fixture
def server() -> Iterator[SqlHttpServer]:
    config = SqlHttpSettings(max_query_bytes=1024)
    # no key is valid, so no request reaches the engine (which is never opened)
    gateway = SqlGateway(ReadOnlyEngine("chdb:///nonexistent"), lambda key: None, config, "evwatch")
    served = SqlHttpServer(gateway, "127.0.0.1", 0, version="test", timezone="UTC", max_body=1024, max_connections=2)
    served.start()
    yield served
    served.close()


def _url(server: SqlHttpServer, path: str = "/") -> str:
    host, port = server.address
    return f"http://{host}:{port}{path}"


def test_health_and_unknown_paths(server: SqlHttpServer) -> None:
    assert httpx.get(_url(server, "/ping")).text == "Ok.\n"
    assert httpx.get(_url(server)).text == "Ok.\n"
    missing = httpx.get(_url(server, "/play"))
    assert missing.status_code == 404 and "There is no handle /play" in missing.text
    assert missing.headers["X-ClickHouse-Server-Display-Name"] == "evwatch"


def test_refusals_before_any_query_runs(server: SqlHttpServer) -> None:
    unauthorized = httpx.post(_url(server), content=b"SELECT 1", auth=("analyst", "wrong"))
    assert unauthorized.status_code == 401 and unauthorized.headers["X-ClickHouse-Exception-Code"] == "516"
    assert unauthorized.text.startswith("Code: 516. DB::Exception: Authentication failed")
    assert unauthorized.headers["WWW-Authenticate"].startswith("Basic")
    too_large = httpx.post(_url(server), content=b"SELECT 1 -- " + b"x" * 2000, auth=("analyst", "k"))
    assert too_large.status_code == 413 and too_large.headers["X-ClickHouse-Exception-Code"] == "393"
    chunked = httpx.post(_url(server), content=iter([b"SELECT ", b"x" * 2000]), auth=("analyst", "k"))
    assert chunked.status_code == 413


def test_connections_past_the_bound_are_answered_busy(server: SqlHttpServer) -> None:
    host, port = server.address
    idle = [socket.create_connection((host, port)) for _ in range(2)]
    try:
        time.sleep(0.3)
        busy = httpx.get(_url(server, "/ping"))
        assert busy.status_code == 503 and busy.headers["X-ClickHouse-Exception-Code"] == "202"
    finally:
        for sock in idle:
            sock.close()
    deadline = time.monotonic() + 5
    while httpx.get(_url(server, "/ping")).status_code != 200:
        assert time.monotonic() < deadline
        time.sleep(0.1)
