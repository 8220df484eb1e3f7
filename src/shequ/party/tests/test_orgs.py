"""党组织: founding on the region tree, the committee with its terms, the
linked bodies, dissolving, and the district's rules — each refusal in
Chinese with its status, nothing written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shequ.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from shequ.core.models import AuditRecord
from shequ.core.pii import decrypt
from shequ.core.scope import Actor
from shequ.party.models import LinkedBody, OrgKind, OrgRole, PartyOrg, PartyRules
from shequ.party.services import orgs as s
from shequ.party.tests.helpers import member, org, party_orgs, party_secretary

pytestmark = pytest.mark.django_db
CLOCK_START = "2026-11-02"
DAY = dt.date(2026, 10, 1)


def test_a_branch_is_founded_under_its_community_committee(tree, people, clock):
    community = org(tree.community, OrgKind.COMMUNITY_COMMITTEE, "中共站前社区委员会")
    actor = Actor.for_user(people.secretary)
    branch = s.org_create(actor=actor, region_id=tree.compound.pk, kind=OrgKind.BRANCH,
                          name=" 中共化机小区支部委员会 ", founded_on=DAY)  # fmt: skip
    assert (branch.parent_id, branch.name, branch.community_id, branch.compound_id) == (
        community.pk, "中共化机小区支部委员会", tree.community.pk, tree.compound.pk,
    )  # fmt: skip
    group = s.org_create(actor=actor, region_id=tree.building.pk, kind=OrgKind.GROUP,
                         name="1号楼党小组", founded_on=DAY)  # fmt: skip
    assert group.parent_id == branch.pk
    assert AuditRecord.objects.filter(action="party_org.create").count() == 2


@pytest.mark.parametrize(
    ("where", "kind", "error", "message"),
    [
        ("community", OrgKind.BRANCH, ValidationError, "社区一级只能设社区党委、社区党总支。"),
        ("compound", OrgKind.BRANCH, ValidationError, "请先成立上级党组织"),
        ("far_compound", OrgKind.BRANCH, PermissionDenied, "该党组织不在您的管辖范围内。"),
        ("unit", OrgKind.GROUP, ValidationError, "党组织只能设在街道、社区、小区或楼栋。"),
    ],
)
def test_founding_refusals(tree, people, clock, where, kind, error, message):
    region = {
        "community": tree.community, "compound": tree.compound, "unit": tree.unit,
        "far_compound": tree.far_unit.compound,
    }[where]  # fmt: skip
    with pytest.raises(error, match=message):
        s.org_create(actor=Actor.for_user(people.secretary), region_id=region.pk, kind=kind,
                     name="某党组织", founded_on=DAY)  # fmt: skip
    assert PartyOrg.objects.count() == 0


def test_one_organisation_per_region_and_no_future_founding(tree, people, clock):
    party_orgs(tree)
    actor = Actor.for_user(people.secretary)
    with pytest.raises(Conflict, match="化机小区已有党组织“中共化机小区支部委员会”。"):
        s.org_create(actor=actor, region_id=tree.compound.pk, kind=OrgKind.BRANCH, name="再建",
                     founded_on=DAY)  # fmt: skip
    with pytest.raises(ValidationError, match="成立日期不能晚于今天。"):
        s.org_create(actor=actor, region_id=tree.unit2.building.pk, kind=OrgKind.GROUP,
                     name="某党小组", founded_on=dt.date(2026, 11, 3))  # fmt: skip
    with pytest.raises(NotFound):
        s.org_create(actor=actor, region_id=10**12, kind=OrgKind.GROUP, name="某",
                     founded_on=DAY)  # fmt: skip
    assert PartyOrg.objects.count() == 6


def test_nobody_outside_the_party_roles_founds_or_seats(tree, people, clock):
    orgs = party_orgs(tree)
    for user in (people.worker, people.street_officer, people.inspector, people.building_head,
                 people.resident, people.district_admin):  # fmt: skip
        with pytest.raises(PermissionDenied):
            s.org_create(actor=Actor.for_user(user), region_id=tree.unit2.building.pk,
                         kind=OrgKind.GROUP, name="某", founded_on=DAY)  # fmt: skip
        with pytest.raises(PermissionDenied):
            s.body_add(actor=Actor.for_user(user), org_id=orgs.branch.pk, kind="property",
                       name="宏达物业")  # fmt: skip
    assert LinkedBody.objects.count() == 0


def test_the_committee_one_secretary_at_a_time_with_terms(tree, people, clock):
    orgs = party_orgs(tree)
    a = member(tree.unit, orgs.branch, name="王红", seq=51)
    b = member(tree.unit, orgs.group, name="李明", seq=52)
    stranger = member(tree.other_unit, orgs.other_branch, name="赵强", seq=53)
    actor = Actor.for_user(party_secretary(tree.compound, "branch_secretary"))
    seat = s.role_add(actor=actor, org_id=orgs.branch.pk, member_id=a.pk, role="secretary",
                      term_start=DAY, term_end=dt.date(2031, 9, 30))  # fmt: skip
    with pytest.raises(Conflict, match="该党组织已有在任书记，请先办理离任。"):
        s.role_add(actor=actor, org_id=orgs.branch.pk, member_id=b.pk, role="secretary",
                   term_start=DAY)  # fmt: skip
    with pytest.raises(NotFound, match="该党员不在本党组织"):
        s.role_add(actor=actor, org_id=orgs.branch.pk, member_id=stranger.pk, role="member",
                   term_start=DAY)  # fmt: skip
    with pytest.raises(ValidationError, match="党小组只设党小组长"):
        s.role_add(actor=actor, org_id=orgs.branch.pk, member_id=b.pk, role="group_leader",
                   term_start=DAY)  # fmt: skip
    with pytest.raises(ValidationError, match="任期届满日期不能早于开始日期。"):
        s.role_add(actor=actor, org_id=orgs.branch.pk, member_id=b.pk, role="member",
                   term_start=DAY, term_end=dt.date(2026, 9, 1))  # fmt: skip
    # a member of the group below sits on the branch committee
    s.role_add(actor=actor, org_id=orgs.branch.pk, member_id=b.pk, role="organisation",
               term_start=DAY)  # fmt: skip
    assert OrgRole.objects.count() == 2
    s.role_end(actor=actor, role_id=seat.pk, ended_on=dt.date(2026, 11, 1))
    s.role_add(actor=actor, org_id=orgs.branch.pk, member_id=b.pk, role="secretary",
               term_start=dt.date(2026, 11, 1))  # fmt: skip
    assert list(
        OrgRole.objects.filter(ended_on__isnull=True).values_list("member__resident__name", "role")
    ) == [("李明", "organisation"), ("李明", "secretary")]
    # the branch secretary does not keep the other community's branch
    with pytest.raises(PermissionDenied):
        s.role_add(actor=actor, org_id=orgs.other_branch.pk, member_id=stranger.pk,
                   role="member", term_start=DAY)  # fmt: skip


def test_a_linked_body_keeps_its_phone_encrypted(tree, people, clock):
    orgs = party_orgs(tree)
    body = s.body_add(actor=Actor.for_user(people.secretary), org_id=orgs.branch.pk,
                      kind="property", name="宏达物业", contact_name="孙经理",
                      contact_phone="138 0013 8000")  # fmt: skip
    assert (body.contact_phone_masked, decrypt(body.contact_phone_enc)) == (
        "138****8000", "13800138000",
    )  # fmt: skip
    record = AuditRecord.objects.get(action="party_body.add")
    assert record.changes["contact_phone"] == "138****8000"
    assert record.changes["contact_name"] == "孙**"
    with pytest.raises(ValidationError, match="手机号应为11位") as refused:
        s.body_add(actor=Actor.for_user(people.secretary), org_id=orgs.branch.pk,
                   kind="property", name="某物业", contact_phone="12345")  # fmt: skip
    assert refused.value.field == "contact_phone"
    assert LinkedBody.objects.count() == 1


def test_dissolving_needs_an_empty_organisation(tree, people, clock):
    orgs = party_orgs(tree)
    actor = Actor.for_user(people.secretary)
    m = member(tree.unit, orgs.group, seq=51)
    with pytest.raises(Conflict, match="该党组织还有党员"):
        s.org_dissolve(actor=actor, org_id=orgs.group.pk, dissolved_on=DAY, reason="合并")
    with pytest.raises(Conflict, match="该党组织还有下级党组织"):
        s.org_dissolve(actor=actor, org_id=orgs.branch.pk, dissolved_on=DAY, reason="合并")
    m.delete()
    group = s.org_dissolve(actor=actor, org_id=orgs.group.pk, dissolved_on=DAY, reason="合并")
    assert (group.active, group.dissolved_on) == (False, DAY)


def test_the_district_sets_its_rules(tree, people, clock):
    values = {
        "branch_threshold": "5", "open_ratio": "0.75", "min_activities": "3", "min_hosted": "1",
        "probation_notice_days": "45", "transfer_answer_days": "5", "letter_valid_days": "60",
    }  # fmt: skip
    rules = s.party_rules_set(actor=Actor.for_user(people.district_admin), **values)
    assert (rules.branch_threshold, rules.open_ratio, rules.letter_valid_days) == (
        5, Decimal("0.75"), 60,
    )  # fmt: skip
    record = AuditRecord.objects.get(action="party_rules.set")
    assert record.changes["branch_threshold"] == ["3", "5"]
    for name, bad, message in (
        ("branch_threshold", "2", "建支部所需正式党员数须是 3 到 50 之间的整数。"),
        ("open_ratio", "1.5", "实际开放时长比例须在 0.10 到 1.00 之间"),
        ("open_ratio", "0.755", "实际开放时长比例须在 0.10 到 1.00 之间"),
        ("open_ratio", "NaN", "实际开放时长比例须在 0.10 到 1.00 之间"),
        ("min_activities", "x", "每月有居民参加的活动数须是 0 到 60 之间的整数。"),
    ):
        with pytest.raises(ValidationError, match=message):
            s.party_rules_set(actor=Actor.for_user(people.district_admin), **{**values, name: bad})
    with pytest.raises(PermissionDenied):
        s.party_rules_set(actor=Actor.for_user(people.secretary), **values)
    assert PartyRules.objects.get().branch_threshold == 5
