"""楼长制: seating building and unit heads (the account gets the building-head
role with the same write and loses it with the term), the narrow core pair
that hands that role out, household visits that raise an appeal the
community then triages, and the quarter's visit coverage — each refusal in
Chinese with its status, nothing written."""

from __future__ import annotations

import datetime as dt

import pytest

from shequ.appeals.models import Appeal, AppealChannel, AppealState
from shequ.appeals.services.flow import appeal_triage
from shequ.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from shequ.core.models import AuditRecord, Grant, Notification, RegionLevel
from shequ.core.permissions import Role
from shequ.core.scope import Actor
from shequ.core.services.accounts import grant_delegate, grant_undelegate
from shequ.core.tests.factories import make_region, user_with
from shequ.party.models import BuildingHead, HouseholdVisit
from shequ.party.selectors import buildings as selectors
from shequ.party.services import buildings as s
from shequ.party.tests.helpers import member, party_orgs, party_secretary, resident_account
from shequ.residents.models import Household
from shequ.residents.tests.helpers import household, resident

pytestmark = pytest.mark.django_db
CLOCK_START = "2026-11-02"  # a Monday in 2026Q4
DAY = dt.date(2026, 10, 8)
PHONE = "13840001234"


def _second_building(tree):
    """化机小区2号楼 with its 1单元, in the same community as tree.building."""
    building = make_region(name="2号楼", code="210302001001001002", level=RegionLevel.BUILDING,
                           parent=tree.compound)  # fmt: skip
    unit = make_region(name="1单元", code="21030200100100100201", level=RegionLevel.UNIT,
                       parent=building)  # fmt: skip
    return building, unit


def _assign(actor, building, person, kind="building", unit=None, **extra):
    values = {"term_start": DAY} | extra
    return s.building_head_assign(actor=actor, building_id=building.pk, resident_id=person.pk,
                                  kind=kind, unit_id=unit.pk if unit else None, **values)  # fmt: skip


def _head_actor(head: BuildingHead) -> Actor:
    """The head's account acting under the grant this term gave it."""
    return Actor.for_user(head.resident.user, grant_id=head.grant_id)


def _written() -> tuple:
    return (
        BuildingHead.objects.count(),
        sorted(Grant.objects.values_list("pk", "role", "region_id")),
        HouseholdVisit.objects.count(),
        Appeal.objects.count(),
        AuditRecord.objects.filter(success=True).count(),
    )


# -- heads ------------------------------------------------------------------------------


def test_a_party_member_is_seated_and_the_account_gets_the_role(tree, people, clock):
    orgs = party_orgs(tree)
    wang = member(tree.unit, orgs.group, name="王红", seq=51, room="301")
    user = resident_account(wang.resident, "wanghong")
    head = _assign(Actor.for_user(people.secretary), tree.building, wang.resident,
                   term_end=dt.date(2029, 10, 7))  # fmt: skip
    assert (head.kind, head.building_id, head.unit_id, head.community_id, head.term_end) == (
        "building", tree.building.pk, None, tree.community.pk, dt.date(2029, 10, 7),
    )  # fmt: skip
    grant = Grant.objects.get(user=user, role=Role.BUILDING_HEAD)
    assert (head.grant_id, grant.region_id, grant.created_by_id) == (
        grant.pk, tree.building.pk, people.secretary.pk,
    )  # fmt: skip
    assert AuditRecord.objects.get(action="grant.delegate").changes == {
        "user": "wanghong", "role": "楼栋长", "region": "1号楼", "permission": "party.heads",
    }  # fmt: skip
    assigned = AuditRecord.objects.get(action="building_head.assign").changes
    assert (assigned["resident"], assigned["party_member"], assigned["grant"]) == (
        "王*", True, grant.pk,
    )  # fmt: skip
    assert Notification.objects.get(recipient=user).title == "您已任1号楼楼长"
    # the account now acts as the building's head
    acting = _head_actor(head)
    assert (acting.can("party.visit"), acting.covers(tree.unit2)) == (True, True)


