"""SQL of the explanation cache (`session_explanations`, migration 0014)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from clickhouse_connect.driver.client import Client

_COLUMNS = [
    "tenant_id",
    "session_id",
    "lang",
    "analysis_version",
    "explanation",
    "engine",
    "model",
    "fallback_reason",
    "generated_at",
]


@dataclass(frozen=True, slots=True)
class CachedExplanation:
    """One explanation of one session in one language, of the analysis named by `analysis_version`."""

    tenant_id: str
    session_id: str
    lang: str
    analysis_version: str
    explanation: str
    # "template" or "llm"; `model` is the LLM asked (empty without one), `fallback_reason` why its
    # answer was not used
    engine: str
    model: str
    fallback_reason: str | None
    generated_at: datetime


class ClickHouseExplanationStore:
    """Reads and writes cached explanations."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def find(self, tenant_id: str, session_id: str, lang: str, analysis_version: str) -> CachedExplanation | None:
        """The cached explanation of this session, language and analysis, or None."""
        rows = self._client.query(
            f"SELECT {', '.join(_COLUMNS)} FROM session_explanations FINAL WHERE tenant_id = {{t:String}} "
            "AND session_id = {s:String} AND lang = {l:String} AND analysis_version = {v:String}",
            parameters={"t": tenant_id, "s": session_id, "l": lang, "v": analysis_version},
        ).result_rows
        if not rows:
            return None
        t, s, lang_, version, text, engine, model, reason, at = rows[0]
        return CachedExplanation(t, s, lang_, version, text, engine, model, reason or None, at)

    def save(self, explanation: CachedExplanation) -> None:
        """Store (or replace) an explanation."""
        e = explanation
        row = [
            e.tenant_id,
            e.session_id,
            e.lang,
            e.analysis_version,
            e.explanation,
            e.engine,
            e.model,
            e.fallback_reason or "",
            e.generated_at,
        ]
        self._client.insert("session_explanations", [row], column_names=_COLUMNS)
