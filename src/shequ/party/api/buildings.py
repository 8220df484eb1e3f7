"""楼长制 API: the buildings in scope with their heads and visit coverage,
assigning a head and ending a term; a building head's visits, logging one
(with an appeal raised on the resident's behalf), and coverage per
building. The same services and selectors as the pages."""

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.appeals.models import AppealKind
from shequ.core.api_auth import audited, require
from shequ.core.api_pages import Pages, mapped
from shequ.core.api_schema import listed, refusals
from shequ.core.categories import IssueCategory
from shequ.core.pii import mask_name
from shequ.core.workdays import local_today
from shequ.party.models import BuildingHead, HeadKind, HouseholdVisit
from shequ.party.selectors import buildings as selectors
from shequ.party.services import buildings as services
from shequ.party.services.common import quarter_of

router = Router()

ID = {"ge": 1, "le": 2**31 - 1}


class BuildingHeadOut(Schema):
    id: int
    kind: str = Field(description="building 楼长 / unit 单元长")
    kind_label: str
    building_id: int
    unit_id: int | None
    resident_id: int
    name: str = Field(description="姓名（党务角色之外脱敏）")
    party_member: bool = Field(description="是否在册党员（楼栋长宜由党员担任）")
    term_start: dt.date
    term_end: dt.date | None
    ended_on: dt.date | None
    has_account_role: bool = Field(description="居民账号是否随任职取得楼栋长角色")


class UnitHeadsOut(Schema):
    unit_id: int
    unit: str
    head: BuildingHeadOut | None


class BuildingHeadsOut(Schema):
    building_id: int
    building: str
    compound: str
    head: BuildingHeadOut | None = Field(description="在任楼长；null 即未配楼长")
    units: list[UnitHeadsOut]
    households: int = Field(description="住户数")
    visited: int = Field(description="本季度至少走访一次的住户数")


class BuildingHeadIn(Schema):
    building_id: int = Field(**ID)
    resident_id: int = Field(**ID, description="本楼栋的居民")
    kind: str = Field(description="building / unit", json_schema_extra=listed(HeadKind.values))
    unit_id: int | None = Field(None, **ID, description="单元长的单元")
    term_start: dt.date
    term_end: dt.date | None = None


class BuildingHeadEndIn(Schema):
    ended_on: dt.date


class HouseholdVisitOut(Schema):
    id: int
    household_id: int
    household: str = Field(description="楼栋 单元 门牌号")
    building_id: int
    unit_id: int
    visited_on: dt.date
    raised: str
    follow_up: str
    appeal_id: int | None
    appeal_number: str | None = Field(description="代报诉求的受理号")


class VisitFilters(Schema):
    building_id: int | None = Field(None, **ID)
    household_id: int | None = Field(None, **ID)
    since: dt.date | None = None
    until: dt.date | None = None


class HouseholdVisitIn(Schema):
    household_id: int = Field(**ID)
    visited_on: dt.date
    raised: str = Field("", max_length=1000, description="居民反映的情况（代报诉求时即诉求内容）")
    follow_up: str = Field("", max_length=1000)
    raise_appeal: bool = Field(False, description="同时代居民提出诉求")
    appeal_kind: str | None = Field(
        None, max_length=16, json_schema_extra=listed(AppealKind.values)
    )
    appeal_category: str | None = Field(
        None, max_length=24, json_schema_extra=listed(IssueCategory.values)
    )
    resident_id: int | None = Field(None, **ID, description="提出诉求的本户居民")


class VisitCoverageRowOut(Schema):
    building_id: int
    building: str
    households: int
    visited: int
    pct: float | None = Field(description="覆盖率（%）")


class VisitCoverageTotalOut(Schema):
    households: int
    visited: int
    pct: float | None


class VisitCoverageOut(Schema):
    quarter: str
    buildings: list[VisitCoverageRowOut]
    total: VisitCoverageTotalOut


class CoverageQuery(Schema):
    quarter: str = Field("", max_length=10, description="如 2026Q4；默认本季度")


def _head(h: BuildingHead, names: bool) -> BuildingHeadOut:
    return BuildingHeadOut(
        id=h.pk, kind=h.kind, kind_label=h.get_kind_display(), building_id=h.building_id,
        unit_id=h.unit_id, resident_id=h.resident_id,
        name=h.resident.name if names else mask_name(h.resident.name),
        party_member=bool(getattr(h, "is_member", False)), term_start=h.term_start,
        term_end=h.term_end, ended_on=h.ended_on, has_account_role=h.grant_id is not None,
    )  # fmt: skip


def _pct(value) -> float | None:
    return float(value) if value is not None else None


