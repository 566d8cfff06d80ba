"""Paging: the `page`/`pageSize` query parameters, bounded, and the `Pagination` object lists return."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

import msgspec
from litestar.params import QueryParameter

from evwatch.domain.bounds import Bounds
from evwatch.domain.errors import InvalidInput

PageParam = Annotated[int, QueryParameter(name="page", ge=0, description="Zero-based page index.")]
PageSizeParam = Annotated[int, QueryParameter(name="pageSize", ge=1, le=500, description="Items per page (1..500).")]


@dataclass(frozen=True, slots=True)
class Page:
    """Which page of a list to answer."""

    number: int
    size: int


def page_provider(bounds: Bounds) -> Callable[..., Page]:
    """The `paging` dependency: one place reads and bounds the paging parameters of every list."""

    def provide_page(page: PageParam = 0, page_size: PageSizeParam = 20) -> Page:
        problem = bounds.check_page(page, page_size)
        if problem is not None:
            raise InvalidInput([problem])
        return Page(page, page_size)

    return provide_page


class Pagination(msgspec.Struct, rename="camel"):
    """`{totalCount, page, size}`."""

    total_count: int
    page: int
    size: int

    @classmethod
    def of(cls, page: Page, total: int) -> Pagination:
        """The pagination object of `page` in a list of `total` items."""
        return cls(total, page.number, page.size)
