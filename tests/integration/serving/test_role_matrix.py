"""Every `/v1` operation with every role, through the real app: refused with 403 exactly where the
route's declared policy says so, admitted everywhere else, and refused before the body is read.

The operations come from the app's routes (`tests/support/operations.py`), so an endpoint added
without a case there fails here instead of going unchecked.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from evwatch.clock import utc_now
from evwatch.tokens import issue_token
from tests.plugins.services import create_tenant
from tests.support.operations import CASES, Operation, call, served_operations, uncovered, v1_operations
from tests.support.sessions import session_body
from tests.support.tokens import member_token

pytestmark = [pytest.mark.kafka, pytest.mark.triton, pytest.mark.clickhouse]

# The contract's role names (docs/roles.md), least to most privileged.
ROLES = ("member", "admin", "super_admin")
# every id a path template names, plus the session with an anomaly
PATH_IDS = (
    "session_id",
    "charging_station_id",
    "key_id",
    "user_id",
    "incident_session_id",
    "category_id",
    "issue_id",
    "webhook_id",
)
OPERATIONS = served_operations()
# What an admitted call may answer: the case bodies are valid, but an id may be unknown to the
# caller's tenant (404) or a write may meet existing state (409); never 401, 403 or a 5xx.
ADMITTED = {200, 201, 404, 409, 422}
BODY_METHODS = {"POST", "PUT", "PATCH"}
# Malformed JSON and well-formed JSON of the wrong shape: a refused or unknown caller must hear
# about its credentials, never about the body.
BAD_BODIES = (b"{not json", b'[{"unexpected": true}]')


def assert_forbidden(answer: Any, label: str) -> None:
    assert answer.status_code == 403, f"{label}: {answer.status_code} {answer.text}"
    body = answer.json()
    assert set(body) == {"status", "code", "message", "details"}, f"{label}: {body}"
    assert body["status"] == 403 and body["code"] == "forbidden" and body["message"], f"{label}: {body}"


def _suffix() -> str:
    return uuid.uuid4().hex[:10]


@dataclass(frozen=True)
class Caller:
    """One way of calling: an API key or a member token of a role, or a signed-up user with no tenant."""

    label: str
    # None for the signed-up user without a tenant, which only `tenantless` routes serve
    role: str | None
    auth: Callable[[], dict[str, str]]
    ids: dict[str, str]

    def admitted(self, operation: Operation) -> bool:
        if self.role is None:
            return operation.tenantless
        return operation.policy is not None and self.role in operation.policy


@pytest.fixture(scope="module")
def callers(api: Any, runtime: Any) -> list[Caller]:
    """Per role, a tenant with a key and a member token of that role, and the ids their calls use."""
    out = []
    for role in ROLES:
        tenant = create_tenant(runtime, role)
        session_id, station_id = f"rm-{_suffix()}", f"ST-RM-{_suffix()}"
        made = api.post("/v1/sessions", json=session_body(session_id, station=station_id), headers=tenant.headers)
        assert made.status_code == 200, made.text
        # An unknown key and user: an admitted revoke or removal answers 404 and leaves the caller's
        # own key (and any member) in place for the calls after it.
        ids = {
            "session_id": session_id,
            "charging_station_id": station_id,
            "key_id": f"key-missing-{_suffix()}",
            "user_id": f"user-missing-{_suffix()}",
            "new_station_id": station_id,
            "incident_session_id": session_id,
            "category_id": "kwh-decrease",
            "issue_id": f"issue-missing-{_suffix()}",
            "webhook_id": str(uuid.uuid4()),
        }
        _, token = member_token(runtime, tenant.tenant_id, role)
        out.append(Caller(f"{role}'s API key", role, lambda headers=tenant.headers: headers, ids))
        out.append(Caller(f"{role}'s member token", role, lambda headers=token: headers, ids))
    missing = {name: f"missing-{_suffix()}" for name in PATH_IDS}
    # A fresh user for every call: its first PUT /v1/organization gives it a tenant of its own.
    out.append(
        Caller(
            "signed-up user without a tenant",
            None,
            lambda: member_token(runtime, None, None)[1],
            {**missing, "new_station_id": f"ST-RM-{_suffix()}"},
        )
    )
    return out


def test_the_served_app_has_the_operations_walked_at_collection(api: Any) -> None:
    # The parametrised tests walk an app built at collection; the fixture's app must be the same one.
    assert set(v1_operations(api.app)) == set(OPERATIONS)
    assert not uncovered(OPERATIONS), "add these operations to CASES in tests/support/operations.py"


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_each_role_is_refused_exactly_where_the_route_policy_says(
    api: Any, callers: list[Caller], operation: Operation
) -> None:
    assert operation.key in CASES, f"{operation} has no case in tests/support/operations.py CASES"
    assert operation.policy is not None
    for caller in callers:
        answer = call(api, operation, {**caller.ids, "new_session_id": f"rm-{_suffix()}"}, caller.auth())
        label = f"{operation} with the {caller.label}"
        if caller.admitted(operation):
            assert answer.status_code in ADMITTED, f"{label}: {answer.status_code} {answer.text}"
        else:
            assert_forbidden(answer, label)


@pytest.mark.parametrize("operation", [op for op in OPERATIONS if op.method in BODY_METHODS], ids=str)
def test_a_refused_role_gets_403_whatever_the_body(
    api: Any, runtime: Any, callers: list[Caller], operation: Operation
) -> None:
    # 403 rather than 400 or 413: the role is checked before the body is read, so a caller who may
    # not use an operation learns nothing about its body and cannot make the server read one.
    refused = [caller for caller in callers if not caller.admitted(operation)]
    if not refused:
        pytest.skip(f"every caller may call {operation}")
    huge = b"x" * (runtime.settings.api.max_body_bytes + 1)
    problems = []
    for caller in refused:
        path = CASES[operation.key].path(operation, caller.ids)
        for body in (*BAD_BODIES, huge):
            headers = {**caller.auth(), "Content-Type": "application/json"}
            answer = api.request(operation.method, path, content=body, headers=headers)
            if answer.status_code != 403:
                problems.append(
                    f"with the {caller.label} and {body[:24]!r} ({len(body)} bytes): {answer.status_code} {answer.text}"
                )
            else:
                assert_forbidden(answer, f"{operation} with the {caller.label}")
    assert not problems, f"{operation}:\n" + "\n".join(problems)


def test_an_admitted_role_sending_the_same_bad_bodies_is_answered_about_the_body(
    api: Any, runtime: Any, callers: list[Caller]
) -> None:
    # The control for the test above: these bodies are refused for what they are once the role passes.
    admin = next(caller for caller in callers if caller.role == "admin")
    headers = {**admin.auth(), "Content-Type": "application/json"}
    for body in BAD_BODIES:
        assert api.post("/v1/api-keys", content=body, headers=headers).status_code in (400, 422), body
    huge = b"x" * (runtime.settings.api.max_body_bytes + 1)
    assert api.post("/v1/api-keys", content=huge, headers=headers).status_code == 413


@pytest.fixture(scope="module")
def bad_credentials(runtime: Any) -> dict[str, dict[str, str]]:
    """No credentials, an unknown key, another scheme, and member tokens that are expired or forged."""
    tenant = create_tenant(runtime, "admin")
    _, expired = member_token(runtime, tenant.tenant_id, "admin", hours=-1)
    forged = issue_token(
        runtime.settings.auth,
        secrets.token_urlsafe(32),  # not the runtime's secret
        subject="mallory",
        email="mallory@example.com",
        tenant_id=tenant.tenant_id,
        role="super_admin",
        now=utc_now(),
        lifetime=timedelta(hours=1),
    )
    return {
        "no credentials": {},
        "an unknown key": {"Authorization": f"Bearer evw_{_suffix()}"},
        "Basic credentials": {"Authorization": "Basic dXNlcjpwYXNz"},
        "an expired member token": expired,
        "a member token signed with another secret": {"Authorization": f"Bearer {forged}"},
    }


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_every_operation_needs_valid_credentials(
    api: Any, runtime: Any, bad_credentials: dict[str, dict[str, str]], operation: Operation
) -> None:
    huge = b"x" * (runtime.settings.api.max_body_bytes + 1)
    ids = {name: f"x-{_suffix()}" for name in PATH_IDS}
    ids |= {"new_session_id": f"x-{_suffix()}", "new_station_id": f"x-{_suffix()}"}
    problems = []
    for label, headers in bad_credentials.items():
        answer = call(api, operation, ids, headers)
        if answer.status_code != 401 or answer.json()["code"] != "unauthorized":
            problems.append(f"with {label}: {answer.status_code} {answer.text}")
        if operation.method in BODY_METHODS:
            path = CASES[operation.key].path(operation, ids)
            # an unknown caller must not get the server to read, let alone decode, a body
            for body in (*BAD_BODIES, *((huge,) if not headers else ())):
                bad = api.request(
                    operation.method, path, content=body, headers={**headers, "Content-Type": "application/json"}
                )
                if bad.status_code != 401:
                    problems.append(f"with {label} and {body[:24]!r} ({len(body)} bytes): {bad.status_code} {bad.text}")
    assert not problems, f"{operation}:\n" + "\n".join(problems)
