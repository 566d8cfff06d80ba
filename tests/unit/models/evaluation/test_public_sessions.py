"""The public-session fixture loader, the converter, and (when present) the committed fixture itself."""

from __future__ import annotations

import gzip
import json
import zipfile
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


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    """A minimal one-sheet workbook: strings inline, numbers as values."""

    def cell(col: int, r: int, v: object) -> str:
        ref = f"{chr(ord('A') + col)}{r}"
        if isinstance(v, str):
            return f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>'
        return f'<c r="{ref}"><v>{v}</v></c>'

    body = "".join(
        f'<row r="{r}">' + "".join(cell(c, r, v) for c, v in enumerate(row)) + "</row>"
        for r, row in enumerate(rows, start=1)
    )
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("xl/worksheets/sheet1.xml", f'<worksheet xmlns="{ns}"><sheetData>{body}</sheetData></worksheet>')
    return path


def test_converter_epfl_format_round_trip(tmp_path: Path) -> None:
    # Hand-written rows in the DESL-EPFL measurement layout (Excel serial days), only to exercise the parser.
    header = ["Date and time", "CCS", "Session", "P (W)", "Pset (W)", "Energy (Wh)", "SOC (%)"]
    rows: list[list[object]] = [header]
    for minute in range(4):
        rows.append([44784.5 + minute / 1440, "CCS2", 42, 50000 - minute * 1000, 60000, minute * 800, 40 + minute])
    rows.append([44784.6, "CCS1", 43, 0, 0, 0, 0])
    xlsx = _xlsx(tmp_path / "m.xlsx", rows)
    out = tmp_path / "out.jsonl.gz"
    assert main(["--epfl-measurements", str(xlsx), "--epfl-tz", "UTC", "--out", str(out)]) == 0
    [s] = load_public_sessions(out)  # session 43 has one reading: dropped
    assert (s.session_id, s.connector_id, s.current_type, s.max_power_kw) == ("epfl-42", "CCS2", "DC", 172.5)
    assert [r.value for r in s.series(ENERGY)] == [0.0, 0.8, 1.6, 2.4]
    assert [r.value for r in s.series(POWER)] == [50.0, 49.0, 48.0, 47.0]
    assert [r.value for r in s.series(SOC)] == [40.0, 41.0, 42.0, 43.0]
    assert s.readings[0].ts == pytest.approx(1660219200.0)  # serial 44784.5 = 2022-08-11T12:00:00Z
    assert s.series(POWER)[1].ts - s.series(POWER)[0].ts == pytest.approx(60.0)


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
