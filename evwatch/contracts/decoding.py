"""Decode JSON bytes into wire structs with errors that name the offending field.

Both edges (HTTP bodies, Kafka messages) go through `decode`, so they refuse the same input in
the same words.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
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


def _walk(root: Any) -> Iterator[tuple[str, Any]]:
    """(path, value) of every value in a JSON document, without recursion (documents may be deep)."""
    stack: list[tuple[str, Any]] = [("", root)]
    while stack:
        path, value = stack.pop()
        yield path, value
        if isinstance(value, dict):
            stack.extend((f"{path}.{key}" if path else str(key), child) for key, child in value.items())
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", child) for i, child in enumerate(value))


def _first_non_finite(document: Any) -> str | None:
    for path, value in _walk(document):
        if isinstance(value, float) and not math.isfinite(value):
            return path or "$"
    return None


def _duplicate_key(raw: bytes) -> str | None:
    """The path of the first key that repeats within one JSON object, if any."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in items:
            if key in seen:
                raise _Duplicate(key)
            seen[key] = value
        return seen

    try:
        json.loads(raw, object_pairs_hook=pairs)
    except _Duplicate as dup:
        return str(dup.args[0])
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        # msgspec skips the values of fields it does not know without reading them closely.
        raise MalformedInput(f"Request body is not valid JSON: {exc}") from None
    return None


class _Duplicate(Exception):
    pass


def _added_tag_quotes(raw: bytes, decoded: Any) -> int:
    """Quotes encoding adds for a tag the input left out (`"kind":"readings"`: four)."""
    config = getattr(decoded, "__struct_config__", None)
    tag_field = getattr(config, "tag_field", None)
    if tag_field is None or f'"{tag_field}"'.encode() in raw:
        return 0
    return 4


def _check_duplicates(raw: bytes, decoded: Any) -> None:
    """Refuse a repeated key: which occurrence wins differs between parsers, so it is never sent on purpose.

    Decoding keeps one value per key, so encoding the result again has fewer quote characters than
    the input only when something was dropped: a repeated key, or an explicit null or default that
    encoding leaves out. Counting quotes is cheap; the exact (slow) check runs only in that case.
    """
    if raw.count(b'"') <= msgspec.json.encode(decoded).count(b'"') - _added_tag_quotes(raw, decoded):
        return
    key = _duplicate_key(raw)
    if key is not None:
        raise InvalidInput([FieldProblem(key, "appears more than once in the same object")])


def decode(raw: bytes, type_: type[T]) -> T:
    """Decode and validate; raises MalformedInput (not JSON) or InvalidInput (names the field)."""
    try:
        decoded = msgspec.json.decode(raw, type=type_)
    except RecursionError:
        raise InvalidInput([FieldProblem(_too_deep(raw), "is nested too deeply")]) from None
    except UnicodeDecodeError as exc:
        raise MalformedInput(f"Request body is not valid UTF-8 JSON: {exc.reason} at byte {exc.start}") from None
    except msgspec.ValidationError as exc:
        field, message = _field_from_error(str(exc))
        if field == "$":
            raise MalformedInput(f"Request body must be a JSON object: {message}") from None
        raise InvalidInput([FieldProblem(field, message)]) from None
    except msgspec.DecodeError as exc:
        raise _undecodable(raw, exc) from None
    _check_duplicates(raw, decoded)
    return decoded


def _too_deep(raw: bytes, limit: int = 64) -> str:
    """The top-level key under which the document nests past `limit` levels ("$" if none)."""
    text = raw.decode("utf-8", "replace")
    depth, in_string, escaped, start, last_string, key = 0, False, False, 0, "", "$"
    for i, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string, last_string = False, text[start:i]
        elif char == '"':
            in_string, start = True, i + 1
        elif char == ":" and depth == 1:
            key = last_string
        elif char in "{[":
            depth += 1
            if depth > limit:
                return key
        elif char in "}]":
            depth -= 1
    return key


def _undecodable(raw: bytes, exc: msgspec.DecodeError) -> MalformedInput | InvalidInput:
    # Python producers write NaN/Infinity, which strict JSON forbids: name the field instead of
    # pointing at a byte offset.
    try:
        lenient = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return MalformedInput(f"Request body is not valid JSON: {exc}")
    bad = _first_non_finite(lenient)
    if bad is not None:
        return InvalidInput([FieldProblem(bad, "must be a finite number")])
    return MalformedInput(f"Request body is not valid JSON: {exc}")
