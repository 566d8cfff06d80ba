"""Through Kafka: an incident streamed by a charging backend becomes an issue that people label."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.plugins.services import create_tenant
from tests.support.kafka import produce, wait_for
from tests.support.sessions import register_drop_body

pytestmark = [pytest.mark.kafka, pytest.mark.triton, pytest.mark.clickhouse]


def test_a_streamed_incident_goes_from_issue_to_label(api: Any, runtime: Any) -> None:
    tenant = create_tenant(runtime)
    session_id, station = f"k-drop-{uuid.uuid4().hex[:6]}", f"CP-{uuid.uuid4().hex[:6]}"
    body = register_drop_body(session_id, station)
    message = {
        "tenantId": tenant.tenant_id,
        **{k: body[k] for k in ("sessionId", "chargingStationId", "connectorId", "meterValues", "metadata")},
    }
    kafka = runtime.settings.kafka
    produce(kafka.bootstrap_servers, kafka.topics.meter_values, [message])

    def issue() -> dict[str, Any] | None:
        found = api.get("/v1/anomalies", params={"chargingSessionId": session_id}, headers=tenant.headers).json()
        return found["content"][0]["issues"][0] if found["content"] and found["content"][0]["issues"] else None

    opened = wait_for(issue, timeout_s=90)
    assert opened["statusName"] == "OPEN"
    path = f"/v1/anomalies/issues/{opened['id']}"
    assert (
        api.patch(path, json={"status": "IN_PROGRESS", "assignedTo": "field-team"}, headers=tenant.headers).status_code
        == 200
    )
    closed = api.patch(path, json={"status": "FALSE_POSITIVE"}, headers=tenant.headers)
    assert closed.json() == {"id": opened["id"], "statusName": "FALSE_POSITIVE", "assignedTo": "field-team"}
    labels = runtime.client.query(
        "SELECT session_id, category, label, issue_id, period_start <= period_end FROM triage_labels FINAL "
        "WHERE tenant_id = {t:String}",
        parameters={"t": tenant.tenant_id},
    ).result_rows
    assert labels == [(session_id, "KWH_DECREASE", "FALSE_POSITIVE", opened["id"], True)]
