"""What evwatch knows about one session, gathered into plain records: the only source of an
explanation's or an answer's numbers (`grounding` lists them), and what an LLM is shown (`context`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from evwatch.domain import billing
from evwatch.domain.categories import UNDER_BILLING_CATEGORIES
from evwatch.domain.explain.grounding import Grounding, GroundingBuilder, rounded
from evwatch.domain.ocpp import ENERGY, POWER
from evwatch.domain.readings import StoredReading
from evwatch.domain.sessions import MIN_READINGS, AnalysisRecord, SessionRecord
from evwatch.domain.stations import StationAggregate, StationInferenceRow, StationRecord

# Readings shown on each side of an anomaly's time range.
AROUND = 3
# The station's most recent SHADE day results taken into account.
SHADE_DAYS = 7
# Where a session stands with its analysis.
ANALYSED = "analysed"
TOO_FEW_READINGS = "too_few_readings"
PENDING = "pending"
FAILED = "failed"
# Measured figures are kept to 4 decimals: the LLM sees what the check compares with.
_KEPT_PLACES = 4


def _kept(value: float) -> float:
    return float(rounded(value, _KEPT_PLACES))


def _kept_or_none(value: float | None) -> float | None:
    return None if value is None else _kept(value)


class OpenIssue(NamedTuple):
    """An open issue that covers the session (provided by the anomalies slice through `OpenIssues`)."""

    issue_id: str
    category: str
    status: str
    assigned_to: str | None


@dataclass(frozen=True, slots=True)
class ReadingPoint:
    """The energy register (kWh) and power (kW) at one instant; None where not read then."""

    timestamp: datetime
    energy_kwh: float | None
    power_kw: float | None


@dataclass(frozen=True, slots=True)
class CategoryFacts:
    """One anomaly of the analysis, and the readings around its time range."""

    category: str
    score: float
    confidence: float
    start: datetime
    end: datetime
    before: tuple[ReadingPoint, ...]
    # the first and the last reading inside the range
    during: tuple[ReadingPoint, ...]
    after: tuple[ReadingPoint, ...]
    # the register at or just before the start, and at or just after the end
    register_before: ReadingPoint | None
    register_after: ReadingPoint | None
    peak_power_kw: float | None
    # kWh delivered and not billed; None for categories that cannot leave energy unbilled
    lost_kwh: float | None


@dataclass(frozen=True, slots=True)
class AnalysisFacts:
    """The CSAR-2 analysis the session shows now."""

    inference_id: str
    model_version: str
    analyzed_at: datetime
    anomaly_score: float
    anomaly_confidence: float
    is_anomaly: bool
    is_incident: bool
    is_recurring: bool
    categories: tuple[CategoryFacts, ...]


@dataclass(frozen=True, slots=True)
class ShadeDay:
    """One SHADE result of the station."""

    local_date: date
    is_anomaly: bool
    is_partial: bool
    anomaly_type: str | None
    day_score: float
    expected_kwh: float
    actual_kwh: float


@dataclass(frozen=True, slots=True)
class StationFacts:
    """The station's record: session counts (None until its aggregate exists) and recent SHADE days."""

    station_id: str
    total_sessions: int | None
    anomalous_sessions: int | None
    # newest first, at most SHADE_DAYS
    recent_days: tuple[ShadeDay, ...]

    @property
    def anomalous_days(self) -> tuple[ShadeDay, ...]:
        """The recent days SHADE flagged, newest first."""
        return tuple(d for d in self.recent_days if d.is_anomaly)


@dataclass(frozen=True, slots=True)
class RevenueFacts:
    """The session's money (`evwatch/domain/billing.py`); None where the tariff or energy is unknown."""

    energy_kwh: float | None
    tariff_per_kwh: float | None
    currency: str | None
    revenue: float | None
    billing_relevant: bool
    lost_kwh: float
    lost_revenue: float | None


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """Everything an explanation or an answer may say about one session."""

    session_id: str
    station_id: str
    connector_id: str | None
    status: str
    created_at: datetime
    reading_count: int
    first_reading_at: datetime | None
    last_reading_at: datetime | None
    peak_power_kw: float | None
    state: str
    min_readings: int
    analysis: AnalysisFacts | None
    station: StationFacts
    revenue: RevenueFacts
    issues: tuple[OpenIssue, ...]


