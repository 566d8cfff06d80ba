"""The public-session fixture loader, the converter, and (when present) the committed fixture itself."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from evwatch.domain.ocpp import ENERGY, POWER, SOC
from models.evaluation.data.convert_public import keep, main
from models.evaluation.public_sessions import DEFAULT_PATH, PublicSession, load_public_sessions


def _write(path: Path, sessions: list[dict[str, object]]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for s in sessions:
            fh.write(json.dumps(s) + "\n")
    return path


def _session(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "sessionId": "s1",
        "source": "unit",
        "chargingStationId": "cs1",
        "connectorId": "1",
        "currentType": "AC",
        "maxPowerKw": 11.0,
        "readings": [
            {"ts": 1800.0, "measurand": ENERGY, "value": 2.5},
            {"ts": 900.0, "measurand": ENERGY, "value": 0.0},
            {"ts": 900.0, "measurand": POWER, "value": 10.0},
            {"ts": 900.0, "measurand": SOC, "value": 40.0},
        ],
    }
    base.update(overrides)
    return base


def test_loader_parses_and_sorts_readings(tmp_path: Path) -> None:
    [s] = load_public_sessions(_write(tmp_path / "f.jsonl.gz", [_session()]))
    assert isinstance(s, PublicSession)
    assert (s.session_id, s.current_type, s.max_power_kw) == ("s1", "AC", 11.0)
    assert [r.ts for r in s.readings] == sorted(r.ts for r in s.readings)
    assert [r.value for r in s.series(ENERGY)] == [0.0, 2.5]


@pytest.mark.parametrize(
    "bad",
    [
        {"currentType": "XX"},
        {"readings": [{"ts": 1.0, "measurand": "Current.Import", "value": 1.0}]},
        {"sessionId": ""},
        {"maxPowerKw": "11"},
    ],
)
def test_loader_rejects_malformed_lines(tmp_path: Path, bad: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="line 1"):
        load_public_sessions(_write(tmp_path / "f.jsonl.gz", [_session(**bad)]))


def test_converter_elaad_format_round_trip(tmp_path: Path) -> None:
    # Hand-written rows in the ElaadNL column layout, only to exercise the parser.
    mv = tmp_path / "mv.csv"
    mv.write_text(
        "TransactionId;ChargePoint;Connector;UTCTime;Collectedvalue;EnergyInterval;AveragePower\n"
        "7;cpA;1;01/01/2019 10:00;0,0;0,0;0,0\n"
        "7;cpA;1;01/01/2019 10:15;2,5;2,5;10,0\n"
        "7;cpA;1;01/01/2019 10:30;5,0;2,5;10,0\n"
        "8;cpB;2;01/01/2019 11:00;0,0;0,0;0,0\n",
        encoding="utf-8",
    )
    tx = tmp_path / "tx.csv"
    tx.write_text("TransactionId;MaxPower\n7;11,04\n8;3,7\n", encoding="utf-8")
    out = tmp_path / "out.jsonl.gz"
    assert main(["--elaad-metervalues", str(mv), "--elaad-transactions", str(tx), "--out", str(out)]) == 0
    [s] = load_public_sessions(out)  # transaction 8 has one reading: dropped
    assert (s.session_id, s.charging_station_id, s.connector_id, s.max_power_kw) == ("elaad-7", "cpA", "1", 11.04)
    assert [r.value for r in s.series(ENERGY)] == [0.0, 2.5, 5.0]
    assert s.series(ENERGY)[1].ts - s.series(ENERGY)[0].ts == 900.0


def test_keep_drops_decreasing_registers() -> None:
    readings = [{"ts": float(i), "measurand": ENERGY, "value": v} for i, v in enumerate([0.0, 2.0, 1.0])]
    assert keep({"readings": readings}) == "energy register decreases"


@pytest.mark.skipif(not DEFAULT_PATH.exists(), reason="public_sessions.jsonl.gz not built yet (see SOURCES.md)")
def test_committed_fixture_is_plausible() -> None:
    sessions = load_public_sessions()
    assert len(sessions) >= 30
    assert DEFAULT_PATH.stat().st_size <= 2 * 1024 * 1024
    assert len({s.session_id for s in sessions}) == len(sessions)
    for s in sessions:
        ts = [r.ts for r in s.readings]
        assert ts == sorted(ts)
        assert 1.2e9 < ts[0] < 2.0e9
        energy = [r.value for r in s.series(ENERGY)]
        assert len(energy) >= 3
        assert all(b >= a - 0.001 for a, b in zip(energy, energy[1:], strict=False))
        assert all(0.0 <= e < 1.0e6 for e in energy)
        assert all(-1.0 <= r.value <= 400.0 for r in s.series(POWER))
        assert all(0.0 <= r.value <= 100.0 for r in s.series(SOC))