class _Board(mapped):
    """A page of buildings becomes its rows in one batch (``head_board``),
    so the page costs the same for one building or fifty."""

    def __init__(self, request: HttpRequest) -> None:
        self.actor = request.actor  # type: ignore[attr-defined]
        self.names = self.actor.can("party.members")
        self.quarter = quarter_of(local_today())
        super().__init__(selectors.head_buildings(actor=self.actor), lambda row: row)

    def __getitem__(self, window: slice) -> list[BuildingHeadsOut]:
        rows = selectors.head_board(
            actor=self.actor, buildings=list(self.rows[window]), quarter=self.quarter
        )
        return [
            BuildingHeadsOut(
                building_id=r.building.pk,
                building=r.building.name,
                compound=r.building.compound.name if r.building.compound else "",
                head=_head(r.head, self.names) if r.head else None,
                units=[
                    UnitHeadsOut(
                        unit_id=u.unit.pk,
                        unit=u.unit.name,
                        head=_head(u.head, self.names) if u.head else None,
                    )
                    for u in r.units
                ],
                households=r.coverage.households if r.coverage else 0,
                visited=r.coverage.visited if r.coverage else 0,
            )  # fmt: skip
            for r in rows
        ]


@router.get(
    "/heads",
    response={200: list[BuildingHeadsOut], **refusals()},
    summary="楼栋长和单元长（本辖区各楼栋）",
)
@paginate(Pages)
def head_list(request: HttpRequest):
    require(request, "party.heads")
    return _Board(request)


@router.post(
    "/heads",
    response={201: BuildingHeadOut, **refusals(400, 404, 409)},
    summary="选配楼栋长、单元长",
)
def head_assign(request: HttpRequest, payload: BuildingHeadIn):
    actor = require(request, "party.heads")
    head = audited(
        request,
        "building_head.assign",
        lambda: services.building_head_assign(actor=actor, **payload.dict()),
    )
    found = selectors.head_get(actor=actor, head_id=head.pk)
    return Status(201, _head(found, actor.can("party.members")))


@router.post(
    "/heads/{int:head_id}/end",
    response={200: BuildingHeadOut, **refusals(400, 404, 409)},
    summary="楼栋长离任（收回楼栋长角色）",
)
def head_end(request: HttpRequest, head_id: int, payload: BuildingHeadEndIn):
    actor = require(request, "party.heads")
    audited(
        request,
        "building_head.end",
        lambda: services.building_head_end(actor=actor, head_id=head_id, ended_on=payload.ended_on),
    )
    return _head(selectors.head_get(actor=actor, head_id=head_id), actor.can("party.members"))


def _visit(v: HouseholdVisit) -> HouseholdVisitOut:
    return HouseholdVisitOut(
        id=v.pk, household_id=v.household_id,
        household=f"{v.building.name} {v.unit.name} {v.household.room}室",
        building_id=v.building_id, unit_id=v.unit_id, visited_on=v.visited_on, raised=v.raised,
        follow_up=v.follow_up, appeal_id=v.appeal_id,
        appeal_number=v.appeal.number if v.appeal else None,
    )  # fmt: skip


@router.get(
    "/visits",
    response={200: list[HouseholdVisitOut], **refusals(404)},
    summary="入户走访记录（楼栋长本楼栋；社区本辖区）",
)
@paginate(Pages)
def visit_list(request: HttpRequest, filters: Query[VisitFilters]):
    actor = require(request, "party.view")
    rows = selectors.visit_list(
        actor=actor,
        filters=selectors.VisitFilters(
            building_id=filters.building_id,
            household_id=filters.household_id,
            since=filters.since,
            until=filters.until,
        ),  # fmt: skip
    )
    return mapped(rows, _visit)


@router.post(
    "/visits",
    response={201: HouseholdVisitOut, **refusals(400, 404, 409)},
    summary="登记入户走访（可同时代居民提出诉求）",
)
def visit_log(request: HttpRequest, payload: HouseholdVisitIn):
    actor = require(request, "party.visit")
    visit = audited(
        request,
        "household_visit.log",
        lambda: services.household_visit_log(actor=actor, **payload.dict()),
    )
    return Status(201, _visit(selectors.visit_get(actor=actor, visit_id=visit.pk)))


@router.get(
    "/visits/coverage",
    response={200: VisitCoverageOut, **refusals()},
    summary="走访覆盖（各楼栋本季度已走访户数/总户数）",
)
def visit_coverage(request: HttpRequest, query: Query[CoverageQuery]):
    actor = require(request, "party.view")
    quarter = selectors.clean_quarter(query.quarter)
    rows = selectors.visit_coverage(actor=actor, quarter=quarter)
    total = selectors.coverage_total(rows)
    return VisitCoverageOut(
        quarter=quarter,
        buildings=[
            VisitCoverageRowOut(
                building_id=r.building.pk,
                building=r.building.name,
                households=r.households,
                visited=r.visited,
                pct=_pct(r.pct),
            )  # fmt: skip
            for r in rows
            if r.building is not None
        ],
        total=VisitCoverageTotalOut(
            households=total.households, visited=total.visited, pct=_pct(total.pct)
        ),
    )
