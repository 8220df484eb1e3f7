"""组织关系接转: 转入 approved and completed (the member is placed), 转出
returned with a reason and completed (the member leaves, seats end),
区内转移, the deadlines, the year's counts, the printed letter, and every
bad input refused with nothing written."""

from __future__ import annotations

import datetime as dt

import pytest

from shequ.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from shequ.core.models import AuditRecord, Notification, RegionLevel, TimelineEvent
from shequ.core.scope import Actor
from shequ.core.tests.factories import make_region
from shequ.core.tests.pdfs import pdf_text
from shequ.party.models import (
    MemberStatus,
    OrgRole,
    OrgRoleKind,
    PartyMember,
    Transfer,
    TransferState,
)
from shequ.party.selectors import transfers as selectors
from shequ.party.services import transfers as s
from shequ.party.tests.helpers import member, party_orgs, party_secretary
from shequ.residents.tests.helpers import id_number, resident

pytestmark = pytest.mark.django_db
CLOCK_START = "2026-11-02"  # a Monday
OUTSIDE = "中共大连市甘井子区委组织部"


def _in(actor, person, to_org, **extra):
    values = {
        "kind": "in", "reason": "retired", "resident_id": person.pk, "to_org_id": to_org.pk,
        "from_org_name": OUTSIDE, "incoming_letter_number": "甘组转字（2026）第018号",
        "standing": "full", "joined_on": dt.date(2001, 7, 1), "relation": "self_managed",
    } | extra  # fmt: skip
    return s.transfer_request(actor=actor, **values)


def _nothing_written() -> None:
    assert Transfer.objects.count() == 0
    assert AuditRecord.objects.filter(action__startswith="transfer.").count() == 0


def test_a_retired_member_transfers_in_is_approved_and_completed(tree, people, clock):
    # given: a retired resident of 化机小区 arrives with a letter from outside
    orgs = party_orgs(tree)
    person = resident(tree.unit, name="王红", seq=61, room="301")
    branch_secretary = Actor.for_user(party_secretary(tree.compound, "branch_secretary"))

    # when: the community secretary files it; the branch receives and completes it
    t = _in(Actor.for_user(people.secretary), person, orgs.branch)
    assert (t.status, t.community_id, t.to_org_name, t.from_org_name, t.relation) == (
        "requested", tree.community.pk, "中共化机小区支部委员会", OUTSIDE, "retired",
    )  # fmt: skip
    assert t.number == "210302001001" + "20261102" + "00001"
    assert (t.requested_on, t.answer_due, t.complete_due) == (
        dt.date(2026, 11, 2), dt.date(2026, 11, 9), dt.date(2026, 12, 2),
    )  # fmt: skip
    s.transfer_approve(actor=branch_secretary, transfer_id=t.pk, note="材料齐全")
    clock.advance(days=1)
    done = s.transfer_complete(actor=branch_secretary, transfer_id=t.pk)

    # then: the member sits in the branch, retired, linked to the transfer
    m = PartyMember.objects.get(resident=person)
    assert (m.org_id, m.org_region_id, m.community_id, m.compound_id) == (
        orgs.branch.pk, tree.compound.pk, tree.community.pk, tree.compound.pk,
    )  # fmt: skip
    assert (m.standing, m.relation, m.joined_on, m.status) == (
        "full", "retired", dt.date(2001, 7, 1), "active",
    )  # fmt: skip
    assert (done.status, done.member_id) == ("completed", m.pk)
    assert done.approved_at is not None and done.completed_at is not None
    events = TimelineEvent.objects.filter(object_id=t.pk, content_type__model="transfer")
    assert [(e.action, e.from_state, e.to_state) for e in events.order_by("id")] == [
        ("request", "", "requested"), ("approve", "requested", "approved"),
        ("complete", "approved", "completed"),
    ]  # fmt: skip
    assert list(
        AuditRecord.objects.filter(action__startswith="transfer.")
        .order_by("id").values_list("action", flat=True)
    ) == ["transfer.request", "transfer.approve", "transfer.complete"]  # fmt: skip
    assert AuditRecord.objects.get(action="party_member.create").changes["resident"] == "王*"
    counts = selectors.transfer_counts(actor=Actor.for_user(people.inspector), year=2026)
    assert counts == {"in": 1, "out": 0, "within": 0, "retirees_in": 1, "open": 0, "overdue": 0}
    assert selectors.transfer_counts(actor=Actor.for_user(people.inspector), year=2025) == {
        "in": 0, "out": 0, "within": 0, "retirees_in": 0, "open": 0, "overdue": 0,
    }  # fmt: skip


