"""The station steps wired in Bytewax (testing sources, a recording writer): items reach the windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import bytewax.operators as op
from bytewax.connectors.kafka import KafkaSinkMessage, KafkaSourceMessage
from bytewax.dataflow import Dataflow
from bytewax.testing import TestingSink, TestingSource, run_main

from evwatch.contracts.meter_values import MeterValuesMessage
from evwatch.domain.meter_values import StoredReading
from evwatch.session_service import IncomingMessage
from pipeline.dead_letter import DeadLetter
from pipeline.station_dataflow import station_core
from pipeline.station_processor import (
    EnergyChanged,
    ScoreDay,
    StationOutput,
    StationSeen,
    StationWindowConfig,
    StatusChanged,
)

T0 = datetime(2026, 3, 2, tzinfo=UTC)


def _meter(day: int, minute: int, kwh: float, session: str) -> IncomingMessage:
    msg = MeterValuesMessage(tenant_id="t", session_id=session, charging_station_id="ST", connector_id="1")
    reading = StoredReading(T0 + timedelta(days=day, minutes=minute), "Energy.Active.Import.Register", "kWh", kwh)
    return IncomingMessage(msg, [reading], f"kafka:m:0:{day}{minute}")


def _status(raw: bytes, offset: int) -> KafkaSourceMessage[bytes | None, bytes | None]:
    return KafkaSourceMessage(key=None, value=raw, topic="evwatch.station-status", partition=0, offset=offset)


def test_status_and_meter_values_flow_into_the_station_windows() -> None:
    seen: list[tuple[str, StationOutput]] = []

    def writer(batch: list[tuple[str, StationOutput]]) -> list[KafkaSinkMessage[bytes | None, bytes | None]]:
        seen.extend(batch)
        return []

    flow = Dataflow("station_test")
    raw = op.input(
        "status",
        flow,
        TestingSource(
            [
                _status(
                    b'{"tenantId":"t","chargingStationId":"ST","connectorId":1,"status":"Faulted",'
                    b'"timestamp":"2026-03-02T05:00:00Z"}',
                    1,
                ),
                _status(
                    b'{"tenantId":"t","chargingStationId":"ST","connectorId":1,"status":"Broken",'
                    b'"timestamp":"2026-03-02T05:00:00Z"}',
                    2,
                ),
            ]
        ),
    )
    valid = op.input(
        "meters",
        flow,
        TestingSource(
            [
                _meter(0, 600, 10.0, "a"),
                _meter(0, 660, 20.0, "a"),
                _meter(1, 60, 21.0, "b"),
                _meter(1, 90, 25.0, "b"),
            ]
        ),
    )
    dead, events = station_core(raw, valid, writer, StationWindowConfig(settle_s=0), clock=lambda: T0.timestamp())
    dead_out: list[DeadLetter] = []
    op.output("dead", dead, TestingSink(dead_out))
    op.output("events", events, TestingSink([]))
    run_main(flow)

    assert [d.offset for d in dead_out] == [2]
    kinds = [type(o) for _, o in seen]
    assert kinds.count(StationSeen) >= 1 and StatusChanged in kinds and EnergyChanged in kinds
    # The clock says it is still day 0, so day 0 also got an intra-day score before day 1 closed it.
    final = [o for _, o in seen if isinstance(o, ScoreDay) and not o.partial]
    assert len(final) == 1 and final[0].day.day_start == int(T0.timestamp())
    assert final[0].day.energy_kwh.sum() > 10.0  # session a, plus idle energy until session b
    assert {k for k, _ in seen} == {"t\x1fST"}
