"""A client of an OpenAI-compatible chat-completions endpoint (`POST <base_url>/chat/completions`).

It only transports: what is asked and whether the answer may be used are decided by the caller
(`serving/explanations/writer.py`). Every failure (unreachable, timeout, an error status, a reply
without a message) is one `ChatError` whose text names the failure but never the API key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import httpx

from evwatch.config import LlmSettings


class ChatError(Exception):
    """The endpoint gave no usable answer; the message says why (safe to log and store)."""


class ChatClient(Protocol):
    """What the explanation writer needs: one completion for a list of chat messages."""

    @property
    def model(self) -> str: ...

    def complete(self, messages: Sequence[Mapping[str, str]]) -> str: ...


class OpenAIChat:
    """Chat completions over HTTP with a per-request timeout; thread-safe (one pooled httpx client)."""

    def __init__(self, settings: LlmSettings, transport: httpx.BaseTransport | None = None) -> None:
        headers = {"Authorization": f"Bearer {settings.api_key}"} if settings.api_key else {}
        self._model = settings.model
        self._timeout_s = settings.timeout_s
        self._http = httpx.Client(
            base_url=settings.base_url.rstrip("/"),
            headers=headers,
            timeout=settings.timeout_s,
            transport=transport,
            follow_redirects=False,
        )

    @property
    def model(self) -> str:
        """The model asked for."""
        return self._model

    def complete(self, messages: Sequence[Mapping[str, str]]) -> str:
        """The first choice's message text; ChatError when there is none."""
        body = {"model": self._model, "messages": [dict(m) for m in messages], "temperature": 0}
        try:
            response = self._http.post("/chat/completions", json=body)
        except httpx.TimeoutException as exc:
            raise ChatError(f"no answer within {self._timeout_s:g} s") from exc
        except httpx.HTTPError as exc:
            raise ChatError(f"request failed: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise ChatError(f"the endpoint answered HTTP {response.status_code}")
        return _content(response)

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()


def _content(response: httpx.Response) -> str:
    try:
        reply: Any = response.json()
        content = reply["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise ChatError("the reply is not a chat completion") from exc
    if not isinstance(content, str) or not content.strip():
        raise ChatError("the reply holds no text")
    return content


def chat_client(settings: LlmSettings) -> OpenAIChat | None:
    """The configured endpoint's client, or None when none is configured (the templates answer)."""
    return OpenAIChat(settings) if settings.enabled else None