def test_a_probationary_member_arrives_with_the_relation_given(tree, people, clock):
    orgs = party_orgs(tree)
    person = resident(tree.unit, name="李明", seq=62, room="302", birth=dt.date(1998, 3, 1))
    actor = Actor.for_user(people.secretary)
    t = _in(actor, person, orgs.group, reason="moved", relation="mobile", standing="probationary",
            joined_on=dt.date(2026, 6, 1), probation_ends_on=dt.date(2027, 6, 1))  # fmt: skip
    s.transfer_approve(actor=actor, transfer_id=t.pk)
    s.transfer_complete(actor=actor, transfer_id=t.pk)
    m = PartyMember.objects.get(resident=person)
    assert (m.org_id, m.org_region_id, m.standing, m.probation_ends_on, m.relation) == (
        orgs.group.pk, tree.building.pk, "probationary", dt.date(2027, 6, 1), "mobile",
    )  # fmt: skip
    counts = selectors.transfer_counts(actor=actor, year=2026)
    assert (counts["in"], counts["retirees_in"]) == (1, 0)


def test_a_member_who_once_left_comes_back_on_the_same_row(tree, people, clock):
    orgs = party_orgs(tree)
    m = member(tree.unit, orgs.group, name="王红", seq=61)
    PartyMember.objects.filter(pk=m.pk).update(status=MemberStatus.TRANSFERRED_OUT)
    actor = Actor.for_user(people.secretary)
    t = _in(actor, m.resident, orgs.branch, reason="job")
    s.transfer_approve(actor=actor, transfer_id=t.pk)
    s.transfer_complete(actor=actor, transfer_id=t.pk)
    again = PartyMember.objects.get()
    assert (again.pk, again.status, again.org_id, again.relation) == (
        m.pk, "active", orgs.branch.pk, "self_managed",
    )  # fmt: skip
    assert Transfer.objects.get().member_id == m.pk


def test_a_transfer_out_is_returned_with_its_reason(tree, people, clock):
    # given: a member of the building's group asks to move to an organisation outside
    orgs = party_orgs(tree)
    m = member(tree.unit, orgs.group, name="赵强", seq=63)
    branch_secretary = Actor.for_user(party_secretary(tree.compound, "branch_secretary"))
    t = s.transfer_request(actor=branch_secretary, kind="out", reason="moved", member_id=m.pk,
                           to_org_name="中共沈阳市和平区南湖街道工作委员会")  # fmt: skip
    assert (t.community_id, t.from_org_id, t.member_id, t.to_org_id) == (
        tree.community.pk, orgs.group.pk, m.pk, None,
    )  # fmt: skip

    # when: a return without a reason is refused, then one with a reason goes through
    with pytest.raises(ValidationError, match="请填写退回原因。"):
        s.transfer_return(actor=branch_secretary, transfer_id=t.pk, reason="  ")
    assert Transfer.objects.get().status == "requested"
    done = s.transfer_return(actor=branch_secretary, transfer_id=t.pk,
                             reason="对方党组织名称有误，请核实后重新申请。")  # fmt: skip

    # then: returned, the reason kept, the member untouched; a new request is possible
    assert (done.status, done.returned_reason) == (
        "returned",
        "对方党组织名称有误，请核实后重新申请。",
    )
    assert PartyMember.objects.get().status == "active"
    assert AuditRecord.objects.get(action="transfer.return").changes["returned_reason"] == [
        "", "对方党组织名称有误，请核实后重新申请。",
    ]  # fmt: skip
    last = TimelineEvent.objects.filter(object_id=t.pk, content_type__model="transfer").last()
    assert (last.action_label, last.note) == ("退回", "对方党组织名称有误，请核实后重新申请。")
    with pytest.raises(Conflict, match="当前状态为“已退回”，不能执行“完成”"):
        s.transfer_complete(actor=branch_secretary, transfer_id=t.pk)
    again = s.transfer_request(actor=branch_secretary, kind="out", reason="moved",
                               member_id=m.pk, to_org_name="中共沈阳市和平区委组织部")  # fmt: skip
    assert again.status == "requested"


