"""`/v1/api-keys` through the real app and chDB: shown once, never listed, soft idempotent revoke, admins only."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

import pytest

from evwatch.domain.roles import ADMIN, MEMBER
from tests.plugins.services import create_tenant

pytestmark = [pytest.mark.kafka, pytest.mark.triton, pytest.mark.clickhouse]


def test_a_key_is_shown_once_listed_without_its_value_and_revoked_softly(api: Any, runtime: Any) -> None:
    admin = create_tenant(runtime, ADMIN)
    answer = api.post("/v1/api-keys", json={"name": "backend", "description": "OCPP backend"}, headers=admin.headers)
    assert answer.status_code == 200, answer.text
    created = answer.json()
    assert set(created) == {"id", "name", "key", "tenantId", "expiresAt", "createdAt"}
    assert created["tenantId"] == admin.tenant_id and created["key"].startswith("evw_")
    lifetime = datetime.fromisoformat(created["expiresAt"]) - datetime.fromisoformat(created["createdAt"])
    assert lifetime == timedelta(days=runtime.settings.api.key_lifetime_days)
    new = {"Authorization": f"Bearer {created['key']}"}
    assert api.get("/v1/sessions", headers=new).status_code == 200

    listed = api.get("/v1/api-keys", headers=admin.headers).json()["items"]
    mine = next(k for k in listed if k["id"] == created["id"])
    assert mine["name"] == "backend" and mine["revokedAt"] is None and created["key"] not in str(listed)

    first = api.delete(f"/v1/api-keys/{created['id']}", headers=admin.headers)
    assert first.status_code == 200 and first.content == b""
    revoked_at = next(
        k for k in api.get("/v1/api-keys", headers=admin.headers).json()["items"] if k["id"] == created["id"]
    )["revokedAt"]
    assert revoked_at is not None
    again = api.delete(f"/v1/api-keys/{created['id']}", headers=admin.headers)
    assert again.status_code == 200  # idempotent, and the first revokedAt stays
    listed_again = api.get("/v1/api-keys", headers=admin.headers).json()["items"]
    assert next(k for k in listed_again if k["id"] == created["id"])["revokedAt"] == revoked_at
    time.sleep(1.1)  # the key cache holds an answer for at most a second
    assert api.get("/v1/sessions", headers=new).status_code == 401


def test_keys_are_the_tenants_own_and_admin_only(api: Any, runtime: Any) -> None:
    a, b, member = create_tenant(runtime, ADMIN), create_tenant(runtime, ADMIN), create_tenant(runtime, MEMBER)
    created = api.post("/v1/api-keys", json={"name": "a"}, headers=a.headers).json()
    assert api.delete(f"/v1/api-keys/{created['id']}", headers=b.headers).status_code == 404
    assert all(k["tenantId"] == b.tenant_id for k in api.get("/v1/api-keys", headers=b.headers).json()["items"])
    for answer in (
        api.get("/v1/api-keys", headers=member.headers),
        api.post("/v1/api-keys", json={"name": "m"}, headers=member.headers),
        api.delete(f"/v1/api-keys/{created['id']}", headers=member.headers),
    ):
        assert answer.status_code == 403
    assert api.post("/v1/api-keys", json={"name": ""}, headers=a.headers).status_code == 422
