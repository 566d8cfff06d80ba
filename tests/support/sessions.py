"""Request bodies for session tests (a healthy 15-minute-interval session like the contract's example)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any


def readings(
    n: int = 12, start: datetime | None = None, step_s: int = 60, power_kw: float = 11.0
) -> list[dict[str, Any]]:
    """A healthy AC session: register, power and SoC every `step_s` seconds."""
    start = start or datetime(2026, 2, 27, 10, tzinfo=UTC)
    out: list[dict[str, Any]] = []
    energy = 0.0
    for i in range(n):
        ts = (start + timedelta(seconds=i * step_s)).isoformat().replace("+00:00", "Z")
        out.append(
            {"measurand": "Energy.Active.Import.Register", "timestamp": ts, "unit": "kWh", "value": round(energy, 4)}
        )
        out.append({"measurand": "Power.Active.Import", "timestamp": ts, "unit": "kW", "value": power_kw})
        out.append(
            {"measurand": "SoC", "timestamp": ts, "unit": "Percent", "value": min(100.0, round(30 + energy / 0.6, 2))}
        )
        energy += power_kw * step_s / 3600
    return out


def session_body(session_id: str, station: str = "CP-NL-AMS-0042", n: int = 12, **extra: Any) -> dict[str, Any]:
    """A Create Session body."""
    body: dict[str, Any] = {
        "sessionId": session_id,
        "chargingStationId": station,
        "connectorId": "1",
        "meterValues": readings(n),
        "metadata": {"maxPowerKw": 11, "currentType": "AC", "batteryCapacityKwh": 60},
    }
    body.update(extra)
    return body


def register_drop_body(session_id: str, station: str = "CP-NL-AMS-0042", connector: str = "1") -> dict[str, Any]:
    """A session whose energy register falls back by 4 kWh halfway: a billing incident (KWH_DECREASE)."""
    values = readings(30)
    for v in values:
        if v["measurand"] == "Energy.Active.Import.Register" and v["timestamp"] >= "2026-02-27T10:15:00Z":
            v["value"] = round(max(0.0, v["value"] - 2.5), 4)
    body = session_body(session_id, station)
    body["meterValues"] = values
    body["connectorId"] = connector
    return body
