"""双报到 services and selectors: a unit and its in-service member report in,
the community posts a need the members claim until it is full, the service
given is logged (and counts in pairing when the unit has an agreement),
the quarter's feedback letter is sent once and reads back; bad input is
refused in Chinese with nothing written; each role sees only its rows.

The builders here are shared by the other ``test_reporting_*`` modules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from shequ.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from shequ.core.models import AuditRecord, Notification, TimelineEvent, User
from shequ.core.permissions import Role
from shequ.core.pii import decrypt
from shequ.core.scope import Actor
from shequ.core.tests.factories import user_with
from shequ.core.tests.pdfs import pdf_text
from shequ.party.models import (
    FeedbackLetter,
    MemberReportIn,
    MemberStatus,
    Need,
    NeedClaim,
    PartyMember,
    Relation,
    ServiceLog,
    UnitReportIn,
)
from shequ.party.selectors import reporting as selectors
from shequ.party.services import reporting as services
from shequ.party.tests.helpers import Orgs, in_service, member, party_orgs, resident_account
from shequ.whistles.models import Liaison, PairingAction, PairingAgreement, Unit, UnitKind
from shequ.whistles.pairing.selectors import AgreementFilters, agreement_list, pairing_figures
from shequ.whistles.tests.helpers import liaison_unit, make_agreement

# The first quarter of 2026; the world is built on 5 January.
CLOCK_START = "2026-03-10"

pytestmark = pytest.mark.django_db


# -- builders (shared with test_reporting_*) ------------------------------------------------------


@dataclass
class World:
    orgs: Orgs
    school: Unit  # 城东第一中学, people.unit_liaison's unit
    hospital: Unit  # 城东医院, another unit with its own liaison
    hospital_liaison: User
    member: PartyMember  # 王建军: 在职, works at the school, lives in 站前社区
    member_user: User
    colleague: PartyMember  # 李红梅: 在职, works at the school, lives in 站前社区
    colleague_user: User
    neighbour: PartyMember  # 赵刚: 自管 in 站前社区
    far: PartyMember  # 孙丽: 在职 at the school, lives in 利民社区
    far_user: User


def build_world(tree, people, clock) -> World:
    clock.set("2026-01-05")
    orgs = party_orgs(tree)
    school = liaison_unit(people)
    hospital = Unit.objects.create(district=tree.district, name="城东医院", kind=UnitKind.HOSPITAL)
    hospital_liaison = user_with(Role.UNIT_LIAISON, tree.district, "hospital_liaison")
    Liaison.objects.create(user=hospital_liaison, district=tree.district, unit=hospital)
    IN = Relation.IN_SERVICE
    wang = in_service(member(tree.unit, orgs.branch, name="王建军", seq=51, relation=IN), school)
    li = in_service(member(tree.unit2, orgs.branch, name="李红梅", seq=52, relation=IN), school)
    zhao = member(tree.unit, orgs.branch, name="赵刚", seq=53)
    sun = in_service(
        member(tree.other_unit, orgs.other_branch, name="孙丽", seq=54, relation=IN), school
    )
    return World(
        orgs=orgs,
        school=school,
        hospital=hospital,
        hospital_liaison=hospital_liaison,
        member=wang,
        member_user=resident_account(wang.resident, "wangjianjun"),
        colleague=li,
        colleague_user=resident_account(li.resident, "lihongmei"),
        neighbour=zhao,
        far=sun,
        far_user=resident_account(sun.resident, "sunli"),
    )


def actor(user) -> Actor:
    return Actor.for_user(user)


def report_unit(w: World, people, who=None, **kw) -> UnitReportIn:
    data = {
        "unit_id": w.school.pk,
        "community_id": None,
        "party_org_name": "中共城东第一中学委员会",
        "resources": "操场周末开放；教师志愿辅导",
        "contact_name": "刘建国",
        "contact_phone": "13912345678",
    } | kw
    return services.unit_report_create(actor=actor(who or people.worker), **data)


def report_member(w: World, people, person=None, who=None, **kw) -> MemberReportIn:
    data = {"member_id": (person or w.member).pk, "skills": "数学辅导", "availability": "周六上午"}
    return services.member_report_create(actor=actor(who or people.worker), **(data | kw))


def post_need(people, who=None, **kw) -> Need:
    data = {"title": "周末辅导功课", "wanted": 2, "needed_by": dt.date(2026, 6, 30)} | kw
    return services.need_post(actor=actor(who or people.worker), **data)


def log_service(people, report: MemberReportIn, who=None, **kw) -> ServiceLog:
    data = {"day": dt.date(2026, 3, 7), "hours": "2.5", "what": "为独居老人辅导手机使用"} | kw
    return services.service_log_create(
        actor=actor(who or people.worker), report_in_id=report.pk, **data
    )


def reported(tree, people, clock) -> tuple[World, UnitReportIn, MemberReportIn]:
    """The world with the school and 王建军 reported in on 5 January; the
    clock back on 10 March."""
    w = build_world(tree, people, clock)
    unit_report = report_unit(w, people)
    member_report = report_member(w, people)
    clock.set(CLOCK_START)
    return w, unit_report, member_report


def counts() -> tuple[int, ...]:
    return (
        UnitReportIn.objects.count(),
        MemberReportIn.objects.count(),
        Need.objects.count(),
        NeedClaim.objects.count(),
        ServiceLog.objects.count(),
        PairingAction.objects.count(),
        FeedbackLetter.objects.count(),
        TimelineEvent.objects.count(),
        # what the writes audit (a page test's logins are not writes)
        AuditRecord.objects.filter(success=True).exclude(action__startswith="auth.").count(),
    )


# -- 单位报到 -------------------------------------------------------------------------------------


def test_a_unit_liaison_reports_its_unit_in_with_the_phone_kept_encrypted(tree, people, clock):
    # given: the school's liaison
    w = build_world(tree, people, clock)
    # when: it reports the school in to 站前社区
    report = report_unit(w, people, who=people.unit_liaison, community_id=tree.community.pk)
    # then: the 报到单 with the phone encrypted, shown masked, audited masked
    report.refresh_from_db()
    assert (report.unit, report.community, report.reported_on) == (
        w.school, tree.community, dt.date(2026, 1, 5),
    )  # fmt: skip
    assert decrypt(report.contact_phone_enc) == "13912345678"
    assert report.contact_phone_masked == "139****5678"
    audit = AuditRecord.objects.get(action="unit_report.create")
    assert (audit.changes["contact_name"], audit.changes["contact_phone"]) == (
        "刘**",
        "139****5678",
    )
    assert audit.changes["on_behalf"] is False
    assert "13912345678" not in str(audit.changes)
    # and: the community's staff are told (the liaison is not one of them)
    told = Notification.objects.filter(kind="party.unit_report").order_by("recipient_id")
    assert [(n.recipient, n.title) for n in told] == [
        (people.secretary, "“城东第一中学”到站前社区报到"),
        (people.worker, "“城东第一中学”到站前社区报到"),
    ]


def test_a_second_report_in_is_refused_until_the_first_is_withdrawn(tree, people, clock):
    w = build_world(tree, people, clock)
    first = report_unit(w, people)
    before = counts()
    with pytest.raises(Conflict, match="已到站前社区报到，不能重复报到"):
        report_unit(w, people, who=people.unit_liaison, community_id=tree.community.pk)
    assert counts() == before
    # when: withdrawn, the unit may report in again
    services.unit_report_withdraw(actor=actor(people.unit_liaison), report_id=first.pk)
    again = report_unit(w, people)
    assert UnitReportIn.objects.filter(withdrawn_on__isnull=True).get() == again
    with pytest.raises(Conflict, match="已于2026-01-05撤回"):
        services.unit_report_withdraw(actor=actor(people.worker), report_id=first.pk)


def test_a_liaison_reports_only_its_own_unit(tree, people, clock):
    w = build_world(tree, people, clock)
    before = counts()
    with pytest.raises(PermissionDenied, match="您不是“城东医院”的联络员"):
        report_unit(w, people, who=people.unit_liaison, unit_id=w.hospital.pk,
                    community_id=tree.community.pk)  # fmt: skip
    with pytest.raises(PermissionDenied):
        report_unit(w, people, who=people.inspector, community_id=tree.community.pk)
    with pytest.raises(NotFound, match="没有找到该社区"):
        report_unit(w, people, who=people.other_worker, community_id=tree.community.pk)
    with pytest.raises(NotFound, match="没有找到该驻区单位"):
        report_unit(w, people, unit_id=10**30)
    assert counts() == before


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"party_org_name": ""}, "请填写单位党组织名称"),
        ({"resources": ""}, "请填写可提供的资源"),
        ({"contact_phone": "12345"}, "电话应为11位手机号"),
        ({"unit_id": "abc"}, "没有找到该驻区单位"),
        ({"community_id": "x"}, "没有找到该社区"),
    ],
)
def test_a_bad_report_is_refused_and_nothing_written(tree, people, clock, kw, message):
    w = build_world(tree, people, clock)
    before = counts()
    with pytest.raises((ValidationError, NotFound), match=message):
        report_unit(w, people, **kw)
    assert counts() == before


# -- 党员报到 -------------------------------------------------------------------------------------


def test_an_in_service_member_reports_in_linked_to_the_units_report(tree, people, clock):
    w, unit_report, member_report = reported(tree, people, clock)
    assert (member_report.community, member_report.unit_report) == (tree.community, unit_report)
    # the member's own report, from their account, with no unit report in 利民社区
    far = report_member(w, people, person=w.far, who=w.far_user)
    assert (far.community, far.unit_report) == (tree.other_community, None)
    audit = AuditRecord.objects.filter(action="member_report.create").order_by("id")
    assert [a.changes["member"] for a in audit] == ["王**", "孙*"]
    assert [a.changes["on_behalf"] for a in audit] == [True, False]


def test_bad_member_reports_are_refused_in_chinese_and_nothing_written(tree, people, clock):
    w, _unit, _member = reported(tree, people, clock)
    before = counts()
    with pytest.raises(ValidationError, match="只有在职党员到居住地社区报到；该党员是自管党员"):
        report_member(w, people, person=w.neighbour)
    with pytest.raises(Conflict, match="该党员已到站前社区报到，不能重复报到"):
        report_member(w, people)
    with pytest.raises(NotFound, match="没有找到该党员"):  # lives in 利民社区
        report_member(w, people, person=w.far)
    with pytest.raises(NotFound, match="没有找到该党员"):  # a resident for someone else
        report_member(w, people, person=w.colleague, who=w.member_user)
    with pytest.raises(ValidationError, match="请填写特长"):
        report_member(w, people, person=w.colleague, skills="  ")
    PartyMember.objects.filter(pk=w.colleague.pk).update(status=MemberStatus.TRANSFERRED_OUT)
    with pytest.raises(ValidationError, match="组织关系已转出"):
        report_member(w, people, person=w.colleague)
    assert counts() == before


# -- 需求清单 -------------------------------------------------------------------------------------


def test_claims_reaching_the_number_wanted_make_the_need_claimed(tree, people, clock):
    # given: a need for two, and two members reported in to 站前社区
    w, _unit, wang = reported(tree, people, clock)
    li = report_member(w, people, person=w.colleague)
    need = post_need(people)
    # when: 王建军 claims it himself, and the community claims it for 李红梅
    services.need_claim(actor=actor(w.member_user), need_id=need.pk)
    need.refresh_from_db()
    assert need.status == "open"
    services.need_claim(actor=actor(people.worker), need_id=need.pk, report_in_id=li.pk)
    # then: the need is claimed, with two claims and the timeline to show it
    need.refresh_from_db()
    assert need.status == "claimed"
    assert sorted(NeedClaim.objects.values_list("report_in_id", flat=True)) == [wang.pk, li.pk]
    told = Notification.objects.filter(kind="party.need_claim", recipient=people.worker)
    assert [n.title for n in told] == [
        "党员认领社区需求“周末辅导功课”（1/2人）"
    ]  # not the staff's own
    labels = list(
        TimelineEvent.objects.filter(object_id=need.pk, action="claim").values_list(
            "action_label", flat=True
        )
    )
    assert labels == ["党员认领（1/2）", "党员认领（2/2）"]
    # and: a further claim is refused, nothing written
    before = counts()
    with pytest.raises(Conflict, match="该需求认领人数已满"):
        services.need_claim(actor=actor(w.member_user), need_id=need.pk)
    assert counts() == before


def test_claims_refused_and_nothing_written(tree, people, clock):
    w, _unit, wang = reported(tree, people, clock)
    report_member(w, people, person=w.far, who=w.far_user)  # 孙丽 reported in to 利民社区
    need = post_need(people, wanted=3)
    services.need_claim(actor=actor(w.member_user), need_id=need.pk)
    closed = post_need(people, title="清理楼道")
    services.need_close(actor=actor(people.worker), need_id=closed.pk, note="已由物业完成")
    before = counts()
    with pytest.raises(Conflict, match="您已认领过该需求"):
        services.need_claim(actor=actor(w.member_user), need_id=need.pk)
    with pytest.raises(Conflict, match="该需求已关闭，不能认领"):
        services.need_claim(actor=actor(w.member_user), need_id=closed.pk)
    with pytest.raises(PermissionDenied, match="您还没有到该需求所在的社区报到"):
        services.need_claim(actor=actor(w.far_user), need_id=need.pk)
    with pytest.raises(PermissionDenied, match="您还没有到该需求所在的社区报到"):  # not reported in
        services.need_claim(actor=actor(w.colleague_user), need_id=need.pk)
    with pytest.raises(NotFound, match="没有找到该需求"):
        services.need_claim(actor=actor(people.other_worker), need_id=need.pk, report_in_id=wang.pk)
    with pytest.raises(NotFound, match="没有找到该需求"):
        services.need_claim(actor=actor(w.member_user), need_id="9" * 30)
    with pytest.raises(PermissionDenied):
        services.need_claim(actor=actor(people.inspector), need_id=need.pk)
    assert counts() == before


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"wanted": 0}, "需要人数应为1到999的整数"),
        ({"wanted": "abc"}, "需要人数应为1到999的整数"),
        ({"wanted": 1000}, "需要人数应为1到999的整数"),
        ({"needed_by": dt.date(2026, 3, 9)}, "截止日期不能早于今天"),
        ({"needed_by": None}, "请填写截止日期"),
        ({"title": ""}, "请填写需求"),
    ],
)
def test_a_bad_need_is_refused_and_nothing_written(tree, people, clock, kw, message):
    before = counts()
    with pytest.raises(ValidationError, match=message):
        post_need(people, **kw)
    assert counts() == before


def test_needs_for_member_lists_what_they_may_still_claim(tree, people, clock):
    w, _unit, _wang = reported(tree, people, clock)
    claimed_by_him = post_need(people, title="义诊", wanted=3)
    services.need_claim(actor=actor(w.member_user), need_id=claimed_by_him.pk)
    open_need = post_need(people, title="辅导功课")
    closed = post_need(people, title="清理楼道")
    services.need_close(actor=actor(people.worker), need_id=closed.pk)
    post_need(people, who=people.other_worker, title="利民社区的需求")
    rows = list(selectors.needs_for_member(actor=actor(w.member_user)))
    assert [n.title for n in rows] == [open_need.title]
    # a member who has not reported in sees none
    assert list(selectors.needs_for_member(actor=actor(w.colleague_user))) == []


# -- 服务登记 -------------------------------------------------------------------------------------


def test_a_service_also_counts_in_pairing_when_the_unit_has_an_agreement(tree, people, clock):
    # given: the school pairs with 站前社区; the agreement sits "on paper only"
    w, _unit, wang = reported(tree, people, clock)
    agreement = make_agreement(people, tree.community, unit=w.school)
    PairingAgreement.objects.filter(pk=agreement.pk).update(paper_only_since=dt.date(2025, 10, 1))
    street = actor(people.street_officer)
    before = pairing_figures(actor=street)[0]
    need = post_need(people)
    # when: the community logs 王建军's service
    log = log_service(people, wang, need_id=need.pk)
    # then: one service record, and its twin as the agreement's 双报到 action
    action = PairingAction.objects.get()
    assert log.pairing_action == action
    assert (action.agreement, action.kind, action.member_name, action.hours, action.people) == (
        agreement, "dual_registration", "王建军", Decimal("2.5"), 1,
    )  # fmt: skip
    assert (log.unit, log.need, log.day, log.hours) == (
        w.school, need, dt.date(2026, 3, 7), Decimal("2.5"),
    )  # fmt: skip
    after = pairing_figures(actor=street)[0]
    assert (after.actions, after.hours, after.people) == (
        before.actions + 1, before.hours + Decimal("2.5"), before.people + 1,
    )  # fmt: skip
    assert (before.paper_only, after.paper_only) == (1, 0)
    listed = agreement_list(actor=street, filters=AgreementFilters(unit_id=w.school.pk)).get()
    assert listed.action_count == 1
    audits = list(
        AuditRecord.objects.filter(success=True).order_by("id").values_list("action", flat=True)
    )
    assert audits[-2:] == ["pairing.action_log", "service_log.create"]


def test_a_service_without_an_agreement_is_logged_alone(tree, people, clock):
    w, _unit, wang = reported(tree, people, clock)
    make_agreement(people, tree.community, unit=w.hospital)  # another unit's agreement
    log = log_service(people, wang)
    assert log.pairing_action is None
    assert not PairingAction.objects.exists()


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"day": dt.date(2026, 3, 11)}, "服务日期不能晚于今天"),
        ({"day": dt.date(2026, 1, 4)}, "服务日期不能早于该党员报到的日期"),
        ({"day": None}, "请填写服务日期"),
        ({"hours": "0"}, "服务时长应大于0小时、不超过24小时"),
        ({"hours": "25"}, "服务时长应大于0小时、不超过24小时"),
        ({"hours": "-1"}, "服务时长应大于0小时、不超过24小时"),
        ({"hours": "abc"}, "服务时长应为数字"),
        ({"hours": "NaN"}, "服务时长应大于0小时、不超过24小时"),
        ({"hours": "1.25"}, "服务时长最多保留一位小数"),
        ({"what": ""}, "请填写服务内容"),
        ({"need_id": 10**25}, "该需求不属于本社区"),
    ],
)
def test_a_bad_service_is_refused_and_nothing_written(tree, people, clock, kw, message):
    w, _unit, wang = reported(tree, people, clock)
    make_agreement(people, tree.community, unit=w.school)
    before = counts()
    with pytest.raises(ValidationError, match=message):
        log_service(people, wang, **kw)
    assert counts() == before


def test_services_are_logged_only_by_the_members_community(tree, people, clock):
    w, _unit, wang = reported(tree, people, clock)
    before = counts()
    with pytest.raises(NotFound, match="没有找到该党员报到"):
        log_service(people, wang, who=people.other_worker)
    with pytest.raises(PermissionDenied):
        log_service(people, wang, who=people.unit_liaison)
    with pytest.raises(PermissionDenied):
        log_service(people, wang, who=w.member_user)
    assert counts() == before


# -- 季度反馈函 -----------------------------------------------------------------------------------


def _quarter_of_services(tree, people, clock) -> tuple[World, MemberReportIn, MemberReportIn]:
    w, _unit, wang = reported(tree, people, clock)
    clock.set("2026-01-05")
    li = report_member(w, people, person=w.colleague)
    clock.set(CLOCK_START)
    log_service(people, wang, day=dt.date(2026, 1, 10), hours="2", what="辅导功课")
    log_service(people, li, day=dt.date(2026, 2, 14), hours="3.5", what="社区义诊")
    log_service(people, wang, day=dt.date(2026, 3, 7), hours="1.5", what="清理楼道")
    return w, wang, li


def test_the_feedback_letter_is_sent_once_a_quarter(tree, people, clock):
    w, _wang, _li = _quarter_of_services(tree, people, clock)
    letter = services.feedback_send(
        actor=actor(people.worker), unit_id=w.school.pk, quarter="2026q1"
    )
    assert (letter.quarter, letter.services, letter.hours, letter.unit) == (
        "2026Q1", 3, Decimal("7.0"), w.school,
    )  # fmt: skip
    assert letter.number == "2103020010012026031000001"
    before = counts()
    with pytest.raises(Conflict, match="2026Q1给“城东第一中学”的反馈函已发送过"):
        services.feedback_send(actor=actor(people.secretary), unit_id=w.school.pk, quarter="2026Q1")
    with pytest.raises(ValidationError, match="该季度尚未开始"):
        services.feedback_send(actor=actor(people.worker), unit_id=w.school.pk, quarter="2026Q2")
    with pytest.raises(ValidationError, match="季度应写作“2026Q4”的形式"):
        services.feedback_send(actor=actor(people.worker), unit_id=w.school.pk, quarter="2026-1")
    with pytest.raises(ValidationError, match="没有服务登记，无需发送反馈函"):
        services.feedback_send(actor=actor(people.worker), unit_id=w.hospital.pk, quarter="2026Q1")
    with pytest.raises(PermissionDenied):
        services.feedback_send(actor=actor(people.unit_liaison), unit_id=w.school.pk,
                               quarter="2025Q4")  # fmt: skip
    assert counts() == before


def test_the_letter_reads_back_each_members_services_and_the_totals(tree, people, clock):
    w, _wang, _li = _quarter_of_services(tree, people, clock)
    letter = services.feedback_send(
        actor=actor(people.worker), unit_id=w.school.pk, quarter="2026Q1"
    )
    pdf = services.feedback_print(actor=actor(people.worker), unit_id=w.school.pk, quarter="2026Q1")
    text = pdf_text(pdf)
    for line in (
        "在职党员到社区报到服务情况反馈函",
        f"编号：{letter.number}",
        "中共城东第一中学委员会：",
        "王建军",
        "2026-01-10辅导功课2",
        "2026-03-07清理楼道1.5",
        "小计：2次，3.5小时",
        "李红梅",
        "2026-02-14社区义诊3.5",
        "小计：1次，3.5小时",
        "合计：2名党员，服务3次，7小时",
        "中共站前社区委员会（盖章）",
        "2026年3月10日",
    ):
        assert line in text.replace("\n", ""), line
    audit = AuditRecord.objects.get(action="feedback.print")
    assert audit.changes == {"unit": "城东第一中学", "quarter": "2026Q1", "members": 2,
                             "services": 3, "number": letter.number}  # fmt: skip


# -- reads ---------------------------------------------------------------------------------------


def test_who_reads_which_rows(tree, people, clock):
    # given: the school and two of its members reported in, one in each community
    w, _unit, wang = reported(tree, people, clock)
    far = report_member(w, people, person=w.far, who=w.far_user)
    log_service(people, wang)
    log_service(people, far, who=people.other_worker, day=dt.date(2026, 3, 10))
    report_unit(w, people, unit_id=w.hospital.pk, party_org_name="中共城东医院委员会")

    def units(who) -> list[str]:
        return [r.unit.name for r in selectors.unit_reports(actor=actor(who))]

    def members(who) -> list[str]:
        return [r.member.resident.name for r in selectors.member_reports(actor=actor(who))]

    def logs(who) -> list[str]:
        return [selectors.service_member_name(s) for s in selectors.service_logs(actor=actor(who))]

    # then: staff by community, liaisons by unit, residents their own
    assert units(people.worker) == ["城东医院", "城东第一中学"]
    assert units(people.unit_liaison) == ["城东第一中学"]
    assert units(w.hospital_liaison) == ["城东医院"]
    assert units(people.other_worker) == []
    assert members(people.worker) == ["王建军"]
    assert members(people.unit_liaison) == ["孙丽", "王建军"]
    assert members(w.hospital_liaison) == []
    assert members(w.far_user) == ["孙丽"]
    assert logs(people.worker) == ["王建军"]
    assert logs(people.other_worker) == ["孙丽"]
    assert logs(people.unit_liaison) == ["孙丽", "王建军"]
    assert logs(w.member_user) == ["王建军"]
    for refused in (people.inspector, people.building_head):
        with pytest.raises(PermissionDenied):
            units(refused)
    with pytest.raises(PermissionDenied):
        units(w.member_user)  # a resident has no unit report-ins to read


def test_names_are_shown_in_full_to_the_party_roles_only(tree, people, clock):
    assert selectors.shown_name(actor(people.secretary), "王建军") == "王建军"
    assert selectors.shown_name(actor(people.worker), "王建军") == "王**"
    assert selectors.shown_name(actor(people.unit_liaison), "王建军") == "王**"


def test_quarter_summary_and_figures(tree, people, clock):
    w, wang, li = _quarter_of_services(tree, people, clock)
    clock.set("2025-12-20")
    log = ServiceLog.objects.create(  # last year, outside the quarter
        district=tree.district, community=tree.community, report_in=wang, unit=w.school,
        day=dt.date(2025, 12, 20), hours=Decimal("4"), what="往年服务", logged_at=timezone.now(),
    )  # fmt: skip
    clock.set(CLOCK_START)
    rows = selectors.quarter_summary(actor=actor(people.worker), quarter="2026Q1")
    assert [(r.unit, r.members, r.services, r.hours, r.letter) for r in rows] == [
        ("城东第一中学", 2, 3, Decimal("7.0"), None)
    ]
    letter = services.feedback_send(
        actor=actor(people.worker), unit_id=w.school.pk, quarter="2026Q1"
    )
    assert (
        selectors.quarter_summary(actor=actor(people.worker), quarter="2026Q1")[0].letter == letter
    )
    assert selectors.quarter_summary(actor=actor(people.other_worker), quarter="2026Q1") == []
    figures = selectors.report_in_figures(actor=actor(people.inspector))
    assert figures == {"year": 2026, "units": 1, "members": 2, "services": 3,
                       "hours": Decimal("7.0")}  # fmt: skip
    assert selectors.report_in_figures(actor=actor(people.other_worker))["members"] == 0
    assert log.pk is not None
