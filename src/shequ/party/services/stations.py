"""红旗驿站 writes: a compound branch sets up a station, its rooms, its
published weekly timetable and who is on duty; the person on duty registers
when it was really open (开放登记) and what happened there (活动).

Whether a station works is never declared: every opening or activity write
refreshes that station's ``StationMonth`` in the same transaction (the
figures read the rollup), and ``shequ tick`` rebuilds the current and the
previous month of every running station (``station_months_rebuild``).
Both go through one computation, so a refreshed row and a rebuilt one agree.

Published minutes come from the timetable as it stands: replacing the
timetable re-judges the current month (and, at the next tick, the previous
one); months before are kept as they were judged.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from shequ.core import photos as photo_store
from shequ.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from shequ.core.history import Event, record
from shequ.core.pii import mask_name
from shequ.core.scope import Actor
from shequ.core.text import clean_text
from shequ.core.workdays import local_today
from shequ.party.functioning import (
    WEEKDAY_LABELS,
    judge,
    judged_days,
    minutes_between,
    open_minutes,
    published_minutes,
)
from shequ.party.models import (
    HOSTING_KINDS,
    PHOTO_DIR,
    ActivityKind,
    ActivityPhoto,
    LocationKind,
    MemberStatus,
    OrgKind,
    PartyMember,
    PartyOrg,
    RoomKind,
    Station,
    StationActivity,
    StationDuty,
    StationHours,
    StationMonth,
    StationOpening,
    StationRoom,
)
from shequ.party.services.common import month_start, next_month, rules_for

MAX_ID = 2**31 - 1
MAX_AREA = Decimal("999999.99")  # the column's 8 digits, 2 of them decimals
MAX_CAPACITY = 10000
MAX_PEOPLE = 100000
MAX_PERIODS_PER_DAY = 6
REBUILD_CHUNK = 500
MONTH_FIELDS = (
    "published_minutes",
    "open_minutes",
    "activities_with_residents",
    "hosted",
    "functioning",
    "reason",
)


# -- input ---------------------------------------------------------------------------------------


def _id(raw: Any) -> int | None:
    """A usable primary key, or None (so a huge or junk id is "not found", never a 500)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if 0 < raw <= MAX_ID else None
    text = str(raw or "").strip()
    return int(text) if text.isdigit() and len(text) <= 10 and 0 < int(text) <= MAX_ID else None


def _area(raw: Any, *, field: str = "area") -> Decimal:
    try:
        value = Decimal(str(raw if raw is not None else "").strip())
    except InvalidOperation:
        raise ValidationError("请填写面积（平方米），如 80 或 80.5。", field=field) from None
    if not value.is_finite():
        raise ValidationError("请填写面积（平方米），如 80 或 80.5。", field=field)
    if value <= 0:
        raise ValidationError("面积须大于0平方米。", field=field)
    if value > MAX_AREA:
        raise ValidationError(f"面积不能超过{MAX_AREA}平方米。", field=field)
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError("面积最多保留两位小数。", field=field)
    return value.quantize(Decimal("0.01"))


def _count(raw: Any, *, field: str, label: str, low: int, high: int) -> int:
    if isinstance(raw, bool):
        raw = None
    text = str(raw if raw is not None else "").strip()
    sign = text.startswith("-")
    digits = text[1:] if sign else text
    if not digits.isdigit() or len(digits) > 9:
        raise ValidationError(f"请填写{label}（整数）。", field=field)
    value = -int(digits) if sign else int(digits)
    if not low <= value <= high:
        raise ValidationError(f"{label}须在{low}到{high}之间。", field=field)
    return value


def _weekday(raw: Any, *, field: str = "weekday") -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= 6:
        raise ValidationError("请选择星期（周一到周日）。", field=field)
    return raw


