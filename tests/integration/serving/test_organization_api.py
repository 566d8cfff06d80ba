"""`/v1/organization` through the real app and chDB: replace semantics, admins only, and open signup."""

from __future__ import annotations

from typing import Any

import pytest

from evwatch.domain.roles import ADMIN, MEMBER
from evwatch.storage.clickhouse import scalar
from tests.plugins.services import create_tenant
from tests.support.tokens import member_token

pytestmark = [pytest.mark.kafka, pytest.mark.triton, pytest.mark.clickhouse]

FULL = {
    "name": "Acme Charging",
    "phone": "+49 30 1234",
    "address": "Berlin",
    "taxIdType": "eu_vat",
    "taxIdValue": "DE1",
}


def _provisioned(runtime: Any, table: str, tenant_id: str) -> int:
    return scalar(runtime.client, f"SELECT count() FROM {table} FINAL WHERE tenant_id = {{t:String}}", {"t": tenant_id})


def test_put_creates_then_replaces_and_clears_omitted_fields(api: Any, runtime: Any) -> None:
    tenant = create_tenant(runtime, ADMIN)
    assert api.get("/v1/organization", headers=tenant.headers).status_code == 404
    created = api.put("/v1/organization", json=FULL, headers=tenant.headers)
    assert created.status_code == 200, created.text
    body = created.json()
    assert body["tenantId"] == tenant.tenant_id and body["taxIdValue"] == "DE1" and body.get("updatedAt") is None
    assert _provisioned(runtime, "billing_accounts", tenant.tenant_id) == 1
    assert _provisioned(runtime, "subscriptions", tenant.tenant_id) == 1

    replaced = api.put("/v1/organization", json={"name": "Acme", "phone": None}, headers=tenant.headers).json()
    assert replaced["id"] == body["id"] and replaced["createdAt"] == body["createdAt"] and replaced["updatedAt"]
    assert replaced["name"] == "Acme"
    assert all(replaced.get(f) is None for f in ("phone", "address", "taxIdType", "taxIdValue"))
    assert api.get("/v1/organization", headers=tenant.headers).json() == replaced
    assert _provisioned(runtime, "billing_accounts", tenant.tenant_id) == 1  # provisioned once


def test_members_read_and_only_admins_write(api: Any, runtime: Any) -> None:
    tenant = create_tenant(runtime, ADMIN)
    api.put("/v1/organization", json=FULL, headers=tenant.headers)
    _, member = member_token(runtime, tenant.tenant_id, MEMBER)
    assert api.get("/v1/organization", headers=member).status_code == 200
    refused = api.put("/v1/organization", json={"name": "Mine now"}, headers=member)
    assert refused.status_code == 403 and refused.json()["status"] == 403
    invalid = api.put("/v1/organization", json={"name": ""}, headers=tenant.headers)
    assert invalid.status_code == 422


def test_open_signup_provisions_a_tenant_that_the_same_token_then_acts_in(api: Any, runtime: Any) -> None:
    user, signup = member_token(runtime, None, None)
    assert api.get("/v1/organization", headers=signup).status_code == 404
    no_tenant = api.get("/v1/sessions", headers=signup)
    assert no_tenant.status_code == 403 and "PUT /v1/organization" in no_tenant.json()["message"]

    created = api.put("/v1/organization", json={"name": "Volt Fleet"}, headers=signup)
    assert created.status_code == 200, created.text
    tenant_id = created.json()["tenantId"]
    assert tenant_id.startswith("volt-fleet-")
    for table in ("tenants", "billing_accounts", "subscriptions", "organizations"):
        assert _provisioned(runtime, table, tenant_id) == 1, table

    # the same token, unchanged, now acts in the new tenant as its admin
    assert api.get("/v1/organization", headers=signup).json()["tenantId"] == tenant_id
    members = api.get("/v1/members", headers=signup).json()["members"]
    assert [(m["userId"], m["role"]) for m in members] == [(user, ADMIN)]
    assert api.get("/v1/sessions", headers=signup).json()["content"] == []
    key = api.post("/v1/api-keys", json={"name": "backend"}, headers=signup).json()
    assert key["tenantId"] == tenant_id
    # a second PUT updates, it does not make another tenant
    again = api.put("/v1/organization", json={"name": "Volt Fleet GmbH"}, headers=signup).json()
    assert again["tenantId"] == tenant_id and again["name"] == "Volt Fleet GmbH"
