"""Convert raw public charging-session files into ``public_sessions.jsonl.gz`` (not on any runtime path).

Usage (the committed fixture is built from the two small raw files committed next to it; the large
datasets are fetched by hand and never committed; see SOURCES.md):

    .venv/bin/python -m models.evaluation.data.convert_public \
        --ocpp-traces models/evaluation/data/public_ocpp_traces.jsonl \
        --evcc-logs models/evaluation/data/public_evcc_logs.jsonl \
        --jaguar models/evaluation/data/public_jaguar_timeseries01.txt \
        [--epfl-measurements raw/Measurement_data.xlsx] \
        [--elaad-metervalues raw/open_metervalues.csv --elaad-transactions raw/open_transactions.csv] \
        [--acn raw/acn_caltech_timeseries.json] --out models/evaluation/data/public_sessions.jsonl.gz

Sources it understands:

* Real OCPP 1.6J MeterValues frames (``public_ocpp_traces.jsonl``): one JSON object per session with the
  frames as the charger sent them (``messages[].meterValue[]`` with ``timestamp`` and the raw ``sampledValue``
  list). Per frame: ENERGY is the unphased ``Energy.Active.Import.Register`` (the measurand OCPP assumes when
  none is given), Wh or kWh, taken from a sample whose context is not ``Transaction.Begin`` when there is one
  (some chargers repeat the start register in every periodic frame); POWER is the unphased
  ``Power.Active.Import`` (W or kW) or, when the frame only has per-phase values, their sum over the phases
  present (``L1`` and ``L1-N`` count as the same conductor); SOC is ``SoC`` (%). Timestamps keep their offset.
* evcc debug logs (``public_evcc_logs.jsonl``): ``charge total import: X kWh`` lines (the charger's energy
  register as read by evcc) become ENERGY, ``charge power: X W`` POWER and ``vehicle soc: X%`` SOC; times are
  the log's wall clock in ``logTimezone`` (UTC when null). Identical repeated lines count once.
* Car-side SoC log of a Jaguar I-Pace (``stefferber/jaguar`` ``timeseries01.txt``, MIT; a psql-style table
  printed by tabulate, one row per poll of the car's status while it was plugged in): SOC only, since the car
  reports no charger power or energy. ``LOGTIMESTAMP`` is the logging computer's naive local time
  (``--jaguar-tz``, default Europe/Berlin). Rows are grouped into plug-in periods (no gap over
  ``JAGUAR_MAX_GAP_S`` and the same odometer); a session runs from the first row of a period whose
  ``EV_CHARGING_RATE_SOC_PER_HOUR`` is above 0 to the poll where the SoC last reaches a new high (the rate
  fields go stale once charging stops, so they cannot mark the end). ``currentType`` and ``maxPowerKw`` are unknown (null).

* DESL-EPFL Level-3 (DC, CCS) dataset, ``Measurement_data.xlsx`` (MIT): one row a minute per plug with
  ``P`` (W), ``Energy`` (the session's cumulative Wh) and ``SOC`` (%). Read with a small stdlib XLSX reader
  (no openpyxl). Times are Excel serial days in the station's local time (``--epfl-tz``, default
  Europe/Zurich). ENERGY = Energy / 1000 kWh, POWER = P / 1000 kW, SOC kept when the car reported one
  (a session whose SOC is 0 or empty throughout keeps none). ``maxPowerKw`` = 172.5, the station's rating.
* ElaadNL open datasets (``open_metervalues`` / ``open_transactions`` sheets saved as CSV with ``;`` and
  decimal commas): ``Collectedvalue`` is the session's energy register in kWh, ``AveragePower`` the mean
  kW since the previous reading (15-minute resolution). Both are kept: the register as ENERGY, the average
  power as POWER at the end of its interval. ``MaxPower`` of the transaction becomes ``maxPowerKw``.
* ACN-Data API JSON (``_items`` with ``chargingCurrent.timestamps``/``current``): current only, so power
  is ``P = I x 208 V / 1000`` (the nominal line-to-line voltage of the ACN sites) and the register is the
  trapezoid integral of that power from 0 kWh at the first sample. Only used when ``--acn`` is given.

Sessions with fewer than ``MIN_READINGS`` energy readings, or with a non-monotone register (a drop of
more than ``REGISTER_TOLERANCE_KWH``), are dropped and counted on stderr. A session with no energy reading at
all is SoC-only: it is kept when it has at least ``MIN_READINGS`` SoC readings and its SoC ends above where
it started (SoC may dip on the way: it is the car's estimate, not a register).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import re
import sys
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

from evwatch.domain.ocpp import ENERGY, POWER, SOC

MIN_READINGS = 3
REGISTER_TOLERANCE_KWH = 0.001
ACN_NOMINAL_VOLTAGE_V = 208.0
EPFL_STATION_KW = 172.5
EXCEL_EPOCH = datetime(1899, 12, 30, tzinfo=UTC)  # Excel serial day 0; the zone is replaced below
XLSX_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
OCPP_ENERGY_KWH_PER_UNIT = {"Wh": 0.001, "kWh": 1.0}
OCPP_POWER_KW_PER_UNIT = {"W": 0.001, "kW": 1.0}
OCPP_DEFAULT_MEASURAND = ENERGY  # OCPP 1.6: a sampledValue without a measurand is the import register
OCPP_BEGIN_CONTEXT = "Transaction.Begin"
EVCC_LINE = re.compile(
    r"DEBUG (?P<ts>\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}) "
    r"(?P<what>charge total import|charge power|vehicle soc): (?P<value>-?[\d.]+)\s*(?P<unit>kWh|W|%)"
)
EVCC_MEASURANDS = {"charge total import": (ENERGY, 1.0), "charge power": (POWER, 0.001), "vehicle soc": (SOC, 1.0)}
JAGUAR_MAX_GAP_S = 30 * 60  # the logger polled every 5 (later 2) minutes while the car was plugged in
JAGUAR_TIME = "LOGTIMESTAMP"
JAGUAR_SOC = "EV_STATE_OF_CHARGE"
JAGUAR_RATE = "EV_CHARGING_RATE_SOC_PER_HOUR"
JAGUAR_ODOMETER = "ODOMETER_METER"
JAGUAR_MISSING = frozenset({"", "NA", "nan"})
ELAAD_TIME_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")

Session = dict[str, Any]


def _number(text: str) -> float:
    return float(text.strip().replace(",", "."))


def _utc_epoch(text: str, formats: tuple[str, ...]) -> float:
    for fmt in formats:
        try:
            return datetime.strptime(text.strip(), fmt).replace(tzinfo=UTC).timestamp()
        except ValueError:
            continue
    raise ValueError(f"unrecognised time {text!r}")


def _reading(ts: float, measurand: str, value: float) -> dict[str, Any]:
    return {"ts": ts, "measurand": measurand, "value": round(value, 4)}


def _column_index(ref: str) -> int:
    """0-based column of an A1-style cell reference ("C12" -> 2)."""
    index = 0
    for ch in ref:
        if not ch.isalpha():
            break
        index = index * 26 + (ord(ch.upper()) - ord("A") + 1)
    return index - 1


def xlsx_rows(path: Path) -> Iterator[list[str | None]]:
    """The first worksheet's rows as lists of cell texts (shared and inline strings resolved)."""
    with zipfile.ZipFile(path) as zf:
        shared: list[str] = []
        if "xl/sharedStrings.xml" in zf.namelist():
            root = ElementTree.fromstring(zf.read("xl/sharedStrings.xml"))
            for si in root.iter(f"{XLSX_NS}si"):
                shared.append("".join(t.text or "" for t in si.iter(f"{XLSX_NS}t")))
        sheet = next(n for n in sorted(zf.namelist()) if n.startswith("xl/worksheets/sheet"))
        with zf.open(sheet) as fh:
            for _, elem in ElementTree.iterparse(fh):
                if elem.tag != f"{XLSX_NS}row":
                    continue
                row: list[str | None] = []
                for cell in elem.iter(f"{XLSX_NS}c"):
                    col = _column_index(cell.get("r", "A"))
                    row.extend([None] * (col + 1 - len(row)))
                    kind = cell.get("t")
                    value = cell.find(f"{XLSX_NS}v")
                    if kind == "inlineStr":
                        row[col] = "".join(t.text or "" for t in cell.iter(f"{XLSX_NS}t"))
                    elif value is not None and value.text is not None:
                        row[col] = shared[int(value.text)] if kind == "s" else value.text
                yield row
                elem.clear()