def _past_day(day: Any, *, field: str, label: str, station: Station) -> dt.date:
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise ValidationError(f"请填写{label}。", field=field)
    if day > local_today():
        raise ValidationError(f"{label}不能晚于今天。", field=field)
    if day < station.opened_on:
        raise ValidationError(
            f"{label}不能早于驿站启用日期（{_day_cn(station.opened_on)}）。", field=field
        )
    return day


def _time(raw: Any, *, field: str, label: str) -> dt.time:
    if not isinstance(raw, dt.time):
        raise ValidationError(f"请填写{label}（如 09:00）。", field=field)
    return raw.replace(second=0, microsecond=0, tzinfo=None)


def _hm(t: dt.time) -> str:
    return f"{t:%H:%M}"


def _day_cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# -- loading -------------------------------------------------------------------------------------


def _station_for_update(actor: Actor, station_id: Any) -> Station:
    """The station locked for the write (so two registrations of one station
    are judged one after the other), refused unless the actor keeps it."""
    actor.require("party.station")
    pk = _id(station_id)
    station = (
        Station.objects.select_for_update(of=("self",))
        .select_related("compound", "community")
        .filter(pk=pk, district_id=actor.district_id)
        .first()
        if pk is not None
        else None
    )
    if station is None:
        raise NotFound("红旗驿站不存在。")
    if not actor.covers(station.compound):
        raise PermissionDenied("该红旗驿站不在您的管辖范围内。")
    if not station.active:
        raise Conflict("该红旗驿站已停止运行。")
    return station


def _scope_columns(station: Station) -> dict[str, Any]:
    return {"district_id": station.district_id, "community_id": station.community_id}


# -- the station ---------------------------------------------------------------------------------


def station_create(
    *,
    actor: Actor,
    branch_id: Any,
    name: str,
    location_kind: str,
    address: str,
    area: Any,
    opened_on: dt.date | None,
) -> Station:
    """建立红旗驿站 for a compound's standing party branch, in a public or a
    property room of the compound."""
    actor.require("party.station")
    name = clean_text(name, field="name", label="驿站名称", max_length=60, single_line=True)
    if location_kind not in LocationKind.values:
        raise ValidationError(
            "请选择用房类型（小区公共用房、物业用房或其他）。", field="location_kind"
        )
    address = clean_text(address, field="address", label="位置", max_length=120, single_line=True)
    area_value = _area(area)
    if not isinstance(opened_on, dt.date):
        raise ValidationError("请填写启用日期。", field="opened_on")
    if opened_on > local_today():
        raise ValidationError("启用日期不能晚于今天。", field="opened_on")
    pk = _id(branch_id)
    with transaction.atomic():
        branch = (
            PartyOrg.objects.select_related("region")
            .filter(pk=pk, district_id=actor.district_id)
            .first()
            if pk is not None
            else None
        )
        if branch is None:
            raise NotFound("党支部不存在。", field="branch")
        if branch.kind != OrgKind.BRANCH:
            raise ValidationError(
                f"红旗驿站由小区党支部建立，“{branch.name}”是{branch.get_kind_display()}。",
                field="branch",
            )
        if not branch.active:
            raise ValidationError(f"“{branch.name}”已撤销。", field="branch")
        if not actor.covers(branch.region):
            raise PermissionDenied("该党支部不在您的管辖范围内。", field="branch")
        if opened_on < branch.founded_on:
            raise ValidationError(
                f"启用日期不能早于党支部成立日期（{_day_cn(branch.founded_on)}）。",
                field="opened_on",
            )
        if Station.objects.filter(compound_id=branch.region_id, name=name, active=True).exists():
            raise Conflict(f"{branch.region.name}已有名为“{name}”的红旗驿站。", field="name")
        station = Station.objects.create(
            district_id=branch.district_id, community_id=cast(int, branch.community_id),
            compound_id=branch.region_id, branch=branch, name=name, location_kind=location_kind,
            address=address, area=area_value, opened_on=opened_on, created_at=timezone.now(),
            created_by=actor.user,
        )  # fmt: skip
        record(
            actor=actor, action="station.create", obj=station, region=branch.region,
            changes={"branch": branch.name, "name": name, "location_kind": location_kind,
                     "address": address, "area": str(area_value),
                     "opened_on": opened_on.isoformat()},
            event=Event("create", "建立红旗驿站", from_state="", to_state=""),
        )  # fmt: skip
    return station


