"""The station steps wired in Bytewax over in-memory inputs, a fake SHADE and an in-memory store."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import bytewax.operators as op
from bytewax.connectors.kafka import KafkaSinkMessage, KafkaSourceMessage
from bytewax.dataflow import Dataflow
from bytewax.testing import TestingSink, TestingSource, run_main

from evwatch.contracts.meter_values import BackendReadings
from evwatch.domain.bounds import Bounds
from evwatch.domain.ocpp import ENERGY
from evwatch.domain.readings import StoredReading
from pipeline.dead_letters import DeadLetter, Source
from pipeline.incoming import Edge, IncomingMessage
from pipeline.stations.processor import StationWindowConfig
from pipeline.stations.steps import StationDeps, add_station_steps
from pipeline.tenants import KnownTenants
from tests.fakes.inference import FakeShade
from tests.fakes.stores import InMemoryStationStore

T0 = datetime(2026, 3, 2, tzinfo=UTC)


def _meter(day: int, minute: int, kwh: float, session: str) -> IncomingMessage:
    msg = BackendReadings(tenant_id="t", session_id=session, charging_station_id="ST", connector_id="1")
    reading = StoredReading(T0 + timedelta(days=day, minutes=minute), ENERGY, "kWh", kwh)
    return IncomingMessage(msg, [reading], Source("m", 0, day * 10_000 + minute, None, b"{}"))


def _status(status: str, offset: int) -> KafkaSourceMessage[bytes | None, bytes | None]:
    raw = (
        b'{"tenantId":"t","chargingStationId":"ST","connectorId":1,"status":"' + status.encode() + b'",'
        b'"timestamp":"2026-03-02T05:00:00Z"}'
    )
    return KafkaSourceMessage(key=None, value=raw, topic="evwatch.station-status", partition=0, offset=offset)


def test_status_and_meter_values_end_as_station_rows_and_a_scored_day() -> None:
    store = InMemoryStationStore()
    deps = StationDeps(
        store=store,
        infer=FakeShade(),
        threshold=0.5,
        windows=StationWindowConfig(settle_s=0),
        clock=lambda: T0.timestamp(),
        stop=threading.Event(),
    )
    flow = Dataflow("station_test")
    raw = op.input("status", flow, TestingSource([_status("Faulted", 1), _status("Broken", 2)]))
    meters = [_meter(0, 600, 10.0, "a"), _meter(0, 660, 20.0, "a"), _meter(1, 60, 21.0, "b"), _meter(1, 90, 25.0, "b")]
    edge = Edge(
        Bounds(), lambda: (T0 + timedelta(days=2)).timestamp(), KnownTenants(lambda ids: ids), threading.Event()
    )
    streams = add_station_steps(raw, op.input("meters", flow, TestingSource(meters)), edge, deps)
    dead: list[DeadLetter] = []
    events: list[KafkaSinkMessage[bytes | None, bytes | None]] = []
    op.output("dead", streams.dead_letters, TestingSink(dead))
    op.output("events", streams.events, TestingSink(events))
    run_main(flow)

    assert [d.source.offset for d in dead] == [2]  # "Broken" is not an OCPP status
    assert list(store.stations) == [("t", "ST")]
    assert [(r.connector_id, r.status) for r in store.statuses.values()] == [("1", "Faulted")]
    assert sum(r.energy_kwh for r in store.minutes.values()) > 10.0
    final = [r for r in store.inferences.values() if not r.is_partial]
    # The clock says it is still day 0, so day 1's data closed day 0 and nothing else.
    assert [r.day_start for r in final] == [T0]
    assert final[0].actual_energy_kwh > 10.0  # session a, plus idle energy until session b
    # Connector 1 reported Faulted from 05:00 on: an outage by rule, whatever the (fake) network says.
    assert final[0].is_anomaly and final[0].anomaly_type == "connector_outage"
    assert events and all(b"connector_outage" in (e.value or b"") for e in events)
