"""Triage as plain functions: anomaly rows, issues opened or attached, notes, and the lifecycle."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from evwatch.domain.sessions import AnalysisRecord, AnomalyRecord
from evwatch.domain.triage import (
    ACKNOWLEDGED,
    FALSE_POSITIVE,
    IN_PROGRESS,
    KEEP,
    OPEN,
    RESOLVED,
    InvalidTransition,
    TriageState,
    category_id,
    category_of,
    change_issue,
    triage,
)

T0 = datetime(2026, 3, 1, 10, tzinfo=UTC)
EMPTY = TriageState({}, {}, [])


def _finding(category: str, score: float = 0.95, minute: int = 5) -> AnomalyRecord:
    start = T0 + timedelta(minutes=minute)
    return AnomalyRecord(category, minute, minute + 1, start, start + timedelta(minutes=1), score, 0.9)


def _analysis(*findings: AnomalyRecord, at: datetime = T0, session: str = "s1", iid: str = "i1") -> AnalysisRecord:
    return AnalysisRecord(
        tenant_id="t",
        session_id=session,
        inference_id=iid,
        charging_station_id="CP",
        connector_id="1",
        analyzed_at=at,
        anomaly_score=max((f.score for f in findings), default=0.1),
        is_anomaly=bool(findings),
        anomaly_confidence=0.9,
        is_incident=any(f.category == "KWH_DECREASE" or f.score >= 0.9 for f in findings),
        is_recurring=False,
        soc_reconstructed=False,
        reading_count=30,
        unit_seconds=60.0,
        model_version="v",
        anomalies=findings,
    )


def test_an_incident_opens_one_issue_per_category_and_rows_merge_stretches() -> None:
    result = triage(_analysis(_finding("KWH_DECREASE", 0.8, 5), _finding("KWH_DECREASE", 0.7, 20)), EMPTY)
    (row,) = result.anomalies
    assert row.risk_score == 0.8 and row.period_end - row.period_start == timedelta(minutes=16)
    (issue,) = result.opened
    assert issue.status == OPEN and [link.session_id for link in result.links] == ["s1"]
    assert result.detected == (row,) and result.history[0].to_status == OPEN
    again = triage(_analysis(_finding("KWH_DECREASE", 0.8, 5), _finding("KWH_DECREASE", 0.7, 20)), EMPTY)
    assert again == result  # handled twice: the same ids, rows and events


def test_a_new_incident_attaches_to_the_connectors_unresolved_issue() -> None:
    first = triage(_analysis(_finding("KWH_DECREASE")), EMPTY)
    open_issue = first.opened[0]
    second = triage(
        _analysis(_finding("KWH_DECREASE"), session="s2", iid="i2"), TriageState({}, {"KWH_DECREASE": open_issue}, [])
    )
    assert second.opened == () and [(x.issue_id, x.session_id) for x in second.links] == [(open_issue.issue_id, "s2")]


def test_findings_below_the_incident_bar_open_nothing() -> None:
    result = triage(_analysis(_finding("DATA_GAP", 0.6)), EMPTY)
    assert result.opened == () and len(result.anomalies) == 1


def test_a_healthy_reanalysis_clears_rows_and_notes_the_issue_but_leaves_it_open() -> None:
    first = triage(_analysis(_finding("KWH_DECREASE")), EMPTY)
    state = TriageState({"KWH_DECREASE": first.anomalies[0]}, {}, [first.opened[0]])
    later = triage(_analysis(at=T0 + timedelta(hours=1), iid="i2"), state)
    (row,) = later.anomalies
    assert not row.is_current and row.first_detected_at == T0
    (note,) = later.history
    assert note.from_status == note.to_status == OPEN and "re-analysed without KWH_DECREASE" in note.note
    assert later.opened == () and later.detected == ()


def test_an_older_analysis_than_the_rows_show_changes_nothing() -> None:
    first = triage(_analysis(_finding("KWH_DECREASE"), at=T0 + timedelta(hours=1)), EMPTY)
    stale = triage(_analysis(at=T0, iid="old"), TriageState({"KWH_DECREASE": first.anomalies[0]}, {}, []))
    assert stale.anomalies == () and stale.history == ()


def test_the_lifecycle_allows_documented_moves_and_refuses_the_rest() -> None:
    issue = triage(_analysis(_finding("KWH_DECREASE")), EMPTY).opened[0]
    assigned = change_issue(issue, OPEN, "ops", "u1", T0).issue
    assert assigned.assigned_to == "ops"
    working = change_issue(assigned, IN_PROGRESS, KEEP, "u1", T0).issue
    assert working.assigned_to == "ops"
    with pytest.raises(InvalidTransition, match="cannot move to OPEN"):
        change_issue(working, OPEN, KEEP, "u1", T0)
    done = change_issue(working, FALSE_POSITIVE, None, "u1", T0)
    assert done.issue.assigned_to is None and (done.entry.from_status, done.entry.to_status) == (
        IN_PROGRESS,
        FALSE_POSITIVE,
    )
    reopened = change_issue(done.issue, OPEN, KEEP, "u2", T0).issue  # people close by mistake
    assert change_issue(reopened, ACKNOWLEDGED, KEEP, "u2", T0).issue.status == ACKNOWLEDGED
    assert change_issue(replace(reopened, status=RESOLVED), RESOLVED, "x", "u2", T0).issue.assigned_to == "x"


def test_category_ids_round_trip() -> None:
    assert category_id("POWER_ENERGY_MISMATCH") == "power-energy-mismatch"
    assert category_of("power-energy-mismatch") == "POWER_ENERGY_MISMATCH"
