"""The erasure of a resident's personal data across every app, once the
retention period after 迁出 has passed: a resident with a case, a one-time
notice, appeals (linked, and an unlinked hotline call with their phone), a
"me too", party membership with a report-in and a transfer, a meeting
invitation with a speech, and a text message is erased by ``shequ tick``;
afterwards no row of any table holds their name, ID number, phone number or
their blind indexes, every row is still there, and the audit trail records
the erasure with counts only.

The audit trail itself keeps what it recorded at the time (names in
``object_repr`` and some changes, numbers only masked): it is append-only and
hash-chained, kept for 等保 (docs/operations.md)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone

from shequ.appeals.models import Appeal, AppealSupporter
from shequ.appeals.services import appeal_support
from shequ.appeals.tests.helpers import raise_appeal
from shequ.core.models import AuditRecord, OutboxMessage, User
from shequ.core.pii import blind_index, decrypt
from shequ.core.scope import Actor
from shequ.deliberation import services as deliberation
from shequ.deliberation.models import Invitee, Meeting
from shequ.deliberation.tests.helpers import catalog_item
from shequ.desk.cases.services import Applicant, case_complete, case_intake
from shequ.desk.models import Case, Notice
from shequ.desk.tests.helpers import adopt, make_item, make_window, qualify
from shequ.party.models import MemberReportIn, PartyMember, Relation, Transfer
from shequ.party.services import reporting, transfers
from shequ.party.tests.helpers import in_service, member, party_orgs, resident_account
from shequ.residents import retention
from shequ.residents.models import ERASED_NAME, Resident
from shequ.residents.tests.helpers import id_number, resident
from shequ.whistles.models import Unit

NAME = "欧阳建国"
ID = id_number(61)  # what the party helper registers for seq 61
PHONE = "13966667777"
OTHER_NAME = "钱多多"
OTHER_ID = id_number(62, dt.date(1990, 1, 2))
OTHER_PHONE = "13855554444"
# Tables whose rows keep what they recorded: the append-only audit trail.
AUDIT_TABLES = {"core.auditrecord", "core.auditseal", "core.auditblock"}


@pytest.fixture
def world(tree, people, clock):
    """Our resident (a party member living in 化机小区) with records in
    every app, and a neighbour whose records must stay untouched."""
    worker = Actor.for_user(people.worker)
    secretary = Actor.for_user(people.secretary)
    orgs = party_orgs(tree)
    school = Unit.objects.get(name="城东第一中学")
    person = in_service(
        member(tree.unit, orgs.group, name=NAME, seq=61, phone=PHONE, relation=Relation.IN_SERVICE),
        school,
    )
    me = person.resident
    account = resident_account(me, "oyjg")
    User.objects.filter(pk=account.pk).update(full_name=NAME)
    mine = Actor.for_user(account)
    neighbour = resident(tree.unit, name=OTHER_NAME, number=OTHER_ID, phone=OTHER_PHONE, room="909")
    # 一窗受理: a one-time notice, then the case it led to, completed (an SMS)
    item = make_item(tree.district)
    window = make_window(tree.community)
    adopt(tree.community, item)
    qualify(people.worker, tree.community)
    who = Applicant(name=NAME, id_number=ID, phone=PHONE)
    intake = {"actor": worker, "community": tree.community, "item": item, "window": window}
    case_intake(**intake, applicant=who, provided=[])
    case = case_intake(
        **intake, applicant=who, provided=["居民身份证", "户口簿", "近期一寸免冠照片"],
        note=f"{NAME}本人到场，身份证{ID}",
    ).case  # fmt: skip
    case_complete(actor=worker, case_id=case.pk, outcome="approved")
    other = Applicant(name=OTHER_NAME, id_number=OTHER_ID, phone=OTHER_PHONE)
    case_intake(**intake, applicant=other, provided=[])
    # 居民诉求: his own, one a worker took on the hotline with his phone, a "me too"
    raise_appeal(worker, tree.community, contact_name=NAME, contact_phone=PHONE, resident=me,
                 description=f"我是{NAME}，电话{PHONE}，楼道灯坏了很久没人修。")  # fmt: skip
    raise_appeal(worker, tree.community, channel="hotline", contact_name="欧阳先生",
                 contact_phone=PHONE, description="小区门口路灯不亮，晚上出行不便。")  # fmt: skip
    theirs = raise_appeal(worker, tree.community, contact_name=OTHER_NAME,
                          contact_phone=OTHER_PHONE, resident=neighbour,
                          description="垃圾桶满了没人清运，气味很大。")  # fmt: skip
    appeal_support(actor=mine, appeal_id=theirs.pk)
    # 党建: 双报到 and a transfer out
    reporting.member_report_create(
        actor=mine, member_id=person.pk, skills="书法、理发", availability="周末上午"
    )
    transfers.transfer_request(actor=secretary, kind="out", reason="moved", member_id=person.pk,
                               to_org_name="中共某县某村支部委员会", note="本人电话" + PHONE)  # fmt: skip
    # 议事协商: invited to a meeting by the register, speaking there
    topic_item = catalog_item(tree.district, tree.community)
    topic = deliberation.topic_propose(actor=worker, community=tree.community,
                                       item_id=topic_item.pk, title="加装电梯",
                                       description="1号楼加装电梯。", place=tree.compound)  # fmt: skip
    deliberation.topic_accept(actor=worker, topic_id=topic.pk)
    meeting = deliberation.meeting_schedule(
        actor=worker, community=tree.community, form="council", title="议事会",
        starts_at=timezone.now() + dt.timedelta(days=4), topic_ids=[topic.pk], place="议事厅",
    )  # fmt: skip
    deliberation.meeting_invite(actor=worker, meeting_id=meeting.pk, role="resident_reps",
                                resident_id=me.pk)  # fmt: skip
    deliberation.meeting_invite(actor=worker, meeting_id=meeting.pk, role="resident_reps",
                                resident_id=neighbour.pk)  # fmt: skip
    Meeting.objects.filter(pk=meeting.pk).update(
        speeches=[{"name": NAME, "text": "同意加装。"}, {"name": OTHER_NAME, "text": "同意。"}]
    )
    # he leaves the district
    retention.resident_leave(actor=worker, resident=me, left_at=clock.today, reason="moved_out",
                             note="迁往外省")  # fmt: skip
    return me, neighbour, account


def _idx(value: str) -> str:
    return blind_index(value, purpose="id_number")


def _counts() -> dict[str, int]:
    return {m._meta.label_lower: m.objects.count() for m in apps.get_models()}


def _plain(blob) -> str:
    try:
        return decrypt(blob) if blob else ""
    except Exception:  # noqa: BLE001 - not one of ours
        return ""


def _found(needles: list[str], *, skip: set[str] = frozenset()) -> list[str]:
    """Where any of ``needles`` is in any text, JSON or (decrypted) binary
    column of any row of any table: ``table.column#pk: needle``."""
    hits = []
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if label in skip or not model._meta.managed:
            continue
        columns = [
            f
            for f in model._meta.concrete_fields
            if isinstance(
                f, models.CharField | models.TextField | models.JSONField | models.BinaryField
            )
        ]
        if not columns:
            continue
        for row in model._base_manager.values_list("pk", *(f.attname for f in columns)):
            pk, values = row[0], row[1:]
            for field, value in zip(columns, values, strict=True):
                if value is None:
                    continue
                if isinstance(field, models.BinaryField):
                    text = _plain(value)
                elif isinstance(field, models.JSONField):
                    text = json.dumps(value, ensure_ascii=False)
                else:
                    text = str(value)
                hits += [f"{label}.{field.name}#{pk}: {n}" for n in needles if n in text]
    return hits


