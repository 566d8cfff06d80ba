"""Sessions and meter values on the wire: the /v1 request bodies and the `evwatch.meter-values` messages.

The topic carries two kinds of message, told apart by a `kind` tag (a msgspec tagged union):
- `BackendReadings`: what charging backends produce, the Create Session body plus `tenantId`.
  Backends never send a tag, so a message without one is this kind. Its readings are appended.
- `ApiSessionWrite`: a write the API stored, relayed to `evwatch.api-writes` by the outbox
  (`workers/outbox.py`) so the station windows see one stream. The pipeline does not store it again.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal

import msgspec

from evwatch.contracts.decoding import decode
from evwatch.contracts.fields import AwareDatetime, Camel, Id, Label
from evwatch.domain.bounds import Bounds
from evwatch.domain.errors import FieldProblem, InvalidInput
from evwatch.domain.ocpp import Location, Phase
from evwatch.domain.readings import StoredReading
from evwatch.domain.session_log import SessionWrite
from evwatch.domain.units import UnitError, normalise


class MeterValue(Camel, frozen=True, kw_only=True):
    """One reading (OCPP-style), in requests, messages and answers alike."""

    timestamp: AwareDatetime
    value: float
    measurand: Label | None = None
    unit: Label | None = None
    phase: Phase | None = None
    location: Location | None = None
    reconstructed: bool | None = None


class CreateSessionRequest(Camel, frozen=True, kw_only=True):
    """Body of `POST /v1/sessions`; also one entry of a batch."""

    session_id: Id
    charging_station_id: Id
    connector_id: Id | None = None
    evse_id: Id | None = None
    meter_values: list[MeterValue] | None = None
    metadata: dict[str, Any] | None = None
    status: Label | None = None


class ReplaceSessionRequest(Camel, frozen=True, kw_only=True):
    """Body of `PUT /v1/sessions/{session_id}`."""

    meter_values: list[MeterValue]
    metadata: dict[str, Any] | None = None
    status: Label | None = None


class UpdateSessionRequest(Camel, frozen=True, kw_only=True):
    """Body of `PATCH /v1/sessions/{session_id}`."""

    meter_values: list[MeterValue] | None = None
    metadata: dict[str, Any] | None = None
    status: Label | None = None


class BackendReadings(CreateSessionRequest, frozen=True, kw_only=True, tag="readings", tag_field="kind"):
    """A charging backend's message: the Create Session body plus `tenantId`; readings are appended."""

    tenant_id: Id


class ApiSessionWrite(CreateSessionRequest, frozen=True, kw_only=True, tag="api-write", tag_field="kind"):
    """A write the API stored, relayed for the station windows.

    A write too large for one Kafka message arrives as `parts` messages with the same `writeId`; the
    relay delivers at least once, so a part may arrive twice (the windows skip readings they saw).
    """

    tenant_id: Id
    op: Literal["create", "replace", "append", "update"]
    write_id: str = ""
    revision: int = 0
    part: int = 0
    parts: int = 1


MeterValuesMessage = BackendReadings | ApiSessionWrite


# A message with 50,000 bad readings names the first ones, not all of them.
_MAX_PROBLEMS = 20


class _Kind(msgspec.Struct):
    kind: str | None = None


def decode_meter_values_message(raw: bytes) -> MeterValuesMessage:
    """Decode one `evwatch.meter-values` message; errors name the offending field."""
    try:
        kind = msgspec.json.decode(raw, type=_Kind).kind
    except (msgspec.DecodeError, msgspec.ValidationError):
        kind = None  # decode() below reports the precise problem
    if kind == "api-write":
        return decode(raw, ApiSessionWrite)
    return decode(raw, BackendReadings)


def readings_from_wire(
    values: Sequence[MeterValue], bounds: Bounds, now: datetime, prefix: str = "meterValues"
) -> list[StoredReading]:
    """Validate every reading against the bounds and convert its unit; InvalidInput names each bad field."""
    if len(values) > bounds.max_readings_per_request:
        limit = bounds.max_readings_per_request
        raise InvalidInput([FieldProblem(prefix, f"has {len(values)} readings (at most {limit} per message)")])
    problems: list[FieldProblem] = []
    out: list[StoredReading] = []
    for i, mv in enumerate(values):
        where = f"{prefix}[{i}]"
        if not math.isfinite(mv.value):
            problems.append(FieldProblem(f"{where}.value", "must be a finite number"))
            continue
        timestamp = mv.timestamp.astimezone(UTC)
        late_or_early = bounds.check_timestamp(f"{where}.timestamp", timestamp, now)
        if late_or_early is not None:
            problems.append(late_or_early)
            continue
        try:
            measurand, unit, value = normalise(mv.measurand, mv.unit, mv.value)
        except UnitError as exc:
            problems.append(FieldProblem(f"{where}.{exc.field}", exc.message))
            continue
        out.append(
            StoredReading(
                timestamp=timestamp,
                measurand=measurand,
                unit=unit,
                value=value,
                phase=mv.phase,
                location=mv.location,
                reconstructed=bool(mv.reconstructed),
            )
        )
    if problems:
        raise InvalidInput(problems[:_MAX_PROBLEMS])
    return out


def validated_readings(
    body: CreateSessionRequest | ReplaceSessionRequest | UpdateSessionRequest, bounds: Bounds, now: datetime
) -> list[StoredReading]:
    """Everything a session write may carry, checked against the bounds: metadata, then readings."""
    if body.metadata is not None:
        problems = bounds.check_metadata(body.metadata)
        if problems:
            raise InvalidInput(problems)
    return readings_from_wire(body.meter_values or [], bounds, now)


def api_write_messages(write: SessionWrite, max_bytes: int) -> list[bytes]:
    """The relay's messages of one API write, each at most `max_bytes` long (readings split evenly)."""
    session = write.session
    values = [reading_to_wire(r) for r in write.readings]
    parts = 1
    while True:
        size = -(-len(values) // parts) if values else 0
        chunks = [values[i : i + size] for i in range(0, len(values), size)] if values else [[]]
        encoded = [
            _ENCODER.encode(
                ApiSessionWrite(
                    tenant_id=session.tenant_id,
                    session_id=session.session_id,
                    charging_station_id=session.charging_station_id,
                    connector_id=session.connector_id,
                    evse_id=session.evse_id,
                    meter_values=chunk,
                    metadata=session.metadata,
                    status=session.status,
                    op=write.op if write.op != "stream" else "append",
                    write_id=write.write_id,
                    revision=write.revision,
                    part=i,
                    parts=len(chunks),
                )
            )
            for i, chunk in enumerate(chunks)
        ]
        if all(len(m) <= max_bytes for m in encoded):
            return encoded
        if size <= 1:
            raise ValueError(f"session {session.session_id}: one reading with its attributes exceeds {max_bytes} bytes")
        parts *= 2


_ENCODER = msgspec.json.Encoder()


def reading_to_wire(reading: StoredReading) -> MeterValue:
    """A stored reading as the contract's MeterValue (answers and republished messages)."""
    return MeterValue(
        timestamp=reading.timestamp,
        value=reading.value,
        measurand=reading.measurand,
        unit=reading.unit,
        phase=reading.phase,
        location=reading.location,
        reconstructed=reading.reconstructed,
    )
