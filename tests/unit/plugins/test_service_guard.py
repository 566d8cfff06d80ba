"""The service guard: unmarked tests cannot open Kafka, Triton or ClickHouse connections."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

INNER = """
import clickhouse_connect
import pytest
import tritonclient.grpc
from confluent_kafka import Producer

from evwatch.kafka import admin_client


def test_unmarked_clickhouse():
    clickhouse_connect.get_client(dsn="chdb://memory")


def test_unmarked_kafka_through_evwatch():
    admin_client("127.0.0.1:1")


def test_unmarked_kafka_name_imported_before_the_guard():
    Producer({"bootstrap.servers": "127.0.0.1:1"})


def test_unmarked_triton():
    tritonclient.grpc.InferenceServerClient("127.0.0.1:1")


def test_unmarked_service_fixture(kafka_broker):
    pass


def test_an_error_swallowed_by_the_code_still_fails_the_test():
    try:
        Producer({"bootstrap.servers": "127.0.0.1:1"})
    except RuntimeError:
        pass


@pytest.mark.kafka
def test_marked_kafka():
    Producer({"bootstrap.servers": "127.0.0.1:1"})


def test_pure_logic():
    assert 1 + 1 == 2
"""


def test_unmarked_tests_that_touch_a_service_fail_and_marked_ones_pass(pytester: pytest.Pytester) -> None:
    pytester.makeconftest('pytest_plugins = ["tests.plugins.services", "tests.plugins.service_guard"]')
    pytester.makepyfile(test_inner=INNER)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning")
    result.assert_outcomes(passed=2, failed=5, errors=1)
    out = result.stdout.str()
    assert "touched clickhouse" in out and "touched triton" in out and "touched kafka" in out
    assert "fixture `kafka_broker` needs kafka" in out
