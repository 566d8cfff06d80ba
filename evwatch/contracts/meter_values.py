"""Wire types for sessions and meter values, shared by the HTTP API and the Kafka topic."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

NonEmptyStr = Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]


class Camel(msgspec.Struct, rename="camel", kw_only=True, omit_defaults=True, frozen=True):
    """Base for every wire struct: camelCase names, keyword-only construction."""


class MeterValueIn(Camel, frozen=True, kw_only=True):
    """One reading as sent by a charging backend (OCPP-style)."""

    timestamp: AwareDatetime
    value: float
    measurand: str | None = None
    unit: str | None = None
    phase: str | None = None
    location: str | None = None
    reconstructed: bool | None = None


class CreateSessionRequest(Camel, frozen=True, kw_only=True):
    """Body of `POST /v1/sessions`; also one entry of a batch."""

    session_id: NonEmptyStr
    charging_station_id: NonEmptyStr
    connector_id: str | None = None
    evse_id: str | None = None
    meter_values: list[MeterValueIn] | None = None
    metadata: dict[str, Any] | None = None
    status: str | None = None


class ReplaceSessionRequest(Camel, frozen=True, kw_only=True):
    """Body of `PUT /v1/sessions/{session_id}`."""

    meter_values: list[MeterValueIn]
    metadata: dict[str, Any] | None = None
    status: str | None = None


class UpdateSessionRequest(Camel, frozen=True, kw_only=True):
    """Body of `PATCH /v1/sessions/{session_id}`."""

    meter_values: list[MeterValueIn] | None = None
    metadata: dict[str, Any] | None = None
    status: str | None = None


class MeterValuesMessage(CreateSessionRequest, frozen=True, kw_only=True):
    """A message on `evwatch.meter-values`: the Create Session body plus `tenantId`.

    `op` is set only by evwatch's own API when it republishes what it accepted
    (`create`, `replace`, `append`); charging backends leave it out and get append semantics.
    Such messages are already stored (and analysed, unless `analysisPending`).
    """

    tenant_id: NonEmptyStr
    op: str | None = None
    # Set by the API when it stored the readings but could not reach Triton: the pipeline analyses them.
    analysis_pending: bool | None = None
