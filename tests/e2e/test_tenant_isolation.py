"""Tenant isolation through the public API: tenants A and B made with `POST /v1/admin/tenants`; B's
admin (by key and by member token), an operator (super_admin) of a third tenant, a signed-up user
without a tenant and a token forged for A call every operation on A's ids, and none of them sees or
changes anything of A's.

The operations come from the app's routes (`tests/support/operations.py`): an endpoint added without
a case there fails here instead of going unchecked.
"""

from __future__ import annotations

import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from evwatch.clock import utc_now
from evwatch.tokens import issue_token
from tests.plugins.services import create_tenant
from tests.support.kafka import wait_for
from tests.support.operations import CASES, Operation, call, request_text, uncovered, v1_operations
from tests.support.sessions import readings, register_drop_body, session_body
from tests.support.tokens import member_token

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.triton, pytest.mark.clickhouse]

# An operator's own operations list every tenant by design; everything else is confined to the caller's.
OPERATOR_ONLY = frozenset({"super_admin"})
# The fields of a session's detail that only its own tenant's writes may change.
SESSION_FIELDS = ("status", "createdAt", "meterValues")


@dataclass
class Probe:
    """A caller from outside A, and the station it creates sessions on (never one of A's)."""

    name: str
    headers: dict[str, str]
    station_id: str
    # a forged credential: every answer must be 401
    forged: bool = False
    # whether it can hold a session of its own under A's session id (its tenant has none yet)
    collides: bool = False


@dataclass
class TenantA:
    """The tenant under attack: its ids, and every value of it that must never reach another tenant."""

    tenant_id: str
    headers: dict[str, str]
    ids: dict[str, str]
    created_key: str
    member: dict[str, str]
    markers: dict[str, str] = field(default_factory=dict)


def _suffix() -> str:
    return uuid.uuid4().hex[:8]


def _tenant_via_api(api: Any, operator: Any, name: str) -> tuple[str, str]:
    answer = api.post("/v1/admin/tenants", json={"name": name}, headers=operator.headers)
    assert answer.status_code == 201, answer.text
    created = answer.json()
    return created["tenantId"], created["apiKey"]


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _set_up_a(api: Any, runtime: Any, operator: Any) -> TenantA:
    tenant_id, admin_key = _tenant_via_api(api, operator, f"Isolation A {_suffix()}")
    headers = _bearer(admin_key)
    session_id, station_id = f"iso-a-{_suffix()}", f"ST-ISO-A-{_suffix()}"
    body = session_body(session_id, station=station_id)
    # recent readings, so the station windows take them and the station gets energy as well as a row
    body["meterValues"] = readings(31, start=(datetime.now(UTC) - timedelta(hours=3)).replace(second=0, microsecond=0))
    made = api.post("/v1/sessions", json=body, headers=headers)
    assert made.status_code == 200, made.text
    # The station is made by the dataflow from the relayed write, not by the request itself.
    wait_for(lambda: api.get("/v1/stations/lookup", headers=headers).json() == {"items": [station_id]}, timeout_s=90)
    # an incident, so A has an anomaly and an issue (made by the triage worker)
    incident_id = f"iso-a-drop-{_suffix()}"
    assert (
        api.post("/v1/sessions", json=register_drop_body(incident_id, station_id), headers=headers).status_code == 200
    )

    def issue_of_a() -> str | None:
        found = api.get("/v1/anomalies", params={"chargingSessionId": incident_id}, headers=headers).json()["content"]
        return found[0]["issues"][0]["id"] if found and found[0]["issues"] else None

    issue_id = wait_for(issue_of_a, timeout_s=60)
    key = api.post("/v1/api-keys", json={"name": "a-backend"}, headers=headers)
    assert key.status_code == 200, key.text
    hook = api.post(
        "/v1/webhooks",
        json={"url": "http://127.0.0.1:9/a-receiver", "events": ["batch.completed"], "description": "A's hook"},
        headers=headers,
    )
    assert hook.status_code == 200, hook.text
    # a member of A, recorded by the first use of their token
    user_id, member = member_token(runtime, tenant_id, "member")
    assert api.get("/v1/sessions", headers=member).status_code == 200
    a = TenantA(
        tenant_id,
        headers,
        {
            "session_id": session_id,
            "charging_station_id": station_id,
            "key_id": key.json()["id"],
            "user_id": user_id,
            "incident_session_id": incident_id,
            "category_id": "kwh-decrease",
            "issue_id": issue_id,
            "webhook_id": hook.json()["id"],
        },
        key.json()["key"],
        member,
    )
    org = api.put("/v1/organization", json={"name": f"Organization of A {_suffix()}"}, headers=headers)
    assert org.status_code == 200, org.text
    a.markers |= {
        "A's organization name": org.json()["name"],
        "A's organization id": org.json()["id"],
        "A's tenant id": tenant_id,
        "A's admin key": admin_key,
        "A's second key": a.created_key,
        "A's member token": member["Authorization"].removeprefix("Bearer "),
        "A's member's email": f"{user_id}@example.com",
        "A's session id": session_id,
        "A's station id": station_id,
        "A's key id": a.ids["key_id"],
        "A's user id": a.ids["user_id"],
        "A's incident session id": incident_id,
        "A's issue id": issue_id,
        "A's webhook id": hook.json()["id"],
        "A's webhook secret": hook.json()["secret"],
        "A's webhook receiver": "http://127.0.0.1:9/a-receiver",
    }
    return a


