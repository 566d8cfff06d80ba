"""The LLM engine through the real app against a local OpenAI-compatible stub: a grounded answer is
served and cached as the LLM's; an answer with an invented figure, an error status and a timeout
each fall back to the template, with the reason stored beside the cached explanation."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import replace
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from evwatch.config import LlmSettings
from evwatch.llm import OpenAIChat
from evwatch.storage.anomalies import ClickHouseTriageStore
from evwatch.storage.explanations import CachedExplanation, ClickHouseExplanationStore
from evwatch.storage.sessions import ClickHouseSessionStore
from evwatch.storage.stations import ClickHouseStationStore
from serving.app import build_app
from serving.explanations.service import ExplanationService
from serving.explanations.writer import Writer
from tests.support.llm_stub import StubLlm, facts_of, stub_llm
from tests.support.sessions import session_body

pytestmark = [pytest.mark.kafka, pytest.mark.triton, pytest.mark.clickhouse]

KEY = "sk-stub-5f1d9a0c7e"
TIMEOUT_S = 0.5


@pytest.fixture
def stub() -> Iterator[StubLlm]:
    with stub_llm() as running:
        yield running


@pytest.fixture
def llm_api(runtime: Any, stub: StubLlm) -> Iterator[TestClient[Litestar]]:
    """The app over the runtime's services, with explanations written by the stub LLM."""
    chat = OpenAIChat(LlmSettings(base_url=stub.url, model="stub-model", api_key=KEY, timeout_s=TIMEOUT_S))
    client = runtime.client
    explanations = ExplanationService(
        ClickHouseSessionStore(client),
        ClickHouseStationStore(client),
        ClickHouseTriageStore(client),
        ClickHouseExplanationStore(client),
        Writer(chat),
    )
    services = replace(runtime.api_services(), explanations=explanations)
    app = build_app(lambda: nullcontext(services), runtime.settings.api, runtime.settings.bounds)
    try:
        with TestClient(app=app) as test_client:
            yield test_client
    finally:
        chat.close()


def grounded(request: dict[str, Any]) -> str:
    """An answer built only from the facts the request carries."""
    facts = facts_of(request)
    count = facts["session"]["meterValueCount"]
    return f"Session {facts['session']['sessionId']} has {count} meter values; CSAR-2 analysed it."


def cached_row(runtime: Any, tenant: Any, session_id: str, lang: str = "en") -> CachedExplanation:
    analysis = ClickHouseSessionStore(runtime.client).current_analyses(tenant.tenant_id, [session_id])[session_id]
    row = ClickHouseExplanationStore(runtime.client).find(tenant.tenant_id, session_id, lang, analysis.inference_id)
    assert row is not None
    return row


def test_the_llm_explains_from_the_facts_and_invented_figures_fall_back_to_the_template(
    llm_api: Any, runtime: Any, tenant: Any, stub: StubLlm, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    session_id = f"llm-{uuid.uuid4().hex[:10]}"
    assert llm_api.post("/v1/sessions", json=session_body(session_id), headers=tenant.headers).status_code == 200
    path = f"/v1/sessions/{session_id}/explain"

    stub.reply = grounded
    served = llm_api.post(path, json={"lang": "en"}, headers=tenant.headers).json()
    assert served["explanation"] == f"Session {session_id} has 36 meter values; CSAR-2 analysed it."
    row = cached_row(runtime, tenant, session_id)
    assert (row.engine, row.model, row.fallback_reason) == ("llm", "stub-model", None)
    body, headers = stub.requests[-1]
    assert body["model"] == "stub-model" and headers["Authorization"] == f"Bearer {KEY}"
    assert facts_of(body)["analysis"]["modelVersion"] and "English" in body["messages"][0]["content"]

    stub.reply = lambda _: "This session delivered 987.65 kWh worth 123.45 EUR."
    fallback = llm_api.post(path, json={"lang": "en", "regenerate": True}, headers=tenant.headers).json()
    assert fallback["cached"] is False and "987.65" not in fallback["explanation"]
    assert f"Session {session_id} at station" in fallback["explanation"]
    row = cached_row(runtime, tenant, session_id)
    assert row.engine == "template" and row.explanation == fallback["explanation"]
    assert row.fallback_reason == "the LLM stated figures that are not in the facts: 987.65, 123.45"
    assert "987.65" in caplog.text and KEY not in caplog.text


@pytest.mark.parametrize(("status", "delay_s", "reason"), [(500, 0.0, "HTTP 500"), (200, 2.0, "no answer within")])
def test_a_failing_or_slow_llm_falls_back_to_the_template_with_the_reason(
    llm_api: Any, runtime: Any, tenant: Any, stub: StubLlm, status: int, delay_s: float, reason: str
) -> None:
    session_id = f"llm-{uuid.uuid4().hex[:10]}"
    assert llm_api.post("/v1/sessions", json=session_body(session_id), headers=tenant.headers).status_code == 200
    stub.reply = None if status != 200 else grounded
    stub.status, stub.delay_s = status, delay_s
    answer = llm_api.post(f"/v1/sessions/{session_id}/explain", json={"lang": "de"}, headers=tenant.headers)
    assert answer.status_code == 200 and "Ladevorgang" in answer.json()["explanation"]
    row = cached_row(runtime, tenant, session_id, "de")
    assert row.engine == "template" and row.fallback_reason is not None and reason in row.fallback_reason


def test_ask_uses_the_llm_answer_only_when_it_is_grounded(llm_api: Any, tenant: Any, stub: StubLlm) -> None:
    session_id = f"llm-{uuid.uuid4().hex[:10]}"
    assert llm_api.post("/v1/sessions", json=session_body(session_id), headers=tenant.headers).status_code == 200
    ask = f"/v1/sessions/{session_id}/ask"
    stub.reply = grounded
    answer = llm_api.post(ask, json={"question": "How many readings?"}, headers=tenant.headers).json()
    assert answer["answer"] == f"Session {session_id} has 36 meter values; CSAR-2 analysed it."
    stub.reply = lambda _: "It delivered 55.5 kWh."
    invented = llm_api.post(ask, json={"question": "How much energy was delivered?"}, headers=tenant.headers).json()
    assert "55.5" not in invented["answer"] and "The session delivered" in invented["answer"]
