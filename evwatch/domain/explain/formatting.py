"""How the templates write numbers, dates and times; every figure is rounded by `grounding.rounded`,
so whatever a template prints is a form the grounding check accepts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from evwatch.domain.explain.grounding import clock_forms, rounded

# Decimals per kind of figure: energy to 10 Wh, power to 100 W, money to the cent.
KWH_PLACES = 2
KW_PLACES = 1
MONEY_PLACES = 2
# A tariff keeps up to 4 decimals (0.295 EUR/kWh), at least those of money.
RATE_PLACES = 4


@dataclass(frozen=True, slots=True)
class NumberStyle:
    """A language's decimal mark and percent sign; numbers are never grouped in thousands."""

    decimal: str
    percent: str

    def fixed(self, value: float, places: int) -> str:
        """`value` with exactly `places` decimals."""
        return str(rounded(value, places)).replace(".", self.decimal)

    def kwh(self, value: float) -> str:
        """Energy in kWh (without the unit)."""
        return self.fixed(value, KWH_PLACES)

    def kw(self, value: float) -> str:
        """Power in kW (without the unit)."""
        return self.fixed(value, KW_PLACES)

    def money(self, value: float) -> str:
        """An amount of money (without the currency)."""
        return self.fixed(value, MONEY_PLACES)

    def rate(self, value: float) -> str:
        """Money per kWh: up to 4 decimals, trailing zeros beyond the cents dropped."""
        text = str(rounded(value, RATE_PLACES))
        whole, _, part = text.partition(".")
        part = part.rstrip("0").ljust(MONEY_PLACES, "0")
        return f"{whole}{self.decimal}{part}"

    def pct(self, ratio: float) -> str:
        """A fraction 0..1 as a whole percentage."""
        return self.percent.format(self.fixed(ratio * 100, 0))


def moment(t: datetime) -> str:
    """`2026-02-27 10:15 UTC`; seconds only when the moment has them."""
    short, full = clock_forms(t)
    return f"{t.date().isoformat()} {full if t.second else short} UTC"


def day(d: date) -> str:
    """`2026-02-27`."""
    return d.isoformat()
