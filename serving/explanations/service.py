"""Explain Session, Get Session Explanation and Ask Session: a session's facts from storage, written up
by the `Writer`, explanations cached per session, language and analysis (docs/explain.md).

A session without an analysis (too few readings, analysis pending or failed) is explained too: the
text says why there is no analysis yet, from the same facts. Its cache entry is tied to the
session's revision, so the next write (which may bring the analysis) is explained afresh.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from evwatch.clock import utc_now
from evwatch.domain.errors import NotFound
from evwatch.domain.explain.facts import SHADE_DAYS, OpenIssue, SessionFacts, analysis_version, session_facts
from evwatch.domain.explain.languages import check_language
from evwatch.domain.readings import StoredReading
from evwatch.domain.session_log import SessionHead
from evwatch.domain.sessions import AnalysisFailure, AnalysisRecord, failure_applies
from evwatch.domain.stations import StationAggregate, StationInferenceRow, StationRecord
from evwatch.storage.explanations import CachedExplanation
from serving.explanations.schemas import AskSessionResponse, SessionExplanation
from serving.explanations.writer import Writer


class SessionReads(Protocol):
    """What the facts need from `evwatch.storage.sessions.ClickHouseSessionStore`."""

    def heads(
        self, tenant_id: str, session_ids: Iterable[str], slots: Sequence[str] = ()
    ) -> tuple[dict[str, SessionHead], set[str]]: ...
    def load_readings(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, list[StoredReading]]: ...
    def current_analyses(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, AnalysisRecord]: ...
    def latest_failures(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, AnalysisFailure]: ...


class StationReads(Protocol):
    """What the facts need from `evwatch.storage.stations.ClickHouseStationStore`."""

    def get_station(self, tenant_id: str, station_id: str) -> StationRecord | None: ...
    def get_station_aggregate(self, tenant_id: str, station_id: str) -> StationAggregate | None: ...
    def list_station_inferences(
        self, tenant_id: str, station_id: str, page: int, page_size: int
    ) -> tuple[list[StationInferenceRow], int]: ...


class OpenIssues(Protocol):
    """The unresolved issues that cover a session (`evwatch.storage.anomalies.ClickHouseTriageStore`)."""

    def open_issues(self, tenant_id: str, session_id: str) -> list[OpenIssue]: ...


class ExplanationCache(Protocol):
    """`evwatch.storage.explanations.ClickHouseExplanationStore`."""

    def find(self, tenant_id: str, session_id: str, lang: str, analysis_version: str) -> CachedExplanation | None: ...
    def save(self, explanation: CachedExplanation) -> None: ...


@dataclass(frozen=True, slots=True)
class _Shown:
    """The session as it stands, and which analysis it shows."""

    head: SessionHead
    analysis: AnalysisRecord | None

    @property
    def version(self) -> str:
        return analysis_version(self.analysis, self.head.revision)


class ExplanationService:
    """Explanations (cached) and answers about one session of the caller's tenant."""

    def __init__(
        self,
        sessions: SessionReads,
        stations: StationReads,
        issues: OpenIssues,
        cache: ExplanationCache,
        writer: Writer,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._sessions = sessions
        self._stations = stations
        self._issues = issues
        self._cache = cache
        self._writer = writer
        self._clock = clock

    def cached(self, tenant_id: str, session_id: str, lang: str) -> SessionExplanation:
        """Get Session Explanation: the cached explanation of the analysis the session shows; never generates."""
        lang = check_language(lang)
        shown = self._shown(tenant_id, session_id)
        found = self._cache.find(tenant_id, session_id, lang, shown.version)
        if found is None:
            raise NotFound(
                f"No explanation of session {session_id} in {lang!r} is cached for its current analysis; "
                f"create one with POST /v1/sessions/{session_id}/explain."
            )
        return SessionExplanation(session_id=session_id, explanation=found.explanation, cached=True)

    def explain(self, tenant_id: str, session_id: str, lang: str, regenerate: bool) -> SessionExplanation:
        """Explain Session: the cached explanation unless `regenerate`, else a fresh one, stored."""
        lang = check_language(lang)
        shown = self._shown(tenant_id, session_id)
        if not regenerate:
            found = self._cache.find(tenant_id, session_id, lang, shown.version)
            if found is not None:
                return SessionExplanation(session_id=session_id, explanation=found.explanation, cached=True)
        written = self._writer.explain(self._facts(tenant_id, shown), lang)
        self._cache.save(
            CachedExplanation(
                tenant_id=tenant_id,
                session_id=session_id,
                lang=lang,
                analysis_version=shown.version,
                explanation=written.text,
                engine=written.engine,
                model=written.model,
                fallback_reason=written.fallback_reason,
                generated_at=self._clock(),
            )
        )
        return SessionExplanation(session_id=session_id, explanation=written.text, cached=False)

    def ask(self, tenant_id: str, session_id: str, question: str, lang: str) -> AskSessionResponse:
        """Ask Session: one question answered from the session's facts (not cached)."""
        lang = check_language(lang)
        facts = self._facts(tenant_id, self._shown(tenant_id, session_id))
        return AskSessionResponse(session_id=session_id, answer=self._writer.answer(facts, question, lang).text)

    def _shown(self, tenant_id: str, session_id: str) -> _Shown:
        heads, _ = self._sessions.heads(tenant_id, [session_id])
        if session_id not in heads:
            raise NotFound(f"Session {session_id} was not found.")
        return _Shown(heads[session_id], self._sessions.current_analyses(tenant_id, [session_id]).get(session_id))

    def _facts(self, tenant_id: str, shown: _Shown) -> SessionFacts:
        session = shown.head.session
        sid, station_id = session.session_id, session.charging_station_id
        readings = self._sessions.load_readings(tenant_id, [sid]).get(sid, [])
        failure = self._sessions.latest_failures(tenant_id, [sid]).get(sid)
        shade, _ = self._stations.list_station_inferences(tenant_id, station_id, 0, SHADE_DAYS)
        return session_facts(
            session=session,
            readings=readings,
            analysis=shown.analysis,
            failed=failure_applies(failure, shown.analysis, shown.head.base_revision),
            station=self._stations.get_station(tenant_id, station_id),
            aggregate=self._stations.get_station_aggregate(tenant_id, station_id),
            shade=shade,
            issues=self._issues.open_issues(tenant_id, sid),
        )
