"""Exactly-once checks in the documented tables, once evwatch has stopped.

chDB lets one process open a data path, and the process that asks (the harness, or pytest with its
own shared store) may already hold another: so the queries run in a child process (`main`), which
writes what it found as JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.chaos.stack import REPO_ROOT
from bench.chaos.verify import Event, Tally
from bench.chaos.workload import TENANT, RoundPlan

# Register values are sent rounded to 4 decimals: a minute's delta is exact to about 1e-4 kWh.
MINUTE_TOLERANCE_KWH = 0.001
QUERIES = {
    # Readings per session, and how many are distinct (a replayed write would show twice).
    "readings": """
        SELECT session_id, count() AS n, uniqExact(timestamp, measurand, value) AS distinct_n
        FROM meter_values WHERE tenant_id = {tenant:String} AND session_id LIKE 'chaos-%'
        GROUP BY session_id""",
    # The analysis each session shows: exactly one row, covering every reading.
    "analyses": """
        SELECT session_id, count() AS n, any(inference_id) AS inference_id, any(reading_count) AS reading_count
        FROM session_current_analyses WHERE tenant_id = {tenant:String} AND session_id LIKE 'chaos-%'
        GROUP BY session_id""",
    # Two rows in one slot after FINAL would be one write stored twice.
    "duplicate_slots": """
        SELECT session_id, slot, count() AS n
        FROM session_writes FINAL WHERE tenant_id = {tenant:String} AND session_id LIKE 'chaos-%'
        GROUP BY session_id, slot HAVING count() > 1""",
    # When each write was stored: evidence that a fault struck mid-stream, not before or after it.
    "writes": """
        SELECT session_id, op = 'stream' AS streamed, toUnixTimestamp64Milli(committed_at) AS committed_ms
        FROM session_writes FINAL WHERE tenant_id = {tenant:String} AND session_id LIKE 'chaos-%'""",
    # Energy per minute, not only its sum: a minute counted twice and one missed would cancel out.
    "energy": """
        SELECT charging_station_id, toUnixTimestamp(minute) AS minute, energy_kwh
        FROM station_minute_energy FINAL
        WHERE tenant_id = {tenant:String} AND charging_station_id LIKE 'CP-CHAOS-%' AND connector_id = '1'
          AND abs(energy_kwh) > 1e-9""",
}


def query_tables(chdb_path: Path, database: str = "evwatch") -> dict[str, list[dict[str, Any]]]:
    """Run QUERIES against the stopped store (in this process: call it from the child only)."""
    import clickhouse_connect

    client = clickhouse_connect.get_client(dsn=f"chdb://{chdb_path}", database=database, tz_mode="aware")
    out: dict[str, list[dict[str, Any]]] = {}
    for name, sql in QUERIES.items():
        result = client.query(sql, parameters={"tenant": TENANT})
        out[name] = [dict(zip(result.column_names, row, strict=True)) for row in result.result_rows]
    return out


def read_tables(chdb_path: Path, out: Path, timeout_s: float = 300.0) -> dict[str, list[dict[str, Any]]]:
    """query_tables in a child process; raises with its output if it fails."""
    # `-c` rather than `-m bench.chaos.tables`: the package imports this module first, and runpy warns.
    child = "import sys; from bench.chaos.tables import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.run(
        [sys.executable, "-c", child, str(chdb_path), str(out)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    if proc.returncode != 0:
        msg = f"table check failed (rc={proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
        raise RuntimeError(msg)
    data: dict[str, list[dict[str, Any]]] = json.loads(out.read_text())
    return data


def writes_before(plan: RoundPlan, fault_at: datetime, tables: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    """How many of the round's stream and API writes were stored before its fault struck, and in all."""
    prefix, cutoff = f"chaos-r{plan.index:02d}-", fault_at.timestamp() * 1000
    out = {"stream_before_fault": 0, "stream": 0, "api_before_fault": 0, "api": 0}
    for row in tables["writes"]:
        if row["session_id"].startswith(prefix):
            path = "stream" if row["streamed"] else "api"
            out[path] += 1
            out[f"{path}_before_fault"] += 1 if int(row["committed_ms"]) < cutoff else 0
    return out


