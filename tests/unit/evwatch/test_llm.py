"""The OpenAI-compatible client against a local stub endpoint: the request it sends, the text it
returns, and one ChatError (never naming the key) for every way of not answering."""

from __future__ import annotations

import logging

import pytest

from evwatch.config import LlmSettings, load_settings
from evwatch.llm import ChatError, OpenAIChat, chat_client
from tests.support.llm_stub import StubLlm, stub_llm

KEY = "sk-test-0123456789abcdef"
MESSAGES = [{"role": "system", "content": "rules"}, {"role": "user", "content": "FACTS (JSON):\n{}"}]


@pytest.fixture
def stub() -> StubLlm:
    with stub_llm() as running:
        yield running  # type: ignore[misc]


def client(stub: StubLlm, timeout_s: float = 5.0) -> OpenAIChat:
    return OpenAIChat(LlmSettings(base_url=stub.url, model="stub-model", api_key=KEY, timeout_s=timeout_s))


def test_a_completion_is_asked_for_with_the_model_and_the_key_and_its_text_returned(stub: StubLlm) -> None:
    stub.reply = lambda _: "  An answer.  "
    chat = client(stub)
    try:
        assert chat.complete(MESSAGES) == "  An answer.  "
    finally:
        chat.close()
    ((body, headers),) = stub.requests
    assert body == {"model": "stub-model", "messages": MESSAGES, "temperature": 0}
    assert headers["Authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize(("status", "reason"), [(500, "HTTP 500"), (429, "HTTP 429"), (401, "HTTP 401")])
def test_an_error_status_is_a_chat_error(stub: StubLlm, status: int, reason: str) -> None:
    stub.reply, stub.status = None, status
    chat = client(stub)
    try:
        with pytest.raises(ChatError, match=reason):
            chat.complete(MESSAGES)
    finally:
        chat.close()


def test_a_slow_endpoint_is_given_up_on_at_the_timeout(stub: StubLlm) -> None:
    stub.delay_s = 1.0
    chat = client(stub, timeout_s=0.2)
    try:
        with pytest.raises(ChatError, match="no answer within 0.2 s"):
            chat.complete(MESSAGES)
    finally:
        chat.close()


def test_an_unreachable_endpoint_and_an_empty_reply_are_chat_errors(
    stub: StubLlm, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    stub.reply = lambda _: "   "
    chat = client(stub)
    try:
        with pytest.raises(ChatError, match="no text"):
            chat.complete(MESSAGES)
    finally:
        chat.close()
    gone = OpenAIChat(LlmSettings(base_url="http://127.0.0.1:9/v1", model="m", api_key=KEY, timeout_s=2))
    try:
        with pytest.raises(ChatError, match="request failed") as failed:
            gone.complete(MESSAGES)
    finally:
        gone.close()
    assert KEY not in str(failed.value) and KEY not in caplog.text


def test_the_endpoint_is_off_unless_a_base_url_is_configured() -> None:
    assert chat_client(LlmSettings()) is None
    settings = load_settings(
        {
            "EVWATCH_LLM_BASE_URL": "http://llm.internal/v1",
            "EVWATCH_LLM_MODEL": "small",
            "EVWATCH_LLM_API_KEY": KEY,
            "EVWATCH_LLM_TIMEOUT_S": "7.5",
        }
    ).llm
    assert (settings.base_url, settings.model, settings.api_key, settings.timeout_s) == (
        "http://llm.internal/v1",
        "small",
        KEY,
        7.5,
    )
    chat = chat_client(settings)
    assert chat is not None and chat.model == "small"
    chat.close()
    assert not load_settings({}).llm.enabled
