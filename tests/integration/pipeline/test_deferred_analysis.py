"""When the API cannot reach Triton it still stores the readings (200, analysis pending) and the
pipeline completes the analysis: nothing accepted is lost."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
import pytest

from evwatch.contracts.decoding import decode
from evwatch.contracts.meter_values import CreateSessionRequest
from evwatch.inference.triton import TritonModel
from evwatch.services.ports import free_port
from evwatch.session_service import SessionService
from models.csar2.io import MAX_BATCH_SIZE, OUTPUTS
from models.csar2.schema import MODEL_NAME
from tests.support.kafka import wait_for
from tests.support.sessions import session_body

pytestmark = pytest.mark.integration


def test_analysis_deferred_by_an_unreachable_triton_is_completed_by_the_pipeline(
    runtime: Any, api: Any, tenant: Any
) -> None:
    dead_triton = TritonModel(f"127.0.0.1:{free_port()}", MODEL_NAME, list(OUTPUTS), MAX_BATCH_SIZE, 2.0)
    service = SessionService(runtime.client, dead_triton, runtime.publisher)
    session_id = f"deferred-{uuid.uuid4().hex[:8]}"
    body = decode(msgspec.json.encode(session_body(session_id)), CreateSessionRequest)

    view = service.create(tenant.tenant_id, body)
    assert view.analysis is None and view.message is not None and "pending" in view.message

    def analysed() -> dict[str, Any] | None:
        resp = api.get(f"/v1/sessions/{session_id}", headers=tenant.headers).json()
        return resp if "analyzedAt" in resp else None

    assert 0.0 <= wait_for(analysed)["anomalyScore"] <= 1.0