def analysis_version(analysis: AnalysisRecord | None, revision: int) -> str:
    """What a cached explanation explains: the analysis shown, or the unanalysed session at a revision."""
    return analysis.inference_id if analysis is not None else f"unanalysed:{revision}"


def _points(readings: Sequence[StoredReading]) -> list[ReadingPoint]:
    """Energy and power readings (whole-session values, not per phase) merged per instant, in time order."""
    energy: dict[datetime, float] = {}
    power: dict[datetime, float] = {}
    for r in readings:
        if r.phase is None and not r.reconstructed:
            if r.measurand == ENERGY:
                energy[r.timestamp] = _kept(r.value)
            elif r.measurand == POWER:
                power[r.timestamp] = _kept(r.value)
    return [ReadingPoint(t, energy.get(t), power.get(t)) for t in sorted(energy.keys() | power.keys())]


def _peak(points: Sequence[ReadingPoint]) -> float | None:
    powers = [p.power_kw for p in points if p.power_kw is not None]
    return max(powers) if powers else None


def _category(
    anomaly_category: str,
    score: float,
    confidence: float,
    start: datetime,
    end: datetime,
    points: list[ReadingPoint],
    metered: Sequence[StoredReading],
) -> CategoryFacts:
    inside = [p for p in points if start <= p.timestamp <= end]
    registers = [p for p in points if p.energy_kwh is not None]
    lost = (
        _kept(billing.lost_kwh_in(anomaly_category, start, end, metered))
        if anomaly_category in UNDER_BILLING_CATEGORIES
        else None
    )
    return CategoryFacts(
        category=anomaly_category,
        score=_kept(score),
        confidence=_kept(confidence),
        start=start,
        end=end,
        before=tuple([p for p in points if p.timestamp < start][-AROUND:]),
        during=tuple(dict.fromkeys(inside[:1] + inside[-1:])),
        after=tuple([p for p in points if p.timestamp > end][:AROUND]),
        register_before=next((p for p in reversed(registers) if p.timestamp <= start), None),
        register_after=next((p for p in registers if p.timestamp >= end), None),
        peak_power_kw=_peak(inside),
        lost_kwh=lost,
    )


def _analysis(analysis: AnalysisRecord, points: list[ReadingPoint], metered: Sequence[StoredReading]) -> AnalysisFacts:
    return AnalysisFacts(
        inference_id=analysis.inference_id,
        model_version=analysis.model_version,
        analyzed_at=analysis.analyzed_at,
        anomaly_score=_kept(analysis.anomaly_score),
        anomaly_confidence=_kept(analysis.anomaly_confidence),
        is_anomaly=analysis.is_anomaly,
        is_incident=analysis.is_incident,
        is_recurring=analysis.is_recurring,
        categories=tuple(
            _category(a.category, a.score, a.confidence, a.start_ts, a.end_ts, points, metered)
            for a in analysis.anomalies
        ),
    )


def _station(station_id: str, aggregate: StationAggregate | None, shade: Sequence[StationInferenceRow]) -> StationFacts:
    newest = sorted(shade, key=lambda r: (r.analyzed_at, r.day_start), reverse=True)[:SHADE_DAYS]
    return StationFacts(
        station_id=station_id,
        total_sessions=None if aggregate is None else aggregate.total_sessions,
        anomalous_sessions=None if aggregate is None else aggregate.anomalous_sessions,
        recent_days=tuple(
            ShadeDay(
                r.local_date,
                r.is_anomaly,
                r.is_partial,
                r.anomaly_type,
                _kept(r.day_score),
                _kept(r.expected_energy_kwh),
                _kept(r.actual_energy_kwh),
            )
            for r in newest
        ),
    )


