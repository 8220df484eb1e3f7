"""党建数据 API: the figures page's table."""

from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from shequ.core.api_auth import require
from shequ.core.api_schema import refusals
from shequ.party.selectors import figures as selectors

router = Router()


class PartyFiguresFilters(Schema):
    region_id: int | None = Field(None, ge=1, le=2**31 - 1, description="区、街道或社区")
    year: int | None = Field(None, ge=2000, le=2100)


class PartyFiguresRowOut(Schema):
    region_id: int
    region: str
    orgs: dict[str, int] = Field(description="按类别的党组织数")
    members: int
    full: int
    probationary: int
    relations: dict[str, int] = Field(description="按管理类型的党员数")
    should_found: int = Field(description="应建未建党支部的小区")
    stations: int
    functioning: int = Field(description="上一个完整月充分发挥作用的红旗驿站")
    buildings: int
    headed: int = Field(description="有在任楼长的楼栋")
    households: int
    visited: int = Field(description="本季度走访过的住户")
    units_in: int
    members_in: int
    service_hours: Decimal
    retirees_in: int = Field(description="本年度离退休党员转入")


class PartyFiguresOut(Schema):
    region_id: int
    year: int
    month: str = Field(description="驿站判定的月份 YYYY-MM")
    quarter: str
    threshold: int
    rows: list[PartyFiguresRowOut]
    total: PartyFiguresRowOut


def _row(r: selectors.Row) -> PartyFiguresRowOut:
    return PartyFiguresRowOut(
        region_id=r.region.pk, region=r.region.name, orgs=r.orgs, members=r.members,
        full=r.full, probationary=r.probationary, relations=r.relations,
        should_found=r.should_found, stations=r.stations, functioning=r.functioning,
        buildings=r.buildings, headed=r.headed, households=r.households, visited=r.visited,
        units_in=r.units_in, members_in=r.members_in, service_hours=r.service_hours,
        retirees_in=r.retirees_in,
    )  # fmt: skip


@router.get(
    "/figures",
    response={200: PartyFiguresOut, **refusals(404)},
    summary="党建数据（区、街道、社区）",
)
def figures(request: HttpRequest, filters: Query[PartyFiguresFilters]):
    actor = require(request, "party.view")
    found = selectors.party_figures(actor=actor, region_id=filters.region_id, year=filters.year)
    return PartyFiguresOut(
        region_id=found.region.pk, year=found.year, month=f"{found.month:%Y-%m}",
        quarter=found.quarter, threshold=found.threshold, rows=[_row(r) for r in found.rows],
        total=_row(found.total),
    )  # fmt: skip