def test_a_completed_transfer_out_ends_the_members_seats(tree, people, clock):
    orgs = party_orgs(tree)
    m = member(tree.unit, orgs.group, name="赵强", seq=63)
    seat = OrgRole.objects.create(
        district=tree.district, community=tree.community, org=orgs.group, member=m,
        role=OrgRoleKind.GROUP_LEADER, term_start=dt.date(2024, 1, 1), created_at=clock.now,
    )  # fmt: skip
    actor = Actor.for_user(people.secretary)
    t = s.transfer_request(actor=actor, kind="out", reason="job", member_id=m.pk,
                           to_org_name="中共沈阳市和平区委组织部")  # fmt: skip
    s.transfer_approve(actor=actor, transfer_id=t.pk, note="对方回执已收到")
    clock.advance(days=3)
    s.transfer_complete(actor=actor, transfer_id=t.pk)
    assert PartyMember.objects.get().status == "transferred_out"
    assert OrgRole.objects.get(pk=seat.pk).ended_on == dt.date(2026, 11, 5)
    counts = selectors.transfer_counts(actor=actor, year=2026)
    assert (counts["out"], counts["in"], counts["retirees_in"]) == (1, 0, 0)


def test_a_member_moves_between_the_districts_organisations(tree, people, clock):
    # given: a retired member still held by 利民小区's branch now lives in 化机小区
    orgs = party_orgs(tree)
    m = member(tree.unit, orgs.other_branch, name="孙丽", seq=64)
    sender = party_secretary(tree.other_unit.parent.parent, "other_branch_secretary")
    party_secretary(tree.compound, "branch_secretary")

    # when: 站前社区 asks for the member and completes it
    actor = Actor.for_user(people.secretary)
    t = s.transfer_request(actor=actor, kind="within", reason="retired", member_id=m.pk,
                           to_org_id=orgs.branch.pk)  # fmt: skip
    # the sending branch sees it and is told, but does not decide
    note = Notification.objects.get(recipient=sender)
    assert note.title == "党员孙*的组织关系将转至中共化机小区支部委员会"
    with pytest.raises(PermissionDenied, match="不在您的管辖范围内"):
        s.transfer_approve(actor=Actor.for_user(sender), transfer_id=t.pk)
    s.transfer_approve(actor=actor, transfer_id=t.pk)
    s.transfer_complete(actor=actor, transfer_id=t.pk)

    # then: re-placed in the branch, retired; counted as a retiree arriving
    moved = PartyMember.objects.get()
    assert (moved.org_id, moved.org_region_id, moved.community_id, moved.relation) == (
        orgs.branch.pk, tree.compound.pk, tree.community.pk, "retired",
    )  # fmt: skip
    assert (t.community_id, t.from_org_name, t.to_org_name) == (
        tree.community.pk, "中共利民小区支部委员会", "中共化机小区支部委员会",
    )  # fmt: skip
    counts = selectors.transfer_counts(actor=Actor.for_user(people.district_admin), year=2026)
    assert (counts["within"], counts["retirees_in"]) == (1, 1)
    assert AuditRecord.objects.get(action="party_member.update").changes["org"] == [
        "中共利民小区支部委员会", "中共化机小区支部委员会",
    ]  # fmt: skip


def test_overdue_is_flagged_in_the_list(tree, people, clock):
    orgs = party_orgs(tree)
    actor = Actor.for_user(people.secretary)
    late = _in(actor, resident(tree.unit, name="王红", seq=61, room="301"), orgs.branch)
    clock.set("2026-11-06")
    _in(actor, resident(tree.unit, name="李明", seq=62, room="302"), orgs.branch)
    clock.set("2026-11-10")  # past the first answer's due date (11-09), not the second's
    flags = {t.resident.name: t.overdue for t in selectors.transfer_list(actor=actor)}
    assert flags == {"王红": True, "李明": False}
    assert [t.pk for t in selectors.transfer_list(actor=actor, overdue=True)] == [late.pk]
    s.transfer_approve(actor=actor, transfer_id=late.pk)
    assert [t.overdue for t in selectors.transfer_list(actor=actor)] == [False, False]
    clock.set("2026-12-03")  # the letter's 30 days are over for the approved one
    assert [t.resident.name for t in selectors.transfer_list(actor=actor, overdue=True)] == [
        "李明", "王红",
    ]  # fmt: skip
    assert selectors.transfer_counts(actor=actor, year=2026)["overdue"] == 2


