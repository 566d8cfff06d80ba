"""The session `metadata` keys evwatch understands (all optional) and what their values may be.

Any other key is stored and passed through unchanged.
"""

from __future__ import annotations

MAX_POWER_KW = "maxPowerKw"  # the connector's rating
PROFILE_LIMIT_KW = "chargingProfileLimitKw"  # an announced smart-charging limit
BATTERY_CAPACITY_KWH = "batteryCapacityKwh"
TARGET_SOC = "targetSoc"
CURRENT_TYPE = "currentType"  # "AC" or "DC"

CURRENT_TYPES = frozenset({"AC", "DC"})

# (lowest, highest, lowest allowed) per numeric key: 10 MW connectors, 2 MWh batteries.
NUMERIC_LIMITS: dict[str, tuple[float, float, bool]] = {
    MAX_POWER_KW: (0.0, 10_000.0, False),
    PROFILE_LIMIT_KW: (0.0, 10_000.0, True),
    BATTERY_CAPACITY_KWH: (0.0, 2_000.0, False),
    TARGET_SOC: (0.0, 100.0, True),
}
