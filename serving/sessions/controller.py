"""`/v1/sessions` handlers: thin translations between HTTP and the session service."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from anyio import to_thread
from litestar import Controller, Request, get, patch, post, put
from litestar.datastructures import State
from litestar.params import Parameter

from evwatch.contracts.meter_values import CreateSessionRequest, ReplaceSessionRequest, UpdateSessionRequest
from evwatch.session_service import SessionService
from evwatch.storage import sessions as store
from serving.auth import Caller
from serving.body import json_body
from serving.pagination import PageParam, PageSizeParam, Pagination
from serving.sessions.schemas import (
    ListSessionsResponse,
    SessionAnalysis,
    SessionDetail,
    session_analysis,
    session_detail,
    session_summary,
)


def _service(state: State) -> SessionService:
    return state.runtime.sessions  # type: ignore[no-any-return]


class SessionController(Controller):
    """List, create, read, replace and append to charging sessions."""

    path = "/v1/sessions"
    tags = ["Sessions"]

    @get("/", operation_id="list_sessions", summary="List Sessions")
    async def list_sessions(
        self,
        caller: Caller,
        state: State,
        page: PageParam = 0,
        page_size: PageSizeParam = 20,
        charging_station_id: Annotated[str | None, Parameter(query="chargingStationId")] = None,
        evse_id: Annotated[str | None, Parameter(query="evseId")] = None,
        is_anomaly: Annotated[bool | None, Parameter(query="isAnomaly")] = None,
        min_score: Annotated[float | None, Parameter(query="minScore")] = None,
        min_confidence: Annotated[float | None, Parameter(query="minConfidence")] = None,
        date_from: Annotated[datetime | None, Parameter(query="dateFrom")] = None,
        date_to: Annotated[datetime | None, Parameter(query="dateTo")] = None,
    ) -> ListSessionsResponse:
        """Page through the tenant's sessions, newest first, with their latest analysis."""
        filters = store.SessionFilters(
            charging_station_id, evse_id, is_anomaly, min_score, min_confidence, date_from, date_to
        )
        items, total = await to_thread.run_sync(
            store.list_sessions, _service(state).client, caller.tenant_id, filters, page, page_size
        )
        return ListSessionsResponse([session_summary(i) for i in items], Pagination(total, page, page_size))

    @post("/", operation_id="create_session", summary="Create Session", status_code=200)
    async def create_session(self, caller: Caller, state: State, request: Request[Any, Any, Any]) -> SessionAnalysis:
        """Create a session; with 3+ meter values the CSAR-2 analysis is in the answer."""
        body = await json_body(request, CreateSessionRequest)
        view = await to_thread.run_sync(_service(state).create, caller.tenant_id, body)
        return session_analysis(view)

    @get("/{session_id:str}", operation_id="get_session_detail", summary="Get Session Detail")
    async def get_session(self, caller: Caller, state: State, session_id: str) -> SessionDetail:
        """The session, its meter values (reconstructed SoC flagged) and its latest analysis."""
        return session_detail(await to_thread.run_sync(_service(state).detail, caller.tenant_id, session_id))

    @put("/{session_id:str}", operation_id="replace_session", summary="Replace Session")
    async def replace_session(
        self, caller: Caller, state: State, session_id: str, request: Request[Any, Any, Any]
    ) -> SessionAnalysis:
        """Replace every meter value; 3+ after the swap triggers CSAR-2."""
        body = await json_body(request, ReplaceSessionRequest)
        return session_analysis(await to_thread.run_sync(_service(state).replace, caller.tenant_id, session_id, body))

    @patch("/{session_id:str}", operation_id="update_session", summary="Update Session")
    async def update_session(
        self, caller: Caller, state: State, session_id: str, request: Request[Any, Any, Any]
    ) -> SessionAnalysis:
        """Append meter values; an empty list changes nothing and runs no inference."""
        body = await json_body(request, UpdateSessionRequest)
        return session_analysis(await to_thread.run_sync(_service(state).append, caller.tenant_id, session_id, body))
