"""Reads of the service desk, within the actor's scope.

The catalog is the district's: anyone with ``service_item.view`` reads the
catalog of the district their grant lies in. Windows, duties, adoptions and
qualifications belong to communities and are filtered by ``actor.scope_q``.
``district_of``, ``communities``, ``community_get`` and ``local_today`` are
core's, named here because the desk's views read them from this module.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from shequ.core.errors import NotFound
from shequ.core.models import Grant, Region, RegionLevel, User
from shequ.core.scope import Actor
from shequ.core.selectors import communities as communities
from shequ.core.selectors import community_get as community_get
from shequ.core.selectors import district_of as district_of
from shequ.core.workdays import local_today
from shequ.desk.catalog.services import DESK_ROLES
from shequ.desk.models import (
    Category,
    CommunityItem,
    Qualification,
    ServiceItem,
    ServiceItemVersion,
    Window,
    WindowDuty,
)

# -- catalog ---------------------------------------------------------------------------


def _items(actor: Actor) -> QuerySet[ServiceItem]:
    actor.require("service_item.view")
    return ServiceItem.objects.filter(district_id=actor.district_id)


def item_list(
    *, actor: Actor, q: str = "", category: str = "", include_retired: bool = False
) -> QuerySet[ServiceItem]:
    """事项清单，按编码排序；q 匹配编码、名称或责任部门。"""
    qs = _items(actor).select_related("current_version")
    if not include_retired:
        qs = qs.filter(retired_at__isnull=True)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(department__icontains=q))
    if category:
        qs = qs.filter(category=category)
    return qs.order_by("code")


def item_get(*, actor: Actor, item_id: int) -> ServiceItem:
    """One item with its current version and its version history (newest first)."""
    versions = ServiceItemVersion.objects.select_related("created_by").order_by("-number")
    item = (
        _items(actor)
        .select_related("current_version", "district")
        .prefetch_related(Prefetch("versions", queryset=versions, to_attr="history"))
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise NotFound("没有找到该事项。")
    return item


def version_get(*, actor: Actor, item: ServiceItem, number: int) -> ServiceItemVersion:
    version = (
        ServiceItemVersion.objects.filter(item=item, item__district_id=actor.district_id)
        .filter(number=number)
        .first()
    )
    if version is None:
        raise NotFound("没有找到该版本。")
    return version


@dataclass(frozen=True)
class CategoryCount:
    value: str
    label: str
    items: int


def category_counts(*, actor: Actor) -> list[CategoryCount]:
    """Items in use per category, every category listed (zero included)."""
    rows = dict(
        _items(actor)
        .filter(retired_at__isnull=True)
        .values_list("category")
        .annotate(n=Count("id"))
        .values_list("category", "n")
    )
    return [CategoryCount(c.value, c.label, rows.get(c.value, 0)) for c in Category]


# -- communities ----------------------------------------------------------------------


def actor_community(actor: Actor) -> Region | None:
    """The community of a community-level grant (secretary, worker), else None."""
    region = actor.region
    if region is None or region.level != RegionLevel.COMMUNITY:
        return None
    return region


def adopted_item_ids(*, actor: Actor, community: Region) -> set[int]:
    actor.require("service_item.view")
    if not actor.covers(community):
        raise NotFound("没有找到该社区。")
    return set(
        CommunityItem.objects.filter(community=community, active=True).values_list(
            "item_id", flat=True
        )
    )


def adoption_get(*, actor: Actor, community: Region, item: ServiceItem) -> CommunityItem | None:
    if not actor.covers(community):
        raise NotFound("没有找到该社区。")
    return CommunityItem.objects.filter(community=community, item=item).first()


# -- windows and duties -----------------------------------------------------------------


def _today_duty(day: dt.date) -> Prefetch:
    return Prefetch(
        "duties",
        queryset=WindowDuty.objects.filter(date=day).select_related("worker"),
        to_attr="today_duties",
    )


def window_list(
    *, actor: Actor, community: Region | None = None, day: dt.date | None = None
) -> QuerySet[Window]:
    """Windows in scope, each with ``today_duties`` (the worker on duty ``day``)."""
    actor.require("service_item.view")
    qs = Window.objects.filter(actor.scope_q(community="community"))
    if community is not None:
        qs = qs.filter(community=community)
    return (
        qs.select_related("community")
        .prefetch_related(_today_duty(day or local_today()))
        .order_by("community__code", "name")
    )


def window_get(*, actor: Actor, window_id: int) -> Window:
    window = (
        window_list(actor=actor).filter(pk=window_id).select_related("community__street").first()
    )
    if window is None:
        raise NotFound("没有找到该窗口。")
    return window


def window_duties(*, window: Window, start: dt.date, days: int = 14) -> list[WindowDuty]:
    """The roster of one window (already scope-checked by window_get)."""
    return list(
        WindowDuty.objects.filter(
            window=window, date__gte=start, date__lt=start + dt.timedelta(days=days)
        )
        .select_related("worker")
        .order_by("date")
    )


def desk_workers(*, actor: Actor, community: Region) -> QuerySet[User]:
    """Workers and secretaries of a community: who may sit at its windows."""
    if not actor.covers(community):
        raise NotFound("没有找到该社区。")
    ids = Grant.objects.filter(region=community, role__in=DESK_ROLES).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("username")


def desk_worker_get(*, actor: Actor, community: Region, user_id: int) -> User:
    worker = desk_workers(actor=actor, community=community).filter(pk=user_id).first()
    if worker is None:
        raise NotFound("没有找到该社区工作人员。")
    return worker


# -- qualifications -----------------------------------------------------------------------


def qualification_list(
    *, actor: Actor, community: Region | None = None, include_revoked: bool = False
) -> QuerySet[Qualification]:
    actor.require("service_item.view")
    qs = Qualification.objects.filter(actor.scope_q(community="community"))
    if community is not None:
        qs = qs.filter(community=community)
    if not include_revoked:
        qs = qs.filter(revoked_at__isnull=True)
    return qs.select_related("worker", "community", "granted_by").order_by(
        "community__code", "-all_categories", "worker__username", "-granted_at"
    )


def qualification_get(*, actor: Actor, qualification_id: int) -> Qualification:
    row = qualification_list(actor=actor, include_revoked=True).filter(pk=qualification_id).first()
    if row is None:
        raise NotFound("没有找到该受理资格。")
    return row


def can_accept(
    worker: User,
    item: ServiceItem,
    community: Region | None = None,
    *,
    check_adoption: bool = True,
) -> bool:
    """Whether ``worker`` holds a live qualification for the item's category —
    in ``community`` when given, where the item must also be adopted (unless
    the caller has just checked that itself: ``check_adoption=False``)."""
    if not worker.is_active or item.retired_at is not None:
        return False
    qs = Qualification.objects.filter(worker=worker, revoked_at__isnull=True)
    if community is not None:
        if check_adoption and not (
            CommunityItem.objects.filter(community=community, item=item, active=True).exists()
        ):
            return False
        qs = qs.filter(community=community)
    for all_categories, categories in qs.values_list("all_categories", "categories"):
        if all_categories or item.category in categories:
            return True
    return False


# -- counts for the home page and the report ------------------------------------------------


def _count(model, **filters) -> Coalesce:
    rows = (
        model.objects.filter(community=OuterRef("pk"), **filters)
        .order_by()
        .values("community")
        .annotate(n=Count("worker" if model is Qualification else "pk", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def desk_counts(*, actor: Actor) -> QuerySet[Region]:
    """Each community in scope with ``windows``, ``generalists`` (全科 workers),
    ``qualified`` (any live qualification) and ``adopted`` (items offered)."""
    actor.require("service_item.view")
    return communities(actor=actor).annotate(
        windows=_count(Window, active=True),
        generalists=_count(Qualification, revoked_at__isnull=True, all_categories=True),
        qualified=_count(Qualification, revoked_at__isnull=True),
        adopted=_count(CommunityItem, active=True, item__retired_at__isnull=True),
    )


@dataclass(frozen=True)
class DeskSummary:
    items: int
    communities: int
    generalists: int
    windows_min: int
    windows_max: int


def desk_summary(*, actor: Actor) -> DeskSummary:
    """培训全科社区工作人员x名，每个社区都设置了x到x个社区综合服务窗口."""
    rows = [getattr(c, "windows", 0) for c in desk_counts(actor=actor)]
    generalists = (
        Qualification.objects.filter(
            actor.scope_q(community="community"), revoked_at__isnull=True, all_categories=True
        )
        .values("worker")
        .distinct()
        .count()
    )
    return DeskSummary(
        items=_items(actor).filter(retired_at__isnull=True).count(),
        communities=len(rows),
        generalists=generalists,
        windows_min=min(rows, default=0),
        windows_max=max(rows, default=0),
    )