def test_the_letter_reads_back_with_the_number_the_name_and_both_organisations(tree, people, clock):
    orgs = party_orgs(tree)
    m = member(tree.unit, orgs.group, name="赵强", seq=63)
    actor = Actor.for_user(people.secretary)
    t = s.transfer_request(actor=actor, kind="out", reason="moved", member_id=m.pk,
                           to_org_name="中共沈阳市和平区委组织部")  # fmt: skip
    printed, content = s.transfer_letter_print(actor=actor, transfer_id=t.pk)
    text = pdf_text(content).replace("\n", "")
    assert content.startswith(b"%PDF")
    for expected in (
        "中国共产党党员组织关系介绍信（存根）", "中国共产党党员组织关系介绍信回执",
        f"第 {t.number} 号", "中共沈阳市和平区委组织部：",
        f"赵强同志（男，46岁），系中共正式党员，身份证号码{id_number(63)}，"
        "组织关系由化机小区1号楼党小组转到中共沈阳市和平区委组织部，请接洽。",
        "（有效期30天）", "化机小区1号楼党小组（盖章）", "2026年11月2日", "沿此线剪开",
    ):  # fmt: skip
        assert expected in text
    record = AuditRecord.objects.get(action="transfer.letter_print")
    assert record.changes == {
        "fields": ["id_number"],
        "id_number": "110101********" + id_number(63)[-4:],
    }
    assert printed.pk == t.pk


def test_an_incoming_letter_is_issued_by_the_receivers_upper_organisation(tree, people, clock):
    orgs = party_orgs(tree)
    person = resident(tree.unit, name="王红", seq=61, room="301")
    actor = Actor.for_user(people.secretary)
    t = _in(actor, person, orgs.branch, standing="probationary", reason="moved",
            joined_on=dt.date(2026, 3, 1), probation_ends_on=dt.date(2027, 3, 1))  # fmt: skip
    text = pdf_text(s.transfer_letter_print(actor=actor, transfer_id=t.pk)[1]).replace("\n", "")
    assert "王红同志（男，46岁），系中共预备党员" in text  # gender and age from the ID number
    assert f"组织关系由{OUTSIDE}转到中共化机小区支部委员会，请接洽。" in text
    assert "中共站前社区委员会（盖章）" in text


def test_who_may_print_the_letter(tree, people, clock):
    orgs = party_orgs(tree)
    t = _in(Actor.for_user(people.secretary), resident(tree.unit, seq=61, room="301"), orgs.branch)
    other = Actor.for_user(party_secretary(tree.other_unit.parent.parent, "other_secretary"))
    with pytest.raises(NotFound):
        s.transfer_letter_print(actor=other, transfer_id=t.pk)
    for user in (people.worker, people.inspector, people.resident):
        with pytest.raises(PermissionDenied):
            s.transfer_letter_print(actor=Actor.for_user(user), transfer_id=t.pk)
    s.transfer_return(actor=Actor.for_user(people.secretary), transfer_id=t.pk, reason="材料不全")
    with pytest.raises(Conflict, match="介绍信作废"):
        s.transfer_letter_print(actor=Actor.for_user(people.secretary), transfer_id=t.pk)
    assert AuditRecord.objects.filter(action="transfer.letter_print").count() == 0


# -- bad input ---------------------------------------------------------------------------------


def _elsewhere_resident():
    """A resident of another district's register."""
    L = RegionLevel
    d = make_region(name="城西区", code="210303", level=L.DISTRICT)
    s1 = make_region(name="西街道", code="210303001", level=L.STREET, parent=d)
    c = make_region(name="西社区", code="210303001001", level=L.COMMUNITY, parent=s1)
    k = make_region(name="西小区", code="210303001001001", level=L.COMPOUND, parent=c)
    b = make_region(name="1号楼", code="210303001001001001", level=L.BUILDING, parent=k)
    u = make_region(name="1单元", code="21030300100100100101", level=L.UNIT, parent=b)
    return resident(u, name="钱多", seq=90)


