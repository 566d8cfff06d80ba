"""ClickHouse's HTTP interface, the request side: where the query, the database, the format and the
credentials come from, and which URL parameters are settings."""

from __future__ import annotations

import base64
from collections.abc import Mapping

from serving.sql_http.gateway import SqlRequest

# URL parameters the HTTP interface consumes itself; every other one (but param_*) is a setting.
TRANSPORT_PARAMS = frozenset(
    {
        "query",
        "database",
        "default_format",
        "user",
        "password",
        "query_id",
        "session_id",
        "session_timeout",
        "session_check",
        "compress",
        "decompress",
        "buffer_size",
        "wait_end_of_query",
        "enable_http_compression",
        "http_zlib_compression_level",
        "send_progress_in_http_headers",
        "http_headers_progress_interval_ms",
        "http_native_compression_disable_checksumming_on_decompress",
        "client_protocol_version",
        "quota_key",
        "role",
        "add_http_cors_header",
    }
)


def credentials(headers: Mapping[str, str], params: Mapping[str, str]) -> str | None:
    """The API key, as clients send a password: X-ClickHouse-Key, HTTP basic auth, a bearer token or `password`."""
    if headers.get("x-clickhouse-key"):
        return headers["x-clickhouse-key"]
    authorization = headers.get("authorization", "")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2] or None
    if scheme.lower() == "bearer":
        return value.strip() or None
    return params.get("password") or None


def sql_request(headers: Mapping[str, str], params: Mapping[str, str], body: str) -> SqlRequest:
    """The request a client sent: `query` parameter and POST body together, as ClickHouse joins them."""
    query = params.get("query", "")
    if body:
        query = f"{query}\n{body}" if query else body
    return SqlRequest(
        query=query,
        key=credentials(headers, params),
        database=params.get("database") or headers.get("x-clickhouse-database"),
        default_format=params.get("default_format") or headers.get("x-clickhouse-format"),
        settings={k: v for k, v in params.items() if k not in TRANSPORT_PARAMS and not k.startswith("param_")},
        params={k.removeprefix("param_"): v for k, v in params.items() if k.startswith("param_")},
    )


def wants_compression(params: Mapping[str, str], headers: Mapping[str, str]) -> str | None:
    """The Content-Encoding to answer with: gzip or deflate when the client enabled HTTP compression and accepts it."""
    if params.get("enable_http_compression", "0") not in {"1", "true"}:
        return None
    accepted = {part.split(";")[0].strip().lower() for part in headers.get("accept-encoding", "").split(",")}
    for encoding in ("gzip", "deflate"):
        if encoding in accepted:
            return encoding
    return None


def content_type(output_format: str) -> str:
    """The Content-Type ClickHouse gives a format."""
    lowered = output_format.lower()
    if lowered.startswith("json") and "eachrow" not in lowered and "lines" not in lowered:
        return "application/json; charset=UTF-8"
    if lowered.startswith(("tabseparated", "tsv")):
        return "text/tab-separated-values; charset=UTF-8"
    if lowered.startswith("csv"):
        return "text/csv; charset=UTF-8; header=absent"
    if lowered in {"pretty", "prettycompact", "vertical", "markdown", "values"} or lowered.startswith("pretty"):
        return "text/plain; charset=UTF-8"
    if "eachrow" in lowered:
        return "application/x-ndjson; charset=UTF-8"
    return "application/octet-stream"
