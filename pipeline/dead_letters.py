"""Dead letters: a refused message's exact bytes plus why and where it was refused, counted per reason.

Every step that refuses a message builds a `DeadLetter` from the message's `Source`;
`dead_letter_message` is the one place that turns it into the record on `evwatch.dead-letter`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bytewax.connectors.kafka import KafkaSinkMessage, KafkaSourceMessage
from prometheus_client import Counter

from evwatch.clock import utc_now

log = logging.getLogger("evwatch.pipeline")

DEAD_LETTERS = Counter(
    "evwatch_dead_letter_total", "Messages sent to the dead-letter topic", ["topic", "reason", "step"]
)

# Reason classes (the `evwatch-error-kind` header).
MALFORMED = "malformed_json"
INVALID = "validation_error"
UNKNOWN_TENANT = "unknown_tenant"
PROCESSING = "processing_error"

_MAX_REASON = 2_000


@dataclass(frozen=True, slots=True)
class Source:
    """Where a message came from, and its exact bytes."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None

    @classmethod
    def of(cls, message: KafkaSourceMessage[bytes | None, bytes | None]) -> Source:
        """The source of a consumed Kafka message."""
        return cls(message.topic or "", message.partition or 0, message.offset or 0, message.key, message.value)

    @property
    def ref(self) -> str:
        """Stable across replays: makes the rows written from this message idempotent."""
        return f"kafka:{self.topic}:{self.partition}:{self.offset}"

    def refused(self, step: str, kind: str, reason: str) -> DeadLetter:
        """This message as a dead letter (the reason cut to what a Kafka header should carry)."""
        return DeadLetter(self, step, kind, reason if len(reason) <= _MAX_REASON else reason[:_MAX_REASON] + "...")


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A refused message: where it came from, which step refused it, why, and its exact bytes."""

    source: Source
    step: str
    kind: str
    reason: str

    def headers(self) -> list[tuple[str, bytes]]:
        """Kafka headers carried by the dead-letter message."""
        return [
            ("evwatch-reason", self.reason.encode()),
            ("evwatch-error-kind", self.kind.encode()),
            ("evwatch-step", self.step.encode()),
            ("evwatch-source-topic", self.source.topic.encode()),
            ("evwatch-source-partition", str(self.source.partition).encode()),
            ("evwatch-source-offset", str(self.source.offset).encode()),
            ("evwatch-failed-at", utc_now().isoformat().encode()),
        ]


def dead_letter_message(dead: DeadLetter) -> KafkaSinkMessage[bytes | None, bytes | None]:
    """The dead-letter record for `dead`; counts and logs it."""
    DEAD_LETTERS.labels(topic=dead.source.topic, reason=dead.kind, step=dead.step).inc()
    log.warning(
        "dead-lettered %s[%d]@%d at %s: %s",
        dead.source.topic,
        dead.source.partition,
        dead.source.offset,
        dead.step,
        dead.reason,
    )
    return KafkaSinkMessage(key=dead.source.key, value=dead.source.value, headers=dead.headers())
