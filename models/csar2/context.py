"""The session metadata CSAR-2 uses (all optional), read tolerantly into a SessionContext."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from evwatch.domain.session_metadata import (
    BATTERY_CAPACITY_KWH,
    CURRENT_TYPE,
    MAX_POWER_KW,
    PROFILE_LIMIT_KW,
    TARGET_SOC,
)
from models.csar2.schema import SessionContext


def _number(metadata: Mapping[str, Any], key: str) -> float | None:
    value = metadata.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def context_from_metadata(metadata: Mapping[str, Any]) -> SessionContext:
    """The known keys (`evwatch.domain.session_metadata`); wrong types are ignored (edges refuse them)."""
    current = metadata.get(CURRENT_TYPE)
    return SessionContext(
        max_power_kw=_number(metadata, MAX_POWER_KW),
        charging_profile_limit_kw=_number(metadata, PROFILE_LIMIT_KW),
        battery_capacity_kwh=_number(metadata, BATTERY_CAPACITY_KWH),
        target_soc=_number(metadata, TARGET_SOC),
        current_type=current.upper() if isinstance(current, str) else None,
    )
