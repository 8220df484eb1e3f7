"""红旗驿站 pages: the list with the last full month's verdict and the month
so far, filters and the figures' drill-down; setting up and keeping a
station through its forms; refusals shown in Chinese with their 4xx and
nothing written; who opens what (exact statuses); names masked outside the
party roles; photos only to those who see the station; and a list whose
query count does not grow with its rows."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from shequ.core.models import AuditRecord, RegionLevel
from shequ.core.permissions import Role
from shequ.core.scope import Actor
from shequ.core.tests.factories import make_region, user_with
from shequ.party.functioning import rule_text
from shequ.party.models import (
    ActivityPhoto,
    PartyRules,
    Station,
    StationActivity,
    StationHours,
    StationMonth,
    StationOpening,
)
from shequ.party.services import stations as s
from shequ.party.tests.helpers import member, org, party_orgs, party_secretary

pytestmark = pytest.mark.django_db
CLOCK_START = "2026-11-02"  # a Monday
OCTOBER = dt.date(2026, 10, 1)
T = dt.time


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="PNG")
    return out.getvalue()


def _station(people, branch, name="化机小区红旗驿站") -> Station:
    return s.station_create(actor=Actor.for_user(people.worker), branch_id=branch.pk, name=name,
                            location_kind="public_room", address="化机小区3号楼底商", area="80",
                            opened_on=dt.date(2025, 1, 1))  # fmt: skip


def _working(people, station) -> None:
    """Published 周一 09:00–11:30 and fully open in October, with two
    services for residents: it works in October."""
    actor = Actor.for_user(people.worker)
    s.station_hours_set(actor=actor, station_id=station.pk, periods=[(0, T(9), T(11, 30))])
    for day in (5, 12, 19, 26):
        s.station_opening_log(actor=actor, station_id=station.pk, day=dt.date(2026, 10, day),
                              opened=T(9), closed=T(11, 30))  # fmt: skip
    for day in (10, 20):
        s.station_activity_log(actor=actor, station_id=station.pk, day=dt.date(2026, 10, day),
                               kind="service", title=f"义诊{day}", participants=6,
                               residents_served=10)  # fmt: skip


def _written() -> tuple:
    return (
        Station.objects.count(), StationHours.objects.count(), StationOpening.objects.count(),
        StationActivity.objects.count(), ActivityPhoto.objects.count(),
        sorted(StationMonth.objects.values_list("station_id", "month", "open_minutes")),
        AuditRecord.objects.filter(success=True).exclude(action__startswith="auth.").count(),
    )  # fmt: skip


def test_a_worker_sets_up_and_keeps_a_station_through_the_pages(tree, people, clock):
    orgs = party_orgs(tree)
    client = _client(people.worker)
    form = client.get(reverse("party:station_create")).content.decode()
    assert "中共化机小区支部委员会" in form and "中共利民小区支部委员会" not in form
    made = client.post(reverse("party:station_create"), {
        "branch": orgs.branch.pk, "name": "化机小区红旗驿站", "location_kind": "property_room",
        "address": "化机小区物业楼二层", "area": "95.5", "opened_on": "2025-03-01",
    })  # fmt: skip
    station = Station.objects.get()
    page = reverse("party:station", args=[station.pk])
    assert (made.status_code, made.url, station.area) == (302, page, Decimal("95.50"))
    client.post(reverse("party:room_add", args=[station.pk]), {
        "room_kind": "deliberation_hall", "room_name": "居民议事厅", "room_area": "40",
        "capacity": "30",
    })  # fmt: skip
    hours = client.post(reverse("party:hours_set", args=[station.pk]), {
        "opens_0_0": "09:00", "closes_0_0": "11:30", "opens_2_0": "14:00", "closes_2_0": "17:00",
    })  # fmt: skip
    assert hours.status_code == 302
    on_duty = member(tree.unit, orgs.group, name="王红", seq=61)
    client.post(
        reverse("party:duty_add", args=[station.pk]), {"weekday": "0", "member": on_duty.pk}
    )
    opened = client.post(reverse("party:opening_log", args=[station.pk]),
                         {"day": "2026-10-05", "opened": "09:00", "closed": "11:30"})  # fmt: skip
    photo = SimpleUploadedFile("现场.png", _png(), content_type="image/png")
    logged = client.post(reverse("party:activity_log", args=[station.pk]), {
        "activity_day": "2026-10-05", "activity_kind": "deliberation", "title": "停车议事",
        "participants": "12", "residents_served": "9", "photos": photo,
    })  # fmt: skip
    assert (opened.status_code, logged.status_code) == (302, 302)
    body = client.get(page).content.decode()
    assert "居民议事厅（居民议事厅，40.00 平方米，可容纳 30 人）" in body
    assert "周一 09:00–11:30；周三 14:00–17:00" in body
    assert "周一：王*" in body and "王红" not in body  # a worker is not a party role
    # October: 4 Mondays × 150 + 4 Wednesdays × 180 published, 150 open
    assert "未充分发挥作用：实际开放150分钟，不足公示1320分钟的80%（1056分钟）" in body
    assert rule_text(PartyRules(district_id=tree.district.pk)) in body
    assert ActivityPhoto.objects.get().activity.title == "停车议事"
    assert (
        "停车议事" in body
        and reverse("party:activity_photo", args=[ActivityPhoto.objects.get().pk]) in body
    )


def test_refusals_show_on_the_page_with_their_status_and_write_nothing(tree, people, clock):
    orgs = party_orgs(tree)
    station = _station(people, orgs.branch)
    client = _client(people.worker)
    s.station_opening_log(actor=Actor.for_user(people.worker), station_id=station.pk,
                          day=dt.date(2026, 10, 5), opened=T(9), closed=T(11))  # fmt: skip
    before = _written()
    cases = [
        ("opening_log", {"day": "2026-11-03", "opened": "09:00", "closed": "10:00"}, 422,
         "开放日期不能晚于今天。"),
        ("opening_log", {"day": "2026-10-05", "opened": "10:00", "closed": "12:00"}, 409,
         "与2026年10月5日已登记的开放时段 09:00–11:00 重叠。"),
        ("opening_log", {"day": "昨天", "opened": "九点", "closed": ""}, 422, "请填写开门时间"),
        ("room_add", {"room_kind": "activity_room", "room_name": "活动室", "room_area": "0",
                      "capacity": "10"}, 422, "面积须大于0平方米。"),
        ("hours_set", {"opens_0_0": "09:00", "closes_0_0": "11:00", "opens_0_1": "10:00",
                       "closes_0_1": "12:00"}, 422, "周一 09:00–11:00 与 10:00–12:00 重叠。"),
        ("activity_log", {"activity_day": "2026-11-03", "activity_kind": "service",
                          "title": "义诊", "participants": "3", "residents_served": "3"}, 422,
         "活动日期不能晚于今天。"),
        ("duty_add", {"weekday": "0", "member": "99999999999999999999"}, 404,
         "该党员不在本社区的党员名册中。"),
    ]  # fmt: skip
    for name, data, status, message in cases:
        answer = client.post(reverse(f"party:{name}", args=[station.pk]), data)
        assert (name, answer.status_code) == (name, status)
        assert message in answer.content.decode()
    made = client.post(reverse("party:station_create"), {
        "branch": orgs.community.pk, "name": "社区驿站", "location_kind": "public_room",
        "address": "社区服务中心", "area": "60", "opened_on": "2025-01-01",
    })  # fmt: skip
    assert made.status_code == 422
    assert "红旗驿站由小区党支部建立，“中共站前社区委员会”是社区党委。" in made.content.decode()
    other = client.post(reverse("party:station_create"), {
        "branch": orgs.other_branch.pk, "name": "利民驿站", "location_kind": "public_room",
        "address": "利民小区", "area": "60", "opened_on": "2025-01-01",
    })  # fmt: skip
    assert other.status_code == 403 and "该党支部不在您的管辖范围内。" in other.content.decode()
    assert _written() == before


def test_who_opens_which_page(tree, people, clock):
    orgs = party_orgs(tree)
    station = _station(people, orgs.branch)
    activity = s.station_activity_log(actor=Actor.for_user(people.worker), station_id=station.pk,
                                      day=dt.date(2026, 10, 5), kind="service", title="义诊",
                                      participants=3, residents_served=3, photos=[_png()])  # fmt: skip
    photo = activity.photos.get()
    secretary = party_secretary(tree.compound, "branch_secretary")
    far_head = user_with(Role.BUILDING_HEAD, tree.far_unit.building, "far_head")
    pages = {
        "list": reverse("party:stations"),
        "detail": reverse("party:station", args=[station.pk]),
        "create": reverse("party:station_create"),
        "photo": reverse("party:activity_photo", args=[photo.pk]),
    }
    expected = {
        "anonymous": (302, 302, 302, 302),
        "resident": (403, 403, 403, 403),
        "department_liaison": (403, 403, 403, 403),
        "other_worker": (200, 404, 200, 404),  # another community's worker
        "far_head": (200, 404, 403, 404),  # a building head of another compound
        "building_head": (200, 200, 403, 200),  # of a building of the station's compound
        "inspector": (200, 200, 403, 200),
        "street_officer": (200, 200, 403, 200),
        "worker": (200, 200, 200, 200),
        "secretary": (200, 200, 200, 200),
        "branch_secretary": (200, 200, 200, 200),
    }
    users = {"far_head": far_head, "branch_secretary": secretary}
    found = {}
    for who in expected:
        client = Client() if who == "anonymous" else _client(users.get(who) or getattr(people, who))
        found[who] = tuple(client.get(url).status_code for url in pages.values())
    assert found == expected
    # writes: the statuses, and nothing written by a refusal
    before = _written()
    post = reverse("party:opening_log", args=[station.pk])
    body = {"day": "2026-10-06", "opened": "09:00", "closed": "10:00"}
    statuses = {
        who: (Client() if who == "anonymous" else _client(getattr(people, who))).post(post, body).status_code
        for who in ("anonymous", "resident", "inspector", "street_officer", "building_head",
                    "other_worker")
    }  # fmt: skip
    assert statuses == {"anonymous": 302, "resident": 403, "inspector": 403,
                        "street_officer": 403, "building_head": 403, "other_worker": 404}  # fmt: skip
    assert _written() == before
    assert _client(secretary).post(post, body).status_code == 302


def test_the_photo_is_the_stored_image(tree, people, clock):
    station = _station(people, party_orgs(tree).branch)
    activity = s.station_activity_log(actor=Actor.for_user(people.worker), station_id=station.pk,
                                      day=dt.date(2026, 10, 5), kind="service", title="义诊",
                                      participants=3, residents_served=3, photos=[_png()])  # fmt: skip
    answer = _client(people.inspector).get(
        reverse("party:activity_photo", args=[activity.photos.get().pk])
    )
    assert (answer.status_code, answer["Content-Type"]) == (200, "image/png")
    assert b"".join(answer.streaming_content) == _png()
    missing = _client(people.worker).get(reverse("party:activity_photo", args=[10**9]))
    assert missing.status_code == 404


def test_names_on_duty_only_to_the_party_roles(tree, people, clock):
    orgs = party_orgs(tree)
    station = _station(people, orgs.branch)
    on_duty = member(tree.unit, orgs.group, name="王红", seq=61)
    s.station_duty_add(actor=Actor.for_user(people.worker), station_id=station.pk, weekday=2,
                       member_id=on_duty.pk)  # fmt: skip
    page = reverse("party:station", args=[station.pk])
    for user in (people.inspector, people.street_officer, people.worker, people.building_head):
        body = _client(user).get(page).content.decode()
        assert "周三：王*" in body and "王红" not in body
    for user in (people.secretary, party_secretary(tree.compound, "branch_secretary")):
        assert "周三：王红" in _client(user).get(page).content.decode()


def test_the_list_shows_last_month_and_this_month_so_far(tree, people, clock):
    orgs = party_orgs(tree)
    working = _station(people, orgs.branch)
    _working(people, working)
    idle = _station(people, orgs.branch, name="化机二站")
    other = s.station_create(actor=Actor.for_user(people.other_worker),
                             branch_id=orgs.other_branch.pk, name="利民驿站",
                             location_kind="public_room", address="利民小区", area="50",
                             opened_on=dt.date(2025, 1, 1))  # fmt: skip
    s.station_months_rebuild()
    client = _client(people.street_officer)
    body = client.get(reverse("party:stations")).content.decode()
    assert '红旗驿站 <a href="/party/stations/">3</a> 个，2026年10月充分发挥作用' in body
    assert "充分发挥作用：实际开放600分钟，达到公示600分钟的80%（480分钟）" in body
    # this month so far: 2 November (a Monday) published, nothing registered yet
    assert "未充分发挥作用：实际开放0分钟，不足公示150分钟的80%（120分钟）" in body
    assert "本月没有公示开放时间（实际开放0分钟）" in body  # 化机二站 published nothing
    names = lambda answer: [r.name for r in answer.context["page"]]  # noqa: E731
    only = client.get(reverse("party:stations"), {"month": "2026-10", "functioning": "1"})
    assert names(only) == [working.name]
    not_working = client.get(reverse("party:stations"), {"month": "2026-10", "functioning": "0"})
    assert sorted(names(not_working)) == sorted([idle.name, other.name])
    figures = only.context["figures"]
    assert (figures["stations"], figures["functioning"]) == (3, 1)
    rows = {r["community"]: (r["stations"], r["functioning"]) for r in figures["communities"]}
    assert rows == {"站前社区": (2, 1), "利民社区": (1, 0)}
    drill = next(r for r in figures["communities"] if r["community"] == "站前社区")
    assert names(client.get(drill["functioning_url"])) == [working.name]
    assert sorted(names(client.get(drill["stations_url"]))) == sorted([working.name, idle.name])
    # junk filters fall back to the defaults, never an error
    junk = client.get(reverse("party:stations"), {"month": "13-2026", "functioning": "x",
                                                  "community": "9" * 30, "page": "-1"})  # fmt: skip
    assert junk.status_code == 200 and junk.context["month"] == OCTOBER


def test_a_station_opened_later_is_not_listed_for_earlier_months(tree, people, clock):
    orgs = party_orgs(tree)
    s.station_create(actor=Actor.for_user(people.worker), branch_id=orgs.branch.pk, name="新站",
                     location_kind="public_room", address="化机小区", area="50",
                     opened_on=dt.date(2026, 10, 20))  # fmt: skip
    client = _client(people.worker)
    assert len(client.get(reverse("party:stations"), {"month": "2026-09"}).context["page"]) == 0
    assert len(client.get(reverse("party:stations"), {"month": "2026-10"}).context["page"]) == 1
    # without a month: every running station, as the district's figures count them
    listed = client.get(reverse("party:stations"))
    assert (len(listed.context["page"]), listed.context["figures"]["stations"]) == (1, 1)
    september = client.get(reverse("party:stations"), {"month": "2026-09"})
    assert september.context["figures"]["stations"] == 0


def test_the_figures_page_shows_the_same_rule(tree, people, clock):
    PartyRules.objects.create(district=tree.district, open_ratio=Decimal("0.70"), min_activities=3)
    text = rule_text(PartyRules.objects.get())
    client = _client(people.inspector)
    assert text in client.get(reverse("party:home")).content.decode()
    assert text in client.get(reverse("party:stations")).content.decode()


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_page_costs_the_same_for_more_stations(
    tree, people, clock, django_assert_num_queries
):
    orgs = party_orgs(tree)
    _working(people, _station(people, orgs.branch))
    s.station_months_rebuild()
    client = _client(people.secretary)
    url = reverse("party:stations")
    with django_assert_num_queries(_count(client, url)) as first:
        client.get(url)
    # more stations, in more compounds, with their months
    for n in range(6):
        compound = make_region(name=f"新村{n}", code=f"210302001001{101 + n}",
                               level=RegionLevel.COMPOUND, parent=tree.community)  # fmt: skip
        branch = org(compound, "branch", f"新村{n}党支部", orgs.community)
        _working(people, _station(people, branch, name=f"新村{n}驿站"))
    s.station_months_rebuild()
    with django_assert_num_queries(len(first.captured_queries)):
        assert "新村5驿站" in client.get(url).content.decode()
    detail = reverse("party:station", args=[Station.objects.order_by("pk").last().pk])
    count = _count(client, detail)
    for day in (6, 13, 20, 27):
        s.station_activity_log(actor=Actor.for_user(people.worker),
                               station_id=Station.objects.order_by("pk").last().pk,
                               day=dt.date(2026, 10, day), kind="study", title=f"学习{day}",
                               participants=3, residents_served=1, photos=[_png()])  # fmt: skip
    assert _count(client, detail) == count