def test_a_unit_head_gets_the_role_on_the_unit(tree, people, clock):
    li = resident(tree.unit2, name="李明", seq=52, room="201")
    resident_account(li, "liming")
    head = _assign(Actor.for_user(people.worker), tree.building, li, kind="unit", unit=tree.unit2)
    assert (head.kind, head.unit_id, head.grant.region_id) == ("unit", tree.unit2.pk, tree.unit2.pk)
    acting = _head_actor(head)
    assert (acting.covers(tree.unit2), acting.covers(tree.unit)) == (True, False)


def test_a_resident_without_an_account_is_seated_without_a_grant(tree, people, clock):
    zhao = resident(tree.unit, name="赵强", seq=53, room="302")
    head = _assign(Actor.for_user(people.worker), tree.building, zhao)
    assert (head.grant_id, Grant.objects.filter(role=Role.BUILDING_HEAD).count()) == (None, 1)
    assert AuditRecord.objects.get(action="building_head.assign").changes["party_member"] is False


def test_ending_the_term_takes_the_role_back(tree, people, clock):
    wang = resident(tree.unit, name="王红", seq=51, room="301")
    user = resident_account(wang, "wanghong")
    actor = Actor.for_user(people.worker)
    head = _assign(actor, tree.building, wang)
    grant_id = head.grant_id
    with pytest.raises(ValidationError, match="离任日期不能早于任期开始日期。"):
        s.building_head_end(actor=actor, head_id=head.pk, ended_on=dt.date(2026, 10, 1))
    with pytest.raises(ValidationError, match="离任日期不能晚于今天。"):
        s.building_head_end(actor=actor, head_id=head.pk, ended_on=dt.date(2026, 11, 3))
    ended = s.building_head_end(actor=actor, head_id=head.pk, ended_on=dt.date(2026, 11, 1))
    assert (ended.ended_on, ended.grant_id) == (dt.date(2026, 11, 1), None)
    assert not Grant.objects.filter(pk=grant_id).exists()
    assert list(Grant.objects.filter(user=user).values_list("role", flat=True)) == ["resident"]
    undelegated = AuditRecord.objects.get(action="grant.undelegate")
    assert (undelegated.object_id, undelegated.changes["user"]) == (str(grant_id), "wanghong")
    assert AuditRecord.objects.get(action="building_head.end").changes["grant_revoked"] == grant_id
    with pytest.raises(Conflict, match="已办理离任。"):
        s.building_head_end(actor=actor, head_id=head.pk, ended_on=dt.date(2026, 11, 1))
    # the building can have a head again
    again = _assign(actor, tree.building, resident(tree.unit, name="李明", seq=52, room="302"),
                    term_start=dt.date(2026, 11, 2))  # fmt: skip
    assert BuildingHead.objects.filter(ended_on__isnull=True).get() == again


def test_a_role_the_security_admin_gave_is_not_this_terms_to_take(tree, people, clock):
    wang = resident(tree.unit, name="王红", seq=51, room="301")
    user = resident_account(wang, "wanghong")
    given = Grant.objects.create(user=user, role=Role.BUILDING_HEAD, region=tree.building)
    actor = Actor.for_user(people.worker)
    head = _assign(actor, tree.building, wang)
    assert head.grant_id is None
    s.building_head_end(actor=actor, head_id=head.pk, ended_on=dt.date(2026, 11, 1))
    assert Grant.objects.filter(pk=given.pk).exists()


def test_one_sitting_head_per_building_and_per_unit(tree, people, clock):
    actor = Actor.for_user(people.worker)
    _assign(actor, tree.building, resident(tree.unit, name="王红", seq=51, room="301"))
    _assign(actor, tree.building, resident(tree.unit, name="李明", seq=52, room="302"),
            kind="unit", unit=tree.unit)  # fmt: skip
    before = _written()
    third = resident(tree.unit2, name="赵强", seq=53, room="201")
    with pytest.raises(Conflict, match="1号楼已有在任楼长，请先办理离任。"):
        _assign(actor, tree.building, third)
    with pytest.raises(Conflict, match="1号楼1单元已有在任单元长，请先办理离任。"):
        _assign(actor, tree.building, third, kind="unit", unit=tree.unit)
    assert _written() == before


