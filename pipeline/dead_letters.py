"""Dead letters: a refused message's exact bytes plus why it was refused, counted per reason.

Every step that refuses a message builds a `DeadLetter`; `dead_letter_message` is the one place
that turns it into the record on `evwatch.dead-letter`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bytewax.connectors.kafka import KafkaSinkMessage
from prometheus_client import Counter

from evwatch.clock import utc_now

log = logging.getLogger("evwatch.pipeline")

DEAD_LETTERS = Counter("evwatch_dead_letter_total", "Messages sent to the dead-letter topic", ["topic", "reason"])


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A refused message: where it came from, why, and its exact bytes."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    reason: str
    kind: str  # short machine-readable reason class, e.g. "malformed_json", "validation_error"

    def headers(self) -> list[tuple[str, bytes]]:
        """Kafka headers carried by the dead-letter message."""
        return [
            ("evwatch-reason", self.reason.encode()),
            ("evwatch-error-kind", self.kind.encode()),
            ("evwatch-source-topic", self.topic.encode()),
            ("evwatch-source-partition", str(self.partition).encode()),
            ("evwatch-source-offset", str(self.offset).encode()),
            ("evwatch-failed-at", utc_now().isoformat().encode()),
        ]


def dead_letter_message(dead: DeadLetter) -> KafkaSinkMessage[bytes | None, bytes | None]:
    """The dead-letter record for `dead`; counts and logs it."""
    DEAD_LETTERS.labels(topic=dead.topic, reason=dead.kind).inc()
    log.warning("dead-lettered %s[%d]@%d: %s", dead.topic, dead.partition, dead.offset, dead.reason)
    return KafkaSinkMessage(key=dead.key, value=dead.value, headers=dead.headers())