def station_room_add(
    *, actor: Actor, station_id: Any, kind: str, name: str, area: Any, capacity: Any
) -> StationRoom:
    """登记驿站房间 (党群活动室, 居民议事厅 …): the rooms the facilities
    module will make bookable."""
    actor.require("party.station")
    if kind not in RoomKind.values:
        raise ValidationError("请选择房间用途。", field="kind")
    name = clean_text(name, field="room_name", label="房间名称", max_length=40, single_line=True)
    area_value = _area(area, field="room_area")
    seats = _count(capacity, field="capacity", label="容纳人数", low=1, high=MAX_CAPACITY)
    with transaction.atomic():
        station = _station_for_update(actor, station_id)
        if station.rooms.filter(name=name).exists():
            raise Conflict(f"该驿站已有名为“{name}”的房间。", field="room_name")
        room = StationRoom.objects.create(
            **_scope_columns(station), station=station, kind=kind, name=name, area=area_value,
            capacity=seats,
        )  # fmt: skip
        record(
            actor=actor, action="station_room.add", obj=station, region=station.compound,
            changes={"room": room.pk, "kind": kind, "name": name, "area": str(area_value),
                     "capacity": seats},
            event=Event("room_add", f"登记{room.get_kind_display()}“{name}”", from_state="",
                        to_state=""),
        )  # fmt: skip
    return room


def _clean_periods(periods: Iterable[Any]) -> list[tuple[int, dt.time, dt.time]]:
    cleaned: list[tuple[int, dt.time, dt.time]] = []
    for item in periods or ():
        if not isinstance(item, tuple | list) or len(item) != 3:
            raise ValidationError("开放时段须写明星期、开门和关门时间。", field="hours")
        weekday = _weekday(item[0], field="hours")
        day = WEEKDAY_LABELS[weekday]
        opens = _time(item[1], field="hours", label=f"{day}的开门时间")
        closes = _time(item[2], field="hours", label=f"{day}的关门时间")
        if closes <= opens:
            raise ValidationError(
                f"{day} {_hm(opens)}–{_hm(closes)}：关门时间须晚于开门时间。", field="hours"
            )
        cleaned.append((weekday, opens, closes))
    if not cleaned:
        raise ValidationError("请至少填写一个开放时段。", field="hours")
    cleaned.sort()
    for (day_a, opens_a, closes_a), (day_b, opens_b, closes_b) in zip(
        cleaned, cleaned[1:], strict=False
    ):
        if day_a == day_b and opens_b < closes_a:
            raise ValidationError(
                f"{WEEKDAY_LABELS[day_a]} {_hm(opens_a)}–{_hm(closes_a)} 与 "
                f"{_hm(opens_b)}–{_hm(closes_b)} 重叠。",
                field="hours",
            )
    per_day: dict[int, int] = defaultdict(int)
    for weekday, _opens, _closes in cleaned:
        per_day[weekday] += 1
    if max(per_day.values()) > MAX_PERIODS_PER_DAY:
        raise ValidationError(f"每天最多{MAX_PERIODS_PER_DAY}个开放时段。", field="hours")
    return cleaned


def hours_text(periods: Iterable[tuple[int, dt.time, dt.time]]) -> str:
    """ "周一 09:00–11:30、14:00–17:00；周三 …" (for the audit trail and the pages)."""
    days: dict[int, list[str]] = defaultdict(list)
    for weekday, opens, closes in sorted(periods):
        days[weekday].append(f"{_hm(opens)}–{_hm(closes)}")
    return "；".join(f"{WEEKDAY_LABELS[d]} {'、'.join(spans)}" for d, spans in sorted(days.items()))