def _erase(clock) -> int:
    clock.set(clock.today + dt.timedelta(days=1095))
    return retention.residents_erase_expired()


def test_before_the_erasure_the_apps_hold_the_identity(world):
    me, _neighbour, _account = world
    hits = _found([NAME, ID, PHONE, _idx(ID)], skip=AUDIT_TABLES)
    tables = {h.split("#")[0] for h in hits}
    # the walk sees every copy the erasure must clear
    assert {
        "residents.resident.name",
        "residents.resident.id_number_enc",
        "residents.resident.id_number_index",
        "residents.resident.phone_enc",
        "services.case.applicant_name",
        "services.case.id_number_enc",
        "services.case.id_number_index",
        "services.case.phone_enc",
        "services.case.note",
        "appeals.appeal.description",
        "services.notice.applicant_name",
        "services.notice.id_number_index",
        "appeals.appeal.contact_name",
        "appeals.appeal.phone_enc",
        "deliberation.invitee.name",
        "deliberation.meeting.speeches",
        "core.outboxmessage.address_enc",
        "core.user.full_name",
        "party.transfer.note",
    } <= tables


def test_after_the_retention_period_no_app_holds_the_identity(world, clock):
    me, neighbour, account = world
    before = _counts()
    assert _erase(clock) == 1
    # no table outside the audit trail holds his name, numbers or their blind indexes
    needles = [NAME, ID, PHONE, _idx(ID), blind_index(PHONE, purpose="phone"), "oyjg"]
    assert _found(needles, skip=AUDIT_TABLES) == []
    # the audit trail never held his numbers in full, nor their indexes
    assert _found([ID, PHONE, _idx(ID), blind_index(PHONE, purpose="phone")]) == []
    # every row is still there (figures keep counting the past)
    after = _counts()
    assert {k: v for k, v in after.items() if v != before[k]} == {
        "core.auditrecord": before["core.auditrecord"] + 1,
        "core.grant": before["core.grant"] - 1,  # his resident role
    }
    # the neighbour's records are untouched
    assert _found([OTHER_NAME, OTHER_ID, OTHER_PHONE], skip=AUDIT_TABLES) != []
    assert Case.objects.filter(applicant_name=OTHER_NAME).count() == 0  # a notice, not a case
    assert Notice.objects.filter(applicant_name=OTHER_NAME).count() == 1
    assert Appeal.objects.filter(contact_name=OTHER_NAME).count() == 1
    assert Invitee.objects.filter(name=OTHER_NAME).count() == 1
    assert Meeting.objects.get().speeches == [
        {"name": ERASED_NAME, "text": "同意加装。"}, {"name": OTHER_NAME, "text": "同意。"}
    ]  # fmt: skip
    # what the rows still say, for the figures
    case = Case.objects.get(resident=me)
    assert (case.applicant_name, case.status, case.outcome, case.form_data) == (
        ERASED_NAME, "completed", "approved", {},
    )  # fmt: skip
    assert case.note == f"{ERASED_NAME}本人到场，身份证（已删除）"
    assert Appeal.objects.get(resident=me).description == (
        f"我是{ERASED_NAME}，电话（已删除），楼道灯坏了很久没人修。"
    )
    assert PartyMember.objects.get(resident=me).relation == Relation.IN_SERVICE
    assert PartyMember.objects.get(resident=me).employer_unit.name == "城东第一中学"
    assert MemberReportIn.objects.get().skills == ""
    assert Transfer.objects.get().note == ""
    assert AppealSupporter.objects.get().resident_id == me.pk
    assert OutboxMessage.objects.get(channel="sms").address_masked == ""
    # and the audit record of the erasure, counts only
    audit = AuditRecord.objects.get(action="resident.erase")
    assert audit.changes == {
        "left_at": "2026-09-29",
        "retention_days": 1095,
        "cleared": {
            "core.sms": {"sms": 1},
            "desk.applicant": {"cases": 1, "notices": 1, "events": 1},
            "appeals.contact": {"appeals": 2, "supporters": 1},
            "deliberation.invitee": {"invitees": 1, "speeches": 1, "events": 1},
            "party.member": {"members": 1, "report_ins": 1, "transfers": 1, "events": 1},
        },
        "account": "closed",
    }
    assert audit.object_id == str(me.pk) and audit.success is True


def test_a_person_still_registered_here_keeps_the_records_not_linked_to_the_row(world, clock, tree):
    me, _neighbour, _account = world
    # he came back to another community of the district under the same numbers
    resident(tree.other_unit, name=NAME, number=ID, phone=PHONE)
    _erase(clock)
    # the case linked to the erased row is cleared; the notice (found by the
    # ID number alone) and the hotline appeal (by the phone alone) stay his
    assert Case.objects.get(resident=me).applicant_name == ERASED_NAME
    assert Notice.objects.filter(applicant_name=NAME).count() == 1
    assert Appeal.objects.filter(contact_name="欧阳先生").count() == 1
    assert Appeal.objects.get(resident=me).contact_name == ""
    assert Resident.objects.get(pk=me.pk).name == ERASED_NAME
