"""The station write step: maps what the windows and the scorer emit onto rows, inserts them, announces.

No inference here (that is `scoring.py`); one insert per table per micro-batch.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime

import msgspec
from bytewax.connectors.kafka import KafkaSinkMessage

from evwatch.clock import Clock
from evwatch.contracts.events import StationAnomalyDetected
from evwatch.domain.stations import ConnectorInfo, MinuteEnergyRow, StationInferenceRow, StationRecord, StatusRow
from evwatch.failures import isolate
from evwatch.storage.stations import StationWrites
from pipeline.keys import split_key
from pipeline.stations.processor import EnergyChanged, MetadataChanged, StationOutput, StationSeen, StatusChanged
from pipeline.stations.scoring import DayScored
from pipeline.stations.windows import station_event_id, station_record_id

EventMessage = KafkaSinkMessage[bytes | None, bytes | None]
WRITE_STEP = "station_write"
StationItem = tuple[str, StationOutput | DayScored]


def _seen_record(tenant_id: str, station_id: str, out: StationSeen, now: datetime) -> StationRecord:
    return StationRecord(
        tenant_id,
        station_id,
        station_record_id(tenant_id, station_id),
        station_id,
        first_seen_at=out.first_seen,
        updated_at=now,
    )


def _described_record(tenant_id: str, station_id: str, out: MetadataChanged, now: datetime) -> StationRecord:
    m = out.metadata
    return StationRecord(
        tenant_id,
        station_id,
        station_record_id(tenant_id, station_id),
        m.ocpp_charging_station_id or station_id,
        time_zone=m.time_zone,
        address=m.address,
        operator=m.operator,
        tariff_per_kwh=m.tariff_per_kwh,
        currency=m.currency,
        connectors=tuple(ConnectorInfo(c.connector, c.max_power_kw, c.current_type) for c in m.connectors),
        metadata=dict(m.metadata or {}),
        has_metadata=True,
        first_seen_at=out.first_seen,
        updated_at=now,
    )


def station_rows(batch: list[StationItem], now: datetime) -> dict[tuple[str, str], tuple[StationRecord, int]]:
    """Station records with their versions: the newest description wins; a first-sight row (0) never does."""
    records: dict[tuple[str, str], tuple[StationRecord, int]] = {}
    for key, out in batch:
        tenant_id, station_id = split_key(key)
        if isinstance(out, StationSeen):
            # First sight only moves earlier, so the batch's last one is the earliest.
            if records.get((tenant_id, station_id), (None, 0))[1] == 0:
                records[(tenant_id, station_id)] = (_seen_record(tenant_id, station_id, out, now), 0)
        elif isinstance(out, MetadataChanged):
            version = int((out.metadata.timestamp or out.received_at).timestamp() * 1e9)
            records[(tenant_id, station_id)] = (_described_record(tenant_id, station_id, out, now), version)
    return records


def minute_rows(batch: list[StationItem]) -> list[MinuteEnergyRow]:
    """Minute energy rows; a later value of the same minute replaces an earlier one."""
    minutes: dict[tuple[str, str, str, datetime], MinuteEnergyRow] = {}
    for key, out in batch:
        if isinstance(out, EnergyChanged):
            tenant_id, station_id = split_key(key)
            for r in out.rows:
                minutes[(tenant_id, station_id, r.connector_id, r.minute)] = MinuteEnergyRow(
                    tenant_id, station_id, r.connector_id, r.minute, r.energy_kwh, r.session_active
                )
    return list(minutes.values())


def status_rows(batch: list[StationItem]) -> list[StatusRow]:
    """Connector status changes."""
    rows = []
    for key, out in batch:
        if isinstance(out, StatusChanged):
            tenant_id, station_id = split_key(key)
            event = out.event
            rows.append(
                StatusRow(
                    tenant_id,
                    station_id,
                    event.connector_id,
                    event.timestamp,
                    event.status,
                    event.error_code,
                    out.info,
                    out.source_ref,
                )
            )
    return rows


def anomaly_event(row: StationInferenceRow) -> EventMessage:
    """The `station.anomaly_detected` event of an anomalous SHADE result."""
    event = StationAnomalyDetected(
        event_id=station_event_id(row.inference_id, row.is_partial, row.minutes_observed, row.day_score),
        tenant_id=row.tenant_id,
        charging_station_id=row.charging_station_id,
        inference_id=row.inference_id,
        anomaly_type=row.anomaly_type,
        day_score=row.day_score,
        is_partial=row.is_partial,
        affected_period=row.local_date.isoformat(),
        analyzed_at=row.analyzed_at,
    )
    key = f"{row.tenant_id}/{row.charging_station_id}".encode()
    return KafkaSinkMessage(key=key, value=msgspec.json.encode(event))


class StationWriter:
    """Stores one micro-batch of station items; returns the events of anomalous SHADE results.

    Waits while ClickHouse is unreachable; an item ClickHouse refuses is counted, logged and skipped.
    """

    def __init__(self, store: StationWrites, clock: Clock, stop: threading.Event) -> None:
        self.store = store
        self.clock = clock
        self.stop = stop

    def __call__(self, batch: list[StationItem]) -> list[EventMessage]:
        """Insert stations, minute energy, status changes and SHADE results."""
        return isolate(WRITE_STEP, batch, self._write, lambda _item, _exc: [], self.stop)

    def _write(self, batch: Sequence[StationItem]) -> list[EventMessage]:
        items = list(batch)
        now = datetime.fromtimestamp(self.clock(), UTC)
        stations = station_rows(items, now)
        if stations:
            records, versions = zip(*stations.values(), strict=True)
            self.store.upsert_stations(list(records), list(versions))
        self.store.insert_minute_energy(minute_rows(items))
        self.store.insert_status_rows(status_rows(items), now)
        scored = [out.row for _, out in items if isinstance(out, DayScored)]
        self.store.insert_station_inferences(scored)
        return [anomaly_event(row) for row in scored if row.is_anomaly]
