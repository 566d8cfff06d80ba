"""Writes to one session are serialised by the storage: racing requests never interleave, whether
they go through one API or through several workers that share nothing but ClickHouse."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import msgspec
import pytest

from evwatch.analysis import SessionAnalyser
from evwatch.contracts.meter_values import CreateSessionRequest, ReplaceSessionRequest, UpdateSessionRequest
from evwatch.domain.errors import Conflict
from evwatch.storage.clickhouse import connect
from evwatch.storage.sessions import ClickHouseSessionStore
from serving.sessions.service import SessionService
from tests.support.sessions import readings, session_body

pytestmark = [pytest.mark.kafka, pytest.mark.triton, pytest.mark.clickhouse]

RACERS = 20


def _race(calls: list[Callable[[], Any]]) -> list[Any]:
    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def test_twenty_parallel_posts_of_one_new_id_give_one_200_and_nineteen_409(api: Any, tenant: Any) -> None:
    session_id = f"race-{uuid.uuid4().hex[:8]}"
    bodies = [session_body(session_id, n=4 + i) for i in range(RACERS)]
    statuses = _race([lambda b=b: api.post("/v1/sessions", json=b, headers=tenant.headers) for b in bodies])
    codes = sorted(r.status_code for r in statuses)
    assert codes == [200] + [409] * (RACERS - 1), codes
    winner = next(r for r in statuses if r.status_code == 200).json()
    detail = api.get(f"/v1/sessions/{session_id}", headers=tenant.headers).json()
    sent = {len(b["meterValues"]) for b, r in zip(bodies, statuses, strict=True) if r.status_code == 200}
    assert {sum(not m.get("reconstructed") for m in detail["meterValues"])} == sent
    assert detail["analyzedAt"] == winner["analyzedAt"]  # the analysis shown is the winner's


def test_workers_that_share_only_the_store_serialise_creates_and_replaces(runtime: Any, tenant: Any) -> None:
    # Twenty independent workers: their own ClickHouse client, store and service; nothing in Python is shared.
    services = []
    for _ in range(RACERS):
        store = ClickHouseSessionStore(connect(runtime.settings))
        services.append(SessionService(store, SessionAnalyser(store, runtime.csar2), runtime.settings.bounds))
    session_id = f"race-{uuid.uuid4().hex[:8]}"
    body = msgspec.convert(session_body(session_id, n=5), CreateSessionRequest)

    def create(service: SessionService) -> str:
        try:
            service.create(tenant.tenant_id, body)
        except Conflict:
            return "409"
        return "200"

    assert sorted(_race([lambda s=s: create(s) for s in services])) == ["200"] + ["409"] * (RACERS - 1)

    # Now half replace and half append at once: every request lands, one at a time, in some order.
    start = readings(1)[0]["timestamp"]
    replace = msgspec.convert({"meterValues": readings(3)}, ReplaceSessionRequest)
    appends = [
        msgspec.convert(
            {"meterValues": [{**readings(1)[0], "timestamp": start.replace("10:00", f"11:{i:02d}")}]},
            UpdateSessionRequest,
        )
        for i in range(RACERS // 2)
    ]
    calls: list[Callable[[], Any]] = [
        lambda s=s: s.replace(tenant.tenant_id, session_id, replace) for s in services[: RACERS // 2]
    ]
    calls += [
        lambda s=s, a=a: s.append(tenant.tenant_id, session_id, a)
        for s, a in zip(services[RACERS // 2 :], appends, strict=True)
    ]
    outcomes = _race([lambda c=c: _outcome(c) for c in calls])
    store = ClickHouseSessionStore(runtime.client)
    log = store.load_log(tenant.tenant_id, [session_id])[session_id]
    head, _ = store.heads(tenant.tenant_id, [session_id])
    done = [o for o in outcomes if o == "200"]
    # Each request that answered 200 holds exactly one revision: 1 (create) + one per success.
    assert head[session_id].revision == 1 + len(done)
    # The session shows the last replace plus the appends that came after it, nothing interleaved.
    shown = [w for w in log if w.revision >= head[session_id].base_revision]
    assert shown[0].op == "replace" and all(w.op == "append" for w in shown[1:])
    assert head[session_id].reading_count == 9 + len(shown) - 1
    analysis = store.current_analyses(tenant.tenant_id, [session_id]).get(session_id)
    assert analysis is not None and analysis.base_revision == head[session_id].base_revision


def _outcome(call: Callable[[], Any]) -> str:
    try:
        call()
    except Conflict:
        return "409"
    return "200"