def station_hours_set(
    *, actor: Actor, station_id: Any, periods: Iterable[Any]
) -> list[StationHours]:
    """公示驿站开放时间: the whole weekly timetable replaced at once by
    ``(weekday 0–6, opens, closes)`` periods, ordered and not overlapping
    within a day. The current month is judged again against it."""
    actor.require("party.station")
    cleaned = _clean_periods(periods)
    with transaction.atomic():
        station = _station_for_update(actor, station_id)
        before = hours_text(station.hours.values_list("weekday", "opens", "closes"))
        station.hours.all().delete()
        rows = StationHours.objects.bulk_create(
            StationHours(**_scope_columns(station), station=station, weekday=d, opens=o, closes=c)
            for d, o, c in cleaned
        )
        after = hours_text(cleaned)
        record(
            actor=actor, action="station_hours.set", obj=station, region=station.compound,
            changes={"hours": [before, after]},
            event=Event("hours_set", "公示开放时间", from_state="", to_state="", note=after),
        )  # fmt: skip
        station_month_refresh(station=station, month=month_start(local_today()))
    return rows


def station_duty_add(*, actor: Actor, station_id: Any, weekday: Any, member_id: Any) -> StationDuty:
    """安排驿站值班: an active member of the station's community on a weekday."""
    actor.require("party.station")
    day = _weekday(weekday)
    pk = _id(member_id)
    with transaction.atomic():
        station = _station_for_update(actor, station_id)
        member = (
            PartyMember.objects.select_related("resident")
            .filter(pk=pk, community_id=station.community_id, status=MemberStatus.ACTIVE)
            .first()
            if pk is not None
            else None
        )
        if member is None:
            raise NotFound("该党员不在本社区的党员名册中。", field="member")
        if StationDuty.objects.filter(station=station, weekday=day, member=member).exists():
            raise Conflict(f"该党员已安排在{WEEKDAY_LABELS[day]}值班。", field="member")
        try:
            with transaction.atomic():
                duty = StationDuty.objects.create(
                    **_scope_columns(station), station=station, weekday=day, member=member
                )
        except IntegrityError:
            raise Conflict(f"该党员已安排在{WEEKDAY_LABELS[day]}值班。", field="member") from None
        name = mask_name(member.resident.name)
        record(
            actor=actor, action="station_duty.add", obj=station, region=station.compound,
            changes={"duty": duty.pk, "weekday": day, "member": name},
            event=Event("duty_add", f"安排{WEEKDAY_LABELS[day]}值班：党员{name}", from_state="",
                        to_state=""),
        )  # fmt: skip
    return duty


def station_opening_log(
    *,
    actor: Actor,
    station_id: Any,
    day: dt.date | None,
    opened: dt.time | None,
    closed: dt.time | None,
) -> StationOpening:
    """开放登记: the station was really open on ``day`` from ``opened`` to
    ``closed`` — not in the future, not before the station opened, and not
    overlapping another registration of that day."""
    actor.require("party.station")
    opened_at = _time(opened, field="opened", label="开门时间")
    closed_at = _time(closed, field="closed", label="关门时间")
    if closed_at <= opened_at:
        raise ValidationError("关门时间须晚于开门时间。", field="closed")
    with transaction.atomic():
        station = _station_for_update(actor, station_id)
        on = _past_day(day, field="day", label="开放日期", station=station)
        if on == local_today() and closed_at > timezone.localtime().time():
            raise ValidationError("登记的是实际开放：今天的关门时间不能晚于现在。", field="closed")
        clash = (
            StationOpening.objects.filter(
                station=station, day=on, opened__lt=closed_at, closed__gt=opened_at
            )
            .order_by("opened")
            .first()
        )
        if clash is not None:
            raise Conflict(
                f"与{_day_cn(on)}已登记的开放时段 {_hm(clash.opened)}–{_hm(clash.closed)} 重叠。",
                field="opened",
            )
        opening = StationOpening.objects.create(
            **_scope_columns(station), station=station, day=on, opened=opened_at,
            closed=closed_at, logged_at=timezone.now(), logged_by=actor.user,
        )  # fmt: skip
        minutes = minutes_between(opened_at, closed_at)
        record(
            actor=actor, action="station_opening.log", obj=station, region=station.compound,
            changes={"opening": opening.pk, "day": on.isoformat(), "opened": _hm(opened_at),
                     "closed": _hm(closed_at), "minutes": minutes},
            event=Event("opening_log", f"开放登记 {on.month}月{on.day}日 {_hm(opened_at)}–{_hm(closed_at)}",
                        from_state="", to_state=""),
        )  # fmt: skip
        station_month_refresh(station=station, month=month_start(on))
    return opening


