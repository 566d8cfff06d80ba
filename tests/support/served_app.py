"""The API served over real HTTP for a browser: Granian's embedded server on a thread, over the session's runtime.

chDB lets one process open a data path, so the browser tests cannot start a second evwatch process on
the session's store; this serves the same app `evwatch run` serves, in this process, on a free port.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

import httpx
from granian.constants import Interfaces
from granian.server.embed import Server

from devstack.ports import free_port
from entrypoints.runtime import Runtime
from serving.app import build_app


@contextmanager
def served(runtime: Runtime, *, timeout_s: float = 30.0) -> Iterator[str]:
    """Yield the base URL of the app over `runtime`; stop the server on exit."""
    app = build_app(lambda: nullcontext(runtime.api_services()), runtime.settings.api, runtime.settings.bounds)
    port = free_port()
    server = Server(app, address="127.0.0.1", port=port, interface=Interfaces.ASGI, websockets=False, log_enabled=False)
    loop = asyncio.new_event_loop()
    failure: list[BaseException] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(server.serve())
        except BaseException as error:  # reported to the waiting test below
            failure.append(error)
        finally:
            loop.close()

    thread = threading.Thread(target=run, name="granian-embedded", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout_s
    while True:
        if failure:
            raise RuntimeError("the embedded server failed to start") from failure[0]
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"the embedded server did not answer on {base} within {timeout_s}s")
        time.sleep(0.1)
    try:
        yield base
    finally:
        loop.call_soon_threadsafe(server.stop)
        thread.join(timeout=15)
