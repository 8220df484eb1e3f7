"""Reads of whistles (吹哨报到): the scoped list with its filters and their
choices, one whistle with its timeline, its progress in a resident's words,
and the department scorecard of a month.

Scope: a community sees its own whistles, a street its communities', the
district all; a department liaison only the whistles addressed to its
department (as lead or cooperating).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from shequ.core import selectors as core_selectors
from shequ.core.categories import IssueCategory
from shequ.core.errors import DomainError, NotFound, ValidationError
from shequ.core.models import Region, RegionLevel, TimelineEvent
from shequ.core.scope import Actor
from shequ.core.workdays import local_today
from shequ.whistles.models import (
    Department,
    EscalationNotice,
    Whistle,
    WhistleDispute,
    WhistleRule,
    WhistleState,
)
from shequ.whistles.scope import is_liaison, liaison_bodies
from shequ.whistles.whistle.services.flow import DEFAULT_RULE

MONTH_FORMAT = "%Y-%m"
MONTH_RE = re.compile(r"(\d{4})-(\d{1,2})")


def whistle_scope_q(actor: Actor) -> Q:
    if is_liaison(actor):
        ids = sorted(liaison_bodies(actor).department_ids)
        return Q(lead_department_id__in=ids) | Q(cooperating__id__in=ids)
    return actor.scope_q()


def month_bounds(month: str | None) -> tuple[str, dt.datetime, dt.datetime]:
    """("2026-03", start, end) of a month in Beijing time; this month by default."""
    text = (month or "").strip() or local_today().strftime(MONTH_FORMAT)
    match = MONTH_RE.fullmatch(text)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise ValidationError("月份格式应为“2026-03”。", field="month")
    first = dt.date(int(match.group(1)), int(match.group(2)), 1)
    if not 2000 <= first.year <= 2100:
        raise ValidationError("月份的年份不正确。", field="month")
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    start = timezone.make_aware(dt.datetime.combine(first, dt.time()))
    end = timezone.make_aware(dt.datetime.combine(nxt, dt.time()))
    return text, start, end


# The drill-down filters of the list, each one of the scorecard's figures.
FIGURES = {
    "received": Q(),
    "reported_on_time": Q(reported_at__isnull=False, reported_at__lte=F("report_in_due")),
    "resolved": Q(resolved_at__isnull=False),
    "resolved_on_time": Q(resolved_at__isnull=False, resolved_at__lte=F("resolve_due")),
    "satisfied": Q(evaluation__in=["satisfied", "basic"]),
    "evaluated": ~Q(evaluation=""),
}


def filter_communities(*, actor: Actor) -> list[Region]:
    """The communities the list may be narrowed to: those of the actor's
    grant (a liaison's grant is the district's, its whistles come from any
    community of it)."""
    actor.require("whistle.view")
    return list(core_selectors.communities(actor=actor))


def _filter_departments(actor: Actor) -> QuerySet[Department]:
    if is_liaison(actor):
        return Department.objects.filter(pk__in=sorted(liaison_bodies(actor).department_ids))
    if actor.district_id is None:
        return Department.objects.none()
    return Department.objects.filter(district_id=actor.district_id)


def filter_departments(*, actor: Actor) -> list[Department]:
    """The lead departments the list may be narrowed to: a liaison's own, or
    every department of the actor's district (stopped ones last: their old
    whistles are still looked up)."""
    actor.require("whistle.view")
    return list(_filter_departments(actor).order_by("-active", "kind", "name"))


def _filter_id(raw: Any, *, field: str, label: str) -> int:
    try:
        return int(str(raw))
    except ValueError:
        raise DomainError(f"{label}编号不正确。", field=field) from None


def whistle_list(
    *,
    actor: Actor,
    status: str = "",
    community_id: Any = None,
    department_id: Any = None,
    month: str = "",
    figure: str = "",
    escalated: bool = False,
) -> QuerySet[Whistle]:
    """The whistles in the actor's scope, newest first. A community or lead
    department the actor may not filter by is a bad request (400), so a
    hand-edited address never shows an empty list as if it were an answer."""
    actor.require("whistle.view")
    qs = Whistle.objects.filter(whistle_scope_q(actor))
    if status:
        if status not in WhistleState.values:
            raise ValidationError("请选择有效的状态。", field="status")
        qs = qs.filter(status=status)
    if community_id not in (None, ""):
        pk = _filter_id(community_id, field="community", label="社区")
        if pk not in actor.community_ids:
            raise DomainError("所选社区不存在，或不在您的管辖范围内。", field="community")
        qs = qs.filter(community_id=pk)
    if department_id not in (None, ""):
        pk = _filter_id(department_id, field="department", label="部门")
        if not _filter_departments(actor).filter(pk=pk).exists():
            raise DomainError("所选部门不存在，或不在您可查看的部门之内。", field="department")
        qs = qs.filter(lead_department_id=pk)
    if month:
        _, start, end = month_bounds(month)
        qs = qs.filter(addressed_at__gte=start, addressed_at__lt=end)
    if figure:
        if figure not in FIGURES:
            raise ValidationError("没有这项考评指标。", field="figure")
        qs = qs.filter(FIGURES[figure])
    if escalated:
        qs = qs.filter(escalation__gt=0)
    return (
        qs.distinct().select_related("community", "lead_department").order_by("-raised_at", "-id")
    )


def whistle_get(*, actor: Actor, whistle_id: int) -> Whistle:
    actor.require("whistle.view")
    whistle = (
        Whistle.objects.filter(whistle_scope_q(actor), pk=whistle_id)
        .select_related("community", "street", "lead_department", "place", "raised_by")
        .distinct()
        .first()
    )
    if whistle is None:
        raise NotFound("吹哨事项不存在，或不在您的管辖范围内。")
    return whistle


def whistles_visible(*, actor: Actor, whistle_ids: Iterable[int]) -> set[int]:
    """Which of ``whistle_ids`` the actor may open: the whistle page's own
    permission and scope (``whistle_get``), for pages that link to whistles."""
    ids = sorted(set(whistle_ids))
    if not ids or not actor.can("whistle.view"):
        return set()
    return set(
        Whistle.objects.filter(whistle_scope_q(actor), pk__in=ids).values_list("pk", flat=True)
    )


@dataclass(frozen=True)
class ProgressStep:
    label: str
    at: dt.datetime | None  # None: not reached yet


# A whistle's steps told to the resident whose appeal it carries: what
# happened and when, never who (no staff, no liaison, no department's person).
PROGRESS_WORDS = {
    "raise": "已转交职能部门处理",
    "dispute": "原承办部门认为不属其职责，正在重新派单",
    "reassign": "已改由其他职能部门承办",
    "report_in": "部门已接单（报到）",
    "start": "正在处置",
    "resolve": "已办结，待社区评价",
    "evaluate": "已办结",
}
# The steps after the raise, and how many of them each state has behind it
# (a disputed whistle waits to be reassigned: all of them are still ahead).
_AHEAD = ["report_in", "start", "resolve", "evaluate"]
_REACHED: dict[str, int] = {
    WhistleState.RAISED: 0,
    WhistleState.DISPUTED: 0,
    WhistleState.REPORTED: 1,
    WhistleState.HANDLING: 2,
    WhistleState.RESOLVED: 3,
    WhistleState.EVALUATED: 4,
    WhistleState.CLOSED: 4,
}


def resident_progress(*, whistles: Iterable[Whistle]) -> dict[int, list[ProgressStep]]:
    """Per whistle, its steps so far (with their dates, from its timeline) and
    the ones still ahead, in a resident's words. The caller has loaded the
    whistles through a scoped selector (the resident's own appeals'). One
    query for any number of whistles."""
    by_pk = {w.pk: w for w in whistles}
    if not by_pk:
        return {}
    done: dict[int, list[ProgressStep]] = {pk: [] for pk in by_pk}
    events = TimelineEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Whistle),
        object_id__in=sorted(by_pk),
        action__in=sorted(PROGRESS_WORDS),
    ).order_by("at", "id")
    for object_id, action, at in events.values_list("object_id", "action", "at"):
        done[object_id].append(ProgressStep(PROGRESS_WORDS[action], at))
    out = {}
    for pk, whistle in by_pk.items():
        ahead = _AHEAD[_REACHED.get(whistle.status, 0) :]
        out[pk] = done[pk] + [ProgressStep(PROGRESS_WORDS[a], None) for a in ahead]
    return out


def _notice_q(actor: Actor) -> Q:
    """Notices addressed to the liaison's departments; for staff, those of the
    communities of their street or district (not the communities themselves:
    督办 is the street's and the district's business)."""
    if is_liaison(actor):
        return Q(department_id__in=sorted(liaison_bodies(actor).department_ids))
    if actor.region is None or actor.region.level >= RegionLevel.COMMUNITY:
        return Q(pk__in=[])
    return actor.scope_q()


def escalation_notices(
    *, actor: Actor, unread: bool = False, limit: int = 20
) -> list[EscalationNotice]:
    """The latest escalation notices the actor sees (督办通知), newest first."""
    actor.require("whistle.view")
    qs = EscalationNotice.objects.filter(_notice_q(actor))
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return list(
        qs.select_related("whistle", "department", "community").order_by("-created_at", "-id")[
            :limit
        ]
    )


def unread_notice_count(*, actor: Actor) -> int:
    actor.require("whistle.view")
    return EscalationNotice.objects.filter(_notice_q(actor), read_at__isnull=True).count()


PLACE_CHOICES_MAX = 500


def place_choices(*, actor: Actor) -> list[Region]:
    """The compounds (小区) of the actor's communities, for the raise form."""
    actor.require("whistle.raise")
    if is_liaison(actor):
        return []
    return list(
        actor.regions()
        .filter(level=RegionLevel.COMPOUND)
        .select_related("community")
        .order_by("code")[:PLACE_CHOICES_MAX]
    )


