"""Pure parsing of `evwatch.meter-values` messages into validated input or a dead letter."""

from __future__ import annotations

from evwatch.contracts.decoding import decode
from evwatch.contracts.meter_values import MeterValuesMessage
from evwatch.domain.errors import InvalidInput, MalformedInput
from evwatch.domain.meter_values import normalise_meter_values
from evwatch.session_service import IncomingMessage
from pipeline.dead_letter import DeadLetter


def parse(
    topic: str, partition: int, offset: int, key: bytes | None, value: bytes | None
) -> IncomingMessage | DeadLetter:
    """Decode, validate and normalise one message; never raises for bad input."""

    def dead(reason: str, kind: str) -> DeadLetter:
        return DeadLetter(topic, partition, offset, key, value, reason, kind)

    if not value:
        return dead("empty message value", "malformed_json")
    try:
        message = decode(value, MeterValuesMessage)
        readings = normalise_meter_values(message.meter_values or [])
    except MalformedInput as exc:
        return dead(str(exc), "malformed_json")
    except InvalidInput as exc:
        return dead(str(exc), "validation_error")
    return IncomingMessage(message, readings, f"kafka:{topic}:{partition}:{offset}")
