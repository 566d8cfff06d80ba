"""Raw meter values as a charging backend sends them (mixed units, RFC 3339) and their normalisation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from models.csar2.schema import Reading

# factor that turns a raw unit into the normalised one (kWh, kW, %, A, V)
UNIT_SCALE = {"Wh": 1e-3, "kWh": 1.0, "W": 1e-3, "kW": 1.0, "Percent": 1.0, "A": 1.0, "V": 1.0}


def rfc3339(ts: float) -> str:
    """Epoch seconds -> RFC 3339 UTC string with milliseconds when needed."""
    dt = datetime.fromtimestamp(ts, tz=UTC)
    spec = "milliseconds" if abs(ts - round(ts)) > 1e-6 else "seconds"
    return dt.isoformat(timespec=spec).replace("+00:00", "Z")


def raw_value(ts: float, measurand: str, value: float, unit: str, phase: str | None = None) -> dict[str, Any]:
    """One raw meter value dict {timestamp, value, measurand, unit[, phase]} with value in `unit`."""
    out: dict[str, Any] = {
        "timestamp": rfc3339(ts),
        "value": round(value / UNIT_SCALE[unit], 6),
        "measurand": measurand,
        "unit": unit,
    }
    if phase is not None:
        out["phase"] = phase
    return out


def normalise(raw: list[dict[str, Any]]) -> list[Reading]:
    """Raw dicts -> normalised Readings, keeping order (the simulator's reference normaliser)."""
    out = []
    for r in raw:
        ts = datetime.fromisoformat(str(r["timestamp"]).replace("Z", "+00:00")).timestamp()
        out.append(
            Reading(
                ts=ts, measurand=r["measurand"], value=float(r["value"]) * UNIT_SCALE[r["unit"]], phase=r.get("phase")
            )
        )
    return out
