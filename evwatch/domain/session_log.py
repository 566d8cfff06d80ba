"""A session is the log of its writes; these are the rules for what the log shows, in one place.

Every write (an API request, a Kafka message) is stored as one row, atomically, with the session's
attributes after it and the readings it brought. API writes claim the next revision of their session:
of writers racing for one revision exactly one wins (`slot`), the others try again or give up.
Stream writes carry the revision they saw. A replace hides every write of an older revision, so a
replay of an old message cannot bring replaced readings back. The SQL in
`evwatch/storage/sessions.py` and the views of migration 0007 implement the same rules; the
in-memory store of the tests implements them with the functions below.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from evwatch.domain.readings import StoredReading
from evwatch.domain.sessions import SessionRecord

WriteOp = Literal["create", "replace", "append", "update", "stream"]
CREATE: WriteOp = "create"
REPLACE: WriteOp = "replace"
APPEND: WriteOp = "append"
UPDATE: WriteOp = "update"
STREAM: WriteOp = "stream"

_API_SLOT = "api:"
_MAX_U64 = 2**64 - 1


def api_slot(revision: int) -> str:
    """The one place in a session's log an API write of `revision` can take."""
    return f"{_API_SLOT}{revision:010d}"


def is_api_slot(slot: str) -> bool:
    """True for the slot of an API write (the others are Kafka coordinates)."""
    return slot.startswith(_API_SLOT)


def precedence(committed_at: datetime) -> int:
    """Of two rows in one slot the earlier committed wins: a replay never overrides what was stored."""
    return _MAX_U64 - int(committed_at.timestamp() * 1_000_000) * 1000


@dataclass(frozen=True, slots=True)
class SessionWrite:
    """One write of a session's log: the attributes after it and the readings it brought."""

    session: SessionRecord
    write_id: str
    slot: str
    revision: int
    op: WriteOp
    committed_at: datetime
    readings: tuple[StoredReading, ...] = ()
    seq: int = 0
    # An API write with enough readings stored while the inference service was unavailable.
    analysis_pending: bool = False

    @property
    def order(self) -> tuple[int, datetime, int]:
        """Later writes sort after earlier ones: by revision, then commit time, then position."""
        return (self.revision, self.committed_at, self.seq)


@dataclass(frozen=True, slots=True)
class SessionHead:
    """Where a session's log stands: its attributes now and the revisions that decide what it shows."""

    session: SessionRecord
    # The highest revision in the log: the next API write claims revision + 1.
    revision: int
    # The revision of the latest replace (0 without one): writes of older revisions are hidden.
    base_revision: int
    # Readings the session shows now.
    reading_count: int


def winners(rows: Iterable[SessionWrite]) -> list[SessionWrite]:
    """One write per slot, the earliest committed (what `FINAL` returns)."""
    best: dict[str, SessionWrite] = {}
    for row in rows:
        held = best.get(row.slot)
        if held is None or precedence(row.committed_at) > precedence(held.committed_at):
            best[row.slot] = row
    return list(best.values())


def base_revision(writes: Iterable[SessionWrite]) -> int:
    """The revision of the latest replace, 0 when the session was never replaced."""
    return max((w.revision for w in writes if w.op == REPLACE), default=0)


def visible(writes: Sequence[SessionWrite]) -> list[SessionWrite]:
    """The writes whose readings the session shows, in arrival order."""
    base = base_revision(writes)
    return sorted((w for w in writes if w.revision >= base), key=lambda w: (w.committed_at, w.seq))


def visible_readings(writes: Sequence[SessionWrite]) -> list[StoredReading]:
    """Every reading the session shows, in arrival order (duplicates the sender sent included)."""
    return [reading for write in visible(writes) for reading in write.readings]


def head(writes: Sequence[SessionWrite]) -> SessionHead | None:
    """The session's head, or None when its log is empty (the session does not exist)."""
    if not writes:
        return None
    latest = max(writes, key=lambda w: w.order)
    base = base_revision(writes)
    session = SessionRecord(
        latest.session.tenant_id,
        latest.session.session_id,
        latest.session.charging_station_id,
        latest.session.connector_id,
        latest.session.evse_id,
        latest.session.status,
        latest.session.metadata,
        min(w.session.created_at for w in writes),
        max(w.committed_at for w in writes),
    )
    count = sum(len(w.readings) for w in writes if w.revision >= base)
    return SessionHead(session, latest.revision, base, count)
