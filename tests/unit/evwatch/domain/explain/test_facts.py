"""A session's facts: the analysis, the readings around each anomaly, money, station and issues."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import timedelta

import pytest

from evwatch.domain.explain.context import context
from evwatch.domain.explain.facts import (
    ANALYSED,
    FAILED,
    PENDING,
    SHADE_DAYS,
    TOO_FEW_READINGS,
    analysis_version,
    grounding,
)
from evwatch.domain.ocpp import ENERGY
from evwatch.domain.readings import StoredReading
from tests.support.explanations import T0, day_of, random_inputs, register_decrease, shade_day


def test_the_analysis_and_each_anomaly_with_the_readings_around_it() -> None:
    facts = register_decrease().facts()
    assert facts.state == ANALYSED and facts.reading_count == 24
    a = facts.analysis
    assert a is not None
    assert (a.model_version, a.anomaly_score, a.anomaly_confidence, a.is_incident) == ("csar2-0.7", 0.9312, 0.884, True)
    (c,) = a.categories
    assert c.category == "KWH_DECREASE" and (c.start, c.end) == (T0 + timedelta(minutes=5), T0 + timedelta(minutes=6))
    assert [p.timestamp.minute for p in c.before] == [2, 3, 4]
    assert [p.timestamp.minute for p in c.during] == [5, 6]
    assert [p.timestamp.minute for p in c.after] == [7, 8, 9]
    assert c.register_before is not None and c.register_before.energy_kwh == pytest.approx(5 * 11 / 60, abs=1e-4)
    assert c.register_after is not None and c.register_after.timestamp == c.end
    assert c.peak_power_kw == 11.0
    # the register fell by 1.5 kWh minus the minute's charge inside the range
    assert c.lost_kwh == pytest.approx(1.5 - 11 / 60, abs=1e-4)


def test_the_money_follows_the_billing_rules() -> None:
    facts = register_decrease().facts()
    r = facts.revenue
    assert r.energy_kwh is not None and r.energy_kwh == pytest.approx(11 * 11 / 60 - 1.5, abs=1e-4)
    assert (r.tariff_per_kwh, r.currency, r.billing_relevant) == (0.295, "EUR", True)
    assert r.revenue == pytest.approx(r.energy_kwh * 0.295, abs=1e-4)
    assert r.lost_revenue == pytest.approx(r.lost_kwh * 0.295, abs=1e-4)


def test_without_a_tariff_the_money_is_unknown_not_zero() -> None:
    inputs = register_decrease()
    for station in (None, replace(inputs.station, tariff_per_kwh=None)):  # type: ignore[type-var]
        r = replace(inputs, station=station).facts().revenue
        assert r.revenue is None and r.lost_revenue is None and r.energy_kwh is not None


def test_the_station_history_is_the_newest_shade_days_first() -> None:
    inputs = register_decrease()
    inputs.shade = [shade_day(d, "energy_drop" if d % 3 == 0 else None) for d in range(12)]
    s = inputs.facts().station
    assert len(s.recent_days) == SHADE_DAYS
    assert [d.local_date for d in s.recent_days] == [day_of(d) for d in range(SHADE_DAYS)]
    assert [d.local_date for d in s.anomalous_days] == [day_of(0), day_of(3), day_of(6)]
    assert (s.total_sessions, s.anomalous_sessions) == (40, 3)


@pytest.mark.parametrize(
    ("readings", "failed", "state"),
    [(2, False, TOO_FEW_READINGS), (5, False, PENDING), (5, True, FAILED)],
)
def test_a_session_without_an_analysis_says_why(readings: int, failed: bool, state: str) -> None:
    inputs = register_decrease()
    inputs.analysis = None
    inputs.failed = failed
    inputs.readings = [StoredReading(T0 + timedelta(minutes=i), ENERGY, "kWh", float(i)) for i in range(readings)]
    facts = inputs.facts()
    assert facts.state == state and facts.analysis is None and facts.reading_count == readings
    assert not facts.revenue.billing_relevant and facts.revenue.lost_kwh == 0


def test_the_cache_version_is_the_analysis_or_the_unanalysed_revision() -> None:
    inputs = register_decrease()
    assert analysis_version(inputs.analysis, 3) == "inf-1"
    assert analysis_version(None, 3) == "unanalysed:3"


def test_per_phase_values_are_not_whole_session_readings() -> None:
    inputs = register_decrease()
    inputs.readings = [replace(r, phase="L1") for r in inputs.readings]
    facts = inputs.facts()
    assert facts.revenue.energy_kwh is None and facts.peak_power_kw is None


@pytest.mark.parametrize("seed", range(40))
def test_the_context_is_json_and_its_numbers_are_the_facts(seed: int) -> None:
    facts = random_inputs(random.Random(seed)).facts()
    text = json.dumps(context(facts), ensure_ascii=False)
    # every figure an LLM is shown may be repeated (the keys are names, not numbers)
    keys = {"sessionId", "chargingStationId", "connectorId", "issueId", "assignedTo", "inference", "modelVersion"}
    values = list(json.loads(text, object_hook=lambda d: {k: v for k, v in d.items() if k not in keys}).values())
    assert grounding(facts).ungrounded(json.dumps(values)) == []
