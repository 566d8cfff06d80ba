"""Explain Session, Get Session Explanation and Ask Session through the real app (template engine):
the cache per session, language and analysis, regeneration, 404s, 422 for a language, tenant isolation."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from evwatch.domain.explain.phrases import PHRASES
from evwatch.storage.explanations import ClickHouseExplanationStore
from evwatch.storage.sessions import ClickHouseSessionStore
from tests.support.sessions import readings, session_body

pytestmark = [pytest.mark.kafka, pytest.mark.triton, pytest.mark.clickhouse]


def analysed(api: Any, tenant: Any, n: int = 12) -> str:
    session_id = f"expl-{uuid.uuid4().hex[:10]}"
    made = api.post("/v1/sessions", json=session_body(session_id, n=n), headers=tenant.headers)
    assert made.status_code == 200 and "analyzedAt" in made.json(), made.text
    return session_id


def explain(api: Any, tenant: Any, session_id: str, body: dict[str, Any] | None = None) -> Any:
    return api.post(f"/v1/sessions/{session_id}/explain", json=body, headers=tenant.headers)


def error(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    body: dict[str, Any] = answer.json()
    assert set(body) == {"status", "code", "message", "details"} and body["status"] == status
    return body


def test_an_explanation_is_cached_per_language_and_regenerated_on_request(api: Any, runtime: Any, tenant: Any) -> None:
    session_id = analysed(api, tenant)
    path = f"/v1/sessions/{session_id}/explain"
    error(api.get(path, headers=tenant.headers), 404)

    first = explain(api, tenant, session_id)  # no body: English, from the cache when there
    assert first.status_code == 200, first.text
    assert first.json()["sessionId"] == session_id and first.json()["cached"] is False
    text = first.json()["explanation"]
    assert session_id in text and "csar2" in text

    assert explain(api, tenant, session_id, {"lang": "en"}).json() == {**first.json(), "cached": True}
    assert api.get(path, headers=tenant.headers).json() == {**first.json(), "cached": True}
    assert api.get(path, params={"lang": "en"}, headers=tenant.headers).json()["explanation"] == text

    again = explain(api, tenant, session_id, {"lang": "en", "regenerate": True})
    assert again.status_code == 200 and again.json()["cached"] is False

    german = explain(api, tenant, session_id, {"lang": "de"})
    assert german.json()["cached"] is False and german.json()["explanation"] != text
    assert "Ladevorgang" in german.json()["explanation"]
    assert (
        api.get(path, params={"lang": "de"}, headers=tenant.headers).json()["explanation"]
        == (german.json()["explanation"])
    )
    error(api.get(path, params={"lang": "nl"}, headers=tenant.headers), 404)

    analysis = ClickHouseSessionStore(runtime.client).current_analyses(tenant.tenant_id, [session_id])[session_id]
    row = ClickHouseExplanationStore(runtime.client).find(tenant.tenant_id, session_id, "en", analysis.inference_id)
    assert row is not None and (row.engine, row.model, row.fallback_reason) == ("template", "", None)
    assert row.explanation == again.json()["explanation"]


def test_a_new_analysis_is_not_served_an_old_explanation(api: Any, tenant: Any) -> None:
    session_id = analysed(api, tenant, n=6)
    explain(api, tenant, session_id)
    more = readings(10)[18:]
    assert (
        api.patch(f"/v1/sessions/{session_id}", json={"meterValues": more}, headers=tenant.headers).status_code == 200
    )
    error(api.get(f"/v1/sessions/{session_id}/explain", headers=tenant.headers), 404)
    assert explain(api, tenant, session_id).json()["cached"] is False


def test_a_session_without_an_analysis_is_explained_as_not_analysed_yet(api: Any, tenant: Any) -> None:
    session_id = f"expl-{uuid.uuid4().hex[:10]}"
    body = {**session_body(session_id), "meterValues": readings(1)[:2]}
    assert api.post("/v1/sessions", json=body, headers=tenant.headers).status_code == 200
    answer = explain(api, tenant, session_id, {"lang": "fr"})
    assert answer.status_code == 200
    assert "n'a pas encore été analysée : elle compte 2 relevés" in answer.json()["explanation"]
    assert api.get(f"/v1/sessions/{session_id}/explain?lang=fr", headers=tenant.headers).json()["cached"] is True


@pytest.mark.parametrize(
    ("method", "suffix", "body", "params"),
    [
        ("GET", "explain", None, {"lang": "xx"}),
        ("POST", "explain", {"lang": "klingon"}, None),
        ("POST", "ask", {"question": "Why?", "lang": "zz"}, None),
    ],
)
def test_an_unknown_language_is_422_naming_it(
    api: Any, tenant: Any, method: str, suffix: str, body: Any, params: Any
) -> None:
    session_id = analysed(api, tenant, n=4)
    answer = api.request(
        method, f"/v1/sessions/{session_id}/{suffix}", json=body, params=params, headers=tenant.headers
    )
    refused = error(answer, 422)
    value = (params or body)["lang"]
    assert repr(value) in refused["message"]
    assert refused["details"]["fields"][0]["field"] == "lang"


def test_bodies_are_checked(api: Any, tenant: Any) -> None:
    session_id = analysed(api, tenant, n=4)
    error(explain(api, tenant, session_id, {"regenerate": "yes"}), 422)
    ask = f"/v1/sessions/{session_id}/ask"
    error(api.post(ask, json={"lang": "en"}, headers=tenant.headers), 422)
    error(api.post(ask, json={"question": ""}, headers=tenant.headers), 422)
    error(api.post(ask, json={"question": "x" * 2001}, headers=tenant.headers), 422)
    error(api.post(ask, content=b"{not json", headers={**tenant.headers, "Content-Type": "application/json"}), 400)


def test_ask_answers_from_the_facts_in_the_asked_language(api: Any, tenant: Any) -> None:
    session_id = analysed(api, tenant)
    ask = f"/v1/sessions/{session_id}/ask"
    english = api.post(ask, json={"question": "How much energy was delivered?"}, headers=tenant.headers)
    assert english.status_code == 200 and english.json()["sessionId"] == session_id
    assert "kWh" in english.json()["answer"] and "The session delivered" in english.json()["answer"]
    dutch = api.post(ask, json={"question": "Hoeveel energie is geleverd?", "lang": "nl"}, headers=tenant.headers)
    assert "De sessie leverde" in dutch.json()["answer"]
    unknown = api.post(ask, json={"question": "Who was driving?", "lang": "pl"}, headers=tenant.headers)
    assert unknown.json()["answer"] == PHRASES["pl"].not_in_data


def test_another_tenant_and_a_missing_session_get_the_same_404(api: Any, tenant: Any, new_tenant: Any) -> None:
    session_id = analysed(api, tenant)
    assert explain(api, tenant, session_id).status_code == 200
    other = new_tenant()
    for sid in (session_id, f"missing-{uuid.uuid4().hex[:8]}"):
        answers = [
            api.get(f"/v1/sessions/{sid}/explain", headers=other.headers),
            api.post(f"/v1/sessions/{sid}/explain", json={"lang": "en"}, headers=other.headers),
            api.post(f"/v1/sessions/{sid}/ask", json={"question": "Why?"}, headers=other.headers),
        ]
        for answer in answers:
            assert error(answer, 404)["message"] == f"Session {sid} was not found."
