"""The OCPP vocabulary evwatch reasons with: measurands, connector statuses, the station connector.

Every other module imports these names; none spells an OCPP string itself.
"""

from __future__ import annotations

from typing import Literal

# Measurands the models read. The energy register is also OCPP's default measurand.
ENERGY = "Energy.Active.Import.Register"
POWER = "Power.Active.Import"
SOC = "SoC"
CURRENT = "Current.Import"
VOLTAGE = "Voltage"
# Energy since the previous sample, sent by some stations instead of the register.
INTERVAL_ENERGY = "Energy.Active.Import.Interval"

# Where a reading was taken, and on which phase (OCPP 1.6 and 2.0.1 values).
Location = Literal["Body", "Cable", "EV", "Inlet", "Outlet"]
# OCPP's default location: the connector, where the car's energy is measured.
OUTLET = "Outlet"
Phase = Literal["L1", "L2", "L3", "N", "L1-N", "L2-N", "L3-N", "L1-L2", "L2-L3", "L3-L1"]

# connectorId 0 addresses the charging station as a whole: its own meter, station-wide status.
STATION_CONNECTOR = "0"

ConnectorStatus = Literal[
    "Available",
    "Preparing",
    "Charging",
    "SuspendedEVSE",
    "SuspendedEV",
    "Finishing",
    "Reserved",
    "Unavailable",
    "Faulted",
]
# The connector cannot serve a driver: these statuses count as downtime.
UNAVAILABLE_STATUSES: frozenset[str] = frozenset({"Unavailable", "Faulted"})
# A vehicle is plugged in and a session runs.
SESSION_STATUSES: frozenset[str] = frozenset({"Charging", "SuspendedEVSE", "SuspendedEV"})


def connector_sort_key(connector_id: str) -> tuple[bool, int, str]:
    """Numeric connector ids in numeric order ("2" before "10"), then the others by name."""
    numeric = connector_id.isdigit()
    return (not numeric, int(connector_id) if numeric else 0, connector_id)
