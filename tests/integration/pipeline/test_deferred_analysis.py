"""When the API cannot reach Triton it still stores the write (200, analysis pending) and the sweeper
completes the analysis once Triton answers: nothing accepted is lost."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
import pytest

from devstack.ports import free_port
from evwatch.analysis import SessionAnalyser
from evwatch.config import TritonSettings
from evwatch.contracts.decoding import decode
from evwatch.contracts.meter_values import CreateSessionRequest
from evwatch.inference.models import csar2_model
from evwatch.storage.sessions import ClickHouseSessionStore
from serving.sessions.service import PENDING_MESSAGE, SessionService
from tests.support.kafka import wait_for
from tests.support.sessions import session_body

pytestmark = [pytest.mark.kafka, pytest.mark.triton, pytest.mark.clickhouse]


def test_analysis_deferred_by_an_unreachable_triton_is_completed_by_the_sweeper(
    runtime: Any, api: Any, tenant: Any
) -> None:
    dead_triton = csar2_model(TritonSettings(grpc_port=free_port(), request_timeout_s=2.0))
    store = ClickHouseSessionStore(runtime.client)
    service = SessionService(store, SessionAnalyser(store, dead_triton), runtime.settings.bounds)
    session_id = f"deferred-{uuid.uuid4().hex[:8]}"
    body = decode(msgspec.json.encode(session_body(session_id)), CreateSessionRequest)

    answer = service.create(tenant.tenant_id, body)
    assert answer.is_anomaly is None and answer.message == PENDING_MESSAGE

    def analysed() -> dict[str, Any] | None:
        resp = api.get(f"/v1/sessions/{session_id}", headers=tenant.headers).json()
        return resp if "analyzedAt" in resp else None

    assert 0.0 <= wait_for(analysed)["anomalyScore"] <= 1.0
