"""Launchers for the local services evwatch needs: a single-node Kafka broker and a CPU tritonserver."""

from evwatch.services.kafka_broker import (
    KafkaBroker,
    KafkaBrokerError,
    ensure_topics,
    is_reachable,
)
from evwatch.services.ports import free_port
from evwatch.services.tritonserver import TritonServer, TritonServerError, wait_ready

__all__ = [
    "KafkaBroker",
    "KafkaBrokerError",
    "TritonServer",
    "TritonServerError",
    "ensure_topics",
    "free_port",
    "is_reachable",
    "wait_ready",
]
