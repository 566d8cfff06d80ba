"""Paging parameters and the `Pagination` object every paginated list returns."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar.params import QueryParameter

PageParam = Annotated[int, QueryParameter(name="page", ge=0, description="Zero-based page index.")]
PageSizeParam = Annotated[int, QueryParameter(name="pageSize", ge=1, le=500, description="Items per page (1..500).")]


class Pagination(msgspec.Struct, rename="camel"):
    """`{totalCount, page, size}`."""

    total_count: int
    page: int
    size: int
