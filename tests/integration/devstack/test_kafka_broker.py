"""Real single-node Kafka broker: round trip, configured topics, restart durability, clean stop."""

from __future__ import annotations

import os
import signal
import socket
import uuid
from pathlib import Path

import pytest
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient

from devstack.kafka_broker import KafkaBroker, KafkaBrokerError
from evwatch.config import Topics
from evwatch.kafka import is_reachable
from tests.plugins.services import kafka_settings_on_free_ports, process_group_members

pytestmark = pytest.mark.kafka


def _produce(bootstrap: str, topic: str, key: bytes, value: bytes) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    producer.produce(topic, key=key, value=value)
    assert producer.flush(15) == 0


def _consume_one(bootstrap: str, topic: str, timeout_s: float = 30.0) -> tuple[bytes | None, bytes | None]:
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"test-{uuid.uuid4().hex[:8]}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    try:
        consumer.subscribe([topic])
        remaining = timeout_s
        while remaining > 0:
            msg = consumer.poll(1.0)
            remaining -= 1.0
            if msg is None:
                continue
            assert msg.error() is None, msg.error()
            return msg.key(), msg.value()
    finally:
        consumer.close()
    pytest.fail(f"no message on {topic} within {timeout_s} s")


def test_round_trip(kafka_broker: KafkaBroker, kafka_topic_factory) -> None:  # type: ignore[no-untyped-def]
    topic = kafka_topic_factory(partitions=1)
    _produce(kafka_broker.bootstrap_servers, topic, b"station-1", b'{"kwh": 1.5}')
    assert _consume_one(kafka_broker.bootstrap_servers, topic) == (
        b"station-1",
        b'{"kwh": 1.5}',
    )


def test_configured_topics_exist(kafka_broker: KafkaBroker) -> None:
    assert is_reachable(kafka_broker.bootstrap_servers)
    meta = AdminClient({"bootstrap.servers": kafka_broker.bootstrap_servers}).list_topics(timeout=10)
    for name in Topics().all():
        assert name in meta.topics
        assert len(meta.topics[name].partitions) == kafka_broker.settings.partitions


def test_restart_keeps_data_and_stop_leaves_no_process(tmp_path: Path) -> None:
    broker = KafkaBroker(kafka_settings_on_free_ports(partitions=1), tmp_path / "kafka")
    topic = broker.settings.topics.meter_values
    with broker:
        pid = broker.pid
        assert pid is not None
        _produce(broker.bootstrap_servers, topic, b"k", b"survives-restart")
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert process_group_members(pid) == []
    cluster_id = (tmp_path / "kafka" / "cluster.id").read_text()

    with broker:
        assert _consume_one(broker.bootstrap_servers, topic) == (
            b"k",
            b"survives-restart",
        )
        assert (tmp_path / "kafka" / "cluster.id").read_text() == cluster_id
        pid = broker.pid
        assert pid is not None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not is_reachable(broker.bootstrap_servers, timeout_s=1.0)


def test_port_in_use_is_reported(tmp_path: Path) -> None:
    settings = kafka_settings_on_free_ports()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", settings.port))
        sock.listen()
        with pytest.raises(KafkaBrokerError, match=f"port 127.0.0.1:{settings.port} is already in use"):
            KafkaBroker(settings, tmp_path / "kafka").start()


def test_recovers_after_crash_with_stale_pid_file(tmp_path: Path) -> None:
    settings = kafka_settings_on_free_ports(partitions=1)
    data_dir = tmp_path / "kafka"
    crashed = KafkaBroker(settings, data_dir).start()
    _produce(crashed.bootstrap_servers, settings.topics.events, b"k", b"before-crash")
    pid = crashed.pid
    assert pid is not None
    # Simulate a crash: SIGKILL leaves broker.pid and Kafka's .lock behind.
    os.killpg(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    assert (data_dir / "broker.pid").exists()

    with KafkaBroker(settings, data_dir) as broker:
        assert _consume_one(broker.bootstrap_servers, settings.topics.events) == (
            b"k",
            b"before-crash",
        )
