import pytest

from evwatch.contracts.decoding import decode
from evwatch.contracts.meter_values import CreateSessionRequest, decode_meter_values_message
from evwatch.domain.errors import InvalidInput, MalformedInput

GOOD = b'{"sessionId":"s1","chargingStationId":"CP-1","meterValues":[{"timestamp":"2026-02-27T10:00:00Z","value":1}]}'


def test_decodes_camel_case_body() -> None:
    req = decode(GOOD, CreateSessionRequest)
    assert req.session_id == "s1" and req.meter_values is not None and len(req.meter_values) == 1


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b'{"chargingStationId":"CP-1"}', "sessionId"),
        (
            b'{"sessionId":"s","chargingStationId":"CP","meterValues":[{"timestamp":"2026-02-27T10:00:00","value":1}]}',
            "meterValues[0].timestamp",
        ),
        (
            b'{"sessionId":"s","chargingStationId":"CP","meterValues":[{"timestamp":"2026-02-27T10:00:00Z","value":NaN}]}',
            "meterValues[0].value",
        ),
        (
            b'{"sessionId":"s","chargingStationId":"CP","meterValues":[{"timestamp":"2026-02-27T10:00:00Z","value":Infinity}]}',
            "meterValues[0].value",
        ),
        (
            b'{"sessionId":"s","chargingStationId":"CP","meterValues":[{"timestamp":"2026-02-27T10:00:00Z","value":"x"}]}',
            "meterValues[0].value",
        ),
        (b'{"sessionId":"","chargingStationId":"CP"}', "sessionId"),
    ],
)
def test_invalid_fields_are_named(raw: bytes, field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        decode(raw, CreateSessionRequest)
    assert err.value.problems[0].field == field


@pytest.mark.parametrize("raw", [b"{not json", b"[1,2]", b'"text"'])
def test_malformed_or_non_object_bodies(raw: bytes) -> None:
    with pytest.raises(MalformedInput):
        decode(raw, CreateSessionRequest)


def test_kafka_message_requires_tenant_id() -> None:
    with pytest.raises(InvalidInput) as err:
        decode_meter_values_message(GOOD)
    assert err.value.problems[0].field == "tenantId"


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b'{"sessionId":"s1","sessionId":"s2","chargingStationId":"CP"}', "sessionId"),
        (
            b'{"sessionId":"s","chargingStationId":"CP","meterValues":[{"timestamp":"2026-02-27T10:00:00Z",'
            b'"value":1,"value":2}]}',
            "value",
        ),
        (b'{"sessionId":"s","chargingStationId":"CP","metadata":{"maxPowerKw":1,"maxPowerKw":9999}}', "maxPowerKw"),
    ],
)
def test_a_repeated_key_is_refused_by_name(raw: bytes, field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        decode(raw, CreateSessionRequest)
    assert err.value.problems[0].field == field


def test_explicit_nulls_and_keys_that_repeat_in_different_objects_are_fine() -> None:
    raw = (
        b'{"sessionId":"s","chargingStationId":"CP","connectorId":null,"metadata":{"sessionId":"x"},'
        b'"meterValues":[{"timestamp":"2026-02-27T10:00:00Z","value":1,"phase":null},'
        b'{"timestamp":"2026-02-27T10:01:00Z","value":2}]}'
    )
    req = decode(raw, CreateSessionRequest)
    assert req.connector_id is None and req.meter_values is not None and len(req.meter_values) == 2


def test_deep_garbage_is_malformed_not_a_crash() -> None:
    with pytest.raises(MalformedInput):
        decode(b"[" * 100_000 + b"]" * 99_999, CreateSessionRequest)
