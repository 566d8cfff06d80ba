"""Reading JSON request bodies with the contract's 400/413/422 semantics."""

from __future__ import annotations

from typing import Any, TypeVar

from litestar import Request

from evwatch.contracts.decoding import decode
from evwatch.domain.errors import MalformedInput

T = TypeVar("T")


async def json_body(request: Request[Any, Any, Any], type_: type[T]) -> T:
    """Decode the body into `type_`; wrong content type or bad JSON is 400, bad fields 422."""
    content_type = request.headers.get("content-type", "application/json")
    if "json" not in content_type.lower():
        raise MalformedInput(f"Content-Type must be application/json, got {content_type!r}.")
    raw = await request.body()
    if not raw.strip():
        raise MalformedInput("Request body is empty; a JSON object is required.")
    return decode(raw, type_)
