"""`/v1/anomalies`: HTTP in, the anomaly service, HTTP out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, get, patch
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from evwatch.domain.bounds import check_query_time
from evwatch.domain.errors import InvalidInput
from evwatch.storage.anomalies import AnomalyFilters
from serving.access import EVERY_ROLE, allow
from serving.anomalies.schemas import (
    AnomalyDetail,
    AnomalyIssue,
    ConnectorSort,
    IssueDetail,
    ListAnomaliesResponse,
    ListAnomalyConnectorsResponse,
    ListAnomalySessionsResponse,
    SessionSort,
    SortDirection,
    UpdateIssueRequest,
)
from serving.anomalies.service import AnomalyService
from serving.auth import Caller
from serving.errors import ERROR_RESPONSES
from serving.json_body import JsonBody
from serving.pagination import Page

AnomalyType = Annotated[str | None, QueryParameter(name="anomalyType", max_length=64)]
OccurrenceFrom = Annotated[datetime | None, QueryParameter(name="occurrenceFrom")]
OccurrenceTo = Annotated[datetime | None, QueryParameter(name="occurrenceTo")]
IdFilter = Annotated[str | None, QueryParameter(max_length=256)]


def _checked_times(**times: datetime | None) -> None:
    problems = [p for name, value in times.items() if value is not None and (p := check_query_time(name, value))]
    if problems:
        raise InvalidInput(problems)


class AnomalyController(Controller):
    """The anomaly lists and details, and issue triage."""

    path = "/v1/anomalies"
    tags = ["Anomalies"]

    @get(
        "/",
        operation_id="list_anomalies",
        opt=allow(EVERY_ROLE),
        summary="List Anomalies",
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def list_anomalies(
        self,
        caller: NamedDependency[Caller],
        anomalies: NamedDependency[AnomalyService],
        paging: NamedDependency[Page],
        anomaly_type: AnomalyType = None,
        connector_id: Annotated[str | None, QueryParameter(name="connectorId", max_length=256)] = None,
        charging_session_id: Annotated[str | None, QueryParameter(name="chargingSessionId", max_length=256)] = None,
        charging_point_id: Annotated[str | None, QueryParameter(name="chargingPointId", max_length=256)] = None,
        evse_id: Annotated[str | None, QueryParameter(name="evseId", max_length=256)] = None,
        occurrence_from: OccurrenceFrom = None,
        occurrence_to: OccurrenceTo = None,
        update_from: Annotated[datetime | None, QueryParameter(name="updateFrom")] = None,
        update_to: Annotated[datetime | None, QueryParameter(name="updateTo")] = None,
        sort_by_score: Annotated[SortDirection | None, QueryParameter(name="sortByScore")] = None,
        anomaly_issues_status: Annotated[str | None, QueryParameter(name="anomalyIssuesStatus", max_length=64)] = None,
        assigned_to: Annotated[str | None, QueryParameter(name="assignedTo", max_length=200)] = None,
    ) -> ListAnomaliesResponse:
        """Current anomalies, newest occurrence first unless `sortByScore` is given."""
        _checked_times(
            occurrenceFrom=occurrence_from, occurrenceTo=occurrence_to, updateFrom=update_from, updateTo=update_to
        )
        if connector_id is not None and evse_id is not None and connector_id != evse_id:
            connector_id = "\x00"  # one connector cannot be two: nothing matches
        filters = AnomalyFilters(
            category=anomaly_type,
            connector_id=connector_id if connector_id is not None else evse_id,
            session_id=charging_session_id,
            charging_station_id=charging_point_id,
            occurrence_from=occurrence_from,
            occurrence_to=occurrence_to,
            update_from=update_from,
            update_to=update_to,
            issue_status=anomaly_issues_status,
            assigned_to=assigned_to,
        )
        return anomalies.list_anomalies(caller.tenant_id, filters, sort_by_score, paging)

    @get(
        "/connectors",
        operation_id="list_anomaly_connectors",
        opt=allow(EVERY_ROLE),
        summary="List Anomaly Connectors",
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def list_anomaly_connectors(
        self,
        caller: NamedDependency[Caller],
        anomalies: NamedDependency[AnomalyService],
        paging: NamedDependency[Page],
        connector_id: Annotated[str | None, QueryParameter(name="connectorId", max_length=256)] = None,
        anomaly_type: AnomalyType = None,
        occurrence_from: OccurrenceFrom = None,
        occurrence_to: OccurrenceTo = None,
        sort_by: Annotated[ConnectorSort, QueryParameter(name="sortBy")] = ConnectorSort.LAST_UPDATE,
    ) -> ListAnomalyConnectorsResponse:
        """Connectors with current anomalies, one entry each."""
        _checked_times(occurrenceFrom=occurrence_from, occurrenceTo=occurrence_to)
        filters = AnomalyFilters(
            category=anomaly_type,
            connector_id=connector_id,
            occurrence_from=occurrence_from,
            occurrence_to=occurrence_to,
        )
        return anomalies.list_connectors(caller.tenant_id, filters, sort_by, paging)

    @get(
        "/sessions",
        operation_id="list_anomaly_sessions",
        opt=allow(EVERY_ROLE),
        summary="List Anomaly Sessions",
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def list_anomaly_sessions(
        self,
        caller: NamedDependency[Caller],
        anomalies: NamedDependency[AnomalyService],
        paging: NamedDependency[Page],
        anomaly_type: AnomalyType = None,
        charging_session_id: Annotated[str | None, QueryParameter(name="chargingSessionId", max_length=256)] = None,
        occurrence_from: OccurrenceFrom = None,
        occurrence_to: OccurrenceTo = None,
        sort_by: Annotated[SessionSort, QueryParameter(name="sortBy")] = SessionSort.LAST_UPDATE,
    ) -> ListAnomalySessionsResponse:
        """Sessions with current anomalies, one entry each."""
        _checked_times(occurrenceFrom=occurrence_from, occurrenceTo=occurrence_to)
        filters = AnomalyFilters(
            category=anomaly_type,
            session_id=charging_session_id,
            occurrence_from=occurrence_from,
            occurrence_to=occurrence_to,
        )
        return anomalies.list_sessions(caller.tenant_id, filters, sort_by, paging)

    @get(
        "/sessions/{session_id:str}/categories/{category_id:str}/details",
        operation_id="get_anomaly_detail",
        opt=allow(EVERY_ROLE),
        summary="Get Anomaly Detail",
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def get_anomaly_detail(
        self,
        caller: NamedDependency[Caller],
        anomalies: NamedDependency[AnomalyService],
        session_id: FromPath[str],
        category_id: FromPath[str],
    ) -> AnomalyDetail:
        """One anomaly: readings around it, its risk score per analysis run, its period and issues."""
        return anomalies.detail(caller.tenant_id, session_id, category_id)

    @patch(
        "/issues/{issue_id:str}",
        operation_id="update_issue",
        opt=allow(EVERY_ROLE),
        summary="Update Issue",
        dto=JsonBody[UpdateIssueRequest],
        return_dto=None,
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def update_issue(
        self,
        caller: NamedDependency[Caller],
        anomalies: NamedDependency[AnomalyService],
        issue_id: FromPath[str],
        data: JSONBody[UpdateIssueRequest],
    ) -> AnomalyIssue:
        """Status and/or assignment; 409 with the Error body for a transition the lifecycle forbids."""
        return anomalies.update_issue(caller.tenant_id, issue_id, data, caller.user_id or caller.subject)

    @get(
        "/issues/{issue_id:str}",
        operation_id="get_issue",
        opt=allow(EVERY_ROLE),
        summary="Get Issue",
        tags=["Issues"],
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def get_issue(
        self, caller: NamedDependency[Caller], anomalies: NamedDependency[AnomalyService], issue_id: FromPath[str]
    ) -> IssueDetail:
        """Extension: the issue with the sessions it covers and its full history (who, when, from, to)."""
        return anomalies.issue_detail(caller.tenant_id, issue_id)