def test_the_constraint_catches_a_head_seated_in_between(tree, people, clock, monkeypatch):
    # given: another request seats a head between the check and the insert
    actor = Actor.for_user(people.worker)
    first = _assign(actor, tree.building, resident(tree.unit, name="王红", seq=51, room="301"))
    real = s._sitting_conflict
    calls = []

    def racing(building, unit):
        calls.append(1)
        return None if len(calls) == 1 else real(building, unit)

    monkeypatch.setattr(s, "_sitting_conflict", racing)
    before = _written()
    with pytest.raises(Conflict, match="1号楼已有在任楼长"):
        _assign(actor, tree.building, resident(tree.unit, name="李明", seq=52, room="302"))
    assert _written() == before and first.pk


@pytest.mark.parametrize(
    ("case", "error", "status", "message"),
    [
        ("other_community", PermissionDenied, 403,
         "1号楼不在您的管辖范围内，只能为本社区的楼栋选配楼栋长。"),
        ("far_street", PermissionDenied, 403, "只能为本社区的楼栋选配楼栋长。"),
        ("missing_building", NotFound, 404, "楼栋不存在。"),
        ("unit_as_building", ValidationError, 422, "请选择楼栋。"),
        ("resident_elsewhere", ValidationError, 422, "楼栋长须是本楼栋的居民：所选居民不住在1号楼。"),
        ("unit_of_other_building", ValidationError, 422, "该单元不在1号楼。"),
        ("unit_head_without_unit", ValidationError, 422, "请选择单元。"),
        ("building_head_with_unit", ValidationError, 422, "楼长管整栋楼，不选单元"),
        ("bad_kind", ValidationError, 422, "请选择楼长或单元长。"),
        ("term_backwards", ValidationError, 422, "任期届满日期不能早于开始日期。"),
        ("future_start", ValidationError, 422, "任期开始日期不能晚于今天。"),
        ("no_start", ValidationError, 422, "请填写任期开始日期。"),
    ],
)  # fmt: skip
def test_assign_refusals_write_nothing(tree, people, clock, case, error, status, message):
    _b2, u2 = _second_building(tree)
    here = resident(tree.unit, name="王红", seq=51, room="301")
    resident_account(here, "wanghong")
    elsewhere = resident(u2, name="李明", seq=52, room="101")
    far = resident(tree.other_unit, name="赵强", seq=53)
    building, person, kind, unit_id, extra = tree.building.pk, here.pk, "building", None, {}
    if case == "other_community":
        building, person = tree.other_unit.building_id, far.pk
    elif case == "far_street":
        building = tree.far_unit.building_id
    elif case == "missing_building":
        building = 10**12
    elif case == "unit_as_building":
        building = tree.unit.pk
    elif case == "resident_elsewhere":
        person = elsewhere.pk
    elif case == "unit_of_other_building":
        kind, unit_id = "unit", u2.pk
    elif case == "unit_head_without_unit":
        kind = "unit"
    elif case == "building_head_with_unit":
        unit_id = tree.unit.pk
    elif case == "bad_kind":
        kind = "chief"
    elif case == "term_backwards":
        extra = {"term_end": dt.date(2026, 10, 7)}
    elif case == "future_start":
        extra = {"term_start": dt.date(2026, 11, 3)}
    elif case == "no_start":
        extra = {"term_start": None}
    before = _written()
    with pytest.raises(error, match=message) as refused:
        s.building_head_assign(actor=Actor.for_user(people.worker), building_id=building,
                               resident_id=person, kind=kind, unit_id=unit_id,
                               **({"term_start": DAY} | extra))  # fmt: skip
    assert refused.value.status == status
    assert _written() == before