def place_get(*, actor: Actor, place_id: Any) -> Region:
    """A compound or building within the actor's reach, for a whistle's place."""
    actor.require("whistle.raise")
    try:
        pk = int(str(place_id))
    except (TypeError, ValueError):
        raise ValidationError("请选择有效的小区或楼栋。", field="place") from None
    place = (
        actor.regions()
        .filter(pk=pk, level__in=[RegionLevel.COMPOUND, RegionLevel.BUILDING])
        .first()
        if not is_liaison(actor)
        else None
    )
    if place is None:
        raise ValidationError("所选小区或楼栋不存在，或不在您的管辖范围内。", field="place")
    return place


@dataclass(frozen=True)
class RuleRow:
    category: str
    label: str
    urgent_report_hours: int
    normal_report_days: int
    resolve_days: int
    is_default: bool


def whistle_rules(*, actor: Actor) -> list[RuleRow]:
    """Every appeal category with its deadlines in the actor's district (the
    defaults where the district set none)."""
    actor.require("department.manage")
    if actor.region is None:
        return []
    district_id = actor.region.district_id or actor.region.pk
    rows = {r.category: r for r in WhistleRule.objects.filter(district_id=district_id)}
    out = []
    for value, label in IssueCategory.choices:
        row = rows.get(value)
        src: Any = row if row is not None else DEFAULT_RULE
        out.append(
            RuleRow(
                value,
                label,
                src.urgent_report_hours,
                src.normal_report_days,
                src.resolve_days,
                row is None,
            )
        )
    return out


