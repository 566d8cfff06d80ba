from pathlib import Path

import pytest

from evwatch.config import load_settings


def test_defaults_are_the_embedded_stack() -> None:
    s = load_settings({})
    assert s.kafka.bootstrap_servers == "127.0.0.1:9092"
    assert s.api.port == 8000
    assert s.clickhouse_dsn.startswith("chdb://") and s.clickhouse_dsn.endswith("var/chdb")
    assert "evwatch.dead-letter" in s.kafka.topics.all()


def test_every_port_and_path_can_be_overridden() -> None:
    s = load_settings(
        {
            "EVWATCH_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:19092",
            "EVWATCH_API_PORT": "8100",
            "EVWATCH_TRITON_GRPC_PORT": "9001",
            "EVWATCH_VAR_DIR": "/tmp/x",
            "EVWATCH_CLICKHOUSE_DSN": "http://ch:8123",
            "EVWATCH_TRITON_START_LOCAL": "false",
        }
    )
    assert s.kafka.port == 19092 and s.api.port == 8100 and s.triton.grpc_url == "127.0.0.1:9001"
    assert s.var_dir == Path("/tmp/x") and s.clickhouse_dsn == "http://ch:8123" and not s.triton.start_local


def test_bad_boolean_is_named() -> None:
    with pytest.raises(ValueError, match="boolean"):
        load_settings({"EVWATCH_KAFKA_START_LOCAL": "maybe"})


def test_production_brokers_get_their_sasl_settings() -> None:
    s = load_settings(
        {
            "EVWATCH_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "EVWATCH_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
            "EVWATCH_KAFKA_SASL_USERNAME": "evwatch",
            "EVWATCH_KAFKA_SASL_PASSWORD": "secret",
        }
    )
    assert s.kafka.client_config == {
        "security.protocol": "SASL_SSL",
        "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.username": "evwatch",
        "sasl.password": "secret",
    }
    assert load_settings({}).kafka.client_config == {}


def test_bounds_are_configurable() -> None:
    s = load_settings({"EVWATCH_BOUNDS_EARLIEST": "2010-01-01T00:00:00+00:00", "EVWATCH_BOUNDS_FUTURE_S": "60"})
    assert s.bounds.earliest.year == 2010 and s.bounds.future.total_seconds() == 60
