"""The SQL endpoint with clickhouse-connect over http://, on the shared runtime's chDB: the README's
queries give the rows the API shows, a tenant's key reads only its tenant, and nothing else gets through."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import pytest
from clickhouse_connect.driver.exceptions import DatabaseError

from evwatch.config import SqlHttpSettings
from evwatch.domain.roles import SUPER_ADMIN
from evwatch.storage.readonly_sql import ReadOnlyEngine
from serving.auth import Principal
from serving.sql_http.gateway import SqlGateway
from serving.sql_http.server import SqlHttpServer
from tests.plugins.services import Tenant, create_tenant
from tests.support.sql_http import readme_queries, rows, sql_client, sql_url

pytestmark = [pytest.mark.kafka, pytest.mark.triton, pytest.mark.clickhouse]


def _api_sessions(api: Any, tenant: Tenant) -> list[dict[str, Any]]:
    content: list[dict[str, Any]] = api.get("/v1/sessions", params={"pageSize": 500}, headers=tenant.headers).json()[
        "content"
    ]
    return content


def test_the_readme_queries_give_the_rows_the_api_shows(api: Any, runtime: Any, seeded: Any) -> None:
    tenant, _, ids = seeded
    analyses, anomalies, energy = readme_queries()
    client = sql_client(runtime, tenant.api_key)

    sessions = _api_sessions(api, tenant)
    expected = sorted(
        ((s["sessionId"], s["anomalyScore"], s["isAnomaly"], s["anomalyCount"]) for s in sessions),
        key=lambda r: (-r[1], r[0]),
    )
    assert rows(client.query(analyses).result_rows) == rows(expected) and len(expected) == 3

    listed = api.get("/v1/anomalies", params={"pageSize": 500}, headers=tenant.headers).json()["content"]
    assert {(a["chargingSessionId"], a["anomalyType"]) for a in listed} == {
        (r[0], r[1]) for r in client.query(anomalies).result_rows
    }
    assert ids[0] in {a["chargingSessionId"] for a in listed}

    shown = {}
    for session_id in ids:
        detail = api.get(f"/v1/sessions/{session_id}", headers=tenant.headers).json()
        register = [m["value"] for m in detail["meterValues"] if m["measurand"] == "Energy.Active.Import.Register"]
        shown[session_id] = max(register) - min(register)
    assert rows(client.query(energy).result_rows) == rows(sorted(shown.items()))


def test_a_tenant_key_reads_only_its_own_tenant(runtime: Any, seeded: Any) -> None:
    first, second, ids = seeded
    client = sql_client(runtime, second.api_key)
    for query in readme_queries():
        assert not {row[0] for row in client.query(query).result_rows} & set(ids)
    attempts = [
        f"SELECT count() FROM evwatch.session_writes WHERE tenant_id = '{first.tenant_id}'",
        f"SELECT count() FROM session_writes AS `evwatch.tenants` WHERE tenant_id = '{first.tenant_id}'",
        f"SELECT count() FROM (SELECT * FROM evwatch.sessions) WHERE tenant_id = '{first.tenant_id}'",
        f"WITH s AS (SELECT tenant_id FROM evwatch.meter_values) SELECT count() FROM s WHERE tenant_id = '{first.tenant_id}'",
        f"SELECT count() FROM evwatch.tenants AS t JOIN evwatch.session_analyses AS a ON a.tenant_id = t.tenant_id "
        f"WHERE a.tenant_id = '{first.tenant_id}'",
        f"SELECT count() FROM (SELECT tenant_id FROM evwatch.sessions UNION ALL SELECT tenant_id FROM evwatch.anomalies) "
        f"WHERE tenant_id = '{first.tenant_id}'",
        f"SELECT count() FROM evwatch.anomaly_list FINAL WHERE tenant_id = '{first.tenant_id}'",
        "SELECT count() FROM evwatch.tenants WHERE tenant_id IN (SELECT tenant_id FROM evwatch.session_writes) "
        f"AND tenant_id = '{first.tenant_id}'",
    ]
    for query in attempts:
        assert client.query(query).result_rows == [(0,)], query
    assert client.query("SELECT DISTINCT tenant_id FROM evwatch.session_writes").result_rows == [(second.tenant_id,)]
    assert client.query("SELECT groupUniqArray(tenant_id) FROM evwatch.tenants").result_rows == [([second.tenant_id],)]


def test_a_super_admin_key_reads_every_tenant(runtime: Any, seeded: Any) -> None:
    first, second, _ = seeded
    boss = create_tenant(runtime, SUPER_ADMIN)
    seen = {
        r[0] for r in sql_client(runtime, boss.api_key).query("SELECT DISTINCT tenant_id FROM sessions").result_rows
    }
    assert {first.tenant_id, second.tenant_id} <= seen


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("SELECT * FROM evwatch.api_keys", 497),
        ("SELECT key_hash FROM api_keys", 497),
        ("SELECT * FROM system.query_log", 497),
        ("SELECT * FROM system.processes", 497),
        ("SELECT partition FROM system.parts", 497),
        ("SELECT * FROM file('/etc/passwd', 'LineAsString')", 497),
        ("SELECT file('/etc/hostname')", 497),
        ("SELECT * FROM url('http://127.0.0.1:1/', 'CSV', 'a String')", 497),
        ("SELECT * FROM merge('evwatch', 'session_writes')", 497),
        ("SELECT * FROM remote('127.0.0.1', 'evwatch', 'session_writes')", 497),
        ("SELECT count() FROM numbers(3) WHERE toString(number) IN evwatch.tenants", 497),
        ("SELECT dictGet('evwatch.anything', 'x', 1)", 497),
        ("SELECT 1 INTO OUTFILE '/tmp/evwatch-sql-outfile'", 497),
        ("SELECT * FROM default.anything", 497),
        ("EXPLAIN SELECT 1", 497),
        ("SELECT 1; SELECT 2", 62),
        ("SELECT 1 AS `a\n  TableIdentifier evwatch.tenants`", 62),
        ("INSERT INTO evwatch.tenants (tenant_id, name) VALUES ('x', 'x')", 164),
        ("CREATE TABLE evwatch.x (a Int8) ENGINE = Memory", 164),
        ("DROP TABLE evwatch.sessions", 164),
        ("ALTER TABLE evwatch.session_writes DELETE WHERE 1", 164),
        ("OPTIMIZE TABLE evwatch.session_writes FINAL", 164),
        ("SYSTEM STOP MERGES", 164),
        ("SET readonly = 0", 164),
        ("SET additional_table_filters = {}", 164),
        ("SELECT count() FROM evwatch.sessions SETTINGS additional_table_filters = {}", 164),
        ("SELECT count() FROM evwatch.sessions SETTINGS max_execution_time = 100000", 164),
    ],
)
def test_what_a_tenant_key_cannot_do(runtime: Any, seeded: Any, query: str, code: int) -> None:
    _, second, _ = seeded
    answer = httpx.post(sql_url(runtime), content=query.encode(), auth=("analyst", second.api_key), timeout=30)
    assert answer.status_code in {400, 403, 404} and answer.headers["X-ClickHouse-Exception-Code"] == str(code), (
        answer.status_code,
        answer.text,
    )
    assert answer.text.startswith(f"Code: {code}. DB::Exception: ")


@pytest.mark.parametrize(
    ("query", "params", "code"),
    [
        ("SELECT * FROM {t:Identifier}", {"param_t": "evwatch.api_keys"}, "497"),
        ("SELECT 1 WHERE 1 IN {t:Identifier}", {"param_t": "evwatch.session_writes"}, "497"),
        ("SELECT * FROM {t:Identifier}", {"param_t": "`a\n  TableIdentifier evwatch.sessions`"}, "36"),
    ],
)
def test_query_parameters_are_checked_as_the_query(
    runtime: Any, seeded: Any, query: str, params: dict[str, str], code: str
) -> None:
    _, second, _ = seeded
    answer = httpx.post(sql_url(runtime), params=params, content=query.encode(), auth=("analyst", second.api_key))
    assert answer.headers["X-ClickHouse-Exception-Code"] == code, answer.text


def test_settings_in_the_url_cannot_lift_the_scope(runtime: Any, seeded: Any) -> None:
    first, second, _ = seeded
    for params in ({"readonly": "0"}, {"additional_table_filters": "{}"}, {"max_memory_usage": "0"}):
        answer = httpx.get(
            sql_url(runtime),
            params={"query": f"SELECT count() FROM evwatch.sessions WHERE tenant_id = '{first.tenant_id}'", **params},
            headers={"X-ClickHouse-User": "analyst", "X-ClickHouse-Key": second.api_key},
        )
        assert answer.status_code == 403 and answer.headers["X-ClickHouse-Exception-Code"] == "164", answer.text
    # a setting sent with the value it has is accepted, as ClickHouse accepts it
    same = httpx.get(
        sql_url(runtime), params={"query": "SELECT 1", "readonly": "1"}, headers={"X-ClickHouse-Key": second.api_key}
    )
    assert same.status_code == 200 and same.text == "1\n"


def test_credentials_are_api_keys(runtime: Any, seeded: Any) -> None:
    for auth in (None, ("analyst", "not-a-key"), ("default", "")):
        answer = httpx.post(sql_url(runtime), content=b"SELECT 1", auth=auth)
        assert answer.status_code == 401 and answer.headers["X-ClickHouse-Exception-Code"] == "516", answer.text
    _, second, _ = seeded
    bearer = httpx.post(sql_url(runtime), content=b"SELECT 1", headers={"Authorization": f"Bearer {second.api_key}"})
    assert bearer.status_code == 200 and bearer.text == "1\n"


def test_the_http_interface_as_clients_use_it(runtime: Any, seeded: Any) -> None:
    tenant, _, ids = seeded
    assert httpx.get(f"{sql_url(runtime)}ping").text == "Ok.\n"
    auth = ("analyst", tenant.api_key)
    answer = httpx.get(
        sql_url(runtime),
        params={"query": "SELECT session_id FROM sessions ORDER BY session_id", "default_format": "JSONEachRow"},
        auth=auth,
    )
    assert answer.status_code == 200 and answer.headers["X-ClickHouse-Format"] == "JSONEachRow"
    assert answer.text.splitlines() == [f'{{"session_id":"{i}"}}' for i in sorted(ids)]
    assert answer.headers["X-ClickHouse-Timezone"] == "UTC" and answer.headers["X-ClickHouse-Query-Id"]
    summary = answer.headers["X-ClickHouse-Summary"]
    assert '"read_rows"' in summary
    # a FORMAT clause wins; the query parameter and the body are one query; query parameters bind
    formatted = httpx.post(
        sql_url(runtime),
        params={"query": "SELECT count() AS n FROM sessions", "param_station": "nowhere"},
        content=b"WHERE charging_station_id != {station:String} FORMAT JSON",
        auth=auth,
    )
    assert formatted.json()["data"] == [{"n": 3}] and formatted.headers["X-ClickHouse-Format"] == "JSON"
    gz = httpx.get(
        sql_url(runtime),
        params={"query": "SELECT 1", "enable_http_compression": "1"},
        headers={"Accept-Encoding": "gzip"},
        auth=auth,
    )
    assert gz.headers["Content-Encoding"] == "gzip" and gz.text == "1\n"
    compressed = sql_client(runtime, tenant.api_key, compress="gzip")
    assert compressed.query("SELECT count() FROM sessions").result_rows == [(3,)]
    client = sql_client(runtime, tenant.api_key)
    frame = client.query_df("SELECT session_id FROM sessions ORDER BY session_id")
    assert list(frame["session_id"]) == sorted(ids)
    assert client.query_arrow("SELECT session_id FROM sessions").num_rows == 3


def test_limits_hold_and_busy_slots_refuse(runtime: Any, seeded: Any) -> None:
    _, second, _ = seeded
    config = SqlHttpSettings(
        address="127.0.0.1:0",
        max_execution_time_s=2.0,
        max_memory_bytes=64 * 1024 * 1024,
        max_result_rows=1000,
        max_concurrent_queries=1,
        queue_timeout_s=0.2,
    )
    gateway = SqlGateway(
        ReadOnlyEngine(runtime.settings.clickhouse_dsn),
        lambda key: Principal(second.tenant_id, "admin", "key:test") if key == second.api_key else None,
        config,
        "evwatch",
    )
    server = SqlHttpServer(gateway, "127.0.0.1", 0, version="test", timezone="UTC", max_body=config.max_query_bytes)
    server.start()
    host, port = server.address
    url = f"http://{host}:{port}/"
    auth = ("analyst", second.api_key)
    try:

        def code(query: str) -> str:
            return str(
                httpx.post(url, content=query.encode(), auth=auth, timeout=30).headers.get(
                    "X-ClickHouse-Exception-Code", ""
                )
            )

        assert code("SELECT count() FROM system.numbers") == "159"  # max_execution_time
        assert code("SELECT length(repeat('x', 200000000))") == "241"  # max_memory_usage
        assert code("SELECT number FROM numbers(5000)") == "396"  # max_result_rows
        slow = threading.Thread(target=code, args=("SELECT sleepEachRow(0.1) FROM numbers(8)",))
        slow.start()
        time.sleep(0.3)
        busy = httpx.post(url, content=b"SELECT 1", auth=auth)
        slow.join()
        assert busy.status_code == 503 and busy.headers["X-ClickHouse-Exception-Code"] == "202", busy.text
        assert httpx.post(url, content=b"SELECT 1", auth=auth).text == "1\n"
    finally:
        server.close()


def test_errors_come_as_clickhouse_words_them(runtime: Any, seeded: Any) -> None:
    _, second, _ = seeded
    client = sql_client(runtime, second.api_key)
    with pytest.raises(DatabaseError, match="UNKNOWN_TABLE|Unknown table"):
        client.query("SELECT * FROM evwatch.no_such_table_here")
    with pytest.raises(DatabaseError, match="Code: 62"):
        client.query("SELEC 1")
