"""红旗驿站 API: the list with the month's verdict, one station, setting one
up, registering openings and activities (the month's figures come back
refreshed), the figures by community; refusals in Chinese with their 4xx and
nothing written; who may read and write; a list whose query count does not
grow with its rows."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shequ.core.models import AuditRecord, RegionLevel
from shequ.core.scope import Actor
from shequ.core.tests.factories import make_region
from shequ.party.models import Station, StationActivity, StationMonth, StationOpening
from shequ.party.services import stations as s
from shequ.party.tests.helpers import member, org, party_orgs

pytestmark = pytest.mark.django_db
CLOCK_START = "2026-11-02"  # a Monday
BASE = "/api/party/stations"
T = dt.time


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _station(people, branch, name="化机小区红旗驿站") -> Station:
    station = s.station_create(actor=Actor.for_user(people.worker), branch_id=branch.pk,
                               name=name, location_kind="public_room", address="化机小区3号楼底商",
                               area="80", opened_on=dt.date(2025, 1, 1))  # fmt: skip
    s.station_hours_set(actor=Actor.for_user(people.worker), station_id=station.pk,
                        periods=[(0, T(9), T(11, 30))])  # fmt: skip
    return station


def _written() -> tuple:
    return (
        Station.objects.count(), StationOpening.objects.count(), StationActivity.objects.count(),
        sorted(StationMonth.objects.values_list("station_id", "month", "open_minutes")),
        AuditRecord.objects.filter(success=True).exclude(action__startswith="auth.").count(),
    )  # fmt: skip


def test_a_worker_sets_up_a_station_and_registers_through_the_api(tree, people, clock):
    orgs = party_orgs(tree)
    client = _client(people.worker)
    made = _post(client, BASE, {"branch_id": orgs.branch.pk, "name": "化机小区红旗驿站",
                                "location_kind": "public_room", "address": "化机小区3号楼底商",
                                "area": "80.5", "opened_on": "2025-01-01"})  # fmt: skip
    assert made.status_code == 201
    station_id = made.json()["id"]
    assert (made.json()["branch"], made.json()["area"], made.json()["compound"]) == (
        "中共化机小区支部委员会", "80.50", "化机小区",
    )  # fmt: skip
    s.station_hours_set(actor=Actor.for_user(people.worker), station_id=station_id,
                        periods=[(0, T(9), T(11, 30))])  # fmt: skip
    opened = _post(client, f"{BASE}/{station_id}/openings",
                   {"day": "2026-10-05", "opened": "09:00", "closed": "11:30"})  # fmt: skip
    assert opened.status_code == 201
    assert opened.json()["month"] == {
        "month": "2026-10", "published_minutes": 600, "open_minutes": 150,
        "activities_with_residents": 0, "hosted": 0, "functioning": False,
        "reason": "未充分发挥作用：实际开放150分钟，不足公示600分钟的80%（480分钟）；"
                  "有居民参加的活动0次，少于2次；议事或服务活动0次，少于1次。",
    }  # fmt: skip
    done = _post(client, f"{BASE}/{station_id}/activities",
                 {"day": "2026-10-06", "kind": "service", "title": "义诊", "participants": 5,
                  "residents_served": 20})  # fmt: skip
    assert done.status_code == 201
    assert (done.json()["kind_label"], done.json()["month"]["activities_with_residents"],
            done.json()["month"]["hosted"]) == ("服务", 1, 1)  # fmt: skip
    detail = client.get(f"{BASE}/{station_id}").json()
    assert [(h["weekday_label"], h["opens"], h["closes"]) for h in detail["hours"]] == [
        ("周一", "09:00:00", "11:30:00"),
    ]  # fmt: skip
    assert [m["month"] for m in detail["months"]] == ["2026-11", "2026-10"]
    assert detail["month"]["open_minutes"] == 150 and detail["current"]["published_minutes"] == 150
    assert detail["rule"].startswith(
        "当月同时满足三项即为充分发挥作用：实际开放时长不低于公示开放时长的80%"
    )


def test_refusals_are_chinese_4xx_and_write_nothing(tree, people, clock):
    orgs = party_orgs(tree)
    station = _station(people, orgs.branch)
    s.station_opening_log(actor=Actor.for_user(people.worker), station_id=station.pk,
                          day=dt.date(2026, 10, 5), opened=T(9), closed=T(11))  # fmt: skip
    client = _client(people.worker)
    create = {"branch_id": orgs.branch.pk, "name": "新驿站", "location_kind": "public_room",
              "address": "化机小区", "area": "60", "opened_on": "2025-01-01"}  # fmt: skip
    before = _written()
    calls = [
        (BASE, create | {"area": "0"}),
        (BASE, create | {"opened_on": "2026-11-03"}),
        (BASE, create | {"branch_id": orgs.community.pk}),
        (BASE, create | {"branch_id": orgs.other_branch.pk}),
        (BASE, create | {"branch_id": 2**31 - 1}),
        (f"{BASE}/{station.pk}/openings", {"day": "2026-11-03", "opened": "09:00", "closed": "10:00"}),
        (f"{BASE}/{station.pk}/openings", {"day": "2026-10-05", "opened": "10:30", "closed": "12:00"}),
        (f"{BASE}/{station.pk}/activities", {"day": "2026-11-03", "kind": "service", "title": "义诊",
                                             "participants": 1, "residents_served": 1}),
        (f"{BASE}/{station.pk}/activities", {"day": "2026-10-05", "kind": "service", "title": "义诊",
                                             "participants": -1, "residents_served": 1}),
        (f"{BASE}/{10**20}/openings", {"day": "2026-10-05", "opened": "13:00", "closed": "14:00"}),
    ]  # fmt: skip
    answers = [(r.status_code, r.json()["detail"]) for r in (_post(client, u, b) for u, b in calls)]
    assert answers == [
        (422, "面积须大于0平方米。"),
        (422, "启用日期不能晚于今天。"),
        (422, "红旗驿站由小区党支部建立，“中共站前社区委员会”是社区党委。"),
        (403, "该党支部不在您的管辖范围内。"),
        (404, "党支部不存在。"),
        (422, "开放日期不能晚于今天。"),
        (409, "与2026年10月5日已登记的开放时段 09:00–11:00 重叠。"),
        (422, "活动日期不能晚于今天。"),
        (422, "参加人数须在0到100000之间。"),
        (404, "红旗驿站不存在。"),
    ]
    assert _written() == before
    assert AuditRecord.objects.filter(success=False, action="station.create").count() == 5


def test_who_reads_and_writes(tree, people, clock):
    orgs = party_orgs(tree)
    station = _station(people, orgs.branch)
    on_duty = member(tree.unit, orgs.group, name="王红", seq=61)
    s.station_duty_add(actor=Actor.for_user(people.worker), station_id=station.pk, weekday=0,
                       member_id=on_duty.pk)  # fmt: skip
    detail = f"{BASE}/{station.pk}"
    reads = {
        who: (c.get(BASE).status_code, c.get(detail).status_code,
              c.get(f"{BASE}/figures").status_code)
        for who, c in (("anonymous", Client()), *((u, _client(getattr(people, u))) for u in (
            "resident", "unit_liaison", "other_worker", "inspector", "building_head", "worker")))
    }  # fmt: skip
    assert reads == {
        "anonymous": (401, 401, 401), "resident": (403, 403, 403),
        "unit_liaison": (403, 403, 403), "other_worker": (200, 404, 200),
        "inspector": (200, 200, 200), "building_head": (200, 200, 200),
        "worker": (200, 200, 200),
    }  # fmt: skip
    assert _client(people.other_worker).get(BASE).json()["count"] == 0
    assert _client(people.inspector).get(detail).json()["duties"][0]["name"] == "王*"
    assert _client(people.secretary).get(detail).json()["duties"][0]["name"] == "王红"
    before = _written()
    body = {"day": "2026-10-06", "opened": "09:00", "closed": "10:00"}
    writes = {
        who: _post(_client(getattr(people, who)), f"{detail}/openings", body).status_code
        for who in ("resident", "inspector", "street_officer", "other_worker")
    }
    assert writes == {"resident": 403, "inspector": 403, "street_officer": 403, "other_worker": 403}
    assert _written() == before


def test_the_figures_by_community_link_to_the_list(tree, people, clock):
    orgs = party_orgs(tree)
    station = _station(people, orgs.branch)
    actor = Actor.for_user(people.worker)
    for day in (5, 12, 19, 26):
        s.station_opening_log(actor=actor, station_id=station.pk, day=dt.date(2026, 10, day),
                              opened=T(9), closed=T(11))  # fmt: skip
    for day in (6, 7):
        s.station_activity_log(actor=actor, station_id=station.pk, day=dt.date(2026, 10, day),
                               kind="deliberation", title="议事", participants=9,
                               residents_served=9)  # fmt: skip
    _station(people, orgs.branch, name="化机二站")
    found = _client(people.district_admin).get(f"{BASE}/figures").json()
    assert (found["month"], found["stations"], found["functioning"]) == ("2026-10", 2, 1)
    rows = {r["community"]: (r["stations"], r["functioning"], r["functioning_url"])
            for r in found["communities"]}  # fmt: skip
    assert rows["站前社区"] == (
        2, 1, f"/party/stations/?month=2026-10&community={tree.community.pk}&functioning=1",
    )  # fmt: skip
    assert rows["利民社区"][:2] == (0, 0) and rows["铁塔社区"][:2] == (0, 0)
    listed = _client(people.district_admin).get(BASE, {"month": "2026-10", "functioning": "true"})
    assert [r["name"] for r in listed.json()["items"]] == ["化机小区红旗驿站"]
    assert listed.json()["items"][0]["month"]["open_minutes"] == 480


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_endpoint_costs_the_same_for_more_stations(
    tree, people, clock, django_assert_num_queries
):
    orgs = party_orgs(tree)
    _station(people, orgs.branch)
    s.station_months_rebuild()
    client = _client(people.inspector)
    with django_assert_num_queries(_count(client, BASE)) as first:
        client.get(BASE)
    for n in range(6):
        compound = make_region(name=f"新村{n}", code=f"210302001001{101 + n}",
                               level=RegionLevel.COMPOUND, parent=tree.community)  # fmt: skip
        _station(people, org(compound, "branch", f"新村{n}党支部", orgs.community), f"新村{n}驿站")
    s.station_months_rebuild()
    with django_assert_num_queries(len(first.captured_queries)):
        assert client.get(BASE).json()["count"] == 7
