"""Dead-letter records: the original bytes plus why they were refused, and a counter per reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from prometheus_client import Counter

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
            ("evwatch-failed-at", datetime.now(UTC).isoformat().encode()),
        ]