def department_choices(*, actor: Actor) -> QuerySet[Department]:
    if actor.region is None:
        return Department.objects.none()
    return Department.objects.filter(district_id=actor.region.district_id or actor.region.pk,
                                     active=True).order_by("kind", "name")  # fmt: skip


@dataclass
class ScoreRow:
    department: Department
    received: int
    reported_on_time: int
    resolved: int
    resolved_on_time: int
    evaluated: int
    satisfied: int
    disputes: int
    rank: int | None = None  # None: too few whistles in the month to be ranked

    @staticmethod
    def _pct(part: int, whole: int) -> float | None:
        return round(100.0 * part / whole, 1) if whole else None

    @property
    def reported_on_time_pct(self) -> float | None:
        return self._pct(self.reported_on_time, self.received)

    @property
    def resolved_pct(self) -> float | None:
        return self._pct(self.resolved, self.received)

    @property
    def resolved_on_time_pct(self) -> float | None:
        return self._pct(self.resolved_on_time, self.received)

    @property
    def satisfaction_pct(self) -> float | None:
        return self._pct(self.satisfied, self.evaluated)

    @property
    def sort_key(self) -> tuple[float, float, int, str]:
        """The ranking: resolved-on-time % (of whistles received), then
        satisfaction % (satisfied + basic over evaluated), then fewer
        disputes, then the name."""
        return (
            -(self.resolved_on_time_pct if self.resolved_on_time_pct is not None else -1),
            -(self.satisfaction_pct if self.satisfaction_pct is not None else -1),
            self.disputes,
            self.department.name,
        )


