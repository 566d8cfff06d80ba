from datetime import UTC, datetime, timedelta, timezone

import pytest

from evwatch.contracts.meter_values import (
    ApiSessionWrite,
    BackendReadings,
    MeterValue,
    api_write_messages,
    decode_meter_values_message,
    readings_from_wire,
)
from evwatch.domain.bounds import Bounds
from evwatch.domain.errors import InvalidInput
from evwatch.domain.ocpp import ENERGY
from evwatch.domain.readings import StoredReading
from evwatch.domain.session_log import REPLACE, SessionWrite, api_slot
from evwatch.domain.sessions import SessionRecord

BOUNDS = Bounds()
NOW = datetime(2026, 3, 1, tzinfo=UTC)


def mv(**kw: object) -> MeterValue:
    base: dict[str, object] = {"timestamp": datetime(2026, 2, 27, 10, tzinfo=UTC), "value": 1.0}
    base.update(kw)
    return MeterValue(**base)  # type: ignore[arg-type]


def test_normalises_units_and_converts_timestamps_to_utc() -> None:
    plus2 = timezone(timedelta(hours=2))
    out = readings_from_wire(
        [mv(value=5500.0, unit="Wh", timestamp=datetime(2026, 2, 27, 12, tzinfo=plus2))], BOUNDS, NOW
    )
    assert out[0].value == pytest.approx(5.5)
    assert out[0].unit == "kWh"
    assert out[0].timestamp == datetime(2026, 2, 27, 10, tzinfo=UTC)


def test_every_bad_reading_is_named() -> None:
    with pytest.raises(InvalidInput) as err:
        readings_from_wire([mv(value=float("nan")), mv(), mv(unit="Percent"), mv(value=float("inf"))], BOUNDS, NOW)
    fields = [p.field for p in err.value.problems]
    assert fields == ["meterValues[0].value", "meterValues[2].unit", "meterValues[3].value"]


def test_measurand_the_models_do_not_use_is_kept() -> None:
    out = readings_from_wire([mv(measurand="Current.Import", unit="A", value=32.0)], BOUNDS, NOW)
    assert (out[0].measurand, out[0].unit, out[0].value) == ("Current.Import", "A", 32.0)


BACKEND = b'{"tenantId":"t","sessionId":"s","chargingStationId":"CP","meterValues":[]}'


def test_a_message_without_a_kind_is_a_backend_message() -> None:
    message = decode_meter_values_message(BACKEND)
    assert isinstance(message, BackendReadings) and message.tenant_id == "t"


def test_the_relay_sends_a_tagged_write_that_decodes_back() -> None:
    import msgspec

    write = ApiSessionWrite(
        tenant_id="t", session_id="s", charging_station_id="CP", op="replace", write_id="api:1", revision=2
    )
    raw = msgspec.json.encode(write)
    assert b'"kind":"api-write"' in raw
    assert decode_meter_values_message(raw) == write


def _api_write(readings: int) -> SessionWrite:
    session = SessionRecord("t", "s", "CP", "1", None, "active", {"maxPowerKw": 22}, NOW, NOW)
    values = tuple(StoredReading(NOW + timedelta(seconds=i), ENERGY, "kWh", i / 10) for i in range(readings))
    return SessionWrite(session, "api:w", api_slot(3), 3, REPLACE, NOW, values)


@pytest.mark.parametrize(("readings", "limit"), [(0, 4096), (3, 4096), (1000, 16_384), (10_000, 1024 * 1024)])
def test_a_large_write_is_relayed_in_parts_under_the_limit_and_nothing_is_lost(readings: int, limit: int) -> None:
    import msgspec

    write = _api_write(readings)
    messages = api_write_messages(write, limit)
    assert all(len(m) <= limit for m in messages)
    decoded = [decode_meter_values_message(m) for m in messages]
    assert all(isinstance(d, ApiSessionWrite) for d in decoded)
    assert [(d.part, d.parts, d.write_id, d.revision) for d in decoded] == [  # type: ignore[union-attr]
        (i, len(messages), "api:w", 3) for i in range(len(messages))
    ]
    values = [mv.value for d in decoded for mv in d.meter_values or []]
    assert values == [r.value for r in write.readings]
    assert readings < 1000 or len(messages) > 1
    assert msgspec.json.decode(messages[0])["op"] == "replace"


def test_a_reading_too_large_for_any_message_is_an_error() -> None:
    with pytest.raises(ValueError, match="exceeds"):
        api_write_messages(_api_write(2), 100)


def test_an_unknown_kind_is_refused_by_name() -> None:
    with pytest.raises(InvalidInput) as err:
        decode_meter_values_message(BACKEND.replace(b"{", b'{"kind":"other",', 1))
    assert err.value.problems[0].field == "kind"


def test_a_reading_outside_the_time_window_is_named() -> None:
    with pytest.raises(InvalidInput) as err:
        readings_from_wire([mv(), mv(timestamp=datetime(2200, 1, 1, tzinfo=UTC))], BOUNDS, NOW)
    assert [p.field for p in err.value.problems] == ["meterValues[1].timestamp"]


def test_too_many_readings_in_one_message_are_refused_whole() -> None:
    with pytest.raises(InvalidInput, match="at most 2 per message"):
        readings_from_wire([mv(), mv(), mv()], Bounds(max_readings_per_request=2), NOW)
