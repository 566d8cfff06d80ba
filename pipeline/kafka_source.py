"""A Kafka source that stops on request and sleeps when idle.

Bytewax's KafkaSource never ends while tailing (bytewax #495) and polls with a 1 ms timeout,
which spins a core when the topic is quiet; this wrapper fixes both and keeps offsets in
Bytewax recovery by delegating `snapshot()`.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from bytewax.connectors.kafka import KafkaSource
from bytewax.inputs import FixedPartitionedSource, StatefulSourcePartition

_IDLE_WAIT = timedelta(milliseconds=50)


class _StoppablePartition(StatefulSourcePartition[Any, Any]):
    def __init__(self, inner: StatefulSourcePartition[Any, Any], stop: threading.Event) -> None:
        self._inner = inner
        self._stop = stop
        self._awake: datetime | None = None

    def next_batch(self) -> list[Any]:
        if self._stop.is_set():
            raise StopIteration
        batch = list(self._inner.next_batch())
        self._awake = None if batch else datetime.now(UTC) + _IDLE_WAIT
        return batch

    def next_awake(self) -> datetime | None:
        return self._awake

    def snapshot(self) -> Any:
        return self._inner.snapshot()

    def close(self) -> None:
        self._inner.close()


class StoppableKafkaSource(FixedPartitionedSource[Any, Any]):
    """Delegates to KafkaSource; every partition ends once `stop` is set."""

    def __init__(self, inner: KafkaSource, stop: threading.Event) -> None:
        self._inner = inner
        self._stop = stop

    def list_parts(self) -> list[str]:
        return self._inner.list_parts()

    def build_part(self, step_id: str, for_part: str, resume_state: Any) -> _StoppablePartition:
        return _StoppablePartition(self._inner.build_part(step_id, for_part, resume_state), self._stop)
