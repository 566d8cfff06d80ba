"""`evwatch tokens issue`: a member token for local use, signed with the embedded secret the API verifies."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from evwatch.config import AuthSettings
from evwatch.tokens import Claims, TokenVerifier

pytestmark = [pytest.mark.e2e]


def _issue(var_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "EVWATCH_VAR_DIR": str(var_dir)}
    command = [sys.executable, "-m", "entrypoints.cli", "tokens", "issue", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_tokens_are_signed_with_one_private_secret(tmp_path: Path) -> None:
    var_dir = tmp_path / "var"
    first = _issue(var_dir, "--tenant", "acme", "--email", "ada@example.com", "--role", "admin")
    assert first.returncode == 0, first.stderr[-2000:]
    secret_file = var_dir / "jwt-secret"
    assert oct(secret_file.stat().st_mode & 0o777) == "0o600"
    verifier = TokenVerifier(AuthSettings(), secret_file.read_text().strip())
    assert verifier.verify(first.stdout.strip()) == Claims("ada@example.com", "ada@example.com", "acme", "admin")
    signup = _issue(var_dir, "--email", "new@example.com", "--user", "u-7")
    assert verifier.verify(signup.stdout.strip()) == Claims("u-7", "new@example.com", None, None)
    assert _issue(var_dir, "--email", "x@example.com", "--role", "admin").returncode == 2  # a role needs a tenant
    assert _issue(var_dir, "--tenant", "acme", "--email", "x@example.com", "--role", "emperor").returncode == 2
