"""Access policies: every /v1 route declares one, the caller dependency enforces it with 403 and the Error body."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

import pytest
from litestar import Litestar, Router, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody
from litestar.routes import HTTPRoute
from litestar.testing import TestClient

from evwatch.config import ApiSettings
from evwatch.domain.api_keys import ApiKeyRecord, hash_key
from evwatch.domain.bounds import Bounds
from evwatch.domain.roles import ADMIN, MEMBER, ROLES, SUPER_ADMIN
from serving.access import ADMINS, EVERY_ROLE, SUPER_ADMINS, allow, declared_policy
from serving.app import build_app
from serving.auth import Authenticator, Caller, KeyCache, auth_guard, provide_caller, provide_principal
from serving.errors import EXCEPTION_HANDLERS
from serving.key_usage import KeyUsage
from serving.rate_limit import RateLimiter


def test_every_v1_route_declares_a_policy_and_is_guarded() -> None:
    app = build_app(lambda: nullcontext(None), ApiSettings(), Bounds())  # type: ignore[arg-type, return-value]
    checked = 0
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/v1"):
            continue
        for handler in route.route_handlers:
            if handler.http_methods == {"OPTIONS"}:
                continue  # Litestar's own CORS preflight answer: no data, no caller
            assert declared_policy(handler.opt) is not None, f"{route.path} {handler.http_methods} has no access policy"
            guards = [g.__qualname__ for g in handler.resolve_guards()]
            assert guards == ["auth_guard.<locals>.guard"], f"{route.path} is not guarded by auth_guard: {guards}"
            checked += 1
    assert checked >= 14


@get("/open", opt=allow(EVERY_ROLE), sync_to_thread=False)
def _open(caller: NamedDependency[Caller]) -> str:
    return caller.role


@get("/admins", opt=allow(ADMINS), sync_to_thread=False)
def _admins(caller: NamedDependency[Caller]) -> str:
    return caller.role


@get("/operators", opt=allow(SUPER_ADMINS), sync_to_thread=False)
def _operators(caller: NamedDependency[Caller]) -> str:
    return caller.role


@post("/admins", opt=allow(ADMINS), sync_to_thread=False)
def _admins_write(caller: NamedDependency[Caller], data: JSONBody[dict[str, Any]]) -> str:
    return caller.role


@get("/undeclared", sync_to_thread=False)
def _undeclared(caller: NamedDependency[Caller]) -> str:
    return caller.role


@pytest.fixture(scope="module")
def client() -> Any:
    keys = KeyCache(lambda h: {hash_key(r): ApiKeyRecord("t", r, r, None, None) for r in ROLES}.get(h))
    authenticator = Authenticator(keys, KeyUsage(lambda _: None))
    limiter = RateLimiter(1000.0, 1000.0)
    router = Router(
        path="/",
        route_handlers=[_open, _admins, _admins_write, _operators, _undeclared],
        guards=[auth_guard(lambda: authenticator, limiter)],
        dependencies={
            "principal": Provide(provide_principal, sync_to_thread=False),
            "caller": Provide(provide_caller, sync_to_thread=False),
        },
    )
    with TestClient(Litestar([router], exception_handlers=EXCEPTION_HANDLERS)) as c:
        yield c


@pytest.mark.parametrize(
    ("path", "admitted"),
    [
        ("/open", {MEMBER, ADMIN, SUPER_ADMIN}),
        ("/admins", {ADMIN, SUPER_ADMIN}),
        ("/operators", {SUPER_ADMIN}),
        ("/undeclared", set()),
    ],
)
def test_each_role_is_admitted_or_refused_with_403_and_the_error_body(
    client: Any, path: str, admitted: set[str]
) -> None:
    for role in ROLES:
        answer = client.get(path, headers={"Authorization": f"Bearer {role}"})
        if role in admitted:
            assert answer.status_code == 200 and answer.text == role
        else:
            assert answer.status_code == 403, (path, role)
            body = answer.json()
            assert body["status"] == 403 and body["message"]


def test_a_bad_key_is_401_before_any_role_check(client: Any) -> None:
    assert client.get("/admins", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_the_caller_is_refused_before_the_body_is_read(client: Any) -> None:
    # guards run before Litestar reads the body; dependencies only after
    broken = b"{not json" + b" " * 1000
    member = client.post("/admins", content=broken, headers={"Authorization": f"Bearer {MEMBER}"})
    assert member.status_code == 403
    assert client.post("/admins", content=broken).status_code == 401
    assert client.post("/admins", content=broken, headers={"Authorization": f"Bearer {ADMIN}"}).status_code == 400