@pytest.mark.parametrize(
    ("extra", "error", "message"),
    [
        ({"resident_id": 10**12}, NotFound, "本区居民档案中没有这位居民"),
        ({"resident_id": 2**70}, NotFound, "本区居民档案中没有这位居民"),
        ({"resident_id": "elsewhere"}, NotFound, "本区居民档案中没有这位居民"),
        ({"to_org_id": 10**12}, NotFound, "接收党组织不存在或已撤销。"),
        ({"to_org_id": 2**70}, NotFound, "接收党组织不存在或已撤销。"),
        ({"to_org_id": "other_branch"}, PermissionDenied, "该党组织不在您的管辖范围内。"),
        ({"standing": "probationary"}, ValidationError, "预备党员须填写预备期满日期。"),
        ({"joined_on": dt.date(2026, 11, 3)}, ValidationError, "入党日期不能晚于今天。"),
        ({"joined_on": None}, ValidationError, "请填写入党日期。"),
        ({"from_org_name": "中共化机小区支部委员会"}, ValidationError, "转出和接收党组织不能是同一个。"),
        ({"from_org_name": ""}, ValidationError, "请填写原党组织名称。"),
        ({"incoming_letter_number": ""}, ValidationError, "请填写原介绍信编号。"),
        ({"reason": "moved", "relation": "in_service"}, ValidationError, "转入党员的管理类型"),
        ({"reason": "fun"}, ValidationError, "请选择接转原因。"),
        ({"kind": "sideways"}, ValidationError, "请选择接转类别"),
    ],
)  # fmt: skip
def test_bad_transfers_in_write_nothing(tree, people, clock, extra, error, message):
    orgs = party_orgs(tree)
    person = resident(tree.unit, name="王红", seq=61, room="301")
    if extra.get("resident_id") == "elsewhere":
        extra["resident_id"] = _elsewhere_resident().pk
    if isinstance(extra.get("to_org_id"), str):
        extra["to_org_id"] = getattr(orgs, extra["to_org_id"]).pk
    with pytest.raises(error, match=message):
        _in(Actor.for_user(people.secretary), person, orgs.branch, **extra)
    _nothing_written()


def test_an_arrival_is_placed_where_they_live_not_in_the_street_committee(tree, people, clock):
    orgs = party_orgs(tree)
    actor = Actor.for_user(party_secretary(tree.street, "street_secretary"))
    person = resident(tree.unit, seq=61, room="301")
    with pytest.raises(ValidationError, match="接收党组织应是社区党委"):
        _in(actor, person, orgs.street)
    with pytest.raises(ValidationError, match="接收党组织须在本人居住的社区"):
        _in(actor, person, orgs.other_branch)
    _nothing_written()


def test_an_active_member_does_not_transfer_in(tree, people, clock):
    orgs = party_orgs(tree)
    m = member(tree.unit, orgs.group, name="王红", seq=61)
    with pytest.raises(Conflict, match="已是本区在册党员"):
        _in(Actor.for_user(people.secretary), m.resident, orgs.branch)
    _nothing_written()


def test_a_second_open_transfer_for_the_same_person_is_refused(tree, people, clock, monkeypatch):
    orgs = party_orgs(tree)
    m = member(tree.unit, orgs.group, name="赵强", seq=63)
    actor = Actor.for_user(people.secretary)
    first = s.transfer_request(actor=actor, kind="out", reason="moved", member_id=m.pk,
                               to_org_name="中共沈阳市和平区委组织部")  # fmt: skip
    with pytest.raises(Conflict, match=f"已有一项正在办理的组织关系接转（编号 {first.number}）"):
        s.transfer_request(actor=actor, kind="within", reason="moved", member_id=m.pk,
                           to_org_id=orgs.branch.pk)  # fmt: skip
    # the constraint backs the check when two requests race past it
    monkeypatch.setattr(s, "_open_transfer", lambda resident_id: None)
    with pytest.raises(Conflict, match=f"已有一项正在办理的组织关系接转（编号 {first.number}）"):
        s.transfer_request(actor=actor, kind="within", reason="moved", member_id=m.pk,
                           to_org_id=orgs.branch.pk)  # fmt: skip
    assert list(Transfer.objects.values_list("pk", flat=True)) == [first.pk]
    assert AuditRecord.objects.filter(action="transfer.request").count() == 1


