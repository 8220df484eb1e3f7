"""红旗驿站 services: setting up a station for a compound branch, its rooms,
timetable and duty; a month's verdict from its hours and its registrations,
exact at the boundary of each threshold; the rollup refreshed by every write
and rebuilt by ``shequ tick`` (the same rows twice); bad input refused in
Chinese with nothing written; who may write."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shequ.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from shequ.core.models import AuditRecord, TimelineEvent
from shequ.core.scope import Actor
from shequ.core.tick import run_job
from shequ.party.models import (
    PartyRules,
    Station,
    StationActivity,
    StationDuty,
    StationHours,
    StationMonth,
    StationOpening,
    StationRoom,
)
from shequ.party.services import stations as s
from shequ.party.tests.helpers import member, party_orgs, party_secretary

pytestmark = pytest.mark.django_db
CLOCK_START = "2026-11-02"  # a Monday
OCTOBER = dt.date(2026, 10, 1)  # its Mondays: 5, 12, 19, 26
NOVEMBER = dt.date(2026, 11, 1)
T = dt.time
HALF_PAST_NINE = T(9, 30)


def _worker(people) -> Actor:
    return Actor.for_user(people.worker)


def _station(actor, branch, *, opened_on=dt.date(2025, 1, 1), name="化机小区红旗驿站") -> Station:
    return s.station_create(actor=actor, branch_id=branch.pk, name=name,
                            location_kind="public_room", address="化机小区3号楼底商",
                            area="80.5", opened_on=opened_on)  # fmt: skip


def _mondays(actor, station, last_close=HALF_PAST_NINE) -> None:
    """周一 09:00–11:30 published (600 minutes in October), and open 150 + 150
    + 150 + the last Monday until ``last_close``: 480 minutes by default,
    exactly 80%."""
    s.station_hours_set(actor=actor, station_id=station.pk, periods=[(0, T(9), T(11, 30))])
    for day in (5, 12, 19):
        s.station_opening_log(actor=actor, station_id=station.pk, day=dt.date(2026, 10, day),
                              opened=T(9), closed=T(11, 30))  # fmt: skip
    s.station_opening_log(actor=actor, station_id=station.pk, day=dt.date(2026, 10, 26),
                          opened=T(9), closed=last_close)  # fmt: skip


def _activity(actor, station, *, day=10, kind="service", served=12, title="义诊"):
    return s.station_activity_log(actor=actor, station_id=station.pk, day=dt.date(2026, 10, day),
                                  kind=kind, title=title, participants=8,
                                  residents_served=served)  # fmt: skip


def _october(station) -> tuple:
    m = StationMonth.objects.get(station=station, month=OCTOBER)
    return (m.published_minutes, m.open_minutes, m.activities_with_residents, m.hosted,
            m.functioning)  # fmt: skip


def _written() -> tuple:
    """What a refused write must leave as it was."""
    return (
        Station.objects.count(), StationRoom.objects.count(), StationHours.objects.count(),
        StationDuty.objects.count(), StationOpening.objects.count(),
        StationActivity.objects.count(),
        sorted(StationMonth.objects.values_list("station_id", "month", "open_minutes", "reason")),
        AuditRecord.objects.filter(success=True).count(), TimelineEvent.objects.count(),
    )  # fmt: skip


# -- setting up --------------------------------------------------------------------------------


def test_a_worker_sets_up_a_station_for_the_compound_branch(tree, people, clock):
    orgs = party_orgs(tree)
    station = _station(_worker(people), orgs.branch)
    assert (station.branch_id, station.district_id, station.community_id, station.compound_id,
            station.area, station.active) == (
        orgs.branch.pk, tree.district.pk, tree.community.pk, tree.compound.pk, Decimal("80.50"),
        True,
    )  # fmt: skip
    audit = AuditRecord.objects.get(action="station.create")
    assert (audit.object_id, audit.region_id, audit.changes["area"]) == (
        str(station.pk), tree.compound.pk, "80.50",
    )  # fmt: skip
    room = s.station_room_add(actor=_worker(people), station_id=station.pk, kind="activity_room",
                              name="党群活动室", area="40", capacity="30")  # fmt: skip
    assert (room.station_id, room.area, room.capacity) == (station.pk, Decimal("40.00"), 30)


def test_the_branch_secretary_sets_up_the_station_of_their_branch(tree, people, clock):
    orgs = party_orgs(tree)
    secretary = Actor.for_user(party_secretary(tree.compound, "branch_secretary"))
    assert _station(secretary, orgs.branch).branch_id == orgs.branch.pk
    with pytest.raises(PermissionDenied, match="该党支部不在您的管辖范围内。"):
        _station(secretary, orgs.other_branch)
    group_secretary = Actor.for_user(party_secretary(tree.building, "group_secretary"))
    with pytest.raises(PermissionDenied, match="该党支部不在您的管辖范围内。"):
        _station(group_secretary, orgs.branch, name="另一驿站")
    assert Station.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"area": "0"}, ValidationError, "面积须大于0平方米。"),
        ({"area": "-3"}, ValidationError, "面积须大于0平方米。"),
        ({"area": "80.123"}, ValidationError, "面积最多保留两位小数。"),
        ({"area": "很大"}, ValidationError, "请填写面积（平方米）"),
        ({"area": "1e400"}, ValidationError, "面积不能超过999999.99平方米。"),
        ({"opened_on": dt.date(2026, 11, 3)}, ValidationError, "启用日期不能晚于今天。"),
        ({"opened_on": dt.date(2020, 6, 30)}, ValidationError,
         "启用日期不能早于党支部成立日期（2020年7月1日）。"),
        ({"opened_on": None}, ValidationError, "请填写启用日期。"),
        ({"location_kind": "garage"}, ValidationError, "请选择用房类型"),
        ({"name": "  "}, ValidationError, "请填写驿站名称。"),
        ({"branch": "other_branch"}, PermissionDenied, "该党支部不在您的管辖范围内。"),
        ({"branch": "community"}, ValidationError,
         "红旗驿站由小区党支部建立，“中共站前社区委员会”是社区党委。"),
        ({"branch": "group"}, ValidationError, "“化机小区1号楼党小组”是楼院党小组。"),
        ({"branch": 10**12}, NotFound, "党支部不存在。"),
        ({"branch": "junk"}, NotFound, "党支部不存在。"),
    ],
)  # fmt: skip
def test_station_refusals_write_nothing(tree, people, clock, change, error, message):
    orgs = party_orgs(tree)
    values = {"name": "化机小区红旗驿站", "location_kind": "public_room",
              "address": "化机小区3号楼底商", "area": "80", "opened_on": dt.date(2025, 1, 1),
              "branch": "branch"} | change  # fmt: skip
    branch = values.pop("branch")
    branch_id = (
        getattr(orgs, branch).pk if isinstance(branch, str) and hasattr(orgs, branch) else branch
    )
    before = _written()
    with pytest.raises(error, match=message):
        s.station_create(actor=_worker(people), branch_id=branch_id, **values)
    assert _written() == before


def test_a_dissolved_branch_or_a_second_station_of_the_same_name_is_refused(tree, people, clock):
    orgs = party_orgs(tree)
    _station(_worker(people), orgs.branch)
    with pytest.raises(Conflict, match="化机小区已有名为“化机小区红旗驿站”的红旗驿站。"):
        _station(_worker(people), orgs.branch)
    orgs.branch.active = False
    orgs.branch.save(update_fields=["active"])
    with pytest.raises(ValidationError, match="“中共化机小区支部委员会”已撤销。"):
        _station(_worker(people), orgs.branch, name="新驿站")
    assert Station.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"area": "0"}, "面积须大于0平方米。"),
        ({"capacity": "0"}, "容纳人数须在1到10000之间。"),
        ({"capacity": "三十"}, "请填写容纳人数（整数）。"),
        ({"kind": "kitchen"}, "请选择房间用途。"),
        ({"name": ""}, "请填写房间名称。"),
    ],
)
def test_room_refusals_write_nothing(tree, people, clock, change, message):
    station = _station(_worker(people), party_orgs(tree).branch)
    values = {"kind": "deliberation_hall", "name": "居民议事厅", "area": "30", "capacity": "20"}
    before = _written()
    with pytest.raises(ValidationError, match=message):
        s.station_room_add(actor=_worker(people), station_id=station.pk, **(values | change))
    assert _written() == before


# -- timetable and duty ------------------------------------------------------------------------


def test_the_timetable_is_replaced_as_a_whole(tree, people, clock):
    actor = _worker(people)
    station = _station(actor, party_orgs(tree).branch)
    s.station_hours_set(actor=actor, station_id=station.pk,
                        periods=[(2, T(14), T(17)), (0, T(9), T(11, 30)), (2, T(9), T(11))])  # fmt: skip
    s.station_hours_set(actor=actor, station_id=station.pk,
                        periods=[(0, T(9), T(12)), (5, T(9), T(11))])  # fmt: skip
    assert list(StationHours.objects.filter(station=station).values_list("weekday", "opens", "closes")) == [
        (0, T(9), T(12)), (5, T(9), T(11)),
    ]  # fmt: skip
    audit = AuditRecord.objects.filter(action="station_hours.set").order_by("id").last()
    assert audit.changes["hours"] == [
        "周一 09:00–11:30；周三 09:00–11:00、14:00–17:00", "周一 09:00–12:00；周六 09:00–11:00",
    ]  # fmt: skip
    # the month under way is judged again against it: 2 November, a Monday, so far
    current = StationMonth.objects.get(station=station, month=NOVEMBER)
    assert (current.published_minutes, current.open_minutes, current.functioning) == (180, 0, False)


@pytest.mark.parametrize(
    ("periods", "message"),
    [
        ([(0, T(9), T(11)), (0, T(10, 30), T(12))], "周一 09:00–11:00 与 10:30–12:00 重叠。"),
        ([(3, T(11), T(9))], "周四 11:00–09:00：关门时间须晚于开门时间。"),
        ([(3, T(9), T(9))], "关门时间须晚于开门时间。"),
        ([(7, T(9), T(11))], "请选择星期（周一到周日）。"),
        ([(1, None, T(11))], "请填写周二的开门时间（如 09:00）。"),
        ([], "请至少填写一个开放时段。"),
        ([(4, T(h), T(h, 30)) for h in range(8, 15)], "每天最多6个开放时段。"),
    ],
)
def test_timetable_refusals_keep_the_old_one(tree, people, clock, periods, message):
    actor = _worker(people)
    station = _station(actor, party_orgs(tree).branch)
    s.station_hours_set(actor=actor, station_id=station.pk, periods=[(0, T(9), T(11, 30))])
    before = _written()
    with pytest.raises(ValidationError, match=message):
        s.station_hours_set(actor=actor, station_id=station.pk, periods=periods)
    assert _written() == before


def test_touching_periods_do_not_overlap(tree, people, clock):
    actor = _worker(people)
    station = _station(actor, party_orgs(tree).branch)
    rows = s.station_hours_set(actor=actor, station_id=station.pk,
                               periods=[(0, T(9), T(11)), (0, T(11), T(12))])  # fmt: skip
    assert len(rows) == 2


def test_a_member_of_the_community_goes_on_duty(tree, people, clock):
    orgs = party_orgs(tree)
    actor = _worker(people)
    station = _station(actor, orgs.branch)
    on_duty = member(tree.unit, orgs.group, name="王红", seq=61)
    duty = s.station_duty_add(actor=actor, station_id=station.pk, weekday=0, member_id=on_duty.pk)
    assert (duty.weekday, duty.member_id, duty.community_id) == (0, on_duty.pk, tree.community.pk)
    assert AuditRecord.objects.get(action="station_duty.add").changes["member"] == "王*"
    before = _written()
    with pytest.raises(Conflict, match="该党员已安排在周一值班。"):
        s.station_duty_add(actor=actor, station_id=station.pk, weekday=0, member_id=on_duty.pk)
    elsewhere = member(tree.other_unit, orgs.other_branch, name="赵强", seq=62)
    with pytest.raises(NotFound, match="该党员不在本社区的党员名册中。"):
        s.station_duty_add(actor=actor, station_id=station.pk, weekday=1, member_id=elsewhere.pk)
    with pytest.raises(ValidationError, match="请选择星期"):
        s.station_duty_add(actor=actor, station_id=station.pk, weekday=None, member_id=on_duty.pk)
    assert _written() == before


# -- the month's verdict -------------------------------------------------------------------------


def test_exactly_at_the_open_ratio_the_station_works(tree, people, clock):
    actor = _worker(people)
    station = _station(actor, party_orgs(tree).branch)
    _mondays(actor, station)  # 480 of 600 minutes
    _activity(actor, station, kind="service")
    _activity(actor, station, day=20, kind="party", title="主题党日", served=5)
    assert _october(station) == (600, 480, 2, 1, True)
    assert StationMonth.objects.get(station=station, month=OCTOBER).reason == (
        "充分发挥作用：实际开放480分钟，达到公示600分钟的80%（480分钟）；"
        "有居民参加的活动2次，达到2次；议事或服务活动1次，达到1次。"
    )


def test_one_minute_less_and_it_does_not(tree, people, clock):
    actor = _worker(people)
    station = _station(actor, party_orgs(tree).branch)
    _mondays(actor, station, last_close=T(9, 29))  # 479 of 600 minutes
    _activity(actor, station, kind="service")
    _activity(actor, station, day=20, kind="party", title="主题党日", served=5)
    assert _october(station) == (600, 479, 2, 1, False)
    assert StationMonth.objects.get(station=station, month=OCTOBER).reason.startswith(
        "未充分发挥作用：实际开放479分钟，不足公示600分钟的80%（480分钟）；"
    )


def test_k_activities_with_residents_and_k_minus_one(tree, people, clock):
    actor = _worker(people)
    station = _station(actor, party_orgs(tree).branch)
    _mondays(actor, station)
    _activity(actor, station, kind="service")
    # a study session nobody from the compound came to does not count
    _activity(actor, station, day=21, kind="study", title="党员学习", served=0)
    assert _october(station) == (600, 480, 1, 1, False)
    _activity(actor, station, day=22, kind="study", title="居民学习", served=3)
    assert _october(station) == (600, 480, 2, 1, True)


def test_one_hosted_deliberation_or_service_and_none(tree, people, clock):
    actor = _worker(people)
    station = _station(actor, party_orgs(tree).branch)
    _mondays(actor, station)
    _activity(actor, station, kind="party", title="主题党日")
    _activity(actor, station, day=20, kind="study", title="学习", served=5)
    assert _october(station) == (600, 480, 2, 0, False)
    # a deliberation counts as hosted even with no resident served
    _activity(actor, station, day=27, kind="deliberation", title="停车议事", served=0)
    assert _october(station) == (600, 480, 2, 1, True)


def test_the_thresholds_are_the_districts(tree, people, clock):
    actor = _worker(people)
    station = _station(actor, party_orgs(tree).branch)
    PartyRules.objects.create(district=tree.district, open_ratio=Decimal("0.90"),
                              min_activities=1, min_hosted=1)  # fmt: skip
    _mondays(actor, station, last_close=T(10, 30))  # 540 of 600: exactly 90%
    _activity(actor, station)
    assert _october(station) == (600, 540, 1, 1, True)


# -- the rollup ----------------------------------------------------------------------------------


def _months() -> list[tuple]:
    return sorted(StationMonth.objects.values_list(
        "station_id", "month", "district_id", "community_id", "street_id", "published_minutes",
        "open_minutes", "activities_with_residents", "hosted", "functioning", "reason",
    ))  # fmt: skip


def test_every_write_refreshes_the_month_in_its_transaction(tree, people, clock):
    actor = _worker(people)
    station = _station(actor, party_orgs(tree).branch)
    s.station_hours_set(actor=actor, station_id=station.pk, periods=[(0, T(9), T(11, 30))])
    s.station_opening_log(actor=actor, station_id=station.pk, day=dt.date(2026, 10, 5),
                          opened=T(9), closed=T(11))  # fmt: skip
    assert _october(station) == (600, 120, 0, 0, False)
    _activity(actor, station)
    assert _october(station) == (600, 120, 1, 1, False)
    assert StationMonth.objects.get(station=station, month=OCTOBER).street_id == tree.street.pk


def test_the_tick_rebuilds_this_month_and_the_last_the_same_twice(tree, people, clock):
    orgs = party_orgs(tree)
    actor = _worker(people)
    first = _station(actor, orgs.branch)
    _mondays(actor, first)
    _activity(actor, first)
    _activity(actor, first, day=20, kind="party", title="主题党日", served=5)
    late = _station(actor, orgs.branch, name="化机二站", opened_on=dt.date(2026, 10, 15))
    s.station_hours_set(actor=actor, station_id=late.pk, periods=[(0, T(9), T(11, 30))])
    # a row gone wrong (edited by hand, or a write lost in a crash) is put right
    StationMonth.objects.filter(station=first, month=OCTOBER).update(
        open_minutes=1, functioning=False
    )
    assert s.station_months_rebuild() == 4
    rebuilt = _months()
    assert [(r[0], r[1], r[5], r[6], r[9]) for r in rebuilt] == [
        (first.pk, OCTOBER, 600, 480, True), (first.pk, NOVEMBER, 150, 0, False),
        # opened 15 October: its Mondays 19 and 26 count
        (late.pk, OCTOBER, 300, 0, False), (late.pk, NOVEMBER, 150, 0, False),
    ]  # fmt: skip
    assert s.station_months_rebuild() == 4
    assert _months() == rebuilt
    # as ``shequ tick`` runs it: no arguments, in its own transaction
    done = run_job("shequ.party.services.stations.station_months_rebuild")
    assert (done.ok, done.result) == (True, 4)
    assert _months() == rebuilt
    assert StationMonth.objects.count() == 4


def test_the_tick_leaves_stopped_stations_and_earlier_months_alone(tree, people, clock):
    orgs = party_orgs(tree)
    actor = _worker(people)
    station = _station(actor, orgs.branch)
    s.station_hours_set(actor=actor, station_id=station.pk, periods=[(0, T(9), T(11, 30))])
    s.station_opening_log(actor=actor, station_id=station.pk, day=dt.date(2026, 8, 3),
                          opened=T(9), closed=T(11))  # fmt: skip
    stopped = _station(actor, orgs.branch, name="旧驿站")
    Station.objects.filter(pk=stopped.pk).update(active=False)
    august = list(
        StationMonth.objects.filter(month=dt.date(2026, 8, 1)).values_list("open_minutes")
    )
    assert s.station_months_rebuild() == 2
    assert (
        list(StationMonth.objects.filter(month=dt.date(2026, 8, 1)).values_list("open_minutes"))
        == august
    )
    assert not StationMonth.objects.filter(station=stopped).exists()


# -- registrations: bad input ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "opened", "closed", "error", "message"),
    [
        (dt.date(2026, 11, 3), T(9), T(11), ValidationError, "开放日期不能晚于今天。"),
        (dt.date(2024, 12, 31), T(9), T(11), ValidationError,
         "开放日期不能早于驿站启用日期（2025年1月1日）。"),
        (dt.date(2026, 10, 5), T(11), T(9), ValidationError, "关门时间须晚于开门时间。"),
        (dt.date(2026, 10, 5), T(10), T(12), Conflict,
         "与2026年10月5日已登记的开放时段 09:00–11:00 重叠。"),
        (dt.date(2026, 10, 5), T(8), T(9, 1), Conflict, "重叠"),
        (dt.date(2026, 11, 2), T(9), T(10), ValidationError, "今天的关门时间不能晚于现在。"),
        (None, T(9), T(11), ValidationError, "请填写开放日期。"),
        (dt.date(2026, 10, 6), None, T(11), ValidationError, "请填写开门时间"),
    ],
)  # fmt: skip
def test_opening_refusals_write_nothing(tree, people, clock, day, opened, closed, error, message):
    actor = _worker(people)
    station = _station(actor, party_orgs(tree).branch)
    s.station_opening_log(actor=actor, station_id=station.pk, day=dt.date(2026, 10, 5),
                          opened=T(9), closed=T(11))  # fmt: skip
    before = _written()
    with pytest.raises(error, match=message):
        s.station_opening_log(actor=actor, station_id=station.pk, day=day, opened=opened,
                              closed=closed)  # fmt: skip
    assert _written() == before


def test_back_to_back_openings_are_two_registrations(tree, people, clock):
    actor = _worker(people)
    station = _station(actor, party_orgs(tree).branch)
    for opened, closed in ((T(9), T(11)), (T(11), T(12)), (T(7), T(9))):
        s.station_opening_log(actor=actor, station_id=station.pk, day=dt.date(2026, 10, 5),
                              opened=opened, closed=closed)  # fmt: skip
    assert StationMonth.objects.get(station=station, month=OCTOBER).open_minutes == 300


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"day": dt.date(2026, 11, 3)}, "活动日期不能晚于今天。"),
        ({"participants": -1}, "参加人数须在0到100000之间。"),
        ({"residents_served": "-2"}, "服务居民人数须在0到100000之间。"),
        ({"residents_served": "许多"}, "请填写服务居民人数（整数）。"),
        ({"kind": "dance"}, "请选择活动类别"),
        ({"title": ""}, "请填写活动内容。"),
        ({"photos": [b"not an image"]}, "不是有效的图片"),
    ],
)
def test_activity_refusals_write_nothing(tree, people, clock, change, message):
    actor = _worker(people)
    station = _station(actor, party_orgs(tree).branch)
    values = {"day": dt.date(2026, 10, 10), "kind": "service", "title": "义诊",
              "participants": 8, "residents_served": 12} | change  # fmt: skip
    before = _written()
    with pytest.raises(ValidationError, match=message):
        s.station_activity_log(actor=actor, station_id=station.pk, **values)
    assert _written() == before


# -- who may write ---------------------------------------------------------------------------------


def test_only_those_who_keep_the_station_register(tree, people, clock):
    actor = _worker(people)
    station = _station(actor, party_orgs(tree).branch)
    before = _written()
    for user, error in ((people.other_worker, PermissionDenied), (people.resident, PermissionDenied),
                        (people.inspector, PermissionDenied), (people.street_officer, PermissionDenied),
                        (people.building_head, PermissionDenied)):  # fmt: skip
        with pytest.raises(error):
            s.station_opening_log(actor=Actor.for_user(user), station_id=station.pk,
                                  day=dt.date(2026, 10, 5), opened=T(9), closed=T(11))  # fmt: skip
        with pytest.raises(error):
            _activity(Actor.for_user(user), station)
    with pytest.raises(PermissionDenied, match="该红旗驿站不在您的管辖范围内。"):
        _activity(Actor.for_user(people.other_worker), station)
    with pytest.raises(NotFound, match="红旗驿站不存在。"):
        _activity(actor, Station(pk=10**15))
    assert _written() == before
    # the branch secretary keeps it too
    secretary = Actor.for_user(party_secretary(tree.compound, "branch_secretary"))
    assert _activity(secretary, station).station_id == station.pk


def test_a_stopped_station_takes_no_registrations(tree, people, clock):
    actor = _worker(people)
    station = _station(actor, party_orgs(tree).branch)
    Station.objects.filter(pk=station.pk).update(active=False)
    with pytest.raises(Conflict, match="该红旗驿站已停止运行。"):
        _activity(actor, station)
