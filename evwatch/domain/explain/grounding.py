"""Which numbers a text states, and whether each of them comes from the facts.

A text is grounded when every number, date and time in it is one the facts hold:

- Numbers are compared by value, so `12.5`, `12,50` and `12.50` are one number. `.` and `,` are
  each read as a decimal mark and, where every group after them has three digits, as a thousands
  separator; a token is grounded when any of its readings is. Signs are ignored (a drop of 2 kWh is
  2 kWh).
- A fact may be stated rounded half-up to 0-4 decimals, and a ratio (a score, a confidence) also as
  a percentage rounded to 0-2 decimals. Nothing else is derived: no sums, no differences.
- Dates are `YYYY-MM-DD` and times `HH:MM` or `HH:MM:SS`, in UTC, as the facts give them.
- Identifiers the facts name (session, station, connector, model version, issue ids, assignees)
  are taken out before numbers are looked for, so `CP-NL-0042` is no number; an identifier made
  only of digits counts as a number instead, since removing it would hide every such digit.
- A list marker at the start of a line (`1. `, `2) `) is layout, not a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

# Rounding a fact may be stated with; a ratio may also be stated as a percentage.
PLACES = range(5)
PERCENT_PLACES = range(3)
# Names of evwatch's models, which the prompts use and an answer may repeat.
MODEL_NAMES = ("CSAR-2", "SHADE")

_TOKEN = re.compile(r"(?P<date>\d{4}-\d{2}-\d{2})|(?P<time>\d{1,2}:\d{2}(?::\d{2})?)|(?P<number>\d+(?:[.,]\d+)*)")
_LIST_MARKER = re.compile(r"^[ \t]*(?:[-*\u2022][ \t]*)?\d{1,2}[.)][ \t]+", re.MULTILINE)
_NUMERIC_NAME = re.compile(r"\d+(?:[.,]\d+)*")


def rounded(value: float, places: int) -> Decimal:
    """`value` rounded half-up to `places` decimals: what the templates print and the check allows."""
    result = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return abs(result) if result == 0 else result


def clock_forms(moment: datetime) -> tuple[str, str]:
    """`HH:MM` and `HH:MM:SS` of a moment (UTC)."""
    return moment.strftime("%H:%M"), moment.strftime("%H:%M:%S")


@dataclass(frozen=True, slots=True)
class Token:
    """A number, date or time found in a text; `values` are the readings of a number."""

    kind: str
    text: str
    values: frozenset[Decimal] = frozenset()


def _grouped(parts: list[str]) -> bool:
    return 1 <= len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:])


def readings_of(number: str) -> frozenset[Decimal]:
    """Every value a written number can mean (none when it is not a well-formed number)."""
    marks = [c for c in number if c in ".,"]
    if not marks:
        return frozenset({Decimal(number)})
    if len(set(marks)) == 2:
        point = marks[-1]
        head, _, tail = number.rpartition(point)
        groups = head.split("," if point == "." else ".")
        if point in head or not _grouped(groups):
            return frozenset()
        return frozenset({Decimal("".join(groups) + "." + tail)})
    parts = number.split(marks[0])
    found = set()
    if len(parts) == 2:
        found.add(Decimal(f"{parts[0]}.{parts[1]}"))
    if _grouped(parts):
        found.add(Decimal("".join(parts)))
    return frozenset(found)


def numbers_in(text: str) -> list[Token]:
    """The numbers, dates and times a text states, in order (list markers left out)."""
    tokens = []
    for match in _TOKEN.finditer(_LIST_MARKER.sub("", text)):
        kind = match.lastgroup or "number"
        value = match.group()
        if kind == "time" and value[1] == ":":
            value = "0" + value
        tokens.append(Token(kind, value, readings_of(value) if kind == "number" else frozenset()))
    return tokens


@dataclass(frozen=True)
class Grounding:
    """What a text about one session may state."""

    numbers: frozenset[Decimal]
    dates: frozenset[str]
    times: frozenset[str]
    names: tuple[str, ...]

    def holds(self, token: Token) -> bool:
        """Whether the facts hold this number, date or time."""
        if token.kind == "date":
            return token.text in self.dates
        if token.kind == "time":
            return token.text in self.times
        return bool(token.values & self.numbers)

    def ungrounded(self, text: str) -> list[str]:
        """The numbers, dates and times of `text` the facts do not hold, in order."""
        for name in self.names:
            text = re.sub(re.escape(name), " ", text, flags=re.IGNORECASE)
        return [token.text for token in numbers_in(text) if not self.holds(token)]


@dataclass
class GroundingBuilder:
    """Collects what the facts hold, in the forms a text may state it."""

    _numbers: set[Decimal] = field(default_factory=set)
    _dates: set[str] = field(default_factory=set)
    _times: set[str] = field(default_factory=set)
    _names: set[str] = field(default_factory=lambda: set(MODEL_NAMES))

    def count(self, n: int | None) -> None:
        """A whole number (a count)."""
        if n is not None:
            self._numbers.add(Decimal(abs(n)))

    def value(self, v: float | None) -> None:
        """A measured or computed quantity, stated rounded to 0-4 decimals."""
        if v is not None:
            self._numbers.update(abs(rounded(v, p)) for p in PLACES)

    def ratio(self, v: float | None) -> None:
        """A fraction 0..1, stated as itself or as a percentage."""
        if v is not None:
            self.value(v)
            self._numbers.update(abs(rounded(v * 100, p)) for p in PERCENT_PLACES)

    def moment(self, t: datetime | None) -> None:
        """A point in time (UTC): its date and its time of day."""
        if t is not None:
            self.day(t.date())
            self._times.update(clock_forms(t))

    def day(self, d: date | None) -> None:
        """A calendar day."""
        if d is not None:
            self._dates.add(d.isoformat())

    def name(self, s: str | None) -> None:
        """An identifier; one made only of digits is a number instead."""
        if not s or not s.strip():
            return
        if _NUMERIC_NAME.fullmatch(s.strip()):
            self._numbers.update(readings_of(s.strip()))
        else:
            self._names.add(s.strip())

    def build(self) -> Grounding:
        """The grounding; longer names first, so a name inside another one does not split it."""
        names = tuple(sorted(self._names, key=lambda n: (-len(n), n)))
        return Grounding(frozenset(self._numbers), frozenset(self._dates), frozenset(self._times), names)
