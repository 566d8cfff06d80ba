"""Hostile messages on the public topics: each becomes a dead letter naming the field and the step,
and the good message produced right after it is stored and analysed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import msgspec
import pytest

from tests.plugins.services import Tenant, create_tenant
from tests.support.hostile import CASES, KAFKA_CASES, STATION_CASES, Case, body, encoded, with_tenant
from tests.support.kafka import consume_all, produce, wait_for
from tests.support.sessions import readings

pytestmark = [pytest.mark.kafka, pytest.mark.triton, pytest.mark.clickhouse]

# The broker itself refuses messages over its 1 MB default before evwatch could see them.
_BROKER_LIMIT = 900_000
METER_CASES = [
    *(case for case in CASES if len(case.raw) < _BROKER_LIMIT),
    Case("a 500 KB connectorId", encoded(body(connectorId="c" * 500_000)), 422, "connectorId"),
    *KAFKA_CASES,
]


@dataclass
class Barrage:
    tenant: Tenant
    marker: str
    dead: dict[bytes, dict[str, str]]  # original bytes -> dead-letter headers
    good: dict[str, str]  # case name -> the good session produced right after it


def _good(tenant_id: str, session_id: str) -> dict[str, Any]:
    return {"tenantId": tenant_id, "sessionId": session_id, "chargingStationId": "CP-H", "meterValues": readings(4)}


def _station_message(case: Case, tenant_id: str) -> bytes:
    return with_tenant(case.raw, tenant_id)


@pytest.fixture(scope="module")
def barrage(runtime: Any) -> Barrage:
    tenant = create_tenant(runtime)
    kafka = runtime.settings.kafka
    marker = uuid.uuid4().hex[:8]
    good: dict[str, str] = {}
    for case in METER_CASES:
        raw = case.raw if case.name in {c.name for c in KAFKA_CASES} else with_tenant(case.raw, tenant.tenant_id)
        if case.name == "missing tenantId":
            raw = case.raw
        good[case.name] = f"good-{marker}-{len(good)}"
        produce(kafka.bootstrap_servers, kafka.topics.meter_values, [raw, _good(tenant.tenant_id, good[case.name])])
    produce(
        kafka.bootstrap_servers,
        kafka.topics.station_status,
        [_station_message(case, tenant.tenant_id) for case in STATION_CASES],
    )
    hostile = {
        *(
            c.raw if c.name in {k.name for k in KAFKA_CASES} else with_tenant(c.raw, tenant.tenant_id)
            for c in METER_CASES
        ),
        *(_station_message(c, tenant.tenant_id) for c in STATION_CASES),
    }

    def all_dead() -> dict[bytes, dict[str, str]] | None:
        found = {
            m.value(): {k: v.decode() for k, v in m.headers() or []}
            for m in consume_all(kafka.bootstrap_servers, kafka.topics.dead_letter, 1, timeout_s=5)
            if m.value() in hostile
        }
        return found if len(found) >= len(hostile) else None

    return Barrage(tenant, marker, wait_for(all_dead, timeout_s=180, interval_s=2), good)


def _analysed(api: Any, tenant: Tenant, session_id: str) -> bool:
    resp = api.get(f"/v1/sessions/{session_id}", headers=tenant.headers)
    return resp.status_code == 200 and "analyzedAt" in resp.json()


@pytest.mark.parametrize("case", METER_CASES, ids=lambda case: case.name)
def test_each_hostile_message_is_dead_lettered_and_the_next_one_analysed(
    api: Any, barrage: Barrage, case: Case
) -> None:
    raw = case.raw if case.name in {k.name for k in KAFKA_CASES} else with_tenant(case.raw, barrage.tenant.tenant_id)
    headers = barrage.dead[raw]
    assert headers["evwatch-error-kind"] == ("malformed_json" if case.status == 400 else headers["evwatch-error-kind"])
    if case.field is not None:
        assert headers["evwatch-reason"].startswith(case.field) or case.field in headers["evwatch-reason"], headers
    assert headers["evwatch-step"] in {"parse", "check_tenants"}
    assert wait_for(lambda: _analysed(api, barrage.tenant, barrage.good[case.name]), timeout_s=120)


@pytest.mark.parametrize("case", STATION_CASES, ids=lambda case: case.name)
def test_each_hostile_station_message_is_dead_lettered(barrage: Barrage, case: Case) -> None:
    headers = barrage.dead[_station_message(case, barrage.tenant.tenant_id)]
    assert case.field is not None and case.field in headers["evwatch-reason"], headers
    assert headers["evwatch-step"] == "station_status_parse"


def test_a_forged_api_write_changed_nothing(api: Any, barrage: Barrage) -> None:
    # The forged write named session "hostile-s" of an unknown op: it must not exist afterwards.
    resp = api.get("/v1/sessions/hostile-s", headers=barrage.tenant.headers)
    assert resp.status_code == 404, resp.text
    assert msgspec.json.decode(api.get("/ready").content)["pipeline"]["restarts"] == 0