def _header_key(name: str | None) -> str:
    """ "Energy (Wh)" -> "energy", "Date and time" -> "dateandtime"."""
    base = (name or "").split("(")[0]
    return "".join(ch for ch in base.lower() if ch.isalnum())


def _local_epoch(text: str, tz: ZoneInfo) -> float:
    try:
        wall = EXCEL_EPOCH + timedelta(days=float(text))
    except ValueError:
        wall = datetime.fromisoformat(text.strip())
    return wall.replace(tzinfo=tz).timestamp()


def epfl_sessions(measurements: Path, tz_name: str = "Europe/Zurich") -> Iterator[Session]:
    """DESL-EPFL minute measurements grouped per session: energy register, power and (when reported) SoC."""
    tz = ZoneInfo(tz_name)
    rows = xlsx_rows(measurements)
    header = [_header_key(h) for h in next(rows)]

    def find(*names: str) -> int:
        for name in names:
            if name in header:
                return header.index(name)
        raise ValueError(f"no column among {names} in {header}")

    i_ts = find("dateandtime", "datetime", "date", "time", "timestamp")
    i_ccs, i_session = find("ccs"), find("session", "sessionid")
    i_p, i_energy, i_soc = find("p"), find("energy"), find("soc")
    grouped: dict[str, list[list[str | None]]] = defaultdict(list)
    for row in rows:
        row = row + [None] * (len(header) - len(row))
        if row[i_session] and row[i_ts]:
            grouped[str(row[i_session]).split(".")[0]].append(row)
    for session, session_rows in sorted(grouped.items(), key=lambda kv: int(kv[0]) if kv[0].isdigit() else 0):
        readings: list[dict[str, Any]] = []
        socs: list[dict[str, Any]] = []
        for row in session_rows:
            ts = _local_epoch(str(row[i_ts]), tz)
            if row[i_energy] not in (None, ""):
                readings.append(_reading(ts, ENERGY, float(str(row[i_energy])) / 1000.0))
            if row[i_p] not in (None, ""):
                readings.append(_reading(ts, POWER, float(str(row[i_p])) / 1000.0))
            if row[i_soc] not in (None, ""):
                socs.append(_reading(ts, SOC, float(str(row[i_soc]))))
        if any(r["value"] > 0 for r in socs):
            readings.extend(socs)
        yield {
            "sessionId": f"epfl-{session}",
            "source": "desl-epfl-level3",
            "chargingStationId": "DESL-EPFL-L3",
            "connectorId": str(session_rows[0][i_ccs] or "unknown"),
            "currentType": "DC",
            "maxPowerKw": EPFL_STATION_KW,
            "readings": sorted(readings, key=lambda r: (r["ts"], r["measurand"])),
        }


