"""`/v1/sessions`: HTTP in, the session service, HTTP out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from evwatch.contracts.meter_values import CreateSessionRequest, ReplaceSessionRequest, UpdateSessionRequest
from evwatch.domain.bounds import check_query_time
from evwatch.domain.errors import InvalidInput
from evwatch.domain.sessions import SessionFilters
from serving.access import EVERY_ROLE, allow
from serving.auth import Caller
from serving.errors import ERROR_RESPONSES
from serving.json_body import JsonBody
from serving.pagination import Page
from serving.sessions.schemas import ListSessionsResponse, SessionAnalysis, SessionDetail
from serving.sessions.service import SessionService


class SessionController(Controller):
    """List, create, read, replace and append to charging sessions."""

    path = "/v1/sessions"
    tags = ["Sessions"]

    @get(
        "/",
        operation_id="list_sessions",
        opt=allow(EVERY_ROLE),
        summary="List Sessions",
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def list_sessions(
        self,
        caller: NamedDependency[Caller],
        sessions: NamedDependency[SessionService],
        paging: NamedDependency[Page],
        charging_station_id: Annotated[str | None, QueryParameter(name="chargingStationId")] = None,
        evse_id: Annotated[str | None, QueryParameter(name="evseId")] = None,
        is_anomaly: Annotated[bool | None, QueryParameter(name="isAnomaly")] = None,
        min_score: Annotated[float | None, QueryParameter(name="minScore")] = None,
        min_confidence: Annotated[float | None, QueryParameter(name="minConfidence")] = None,
        date_from: Annotated[datetime | None, QueryParameter(name="dateFrom")] = None,
        date_to: Annotated[datetime | None, QueryParameter(name="dateTo")] = None,
    ) -> ListSessionsResponse:
        """Page through the tenant's sessions, newest first, with their latest analysis."""
        problems = [
            problem
            for name, value in (("dateFrom", date_from), ("dateTo", date_to))
            if value is not None and (problem := check_query_time(name, value)) is not None
        ]
        if problems:
            raise InvalidInput(problems)
        filters = SessionFilters(
            charging_station_id, evse_id, is_anomaly, min_score, min_confidence, date_from, date_to
        )
        return sessions.list_sessions(caller.tenant_id, filters, paging)

    @post(
        "/",
        operation_id="create_session",
        opt=allow(EVERY_ROLE),
        summary="Create Session",
        status_code=200,
        dto=JsonBody[CreateSessionRequest],
        return_dto=None,
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def create_session(
        self,
        caller: NamedDependency[Caller],
        sessions: NamedDependency[SessionService],
        data: JSONBody[CreateSessionRequest],
    ) -> SessionAnalysis:
        """Create a session; with 3+ meter values the CSAR-2 analysis is in the answer."""
        return sessions.create(caller.tenant_id, data)

    @get(
        "/{session_id:str}",
        operation_id="get_session_detail",
        opt=allow(EVERY_ROLE),
        summary="Get Session Detail",
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def get_session(
        self, caller: NamedDependency[Caller], sessions: NamedDependency[SessionService], session_id: FromPath[str]
    ) -> SessionDetail:
        """The session, its meter values (reconstructed SoC flagged) and its latest analysis."""
        return sessions.detail(caller.tenant_id, session_id)

    @put(
        "/{session_id:str}",
        operation_id="replace_session",
        opt=allow(EVERY_ROLE),
        summary="Replace Session",
        dto=JsonBody[ReplaceSessionRequest],
        return_dto=None,
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def replace_session(
        self,
        caller: NamedDependency[Caller],
        sessions: NamedDependency[SessionService],
        session_id: FromPath[str],
        data: JSONBody[ReplaceSessionRequest],
    ) -> SessionAnalysis:
        """Replace every meter value; 3+ after the swap triggers CSAR-2."""
        return sessions.replace(caller.tenant_id, session_id, data)

    @patch(
        "/{session_id:str}",
        operation_id="update_session",
        opt=allow(EVERY_ROLE),
        summary="Update Session",
        dto=JsonBody[UpdateSessionRequest],
        return_dto=None,
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def update_session(
        self,
        caller: NamedDependency[Caller],
        sessions: NamedDependency[SessionService],
        session_id: FromPath[str],
        data: JSONBody[UpdateSessionRequest],
    ) -> SessionAnalysis:
        """Append meter values; an empty list changes nothing and runs no inference."""
        return sessions.append(caller.tenant_id, session_id, data)
