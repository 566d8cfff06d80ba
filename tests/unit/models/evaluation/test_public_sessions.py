"""The public-session fixture loader, the converter, and (when present) the committed fixture itself."""

from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path

import pytest

from evwatch.domain.ocpp import ENERGY, POWER, SOC
from models.evaluation.data.convert_public import jaguar_sessions, keep, main, ocpp_frame_readings
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
    rows: list[list[object]] = [[*header]]
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


def _sv(value: str, measurand: str, unit: str, **extra: str) -> dict[str, str]:
    return {"value": value, "context": "Sample.Periodic", "format": "Raw", "measurand": measurand, "unit": unit} | extra


def test_ocpp_frame_prefers_running_register_and_sums_phases() -> None:
    # Shaped like a Growatt frame: the start register repeated as Transaction.Begin, power per phase only.
    frame = {
        "timestamp": "2025-01-03T16:20:47+01:00",
        "sampledValue": [
            _sv("18", ENERGY, "Wh"),
            _sv("0", ENERGY, "Wh", context="Transaction.Begin"),
            _sv("2223", POWER, "W", phase="L1"),
            _sv("100", POWER, "W", phase="L2-N"),
            _sv("9.46", "Current.Import", "A", phase="L1"),
            _sv("55", SOC, "Percent", location="EV"),
        ],
    }
    readings = {r["measurand"]: r for r in ocpp_frame_readings(frame)}
    assert readings[ENERGY]["value"] == 0.018
    assert readings[POWER]["value"] == 2.323
    assert readings[SOC]["value"] == 55.0
    assert readings[ENERGY]["ts"] == 1735917647.0  # 15:20:47Z


def test_ocpp_frame_units_and_defaults() -> None:
    frame = {
        "timestamp": "2025-03-15T13:20:46.000Z",
        "sampledValue": [
            {"value": "3457.86", "context": "Trigger", "measurand": POWER, "location": "Outlet", "unit": "W"},
            {"value": "0.10", "context": "Trigger", "measurand": ENERGY, "location": "Outlet", "unit": "kWh"},
            {"value": "11.5", "measurand": POWER, "unit": "kW", "phase": "L1"},  # ignored: an unphased total exists
        ],
    }
    readings = {r["measurand"]: r["value"] for r in ocpp_frame_readings(frame)}
    assert readings == {ENERGY: 0.1, POWER: 3.4579}
    only_default = {"timestamp": "2025-03-15T13:20:46Z", "sampledValue": [{"value": "1500"}]}
    assert [(r["measurand"], r["value"]) for r in ocpp_frame_readings(only_default)] == [(ENERGY, 1.5)]
    with pytest.raises(ValueError, match="offset"):
        ocpp_frame_readings({"timestamp": "2025-03-15T13:20:46", "sampledValue": []})