def last_full_month() -> str:
    """The month before this one ("2026-11" in December): the scorecard's
    default, since the running month has only its first days of data."""
    return (local_today().replace(day=1) - dt.timedelta(days=1)).strftime(MONTH_FORMAT)


def scorecard_min_whistles() -> int:
    """How many whistles a department needs in the month to be ranked
    (``SHEQU_SCORECARD_MIN_WHISTLES``): with one or two, a single late
    whistle puts it at 0 % above everyone else's record."""
    return max(1, int(settings.SHEQU_SCORECARD_MIN_WHISTLES))


def scorecard(*, actor: Actor, month: str = "") -> tuple[str, list[ScoreRow]]:
    """Per department of the actor's district, the month's figures (whistles
    addressed to it in the month, by ``addressed_at``); by default the last
    complete month. Departments with at least ``scorecard_min_whistles()``
    come first, ranked; the others follow unranked (``rank`` None), most
    whistles first. Two aggregate queries plus the departments: the count is
    flat in the number of rows.

    Streets and communities see the whole district's ranking (it is published)
    but their figures count only the whistles of their own communities."""
    actor.require("scorecard.view")
    month, start, end = month_bounds(month or last_full_month())
    departments = list(department_choices(actor=actor))
    in_month = Whistle.objects.filter(
        actor.scope_q(), addressed_at__gte=start, addressed_at__lt=end
    )
    figures: dict[int, dict[str, Any]] = {
        row["lead_department_id"]: dict(row)
        for row in in_month.values("lead_department_id").annotate(
            received=Count("id"),
            **{name: Count("id", filter=q) for name, q in FIGURES.items() if name != "received"},
        )
    }
    disputes = dict(
        WhistleDispute.objects.filter(actor.scope_q(), at__gte=start, at__lt=end)
        .values("department_id")
        .annotate(n=Count("id"))
        .values_list("department_id", "n")
    )
    rows = []
    for department in departments:
        f: dict[str, Any] = figures.get(department.pk, {})
        rows.append(
            ScoreRow(
                department=department,
                received=f.get("received", 0),
                reported_on_time=f.get("reported_on_time", 0),
                resolved=f.get("resolved", 0),
                resolved_on_time=f.get("resolved_on_time", 0),
                evaluated=f.get("evaluated", 0),
                satisfied=f.get("satisfied", 0),
                disputes=disputes.get(department.pk, 0),
            )
        )
    least = scorecard_min_whistles()
    ranked = sorted((r for r in rows if r.received >= least), key=lambda r: r.sort_key)
    for i, row in enumerate(ranked, start=1):
        row.rank = i
    unranked = sorted(
        (r for r in rows if r.received < least), key=lambda r: (-r.received, r.department.name)
    )
    return month, ranked + unranked
