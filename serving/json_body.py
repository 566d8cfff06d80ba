"""Request bodies decoded by evwatch's own decoder, typed on the handler so `/schema` documents them.

Litestar's default body handling answers 400 for a field that is missing or of the wrong type;
the contract wants 422 naming the field (400 only for what is not JSON at all), and NaN named as
a field rather than a byte offset. `JsonBody[T]` keeps Litestar's typed `data: T` parameter and
OpenAPI schema, and swaps in `evwatch.contracts.decoding.decode`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from litestar.dto import DTOConfig, MsgspecDTO
from litestar.typing import FieldDefinition
from msgspec import Struct

from evwatch.contracts.decoding import decode
from evwatch.domain.errors import MalformedInput

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.openapi.spec import Reference, Schema

T = TypeVar("T", bound=Struct)


class JsonBody(MsgspecDTO[T]):
    """`@post(..., dto=JsonBody[CreateSessionRequest], return_dto=None)` with `data: CreateSessionRequest`."""

    config = DTOConfig()

    def decode_bytes(self, value: bytes) -> Any:
        """The body as `T`; wrong content type or broken JSON is 400, invalid fields 422."""
        content_type = self.asgi_connection.headers.get("content-type", "application/json")
        if "json" not in content_type.lower():
            raise MalformedInput(f"Content-Type must be application/json, got {content_type!r}.")
        if not value.strip():
            raise MalformedInput(EMPTY_BODY)
        return decode(value, self.model_type)

    @classmethod
    def create_openapi_schema(
        cls, field_definition: FieldDefinition, handler_id: str, schema_creator: SchemaCreator
    ) -> Reference | Schema:
        """The wire struct's own schema (not a generated transfer model with a made-up name)."""
        return schema_creator.for_field_definition(FieldDefinition.from_annotation(cls.model_type))


EMPTY_BODY = "Request body is empty; a JSON object is required."
