"""Paging parameters and the `Pagination` object every paginated list returns."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar.params import Parameter

PageParam = Annotated[int, Parameter(query="page", ge=0, default=0, description="Zero-based page index.")]
PageSizeParam = Annotated[
    int, Parameter(query="pageSize", ge=1, le=500, default=20, description="Items per page (1..500).")
]


class Pagination(msgspec.Struct, rename="camel"):
    """`{totalCount, page, size}`."""

    total_count: int
    page: int
    size: int
