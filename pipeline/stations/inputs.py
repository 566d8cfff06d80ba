"""Pure conversion of pipeline input into per-station items (meter values, status, metadata)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from evwatch.contracts.station_status import (
    StationMetadata,
    StationStatusMessage,
    StatusNotification,
    decode_station_message,
)
from evwatch.domain.bounds import Bounds
from evwatch.domain.errors import FieldProblem, InvalidInput, MalformedInput
from evwatch.domain.ocpp import ENERGY
from evwatch.domain.session_metadata import MAX_POWER_KW
from pipeline.dead_letters import INVALID, MALFORMED, PROCESSING, DeadLetter, Source
from pipeline.incoming import IncomingMessage
from pipeline.keys import entity_key
from pipeline.stations.windows import EnergyReading, StatusEvent

PARSE_STEP = "station_status_parse"
# Sessions that name neither a connector nor an EVSE are put on connector "1" (most stations have one).
DEFAULT_CONNECTOR = "1"


@dataclass(frozen=True)
class ReadingsInput:
    """Energy-register readings of one message for one station."""

    readings: tuple[EnergyReading, ...]
    received_at: datetime
    source: Source
    # The session's `metadata.maxPowerKw`, used for its connector when station metadata gives none.
    max_power_kw: float | None = None


@dataclass(frozen=True)
class StatusInput:
    """A status change of one connector, with the message coordinates that make its row idempotent."""

    event: StatusEvent
    info: str | None
    source: Source


@dataclass(frozen=True)
class MetadataInput:
    """A station description."""

    metadata: StationMetadata
    received_at: datetime
    source: Source


StationInput = ReadingsInput | StatusInput | MetadataInput


def from_meter_values(item: IncomingMessage, now: datetime) -> list[tuple[str, StationInput]]:
    """The station item of one validated meter-values message (API-originated ones included).

    Only whole-meter `Energy.Active.Import.Register` readings count (per-phase registers would
    count the same energy three times). Every message marks the station as seen, even one
    without energy readings.
    """
    msg = item.message
    connector = msg.connector_id or msg.evse_id or DEFAULT_CONNECTOR
    readings = tuple(
        EnergyReading(
            connector_id=str(connector), timestamp=r.timestamp, register_kwh=r.value, session_id=msg.session_id
        )
        for r in item.readings
        if r.measurand == ENERGY and r.phase is None
    )
    rating = (msg.metadata or {}).get(MAX_POWER_KW)
    max_kw = float(rating) if isinstance(rating, int | float) and not isinstance(rating, bool) and rating > 0 else None
    return [(entity_key(msg.tenant_id, msg.charging_station_id), ReadingsInput(readings, now, item.source, max_kw))]


def _bounds_problems(message: StationStatusMessage, bounds: Bounds, now: datetime) -> list[FieldProblem]:
    problems = []
    if message.timestamp is not None:
        late_or_early = bounds.check_timestamp("timestamp", message.timestamp.astimezone(UTC), now)
        problems += [late_or_early] if late_or_early else []
    if isinstance(message, StationMetadata) and message.metadata is not None:
        problems += bounds.check_metadata(message.metadata)
    return problems


def parse_station_status(source: Source, bounds: Bounds, now: datetime) -> tuple[str, StationInput] | DeadLetter:
    """Decode one `evwatch.station-status` message into a keyed station item or a dead letter."""
    if not source.value:
        return source.refused(PARSE_STEP, MALFORMED, "empty message value")
    try:
        message = decode_station_message(source.value)
        problems = _bounds_problems(message, bounds, now)
        if problems:
            raise InvalidInput(problems)
    except MalformedInput as exc:
        return source.refused(PARSE_STEP, MALFORMED, str(exc))
    except InvalidInput as exc:
        return source.refused(PARSE_STEP, INVALID, str(exc))
    except Exception as exc:  # anything else about this message must not stop the flow
        return source.refused(PARSE_STEP, PROCESSING, f"{type(exc).__name__}: {exc}")
    key = entity_key(message.tenant_id, message.charging_station_id)
    if isinstance(message, StatusNotification):
        event = StatusEvent(
            connector_id=message.connector,
            status=message.status,
            timestamp=message.timestamp.astimezone(UTC),
            error_code=message.error_code,
        )
        return key, StatusInput(event, message.info, source)
    return key, MetadataInput(message, now, source)
