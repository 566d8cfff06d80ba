"""A stand-in for an OpenAI-compatible endpoint: `POST /v1/chat/completions` on a loopback port,
answering what the test sets (`reply`) in the OpenAI response format, or an error, or slowly."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# The facts an LLM is given, as `prompts` writes them into the user message.
FACTS_MARKER = "FACTS (JSON):\n"


def facts_of(request: dict[str, Any]) -> dict[str, Any]:
    """The facts JSON inside a chat-completions request."""
    user = next(m["content"] for m in request["messages"] if m["role"] == "user")
    start = user.index(FACTS_MARKER) + len(FACTS_MARKER)
    facts: dict[str, Any] = json.JSONDecoder().raw_decode(user[start:])[0]
    return facts


def completion(text: str) -> dict[str, Any]:
    """A chat completion in the OpenAI response format."""
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": 0,
        "model": "stub-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


@dataclass
class StubLlm:
    """What the stub answers next, and every request it got (body and headers)."""

    url: str = ""
    # builds the answer text from the request; None answers `status`
    reply: Callable[[dict[str, Any]], str] | None = lambda _: "The session is described by its facts."
    status: int = 200
    delay_s: float = 0.0
    requests: list[tuple[dict[str, Any], dict[str, str]]] = field(default_factory=list)


@contextmanager
def stub_llm() -> Iterator[StubLlm]:
    """A running stub; `url` is its base URL (`.../v1`)."""
    stub = StubLlm()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the name http.server dispatches to
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            stub.requests.append((body, dict(self.headers)))
            if stub.delay_s:
                time.sleep(stub.delay_s)
            if self.path != "/v1/chat/completions":
                status, payload = 404, {"error": {"message": f"no route {self.path}"}}
            elif stub.reply is None:
                status, payload = stub.status, {"error": {"message": "stub failure"}}
            else:
                status, payload = 200, completion(stub.reply(body))
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (the timeout case)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="llm-stub", daemon=True)
    thread.start()
    stub.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