def test_only_the_community_and_party_roles_seat_heads(tree, people, clock):
    here = resident(tree.unit, name="王红", seq=51, room="301")
    orgs = party_orgs(tree)
    before = _written()
    for user in (people.other_worker, people.building_head, people.inspector, people.resident,
                 people.street_officer, people.district_admin, people.security_admin):  # fmt: skip
        with pytest.raises(PermissionDenied):
            _assign(Actor.for_user(user), tree.building, here)
    assert _written() == before
    # a compound branch's secretary chooses the heads of the compound's buildings
    secretary = Actor.for_user(party_secretary(tree.compound, "branch_secretary"))
    assert _assign(secretary, tree.building, here).building_id == tree.building.pk
    head = BuildingHead.objects.get()
    with pytest.raises(NotFound, match="楼栋长记录不存在。"):
        s.building_head_end(actor=Actor.for_user(people.other_worker), head_id=head.pk,
                            ended_on=dt.date(2026, 11, 1))  # fmt: skip
    with pytest.raises(PermissionDenied):
        s.building_head_end(actor=Actor.for_user(people.building_head), head_id=head.pk,
                            ended_on=dt.date(2026, 11, 1))  # fmt: skip
    assert orgs.branch and BuildingHead.objects.get().ended_on is None


# -- the core pair that hands out the role ----------------------------------------------


def test_grant_delegate_hands_out_only_the_building_head_role_in_scope(tree, people, clock):
    worker = Actor.for_user(people.worker)
    someone = user_with(Role.RESIDENT, tree.community, "someone")
    cases = [
        ({"role": Role.COMMUNITY_WORKER, "region": tree.building}, PermissionDenied,
         "“社区工作者”只能由安全管理员授予。"),
        ({"role": "nobody", "region": tree.building}, PermissionDenied, "只能由安全管理员授予"),
        ({"region": tree.other_unit.building}, PermissionDenied, "授权范围超出您本人的管辖范围。"),
        ({"region": tree.community}, ValidationError,
         "“楼栋长”只能授予在楼栋或单元一级，“站前社区”是社区。"),
        ({"user": people.worker}, PermissionDenied, "不能给您本人授权。"),
        ({"user": people.audit_admin}, ValidationError, "系统、安全、审计管理员账号不能兼任楼栋长。"),
        ({"permission": "party.members"}, PermissionDenied, "查看党员名册"),
    ]  # fmt: skip
    before = Grant.objects.count()
    for extra, error, message in cases:
        values = {"user": someone, "role": Role.BUILDING_HEAD, "region": tree.building,
                  "permission": "party.heads"} | extra  # fmt: skip
        with pytest.raises(error, match=message):
            grant_delegate(actor=worker, **values)
    someone.is_active = False
    someone.save(update_fields=["is_active"])
    with pytest.raises(ValidationError, match="该账号已停用，不能授权。"):
        grant_delegate(actor=worker, user=someone, role=Role.BUILDING_HEAD, region=tree.unit,
                       permission="party.heads")  # fmt: skip
    assert Grant.objects.count() == before
    assert AuditRecord.objects.filter(action="grant.delegate").count() == 0
    # then: the one allowed grant, and no second copy of it
    someone.is_active = True
    someone.save(update_fields=["is_active"])
    grant = grant_delegate(actor=worker, user=someone, role=Role.BUILDING_HEAD, region=tree.unit,
                           permission="party.heads")  # fmt: skip
    assert (grant.role, grant.region_id, grant.created_by_id) == (
        "building_head", tree.unit.pk, people.worker.pk,
    )  # fmt: skip
    with pytest.raises(ValidationError, match="该账号已持有“楼栋长·1单元”的授权。"):
        grant_delegate(actor=worker, user=someone, role=Role.BUILDING_HEAD, region=tree.unit,
                       permission="party.heads")  # fmt: skip


