"""Bodies of `/v1/anomalies`, as the contract names them (docs/triage.md says what each field holds)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

import msgspec

from serving.pagination import Pagination


class SortDirection(StrEnum):
    """`sortByScore`: the direction of `aiRiskScore`."""

    ASC = "asc"
    DESC = "desc"


class ConnectorSort(StrEnum):
    """`sortBy` of List Anomaly Connectors (descending)."""

    ANOMALY_COUNT = "anomalyCount"
    DETECTION_DATE = "detectionDate"
    LAST_UPDATE = "lastUpdate"


class SessionSort(StrEnum):
    """`sortBy` of List Anomaly Sessions (descending)."""

    ANOMALY_COUNT = "anomalyCount"
    DETECTION_DATE = "detectionDate"
    LAST_UPDATE = "lastUpdate"
    AI_RISK_SCORE = "aiRiskScore"


class AnomalyIssue(msgspec.Struct, rename="camel"):
    """An issue on an anomaly; also the answer of Update Issue."""

    id: str
    status_name: str
    assigned_to: str | None = None


class Anomaly(msgspec.Struct, rename="camel"):
    """One row of List Anomalies."""

    id: str
    anomaly_type: str
    anomaly_type_id: str
    ai_risk_score: float
    connector_id: str
    charging_point_id: str
    ocpp_charging_station_id: str
    evse_id: str
    charging_session_id: str
    date_of_anomaly_occurrence: datetime
    date_of_last_update: datetime
    issues: list[AnomalyIssue] | None = None


class ListAnomaliesResponse(msgspec.Struct, rename="camel"):
    """A page of anomalies."""

    content: list[Anomaly]
    pagination: Pagination


class AnomalyTypeCount(msgspec.Struct, rename="camel"):
    """How many anomalies of one type."""

    type: str
    type_id: str
    count: int


class AnomalyConnectorSummary(msgspec.Struct, rename="camel"):
    """One row of List Anomaly Connectors."""

    id: str
    connector_id: str
    anomaly_count: int
    charging_point_id: str
    evse_id: str
    detection_date: datetime
    last_update: datetime
    anomaly_types: list[AnomalyTypeCount] | None = None


class ListAnomalyConnectorsResponse(msgspec.Struct, rename="camel"):
    """A page of connectors with anomalies."""

    content: list[AnomalyConnectorSummary]
    pagination: Pagination


class AnomalySessionSummary(msgspec.Struct, rename="camel"):
    """One row of List Anomaly Sessions."""

    id: str
    charging_session_id: str
    anomaly_count: int
    detection_date: datetime
    last_update: datetime
    ai_risk_score: float
    anomaly_types: list[AnomalyTypeCount] | None = None


class ListAnomalySessionsResponse(msgspec.Struct, rename="camel"):
    """A page of sessions with anomalies."""

    content: list[AnomalySessionSummary]
    pagination: Pagination


class AnomalyMeterPoint(msgspec.Struct, rename="camel"):
    """A reading as Get Anomaly Detail shows it: the session's measurands side by side at one instant."""

    timestamp: datetime
    energy: float
    state_of_charge: float
    power: float
    soc: float


class AnomalyCategoryInfo(msgspec.Struct, rename="camel"):
    """The category of an anomaly."""

    id: str
    name: str
    max_score: float
    description: str | None = None


class RiskScorePoint(msgspec.Struct, rename="camel"):
    """The category's score in one analysis run of the session."""

    timestamp: datetime
    risk_score: float


class AnomalyPeriod(msgspec.Struct, rename="camel"):
    """Where the anomaly lies in time."""

    start: datetime
    end: datetime


class AnomalyDetail(msgspec.Struct, rename="camel"):
    """Everything about one anomaly."""

    session_id: str
    client_id: str
    connector_id: str
    charging_point_id: str
    ocpp_charging_station_id: str
    evse_id: str
    detection_level: str
    current_risk_score: float
    first_detection_date: datetime
    last_update_date: datetime
    anomaly_category: AnomalyCategoryInfo
    anomaly_period: AnomalyPeriod
    meter_values: list[AnomalyMeterPoint] | None = None
    risk_score_timeline: list[RiskScorePoint] | None = None
    issues: list[AnomalyIssue] | None = None


AssigneeName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class UpdateIssueRequest(msgspec.Struct, rename="camel"):
    """Body of Update Issue: `status` always (the current one for a pure reassignment); `assignedTo`
    omitted keeps the assignment, `null` removes it."""

    status: Annotated[str, msgspec.Meta(min_length=1)]
    assigned_to: AssigneeName | None | msgspec.UnsetType = msgspec.UNSET


class IssueChangeView(msgspec.Struct, rename="camel"):
    """One change of an issue: who, when, from, to."""

    at: datetime
    actor: str
    from_status: str | None
    to_status: str
    from_assignee: str | None
    to_assignee: str | None
    note: str


class IssueDetail(msgspec.Struct, rename="camel"):
    """An issue with the sessions it covers and its history (extension: Get Issue)."""

    id: str
    status_name: str
    assigned_to: str | None
    anomaly_type: str
    anomaly_type_id: str
    charging_station_id: str
    connector_id: str
    opened_at: datetime
    updated_at: datetime
    session_ids: list[str]
    history: list[IssueChangeView]
