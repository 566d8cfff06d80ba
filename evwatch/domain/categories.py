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

# What each category needs to be seen at all: one of the alternatives, each a set of measurands that
# must all be present. Stalls, phantom energy and mismatches compare the register with power; spikes
# live in power; SoC categories need a SoC the vehicle reported. A finding the session's measurands
# cannot show is never raised, whatever the network says.
ENERGY_EVIDENCE = "energy"
POWER_EVIDENCE = "power"
SOC_EVIDENCE = "soc"
_E, _P, _S = frozenset({ENERGY_EVIDENCE}), frozenset({POWER_EVIDENCE}), frozenset({SOC_EVIDENCE})
CATEGORY_EVIDENCE: dict[str, tuple[frozenset[str], ...]] = {
    "KWH_DECREASE": (_E,),
    "KWH_JUMP": (_E,),
    "ENERGY_PIT": (_E,),
    "ENERGY_STALL": (_E | _P,),
    "PHANTOM_ENERGY": (_E | _P,),
    "POWER_ENERGY_MISMATCH": (_E | _P,),
    "POWER_SPIKE": (_P,),
    "CHARGING_INTERRUPTION": (_E, _P),
    "POWER_DERATING": (_E, _P),
    "SOC_DROP": (_S,),
    "SOC_JUMP": (_S,),
    "ZERO_ENERGY": (_E, _P),
    "DATA_GAP": (_E, _P, _S),
}


def observable(category: str, evidence: frozenset[str]) -> bool:
    """Whether a session with these kinds of readings can show the category."""
    return any(need <= evidence for need in CATEGORY_EVIDENCE[category])
