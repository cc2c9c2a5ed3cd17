"""Page-number pagination with bounded page sizes and links to the neighbouring pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000  # keeps the SQL offset far from integer overflow


class PageIn(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="The page to return, from 1.")
    page_size: int = Field(
        DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=f"Items per page, 1–{MAX_PAGE_SIZE}."
    )


class Pagination(PageNumberPagination):
    Input = PageIn  # type: ignore[assignment]

    class Output(Schema):
        count: int = Field(..., description="How many items match, on all pages together.")
        next: str | None = Field(..., description="The address of the next page, or null on the last.")
        previous: str | None = Field(..., description="The address of the previous page, or null on the first.")
        items: list[Any]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(page_size=DEFAULT_PAGE_SIZE, max_page_size=MAX_PAGE_SIZE, **kwargs)

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        page, size = pagination.page, pagination.page_size
        offset = (page - 1) * size
        count = self._items_count(queryset)
        return {
            "count": count,
            "next": _page_address(request, page + 1) if offset + size < count else None,
            "previous": _page_address(request, min(page - 1, _last_page(count, size))) if page > 1 else None,
            "items": queryset[offset : offset + size],
        }


def _last_page(count: int, size: int) -> int:
    return max(1, -(-count // size))


def _page_address(request: HttpRequest, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
