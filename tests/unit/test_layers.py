"""Layers point one way: the import contracts in pyproject.toml hold, and the API process stays light."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_importing_the_api_loads_neither_bytewax_nor_torch() -> None:
    probe = (
        "import sys\n"
        "import serving.app, serving.sessions.controller, serving.stations.controller, serving.statistics.controller\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'bytewax', 'torch', 'pipeline', 'entrypoints'}))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]", result.stdout