def test_converter_ocpp_traces_and_evcc_logs(tmp_path: Path) -> None:
    def frame(ts: str, wh: str) -> dict[str, object]:
        return {"meterValue": [{"timestamp": ts, "sampledValue": [_sv(wh, ENERGY, "Wh"), _sv("2000", POWER, "W")]}]}

    messages = [frame("2025-01-01T10:00:00Z", "100"), frame("2025-01-01T10:01:00Z", "133")]
    messages.append(frame("2025-01-01T10:00:30Z", "117"))  # out of order: sorted on conversion
    trace = {"traceId": "t1", "repository": "o/r", "chargePointId": "CP1", "connectorId": 1, "currentType": "AC"}
    trace["messages"] = messages
    short = dict(trace, traceId="t2", messages=messages[:2])
    traces = tmp_path / "traces.jsonl"
    traces.write_text(json.dumps(trace) + "\n" + json.dumps(short) + "\n", encoding="utf-8")
    line = "[lp-1  ] DEBUG 2025/12/09 18:{m}:00 {what}"
    logs = tmp_path / "logs.jsonl"
    lines = [
        line.format(m=m, what=w) for m, w in [("55", "charge total import: 4.233kWh"), ("55", "charge power: 3500W")]
    ]
    lines += [line.format(m="56", what="charge total import: 4.262kWh")] * 2  # pasted twice: counted once
    lines += [line.format(m="57", what="vehicle soc: 71%"), line.format(m="57", what="charge total import: 4.29kWh")]
    lines += [line.format(m="57", what="charger status: C")]
    logs.write_text(json.dumps({"traceId": "l1", "repository": "o/e", "chargePointId": "lp", "lines": lines}) + "\n")
    out = tmp_path / "out.jsonl.gz"
    assert main(["--ocpp-traces", str(traces), "--evcc-logs", str(logs), "--out", str(out)]) == 0
    ocpp, evcc = load_public_sessions(out)  # t2 has two energy readings: dropped
    assert (ocpp.session_id, ocpp.source, ocpp.charging_station_id, ocpp.connector_id) == (
        "ocpp-t1",
        "ocpp-trace:o/r",
        "CP1",
        "1",
    )
    assert [r.value for r in ocpp.series(ENERGY)] == [0.1, 0.117, 0.133]
    assert [r.value for r in ocpp.series(POWER)] == [2.0, 2.0, 2.0]
    assert evcc.session_id == "evcc-log-l1"
    assert [r.value for r in evcc.series(ENERGY)] == [4.233, 4.262, 4.29]
    assert [r.value for r in evcc.series(POWER)] == [3.5]
    assert [r.value for r in evcc.series(SOC)] == [71.0]
    assert evcc.readings[0].ts == 1765306500.0  # 2025-12-09T18:55:00Z (no logTimezone: UTC)


