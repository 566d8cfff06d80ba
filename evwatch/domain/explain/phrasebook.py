"""What a language must say: every sentence the templates write, with its named placeholders.

Placeholders are filled with figures the templates format from the facts; a sentence holds no
number of its own, so every number in a text comes from the facts.
"""

from __future__ import annotations

from dataclasses import dataclass

from evwatch.domain.explain.formatting import NumberStyle


@dataclass(frozen=True, slots=True)
class Phrases:
    """One language's sentences; `categories` maps a category code to (label, description)."""

    numbers: NumberStyle
    # who the text is about: {session}, {station} (and {connector})
    session: str
    session_connector: str
    # {subject}, {model}, {analysed}, {score}, {confidence}
    flagged: str
    clean: str
    incident: str
    recurring: str
    # {subject}, {count}, {minimum}
    too_few: str
    pending: str
    failed: str
    # {label}, {start}, {end}, {score}, {confidence}
    category: str
    span: str
    # {before}, {before_at}, {after}, {after_at} / {kwh}, {at} / {kw}
    register_around: str
    register_before: str
    register_after: str
    peak_during: str
    lost_during: str
    no_findings: str
    # {kwh}, {first}, {last} / {kw}
    energy: str
    energy_unknown: str
    peak: str
    # {rate}, {currency}, {amount}, {kwh}
    revenue: str
    at_risk: str
    lost: str
    lost_energy: str
    bill_ok: str
    no_tariff: str
    no_energy_revenue: str
    # {station}, {anomalous}, {total}, {days}, {day}, {kind}
    station_sessions: str
    station_unknown: str
    shade: str
    shade_latest: str
    shade_none: str
    # {items} / {issue}, {category}, {status}, {assignee} / {who}
    issues: str
    issue: str
    assigned: str
    unassigned: str
    no_issues: str
    # {first}, {last} / {created} / {analysed}
    readings_span: str
    created: str
    analysed: str
    no_readings: str
    not_in_data: str
    categories: dict[str, tuple[str, str]]
    # SHADE anomaly types; "" names a flagged day without a type
    station_types: dict[str, str]
