"""Every `/v1` operation the app serves, and how a test builds a call to each.

The role matrix and the tenant-isolation tests walk the app's routes instead of a hand-made list:
an operation added without an entry in `CASES` fails both tests, so no endpoint ships without
being checked for who may call it and whose data it shows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from litestar import Litestar
from litestar.routes import HTTPRoute

from serving.access import Policy, admits_tenantless, declared_policy
from tests.support.sessions import readings, session_body

Ids = Mapping[str, str]


@dataclass(frozen=True)
class Operation:
    """One method on one `/v1` path template, with the roles its route admits.

    `tenantless`: the route also serves a signed-up user whose token names no tenant yet.
    """

    method: str
    template: str
    policy: Policy | None
    operation_id: str | None
    tenantless: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.template)

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.template)

    def __str__(self) -> str:
        return f"{self.method} {self.template} ({self.operation_id})"


@dataclass(frozen=True)
class Case:
    """How to call an operation: the path template is filled from `ids`, `body` builds the JSON body.

    `ids` holds the path parameters by their template names, plus `new_session_id` and
    `new_station_id` for the operations that create a session.
    """

    body: Callable[[Ids], Any] | None = None
    # a path parameter filled from another entry of `ids` (e.g. the session that has an anomaly)
    params: Mapping[str, str] = field(default_factory=dict)

    def path(self, operation: Operation, ids: Ids) -> str:
        return operation.template.format(**{name: ids[self.params.get(name, name)] for name in operation.path_params})


def v1_operations(app: Litestar) -> list[Operation]:
    """Every method of every `/v1` route, without Litestar's own OPTIONS answers."""
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/v1"):
            continue
        for handler in route.route_handlers:
            for method in sorted(handler.http_methods - {"OPTIONS"}):
                found.append(
                    Operation(
                        method,
                        route.path_format,
                        declared_policy(handler.opt),
                        handler.operation_id,
                        admits_tenantless(handler.opt),
                    )
                )
    return sorted(found, key=lambda op: (op.template, op.method))


def uncovered(operations: list[Operation]) -> list[str]:
    """The operations that have no entry in `CASES`."""
    return [str(op) for op in operations if op.key not in CASES]


CASES: dict[tuple[str, str], Case] = {
    # Sessions
    ("GET", "/v1/sessions"): Case(),
    ("POST", "/v1/sessions"): Case(lambda ids: session_body(ids["new_session_id"], station=ids["new_station_id"])),
    ("GET", "/v1/sessions/{session_id}"): Case(),
    ("PUT", "/v1/sessions/{session_id}"): Case(lambda _: {"meterValues": readings(6)}),
    ("PATCH", "/v1/sessions/{session_id}"): Case(lambda _: {"status": "completed"}),
    ("GET", "/v1/sessions/{session_id}/explain"): Case(),
    ("POST", "/v1/sessions/{session_id}/explain"): Case(lambda _: {"lang": "en"}),
    ("POST", "/v1/sessions/{session_id}/ask"): Case(lambda _: {"question": "Why was this session flagged?"}),
    # Stations and statistics
    ("GET", "/v1/stations"): Case(),
    ("GET", "/v1/stations/lookup"): Case(),
    ("GET", "/v1/stations/{charging_station_id}"): Case(),
    ("GET", "/v1/stations/{charging_station_id}/anomalies"): Case(),
    ("GET", "/v1/stations/{charging_station_id}/connectors"): Case(),
    ("GET", "/v1/stations/{charging_station_id}/energy"): Case(),
    ("GET", "/v1/stations/{charging_station_id}/inference"): Case(),
    ("GET", "/v1/stations/{charging_station_id}/shade-overview"): Case(),
    ("GET", "/v1/statistics"): Case(),
    # Anomalies and issues (the detail needs a session with an anomaly: `incident_session_id`)
    ("GET", "/v1/anomalies"): Case(),
    ("GET", "/v1/anomalies/connectors"): Case(),
    ("GET", "/v1/anomalies/sessions"): Case(),
    ("GET", "/v1/anomalies/sessions/{session_id}/categories/{category_id}/details"): Case(
        params={"session_id": "incident_session_id"}
    ),
    ("PATCH", "/v1/anomalies/issues/{issue_id}"): Case(lambda _: {"status": "ACKNOWLEDGED"}),
    ("GET", "/v1/anomalies/issues/{issue_id}"): Case(),
    # Webhooks (receivers on 127.0.0.1, allow-listed in the test settings; nothing listens on port 9)
    ("GET", "/v1/webhooks"): Case(),
    ("POST", "/v1/webhooks"): Case(lambda _: {"url": "http://127.0.0.1:9/probe", "events": ["webhook.test"]}),
    ("GET", "/v1/webhooks/{webhook_id}"): Case(),
    ("GET", "/v1/webhooks/{webhook_id}/deliveries"): Case(),
    ("PATCH", "/v1/webhooks/{webhook_id}"): Case(lambda _: {"description": "changed by an access test"}),
    ("DELETE", "/v1/webhooks/{webhook_id}"): Case(),
    ("POST", "/v1/webhooks/{webhook_id}/rotate-secret"): Case(),
    ("POST", "/v1/webhooks/{webhook_id}/test"): Case(),
    # The tenant's keys, members and organization
    ("GET", "/v1/api-keys"): Case(),
    ("POST", "/v1/api-keys"): Case(lambda _: {"name": "probe", "description": "made by an access test"}),
    ("DELETE", "/v1/api-keys/{key_id}"): Case(),
    ("GET", "/v1/members"): Case(),
    ("DELETE", "/v1/members/{user_id}"): Case(),
    ("GET", "/v1/organization"): Case(),
    ("PUT", "/v1/organization"): Case(lambda _: {"name": "Acme"}),
    # evwatch's operators
    ("GET", "/v1/admin/tenants"): Case(),
    ("POST", "/v1/admin/tenants"): Case(lambda _: {"name": "Probe tenant"}),
}


def call(client: Any, operation: Operation, ids: Ids, headers: Mapping[str, str]) -> Any:
    """Make the operation's call with these ids and headers; the test client's response."""
    case = CASES[operation.key]
    body = case.body(ids) if case.body is not None else None
    return client.request(operation.method, case.path(operation, ids), json=body, headers=dict(headers))


def request_text(operation: Operation, ids: Ids) -> str:
    """The path and body a call sends, so a test can tell an echoed id from a leaked one."""
    case = CASES[operation.key]
    body = case.body(ids) if case.body is not None else None
    return f"{case.path(operation, ids)} {json.dumps(body)}"


def served_operations() -> list[Operation]:
    """The operations of an app built with default settings, for parametrising tests at collection."""
    from contextlib import nullcontext

    from evwatch.config import ApiSettings
    from evwatch.domain.bounds import Bounds
    from serving.app import build_app

    return v1_operations(build_app(lambda: nullcontext(None), ApiSettings(), Bounds()))  # type: ignore[arg-type, return-value]
