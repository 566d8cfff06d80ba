"""What evwatch can find: CSAR-2's session categories and SHADE's station anomaly types."""

from __future__ import annotations

# CSAR-2 session anomaly categories; the order is the model's output order and never changes.
CATEGORIES: tuple[str, ...] = (
    "KWH_DECREASE",
    "KWH_JUMP",
    "ENERGY_PIT",
    "ENERGY_STALL",
    "PHANTOM_ENERGY",
    "POWER_ENERGY_MISMATCH",
    "POWER_SPIKE",
    "CHARGING_INTERRUPTION",
    "POWER_DERATING",
    "SOC_DROP",
    "SOC_JUMP",
    "ZERO_ENERGY",
    "DATA_GAP",
)
# Categories that make a session's bill wrong or doubtful. ENERGY_PIT is one because a bill cut
# inside the pit uses a wrong reading; POWER_SPIKE, CHARGING_INTERRUPTION, POWER_DERATING, SOC_*,
# ZERO_ENERGY and DATA_GAP are about service or data quality, not billing.
BILLING_CATEGORIES: frozenset[str] = frozenset(
    {"KWH_DECREASE", "KWH_JUMP", "ENERGY_PIT", "ENERGY_STALL", "PHANTOM_ENERGY", "POWER_ENERGY_MISMATCH"}
)
# The billing categories whose energy was delivered but not billed (or billed and then lost).
UNDER_BILLING_CATEGORIES: frozenset[str] = frozenset({"KWH_DECREASE", "ENERGY_STALL", "POWER_ENERGY_MISMATCH"})

# SHADE station-day anomaly types; the order is the model's output order (class 0 is "normal").
STATION_ANOMALY_TYPES: tuple[str, ...] = (
    "energy_drop",
    "energy_surge",
    "connector_outage",
    "idle_consumption",
    "meter_mismatch",
)
# Station energy the operator pays for and no driver is billed for.
STATION_LEAK_TYPES: frozenset[str] = frozenset({"idle_consumption", "meter_mismatch"})
