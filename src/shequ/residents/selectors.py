"""Reads of the resident register, always within the actor's scope.

A building head sees the residents of the building only; sensitive tags
(低保, 残疾, 特殊家庭) are visible only with ``resident.sensitive_tags``.
60+ and 80+ are derived from the birth date against today's date in
Asia/Shanghai, never stored.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, Prefetch, Q, QuerySet, Value, When

from shequ.core import registry
from shequ.core.errors import NotFound, PermissionDenied, ValidationError
from shequ.core.idcard import age_on
from shequ.core.models import Region, RegionLevel
from shequ.core.pii import blind_index
from shequ.core.registry import HistoryEntry
from shequ.core.scope import Actor
from shequ.core.workdays import local_today
from shequ.residents.models import (
    SENSITIVE_TAGS,
    Household,
    Relation,
    Resident,
    ResidentTag,
    Tag,
)

# The register's two lists: who lives here now (the default) and who left (迁出).
STATUS_LEFT = "left"
STATUS_CHOICES: list[tuple[str, str]] = [("", "在册居民"), (STATUS_LEFT, "已迁出")]

# Derived tags: the filter value and the age it starts at.
AGE_TAGS: dict[str, int] = {"60+": 60, "80+": 80}
AGE_TAG_LABELS: dict[str, str] = {"60+": "60岁以上", "80+": "80岁以上"}

_HEAD_FIRST = Case(
    When(relation=Relation.HEAD, then=Value(0)), default=Value(1), output_field=IntegerField()
)
_ID_RE = re.compile(r"\d{17}[\dXx]")
_PHONE_RE = re.compile(r"(?:\+?86)?(1\d{10})")


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` earlier (29 Feb falls back to 28 Feb)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_tag(birth: dt.date, today: dt.date) -> str | None:
    """The highest derived age tag a birth date earns on ``today``."""
    age = age_on(birth, today)
    for tag, threshold in sorted(AGE_TAGS.items(), key=lambda kv: -kv[1]):
        if age >= threshold:
            return tag
    return None


def visible_tags(actor: Actor) -> list[tuple[str, str]]:
    """(value, label) of the stored tags the actor may see and filter by."""
    sensitive = actor.can("resident.sensitive_tags")
    return [(t.value, t.label) for t in Tag if sensitive or t not in SENSITIVE_TAGS]


def tag_filter_choices(actor: Actor) -> list[tuple[str, str]]:
    return list(AGE_TAG_LABELS.items()) + visible_tags(actor)


def _tag_prefetch(actor: Actor) -> Prefetch:
    rows = ResidentTag.objects.order_by("tag")
    if not actor.can("resident.sensitive_tags"):
        rows = rows.exclude(tag__in=SENSITIVE_TAGS)
    return Prefetch("tag_rows", queryset=rows, to_attr="visible_tags")


def _scoped_residents(actor: Actor) -> QuerySet[Resident]:
    # Personal data: scope alone is not enough (an inspector's district-wide
    # grant reads statistics, never residents).
    actor.require("resident.view")
    return Resident.objects.filter(actor.scope_q(community="community", region="household__unit"))


def _search(q: str) -> Q:
    q = q.strip()
    compact = re.sub(r"[\s-]", "", q)
    if _ID_RE.fullmatch(compact):
        return Q(id_number_index=blind_index(compact, purpose="id_number"))
    phone = _PHONE_RE.fullmatch(compact)
    if phone:
        return Q(phone_index=blind_index(phone.group(1), purpose="phone"))
    return Q(name__icontains=q)


def resident_list(
    *,
    actor: Actor,
    q: str = "",
    building: Region | int | None = None,
    tag: str | None = None,
    age: int | None = None,
    status: str | None = None,
    today: dt.date | None = None,
) -> QuerySet[Resident]:
    """居民列表。q 匹配姓名，或完整身份证号/手机号（经盲索引精确查找）。
    默认只列在册居民；status="left" 列已迁出的（含个人信息已删除的）。"""
    qs = _scoped_residents(actor)
    if not status:
        qs = qs.filter(left_at__isnull=True)
    elif status == STATUS_LEFT:
        qs = qs.filter(left_at__isnull=False)
    else:
        raise ValidationError("未知的居民状态，可选：在册居民、已迁出。", field="status")
    if q and q.strip():
        qs = qs.filter(_search(q))
    if building is not None:
        qs = qs.filter(household__building_id=getattr(building, "pk", building))
    today = today or local_today()
    if tag:
        if tag in AGE_TAGS:
            age = max(age or 0, AGE_TAGS[tag])
        elif tag in Tag.values:
            if tag in SENSITIVE_TAGS and not actor.can("resident.sensitive_tags"):
                raise PermissionDenied("您没有查看敏感标签（低保、残疾、特殊家庭）的权限。")
            qs = qs.filter(tag_rows__tag=tag)
        else:
            raise ValidationError("未知的标签。", field="tag")
    if age is not None:
        qs = qs.filter(birth_date__lte=years_before(today, age))
    return (
        qs.select_related("community", "household__unit__compound", "household__unit__building")
        .prefetch_related(_tag_prefetch(actor))
        .order_by("community__code", "household__unit__code", "household__room", _HEAD_FIRST, "id")
    )


def resident_get(*, actor: Actor, resident_id: int) -> Resident:
    resident = (
        _scoped_residents(actor)
        .select_related("community", "household__unit__compound", "household__unit__building")
        .prefetch_related(_tag_prefetch(actor))
        .filter(pk=resident_id)
        .first()
    )
    if resident is None:
        raise NotFound("未找到该居民，或该居民不在您的管辖范围内。")
    return resident


def household_list(*, actor: Actor, unit: Region | None = None) -> QuerySet[Household]:
    actor.require("resident.view")
    qs = Household.objects.filter(actor.scope_q(community="community", region="unit"))
    if unit is not None:
        qs = qs.filter(unit=unit)
    return qs.select_related("community", "unit__compound", "unit__building").order_by(
        "unit__code", "room"
    )


def household_get(*, actor: Actor, household_id: int) -> Household:
    household = (
        household_list(actor=actor)
        .prefetch_related(
            Prefetch(
                "members",
                # Current members first; those who left (迁出) are listed after them.
                queryset=Resident.objects.order_by(
                    F("left_at").asc(nulls_first=True), _HEAD_FIRST, "id"
                ).prefetch_related(_tag_prefetch(actor)),
            )
        )
        .filter(pk=household_id)
        .first()
    )
    if household is None:
        raise NotFound("未找到该住户，或该住户不在您的管辖范围内。")
    return household


def unit_choices(*, actor: Actor) -> QuerySet[Region]:
    """Units the actor may register residents in, with their address parts."""
    return (
        actor.regions()
        .filter(level=RegionLevel.UNIT)
        .select_related("compound", "building")
        .order_by("code")
    )


def unit_get(*, actor: Actor, unit_id: int) -> Region:
    unit = unit_choices(actor=actor).filter(pk=unit_id).first()
    if unit is None:
        raise NotFound("未找到该单元，或该单元不在您的管辖范围内。")
    return unit


def building_choices(*, actor: Actor) -> QuerySet[Region]:
    return (
        actor.regions()
        .filter(level=RegionLevel.BUILDING)
        .select_related("compound")
        .order_by("code")
    )


@dataclass(frozen=True)
class CommunityCount:
    community: Region
    residents: int
    households: int


def community_counts(*, actor: Actor) -> list[CommunityCount]:
    """居民数、户数 per community in scope, read from the RegionStat rollup."""
    if actor.region is None or actor.region.level > RegionLevel.COMMUNITY:
        return []
    communities = (
        Region.objects.filter(pk__in=actor.community_ids).select_related("stat").order_by("code")
    )
    out = []
    for c in communities:
        stat = getattr(c, "stat", None)
        out.append(
            CommunityCount(
                community=c,
                residents=stat.residents if stat else 0,
                households=stat.households if stat else 0,
            )
        )
    return out


def resident_self(*, actor: Actor) -> Resident | None:
    """The register entry linked to the resident's own account, with the
    household's members; None when the account is not linked yet."""
    actor.require("resident.self")
    return (
        Resident.objects.filter(actor.scope_q(community="community"), user=actor.user)
        .select_related("community", "household__unit__compound", "household__unit__building")
        .prefetch_related(
            Prefetch(
                "household__members",
                queryset=Resident.objects.current().order_by(_HEAD_FIRST, "id"),
                to_attr="member_list",
            )
        )
        .first()
    )


