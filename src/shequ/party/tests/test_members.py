"""党员: enrolling residents of the register, 转正, the probation reminder of
``shequ tick``, the branch eligibility flags, and who may read names."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from shequ.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from shequ.core.models import AuditRecord, Notification
from shequ.core.scope import Actor
from shequ.party.models import MemberStatus, PartyMember, Standing
from shequ.party.selectors import members as selectors
from shequ.party.selectors.orgs import eligibility
from shequ.party.services import members as s
from shequ.party.tests.helpers import member, party_orgs, party_secretary, resident_account
from shequ.residents.tests.helpers import id_number, resident
from shequ.whistles.models import Unit

pytestmark = pytest.mark.django_db
CLOCK_START = "2026-11-02"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _enrol(actor, person, party_org, **extra):
    values = {"standing": Standing.FULL, "relation": "self_managed",
              "joined_on": dt.date(2001, 7, 1)} | extra  # fmt: skip
    return s.member_create(actor=actor, resident_id=person.pk, org_id=party_org.pk, **values)


def test_a_resident_is_enrolled_where_they_live(tree, people, clock):
    orgs = party_orgs(tree)
    person = resident(tree.unit, name="王红", seq=61, room="301")
    m = _enrol(Actor.for_user(people.secretary), person, orgs.group)
    assert (m.org_id, m.org_region_id, m.community_id, m.compound_id, m.status) == (
        orgs.group.pk, tree.building.pk, tree.community.pk, tree.compound.pk, "active",
    )  # fmt: skip
    assert AuditRecord.objects.get(action="party_member.create").changes["resident"] == "王*"


@pytest.mark.parametrize(
    ("extra", "error", "message"),
    [
        ({"standing": "probationary"}, ValidationError, "预备党员须填写预备期满日期。"),
        ({"standing": "probationary", "joined_on": dt.date(2026, 7, 1),
          "probation_ends_on": dt.date(2028, 7, 2)}, ValidationError, "预备期最长两年"),
        ({"probation_ends_on": dt.date(2027, 1, 1)}, ValidationError, "正式党员不填预备期满日期。"),
        ({"joined_on": dt.date(2026, 11, 3)}, ValidationError, "入党日期不能晚于今天。"),
        ({"joined_on": dt.date(1998, 5, 16)}, ValidationError, "入党日期早于本人年满十八岁"),
        ({"relation": "in_service"}, ValidationError, "在职党员须填写工作单位"),
        ({"relation": "self_managed", "employer_name": "某厂"}, ValidationError,
         "只有在职党员填写工作单位。"),
        ({"relation": "in_service", "employer_unit_id": 10**9, "employer_org_name": "某党委"},
         NotFound, "该驻区单位不存在。"),
        ({"standing": "honorary"}, ValidationError, "请选择党员类别"),
    ],
)  # fmt: skip
def test_enrolment_refusals_write_nothing(tree, people, clock, extra, error, message):
    orgs = party_orgs(tree)
    person = resident(tree.unit, name="王红", seq=61, room="301")  # born 1980-05-17
    with pytest.raises(error, match=message):
        _enrol(Actor.for_user(people.secretary), person, orgs.branch, **extra)
    assert PartyMember.objects.count() == 0


def test_only_residents_of_the_register_where_the_organisation_is(tree, people, clock):
    orgs = party_orgs(tree)
    actor = Actor.for_user(people.secretary)
    with pytest.raises(NotFound, match="本区居民档案中没有这位居民"):
        s.member_create(actor=actor, resident_id=10**12, org_id=orgs.branch.pk,
                        standing="full", relation="self_managed", joined_on=dt.date(2001, 7, 1))  # fmt: skip
    elsewhere = resident(tree.other_unit, name="赵强", seq=62)
    with pytest.raises(ValidationError, match="党员应编入本人居住社区的党组织。"):
        _enrol(actor, elsewhere, orgs.branch)
    with pytest.raises(NotFound, match="党组织不存在或已撤销。"):
        s.member_create(actor=actor, resident_id=elsewhere.pk, org_id=10**12, standing="full",
                        relation="self_managed", joined_on=dt.date(2001, 7, 1))  # fmt: skip
    with pytest.raises(ValidationError, match="党员应编入社区党委"):
        _enrol(Actor.for_user(party_secretary(tree.street, "street_sec")),
               resident(tree.unit, name="孙丽", seq=63, room="302"), orgs.street)  # fmt: skip
    person = resident(tree.unit, name="王红", seq=61, room="301")
    _enrol(actor, person, orgs.branch)
    with pytest.raises(Conflict, match="这位居民已登记为党员。"):
        _enrol(actor, person, orgs.group)
    PartyMember.objects.filter(resident=person).update(status=MemberStatus.TRANSFERRED_OUT)
    with pytest.raises(Conflict, match="回到本区请办理组织关系转入"):
        _enrol(actor, person, orgs.group)
    assert PartyMember.objects.count() == 1


def test_an_in_service_member_names_the_employer(tree, people, clock):
    orgs = party_orgs(tree)
    school = Unit.objects.get(name="城东第一中学")
    m = _enrol(Actor.for_user(people.secretary), resident(tree.unit, seq=61, room="301"),
               orgs.branch, relation="in_service", employer_unit_id=school.pk,
               employer_org_name="中共城东第一中学支部委员会")  # fmt: skip
    assert (m.employer_unit_id, m.employer_name) == (school.pk, "城东第一中学")


def test_confirmation_waits_for_the_end_of_probation(tree, people, clock):
    orgs = party_orgs(tree)
    m = member(tree.unit, orgs.branch, seq=61, standing=Standing.PROBATIONARY,
               joined_on=dt.date(2025, 11, 20), probation_ends_on=dt.date(2026, 11, 20))  # fmt: skip
    actor = Actor.for_user(people.secretary)
    with pytest.raises(ValidationError, match="预备期到2026年11月20日期满，期满后方可转正。"):
        s.member_confirm(actor=actor, member_id=m.pk, confirmed_on=dt.date(2026, 11, 2))
    clock.set("2026-11-25")
    done = s.member_confirm(actor=actor, member_id=m.pk, confirmed_on=dt.date(2026, 11, 24))
    assert done.standing == Standing.FULL
    with pytest.raises(Conflict, match="该党员已是正式党员。"):
        s.member_confirm(actor=actor, member_id=m.pk, confirmed_on=dt.date(2026, 11, 24))


def test_the_probation_reminder_is_sent_once(tree, people, clock):
    orgs = party_orgs(tree)
    other = party_secretary(tree.other_community, "other_secretary")
    soon = member(tree.unit, orgs.group, seq=61, standing=Standing.PROBATIONARY,
                  joined_on=dt.date(2025, 11, 20), probation_ends_on=dt.date(2026, 11, 30))  # fmt: skip
    member(tree.unit, orgs.branch, name="李明", seq=62, standing=Standing.PROBATIONARY,
           joined_on=dt.date(2026, 1, 20), probation_ends_on=dt.date(2027, 1, 20))  # fmt: skip
    assert s.members_remind_probation() == 1
    notes = Notification.objects.order_by("recipient__username")
    assert [(n.recipient.username, n.title) for n in notes] == [
        ("party_secretary", "预备党员党**将于2026-11-30预备期满"),  # the branch's
        ("secretary", "预备党员党**将于2026-11-30预备期满"),
    ]
    assert other.pk not in {n.recipient_id for n in notes}
    assert PartyMember.objects.get(pk=soon.pk).probation_reminded_on == dt.date(2026, 11, 2)
    # idempotent: the next tick, and the one after, remind nobody again
    assert s.members_remind_probation() == 0
    clock.advance(days=1)
    assert s.members_remind_probation() == 0
    assert Notification.objects.count() == 2
    assert AuditRecord.objects.filter(action="party_member.probation_remind").count() == 1


def test_eligibility_flags_a_compound_once_it_has_three_full_members(tree, people, clock):
    orgs = party_orgs(tree)
    # 利民小区 has a branch; 老城里小区 (铁塔社区) has none: its members sit
    # under the community committee of 铁塔社区.
    far = party_orgs_far(tree)
    member(tree.far_unit, far, name="甲", seq=71)
    member(tree.far_unit, far, name="乙", seq=72)
    probationer = member(tree.far_unit, far, name="丙", seq=73, standing=Standing.PROBATIONARY,
                         joined_on=dt.date(2025, 10, 1), probation_ends_on=dt.date(2026, 10, 1))  # fmt: skip
    member(tree.far_unit, far, name="丁", seq=74, relation="in_service")  # held by the employer
    actor = Actor.for_user(people.district_admin)
    found = eligibility(actor=actor)
    assert found.threshold == 3 and found.should_found == []
    # the branches of the test tree have no members yet: both are below the threshold
    assert [(r.org.name, r.full_members) for r in found.below] == [
        ("中共化机小区支部委员会", 0), ("中共利民小区支部委员会", 0),
    ]  # fmt: skip
    s.member_confirm(actor=Actor.for_user(party_secretary(tree.far_community, "far_sec")),
                     member_id=probationer.pk, confirmed_on=dt.date(2026, 10, 8))  # fmt: skip
    found = eligibility(actor=actor)
    assert [(r.region.name, r.full_members) for r in found.should_found] == [("老城里小区", 3)]
    for n in range(3):
        member(tree.unit, orgs.group if n else orgs.branch, name=f"化{n}", seq=80 + n)
    assert [r.org.name for r in eligibility(actor=actor).below] == ["中共利民小区支部委员会"]
    # a street officer sees only the street's
    street = eligibility(actor=Actor.for_user(people.other_street_officer))
    assert ([r.region.name for r in street.should_found], street.below) == (["老城里小区"], [])


def party_orgs_far(tree):
    from shequ.party.models import OrgKind
    from shequ.party.tests.helpers import org

    return org(tree.far_community, OrgKind.COMMUNITY_COMMITTEE, "中共铁塔社区委员会")


def test_who_reads_the_register(tree, people, clock):
    orgs = party_orgs(tree)
    mine = member(tree.unit, orgs.group, name="王红", seq=61)
    community_level = member(tree.unit, orgs.community, name="李明", seq=62)
    other = member(tree.other_unit, orgs.other_branch, name="赵强", seq=63)
    branch_secretary = party_secretary(tree.compound, "branch_secretary")
    names = {
        user.username: [m.resident.name for m in selectors.member_list(actor=Actor.for_user(user))]
        for user in (branch_secretary, people.secretary)
    }
    assert names == {"branch_secretary": ["王红"], "secretary": ["李明", "王红"]}
    with pytest.raises(NotFound):
        selectors.member_get(actor=Actor.for_user(branch_secretary), member_id=other.pk)
    with pytest.raises(NotFound):
        selectors.member_get(actor=Actor.for_user(branch_secretary), member_id=community_level.pk)
    for user in (people.worker, people.inspector, people.street_officer, people.building_head,
                 people.district_admin, people.resident):  # fmt: skip
        with pytest.raises(PermissionDenied):
            selectors.member_list(actor=Actor.for_user(user))
    # pages: exact statuses, names only where the register may be read
    page = reverse("party:members")
    assert _client(branch_secretary).get(page).status_code == 200
    for user in (people.worker, people.inspector, people.resident):
        assert _client(user).get(page).status_code == 403
    detail = reverse("party:member", args=[other.pk])
    assert _client(branch_secretary).get(detail).status_code == 404
    assert Client().get(page).status_code == 302
    figures = _client(people.inspector).get(reverse("party:home")).content.decode()
    assert "王红" not in figures and "李明" not in figures
    # a resident reads their own membership only
    resident_account(mine.resident, "wanghong")
    me = _client(mine.resident.user).get(reverse("party:me")).content.decode()
    assert "化机小区1号楼党小组" in me and "赵强" not in me
    assert mine.pk and Client().get(reverse("party:me")).status_code == 302


def test_the_member_list_page_costs_the_same_for_more_members(
    tree, people, clock, django_assert_num_queries
):
    orgs = party_orgs(tree)
    client = _client(people.secretary)
    member(tree.unit, orgs.branch, seq=61)
    with django_assert_num_queries(_count(client)) as first:
        client.get(reverse("party:members"))
    for n in range(8):
        member(tree.unit, orgs.group, name=f"员{n}", seq=70 + n)
    with django_assert_num_queries(len(first.captured_queries)):
        assert "员7" in client.get(reverse("party:members")).content.decode()


def _count(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("party:members"))
    return len(ctx.captured_queries)


def test_enrolling_through_the_pages(tree, people, clock):
    orgs = party_orgs(tree)
    person = resident(tree.unit, name="王红", seq=61, room="301")
    client = _client(people.secretary)
    found = client.get(reverse("party:member_create"), {"id_number": id_number(61)})
    assert found.status_code == 200 and "王红" in found.content.decode()
    missing = client.get(reverse("party:member_create"), {"id_number": id_number(99)})
    assert "居民档案中没有这个身份证号" in missing.content.decode()
    bad = client.post(reverse("party:member_create"), {
        "resident": person.pk, "org": orgs.branch.pk, "standing": "probationary",
        "relation": "self_managed", "joined_on": "2026-01-05", "id_number": id_number(61),
    })  # fmt: skip
    assert bad.status_code == 422 and "预备党员须填写预备期满日期。" in bad.content.decode()
    assert PartyMember.objects.count() == 0
    ok = client.post(reverse("party:member_create"), {
        "resident": person.pk, "org": orgs.branch.pk, "standing": "probationary",
        "relation": "self_managed", "joined_on": "2026-01-05", "probation_ends_on": "2027-01-05",
    })  # fmt: skip
    m = PartyMember.objects.get()
    assert ok.status_code == 302 and ok.url == reverse("party:member", args=[m.pk])
    page = client.get(ok.url).content.decode()
    assert "预备党员" in page and "中共化机小区支部委员会" in page
