"""Two tenants with sessions, analysed and triaged, shared by the SQL endpoint's tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.plugins.services import Tenant, create_tenant
from tests.support.kafka import wait_for
from tests.support.sessions import register_drop_body, session_body


@pytest.fixture(scope="package")
def seeded(api: Any, runtime: Any) -> Iterator[tuple[Tenant, Tenant, list[str]]]:
    """Two tenants; the first with three sessions (one a billing incident) analysed and triaged."""
    first, second = create_tenant(runtime), create_tenant(runtime)
    station = f"CP-{uuid.uuid4().hex[:6]}"
    ids = [f"sql-{uuid.uuid4().hex[:8]}" for _ in range(3)]
    for i, session_id in enumerate(ids):
        body = register_drop_body(session_id, station) if i == 0 else session_body(session_id, station, n=6 + i)
        assert api.post("/v1/sessions", json=body, headers=first.headers).status_code == 200
    other = f"sql-other-{uuid.uuid4().hex[:6]}"
    assert api.post("/v1/sessions", json=register_drop_body(other, station), headers=second.headers).status_code == 200

    def triaged() -> bool:
        for tenant, session_id in ((first, ids[0]), (second, other)):
            found = api.get("/v1/anomalies", params={"chargingSessionId": session_id}, headers=tenant.headers)
            if not found.json()["content"]:
                return False
        return True

    wait_for(triaged, timeout_s=60)
    yield first, second, ids
