"""OCPP measurands, the units each accepts, normalisation to kWh / kW / %, and plausible magnitudes."""

from __future__ import annotations

from dataclasses import dataclass

from evwatch.domain.ocpp import CURRENT, ENERGY, INTERVAL_ENERGY, POWER, SOC, VOLTAGE

# OCPP: a reading that names no measurand is the energy register.
DEFAULT_MEASURAND = ENERGY


@dataclass(frozen=True, slots=True)
class UnitFamily:
    """A measurand family: its canonical unit, factors from every accepted unit, and plausible values.

    `limits` bound the value in the canonical unit: anything outside is a broken meter or a broken
    message, not physics (1 TWh registers, 10 MW connectors, 10 kA, 5 kV).
    """

    canonical: str | None
    factors: dict[str, float]
    # OCPP's default unit when a reading names none.
    default_unit: str | None
    limits: tuple[float, float]


_TWH = 1e9  # kWh
_ENERGY = UnitFamily("kWh", {"Wh": 0.001, "kWh": 1.0}, "Wh", (-_TWH, _TWH))
_APPARENT_ENERGY = UnitFamily("kVAh", {"VAh": 0.001, "kVAh": 1.0}, "VAh", (-_TWH, _TWH))
_REACTIVE_ENERGY = UnitFamily("kvarh", {"varh": 0.001, "kvarh": 1.0}, "varh", (-_TWH, _TWH))
_POWER = UnitFamily("kW", {"W": 0.001, "kW": 1.0}, "W", (-10_000.0, 10_000.0))
_REACTIVE_POWER = UnitFamily("kvar", {"var": 0.001, "kvar": 1.0}, "var", (-10_000.0, 10_000.0))
_PERCENT = UnitFamily("Percent", {"Percent": 1.0}, "Percent", (0.0, 100.0))
_CURRENT = UnitFamily("A", {"A": 1.0}, "A", (-10_000.0, 10_000.0))
_VOLTAGE = UnitFamily("V", {"V": 1.0}, "V", (0.0, 5_000.0))
_TEMPERATURE = UnitFamily("Celsius", {"Celsius": 1.0, "K": 1.0, "Fahrenheit": 1.0}, "Celsius", (-273.15, 1_000.0))
# OCPP gives these no unit; a reading may name none.
_POWER_FACTOR = UnitFamily(None, {}, None, (-1.0, 1.0))
_FREQUENCY = UnitFamily(None, {"Hz": 1.0}, None, (0.0, 1_000.0))
_RPM = UnitFamily(None, {"RPM": 1.0}, None, (0.0, 1e6))

# Every measurand OCPP 1.6/2.0.1 defines. Ones the models do not use are still stored.
MEASURANDS: dict[str, UnitFamily] = {
    ENERGY: _ENERGY,
    "Energy.Active.Export.Register": _ENERGY,
    INTERVAL_ENERGY: _ENERGY,
    "Energy.Active.Export.Interval": _ENERGY,
    "Energy.Active.Net": _ENERGY,
    "Energy.Apparent.Import": _APPARENT_ENERGY,
    "Energy.Apparent.Export": _APPARENT_ENERGY,
    "Energy.Apparent.Net": _APPARENT_ENERGY,
    "Energy.Reactive.Import.Register": _REACTIVE_ENERGY,
    "Energy.Reactive.Export.Register": _REACTIVE_ENERGY,
    "Energy.Reactive.Import.Interval": _REACTIVE_ENERGY,
    "Energy.Reactive.Export.Interval": _REACTIVE_ENERGY,
    "Energy.Reactive.Net": _REACTIVE_ENERGY,
    POWER: _POWER,
    "Power.Active.Export": _POWER,
    "Power.Offered": _POWER,
    "Power.Reactive.Import": _REACTIVE_POWER,
    "Power.Reactive.Export": _REACTIVE_POWER,
    "Power.Factor": _POWER_FACTOR,
    CURRENT: _CURRENT,
    "Current.Export": _CURRENT,
    "Current.Offered": _CURRENT,
    VOLTAGE: _VOLTAGE,
    "Frequency": _FREQUENCY,
    "Temperature": _TEMPERATURE,
    SOC: _PERCENT,
    "RPM": _RPM,
    "Display.PresentSOC": _PERCENT,
    "Display.MinimumSOC": _PERCENT,
    "Display.TargetSOC": _PERCENT,
    "Display.MaximumSOC": _PERCENT,
}


class UnitError(ValueError):
    """A measurand, unit or value that evwatch cannot interpret; `field` says which."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _to_canonical(name: str, family: UnitFamily, unit: str | None, value: float) -> tuple[str | None, float]:
    used = unit or family.default_unit
    if used is None:
        return None, value
    if name == "Temperature" and used in family.factors:
        return "Celsius", {"Celsius": value, "K": value - 273.15, "Fahrenheit": (value - 32.0) * 5.0 / 9.0}[used]
    factor = family.factors.get(used)
    if factor is None:
        accepted = " or ".join(family.factors) or "no unit"
        raise UnitError("unit", f"`{used}` is not a unit of {name} (expected {accepted})")
    return family.canonical or used, value * factor


def convert(measurand: str | None, unit: str | None, value: float) -> tuple[str, str | None, float]:
    """(measurand, canonical unit, value in that unit) without judging the value; UnitError for a bad name or unit."""
    name = measurand or DEFAULT_MEASURAND
    family = MEASURANDS.get(name)
    if family is None:
        raise UnitError("measurand", f"`{name}` is not an OCPP measurand")
    canonical, converted = _to_canonical(name, family, unit, value)
    return name, canonical, converted


def normalise(measurand: str | None, unit: str | None, value: float) -> tuple[str, str | None, float]:
    """(measurand, canonical unit, value in that unit), or UnitError naming the bad field."""
    name, canonical, converted = convert(measurand, unit, value)
    family = MEASURANDS[name]
    low, high = family.limits
    if not low <= converted <= high:
        shown = canonical or "(no unit)"
        raise UnitError("value", f"{converted:g} {shown} is outside what {name} can read ({low:g} to {high:g})")
    return name, canonical, converted
