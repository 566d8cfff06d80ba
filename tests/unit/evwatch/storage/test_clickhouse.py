from typing import Any

import pytest

from evwatch.config import ClickHouseSettings, Settings
from evwatch.storage import clickhouse


class _Client:
    def command(self, sql: str) -> None:
        pass


@pytest.mark.parametrize(
    ("dsn", "session_ids"), [("https://ch.example:8443", False), ("chdb:///tmp/evwatch-test-chdb", None)]
)
def test_a_server_client_is_shared_by_threads_without_session_ids(
    monkeypatch: pytest.MonkeyPatch, dsn: str, session_ids: bool | None
) -> None:
    seen: list[dict[str, Any]] = []

    def get_client(**kwargs: Any) -> _Client:
        seen.append(kwargs)
        return _Client()

    monkeypatch.setattr(clickhouse.clickhouse_connect, "get_client", get_client)
    monkeypatch.setattr(clickhouse, "private_dir", lambda path: path)
    clickhouse.connect(Settings(clickhouse=ClickHouseSettings(dsn=dsn)))
    assert [kwargs.get("autogenerate_session_id") for kwargs in seen] == [session_ids, session_ids]
