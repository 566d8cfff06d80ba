"""Per-station processing: first sight, metadata, status, energy, day close, partial scores, scoring rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from evwatch.contracts.meter_values import BackendReadings
from evwatch.contracts.station_status import decode_station_message
from evwatch.domain.bounds import Bounds
from evwatch.domain.categories import STATION_ANOMALY_TYPES
from evwatch.domain.readings import StoredReading
from models.shade.schema import N_CLASSES, OUTPUT_DAY_SCORE, OUTPUT_MINUTE_PROBS
from pipeline.dead_letters import DeadLetter, Source
from pipeline.incoming import IncomingMessage
from pipeline.keys import split_key
from pipeline.stations.inputs import (
    MetadataInput,
    ReadingsInput,
    StationInput,
    StatusInput,
    from_meter_values,
    parse_station_status,
)
from pipeline.stations.processor import (
    EnergyChanged,
    MetadataChanged,
    ScoreDay,
    StationProcessorState,
    StationSeen,
    StationWindowConfig,
    StatusChanged,
    next_tick,
    on_input,
    on_tick,
)
from pipeline.stations.scoring import ScoreRequest, score_days
from pipeline.stations.windows import EnergyReading, station_inference_id

T0 = datetime(2026, 3, 2, tzinfo=UTC)
NOW = T0 + timedelta(days=7)
SRC = Source("evwatch.meter-values", 0, 1, None, b"{}")
CFG = StationWindowConfig(close_after_s=3600, partial_interval_s=600, quiet_s=60, tick_s=30, settle_s=0)


def readings(day: int, minutes: list[int], start_kwh: float, step: float, session: str) -> ReadingsInput:
    return ReadingsInput(
        tuple(
            EnergyReading("1", T0 + timedelta(days=day, minutes=m), start_kwh + i * step, session)
            for i, m in enumerate(minutes)
        ),
        received_at=T0,
        source=SRC,
    )


def status(raw: bytes, offset: int = 1) -> StationInput | DeadLetter:
    parsed = parse_station_status(Source("evwatch.station-status", 0, offset, b"k", raw), Bounds(), NOW)
    return parsed if isinstance(parsed, DeadLetter) else parsed[1]


def test_meter_values_message_becomes_a_station_item() -> None:
    msg = BackendReadings(
        tenant_id="t", session_id="s1", charging_station_id="ST", connector_id="2", metadata={"maxPowerKw": 11}
    )
    stored = [
        StoredReading(T0, "Energy.Active.Import.Register", "kWh", 1.0),
        StoredReading(T0, "Energy.Active.Import.Register", "kWh", 0.3, phase="L1"),
        StoredReading(T0, "Power.Active.Import", "kW", 11.0),
    ]
    [(key, item)] = from_meter_values(IncomingMessage(msg, stored, SRC), T0)
    assert split_key(key) == ("t", "ST")
    assert isinstance(item, ReadingsInput)
    assert [(r.connector_id, r.register_kwh, r.session_id) for r in item.readings] == [("2", 1.0, "s1")]
    assert item.max_power_kw == 11.0
    state = StationProcessorState()
    on_input(state, item, T0.timestamp(), CFG)
    assert state.windows.max_power_kw == {"2": 11.0}


def test_status_topic_parsing_and_dead_letters() -> None:
    raw = b'{"tenantId":"t","chargingStationId":"ST","connectorId":1,"status":"Faulted","timestamp":"2026-03-02T01:00:00Z"}'
    parsed = parse_station_status(Source("evwatch.station-status", 0, 7, b"k", raw), Bounds(), NOW)
    assert not isinstance(parsed, DeadLetter)
    key, item = parsed
    assert split_key(key) == ("t", "ST") and isinstance(item, StatusInput)
    assert item.source.ref == "kafka:evwatch.station-status:0:7" and item.event.connector_id == "1"
    assert isinstance(status(b'{"tenantId":"t","chargingStationId":"ST","timeZone":"Europe/Berlin"}'), MetadataInput)
    bad = status(raw.replace(b"Faulted", b"Exploded"))
    assert isinstance(bad, DeadLetter) and bad.kind == "validation_error" and bad.reason.startswith("status")
    assert isinstance(status(b"nope"), DeadLetter)
    assert isinstance(status(b""), DeadLetter)
    future = status(raw.replace(b"2026-03-02", b"2200-03-02"))
    assert isinstance(future, DeadLetter) and future.reason.startswith("timestamp")


def test_first_sight_energy_status_metadata() -> None:
    state = StationProcessorState()
    now = T0.timestamp()
    out = on_input(state, readings(0, [600, 610, 620], 10.0, 2.0, "s1"), now, CFG)
    assert isinstance(out[0], StationSeen) and out[0].first_seen == T0 + timedelta(minutes=600)
    energy = [o for o in out if isinstance(o, EnergyChanged)][0]
    assert sum(r.energy_kwh for r in energy.rows) == pytest.approx(4.0)
    faulted = status(
        b'{"tenantId":"t","chargingStationId":"ST","connectorId":1,"status":"Faulted","timestamp":"2026-03-02T12:00:00Z"}'
    )
    assert not isinstance(faulted, DeadLetter)
    out = on_input(state, faulted, now, CFG)
    assert [type(o) for o in out] == [StatusChanged]
    meta = decode_station_message(
        b'{"tenantId":"t","chargingStationId":"ST","timeZone":"Europe/Berlin",'
        b'"connectors":[{"connectorId":"1","maxPowerKw":22}]}'
    )
    out = on_input(state, MetadataInput(meta, T0, SRC), now, CFG)  # type: ignore[arg-type]
    assert isinstance(out[0], MetadataChanged)
    assert state.windows.max_power_kw == {"1": 22.0}
    assert state.windows.tz == "UTC"  # a day is open: the zone applies from the next day


def test_next_day_data_closes_and_scores_the_day() -> None:
    state = StationProcessorState()
    now = T0.timestamp()
    on_input(state, readings(0, [600, 700], 0.0, 5.0, "s1"), now, CFG)
    out = on_input(state, readings(1, [60, 70], 5.0, 1.0, "s2"), now, CFG)
    scored = [o for o in out if isinstance(o, ScoreDay)]
    assert len(scored) == 1 and not scored[0].partial
    assert scored[0].day.day_start == int(T0.timestamp()) and scored[0].day.energy_kwh.sum() == 5.0
    assert scored[0].history.days == ()
    assert len(state.windows.history) == 1


def test_wall_clock_close_waits_for_quiet() -> None:
    state = StationProcessorState()
    late = (T0 + timedelta(days=3)).timestamp()
    out = on_input(state, readings(0, [600, 700], 0.0, 5.0, "s1"), late, CFG)
    assert not any(isinstance(o, ScoreDay) for o in out)  # still arriving (a backfill)
    assert on_tick(state, late + 30, CFG) == []
    out = on_tick(state, late + 61, CFG)
    assert [o.partial for o in out if isinstance(o, ScoreDay)] == [False]


def test_a_station_that_went_silent_still_gets_its_days_scored() -> None:
    state = StationProcessorState()
    assert next_tick(state, T0.timestamp(), CFG) is None  # never seen: no ticks
    on_input(state, readings(0, [600, 700], 0.0, 5.0, "s1"), T0.timestamp(), CFG)
    on_input(state, readings(1, [600, 700], 5.0, 5.0, "s2"), T0.timestamp(), CFG)  # closes day 0
    assert len(state.windows.history) == 1
    day3 = T0 + timedelta(days=3)
    on_tick(state, (day3 + timedelta(hours=1)).timestamp(), CFG)  # day 1 closes by the wall clock
    assert int(day3.timestamp()) in state.windows.open_days  # today is open although nothing arrived
    out = on_tick(state, (day3 + timedelta(days=1, hours=2)).timestamp(), CFG)
    silent = [o for o in out if isinstance(o, ScoreDay) and o.day.day_start == int(day3.timestamp())]
    assert len(silent) == 1 and silent[0].day.energy_kwh.sum() == 0.0 and silent[0].day.connector_ids == ("1",)
    assert next_tick(state, day3.timestamp(), CFG) is not None


def test_partial_scores_only_with_new_data() -> None:
    state = StationProcessorState()
    now = (T0 + timedelta(hours=12)).timestamp()
    on_input(state, readings(0, [300, 600], 0.0, 5.0, "s1"), now, CFG)
    first = [o for o in on_tick(state, now, CFG) if isinstance(o, ScoreDay)]
    assert len(first) == 1 and first[0].partial and first[0].day.minutes_observed == 601
    assert on_tick(state, now + 700, CFG) == []  # nothing new arrived
    on_input(state, readings(0, [650], 6.0, 0.0, "s1"), now + 710, CFG)
    assert len([o for o in on_tick(state, now + 720, CFG) if isinstance(o, ScoreDay)]) == 1
    on_input(state, readings(0, [660], 7.0, 0.0, "s1"), now + 725, CFG)
    assert on_tick(state, now + 730, CFG) == []  # too soon after the last partial score
    assert len([o for o in on_tick(state, now + 1330, CFG) if isinstance(o, ScoreDay)]) == 1
    assert next_tick(state, now, CFG) == datetime.fromtimestamp(now + 30, UTC)


def _fake_infer(inputs):  # type: ignore[no-untyped-def]
    b = len(inputs["STATION"])
    probs = np.zeros((b, N_CLASSES, 1440), dtype=np.float32)
    probs[:, 0] = 1.0
    probs[:, 0, 600:700] = 0.0
    probs[:, 1 + STATION_ANOMALY_TYPES.index("connector_outage"), 600:700] = 1.0
    return {OUTPUT_MINUTE_PROBS: probs, OUTPUT_DAY_SCORE: np.full((b, 1), 0.9, dtype=np.float32)}


def _status_item(connector: str, state: str, at: datetime) -> StationInput | DeadLetter:
    raw = (
        f'{{"tenantId":"t","chargingStationId":"ST","connectorId":{connector},"status":"{state}",'
        f'"timestamp":"{at.isoformat().replace("+00:00", "Z")}"}}'
    ).encode()
    return status(raw)


def test_score_days_builds_rows() -> None:
    state = StationProcessorState()
    # Connector 1 reports Faulted 08:00-11:00: a new station's outage needs no history.
    for item in (
        _status_item("1", "Faulted", T0 + timedelta(hours=8)),
        _status_item("1", "Available", T0 + timedelta(hours=11)),
    ):
        assert isinstance(item, StatusInput)
        on_input(state, item, T0.timestamp(), CFG)
    on_input(state, readings(0, [700, 800], 0.0, 5.0, "s1"), T0.timestamp(), CFG)
    out = on_input(state, readings(1, [60, 70], 5.0, 1.0, "s2"), T0.timestamp(), CFG)
    request = [o for o in out if isinstance(o, ScoreDay)][0]

    [row] = score_days([ScoreRequest("t", "ST", request)], _fake_infer, 0.5, T0)
    assert row.inference_id == station_inference_id("t", "ST", int(T0.timestamp()))
    assert row.is_anomaly and row.anomaly_type == "connector_outage" and not row.is_partial
    assert row.detection_details["connector_id"] == "1"
    assert row.marker_start_minutes == (480,) and row.anomaly_at == T0 + timedelta(minutes=480)
    assert row.local_date.isoformat() == "2026-03-02" and row.detection_details["affected_period"] == "2026-03-02"
    assert row.actual_energy_kwh == row.detection_details["actual_energy_kwh"]


def test_the_network_alone_does_not_type_an_outage() -> None:
    # The same day without a status report: the network's outage run is no finding (a new station
    # has no history to judge a drop against, and no second connector to depart from).
    state = StationProcessorState()
    on_input(state, readings(0, [700, 800], 0.0, 5.0, "s1"), T0.timestamp(), CFG)
    out = on_input(state, readings(1, [60, 70], 5.0, 1.0, "s2"), T0.timestamp(), CFG)
    request = [o for o in out if isinstance(o, ScoreDay)][0]
    [row] = score_days([ScoreRequest("t", "ST", request)], _fake_infer, 0.5, T0)
    assert not row.is_anomaly and row.anomaly_type is None and row.marker_start_minutes == ()
    assert row.detection_details["network_flagged"] is True


def test_a_closable_day_settles_before_it_closes() -> None:
    cfg = StationWindowConfig(settle_s=10, tick_s=60)
    state = StationProcessorState()
    now = T0.timestamp()
    on_input(state, readings(0, [600, 700], 0.0, 5.0, "s1"), now, cfg)
    out = on_input(state, readings(1, [60, 70], 5.0, 1.0, "s2"), now, cfg)
    assert not any(isinstance(o, ScoreDay) for o in out)
    assert next_tick(state, now, cfg) == datetime.fromtimestamp(now + 10, UTC)
    # A late reading of day 0 from the other input still counts while the day settles.
    on_input(
        state,
        ReadingsInput(
            (
                EnergyReading("2", T0 + timedelta(minutes=800), 1.0, "x"),
                EnergyReading("2", T0 + timedelta(minutes=810), 2.0, "x"),
            ),
            T0,
            SRC,
        ),
        now + 5,
        cfg,
    )
    [scored] = [o for o in on_tick(state, now + 10, cfg) if isinstance(o, ScoreDay) and not o.partial]
    assert scored.day.connector_ids == ("1", "2") and scored.day.energy_kwh.sum() == pytest.approx(6.0)
