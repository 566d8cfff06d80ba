"""The first key is announced on a terminal only; elsewhere the log names the file, not the key."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from entrypoints.bootstrap import announce
from evwatch.domain.api_keys import generate_key


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_key_is_shown(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    out = _Terminal()
    monkeypatch.setattr("sys.stdout", out)
    key = generate_key()
    announce(key, tmp_path / "k", "created a key")
    assert key.plain in out.getvalue()


def test_elsewhere_only_the_file_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    key = generate_key()
    announce(key, tmp_path / "k", "created a key")
    assert key.plain not in out.getvalue() and str(tmp_path / "k") in out.getvalue()
