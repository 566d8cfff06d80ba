"""A real HTTP receiver for webhook tests, on 127.0.0.1 (allow-listed in the test settings)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    """One request as the receiver saw it."""

    path: str
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Receiver:
    """Records every request; `answer(path, n)` picks the status of the n-th request to a path (from 1)."""

    port: int = 0
    answer: Callable[[str, int], int] = lambda _path, _n: 200
    requests: list[Received] = field(default_factory=list)
    delay_s: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def to(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if r.path == path]


@contextmanager
def receiver(answer: Callable[[str, int], int] | None = None, delay_s: float = 0.0) -> Iterator[Receiver]:
    """A receiver serving on a free port until the block ends."""
    state = Receiver(delay_s=delay_s)
    if answer is not None:
        state.answer = answer

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            if state.delay_s:
                time.sleep(state.delay_s)
            with state._lock:
                state.requests.append(Received(self.path, dict(self.headers.items()), body, time.monotonic()))
                count = sum(1 for r in state.requests if r.path == self.path)
            status = state.answer(self.path, count)
            self.send_response(status)
            self.send_header("content-type", "text/plain")
            self.end_headers()
            self.wfile.write(f"answer {count}: {status}".encode())

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's name
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, name="webhook-receiver", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