def station_activity_log(
    *,
    actor: Actor,
    station_id: Any,
    day: dt.date | None,
    kind: str,
    title: str,
    participants: Any,
    residents_served: Any,
    photos: Any = (),
) -> StationActivity:
    """登记驿站活动 (党员活动, 议事, 服务, 学习) with its numbers and up to
    four photos (checked before anything is written)."""
    actor.require("party.station")
    if kind not in ActivityKind.values:
        raise ValidationError("请选择活动类别（党员活动、议事、服务或学习）。", field="kind")
    title = clean_text(title, field="title", label="活动内容", max_length=100, single_line=True)
    joined = _count(participants, field="participants", label="参加人数", low=0, high=MAX_PEOPLE)
    served = _count(
        residents_served, field="residents_served", label="服务居民人数", low=0, high=MAX_PEOPLE
    )
    checked = photo_store.check_photos(photos)
    with transaction.atomic():
        station = _station_for_update(actor, station_id)
        on = _past_day(day, field="day", label="活动日期", station=station)
        activity = StationActivity.objects.create(
            **_scope_columns(station), station=station, day=on, kind=kind, title=title,
            participants=joined, residents_served=served, logged_at=timezone.now(),
            logged_by=actor.user,
        )  # fmt: skip
        ActivityPhoto.objects.bulk_create(
            ActivityPhoto(activity=activity, district_id=activity.district_id,
                          path=photo_store.store(p, subdir=PHOTO_DIR), content_type=p.content_type)
            for p in checked
        )  # fmt: skip
        record(
            actor=actor, action="station_activity.log", obj=station, region=station.compound,
            changes={"activity": activity.pk, "day": on.isoformat(), "kind": kind,
                     "title": title, "participants": joined, "residents_served": served,
                     "photos": len(checked)},
            event=Event("activity_log", f"{activity.get_kind_display()}：{title}",
                        from_state="", to_state=""),
        )  # fmt: skip
        station_month_refresh(station=station, month=month_start(on))
    return activity


# -- the monthly rollup ------------------------------------------------------------------------


