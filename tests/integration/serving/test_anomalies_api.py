"""From an incident to an issue and a label, through the real app, the triage worker and chDB."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
import pytest

from evwatch.domain.roles import MEMBER
from evwatch.storage.clickhouse import scalar
from tests.plugins.services import create_tenant
from tests.support.kafka import consume_all, wait_for
from tests.support.sessions import register_drop_body, session_body
from tests.support.tokens import member_token

pytestmark = [pytest.mark.kafka, pytest.mark.triton, pytest.mark.clickhouse]


def _anomalies(api: Any, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    answer = api.get("/v1/anomalies", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    content: list[dict[str, Any]] = answer.json()["content"]
    return content


def _triaged(api: Any, headers: dict[str, str], session_id: str) -> dict[str, Any]:
    found = wait_for(lambda: next(iter(_anomalies(api, headers, chargingSessionId=session_id)), None), timeout_s=30)
    return found


def test_an_incident_opens_an_issue_that_people_move_to_a_label(api: Any, runtime: Any) -> None:
    tenant = create_tenant(runtime)
    station = f"CP-{uuid.uuid4().hex[:6]}"
    assert (
        api.post("/v1/sessions", json=register_drop_body("drop-a", station), headers=tenant.headers).status_code == 200
    )
    anomaly = _triaged(api, tenant.headers, "drop-a")
    assert anomaly["anomalyType"] == "KWH_DECREASE" and anomaly["anomalyTypeId"] == "kwh-decrease"
    assert anomaly["ocppChargingStationId"] == station and anomaly["connectorId"] == "1"
    (issue,) = anomaly["issues"]
    assert issue["statusName"] == "OPEN" and issue["assignedTo"] is None

    # a second incident on the same connector and category attaches to the open issue
    assert (
        api.post("/v1/sessions", json=register_drop_body("drop-b", station), headers=tenant.headers).status_code == 200
    )
    second = _triaged(api, tenant.headers, "drop-b")
    assert [i["id"] for i in second["issues"]] == [issue["id"]]

    detail = api.get("/v1/anomalies/sessions/drop-a/categories/kwh-decrease/details", headers=tenant.headers)
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert body["anomalyCategory"]["id"] == "kwh-decrease" and body["clientId"] == tenant.tenant_id
    assert body["anomalyPeriod"]["start"] <= body["anomalyPeriod"]["end"]
    assert len(body["riskScoreTimeline"]) == 1 and body["meterValues"]
    assert all(set(p) == {"timestamp", "energy", "stateOfCharge", "power", "soc"} for p in body["meterValues"])

    # the explanation tells the open issue (German, too)
    explained = api.post("/v1/sessions/drop-a/explain", json={"regenerate": True}, headers=tenant.headers).json()
    assert f"Open issues: {issue['id']}" in explained["explanation"]
    german = api.post("/v1/sessions/drop-a/explain", json={"lang": "de"}, headers=tenant.headers).json()
    assert issue["id"] in german["explanation"] and german["explanation"] != explained["explanation"]

    # the lifecycle: assign, start, a forbidden jump back, then a false positive
    path = f"/v1/anomalies/issues/{issue['id']}"
    user, member = member_token(runtime, tenant.tenant_id, MEMBER)
    assigned = api.patch(path, json={"status": "OPEN", "assignedTo": "ops@example.com"}, headers=member)
    assert assigned.json() == {"id": issue["id"], "statusName": "OPEN", "assignedTo": "ops@example.com"}
    started = api.patch(path, json={"status": "IN_PROGRESS"}, headers=member).json()
    assert started["assignedTo"] == "ops@example.com"  # omitted keeps the assignment
    back = api.patch(path, json={"status": "OPEN"}, headers=member)
    assert back.status_code == 409 and back.json()["code"] == "conflict"
    assert api.patch(path, json={"status": "SOLVED"}, headers=member).status_code == 422
    done = api.patch(path, json={"status": "FALSE_POSITIVE", "assignedTo": None}, headers=member).json()
    assert done == {"id": issue["id"], "statusName": "FALSE_POSITIVE", "assignedTo": None}

    history = api.get(path, headers=tenant.headers).json()
    assert sorted(history["sessionIds"]) == ["drop-a", "drop-b"]
    moves = [(h["fromStatus"], h["toStatus"], h["actor"]) for h in history["history"]]
    assert moves == [
        (None, "OPEN", "evwatch"),
        ("OPEN", "OPEN", user),
        ("OPEN", "IN_PROGRESS", user),
        ("IN_PROGRESS", "FALSE_POSITIVE", user),
    ]
    labels = runtime.client.query(
        "SELECT session_id, category, label FROM triage_labels FINAL WHERE tenant_id = {t:String} ORDER BY session_id",
        parameters={"t": tenant.tenant_id},
    ).result_rows
    assert labels == [("drop-a", "KWH_DECREASE", "FALSE_POSITIVE"), ("drop-b", "KWH_DECREASE", "FALSE_POSITIVE")]
    assert _anomalies(api, tenant.headers, anomalyIssuesStatus="FALSE_POSITIVE", assignedTo="nobody") == []
    assert len(_anomalies(api, tenant.headers, anomalyIssuesStatus="FALSE_POSITIVE")) == 2


def test_a_session_reanalysed_healthy_leaves_its_issue_open_with_a_note(api: Any, runtime: Any) -> None:
    tenant = create_tenant(runtime)
    station = f"CP-{uuid.uuid4().hex[:6]}"
    api.post("/v1/sessions", json=register_drop_body("fixable", station), headers=tenant.headers)
    (issue,) = _triaged(api, tenant.headers, "fixable")["issues"]
    healthy = session_body("fixable", station, n=30)
    replaced = api.put("/v1/sessions/fixable", json={"meterValues": healthy["meterValues"]}, headers=tenant.headers)
    assert replaced.status_code == 200, replaced.text

    def noted() -> dict[str, Any] | None:
        detail = api.get(f"/v1/anomalies/issues/{issue['id']}", headers=tenant.headers).json()
        return detail if len(detail["history"]) == 2 else None

    detail = wait_for(noted, timeout_s=30)
    assert detail["statusName"] == "OPEN" and "re-analysed without KWH_DECREASE" in detail["history"][-1]["note"]
    assert _anomalies(api, tenant.headers, chargingSessionId="fixable") == []  # no longer current


def test_lists_filter_sort_and_stay_in_their_tenant(api: Any, runtime: Any) -> None:
    a, b = create_tenant(runtime), create_tenant(runtime)
    for i, connector in enumerate(("1", "2", "2")):
        body = register_drop_body(f"s{i}", "CP-LIST", connector)
        assert api.post("/v1/sessions", json=body, headers=a.headers).status_code == 200
    wait_for(lambda: len(_anomalies(api, a.headers)) == 3 or None, timeout_s=30)
    assert {x["chargingSessionId"] for x in _anomalies(api, a.headers, connectorId="2")} == {"s1", "s2"}
    assert {x["chargingSessionId"] for x in _anomalies(api, a.headers, evseId="1")} == {"s0"}
    assert _anomalies(api, a.headers, anomalyType="SOC_DROP") == []
    scores = [x["aiRiskScore"] for x in _anomalies(api, a.headers, sortByScore="asc")]
    assert scores == sorted(scores)
    connectors = api.get("/v1/anomalies/connectors", params={"sortBy": "anomalyCount"}, headers=a.headers).json()
    assert [(c["connectorId"], c["anomalyCount"]) for c in connectors["content"]] == [("2", 2), ("1", 1)]
    sessions = api.get("/v1/anomalies/sessions", params={"sortBy": "aiRiskScore", "pageSize": 2}, headers=a.headers)
    assert sessions.json()["pagination"] == {"totalCount": 3, "page": 0, "size": 2}
    assert api.get("/v1/anomalies/sessions", params={"sortBy": "nonsense"}, headers=a.headers).status_code == 422
    # tenant B sees none of it
    assert _anomalies(api, b.headers) == []
    issue_id = _anomalies(api, a.headers)[0]["issues"][0]["id"]
    assert (
        api.patch(f"/v1/anomalies/issues/{issue_id}", json={"status": "RESOLVED"}, headers=b.headers).status_code == 404
    )
    assert api.get("/v1/anomalies/sessions/s0/categories/kwh-decrease/details", headers=b.headers).status_code == 404


def test_events_announce_new_anomalies_and_incidents_with_stable_ids(api: Any, runtime: Any) -> None:
    tenant = create_tenant(runtime)
    api.post("/v1/sessions", json=register_drop_body("evt-1", f"CP-{uuid.uuid4().hex[:6]}"), headers=tenant.headers)
    anomaly = _triaged(api, tenant.headers, "evt-1")
    kafka = runtime.settings.kafka

    def mine() -> list[dict[str, Any]] | None:
        # the whole topic as it stands (a few seconds' read), then ours
        found = [
            msgspec.json.decode(m.value())
            for m in consume_all(kafka.bootstrap_servers, kafka.topics.events, 10**9, timeout_s=8)
        ]
        ours = [e for e in found if e.get("tenantId") == tenant.tenant_id and e["type"] != "session.analyzed"]
        return ours if len(ours) >= 2 else None

    events = {e["type"]: e for e in wait_for(mine, timeout_s=30)}
    assert events["anomaly.detected"]["anomalyId"] == anomaly["id"]
    assert events["incident.created"]["eventId"] == anomaly["issues"][0]["id"]
    assert (
        scalar(runtime.client, "SELECT count() FROM issues FINAL WHERE tenant_id = {t:String}", {"t": tenant.tenant_id})
        == 1
    )