def _leaks(a: TenantA, operation: Operation, ids: dict[str, str], answer: Any, probe: Probe) -> list[str]:
    """A's values in the answer that the caller did not send itself (a 404 may echo the id asked for)."""
    sent = request_text(operation, ids)
    allowed = {"A's tenant id"} if probe.name == "operator" and operation.policy == OPERATOR_ONLY else set()
    return [
        name for name, value in a.markers.items() if name not in allowed and value in answer.text and value not in sent
    ]


def _differs_from_a_missing_id(
    api: Any, operation: Operation, ids: dict[str, str], answer: Any, probe: Probe
) -> str | None:
    """How the answer for A's ids differs from the one for ids nobody has, if it does.

    A 404 that differed would tell B that A's id exists.
    """
    names = [CASES[operation.key].params.get(name, name) for name in operation.path_params]
    missing = dict(ids)
    for name in names:
        missing[name] = f"missing-{_suffix()}"
    control = call(api, operation, missing, probe.headers)
    text = control.text
    for name in names:
        text = text.replace(missing[name], ids[name])
    if (control.status_code, text) == (answer.status_code, answer.text):
        return None
    return (
        f"{operation} as {probe.name}: A's ids answer {answer.status_code} {answer.text[:300]}, "
        f"missing ids {control.status_code} {control.text[:300]}"
    )


def _listed(api: Any, headers: dict[str, str]) -> dict[str, str]:
    """Session id -> station id of the caller's sessions."""
    answer = api.get("/v1/sessions", params={"pageSize": 500}, headers=headers)
    assert answer.status_code == 200, answer.text
    return {s["sessionId"]: s["chargingStationId"] for s in answer.json()["content"]}


def _snapshot(api: Any, a: TenantA) -> dict[str, Any]:
    detail = api.get(f"/v1/sessions/{a.ids['session_id']}", headers=a.headers)
    assert detail.status_code == 200, detail.text
    keys = api.get("/v1/api-keys", headers=a.headers)
    assert keys.status_code == 200, keys.text
    state: dict[str, Any] = {
        "session": {name: detail.json().get(name) for name in SESSION_FIELDS},
        "listed": _listed(api, a.headers),
        "keys": sorted((k["id"], k["name"], k["revokedAt"]) for k in keys.json()["items"]),
        "stations": api.get("/v1/stations/lookup", headers=a.headers).json(),
    }
    org = api.get("/v1/organization", headers=a.headers)
    state["organization"] = (org.status_code, org.json())
    state["members"] = api.get("/v1/members", headers=a.headers).json()
    # B's PATCH must not have moved A's issue
    state["issue"] = api.get(f"/v1/anomalies/issues/{a.ids['issue_id']}", headers=a.headers).json()
    # B's PATCH, rotation or deletion must not have touched A's webhook
    hook = api.get(f"/v1/webhooks/{a.ids['webhook_id']}", headers=a.headers).json()
    state["webhook"] = {k: v for k, v in hook.items() if k != "recentDeliveries"}
    return state