def _month_rows(
    stations: Sequence[Station], months: Sequence[dt.date], today: dt.date
) -> list[StationMonth]:
    """The judged ``StationMonth`` of each station for each month it ran in
    (a month before it opened, or not begun yet, has none): five queries
    for any number of stations."""
    if not stations or not months:
        return []
    ids = [s.pk for s in stations]
    first, end = min(months), next_month(max(months))
    hours: dict[int, list[tuple[int, dt.time, dt.time]]] = defaultdict(list)
    for sid, weekday, opens, closes in StationHours.objects.filter(station_id__in=ids).values_list(
        "station_id", "weekday", "opens", "closes"
    ):
        hours[sid].append((weekday, opens, closes))
    opened: dict[tuple[int, dt.date], list[tuple[dt.time, dt.time]]] = defaultdict(list)
    for sid, day, start, stop in StationOpening.objects.filter(
        station_id__in=ids, day__gte=first, day__lt=end
    ).values_list("station_id", "day", "opened", "closed"):
        opened[(sid, month_start(day))].append((start, stop))
    activity: dict[tuple[int, dt.date], tuple[int, int]] = {}
    for row in (
        StationActivity.objects.filter(station_id__in=ids, day__gte=first, day__lt=end)
        .annotate(m=TruncMonth("day"))
        .values("station_id", "m")
        .annotate(
            with_residents=Count("id", filter=Q(residents_served__gt=0)),
            hosted=Count("id", filter=Q(kind__in=HOSTING_KINDS)),
        )
        .order_by()
    ):
        month = row["m"].date() if isinstance(row["m"], dt.datetime) else row["m"]
        activity[(row["station_id"], month)] = (row["with_residents"], row["hosted"])
    rules = {d: rules_for(d) for d in sorted({s.district_id for s in stations})}
    out = []
    for station in stations:
        for month in months:
            if judged_days(month=month, opened_on=station.opened_on, today=today) is None:
                continue
            published = published_minutes(
                hours[station.pk], month=month, opened_on=station.opened_on, today=today
            )
            really_open = open_minutes(opened[(station.pk, month)])
            with_residents, hosted = activity.get((station.pk, month), (0, 0))
            verdict = judge(
                published_minutes=published, open_minutes=really_open,
                activities_with_residents=with_residents, hosted=hosted,
                rules=rules[station.district_id],
            )  # fmt: skip
            out.append(
                StationMonth(
                    district_id=station.district_id,
                    community_id=station.community_id,
                    street_id=cast(int, station.community.street_id),
                    station_id=station.pk,
                    month=month,
                    published_minutes=published,
                    open_minutes=really_open,
                    activities_with_residents=with_residents,
                    hosted=hosted,
                    functioning=verdict.functioning,
                    reason=verdict.reason,
                )  # fmt: skip
            )
    return out


def _save_months(rows: list[StationMonth]) -> int:
    """Insert or overwrite on (station, month): writing the same facts twice
    leaves the same rows."""
    if rows:
        StationMonth.objects.bulk_create(
            rows,
            update_conflicts=True,
            # The district is part of the key (the sharding key is never updated).
            unique_fields=["station", "month", "district"],
            update_fields=[*MONTH_FIELDS, "community", "street"],
        )
    return len(rows)


def station_month_refresh(*, station: Station, month: dt.date) -> StationMonth | None:
    """Judge ``station``'s ``month`` again from its records (inside the
    caller's transaction, the station row locked by the caller). None for a
    month the station did not run in."""
    rows = _month_rows([station], [month_start(month)], local_today())
    _save_months(rows)
    return rows[0] if rows else None


def station_months_rebuild(*, actor: Actor | None = None) -> int:
    """``shequ tick``: judge the current and the previous month of every
    running station again (idempotent: the same records give the same rows).
    The stations are locked in id order, so a registration under way waits
    or goes first, and neither overwrites the other with stale figures.
    ``actor`` is accepted like every tick job's; a rollup writes no audit
    record. Returns the rows written."""
    del actor  # a rollup is derived data: nothing to attribute
    today = local_today()
    current = month_start(today)
    months = [month_start(current - dt.timedelta(days=1)), current]
    written = 0
    last_pk = 0
    # Its own transaction when called outside ``shequ tick`` (the locks need one).
    with transaction.atomic():
        while True:
            chunk = list(
                Station.objects.select_for_update(of=("self",))
                .select_related("community")
                .filter(active=True, pk__gt=last_pk)
                .order_by("pk")[:REBUILD_CHUNK]
            )
            if not chunk:
                return written
            written += _save_months(_month_rows(chunk, months, today))
            last_pk = chunk[-1].pk