def test_grant_undelegate_takes_back_only_a_building_head_role_in_scope(tree, people, clock):
    someone = user_with(Role.RESIDENT, tree.community, "someone")
    worker = Actor.for_user(people.worker)
    grant = grant_delegate(actor=worker, user=someone, role=Role.BUILDING_HEAD,
                           region=tree.building, permission="party.heads")  # fmt: skip
    resident_grant = Grant.objects.get(user=someone, role=Role.RESIDENT)
    with pytest.raises(PermissionDenied, match="“居民”只能由安全管理员授予。"):
        grant_undelegate(actor=worker, grant=resident_grant, permission="party.heads")
    with pytest.raises(PermissionDenied, match="该授权超出您本人的管辖范围。"):
        grant_undelegate(actor=Actor.for_user(people.other_worker), grant=grant,
                         permission="party.heads")  # fmt: skip
    with pytest.raises(PermissionDenied):
        grant_undelegate(actor=Actor.for_user(people.inspector), grant=grant,
                         permission="party.heads")  # fmt: skip
    assert Grant.objects.filter(user=someone).count() == 2
    grant_undelegate(actor=worker, grant=grant, permission="party.heads")
    assert list(Grant.objects.filter(user=someone).values_list("role", flat=True)) == ["resident"]
    assert AuditRecord.objects.get(action="grant.undelegate").changes["role"] == "楼栋长"
    with pytest.raises(NotFound, match="该授权已收回。"):
        grant_undelegate(actor=worker, grant=grant, permission="party.heads")


# -- visits -----------------------------------------------------------------------------


def _seated_head(tree, people) -> BuildingHead:
    orgs = party_orgs(tree)
    wang = member(tree.unit, orgs.group, name="王红", seq=51, room="301")
    resident_account(wang.resident, "wanghong")
    return _assign(Actor.for_user(people.secretary), tree.building, wang.resident)


def test_a_heads_visit_raises_an_appeal_that_the_community_triages(tree, people, clock):
    # given: a building head seated by the community, and a household of the building
    head = _seated_head(tree, people)
    grandma = resident(tree.unit2, name="刘桂芳", seq=61, room="202", phone=PHONE)
    # when: the head logs the visit and raises what she said as her appeal
    visit = s.household_visit_log(
        actor=_head_actor(head), household_id=grandma.household_id, visited_on=dt.date(2026, 11, 1),
        raised="楼道灯坏了一个月，晚上上下楼看不见。", follow_up="已告知物业",
        raise_appeal=True, appeal_kind="help", appeal_category="repair", resident_id=grandma.pk,
    )  # fmt: skip
    appeal = Appeal.objects.get()
    assert visit.appeal_id == appeal.pk
    assert (visit.building_id, visit.unit_id, visit.community_id, visit.visitor_id) == (
        tree.building.pk, tree.unit2.pk, tree.community.pk, head.resident.user_id,
    )  # fmt: skip
    assert (appeal.channel, appeal.community_id, appeal.compound_id, appeal.building_id,
            appeal.resident_id, appeal.contact_name, appeal.phone_masked, appeal.status) == (
        AppealChannel.BUILDING_HEAD, tree.community.pk, tree.compound.pk, tree.building.pk,
        grandma.pk, "刘桂芳", "138****1234", AppealState.SUBMITTED,
    )  # fmt: skip
    assert appeal.description == "楼道灯坏了一个月，晚上上下楼看不见。"
    assert AuditRecord.objects.get(action="household_visit.log").changes == {
        "household": "1号楼2单元202室", "visited_on": "2026-11-01", "raised": True,
        "appeal": appeal.number,
    }  # fmt: skip
    # then: the community's worker triages it to be handled by the community
    triaged = appeal_triage(actor=Actor.for_user(people.worker), appeal_id=appeal.pk,
                            decision="self", note="联系物业更换灯泡")  # fmt: skip
    assert triaged.status == AppealState.HANDLING
    assert Appeal.objects.get().owner_id == people.worker.pk


def test_a_plain_visit_raises_nothing(tree, people, clock):
    home = household(tree.unit, "102")
    visit = s.household_visit_log(actor=Actor.for_user(people.building_head),
                                  household_id=home.pk, visited_on=dt.date(2026, 11, 2))  # fmt: skip
    assert (visit.raised, visit.appeal_id, Appeal.objects.count()) == ("", None, 0)


