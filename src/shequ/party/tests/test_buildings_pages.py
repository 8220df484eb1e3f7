"""楼长制 pages and API: who opens which page (exact statuses), the forms
going through the same services with their Chinese refusals and nothing
written, the appeal number linked from a visit, and lists whose query count
does not grow with their rows."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shequ.appeals.models import Appeal
from shequ.core.models import AuditRecord, Grant, RegionLevel
from shequ.core.permissions import Role
from shequ.core.scope import Actor
from shequ.core.tests.factories import make_region, user_with
from shequ.party.models import BuildingHead, HouseholdVisit
from shequ.party.services import buildings as s
from shequ.party.tests.helpers import member, party_orgs, resident_account
from shequ.residents.tests.helpers import household, resident

pytestmark = pytest.mark.django_db
CLOCK_START = "2026-11-02"
DAY = dt.date(2026, 10, 8)
PHONE = "13840001234"
API = "/api/party"


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _written() -> tuple:
    return (
        sorted(BuildingHead.objects.values_list("pk", "ended_on", "grant_id")),
        sorted(Grant.objects.values_list("pk", "role", "region_id")),
        HouseholdVisit.objects.count(),
        Appeal.objects.count(),
        AuditRecord.objects.filter(success=True).exclude(action__startswith="auth.").count(),
    )


def _building(tree, n: int):
    building = make_region(name=f"{n}号楼", code=f"210302001001001{n:03d}",
                           level=RegionLevel.BUILDING, parent=tree.compound)  # fmt: skip
    unit = make_region(name="1单元", code=f"210302001001001{n:03d}01", level=RegionLevel.UNIT,
                       parent=building)  # fmt: skip
    return building, unit


@pytest.fixture
def scene(tree, people, clock):
    """A seated head of 1号楼 (a party member with an account), a household
    of 1号楼 with a visit that raised an appeal, and a household elsewhere."""
    orgs = party_orgs(tree)
    wang = member(tree.unit, orgs.group, name="王红", seq=51, room="301")
    resident_account(wang.resident, "wanghong")
    head = s.building_head_assign(actor=Actor.for_user(people.secretary),
                                  building_id=tree.building.pk, resident_id=wang.resident.pk,
                                  kind="building", term_start=DAY)  # fmt: skip
    grandma = resident(tree.unit2, name="刘桂芳", seq=61, room="202", phone=PHONE)
    visit = s.household_visit_log(actor=Actor.for_user(people.building_head),
                                  household_id=grandma.household_id,
                                  visited_on=dt.date(2026, 11, 1), raised="楼道灯坏了。",
                                  raise_appeal=True, appeal_kind="help", appeal_category="repair",
                                  resident_id=grandma.pk)  # fmt: skip
    far = resident(tree.other_unit, name="赵强", seq=62)
    return {"head": head, "visit": visit, "grandma": grandma, "far": far}


# -- who opens what ---------------------------------------------------------------------


def _pages(scene) -> dict[str, tuple[str, str]]:
    return {
        "heads": ("get", reverse("party:heads")),
        "assign": ("get", reverse("party:head_assign")),
        "end": ("post", reverse("party:head_end", args=[scene["head"].pk])),
        "visits": ("get", reverse("party:visits")),
        "visit_new": ("get", f"{reverse('party:visit_create')}?household={scene['grandma'].household_id}"),
        "visit": ("get", reverse("party:visit", args=[scene["visit"].pk])),
    }  # fmt: skip


# Exact statuses: the end-of-term POST carries no date, so a role that may
# end terms is answered 422 (the service's refusal), one that may not 403.
MATRIX = {
    "anonymous": {"heads": 302, "assign": 302, "end": 302, "visits": 302, "visit_new": 302,
                  "visit": 302},
    "resident": {"heads": 403, "assign": 403, "end": 403, "visits": 403, "visit_new": 403,
                 "visit": 403},
    "other_worker": {"heads": 200, "assign": 200, "end": 422, "visits": 200, "visit_new": 403,
                     "visit": 404},
    "inspector": {"heads": 403, "assign": 403, "end": 403, "visits": 403, "visit_new": 403,
                  "visit": 403},
    "street_officer": {"heads": 403, "assign": 403, "end": 403, "visits": 403, "visit_new": 403,
                       "visit": 403},
    "other_head": {"heads": 403, "assign": 403, "end": 403, "visits": 200, "visit_new": 404,
                   "visit": 404},
    "building_head": {"heads": 403, "assign": 403, "end": 403, "visits": 200, "visit_new": 200,
                      "visit": 200},
    "worker": {"heads": 200, "assign": 200, "end": 422, "visits": 200, "visit_new": 403,
               "visit": 200},
    "secretary": {"heads": 200, "assign": 200, "end": 422, "visits": 200, "visit_new": 403,
                  "visit": 200},
}  # fmt: skip


@pytest.mark.parametrize("who", list(MATRIX))
def test_the_permission_matrix_of_the_pages(tree, people, scene, who):
    user = {
        "anonymous": None,
        "other_head": user_with(Role.BUILDING_HEAD, tree.other_unit.building, "other_head"),
    }.get(who, getattr(people, who, None))
    client = _client(user)
    before = _written()
    got = {}
    for name, (method, url) in _pages(scene).items():
        got[name] = getattr(client, method)(url).status_code
    assert got == MATRIX[who]
    assert _written() == before


def test_a_wrong_community_sees_neither_the_building_nor_its_visits(tree, people, scene):
    client = _client(people.other_worker)
    heads = client.get(reverse("party:heads")).content.decode()
    assert "化机小区" not in heads and "利民小区" in heads
    assert client.get(reverse("party:visits"), {"building": tree.building.pk}).status_code == 404
    api = client.get(f"{API}/visits").json()
    assert api["count"] == 0


# -- the heads pages --------------------------------------------------------------------


def test_the_heads_page_names_members_and_flags_the_rest(tree, people, scene):
    b2, _u2 = _building(tree, 2)
    s.building_head_assign(actor=Actor.for_user(people.worker), building_id=tree.building.pk,
                           resident_id=resident(tree.unit2, name="李明", seq=52, room="201").pk,
                           kind="unit", unit_id=tree.unit2.pk, term_start=DAY)  # fmt: skip
    worker = _client(people.worker).get(reverse("party:heads")).content.decode()
    assert "王*" in worker and "王红" not in worker  # masked outside the party roles
    assert worker.count('class="badge text-bg-warning non-member"') == 1 and "李*" in worker
    assert f'id="building-{b2.pk}"' in worker and "未配楼长" in worker
    assert "1/3" in worker  # 1号楼: one of its three households visited this quarter
    assert "已配楼长 1/2 栋" in worker
    missing = _client(people.worker).get(reverse("party:heads"), {"missing": "1"}).content.decode()
    assert (
        f'id="building-{b2.pk}"' in missing and f'id="building-{tree.building.pk}"' not in missing
    )
    assert "未配楼长的楼栋 1 栋" in missing
    secretary = _client(people.secretary).get(reverse("party:heads")).content.decode()
    assert "王红" in secretary


def test_assigning_and_ending_through_the_pages(tree, people, scene):
    b2, u2 = _building(tree, 2)
    li = resident(u2, name="李明", seq=52, room="101")
    resident_account(li, "liming")
    client = _client(people.worker)
    form = client.get(reverse("party:head_assign"), {"building": b2.pk}).content.decode()
    assert "李*" in form and "非党员" in form
    done = client.post(reverse("party:head_assign"), {"building": b2.pk, "kind": "building",
                       "unit": "", "resident": li.pk, "term_start": "2026-11-02"})  # fmt: skip
    assert (done.status_code, done["Location"]) == (302, reverse("party:heads"))
    head = BuildingHead.objects.get(building=b2)
    assert Grant.objects.get(pk=head.grant_id).user.username == "liming"
    ended = client.post(reverse("party:head_end", args=[head.pk]), {"ended_on": "2026-11-02"})
    assert ended.status_code == 302
    assert (BuildingHead.objects.get(pk=head.pk).ended_on, Grant.objects.filter(
        user__username="liming", role=Role.BUILDING_HEAD).count()) == (dt.date(2026, 11, 2), 0)  # fmt: skip


def test_a_building_outside_the_community_is_refused_on_the_page(tree, people, scene):
    far = scene["far"]
    client = _client(people.worker)
    before = _written()
    refused = client.post(reverse("party:head_assign"), {
        "building": tree.other_unit.building_id, "kind": "building", "resident": far.pk,
        "term_start": "2026-11-02"})  # fmt: skip
    assert refused.status_code == 403
    assert "不在您的管辖范围内，只能为本社区的楼栋选配楼栋长。" in refused.content.decode()
    for junk in ({"building": "x", "resident": "y", "kind": "z"},
                 {"building": "9" * 30, "resident": "1", "kind": "building",
                  "term_start": "2026-13-45"}):  # fmt: skip
        assert client.post(reverse("party:head_assign"), junk).status_code == 422
    assert _written() == before
    assert AuditRecord.objects.filter(action="building_head.assign", success=False).count() == 3


# -- the visit pages --------------------------------------------------------------------


def test_the_heads_phone_page_lists_the_households_and_the_coverage(tree, people, scene):
    household(tree.unit, "102")
    page = _client(people.building_head).get(reverse("party:visits")).content.decode()
    assert "1/3 户" in page and "33.3%" in page
    assert "2单元 202室" in page and "上次走访 2026-11-01" in page and "尚未走访" in page
    assert page.count(">走访</a>") == 3
    staff = _client(people.worker).get(reverse("party:visits"), {"building": tree.building.pk})
    assert ">走访</a>" not in staff.content.decode()  # staff read, the head visits


def test_logging_a_visit_with_an_appeal_through_the_page(tree, people, scene):
    grandma = scene["grandma"]
    client = _client(people.building_head)
    form = client.get(reverse("party:visit_create"), {"household": grandma.household_id})
    assert "同时代居民提出诉求" in form.content.decode() and "刘**" in form.content.decode()
    done = client.post(reverse("party:visit_create"), {
        "household": grandma.household_id, "visited_on": "2026-11-02", "raised": "电梯异响。",
        "raise_appeal": "1", "appeal_kind": "complaint", "appeal_category": "repair",
        "resident": grandma.pk})  # fmt: skip
    visit = HouseholdVisit.objects.latest("id")
    assert (done.status_code, done["Location"]) == (302, reverse("party:visit", args=[visit.pk]))
    detail = client.get(done["Location"]).content.decode()
    appeal = visit.appeal
    assert appeal.description == "电梯异响。"
    assert f'href="{reverse("appeals:detail", args=[appeal.pk])}">{appeal.number}</a>' in detail
    # and the appeal page opens for the head (their building's appeal)
    assert client.get(reverse("appeals:detail", args=[appeal.pk])).status_code == 200


def test_a_visit_dated_in_the_future_is_refused_on_the_page(tree, people, scene):
    grandma = scene["grandma"]
    client = _client(people.building_head)
    before = _written()
    refused = client.post(reverse("party:visit_create"), {
        "household": grandma.household_id, "visited_on": "2026-11-03", "raised": "电梯异响。",
        "raise_appeal": "1", "appeal_kind": "complaint", "appeal_category": "repair",
        "resident": grandma.pk})  # fmt: skip
    assert refused.status_code == 422
    page = refused.content.decode()
    assert (
        "走访日期不能晚于今天。" in page and "电梯异响。" in page
    )  # the form keeps what was typed
    another = household(_building(tree, 2)[1], "101")
    elsewhere = client.post(reverse("party:visit_create"), {
        "household": another.pk, "visited_on": "2026-11-02"})  # fmt: skip
    assert elsewhere.status_code == 404
    assert client.post(reverse("party:visit_create"), {"household": "9" * 40}).status_code == 404
    assert _written() == before


# -- the API ----------------------------------------------------------------------------


def test_the_api_assigns_ends_and_refuses_in_chinese(tree, people, scene):
    b2, u2 = _building(tree, 2)
    li = resident(u2, name="李明", seq=52, room="101")
    client = _client(people.worker)
    made = _post(client, f"{API}/heads", {"building_id": b2.pk, "resident_id": li.pk,
                                          "kind": "unit", "unit_id": u2.pk,
                                          "term_start": "2026-11-02"})  # fmt: skip
    assert made.status_code == 201
    body = made.json()
    assert (body["kind"], body["name"], body["party_member"], body["has_account_role"]) == (
        "unit", "李*", False, False,
    )  # fmt: skip
    before = _written()
    refusals = [
        (f"{API}/heads", {"building_id": tree.other_unit.building_id, "resident_id": li.pk,
                          "kind": "building", "term_start": "2026-11-02"}),
        (f"{API}/heads", {"building_id": b2.pk, "resident_id": li.pk, "kind": "unit",
                          "unit_id": u2.pk, "term_start": "2026-11-02"}),
        (f"{API}/heads/{body['id']}/end", {"ended_on": "2026-11-03"}),
    ]  # fmt: skip
    assert [(r.status_code, r.json()["detail"]) for r in
            (_post(client, url, data) for url, data in refusals)] == [
        (403, "1号楼不在您的管辖范围内，只能为本社区的楼栋选配楼栋长。"),
        (409, "2号楼1单元已有在任单元长，请先办理离任。"),
        (422, "离任日期不能晚于今天。"),
    ]  # fmt: skip
    inspector = _post(_client(people.inspector), f"{API}/heads", {
        "building_id": b2.pk, "resident_id": li.pk, "kind": "building",
        "term_start": "2026-11-02"})  # fmt: skip
    assert inspector.status_code == 403
    assert _written() == before
    ended = _post(client, f"{API}/heads/{body['id']}/end", {"ended_on": "2026-11-02"})
    assert (ended.status_code, ended.json()["ended_on"]) == (200, "2026-11-02")


def test_the_api_lists_the_buildings_with_their_heads(tree, people, scene):
    b2, u2 = _building(tree, 2)
    got = _client(people.worker).get(f"{API}/heads").json()
    assert (got["count"], [i["building"] for i in got["items"]]) == (2, ["1号楼", "2号楼"])
    first, second = got["items"]
    head = scene["head"]
    assert first["head"] == {
        "id": head.pk, "kind": "building", "kind_label": "楼长", "building_id": tree.building.pk,
        "unit_id": None, "resident_id": head.resident_id, "name": "王*", "party_member": True,
        "term_start": "2026-10-08", "term_end": None, "ended_on": None, "has_account_role": True,
    }  # fmt: skip
    assert [(u["unit"], u["head"]) for u in first["units"]] == [("1单元", None), ("2单元", None)]
    assert (first["households"], first["visited"]) == (2, 1)
    assert (second["head"], second["units"][0]["unit_id"], second["households"]) == (None, u2.pk, 0)
    named = _client(people.secretary).get(f"{API}/heads").json()["items"][0]["head"]["name"]
    assert named == "王红"


def test_the_api_logs_a_visit_with_an_appeal(tree, people, scene):
    grandma = scene["grandma"]
    client = _client(people.building_head)
    made = _post(client, f"{API}/visits", {
        "household_id": grandma.household_id, "visited_on": "2026-11-02", "raised": "电梯异响。",
        "raise_appeal": True, "appeal_kind": "complaint", "appeal_category": "repair",
        "resident_id": grandma.pk})  # fmt: skip
    assert made.status_code == 201
    body = made.json()
    appeal = Appeal.objects.get(pk=body["appeal_id"])
    assert (body["household"], body["appeal_number"]) == ("1号楼 2单元 202室", appeal.number)
    before = _written()
    future = _post(client, f"{API}/visits", {"household_id": grandma.household_id,
                                             "visited_on": "2026-11-03"})  # fmt: skip
    assert (future.status_code, future.json()["detail"]) == (422, "走访日期不能晚于今天。")
    far = _post(client, f"{API}/visits", {"household_id": scene["far"].household_id,
                                          "visited_on": "2026-11-02"})  # fmt: skip
    assert (far.status_code, far.json()["detail"]) == (404, "住户不存在或不在您负责的楼栋。")
    assert _post(_client(people.worker), f"{API}/visits", {
        "household_id": grandma.household_id, "visited_on": "2026-11-02"}).status_code == 403  # fmt: skip
    assert _written() == before


def test_the_api_coverage_and_who_reads_visits(tree, people, scene):
    household(tree.unit, "102")
    got = _client(people.building_head).get(f"{API}/visits/coverage").json()
    assert got == {
        "quarter": "2026Q4",
        "buildings": [{"building_id": tree.building.pk, "building": "1号楼", "households": 3,
                       "visited": 1, "pct": 33.3}],
        "total": {"households": 3, "visited": 1, "pct": 33.3},
    }  # fmt: skip
    worker = _client(people.worker)
    assert worker.get(f"{API}/visits/coverage", {"quarter": "2026Q3"}).json()["total"] == {
        "households": 3, "visited": 0, "pct": 0.0,
    }  # fmt: skip
    bad = worker.get(f"{API}/visits/coverage", {"quarter": "Q9"})
    assert (bad.status_code, bad.json()["detail"]) == (
        422,
        "季度应写成“2026Q4”的样子（2000至2100年）。",
    )
    assert worker.get(f"{API}/visits").json()["count"] == 1
    assert _client(people.inspector).get(f"{API}/visits").status_code == 403
    assert _client(people.inspector).get(f"{API}/visits/coverage").status_code == 403
    assert _client(people.resident).get(f"{API}/heads").status_code == 403
    assert _client().get(f"{API}/heads").status_code == 401


# -- query counts -----------------------------------------------------------------------


def _count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


def _more(tree, people, n: int, start: int = 10) -> None:
    """``n`` more buildings, each with a head, a unit head, two households
    and a visit logged by its own building head."""
    worker = Actor.for_user(people.worker)
    for i in range(start, start + n):
        building, unit = _building(tree, i)
        a = resident(unit, name=f"楼长{i}", seq=100 + 2 * i, room="101")
        b = resident(unit, name=f"单元长{i}", seq=101 + 2 * i, room="102")
        s.building_head_assign(actor=worker, building_id=building.pk, resident_id=a.pk,
                               kind="building", term_start=DAY)  # fmt: skip
        s.building_head_assign(actor=worker, building_id=building.pk, resident_id=b.pk,
                               kind="unit", unit_id=unit.pk, term_start=DAY)  # fmt: skip
        head = Actor.for_user(user_with(Role.BUILDING_HEAD, building, f"head{i}"))
        s.household_visit_log(actor=head, household_id=a.household_id,
                              visited_on=dt.date(2026, 11, 1))  # fmt: skip


@pytest.mark.parametrize(
    ("who", "url", "params"),
    [
        ("worker", "party:heads", {}),
        ("worker", "party:visits", {}),
        ("worker", f"{API}/heads", {}),
        ("worker", f"{API}/visits", {}),
        ("worker", f"{API}/visits/coverage", {}),
    ],
)
def test_staff_lists_cost_the_same_for_more_buildings(
    tree, people, scene, who, url, params, django_assert_num_queries
):
    client = _client(getattr(people, who))
    target = url if url.startswith("/") else reverse(url)
    _more(tree, people, 1)
    with django_assert_num_queries(_count(client, target, params)) as first:
        client.get(target, params)
    _more(tree, people, 6, start=20)
    with django_assert_num_queries(len(first.captured_queries)):
        assert client.get(target, params).status_code == 200


def test_the_heads_phone_page_costs_the_same_for_more_households(
    tree, people, scene, django_assert_num_queries
):
    client = _client(people.building_head)
    url = reverse("party:visits")
    with django_assert_num_queries(_count(client, url)) as first:
        client.get(url)
    head = Actor.for_user(people.building_head)
    for i in range(8):
        home = household(tree.unit, f"6{i:02d}")
        resident(tree.unit, name=f"住户{i}", seq=200 + i, room=f"6{i:02d}")
        s.household_visit_log(actor=head, household_id=home.pk, visited_on=dt.date(2026, 10, 20))
    with django_assert_num_queries(len(first.captured_queries)):
        page = client.get(url).content.decode()
    assert "9/10 户" in page
