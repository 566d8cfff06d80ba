"""Decode JSON bytes into wire structs with errors that name the offending field."""

from __future__ import annotations

import json
import math
import re
from typing import Any, TypeVar

import msgspec

from evwatch.domain.errors import FieldProblem, InvalidInput, MalformedInput

T = TypeVar("T")

_PATH = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_MISSING = re.compile(r"Object missing required field `(?P<name>[^`]+)`")


def _field_from_error(message: str) -> tuple[str, str]:
    """Turn msgspec's "Expected `str` - at `$.meterValues[0].unit`" into (field, message)."""
    match = _PATH.search(message)
    path = match.group("path").lstrip(".") if match else ""
    text = _PATH.sub("", message)
    missing = _MISSING.search(text)
    if missing:
        name = missing.group("name")
        path = f"{path}.{name}" if path else name
        text = "is required"
    return path or "$", text


def _first_non_finite(obj: Any, path: str = "") -> str | None:
    if isinstance(obj, float) and not math.isfinite(obj):
        return path or "$"
    if isinstance(obj, dict):
        for key, value in obj.items():
            found = _first_non_finite(value, f"{path}.{key}" if path else str(key))
            if found:
                return found
    if isinstance(obj, list):
        for i, value in enumerate(obj):
            found = _first_non_finite(value, f"{path}[{i}]")
            if found:
                return found
    return None


def decode(raw: bytes, type_: type[T]) -> T:
    """Decode and validate; raises MalformedInput (not JSON) or InvalidInput (names the field)."""
    try:
        return msgspec.json.decode(raw, type=type_)
    except msgspec.ValidationError as exc:
        field, message = _field_from_error(str(exc))
        if field == "$":
            raise MalformedInput(f"Request body must be a JSON object: {message}") from None
        raise InvalidInput([FieldProblem(field, message)]) from None
    except msgspec.DecodeError as exc:
        # Python producers write NaN/Infinity, which strict JSON forbids: name the field instead
        # of pointing at a byte offset.
        try:
            lenient = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise MalformedInput(f"Request body is not valid JSON: {exc}") from None
        bad = _first_non_finite(lenient)
        if bad is not None:
            raise InvalidInput([FieldProblem(bad, "must be a finite number")]) from None
        raise MalformedInput(f"Request body is not valid JSON: {exc}") from None
