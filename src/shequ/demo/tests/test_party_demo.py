"""What `shequ demo` loads for 党建引领 (``shequ.demo.party``): the four levels
of organisations with the 建支部提示 it implies, members who are the
register's 党员, transfers in every state, stations whose months are judged
as planned, building heads and their visits, 双报到 — all written through
the party services at the moment they happened. The demo is loaded once for
the module (as in ``test_deliberation_demo``); each test only reads it or
writes in its own savepoint.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from shequ.appeals.models import Appeal
from shequ.core.models import (
    AuditRecord,
    Grant,
    Notification,
    Region,
    RegionLevel,
    TimelineEvent,
    User,
)
from shequ.core.scope import Actor
from shequ.demo.party.cast import ADULT
from shequ.party.models import (
    BuildingHead,
    FeedbackLetter,
    HouseholdVisit,
    MemberReportIn,
    Need,
    OrgKind,
    OrgRole,
    PartyMember,
    PartyOrg,
    Relation,
    ServiceLog,
    Standing,
    Station,
    StationMonth,
    Transfer,
    UnitReportIn,
)
from shequ.party.selectors.orgs import eligibility
from shequ.party.services.common import month_start, quarter_bounds, quarter_of
from shequ.party.services.members import members_remind_probation
from shequ.party.services.stations import _month_rows
from shequ.residents.models import Resident, ResidentTag, Tag

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]

ZHANQIAN, TIETA = "210302001001", "210302002001"
HOME_COMPOUND, HOME_BUILDING = ZHANQIAN + "001", ZHANQIAN + "001001"
RESIDENTS = 1000  # 站前小区 then has the adults the story needs, with the top-up


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """`shequ demo --residents 1000` loaded once, rolled back after the module."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            out = StringIO()
            call_command("demo", residents=RESIDENTS, stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _months() -> list[dt.date]:
    """This month and the three before, newest first."""
    months = [month_start(timezone.localdate())]
    for _ in range(3):
        months.append(month_start(months[-1] - dt.timedelta(days=1)))
    return months


def test_every_street_and_community_has_its_committee_and_branches_follow_the_threshold(demo):
    # then: the four levels on the tree, parents following it
    orgs = PartyOrg.objects.filter(district__code="210302", active=True).select_related(
        "region", "parent"
    )
    kinds = Counter(orgs.values_list("kind", flat=True))
    assert kinds[OrgKind.STREET_COMMITTEE] == 3
    assert kinds[OrgKind.COMMUNITY_COMMITTEE] == 15
    assert kinds[OrgKind.GROUP] == 3
    for org in orgs:
        assert org.region.level == {
            OrgKind.STREET_COMMITTEE: RegionLevel.STREET, OrgKind.COMMUNITY_COMMITTEE: RegionLevel.COMMUNITY,
            OrgKind.BRANCH: RegionLevel.COMPOUND, OrgKind.GROUP: RegionLevel.BUILDING}[org.kind]  # fmt: skip
        if org.parent is not None:
            assert org.parent.region_id == org.region.parent_id
    assert orgs.get(region__code=HOME_COMPOUND).name == "中共站前小区支部委员会"
    # 建支部提示: exactly one compound qualifies without a branch, and no
    # compound qualifies that the demo did not mean to leave without one
    admin = Actor.for_user(User.objects.get(username="demo-district-admin"))
    found = eligibility(actor=admin)
    assert len(found.should_found) == 1
    assert found.should_found[0].full_members >= found.threshold == 3
    branches = set(orgs.filter(kind=OrgKind.BRANCH).values_list("region_id", flat=True))
    assert not {r.region.pk for r in found.should_found} & branches
    # committees seated: one secretary each below the streets, the story's branch first
    seated = Counter(
        OrgRole.objects.filter(role="secretary", ended_on__isnull=True).values_list(
            "org__kind", flat=True
        )
    )
    assert seated[OrgKind.STREET_COMMITTEE] == 0
    assert seated[OrgKind.BRANCH] == kinds[OrgKind.BRANCH]
    assert OrgRole.objects.filter(org__region__code=HOME_COMPOUND, role="secretary").count() == 1
    assert OrgRole.objects.filter(role="group_leader").count() == 3


def test_members_are_the_registers_party_members_in_every_standing_and_relation(demo):
    # then: every member is a resident tagged 党员, of their organisation's community
    members = PartyMember.objects.filter(district__code="210302").select_related("resident", "org")
    tagged = set(
        ResidentTag.objects.filter(tag=Tag.PARTY_MEMBER).values_list("resident_id", flat=True)
    )
    assert {m.resident_id for m in members} <= tagged
    assert all(m.org.community_id == m.resident.community_id == m.community_id for m in members)
    assert not members.filter(community__code=TIETA).exists()
    assert set(members.values_list("standing", flat=True)) == set(Standing.values)
    assert set(members.values_list("relation", flat=True)) == set(Relation.values)
    assert not members.filter(relation=Relation.IN_SERVICE, employer_org_name="").exists()
    # every tagged adult outside 铁塔社区 is a member, but the one whose
    # transfer in is still waiting and the demo accounts' own entries
    today = timezone.localdate()
    adults = (
        Resident.objects.filter(
            pk__in=tagged, birth_date__lte=today.replace(year=today.year - ADULT)
        )
        .exclude(community__code=TIETA)
        .exclude(user__username__startswith="demo-")
    )
    waiting = set(
        Transfer.objects.filter(kind="in", status="approved").values_list("resident_id", flat=True)
    )
    assert set(adults.values_list("id", flat=True)) - {m.resident_id for m in members} == waiting


def test_a_probation_ending_within_the_notice_is_reminded_once_by_tick(demo):
    # given: one probation of 站前小区 ends within the 30 days' notice, the others later
    today = timezone.localdate()
    soon = PartyMember.objects.filter(
        standing="probationary", probation_ends_on__lte=today + dt.timedelta(days=30)
    )
    assert list(soon.values_list("org_region__compound__code", flat=True)) == [HOME_COMPOUND]
    # one probation ended and was confirmed during the story
    assert AuditRecord.objects.filter(action="party_member.confirm").count() == 1
    secretary = User.objects.get(username="demo-party-secretary")

    # when
    first, second = members_remind_probation(), members_remind_probation()

    # then
    assert (first, second) == (1, 0)
    assert Notification.objects.filter(recipient=secretary, kind="party.probation").count() == 1


def test_transfers_of_zhanqian_are_in_every_state_with_their_history(demo):
    # then
    transfers = Transfer.objects.filter(community__code=ZHANQIAN).select_related("member", "to_org")
    states = {(t.kind, t.reason, t.status) for t in transfers}
    assert states == {("in", "retired", "completed"), ("in", "job", "approved"),
                      ("out", "moved", "returned"), ("within", "moved", "requested")}  # fmt: skip
    retired = transfers.get(status="completed")
    assert (
        retired.member.relation == Relation.RETIRED and retired.member.org_id == retired.to_org_id
    )
    returned = transfers.get(status="returned")
    assert returned.returned_reason.startswith("接收方回函") and returned.member.status == "active"
    assert transfers.get(status="requested").requested_on == timezone.localdate() - dt.timedelta(
        days=3
    )
    # each step is the service's own, on its day
    actions = list(TimelineEvent.objects.filter(object_id=retired.pk, action__in=["request", "approve", "complete"])
                   .filter(content_type__model="transfer").order_by("at").values_list("action", "at"))  # fmt: skip
    assert [a for a, _at in actions] == ["request", "approve", "complete"]
    assert [timezone.localdate(at) for _a, at in actions] == [
        timezone.localdate() - dt.timedelta(days=d) for d in (40, 38, 35)
    ]


def test_stations_months_follow_their_plan_and_are_what_the_rule_computes(demo):
    # given
    stations = {
        s.name: s
        for s in Station.objects.select_related("community").filter(district__code="210302")
    }
    assert set(stations) == {"站前小区红旗驿站", "利民小区红旗驿站", "兴华小区红旗驿站"}
    months = _months()

    # then: the planned verdicts of the months that ended
    def verdicts(name: str) -> dict[int, bool]:
        rows = dict(
            StationMonth.objects.filter(station=stations[name]).values_list("month", "functioning")
        )
        return {back: rows[months[back]] for back in (3, 2, 1)}

    assert verdicts("站前小区红旗驿站") == {3: False, 2: True, 1: True}
    assert verdicts("利民小区红旗驿站") == {3: True, 2: False, 1: True}
    assert verdicts("兴华小区红旗驿站") == {3: True, 2: True, 1: False}
    reasons = {
        m.station.name: m.reason
        for m in StationMonth.objects.filter(month=months[2], functioning=False)
    }
    assert "议事或服务活动0次，少于1次" in reasons["利民小区红旗驿站"]
    short = StationMonth.objects.get(station=stations["站前小区红旗驿站"], month=months[3])
    assert "不足公示" in short.reason
    for station in stations.values():
        assert station.rooms.count() >= 2 and station.hours.exists() and station.duties.exists()
        assert station.opened_on == months[3] + dt.timedelta(days=3)
    # every stored month is what the services' own computation gives now
    recomputed = _month_rows(list(stations.values()), months, timezone.localdate())
    stored = {(m.station_id, m.month): m for m in StationMonth.objects.all()}
    assert len(recomputed) == len(stored) == 12
    for row in recomputed:
        kept = stored[(row.station_id, row.month)]
        assert (kept.published_minutes, kept.open_minutes, kept.activities_with_residents, kept.hosted,
                kept.functioning) == (row.published_minutes, row.open_minutes, row.activities_with_residents,
                                      row.hosted, row.functioning)  # fmt: skip
    # written on their days: the first station write is the day it opened
    first = AuditRecord.objects.filter(action="station.create").order_by("at").first()
    assert timezone.localdate(first.at) == months[3] + dt.timedelta(days=3)


def test_heads_visit_their_households_and_one_visit_raised_an_appeal(demo):
    # then: a head on every building of 站前社区 that has an adult to be one
    heads = BuildingHead.objects.filter(
        community__code=ZHANQIAN, ended_on__isnull=True, kind="building"
    )
    buildings = Region.objects.filter(community__code=ZHANQIAN, level=RegionLevel.BUILDING)
    assert heads.count() == len({h.building_id for h in heads}) >= buildings.count() - 1
    assert BuildingHead.objects.filter(kind="unit", community__code=ZHANQIAN).exists()
    assert heads.filter(building__code=HOME_BUILDING).exists()
    # demo-building-head keeps its one grant; the visits of its building are its own
    demo_head = User.objects.get(username="demo-building-head")
    assert list(Grant.objects.filter(user=demo_head).values_list("role", "region__code")) == [
        ("building_head", HOME_BUILDING)
    ]
    visits = HouseholdVisit.objects.filter(district__code="210302")
    assert set(visits.values_list("community__code", flat=True)) == {ZHANQIAN, "210302001002"}
    assert set(
        visits.filter(building__code=HOME_BUILDING).values_list("visitor__username", flat=True)
    ) == {"demo-building-head"}
    # over the last quarter and this one, never later than yesterday
    this_first = quarter_bounds(quarter_of(timezone.localdate()))[0]
    last_first = quarter_bounds(quarter_of(this_first - dt.timedelta(days=1)))[0]
    days = set(visits.values_list("visited_on", flat=True))
    assert min(days) >= last_first and max(days) < timezone.localdate()
    appealed = visits.get(appeal__isnull=False)
    appeal = Appeal.objects.get(pk=appealed.appeal_id)
    assert (appeal.channel, appeal.status, appeal.community.code) == (
        "building_head",
        "submitted",
        ZHANQIAN,
    )
    assert appeal.description == appealed.raised


def test_units_and_in_service_members_report_in_and_their_services_count_in_pairing(demo):
    # then
    units = dict(UnitReportIn.objects.values_list("unit__name", "community__code"))
    assert units == {"城东第一中学": ZHANQIAN, "城东区中心医院": ZHANQIAN, "城东热力有限公司": ZHANQIAN,
                     "城东区图书馆": "210302001002"}  # fmt: skip
    school = UnitReportIn.objects.get(unit__name="城东第一中学")
    assert school.created_by.username == "demo-unit-liaison"
    reports = MemberReportIn.objects.select_related("member")
    assert reports.count() > 0
    assert {r.member.relation for r in reports} == {Relation.IN_SERVICE}
    assert all(
        r.unit_report is not None for r in reports if r.member.employer_unit_id in (school.unit_id,)
    )
    assert set(Need.objects.values_list("status", flat=True)) >= {"open", "closed"}
    services = ServiceLog.objects.select_related("unit")
    paired = services.filter(pairing_action__isnull=False)
    assert paired.exists()
    assert {s.unit.name for s in paired} <= {"城东第一中学", "城东区中心医院", "城东区图书馆"}
    assert all(s.pairing_action.kind == "dual_registration" for s in paired)
    # the last quarter's letter to 城东第一中学 counts its members' services of that quarter
    letter = FeedbackLetter.objects.get()
    first, last = quarter_bounds(letter.quarter)
    served = services.filter(unit=school.unit, community=school.community, day__range=(first, last))
    assert (letter.unit_id, letter.services) == (school.unit_id, served.count())
    assert letter.quarter == quarter_of(first) and last < timezone.localdate()


def test_demo_party_secretary_keeps_the_branch_of_zhanqian_xiaoqu(demo, client):
    # given
    user = User.objects.get(username="demo-party-secretary")
    assert list(Grant.objects.filter(user=user).values_list("role", "region__code")) == [
        ("party_secretary", HOME_COMPOUND)
    ]
    client.force_login(user)

    # when
    home = client.get(reverse("party:home"))
    listed = client.get(reverse("party:members"))

    # then: the branch's members only
    assert (home.status_code, listed.status_code) == (200, 200)
    mine = PartyMember.objects.filter(org_region__compound__code=HOME_COMPOUND, status="active")
    assert listed.context["page"].paginator.count == mine.count() > 0


def test_a_second_demo_run_writes_no_party_row(demo):
    # given
    models = list(apps.get_app_config("party").get_models())
    before = {m._meta.label: m.objects.count() for m in models}
    audits = AuditRecord.objects.count()

    # when
    with transaction.atomic():
        output = StringIO()
        call_command("demo", residents=RESIDENTS, stdout=output)

    # then
    assert "未做任何改动" in output.getvalue()
    assert {m._meta.label: m.objects.count() for m in models} == before
    assert AuditRecord.objects.count() == audits
