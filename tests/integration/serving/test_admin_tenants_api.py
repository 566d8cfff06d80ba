"""`/v1/admin/tenants` through the real app and chDB: super_admin only, a working admin key, isolation."""

from __future__ import annotations

from typing import Any

import pytest

from evwatch.domain.roles import ADMIN, MEMBER, SUPER_ADMIN
from tests.plugins.services import create_tenant
from tests.support.kafka import produce, wait_for
from tests.support.sessions import readings, session_body

pytestmark = [pytest.mark.kafka, pytest.mark.triton, pytest.mark.clickhouse]


def _headers(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_a_super_admin_creates_a_tenant_whose_admin_key_works_and_sees_only_its_own_data(
    api: Any, runtime: Any
) -> None:
    operator = create_tenant(runtime, SUPER_ADMIN)
    answer = api.post("/v1/admin/tenants", json={"name": "Acme Charging"}, headers=operator.headers)
    assert answer.status_code == 201, answer.text
    created = answer.json()
    assert set(created) == {"tenantId", "name", "apiKey", "createdAt"}
    assert created["name"] == "Acme Charging" and created["tenantId"].startswith("acme-charging-")
    assert created["apiKey"].startswith("evw_")
    acme = _headers(created["apiKey"])

    # the new key is the tenant's admin: it writes and reads its own sessions...
    assert api.post("/v1/sessions", json=session_body("acme-1"), headers=acme).status_code == 200
    assert api.get("/v1/sessions/acme-1", headers=acme).status_code == 200
    # ...but cannot make tenants, and another tenant never sees its rows
    assert api.post("/v1/admin/tenants", json={"name": "x"}, headers=acme).status_code == 403
    other = create_tenant(runtime, ADMIN)
    assert api.get("/v1/sessions/acme-1", headers=other.headers).status_code == 404
    assert all(s["sessionId"] != "acme-1" for s in api.get("/v1/sessions", headers=other.headers).json()["content"])

    listed = api.get("/v1/admin/tenants", params={"pageSize": 500}, headers=operator.headers).json()
    assert created["tenantId"] in {t["tenantId"] for t in listed["content"]}
    assert listed["pagination"]["totalCount"] >= 2 and "apiKey" not in listed["content"][0]


@pytest.mark.parametrize("role", [MEMBER, ADMIN])
def test_only_a_super_admin_may_create_or_list_tenants(api: Any, runtime: Any, role: str) -> None:
    caller = create_tenant(runtime, role)
    for answer in (
        api.post("/v1/admin/tenants", json={"name": "Nope"}, headers=caller.headers),
        api.get("/v1/admin/tenants", headers=caller.headers),
    ):
        assert answer.status_code == 403, answer.text
        assert answer.json()["status"] == 403


def test_a_bad_tenant_body_is_a_422_naming_the_field(api: Any, runtime: Any) -> None:
    operator = create_tenant(runtime, SUPER_ADMIN)
    answer = api.post("/v1/admin/tenants", json={"name": ""}, headers=operator.headers)
    assert answer.status_code == 422 and "name" in answer.text


def test_a_kafka_message_naming_a_new_tenant_is_accepted_at_once(api: Any, runtime: Any) -> None:
    operator = create_tenant(runtime, SUPER_ADMIN)
    created = api.post("/v1/admin/tenants", json={"name": "Fresh Fleet"}, headers=operator.headers).json()
    kafka = runtime.settings.kafka
    message = {
        "tenantId": created["tenantId"],
        "sessionId": "fresh-1",
        "chargingStationId": "CP-FRESH",
        "connectorId": "1",
        "meterValues": readings(4),
    }
    produce(kafka.bootstrap_servers, kafka.topics.meter_values, [message])
    stored = wait_for(
        lambda: api.get("/v1/sessions/fresh-1", headers=_headers(created["apiKey"])).status_code == 200 or None
    )
    assert stored is True
