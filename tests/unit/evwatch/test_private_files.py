"""Secrets are written 0600, atomically, never through a symlink; state directories are 0700."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from evwatch.private_files import private_dir, write_secret


def test_a_state_directory_is_private(tmp_path: Path) -> None:
    target = private_dir(tmp_path / "var" / "chdb")
    assert oct(target.stat().st_mode & 0o777) == "0o700"


def test_a_secret_is_written_whole_and_private_and_replaces_the_old_one(tmp_path: Path) -> None:
    key_file = tmp_path / "var" / "key"
    write_secret(key_file, "first\n")
    write_secret(key_file, "second\n")
    assert key_file.read_text() == "second\n"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in key_file.parent.iterdir()] == ["key"]  # no temporary left behind


def test_a_planted_symlink_does_not_redirect_the_secret(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_text("untouched")
    key_file = tmp_path / "key"
    os.symlink(elsewhere, key_file)
    write_secret(key_file, "secret\n")
    assert elsewhere.read_text() == "untouched"
    assert not key_file.is_symlink() and key_file.read_text() == "secret\n"


def test_a_failed_write_leaves_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(OSError, match="disk full"):
        write_secret(tmp_path / "key", "secret\n")
    assert list(tmp_path.iterdir()) == []
