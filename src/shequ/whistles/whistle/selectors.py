"""Reads of whistles (吹哨报到): the scoped list with its filters, one whistle
with its timeline, and the department scorecard of a month.

Scope: a community sees its own whistles, a street its communities', the
district all; a department liaison only the whistles addressed to its
department (as lead or cooperating).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from shequ.core.categories import IssueCategory
from shequ.core.errors import NotFound, ValidationError
from shequ.core.models import Region, RegionLevel
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


def whistle_list(
    *,
    actor: Actor,
    status: str = "",
    department_id: Any = None,
    month: str = "",
    figure: str = "",
    escalated: bool = False,
) -> QuerySet[Whistle]:
    actor.require("whistle.view")
    qs = Whistle.objects.filter(whistle_scope_q(actor))
    if status:
        if status not in WhistleState.values:
            raise ValidationError("请选择有效的状态。", field="status")
        qs = qs.filter(status=status)
    if department_id not in (None, ""):
        try:
            qs = qs.filter(lead_department_id=int(str(department_id)))
        except ValueError:
            raise ValidationError("部门编号不正确。", field="department") from None
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
    rank: int = 0

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
        disputes, then the name. A department without whistles ranks last."""
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


def scorecard(*, actor: Actor, month: str = "") -> tuple[str, list[ScoreRow]]:
    """Per department of the actor's district, the month's figures (whistles
    addressed to it in the month, by ``addressed_at``), ranked; by default
    the last complete month. Two aggregate queries plus the departments: the
    count is flat in the number of rows.

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
    rows.sort(key=lambda r: r.sort_key)
    for i, row in enumerate(rows, start=1):
        row.rank = i
    return month, rows
