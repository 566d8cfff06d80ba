"""Storing what charging backends stream: one write per message, one insert per micro-batch.

A message's write takes the slot of its Kafka coordinates, so a replay after a crash finds the slot
taken and stores nothing (the session still counts as touched: its analysis may not have run).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from evwatch.clock import utc_now
from evwatch.contracts.meter_values import BackendReadings
from evwatch.domain.bounds import Bounds
from evwatch.domain.session_log import STREAM, SessionWrite
from evwatch.domain.sessions import DEFAULT_STATUS, SessionRecord
from evwatch.failures import isolate
from evwatch.storage.sessions import SessionStore
from pipeline.dead_letters import INVALID, PROCESSING, DeadLetter
from pipeline.incoming import IncomingMessage

STEP = "store_readings"
Touched = tuple[str, str]


def merge_session(tenant_id: str, msg: BackendReadings, prior: SessionRecord | None, now: datetime) -> SessionRecord:
    """A stream message updates what it names and keeps the rest (created_at stays the first sight)."""
    if prior is None:
        return SessionRecord(
            tenant_id,
            msg.session_id,
            msg.charging_station_id,
            msg.connector_id,
            msg.evse_id,
            msg.status or DEFAULT_STATUS,
            dict(msg.metadata or {}),
            now,
            now,
        )
    return replace(
        prior,
        charging_station_id=msg.charging_station_id,
        connector_id=msg.connector_id if msg.connector_id is not None else prior.connector_id,
        evse_id=msg.evse_id if msg.evse_id is not None else prior.evse_id,
        status=msg.status if msg.status is not None else prior.status,
        metadata=dict(msg.metadata) if msg.metadata is not None else prior.metadata,
        updated_at=now,
    )


class SessionIngest:
    """Stores a micro-batch of backend messages and says which sessions it touched.

    A message that would take its session past `bounds.max_readings_per_session` is a dead letter;
    a message storage refuses is isolated and dead-lettered; an unreachable store is waited out.
    """

    def __init__(
        self, store: SessionStore, bounds: Bounds, stop: threading.Event, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self.store = store
        self.bounds = bounds
        self.stop = stop
        self.clock = clock

    def __call__(self, incoming: Sequence[IncomingMessage]) -> list[Touched | DeadLetter]:
        """Store the backend messages of a batch; API writes are skipped (the API stored them)."""
        backend = [item for item in incoming if isinstance(item.message, BackendReadings)]
        return isolate(STEP, backend, self._store, _dead_letter, self.stop)

    def _store(self, items: Sequence[IncomingMessage]) -> list[Touched | DeadLetter]:
        by_tenant: dict[str, list[IncomingMessage]] = {}
        for item in items:
            by_tenant.setdefault(item.message.tenant_id, []).append(item)
        out: list[Touched | DeadLetter] = []
        now = self.clock()
        for tenant_id, group in by_tenant.items():
            out.extend(self._store_tenant(tenant_id, group, now))
        return out

    def _store_tenant(self, tenant_id: str, items: list[IncomingMessage], now: datetime) -> list[Touched | DeadLetter]:
        heads, taken = self.store.heads(
            tenant_id, [item.message.session_id for item in items], [item.source.ref for item in items]
        )
        counts = {sid: h.reading_count for sid, h in heads.items()}
        latest = {sid: h.session for sid, h in heads.items()}
        writes: list[SessionWrite] = []
        touched: dict[str, None] = {}
        refused: list[Touched | DeadLetter] = []
        for item in items:
            msg = item.message
            assert isinstance(msg, BackendReadings)
            slot = item.source.ref
            if slot in taken:
                touched[msg.session_id] = None
                continue
            held = counts.get(msg.session_id, 0)
            if held + len(item.readings) > self.bounds.max_readings_per_session:
                limit = self.bounds.max_readings_per_session
                reason = f"meterValues: session {msg.session_id!r} would hold more than {limit} readings"
                refused.append(item.source.refused(STEP, INVALID, reason))
                continue
            counts[msg.session_id] = held + len(item.readings)
            session = merge_session(tenant_id, msg, latest.get(msg.session_id), now)
            latest[msg.session_id] = session
            head = heads.get(msg.session_id)
            revision = head.revision if head is not None else 0
            writes.append(
                SessionWrite(session, slot, slot, revision, STREAM, now, tuple(item.readings), seq=len(writes))
            )
            touched[msg.session_id] = None
        self.store.insert_writes(writes)
        return [*refused, *((tenant_id, sid) for sid in touched)]


def _dead_letter(item: IncomingMessage, exc: Exception) -> list[Touched | DeadLetter]:
    return [item.source.refused(STEP, PROCESSING, f"{type(exc).__name__}: {exc}")]