def _jaguar_table(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    """A tabulate ``psql`` table in the stefferber/jaguar layout: (LOGTIMESTAMP, %/h, SoC, odometer) per row."""
    border = "+----+----+----+----+----+----+"
    lines = ["# licence note", border]
    lines.append(
        "|    | LOGTIMESTAMP | EV_CHARGING_RATE_SOC_PER_HOUR | EV_STATE_OF_CHARGE | ODOMETER_METER | POSITION_LATITUDE |"
    )
    lines.append("|----+----+----+----+----+----|")
    lines += [f"| {i} | {t} | {rate} | {soc} | {odo} | NA |" for i, (t, rate, soc, odo) in enumerate(rows)]
    path.write_text("\n".join([*lines, border]) + "\n", encoding="utf-8")
    return path


def test_jaguar_log_is_split_into_soc_only_charging_sessions(tmp_path: Path) -> None:
    # Hand-written rows in the stefferber/jaguar layout, only to exercise the splitter.
    rows = [
        ("2019-07-17 10:35:15.175230", "0", "73", "3.855e+06"),  # plugged in, not charging yet: trimmed
        ("2019-07-17 10:40:15.262419", "12.2", "73", "3.855e+06"),
        ("2019-07-17 10:45:15.265349", "13.2", "75", "3.855e+06"),
        ("2019-07-17 11:05:00.000000", "8.6", "75", "3.855e+06"),  # 20 min gap, same odometer: same session
        ("2019-07-17 11:10:00.000000", "8.6", "76", "3.855e+06"),
        ("2019-07-17 11:15:00.000000", "8.6", "0", "3.855e+06"),  # bogus 0 % and stale rate: trimmed
        ("2019-07-17 11:20:00.000000", "8.6", "76", "3.855e+06"),
        ("2019-07-18 20:05:14.794340", "9.8", "87", "3.914e+06"),  # next day: two polls only, dropped
        ("2019-07-18 20:10:14.794340", "9.8", "88", "3.914e+06"),
        ("2019-07-18 20:15:00.000000", "32.4", "62", "3.95e+06"),  # driven: new period, SoC flat, dropped
        ("2019-07-18 20:17:00.000000", "32.4", "62", "3.95e+06"),
        ("2019-07-18 20:19:00.000000", "32.4", "62", "3.95e+06"),
        ("2019-07-18 20:21:00.000000", "0", "62", "3.95e+06"),
    ]
    table = _jaguar_table(tmp_path / "timeseries.txt", rows)
    spans = list(jaguar_sessions(table, "UTC"))
    assert [s["sessionId"] for s in spans] == [
        "jaguar-2019-07-17T10:40:15",
        "jaguar-2019-07-18T20:05:14",
        "jaguar-2019-07-18T20:15:00",
    ]
    assert [keep(s) for s in spans] == [
        None,
        "fewer than 3 energy or SoC readings",
        "SoC-only session whose SoC does not rise",
    ]
    out = tmp_path / "out.jsonl.gz"
    assert main(["--jaguar", str(table), "--out", str(out)]) == 0
    [s] = load_public_sessions(out)
    assert (s.source, s.current_type, s.max_power_kw) == ("car-log:stefferber/jaguar", None, None)
    assert s.series(ENERGY) == () and s.series(POWER) == ()
    assert [r.value for r in s.series(SOC)] == [73.0, 75.0, 75.0, 76.0]
    assert s.readings[0].ts == 1563352815.262  # 10:40:15.262419 CEST (the default --jaguar-tz Europe/Berlin)


def test_keep_soc_only_sessions() -> None:
    def soc(*values: float) -> dict[str, object]:
        return {"readings": [{"ts": float(i), "measurand": SOC, "value": v} for i, v in enumerate(values)]}

    assert keep(soc(40.0, 39.0, 42.0)) is None  # a dip on the way is kept
    assert keep(soc(40.0, 41.0)) == "fewer than 3 energy or SoC readings"
    assert keep(soc(40.0, 41.0, 40.0)) == "SoC-only session whose SoC does not rise"


RAW_TRACES = DEFAULT_PATH.parent / "public_ocpp_traces.jsonl"
RAW_EVCC_LOGS = DEFAULT_PATH.parent / "public_evcc_logs.jsonl"
RAW_JAGUAR = DEFAULT_PATH.parent / "public_jaguar_timeseries01.txt"


@pytest.mark.skipif(not DEFAULT_PATH.exists(), reason="public_sessions.jsonl.gz not built yet (see SOURCES.md)")
def test_committed_fixture_is_rebuilt_from_committed_raw_files(tmp_path: Path) -> None:
    out = tmp_path / "rebuilt.jsonl.gz"
    raw = ["--ocpp-traces", str(RAW_TRACES), "--evcc-logs", str(RAW_EVCC_LOGS), "--jaguar", str(RAW_JAGUAR)]
    assert main([*raw, "--out", str(out)]) == 0
    assert out.read_bytes() == DEFAULT_PATH.read_bytes()


@pytest.mark.skipif(not DEFAULT_PATH.exists(), reason="public_sessions.jsonl.gz not built yet (see SOURCES.md)")
def test_committed_fixture_is_plausible() -> None:
    sessions = load_public_sessions()
    # 3 metered fragments and 27 SoC-only car-log sessions so far (see SOURCES.md); raise these as sources are added.
    assert len(sessions) >= 30
    assert sum(1 for s in sessions if s.series(ENERGY)) >= 3
    assert DEFAULT_PATH.stat().st_size <= 2 * 1024 * 1024
    assert len({s.session_id for s in sessions}) == len(sessions)
    for s in sessions:
        ts = [r.ts for r in s.readings]
        assert ts == sorted(ts)
        assert 1.2e9 < ts[0] < 2.0e9
        energy = [r.value for r in s.series(ENERGY)]
        soc = [r.value for r in s.series(SOC)]
        assert len(energy) >= 3 or (not energy and len(soc) >= 3 and soc[-1] > soc[0])  # metered, or SoC-only
        assert all(b >= a - 0.001 for a, b in zip(energy, energy[1:], strict=False))
        assert all(0.0 <= e < 1.0e6 for e in energy)
        assert all(-1.0 <= r.value <= 400.0 for r in s.series(POWER))
        assert all(0.0 <= r.value <= 100.0 for r in s.series(SOC))
