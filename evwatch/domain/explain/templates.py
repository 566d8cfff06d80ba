"""The deterministic engine: explanations and answers written from the facts in every language.

Each text is a few short paragraphs of sentences from `phrases`, filled only with figures formatted
from the facts, so `grounding` holds every number in it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from evwatch.domain.explain import intents
from evwatch.domain.explain.facts import FAILED, PENDING, TOO_FEW_READINGS, CategoryFacts, SessionFacts
from evwatch.domain.explain.formatting import day, moment
from evwatch.domain.explain.phrasebook import Phrases
from evwatch.domain.explain.phrases import PHRASES

Sentences = list[str]


def _subject(p: Phrases, f: SessionFacts) -> str:
    if f.connector_id:
        return p.session_connector.format(session=f.session_id, station=f.station_id, connector=f.connector_id)
    return p.session.format(session=f.session_id, station=f.station_id)


def _state(p: Phrases, f: SessionFacts) -> Sentences:
    """Why there is no analysis to explain."""
    subject = _subject(p, f)
    if f.state == TOO_FEW_READINGS:
        return [p.too_few.format(subject=subject, count=f.reading_count, minimum=f.min_readings)]
    if f.state == PENDING:
        return [p.pending.format(subject=subject)]
    if f.state == FAILED:
        return [p.failed.format(subject=subject)]
    return []


def _headline(p: Phrases, f: SessionFacts) -> Sentences:
    a = f.analysis
    if a is None:
        return _state(p, f)
    n = p.numbers
    fields = {"subject": _subject(p, f), "model": a.model_version, "analysed": moment(a.analyzed_at)}
    if not a.is_anomaly:
        return [p.clean.format(score=n.pct(a.anomaly_score), **fields)]
    out = [p.flagged.format(score=n.pct(a.anomaly_score), confidence=n.pct(a.anomaly_confidence), **fields)]
    if a.is_incident:
        out.append(p.incident)
    if a.is_recurring:
        out.append(p.recurring)
    return out


def _label(p: Phrases, category: str) -> tuple[str, str]:
    return p.categories.get(category, (category, ""))


def _category(p: Phrases, c: CategoryFacts, detail: bool) -> Sentences:
    n = p.numbers
    label, description = _label(p, c.category)
    out = [
        p.category.format(
            label=label,
            start=moment(c.start),
            end=moment(c.end),
            score=n.pct(c.score),
            confidence=n.pct(c.confidence),
        )
    ]
    if description:
        out.append(description)
    if not detail:
        return out
    before, after = c.register_before, c.register_after
    if before is not None and after is not None and before.energy_kwh is not None and after.energy_kwh is not None:
        out.append(
            p.register_around.format(
                before=n.kwh(before.energy_kwh),
                before_at=moment(before.timestamp),
                after=n.kwh(after.energy_kwh),
                after_at=moment(after.timestamp),
            )
        )
    elif before is not None and before.energy_kwh is not None:
        out.append(p.register_before.format(kwh=n.kwh(before.energy_kwh), at=moment(before.timestamp)))
    elif after is not None and after.energy_kwh is not None:
        out.append(p.register_after.format(kwh=n.kwh(after.energy_kwh), at=moment(after.timestamp)))
    if c.peak_power_kw is not None:
        out.append(p.peak_during.format(kw=n.kw(c.peak_power_kw)))
    if c.lost_kwh:
        out.append(p.lost_during.format(kwh=n.kwh(c.lost_kwh)))
    return out


def _findings(p: Phrases, f: SessionFacts, detail: bool) -> Sentences:
    if f.analysis is None:
        return _state(p, f)
    if not f.analysis.categories:
        return [p.no_findings]
    return [s for c in f.analysis.categories for s in _category(p, c, detail)]


def _why(p: Phrases, f: SessionFacts) -> Sentences:
    if f.analysis is None:
        return _state(p, f)
    return [*_headline(p, f), *(_findings(p, f, detail=False) if f.analysis.categories else [])]


def _anomalies(p: Phrases, f: SessionFacts) -> Sentences:
    return _findings(p, f, detail=True)


def _energy(p: Phrases, f: SessionFacts) -> Sentences:
    n = p.numbers
    if f.first_reading_at is None or f.last_reading_at is None:
        return [p.no_readings]
    kwh = f.revenue.energy_kwh
    if kwh is None:
        out = [p.energy_unknown]
    else:
        out = [p.energy.format(kwh=n.kwh(kwh), first=moment(f.first_reading_at), last=moment(f.last_reading_at))]
    if f.peak_power_kw is not None:
        out.append(p.peak.format(kw=n.kw(f.peak_power_kw)))
    return out


def _revenue(p: Phrases, f: SessionFacts) -> Sentences:
    n = p.numbers
    r = f.revenue
    out: Sentences = []
    if r.tariff_per_kwh is None or r.currency is None:
        out.append(p.no_tariff)
    elif r.revenue is None:
        out.append(p.no_energy_revenue)
    else:
        out.append(p.revenue.format(rate=n.rate(r.tariff_per_kwh), currency=r.currency, amount=n.money(r.revenue)))
    if r.billing_relevant:
        out.append(p.at_risk)
    elif f.analysis is not None:
        out.append(p.bill_ok)
    if r.lost_kwh:
        if r.lost_revenue is not None and r.currency is not None:
            out.append(p.lost.format(kwh=n.kwh(r.lost_kwh), amount=n.money(r.lost_revenue), currency=r.currency))
        else:
            out.append(p.lost_energy.format(kwh=n.kwh(r.lost_kwh)))
    return out


def _money(p: Phrases, f: SessionFacts) -> Sentences:
    """The revenue impact after the energy it is computed from."""
    return [*_energy(p, f)[:1], *_revenue(p, f)]


def _station(p: Phrases, f: SessionFacts) -> Sentences:
    s = f.station
    if s.total_sessions is None or s.anomalous_sessions is None:
        out = [p.station_unknown.format(station=s.station_id)]
    else:
        out = [p.station_sessions.format(station=s.station_id, anomalous=s.anomalous_sessions, total=s.total_sessions)]
    if not s.recent_days:
        return [*out, p.shade_none]
    out.append(p.shade.format(anomalous=len(s.anomalous_days), days=len(s.recent_days)))
    if s.anomalous_days:
        latest = s.anomalous_days[0]
        kind = p.station_types.get(latest.anomaly_type or "", latest.anomaly_type or p.station_types[""])
        out.append(p.shade_latest.format(day=day(latest.local_date), kind=kind))
    return out


def _issues(p: Phrases, f: SessionFacts) -> Sentences:
    if not f.issues:
        return [p.no_issues]
    items = [
        p.issue.format(
            issue=i.issue_id,
            category=_label(p, i.category)[0],
            status=i.status,
            assignee=p.assigned.format(who=i.assigned_to) if i.assigned_to else p.unassigned,
        )
        for i in f.issues
    ]
    return [p.issues.format(items="; ".join(items))]


def _when(p: Phrases, f: SessionFacts) -> Sentences:
    out: Sentences = []
    if f.first_reading_at is not None and f.last_reading_at is not None:
        out.append(p.readings_span.format(first=moment(f.first_reading_at), last=moment(f.last_reading_at)))
    else:
        out.append(p.no_readings)
    out.append(p.created.format(created=moment(f.created_at)))
    if f.analysis is None:
        return [*out, *_state(p, f)]
    out.append(p.analysed.format(analysed=moment(f.analysis.analyzed_at)))
    for c in f.analysis.categories:
        out.append(p.span.format(label=_label(p, c.category)[0], start=moment(c.start), end=moment(c.end)))
    return out


def _paragraphs(parts: Sequence[Sentences]) -> str:
    return "\n\n".join(" ".join(part) for part in parts if part)


def explanation(facts: SessionFacts, lang: str) -> str:
    """The explanation of a session: its analysis and findings, energy and money, station, issues."""
    p = PHRASES[lang]
    findings = _findings(p, facts, detail=True) if facts.analysis is not None and facts.analysis.is_anomaly else []
    return _paragraphs(
        [
            [*_headline(p, facts), *findings],
            [*_energy(p, facts), *_revenue(p, facts)],
            _station(p, facts),
            _issues(p, facts),
        ]
    )


_ANSWERS: dict[str, Callable[[Phrases, SessionFacts], Sentences]] = {
    intents.WHY: _why,
    intents.ANOMALIES: _anomalies,
    intents.WHEN: _when,
    intents.ENERGY: _energy,
    intents.REVENUE: _money,
    intents.STATION: _station,
    intents.ISSUES: _issues,
}


def answer(facts: SessionFacts, asked: Sequence[str], lang: str) -> str:
    """The answer to a question that asks `asked` (intents); with none, what the data can answer instead."""
    p = PHRASES[lang]
    if not asked:
        return p.not_in_data
    return _paragraphs([_ANSWERS[intent](p, facts) for intent in asked])