@pytest.mark.parametrize(
    ("case", "error", "status", "message"),
    [
        ("future", ValidationError, 422, "走访日期不能晚于今天。"),
        ("too_old", ValidationError, 422, "走访日期不能早于2025年11月1日（只能补录一年内的走访）。"),
        ("no_date", ValidationError, 422, "请填写走访日期。"),
        ("other_building", NotFound, 404, "住户不存在或不在您负责的楼栋。"),
        ("other_community", NotFound, 404, "住户不存在或不在您负责的楼栋。"),
        ("missing", NotFound, 404, "住户不存在或不在您负责的楼栋。"),
        ("appeal_without_text", ValidationError, 422, "代居民提出诉求，请写明居民反映的情况。"),
        ("appeal_for_a_stranger", ValidationError, 422, "请选择提出诉求的居民（本户成员）。"),
        ("appeal_without_phone", ValidationError, 422, "这位居民未登记手机号"),
        ("appeal_bad_kind", ValidationError, 422, "请选择诉求类型。"),
        ("appeal_bad_category", ValidationError, 422, "请选择诉求类别。"),
        ("too_long", ValidationError, 422, "反映的情况不能超过"),
    ],
)  # fmt: skip
def test_visit_refusals_write_nothing(tree, people, clock, case, error, status, message):
    b2, u2 = _second_building(tree)
    grandma = resident(tree.unit2, name="刘桂芳", seq=61, room="202", phone=PHONE)
    silent = resident(tree.unit2, name="刘强", seq=62, room="202")
    neighbour = resident(u2, name="李明", seq=63, room="101", phone="13900005678")
    far = resident(tree.other_unit, name="赵强", seq=64, phone="13900005679")
    values = {"household_id": grandma.household_id, "visited_on": dt.date(2026, 11, 2),
              "raised": "楼道灯坏了。", "raise_appeal": True, "appeal_kind": "help",
              "appeal_category": "repair", "resident_id": grandma.pk}  # fmt: skip
    values |= {
        "future": {"visited_on": dt.date(2026, 11, 3)},
        "too_old": {"visited_on": dt.date(2025, 10, 31)},
        "no_date": {"visited_on": None},
        "other_building": {"household_id": neighbour.household_id},
        "other_community": {"household_id": far.household_id},
        "missing": {"household_id": 10**12},
        "appeal_without_text": {"raised": "  "},
        "appeal_for_a_stranger": {"resident_id": neighbour.pk},
        "appeal_without_phone": {"resident_id": silent.pk},
        "appeal_bad_kind": {"appeal_kind": "praise"},
        "appeal_bad_category": {"appeal_category": None},
        "too_long": {"raised": "灯" * 501},
    }[case]
    before = _written()
    with pytest.raises(error, match=message) as refused:
        s.household_visit_log(actor=Actor.for_user(people.building_head), **values)
    assert refused.value.status == status
    assert _written() == before
    assert b2.pk


def test_the_oldest_day_a_visit_may_be_logged_for(tree, people, clock):
    home = household(tree.unit, "102")
    visit = s.household_visit_log(actor=Actor.for_user(people.building_head),
                                  household_id=home.pk, visited_on=dt.date(2025, 11, 1))  # fmt: skip
    assert visit.visited_on == dt.date(2025, 11, 1)


def test_only_a_building_head_logs_visits(tree, people, clock):
    home = household(tree.unit, "102")
    for user in (people.worker, people.secretary, people.inspector, people.resident,
                 people.street_officer):  # fmt: skip
        with pytest.raises(PermissionDenied, match="入户走访"):
            s.household_visit_log(actor=Actor.for_user(user), household_id=home.pk,
                                  visited_on=dt.date(2026, 11, 2))  # fmt: skip
    assert HouseholdVisit.objects.count() == 0


# -- coverage ---------------------------------------------------------------------------


