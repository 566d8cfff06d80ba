"""The one place where errors become HTTP responses with the contract's `Error` body."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from evwatch.domain.errors import Conflict, FieldProblem, Forbidden, InvalidInput, MalformedInput, NotFound, Unavailable
from evwatch.outages import is_outage
from serving.json_body import EMPTY_BODY

log = logging.getLogger("evwatch.api")

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "service_unavailable",
}


class Error(msgspec.Struct):
    """The contract's Error body, shared by every non-200 answer.

    `details.fields` lists `{field, message}` for each invalid field of a 422.
    """

    status: int
    code: str
    message: str
    details: dict[str, Any] | None


# Declared on every /v1 operation (the contract's error answers), so /schema documents them.
ERROR_RESPONSES: dict[int, ResponseSpec] = {
    status: ResponseSpec(data_container=Error, description=code.replace("_", " ").capitalize(), generate_examples=False)
    for status, code in _CODES.items()
    if status in (400, 401, 403, 404, 409, 413, 422, 429, 503)
}


def error_response(
    status: int, message: str, details: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> Response[Error]:
    """An Error body with the given status."""
    return Response(Error(status, _CODES.get(status, "error"), message, details), status_code=status, headers=headers)


def _fields(problems: list[FieldProblem]) -> dict[str, Any]:
    return {"fields": [{"field": p.field, "message": p.message} for p in problems]}


def _invalid(_: Request[Any, Any, Any], exc: InvalidInput) -> Response[Error]:
    return error_response(422, str(exc), _fields(exc.problems))


def _malformed(_: Request[Any, Any, Any], exc: MalformedInput) -> Response[Error]:
    return error_response(400, str(exc))


def _not_found(_: Request[Any, Any, Any], exc: NotFound) -> Response[Error]:
    return error_response(404, str(exc))


def _forbidden(_: Request[Any, Any, Any], exc: Forbidden) -> Response[Error]:
    return error_response(403, str(exc))


def _conflict(_: Request[Any, Any, Any], exc: Conflict) -> Response[Error]:
    return error_response(409, str(exc))


def _unavailable(_: Request[Any, Any, Any], exc: Unavailable) -> Response[Error]:
    log.warning("dependency unavailable: %s", exc)
    return error_response(503, str(exc))


def _wire_name(key: str) -> str:
    """Litestar names parameters by their Python name; clients know the camelCase query name."""
    head, *rest = key.split("_")
    return head + "".join(part.title() for part in rest)


def _validation(_: Request[Any, Any, Any], exc: ValidationException) -> Response[Error]:
    # Litestar raises this for path/query parameters (422 in the contract) and for a missing body.
    items = exc.extra if isinstance(exc.extra, list) else []
    if any(isinstance(item, dict) and item.get("key") == "data" for item in items):
        return error_response(400, EMPTY_BODY)
    problems = [
        FieldProblem(
            _wire_name(str(item.get("key") or item.get("source") or "$")), str(item.get("message", "is invalid"))
        )
        for item in items
        if isinstance(item, dict)
    ]
    message = "; ".join(f"{p.field}: {p.message}" for p in problems) or str(exc.detail)
    return error_response(422, message, _fields(problems) if problems else None)


def _http(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Error]:
    status = exc.status_code
    message = exc.detail
    if status == 413:
        message = f"Request body exceeds the allowed size: {exc.detail}"
    elif isinstance(exc, NotAuthorizedException):
        message = exc.detail or "Missing or invalid bearer token."
    elif isinstance(exc, PermissionDeniedException):
        message = exc.detail or "Forbidden."
    # Retry-After of a 429, Allow of a 405: the headers belong to the answer.
    return error_response(status, message, headers=dict(exc.headers or {}))


def _unexpected(_: Request[Any, Any, Any], exc: Exception) -> Response[Error]:
    if is_outage(exc):
        log.warning("dependency unavailable: %s", exc)
        return error_response(503, "A dependency is unavailable; try again shortly.")
    log.exception("unhandled error", exc_info=exc)
    return error_response(HTTP_500_INTERNAL_SERVER_ERROR, "Internal server error.")


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    InvalidInput: _invalid,
    MalformedInput: _malformed,
    NotFound: _not_found,
    Forbidden: _forbidden,
    Conflict: _conflict,
    Unavailable: _unavailable,
    ValidationException: _validation,
    HTTPException: _http,
    Exception: _unexpected,
}