def head_successors(*, resident: Resident) -> QuerySet[Resident]:
    """The other current members of a head's household: who may become head
    when the head leaves (迁出). Empty for a member who is not the head."""
    if resident.relation != Relation.HEAD or resident.left_at is not None:
        return Resident.objects.none()
    return (
        Resident.objects.current()
        .filter(household_id=resident.household_id)
        .exclude(pk=resident.pk)
        .order_by("id")
    )


def residents_on(*, region: Region, day: dt.date) -> int:
    """居民数 of ``region``'s subtree as it stood at the end of ``day``: the
    residents registered by then who had not left by then. A figure of the
    past keeps its value when residents leave (or are erased) later."""
    anc = region.ancestor_field
    where = {f"household__unit__{anc}": region.pk} if anc else {"household__unit": region.pk}
    return (
        Resident.objects.filter(**where, created_at__date__lte=day)
        .filter(Q(left_at__isnull=True) | Q(left_at__gt=day))
        .count()
    )


def resident_records(*, actor: Actor, resident: Resident) -> list[HistoryEntry]:
    """The resident's cases, appeals and (as modules land) activities,
    bookings and hours, newest first, as far as the actor may see them (the
    apps register what they hold: ``core.registry`` history providers)."""
    return registry.resident_history(actor, resident_id=resident.pk, user_id=resident.user_id)
