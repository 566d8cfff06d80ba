"""The flow's edge: decoding, bounds, the public/internal split and unknown tenants."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import msgspec

from evwatch.contracts.meter_values import ApiSessionWrite
from evwatch.domain.bounds import Bounds
from pipeline.dead_letters import DeadLetter, Source
from pipeline.incoming import Edge, IncomingMessage, known_tenants_only, parse_internal, parse_public
from pipeline.tenants import KnownTenants

NOW = datetime(2026, 3, 1, tzinfo=UTC)
BODY = (
    b'{"tenantId":"default","sessionId":"s1","chargingStationId":"CP-1","meterValues":['
    b'{"timestamp":"2026-02-27T10:00:00Z","value":1000,"unit":"Wh"}]}'
)


def _edge(known: set[str] | None = None) -> Edge:
    tenants = KnownTenants(lambda ids: ids & (known or {"default"}))
    return Edge(Bounds(), lambda: NOW.timestamp(), tenants, threading.Event())


def _source(value: bytes, offset: int = 41) -> Source:
    return Source("evwatch.meter-values", 2, offset, b"k", value)


def _one(value: bytes, internal: bool = False) -> IncomingMessage | DeadLetter:
    parse = parse_internal if internal else parse_public
    (out,) = parse(_edge(), [_source(value)])
    return out


def test_valid_message_is_normalised_with_a_replay_stable_source() -> None:
    out = _one(BODY)
    assert isinstance(out, IncomingMessage)
    assert out.readings[0].value == 1.0 and out.readings[0].unit == "kWh"
    assert out.source.ref == "kafka:evwatch.meter-values:2:41" and out.source.value == BODY


def test_invalid_message_becomes_a_dead_letter_with_reason_step_and_original_bytes() -> None:
    raw = BODY.replace(b'"unit":"Wh"', b'"unit":"Percent"')
    out = _one(raw)
    assert isinstance(out, DeadLetter)
    assert out.source.value == raw and out.kind == "validation_error" and out.step == "parse"
    assert "meterValues[0].unit" in out.reason
    headers = dict(out.headers())
    assert headers["evwatch-source-offset"] == b"41" and headers["evwatch-step"] == b"parse"


def test_malformed_json_and_an_empty_value_are_dead_letters() -> None:
    for raw in (b"{oops", b""):
        out = _one(raw)
        assert isinstance(out, DeadLetter) and out.kind == "malformed_json"


def test_the_reserved_session_id_is_a_dead_letter() -> None:
    out = _one(BODY.replace(b'"s1"', b'"batch"'))
    assert isinstance(out, DeadLetter) and "sessionId" in out.reason


def test_readings_outside_the_time_window_or_physics_are_refused_by_field() -> None:
    future = _one(BODY.replace(b"2026-02-27T10:00:00Z", b"2200-01-01T00:00:00Z"))
    ancient = _one(BODY.replace(b"2026-02-27T10:00:00Z", b"1999-12-31T23:59:59Z"))
    huge = _one(BODY.replace(b'"value":1000', b'"value":1e308'))
    for out, field in ((future, "timestamp"), (ancient, "timestamp"), (huge, "value")):
        assert isinstance(out, DeadLetter) and f"meterValues[0].{field}" in out.reason


def test_an_api_write_on_the_public_topic_is_refused_and_accepted_on_the_internal_one() -> None:
    write = msgspec.json.encode(
        ApiSessionWrite(
            tenant_id="default", session_id="s", charging_station_id="CP", op="create", write_id="api:1", revision=1
        )
    )
    refused = _one(write)
    assert isinstance(refused, DeadLetter) and "internal topic" in refused.reason
    accepted = _one(write, internal=True)
    assert isinstance(accepted, IncomingMessage) and isinstance(accepted.message, ApiSessionWrite)
    # A backend message is not an API write, on the internal topic either.
    assert isinstance(_one(BODY, internal=True), DeadLetter)


def test_internal_fields_on_a_backend_message_have_no_effect() -> None:
    out = _one(BODY.replace(b"{", b'{"op":"create","writeId":"api:x","revision":7,', 1))
    assert isinstance(out, IncomingMessage)
    assert not hasattr(out.message, "op") and not hasattr(out.message, "write_id")


def test_messages_of_unknown_tenants_become_dead_letters() -> None:
    edge = _edge(known={"default"})
    parsed = parse_public(edge, [_source(BODY, 1), _source(BODY.replace(b'"default"', b'"ghost"'), 2)])
    checked = known_tenants_only(edge, lambda i: i.message.tenant_id, lambda i: i.source)(parsed)
    assert isinstance(checked[0], IncomingMessage)
    assert isinstance(checked[1], DeadLetter) and checked[1].kind == "unknown_tenant"
    assert "ghost" in checked[1].reason


def test_the_tenant_cache_asks_again_about_unknown_tenants_but_not_known_ones() -> None:
    asked: list[set[str]] = []
    now = [0.0]

    def lookup(ids: set[str]) -> set[str]:
        asked.append(set(ids))
        return ids & {"a"}

    tenants = KnownTenants(lookup, clock=lambda: now[0])
    assert tenants.known({"a", "b"}) == {"a"}
    assert tenants.known({"a", "b"}) == {"a"} and len(asked) == 1
    now[0] = 10.0  # the unknown answer expired, the known one did not
    tenants.known({"a", "b"})
    assert asked[-1] == {"b"}
