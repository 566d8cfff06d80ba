"""Pure conversion of pipeline input into per-station items (meter values, status, metadata)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from evwatch.clock import utc_now
from evwatch.contracts.station_status import StationMetadata, StatusNotification, decode_station_message
from evwatch.domain.errors import InvalidInput, MalformedInput
from evwatch.domain.ocpp import ENERGY
from pipeline.dead_letters import DeadLetter
from pipeline.incoming import IncomingMessage
from pipeline.keys import entity_key
from pipeline.stations.windows import EnergyReading, StatusEvent

# Sessions that name neither a connector nor an EVSE are put on connector "1" (most stations have one).
DEFAULT_CONNECTOR = "1"


@dataclass(frozen=True)
class ReadingsInput:
    """Energy-register readings of one message for one station."""

    readings: tuple[EnergyReading, ...]
    received_at: datetime
    # The session's `metadata.maxPowerKw`, used for its connector when station metadata gives none.
    max_power_kw: float | None = None


@dataclass(frozen=True)
class StatusInput:
    """A status change of one connector, with the message coordinates that make its row idempotent."""

    event: StatusEvent
    info: str | None
    source_key: str


@dataclass(frozen=True)
class MetadataInput:
    """A station description."""

    metadata: StationMetadata
    received_at: datetime


StationInput = ReadingsInput | StatusInput | MetadataInput


def from_meter_values(item: IncomingMessage, now: datetime | None = None) -> list[tuple[str, StationInput]]:
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
    received = now or utc_now()
    rating = (msg.metadata or {}).get("maxPowerKw")
    max_kw = float(rating) if isinstance(rating, int | float) and not isinstance(rating, bool) and rating > 0 else None
    return [(entity_key(msg.tenant_id, msg.charging_station_id), ReadingsInput(readings, received, max_kw))]


def parse_station_status(
    topic: str, partition: int, offset: int, key: bytes | None, value: bytes | None, now: datetime | None = None
) -> tuple[str, StationInput] | DeadLetter:
    """Decode one `evwatch.station-status` message into a keyed station item or a dead letter."""

    def dead(reason: str, kind: str) -> DeadLetter:
        return DeadLetter(topic, partition, offset, key, value, reason, kind)

    if not value:
        return dead("empty message value", "malformed_json")
    try:
        message = decode_station_message(value)
    except MalformedInput as exc:
        return dead(str(exc), "malformed_json")
    except InvalidInput as exc:
        return dead(str(exc), "validation_error")
    skey = entity_key(message.tenant_id, message.charging_station_id)
    if isinstance(message, StatusNotification):
        event = StatusEvent(
            connector_id=message.connector,
            status=message.status,
            timestamp=message.timestamp.astimezone(UTC),
            error_code=message.error_code,
        )
        return skey, StatusInput(event, message.info, f"kafka:{topic}:{partition}:{offset}")
    return skey, MetadataInput(message, now or utc_now())
