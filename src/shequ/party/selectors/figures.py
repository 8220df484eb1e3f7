"""党建数据: the module's figures for a district, street or community, each
from one grouped query per fact (by community, summed upward), so the page
costs the same at any scale, and each figure links to the records behind it.

Definitions (shown on the page):
- 应建未建党支部: compounds where at least the district's threshold of full
  members whose membership is held here live, and that have no branch.
- 充分发挥作用的红旗驿站: stations whose last full month met all three
  thresholds of the district's rules (``StationMonth``).
- 楼长覆盖率: buildings with a sitting building head / all buildings.
- 走访覆盖率: households visited at least once this quarter / all households.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from shequ.core.errors import NotFound
from shequ.core.models import Region, RegionLevel, RegionStat
from shequ.core.scope import Actor
from shequ.core.workdays import local_today
from shequ.party.models import (
    HELD_HERE,
    BuildingHead,
    HeadKind,
    HouseholdVisit,
    MemberReportIn,
    MemberStatus,
    OrgKind,
    PartyMember,
    PartyOrg,
    Relation,
    ServiceLog,
    Standing,
    Station,
    StationMonth,
    Transfer,
    TransferKind,
    TransferReason,
    TransferState,
    UnitReportIn,
)
from shequ.party.services.common import (
    month_start,
    percent,
    quarter_bounds,
    quarter_of,
    rules_for,
)

ZERO = Decimal("0")


@dataclass
class Row:
    region: Region
    orgs: dict[str, int] = field(default_factory=dict)  # kind -> count
    members: int = 0
    full: int = 0
    probationary: int = 0
    relations: dict[str, int] = field(default_factory=dict)
    should_found: int = 0
    stations: int = 0
    functioning: int = 0
    buildings: int = 0
    headed: int = 0
    households: int = 0
    visited: int = 0
    units_in: int = 0
    members_in: int = 0
    service_hours: Decimal = ZERO
    retirees_in: int = 0

    @property
    def headed_pct(self) -> Decimal | None:
        return percent(self.headed, self.buildings)

    @property
    def visited_pct(self) -> Decimal | None:
        return percent(self.visited, self.households)

    @property
    def functioning_pct(self) -> Decimal | None:
        return percent(self.functioning, self.stations)

    def add(self, other: Row) -> None:
        for name in ("members", "full", "probationary", "should_found", "stations",
                     "functioning", "buildings", "headed", "households", "visited", "units_in",
                     "members_in", "service_hours", "retirees_in"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for table, extra in ((self.orgs, other.orgs), (self.relations, other.relations)):
            for key, value in extra.items():
                table[key] = table.get(key, 0) + value


@dataclass(frozen=True)
class Figures:
    region: Region
    year: int
    month: dt.date  # the last full month, for stations
    quarter: str  # this quarter, for visits
    threshold: int
    rows: list[Row]
    total: Row
    drill: bool  # rows are regions one can open further


def _target(actor: Actor, region_id: int | None) -> Region:
    home = actor.region
    if home is None:
        raise NotFound("当前角色没有管辖区划。")
    if region_id is None:
        return home if home.level <= RegionLevel.COMMUNITY else home.community
    region = Region.objects.filter(pk=region_id, level__lte=RegionLevel.COMMUNITY).first()
    if region is None or not actor.covers(region):
        raise NotFound("该区划不存在或不在您的管辖范围内。")
    return region


def _by_community(rows) -> dict[int, int]:
    return {cid: n for cid, n in rows if cid is not None}


def party_figures(
    *, actor: Actor, region_id: int | None = None, year: int | None = None
) -> Figures:
    actor.require("party.view")
    region = _target(actor, region_id)
    today = local_today()
    year = year or today.year
    month = month_start(month_start(today) - dt.timedelta(days=1))
    quarter = quarter_of(today)
    q_first, q_last = quarter_bounds(quarter)
    threshold = rules_for(region.district_id).branch_threshold  # type: ignore[arg-type]
    anc = region.ancestor_field or "community"
    communities = list(
        Region.objects.filter(level=RegionLevel.COMMUNITY, **{anc: region}).order_by("code")
    )
    ids = [c.pk for c in communities]
    rows = {c.pk: Row(region=c) for c in communities}
    inside = Q(community_id__in=ids)

    for cid, kind, n in (
        PartyOrg.objects.filter(inside, active=True)
        .values_list("community_id", "kind").annotate(n=Count("id")).order_by()
    ):  # fmt: skip
        rows[cid].orgs[kind] = n
    members = PartyMember.objects.filter(inside, status=MemberStatus.ACTIVE)
    held_full: dict[tuple[int, int], int] = {}
    for cid, compound_id, standing, relation, n in (
        members.values_list("community_id", "compound_id", "standing", "relation")
        .annotate(n=Count("id")).order_by()
    ):  # fmt: skip
        row = rows[cid]
        row.members += n
        row.relations[relation] = row.relations.get(relation, 0) + n
        if standing == Standing.FULL:
            row.full += n
            if relation in HELD_HERE and compound_id is not None:
                held_full[(cid, compound_id)] = held_full.get((cid, compound_id), 0) + n
        else:
            row.probationary += n
    branched = set(
        PartyOrg.objects.filter(inside, active=True, kind=OrgKind.BRANCH).values_list(
            "compound_id", flat=True
        )
    )
    for (cid, compound_id), n in held_full.items():
        if n >= threshold and compound_id not in branched:
            rows[cid].should_found += 1

    facts: list[tuple[str, dict[int, int]]] = [
        ("stations", _by_community(
            Station.objects.filter(inside, active=True).values_list("community_id")
            .annotate(n=Count("id")).order_by())),
        ("functioning", _by_community(
            StationMonth.objects.filter(inside, month=month, functioning=True,
                                        station__active=True)
            .values_list("community_id").annotate(n=Count("id")).order_by())),
        ("buildings", _by_community(
            Region.objects.filter(inside, level=RegionLevel.BUILDING).values_list("community_id")
            .annotate(n=Count("id")).order_by())),
        ("headed", _by_community(
            BuildingHead.objects.filter(inside, kind=HeadKind.BUILDING, ended_on__isnull=True)
            .values_list("community_id").annotate(n=Count("building_id", distinct=True))
            .order_by())),
        ("households", dict(RegionStat.objects.filter(region_id__in=ids)
                        .values_list("region_id", "households"))),
        ("visited", _by_community(
            HouseholdVisit.objects.filter(inside, visited_on__range=(q_first, q_last))
            .values_list("community_id").annotate(n=Count("household_id", distinct=True))
            .order_by())),
        ("units_in", _by_community(
            UnitReportIn.objects.filter(inside, withdrawn_on__isnull=True)
            .values_list("community_id").annotate(n=Count("id")).order_by())),
        ("members_in", _by_community(
            MemberReportIn.objects.filter(inside, withdrawn_on__isnull=True)
            .values_list("community_id").annotate(n=Count("id")).order_by())),
        ("retirees_in", _by_community(
            Transfer.objects.filter(inside, status=TransferState.COMPLETED,
                                    reason=TransferReason.RETIRED,
                                    kind__in=[TransferKind.IN, TransferKind.WITHIN],
                                    completed_at__year=year)
            .values_list("community_id").annotate(n=Count("id")).order_by())),
    ]  # fmt: skip
    for name, values in facts:
        for cid, n in values.items():
            setattr(rows[cid], name, n)
    for cid, hours in (
        ServiceLog.objects.filter(inside, day__year=year)
        .values_list("community_id").annotate(h=Sum("hours")).order_by()
    ):  # fmt: skip
        rows[cid].service_hours = hours or ZERO

    out = _rolled_up(region, communities, rows)
    total = Row(region=region)
    for row in out:
        total.add(row)
    if region.level <= RegionLevel.STREET:
        street_orgs = PartyOrg.objects.filter(
            active=True, kind=OrgKind.STREET_COMMITTEE, **{f"region__{anc}": region}
        ).values_list("region_id", flat=True)
        counted = list(street_orgs)
        total.orgs[OrgKind.STREET_COMMITTEE] = len(counted)
        for row in out:
            if row.region.level == RegionLevel.STREET and row.region.pk in counted:
                row.orgs[OrgKind.STREET_COMMITTEE] = 1
    return Figures(
        region=region, year=year, month=month, quarter=quarter, threshold=threshold, rows=out,
        total=total, drill=region.level < RegionLevel.COMMUNITY,
    )  # fmt: skip


def _rolled_up(region: Region, communities: list[Region], rows: dict[int, Row]) -> list[Row]:
    """A district's rows are its streets, a street's its communities, a
    community's itself."""
    if region.level != RegionLevel.DISTRICT:
        return [rows[c.pk] for c in communities]
    streets = {s.pk: Row(region=s) for s in Region.objects.filter(
        level=RegionLevel.STREET, district=region).order_by("code")}  # fmt: skip
    grouped: dict[int, list[Row]] = defaultdict(list)
    for c in communities:
        grouped[c.street_id].append(rows[c.pk])  # type: ignore[index]
    for sid, street in streets.items():
        for row in grouped.get(sid, []):
            street.add(row)
    return list(streets.values())


RELATION_LABELS = dict(Relation.choices)
ORG_LABELS = dict(OrgKind.choices)