def elaad_sessions(metervalues: Path, transactions: Path | None) -> Iterator[Session]:
    """ElaadNL meter values grouped per transaction, with the transaction's maximum power when known."""
    max_power: dict[str, float] = {}
    if transactions is not None:
        with transactions.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh, delimiter=";"):
                if row.get("MaxPower"):
                    max_power[row["TransactionId"].strip()] = _number(row["MaxPower"])
    rows: dict[str, list[dict[str, str]]] = defaultdict(list)
    with metervalues.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            rows[row["TransactionId"].strip()].append(row)
    for tx_id, tx_rows in rows.items():
        readings: list[dict[str, Any]] = []
        for row in tx_rows:
            ts = _utc_epoch(row["UTCTime"], ELAAD_TIME_FORMATS)
            readings.append(_reading(ts, ENERGY, _number(row["Collectedvalue"])))
            if row.get("AveragePower", "").strip():
                readings.append(_reading(ts, POWER, _number(row["AveragePower"])))
        first = tx_rows[0]
        yield {
            "sessionId": f"elaad-{tx_id}",
            "source": "elaadnl-open",
            "chargingStationId": first["ChargePoint"].strip(),
            "connectorId": first["Connector"].strip(),
            "currentType": "AC",
            "maxPowerKw": max_power.get(tx_id),
            "readings": sorted(readings, key=lambda r: (r["ts"], r["measurand"])),
        }


