"""Turn a station-day's rule findings and SHADE's raw outputs into a ShadeResult with markers and details."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from evwatch.domain.categories import STATION_ANOMALY_TYPES
from models.shade.features import PreparedDay
from models.shade.rules import MIN_PROFILE_HISTORY_DAYS, Finding, confirm_stretch, findings, runs
from models.shade.schema import MINUTES, OUTPUT_DAY_SCORE, OUTPUT_MINUTE_PROBS, ShadeMarker, ShadeResult

# Defaults; the trained weights carry their own calibrated threshold (see runtime.TorchShade).
DEFAULT_THRESHOLD = 0.5
MINUTE_THRESHOLD = 0.5
MIN_RUN_MINUTES = 15
# Runs closer than this are one stretch (the model's 5-minute steps flicker at edges).
MERGE_GAP_MINUTES = 30
# The network's shortfall types: either is a shortfall the rules then type (status, connectors).
SHORTFALL_TYPES = ("energy_drop", "connector_outage")


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """Contiguous True runs as (start, end-exclusive), merging short gaps, dropping short runs."""
    merged: list[tuple[int, int]] = []
    for a, b in runs(flags):
        if merged and a - merged[-1][1] <= MERGE_GAP_MINUTES:
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return [(a, b) for a, b in merged if b - a >= MIN_RUN_MINUTES]


def network_proposals(
    prepared: PreparedDay, probs: np.ndarray, network_score: float, threshold: float
) -> list[Finding]:
    """The network's main anomalous stretch as a drop or surge, when the station's history confirms it.

    Only energy shortfalls and excesses are taken from the network; idle energy, the meter and
    outages are rules about the data (`rules.py`), whatever the network's type says.
    """
    if network_score < threshold:
        return []
    anomalous = 1.0 - probs[0]
    anomalous[prepared.day.minutes_observed :] = 0.0
    stretches = _runs(anomalous >= MINUTE_THRESHOLD)
    if not stretches:
        return []
    a, b = max(stretches, key=lambda r: float(anomalous[r[0] : r[1]].sum()))
    mass = dict(zip(STATION_ANOMALY_TYPES, probs[1:, a:b].sum(axis=1).tolist(), strict=True))
    shortfall = sum(mass[t] for t in SHORTFALL_TYPES)
    if max(shortfall, mass["energy_surge"]) < max(mass["idle_consumption"], mass["meter_mismatch"]):
        return []
    found = confirm_stretch(prepared, a, b, shortfall=shortfall >= mass["energy_surge"])
    return [found] if found is not None else []


def _instant(day_start: int, minute: int) -> str:
    return (datetime.fromtimestamp(day_start, UTC) + timedelta(minutes=minute)).isoformat().replace("+00:00", "Z")


def confidence(finding: Finding) -> float:
    """A finding's strength (>= 1 at its threshold) as a score in [0.5, 1)."""
    return finding.strength / (1.0 + finding.strength)


def _finding_detail(f: Finding) -> dict[str, object]:
    out: dict[str, object] = {
        "anomaly_type": f.anomaly_type,
        "start_minute": f.start_minute,
        "end_minute": f.end_minute,
    }
    if f.connector_id is not None:
        out["connector_id"] = f.connector_id
    out["evidence"] = dict(f.evidence)
    return out


def interpret(
    prepared: PreparedDay, outputs: dict[str, np.ndarray], threshold: float = DEFAULT_THRESHOLD
) -> ShadeResult:
    """The verdict on one station-day: rule findings (`rules.py`) decide and type; the network scores.

    `is_anomaly` and `anomaly_type` come from the findings, each judged against the station's own
    history. The network's day score (MINUTE_PROBS [6, 1440], DAY_SCORE [1]) is kept as
    `network_score`; `day_score` is the main finding's confidence when higher. `threshold` tells
    whether the network alone would have called the day (`network_flagged`), which no longer
    raises an anomaly by itself.
    """
    probs = np.asarray(outputs[OUTPUT_MINUTE_PROBS], dtype=np.float64).reshape(len(STATION_ANOMALY_TYPES) + 1, MINUTES)
    network_score = float(np.asarray(outputs[OUTPUT_DAY_SCORE]).reshape(-1)[0])
    day = prepared.day
    observed = day.minutes_observed
    found = findings(prepared, network_proposals(prepared, probs, network_score, threshold))
    main = found[0] if found else None
    is_anomaly = main is not None
    markers = tuple(
        ShadeMarker(f.start_minute, f.end_minute, round(confidence(f), 4))
        for f in sorted(found, key=lambda f: (f.start_minute, f.end_minute))
    )

    local_date = datetime.fromtimestamp(day.day_start, ZoneInfo(day.tz)).date().isoformat()
    details: dict[str, object] = {"affected_period": local_date}
    a, b = (main.start_minute, main.end_minute) if main is not None else (0, observed)
    if main is not None and main.anomaly_type == "meter_mismatch":
        expected = float(main.evidence["expected_meter_kwh"])
        actual = float(main.evidence["meter_kwh"])
    else:
        expected = float(prepared.expected_total_kwh[a:b].sum())
        actual = float(prepared.actual_total_kwh[a:b].sum())
    if prepared.history_days < MIN_PROFILE_HISTORY_DAYS:
        # Only the profile findings need history; outages, idle energy and the meter do not.
        details["suppressed"] = f"energy_drop/energy_surge need {MIN_PROFILE_HISTORY_DAYS} days of station history"
    if main is not None:
        details["anomaly_type"] = main.anomaly_type
        if main.connector_id is not None:
            details["connector_id"] = main.connector_id
        details["evidence"] = dict(main.evidence)
        details["findings"] = [_finding_detail(f) for f in found]
    type_mass = probs[1:, a:b].sum(axis=1)
    total_mass = float(type_mass.sum()) or 1.0
    details["type_scores"] = {
        t: round(float(m) / total_mass, 4) for t, m in zip(STATION_ANOMALY_TYPES, type_mass, strict=True)
    }
    details["network_score"] = round(network_score, 6)
    details["network_flagged"] = network_score >= threshold
    details["expected_energy_kwh"] = round(expected, 3)
    details["actual_energy_kwh"] = round(actual, 3)
    details["affected_start_minute"] = a
    details["affected_end_minute"] = b
    details["affected_start"] = _instant(day.day_start, a)
    details["affected_end"] = _instant(day.day_start, b)
    details["day_expected_energy_kwh"] = round(float(prepared.expected_total_kwh.sum()), 3)
    details["day_actual_energy_kwh"] = round(float(prepared.actual_total_kwh.sum()), 3)
    details["partial_day"] = observed < MINUTES
    details["minutes_observed"] = observed
    details["history_days"] = prepared.history_days
    day_score = max(network_score, confidence(main)) if main is not None else network_score
    return ShadeResult(day_score=round(day_score, 6), is_anomaly=is_anomaly, markers=markers, detection_details=details)
