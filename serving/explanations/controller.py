"""`/v1/sessions/{session_id}/explain` and `/ask`: HTTP in, the explanation service, HTTP out."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.openapi.spec import Operation, RequestBody
from litestar.params import FromPath, JSONBody, QueryParameter

from evwatch.domain.explain.languages import DEFAULT_LANGUAGE
from serving.access import EVERY_ROLE, allow
from serving.auth import Caller
from serving.errors import ERROR_RESPONSES
from serving.explanations.schemas import (
    AskSessionRequest,
    AskSessionResponse,
    ExplainSessionRequest,
    SessionExplanation,
)
from serving.explanations.service import ExplanationService
from serving.json_body import JsonBody


@dataclass
class OptionalBodyOperation(Operation):
    """Litestar documents every request body as required; Explain Session's is optional (contract)."""

    def __post_init__(self) -> None:
        if isinstance(self.request_body, RequestBody):
            self.request_body = replace(self.request_body, required=False)


class ExplanationController(Controller):
    """Explanations of a session's analysis, and questions about the session, answered from its facts."""

    path = "/v1/sessions"
    tags = ["Sessions"]

    @get(
        "/{session_id:str}/explain",
        operation_id="get_session_explanation",
        opt=allow(EVERY_ROLE),
        summary="Get Session Explanation",
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def get_explanation(
        self,
        caller: NamedDependency[Caller],
        explanations: NamedDependency[ExplanationService],
        session_id: FromPath[str],
        lang: Annotated[str, QueryParameter(name="lang")] = DEFAULT_LANGUAGE,
    ) -> SessionExplanation:
        """The cached explanation in `lang` of the analysis the session shows; 404 when none is cached."""
        return explanations.cached(caller.tenant_id, session_id, lang)

    @post(
        "/{session_id:str}/explain",
        operation_id="explain_session",
        opt=allow(EVERY_ROLE),
        summary="Explain Session",
        status_code=200,
        dto=JsonBody[ExplainSessionRequest],
        return_dto=None,
        operation_class=OptionalBodyOperation,
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def explain_session(
        self,
        caller: NamedDependency[Caller],
        explanations: NamedDependency[ExplanationService],
        session_id: FromPath[str],
        data: JSONBody[ExplainSessionRequest | None] = None,
    ) -> SessionExplanation:
        """The cached explanation (`cached: true`) unless `regenerate`; else a fresh one, cached (`cached: false`)."""
        body = data or ExplainSessionRequest()
        return explanations.explain(caller.tenant_id, session_id, body.lang, body.regenerate)

    @post(
        "/{session_id:str}/ask",
        operation_id="ask_session",
        opt=allow(EVERY_ROLE),
        summary="Ask Session",
        status_code=200,
        dto=JsonBody[AskSessionRequest],
        return_dto=None,
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def ask_session(
        self,
        caller: NamedDependency[Caller],
        explanations: NamedDependency[ExplanationService],
        session_id: FromPath[str],
        data: JSONBody[AskSessionRequest],
    ) -> AskSessionResponse:
        """One question about the session, answered in `lang` from its facts only."""
        return explanations.ask(caller.tenant_id, session_id, data.question, data.lang)
