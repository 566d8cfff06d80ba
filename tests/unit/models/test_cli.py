"""models CLI: simulate writes JSON lines; parser knows every subcommand."""

from __future__ import annotations

import json
from pathlib import Path

from models.cli import build_parser, main


def test_parser_has_subcommands() -> None:
    p = build_parser()
    for cmd in ("simulate", "train", "evaluate", "export"):
        assert p.parse_args([cmd]).cmd == cmd


def test_simulate_writes_sessions(tmp_path: Path) -> None:
    out = tmp_path / "s.jsonl"
    assert main(["simulate", "--n", "3", "--seed", "2", "--category", "SOC_DROP", "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 3 and rows[0]["labels"][0]["category"] == "SOC_DROP"
    assert rows[0]["meterValues"][0]["timestamp"].endswith("Z")
