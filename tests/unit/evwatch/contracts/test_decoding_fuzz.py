"""Property: whatever bytes arrive, decoding and the bounds either accept them or refuse them by
name (400 or 422 on the API, a dead letter on Kafka); nothing else may escape."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from evwatch.contracts.decoding import decode
from evwatch.contracts.meter_values import BackendReadings, CreateSessionRequest, validated_readings
from evwatch.contracts.station_status import decode_station_message
from evwatch.domain.bounds import Bounds
from evwatch.domain.errors import InvalidInput, MalformedInput
from tests.support.fuzz import EXAMPLES, fuzz
from tests.support.hostile import CASES, body

NOW = datetime(2026, 3, 1, tzinfo=UTC)
JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
FIELDS = ["sessionId", "chargingStationId", "connectorId", "evseId", "status", "metadata", "meterValues", "tenantId"]
READING_FIELDS = ["timestamp", "value", "measurand", "unit", "phase", "location", "reconstructed"]


def _accept_or_refuse(raw: bytes) -> None:
    try:
        request = decode(raw, CreateSessionRequest)
        validated_readings(request, Bounds(), NOW)
    except (MalformedInput, InvalidInput) as refused:
        assert str(refused)
    with contextlib.suppress(MalformedInput, InvalidInput):
        decode(raw, BackendReadings)
    with contextlib.suppress(MalformedInput, InvalidInput):
        decode_station_message(raw)


@fuzz
@given(st.binary(max_size=512))
def test_random_bytes(raw: bytes) -> None:
    _accept_or_refuse(raw)


@fuzz
@given(st.sampled_from(FIELDS), JSON_VALUES)
def test_any_value_in_any_field(field: str, value: Any) -> None:
    doc = body()
    doc[field] = value
    _accept_or_refuse(json.dumps(doc, allow_nan=True).encode())


@fuzz
@given(st.sampled_from(READING_FIELDS), JSON_VALUES, st.integers(min_value=0, max_value=3))
def test_any_value_in_any_reading_field(field: str, value: Any, index: int) -> None:
    doc = body()
    readings = [dict(r) for r in doc["meterValues"]]
    readings[index][field] = value
    doc["meterValues"] = readings
    _accept_or_refuse(json.dumps(doc, allow_nan=True).encode())


@fuzz
@given(st.sampled_from(CASES), st.integers(min_value=0, max_value=10_000), st.binary(min_size=1, max_size=8))
def test_hostile_cases_with_bytes_flipped(case: Any, position: int, noise: bytes) -> None:
    raw = bytearray(case.raw[:20_000])
    at = position % max(len(raw), 1)
    raw[at : at + len(noise)] = noise
    _accept_or_refuse(bytes(raw))


def test_the_budget_is_fixed_in_ci() -> None:
    assert EXAMPLES >= 50
