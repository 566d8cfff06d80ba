"""SHADE CLI commands that are cheap enough for unit tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.shade.cli import main


def test_simulate_prints_labelled_days(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--stations", "1", "--days", "3", "--types", "energy_drop"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 3
    assert rows[1]["anomalies"][0]["type"] == "energy_drop"


def test_evaluate_reports_per_type(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", "--stations", "3", "--json"]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert set(metrics["rules_alone"]["per_type"]) == set(metrics["per_type"])
    assert set(metrics["per_type"]) == {
        "energy_drop",
        "energy_surge",
        "connector_outage",
        "idle_consumption",
        "meter_mismatch",
    }


def test_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--dest", str(tmp_path)]) == 0
    assert (tmp_path / "shade" / "config.pbtxt").exists()
