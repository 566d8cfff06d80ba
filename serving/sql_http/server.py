"""The HTTP server of the SQL endpoint, on a thread of the process that owns chDB."""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
import sys
import threading
import uuid
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from serving.sql_http import native_compression
from serving.sql_http.errors import BAD_ARGUMENTS, QUERY_IS_TOO_LARGE, ClickHouseError
from serving.sql_http.gateway import SqlAnswer, SqlGateway
from serving.sql_http.protocol import content_type, sql_request, wants_compression

log = logging.getLogger("evwatch.sql_http")

_OK = b"Ok.\n"
_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=UTF-8\r\nConnection: close\r\n"
    b"X-ClickHouse-Exception-Code: 202\r\nContent-Length: 80\r\n\r\n"
    b"Code: 202. DB::Exception: Too many connections. (TOO_MANY_SIMULTANEOUS_QUERIES)\n"
)
_HEALTH_PATHS = frozenset({"/ping", "/replicas_status"})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    gateway: SqlGateway
    version: str
    timezone: str
    max_body: int
    # open connections, each on a thread of its own; one past the bound is answered 503 and closed
    connections: threading.BoundedSemaphore

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.connections.acquire(blocking=False):
            with contextlib.suppress(OSError):
                request.sendall(_BUSY)
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.connections.release()

    def handle_error(self, request: object, client_address: object) -> None:
        # a client that hangs up is not the server's error; anything else is logged, not printed
        error = sys.exc_info()[1]
        level = logging.DEBUG if isinstance(error, ConnectionError | TimeoutError) else logging.WARNING
        log.log(level, "SQL connection from %s failed", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out in two writes: without TCP_NODELAY the second waits for the client's
    # delayed ACK (40 ms a query)
    disable_nagle_algorithm = True
    server: _Server
    # an idle keep-alive connection is closed after this long
    timeout = 30

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._handle(b"")

    def do_POST(self) -> None:  # noqa: N802
        try:
            body = self._read_body()
        except ClickHouseError as exc:
            self._error(exc, str(uuid.uuid4()))
            self.close_connection = True
            return
        self._handle(body)

    def _handle(self, body: bytes) -> None:
        url = urlsplit(self.path)
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        headers = {name.lower(): value for name, value in self.headers.items()}
        query_id = params.get("query_id") or str(uuid.uuid4())
        if url.path in _HEALTH_PATHS or (url.path == "/" and "query" not in params and not body):
            self._send(200, _OK, {"Content-Type": "text/plain; charset=UTF-8"})
            return
        if url.path != "/":
            self._send(404, f"There is no handle {url.path}\n".encode(), {"Content-Type": "text/plain; charset=UTF-8"})
            return
        try:
            text = body.decode()
        except UnicodeDecodeError:
            self._error(ClickHouseError.refused(BAD_ARGUMENTS, "The query is not UTF-8"), query_id)
            return
        try:
            answer = self.server.gateway.run(sql_request(headers, params, text))
        except ClickHouseError as exc:
            if exc.code >= 500 and exc.code not in {497, 516}:
                log.info("SQL query failed: %s", exc.message[:300])
            self._error(exc, query_id)
            return
        native = params.get("compress", "0") in {"1", "true"}
        self._answer(answer, query_id, None if native else wants_compression(params, headers), native=native)

    def _answer(self, answer: SqlAnswer, query_id: str, encoding: str | None, *, native: bool) -> None:
        summary = {
            "read_rows": str(answer.rows_read),
            "read_bytes": str(answer.bytes_read),
            "written_rows": "0",
            "written_bytes": "0",
            "total_rows_to_read": str(answer.rows_read),
            "result_bytes": str(len(answer.body)),
            "elapsed_ns": str(int(answer.elapsed_s * 1e9)),
        }
        headers = {
            "Content-Type": content_type(answer.output_format),
            "X-ClickHouse-Format": answer.output_format,
            "X-ClickHouse-Query-Id": query_id,
            "X-ClickHouse-Summary": json.dumps(summary, separators=(",", ":")),
        }
        body = answer.body
        if native:
            body = native_compression.compress(body)
        elif encoding == "gzip":
            body = gzip.compress(body, compresslevel=3)
            headers["Content-Encoding"] = "gzip"
        elif encoding == "deflate":
            body = zlib.compress(body, 3)
            headers["Content-Encoding"] = "deflate"
        self._send(200, body, headers)

    def _error(self, exc: ClickHouseError, query_id: str) -> None:
        headers = {
            "Content-Type": "text/plain; charset=UTF-8",
            "X-ClickHouse-Exception-Code": str(exc.code),
            "X-ClickHouse-Query-Id": query_id,
        }
        if exc.http_status == 401:
            headers["WWW-Authenticate"] = 'Basic realm="evwatch SQL", charset="UTF-8"'
        self._send(exc.http_status, exc.body(self.server.version), headers)

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("X-ClickHouse-Server-Display-Name", "evwatch")
        self.send_header("X-ClickHouse-Timezone", self.server.timezone)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Keep-Alive", f"timeout={self.timeout}")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _read_body(self) -> bytes:
        limit = self.server.max_body
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks, size = [], 0
            while True:
                length = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if length == 0:
                    while self.rfile.readline() not in {b"\r\n", b"\n", b""}:
                        pass
                    break
                size += length
                if size > limit:
                    raise _too_large(limit)
                chunks.append(self.rfile.read(length))
                self.rfile.readline()
            body = b"".join(chunks)
        else:
            length = int(self.headers.get("Content-Length") or 0)
            if length > limit:
                raise _too_large(limit)
            body = self.rfile.read(length) if length else b""
        encoding = self.headers.get("Content-Encoding", "").lower()
        if encoding in {"gzip", "deflate"}:
            # bounded: a small compressed body must not inflate past the limit in memory
            inflater = zlib.decompressobj(wbits=31 if encoding == "gzip" else 15)
            body = inflater.decompress(body, limit + 1)
        if len(body) > limit:
            raise _too_large(limit)
        return body

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
        # request lines carry the query (and may carry a password parameter): not logged
        return


def _too_large(limit: int) -> ClickHouseError:
    return ClickHouseError.refused(QUERY_IS_TOO_LARGE, f"Query is too large (more than {limit} bytes)")


class SqlHttpServer:
    """Listens on `host:port` (0: a free port) until closed, a thread per connection."""

    def __init__(
        self,
        gateway: SqlGateway,
        host: str,
        port: int,
        *,
        version: str,
        timezone: str,
        max_body: int,
        max_connections: int = 64,
    ) -> None:
        self._server = _Server((host, port), _Handler)
        self._server.gateway = gateway
        self._server.version = version
        self._server.timezone = timezone
        self._server.max_body = max_body
        self._server.connections = threading.BoundedSemaphore(max_connections)
        self._thread = threading.Thread(target=self._server.serve_forever, name="sql-http", daemon=True)

    @property
    def address(self) -> tuple[str, int]:
        """Where it listens."""
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def start(self) -> None:
        """Serve on a background thread."""
        self._thread.start()
        log.info("SQL endpoint (ClickHouse HTTP interface, read-only) on http://%s:%d", *self.address)

    @property
    def alive(self) -> bool:
        """Whether it still serves."""
        return self._thread.is_alive()

    def close(self) -> None:
        """Stop accepting, and close the socket."""
        self._server.shutdown()
        self._server.server_close()
