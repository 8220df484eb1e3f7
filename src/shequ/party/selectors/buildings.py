"""楼长制 reads: the buildings in scope with their sitting heads, unit heads,
whether each is a party member, and the quarter's visit coverage; the
choices of the assign form; a building head's households with their last
visit; visits; coverage per building.

Visits are read by the building head (their building) and by the staff who
choose heads (``party.heads``, their buildings); inspectors read only the
figures (``selectors.figures``), never a visit.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import cast

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet, Subquery

from shequ.core.errors import NotFound, PermissionDenied, ValidationError
from shequ.core.models import Region, RegionLevel
from shequ.core.scope import Actor
from shequ.core.workdays import local_today
from shequ.party.models import BuildingHead, HeadKind, HouseholdVisit, MemberStatus, PartyMember
from shequ.party.scope import households_q
from shequ.party.services.common import percent, quarter_bounds, quarter_of
from shequ.residents.models import Household, Resident

_QUARTER_RE = re.compile(r"(\d{4})Q([1-4])")


def clean_quarter(raw: str | None) -> str:
    """The quarter as "2026Q4" (this quarter when nothing is given)."""
    text = (raw or "").strip().upper()
    if not text:
        return quarter_of(local_today())
    found = _QUARTER_RE.fullmatch(text)
    if found is None or not 2000 <= int(found.group(1)) <= 2100:
        raise ValidationError("季度应写成“2026Q4”的样子（2000至2100年）。", field="quarter")
    return text


def _is_member(resident_ref: str) -> Exists:
    return Exists(
        PartyMember.objects.filter(resident_id=OuterRef(resident_ref), status=MemberStatus.ACTIVE)
    )


@dataclass
class CoverageRow:
    """走访覆盖: households of the building visited at least once in the
    quarter, of all its households (the register's households)."""

    building: Region | None  # None: the total
    households: int = 0
    visited: int = 0

    @property
    def pct(self) -> Decimal | None:
        return percent(self.visited, self.households)


def _coverage_counts(
    households: QuerySet[Household], visits: QuerySet[HouseholdVisit], quarter: str
) -> tuple[dict[int, int], dict[int, int]]:
    """Two grouped counts per building, whatever the number of buildings."""
    first, last = quarter_bounds(quarter)
    total = dict(
        households.values_list("building_id")
        .annotate(n=Count("id"))
        .values_list("building_id", "n")
    )
    visited = dict(
        visits.filter(visited_on__range=(first, last))
        .values_list("building_id")
        .annotate(n=Count("household_id", distinct=True))
        .values_list("building_id", "n")
    )
    return total, visited


# -- heads ---------------------------------------------------------------------------


@dataclass
class UnitRow:
    unit: Region
    head: BuildingHead | None


@dataclass
class BuildingRow:
    building: Region
    head: BuildingHead | None  # the sitting 楼长
    units: list[UnitRow] = field(default_factory=list)
    coverage: CoverageRow | None = None

    @property
    def unit_heads(self) -> list[BuildingHead]:
        return [u.head for u in self.units if u.head is not None]


def _sitting_building_heads() -> QuerySet[BuildingHead]:
    return BuildingHead.objects.filter(kind=HeadKind.BUILDING, ended_on__isnull=True)


def head_buildings(*, actor: Actor, without_head: bool = False) -> QuerySet[Region]:
    """The buildings whose heads the actor chooses (their subtree's); with
    ``without_head`` only those with no sitting building head."""
    actor.require("party.heads")
    rows = actor.regions().filter(level=RegionLevel.BUILDING)
    if without_head:
        rows = rows.exclude(pk__in=_sitting_building_heads().values("building_id"))
    return rows.select_related("compound").order_by("code")


def headed_count(*, actor: Actor) -> int:
    """How many of the buildings in scope have a sitting building head."""
    actor.require("party.heads")
    buildings = actor.regions().filter(level=RegionLevel.BUILDING).values("pk")
    return _sitting_building_heads().filter(building_id__in=buildings).count()


def head_board(*, actor: Actor, buildings: list[Region], quarter: str) -> list[BuildingRow]:
    """For ``buildings`` (a page of ``head_buildings``): the sitting building
    head, each unit with its sitting head, whether each head is a party
    member (``is_member``), and the quarter's visit coverage: four queries
    for any number of buildings."""
    actor.require("party.heads")
    ids = [b.pk for b in buildings if actor.covers(b)]
    heads = list(
        BuildingHead.objects.filter(building_id__in=ids, ended_on__isnull=True)
        .select_related("resident__household__unit", "unit")
        .annotate(is_member=_is_member("resident_id"))
        .order_by("building_id", "kind", "unit__code")
    )
    units = Region.objects.filter(building_id__in=ids, level=RegionLevel.UNIT).order_by("code")
    total, visited = _coverage_counts(
        Household.objects.filter(building_id__in=ids),
        HouseholdVisit.objects.filter(building_id__in=ids),
        quarter,
    )
    rows = {
        b.pk: BuildingRow(
            building=b,
            head=None,
            coverage=CoverageRow(b, total.get(b.pk, 0), visited.get(b.pk, 0)),
        )
        for b in buildings
        if b.pk in ids
    }
    unit_heads = {h.unit_id: h for h in heads if h.kind == HeadKind.UNIT}
    for h in heads:
        if h.kind == HeadKind.BUILDING:
            rows[h.building_id].head = h
    for u in units:
        rows[u.building_id].units.append(UnitRow(u, unit_heads.get(u.pk)))  # type: ignore[index]
    return list(rows.values())


@dataclass(frozen=True)
class AssignChoices:
    buildings: list[Region]
    building: Region | None
    units: list[Region]
    residents: Sequence[Resident]  # party members first, each with ``is_member``


def assign_choices(*, actor: Actor, building_id: int | None) -> AssignChoices:
    """What the assign form offers: the buildings in scope and, once one is
    chosen, its units and its residents (party members first)."""
    buildings = list(head_buildings(actor=actor)[:1000])
    building = next((b for b in buildings if b.pk == building_id), None)
    if building is None:
        return AssignChoices(buildings, None, [], [])
    units = list(
        Region.objects.filter(building_id=building.pk, level=RegionLevel.UNIT).order_by("code")
    )
    residents = list(
        Resident.objects.current()
        .filter(household__building_id=building.pk)
        .select_related("household__unit")
        .annotate(is_member=_is_member("pk"))
        .order_by("-is_member", "household__unit__code", "household__room", "id")[:500]
    )
    return AssignChoices(buildings, building, units, residents)


# -- visits --------------------------------------------------------------------------


def _require_visit_reader(actor: Actor) -> None:
    if not (actor.can("party.visit") or actor.can("party.heads")):
        raise PermissionDenied("您当前的角色不能查看入户走访记录。")


def visit_buildings(*, actor: Actor) -> QuerySet[Region]:
    """The buildings whose visits the actor reads: a building head's own (a
    unit head's: the unit's building), the staff's subtree."""
    _require_visit_reader(actor)
    region = actor.region
    if region is None:
        return Region.objects.none()
    if region.level == RegionLevel.UNIT:
        return Region.objects.filter(pk=cast(int, region.building_id)).select_related("compound")
    return (
        actor.regions()
        .filter(level=RegionLevel.BUILDING)
        .select_related("compound")
        .order_by("code")
    )


def visit_coverage(*, actor: Actor, quarter: str) -> list[CoverageRow]:
    """Per building in scope: households visited at least once in
    ``quarter`` / all households. Three queries at any size."""
    _require_visit_reader(actor)
    quarter = clean_quarter(quarter)
    buildings = list(visit_buildings(actor=actor))
    total, visited = _coverage_counts(
        Household.objects.filter(households_q(actor)),
        HouseholdVisit.objects.filter(households_q(actor)),
        quarter,
    )
    return [CoverageRow(b, total.get(b.pk, 0), visited.get(b.pk, 0)) for b in buildings]


def coverage_total(rows: list[CoverageRow]) -> CoverageRow:
    return CoverageRow(None, sum(r.households for r in rows), sum(r.visited for r in rows))


def visit_households(*, actor: Actor, building_id: int) -> list[Household]:
    """The households of one building in scope, each with ``last_visited_on``
    (None: never visited) and ``people`` (how many live there)."""
    _require_visit_reader(actor)
    last = (
        HouseholdVisit.objects.filter(household_id=OuterRef("pk"))
        .order_by("-visited_on")
        .values("visited_on")[:1]
    )
    return list(
        Household.objects.filter(households_q(actor), building_id=building_id)
        .select_related("unit")
        .annotate(last_visited_on=Subquery(last), people=Count("members"))
        .order_by("unit__code", "room")
    )


def visit_household(*, actor: Actor, household_id: int) -> Household:
    """One household the building head may visit, with its members (for the
    resident an appeal is raised for)."""
    actor.require("party.visit")
    household = (
        Household.objects.filter(households_q(actor), pk=household_id)
        .select_related("unit", "building")
        .prefetch_related(Prefetch("members", queryset=Resident.objects.order_by("id")))
        .first()
    )
    if household is None:
        raise NotFound("住户不存在或不在您负责的楼栋。")
    return household


@dataclass(frozen=True)
class VisitFilters:
    building_id: int | None = None
    household_id: int | None = None
    since: dt.date | None = None
    until: dt.date | None = None


def visit_list(*, actor: Actor, filters: VisitFilters | None = None) -> QuerySet[HouseholdVisit]:
    _require_visit_reader(actor)
    f = filters or VisitFilters()
    rows = HouseholdVisit.objects.filter(households_q(actor))
    if f.building_id is not None:
        rows = rows.filter(building_id=f.building_id)
    if f.household_id is not None:
        rows = rows.filter(household_id=f.household_id)
    if f.since is not None:
        rows = rows.filter(visited_on__gte=f.since)
    if f.until is not None:
        rows = rows.filter(visited_on__lte=f.until)
    return rows.select_related("household", "unit", "building", "appeal", "visitor").order_by(
        "-visited_on", "-id"
    )


def visit_get(*, actor: Actor, visit_id: int) -> HouseholdVisit:
    _require_visit_reader(actor)
    visit = (
        HouseholdVisit.objects.filter(households_q(actor), pk=visit_id)
        .select_related("household", "unit", "building", "community", "appeal", "visitor")
        .first()
    )
    if visit is None:
        raise NotFound("走访记录不存在或不在您的管辖范围内。")
    return visit


def head_get(*, actor: Actor, head_id: int) -> BuildingHead:
    """One head (sitting or past) of a building in scope, with ``is_member``."""
    actor.require("party.heads")
    head = (
        BuildingHead.objects.filter(pk=head_id, district_id=actor.district_id)
        .select_related("building", "unit", "resident__household__unit")
        .annotate(is_member=_is_member("resident_id"))
        .first()
    )
    if head is None or not actor.covers(head.building):
        raise NotFound("楼栋长记录不存在。")
    return head