def _coverage_scene(tree, people):
    """1号楼: four households (101, 102 in 1单元; 201, 202 in 2单元); 2号楼: two.
    This quarter (2026Q4): 101 visited twice, 201 on its first day; 102 only
    on the last day of Q3. 2号楼: 101 visited today."""
    b2, u2 = _second_building(tree)
    homes = {room: household(tree.unit, room) for room in ("101", "102")}
    homes |= {room: household(tree.unit2, room) for room in ("201", "202")}
    other = [household(u2, "101"), household(u2, "102")]
    head = Actor.for_user(people.building_head)
    second = Actor.for_user(user_with(Role.BUILDING_HEAD, b2, "second_head"))
    for room, day in (("101", dt.date(2026, 10, 9)), ("101", dt.date(2026, 11, 1)),
                      ("102", dt.date(2026, 9, 30)), ("201", dt.date(2026, 10, 1))):  # fmt: skip
        s.household_visit_log(actor=head, household_id=homes[room].pk, visited_on=day)
    s.household_visit_log(actor=second, household_id=other[0].pk, visited_on=dt.date(2026, 11, 2))
    return b2


def test_coverage_counts_households_visited_in_the_quarter(
    tree, people, clock, django_assert_num_queries
):
    b2 = _coverage_scene(tree, people)
    head = Actor.for_user(people.building_head)
    with django_assert_num_queries(3):
        mine = selectors.visit_coverage(actor=head, quarter="2026Q4")
    assert [(r.building.pk, r.households, r.visited, r.pct) for r in mine] == [
        (tree.building.pk, 4, 2, 50),
    ]  # fmt: skip
    worker = Actor.for_user(people.worker)
    rows = selectors.visit_coverage(actor=worker, quarter="2026Q4")
    assert [(r.building.name, r.households, r.visited) for r in rows] == [
        ("1号楼", 4, 2), ("2号楼", 2, 1),
    ]  # fmt: skip
    total = selectors.coverage_total(rows)
    assert (total.households, total.visited, str(total.pct)) == (6, 3, "50.0")
    last = selectors.visit_coverage(actor=worker, quarter="2026q3")
    assert [(r.households, r.visited) for r in last] == [(4, 1), (2, 0)]
    with pytest.raises(ValidationError, match="季度应写成“2026Q4”的样子"):
        selectors.visit_coverage(actor=worker, quarter="2026Q5")
    # inspectors read the figures, never the visits
    with pytest.raises(PermissionDenied, match="不能查看入户走访记录"):
        selectors.visit_coverage(actor=Actor.for_user(people.inspector), quarter="2026Q4")
    assert b2.pk


def test_coverage_queries_do_not_grow_with_buildings(
    tree, people, clock, django_assert_num_queries
):
    worker = Actor.for_user(people.worker)
    with django_assert_num_queries(3):
        assert [r.households for r in selectors.visit_coverage(actor=worker, quarter="2026Q4")] == [
            0
        ]
    _coverage_scene(tree, people)
    with django_assert_num_queries(3):
        assert len(selectors.visit_coverage(actor=worker, quarter="2026Q4")) == 2


def test_the_head_board_shows_members_non_members_and_empty_buildings(tree, people, clock):
    b2, _u2 = _second_building(tree)
    orgs = party_orgs(tree)
    worker = Actor.for_user(people.worker)
    wang = member(tree.unit, orgs.group, name="王红", seq=51, room="301")
    _assign(worker, tree.building, wang.resident)
    _assign(worker, tree.building, resident(tree.unit2, name="李明", seq=52, room="201"),
            kind="unit", unit=tree.unit2)  # fmt: skip
    rows = selectors.head_board(actor=worker, buildings=list(selectors.head_buildings(actor=worker)),
                                quarter="2026Q4")  # fmt: skip
    first, second = rows
    assert (first.building, first.head.resident.name, first.head.is_member) == (
        tree.building, "王红", True,
    )  # fmt: skip
    assert [(u.unit.name, u.head.resident.name if u.head else None, u.head.is_member if u.head
             else None) for u in first.units] == [("1单元", None, None), ("2单元", "李明", False)]  # fmt: skip
    assert (first.coverage.households, first.coverage.visited) == (2, 0)
    assert (second.building, second.head, second.unit_heads) == (b2, None, [])
    assert Household.objects.count() == 2
