"""党建数据: every figure of the page from known records, exact, at
community, street and district level; the page names nobody; its cost does
not grow with the rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shequ.core.scope import Actor
from shequ.party.models import (
    BuildingHead,
    HouseholdVisit,
    MemberReportIn,
    ServiceLog,
    Standing,
    Station,
    StationMonth,
    Transfer,
    UnitReportIn,
)
from shequ.party.selectors.figures import party_figures
from shequ.party.tests.helpers import member, party_orgs
from shequ.residents.tests.helpers import household
from shequ.whistles.models import Unit

pytestmark = pytest.mark.django_db
CLOCK_START = "2026-11-02"


def _station(tree, branch, name="化机驿站") -> Station:
    return Station.objects.create(
        district=tree.district, community=tree.community, compound=tree.compound, branch=branch,
        name=name, location_kind="public_room", address="化机小区3号楼底商", area=Decimal("80"),
        opened_on=dt.date(2025, 1, 1), created_at=timezone.now(),
    )  # fmt: skip


def _month(tree, station, month, functioning) -> None:
    StationMonth.objects.create(
        district=tree.district, community=tree.community, street=tree.street, station=station,
        month=month, published_minutes=600, open_minutes=600 if functioning else 60,
        activities_with_residents=2, hosted=1, functioning=functioning, reason="",
    )  # fmt: skip


def _scene(tree):
    orgs = party_orgs(tree)
    a = member(tree.unit, orgs.branch, name="甲", seq=61)
    member(tree.unit, orgs.group, name="乙", seq=62, relation="retired")
    member(tree.unit, orgs.group, name="丙", seq=63, relation="in_service")
    member(tree.unit, orgs.branch, name="丁", seq=64, standing=Standing.PROBATIONARY)
    member(tree.other_unit, orgs.other_branch, name="戊", seq=65)
    first, second = _station(tree, orgs.branch), _station(tree, orgs.branch, "化机二站")
    _month(tree, first, dt.date(2026, 10, 1), True)
    _month(tree, second, dt.date(2026, 10, 1), False)
    _month(tree, second, dt.date(2026, 9, 1), True)  # an older month does not count
    BuildingHead.objects.create(
        district=tree.district, community=tree.community, building=tree.building, kind="building",
        resident=a.resident, term_start=dt.date(2026, 1, 1), created_at=timezone.now(),
    )  # fmt: skip
    home = a.resident.household
    for day in (dt.date(2026, 10, 8), dt.date(2026, 10, 20)):  # one household, twice
        HouseholdVisit.objects.create(
            district=tree.district, community=tree.community, building=tree.building,
            unit=tree.unit, household=home, visited_on=day, created_at=timezone.now(),
        )  # fmt: skip
    HouseholdVisit.objects.create(  # last quarter: not counted
        district=tree.district, community=tree.community, building=tree.building, unit=tree.unit,
        household=household(tree.unit, "102"), visited_on=dt.date(2026, 9, 30),
        created_at=timezone.now(),
    )  # fmt: skip
    unit = Unit.objects.create(district=tree.district, name="城东热电厂", kind="enterprise")
    report = UnitReportIn.objects.create(
        district=tree.district, community=tree.community, unit=unit, party_org_name="热电厂党委",
        resources="会议室", contact_name="钱", reported_on=dt.date(2026, 3, 1),
        created_at=timezone.now(),
    )  # fmt: skip
    member_in = MemberReportIn.objects.create(
        district=tree.district, community=tree.community,
        member=a.__class__.objects.get(resident__name="丙"), unit_report=report, skills="电工",
        availability="周末", reported_on=dt.date(2026, 3, 2), created_at=timezone.now(),
    )  # fmt: skip
    for day, hours in ((dt.date(2026, 5, 1), "2.5"), (dt.date(2025, 5, 1), "9")):
        ServiceLog.objects.create(
            district=tree.district, community=tree.community, report_in=member_in, unit=unit,
            day=day, hours=Decimal(hours), what="修理楼道灯", logged_at=timezone.now(),
        )  # fmt: skip
    Transfer.objects.create(
        district=tree.district, community=tree.community, number="T1", kind="in",
        reason="retired", resident=a.resident, from_org_name="某厂党委", to_org=orgs.branch,
        to_org_name=orgs.branch.name, status="completed", requested_on=dt.date(2026, 6, 1),
        answer_due=dt.date(2026, 6, 8), complete_due=dt.date(2026, 7, 1),
        completed_at=timezone.now(), created_at=timezone.now(),
    )  # fmt: skip
    return orgs


def test_the_figures_of_a_community_exact(tree, people, clock):
    _scene(tree)
    found = party_figures(actor=Actor.for_user(people.secretary))
    assert (found.region, found.month, found.quarter, found.threshold) == (
        tree.community, dt.date(2026, 10, 1), "2026Q4", 3,
    )  # fmt: skip
    [row] = found.rows
    assert row.orgs == {"community_committee": 1, "branch": 1, "group": 1}
    assert (row.members, row.full, row.probationary) == (4, 3, 1)
    assert row.relations == {"self_managed": 2, "retired": 1, "in_service": 1}
    # 甲 and 乙 are full members held here living in 化机小区, which has a branch
    assert row.should_found == 0
    assert (row.stations, row.functioning, row.functioning_pct) == (2, 1, Decimal("50.0"))
    assert (row.headed, row.buildings) == (1, 1)
    assert (row.visited, row.households) == (1, 5)
    assert (row.units_in, row.members_in, row.service_hours, row.retirees_in) == (
        1, 1, Decimal("2.5"), 1,
    )  # fmt: skip


def test_the_district_sums_its_streets(tree, people, clock):
    _scene(tree)
    found = party_figures(actor=Actor.for_user(people.district_admin))
    assert [r.region.name for r in found.rows] == ["站前街道", "铁塔街道"]
    zhanqian, tieta = found.rows
    assert zhanqian.orgs == {"community_committee": 2, "branch": 2, "group": 1,
                             "street_committee": 1}  # fmt: skip
    assert (zhanqian.members, tieta.members, found.total.members) == (5, 0, 5)
    assert found.total.orgs["street_committee"] == 1
    assert (found.total.stations, found.total.functioning) == (2, 1)
    street = party_figures(actor=Actor.for_user(people.district_admin), region_id=tree.street.pk)
    assert [(r.region.name, r.members) for r in street.rows] == [("站前社区", 4), ("利民社区", 1)]
    assert party_figures(
        actor=Actor.for_user(people.district_admin), year=2025
    ).total.service_hours == Decimal("9")


def test_the_page_names_nobody_and_costs_the_same(tree, people, clock, django_assert_num_queries):
    client = Client()
    client.force_login(people.inspector)
    url = reverse("party:home")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as empty:
        assert client.get(url).status_code == 200
    _scene(tree)
    with django_assert_num_queries(len(empty.captured_queries)):
        page = client.get(url).content.decode()
    assert "站前街道" in page and "甲" not in page
    outside = Client()
    outside.force_login(people.secretary)
    assert outside.get(url, {"region": tree.far_community.pk}).status_code == 404
    assert outside.get(url, {"region": "99999999999999999999"}).status_code == 200
