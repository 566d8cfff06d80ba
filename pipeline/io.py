"""The dataflow's Kafka sources and sinks, from settings."""

from __future__ import annotations

import threading
from typing import Any

from bytewax.connectors.kafka import KafkaSink, KafkaSource
from confluent_kafka import OFFSET_BEGINNING

from evwatch.config import KafkaSettings
from evwatch.kafka import SINK_CONFIG, log_client_error
from pipeline.flow import FlowIO
from pipeline.kafka_source import StoppableKafkaSource


def kafka_io(kafka: KafkaSettings, batch_size: int, stop: threading.Event) -> FlowIO:
    """Read the meter-values and station-status topics from the beginning (offsets live in recovery)."""
    brokers = [kafka.bootstrap_servers]
    config: dict[str, Any] = {**kafka.client_config, "error_cb": log_client_error}

    def source(topic: str) -> StoppableKafkaSource:
        inner = KafkaSource(
            brokers,
            [topic],
            tail=True,
            starting_offset=OFFSET_BEGINNING,
            add_config=dict(config),
            batch_size=batch_size,
        )
        return StoppableKafkaSource(inner, stop)

    return FlowIO(
        meter_values=source(kafka.topics.meter_values),
        api_writes=source(kafka.topics.api_writes),
        station_status=source(kafka.topics.station_status),
        dead_letters=KafkaSink(brokers, kafka.topics.dead_letter, add_config={**config, **SINK_CONFIG}),
        events=KafkaSink(brokers, kafka.topics.events, add_config={**config, **SINK_CONFIG}),
    )
