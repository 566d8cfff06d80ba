"""`/v1/members` with member tokens through the real app and chDB: recorded on first use, removed by admins."""

from __future__ import annotations

import time
from typing import Any

import pytest

from evwatch.domain.roles import ADMIN, MEMBER
from tests.plugins.services import create_tenant
from tests.support.tokens import member_token

pytestmark = [pytest.mark.kafka, pytest.mark.triton, pytest.mark.clickhouse]


def test_members_are_recorded_on_first_use_and_listed_for_everyone(api: Any, runtime: Any) -> None:
    tenant = create_tenant(runtime, ADMIN)
    ada, ada_auth = member_token(runtime, tenant.tenant_id, ADMIN)
    bo, bo_auth = member_token(runtime, tenant.tenant_id, MEMBER)
    assert api.get("/v1/members", headers=tenant.headers).json() == {"members": []}
    assert api.get("/v1/sessions", headers=ada_auth).status_code == 200  # first use
    listed = api.get("/v1/members", headers=bo_auth)  # a member may list; bo is recorded by this call
    assert listed.status_code == 200, listed.text
    members = {m["userId"]: m for m in listed.json()["members"]}
    assert set(members) == {ada, bo}
    assert members[ada]["role"] == ADMIN and members[ada]["status"] == "active"
    assert members[ada]["email"] == f"{ada}@example.com" and members[ada]["joinedAt"]
    # a member may not remove anyone, whatever the body or path
    assert api.delete(f"/v1/members/{ada}", headers=bo_auth).status_code == 403


def test_removal_refuses_the_members_tokens_and_never_takes_the_last_admin(api: Any, runtime: Any) -> None:
    tenant = create_tenant(runtime, ADMIN)
    ada, ada_auth = member_token(runtime, tenant.tenant_id, ADMIN)
    bo, bo_auth = member_token(runtime, tenant.tenant_id, MEMBER)
    for auth in (ada_auth, bo_auth):
        assert api.get("/v1/sessions", headers=auth).status_code == 200
    last = api.delete(f"/v1/members/{ada}", headers=tenant.headers)
    assert last.status_code == 409 and last.json()["code"] == "conflict"

    removed = api.delete(f"/v1/members/{bo}", headers=ada_auth)
    assert removed.status_code == 200 and removed.content == b""
    assert api.delete(f"/v1/members/{bo}", headers=ada_auth).status_code == 200  # idempotent
    time.sleep(1.1)  # other workers' caches hold a lookup for at most a second
    assert api.get("/v1/sessions", headers=bo_auth).status_code == 401
    _, fresh = member_token(runtime, tenant.tenant_id, MEMBER, user=bo)
    assert api.get("/v1/sessions", headers=fresh).status_code == 401  # a new token of a removed member too
    assert [m["userId"] for m in api.get("/v1/members", headers=ada_auth).json()["members"]] == [ada]
    assert api.delete("/v1/members/nobody", headers=ada_auth).status_code == 404


def test_a_token_for_a_tenant_that_does_not_exist_is_refused(api: Any, runtime: Any) -> None:
    _, auth = member_token(runtime, "no-such-tenant", ADMIN)
    assert api.get("/v1/sessions", headers=auth).status_code == 401


def test_a_used_key_shows_when_it_was_last_used(api: Any, runtime: Any) -> None:
    tenant = create_tenant(runtime, ADMIN)
    created = api.post("/v1/api-keys", json={"name": "dashboards"}, headers=tenant.headers).json()
    listed = api.get("/v1/api-keys", headers=tenant.headers).json()["items"]
    assert next(k for k in listed if k["id"] == created["id"])["lastUsedAt"] is None
    assert api.get("/v1/sessions", headers={"Authorization": f"Bearer {created['key']}"}).status_code == 200
    runtime.key_usage.flush()  # what the background thread does once a minute
    listed = api.get("/v1/api-keys", headers=tenant.headers).json()["items"]
    used = next(k for k in listed if k["id"] == created["id"])
    assert used["lastUsedAt"] is not None and used["lastUsedAt"] >= created["createdAt"]
