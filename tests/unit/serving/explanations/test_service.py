"""Explain, get and ask over an in-memory session store (sessions made by the session service with a
fake network), in-memory stations and cache."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import msgspec
import pytest

from evwatch.analysis import SessionAnalyser
from evwatch.contracts.meter_values import CreateSessionRequest, UpdateSessionRequest
from evwatch.domain.bounds import Bounds
from evwatch.domain.errors import InvalidInput, NotFound
from evwatch.domain.explain.facts import OpenIssue
from evwatch.domain.explain.phrases import PHRASES
from evwatch.domain.stations import StationAggregate, StationInferenceRow, StationRecord
from evwatch.llm import ChatError
from evwatch.storage.explanations import CachedExplanation
from serving.explanations.service import ExplanationService
from serving.explanations.writer import Writer
from serving.sessions.service import SessionService
from tests.fakes.inference import FakeCsar2
from tests.fakes.stores import InMemorySessionStore
from tests.support.explanations import T0


@dataclass
class Stations:
    """The station reads, over one station with a tariff and no SHADE results."""

    record: StationRecord | None = None
    aggregate: StationAggregate | None = None

    def get_station(self, tenant_id: str, station_id: str) -> StationRecord | None:
        return self.record if self.record and (tenant_id, station_id) == (self.record.tenant_id, "ST") else None

    def get_station_aggregate(self, tenant_id: str, station_id: str) -> StationAggregate | None:
        return self.aggregate

    def list_station_inferences(
        self, tenant_id: str, station_id: str, page: int, page_size: int
    ) -> tuple[list[StationInferenceRow], int]:
        return [], 0


@dataclass
class Cache:
    rows: dict[tuple[str, str, str, str], CachedExplanation] = field(default_factory=dict)

    def find(self, tenant_id: str, session_id: str, lang: str, analysis_version: str) -> CachedExplanation | None:
        return self.rows.get((tenant_id, session_id, lang, analysis_version))

    def save(self, explanation: CachedExplanation) -> None:
        e = explanation
        self.rows[(e.tenant_id, e.session_id, e.lang, e.analysis_version)] = e


@dataclass
class Issues:
    def open_issues(self, tenant_id: str, session_id: str) -> list[OpenIssue]:
        return [OpenIssue("iss-1", "KWH_DECREASE", "OPEN", "ann@example.com")] if session_id == "s1" else []


class FailingChat:
    model = "stub"

    def complete(self, messages: Any) -> str:
        raise ChatError("the endpoint answered HTTP 500")


class Harness:
    def __init__(self, writer: Writer | None = None) -> None:
        ticks = itertools.count()

        def clock() -> datetime:
            return T0 + timedelta(seconds=next(ticks))

        self.store = InMemorySessionStore()
        self.sessions = SessionService(
            self.store, SessionAnalyser(self.store, FakeCsar2(), clock=clock), Bounds(), clock
        )
        self.cache = Cache()
        stations = Stations(StationRecord("t", "ST", "ST", "ST", tariff_per_kwh=0.3, currency="EUR"))
        self.service = ExplanationService(self.store, stations, Issues(), self.cache, writer or Writer(), clock)

    def create(self, session_id: str, kwh: list[float], tenant: str = "t") -> None:
        values = [
            {"timestamp": (T0 + timedelta(minutes=5 * i)).isoformat(), "value": v, "unit": "kWh"}
            for i, v in enumerate(kwh)
        ]
        body = {"sessionId": session_id, "chargingStationId": "ST", "connectorId": "1", "meterValues": values}
        self.sessions.create(tenant, msgspec.convert(body, CreateSessionRequest))


@pytest.fixture
def h() -> Harness:
    harness = Harness()
    harness.create("s1", [0.0, 2.0, 4.0, 1.0, 3.0])
    return harness


def test_explain_caches_per_language_and_reuses_unless_regenerated(h: Harness) -> None:
    first = h.service.explain("t", "s1", "en", regenerate=False)
    assert first.cached is False and first.session_id == "s1"
    assert "KWH_DECREASE" not in first.explanation and PHRASES["en"].categories["KWH_DECREASE"][0] in first.explanation
    assert "iss-1" in first.explanation and "ann@example.com" in first.explanation
    again = h.service.explain("t", "s1", "en", regenerate=False)
    assert (again.cached, again.explanation) == (True, first.explanation)
    assert h.service.cached("t", "s1", "en").explanation == first.explanation
    fresh = h.service.explain("t", "s1", "en", regenerate=True)
    assert fresh.cached is False
    dutch = h.service.explain("t", "s1", "NL", regenerate=False)
    assert dutch.cached is False and dutch.explanation != first.explanation
    assert {key[2] for key in h.cache.rows} == {"en", "nl"}
    (row,) = [r for r in h.cache.rows.values() if r.lang == "en"]
    assert (row.engine, row.model, row.fallback_reason) == ("template", "", None)


def test_get_never_generates(h: Harness) -> None:
    with pytest.raises(NotFound, match="No explanation of session s1 in 'de'"):
        h.service.cached("t", "s1", "de")
    assert not h.cache.rows


def test_a_new_analysis_is_explained_afresh(h: Harness) -> None:
    h.service.explain("t", "s1", "en", regenerate=False)
    h.sessions.append(
        "t",
        "s1",
        msgspec.convert(
            {"meterValues": [{"timestamp": (T0 + timedelta(hours=1)).isoformat(), "value": 9.0, "unit": "kWh"}]},
            UpdateSessionRequest,
        ),
    )
    with pytest.raises(NotFound):
        h.service.cached("t", "s1", "en")
    assert h.service.explain("t", "s1", "en", regenerate=False).cached is False


def test_a_session_without_an_analysis_is_explained_as_such_until_its_next_write(h: Harness) -> None:
    h.create("s2", [0.0, 1.0])
    text = h.service.explain("t", "s2", "en", regenerate=False).explanation
    assert "has not been analysed yet: it has 2 meter values and the analysis needs at least 3" in text
    assert ("t", "s2", "en", "unanalysed:1") in h.cache.rows
    h.sessions.append(
        "t",
        "s2",
        msgspec.convert(
            {"meterValues": [{"timestamp": (T0 + timedelta(minutes=10)).isoformat(), "value": 2.0, "unit": "kWh"}]},
            UpdateSessionRequest,
        ),
    )
    with pytest.raises(NotFound):
        h.service.cached("t", "s2", "en")
    assert "was analysed by" in h.service.explain("t", "s2", "en", regenerate=False).explanation


@pytest.mark.parametrize("caller", ["t", "other"])
def test_a_session_the_tenant_does_not_have_is_not_found(h: Harness, caller: str) -> None:
    session_id = "s1" if caller == "other" else "missing"
    for call in (
        lambda: h.service.explain(caller, session_id, "en", regenerate=False),
        lambda: h.service.cached(caller, session_id, "en"),
        lambda: h.service.ask(caller, session_id, "why?", "en"),
    ):
        with pytest.raises(NotFound, match=f"^Session {session_id} was not found.$"):
            call()


def test_an_unknown_language_is_refused_before_anything_is_read(h: Harness) -> None:
    for call in (
        lambda: h.service.explain("t", "missing", "xx", regenerate=False),
        lambda: h.service.cached("t", "missing", "xx"),
        lambda: h.service.ask("t", "missing", "why?", "xx"),
    ):
        with pytest.raises(InvalidInput, match="'xx'"):
            call()


def test_ask_answers_from_the_facts_or_says_the_data_does_not_show_it(h: Harness) -> None:
    energy = h.service.ask("t", "s1", "Wie viel Energie wurde geliefert?", "de")
    assert energy.session_id == "s1" and "kWh" in energy.answer
    assert h.service.ask("t", "s1", "Who was driving?", "fr").answer == PHRASES["fr"].not_in_data
    assert not h.cache.rows


def test_a_failed_llm_is_recorded_with_the_cached_explanation() -> None:
    h = Harness(Writer(FailingChat()))
    h.create("s1", [0.0, 2.0, 4.0])
    h.service.explain("t", "s1", "pl", regenerate=False)
    (row,) = h.cache.rows.values()
    assert (row.engine, row.model) == ("template", "stub")
    assert row.fallback_reason == "the LLM gave no answer: the endpoint answered HTTP 500"
