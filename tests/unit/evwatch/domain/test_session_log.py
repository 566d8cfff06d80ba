"""The rules of a session's log, on plain data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from evwatch.domain.ocpp import ENERGY
from evwatch.domain.readings import StoredReading
from evwatch.domain.session_log import (
    APPEND,
    CREATE,
    REPLACE,
    STREAM,
    SessionWrite,
    api_slot,
    base_revision,
    head,
    is_api_slot,
    precedence,
    visible_readings,
    winners,
)
from evwatch.domain.sessions import SessionRecord

T0 = datetime(2026, 3, 2, 10, tzinfo=UTC)


def _write(
    slot: str, revision: int, op: str, second: int, values: list[float], status: str = "active", seq: int = 0
) -> SessionWrite:
    at = T0 + timedelta(seconds=second)
    session = SessionRecord("t", "s", "ST", "1", None, status, {}, T0, at)
    readings = tuple(StoredReading(at + timedelta(milliseconds=i), ENERGY, "kWh", v) for i, v in enumerate(values))
    return SessionWrite(session, f"{slot}@{second}", slot, revision, op, at, readings, seq)  # type: ignore[arg-type]


def test_an_api_slot_holds_one_revision_and_sorts_by_it() -> None:
    assert is_api_slot(api_slot(2)) and not is_api_slot("kafka:mv:0:7")
    assert sorted([api_slot(10), api_slot(9)]) == [api_slot(9), api_slot(10)]


def test_the_earliest_write_of_a_slot_wins_so_a_replay_changes_nothing() -> None:
    original = _write("kafka:mv:0:1", 0, STREAM, 1, [1.0])
    replay = _write("kafka:mv:0:1", 3, STREAM, 9, [1.0])
    assert precedence(original.committed_at) > precedence(replay.committed_at)
    assert winners([replay, original]) == [original]


def test_a_replace_hides_every_older_revision_and_later_writes_add_to_it() -> None:
    writes = [
        _write("kafka:mv:0:1", 0, STREAM, 1, [1.0, 2.0]),
        _write(api_slot(1), 1, APPEND, 2, [3.0]),
        _write(api_slot(2), 2, REPLACE, 3, [10.0]),
        _write("kafka:mv:0:2", 2, STREAM, 4, [11.0]),
        # Saw revision 1 but was stored after the replace: ordered before it, so hidden.
        _write("kafka:mv:0:3", 1, STREAM, 5, [99.0]),
    ]
    assert base_revision(writes) == 2
    assert [r.value for r in visible_readings(writes)] == [10.0, 11.0]
    current = head(writes)
    assert current is not None
    assert (current.revision, current.base_revision, current.reading_count) == (2, 2, 2)
    assert current.session.created_at == T0 and current.session.updated_at == T0 + timedelta(seconds=5)


def test_the_attributes_are_those_of_the_latest_write_by_revision_then_commit_then_position() -> None:
    writes = [
        _write(api_slot(1), 1, CREATE, 1, [], status="active"),
        _write("kafka:mv:0:1", 1, STREAM, 2, [], status="finished", seq=0),
        _write("kafka:mv:0:2", 1, STREAM, 2, [], status="suspended", seq=1),
        _write("kafka:mv:0:3", 0, STREAM, 9, [], status="stale"),
    ]
    current = head(writes)
    assert current is not None and current.session.status == "suspended"


def test_an_empty_log_is_no_session() -> None:
    assert head([]) is None and visible_readings([]) == [] and base_revision([]) == 0