@pytest.mark.parametrize(
    ("kind", "extra", "error", "message"),
    [
        ("out", {"member_id": 10**12}, NotFound, "党员不存在或不在您的管辖范围内。"),
        ("out", {"member_id": None}, ValidationError, "请选择党员。"),
        ("out", {"to_org_name": "化机小区1号楼党小组"}, ValidationError, "转出和接收党组织不能是同一个。"),
        ("out", {"to_org_name": ""}, ValidationError, "请填写接收党组织名称。"),
        ("within", {"to_org_id": 10**12}, NotFound, "接收党组织不存在或已撤销。"),
        ("within", {"to_org_id": "group"}, ValidationError, "转出和接收党组织不能是同一个。"),
        ("within", {"to_org_id": "other_branch"}, PermissionDenied, "该党组织不在您的管辖范围内。"),
        ("within", {"to_org_id": None}, ValidationError, "请选择接收党组织。"),
    ],
)  # fmt: skip
def test_bad_transfers_of_a_member_write_nothing(tree, people, clock, kind, extra, error, message):
    orgs = party_orgs(tree)
    m = member(tree.unit, orgs.group, name="赵强", seq=63)
    values = {"member_id": m.pk, "to_org_name": "中共沈阳市和平区委组织部",
              "to_org_id": orgs.branch.pk} | extra  # fmt: skip
    if isinstance(values["to_org_id"], str):
        values["to_org_id"] = getattr(orgs, values["to_org_id"]).pk
    with pytest.raises(error, match=message):
        s.transfer_request(actor=Actor.for_user(people.secretary), kind=kind, reason="moved",
                           **values)  # fmt: skip
    _nothing_written()


def test_a_receiving_organisation_outside_the_members_home_community(tree, people, clock):
    orgs = party_orgs(tree)
    m = member(tree.unit, orgs.group, name="赵强", seq=63)
    other_secretary = party_secretary(tree.other_community, "other_secretary")
    with pytest.raises(NotFound, match="党员不存在或不在您的管辖范围内。"):
        s.transfer_request(actor=Actor.for_user(other_secretary), kind="within", reason="moved",
                           member_id=m.pk, to_org_id=orgs.other_branch.pk)  # fmt: skip
    district = Actor.for_user(party_secretary(tree.street, "street_secretary"))
    with pytest.raises(ValidationError, match="接收党组织须在本人居住的社区"):
        s.transfer_request(actor=district, kind="within", reason="moved", member_id=m.pk,
                           to_org_id=orgs.other_branch.pk)  # fmt: skip
    _nothing_written()


def test_who_may_request_and_decide(tree, people, clock):
    # given: a transfer into 化机小区's branch
    orgs = party_orgs(tree)
    person = resident(tree.unit, name="王红", seq=61, room="301")
    other_branch = Actor.for_user(party_secretary(tree.other_unit.parent.parent, "other_branch"))
    for who, error in ((other_branch, PermissionDenied), (Actor.for_user(people.worker),
                       PermissionDenied), (Actor.for_user(people.resident), PermissionDenied),
                       (Actor.for_user(people.inspector), PermissionDenied)):  # fmt: skip
        with pytest.raises(error):
            _in(who, person, orgs.branch)
    _nothing_written()
    t = _in(Actor.for_user(people.secretary), person, orgs.branch)

    # when / then: the other branch does not see it; staff without the role are refused
    with pytest.raises(NotFound, match="组织关系接转不存在或不在您的管辖范围内。"):
        s.transfer_approve(actor=other_branch, transfer_id=t.pk)
    for user in (people.worker, people.resident, people.inspector, people.street_officer):
        with pytest.raises(PermissionDenied, match="办理组织关系接转"):
            s.transfer_approve(actor=Actor.for_user(user), transfer_id=t.pk)
    with pytest.raises(NotFound):
        s.transfer_approve(actor=Actor.for_user(people.secretary), transfer_id=2**70)
    assert Transfer.objects.get().status == "requested"
    assert AuditRecord.objects.filter(action="transfer.approve").count() == 0
    assert selectors.transfer_list(actor=other_branch).count() == 0
    with pytest.raises(PermissionDenied):
        selectors.transfer_list(actor=Actor.for_user(people.worker))
    assert Transfer.objects.get().status == TransferState.REQUESTED
