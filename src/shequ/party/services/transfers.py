"""组织关系接转 writes: a request (转入 from outside the district, 转出 to an
organisation outside it, 区内转移 between two of its organisations), the
receiving side's decision (``TRANSFER_FLOW``: 接收, 完成, 退回 with the
reason), and the printed introduction letter (介绍信), which is recorded as
an unmasked view of the member's ID number.

Who decides: for 转入 and 区内转移 the receiving organisation (whoever
covers ``to_org.region``), for 转出 the sending one, which records the
outside organisation's receipt (接收) and then completes. A member's
organisation changes only here: completion places (or re-places) the
member in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from shequ.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from shequ.core.history import Event, record
from shequ.core.numbering import receipt_next
from shequ.core.pii import decrypt, mask_id_number, mask_name
from shequ.core.scope import Actor
from shequ.core.services.notifications import Subject, notify, staff_covering
from shequ.core.text import clean_text
from shequ.core.workdays import add_workdays, local_today
from shequ.core.workflow import Transition, Workflow, transition
from shequ.party.letters import transfer_letter_pdf
from shequ.party.models import (
    HELD_HERE,
    OPEN_TRANSFER_STATES,
    MemberStatus,
    OrgRole,
    PartyMember,
    PartyOrg,
    Relation,
    Transfer,
    TransferKind,
    TransferReason,
    TransferState,
)
from shequ.party.scope import members_q, region_q, require_org_region
from shequ.party.selectors.transfers import deciding_region, transfer_get, transfers_q
from shequ.party.services.common import home_compound_id, placement, rules_for
from shequ.party.services.members import MEMBER_ORG_KINDS, clean_standing
from shequ.residents.models import Resident

NOTE_MAX = 300
SAME_ORG = "转出和接收党组织不能是同一个。"
NO_ORG = "接收党组织不存在或已撤销。"
NO_MEMBER = "党员不存在或不在您的管辖范围内。"
NO_TRANSFER = "组织关系接转不存在或不在您的管辖范围内。"


# -- the workflow ------------------------------------------------------------------------------


def _decides(actor: Actor, transfer: Any) -> bool:
    """The side that answers: the receiver of 转入/区内转移, the sender of 转出."""
    region = deciding_region(transfer)
    return region is not None and actor.covers(region)


# The audit record and timeline name the working community (see the model).
_decides.field_name = "community"  # type: ignore[attr-defined]


def _g_receiver_standing(transfer: Transfer, actor: Actor, **data: Any) -> None:
    if (
        transfer.to_org_id is not None
        and not PartyOrg.objects.filter(pk=transfer.to_org_id, active=True).exists()
    ):
        raise Conflict("接收党组织已撤销，请退回本次接转。")


def _a_approved(transfer: Transfer, actor: Actor, **data: Any) -> list[str]:
    transfer.approved_at = timezone.now()
    return ["approved_at"]


def _g_completable(transfer: Transfer, actor: Actor, **data: Any) -> None:
    _g_receiver_standing(transfer, actor)
    if transfer.kind == TransferKind.IN:
        held = PartyMember.objects.filter(
            resident_id=transfer.resident_id, status=MemberStatus.ACTIVE
        ).exists()
        if held:
            raise Conflict("这位居民已是本区在册党员，不能再办理转入。")
        return
    if not PartyMember.objects.filter(
        pk=transfer.member_id or 0, status=MemberStatus.ACTIVE
    ).exists():
        raise Conflict("该党员的组织关系已不在本区，无法完成接转。")


def _a_completed(transfer: Transfer, actor: Actor, **data: Any) -> list[str]:
    """完成: the member's organisation changes in the transition's transaction."""
    transfer.completed_at = timezone.now()
    if transfer.kind == TransferKind.IN:
        transfer.member = _arrive(transfer, actor)
        return ["completed_at", "member"]
    member = (
        PartyMember.objects.select_for_update(of=("self",))
        .select_related("org__region", "resident")
        .get(pk=transfer.member_id or 0)
    )
    if transfer.kind == TransferKind.WITHIN:
        _move(transfer, member, actor)
    else:
        _leave(transfer, member, actor)
    return ["completed_at"]


def _g_reason(transfer: Transfer, actor: Actor, **data: Any) -> None:
    _reason_text(data.get("reason"))


def _a_returned(transfer: Transfer, actor: Actor, **data: Any) -> list[str]:
    transfer.returned_reason = _reason_text(data.get("reason"))
    return ["returned_reason"]


def _reason_text(value: Any) -> str:
    return clean_text(value, field="reason", label="退回原因", max_length=NOTE_MAX)


TRANSFER_FLOW = Workflow(
    name="transfer",
    model=Transfer,
    scope=_decides,
    transitions=[
        Transition("approve", [TransferState.REQUESTED], TransferState.APPROVED, "接收",
                   "party.member_manage", guards=[_g_receiver_standing], apply=_a_approved),
        Transition("complete", [TransferState.APPROVED], TransferState.COMPLETED, "完成",
                   "party.member_manage", guards=[_g_completable], apply=_a_completed),
        Transition("return", list(OPEN_TRANSFER_STATES), TransferState.RETURNED, "退回",
                   "party.member_manage", guards=[_g_reason], apply=_a_returned),
    ],
)  # fmt: skip


# -- completion effects ------------------------------------------------------------------------


def _arrive(transfer: Transfer, actor: Actor) -> PartyMember:
    """转入: the resident's member row, new, or the one that once left (a
    OneToOne: a member who transferred out comes back on the same row)."""
    to_org = PartyOrg.objects.select_related("region").get(pk=transfer.to_org_id or 0)
    resident = Resident.objects.select_related("household").get(pk=transfer.resident_id)
    now = timezone.now()
    facts = {
        "standing": transfer.standing, "probation_ends_on": transfer.probation_ends_on,
        "joined_on": transfer.joined_on, "relation": transfer.relation,
        "compound_id": home_compound_id(resident), "status": MemberStatus.ACTIVE,
        "employer_org_name": "", "employer_unit": None, "employer_name": "",
        "probation_reminded_on": None, "updated_at": now, **placement(to_org),
    }  # fmt: skip
    member = PartyMember.objects.select_for_update().filter(resident=resident).first()
    returning = member is not None
    if member is None:
        member = PartyMember(
            district_id=transfer.district_id, resident=resident, created_at=now,
            created_by=actor.user, **facts,
        )  # fmt: skip
        try:
            with transaction.atomic():
                member.save()
        except IntegrityError:
            raise Conflict("这位居民已是本区在册党员，不能再办理转入。") from None
    else:
        for name, value in facts.items():
            setattr(member, name, value)
        member.save(update_fields=[*facts])
    record(
        actor=actor, action="party_member.update" if returning else "party_member.create",
        obj=member, region=to_org.region,
        changes={"resident": mask_name(resident.name), "org": to_org.name,
                 "standing": transfer.standing, "relation": transfer.relation,
                 "transfer": transfer.number},
        event=Event("transfer_in", f"组织关系转入（{transfer.number}）"), state_field="standing",
    )  # fmt: skip
    return member


def _move(transfer: Transfer, member: PartyMember, actor: Actor) -> None:
    """区内转移: the member is re-placed in the receiving organisation."""
    to_org = PartyOrg.objects.select_related("region").get(pk=transfer.to_org_id or 0)
    before = member.org.name
    for name, value in placement(to_org).items():
        setattr(member, name, value)
    member.compound_id = home_compound_id(member.resident)
    fields = ["org", "org_region", "community", "compound", "updated_at"]
    changes: dict[str, Any] = {"org": [before, to_org.name], "transfer": transfer.number}
    if transfer.relation and transfer.relation != member.relation:
        changes["relation"] = [member.relation, transfer.relation]
        member.relation = transfer.relation
        fields.append("relation")
    member.updated_at = timezone.now()
    member.save(update_fields=fields)
    record(
        actor=actor, action="party_member.update", obj=member, region=to_org.region,
        changes=changes, event=Event("transfer_within", f"区内组织关系转移（{transfer.number}）"),
        state_field="standing",
    )  # fmt: skip


def _leave(transfer: Transfer, member: PartyMember, actor: Actor) -> None:
    """转出: the member leaves the register; their committee seats end today."""
    today = local_today()
    seats = list(
        OrgRole.objects.filter(member=member, ended_on__isnull=True).values_list("pk", flat=True)
    )
    OrgRole.objects.filter(pk__in=seats).update(ended_on=today)
    member.status = MemberStatus.TRANSFERRED_OUT
    member.updated_at = timezone.now()
    member.save(update_fields=["status", "updated_at"])
    record(
        actor=actor, action="party_member.update", obj=member,
        region=member.org.region,
        changes={"status": [MemberStatus.ACTIVE, MemberStatus.TRANSFERRED_OUT],
                 "to": transfer.to_org_name, "roles_ended": seats, "transfer": transfer.number},
        event=Event("transfer_out", f"组织关系转出（{transfer.number}）"), state_field="standing",
    )  # fmt: skip


# -- the request -------------------------------------------------------------------------------


def _receiving_org(actor: Actor, district_id: int, to_org_id: int | None) -> PartyOrg:
    if to_org_id is None:
        raise ValidationError("请选择接收党组织。", field="to_org")
    org = (
        PartyOrg.objects.select_related("region", "community")
        .filter(pk=to_org_id, district_id=district_id, active=True)
        .first()
        if 0 < to_org_id < 2**63
        else None
    )
    if org is None:
        raise NotFound(NO_ORG, field="to_org")
    require_org_region(actor, org.region)
    if org.kind not in MEMBER_ORG_KINDS:
        raise ValidationError("接收党组织应是社区党委（党总支）、小区党支部或党小组。",
                              field="to_org")  # fmt: skip
    return org


def _in_place(org: PartyOrg, resident: Resident) -> None:
    if org.community_id != resident.community_id:
        raise ValidationError(
            "接收党组织须在本人居住的社区：请先在居民档案中核对住址。", field="to_org"
        )


def _org_name(value: Any, *, field: str, label: str) -> str:
    return clean_text(value, field=field, label=label, max_length=100, single_line=True)


def _open_number(resident_id: int) -> str | None:
    return (
        Transfer.objects.filter(resident_id=resident_id, status__in=OPEN_TRANSFER_STATES)
        .values_list("number", flat=True)
        .first()
    )


def _already_open(number: str | None) -> Conflict:
    found = f"（编号 {number}）" if number else ""
    return Conflict(f"这位党员已有一项正在办理的组织关系接转{found}，请先办结或退回。")


def _open_transfer(resident_id: int) -> None:
    """One transfer under way per person (the constraint backs this check)."""
    number = _open_number(resident_id)
    if number is not None:
        raise _already_open(number)


def _request_in(
    actor: Actor,
    district_id: int,
    *,
    reason: str,
    resident_id: int | None,
    to_org_id: int | None,
    from_org_name: str,
    incoming_letter_number: str,
    standing: str,
    probation_ends_on: dt.date | None,
    joined_on: dt.date | None,
    relation: str,
) -> dict[str, Any]:
    resident = None
    if resident_id is not None and 0 < resident_id < 2**63:
        resident = Resident.objects.filter(pk=resident_id, district_id=district_id).first()
    if resident is None:
        raise NotFound("本区居民档案中没有这位居民，请先在居民档案中登记。", field="resident")
    to_org = _receiving_org(actor, district_id, to_org_id)
    _in_place(to_org, resident)
    origin = _org_name(from_org_name, field="from_org_name", label="原党组织名称")
    if origin == to_org.name:
        raise ValidationError(SAME_ORG, field="from_org_name")
    letter = clean_text(incoming_letter_number, field="incoming_letter_number",
                        label="原介绍信编号", max_length=40, single_line=True)  # fmt: skip
    standing, probation_ends_on, joined_on = clean_standing(
        standing=standing, probation_ends_on=probation_ends_on, joined_on=joined_on,
        birth_date=resident.birth_date,
    )  # fmt: skip
    if reason == TransferReason.RETIRED:
        relation = Relation.RETIRED
    elif relation not in HELD_HERE:
        raise ValidationError("转入党员的管理类型应为自管、流动或离退休党员"
                              "（在职党员的组织关系在工作单位）。", field="relation")  # fmt: skip
    member = PartyMember.objects.filter(resident=resident).values_list("status", flat=True).first()
    if member == MemberStatus.ACTIVE:
        raise Conflict("这位居民已是本区在册党员，在本区内调整请办理区内转移。", field="resident")
    return {
        "community": to_org.community, "resident": resident, "to_org": to_org,
        "to_org_name": to_org.name, "from_org_name": origin, "incoming_letter_number": letter,
        "standing": standing, "probation_ends_on": probation_ends_on, "joined_on": joined_on,
        "relation": relation,
    }  # fmt: skip


def _member(actor: Actor, district_id: int, member_id: int | None, where: Q) -> PartyMember:
    if member_id is None or not 0 < member_id < 2**63:
        raise ValidationError("请选择党员。", field="member")
    member = (
        PartyMember.objects.filter(where, pk=member_id, district_id=district_id)
        .select_related("resident", "org__region", "community")
        .first()
    )
    if member is None:
        raise NotFound(NO_MEMBER, field="member")
    if member.status != MemberStatus.ACTIVE:
        raise Conflict("该党员的组织关系已转出。", field="member")
    return member


def _request_out(
    actor: Actor, district_id: int, *, member_id: int | None, to_org_name: str
) -> dict[str, Any]:
    member = _member(actor, district_id, member_id, members_q(actor))
    require_org_region(actor, member.org.region)
    destination = _org_name(to_org_name, field="to_org_name", label="接收党组织名称")
    if destination == member.org.name:
        raise ValidationError(SAME_ORG, field="to_org_name")
    return {
        "community": member.community, "resident": member.resident, "member": member,
        "from_org": member.org, "from_org_name": member.org.name, "to_org_name": destination,
    }  # fmt: skip


def _request_within(
    actor: Actor, district_id: int, *, reason: str, member_id: int | None, to_org_id: int | None
) -> dict[str, Any]:
    # The receiver asks: a member it keeps, or one who now lives in its area.
    member = _member(
        actor,
        district_id,
        member_id,
        members_q(actor) | region_q(actor, "resident__household__unit"),
    )
    to_org = _receiving_org(actor, district_id, to_org_id)
    if to_org.pk == member.org_id:
        raise ValidationError(SAME_ORG, field="to_org")
    _in_place(to_org, member.resident)
    return {
        "community": to_org.community, "resident": member.resident, "member": member,
        "from_org": member.org, "from_org_name": member.org.name, "to_org": to_org,
        "to_org_name": to_org.name,
        "relation": Relation.RETIRED if reason == TransferReason.RETIRED else "",
    }  # fmt: skip


def transfer_request(
    *,
    actor: Actor,
    kind: str,
    reason: str,
    resident_id: int | None = None,
    member_id: int | None = None,
    to_org_id: int | None = None,
    to_org_name: str = "",
    from_org_name: str = "",
    incoming_letter_number: str = "",
    standing: str = "",
    probation_ends_on: dt.date | None = None,
    joined_on: dt.date | None = None,
    relation: str = "",
    note: str = "",
) -> Transfer:
    """申请组织关系接转. What each kind takes (the rest is ignored):

    - 转入 ``in``: ``resident_id`` (of the district's register, not an active
      member), ``to_org_id`` (an organisation of the resident's community the
      actor covers), ``from_org_name`` and ``incoming_letter_number`` (the
      letter brought from outside), ``standing``/``probation_ends_on``/
      ``joined_on`` and ``relation`` (离退休 when the reason is retirement);
    - 转出 ``out``: ``member_id`` (an active member the actor keeps) and
      ``to_org_name`` (the organisation outside the district);
    - 区内转移 ``within``: ``member_id`` and ``to_org_id`` (another organisation
      of the member's home community, covered by the actor).
    """
    actor.require("party.member_manage")
    district_id = actor.require_district_id()
    if kind not in TransferKind.values:
        raise ValidationError("请选择接转类别（转入、转出或区内转移）。", field="kind")
    if reason not in TransferReason.values:
        raise ValidationError("请选择接转原因。", field="reason")
    if kind == TransferKind.IN:
        fields = _request_in(
            actor, district_id, reason=reason, resident_id=resident_id, to_org_id=to_org_id,
            from_org_name=from_org_name, incoming_letter_number=incoming_letter_number,
            standing=standing, probation_ends_on=probation_ends_on, joined_on=joined_on,
            relation=relation,
        )  # fmt: skip
    elif kind == TransferKind.OUT:
        fields = _request_out(actor, district_id, member_id=member_id, to_org_name=to_org_name)
    else:
        fields = _request_within(
            actor, district_id, reason=reason, member_id=member_id, to_org_id=to_org_id
        )
    remark = clean_text(note, field="note", label="说明", max_length=NOTE_MAX, required=False)
    resident: Resident = fields["resident"]
    _open_transfer(resident.pk)
    rules = rules_for(district_id)
    today = local_today()
    with transaction.atomic():
        transfer = Transfer(
            district_id=district_id, kind=kind, reason=reason, status=TransferState.REQUESTED,
            note=remark, requested_on=today,
            answer_due=add_workdays(today, rules.transfer_answer_days).date,
            complete_due=today + dt.timedelta(days=rules.letter_valid_days),
            created_at=timezone.now(), created_by=actor.user,
            number=receipt_next(community=fields["community"], day=today), **fields,
        )  # fmt: skip
        try:
            with transaction.atomic():
                transfer.save()
        except IntegrityError:
            # Another request for the same person won the race to the constraint.
            raise _already_open(_open_number(resident.pk)) from None
        record(
            actor=actor, action="transfer.request", obj=transfer, region=transfer.community,
            changes={"number": transfer.number, "kind": kind, "reason": reason,
                     "resident": mask_name(resident.name), "from": transfer.from_org_name,
                     "to": transfer.to_org_name},
            event=Event("request", f"申请{TransferKind(kind).label}", from_state="",
                        to_state=TransferState.REQUESTED, note=remark),
        )  # fmt: skip
        if kind == TransferKind.WITHIN:
            _tell_sender(actor, transfer)
    return transfer


def _tell_sender(actor: Actor, transfer: Transfer) -> None:
    """区内转移: the sending organisation learns that a member is asked for."""
    sender = transfer.from_org
    if sender is None:
        return
    subject = Subject(
        url=reverse("party:transfer", args=[transfer.pk]), district_id=transfer.district_id,
        community_id=sender.community_id, object_label=transfer._meta.label_lower,
        object_id=transfer.pk, region_id=sender.region_id,
    )  # fmt: skip
    notify(
        actor=actor,
        recipients=staff_covering(subject=subject, permission="party.member_manage"),
        subject=subject,
        kind="party.transfer",
        title=f"党员{mask_name(transfer.resident.name)}的组织关系将转至{transfer.to_org_name}",
        body=f"{sender.name}：区内转移 {transfer.number}，由接收方办理。",
    )


# -- the decisions -----------------------------------------------------------------------------


def _visible(actor: Actor, transfer_id: int) -> None:
    """A transfer outside the actor's sight is not there (404); one it sees
    but does not decide is refused by the workflow (403)."""
    if (
        not 0 < transfer_id < 2**63
        or not Transfer.objects.filter(transfers_q(actor), pk=transfer_id).exists()
    ):
        raise NotFound(NO_TRANSFER)


def transfer_approve(*, actor: Actor, transfer_id: int, note: str = "") -> Transfer:
    """接收 (转出: the outside organisation's receipt came back)."""
    actor.require("party.member_manage")
    _visible(actor, transfer_id)
    remark = clean_text(note, field="note", label="说明", max_length=NOTE_MAX, required=False)
    done: Transfer = transition(  # type: ignore[assignment]
        workflow=TRANSFER_FLOW, actor=actor, obj_or_pk=transfer_id, action="approve", note=remark
    )
    return done


def transfer_complete(*, actor: Actor, transfer_id: int, note: str = "") -> Transfer:
    """完成: the member now sits with the receiver (or has left the district)."""
    actor.require("party.member_manage")
    _visible(actor, transfer_id)
    remark = clean_text(note, field="note", label="说明", max_length=NOTE_MAX, required=False)
    done: Transfer = transition(  # type: ignore[assignment]
        workflow=TRANSFER_FLOW, actor=actor, obj_or_pk=transfer_id, action="complete", note=remark
    )
    return done


def transfer_return(*, actor: Actor, transfer_id: int, reason: str) -> Transfer:
    """退回, with the reason the member and the sender are told."""
    actor.require("party.member_manage")
    _visible(actor, transfer_id)
    text = _reason_text(reason)
    done: Transfer = transition(  # type: ignore[assignment]
        workflow=TRANSFER_FLOW, actor=actor, obj_or_pk=transfer_id, action="return", note=text,
        data={"reason": text},
    )  # fmt: skip
    return done


# -- the letter --------------------------------------------------------------------------------


def transfer_letter_print(*, actor: Actor, transfer_id: int) -> tuple[Transfer, bytes]:
    """介绍信 PDF. It prints the ID number in clear, so each print is recorded
    as an unmasked view of personal data; only the party roles that keep
    one side of the transfer may print it, and a returned transfer's
    letter is void."""
    actor.require("party.member_manage")
    transfer = transfer_get(actor=actor, transfer_id=transfer_id)
    sides = (transfer.from_org, transfer.to_org)
    if not any(org is not None and actor.covers(org.region) for org in sides):
        raise PermissionDenied("该组织关系接转不在您的管辖范围内。")
    if transfer.status == TransferState.RETURNED:
        raise Conflict("该组织关系接转已退回，介绍信作废。")
    with transaction.atomic():
        pdf = transfer_letter_pdf(transfer)
        record(
            actor=actor, action="transfer.letter_print", obj=transfer, region=transfer.community,
            changes={"fields": ["id_number"],
                     "id_number": mask_id_number(decrypt(transfer.resident.id_number_enc))},
            event=Event("letter_print", "打印组织关系介绍信"),
        )  # fmt: skip
    return transfer, pdf
