"""The session metadata keys CSAR-2 uses (all optional), read tolerantly into a SessionContext."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from models.csar2.schema import SessionContext


def _number(metadata: Mapping[str, Any], key: str) -> float | None:
    value = metadata.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def context_from_metadata(metadata: Mapping[str, Any]) -> SessionContext:
    """maxPowerKw, chargingProfileLimitKw, batteryCapacityKwh, targetSoc, currentType; wrong types are ignored."""
    current = metadata.get("currentType")
    return SessionContext(
        max_power_kw=_number(metadata, "maxPowerKw"),
        charging_profile_limit_kw=_number(metadata, "chargingProfileLimitKw"),
        battery_capacity_kwh=_number(metadata, "batteryCapacityKwh"),
        target_soc=_number(metadata, "targetSoc"),
        current_type=current.upper() if isinstance(current, str) else None,
    )
