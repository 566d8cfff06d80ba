"""The flow's edge: meter-values messages decoded, checked against the bounds and the tenant list.

Two topics carry them. `evwatch.meter-values` is public: charging backends produce there, and only
their kind of message (`BackendReadings`) is accepted. `evwatch.api-writes` is internal: only the
API produces there (`ApiSessionWrite`), so fields the API uses cannot be forged from outside.
Both subjects read the result: sessions store and analyse the readings, stations fold them into
per-minute energy.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from evwatch.clock import Clock
from evwatch.contracts.decoding import decode
from evwatch.contracts.meter_values import (
    ApiSessionWrite,
    BackendReadings,
    MeterValuesMessage,
    readings_from_wire,
    validated_readings,
)
from evwatch.domain.bounds import Bounds
from evwatch.domain.errors import InvalidInput, MalformedInput
from evwatch.domain.readings import StoredReading
from evwatch.domain.sessions import check_session_id
from evwatch.failures import until_available
from pipeline.dead_letters import INVALID, MALFORMED, PROCESSING, UNKNOWN_TENANT, DeadLetter, Source
from pipeline.tenants import KnownTenants

T = TypeVar("T")

PARSE_STEP = "parse"
TENANT_STEP = "check_tenants"


@dataclass(frozen=True)
class Edge:
    """What the edge steps need: the bounds, the clock, and which tenants exist."""

    bounds: Bounds
    clock: Clock
    tenants: KnownTenants
    stop: threading.Event

    def now(self) -> datetime:
        """The edge's clock as a UTC datetime."""
        return datetime.fromtimestamp(self.clock(), UTC)


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """A validated message, its normalised readings, and where it came from."""

    message: MeterValuesMessage
    readings: list[StoredReading]
    source: Source


def _parse(source: Source, edge: Edge, internal: bool) -> IncomingMessage | DeadLetter:
    if not source.value:
        return source.refused(PARSE_STEP, MALFORMED, "empty message value")
    try:
        message: MeterValuesMessage = (
            decode(source.value, ApiSessionWrite) if internal else decode(source.value, BackendReadings)
        )
        check_session_id(message.session_id)
        # The API checked its own writes against the same bounds before it stored them.
        readings = (
            readings_from_wire(message.meter_values or [], edge.bounds, edge.now())
            if internal
            else validated_readings(message, edge.bounds, edge.now())
        )
    except MalformedInput as exc:
        return source.refused(PARSE_STEP, MALFORMED, str(exc))
    except InvalidInput as exc:
        return source.refused(PARSE_STEP, INVALID, _public_reason(exc, internal))
    except Exception as exc:  # anything else about this message must not stop the flow
        return source.refused(PARSE_STEP, PROCESSING, f"{type(exc).__name__}: {exc}")
    return IncomingMessage(message, readings, source)


def _public_reason(exc: InvalidInput, internal: bool) -> str:
    if not internal and any(p.field == "kind" for p in exc.problems):
        return "kind: only `readings` is accepted here; API writes come from evwatch's internal topic"
    return str(exc)


def parse_public(edge: Edge, messages: Sequence[Source]) -> list[IncomingMessage | DeadLetter]:
    """A batch from the public topic."""
    return [_parse(m, edge, internal=False) for m in messages]


def parse_internal(edge: Edge, messages: Sequence[Source]) -> list[IncomingMessage | DeadLetter]:
    """A batch from the API's internal topic."""
    return [_parse(m, edge, internal=True) for m in messages]


def known_tenants_only(
    edge: Edge, tenant_of: Callable[[T], str], source_of: Callable[[T], Source]
) -> Callable[[list[T | DeadLetter]], list[T | DeadLetter]]:
    """A batch step: items of tenants that do not exist become dead letters."""

    def check(batch: list[T | DeadLetter]) -> list[T | DeadLetter]:
        tenants = {tenant_of(item) for item in batch if not isinstance(item, DeadLetter)}
        known = until_available(lambda: edge.tenants.known(tenants), edge.stop, TENANT_STEP) if tenants else set()
        return [
            item
            if isinstance(item, DeadLetter) or tenant_of(item) in known
            else source_of(item).refused(TENANT_STEP, UNKNOWN_TENANT, f"tenantId: no tenant {tenant_of(item)!r}")
            for item in batch
        ]

    return check
