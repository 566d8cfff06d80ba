"""Station-status topic contract: both message kinds, the `type` tag, errors that name the field."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from evwatch.contracts.station_status import (
    StationMetadata,
    StatusNotification,
    decode_station_message,
    encode_station_message,
)
from evwatch.domain.errors import InvalidInput, MalformedInput

STATUS = (
    b'{"tenantId":"t1","chargingStationId":"ST-1","connectorId":2,"status":"Faulted",'
    b'"errorCode":"GroundFailure","timestamp":"2026-02-27T09:45:00+01:00"}'
)


def _field(raw: bytes) -> str:
    with pytest.raises(InvalidInput) as exc:
        decode_station_message(raw)
    return exc.value.problems[0].field


def test_status_without_type_is_a_status_notification() -> None:
    msg = decode_station_message(STATUS)
    assert isinstance(msg, StatusNotification)
    assert msg.connector == "2" and msg.status == "Faulted" and msg.error_code == "GroundFailure"
    assert msg.timestamp == datetime(2026, 2, 27, 8, 45, tzinfo=UTC)


def test_metadata_with_type_and_connectors() -> None:
    raw = (
        b'{"type":"StationMetadata","tenantId":"t1","chargingStationId":"ST-1","address":"Main 1",'
        b'"operator":"Op","timeZone":"Europe/Amsterdam","tariffPerKwh":0.59,"currency":"EUR",'
        b'"connectors":[{"connectorId":1,"maxPowerKw":150,"currentType":"DC"},{"connectorId":"2"}]}'
    )
    msg = decode_station_message(raw)
    assert isinstance(msg, StationMetadata)
    assert [c.connector for c in msg.connectors] == ["1", "2"]
    assert msg.connectors[0].max_power_kw == 150.0 and msg.time_zone == "Europe/Amsterdam"


def test_metadata_defaults() -> None:
    msg = decode_station_message(b'{"tenantId":"t1","chargingStationId":"ST-1"}')
    assert isinstance(msg, StationMetadata)
    assert msg.time_zone == "UTC" and msg.connectors == [] and msg.tariff_per_kwh is None


def test_round_trip_carries_the_tag() -> None:
    msg = decode_station_message(STATUS)
    raw = encode_station_message(msg)
    assert b'"type":"StatusNotification"' in raw
    assert decode_station_message(raw) == msg


def test_errors_name_the_field() -> None:
    assert _field(STATUS.replace(b'"Faulted"', b'"Broken"')) == "status"
    assert _field(STATUS.replace(b"+01:00", b"")) == "timestamp"
    assert _field(STATUS.replace(b'"tenantId":"t1",', b"")) == "tenantId"
    assert _field(STATUS.replace(b'"connectorId":2', b'"connectorId":-1')) == "connectorId"
    assert _field(b'{"type":"Nope","tenantId":"t"}') == "type"
    assert _field(b'{"tenantId":"t","chargingStationId":"S","timeZone":"Mars/Base"}') == "timeZone"
    assert _field(b'{"tenantId":"t","chargingStationId":"S","currency":"euro"}') == "currency"
    assert _field(b'{"tenantId":"t","chargingStationId":"S","tariffPerKwh":-1}') == "tariffPerKwh"
    assert (
        _field(b'{"tenantId":"t","chargingStationId":"S","connectors":[{"connectorId":"1","maxPowerKw":0}]}')
        == "connectors[0].maxPowerKw"
    )
    assert (
        _field(b'{"tenantId":"t","chargingStationId":"S","connectors":[{"connectorId":"1"},{"connectorId":1}]}')
        == "connectors[1].connectorId"
    )


def test_malformed_input() -> None:
    with pytest.raises(MalformedInput):
        decode_station_message(b"[1, 2]")
    with pytest.raises(MalformedInput):
        decode_station_message(b"{not json")