def _revenue(
    metered: Sequence[StoredReading], analysis: AnalysisFacts | None, station: StationRecord | None
) -> RevenueFacts:
    energy = _kept_or_none(billing.register_delta_kwh(metered))
    tariff = None if station is None else station.tariff_per_kwh
    categories = [] if analysis is None else analysis.categories
    lost = _kept(sum(c.lost_kwh or 0.0 for c in categories))
    return RevenueFacts(
        energy_kwh=energy,
        tariff_per_kwh=tariff,
        currency=None if station is None else station.currency,
        revenue=_kept(billing.revenue(energy, tariff)) if energy is not None and tariff is not None else None,
        billing_relevant=billing.is_billing_relevant(c.category for c in categories),
        lost_kwh=lost,
        lost_revenue=_kept(billing.revenue(lost, tariff)) if tariff is not None else None,
    )


def session_facts(
    session: SessionRecord,
    readings: Sequence[StoredReading],
    analysis: AnalysisRecord | None,
    failed: bool,
    station: StationRecord | None,
    aggregate: StationAggregate | None,
    shade: Sequence[StationInferenceRow],
    issues: Sequence[OpenIssue],
) -> SessionFacts:
    """The facts of a session from what storage holds; `failed`: its current readings failed to analyse."""
    points = _points(readings)
    metered = sorted(
        (r for r in readings if r.phase is None and not r.reconstructed and r.measurand in (ENERGY, POWER)),
        key=lambda r: r.timestamp,
    )
    facts = None if analysis is None else _analysis(analysis, points, metered)
    if facts is not None:
        state = ANALYSED
    elif failed:
        state = FAILED
    elif len(readings) < MIN_READINGS:
        state = TOO_FEW_READINGS
    else:
        state = PENDING
    stamps = sorted(r.timestamp for r in readings)
    return SessionFacts(
        session_id=session.session_id,
        station_id=session.charging_station_id,
        connector_id=session.connector_id,
        status=session.status,
        created_at=session.created_at,
        reading_count=len(readings),
        first_reading_at=stamps[0] if stamps else None,
        last_reading_at=stamps[-1] if stamps else None,
        peak_power_kw=_peak(points),
        state=state,
        min_readings=MIN_READINGS,
        analysis=facts,
        station=_station(session.charging_station_id, aggregate, shade),
        revenue=_revenue(metered, facts, station),
        issues=tuple(issues),
    )


def grounding(facts: SessionFacts) -> Grounding:
    """Every number, date, time and identifier the facts hold (`grounding` module for the rules)."""
    g = GroundingBuilder()
    for name in (facts.session_id, facts.station_id, facts.connector_id, facts.status, facts.revenue.currency):
        g.name(name)
    for n in (facts.reading_count, facts.min_readings, len(facts.issues)):
        g.count(n)
    for t in (facts.created_at, facts.first_reading_at, facts.last_reading_at):
        g.moment(t)
    g.value(facts.peak_power_kw)
    r = facts.revenue
    for v in (r.energy_kwh, r.tariff_per_kwh, r.revenue, r.lost_kwh, r.lost_revenue):
        g.value(v)
    if facts.analysis is not None:
        a = facts.analysis
        g.name(a.model_version)
        g.name(a.inference_id)
        g.moment(a.analyzed_at)
        g.ratio(a.anomaly_score)
        g.ratio(a.anomaly_confidence)
        g.count(len(a.categories))
        for c in a.categories:
            g.ratio(c.score)
            g.ratio(c.confidence)
            g.moment(c.start)
            g.moment(c.end)
            g.value(c.peak_power_kw)
            g.value(c.lost_kwh)
            for p in (*c.before, *c.during, *c.after, c.register_before, c.register_after):
                if p is not None:
                    g.moment(p.timestamp)
                    g.value(p.energy_kwh)
                    g.value(p.power_kw)
    s = facts.station
    g.count(s.total_sessions)
    g.count(s.anomalous_sessions)
    g.count(len(s.recent_days))
    g.count(len(s.anomalous_days))
    for d in s.recent_days:
        g.day(d.local_date)
        g.ratio(d.day_score)
        g.value(d.expected_kwh)
        g.value(d.actual_kwh)
    for issue in facts.issues:
        g.name(issue.issue_id)
        g.name(issue.assigned_to)
    return g.build()
