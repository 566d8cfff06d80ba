"""Wire types of `evwatch.station-status`: OCPP StatusNotification-like events and station metadata.

Both kinds share one topic and are told apart by a `type` field (a msgspec tagged union:
`"StatusNotification"` or `"StationMetadata"`). Producers that speak plain OCPP rarely send a
`type`, so it is optional on input: a message without one is a status notification when it
has a `status` key and station metadata otherwise. See docs/station-messages.md.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from evwatch.contracts.decoding import decode
from evwatch.contracts.fields import AwareDatetime, Camel, ConnectorId, Id, Label, Text
from evwatch.domain.errors import FieldProblem, InvalidInput
from evwatch.domain.ocpp import ConnectorStatus

STATUS_NOTIFICATION = "StatusNotification"
STATION_METADATA = "StationMetadata"


class StatusNotification(Camel, frozen=True, kw_only=True, tag=STATUS_NOTIFICATION, tag_field="type"):
    """A connector changed status. `connectorId` "0" addresses the whole station (OCPP)."""

    tenant_id: Id
    charging_station_id: Id
    connector_id: ConnectorId
    status: ConnectorStatus
    timestamp: AwareDatetime
    error_code: Label = "NoError"
    info: Text | None = None
    vendor_error_code: Label | None = None

    @property
    def connector(self) -> str:
        """The connector id as a string."""
        return str(self.connector_id)


class ConnectorSpec(Camel, frozen=True, kw_only=True):
    """One connector of a station as described by its metadata."""

    connector_id: ConnectorId
    max_power_kw: Annotated[float, msgspec.Meta(gt=0, le=2000)] | None = None
    current_type: Literal["AC", "DC"] | None = None

    @property
    def connector(self) -> str:
        """The connector id as a string."""
        return str(self.connector_id)


class StationMetadata(Camel, frozen=True, kw_only=True, tag=STATION_METADATA, tag_field="type"):
    """Facts about a station; a later message replaces the earlier one as a whole."""

    tenant_id: Id
    charging_station_id: Id
    ocpp_charging_station_id: Id | None = None
    address: Text | None = None
    operator: Text | None = None
    time_zone: Label = "UTC"
    # Money per kWh in `currency`; 1,000 per kWh is no tariff anyone charges.
    tariff_per_kwh: Annotated[float, msgspec.Meta(ge=0, le=1_000)] | None = None
    currency: Annotated[str, msgspec.Meta(pattern="^[A-Z]{3}$")] | None = None
    connectors: Annotated[list[ConnectorSpec], msgspec.Meta(max_length=64)] = msgspec.field(default_factory=list)
    # Free-form extras passed through to `GET /v1/stations/{id}` `metadata`.
    metadata: dict[str, Any] | None = None
    # When the producer built this description; orders updates (arrival order otherwise).
    timestamp: AwareDatetime | None = None


StationStatusMessage = StatusNotification | StationMetadata


class _Peek(msgspec.Struct):
    """Just enough of a message to tell its kind."""

    type: str | None = None
    status: msgspec.Raw | None = None


def _kind(raw: bytes) -> str:
    try:
        peek = msgspec.json.decode(raw, type=_Peek)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        return STATUS_NOTIFICATION  # decode() below reports the precise problem
    if peek.type is None:
        return STATUS_NOTIFICATION if peek.status is not None else STATION_METADATA
    if peek.type not in (STATUS_NOTIFICATION, STATION_METADATA):
        raise InvalidInput([FieldProblem("type", f"must be {STATUS_NOTIFICATION!r} or {STATION_METADATA!r}")])
    return peek.type


def decode_station_message(raw: bytes) -> StationStatusMessage:
    """Decode one `evwatch.station-status` message; errors name the offending field."""
    kind = _kind(raw)
    if kind == STATUS_NOTIFICATION:
        return decode(raw, StatusNotification)
    message = decode(raw, StationMetadata)
    try:
        ZoneInfo(message.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput([FieldProblem("timeZone", f"unknown IANA time zone {message.time_zone!r}")]) from None
    seen: set[str] = set()
    for i, spec in enumerate(message.connectors):
        if spec.connector in seen:
            raise InvalidInput(
                [FieldProblem(f"connectors[{i}].connectorId", f"duplicate connector {spec.connector!r}")]
            )
        seen.add(spec.connector)
    return message


def encode_station_message(message: StationStatusMessage) -> bytes:
    """JSON bytes of a message, including its `type` tag."""
    return msgspec.json.encode(message)
