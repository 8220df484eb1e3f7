"""红旗驿站 API: the stations in scope with a month's verdict, one station
with its rooms, timetable, duty and months, setting one up, registering an
opening or an activity, and the figures by community — the same services
and selectors as the pages. Names of the people on duty are masked outside
the party roles."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core.api_auth import audited, require
from shequ.core.api_pages import Pages, mapped
from shequ.core.api_schema import listed, refusals
from shequ.core.pii import mask_name
from shequ.party.functioning import WEEKDAY_LABELS, rule_text
from shequ.party.models import (
    ActivityKind,
    LocationKind,
    Station,
    StationActivity,
    StationMonth,
    StationOpening,
)
from shequ.party.selectors import stations as selectors
from shequ.party.services import stations as services
from shequ.party.services.common import rules_for

router = Router()


class StationMonthOut(Schema):
    month: str = Field(description="YYYY-MM")
    published_minutes: int = Field(description="公示开放时长（分钟；当月截至当天）")
    open_minutes: int = Field(description="实际开放时长（分钟）")
    activities_with_residents: int = Field(description="有居民参加的活动")
    hosted: int = Field(description="议事和服务活动")
    functioning: bool = Field(description="充分发挥作用")
    reason: str = Field(description="判定说明（各项数字与标准）")


class StationOut(Schema):
    id: int
    name: str
    community_id: int
    community: str
    compound_id: int
    compound: str
    branch_id: int
    branch: str
    location_kind: str = Field(
        description="public_room 小区公共用房 / property_room 物业用房 / other"
    )
    address: str
    area: Decimal
    opened_on: dt.date
    active: bool
    month: StationMonthOut | None = Field(description="所选月份（默认上一个完整月）的判定")
    current: StationMonthOut | None = Field(description="本月截至今天的判定")


class StationRoomOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    area: Decimal
    capacity: int


class StationHoursOut(Schema):
    weekday: int = Field(description="0 = 周一 … 6 = 周日")
    weekday_label: str
    opens: dt.time
    closes: dt.time


class StationDutyOut(Schema):
    weekday: int
    weekday_label: str
    member_id: int
    name: str = Field(description="值班党员（党务角色之外脱敏）")


class StationOpeningOut(Schema):
    id: int
    day: dt.date
    opened: dt.time
    closed: dt.time


class StationActivityOut(Schema):
    id: int
    day: dt.date
    kind: str = Field(description="party 党员活动 / deliberation 议事 / service 服务 / study 学习")
    kind_label: str
    title: str
    participants: int
    residents_served: int
    photos: int


class StationDetailOut(StationOut):
    rule: str = Field(description="充分发挥作用的判定标准（本区）")
    rooms: list[StationRoomOut]
    hours: list[StationHoursOut] = Field(description="每周公示开放时间")
    duties: list[StationDutyOut]
    months: list[StationMonthOut] = Field(description="最近十二个月")
    openings: list[StationOpeningOut] = Field(description="最近的开放登记")
    activities: list[StationActivityOut] = Field(description="最近的活动")


class StationFilters(Schema):
    month: str = Field("", description="YYYY-MM，默认上一个完整月")
    functioning: bool | None = Field(
        None, description="只看当月充分发挥作用（true）或未发挥（false）的"
    )
    community_id: int | None = Field(None, ge=1, le=2**31 - 1)


class StationIn(Schema):
    branch_id: int = Field(ge=1, le=2**31 - 1, description="所属小区党支部")
    name: str = Field(max_length=200)
    location_kind: str = Field(json_schema_extra=listed(LocationKind.values))
    address: str = Field(max_length=400)
    area: Decimal = Field(description="面积（平方米），大于0")
    opened_on: dt.date


class StationOpeningIn(Schema):
    day: dt.date
    opened: dt.time
    closed: dt.time


class StationActivityIn(Schema):
    day: dt.date
    kind: str = Field(json_schema_extra=listed(ActivityKind.values))
    title: str = Field(max_length=400)
    participants: int
    residents_served: int


class StationOpeningWrittenOut(StationOpeningOut):
    month: StationMonthOut | None = Field(description="登记后该月的判定")


class StationActivityWrittenOut(StationActivityOut):
    month: StationMonthOut | None = Field(description="登记后该月的判定")


class StationCommunityOut(Schema):
    community_id: int
    community: str
    stations: int
    functioning: int
    stations_url: str = Field(description="这些驿站的列表页")
    functioning_url: str = Field(description="充分发挥作用的驿站列表页")


class StationFiguresOut(Schema):
    month: str = Field(description="YYYY-MM")
    stations: int = Field(description="红旗驿站（当月已启用、运行中）")
    functioning: int = Field(description="充分发挥作用的红旗驿站")
    rule: str
    communities: list[StationCommunityOut]


class StationFiguresFilters(Schema):
    month: str = Field("", description="YYYY-MM，默认上一个完整月")


def _month_out(row: StationMonth | None) -> StationMonthOut | None:
    if row is None:
        return None
    return StationMonthOut(
        month=f"{row.month:%Y-%m}", published_minutes=row.published_minutes,
        open_minutes=row.open_minutes, activities_with_residents=row.activities_with_residents,
        hosted=row.hosted, functioning=row.functioning, reason=row.reason,
    )  # fmt: skip


def _annotated(s: Station, prefix: str, month: Any) -> StationMonthOut | None:
    if getattr(s, f"{prefix}_functioning", None) is None:
        return None
    return StationMonthOut(
        month=f"{month:%Y-%m}",
        published_minutes=getattr(s, f"{prefix}_published_minutes"),
        open_minutes=getattr(s, f"{prefix}_open_minutes"),
        activities_with_residents=getattr(s, f"{prefix}_activities_with_residents"),
        hosted=getattr(s, f"{prefix}_hosted"),
        functioning=getattr(s, f"{prefix}_functioning"),
        reason=getattr(s, f"{prefix}_reason"),
    )


def _station(s: Station) -> dict[str, Any]:
    return {
        "id": s.pk, "name": s.name, "community_id": s.community_id, "community": s.community.name,
        "compound_id": s.compound_id, "compound": s.compound.name, "branch_id": s.branch_id,
        "branch": s.branch.name, "location_kind": s.location_kind, "address": s.address,
        "area": s.area, "opened_on": s.opened_on, "active": s.active,
    }  # fmt: skip


def _opening(o: StationOpening) -> dict[str, Any]:
    return {"id": o.pk, "day": o.day, "opened": o.opened, "closed": o.closed}


def _activity(a: StationActivity, photos: int) -> dict[str, Any]:
    return {
        "id": a.pk, "day": a.day, "kind": a.kind, "kind_label": a.get_kind_display(),
        "title": a.title, "participants": a.participants,
        "residents_served": a.residents_served, "photos": photos,
    }  # fmt: skip


@router.get(
    "/stations",
    response={200: list[StationOut], **refusals(404)},
    summary="红旗驿站列表（本辖区，含月度判定）",
)
@paginate(Pages)
def station_list(request: HttpRequest, filters: Query[StationFilters]):
    actor = require(request, "party.view")
    chosen = selectors.parse_month(filters.month)
    month, current = chosen or selectors.last_full_month(), selectors.current_month()
    rows = selectors.station_list(
        actor=actor, month=chosen, functioning=filters.functioning,
        community_id=filters.community_id,
    )  # fmt: skip
    return mapped(
        rows,
        lambda s: StationOut(
            **_station(s),
            month=_annotated(s, "month", month),
            current=_annotated(s, "now", current),
        ),  # fmt: skip
    )


@router.get(
    "/stations/figures",
    response={200: StationFiguresOut, **refusals()},
    summary="红旗驿站数据（按社区）",
)
def station_figures(request: HttpRequest, filters: Query[StationFiguresFilters]):
    actor = require(request, "party.view")
    found = selectors.station_figures(actor=actor, month=selectors.parse_month(filters.month))
    return StationFiguresOut(
        month=f"{found['month']:%Y-%m}", stations=found["stations"],
        functioning=found["functioning"], rule=found["rule"],
        communities=[StationCommunityOut(**row) for row in found["communities"]],
    )  # fmt: skip


def _detail(request: HttpRequest, station_id: int) -> StationDetailOut:
    actor = request.actor  # type: ignore[attr-defined]
    s = selectors.station_get(actor=actor, station_id=station_id)
    names = actor.can("party.members")
    months = list(s.recent_months)  # type: ignore[attr-defined]
    by_month = {m.month: m for m in months}
    return StationDetailOut(
        **_station(s),
        month=_month_out(by_month.get(selectors.last_full_month())),
        current=_month_out(by_month.get(selectors.current_month())),
        rule=rule_text(rules_for(s.district_id)),
        rooms=[
            StationRoomOut(id=r.pk, kind=r.kind, kind_label=r.get_kind_display(), name=r.name,
                           area=r.area, capacity=r.capacity)
            for r in s.rooms.all()
        ],
        hours=[
            StationHoursOut(weekday=h.weekday, weekday_label=WEEKDAY_LABELS[h.weekday],
                            opens=h.opens, closes=h.closes)
            for h in s.hours.all()
        ],
        duties=[
            StationDutyOut(
                weekday=d.weekday, weekday_label=WEEKDAY_LABELS[d.weekday], member_id=d.member_id,
                name=d.member.resident.name if names else mask_name(d.member.resident.name),
            )
            for d in s.duties.all()
        ],
        months=[_month_out(m) for m in months],
        openings=[StationOpeningOut(**_opening(o)) for o in s.recent_openings],  # type: ignore[attr-defined]
        activities=[
            StationActivityOut(**_activity(a, len(a.photos.all())))
            for a in s.recent_activities  # type: ignore[attr-defined]
        ],
    )  # fmt: skip


@router.get(
    "/stations/{int:station_id}",
    response={200: StationDetailOut, **refusals(404)},
    summary="红旗驿站详情",
)
def station_detail(request: HttpRequest, station_id: int):
    require(request, "party.view")
    return _detail(request, station_id)


@router.post(
    "/stations",
    response={201: StationDetailOut, **refusals(400, 404, 409)},
    summary="建立红旗驿站（小区党支部）",
)
def station_create(request: HttpRequest, payload: StationIn):
    actor = require(request, "party.station")
    station = audited(
        request,
        "station.create",
        lambda: services.station_create(actor=actor, **payload.dict()),
    )
    return Status(201, _detail(request, station.pk))


def _refreshed(request: HttpRequest, station_id: int, day: dt.date) -> StationMonthOut | None:
    return _month_out(
        selectors.station_month(actor=request.actor, station_id=station_id, month=day)  # type: ignore[attr-defined]
    )


@router.post(
    "/stations/{int:station_id}/openings",
    response={201: StationOpeningWrittenOut, **refusals(400, 404, 409)},
    summary="开放登记（实际开放的日期和时段）",
)
def opening_log(request: HttpRequest, station_id: int, payload: StationOpeningIn):
    actor = require(request, "party.station")
    opening = audited(
        request,
        "station_opening.log",
        lambda: services.station_opening_log(
            actor=actor,
            station_id=station_id,
            day=payload.day,
            opened=payload.opened,
            closed=payload.closed,
        ),  # fmt: skip
    )
    return Status(
        201,
        StationOpeningWrittenOut(
            **_opening(opening), month=_refreshed(request, station_id, opening.day)
        ),
    )


@router.post(
    "/stations/{int:station_id}/activities",
    response={201: StationActivityWrittenOut, **refusals(400, 404, 409)},
    summary="登记驿站活动（照片请在页面上传）",
)
def activity_log(request: HttpRequest, station_id: int, payload: StationActivityIn):
    actor = require(request, "party.station")
    activity = audited(
        request,
        "station_activity.log",
        lambda: services.station_activity_log(actor=actor, station_id=station_id, **payload.dict()),
    )
    return Status(
        201,
        StationActivityWrittenOut(
            **_activity(activity, 0), month=_refreshed(request, station_id, activity.day)
        ),
    )
