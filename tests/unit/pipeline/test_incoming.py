from pipeline.dead_letters import DeadLetter
from pipeline.incoming import IncomingMessage, parse_meter_values

BODY = (
    b'{"tenantId":"default","sessionId":"s1","chargingStationId":"CP-1","meterValues":['
    b'{"timestamp":"2026-02-27T10:00:00Z","value":1000,"unit":"Wh"}]}'
)


def test_valid_message_is_normalised_with_a_replay_stable_source_key() -> None:
    out = parse_meter_values("evwatch.meter-values", 2, 41, b"k", BODY)
    assert isinstance(out, IncomingMessage)
    assert out.readings[0].value == 1.0 and out.readings[0].unit == "kWh"
    assert out.source_key == "kafka:evwatch.meter-values:2:41"


def test_invalid_message_becomes_a_dead_letter_with_reason_and_original_bytes() -> None:
    raw = BODY.replace(b'"unit":"Wh"', b'"unit":"Percent"')
    out = parse_meter_values("evwatch.meter-values", 0, 7, None, raw)
    assert isinstance(out, DeadLetter)
    assert out.value == raw and out.kind == "validation_error"
    assert "meterValues[0].unit" in out.reason
    headers = dict(out.headers())
    assert headers["evwatch-source-offset"] == b"7"


def test_malformed_json_is_a_dead_letter() -> None:
    out = parse_meter_values("t", 0, 0, None, b"{oops")
    assert isinstance(out, DeadLetter) and out.kind == "malformed_json"


def test_the_reserved_session_id_is_a_dead_letter() -> None:
    out = parse_meter_values("t", 0, 1, None, BODY.replace(b'"s1"', b'"batch"'))
    assert isinstance(out, DeadLetter) and "sessionId" in out.reason
