"""Reads of the workbench (工作台): every role's home page.

待办 and 预警 come from the to-do providers the apps register
(``core.registry``): each counts its lines in one query and lists its
nearest deadlines in one more, so the page costs a fixed number of queries
whatever the data. 通知公告 and the notification bell are core's own.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet

from shequ.core import registry
from shequ.core.errors import NotFound
from shequ.core.models import (
    Announcement,
    AnnouncementRead,
    Grant,
    Notification,
    Region,
    RegionLevel,
    User,
)
from shequ.core.registry import ToDo, ToDoItem
from shequ.core.scope import Actor
from shequ.core.workdays import WorkCalendar, local_today

ITEMS_PER_PROVIDER = 5
TOP_ITEMS = 8
TOP_COMMUNITIES = 5


@dataclass(frozen=True)
class DueItem:
    """A to-do item with its deadline counted in working days from today."""

    item: ToDoItem
    days_left: int | None  # negative: overdue by that many working days
    late: bool = False  # past its deadline (even with no working day since: 节假日)

    @property
    def level(self) -> str:
        if self.days_left is None:
            return "info"
        if self.late:
            return "urgent"
        return "warning" if self.days_left <= 1 else "info"

    @property
    def due_text(self) -> str:
        return due_text(self.days_left, self.late)


def due_text(days_left: int | None, late: bool = False) -> str:
    if days_left is None:
        return "无期限"
    if late:
        return f"超期{-days_left}个工作日" if days_left < 0 else "已超期"
    if days_left == 0:
        return "今日到期"
    return f"剩{days_left}个工作日"


@dataclass(frozen=True)
class DueLine:
    todo: ToDo
    days_left: int | None
    late: bool = False

    @property
    def due_text(self) -> str:
        return due_text(self.days_left, self.late)


@dataclass(frozen=True)
class CommunityOverdue:
    community: Region
    overdue: int


@dataclass
class Workbench:
    todos: list[DueLine] = field(default_factory=list)
    alerts: list[DueLine] = field(default_factory=list)
    items: list[DueItem] = field(default_factory=list)
    communities: list[CommunityOverdue] = field(default_factory=list)
    announcements: list[Announcement] = field(default_factory=list)
    watches: bool = False  # some provider watches a scope for this actor (预警 applies)

    @property
    def todo_count(self) -> int:
        return sum(line.todo.count for line in self.todos)


def _days_left(calendar: WorkCalendar, today: dt.date, due: dt.date | None) -> int | None:
    if due is None:
        return None
    return calendar.between(today, due).days


def _calendar(today: dt.date, dues: list[dt.date]) -> WorkCalendar:
    low = min([today, *dues])
    high = max([today, *dues])
    return WorkCalendar.load(low, high)


def workbench_for(*, actor: Actor) -> Workbench:
    """The actor's to-dos, alerts, nearest deadlines, the communities with
    the most overdue items (street and district) and recent announcements."""
    providers = registry.todo_providers(actor)
    given = [t for p in providers for t in p.provide(actor)]
    lines = sorted((t for t in given if t.count), key=registry.todo_sort_key)
    items = [
        item
        for p in providers
        if p.items is not None
        for item in p.items(actor, ITEMS_PER_PROVIDER)
    ]
    items.sort(key=lambda i: (i.due or dt.date.max, i.title))
    items = items[:TOP_ITEMS]
    today = local_today()
    calendar = _calendar(
        today, [d for d in [*(t.due for t in lines), *(i.due for i in items)] if d]
    )

    def late(due: dt.date | None) -> bool:
        return due is not None and due < today

    bench = Workbench(
        todos=[
            DueLine(t, _days_left(calendar, today, t.due), late(t.due))
            for t in lines
            if t.kind == "todo"
        ],
        alerts=[
            DueLine(t, _days_left(calendar, today, t.due), late(t.due))
            for t in lines
            if t.kind == "alert"
        ],
        items=[DueItem(i, _days_left(calendar, today, i.due), late(i.due)) for i in items],
        announcements=list(announcement_list(actor=actor)[:5]),
        watches=any(t.kind == "alert" for t in given),
    )
    if actor.region is not None and actor.region.level < RegionLevel.COMMUNITY:
        bench.communities = _overdue_communities(actor, providers)
    return bench


def _overdue_communities(
    actor: Actor, providers: list[registry.ToDoProvider]
) -> list[CommunityOverdue]:
    totals: Counter[int] = Counter()
    for provider in providers:
        if provider.overdue_by_community is not None:
            totals.update(provider.overdue_by_community(actor))
    top = [(cid, n) for cid, n in totals.most_common(TOP_COMMUNITIES) if n]
    regions = Region.objects.in_bulk([cid for cid, _ in top])
    return [CommunityOverdue(regions[cid], n) for cid, n in top if cid in regions]


# -- notifications -----------------------------------------------------------------------


def _notification_scope_q(actor: Actor) -> Q:
    """Notifications about objects the active grant still covers."""
    region = actor.region
    if region is None:
        return Q(pk__in=[])
    district_wide = Q(community__isnull=True, district_id=region.district_id)
    if region.level <= RegionLevel.COMMUNITY:
        return district_wide | actor.scope_q(community="community")
    return district_wide | Q(community_id=region.community_id)


def _notifications(actor: Actor) -> QuerySet[Notification]:
    user = actor.require_user()
    return Notification.objects.filter(recipient=user).filter(_notification_scope_q(actor))


def unread_count(*, actor: Actor) -> int:
    """The bell's number: one indexed count."""
    if not actor.is_authenticated or actor.region is None:
        return 0
    return _notifications(actor).filter(read_at__isnull=True).count()