def count_tables(
    plan: RoundPlan, stored_api: set[str], tables: dict[str, list[dict[str, Any]]], events: dict[str, list[Event]]
) -> Tally:
    """Lost and duplicated items of one round in the tables; the newest event of every streamed session
    must announce the analysis the session shows."""
    tally = Tally()
    readings = {r["session_id"]: r for r in tables["readings"]}
    analyses = {r["session_id"]: r for r in tables["analyses"]}
    energy: dict[str, dict[int, float]] = {}
    for row in tables["energy"]:
        energy.setdefault(row["charging_station_id"], {})[int(row["minute"])] = float(row["energy_kwh"])
    for row in tables["duplicate_slots"]:
        if row["session_id"].startswith(f"chaos-r{plan.index:02d}-"):
            tally.duplicate(
                "writes", int(row["n"]) - 1, f"{row['session_id']} slot {row['slot']} holds {row['n']} rows"
            )
    for session in plan.sessions:
        sid = session.session_id
        if session.path == "api" and sid not in stored_api:
            continue
        found = readings.get(sid, {"n": 0, "distinct_n": 0})
        tally.lose("readings", session.reading_count - int(found["distinct_n"]), f"{sid}: meter_values {found}")
        tally.duplicate("readings", int(found["n"]) - int(found["distinct_n"]), f"{sid}: meter_values {found}")
        tally.duplicate("readings", int(found["distinct_n"]) - session.reading_count, f"{sid}: meter_values {found}")
        analysis = analyses.get(sid)
        if analysis is None:
            tally.lose("analyses", 1, f"{sid}: no row in session_current_analyses")
        else:
            tally.duplicate("analyses", int(analysis["n"]) - 1, f"{sid}: {analysis['n']} current analyses")
            # Of the readings the session holds (a duplicate is counted above, not again here).
            if int(analysis["reading_count"]) != int(found["n"]):
                why = f"{sid}: current analysis covers {analysis['reading_count']} of {found['n']} readings"
                tally.lose("analyses", 1, why)
        _count_minutes(session.station_id, session.minute_energy(), energy.get(session.station_id, {}), tally)
        if session.path == "stream":
            _count_final_event(sid, analysis, events.get(sid, []), tally)
    return tally


def _count_minutes(station_id: str, expected: dict[int, float], found: dict[int, float], tally: Tally) -> None:
    """Every minute of energy exactly once: less is lost, more (or a minute nobody charged in) duplicated."""
    lost = [m for m, kwh in expected.items() if found.get(m, 0.0) < kwh - MINUTE_TOLERANCE_KWH]
    extra = [
        m for m in expected.keys() | found.keys() if found.get(m, 0.0) > expected.get(m, 0.0) + MINUTE_TOLERANCE_KWH
    ]
    total = f"sums to {sum(found.values()):.4f} kWh, sent {sum(expected.values()):.4f} kWh"
    tally.lose("energy_minutes", len(lost), f"{station_id}: minutes {sorted(lost)[:3]} short; {total}")
    tally.duplicate("energy_minutes", len(extra), f"{station_id}: minutes {sorted(extra)[:3]} over; {total}")


def _count_final_event(session_id: str, analysis: dict[str, Any] | None, events: list[Event], tally: Tally) -> None:
    if not events or analysis is None:
        return  # already counted as a lost event or a lost analysis
    newest = events[-1]
    if newest.event_id != analysis["inference_id"]:
        tally.lose(
            "events",
            1,
            f"{session_id}: newest event {newest.event_id} (offset {newest.offset}) is not the analysis shown ({analysis['inference_id']})",
        )


def main(argv: list[str]) -> int:
    """Child entry point: `<chdb path> <out.json>`."""
    chdb_path, out = Path(argv[0]), Path(argv[1])
    out.write_text(json.dumps(query_tables(chdb_path), default=str))
    return 0
