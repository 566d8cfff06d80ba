"""Hand-written threshold rules for station-days: the baseline SHADE has to beat."""

from __future__ import annotations

import numpy as np

from models.shade.features import PreparedDay, moving_average
from models.shade.schema import ShadeResult

# Each rule is a physical reading of one type; thresholds were set by looking at healthy days.
IDLE_KWH = 0.5  # energy drawn outside sessions over a day
METER_REL = 0.12  # station meter vs connectors over 3 hours
OUTAGE_MIN = 240  # minutes a connector is reported down
# Day energy vs expected. Healthy days spread widely (5th-95th percentile about 0.53-1.46 on the
# simulator's validation stations), so tighter bounds buy recall with many false alarms.
DROP_REL, SURGE_REL = 0.45, 1.7


def rule_result(prepared: PreparedDay) -> ShadeResult:
    """First rule that fires, in order: meter mismatch, idle, outage, drop, surge."""
    day = prepared.day
    obs = day.minutes_observed
    actual = prepared.actual_total_kwh[:obs]
    expected = prepared.expected_total_kwh[:obs]
    found: str | None = None
    if day.station_meter_kwh is not None:
        meter = moving_average(day.station_meter_kwh[:obs], 180)
        conn = moving_average(actual, 180)
        # A station meter also sees standby and conversion losses: take its typical excess off first.
        excess = meter - conn
        standby = float(np.median(excess))
        rel = np.abs(excess - standby) / np.maximum(conn, max(float(conn.mean()), 1e-3))
        if (rel > METER_REL).sum() > 120:
            found = "meter_mismatch"
    if found is None and prepared.idle_kwh[:, :obs].sum() > IDLE_KWH:
        found = "idle_consumption"
    if found is None and day.connector_ids and (~day.available[:, :obs].astype(bool)).sum(axis=1).max() >= OUTAGE_MIN:
        found = "connector_outage"
    if found is None and prepared.history_days >= 2 and expected.sum() > 1.0:
        ratio = actual.sum() / expected.sum()
        if ratio < DROP_REL:
            found = "energy_drop"
        elif ratio > SURGE_REL:
            found = "energy_surge"
    details: dict[str, object] = {
        "expected_energy_kwh": float(expected.sum()),
        "actual_energy_kwh": float(actual.sum()),
    }
    if found:
        details["anomaly_type"] = found
    return ShadeResult(
        day_score=1.0 if found else 0.0,
        is_anomaly=found is not None,
        markers=(),
        detection_details=details,
        model_version="rules",
    )
