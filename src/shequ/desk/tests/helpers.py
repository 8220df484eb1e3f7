"""Test data for the service desk, written straight to the tables (the
services are what the tests examine, so fixtures do not go through them)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.utils import timezone
from openpyxl import load_workbook

from shequ.core.models import Region, User
from shequ.desk.catalog.services import ItemSpec
from shequ.desk.models import (
    Category,
    CommunityItem,
    ItemKind,
    Qualification,
    ServiceItem,
    ServiceItemVersion,
    Window,
)

MATERIALS = [
    {"name": "居民身份证", "original_or_copy": "原件和复印件", "key": True, "template": ""},
    {"name": "户口簿", "original_or_copy": "原件", "key": True, "template": ""},
    {"name": "近期一寸免冠照片", "original_or_copy": "原件", "key": False, "template": ""},
]


def spec(**overrides) -> ItemSpec:
    data = {
        "name": "高龄津贴申领",
        "category": Category.ELDERLY,
        "department": "区民政局",
        "legal_basis": "《中华人民共和国老年人权益保障法》",
        "materials": [dict(m) for m in MATERIALS],
        "legal_days": 15,
        "promised_days": 5,
        "kind": ItemKind.PROMISED,
        "fee": Decimal("0.00"),
        "proxy_allowed": True,
        "online_allowed": False,
        "form_fields": [],
    }
    return ItemSpec(**(data | overrides))


def make_item(district: Region, code: str = "YL-001", **overrides) -> ServiceItem:
    s = spec(**overrides)
    item = ServiceItem.objects.create(
        district=district, code=code, name=s.name, category=s.category, department=s.department
    )
    version = ServiceItemVersion.objects.create(
        item=item, district=district, number=1, published_at=timezone.now(), **s.as_dict()
    )
    item.current_version = version
    item.save(update_fields=["current_version"])
    return item


def adopt(community: Region, item: ServiceItem, active: bool = True) -> CommunityItem:
    return CommunityItem.objects.create(
        district_id=community.district_id,
        community=community,
        item=item,
        adopted_at=timezone.now(),
        active=active,
    )


def make_window(community: Region, name: str = "1号综合窗口") -> Window:
    return Window.objects.create(district_id=community.district_id, community=community, name=name)


def qualify(worker: User, community: Region, categories: list[str] | None = None) -> Qualification:
    return Qualification.objects.create(
        district_id=community.district_id,
        community=community,
        worker=worker,
        all_categories=categories is None,
        categories=categories or [],
        granted_at=dt.date(2026, 3, 20),
        basis="2026年全科社工培训考核合格",
    )


def read_sheet(content: bytes) -> list[list]:
    book = load_workbook(io.BytesIO(content))
    return [list(r) for r in book["公共服务事项清单"].iter_rows(values_only=True)]