def acn_sessions(path: Path) -> Iterator[Session]:
    """ACN-Data sessions: current (A) to power at 208 V, integrated (trapezoid) into an energy register."""
    items = json.loads(path.read_text(encoding="utf-8"))["_items"]
    for item in items:
        series = item.get("chargingCurrent") or {}
        stamps, currents = series.get("timestamps") or [], series.get("current") or []
        points = sorted(
            (_utc_epoch(str(t), ("%a, %d %b %Y %H:%M:%S GMT", "%Y-%m-%dT%H:%M:%SZ")), float(a))
            for t, a in zip(stamps, currents, strict=False)
        )
        readings: list[dict[str, Any]] = []
        energy = 0.0
        for i, (ts, amps) in enumerate(points):
            kw = amps * ACN_NOMINAL_VOLTAGE_V / 1000.0
            if i:
                prev_ts, prev_amps = points[i - 1]
                prev_kw = prev_amps * ACN_NOMINAL_VOLTAGE_V / 1000.0
                energy += (kw + prev_kw) / 2.0 * (ts - prev_ts) / 3600.0
            readings.append(_reading(ts, POWER, kw))
            readings.append(_reading(ts, ENERGY, energy))
        yield {
            "sessionId": f"acn-{item['sessionID']}",
            "source": f"acn-{item.get('siteID', 'unknown')}",
            "chargingStationId": str(item["stationID"]),
            "connectorId": "1",
            "currentType": "AC",
            "maxPowerKw": None,
            "readings": readings,
        }


def _ocpp_epoch(text: str) -> float:
    """An OCPP timestamp (ISO 8601 with ``Z`` or an offset) as epoch seconds."""
    stamp = datetime.fromisoformat(text.strip())
    if stamp.tzinfo is None:
        raise ValueError(f"OCPP timestamp without an offset: {text!r}")
    return stamp.timestamp()


def ocpp_frame_readings(meter_value: dict[str, Any]) -> list[dict[str, Any]]:
    """The ENERGY/POWER/SOC readings of one OCPP ``MeterValue`` (timestamp plus its sampledValue list)."""
    ts = _ocpp_epoch(str(meter_value["timestamp"]))
    registers: list[tuple[bool, float]] = []
    power_total: float | None = None
    power_phases: dict[str, float] = {}
    soc: float | None = None
    for sample in meter_value.get("sampledValue") or []:
        measurand = sample.get("measurand") or OCPP_DEFAULT_MEASURAND
        value = _number(str(sample["value"]))
        phase = sample.get("phase")
        if measurand == ENERGY and not phase:
            kwh = value * OCPP_ENERGY_KWH_PER_UNIT[sample.get("unit") or "Wh"]
            registers.append((sample.get("context") == OCPP_BEGIN_CONTEXT, kwh))
        elif measurand == POWER:
            kw = value * OCPP_POWER_KW_PER_UNIT[sample.get("unit") or "W"]
            if phase:
                power_phases[str(phase).split("-")[0]] = kw
            else:
                power_total = kw
        elif measurand == SOC:
            soc = value
    readings: list[dict[str, Any]] = []
    running = [kwh for begin, kwh in registers if not begin] or [kwh for _, kwh in registers]
    if running:
        readings.append(_reading(ts, ENERGY, running[-1]))
    if power_total is None and power_phases:
        power_total = sum(power_phases.values())
    if power_total is not None:
        readings.append(_reading(ts, POWER, power_total))
    if soc is not None:
        readings.append(_reading(ts, SOC, soc))
    return readings


