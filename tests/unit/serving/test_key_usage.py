"""`lastUsedAt`: noted per request without I/O, written in one batch, kept when a write fails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from serving.key_usage import KeyUsage

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def test_many_uses_become_one_row_per_key_with_the_latest_time() -> None:
    written: list[list[tuple[str, str, datetime]]] = []
    usage = KeyUsage(written.append)
    for second in range(1000):
        usage.note("t", "k1", T0 + timedelta(seconds=second))
    usage.note("t", "k2", T0)
    assert usage.flush() is False
    assert sorted(written[0]) == [("t", "k1", T0 + timedelta(seconds=999)), ("t", "k2", T0)]
    usage.flush()
    assert len(written) == 1  # nothing new, nothing written


def test_a_failed_write_is_retried_and_newer_uses_win() -> None:
    attempts: list[list[tuple[str, str, datetime]]] = []

    def write(rows: list[tuple[str, str, datetime]]) -> None:
        attempts.append(rows)
        if len(attempts) == 1:
            raise ConnectionError("store down")

    usage = KeyUsage(write)
    usage.note("t", "k1", T0)
    with pytest.raises(ConnectionError):
        usage.flush()
    usage.note("t", "k1", T0 + timedelta(seconds=5))
    usage.flush()
    assert attempts[-1] == [("t", "k1", T0 + timedelta(seconds=5))]
