"""Turn SHADE's raw outputs for one station-day into a ShadeResult with markers and detection details."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from evwatch.domain.categories import STATION_ANOMALY_TYPES
from models.shade.features import PreparedDay
from models.shade.schema import MINUTES, OUTPUT_DAY_SCORE, OUTPUT_MINUTE_PROBS, ShadeMarker, ShadeResult

# Defaults; the trained weights carry their own calibrated threshold (see runtime.TorchShade).
DEFAULT_THRESHOLD = 0.5
MINUTE_THRESHOLD = 0.5
MIN_RUN_MINUTES = 15
# Runs closer than this are one stretch (the model's 5-minute steps flicker at edges).
MERGE_GAP_MINUTES = 30
# Drops and surges are judged against the station's own profile; with fewer same-kind days than
# this the profile is mostly noise (seen on new stations), so such findings are not raised yet.
MIN_PROFILE_HISTORY_DAYS = 3
PROFILE_TYPES = frozenset({"energy_drop", "energy_surge"})


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """Contiguous True runs as (start, end-exclusive), merging short gaps, dropping short runs."""
    padded = np.concatenate([[False], flags, [False]])
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    runs = list(zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True))
    merged: list[tuple[int, int]] = []
    for a, b in runs:
        if merged and a - merged[-1][1] <= MERGE_GAP_MINUTES:
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return [(a, b) for a, b in merged if b - a >= MIN_RUN_MINUTES]


def _instant(day_start: int, minute: int) -> str:
    return (datetime.fromtimestamp(day_start, UTC) + timedelta(minutes=minute)).isoformat().replace("+00:00", "Z")


def _connector_for(prepared: PreparedDay, anomaly_type: str, a: int, b: int) -> str | None:
    """The connector that explains a connector-level anomaly in minutes [a, b)."""
    day = prepared.day
    if not day.connector_ids:
        return None
    if anomaly_type == "connector_outage":
        shortfall = prepared.expected_connector_kwh[:, a:b].sum(axis=1) - day.energy_kwh[:, a:b].sum(axis=1)
        down = (~day.available[:, a:b].astype(bool)).sum(axis=1)
        # A reported outage wins; otherwise the connector missing the most energy.
        idx = int(np.argmax(down)) if down.max() > 0 else int(np.argmax(shortfall))
        return day.connector_ids[idx]
    if anomaly_type == "idle_consumption":
        return day.connector_ids[int(np.argmax(prepared.idle_kwh[:, a:b].sum(axis=1)))]
    return None


def interpret(
    prepared: PreparedDay, outputs: dict[str, np.ndarray], threshold: float = DEFAULT_THRESHOLD
) -> ShadeResult:
    """Markers, anomaly type and kWh figures from one item's MINUTE_PROBS [6, 1440] and DAY_SCORE [1]."""
    probs = np.asarray(outputs[OUTPUT_MINUTE_PROBS], dtype=np.float64).reshape(len(STATION_ANOMALY_TYPES) + 1, MINUTES)
    day_score = float(np.asarray(outputs[OUTPUT_DAY_SCORE]).reshape(-1)[0])
    day = prepared.day
    observed = day.minutes_observed
    anomalous = 1.0 - probs[0]
    anomalous[observed:] = 0.0
    is_anomaly = day_score >= threshold

    # Markers belong to anomalous days only; a healthy day's flickers are not findings.
    runs = _runs(anomalous >= MINUTE_THRESHOLD) if is_anomaly else []
    if is_anomaly and not runs:
        # The day is off as a whole but no stretch stands out: mark its most suspicious hour.
        peak = int(np.argmax(anomalous[:observed]))
        runs = [(max(0, peak - 30), min(observed, peak + 30))]
    markers = tuple(ShadeMarker(a, b, round(float(anomalous[a:b].max()), 4)) for a, b in runs)

    local_date = datetime.fromtimestamp(day.day_start, ZoneInfo(day.tz)).date().isoformat()
    details: dict[str, object] = {"affected_period": local_date}
    if runs:
        main = max(runs, key=lambda r: float(anomalous[r[0] : r[1]].sum()))
        a, b = main
    else:
        a, b = 0, observed
    type_mass = probs[1:, a:b].sum(axis=1)
    anomaly_type = STATION_ANOMALY_TYPES[int(np.argmax(type_mass))]
    if anomaly_type == "meter_mismatch" and day.station_meter_kwh is not None:
        expected = float(prepared.actual_total_kwh[a:b].sum())  # what the connectors metered
        actual = float(day.station_meter_kwh[a:b].sum())
    else:
        expected = float(prepared.expected_total_kwh[a:b].sum())
        actual = float(prepared.actual_total_kwh[a:b].sum())
    if is_anomaly and anomaly_type in PROFILE_TYPES and prepared.history_days < MIN_PROFILE_HISTORY_DAYS:
        is_anomaly = False
        markers = ()
        details["suppressed"] = f"{anomaly_type} needs {MIN_PROFILE_HISTORY_DAYS} days of station history"
    if is_anomaly:
        details["anomaly_type"] = anomaly_type
        connector = _connector_for(prepared, anomaly_type, a, b)
        if connector is not None:
            details["connector_id"] = connector
        total_mass = float(type_mass.sum()) or 1.0
        details["type_scores"] = {
            t: round(float(m) / total_mass, 4) for t, m in zip(STATION_ANOMALY_TYPES, type_mass, strict=True)
        }
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
    return ShadeResult(day_score=round(day_score, 6), is_anomaly=is_anomaly, markers=markers, detection_details=details)
