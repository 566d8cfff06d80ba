"""OCPP measurands, the units each accepts, and normalisation to kWh / kW / %."""

from __future__ import annotations

from dataclasses import dataclass

from evwatch.domain.ocpp import CURRENT, ENERGY, POWER, SOC, VOLTAGE

# OCPP: a reading that names no measurand is the energy register.
DEFAULT_MEASURAND = ENERGY


@dataclass(frozen=True, slots=True)
class UnitFamily:
    """The canonical unit of a measurand family and factors from every accepted unit."""

    canonical: str | None
    factors: dict[str, float]
    # OCPP's default unit when a reading names none.
    default_unit: str | None


_ENERGY = UnitFamily("kWh", {"Wh": 0.001, "kWh": 1.0}, "Wh")
_REACTIVE_ENERGY = UnitFamily("kvarh", {"varh": 0.001, "kvarh": 1.0}, "varh")
_POWER = UnitFamily("kW", {"W": 0.001, "kW": 1.0}, "W")
_REACTIVE_POWER = UnitFamily("kvar", {"var": 0.001, "kvar": 1.0}, "var")
_PERCENT = UnitFamily("Percent", {"Percent": 1.0}, "Percent")
_CURRENT = UnitFamily("A", {"A": 1.0}, "A")
_VOLTAGE = UnitFamily("V", {"V": 1.0}, "V")
_TEMPERATURE = UnitFamily("Celsius", {"Celsius": 1.0, "K": 1.0, "Fahrenheit": 1.0}, "Celsius")
_UNITLESS = UnitFamily(None, {}, None)

# Every measurand OCPP 1.6/2.0.1 defines. Ones the models do not use are still stored.
MEASURANDS: dict[str, UnitFamily] = {
    ENERGY: _ENERGY,
    "Energy.Active.Export.Register": _ENERGY,
    "Energy.Active.Import.Interval": _ENERGY,
    "Energy.Active.Export.Interval": _ENERGY,
    "Energy.Active.Net": _ENERGY,
    "Energy.Apparent.Import": UnitFamily("kVAh", {"VAh": 0.001, "kVAh": 1.0}, "VAh"),
    "Energy.Apparent.Export": UnitFamily("kVAh", {"VAh": 0.001, "kVAh": 1.0}, "VAh"),
    "Energy.Apparent.Net": UnitFamily("kVAh", {"VAh": 0.001, "kVAh": 1.0}, "VAh"),
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
    "Power.Factor": _UNITLESS,
    CURRENT: _CURRENT,
    "Current.Export": _CURRENT,
    "Current.Offered": _CURRENT,
    VOLTAGE: _VOLTAGE,
    "Frequency": _UNITLESS,
    "Temperature": _TEMPERATURE,
    SOC: _PERCENT,
    "RPM": _UNITLESS,
    "Display.PresentSOC": _PERCENT,
    "Display.MinimumSOC": _PERCENT,
    "Display.TargetSOC": _PERCENT,
    "Display.MaximumSOC": _PERCENT,
}


class UnitError(ValueError):
    """A measurand or unit that evwatch cannot interpret; `field` says which."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def normalise(measurand: str | None, unit: str | None, value: float) -> tuple[str, str | None, float]:
    """Return (measurand, canonical unit, value in that unit) or raise UnitError."""
    name = measurand or DEFAULT_MEASURAND
    family = MEASURANDS.get(name)
    if family is None:
        raise UnitError("measurand", f"`{name}` is not an OCPP measurand")
    if family.canonical is None:
        return name, unit, value
    used = unit or family.default_unit
    assert used is not None
    if name == "Temperature" and used in family.factors:
        celsius = {"Celsius": value, "K": value - 273.15, "Fahrenheit": (value - 32.0) * 5.0 / 9.0}[used]
        return name, "Celsius", celsius
    factor = family.factors.get(used)
    if factor is None:
        accepted = " or ".join(family.factors)
        raise UnitError("unit", f"`{used}` is not a unit of {name} (expected {accepted})")
    return name, family.canonical, value * factor
