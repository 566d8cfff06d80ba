"""The dashboard at /ui in a real browser: the system Chromium driven by Playwright against the API
served over HTTP (Granian) on the session's real runtime (Kafka, tritonserver, chDB, the dataflow and
the triage worker).

It signs in with a member token, opens a session with a known KWH_DECREASE incident and finds the
shaded range and its label in the chart and in the chart's text alternative, moves the incident's issue
on the triage board and reads the new status back through the API, and loads every page at 1280 px and
390 px without horizontal overflow. `EVWATCH_SCREENSHOTS=1` writes each page to docs/screenshots/.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.plugins.services import create_tenant
from tests.support.browser import system_chromium
from tests.support.kafka import wait_for
from tests.support.served_app import served
from tests.support.sessions import register_drop_body, session_body
from tests.support.tokens import member_token

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.triton, pytest.mark.clickhouse]

REPO = Path(__file__).resolve().parents[2]
WIDTHS = {"wide": 1280, "narrow": 390}
READY = "main[data-state=ready]"


@dataclass(frozen=True)
class World:
    """One tenant with a healthy session and a KWH_DECREASE incident on one station, served at `base`."""

    base: str
    admin: dict[str, str]
    member_token: str
    station_id: str
    healthy_id: str
    incident_id: str
    issue_id: str
    incident: dict[str, Any]


@pytest.fixture(scope="module")
def world(runtime: Any) -> Iterator[World]:
    tenant = create_tenant(runtime)
    suffix = uuid.uuid4().hex[:6]
    station, healthy, incident = f"ST-UI-{suffix}", f"ui-ok-{suffix}", f"ui-drop-{suffix}"
    with served(runtime) as base, httpx.Client(base_url=base, headers=tenant.headers, timeout=30) as http:
        assert http.post("/v1/sessions", json=session_body(healthy, station=station)).status_code == 200
        made = http.post("/v1/sessions", json=register_drop_body(incident, station))
        assert made.status_code == 200, made.text
        assert "KWH_DECREASE" in {a["category"] for a in made.json()["anomalies"]}

        def issue() -> str | None:
            found = http.get("/v1/anomalies", params={"chargingSessionId": incident}).json()["content"]
            return found[0]["issues"][0]["id"] if found and found[0]["issues"] else None

        issue_id = wait_for(issue, timeout_s=60)
        _, member = member_token(runtime, tenant.tenant_id, "member")
        yield World(
            base,
            tenant.headers,
            member["Authorization"].removeprefix("Bearer "),
            station,
            healthy,
            incident,
            issue_id,
            http.get(f"/v1/sessions/{incident}").json(),
        )


@pytest.fixture(scope="module")
def page(world: World) -> Iterator[Any]:
    chromium = system_chromium()
    if chromium is None:
        pytest.skip("no Chromium found (./dev setup installs Debian's chromium; or set EVWATCH_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium))
        context = browser.new_context(viewport={"width": WIDTHS["wide"], "height": 900})
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on(
            "console",
            lambda m: problems.append(f"console {m.type}: {m.text} at {m.location}") if m.type == "error" else None,
        )
        page.problems = problems
        try:
            yield page
        finally:
            browser.close()


def _screenshot(page: Any, name: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = (
        REPO / "docs" / "screenshots"
        if os.environ.get("EVWATCH_SCREENSHOTS") == "1"
        else tmp_path_factory.getbasetemp()
    )
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _open(page: Any, world: World, fragment: str) -> None:
    page.goto(f"{world.base}/ui/#{fragment}")
    page.wait_for_selector(READY)


def test_sign_in_refuses_a_wrong_key_and_accepts_a_member_token(page: Any, world: World) -> None:
    page.goto(f"{world.base}/ui/")
    page.wait_for_selector("main[data-page=sign-in]")
    page.fill("#credential", "evw_not-a-key")
    page.click("button[type=submit]")
    page.wait_for_selector("#alert:not([hidden])")
    assert "not accepted (401)" in page.inner_text("#alert")

    page.fill("#credential", world.member_token)
    page.click("button[type=submit]")
    page.wait_for_selector("main[data-page=overview][data-state=ready]")
    assert page.is_visible("#nav")
    # the credential stays in this tab only
    assert page.evaluate("sessionStorage.getItem('evwatch.credential')") == world.member_token
    assert page.evaluate("localStorage.length") == 0
    # the refused key's 401 is the only console error a page may log
    assert [p for p in page.problems if "401" not in p] == []
    page.problems.clear()


def test_overview_shows_the_statistics_and_the_open_incident(page: Any, world: World) -> None:
    _open(page, world, "/")
    stats = httpx.get(f"{world.base}/v1/statistics", headers=world.admin).json()
    assert page.inner_text("[data-figure=totalSessions] dd") == f"{stats['totalSessions']:,}"
    assert page.inner_text("#open-by-category [data-category=KWH_DECREASE] .count") == "1"


def test_sessions_table_filters_and_links_to_the_session(
    page: Any, world: World, tmp_path_factory: pytest.TempPathFactory
) -> None:
    _open(page, world, "/sessions")
    rows = page.inner_text("#sessions-table")
    assert world.incident_id in rows and world.healthy_id in rows
    _screenshot(page, "sessions", tmp_path_factory)
    page.select_option("#f-anomalous", "true")
    page.click("form.filters button[type=submit]")
    page.wait_for_function("location.hash.includes('isAnomaly=true')")
    page.wait_for_selector(READY)
    rows = page.inner_text("#sessions-table")
    assert world.incident_id in rows and world.healthy_id not in rows
    page.click(f"#sessions-table a:text-is('{world.incident_id}')")
    page.wait_for_selector("main[data-page=session][data-state=ready]")


def test_session_page_shades_and_labels_the_known_anomaly(
    page: Any, world: World, tmp_path_factory: pytest.TempPathFactory
) -> None:
    _open(page, world, f"/sessions/{world.incident_id}")
    drop = next(a for a in world.incident["anomalies"] if a["category"] == "KWH_DECREASE")
    # the chart: a shaded rectangle per finding and its label "CATEGORY score"
    page.wait_for_selector("#session-chart-plot[data-rendered=true]")
    assert page.locator("#session-chart-plot .shapelayer path").count() == len(world.incident["anomalies"])
    labels = page.locator("#session-chart-plot .annotation-text").all_text_contents()
    assert f"KWH_DECREASE {drop['score']:.2f}" in labels
    # the text alternative lists the same range, and the chart points at it
    row = page.locator("#findings tr[data-category=KWH_DECREASE]")
    assert row.get_attribute("data-start") == drop["timeRange"]["startTimestamp"]
    assert row.get_attribute("data-end") == drop["timeRange"]["endTimestamp"]
    assert page.get_attribute("#session-chart-plot", "aria-describedby") == "session-chart-alt"
    assert page.locator("#session-chart-alt #findings").count() == 1
    # energy, power and SoC panels
    assert page.locator("#session-chart-plot .scatterlayer .trace").count() == 3
    # the issue and the explanation
    assert "OPEN" in page.inner_text("#session-anomalies")
    page.wait_for_selector(".explanation:not([aria-busy])")
    assert "register" in page.inner_text(".explanation").lower()
    _screenshot(page, "session", tmp_path_factory)


def test_triage_board_moves_the_issue_and_the_api_sees_it(
    page: Any, world: World, tmp_path_factory: pytest.TempPathFactory
) -> None:
    _open(page, world, "/triage")
    card = page.locator(f"[data-column=OPEN] li.issue[data-issue='{world.issue_id}']")
    assert card.count() >= 1
    _screenshot(page, "triage", tmp_path_factory)
    first = card.first
    first.locator("select[name=status]").select_option("IN_PROGRESS")
    first.locator("input[name=assignedTo]").fill("ops@example.com")
    first.locator("button[type=submit]").click()
    page.wait_for_selector(f"[data-column=IN_PROGRESS] li.issue[data-issue='{world.issue_id}']")
    assert page.locator(f"[data-column=OPEN] li.issue[data-issue='{world.issue_id}']").count() == 0
    issue = httpx.get(f"{world.base}/v1/anomalies/issues/{world.issue_id}", headers=world.admin)
    assert issue.status_code == 200, issue.text
    assert (issue.json()["statusName"], issue.json()["assignedTo"]) == ("IN_PROGRESS", "ops@example.com")
    # a move the lifecycle forbids is refused with the API's own message, and nothing changes
    _open(page, world, "/triage")
    moved = page.locator(f"[data-column=IN_PROGRESS] li.issue[data-issue='{world.issue_id}']").first
    allowed = moved.locator("select[name=status] option").all_inner_texts()
    assert "OPEN" not in allowed and "RESOLVED" in allowed


def test_overview_ranks_the_stations_with_anomalies(
    page: Any, world: World, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # GET /v1/stations reads a view refreshed every 60 s; the earlier tests ran meanwhile.
    def listed() -> bool:
        stations = httpx.get(f"{world.base}/v1/stations", headers=world.admin).json()["content"]
        return any(s["chargingStationId"] == world.station_id and s["totalAnomalies"] > 0 for s in stations)

    wait_for(listed, timeout_s=90, interval_s=2)
    _open(page, world, "/")
    assert page.locator("#top-stations a").all_inner_texts() == [world.station_id]
    _screenshot(page, "overview", tmp_path_factory)


def test_station_page_shows_energy_history_and_connectors(
    page: Any, world: World, tmp_path_factory: pytest.TempPathFactory
) -> None:
    _open(page, world, f"/stations/{world.station_id}")
    assert page.inner_text("h1") == f"Station {world.station_id}"
    assert "1" in page.inner_text("#connectors")
    assert page.locator("#outages").count() == 1
    _screenshot(page, "station", tmp_path_factory)


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_every_page_fits_the_width(
    page: Any, world: World, width: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    for fragment in ("/", "/sessions", f"/sessions/{world.incident_id}", f"/stations/{world.station_id}", "/triage"):
        _open(page, world, fragment)
        page.wait_for_load_state("networkidle")
        overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"#{fragment} is {overflow}px wider than {width}px"
    if width == WIDTHS["narrow"]:
        _screenshot(page, "triage-narrow", tmp_path_factory)
        _open(page, world, f"/sessions/{world.incident_id}")
        page.wait_for_selector("#session-chart-plot[data-rendered=true]")
        _screenshot(page, "session-narrow", tmp_path_factory)
    page.set_viewport_size({"width": WIDTHS["wide"], "height": 900})
    assert page.problems == []
