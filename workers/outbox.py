"""The outbox relay: what the API stored reaches `evwatch.api-writes`, at least once.

The API stores a write (its row in `session_writes` is the outbox entry, committed with the write
itself; `api_write_outbox` indexes it) and answers; this worker reads the writes it has not delivered yet, produces them with
delivery confirmation, split under the topic's message limit, and then records them in
`session_publications`. A crash between the two delivers a write twice (the windows skip readings
they saw); a Kafka outage delays delivery and loses nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from prometheus_client import Counter

from evwatch.contracts.meter_values import api_write_messages
from evwatch.storage.sessions import SessionStore
from workers.follow import Follower

log = logging.getLogger("evwatch.workers.outbox")

RELAYED = Counter("evwatch_outbox_relayed_total", "API writes delivered to the api-writes topic")
# What a message's key, headers and record-batch framing may add to its value.
_FRAMING_BYTES = 16 * 1024

# Deliver (key, value) messages or raise; `ConfirmedPublisher.publish` in production.
Publish = Callable[[Sequence[tuple[bytes, bytes]]], None]


class OutboxRelay:
    """One pass delivers up to `batch` undelivered API writes, oldest first."""

    def __init__(
        self,
        store: SessionStore,
        publish: Publish,
        max_message_bytes: int,
        follower: Follower,
        clock: Callable[[], datetime],
        batch: int = 200,
    ) -> None:
        self.store = store
        self.publish = publish
        self.max_message_bytes = max_message_bytes
        self.follower = follower
        self.clock = clock
        self.batch = batch
        self._recovered = False

    def __call__(self) -> bool:
        """Relay one batch; True when there may be more."""
        since = self.follower.since()
        if not self._recovered:
            # A crash may have come between a write and its outbox row: restore those first.
            self.store.recover_outbox(since)
            self._recovered = True
        writes = self.store.api_writes_since(since, self.batch, unpublished=True)
        if writes:
            messages = []
            for write in writes:
                key = f"{write.session.tenant_id}/{write.session.session_id}".encode()
                framing = min(_FRAMING_BYTES, self.max_message_bytes // 8)
                values = api_write_messages(write, self.max_message_bytes - framing)
                messages += [(key, value) for value in values]
            self.publish(messages)
            self.store.mark_published(writes, self.clock())
            RELAYED.inc(len(writes))
            log.debug("relayed %d API writes in %d messages", len(writes), len(messages))
        if len(writes) < self.batch:
            self.follower.caught_up()
            return False
        return True
