"""SQL of webhooks: their configuration and health, their deliveries and every attempt (migration 0016)."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from clickhouse_connect.driver.client import Client

from evwatch.domain.webhooks import PENDING, Attempt, Delivery, WebhookRecord

_CONFIG_COLUMNS = [
    "tenant_id",
    "webhook_id",
    "url",
    "events",
    "description",
    "enabled",
    "secret",
    "previous_secret",
    "previous_secret_until",
    "created_at",
    "updated_at",
]
_DELIVERY_COLUMNS = [f.name for f in dataclasses.fields(Delivery)]
_ATTEMPT_COLUMNS = [f.name for f in dataclasses.fields(Attempt)]
_WEBHOOK_SELECT = (
    "SELECT " + ", ".join(f"w.{c}" for c in _CONFIG_COLUMNS) + ", ifNull(h.failure_count, 0), h.disabled_at "
    "FROM (SELECT * FROM webhooks FINAL WHERE {where} AND NOT deleted) AS w "
    "LEFT JOIN (SELECT tenant_id, webhook_id, failure_count, disabled_at FROM webhook_health FINAL WHERE {where}) AS h "
    "ON w.tenant_id = h.tenant_id AND w.webhook_id = h.webhook_id"
)

_lock = threading.Lock()
_last = 0


def _version() -> int:
    """Strictly increasing within the process, so two writes in one nanosecond still order."""
    global _last
    with _lock:
        _last = max(time.time_ns(), _last + 1)
        return _last


def _record(row: Sequence[Any]) -> WebhookRecord:
    values = dict(zip(_CONFIG_COLUMNS, row, strict=False))
    return WebhookRecord(
        **{**values, "events": list(values["events"])},
        failure_count=int(row[len(_CONFIG_COLUMNS)]),
        disabled_at=row[len(_CONFIG_COLUMNS) + 1],
    )


class ClickHouseWebhookStore:
    """Webhooks of every tenant (every query names its tenant, or the sender's due work across them)."""

    def __init__(self, client: Client) -> None:
        self._client = client

    # ---------------------------------------------------------------- configuration
    def save_webhook(self, record: WebhookRecord) -> None:
        """Write the webhook's configuration (a new version replaces the stored one)."""
        row = [getattr(record, c) for c in _CONFIG_COLUMNS] + [False, _version()]
        self._client.insert("webhooks", [row], column_names=[*_CONFIG_COLUMNS, "deleted", "version"])

    def set_health(self, tenant_id: str, webhook_id: str, failure_count: int, disabled_at: datetime | None) -> None:
        """Record consecutive failures, and when the webhook was disabled for them (None: it is not)."""
        self._client.insert(
            "webhook_health",
            [[tenant_id, webhook_id, failure_count, disabled_at, _version()]],
            column_names=["tenant_id", "webhook_id", "failure_count", "disabled_at", "version"],
        )

    def get_webhook(self, tenant_id: str, webhook_id: str) -> WebhookRecord | None:
        """The tenant's webhook, or None (another tenant's is None too)."""
        where = "tenant_id = {t:String} AND webhook_id = {w:String}"
        rows = self._client.query(_WEBHOOK_SELECT.format(where=where), parameters={"t": tenant_id, "w": webhook_id})
        return _record(rows.result_rows[0]) if rows.result_rows else None

    def list_webhooks(self, tenant_id: str) -> list[WebhookRecord]:
        """The tenant's webhooks, oldest first."""
        rows = self._client.query(
            _WEBHOOK_SELECT.format(where="tenant_id = {t:String}") + " ORDER BY w.created_at, w.webhook_id",
            parameters={"t": tenant_id},
        )
        return [_record(r) for r in rows.result_rows]

    def webhooks_of(self, tenant_ids: Iterable[str]) -> dict[str, list[WebhookRecord]]:
        """The webhooks of these tenants, by tenant (the fan-out's lookup for a batch of events)."""
        rows = self._client.query(
            _WEBHOOK_SELECT.format(where="tenant_id IN {ts:Array(String)}"), parameters={"ts": sorted(set(tenant_ids))}
        )
        out: dict[str, list[WebhookRecord]] = {}
        for row in rows.result_rows:
            record = _record(row)
            out.setdefault(record.tenant_id, []).append(record)
        return out

    def delete_webhook(self, record: WebhookRecord, at: datetime) -> None:
        """Remove the webhook and, with it, its deliveries and their attempts."""
        row = [getattr(record, c) for c in _CONFIG_COLUMNS]
        row[_CONFIG_COLUMNS.index("updated_at")] = at
        self._client.insert(
            "webhooks", [[*row, True, _version()]], column_names=[*_CONFIG_COLUMNS, "deleted", "version"]
        )
        params = {"t": record.tenant_id, "w": record.webhook_id}
        for table in ("webhook_deliveries", "webhook_attempts", "webhook_health"):
            self._client.command(
                f"DELETE FROM {table} WHERE tenant_id = {{t:String}} AND webhook_id = {{w:String}}", parameters=params
            )

    # ---------------------------------------------------------------- deliveries
    def known_deliveries(self, tenant_id: str, delivery_ids: Iterable[str]) -> set[str]:
        """Which of these deliveries are queued already (an event consumed again)."""
        ids = sorted(set(delivery_ids))
        if not ids:
            return set()
        rows = self._client.query(
            "SELECT DISTINCT delivery_id FROM webhook_deliveries WHERE tenant_id = {t:String} AND delivery_id IN {ids:Array(String)}",
            parameters={"t": tenant_id, "ids": ids},
        )
        return {r[0] for r in rows.result_rows}

    def save_deliveries(self, deliveries: Sequence[Delivery]) -> None:
        """Write deliveries as they are now (new ones, or a new state of queued ones)."""
        if not deliveries:
            return
        rows = [[getattr(d, c) for c in _DELIVERY_COLUMNS] + [_version()] for d in deliveries]
        self._client.insert("webhook_deliveries", rows, column_names=[*_DELIVERY_COLUMNS, "version"])

    def due_webhooks(self, now: datetime, limit: int) -> list[tuple[str, str]]:
        """(tenant, webhook) whose oldest pending delivery is due and whose webhook is active, across tenants."""
        rows = self._client.query(
            "SELECT d.tenant_id, d.webhook_id FROM ("
            "  SELECT tenant_id, webhook_id, argMin(next_attempt_at, seq) AS due_at FROM webhook_deliveries FINAL"
            "  WHERE status = {p:String} GROUP BY tenant_id, webhook_id) AS d "
            "INNER JOIN (SELECT tenant_id, webhook_id FROM webhooks FINAL WHERE enabled AND NOT deleted) AS w "
            "ON d.tenant_id = w.tenant_id AND d.webhook_id = w.webhook_id "
            "LEFT JOIN (SELECT tenant_id, webhook_id, disabled_at FROM webhook_health FINAL) AS h "
            "ON d.tenant_id = h.tenant_id AND d.webhook_id = h.webhook_id "
            "WHERE d.due_at <= {now:DateTime64(3, 'UTC')} AND h.disabled_at IS NULL "
            "ORDER BY d.due_at LIMIT {n:UInt32}",
            parameters={"p": PENDING, "now": now, "n": limit},
            settings={"join_use_nulls": 1},
        )
        return [(r[0], r[1]) for r in rows.result_rows]

    def pending(self, tenant_id: str, webhook_id: str, limit: int) -> list[Delivery]:
        """The webhook's oldest pending deliveries, in the order they must go out (only the first may be attempted)."""
        rows = self._client.query(
            f"SELECT {', '.join(_DELIVERY_COLUMNS)} FROM webhook_deliveries FINAL "
            "WHERE tenant_id = {t:String} AND webhook_id = {w:String} AND status = {p:String} "
            "ORDER BY seq, delivery_id LIMIT {n:UInt32}",
            parameters={"t": tenant_id, "w": webhook_id, "p": PENDING, "n": limit},
        )
        return [_delivery(r) for r in rows.result_rows]

    def recent_deliveries(self, tenant_id: str, webhook_id: str, limit: int) -> list[Delivery]:
        """The webhook's latest deliveries, newest first."""
        rows = self._client.query(
            f"SELECT {', '.join(_DELIVERY_COLUMNS)} FROM webhook_deliveries FINAL "
            "WHERE tenant_id = {t:String} AND webhook_id = {w:String} ORDER BY seq DESC, delivery_id LIMIT {n:UInt32}",
            parameters={"t": tenant_id, "w": webhook_id, "n": limit},
        )
        return [_delivery(r) for r in rows.result_rows]

    def delivery_page(self, tenant_id: str, webhook_id: str, offset: int, limit: int) -> tuple[list[Delivery], int]:
        """One page of the webhook's deliveries, newest first, and how many it has."""
        params = {"t": tenant_id, "w": webhook_id, "o": offset, "n": limit}
        where = "tenant_id = {t:String} AND webhook_id = {w:String}"
        rows = self._client.query(
            f"SELECT {', '.join(_DELIVERY_COLUMNS)} FROM webhook_deliveries FINAL WHERE {where} "
            "ORDER BY seq DESC, delivery_id LIMIT {n:UInt32} OFFSET {o:UInt64}",
            parameters=params,
        )
        total = self._client.query(
            f"SELECT uniqExact(delivery_id) FROM webhook_deliveries WHERE {where}", parameters=params
        ).result_rows[0][0]
        return [_delivery(r) for r in rows.result_rows], int(total)

    def attempts_of(self, tenant_id: str, webhook_id: str, delivery_ids: Sequence[str]) -> dict[str, list[Attempt]]:
        """The attempts of these deliveries, first first, by delivery."""
        out: dict[str, list[Attempt]] = {d: [] for d in delivery_ids}
        if not delivery_ids:
            return out
        rows = self._client.query(
            f"SELECT {', '.join(_ATTEMPT_COLUMNS)} FROM webhook_attempts FINAL WHERE tenant_id = {{t:String}} "
            "AND webhook_id = {w:String} AND delivery_id IN {ids:Array(String)} ORDER BY delivery_id, attempt",
            parameters={"t": tenant_id, "w": webhook_id, "ids": list(delivery_ids)},
        )
        for row in rows.result_rows:
            attempt = Attempt(**dict(zip(_ATTEMPT_COLUMNS, row, strict=True)))
            out.setdefault(attempt.delivery_id, []).append(attempt)
        return out

    def record_attempt(self, attempt: Attempt) -> None:
        """Keep one attempt's outcome."""
        self._client.insert(
            "webhook_attempts", [[getattr(attempt, c) for c in _ATTEMPT_COLUMNS]], column_names=_ATTEMPT_COLUMNS
        )

    def attempts(self, tenant_id: str, webhook_id: str, delivery_id: str) -> list[Attempt]:
        """A delivery's attempts, first first."""
        rows = self._client.query(
            f"SELECT {', '.join(_ATTEMPT_COLUMNS)} FROM webhook_attempts FINAL "
            "WHERE tenant_id = {t:String} AND webhook_id = {w:String} AND delivery_id = {d:String} ORDER BY attempt",
            parameters={"t": tenant_id, "w": webhook_id, "d": delivery_id},
        )
        return [Attempt(**dict(zip(_ATTEMPT_COLUMNS, r, strict=True))) for r in rows.result_rows]


def _delivery(row: Sequence[Any]) -> Delivery:
    return Delivery(**dict(zip(_DELIVERY_COLUMNS, row, strict=True)))


def sequence_numbers(count: int) -> range:
    """Queue positions for `count` deliveries queued together: after every earlier one (clock-based, so
    across processes too, as far as their clocks agree)."""
    global _last
    with _lock:
        first = max(time.time_ns(), _last + 1)
        _last = first + count
    return range(first, first + count)
