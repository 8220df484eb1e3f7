"""一窗受理 API: the catalog and the windows, through the same selectors as the pages."""

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from shequ.core.api_auth import require
from shequ.core.api_pages import Pages, mapped
from shequ.core.api_schema import choice, refusals
from shequ.desk.catalog import selectors
from shequ.desk.models import Category, ItemKind, ServiceItem, ServiceItemVersion, Window

router = Router(tags=["一窗受理"])

CategoryChoice = choice(Category.values, "未知的类别。")


class ServiceItemOut(Schema):
    id: int
    code: str
    name: str
    category: str
    category_label: str
    department: str
    version: int
    kind: str
    promised_days: int
    online_allowed: bool
    retired: bool


class ItemMaterialOut(Schema):
    name: str
    original_or_copy: str
    key: bool
    template: str = ""


class ItemFormFieldOut(Schema):
    name: str
    type: str
    required: bool
    options: list[str]


class ItemVersionOut(Schema):
    number: int
    name: str
    category: str
    department: str
    legal_basis: str
    materials: list[ItemMaterialOut]
    legal_days: int
    promised_days: int
    kind: str
    kind_label: str
    fee: Decimal
    proxy_allowed: bool
    online_allowed: bool
    form_fields: list[ItemFormFieldOut]
    published_at: dt.datetime


class ServiceItemDetailOut(Schema):
    id: int
    code: str
    retired: bool
    current_version: ItemVersionOut
    versions: list[int] = Field(description="全部版本号，新版在前")


class ServiceItemFilters(Schema):
    q: str = ""
    category: CategoryChoice = Field(None, description="类别")


class WindowDutyOut(Schema):
    date: dt.date
    worker_id: int
    worker: str


class WindowOut(Schema):
    id: int
    name: str
    active: bool
    community_id: int
    on_duty: list[WindowDutyOut] = Field(description="今日值班人员")


def _item_out(item: ServiceItem) -> ServiceItemOut:
    cur = item.current_version
    return ServiceItemOut(
        id=item.pk,
        code=item.code,
        name=item.name,
        category=item.category,
        category_label=Category(item.category).label,
        department=item.department,
        version=cur.number if cur else 0,
        kind=cur.kind if cur else "",
        promised_days=cur.promised_days if cur else 0,
        online_allowed=cur.online_allowed if cur else False,
        retired=item.retired_at is not None,
    )


def _version_out(v: ServiceItemVersion) -> ItemVersionOut:
    return ItemVersionOut(
        number=v.number,
        name=v.name,
        category=v.category,
        department=v.department,
        legal_basis=v.legal_basis,
        materials=[ItemMaterialOut(**m) for m in v.materials],
        legal_days=v.legal_days,
        promised_days=v.promised_days,
        kind=v.kind,
        kind_label=ItemKind(v.kind).label,
        fee=v.fee,
        proxy_allowed=v.proxy_allowed,
        online_allowed=v.online_allowed,
        form_fields=[ItemFormFieldOut(**f) for f in v.form_fields],
        published_at=v.published_at,
    )


@router.get("/items", response={200: list[ServiceItemOut], **refusals()}, summary="事项清单")
@paginate(Pages)
def items(request: HttpRequest, filters: Query[ServiceItemFilters]):
    actor = require(request, "service_item.view")
    rows = selectors.item_list(actor=actor, q=filters.q, category=filters.category or "")
    return mapped(rows, _item_out)


@router.get(
    "/items/{item_id}",
    response={200: ServiceItemDetailOut, **refusals(404)},
    summary="事项及其现行版本",
)
def item(request: HttpRequest, item_id: int):
    actor = require(request, "service_item.view")
    row = selectors.item_get(actor=actor, item_id=item_id)
    assert row.current_version is not None  # noqa: S101 - every item is written with version 1
    return ServiceItemDetailOut(
        id=row.pk,
        code=row.code,
        retired=row.retired_at is not None,
        current_version=_version_out(row.current_version),
        versions=[v.number for v in row.history],
    )


def _window_out(w: Window) -> WindowOut:
    return WindowOut(
        id=w.pk,
        name=w.name,
        active=w.active,
        community_id=w.community_id,
        on_duty=[
            WindowDutyOut(date=d.date, worker_id=d.worker_id, worker=str(d.worker))
            for d in w.today_duties
        ],
    )


@router.get(
    "/communities/{community_id}/windows",
    response={200: list[WindowOut], **refusals(404)},
    summary="社区综合窗口",
)
def windows(request: HttpRequest, community_id: int):
    actor = require(request, "service_item.view")
    community = selectors.community_get(actor=actor, community_id=community_id)
    return [_window_out(w) for w in selectors.window_list(actor=actor, community=community)]
