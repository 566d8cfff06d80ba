"""Tests declare the real services they use; an unmarked test that opens a connection fails.

After Snuba's `block_clickhouse_db`: every test gets an autouse guard. For each service the test
is not marked with (`@pytest.mark.kafka`, `triton`, `clickhouse`), the functions that open a
connection to it are replaced, wherever a module holds a reference to them, by one that records
the attempt and raises. The guard also refuses the fixtures that hand out such connections.

Threads named `evwatch-*` are exempt: they belong to the shared runtime that marked tests started
(the dataflow keeps running between tests and may open a Triton channel at any time).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest

SERVICES = ("kafka", "triton", "clickhouse")

# Fixtures that hand out a service (or something that holds one open), and what they need.
FIXTURE_SERVICES: dict[str, frozenset[str]] = {
    "kafka_broker": frozenset({"kafka"}),
    "kafka_topic_factory": frozenset({"kafka"}),
    "tritonserver": frozenset({"triton"}),
    "settings": frozenset({"kafka", "triton"}),
    "runtime": frozenset(SERVICES),
    "api": frozenset(SERVICES),
    "new_tenant": frozenset(SERVICES),
    "tenant": frozenset(SERVICES),
}


def _entry_points() -> dict[str, list[tuple[Any, str]]]:
    """(owner, attribute) of every callable that opens a connection, per service."""
    import chdb
    import clickhouse_connect
    import clickhouse_connect.driver
    import confluent_kafka
    import confluent_kafka.admin
    import tritonclient.grpc
    import tritonclient.http

    from devstack.kafka_broker import KafkaBroker
    from devstack.tritonserver import TritonServer

    return {
        "clickhouse": [
            (clickhouse_connect.driver, "create_client"),
            (clickhouse_connect.driver, "_create_chdb_client"),
            (chdb, "connect"),
            (chdb, "query"),
        ],
        "kafka": [
            (confluent_kafka, "Producer"),
            (confluent_kafka, "Consumer"),
            (confluent_kafka.admin, "AdminClient"),
            (KafkaBroker, "start"),
        ],
        "triton": [
            (tritonclient.grpc, "InferenceServerClient"),
            (tritonclient.http, "InferenceServerClient"),
            (TritonServer, "start"),
        ],
    }


class _References:
    """Where each guarded callable is referenced: its home, and every module that imported it by name."""

    def __init__(self) -> None:
        self.targets = {
            service: [(owner, name, getattr(owner, name)) for owner, name in points]
            for service, points in _entry_points().items()
        }
        self._modules_seen = 0
        self._aliases: dict[str, list[tuple[ModuleType, str, Any]]] = {s: [] for s in SERVICES}

    def sites(self, service: str) -> list[tuple[Any, str, Any]]:
        """(owner, attribute, original) pairs to patch for `service`."""
        if len(sys.modules) != self._modules_seen:
            self._rescan()
        homes = [(owner, name, original) for owner, name, original in self.targets[service]]
        return homes + self._aliases[service]

    def _rescan(self) -> None:
        originals = {id(original): service for service, items in self.targets.items() for _, _, original in items}
        found: dict[str, list[tuple[ModuleType, str, Any]]] = {s: [] for s in SERVICES}
        for module in list(sys.modules.values()):
            for name, value in list(getattr(module, "__dict__", {}).items()):
                service = originals.get(id(value))
                if service is not None:
                    found[service].append((module, name, value))
        self._aliases = found
        self._modules_seen = len(sys.modules)


_REFS: _References | None = None
_VIOLATIONS = pytest.StashKey[list[str]]()


def _blocked(service: str, what: str, original: Any, violations: list[str]) -> Callable[..., Any]:
    def guard(*args: Any, **kwargs: Any) -> Any:
        if threading.current_thread().name.startswith("evwatch-"):
            return original(*args, **kwargs)
        message = f"touched {service} ({what}) in a test without @pytest.mark.{service}"
        violations.append(message)
        raise RuntimeError(message)

    return guard


def pytest_configure(config: pytest.Config) -> None:
    """The service markers."""
    for service in SERVICES:
        config.addinivalue_line("markers", f"{service}: the test uses the real {service} (unmarked tests cannot)")


def _allowed(item: pytest.Item) -> set[str]:
    return {s for s in SERVICES if item.get_closest_marker(s) is not None}


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Refuse a service fixture before it starts (session fixtures set up before function ones)."""
    allowed = _allowed(item)
    for fixture in getattr(item, "fixturenames", ()):
        missing = FIXTURE_SERVICES.get(fixture, frozenset()) - allowed
        if missing:
            marks = " ".join(f"@pytest.mark.{s}" for s in sorted(missing))
            pytest.fail(f"fixture `{fixture}` needs {', '.join(sorted(missing))}: mark the test {marks}")


@pytest.fixture(autouse=True)
def _service_guard(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    global _REFS
    allowed = _allowed(request.node)
    if _REFS is None:
        _REFS = _References()
    violations = request.node.stash.setdefault(_VIOLATIONS, [])
    for service in SERVICES:
        if service in allowed:
            continue
        for owner, name, original in _REFS.sites(service):
            label = f"{getattr(owner, '__name__', owner)}.{name}"
            monkeypatch.setattr(owner, name, _blocked(service, label, original, violations))
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A connection attempt fails the test even when the code under test swallowed the error."""
    outcome = yield
    report = outcome.get_result()
    violations = item.stash.get(_VIOLATIONS, [])
    if call.when == "call" and report.passed and violations:
        report.outcome = "failed"
        report.longrepr = "; ".join(sorted(set(violations)))
