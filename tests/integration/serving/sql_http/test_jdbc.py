"""The official ClickHouse JDBC driver (tests/jdbc, from Maven Central) against the SQL endpoint: the README's
queries give the rows clickhouse-connect gets, and a tenant's key reads only its tenant."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from evwatch.domain.roles import SUPER_ADMIN
from tests.plugins.services import create_tenant
from tests.support.sql_http import readme_queries, rows, sql_client

pytestmark = [
    pytest.mark.kafka,
    pytest.mark.triton,
    pytest.mark.clickhouse,
    pytest.mark.skipif(not (shutil.which("java") and shutil.which("mvn")), reason="needs Java 17 and Maven"),
]

PROJECT = Path(__file__).resolve().parents[4] / "tests" / "jdbc"


@pytest.fixture(scope="module")
def classpath() -> str:
    """The check's classes and the driver's jars; `just setup` resolves them, else this does once."""
    libs = PROJECT / "target" / "jdbc-libs"
    built = PROJECT / "target" / "classes" / "dev" / "evwatch" / "jdbc" / "RunQueries.class"
    sources = [PROJECT / "pom.xml", *PROJECT.glob("src/**/*.java")]
    if not (libs.is_dir() and built.exists()) or max(p.stat().st_mtime for p in sources) > built.stat().st_mtime:
        subprocess.run(["mvn", "-q", "-B", "-f", str(PROJECT / "pom.xml"), "package"], check=True, timeout=900)
    return f"{PROJECT / 'target' / 'classes'}:{libs}/*"


def jdbc(classpath: str, runtime: Any, key: str, *queries: str, url_options: str = "") -> list[dict[str, Any]]:
    """Each query's answer through the JDBC driver: {"columns", "rows"} or {"error"}."""
    host, port = runtime.sql_http.address
    done = subprocess.run(
        [
            "java",
            "-cp",
            classpath,
            "dev.evwatch.jdbc.RunQueries",
            f"jdbc:clickhouse://{host}:{port}/evwatch{url_options}",
            "analyst",
            key,
            *queries,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


@pytest.mark.parametrize("url_options", ["", "?compress=0"])
def test_the_readme_queries_through_jdbc(classpath: str, runtime: Any, seeded: Any, url_options: str) -> None:
    tenant, _, ids = seeded
    queries = readme_queries()
    client = sql_client(runtime, tenant.api_key)
    answers = jdbc(classpath, runtime, tenant.api_key, *queries, url_options=url_options)
    assert len(answers) == len(queries)
    for query, answer in zip(queries, answers, strict=True):
        assert "error" not in answer, (query, answer)
        assert rows(answer["rows"]) == rows(client.query(query).result_rows), query
    assert {row[0] for row in answers[0]["rows"]} == set(ids)


def test_a_tenant_key_reads_only_its_tenant_through_jdbc(classpath: str, runtime: Any, seeded: Any) -> None:
    first, second, ids = seeded
    boss = create_tenant(runtime, SUPER_ADMIN)
    leak = f"SELECT count() FROM evwatch.session_writes WHERE tenant_id = '{first.tenant_id}'"
    mine, credentials = jdbc(classpath, runtime, second.api_key, leak, "SELECT * FROM evwatch.api_keys")
    assert mine["rows"] == [["0"]]
    assert "Code: 497" in credentials["error"]
    for answer in jdbc(classpath, runtime, second.api_key, *readme_queries()):
        assert not {row[0] for row in answer["rows"]} & set(ids)
    (everyone,) = jdbc(classpath, runtime, boss.api_key, leak)
    assert int(everyone["rows"][0][0]) > 0


def test_the_driver_browses_tables_and_columns_as_dbeaver_does(classpath: str, runtime: Any, seeded: Any) -> None:
    _, second, _ = seeded
    tables, columns = jdbc(classpath, runtime, second.api_key, "@tables", "@columns:session_current_analyses")
    assert {"sessions", "anomaly_list", "meter_values"} <= {row[2] for row in tables["rows"]}
    assert {"session_id", "anomaly_score", "is_anomaly"} <= {row[3] for row in columns["rows"]}