def _unique_sorted(readings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[tuple[float, str], dict[str, Any]] = {}
    for reading in readings:
        seen.setdefault((reading["ts"], reading["measurand"]), reading)
    return sorted(seen.values(), key=lambda r: (r["ts"], r["measurand"]))


def _json_lines(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                obj = json.loads(line)
                if not isinstance(obj, dict):
                    raise ValueError(f"{path}: every line must be a JSON object")
                yield obj


def _trace_session(
    session_id: str, kind: str, trace: dict[str, Any], connector: Any, readings: list[dict[str, Any]]
) -> Session:
    """One fixture session from a trace object of the committed raw files."""
    return {
        "sessionId": session_id,
        "source": f"{kind}:{trace['repository']}",
        "chargingStationId": str(trace["chargePointId"]),
        "connectorId": str(connector or "unknown"),
        "currentType": trace.get("currentType"),
        "maxPowerKw": trace.get("maxPowerKw"),
        "readings": _unique_sorted(readings),
    }


def ocpp_trace_sessions(path: Path) -> Iterator[Session]:
    """Sessions from real OCPP MeterValues frames (``public_ocpp_traces.jsonl``), one per trace object."""
    for trace in _json_lines(path):
        readings: list[dict[str, Any]] = []
        for message in trace["messages"]:
            for meter_value in message["meterValue"]:
                readings.extend(ocpp_frame_readings(meter_value))
        yield _trace_session(f"ocpp-{trace['traceId']}", "ocpp-trace", trace, trace.get("connectorId"), readings)


def evcc_log_sessions(path: Path) -> Iterator[Session]:
    """Sessions from evcc debug-log excerpts (``public_evcc_logs.jsonl``): energy register, power and SoC lines."""
    for trace in _json_lines(path):
        tz = ZoneInfo(trace["logTimezone"]) if trace.get("logTimezone") else UTC
        readings: list[dict[str, Any]] = []
        for line in trace["lines"]:
            match = EVCC_LINE.search(line)
            if match is None:
                continue
            measurand, scale = EVCC_MEASURANDS[match["what"]]
            wall = datetime.strptime(match["ts"], "%Y/%m/%d %H:%M:%S").replace(tzinfo=tz)
            readings.append(_reading(wall.timestamp(), measurand, float(match["value"]) * scale))
        yield _trace_session(f"evcc-log-{trace['traceId']}", "evcc-log", trace, trace.get("loadpoint"), readings)


@dataclass(frozen=True, slots=True)
class JaguarPoint:
    """One poll of the car: when (epoch seconds), its SoC (%), its charging rate (%/h) and odometer (m)."""

    ts: float
    soc: float
    rate: float
    odometer: float
    local_time: str


def jaguar_rows(path: Path) -> Iterator[dict[str, str]]:
    """The data rows of a tabulate ``psql`` table as {column: cell text}; border and ``#`` lines are skipped."""
    header: list[str] | None = None
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.startswith("|") or line.startswith("|-"):
                continue
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if header is None:
                header = cells
                continue
            yield dict(zip(header, cells, strict=True))


def jaguar_points(path: Path, tz_name: str = "Europe/Berlin") -> list[JaguarPoint]:
    """The car's polls in file order; rows without a SoC are skipped."""
    tz = ZoneInfo(tz_name)
    points: list[JaguarPoint] = []
    for row in jaguar_rows(path):
        if row[JAGUAR_SOC] in JAGUAR_MISSING:
            continue
        wall = datetime.fromisoformat(row[JAGUAR_TIME]).replace(tzinfo=tz)
        rate = 0.0 if row[JAGUAR_RATE] in JAGUAR_MISSING else float(row[JAGUAR_RATE])
        odometer = float("nan") if row[JAGUAR_ODOMETER] in JAGUAR_MISSING else float(row[JAGUAR_ODOMETER])
        points.append(JaguarPoint(wall.timestamp(), float(row[JAGUAR_SOC]), rate, odometer, row[JAGUAR_TIME]))
    return points


def jaguar_charging_spans(points: list[JaguarPoint]) -> Iterator[list[JaguarPoint]]:
    """Per plug-in period (no gap over ``JAGUAR_MAX_GAP_S``, same odometer) that reports charging: the polls
    from the first one with a charging rate above 0 to the one where the SoC last reaches a new high (or,
    without one, the last poll with a charging rate above 0)."""
    periods: list[list[JaguarPoint]] = []
    for point in points:
        last = periods[-1][-1] if periods else None
        if last is not None and point.ts - last.ts <= JAGUAR_MAX_GAP_S and point.odometer == last.odometer:
            periods[-1].append(point)
        else:
            periods.append([point])
    for period in periods:
        charging = [i for i, p in enumerate(period) if p.rate > 0]
        if not charging:
            continue
        start = charging[0]
        highs: list[int] = []
        top = period[start].soc
        for i in range(start + 1, len(period)):
            if period[i].soc > top:  # a new high: a recovery from a dip or a bogus 0 % does not count
                highs.append(i)
                top = period[i].soc
        end = highs[-1] if highs else charging[-1]
        yield period[start : end + 1]


def jaguar_sessions(path: Path, tz_name: str = "Europe/Berlin") -> Iterator[Session]:
    """SoC-only sessions from the Jaguar I-Pace charging log (``stefferber/jaguar`` ``timeseries01.txt``)."""
    for span in jaguar_charging_spans(jaguar_points(path, tz_name)):
        yield {
            "sessionId": "jaguar-" + span[0].local_time[:19].replace(" ", "T"),
            "source": "car-log:stefferber/jaguar",
            "chargingStationId": "unknown",
            "connectorId": "unknown",
            "currentType": None,
            "maxPowerKw": None,
            "readings": [_reading(round(p.ts, 3), SOC, p.soc) for p in span],
        }


def keep(session: Session) -> str | None:
    """Why a session is dropped, or None to keep it."""
    energy = [r["value"] for r in session["readings"] if r["measurand"] == ENERGY]
    if not energy:
        soc = [r["value"] for r in session["readings"] if r["measurand"] == SOC]
        if len(soc) < MIN_READINGS:
            return "fewer than 3 energy or SoC readings"
        if soc[-1] <= soc[0]:
            return "SoC-only session whose SoC does not rise"
        return None
    if len(energy) < MIN_READINGS:
        return "fewer than 3 energy readings"
    if any(b < a - REGISTER_TOLERANCE_KWH for a, b in zip(energy, energy[1:], strict=False)):
        return "energy register decreases"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ocpp-traces", type=Path)
    parser.add_argument("--evcc-logs", type=Path)
    parser.add_argument("--jaguar", type=Path)
    parser.add_argument("--jaguar-tz", default="Europe/Berlin")
    parser.add_argument("--epfl-measurements", type=Path)
    parser.add_argument("--epfl-tz", default="Europe/Zurich")
    parser.add_argument("--elaad-metervalues", type=Path)
    parser.add_argument("--elaad-transactions", type=Path)
    parser.add_argument("--acn", type=Path)
    parser.add_argument("--limit-per-source", type=int, default=200)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    sources: list[Iterator[Session]] = []
    if args.ocpp_traces is not None:
        sources.append(ocpp_trace_sessions(args.ocpp_traces))
    if args.evcc_logs is not None:
        sources.append(evcc_log_sessions(args.evcc_logs))
    if args.jaguar is not None:
        sources.append(jaguar_sessions(args.jaguar, args.jaguar_tz))
    if args.epfl_measurements is not None:
        sources.append(epfl_sessions(args.epfl_measurements, args.epfl_tz))
    if args.elaad_metervalues is not None:
        sources.append(elaad_sessions(args.elaad_metervalues, args.elaad_transactions))
    if args.acn is not None:
        sources.append(acn_sessions(args.acn))
    kept: list[Session] = []
    dropped: dict[str, int] = defaultdict(int)
    for source in sources:
        taken = 0
        for session in source:
            reason = keep(session)
            if reason is not None:
                dropped[f"{session['source']}: {reason}"] += 1
                continue
            if taken < args.limit_per_source:
                kept.append(session)
                taken += 1
    # no name and mtime=0 in the gzip header keep the file byte-identical when rebuilt from the same inputs
    with (
        args.out.open("wb") as out,
        gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0) as raw,
        io.TextIOWrapper(raw, encoding="utf-8") as fh,
    ):
        for session in kept:
            fh.write(json.dumps(session, separators=(",", ":")) + "\n")
    print(f"kept {len(kept)} sessions; dropped {dict(dropped)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
