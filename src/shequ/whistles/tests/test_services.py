"""Pairing services: agreements, commitments, actions, quarterly ratings, the
"on paper only" tick job, and bad input refused in Chinese with nothing written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shequ.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from shequ.core.models import AuditRecord, Grant, TimelineEvent
from shequ.core.permissions import Role
from shequ.core.pii import decrypt
from shequ.core.scope import Actor
from shequ.core.tests.factories import UserFactory
from shequ.core.tick import run_tick
from shequ.whistles import checks
from shequ.whistles.bodies import services as body_services
from shequ.whistles.models import (
    AgreementState,
    Department,
    Liaison,
    PairingAction,
    PairingAgreement,
    QuarterRating,
    Unit,
)
from shequ.whistles.pairing import services as pairing_services
from shequ.whistles.tests.helpers import add_commitment, liaison_unit, make_agreement

# The pairing tests run in the first quarter of 2026.
CLOCK_START = "2026-03-10"

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return (
        PairingAgreement.objects.count(),
        PairingAction.objects.count(),
        QuarterRating.objects.count(),
        TimelineEvent.objects.count(),
        AuditRecord.objects.filter(success=True).count(),
    )


def act(who, **kw):
    data = {"kind": "volunteer", "what": "义务理发", "date": dt.date(2026, 3, 5), "hours": "3",
            "people": 4} | kw  # fmt: skip
    return pairing_services.action_log(actor=Actor.for_user(who), **data)


# -- departments, units, liaisons ---------------------------------------------------------


def test_department_phone_is_encrypted_and_masked(tree, people):
    admin = Actor.for_user(people.district_admin)
    d = body_services.department_create(
        actor=admin, name="城东区城管执法局", kind="urban_management", head_name="赵强",
        phone="0411-82345678",
    )  # fmt: skip
    d.refresh_from_db()
    assert decrypt(d.phone_enc) == "0411-82345678"
    assert d.phone_masked == "041****5678"
    record = AuditRecord.objects.get(action="department.create")
    assert record.changes["phone"] == "041****5678"
    assert "82345678" not in str(record.changes)


def test_department_create_refuses_bad_phone_and_duplicates(tree, people):
    admin = Actor.for_user(people.district_admin)
    before = Department.objects.count()
    with pytest.raises(ValidationError, match="电话应为11位手机号"):
        body_services.department_create(actor=admin, name="交通局", kind="transport", phone="12")
    with pytest.raises(Conflict, match="本区已有“站前派出所”"):
        body_services.department_create(actor=admin, name="站前派出所", kind="police")
    with pytest.raises(ValidationError, match="请选择有效的部门类别"):
        body_services.department_create(actor=admin, name="交通局", kind="king")
    assert Department.objects.count() == before


def test_only_district_admin_manages_departments(tree, people):
    for who in (people.secretary, people.street_officer, people.unit_liaison):
        with pytest.raises(PermissionDenied):
            body_services.unit_create(actor=Actor.for_user(who), name="某公司", kind="enterprise")
    assert not Unit.objects.filter(name="某公司").exists()


def test_liaison_grant_creates_grant_and_row_once(tree, people):
    admin = Actor.for_user(people.district_admin)
    unit = body_services.unit_create(actor=admin, name="城东医院", kind="hospital", contact="周敏")
    newcomer = UserFactory(username="hospital")
    liaison = body_services.liaison_grant(actor=admin, user=newcomer, unit=unit)
    assert (liaison.unit, liaison.district) == (unit, tree.district)
    assert list(Grant.objects.filter(user=newcomer).values_list("role", "region")) == [
        (Role.UNIT_LIAISON, tree.district.pk)
    ]
    with pytest.raises(Conflict, match="已是“城东医院”的联络员"):
        body_services.liaison_grant(actor=admin, user=newcomer, unit=unit)
    assert Liaison.objects.filter(user=newcomer).count() == 1

    body_services.liaison_revoke(actor=admin, liaison=liaison)
    assert not Grant.objects.filter(user=newcomer).exists()


def test_liaison_role_cannot_be_granted_without_a_body(tree, people):
    from shequ.core.services.accounts import grant_create

    with pytest.raises(ValidationError, match="由区民政管理员"):
        grant_create(
            actor=Actor.for_user(people.security_admin),
            user=people.worker,
            role=Role.UNIT_LIAISON,
            region=tree.district,
        )


# -- agreements and actions ------------------------------------------------------------------


def test_agreement_and_action_write_event_and_audit(tree, people, clock):
    agreement = make_agreement(people, tree.community)
    commitment = add_commitment(people, agreement)
    action = act(people.unit_liaison, agreement_id=agreement.pk, commitment_id=commitment.pk)

    assert (action.hours, action.people, action.commitment) == (Decimal("3.0"), 4, commitment)
    assert (action.community, action.district) == (tree.community, tree.district)
    events = list(
        TimelineEvent.objects.filter(object_id=agreement.pk).values_list("action", flat=True)
    )
    assert events == ["create", "commitment_add", "action_log"]
    audits = AuditRecord.objects.filter(object_id=str(agreement.pk)).order_by("id")
    assert [a.action for a in audits] == [
        "pairing.create",
        "pairing.commitment_add",
        "pairing.action_log",
    ]
    assert audits[0].changes["contact_phone"] == "139****5678"
    assert audits[0].changes["contact_name"] == "刘**"


def test_dual_registration_is_refused_here_and_points_to_the_party_module(tree, people, clock):
    # given: an agreement with a unit
    agreement = make_agreement(people, tree.community)
    before = counts()
    # when: someone logs a new 在职党员双报到 action here
    with pytest.raises(ValidationError, match="已移至“党建引领 › 双报到”") as refused:
        act(people.worker, agreement_id=agreement.pk, kind="dual_registration",
            what="在职党员到社区报到", hours="0")  # fmt: skip
    # then: refused on the kind, nothing written
    assert refused.value.field == "kind"
    assert counts() == before


def test_the_party_module_logs_dual_registration_as_an_action_of_the_unit(tree, people, clock):
    # given: an agreement marked "on paper only"
    agreement = make_agreement(people, tree.community)
    PairingAgreement.objects.filter(pk=agreement.pk).update(paper_only_since=dt.date(2025, 10, 1))
    # when: the party module's 服务登记 writes its pairing twin
    action = pairing_services.dual_registration_log(
        actor=Actor.for_user(people.worker), agreement_id=agreement.pk, member_name="王建军",
        what="社区义诊", date=dt.date(2026, 3, 5), hours="2.5",
    )  # fmt: skip
    # then: one person, the name masked in the audit, the flag cleared
    assert (action.kind, action.member_name_masked, action.people, action.hours) == (
        "dual_registration", "王**", 1, Decimal("2.5"),
    )  # fmt: skip
    audit = AuditRecord.objects.get(action="pairing.action_log")
    assert (audit.changes["member_name"], audit.changes["paper_only_cleared"]) == ("王**", True)
    assert PairingAgreement.objects.get(pk=agreement.pk).paper_only_since is None


def test_dual_registration_log_refuses_another_communitys_agreement(tree, people, clock):
    theirs = make_agreement(people, tree.other_community, by=people.street_officer)
    before = counts()
    with pytest.raises(NotFound, match="没有找到该结对共建协议"):
        pairing_services.dual_registration_log(
            actor=Actor.for_user(people.worker), agreement_id=theirs.pk, member_name="王建军",
            what="社区义诊", date=dt.date(2026, 3, 5), hours="2",
        )  # fmt: skip
    assert counts() == before


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"hours": "-1"}, "服务时长不能为负数"),
        ({"people": "-3"}, "参与人数不能为负数"),
        ({"commitment_id": 999999}, "该承诺不属于本协议"),
        ({"date": dt.date(2026, 3, 11)}, "活动日期不能晚于今天"),
        ({"date": dt.date(2025, 12, 31)}, "活动日期应在协议期限内"),
        ({"what": ""}, "请填写活动内容"),
        ({"kind": "party"}, "请选择有效的活动类别"),
        ({"kind": "dual_registration"}, "已移至“党建引领 › 双报到”"),
        ({"amount": "abc"}, "金额应为数字"),
    ],
)
def test_bad_action_is_refused_and_nothing_written(tree, people, clock, kw, message):
    agreement = make_agreement(people, tree.community)
    before = counts()
    with pytest.raises(ValidationError, match=message):
        act(people.worker, agreement_id=agreement.pk, **kw)
    assert counts() == before


def test_commitment_of_another_agreement_is_unknown(tree, people, clock):
    mine = make_agreement(people, tree.community)
    theirs = make_agreement(
        people, tree.other_community, by=people.street_officer, unit=liaison_unit(people)
    )
    foreign = add_commitment(people, theirs, by=people.street_officer)
    with pytest.raises(ValidationError, match="该承诺不属于本协议"):
        act(people.worker, agreement_id=mine.pk, commitment_id=foreign.pk)
    assert not PairingAction.objects.exists()


def test_agreement_end_before_start_is_refused(tree, people):
    before = counts()
    with pytest.raises(ValidationError, match="结束日期不能早于开始日期"):
        make_agreement(
            people, tree.community, starts_on=dt.date(2026, 6, 1), ends_on=dt.date(2026, 5, 31)
        )
    assert counts() == before


def test_agreement_partner_must_be_one_and_in_scope(tree, people):
    unit = liaison_unit(people)
    department = Department.objects.get(name="站前派出所")
    with pytest.raises(ValidationError, match="请选择一个驻区单位或一个职能部门"):
        make_agreement(people, tree.community, unit=unit, department=department)
    with pytest.raises(PermissionDenied):
        make_agreement(people, tree.other_community, unit=unit)
    with pytest.raises(PermissionDenied):
        make_agreement(people, tree.community, unit=unit, by=people.worker)
    assert not PairingAgreement.objects.exists()


def test_liaison_acts_only_on_its_own_agreements(tree, people, clock):
    of_unit = make_agreement(people, tree.community)
    of_department = make_agreement(
        people, tree.community, department=Department.objects.get(name="站前派出所")
    )
    with pytest.raises(NotFound):
        act(people.unit_liaison, agreement_id=of_department.pk)
    with pytest.raises(NotFound):
        act(people.department_liaison, agreement_id=of_unit.pk)
    with pytest.raises(NotFound):
        act(people.other_worker, agreement_id=of_unit.pk)
    act(people.department_liaison, agreement_id=of_department.pk)
    assert PairingAction.objects.count() == 1


def test_ended_agreement_takes_no_more_actions(tree, people, clock):
    agreement = make_agreement(people, tree.community)
    ended = pairing_services.agreement_end(
        actor=Actor.for_user(people.secretary), agreement_id=agreement.pk, reason="单位搬迁"
    )
    assert (ended.status, ended.ended_on) == (AgreementState.ENDED, dt.date(2026, 3, 10))
    with pytest.raises(Conflict, match="协议已终止"):
        act(people.worker, agreement_id=agreement.pk)
    assert AuditRecord.objects.filter(action="pairing.end").count() == 1


# -- quarterly rating ----------------------------------------------------------------------


def test_quarter_rated_once(tree, people, clock):
    clock.set("2026-04-02")
    agreement = make_agreement(people, tree.community)
    secretary = Actor.for_user(people.secretary)
    rating = pairing_services.quarter_rate(
        actor=secretary, agreement_id=agreement.pk, quarter="2026q1", score=3, comment="较积极"
    )
    assert (rating.quarter, rating.get_score_display()) == ("2026Q1", "较好")
    before = counts()
    with pytest.raises(Conflict, match="2026Q1已评价过，每季度只能评价一次"):
        pairing_services.quarter_rate(
            actor=secretary, agreement_id=agreement.pk, quarter="2026Q1", score=4
        )
    assert counts() == before


@pytest.mark.parametrize(
    ("quarter", "score", "message"),
    [
        ("2026-1", 3, "季度格式应为"),
        ("2026Q3", 3, "不能评价尚未开始的季度"),
        ("2025Q4", 3, "该季度不在协议期限内"),
        ("2026Q2", 9, "请选择评价"),
    ],
)
def test_bad_rating_is_refused(tree, people, clock, quarter, score, message):
    clock.set("2026-04-02")
    agreement = make_agreement(people, tree.community)
    before = counts()
    with pytest.raises(ValidationError, match=message):
        pairing_services.quarter_rate(
            actor=Actor.for_user(people.secretary),
            agreement_id=agreement.pk,
            quarter=quarter,
            score=score,
        )
    assert counts() == before


def test_only_the_secretary_rates(tree, people, clock):
    agreement = make_agreement(people, tree.community)
    for who in (people.worker, people.unit_liaison, people.street_officer):
        with pytest.raises(PermissionDenied):
            pairing_services.quarter_rate(
                actor=Actor.for_user(who), agreement_id=agreement.pk, quarter="2026Q1", score=4
            )
    assert not QuarterRating.objects.exists()


# -- on paper only (仅面上) ----------------------------------------------------------------


def test_quarter_helpers():
    assert checks.quarter_bounds("2026Q4") == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert checks.last_full_quarter(dt.date(2026, 1, 15)) == (
        dt.date(2025, 10, 1),
        dt.date(2025, 12, 31),
    )
    assert checks.last_full_quarter(dt.date(2026, 7, 1)) == (
        dt.date(2026, 4, 1),
        dt.date(2026, 6, 30),
    )


def test_paper_only_flag_set_once_by_tick_and_cleared_by_an_action(tree, people, clock):
    # given: an agreement since January with one action in February, and one
    # signed in May (it has not run through a whole quarter yet)
    clock.set("2026-02-20")
    quiet = make_agreement(people, tree.community)
    act(people.worker, agreement_id=quiet.pk, date=dt.date(2026, 2, 10))
    clock.set("2026-05-10")
    young = make_agreement(
        people, tree.community, department=Department.objects.get(name="站前派出所"),
        starts_on=dt.date(2026, 5, 1),
    )  # fmt: skip

    # when: tick runs in July — Q2 (April–June) had no action
    clock.set("2026-07-02")
    results = {r.name: r for r in run_tick(only="pairing_flags_refresh")}

    # then: the quiet one is flagged from the start of Q2; the young one is not
    assert results["pairing_flags_refresh"].result == 1
    quiet.refresh_from_db()
    young.refresh_from_db()
    assert (quiet.paper_only_since, young.paper_only_since) == (dt.date(2026, 4, 1), None)
    assert TimelineEvent.objects.filter(object_id=quiet.pk, action="paper_only").count() == 1

    # running it again changes nothing
    before = counts()
    assert pairing_services.pairing_flags_refresh() == 0
    assert counts() == before
    quiet.refresh_from_db()
    assert quiet.paper_only_since == dt.date(2026, 4, 1)

    # a new action clears it, and the next tick leaves it cleared
    act(people.unit_liaison, agreement_id=quiet.pk, date=dt.date(2026, 7, 1))
    quiet.refresh_from_db()
    assert quiet.paper_only_since is None
    latest = AuditRecord.objects.filter(action="pairing.action_log").order_by("-id").first()
    assert latest.changes["paper_only_cleared"] is True
    assert pairing_services.pairing_flags_refresh() == 0
    quiet.refresh_from_db()
    assert quiet.paper_only_since is None


def test_flag_keeps_its_first_quarter_and_an_ended_agreement_is_cleared(tree, people, clock):
    clock.set("2026-04-01")
    agreement = make_agreement(people, tree.community)
    assert pairing_services.pairing_flags_refresh() == 1  # Q1 went without an action
    clock.set("2026-07-01")
    assert pairing_services.pairing_flags_refresh() == 0  # Q2 too: still flagged since Q1
    agreement.refresh_from_db()
    assert agreement.paper_only_since == dt.date(2026, 1, 1)

    pairing_services.agreement_end(
        actor=Actor.for_user(people.secretary), agreement_id=agreement.pk, reason="到期前终止"
    )
    agreement.refresh_from_db()
    assert agreement.paper_only_since is None
    assert pairing_services.pairing_flags_refresh() == 0
