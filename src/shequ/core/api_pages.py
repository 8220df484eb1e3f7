"""One page schema for every API list: django-ninja's ``@paginate`` with
``Pages``. A list endpoint returns its scoped queryset (or ``mapped(rows,
out)`` when each row needs more than its fields to become the output) and
declares ``response={200: list[ItemOut], **refusals()}``; the page it answers is

    {"count": 123, "page": 2, "pages": 3, "page_size": 50, "items": [...]}

``page`` starts at 1 (0 or less is refused with 422); past the last page the
last page is given, as the web lists do. The page size is
``SHEQU_PAGE_SIZE``, the same as the pages'.

A module with ``@paginate`` views does not use ``from __future__ import
annotations``: django-ninja reads a paginated view's parameter annotations
(``Query[Filters]``) through its wrapper, where text annotations do not
resolve, and the OpenAPI schema fails to build (a test builds it).
"""

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase

Row = TypeVar("Row")


class mapped(Generic[Row]):  # noqa: N801 - used like a function
    """``rows`` turned into output by ``out`` for the slice a page takes only,
    so the count and the page are two queries however long the list."""

    def __init__(self, rows: QuerySet[Any] | Sequence[Any], out: Callable[[Any], Row]) -> None:
        self.rows = rows
        self.out = out

    def count(self) -> int:
        rows = self.rows
        return rows.count() if isinstance(rows, QuerySet) else len(rows)

    def __getitem__(self, window: slice) -> list[Row]:
        return [self.out(row) for row in self.rows[window]]


class Pages(PaginationBase):
    class Input(Schema):
        page: int = Field(1, ge=1, description="页码，从 1 开始；超出末页时返回末页")

    class Output(Schema):
        count: int = Field(description="符合条件的总条数")
        page: int = Field(description="本页页码")
        pages: int = Field(description="总页数（至少 1）")
        page_size: int = Field(description="每页条数")
        items: list[Any]

    def paginate_queryset(
        self,
        queryset: QuerySet[Any] | mapped[Any] | Sequence[Any],
        pagination: Input,
        request: HttpRequest,
        **params: Any,
    ) -> dict[str, Any]:
        rows = queryset if isinstance(queryset, mapped) else mapped(queryset, lambda row: row)
        size = settings.SHEQU_PAGE_SIZE
        total = rows.count()
        pages = max(1, -(-total // size))
        page = min(pagination.page, pages)
        start = (page - 1) * size
        return {
            "count": total,
            "page": page,
            "pages": pages,
            "page_size": size,
            "items": rows[start : start + size],
        }
