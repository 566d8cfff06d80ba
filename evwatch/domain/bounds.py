"""Bounds at the edge: what a message or request may carry, the same on the API and on Kafka.

`docs/bounds.md` is the table of every bound; keep the two in step. Static bounds on ids and
strings are msgspec constraints in `evwatch/contracts/fields.py`; magnitudes per measurand are in
`evwatch/domain/units.py`; the rest, which need the clock, a count or a walk, are here.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from evwatch.domain.errors import FieldProblem
from evwatch.domain.session_metadata import CURRENT_TYPE, CURRENT_TYPES, NUMERIC_LIMITS

# Numbers in free-form metadata must survive JSON round trips and ClickHouse: int64 and finite floats.
_INT64 = 2**63
# What a DateTime64(3) column can hold: a time filter outside it cannot match anything and is refused.
_QUERY_EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
_QUERY_LATEST = datetime(2299, 12, 31, tzinfo=UTC)


def check_query_time(field: str, value: datetime) -> FieldProblem | None:
    """A problem when a time filter lies outside what the tables can store (naive times are UTC)."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if not _QUERY_EARLIEST <= aware <= _QUERY_LATEST:
        return FieldProblem(field, "must be between 1900-01-01 and 2299-12-31")
    return None


@dataclass(frozen=True, slots=True)
class Bounds:
    """The configurable bounds (`EVWATCH_BOUNDS_*`)."""

    earliest: datetime = datetime(2000, 1, 1, tzinfo=UTC)
    # How far ahead of the server's clock a reading may be (clocks drift; a day is generous).
    future: timedelta = timedelta(hours=24)
    max_readings_per_request: int = 50_000
    max_readings_per_session: int = 200_000
    max_metadata_bytes: int = 16_384
    max_metadata_depth: int = 8
    # page x pageSize: deeper pages make ClickHouse read and skip every row before them.
    max_page_offset: int = 100_000

    def check_timestamp(self, field: str, value: datetime, now: datetime) -> FieldProblem | None:
        """A problem when `value` is before `earliest` or more than `future` ahead of `now`."""
        if value < self.earliest:
            return FieldProblem(field, f"is before {self.earliest.date().isoformat()}, the earliest accepted")
        if value > now + self.future:
            hours = self.future.total_seconds() / 3600
            return FieldProblem(field, f"is more than {hours:g} h ahead of the server's clock")
        return None

    def check_metadata(self, metadata: Mapping[str, Any], field: str = "metadata") -> list[FieldProblem]:
        """Size, depth, finite bounded numbers, and the known keys' ranges."""
        depth = _depth(metadata)
        if depth > self.max_metadata_depth:
            return [FieldProblem(field, f"is nested {depth} levels deep (at most {self.max_metadata_depth})")]
        problems = [FieldProblem(f"{field}{path}", message) for path, message in _bad_numbers(metadata)]
        if problems:
            return problems
        size = len(json.dumps(metadata, separators=(",", ":"), ensure_ascii=False).encode())
        if size > self.max_metadata_bytes:
            return [FieldProblem(field, f"is {size} bytes as JSON (at most {self.max_metadata_bytes})")]
        return _known_keys(metadata, field)

    def check_page(self, page: int, page_size: int) -> FieldProblem | None:
        """A problem when the page starts beyond `max_page_offset` items."""
        if page * page_size > self.max_page_offset:
            return FieldProblem("page", f"page x pageSize must be at most {self.max_page_offset}")
        return None


def _children(value: Any) -> Iterator[Any]:
    if isinstance(value, Mapping):
        yield from value.values()
    elif isinstance(value, list):
        yield from value


def _depth(root: Any) -> int:
    """Nesting depth, walked without recursion (a hostile document may be thousands deep)."""
    deepest, stack = 0, [(root, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, Mapping | list):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in _children(value))
    return deepest


def _bad_numbers(root: Any) -> Iterator[tuple[str, str]]:
    stack: list[tuple[Any, str]] = [(root, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, bool):
            continue
        if isinstance(value, int) and not -_INT64 <= value < _INT64:
            yield path, "is a number too large to store"
        elif isinstance(value, float) and not math.isfinite(value):
            yield path, "must be a finite number"
        elif isinstance(value, Mapping):
            stack.extend((child, f"{path}.{key}") for key, child in value.items())
        elif isinstance(value, list):
            stack.extend((child, f"{path}[{i}]") for i, child in enumerate(value))


def _known_keys(metadata: Mapping[str, Any], field: str) -> list[FieldProblem]:
    problems = []
    for key, (low, high, low_allowed) in NUMERIC_LIMITS.items():
        value = metadata.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(FieldProblem(f"{field}.{key}", "must be a number"))
        elif not (low <= value if low_allowed else low < value) or value > high:
            bracket = "[" if low_allowed else "("
            problems.append(FieldProblem(f"{field}.{key}", f"must be in {bracket}{low:g}, {high:g}]"))
    current = metadata.get(CURRENT_TYPE)
    if current is not None and (not isinstance(current, str) or current.upper() not in CURRENT_TYPES):
        problems.append(FieldProblem(f"{field}.{CURRENT_TYPE}", "must be AC or DC"))
    return problems
