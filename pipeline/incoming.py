"""Decoding `evwatch.meter-values` messages: validated and normalised input, or a dead letter.

Both subjects read this topic: sessions store and analyse the readings, stations fold them into
per-minute energy.
"""

from __future__ import annotations

from dataclasses import dataclass

from evwatch.contracts.meter_values import MeterValuesMessage, decode_meter_values_message, readings_from_wire
from evwatch.domain.errors import InvalidInput, MalformedInput
from evwatch.domain.readings import StoredReading
from evwatch.domain.sessions import check_session_id
from pipeline.dead_letters import DeadLetter


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """A validated message, its normalised readings, and the coordinates that make its rows idempotent."""

    message: MeterValuesMessage
    readings: list[StoredReading]
    source_key: str


def parse_meter_values(
    topic: str, partition: int, offset: int, key: bytes | None, value: bytes | None
) -> IncomingMessage | DeadLetter:
    """Decode, validate and normalise one message; never raises for bad input."""

    def dead(reason: str, kind: str) -> DeadLetter:
        return DeadLetter(topic, partition, offset, key, value, reason, kind)

    if not value:
        return dead("empty message value", "malformed_json")
    try:
        message = decode_meter_values_message(value)
        check_session_id(message.session_id)
        readings = readings_from_wire(message.meter_values or [])
    except MalformedInput as exc:
        return dead(str(exc), "malformed_json")
    except InvalidInput as exc:
        return dead(str(exc), "validation_error")
    return IncomingMessage(message, readings, f"kafka:{topic}:{partition}:{offset}")