def test_every_operation_has_an_isolation_case(api: Any) -> None:
    assert not uncovered(v1_operations(api.app)), "add these operations to CASES in tests/support/operations.py"


def test_another_tenant_reaches_nothing_of_a_through_any_operation(api: Any, runtime: Any) -> None:
    operator = create_tenant(runtime, "super_admin")
    a = _set_up_a(api, runtime, operator)
    before = _snapshot(api, a)
    b_tenant, b_key = _tenant_via_api(api, operator, f"Isolation B {_suffix()}")
    forged = issue_token(
        runtime.settings.auth,
        secrets.token_urlsafe(32),  # not the runtime's secret
        subject=f"mallory-{_suffix()}",
        email="mallory@example.com",
        tenant_id=a.tenant_id,
        role="super_admin",
        now=utc_now(),
        lifetime=timedelta(hours=1),
    )
    probes = [
        Probe("B's admin key", _bearer(b_key), f"ST-ISO-B-{_suffix()}", collides=True),
        Probe("B's admin token", member_token(runtime, b_tenant, "admin")[1], f"ST-ISO-BT-{_suffix()}"),
        Probe("operator", operator.headers, f"ST-ISO-OP-{_suffix()}", collides=True),
        # its PUT /v1/organization on the way gives it a tenant of its own, which changes nothing here
        Probe("signed-up user", member_token(runtime, None, None)[1], f"ST-ISO-SU-{_suffix()}"),
        Probe("token forged for A", _bearer(forged), f"ST-ISO-F-{_suffix()}", forged=True),
    ]

    problems: list[str] = []
    for operation in v1_operations(api.app):
        for probe in probes:
            ids = {**a.ids, "new_session_id": f"iso-{_suffix()}", "new_station_id": probe.station_id}
            answer = call(api, operation, ids, probe.headers)
            label = f"{operation} as {probe.name}"
            if probe.forged:
                if answer.status_code != 401:
                    problems.append(f"{label}: {answer.status_code} {answer.text[:300]}")
            elif operation.path_params:
                # A's ids in the path: the operation must not find them (or not be the caller's to use).
                if answer.status_code not in (403, 404):
                    problems.append(f"{label} on A's ids: {answer.status_code} {answer.text[:300]}")
                elif answer.status_code == 404 and (
                    differs := _differs_from_a_missing_id(api, operation, ids, answer, probe)
                ):
                    problems.append(differs)
            elif answer.status_code not in (200, 201, 403, 404):
                problems.append(f"{label}: {answer.status_code} {answer.text[:300]}")
            leaked = _leaks(a, operation, ids, answer, probe)
            if leaked:
                problems.append(f"{label} shows {', '.join(leaked)}: {answer.text[:300]}")
    assert not problems, "\n".join(problems)

    # The same session id in another tenant is that tenant's own session, not a conflict with A's
    # (a 409 would tell B that A has it) and not a write to A's.
    for probe in (p for p in probes if p.collides):
        body = session_body(a.ids["session_id"], station=probe.station_id)
        same_id = api.post("/v1/sessions", json=body, headers=probe.headers)
        assert same_id.status_code == 200, f"{probe.name}: {same_id.status_code} {same_id.text}"
        assert a.tenant_id not in same_id.text
        assert _listed(api, probe.headers)[a.ids["session_id"]] == probe.station_id

    # A's data is as it was, and A's keys and member token still work (past the caches' second).
    time.sleep(1.1)
    assert _snapshot(api, a) == before
    for headers in (a.headers, _bearer(a.created_key), a.member):
        assert _listed(api, headers) == {
            a.ids["session_id"]: a.ids["charging_station_id"],
            a.ids["incident_session_id"]: a.ids["charging_station_id"],
        }
