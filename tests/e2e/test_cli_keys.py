"""`evwatch keys create`: the way back in when the bootstrap key file is lost."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.clickhouse]


def _keys(var_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "EVWATCH_VAR_DIR": str(var_dir)}
    command = [sys.executable, "-m", "entrypoints.cli", "keys", "create", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_a_new_super_admin_key_is_saved_privately_and_not_printed_off_a_terminal(tmp_path: Path) -> None:
    var_dir = tmp_path / "var"
    created = _keys(var_dir, "--role", "super_admin")
    assert created.returncode == 0, created.stderr[-2000:]
    key_file = var_dir / "bootstrap-admin-key"
    key = key_file.read_text().strip()
    assert key.startswith("evw_") and oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert oct(var_dir.stat().st_mode & 0o777) == "0o700"
    assert key not in created.stdout and str(key_file) in created.stdout
    refused = _keys(var_dir, "--role", "admin", "--tenant", "nobody")
    assert refused.returncode == 1 and "no tenant 'nobody'" in refused.stderr
    assert _keys(var_dir, "--role", "emperor").returncode == 2
