"""The SQL endpoint's settings from the environment (docs/sql.md)."""

from __future__ import annotations

import pytest

from evwatch.config import load_settings


def test_the_sql_endpoint_listens_on_8123_unless_told_otherwise() -> None:
    default = load_settings({}).sql_http
    assert (default.host, default.port) == ("127.0.0.1", 8123)
    moved = load_settings({"EVWATCH_SQL_HTTP_ADDRESS": "0.0.0.0:18123", "EVWATCH_SQL_HTTP_MAX_THREADS": "4"}).sql_http
    assert (moved.host, moved.port, moved.max_threads) == ("0.0.0.0", 18123, 4)
    assert load_settings({"EVWATCH_SQL_HTTP_ADDRESS": "off"}).sql_http.address == ""


def test_a_bad_address_is_named() -> None:
    with pytest.raises(ValueError, match="host:port or off"):
        load_settings({"EVWATCH_SQL_HTTP_ADDRESS": "8123"})
