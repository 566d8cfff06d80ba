"""Sessions to explain, for the explanation tests: one worked example and random ones drawn from a seed."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from evwatch.domain.categories import CATEGORIES, STATION_ANOMALY_TYPES
from evwatch.domain.explain.facts import OpenIssue, SessionFacts, session_facts
from evwatch.domain.ocpp import ENERGY, POWER, SOC
from evwatch.domain.readings import StoredReading
from evwatch.domain.sessions import AnalysisRecord, AnomalyRecord, SessionRecord
from evwatch.domain.stations import StationAggregate, StationInferenceRow, StationRecord

T0 = datetime(2026, 2, 27, 10, tzinfo=UTC)
STATION = "CP-NL-AMS-0042"


@dataclass
class Inputs:
    """What `session_facts` is built from."""

    session: SessionRecord
    readings: list[StoredReading]
    analysis: AnalysisRecord | None = None
    failed: bool = False
    station: StationRecord | None = None
    aggregate: StationAggregate | None = None
    shade: list[StationInferenceRow] = field(default_factory=list)
    issues: list[OpenIssue] = field(default_factory=list)

    def facts(self) -> SessionFacts:
        return session_facts(
            self.session,
            self.readings,
            self.analysis,
            self.failed,
            self.station,
            self.aggregate,
            self.shade,
            self.issues,
        )


def session(session_id: str = "sess-abc-001", connector: str | None = "1") -> SessionRecord:
    return SessionRecord("t", session_id, STATION, connector, None, "active", {}, T0, T0)


def shade_day(days_ago: int, anomaly_type: str | None = None, score: float = 0.1) -> StationInferenceRow:
    start = T0 - timedelta(days=days_ago)
    return StationInferenceRow(
        "t",
        STATION,
        f"shade-{days_ago}",
        start,
        start.date(),
        "UTC",
        start + timedelta(hours=23),
        score,
        anomaly_type is not None,
        False,
        1440,
        anomaly_type,
        None,
        10.0,
        14.5,
        (),
        (),
        (),
        {},
        "shade-1.0",
    )


def register_decrease() -> Inputs:
    """The worked example: an 11 kW session whose register falls by 1.5 kWh at minute 6."""
    readings = []
    energy = 0.0
    for i in range(12):
        t = T0 + timedelta(minutes=i)
        if i == 6:
            energy -= 1.5
        readings += [StoredReading(t, ENERGY, "kWh", energy), StoredReading(t, POWER, "kW", 11.0)]
        energy += 11 / 60
    anomaly = AnomalyRecord("KWH_DECREASE", 5, 6, T0 + timedelta(minutes=5), T0 + timedelta(minutes=6), 0.9312, 0.884)
    analysis = AnalysisRecord(
        "t",
        "sess-abc-001",
        "inf-1",
        STATION,
        "1",
        T0 + timedelta(minutes=13),
        0.9312,
        True,
        0.884,
        True,
        False,
        False,
        24,
        60.0,
        "csar2-0.7",
        anomalies=(anomaly,),
    )
    return Inputs(
        session(),
        readings,
        analysis,
        station=StationRecord("t", STATION, "id", STATION, tariff_per_kwh=0.295, currency="EUR"),
        aggregate=StationAggregate(STATION, "id", STATION, 40, 3, 5, 0.5, None),
        shade=[shade_day(d, "idle_consumption" if d == 2 else None, 0.7 if d == 2 else 0.1) for d in range(4)],
        issues=[OpenIssue("iss-9f2", "KWH_DECREASE", "OPEN", None)],
    )


def random_inputs(rng: random.Random) -> Inputs:
    """A session with random readings, analysis (or none, for any reason), station, SHADE days and issues."""
    start = T0 + timedelta(seconds=rng.randrange(0, 86_400))
    step = rng.choice([15, 30, 60, 300])
    readings: list[StoredReading] = []
    energy = rng.uniform(0, 50_000)
    kinds = rng.choice([(ENERGY, POWER, SOC), (ENERGY,), (POWER,), (ENERGY, POWER)])
    for i in range(rng.randrange(0, 40)):
        t = start + timedelta(seconds=i * step + rng.choice([0, 0, 0, 7]))
        power = rng.choice([0.0, rng.uniform(0, 350)])
        energy = max(0.0, energy + power * step / 3600 + rng.choice([0.0, 0.0, -rng.uniform(0, 3), rng.uniform(0, 9)]))
        for kind in kinds:
            value = {ENERGY: energy, POWER: power, SOC: rng.uniform(0, 100)}[kind]
            readings.append(StoredReading(t, kind, None, value, phase=rng.choice([None, None, None, "L1"])))
    stamps = sorted({r.timestamp for r in readings}) or [start]
    analysis = None
    failed = False
    if len(readings) >= 3 and rng.random() < 0.8:
        anomalies = []
        for category in rng.sample(CATEGORIES, rng.randrange(0, 4)):
            a, b = sorted(rng.sample(range(len(stamps)), 2)) if len(stamps) > 1 else (0, 0)
            anomalies.append(AnomalyRecord(category, a, b, stamps[a], stamps[b], rng.random(), rng.random()))
        analysis = AnalysisRecord(
            "t",
            "s",
            f"inf-{rng.randrange(10**6)}",
            STATION,
            "1",
            stamps[-1] + timedelta(seconds=rng.randrange(1, 600)),
            rng.random(),
            bool(anomalies),
            rng.random(),
            rng.random() < 0.5,
            rng.random() < 0.5,
            False,
            len(readings),
            60.0,
            rng.choice(["csar2-0.7", "csar2-1.12"]),
            anomalies=tuple(anomalies),
        )
    elif len(readings) >= 3:
        failed = rng.random() < 0.5
    station = None
    if rng.random() < 0.7:
        tariff = rng.choice([None, round(rng.uniform(0.05, 0.9), rng.randrange(1, 5))])
        station = StationRecord("t", STATION, "id", STATION, tariff_per_kwh=tariff, currency=rng.choice(["EUR", "PLN"]))
    aggregate = None
    if rng.random() < 0.6:
        total = rng.randrange(1, 5000)
        aggregate = StationAggregate(STATION, "id", STATION, total, rng.randrange(0, total + 1), 0, None, None)
    shade = [
        shade_day(d, rng.choice([None, None, *STATION_ANOMALY_TYPES]), rng.random())
        for d in rng.sample(range(30), rng.randrange(0, 10))
    ]
    statuses = ["OPEN", "ACKNOWLEDGED", "IN_PROGRESS"]
    issues = [
        OpenIssue(
            f"{rng.randrange(16**8):08x}-{rng.randrange(10**4)}",
            rng.choice(CATEGORIES),
            rng.choice(statuses),
            rng.choice([None, f"ops{rng.randrange(100)}@example.com"]),
        )
        for _ in range(rng.randrange(0, 3))
    ]
    connector = rng.choice(["1", "2", None, "A7"])
    return Inputs(
        session(f"sess-{rng.randrange(10**6)}", connector),
        readings,
        analysis,
        failed,
        station,
        aggregate,
        shade,
        issues,
    )


def day_of(days_ago: int) -> date:
    return (T0 - timedelta(days=days_ago)).date()
