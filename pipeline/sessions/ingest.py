"""Storing what charging backends stream: append semantics, one insert per micro-batch."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from evwatch.clock import utc_now
from evwatch.contracts.meter_values import BackendReadings
from evwatch.domain.sessions import DEFAULT_STATUS, SessionRecord
from evwatch.storage.sessions import MeterValueRow, SessionStore
from pipeline.incoming import IncomingMessage


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
    """Stores a micro-batch of backend messages and says which sessions it touched."""

    def __init__(self, store: SessionStore, clock: Callable[[], datetime] = utc_now) -> None:
        self.store = store
        self.clock = clock

    def __call__(self, incoming: Sequence[IncomingMessage]) -> list[tuple[str, str]]:
        """Store the backend messages of a batch (append semantics); returns the (tenant, session) keys touched.

        API writes are skipped: the API stored them before it republished them.
        """
        by_tenant: dict[str, list[tuple[IncomingMessage, BackendReadings]]] = {}
        for item in incoming:
            if isinstance(item.message, BackendReadings):
                by_tenant.setdefault(item.message.tenant_id, []).append((item, item.message))
        touched: list[tuple[str, str]] = []
        now = self.clock()
        for tenant_id, items in by_tenant.items():
            existing = self.store.get_sessions(tenant_id, [msg.session_id for _, msg in items])
            merged: dict[str, SessionRecord] = {}
            rows: list[MeterValueRow] = []
            for item, msg in items:
                session = merge_session(tenant_id, msg, merged.get(msg.session_id) or existing.get(msg.session_id), now)
                merged[msg.session_id] = session
                rows.extend(MeterValueRow(session, r, f"{item.source_key}:{i}") for i, r in enumerate(item.readings))
            self.store.upsert_sessions(list(merged.values()))
            self.store.insert_meter_values(rows, now)
            touched.extend((tenant_id, sid) for sid in merged)
        return touched
