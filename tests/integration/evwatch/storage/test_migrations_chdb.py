"""Migrations on a chDB store of their own (in a subprocess: chDB opens one data path per process):
an upgrade from the session tables of 0002-0006 to the session log of 0007 keeps every row, and an
interrupted migration resumes at the statement it stopped in."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from evwatch.storage.migrations import MIGRATIONS_DIR

pytestmark = [pytest.mark.clickhouse]


def _run(script: str, tmp_path: Path) -> str:
    code = textwrap.dedent(
        f"""
        import clickhouse_connect, datetime as dt
        from pathlib import Path
        from evwatch.storage.migrations import migrate
        clickhouse_connect.get_client(dsn="chdb://{tmp_path}/chdb").command("CREATE DATABASE IF NOT EXISTS e")
        c = clickhouse_connect.get_client(dsn="chdb://{tmp_path}/chdb", database="e", tz_mode="aware")
        T = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
        """
    ) + textwrap.dedent(script)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_an_upgrade_to_the_session_log_keeps_sessions_readings_and_analyses(tmp_path: Path) -> None:
    before = tmp_path / "before-0007"
    before.mkdir()
    for sql in MIGRATIONS_DIR.glob("*.sql"):
        if int(sql.name[:4]) < 7 or 100 <= int(sql.name[:4]) <= 104:
            shutil.copy(sql, before)
    out = _run(
        f"""
        migrate(c, directory=Path("{before}"))
        c.insert("sessions", [["t", "s1", "ST", "1", None, "finished", '{{"maxPowerKw":11}}', T, T, 1],
                              ["t", "s2", "ST", "2", None, "active", "{{}}", T, T, 1]],
                 column_names=["tenant_id", "session_id", "charging_station_id", "connector_id", "evse_id", "status",
                               "metadata", "created_at", "updated_at", "version"])
        # Arrival order differs from time order, and one reading came twice: both must survive.
        rows = [["t", "s1", "ST", "1", T + dt.timedelta(minutes=m), "Energy.Active.Import.Register", "kWh", float(m),
                 None, None, False, f"k:{{i}}", i, T] for i, m in enumerate([0, 10, 5, 5])]
        c.insert("meter_values", rows,
                 column_names=["tenant_id", "session_id", "charging_station_id", "connector_id", "timestamp",
                               "measurand", "unit", "value", "phase", "location", "reconstructed", "source_key",
                               "seq", "ingested_at"])
        c.insert("session_inferences", [["t", "s1", "inf1", "ST", "1", T, 0.7, True, 0.8, True, False, 1, False, 4,
                                         60.0, "v", [], []]],
                 column_names=["tenant_id", "session_id", "inference_id", "charging_station_id", "connector_id",
                               "analyzed_at", "anomaly_score", "is_anomaly", "anomaly_confidence", "is_incident",
                               "is_recurring", "anomaly_count", "soc_reconstructed", "reading_count", "unit_seconds",
                               "model_version", "reconstructed_soc_ts", "reconstructed_soc"])
        c.insert("session_anomalies", [["t", "s1", "inf1", "DATA_GAP", 1, 2, T, T, 0.9, 0.8, "ST", "1", T]],
                 column_names=["tenant_id", "session_id", "inference_id", "category", "start_unit", "end_unit",
                               "start_ts", "end_ts", "score", "confidence", "charging_station_id", "connector_id",
                               "detected_at"])
        print([m.version for m in migrate(c)])
        print(c.query("SELECT session_id, status, metadata, revision FROM sessions ORDER BY session_id").result_rows)
        print(c.query("SELECT value FROM meter_values WHERE session_id = 's1'").result_rows)
        print(c.query("SELECT inference_id, anomaly_count FROM session_inferences").result_rows)
        print(c.query("SELECT category, start_unit FROM session_anomalies").result_rows)
        print(c.query("SELECT inference_id FROM session_current_analyses").result_rows)
        print(c.query("SELECT count() FROM system.tables WHERE database = 'e' AND name LIKE '%before_0007'").result_rows)
        """,
        tmp_path,
    )
    # every migration after the old layout runs: the session log's (0007 on) and the stations' newest
    pending = sorted(
        int(f.name[:4]) for f in MIGRATIONS_DIR.glob("*.sql") if 7 <= int(f.name[:4]) < 100 or int(f.name[:4]) >= 105
    )
    assert out.splitlines() == [
        str(pending),
        "[('s1', 'finished', '{\"maxPowerKw\":11}', 0), ('s2', 'active', '{}', 0)]",
        "[(0.0,), (10.0,), (5.0,), (5.0,)]",
        "[('inf1', 1)]",
        "[('DATA_GAP', 1)]",
        "[('inf1',)]",
        "[(0,)]",
    ]


def test_an_interrupted_migration_resumes_at_the_statement_it_stopped_in(tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0001_counter.sql").write_text(
        "CREATE TABLE IF NOT EXISTS tally (tenant_id String, n UInt32) ENGINE = MergeTree ORDER BY tenant_id;\n"
        "INSERT INTO tally VALUES ('t', 1);\n"
        "INSERT INTO tally SELECT 't', throwIf(1, 'boom');\n"
    )
    out = _run(
        f"""
        try:
            migrate(c, directory=Path("{migrations}"))
        except Exception as exc:
            print("failed")
        Path("{migrations}/0001_counter.sql").write_text(
            Path("{migrations}/0001_counter.sql").read_text().replace("throwIf(1, 'boom')", "2"))
        print([m.version for m in migrate(c, directory=Path("{migrations}"))])
        print(c.query("SELECT n FROM tally ORDER BY n").result_rows)
        """,
        tmp_path,
    )
    assert out.splitlines() == ["failed", "[1]", "[(1,), (2,)]"]