def notification_list(*, actor: Actor, unread_only: bool = False) -> QuerySet[Notification]:
    qs = _notifications(actor)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def notification_target(*, actor: Actor, notification_id: int) -> Notification:
    """One of the actor's notifications that is still in scope (else 404)."""
    notification = _notifications(actor).filter(pk=notification_id).first()
    if notification is None:
        raise NotFound("通知不存在，或不是发给您的。")
    return notification


# -- announcements -----------------------------------------------------------------------


def _chain(region: Region) -> list[int]:
    ids = (
        region.district_id,
        region.street_id,
        region.community_id,
        region.compound_id,
        region.building_id,
        region.pk,
    )
    return sorted({i for i in ids if i is not None})


def _announcement_scope_q(actor: Actor) -> Q:
    """What reaches the actor (sent to its region or above it) and, for a
    publisher, what it may follow up (sent to a region it covers)."""
    region = actor.region
    if region is None:
        return Q(pk__in=[])
    q = Q(region_id__in=_chain(region))
    if "announcement.publish" in actor.permissions and region.ancestor_field:
        q |= Q(**{f"region__{region.ancestor_field}": region.pk})
    return q


def announcement_list(*, actor: Actor) -> QuerySet[Announcement]:
    """Newest first, each with ``is_read`` for the actor."""
    user = actor.user
    qs = Announcement.objects.filter(_announcement_scope_q(actor)).select_related("region")
    if user is not None:
        qs = qs.annotate(
            is_read=Exists(
                AnnouncementRead.objects.filter(announcement=OuterRef("pk"), user_id=user.pk)
            )
        )
    return qs.order_by("-important", "-published_at", "-id")


def announcement_get(*, actor: Actor, announcement_id: int) -> Announcement:
    announcement = (
        Announcement.objects.filter(_announcement_scope_q(actor))
        .select_related("region", "published_by")
        .filter(pk=announcement_id)
        .first()
    )
    if announcement is None:
        raise NotFound("通知公告不存在，或不是发给您所在范围的。")
    return announcement


def announcement_audience(announcement: Announcement) -> QuerySet[User]:
    """Who should read it: the active accounts with a grant in its region's
    subtree (the district's liaisons for a district-wide one)."""
    anc = announcement.region.ancestor_field
    grants = Grant.objects.filter(**{f"region__{anc}": announcement.region_id})
    return User.objects.filter(is_active=True, pk__in=grants.values("user_id"))


@dataclass(frozen=True)
class Receipts:
    audience: int
    read: list[tuple[User, dt.datetime]]
    unread: list[User]


def announcement_receipts(*, actor: Actor, announcement: Announcement) -> Receipts | None:
    """Read receipts, for a publisher whose grant covers the target (else None)."""
    if "announcement.publish" not in actor.permissions or not actor.covers(announcement.region):
        return None
    audience = list(announcement_audience(announcement).order_by("username"))
    read_at = dict(
        AnnouncementRead.objects.filter(announcement=announcement).values_list("user_id", "read_at")
    )
    return Receipts(
        audience=len(audience),
        read=[(u, read_at[u.pk]) for u in audience if u.pk in read_at],
        unread=[u for u in audience if u.pk not in read_at],
    )


def announcement_targets(*, actor: Actor) -> QuerySet[Region]:
    """The regions a publisher may send to: its own and the streets and
    communities below it."""
    return actor.regions().filter(level__lte=RegionLevel.COMMUNITY).order_by("level", "code")
