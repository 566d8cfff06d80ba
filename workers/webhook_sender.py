"""The webhook sender: attempts due deliveries, in order per webhook, retrying on a schedule.

Each webhook with a due delivery gets one task on a small pool; a webhook never has two attempts in
flight, so its deliveries go out in the order they were queued, and the next one waits until the one
before it was delivered or given up. A slow receiver holds one pool thread for at most the attempt
timeout, and the others keep theirs. A 2xx marks the delivery delivered before the next one starts,
so a receiver that keeps answering 2xx gets each delivery once; a crash during an attempt repeats
only that attempt (at least once). Every attempt is recorded. Failed attempts in a row count up
`failureCount`, and at `disable_after` the webhook is disabled and `webhook.disabled` announced.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Protocol

import msgspec
from prometheus_client import Counter, Histogram

from evwatch.config import WebhookSettings
from evwatch.contracts.events import WebhookDisabled
from evwatch.domain.webhook_urls import UrlRefused
from evwatch.domain.webhooks import (
    DELIVERED,
    FAILED,
    PENDING,
    Attempt,
    Delivery,
    WebhookRecord,
    retry_delay,
    signing_secrets,
)
from evwatch.webhook_http import Outcome
from evwatch.webhook_signing import signature_headers
from evwatch.webhook_targets import Target, TargetGuard
from workers.outbox import Publish

log = logging.getLogger("evwatch.workers.webhooks")

ATTEMPTS = Counter("evwatch_webhook_attempts_total", "Webhook delivery attempts", ["outcome"])
LAG = Histogram(
    "evwatch_webhook_delivery_lag_seconds",
    "From queueing to a successful delivery",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600),
)

# POST to a checked target: `evwatch.webhook_http.post` in production.
Post = Callable[[Target, dict[str, str], bytes, float], Outcome]
Key = tuple[str, str]
# pending deliveries read at once per webhook
_BATCH = 100
# how stale a task's copy of its webhook may get while deliveries succeed
_REREAD_S = 1.0


class SenderStore(Protocol):
    """What the sender needs from storage (`evwatch.storage.webhooks.ClickHouseWebhookStore`)."""

    def due_webhooks(self, now: datetime, limit: int) -> list[Key]: ...

    def get_webhook(self, tenant_id: str, webhook_id: str) -> WebhookRecord | None: ...

    def pending(self, tenant_id: str, webhook_id: str, limit: int) -> list[Delivery]: ...

    def save_deliveries(self, deliveries: Sequence[Delivery]) -> None: ...

    def record_attempt(self, attempt: Attempt) -> None: ...

    def set_health(self, tenant_id: str, webhook_id: str, failure_count: int, disabled_at: datetime | None) -> None: ...


class WebhookSender:
    """One pass hands every webhook with a due delivery (and none in flight) to the pool."""

    def __init__(
        self,
        store: SenderStore,
        guard: TargetGuard,
        post: Post,
        settings: WebhookSettings,
        clock: Callable[[], datetime],
        announce: Publish | None,
        stop: threading.Event,
        rng: random.Random | None = None,
    ) -> None:
        self.store = store
        self.guard = guard
        self.post = post
        self.settings = settings
        self.clock = clock
        self.announce = announce
        self.stop = stop
        self.rng = rng or random.Random()
        self._pool = ThreadPoolExecutor(max(1, settings.concurrency), thread_name_prefix="evwatch-webhook")
        self._lock = threading.Lock()
        self._in_flight: set[Key] = set()
        self._wake = threading.Event()
        # (when read, the webhook) per webhook; each entry is used by that webhook's one task only
        self._records: dict[Key, tuple[float, WebhookRecord | None]] = {}

    def __call__(self) -> bool:
        """Start the due webhooks' tasks, then wait for `wake` or the poll interval; True until stopped."""
        # cleared before looking, so a wake during the search makes the next pass start at once
        self._wake.clear()
        due = self.store.due_webhooks(self.clock(), limit=max(1, self.settings.concurrency) * 4)
        for key in due:
            with self._lock:
                if key in self._in_flight or self.stop.is_set():
                    continue
                self._in_flight.add(key)
            self._pool.submit(self._drain, key)
        self._wake.wait(self.settings.poll_interval_s)
        return not self.stop.is_set()

    def wake(self) -> None:
        """Deliveries were queued: look for them now rather than at the next poll."""
        self._wake.set()

    def close(self) -> None:
        """Wait for the attempts in flight (each ends within its timeout) and stop the pool."""
        self.stop.set()
        self._wake.set()
        self._pool.shutdown(wait=True)

    def _drain(self, key: Key) -> None:
        # a new task starts from the webhook as stored (a rotation or a new URL applies at once)
        self._records.pop(key, None)
        try:
            while not self.stop.is_set():
                # a batch in order; only this task sends to this webhook, so the batch stays its queue's head
                batch = self.store.pending(*key, _BATCH)
                if not batch:
                    return
                for delivery in batch:
                    record = self._fresh(key)
                    if record is None or self.stop.is_set() or delivery.next_attempt_at > self.clock():
                        return
                    if not self._attempt(record, delivery):
                        return
        except Exception:  # the delivery stays pending; the next pass picks the webhook up again
            log.exception("webhook %s: delivery failed", key[1])
        finally:
            with self._lock:
                self._in_flight.discard(key)

    def _fresh(self, key: Key) -> WebhookRecord | None:
        """The webhook as stored, re-read at most every `_REREAD_S` while its deliveries succeed (so a
        change by its admins applies within that) and after every failure; None when it may not be sent to."""
        now = time.monotonic()
        cached = self._records.get(key)
        if cached is None or now - cached[0] > _REREAD_S:
            record = self.store.get_webhook(*key)
            cached = (now, record)
            self._records[key] = cached
        record = cached[1]
        return record if record is not None and record.active else None

    def _attempt(self, record: WebhookRecord, delivery: Delivery) -> bool:
        """One attempt, recorded; True when the webhook may go on with its next delivery."""
        now = self.clock()
        try:
            target = self.guard.check(record.url)
        except UrlRefused as refused:
            outcome = Outcome(None, 0, "", f"refused: {refused}")
        else:
            headers = signature_headers(delivery.delivery_id, delivery.payload, signing_secrets(record, now), now)
            outcome = self.post(target, headers, delivery.payload.encode(), self.settings.timeout_s)
        number = delivery.attempt_count + 1
        attempt = Attempt(
            tenant_id=record.tenant_id,
            webhook_id=record.webhook_id,
            delivery_id=delivery.delivery_id,
            attempt=number,
            at=now,
            http_status=outcome.http_status,
            latency_ms=outcome.latency_ms,
            response_body=outcome.response_body,
            error=outcome.error,
        )
        self.store.record_attempt(attempt)
        done_at = self.clock()
        if attempt.succeeded:
            # the failures are cleared first, so whoever sees the delivery delivered sees them cleared
            if record.failure_count:
                self.store.set_health(record.tenant_id, record.webhook_id, 0, None)
                self._records.pop((record.tenant_id, record.webhook_id), None)
            self.store.save_deliveries(
                [
                    replace(
                        delivery,
                        status=DELIVERED,
                        attempt_count=number,
                        http_status=outcome.http_status,
                        completed_at=done_at,
                    )
                ]
            )
            ATTEMPTS.labels(outcome="delivered").inc()
            LAG.observe(max(0.0, (done_at - delivery.created_at).total_seconds()))
            return True
        delay = retry_delay(number, self.settings.retry_schedule_s, self.settings.jitter, self.rng)
        self.store.save_deliveries(
            [
                replace(
                    delivery,
                    status=PENDING if delay is not None else FAILED,
                    attempt_count=number,
                    http_status=outcome.http_status,
                    next_attempt_at=done_at + timedelta(seconds=delay or 0.0),
                    completed_at=None if delay is not None else done_at,
                )
            ]
        )
        ATTEMPTS.labels(outcome="failed" if delay is not None else "given_up").inc()
        self._records.pop((record.tenant_id, record.webhook_id), None)
        failures = record.failure_count + 1
        disabled = failures >= self.settings.disable_after
        self.store.set_health(record.tenant_id, record.webhook_id, failures, done_at if disabled else None)
        if disabled:
            log.warning("webhook %s disabled after %d failed attempts in a row", record.webhook_id, failures)
            self._announce_disabled(record, failures, done_at)
        return delay is None and not disabled

    def _announce_disabled(self, record: WebhookRecord, failures: int, at: datetime) -> None:
        if self.announce is None:
            return
        event = WebhookDisabled(
            event_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{record.webhook_id}/disabled/{at.isoformat()}")),
            tenant_id=record.tenant_id,
            webhook_id=record.webhook_id,
            failure_count=failures,
            disabled_at=at,
        )
        try:
            self.announce([(f"{record.tenant_id}/{record.webhook_id}".encode(), msgspec.json.encode(event))])
        except Exception:  # the disabling stands and shows in the API; the announcement is best effort
            log.exception("webhook %s: could not announce webhook.disabled", record.webhook_id)
