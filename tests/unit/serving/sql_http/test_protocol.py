"""How ClickHouse's HTTP interface is read: credentials, query text, settings and errors."""

from __future__ import annotations

import base64

from serving.sql_http.errors import ClickHouseError
from serving.sql_http.protocol import content_type, credentials, sql_request, wants_compression


def test_the_key_comes_as_clients_send_a_password() -> None:
    basic = base64.b64encode(b"analyst:evw_key").decode()
    assert credentials({"authorization": f"Basic {basic}"}, {}) == "evw_key"
    assert credentials({"x-clickhouse-user": "a", "x-clickhouse-key": "evw_key"}, {}) == "evw_key"
    assert credentials({"authorization": "Bearer evw_key"}, {}) == "evw_key"
    assert credentials({}, {"user": "a", "password": "evw_key"}) == "evw_key"
    assert credentials({"authorization": "Basic !!!"}, {}) is None
    assert credentials({}, {}) is None


def test_parameters_split_into_query_settings_and_substitutions() -> None:
    request = sql_request(
        {"x-clickhouse-key": "k"},
        {
            "query": "SELECT {a:UInt8}",
            "database": "evwatch",
            "default_format": "JSON",
            "session_id": "s",
            "compress": "1",
            "param_a": "1",
            "max_threads": "2",
        },
        "FROM t",
    )
    assert request.query == "SELECT {a:UInt8}\nFROM t"
    assert (request.database, request.default_format, request.key) == ("evwatch", "JSON", "k")
    assert dict(request.settings) == {"max_threads": "2"} and dict(request.params) == {"a": "1"}


def test_compression_and_content_types() -> None:
    assert wants_compression({"enable_http_compression": "1"}, {"accept-encoding": "lz4, zstd, gzip"}) == "gzip"
    assert wants_compression({}, {"accept-encoding": "gzip"}) is None
    assert content_type("JSON") == "application/json; charset=UTF-8"
    assert content_type("TabSeparatedWithNames").startswith("text/tab-separated-values")
    assert content_type("Native") == "application/octet-stream"


def test_engine_errors_keep_their_code_and_words() -> None:
    nested = (
        "Code: 164. DB::Exception: Code: 164. DB::Exception: Cannot modify 'readonly' setting in readonly mode. "
        "(READONLY) (version 26.9.2.1). (READONLY)"
    )
    error = ClickHouseError.from_engine(nested)
    assert error.code == 164 and error.http_status == 403
    assert error.message == "Code: 164. DB::Exception: Cannot modify 'readonly' setting in readonly mode. (READONLY)"
    assert error.body("26.9.2.1").endswith(b"(READONLY) (version 26.9.2.1)\n")
    assert ClickHouseError.from_engine("Code: 60. DB::Exception: Unknown table. (UNKNOWN_TABLE)").http_status == 404
    assert ClickHouseError.from_engine("boom").code == 1000
